"""The primitives end to end on the embedded runtime: results against Qiskit's statevector
primitives (within 4 standard errors), and the sessions their jobs join."""

from __future__ import annotations

from typing import Any

import math
from collections.abc import Iterator, Mapping

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import StatevectorEstimator, StatevectorSampler
from qiskit.quantum_info import SparsePauliOp

from qruntime import (
    Batch,
    Estimator,
    EstimatorV2,
    QiskitRuntimeService,
    RuntimeJobV2,
    Sampler,
    SamplerV2,
    Session,
)
from qruntime.client.backend import IBMBackend

from circuits import bell, ghz
from live import DOORS, door_service

SHOTS = 4000
SETS = 10


@pytest.fixture(scope="module", params=DOORS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            _servers: dict[str, Any]) -> Iterator[QiskitRuntimeService]:
    yield from door_service(request.param, tmp_path_factory.mktemp("qruntime"), _servers)


@pytest.fixture(scope="module")
def backend(service: QiskitRuntimeService) -> Iterator[IBMBackend]:
    backend = service.backend("ibmq_qasm_simulator")
    yield backend
    backend.close_session()


@pytest.fixture(scope="module")
def ansatz() -> QuantumCircuit:
    return real_amplitudes(4, reps=2)


@pytest.fixture(scope="module")
def thetas(ansatz: QuantumCircuit) -> np.ndarray:
    return np.random.default_rng(7).uniform(-np.pi, np.pi, (SETS, ansatz.num_parameters))


def isa(circuit: QuantumCircuit, backend: IBMBackend) -> QuantumCircuit:
    return transpile(circuit, backend=backend, optimization_level=1, seed_transpiler=0)


def assert_same_distribution(ours: Mapping[str, int], reference: Mapping[str, int]) -> None:
    """Two samples of one distribution: every outcome's frequencies within 4 standard errors."""
    n1, n2 = sum(ours.values()), sum(reference.values())
    for outcome in set(ours) | set(reference):
        k1, k2 = ours.get(outcome, 0), reference.get(outcome, 0)
        pooled = (k1 + k2) / (n1 + n2)
        error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        assert abs(k1 / n1 - k2 / n2) <= 4 * error + 1e-12, (outcome, ours, reference)


def reference_counts(circuit: QuantumCircuit, values: np.ndarray | None = None) -> list[dict]:
    pub = (circuit,) if values is None else (circuit, values)
    data = StatevectorSampler(seed=1).run([pub], shots=SHOTS).result()[0].data.meas
    return [data[i].get_counts() for i in np.ndindex(data.shape)] if data.shape else [
        data.get_counts()]


# --- SamplerV2 / EstimatorV2 --------------------------------------------------------------


@pytest.mark.parametrize("circuit", [bell(), ghz(5)], ids=["bell", "ghz5"])
def test_sampler_v2_matches_the_statevector_sampler(backend: IBMBackend, circuit: QuantumCircuit
                                                    ) -> None:
    job = SamplerV2(mode=backend).run([isa(circuit, backend)], shots=SHOTS)
    assert isinstance(job, RuntimeJobV2)
    result = job.result()
    assert job.status() == "DONE"
    counts = result[0].data.meas.get_counts()
    assert set(counts) == {"0" * circuit.num_qubits, "1" * circuit.num_qubits}
    assert result[0].metadata["shots"] == SHOTS
    assert_same_distribution(counts, reference_counts(circuit)[0])


def test_sampler_v2_sweeps_ten_parameter_sets_like_the_statevector_sampler(
    backend: IBMBackend, ansatz: QuantumCircuit, thetas: np.ndarray,
) -> None:
    measured = ansatz.measure_all(inplace=False)
    sampler = SamplerV2(mode=backend, options={"default_shots": SHOTS})
    result = sampler.run([(isa(measured, backend), thetas)]).result()
    bits = result[0].data.meas
    assert bits.shape == (SETS,) and bits.num_shots == SHOTS
    for index, reference in enumerate(reference_counts(measured, thetas)):
        assert_same_distribution(bits[index].get_counts(), reference)


def test_estimator_v2_matches_the_statevector_estimator(
    backend: IBMBackend, ansatz: QuantumCircuit, thetas: np.ndarray,
) -> None:
    circuit = isa(ansatz, backend)
    observables = [SparsePauliOp("ZZII"), SparsePauliOp.from_list([("XXYY", 0.5), ("IZIZ", 1)])]
    layout_observables = [[obs.apply_layout(circuit.layout)] for obs in observables]
    job = EstimatorV2(mode=backend).run([(circuit, layout_observables, thetas)], precision=0.01)
    data = job.result()[0].data
    assert data.evs.shape == (2, SETS)
    reference = StatevectorEstimator().run([(ansatz, [[o] for o in observables], thetas)])
    expected = reference.result()[0].data.evs
    assert np.all(np.abs(data.evs - expected) <= 4 * data.stds + 1e-6)


# --- the V1 primitives -------------------------------------------------------------------


