"""Error mitigation on the noisy devices: how far each resilience level lands from
the exact value, and what it costs.

``python -m bench mitigation``. For each case on ``ibm_qrt_falcon`` and
``ibm_qrt_heron`` (a readout-dominated one-qubit ``<Z>`` of ``|1>``, GHZ-4
``<ZZZZ>``, a 6-qubit Trotter step's ``<Z_i>``), an embedded ``EstimatorV2`` job
at resilience levels 0, 1 (TREX) and 2 (TREX, gate twirling, ZNE): the mean
absolute error to the exact ideal value over seeds, the
mean ``stds``, the shots, and the time of a job to its result. The baseline is
direct Aer: ``AerSimulator.run`` with the device's noise model on the same
circuit with its own qubits measured in Z, with the same shots, its ``<Z>`` read from the counts
(what level 0 does, with no runtime around it).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import Any

import numpy as np

SEEDS = range(5)
PRECISION = 0.01
BACKENDS = ("ibm_qrt_falcon", "ibm_qrt_heron")


def _cases() -> list[tuple[str, Any, list[str]]]:
    from qiskit import QuantumCircuit

    one = QuantumCircuit(1)
    one.x(0)
    ghz = QuantumCircuit(4)
    ghz.h(0)
    for qubit in range(3):
        ghz.cx(qubit, qubit + 1)
    trotter = QuantumCircuit(6)
    for qubit in range(6):
        trotter.rx(0.4, qubit)
    for start in (0, 1):
        for qubit in range(start, 5, 2):
            trotter.rzz(0.6, qubit, qubit + 1)
    for qubit in range(6):
        trotter.rx(0.4, qubit)
    z = ["I" * (5 - q) + "Z" + "I" * q for q in range(6)]
    return [("<Z> of |1>", one, ["Z"]), ("GHZ-4 <ZZZZ>", ghz, ["ZZZZ"]),
            ("Trotter step, 6 <Z_i>", trotter, z)]


def main() -> None:
    os.environ.setdefault("QRUNTIME_HOME", tempfile.mkdtemp(prefix="qruntime-bench-mitigation-"))
    from qiskit import ClassicalRegister
    from qiskit.quantum_info import SparsePauliOp, Statevector
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_aer import AerSimulator

    from qruntime import EstimatorV2, QiskitRuntimeService
    from qruntime.backends.catalog import default_catalog

    service = QiskitRuntimeService()
    shots = int(np.ceil(1 / PRECISION**2))
    for name in BACKENDS:
        backend = service.backend(name)
        noise_model = default_catalog().get(name).noise_model
        direct = AerSimulator(noise_model=noise_model)
        manager = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                               seed_transpiler=1)
        print(f"\n## EstimatorV2 on {name}, precision {PRECISION} ({shots} shots), "
              f"{len(SEEDS)} seeds each")
        print(f"{'case':24s} {'what':22s} {'mean |error|':>12s} {'mean std':>9s} "
              f"{'shots':>7s} {'median ms':>10s} {'x direct':>9s}")
        for title, circuit, labels in _cases():
            exact = [float(Statevector(circuit).expectation_value(SparsePauliOp(label)).real)
                     for label in labels]
            isa = manager.run(circuit)
            observables = [SparsePauliOp(label).apply_layout(isa.layout) for label in labels]
            # Measure only the circuit's own qubits: measure_all() on the ISA circuit
            # would make Aer simulate every qubit of the device.
            physical = isa.layout.final_index_layout()
            measured = isa.copy()
            measured.add_register(ClassicalRegister(len(physical), "z"))
            for logical, qubit in enumerate(physical):
                measured.measure(qubit, logical)
            direct_errors, direct_seconds = [], []
            for seed in SEEDS:
                start = time.perf_counter()
                counts = direct.run(measured, shots=shots, seed_simulator=seed).result()\
                    .get_counts()
                direct_seconds.append(time.perf_counter() - start)
                direct_errors.append(np.mean([abs(_z(counts, label) - e)
                                              for label, e in zip(labels, exact)]))
            direct_ms = statistics.median(direct_seconds) * 1e3
            print(f"{title:24s} {'direct Aer, counts':22s} {np.mean(direct_errors):12.4f} "
                  f"{'':>9s} {shots:7d} {direct_ms:10.1f} {1.0:8.2f}x")
            for level in (0, 1, 2):
                errors, stds, seconds, used = [], [], [], 0
                for seed in SEEDS:
                    estimator = EstimatorV2(mode=backend, options={
                        "resilience_level": level, "seed_estimator": seed})
                    start = time.perf_counter()
                    result = estimator.run([(isa, observables)], precision=PRECISION).result()
                    seconds.append(time.perf_counter() - start)
                    errors.append(np.mean(np.abs(result[0].data.evs - exact)))
                    stds.append(np.mean(result[0].data.stds))
                    used = int(result[0].metadata["shots"])
                median_ms = statistics.median(seconds) * 1e3
                print(f"{'':24s} {f'qruntime level {level}':22s} {np.mean(errors):12.4f} "
                      f"{np.mean(stds):9.4f} {used:7d} {median_ms:10.1f} "
                      f"{median_ms / direct_ms:8.2f}x")


def _z(counts: dict[str, int], label: str) -> float:
    """``<label>`` (Z and I only) from counts of the logical qubits, bit q for qubit q."""
    wanted = [q for q, p in enumerate(reversed(label)) if p == "Z"]
    total = sum(counts.values())
    value = 0.0
    for bits, count in counts.items():
        parity = sum(int(bits[::-1][q]) for q in wanted) % 2
        value += count * (1 - 2 * parity)
    return value / total


if __name__ == "__main__":
    main()
