"""The application factory: routers, error handlers and the request limits over one engine."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from qruntime import __version__
from qruntime.engine import Engine
from qruntime.server import auth, backends, errors, iam, jobs, sessions, usage
from qruntime.server.limits import BodyLimit
from qruntime.server.settings import ServerSettings
from qruntime.server.wait import LongPolls
from qruntime.wire.blob import DecodeLimits

DESCRIPTION = """\
A self-hosted Qiskit Runtime. The `/runtime` routes speak the Qiskit Runtime
REST protocol (stock `qiskit-ibm-runtime` clients work against them); `/api`
is the `ibm_quantum` login flow and `/identity/token` the IAM one; `/experimental/runtime`
repeats `/runtime` for stock `ibm_quantum_platform` clients.
Authenticate with `Authorization: Bearer <API token>`.
"""

#: The runtime routes again, for stock ``ibm_quantum_platform`` clients given
#: ``url=".../experimental/runtime"`` (a URL they use as it is).
EXPERIMENTAL_PREFIX = "/experimental/runtime"


def create_app(engine: Engine, settings: ServerSettings | None = None) -> FastAPI:
    """The HTTP door to ``engine``.

    The caller owns the engine: closing it after the server stops is theirs to do.

    Args:
        engine: The runtime every route calls.
        settings: Limits and token lifetimes; the defaults otherwise.
    """
    settings = settings or ServerSettings()
    app = FastAPI(title="qruntime", version=__version__, description=DESCRIPTION,
                  lifespan=_lifespan)
    app.state.engine = engine
    app.state.settings = settings
    app.state.backend_documents = {}
    app.state.stopping = threading.Event()
    app.state.long_polls = LongPolls(engine, app.state.stopping)
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       decode_limits=decode_limits(engine, settings))
    app.include_router(auth.router, prefix="/api")
    app.include_router(auth.router, include_in_schema=False)
    app.include_router(iam.router)
    for router in (backends.router, jobs.router, sessions.router, usage.router):
        app.include_router(router, prefix="/runtime")
        # Stock 0.40+ clients take a runtime URL verbatim only if it contains "experimental".
        app.include_router(router, prefix=EXPERIMENTAL_PREFIX, include_in_schema=False)
    return app


def decode_limits(engine: Engine, settings: ServerSettings) -> DecodeLimits:
    """What decoding one request may make: payloads inflate to a multiple of the body
    cap; a circuit has no more qubits than the largest backend (read from the catalog,
    which builds nothing)."""
    largest = max((entry.num_qubits for entry in engine.catalog.entries()), default=0)
    return DecodeLimits.for_server(settings.max_body_bytes, max_qubits=largest)


def begin_shutdown(app: FastAPI) -> None:
    """Answer the long-polls in flight now, so the server can stop."""
    app.state.stopping.set()
    app.state.long_polls.wake_all()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Long-polls wait on this loop, woken by the engine's finish notices.
    app.state.long_polls.start()
    try:
        yield
    finally:
        app.state.long_polls.stop()
