"""The embedded runtime: one engine per data folder, shared by this process.

Jobs live in a SQLite file under ``QRUNTIME_HOME`` (default ``~/.qruntime``),
so they survive the process: a new process reads the same results by job id,
and jobs left queued or running by a process that died run again.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

from qruntime.engine import DispatchPolicy, Engine
from qruntime.engine.store import Database, private_folder, sqlite_url

DEFAULT_INSTANCE = "ibm-q/open/main"

_engines: dict[Path, Engine] = {}
_lock = threading.Lock()


def qruntime_home() -> Path:
    """The data folder: ``$QRUNTIME_HOME``, or ``~/.qruntime``."""
    return Path(os.environ.get("QRUNTIME_HOME") or Path.home() / ".qruntime").expanduser()


def embedded_policy() -> DispatchPolicy:
    """How the embedded runtime runs jobs; environment variables may tune it."""
    env = os.environ
    return DispatchPolicy(
        lanes=int(env.get("QRUNTIME_LANES", "2")),
        processes=int(env.get("QRUNTIME_PROCESSES", "1")),
        inline_cost_limit=float(env.get("QRUNTIME_INLINE_COST_LIMIT", "1e9")),
        immediate_cost_limit=float(env.get("QRUNTIME_IMMEDIATE_COST_LIMIT", "5e6")),
        lease_seconds=float(env.get("QRUNTIME_LEASE_SECONDS", "30")),
        max_attempts=int(env.get("QRUNTIME_MAX_ATTEMPTS", "3")),
    )


def embedded_engine(home: Path | None = None) -> Engine:
    """The engine of the data folder ``home``, started on first use."""
    folder = (home or qruntime_home()).resolve()
    with _lock:
        engine = _engines.get(folder)
        if engine is None:
            database = Database(sqlite_url(private_folder(folder) / "runtime.db"))
            engine = Engine(database, policy=embedded_policy())
            _engines[folder] = engine
        return engine


def close_embedded() -> None:
    """Stop every embedded engine of this process (jobs running here are re-queued)."""
    with _lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.close()


atexit.register(close_embedded)
