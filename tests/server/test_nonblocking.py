"""While a large job simulates, the server still answers at once: simulation is elsewhere."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

from .calls import error_of, job_body, submit, wait_final, wide_circuit

QUICK = 0.5  # seconds: far below the large job's run time


def timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def status_of(http: httpx.Client, job_id: str) -> str:
    document = http.get(f"/runtime/jobs/{job_id}", params={"exclude_params": "true"}).json()
    status: str = document["state"]["status"]
    return status


def test_reads_and_submissions_are_answered_while_a_24_qubit_job_runs(
    api: httpx.Client,
) -> None:
    large = submit(api, job_body(params={"circuits": [wide_circuit()], "shots": 10}))
    deadline = time.monotonic() + 30
    while status_of(api, large) != "Running":
        assert time.monotonic() < deadline, "the large job never started"
        time.sleep(0.02)

    read, read_time = timed(lambda: api.get(f"/runtime/jobs/{large}"))
    posted, post_time = timed(lambda: api.post("/runtime/jobs", content=job_body()))
    waited, wait_time = timed(lambda: api.get(f"/runtime/jobs/{large}/wait",
                                              params={"timeout": 0.3}))
    assert read.status_code == posted.status_code == waited.status_code == 200
    assert read_time < QUICK and post_time < QUICK, (read_time, post_time)
    # The long-poll gives up at its timeout, job unfinished.
    assert 0.25 < wait_time < 0.3 + QUICK and waited.json()["state"]["status"] == "Running"
    # ... all answered before the large job ended; the small one even ran beside it.
    assert wait_final(api, posted.json()["id"])["state"]["status"] == "Completed"
    assert status_of(api, large) == "Running"

    assert api.post(f"/runtime/jobs/{large}/cancel").status_code == 204
    assert wait_final(api, large, timeout=10)["state"]["status"] == "Cancelled"
    assert "already cancelled" in error_of(api.post(f"/runtime/jobs/{large}/cancel"), 409)
    error_of(api.get(f"/runtime/jobs/{large}/results"), 409)


def test_status_reads_are_cheap(api: httpx.Client) -> None:
    job_id = wait_final(api, submit(api))["id"]
    seconds = [timed(lambda: api.get(f"/runtime/jobs/{job_id}",
                                     params={"exclude_params": "true"}))[1] for _ in range(30)]
    # Milliseconds here; Nagle's algorithm against delayed ACKs alone would cost 40 ms.
    assert statistics.median(seconds) < 0.025, seconds
