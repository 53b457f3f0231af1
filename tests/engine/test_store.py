"""The job store on real SQLite and PostgreSQL: scoping, claims, leases, completion."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from qruntime.engine.ids import new_id
from qruntime.engine.state import JobState, ReasonCode, can_transition
from qruntime.engine.store import (
    Database, JobFilter, JobRecord, JobStore, SessionRecord, SessionStore, utcnow,
)
from qruntime.errors import ConflictError, NotFoundError

A, B = "hub-a/group/project", "hub-b/group/project"


def queued(instance: str = A, **fields: object) -> JobRecord:
    values: dict[str, object] = dict(
        id=new_id(), instance=instance, program_id="circuit-runner", backend="ibmq_qasm_simulator",
        state=JobState.QUEUED, created=utcnow(), params='{"shots": 10}',
    )
    values.update(fields)
    return JobRecord(**values)  # type: ignore[arg-type]


def test_transition_table() -> None:
    assert can_transition(JobState.QUEUED, JobState.RUNNING)
    assert can_transition(JobState.RUNNING, JobState.QUEUED)  # lease lapsed
    assert not can_transition(JobState.COMPLETED, JobState.RUNNING)
    assert not can_transition(JobState.CANCELLED, JobState.QUEUED)
    assert JobState.parse("COMPLETED") is JobState.COMPLETED


def test_reads_are_scoped_to_the_instance(database: Database) -> None:
    store = JobStore(database)
    job = queued(A)
    store.insert(job)
    assert store.get(A, job.id).params == '{"shots": 10}'
    with pytest.raises(NotFoundError):
        store.get(B, job.id)
    with pytest.raises(NotFoundError):
        store.cancel(B, job.id)
    with pytest.raises(NotFoundError):
        store.delete(B, job.id)
    with pytest.raises(NotFoundError):
        store.update_tags(B, job.id, ["x"])
    assert store.list(B, JobFilter())[1] == 0
    assert store.get(A, job.id).state is JobState.QUEUED


def test_listing_filters_and_pages(database: Database) -> None:
    store = JobStore(database)
    start = utcnow()
    ids = []
    for index in range(7):
        job = queued(A, created=start + timedelta(milliseconds=index), tags=[f"t{index % 2}", "all"],
                     backend="b1" if index < 4 else "b2", session_id="s1" if index == 3 else None)
        store.insert(job)
        ids.append(job.id)
    store.insert(queued(B))
    page, total = store.list(A, JobFilter(), limit=3, offset=0)
    assert total == 7 and [j.id for j in page] == ids[::-1][:3]
    page, _ = store.list(A, JobFilter(), limit=3, offset=6)
    assert [j.id for j in page] == [ids[0]]
    assert store.list(A, JobFilter(backend="b2"))[1] == 3
    assert store.list(A, JobFilter(tags=("t1",)))[1] == 3
    assert store.list(A, JobFilter(tags=("t1", "all")))[1] == 3
    assert store.list(A, JobFilter(tags=("t_",)))[1] == 0  # LIKE wildcards are escaped
    assert store.list(A, JobFilter(session_id="s1"))[0][0].id == ids[3]
    after = store.list(A, JobFilter(created_after=start + timedelta(milliseconds=5)))[0]
    assert {j.id for j in after} == set(ids[5:])
    ascending = store.list(A, JobFilter(), descending=False, limit=2)[0]
    assert [j.id for j in ascending] == ids[:2]
    assert store.list(A, JobFilter(pending=False))[1] == 0


def test_one_claim_per_job_across_threads(database: Database) -> None:
    store = JobStore(database)
    jobs = [queued() for _ in range(30)]
    for job in jobs:
        store.insert(job)
    won: list[str] = []
    lock = threading.Lock()

    def worker(owner: str) -> None:
        while (claim := store.claim(owner, 30)) is not None:
            with lock:
                won.append(claim.job.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == sorted(job.id for job in jobs)  # each exactly once


def test_finish_is_written_once_by_the_lease_holder(database: Database) -> None:
    store = JobStore(database)
    job = queued()
    store.insert(job)
    claim = store.claim("w1", 30)
    assert claim is not None and claim.attempt == 1
    assert store.finish(claim, JobState.COMPLETED, result='{"ok": 1}')
    assert not store.finish(claim, JobState.FAILED, reason="late")  # second write refused
    record, text = store.result(A, job.id)
    assert record.state is JobState.COMPLETED and text == '{"ok": 1}'


def test_cancel_while_running_drops_the_late_result(database: Database) -> None:
    store = JobStore(database)
    job = queued()
    store.insert(job)
    claim = store.claim("w1", 30)
    assert claim is not None
    cancelled = store.cancel(A, job.id)
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.reason_code == ReasonCode.CANCELLED_BY_USER
    assert not store.finish(claim, JobState.COMPLETED, result="{}")
    assert store.result(A, job.id)[1] is None
    with pytest.raises(ConflictError, match="already cancelled"):
        store.cancel(A, job.id)


def test_lapsed_lease_requeues_then_fails_after_max_attempts(database: Database) -> None:
    store = JobStore(database)
    job = queued()
    store.insert(job)
    for attempt in (1, 2):
        claim = store.claim(f"dead-{attempt}", 0.01)
        assert claim is not None and claim.attempt == attempt
        time.sleep(0.05)
        assert store.requeue_lapsed(max_attempts=3) == (1, 0)
        assert store.get(A, job.id).state is JobState.QUEUED
        assert not store.finish(claim, JobState.COMPLETED, result="{}")  # the dead attempt lost it
    claim = store.claim("dead-3", 0.01)
    assert claim is not None and claim.attempt == 3
    time.sleep(0.05)
    assert store.requeue_lapsed(max_attempts=3) == (0, 1)
    record = store.get(A, job.id)
    assert record.state is JobState.FAILED
    assert record.reason_code == ReasonCode.TOO_MANY_ATTEMPTS
    assert "3 times" in (record.reason or "")


def test_renewed_lease_is_not_requeued(database: Database) -> None:
    store = JobStore(database)
    store.insert(queued())
    claim = store.claim("alive", 0.2)
    assert claim is not None
    for _ in range(3):
        time.sleep(0.1)
        store.renew_leases("alive", 0.2)
        assert store.requeue_lapsed(3) == (0, 0)


def test_sessions_are_scoped_and_count_pending_jobs(database: Database) -> None:
    jobs, sessions = JobStore(database), SessionStore(database)
    session = SessionRecord(id=new_id(), instance=A, backend="ibmq_qasm_simulator",
                            mode="dedicated", accepting_jobs=True, cancelled=False,
                            max_ttl=60, created=utcnow())
    sessions.insert(session)
    jobs.insert(queued(session_id=session.id))
    jobs.insert(queued(session_id=session.id))
    assert sessions.get(A, session.id).pending_jobs == 2
    with pytest.raises(NotFoundError):
        sessions.get(B, session.id)
    with pytest.raises(NotFoundError):
        sessions.update(B, session.id, accepting_jobs=False)
    assert jobs.cancel_pending_of_session(B, session.id) == 0
    assert jobs.cancel_pending_of_session(A, session.id) == 2
    assert sessions.get(A, session.id).pending_jobs == 0
