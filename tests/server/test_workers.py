"""No wedged pool: a worker killed at any moment is replaced, and its job goes on.

Every test runs a real ``qruntime serve --workers 1`` and kills its real worker
processes with SIGKILL: while starting, while idle, mid-job, mid-job at every
attempt, and the replacement while it starts (the wedge once seen). Then the
server's clean stop: SIGTERM and SIGINT end it and every process it started
within 5 s, and the job it was running runs at the next start.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from serving import ServeProcess, clean_env

from .calls import job_body, submit, wide_circuit

FINAL = ("Completed", "Failed", "Cancelled")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServeProcess]:
    with ServeProcess(tmp_path / "home", "--workers", "1") as running:
        yield running


@pytest.fixture
def api(server: ServeProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120,
                      headers={"Authorization": f"Bearer {server.token}"}) as client:
        yield client


def long_job(layers: int = 10) -> str:
    """A job of a few seconds' simulation: long enough to be killed mid-run."""
    return job_body(params={"circuits": [wide_circuit(21, layers)], "shots": 10})


def status(api: httpx.Client, job_id: str) -> dict:  # type: ignore[type-arg]
    document: dict = api.get(f"/runtime/jobs/{job_id}").json()  # type: ignore[type-arg]
    return document


def simulating(server: ServeProcess, job_id: str, attempt: int = 1,
               timeout: float = 120) -> psutil.Process:
    """The worker running ``job_id``'s ``attempt``-th run, once it has the job.

    Workers of ``qruntime serve`` log each job they take, with their pid.
    """
    pattern = re.compile(rf"qruntime worker (\d+): running job {job_id}\b")
    deadline = time.monotonic() + timeout
    while True:
        pids = pattern.findall(server.output)
        if len(pids) >= attempt:
            return psutil.Process(int(pids[attempt - 1]))
        assert time.monotonic() < deadline, f"attempt {attempt} never ran:\n{server.output}"
        time.sleep(0.02)


def wait_done(api: httpx.Client, job_id: str, timeout: float = 240) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        document = status(api, job_id)
        if document["state"]["status"] in FINAL:
            return document
        assert time.monotonic() < deadline, document
        api.get(f"/runtime/jobs/{job_id}/wait", params={"timeout": 5})


def warm(api: httpx.Client) -> None:
    """Run a Bell job, so that a worker is started and idle."""
    assert wait_done(api, submit(api))["state"]["status"] == "Completed"


