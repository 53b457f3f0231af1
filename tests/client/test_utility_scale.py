"""Utility-scale jobs as IBM's guides run them, through both doors with our client.

IBM's hello-world (a 100-qubit GHZ, EstimatorV2 of ``Z Z`` at growing distance)
and get-started-with-sampler (``efficient_su2(127, "linear")``) on the 127-qubit
device, the ideal simulators beside it, and a job that cannot fit, refused
before it has a job id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import efficient_su2
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qruntime import EstimatorV2, IBMInputValueError, QiskitRuntimeService, SamplerV2

from live import DOORS, door_service

WIDTH = 100


@pytest.fixture(scope="module", params=DOORS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            _servers: dict[str, Any]) -> Iterator[QiskitRuntimeService]:
    yield from door_service(request.param, tmp_path_factory.mktemp("qruntime"), _servers)


def hello_world(backend: Any) -> tuple[QuantumCircuit, list[SparsePauliOp]]:
    """IBM hello-world's circuit and observables, laid out for ``backend``."""
    circuit = QuantumCircuit(WIDTH)
    circuit.h(0)
    for qubit in range(WIDTH - 1):
        circuit.cx(qubit, qubit + 1)
    labels = ["Z" + "I" * i + "Z" + "I" * (WIDTH - 2 - i) for i in range(WIDTH - 1)]
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)
    return isa, [SparsePauliOp(label).apply_layout(isa.layout) for label in labels]


def test_hello_world_correlations_fall_with_distance_on_the_device(
    service: QiskitRuntimeService,
) -> None:
    isa, observables = hello_world(service.backend("ibm_qrt_eagle"))
    estimator = EstimatorV2(mode=service.backend("ibm_qrt_eagle"))
    estimator.options.resilience_level = 1
    estimator.options.dynamical_decoupling.enable = True
    estimator.options.default_precision = 0.05  # 400 trajectories: the guide's 5000 take ~35 s
    result = estimator.run([(isa, observables)]).result()
    evs, stds = result[0].data.evs, result[0].data.stds
    assert evs.shape == (WIDTH - 1,) and (stds > 0).all()
    # <Z_99 Z_98> is near 1; the errors on the gates between two qubits grow with
    # their distance along the chain, and the correlation falls with it.
    assert evs[0] > 0.85
    near, middle, far = evs[:10].mean(), evs[45:55].mean(), evs[-10:].mean()
    assert near > middle + 0.1 > far + 0.2, (near, middle, far)
    assert far > 0.05  # still correlated: the device is noisy, not broken
    assert result.metadata["simulator"]["method"] == "stabilizer"
    assert "Pauli-twirled" in result.metadata["simulator"]["noise"]


@pytest.mark.parametrize("name", ["simulator_stabilizer", "simulator_mps"])
def test_hello_world_correlations_are_exactly_one_on_an_ideal_simulator(
    service: QiskitRuntimeService, name: str,
) -> None:
    backend = service.backend(name)
    isa, observables = hello_world(backend)
    result = EstimatorV2(mode=backend).run([(isa, observables)]).result()
    # Exact: no sampling (stds 0), and 1 to the rounding of a matrix product state.
    assert np.allclose(result[0].data.evs, 1.0, rtol=0, atol=1e-9)
    assert (result[0].data.stds == 0).all()


def test_efficient_su2_on_127_qubits_samples_on_the_device(
    service: QiskitRuntimeService,
) -> None:
    from qiskit_aer import AerSimulator

    backend = service.backend("ibm_qrt_eagle")
    circuit = efficient_su2(127, entanglement="linear")
    circuit = circuit.assign_parameters(
        np.random.default_rng(1).uniform(0, 2 * np.pi, circuit.num_parameters))
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                       seed_transpiler=1).run(circuit)
    sampler = SamplerV2(mode=backend, options={"simulator": {"seed_simulator": 7}})
    job = sampler.run([isa], shots=1000)
    result = job.result()
    simulator = result.metadata["simulator"]
    assert simulator["method"] == "matrix_product_state" and simulator["qubits"] == 127
    assert simulator["truncated"] is False  # its bonds stayed below the limit: exact
    # The job's log says the method was approximate, and that nothing was discarded.
    assert (f"largest bond reached {simulator['largest_bond']}, below the bound: "
            "nothing was discarded") in job.logs()
    bits = result[0].data.meas.to_bool_array(order="little")
    assert bits.shape == (1000, 127)
    sampled = 1 - 2 * bits.mean(axis=0)  # <Z_i> of each logical qubit
    # The exact ideal <Z_i> from a matrix product state of the logical circuit: the
    # device's errors shrink them, the pattern stays.
    ideal = circuit.remove_final_measurements(inplace=False)
    for qubit in range(127):
        ideal.save_expectation_value(SparsePauliOp("Z"), [qubit], label=f"z{qubit}")
    data = AerSimulator(method="matrix_product_state").run(ideal).result().data()
    exact = np.array([data[f"z{q}"] for q in range(127)])
    assert np.corrcoef(sampled, exact)[0, 1] > 0.8
    # The shrinkage, as the least-squares slope of sampled on exact: about 0.88 here,
    # with a standard error of about 0.03 from the shots (the mean of |sampled| is no
    # measure: shot noise inflates it as much as the errors shrink it).
    slope = (sampled * exact).sum() / (exact * exact).sum()
    assert 0.6 < slope < 1.0


def test_an_estimator_job_that_cannot_fit_is_refused_before_it_has_a_job_id(
    service: QiskitRuntimeService,
) -> None:
    backend = service.backend("ibm_qrt_falcon")
    circuit = QuantumCircuit(27)
    for _ in range(2):  # every qubit entangled with its neighbour and its opposite
        circuit.h(range(27))
        circuit.t(range(27))
        for qubit in range(26):
            circuit.cx(qubit, qubit + 1)
        circuit.cx(range(13), range(13, 26))
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                       seed_transpiler=1).run(circuit)
    observable = SparsePauliOp("Z" * 27).apply_layout(isa.layout)
    before = len(service.jobs(limit=None))
    with pytest.raises(IBMInputValueError) as caught:
        EstimatorV2(mode=backend).run([(isa, observable)])
    message = str(caught.value)
    assert "cannot run on 'ibm_qrt_falcon'" in message and "27 qubits" in message, message
    assert "What would run" in message
    assert len(service.jobs(limit=None)) == before


def test_a_job_that_cannot_finish_in_its_max_execution_time_is_refused_before_queueing(
    service: QiskitRuntimeService,
) -> None:
    backend = service.backend("ibm_qrt_eagle")
    isa, observables = hello_world(backend)
    estimator = EstimatorV2(mode=backend)
    estimator.options.max_execution_time = 1  # the default precision: 4096 trajectories
    before = len(service.jobs(limit=None))
    with pytest.raises(IBMInputValueError) as caught:
        estimator.run([(isa, observables)])
    message = str(caught.value)
    assert "within its max_execution_time of 1 s" in message and "stabilizer" in message
    assert len(service.jobs(limit=None)) == before
