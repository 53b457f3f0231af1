"""backend.run on the embedded runtime: results, lifecycle, and every kind of bad input."""

from __future__ import annotations

import math

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.random import random_circuit
from qiskit.providers import JobStatus
from qiskit.result import Result

from qruntime import (
    IBMInputValueError,
    QiskitBackendNotFoundError,
    QiskitRuntimeService,
    RuntimeInvalidStateError,
    RuntimeJobMaxTimeoutError,
    RuntimeJobNotFound,
)

DEVICE = "ibm_qrt_falcon"


def slow_circuit(backend):  # type: ignore[no-untyped-def]
    """A circuit that simulates for a second or more: it keeps the queue busy."""
    circuit = random_circuit(21, 80, max_operands=2, seed=11, measure=True)
    return transpile(circuit, backend=backend, optimization_level=0)


def test_bell_counts_and_result_shape(service: QiskitRuntimeService, bell: QuantumCircuit) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    job = backend.run(transpile(bell, backend=backend), shots=2000, seed_simulator=5)
    result = job.result()
    assert isinstance(result, Result) and result.success
    counts = result.get_counts()
    assert set(counts) <= {"00 00", "11 00"}
    assert abs(counts["00 00"] - 1000) < 5 * math.sqrt(500)
    assert job.status() is JobStatus.DONE
    assert job.backend().name == "ibmq_qasm_simulator"
    assert job.session_id is None
    assert result.job_id == job.job_id()


