"""What the primitives submit, against what the stock client sends; bad input refused first."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.primitives.containers import EstimatorPub, SamplerPub
from qiskit.quantum_info import SparsePauliOp

from qruntime import (
    Estimator,
    EstimatorV2,
    IBMInputValueError,
    QiskitRuntimeService,
    RuntimeInvalidStateError,
    Sampler,
    SamplerOptions,
    SamplerV2,
    Session,
)
from qruntime.client.backend import IBMBackend
from qruntime.client.embedded import close_embedded

from circuits import bell

BACKEND = "ibmq_qasm_simulator"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QiskitRuntimeService]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QRUNTIME_HOME", str(tmp_path_factory.mktemp("qruntime")))
        yield QiskitRuntimeService(channel="local")
        close_embedded()


@pytest.fixture(scope="module")
def backend(service: QiskitRuntimeService) -> IBMBackend:
    return service.backend(BACKEND)


def rotations(measure: bool = True) -> QuantumCircuit:
    theta = ParameterVector("θ", 3)
    circuit = QuantumCircuit(2, name="rotations")
    circuit.ry(theta[0], 0)
    circuit.rz(theta[1], 1)
    circuit.cx(0, 1)
    circuit.rx(theta[2], 1)
    if measure:
        circuit.measure_all()
    return circuit


def stock_json(params: dict[str, Any]) -> str:
    """``params`` as the stock client's encoder writes them."""
    stock = pytest.importorskip("qiskit_ibm_runtime.json")
    return json.dumps(params, cls=stock.RuntimeEncoder, sort_keys=True)


def stock_v2_params(kind: str, pubs: list[Any], **options: Any) -> dict[str, Any]:
    stock = pytest.importorskip("qiskit_ibm_runtime.options")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = getattr(stock, kind)(**options)
        return {"pubs": pubs, **built._get_program_inputs(asdict(built))}


def job_count(service: QiskitRuntimeService) -> int:
    return len(service.jobs(limit=None))


# --- payloads ---------------------------------------------------------------------------


def test_sampler_v2_sends_the_params_the_stock_client_sends(backend: IBMBackend) -> None:
    values = np.linspace(0, 1, 9).reshape(3, 3)
    circuits = bell(), rotations()
    sampler = SamplerV2(mode=backend, options={"default_shots": 300})
    sampler.options.simulator.seed_simulator = 11
    job = sampler.run([circuits[0], (circuits[1], values, 50)])
    stock_pubs = [SamplerPub.coerce(circuits[0]), SamplerPub.coerce((circuits[1], values, 50))]
    expected = stock_v2_params("SamplerOptions", stock_pubs, default_shots=300,
                               simulator={"seed_simulator": 11})
    assert stock_json(job.inputs) == stock_json(expected)
    assert job.inputs["pubs"][0][1].shape == (0,)       # "empty array if none"


def test_estimator_v2_sends_the_params_the_stock_client_sends(backend: IBMBackend) -> None:
    observables = [[SparsePauliOp("ZZ")], [SparsePauliOp.from_list([("XX", 0.5), ("YI", 1)])]]
    values = np.zeros((2, 3))
    circuit = rotations(False)
    estimator = EstimatorV2(mode=backend, options={"resilience_level": 1})
    job = estimator.run([(circuit, observables, values)], precision=0.02)
    stock_pubs = [EstimatorPub.coerce((circuit, observables, values), 0.02)]
    expected = stock_v2_params("EstimatorOptions", stock_pubs, resilience_level=1)
    assert stock_json(job.inputs) == stock_json(expected)
    assert job.inputs["pubs"][0][1] == [[{"ZZ": 1.0}], [{"XX": 0.5, "YI": 1.0}]]


