"""Issue [1 of 4]: the embedded runtime's backend.run against direct AerSimulator.run."""

from __future__ import annotations

import os
import tempfile
import time

from qiskit import QuantumCircuit, transpile
from qiskit_aer import AerSimulator

from bench.timing import interleaved, measure, print_latency_table, print_rate_table


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def main(repeats: int = 100) -> None:
    os.environ.setdefault("QRUNTIME_HOME", tempfile.mkdtemp(prefix="qruntime-bench-"))
    from qruntime import QiskitRuntimeService
    from qruntime.backends.catalog import default_catalog

    service = QiskitRuntimeService(channel="local")
    ideal = service.backend("ibmq_qasm_simulator")
    device = service.backend("ibm_qrt_falcon")
    circuit = bell()
    aer = AerSimulator()
    device_isa = transpile(circuit, backend=device, seed_transpiler=1)
    noisy_aer = AerSimulator(noise_model=default_catalog().get("ibm_qrt_falcon").noise_model)

    samples = interleaved({
        "direct AerSimulator.run (Bell, 1024 shots)":
            lambda: aer.run(circuit, shots=1024).result().get_counts(),
        "qruntime embedded backend.run, submit to result":
            lambda: ideal.run(circuit, shots=1024).result().get_counts(),
    }, repeats=repeats)
    names = list(samples)
    print_latency_table("backend.run latency, ideal simulator", [samples[names[1]]],
                        samples[names[0]], goal="<= 1.3x direct Aer")

    # The device's own simulator sends Aer only the noise its circuit can trigger;
    # plain Aer with the whole model is shown too, measured apart (it is ~100x slower
    # and would disturb the interleaved runs).
    device_sim = default_catalog().get("ibm_qrt_falcon").simulator()
    samples = interleaved({
        "direct run on the device's simulator (27q ISA Bell)":
            lambda: device_sim.run(device_isa, shots=1024).result().get_counts(),
        "qruntime embedded noisy device backend.run":
            lambda: device.run(device_isa, shots=1024).result().get_counts(),
    }, repeats=repeats)
    whole = measure("direct AerSimulator with the whole noise model",
                    lambda: noisy_aer.run(device_isa, shots=1024).result().get_counts(),
                    repeats=5, warmup=1)
    names = list(samples)
    print_latency_table("backend.run latency, noisy device-like backend",
                        [samples[names[1]], whole], samples[names[0]],
                        goal="<= 5 ms per job; stock local mode ~150 ms")

    many = [circuit] * 1000
    aer.run(many, shots=100).result()
    ideal.run(many, shots=100).result()
    rates = {}
    for name, run in (
        ("direct Aer, 1000 Bell circuits in one call", lambda: aer.run(many, shots=100).result()),
        ("qruntime, 1000 Bell circuits in one job", lambda: ideal.run(many, shots=100).result()),
    ):
        best = min(_timed(run) for _ in range(3))
        rates[name] = len(many) / best
    print_rate_table("throughput, 1000 circuits x 100 shots", rates,
                     "direct Aer, 1000 Bell circuits in one call", "circuits/s",
                     goal=">= 0.9x Aer")


def _timed(run) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