def test_several_circuits_memory_and_seed(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    circuits = []
    for bits in ("01", "10"):
        circuit = QuantumCircuit(2, 2, name=f"x{bits}")
        for index, bit in enumerate(reversed(bits)):
            if bit == "1":
                circuit.x(index)
        circuit.measure([0, 1], [0, 1])
        circuits.append(circuit)
    job = backend.run(circuits, shots=50, memory=True, seed_simulator=3)
    result = job.result()
    assert result.get_counts(0) == {"01": 50}
    assert result.get_counts("x10") == {"10": 50}
    assert result.get_memory(0) == ["01"] * 50
    again = backend.run(circuits, shots=50, memory=True, seed_simulator=3).result()
    assert again.get_counts(0) == result.get_counts(0)


def test_noisy_device_backend(service: QiskitRuntimeService, bell: QuantumCircuit) -> None:
    backend = service.backend(DEVICE)
    assert backend.num_qubits >= 27
    assert {"ecr", "rz", "sx", "x"} <= set(backend.operation_names)
    isa = transpile(bell, backend=backend, seed_transpiler=1)
    counts = backend.run(isa, shots=4000, seed_simulator=9).result().get_counts()
    good = counts.get("00 00", 0) + counts.get("11 00", 0)
    assert 0.85 * 4000 < good < 4000  # mostly right, but the noise shows


def test_job_is_found_listed_tagged_and_deleted(service: QiskitRuntimeService, bell) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibmq_qasm_simulator")
    job = backend.run(bell, shots=10, job_tags=["experiment-7"])
    job.result()
    again = service.job(job.job_id())
    assert again.job_id() == job.job_id() and again.tags == ["experiment-7"]
    assert again.creation_date is not None
    assert [j.job_id() for j in service.jobs(job_tags=["experiment-7"])] == [job.job_id()]
    assert service.jobs(job_tags=["other"]) == []
    assert job.job_id() in {j.job_id() for j in service.jobs(backend_name="ibmq_qasm_simulator")}
    assert service.jobs(pending=True) == []
    again.update_tags(["renamed"])
    assert service.job(job.job_id()).tags == ["renamed"]
    assert "completed" in job.logs()
    assert job.metrics()["usage"]["seconds"] >= 0
    service.delete_job(job.job_id())
    with pytest.raises(RuntimeJobNotFound):
        service.job(job.job_id())


def test_cancel_a_queued_and_a_running_job(
    runtime_home: object, bell: QuantumCircuit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QRUNTIME_LANES", "1")  # the Bell job must wait behind the slow one
    service = QiskitRuntimeService(channel="local")
    backend = service.backend("ibmq_qasm_simulator")
    slow = backend.run(slow_circuit(backend), shots=10)
    queued = backend.run(bell, shots=10)
    queued.cancel()
    assert queued.status() is JobStatus.CANCELLED
    with pytest.raises(RuntimeInvalidStateError, match="cancelled"):
        queued.result()
    with pytest.raises(RuntimeInvalidStateError):
        queued.cancel()  # already final
    slow.cancel()  # running in a worker process: the worker is stopped
    assert slow.status() is JobStatus.CANCELLED
    with pytest.raises(RuntimeInvalidStateError, match="cancelled"):
        slow.result()


def test_max_execution_time_stops_a_job(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    # The circuit runs for about 3 s; a limit of 2 s is above the least time the
    # submission check allows it (half its estimate), so it is accepted and then stopped.
    job = service._submit(
        "circuit-runner", backend, {"circuits": [slow_circuit(backend)], "shots": 10},
        max_execution_time=2,
    )
    with pytest.raises(RuntimeJobMaxTimeoutError, match="maximum execution time"):
        job.result(timeout=120)
    assert job.status() is JobStatus.ERROR


def test_unknown_backend_lists_the_names(service: QiskitRuntimeService) -> None:
    with pytest.raises(QiskitBackendNotFoundError, match="ibmq_qasm_simulator") as info:
        service.backend("ibmq_nowhere")
    assert "ibmq_nowhere" in str(info.value)


def test_unknown_job_id(service: QiskitRuntimeService) -> None:
    with pytest.raises(RuntimeJobNotFound, match="nosuchjob"):
        service.job("nosuchjob")


def test_instruction_outside_the_target_is_refused_before_queueing(service, bell) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend(DEVICE)
    with pytest.raises(IBMInputValueError) as info:
        backend.run(bell)  # h and cx are not in the device's basis
    message = str(info.value)
    assert "'h'" in message and "ecr" in message and DEVICE in message
    assert service.jobs(backend_name=DEVICE) == []  # nothing was queued


def test_too_many_qubits(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    circuit = QuantumCircuit(40)
    circuit.measure_all()
    with pytest.raises(IBMInputValueError, match="40 qubits.*32"):
        backend.run(circuit)


@pytest.mark.parametrize("shots", [0, -1, 10**9])
def test_shots_out_of_range(service: QiskitRuntimeService, bell: QuantumCircuit, shots: int) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    with pytest.raises(IBMInputValueError, match="shots"):
        backend.run(bell, shots=shots)
    assert service.jobs() == []


def test_unknown_run_option(service: QiskitRuntimeService, bell: QuantumCircuit) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    with pytest.raises(IBMInputValueError, match="shotz"):
        backend.run(bell, shotz=10)


def test_a_job_no_simulation_fits_is_refused_before_it_has_a_job_id(
    service: QiskitRuntimeService,
) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    circuit = QuantumCircuit(32)
    for _ in range(2):  # each qubit entangled with its neighbour and its opposite
        circuit.h(range(32))
        circuit.t(range(32))
        for qubit in range(31):
            circuit.cx(qubit, qubit + 1)
        circuit.cx(range(16), range(16, 32))
    circuit.measure_all()  # a dense 32-qubit state needs 64 GiB, and nothing cheaper is exact
    with pytest.raises(IBMInputValueError) as info:
        backend.run(circuit, shots=1)
    message = str(info.value)
    assert "act on 32 qubits" in message and "bonds up to 2**14" in message
    assert "statevector needs 64 GiB against a limit of 4 GiB" in message
    assert "What would run: at most 28 qubits" in message
    assert service.jobs(limit=5) == []  # nothing was queued


def test_a_wide_circuit_of_few_entangled_qubits_runs_as_a_small_simulation(
    service: QiskitRuntimeService,
) -> None:
    # A Bell pair measured with measure_all() on the 27-qubit device measures all 27
    # qubits: as a statevector that was 2 GiB and minutes of noisy trajectories.
    device = service.backend("ibm_qrt_falcon")
    pair = QuantumCircuit(2)
    pair.h(0)
    pair.cx(0, 1)
    isa = transpile(pair, backend=device, seed_transpiler=1)
    isa.measure_all()
    result = device.run(isa, shots=1000).result()
    simulator = result.to_dict()["metadata"]["simulator"]
    # Clifford: the stabilizer method, the device's errors in their Pauli-twirled form.
    assert simulator["method"] == "stabilizer" and not simulator["approximate"]
    assert "Pauli-twirled" in simulator["noise"]
    assert simulator["qubits"] == 27 and simulator["entangled_width"] == 2
    counts = result.get_counts()
    physical = [isa.layout.final_index_layout()[i] for i in range(2)]
    pairs: dict[str, int] = {}
    for key, count in counts.items():
        bits = key[::-1]
        pair_bits = bits[physical[0]] + bits[physical[1]]
        pairs[pair_bits] = pairs.get(pair_bits, 0) + count
    # A noisy Bell pair: mostly 00 and 11, a few percent of 01 and 10 from the device's errors.
    assert pairs.get("00", 0) + pairs.get("11", 0) > 850
    assert 0 < pairs.get("01", 0) + pairs.get("10", 0) < 150


def test_closed_session_refuses_jobs(service: QiskitRuntimeService, bell: QuantumCircuit) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    session = backend.open_session()
    backend.close_session()
    assert session.details()["accepting_jobs"] is False
    from qruntime import Session

    with Session(backend=backend) as other:
        other.close()
        with pytest.raises(RuntimeInvalidStateError, match="closed"):
            backend.run(bell)
    assert service.jobs() == []


def test_run_options_set_on_the_backend_are_honoured(service: QiskitRuntimeService,
                                                     bell: QuantumCircuit) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    backend.set_options(seed_simulator=42, shots=300)
    first = backend.run(bell).result().get_counts()
    second = backend.run(bell).result().get_counts()
    assert first == second and sum(first.values()) == 300
