"""Live qruntime servers on 127.0.0.1 for tests: a real uvicorn over a real engine.

A server runs in a thread of the test process; its jobs simulate in worker
processes, as under ``qruntime serve``. One server per store kind serves the
whole run; each test takes a fresh instance (and token), so tests never see
each other's jobs.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from qruntime.engine import Engine
from qruntime.engine.store import Database, sqlite_url
from qruntime.server import ServerSettings, create_app, listener

#: The body cap of the test servers, small enough to test cheaply.
MAX_BODY = 2 * 1024 * 1024


@dataclass
class Server:
    """A running server and the engine behind it."""

    url: str
    engine: Engine
    kind: str

    def new_token(self, instance: str | None = None) -> str:
        """An API token of ``instance``, by default a brand-new instance of its own."""
        name = instance or f"hub/grp/p{uuid.uuid4().hex[:10]}"
        return self.engine.accounts.create_token(name, user_id=f"u-{name.split('/')[-1]}")

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client of this server, sending ``token`` as a bearer token."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)


class _Running:
    def __init__(self, database: Database, kind: str) -> None:
        settings = ServerSettings(workers=2, max_body_bytes=MAX_BODY)
        self.engine = Engine(database, policy=settings.policy())
        self.engine.warm_up()
        app = create_app(self.engine, settings)
        # Asyncio sets TCP_NODELAY on accepted sockets only when the listener says TCP.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        # The listener of `qruntime serve`, so that tests meet the same connection limits.
        self.uvicorn = listener.server(app, settings, log_level="warning")
        self.thread = threading.Thread(
            target=self.uvicorn.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.uvicorn.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.01)
        self.server = Server(f"http://127.0.0.1:{port}", self.engine, kind)

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(timeout=15)
        self.engine.close()


def _database(kind: str, folder: Path) -> tuple[Database, Any]:
    if kind == "sqlite":
        return Database(sqlite_url(folder / "server.db")), lambda: None
    # Set (to a default) and checked reachable by the root conftest before any postgres test.
    base = os.environ["QRUNTIME_TEST_PG_URL"]
    from sqlalchemy import create_engine, text

    name = f"qruntime_server_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return Database(base.rsplit("/", 1)[0] + f"/{name}"), drop


#: The two doors of the one engine: in-process, and HTTP to a live server.
DOORS = ["embedded", "http"]


def connect(door: str, servers: dict[str, Any]) -> Any:
    """A service through ``door``; over HTTP, as a brand-new instance of the live server."""
    from qruntime import QiskitRuntimeService

    if door == "embedded":
        return QiskitRuntimeService(channel="local")
    server: Server = servers["start"]("sqlite")
    return QiskitRuntimeService(channel="ibm_quantum", url=server.url, token=server.new_token())


def door_service(door: str, home: Path, servers: dict[str, Any]) -> Iterator[Any]:
    """A service through ``door`` with its own ``QRUNTIME_HOME``, for a module's tests;
    the embedded runtime is closed after them."""
    import pytest

    from qruntime.client.embedded import close_embedded

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QRUNTIME_HOME", str(home))
        yield connect(door, servers)
        close_embedded()

