"""circuit-runner: backend.run on the simulator, with the result the stock client reads."""

from __future__ import annotations

import json
import math

import pytest
from qiskit import QuantumCircuit
from qiskit.result import Result
from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import get_program
from qruntime.programs.circuit_runner import PENDING_JOB_ID

RUNNER = get_program("circuit-runner")


def within(count: int, shots: int, p: float, sigmas: float = 5.0) -> bool:
    return abs(count - shots * p) <= sigmas * math.sqrt(shots * p * (1 - p))


def test_bell_counts_and_result_dict(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    result = RUNNER.run({"circuits": [bell], "shots": 4000, "meas_level": 2, "init_qubits": True,
                         "memory": False, "meas_return": "avg", "seed_simulator": 2}, ideal)
    counts = result.get_counts()
    assert set(counts) == {"00 00", "11 00"}
    assert within(counts["00 00"], 4000, 0.5) and sum(counts.values()) == 4000

    data = result.to_dict()
    assert data["backend_name"] == "ibmq_qasm_simulator"
    assert data["backend_version"] == ideal.backend_version
    assert data["job_id"] == PENDING_JOB_ID and data["qobj_id"] and data["success"] is True
    experiment = data["results"][0]
    assert experiment["shots"] == 4000 and experiment["success"] is True
    assert set(experiment["data"]["counts"]) == {"0x0", "0xc"}
    header = experiment["header"]
    assert header["creg_sizes"] == [["c", 2], ["meas", 2]]
    assert header["memory_slots"] == 4 and header["name"] == bell.name
    assert header["metadata"] == {}
    assert "ignored_options" not in data["metadata"]  # meas_return is the client's default


def test_result_survives_the_stock_codec(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    result = RUNNER.run({"circuits": bell, "shots": 100, "memory": True}, ideal, job_id="job-1")
    text = json.dumps(result.to_dict(), cls=RuntimeEncoder)
    decoded = Result.from_dict(json.loads(text, cls=RuntimeDecoder))
    assert decoded.job_id == "job-1"
    assert decoded.get_counts() == result.get_counts()
    assert decoded.get_memory() == result.get_memory()


def test_memory_lists_every_shot(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    result = RUNNER.run({"circuits": [bell, bell], "shots": 50, "memory": True}, ideal)
    for index in range(2):
        memory = result.get_memory(index)
        assert len(memory) == 50 and set(memory) <= {"00 00", "11 00"}
        assert result.to_dict()["results"][index]["data"]["memory"][0].startswith("0x")


def test_seed_makes_runs_reproducible(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    params = {"circuits": [bell], "shots": 1000, "memory": True, "seed_simulator": 42}
    first, second = RUNNER.run(params, ideal), RUNNER.run(params, ideal)
    assert first.get_memory() == second.get_memory()
    other = RUNNER.run({**params, "seed_simulator": 43}, ideal)
    assert other.get_memory() != first.get_memory()


def test_noisy_backend_shows_noise(falcon: BackendSpec, bell: QuantumCircuit) -> None:
    isa = falcon.pass_manager(1).run(bell)
    counts = RUNNER.run({"circuits": [isa], "shots": 4000, "seed_simulator": 1}, falcon).get_counts()
    wrong = sum(n for key, n in counts.items() if key.split()[0] in ("01", "10"))
    assert 0 < wrong < 400
    assert within(counts.get("00 00", 0) + counts.get("11 00", 0), 4000, 1 - wrong / 4000)


def test_qasm3_string_circuit(ideal: BackendSpec) -> None:
    source = ('OPENQASM 3.0; include "stdgates.inc"; qubit[2] q; bit[2] c; '
              "h q[0]; cx q[0], q[1]; c = measure q;")
    result = get_program("qasm3-runner").run({"circuits": [source], "shots": 200}, ideal)
    assert set(result.get_counts()) <= {"00", "11"}


def test_hints_are_recorded(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    result = RUNNER.run({"circuits": [bell], "shots": 10, "rep_delay": 2.5e-4,
                         "use_measure_esp": True}, ideal)
    assert result.to_dict()["metadata"]["ignored_options"] == {
        "params.rep_delay": 2.5e-4, "params.use_measure_esp": True,
    }


def test_cost_grows_with_width_and_shots(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    # Entangled and non-Clifford: neither a stabilizer nor a small matrix product
    # state can stand in for the 2**20 amplitudes.
    wide = QuantumCircuit(20)
    for _ in range(2):
        wide.ry(0.3, range(20))
        for qubit in range(19):
            wide.cx(qubit, qubit + 1)
        wide.cx(range(10), range(10, 20))  # and each with its opposite: a wide bond in any order
    wide.measure_all()
    small = RUNNER.assess({"circuits": [bell], "shots": 100}, ideal)
    assert 0 < small < RUNNER.assess({"circuits": [bell], "shots": 10_000}, ideal)
    assert small < RUNNER.assess({"circuits": [wide], "shots": 100}, ideal)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"shots": 0}, "between 1 and the backend's max_shots"),
        ({"shots": -1}, "between 1 and the backend's max_shots"),
        ({"shots": 10**9}, "max_shots (100000)"),
        ({"shots": 2.5}, "must be an integer"),
        ({"meas_level": 1}, "meas_level"),
        ({"init_qubits": False}, "init_qubits"),
        ({"method": "statevector"}, "'params.method'"),
        ({"parameter_binds": []}, "Allowed under 'params': "),
        ({"init_circuit": QuantumCircuit(1)}, "init_circuit"),
        ({"seed_simulator": -3}, "seed_simulator"),
        ({"circuits": []}, "non-empty list"),
        ({"circuits": ["not qasm"]}, "not valid OpenQASM 3"),
    ],
)
def test_bad_params_are_refused(
    ideal: BackendSpec, bell: QuantumCircuit, change: dict, expected: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        RUNNER.validate({"circuits": [bell], "shots": 100, **change}, ideal)
    assert expected in str(info.value)


def test_unknown_option_names_it_and_the_allowed(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    with pytest.raises(InvalidInputError) as info:
        RUNNER.validate({"circuits": [bell], "method": "statevector"}, ideal)
    assert "'params.method'" in str(info.value)
    assert "seed_simulator" in str(info.value) and "shots" in str(info.value)


def test_non_isa_circuit_names_the_instruction(falcon: BackendSpec, bell: QuantumCircuit) -> None:
    with pytest.raises(InvalidInputError) as info:
        RUNNER.validate({"circuits": [bell]}, falcon)
    assert "'h'" in str(info.value) and "ecr" in str(info.value)


def test_too_many_qubits_and_circuits(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    wide = QuantumCircuit(33)
    wide.measure_all()
    with pytest.raises(InvalidInputError, match="33 qubits .* has 32"):
        RUNNER.validate({"circuits": [wide]}, ideal)
    too_many = ideal.max_experiments + 1
    with pytest.raises(InvalidInputError, match=f"Too many circuits: {too_many}"):
        RUNNER.validate({"circuits": [bell] * too_many}, ideal)


def test_unbound_parameters_are_refused(ideal: BackendSpec, ansatz: QuantumCircuit) -> None:
    with pytest.raises(InvalidInputError, match="unbound parameters"):
        RUNNER.validate({"circuits": [ansatz.measure_all(inplace=False)]}, ideal)