def kill(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def new_worker(server: ServeProcess, old: set[int], timeout: float = 120) -> psutil.Process:
    """The first worker process whose pid is not in ``old``, as soon as it appears."""
    deadline = time.monotonic() + timeout
    while True:
        fresh = [p for p in server.children() if p.pid not in old]
        if fresh:
            return fresh[0]
        assert time.monotonic() < deadline, f"no replacement worker:\n{server.output}"
        time.sleep(0.005)


def test_a_worker_killed_while_starting_is_replaced(server: ServeProcess,
                                                    api: httpx.Client) -> None:
    first = new_worker(server, set())  # the server starts its worker at once, in the background
    kill([first])  # Qiskit takes a second or more to import: it is still starting
    assert wait_done(api, submit(api))["state"]["status"] == "Completed"
    assert first.pid not in {p.pid for p in server.children()}


def test_a_worker_killed_while_idle_is_replaced(server: ServeProcess, api: httpx.Client) -> None:
    warm(api)
    idle = server.workers(1)
    kill(idle)
    document = wait_done(api, submit(api))
    assert document["state"]["status"] == "Completed" and document["attempts"] == 1


def test_a_job_whose_worker_dies_mid_run_runs_again(server: ServeProcess,
                                                    api: httpx.Client) -> None:
    warm(api)
    job_id = submit(api, long_job())
    kill([simulating(server, job_id)])
    document = wait_done(api, job_id)
    assert document["state"]["status"] == "Completed" and document["attempts"] == 2
    assert wait_done(api, submit(api))["state"]["status"] == "Completed"


def test_a_job_whose_worker_dies_at_every_attempt_fails_with_the_reason(
    server: ServeProcess, api: httpx.Client,
) -> None:
    warm(api)
    job_id = submit(api, long_job(layers=40))
    for attempt in (1, 2, 3):
        kill([simulating(server, job_id, attempt)])
    wait_done(api, job_id)
    document = status(api, job_id)
    assert document["state"]["status"] == "Failed", document
    assert "stopped unexpectedly" in document["state"]["reason"]
    assert "tried 3 times" in document["state"]["reason"]
    assert wait_done(api, submit(api))["state"]["status"] == "Completed"  # the pool goes on


def orphan_a_running_job(server: ServeProcess, api: httpx.Client) -> str:
    """Kill the worker running a job, then its replacement while that one starts."""
    warm(api)
    job_id = submit(api, long_job())
    first = simulating(server, job_id)
    kill([first])
    kill([new_worker(server, {first.pid})])  # dies importing Qiskit, the job waiting on it
    return job_id


def test_killing_the_replacement_while_it_starts_does_not_wedge_the_pool(
    server: ServeProcess, api: httpx.Client,
) -> None:
    job_id = orphan_a_running_job(server, api)
    bell = submit(api)
    document = wait_done(api, job_id)
    assert document["state"]["status"] == "Completed" and document["attempts"] == 2
    assert wait_done(api, bell)["state"]["status"] == "Completed"


def test_cancelling_a_job_whose_worker_is_gone_ends_it_at_once(
    server: ServeProcess, api: httpx.Client,
) -> None:
    job_id = orphan_a_running_job(server, api)  # no worker for a while
    assert api.post(f"/runtime/jobs/{job_id}/cancel").status_code == 204
    assert status(api, job_id)["state"]["status"] == "Cancelled"
    time.sleep(1)
    assert status(api, job_id)["state"]["status"] == "Cancelled"  # and it stays so
    assert wait_done(api, submit(api))["state"]["status"] == "Completed"


# --- a clean stop --------------------------------------------------------------------


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_server_and_its_workers_within_5_s_and_requeues_the_job(
    tmp_path: Path, number: int,
) -> None:
    home = tmp_path / "home"
    with ServeProcess(home, "--workers", "2") as first:
        headers = {"Authorization": f"Bearer {first.token}"}
        with httpx.Client(base_url=first.url, headers=headers, timeout=120) as api:
            warm(api)
            job_id = submit(api, long_job())
            simulating(first, job_id)
            workers = first.workers(2)
            started = time.monotonic()
            first.stop(number, timeout=30)
            stopped = time.monotonic() - started
        deadline = time.monotonic() + 5
        while first.leftovers() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stopped < 5, f"took {stopped:.1f} s:\n{first.output}"
        assert not first.leftovers(), [p.pid for p in workers]
        assert "Traceback" not in first.output, first.output
    with ServeProcess(home, "--workers", "1") as second:
        with httpx.Client(base_url=second.url, headers=headers, timeout=120) as api:
            document = wait_done(api, job_id)
    # It ran at the next start, and the interrupted run was not counted as an attempt.
    assert document["state"]["status"] == "Completed" and document["attempts"] == 1


def test_a_worker_past_its_job_quota_is_retired_and_replaced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = clean_env(home, QRUNTIME_WORKER_MAX_JOBS="2")
    with ServeProcess(home, "--workers", "1", env=env) as server:
        with httpx.Client(base_url=server.url, timeout=120,
                          headers={"Authorization": f"Bearer {server.token}"}) as api:
            jobs = [submit(api, long_job(layers=1)) for _ in range(3)]
            for job_id in jobs:
                assert wait_done(api, job_id)["state"]["status"] == "Completed"
    pids = [re.search(rf"qruntime worker (\d+): running job {job_id}", server.output).group(1)
            for job_id in jobs]  # type: ignore[union-attr]
    assert pids[0] == pids[1] != pids[2], pids  # two jobs each, then a fresh worker
    assert "retiring worker process" in server.output and "it ran 2 jobs" in server.output
