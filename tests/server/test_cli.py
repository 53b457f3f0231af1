"""The ``qruntime`` command: serve (first start, restart, shutdown), token, db, listings."""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from serving import QRUNTIME, ServeProcess

from .calls import error_of, job_body, submit, wait_final, wide_circuit

#: Exit codes of a clean stop by Ctrl-C (uvicorn re-raises the signal once it has shut down).
STOPPED = (0, 130)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    variables = {k: v for k, v in os.environ.items() if not k.startswith("QRUNTIME_")}
    return {**variables, "QRUNTIME_HOME": str(home), "COLUMNS": "200"}


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([QRUNTIME, *args], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


class Serving(ServeProcess):
    """``qruntime serve --workers 1`` in a subprocess, until stopped with Ctrl-C."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        super().__init__(Path(env["QRUNTIME_HOME"]), "--workers", "1", *args, env=env)

    def stop(self) -> int:  # type: ignore[override]
        return super().stop(signal.SIGINT, timeout=20)


def read_times(http: httpx.Client, job_id: str) -> list[float]:
    seconds = []
    for _ in range(10):
        started = time.perf_counter()
        http.get(f"/runtime/jobs/{job_id}", params={"exclude_params": "true"})
        seconds.append(time.perf_counter() - started)
    return seconds


def long_poll(url: str, token: str, job_id: str) -> httpx.Response:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=90) as http:
        return http.get(f"/runtime/jobs/{job_id}/wait", params={"timeout": 60})


@pytest.fixture
def serving(env: dict[str, str]) -> Iterator[Serving]:
    with Serving(env, "--max-body-mb", "0.5") as server:
        yield server


def test_first_start_makes_an_admin_token_and_says_how_to_connect(
    serving: Serving, home: Path, env: dict[str, str]
) -> None:
    path = home / "admin-token"
    token = path.read_text().strip()
    assert path.stat().st_mode & 0o777 == 0o600
    # The token goes to its file alone, never to the output a log may capture.
    assert token not in serving.output and str(path) in serving.output
    assert (f'QiskitRuntimeService(channel="ibm_quantum", url="{serving.url}", '
            f'token=open("{path}").read().strip())') in serving.output
    assert f"{serving.url}/docs" in serving.output

    with httpx.Client(base_url=serving.url, headers={"Authorization": f"Bearer {token}"}
                      ) as http:
        assert http.get("/api/Network").json()[0]["name"] == "ibm-q"
        job_id = submit(http)
        assert wait_final(http, job_id)["state"]["status"] == "Completed"
        assert statistics.median(read_times(http, job_id)) < 0.025  # no Nagle stalls
        error_of(http.post("/runtime/jobs", content=b" " * 600_000), 413)
        assert http.get("/docs").status_code == 200
        large = submit(http, job_body(params={"circuits": [wide_circuit()], "shots": 10}))
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(long_poll, serving.url, token, large)
            time.sleep(0.5)
            # Stopping answers the long-poll in flight at once, job unfinished.
            assert serving.stop() in STOPPED, serving.output
            answer = waiting.result(timeout=5)
    assert answer.status_code == 200 and answer.json()["state"]["status"] != "Completed"
    assert "Finished server process" in serving.output and "Traceback" not in serving.output

    # Later starts keep the jobs and the token, and only say where the token is.
    again = Serving(env)
    try:
        assert token not in again.output and str(path) in again.output
        with httpx.Client(base_url=again.url, headers={"Authorization": f"Bearer {token}"},
                          timeout=90) as http:  # the long-poll below waits up to 30 s
            assert http.get(f"/runtime/jobs/{job_id}").json()["state"]["status"] == "Completed"
            # The job stopped mid-run went back to the queue and runs again: not lost.
            assert wait_final(http, large)["state"]["status"] == "Completed"
        listing = run(env, "jobs", "--instance", "ibm-q/open/main")
        assert job_id in listing and "Completed" in listing
        assert again.stop() in STOPPED
    finally:
        again.close()


def test_tokens_are_created_and_revoked(serving: Serving, env: dict[str, str]) -> None:
    out = run(env, "token", "create", "--instance", "hub/grp/cli", "--label", "ci")
    token_id = re.search(r"token id (\w+)", out).group(1)  # type: ignore[union-attr]
    token = out.strip().splitlines()[-1]
    with httpx.Client(base_url=serving.url, headers={"Authorization": f"Bearer {token}"}
                      ) as http:
        network = http.get("/api/Network").json()
        assert network[0]["name"] == "hub" and "cli" in network[0]["groups"]["grp"]["projects"]
        run(env, "token", "revoke", token_id)
        error_of(http.get("/api/Network"), 401)


def test_db_upgrade_and_backends(env: dict[str, str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert "schema empty ->" in run(env, "db", "upgrade", "--db", url)
    assert "ibmq_qasm_simulator" in run(env, "backends")


def test_the_data_folder_and_database_files_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)  # as a user's umask may have made it
    env = {k: v for k, v in os.environ.items() if not k.startswith("QRUNTIME_")}
    server = Serving({**env, "QRUNTIME_HOME": str(home)})
    try:
        token = (home / "admin-token").read_text().strip()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as http:
            assert wait_final(http, submit(http))["state"]["status"] == "Completed"
        modes = {path.name: path.stat().st_mode & 0o777 for path in home.iterdir()
                 if path.name.startswith(("server.db", "admin-token"))}
        assert home.stat().st_mode & 0o777 == 0o700
        assert {"server.db", "server.db-wal", "server.db-shm", "admin-token"} <= set(modes)
        assert set(modes.values()) == {0o600}, modes
    finally:
        server.close()
