"""The stock clients, each in its own virtual environment, against a live ``qruntime serve``.

One server (a ``qruntime serve`` subprocess on a free port, with a temporary
``QRUNTIME_HOME``) serves the whole stock suite; each test module gets API
tokens of instances of its own, so its job listings hold its own jobs only.
Every scenario is a script under ``scripts/`` run with the stock venv's
``python`` in a fresh ``HOME``; it prints one ``STOCK-RESULT <json>`` line.

The venvs are built by ``make stock-venvs`` (``make test`` depends on it): a
missing one fails the tests, it never skips them.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).parent / "scripts"
VENVS = {"0.27.1": ROOT / ".venvs" / "stock-0.27.1", "0.51.0": ROOT / ".venvs" / "stock-0.51.0"}
MARKER = "STOCK-RESULT "


def stock_python(version: str) -> Path:
    """The ``python`` of the stock client ``version``'s venv; fails the test if it is missing."""
    python = VENVS[version] / "bin" / "python"
    if not python.exists():
        pytest.fail(f"the stock {version} venv is missing ({python}): run `make stock-venvs`")
    return python


@dataclass
class LiveServer:
    """A ``qruntime serve`` subprocess and what tests need to reach it."""

    url: str
    home: Path

    def new_token(self, instance: str | None = None) -> tuple[str, str]:
        """An API token of ``instance`` (by default a new one of its own), and the instance."""
        from qruntime.engine.store import AccountStore, Database, sqlite_url

        name = instance or f"hub/grp/p{uuid.uuid4().hex[:10]}"
        database = Database(sqlite_url(self.home / "server.db"), upgrade=False)
        try:
            token = AccountStore(database).create_token(name, user_id=f"u-{name[-6:]}")
        finally:
            database.dispose()
        return token, name

    def failed_job(self, instance: str, program_id: str, reason: str) -> str:
        """A job of ``instance`` that ran and FAILED with ``reason``, stored as the runtime
        stores one, for the clients to read (no valid job fails at run time any more:
        what cannot run is refused when submitted)."""
        from qruntime.engine.ids import new_id
        from qruntime.engine.state import JobState, ReasonCode
        from qruntime.engine.store import Database, JobRecord, JobStore, sqlite_url, utcnow

        now = utcnow()
        record = JobRecord(id=new_id(), instance=instance, program_id=program_id,
                           backend="ibm_qrt_eagle", state=JobState.FAILED, created=now,
                           params="{}", reason=reason, ended=now,
                           reason_code=int(ReasonCode.FAILED_IN_PROGRAM))
        database = Database(sqlite_url(self.home / "server.db"), upgrade=False)
        try:
            JobStore(database).insert_finished(record, result=None, logs=reason, started=now)
        finally:
            database.dispose()
        return record.id

    def http(self, token: str) -> Any:
        """An httpx client of the server's runtime API, logged in with ``token``."""
        import httpx

        return httpx.Client(base_url=f"{self.url}/runtime", timeout=60,
                            headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``qruntime serve`` on 127.0.0.1, a free port, a temporary home; two workers."""
    from serving import ServeProcess, clean_env

    home = tmp_path_factory.mktemp("stock-server")
    env = clean_env(home, HOME=str(home))
    with ServeProcess(home, "--workers", "2", env=env) as server:
        yield LiveServer(server.url, home)


def stock_env(home: Path, server: LiveServer, token: str, **extra: str) -> dict[str, str]:
    """A clean environment for a stock script: a fresh ``HOME``, the server and the token."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QRUNTIME_", "QISKIT_", "IAM_", "GLOBAL_", "VIRTUAL_ENV",
                                "PYTHON"))}
    env.update(HOME=str(home), QRT_URL=server.url, QRT_TOKEN=token, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def platform_env(home: Path, server: LiveServer, token: str) -> dict[str, str]:
    """The stock 0.51 client's least configuration: IAM here, no instance search."""
    return stock_env(home, server, token, IAM_URL=server.url, QISKIT_FUNCTIONS_EXPERIMENTAL="1")


def run_stock(version: str, script: Path | str, env: dict[str, str], *args: str,
              timeout: float = 180) -> Any:
    """Run ``script`` with the stock ``version``'s python; the JSON of its report line."""
    path = script if isinstance(script, Path) else SCRIPTS / script
    done = subprocess.run(
        [str(stock_python(version)), str(path), *args], env=env, cwd=str(path.parent),
        capture_output=True, text=True, timeout=timeout,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        pytest.fail(f"{path.name} on stock {version} exited {done.returncode}\n"
                    f"--- stdout ---\n{done.stdout[-4000:]}\n--- stderr ---\n{done.stderr[-8000:]}")
    return json.loads(lines[-1][len(MARKER):])


def section(report: dict[str, Any], name: str) -> Any:
    """One scenario's part of a report; fails with the script's traceback if it raised."""
    value = report[name]
    if isinstance(value, dict) and "__error__" in value:
        pytest.fail(f"scenario {name} raised {value['__error__']}\n{value['traceback']}")
    return value
