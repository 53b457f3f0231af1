"""Primitive jobs read back by a fresh service, after the embedded runtime was stopped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.primitives import PrimitiveResult

from qruntime import (
    Estimator,
    EstimatorV2,
    QiskitRuntimeService,
    RuntimeJob,
    RuntimeJobV2,
    Sampler,
    SamplerV2,
    Session,
    wire,
)
from qruntime.client.embedded import close_embedded

from circuits import bell


@pytest.fixture
def service(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[QiskitRuntimeService]:
    monkeypatch.setenv("QRUNTIME_HOME", str(tmp_path))
    yield QiskitRuntimeService(channel="local")
    close_embedded()


def assert_same_primitive_result(fresh: PrimitiveResult, original: PrimitiveResult) -> None:
    assert fresh.metadata == original.metadata
    assert len(fresh) == len(original)
    for ours, theirs in zip(fresh, original, strict=True):
        assert type(ours) is type(theirs)
        assert ours.metadata == theirs.metadata
        assert list(ours.data) == list(theirs.data)
        for name in ours.data:
            left, right = ours.data[name], theirs.data[name]
            if hasattr(left, "array"):
                assert (left.num_bits, left.shape) == (right.num_bits, right.shape)
                np.testing.assert_array_equal(left.array, right.array)
            else:
                np.testing.assert_array_equal(left, right)


def test_a_fresh_service_reads_the_same_results_after_a_restart(
    service: QiskitRuntimeService,
) -> None:
    backend = service.backend("ibmq_qasm_simulator")
    isa = transpile(bell(), backend=backend)
    isa_unmeasured = transpile(bell(False), backend=backend)
    with Session(backend=backend) as session:
        v2_jobs = [
            SamplerV2(mode=session, options={"environment": {"job_tags": ["keep"]}}).run(
                [isa], shots=200),
            EstimatorV2(mode=session).run([(isa_unmeasured, ["ZZ", "XX"])]),
        ]
        v1_jobs = [Sampler(session=session).run(bell(), shots=300),
                   Estimator(session=session).run(bell(False), "ZZ")]
    originals = {job.job_id(): job.result() for job in (*v2_jobs, *v1_jobs)}

    close_embedded()
    fresh = QiskitRuntimeService(channel="local")

    for job in v2_jobs:
        again = fresh.job(job.job_id())
        assert isinstance(again, RuntimeJobV2)
        assert again.session_id == session.session_id
        assert_same_primitive_result(again.result(), originals[job.job_id()])
    assert fresh.job(v2_jobs[0].job_id()).tags == ["keep"]
    sampler_v1, estimator_v1 = (fresh.job(job.job_id()) for job in v1_jobs)
    assert isinstance(sampler_v1, RuntimeJob) and isinstance(estimator_v1, RuntimeJob)
    assert sampler_v1.result() == originals[v1_jobs[0].job_id()]
    fresh_estimate, original_estimate = estimator_v1.result(), originals[v1_jobs[1].job_id()]
    np.testing.assert_array_equal(fresh_estimate.values, original_estimate.values)
    assert fresh_estimate.metadata == original_estimate.metadata


def stored_inputs(service: QiskitRuntimeService) -> tuple[QuantumCircuit, dict[str, Any]]:
    """A SamplerV2 job's circuit, and its params as a fresh service reads them."""
    backend = service.backend("ibmq_qasm_simulator")
    isa = transpile(bell(), backend=backend)
    job = SamplerV2(mode=backend, options={"default_shots": 64}).run([isa])
    job.result()
    close_embedded()
    return isa, QiskitRuntimeService(channel="local").job(job.job_id()).inputs


def test_a_fresh_service_reads_back_the_params_the_primitive_sent(
    service: QiskitRuntimeService,
) -> None:
    isa, raw = stored_inputs(service)
    inputs = wire.decode(raw)
    assert inputs["options"] == {"default_shots": 64}
    assert (inputs["version"], inputs["support_qiskit"]) == (2, True)
    circuit, values, shots = inputs["pubs"][0]
    assert circuit == isa and values.shape == (0,) and shots is None


def test_job_inputs_read_by_a_fresh_service_are_decoded(service: QiskitRuntimeService) -> None:
    isa, inputs = stored_inputs(service)
    assert inputs["pubs"][0][0] == isa