def test_sampler_v1_sends_the_seed_era_params(backend: IBMBackend) -> None:
    circuit = rotations()
    job = Sampler(backend=backend).run([circuit, circuit], [[0.1, 0.2, 0.3], [1, 2, 3]],
                                       shots=1000)
    inputs = job.inputs
    assert inputs["circuits"] == [circuit, circuit]
    assert inputs["parameters"] == [list(circuit.parameters)] * 2
    assert inputs["parameter_values"] == [[0.1, 0.2, 0.3], [1.0, 2.0, 3.0]]
    assert {k: v for k, v in inputs.items() if k.endswith(("settings", "options"))} == {
        "transpilation_settings": {"skip_transpilation": False,
                                   "optimization_settings": {"level": 1}},
        "resilience_settings": {"level": 0},
        "run_options": {"shots": 1000, "init_qubits": True},
    }


def test_estimator_v1_sends_observables_as_sparse_pauli_ops(backend: IBMBackend) -> None:
    job = Estimator(backend=backend).run([bell(False)] * 2, ["ZZ", SparsePauliOp("XX")])
    assert job.inputs["observables"] == [SparsePauliOp("ZZ"), SparsePauliOp("XX")]
    assert job.inputs["parameter_values"] == [[], []]
    assert set(job.inputs) == {"circuits", "observables", "parameters", "parameter_values",
                               "transpilation_settings", "resilience_settings", "run_options"}


def test_job_tags_and_later_option_changes_reach_the_job(
    service: QiskitRuntimeService, backend: IBMBackend,
) -> None:
    sampler = SamplerV2(mode=backend)
    sampler.options.environment.job_tags = ["payload-tags"]
    sampler.options.default_shots = 123
    job = sampler.run([bell()])
    assert job.tags == ["payload-tags"]
    assert job.inputs["options"] == {"default_shots": 123}
    assert [j.job_id() for j in service.jobs(job_tags=["payload-tags"])] == [job.job_id()]


def test_options_given_to_a_primitive_are_its_own_copy(backend: IBMBackend) -> None:
    options = SamplerOptions(default_shots=10)
    sampler = SamplerV2(mode=backend, options=options)
    options.default_shots = 20
    assert sampler.options.default_shots == 10


def test_backend_and_session_keywords_of_0_27_are_accepted(backend: IBMBackend) -> None:
    assert SamplerV2(backend=backend).backend() is backend
    assert EstimatorV2(backend=BACKEND).backend().name == BACKEND
    session = Session(backend=backend)
    try:
        assert SamplerV2(session=session).mode is session
        assert Sampler(session=session, backend=backend).session is session
    finally:
        session.close()


# --- bad input: refused before anything is submitted -------------------------------------


def rccx_circuit() -> QuantumCircuit:
    circuit = QuantumCircuit(3)
    circuit.rccx(0, 1, 2)
    circuit.measure_all()
    return circuit


