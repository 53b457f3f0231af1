"""Jobs of a Batch run as one simulator call where their options allow, each with its own result."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.random import random_circuit

from qruntime import Batch, QiskitRuntimeService, SamplerV2, Session


def x_circuit(bits: str) -> QuantumCircuit:
    circuit = QuantumCircuit(len(bits))
    for index, bit in enumerate(reversed(bits)):
        if bit == "1":
            circuit.x(index)
    circuit.measure_all()
    return circuit


def test_sampler_jobs_of_a_batch_each_get_their_own_result(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    patterns = [format(i, "03b") for i in range(8)]
    with Batch(backend=backend) as batch:
        sampler = SamplerV2(mode=batch)
        jobs = [sampler.run([transpile(x_circuit(p), backend=backend)], shots=100 + i)
                for i, p in enumerate(patterns)]
    for index, (job, pattern) in enumerate(zip(jobs, patterns)):
        counts = job.result()[0].data.meas.get_counts()
        assert counts == {pattern: 100 + index}  # each job got its own pub back
        assert job.session_id == batch.session_id


def test_a_batch_queued_behind_other_work_runs_as_one_call(
    runtime_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QRUNTIME_LANES", "1")
    service = QiskitRuntimeService(channel="local")
    backend = service.backend("ibmq_qasm_simulator")
    # Seconds of simulation: the whole batch is queued before it ends.
    slow = transpile(random_circuit(21, 150, max_operands=2, seed=3, measure=True), backend=backend)
    busy = backend.run(slow, shots=10)  # holds the only lane while the batch is submitted
    patterns = [format(i, "03b") for i in range(8)]
    with Batch(backend=backend) as batch:
        sampler = SamplerV2(mode=batch)
        jobs = [sampler.run([transpile(x_circuit(p), backend=backend)], shots=64)
                for p in patterns]
    busy.result()
    for job, pattern in zip(jobs, patterns):
        assert job.result()[0].data.meas.get_counts() == {pattern: 64}
        assert "ran as one simulator call with 7 other job(s)" in job.logs()


def test_backend_run_jobs_of_a_batch_each_get_their_own_result(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    with Batch(backend=backend):
        jobs = [backend.run(bell, shots=400) for _ in range(6)]
    for job in jobs:
        counts = job.result().get_counts()
        assert set(counts) <= {"00", "11"} and sum(counts.values()) == 400
        assert abs(counts.get("00", 0) - 200) < 5 * math.sqrt(100)
        assert job.result().job_id == job.job_id()


def test_jobs_with_different_options_run_apart(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    with Batch(backend=backend) as batch:
        first, second = SamplerV2(mode=batch), SamplerV2(mode=batch)
        first.options.default_shots = 50
        second.options.default_shots = 70
        jobs = [sampler.run([transpile(x_circuit("11"), backend=backend)])
                for sampler in (first, second, first, second)]
    assert [sum(j.result()[0].data.meas.get_counts().values()) for j in jobs] == [50, 70, 50, 70]


def test_a_dedicated_session_runs_jobs_one_by_one(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    with Session(backend=backend) as session:
        sampler = SamplerV2(mode=session)
        jobs = [sampler.run([transpile(x_circuit("01"), backend=backend)], shots=10)
                for _ in range(4)]
    assert all(j.result()[0].data.meas.get_counts() == {"01": 10} for j in jobs)
    assert not any("ran as one simulator call" in job.logs() for job in jobs)


def test_seeded_jobs_of_a_batch_give_the_counts_their_seed_pins(
    runtime_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QRUNTIME_LANES", "1")
    service = QiskitRuntimeService(channel="local")
    backend = service.backend("ibm_qrt_falcon")
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    isa = transpile(bell, backend=backend, seed_transpiler=1)
    alone = backend.run(isa, shots=1000, seed_simulator=7).result().get_counts()
    slow = transpile(random_circuit(20, 40, max_operands=2, seed=3, measure=True),
                     backend=service.backend("ibmq_qasm_simulator"))
    busy = service.backend("ibmq_qasm_simulator").run(slow, shots=10)
    with Batch(backend=backend):
        jobs = [backend.run(isa, shots=1000, seed_simulator=7) for _ in range(4)]
    busy.result()
    assert [job.result().get_counts() for job in jobs] == [alone] * 4
