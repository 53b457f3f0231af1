"""Timings of the programs against qiskit-aer called directly (run: python tests/programs/benchmark.py).

Not collected by pytest. Each line prints the best of several interleaved runs,
ours and Aer's, and the ratio. Both sides get the same circuits, parameter sets and
observables; ours runs through ``program.run`` with the params dict the engine
would pass (validation included).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import real_amplitudes
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import EstimatorV2 as AerEstimatorV2
from qiskit_aer.primitives import SamplerV2 as AerSamplerV2

from qruntime.backends.catalog import default_catalog
from qruntime.programs import get_program


def best_seconds(ours: Callable[[], object], aer: Callable[[], object], repeat: int = 9
                 ) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of each, interleaved so that load from other
    processes hits both alike (the minimum is the least disturbed run)."""
    ours()
    aer()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, bucket in ((ours, times[0]), (aer, times[1])):
            start = time.perf_counter()
            call()
            bucket.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def report(name: str, ours: float, aer: float) -> None:
    print(f"{name:58s} ours {ours * 1e3:8.2f} ms   aer {aer * 1e3:8.2f} ms   ratio {ours / aer:5.2f}")


def as_dict(observable: SparsePauliOp) -> dict[str, float]:
    """The observable as the stock client sends it: ``{"ZZII": 1.0, ...}``."""
    return {label: float(coeff.real) for label, coeff in observable.to_list()}


def ansatz(num_qubits: int = 4) -> QuantumCircuit:
    return real_amplitudes(num_qubits, reps=2)


def estimator_ideal(sets: int, width: int = 4) -> None:
    backend = default_catalog().get("ibmq_qasm_simulator")
    circuit = ansatz(width)
    isa = backend.pass_manager(1).run(circuit)
    values = np.random.default_rng(1).uniform(-np.pi, np.pi, (sets, circuit.num_parameters))
    labels = ["ZZ" + "I" * (width - 2), "I" * (width - 2) + "ZZ", "X" * width,
              "Y" + "I" * (width - 2) + "Y", "Z" * width]
    observable = SparsePauliOp(labels, [1, 1, 0.5, 0.2, 1])
    params = {"pubs": [[isa, as_dict(observable), values, None]], "version": 2,
              "support_qiskit": True}
    program = get_program("estimator")
    aer = AerEstimatorV2(options={"default_precision": 0.0})
    ours, direct = best_seconds(lambda: program.run(params, backend),
                                lambda: aer.run([(circuit, observable, values)]).result())
    report(f"EstimatorV2 ideal, {width}q ansatz, {sets} sets, 5 terms", ours, direct)


def estimator_noisy(sets: int) -> None:
    backend = default_catalog().get("ibm_qrt_falcon")
    circuit = ansatz()
    isa = backend.pass_manager(1).run(circuit)
    values = np.random.default_rng(1).uniform(-np.pi, np.pi, (sets, circuit.num_parameters))
    observable = SparsePauliOp(["ZZII", "IZZI", "IIZZ", "XXXX"])
    physical = observable.apply_layout(isa.layout)
    params = {"pubs": [[isa, as_dict(observable), values, None]], "version": 2}
    program = get_program("estimator")
    # Aer on its own, with the same noise model and method, on the same ISA circuit.
    aer = AerEstimatorV2.from_backend(backend.simulator(), options={"default_precision": 0.0})
    aer.options.run_options = {"method": "density_matrix", "shots": 1}
    ours, direct = best_seconds(lambda: program.run(params, backend),
                                lambda: aer.run([(isa, physical, values)]).result(), repeat=5)
    report(f"EstimatorV2 noisy falcon, 4q ansatz, {sets} sets", ours, direct)


def sampler_ideal(sets: int, shots: int) -> None:
    backend = default_catalog().get("ibmq_qasm_simulator")
    circuit = ansatz()
    circuit.measure_all()
    isa = backend.pass_manager(1).run(circuit)
    values = np.random.default_rng(1).uniform(-np.pi, np.pi, (sets, circuit.num_parameters))
    params = {"pubs": [[isa, values, shots]], "version": 2}
    program = get_program("sampler")
    aer = AerSamplerV2.from_backend(AerSimulator(method="automatic"))
    ours, direct = best_seconds(lambda: program.run(params, backend),
                                lambda: aer.run([(isa, values, shots)]).result())
    report(f"SamplerV2 ideal, 4q ansatz, {sets} sets x {shots} shots", ours, direct)


def circuit_runner_bell(shots: int) -> None:
    backend = default_catalog().get("ibmq_qasm_simulator")
    bell = QuantumCircuit(2, 2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    program = get_program("circuit-runner")
    simulator = backend.simulator()
    params = {"circuits": [bell], "shots": shots}
    ours, direct = best_seconds(lambda: program.run(params, backend),
                                lambda: simulator.run([bell], shots=shots).result(), repeat=25)
    report(f"circuit-runner Bell, {shots} shots", ours, direct)


if __name__ == "__main__":
    sets = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    circuit_runner_bell(4000)
    sampler_ideal(sets, 1024)
    estimator_ideal(sets)
    estimator_ideal(sets, width=12)
    estimator_noisy(sets)
