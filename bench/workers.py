"""Issue [1 of 7]: a worker's memory over 1,000 mixed jobs stays bounded.

The embedded runtime is set to send every job to its one worker process, and
runs a mix like a day's traffic: Bell jobs on the ideal simulator and on the
27- and 127-qubit devices, SamplerV2 and EstimatorV2 on the noisy device, and
every 25th job a 20-qubit statevector simulation (16 MiB of amplitudes). The
worker's resident memory is printed every 100 jobs; the baseline is the same
worker's memory after its first job.
"""

from __future__ import annotations

import os
import tempfile
import time

import psutil

from bench.embedded import bell


def _worker_rss() -> dict[int, float]:
    return {p.pid: p.memory_info().rss / 2**20 for p in psutil.Process().children()}


def main(jobs: int = 1000) -> None:
    os.environ["QRUNTIME_HOME"] = tempfile.mkdtemp(prefix="qruntime-bench-workers-")
    os.environ.update(QRUNTIME_INLINE_COST_LIMIT="0", QRUNTIME_IMMEDIATE_COST_LIMIT="-1",
                      QRUNTIME_PROCESSES="1", QRUNTIME_LANES="1")
    from qiskit import QuantumCircuit, transpile
    from qiskit.quantum_info import SparsePauliOp

    from qruntime import EstimatorV2, QiskitRuntimeService, SamplerV2
    from qruntime.client.embedded import close_embedded

    service = QiskitRuntimeService(channel="local")
    ideal = service.backend("ibmq_qasm_simulator")
    falcon = service.backend("ibm_qrt_falcon")
    eagle = service.backend("ibm_qrt_eagle")
    circuit = bell()
    falcon_bell = transpile(circuit, backend=falcon, seed_transpiler=1)
    eagle_bell = transpile(circuit, backend=eagle, seed_transpiler=1)
    unmeasured = QuantumCircuit(2)
    unmeasured.h(0)
    unmeasured.cx(0, 1)
    falcon_pair = transpile(unmeasured, backend=falcon, seed_transpiler=1)
    zz = SparsePauliOp("ZZ").apply_layout(falcon_pair.layout)
    wide = QuantumCircuit(20)
    for qubit in range(20):
        wide.ry(0.3 + 0.01 * qubit, qubit)
    for qubit in range(19):
        wide.cx(qubit, qubit + 1)
    wide.measure_all()
    mix = [
        lambda: ideal.run(circuit, shots=1024),
        lambda: falcon.run(falcon_bell, shots=1024),
        lambda: eagle.run(eagle_bell, shots=1024),
        lambda: SamplerV2(mode=falcon).run([falcon_bell], shots=1024),
        lambda: EstimatorV2(mode=falcon).run([(falcon_pair, zz)]),
    ]
    print(f"\n## one worker's memory over {jobs} mixed jobs  (goal: bounded)")
    print(f"{'after job':>10s} {'worker RSS MiB':>15s} {'x baseline':>11s} {'jobs/s':>8s}")
    started = time.perf_counter()
    baseline = None
    for index in range(1, jobs + 1):
        submit = (lambda: ideal.run(wide, shots=100)) if index % 25 == 0 else mix[index % len(mix)]
        submit().result()
        if index == 1 or index % 100 == 0:
            rss = sum(_worker_rss().values())
            baseline = baseline or rss
            rate = index / (time.perf_counter() - started)
            print(f"{index:10d} {rss:15.0f} {rss / baseline:10.2f}x {rate:8.1f}")
    close_embedded()


if __name__ == "__main__":
    main()
