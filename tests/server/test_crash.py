"""A server killed with SIGKILL loses nothing; several servers share one PostgreSQL.

Every test here runs real ``qruntime serve`` processes. A database trigger
records each write of a job's result, so "written once" is observed, not assumed.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from qiskit import QuantumCircuit
from sqlalchemy import create_engine, text

from qruntime import wire
from serving import ServeProcess, clean_env

RESULT_WRITES_SQLITE = """
CREATE TABLE result_writes (job_id TEXT, owner TEXT);
CREATE TRIGGER count_result_writes AFTER UPDATE OF result ON jobs
WHEN NEW.result IS NOT NULL
BEGIN INSERT INTO result_writes VALUES (NEW.id, OLD.lease_owner); END;
"""

RESULT_WRITES_POSTGRES = [
    "CREATE TABLE result_writes (job_id TEXT, owner TEXT)",
    """CREATE FUNCTION count_result_write() RETURNS trigger AS $$
    BEGIN INSERT INTO result_writes VALUES (NEW.id, OLD.lease_owner); RETURN NEW; END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER count_result_writes AFTER UPDATE OF result ON jobs
    FOR EACH ROW WHEN (NEW.result IS NOT NULL) EXECUTE FUNCTION count_result_write()""",
]


def serve(home: Path, db: str, workers: int = 2) -> ServeProcess:
    """``qruntime serve`` on ``db``, with a short lease so that lapsed jobs return quickly."""
    return ServeProcess(home, "--db", db, "--workers", str(workers),
                        env=clean_env(home, QRUNTIME_LEASE_SECONDS="2"))


def bell_body(shots: int) -> str:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return wire.dumps({"program_id": "circuit-runner", "backend": "ibmq_qasm_simulator",
                       "params": {"circuits": [circuit], "shots": shots}})


def submit(url: str, token: str, count: int) -> list[str]:
    ids = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}",
                                             "Content-Type": "application/json"}) as api:
        for index in range(count):
            # Jobs too large to run at submission keep the workers busy, so that
            # jobs are running and queued at the kill.
            response = api.post("/runtime/jobs", content=bell_body(100_000 - index))
            assert response.status_code == 200, response.text
            ids.append(response.json()["id"])
    return ids


def wait_all_final(url: str, token: str, ids: list[str], timeout: float) -> dict[str, str]:
    states: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        for job_id in ids:
            while True:
                document = api.get(f"/runtime/jobs/{job_id}/wait", params={"timeout": 5}).json()
                status = document["state"]["status"]
                if status in ("Completed", "Failed", "Cancelled"):
                    states[job_id] = status
                    break
                assert time.monotonic() < deadline, f"job {job_id} stayed {status}"
    return states


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    path = tmp_path / "server.db"
    yield f"sqlite:///{path}", tmp_path


def admin_token(home: Path) -> str:
    return (home / "admin-token").read_text().strip()


def install_write_counter(db: str) -> None:
    engine = create_engine(db)
    with engine.begin() as conn:
        if db.startswith("sqlite"):
            conn.connection.executescript(RESULT_WRITES_SQLITE)  # type: ignore[attr-defined]
        else:
            for statement in RESULT_WRITES_POSTGRES:
                conn.execute(text(statement))
    engine.dispose()


def result_writes(db: str) -> list[tuple[str, str | None]]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = [(r[0], r[1]) for r in conn.execute(text("SELECT job_id, owner FROM result_writes"))]
    engine.dispose()
    return rows


def test_sigkill_with_200_jobs_pending_loses_nothing(sqlite_db: tuple[str, Path]) -> None:
    db, home = sqlite_db
    with serve(home, db) as first:
        install_write_counter(db)
        token = admin_token(home)
        ids = submit(first.url, token, 200)
        first.send(signal.SIGKILL)
        first.process.wait()
    engine = create_engine(db)
    with engine.connect() as conn:
        at_kill = dict(conn.execute(text("SELECT state, count(*) FROM jobs GROUP BY state")).all())
    engine.dispose()
    assert at_kill.get("Queued", 0) + at_kill.get("Running", 0) > 0  # the kill left work behind
    with serve(home, db) as second:
        states = wait_all_final(second.url, token, ids, timeout=240)
    assert set(states.values()) == {"Completed"}
    writes = result_writes(db)
    assert sorted(job for job, _ in writes) == sorted(ids)  # each result written exactly once


@pytest.mark.postgres
def test_two_servers_share_one_postgresql_and_claim_each_job_once(tmp_path: Path) -> None:
    base = os.environ["QRUNTIME_TEST_PG_URL"]  # tests/conftest.py sets and checks it
    name = f"qruntime_crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = base.rsplit("/", 1)[0] + f"/{name}"
    servers: list[ServeProcess] = []
    try:
        servers.append(serve(tmp_path / "a", db))
        install_write_counter(db)
        servers.append(serve(tmp_path / "b", db))
        token = admin_token(tmp_path / "a")
        ids = submit(servers[0].url, token, 120)
        states = wait_all_final(servers[1].url, token, ids, timeout=240)
        assert set(states.values()) == {"Completed"}
        writes = result_writes(db)
        assert sorted(job for job, _ in writes) == sorted(ids)  # one claim, one result each
        assert len({owner for _, owner in writes}) >= 2  # both servers ran jobs
    finally:
        for server in servers:
            server.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