BAD_INPUT = [
    ("estimator observables of the wrong qubit count",
     lambda b: EstimatorV2(mode=b).run([(bell(False), "ZZZ")]),
     ["pub 0", "circuit (2)", "observable (3)"]),
    ("estimator v1 observables of the wrong qubit count",
     lambda b: Estimator(backend=b).run(bell(False), "ZZZ"),
     ["observable 0 acts on 3 qubits", "circuit 0 has 2"]),
    ("sampler parameter values of the wrong shape",
     lambda b: SamplerV2(mode=b).run([(rotations(), np.zeros((10, 2)))]),
     ["pub 0", "shape (10, 2)", "expected shape (..., 3)"]),
    ("estimator parameter values of the wrong shape",
     lambda b: EstimatorV2(mode=b).run([(rotations(False), "ZZ", [1.0, 2.0])]),
     ["shape (2,)", "expected shape (..., 3)"]),
    ("sampler v1 parameter values of the wrong shape",
     lambda b: Sampler(backend=b).run(rotations(), [1.0, 2.0]),
     ["parameter_values[0] has shape (2,)", "expected shape (3,)"]),
    ("sampler v1 parameter value sets of the wrong count",
     lambda b: Sampler(backend=b).run([bell(), bell()], [[]]),
     ["1 sets for 2 circuits"]),
    ("zero shots", lambda b: SamplerV2(mode=b).run([bell()], shots=0), ["shots", "0"]),
    ("negative pub shots", lambda b: SamplerV2(mode=b).run([(bell(), None, -5)]), ["shots"]),
    ("zero precision", lambda b: EstimatorV2(mode=b).run([(bell(False), "ZZ")], precision=0),
     ["precision must be a number > 0"]),
    ("zero pub precision", lambda b: EstimatorV2(mode=b).run([(bell(False), "ZZ", None, 0.0)]),
     ["pub 0: precision must be a number > 0"]),
    ("sampler v2 circuit without measurements",
     lambda b: SamplerV2(mode=b).run([bell(False)]), ["pub 0", "measures nothing"]),
    ("sampler v1 circuit without measurements",
     lambda b: Sampler(backend=b).run(bell(False)), ["circuit 0 measures nothing"]),
    ("non-ISA circuit to a V2 primitive",
     lambda b: SamplerV2(mode=b).run([rccx_circuit()]),
     ["not ISA", "'rccx'", BACKEND, "cx", "measure"]),
    ("unknown run option of a V1 primitive",
     lambda b: Sampler(backend=b).run(bell(), shot=10), ["'shot'", "shots"]),
    ("unknown V2 option given as a dict",
     lambda b: SamplerV2(mode=b, options={"default_shot": 5}), ["'default_shot'", "default_shots"]),
    ("a single pub not in a list", lambda b: SamplerV2(mode=b).run(bell()), ["run([pub])"]),
    ("no backend at all", lambda b: SamplerV2(), ["backend or session must be specified"]),
    ("a mode of another type", lambda b: SamplerV2(mode=42), ["mode must be"]),
]


@pytest.mark.parametrize(("case", "submit", "fragments"), BAD_INPUT,
                         ids=[case for case, _, _ in BAD_INPUT])
def test_bad_input_is_refused_before_anything_is_submitted(
    service: QiskitRuntimeService, backend: IBMBackend, case: str, submit: Any,
    fragments: list[str],
) -> None:
    before = job_count(service)
    with pytest.raises(IBMInputValueError) as caught:
        submit(backend)
    for fragment in fragments:
        assert fragment in str(caught.value), (fragment, str(caught.value))
    assert job_count(service) == before


@pytest.mark.parametrize("build", [
    lambda s: SamplerV2(mode=s).run([bell()]),
    lambda s: EstimatorV2(mode=s).run([(bell(False), "ZZ")]),
    lambda s: Sampler(session=s).run(bell()),
])
def test_a_closed_session_as_mode_is_refused_before_submitting(
    service: QiskitRuntimeService, backend: IBMBackend, build: Any,
) -> None:
    session = Session(backend=backend)
    session.close()
    before = job_count(service)
    with pytest.raises((IBMInputValueError, RuntimeInvalidStateError), match="closed"):
        build(session)
    assert job_count(service) == before


def test_a_device_refuses_gates_off_its_basis_and_on_uncoupled_qubits(
    service: QiskitRuntimeService,
) -> None:
    device = service.backend("ibm_qrt_falcon")
    uncoupled = QuantumCircuit(27)
    uncoupled.ecr(0, 20)
    uncoupled.measure_all()
    before = job_count(service)
    with pytest.raises(IBMInputValueError, match=r"'h' .* basis is: .*ecr, id, .*rz, sx, x"):
        SamplerV2(mode=device).run([bell()])
    with pytest.raises(IBMInputValueError, match=r"'ecr' on qubits \[0, 20\]"):
        EstimatorV2(mode=device).run([(uncoupled.remove_final_measurements(inplace=False),
                                       "Z" * 27)])
    assert job_count(service) == before
