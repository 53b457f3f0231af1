"""What a server is told at start: where it listens and the limits it enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from qruntime.engine import DispatchPolicy

MIB = 1024 * 1024
DEFAULT_PORT = 8290


@dataclass(frozen=True)
class ServerSettings:
    """Settings of one ``qruntime serve`` process.

    Args:
        host: Address to listen on.
        port: TCP port to listen on.
        database_url: SQLAlchemy URL of the store.
        workers: Simulation worker processes (and lanes) of the engine.
        max_body_bytes: Largest request body accepted; larger ones get a 413.
        access_token_ttl: Lifetime of access tokens handed out by the login flows.
        wait_default_seconds: ``/jobs/{id}/wait`` timeout when none is given.
        wait_max_seconds: Longest ``/jobs/{id}/wait`` timeout; longer ones are cut to it.
        fresh_wait_seconds: A ``GET /jobs/{id}`` of a job younger than this waits
            for it until it is this old (``0``: never waits).
        home: The data folder (``QRUNTIME_HOME``), where ``admin-token`` is kept.
        lease_seconds: How long a running job's claim lasts without a heartbeat; the
            jobs of a server that died run again once it lapses
            (``QRUNTIME_LEASE_SECONDS``, default 30).
        keep_alive_seconds: How long a connection may stay idle between requests.
        header_timeout_seconds: How long a client has to send a request's line and
            headers, from opening the connection (or from the first byte of a next
            request on a kept-alive one); a connection that has not is closed.
        max_header_bytes: Largest request line and headers; larger ones get a 431.
        body_timeout_seconds: The window over which a request body's pace is measured.
        body_min_bytes_per_second: Slowest pace a request body may arrive at, over each
            window; a slower one gets a 408 and its connection is closed.
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    database_url: str = ""
    workers: int = 2
    max_body_bytes: int = 50 * MIB
    access_token_ttl: timedelta = timedelta(days=14)
    wait_default_seconds: float = 30.0
    wait_max_seconds: float = 60.0
    fresh_wait_seconds: float = 0.1
    home: Path | None = None
    lease_seconds: float = field(
        default_factory=lambda: float(os.environ.get("QRUNTIME_LEASE_SECONDS", "30")))
    keep_alive_seconds: float = 65.0
    header_timeout_seconds: float = 10.0
    max_header_bytes: int = 32 * 1024
    body_timeout_seconds: float = 10.0
    body_min_bytes_per_second: int = 16 * 1024

    def policy(self) -> DispatchPolicy:
        """How the server's engine runs jobs: every one in a worker process, never here.

        qiskit-aer holds the GIL while it simulates, so a simulation in the
        process that answers HTTP would stall every request meanwhile. A small
        job (a few milliseconds) that finds a worker idle and nothing queued
        runs at once, its request waiting on the worker: ``POST /jobs`` then
        answers with the job already final, and no lane or waiter has to wake.
        """
        return DispatchPolicy(lanes=self.workers, processes=self.workers,
                              inline_cost_limit=0, immediate_cost_limit=5e6,
                              lease_seconds=self.lease_seconds)
