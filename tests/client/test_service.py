"""QiskitRuntimeService on the embedded runtime: channels, backends, job listings."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from qiskit import QuantumCircuit

from qruntime import IBMInputValueError, QiskitBackendNotFoundError, QiskitRuntimeService
from qruntime.provider import IBMProvider


def test_remote_channels_fall_back_to_the_embedded_runtime_with_one_warning(
    runtime_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import qruntime.client.service as service_module

    service_module._warned_fallback = False
    with caplog.at_level(logging.WARNING, logger="qruntime.client.service"):
        for channel in ("ibm_quantum", "ibm_cloud", "ibm_quantum_platform", "ibm_quantum"):
            service = QiskitRuntimeService(channel=channel)
            assert service.backend("ibmq_qasm_simulator").name == "ibmq_qasm_simulator"
    warnings = [r for r in caplog.records if "embedded runtime" in r.getMessage()]
    assert len(warnings) == 1
    assert (runtime_home / "runtime.db").exists()  # QRUNTIME_HOME is where jobs live


def test_unknown_channel(runtime_home: Path) -> None:
    with pytest.raises(IBMInputValueError, match="channel 'ibm_nowhere'.*local"):
        QiskitRuntimeService(channel="ibm_nowhere")


def test_backend_filters(service: QiskitRuntimeService) -> None:
    names = {b.name for b in service.backends()}
    assert {"ibmq_qasm_simulator", "ibm_qrt_falcon"} <= names
    assert [b.name for b in service.backends(name="ibm_qrt_falcon")] == ["ibm_qrt_falcon"]
    assert {b.name for b in service.backends(simulator=True)} == {
        "ibmq_qasm_simulator", "simulator_statevector", "simulator_mps", "simulator_stabilizer",
        "simulator_extended_stabilizer"}
    assert {b.name for b in service.backends(simulator=False)} == {
        "ibm_qrt_falcon", "ibm_qrt_eagle", "ibm_qrt_heron"}
    assert {b.name for b in service.backends(min_num_qubits=100, simulator=False)} == {
        "ibm_qrt_eagle", "ibm_qrt_heron"}
    assert service.backends(filters=lambda b: b.num_qubits == 27)[0].name == "ibm_qrt_falcon"
    assert service.backends(operational=True)
    assert service.least_busy(min_num_qubits=30).num_qubits >= 30
    with pytest.raises(QiskitBackendNotFoundError):
        service.least_busy(min_num_qubits=10_000)


def test_backend_documents(service: QiskitRuntimeService) -> None:
    backend = service.backend("ibm_qrt_falcon")
    assert backend.configuration().n_qubits == 27
    assert backend.configuration().simulator is False
    assert backend.properties().qubits[0]
    status = backend.status()
    assert status.operational is True and status.pending_jobs == 0
    assert service.backend("ibmq_qasm_simulator").properties() is None
    assert backend.coupling_map.size() == 27


def test_job_listing_filters_and_paging(service: QiskitRuntimeService, bell: QuantumCircuit) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    jobs = [backend.run(bell, shots=10, job_tags=[f"n{i}"]) for i in range(5)]
    for job in jobs:
        job.result()
    newest_first = [j.job_id() for j in service.jobs(limit=None)]
    assert newest_first == [j.job_id() for j in reversed(jobs)]
    assert [j.job_id() for j in service.jobs(limit=2, skip=1)] == newest_first[1:3]
    assert [j.job_id() for j in service.jobs(limit=2, descending=False)] == [
        jobs[0].job_id(), jobs[1].job_id()]
    assert len(service.jobs(created_after=before)) == 5
    assert service.jobs(created_before=before) == []
    assert len(service.jobs(pending=False, limit=None)) == 5
    assert len(service.jobs(program_id="circuit-runner", limit=None)) == 5
    assert service.jobs(program_id="sampler") == []
    assert service.jobs(backend_name="ibm_qrt_falcon") == []
    with pytest.raises(IBMInputValueError):
        service.jobs(limit=-1)


def test_provider_shares_the_embedded_store(runtime_home: Path, bell: QuantumCircuit) -> None:
    provider = IBMProvider()
    backend = provider.get_backend("ibmq_qasm_simulator")
    job = backend.run(bell, shots=20)
    assert sum(job.result().get_counts().values()) == 20
    assert provider.retrieve_job(job.job_id()).job_id() == job.job_id()
    assert QiskitRuntimeService().job(job.job_id()).result().get_counts() == job.result().get_counts()


def test_usage_counts_the_instance_seconds(service: QiskitRuntimeService, bell: QuantumCircuit) -> None:
    service.backend("ibmq_qasm_simulator").run(bell, shots=10).result()
    usage = service.usage()
    assert usage["usage_consumed_seconds"] > 0
    assert usage["usage_limit_reached"] is False