def test_estimator_v1_matches_the_statevector_estimator_over_ten_sets(
    backend: IBMBackend, ansatz: QuantumCircuit, thetas: np.ndarray,
) -> None:
    observable = SparsePauliOp.from_list([("ZZII", 1.0), ("IXXI", 0.5)])
    job = Estimator(backend=backend).run([ansatz] * SETS, [observable] * SETS, thetas,
                                         shots=SHOTS)
    result = job.result()
    expected = StatevectorEstimator().run([(ansatz, observable, thetas)]).result()[0].data.evs
    for value, reference, meta in zip(result.values, expected, result.metadata, strict=True):
        assert set(meta) >= {"variance", "shots"}
        error = math.sqrt(meta["variance"] / meta["shots"])
        assert abs(value - reference) <= 4 * error + 1e-6


def test_sampler_v1_reports_its_shots_and_one_distribution_per_circuit(
    backend: IBMBackend,
) -> None:
    result = Sampler(backend=backend).run([bell(), ghz(5)], shots=1000).result()
    assert len(result.quasi_dists) == 2
    assert [meta["shots"] for meta in result.metadata] == [1000, 1000]
    assert all(math.isclose(sum(d.values()), 1.0) for d in result.quasi_dists)


@pytest.mark.parametrize("circuit", [bell(), ghz(5)], ids=["bell", "ghz5"])
def test_sampler_v1_quasi_dists_match_the_statevector_sampler(
    backend: IBMBackend, circuit: QuantumCircuit,
) -> None:
    result = Sampler(backend=backend).run(circuit, shots=SHOTS).result()
    probabilities = result.quasi_dists[0].binary_probabilities(circuit.num_clbits)
    counts = {key: round(p * SHOTS) for key, p in probabilities.items()}
    assert_same_distribution(counts, reference_counts(circuit)[0])


# --- sessions ----------------------------------------------------------------------------


def test_seed_example_3_sampler_in_a_session_shares_it_with_backend_run(
    service: QiskitRuntimeService, backend: IBMBackend,
) -> None:
    transpiled_circuit = isa(bell(), backend)
    with Session(backend=backend) as session:
        sampler = Sampler(session=session)
        job1 = sampler.run(transpiled_circuit)
        job2 = backend.run(transpiled_circuit)    # the seed ran this outside the session
    assert job1.session_id == job2.session_id == session.session_id is not None
    assert service.job(job1.job_id()).session_id == session.session_id
    assert job1.result().metadata[0]["shots"] == 4000


def test_seed_example_4_sampler_joins_the_backends_session(
    service: QiskitRuntimeService, backend: IBMBackend,
) -> None:
    transpiled_circuit = isa(bell(), backend)
    try:
        with backend.open_session() as session:
            sampler = Sampler(backend=backend)
            job1 = sampler.run(transpiled_circuit)   # the seed ran this outside the session
            job2 = backend.run(transpiled_circuit)
            session_id = session.session_id
        assert job1.session_id == job2.session_id == session_id is not None
        assert service.job(job1.job_id()).session_id == session_id
        assert job1.result().quasi_dists
    finally:
        backend.cancel_session()


@pytest.mark.parametrize("kind", [Session, Batch])
def test_v2_primitives_run_in_a_session_and_in_a_batch(
    service: QiskitRuntimeService, backend: IBMBackend, kind: type[Session],
) -> None:
    with kind(backend=backend) as mode:
        sampler_job = SamplerV2(mode=mode).run([isa(bell(), backend)], shots=100)
        estimator_job = EstimatorV2(mode=mode).run([(isa(bell(False), backend), "ZZ")])
        in_block_job = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=100)
    assert mode.details()["mode"] == ("batch" if kind is Batch else "dedicated")
    ids = {job.session_id for job in (sampler_job, estimator_job, in_block_job)}
    assert ids == {mode.session_id}
    assert sampler_job.result()[0].data.meas.num_shots == 100
    assert estimator_job.result()[0].data.evs == pytest.approx(1.0, abs=0.1)
    assert {j.job_id() for j in service.jobs(session_id=mode.session_id)} == {
        sampler_job.job_id(), estimator_job.job_id(), in_block_job.job_id()}


def test_a_primitive_built_in_a_session_block_without_mode_joins_it(backend: IBMBackend) -> None:
    with Session(backend=backend) as session:
        job = SamplerV2().run([isa(bell(), backend)], shots=10)
    assert job.session_id == session.session_id
    job_outside = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=10)
    assert job_outside.session_id is None


def test_job_tags_of_v1_options_tag_the_job(service: QiskitRuntimeService, backend: IBMBackend
                                            ) -> None:
    sampler = Sampler(backend=backend, options={"environment": {"job_tags": ["v1-tag"]}})
    job = sampler.run(bell(), shots=10)
    assert [j.job_id() for j in service.jobs(job_tags=["v1-tag"])] == [job.job_id()]


def test_v2_jobs_carry_metadata_as_qiskit_jobs_do(backend: IBMBackend) -> None:
    job = SamplerV2(mode=backend).run([bell()], shots=10)
    assert job.metadata == {}
    assert job.result()[0].data.meas.num_shots == 10
