"""The application factory: routers, error handlers and the body cap over one engine."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from qruntime import __version__
from qruntime.engine import Engine
from qruntime.server import auth, backends, errors, iam, jobs, sessions, usage
from qruntime.server.limits import BodyLimit
from qruntime.server.settings import ServerSettings

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
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.include_router(auth.router, prefix="/api")
    app.include_router(auth.router, include_in_schema=False)
    app.include_router(iam.router)
    for router in (backends.router, jobs.router, sessions.router, usage.router):
        app.include_router(router, prefix="/runtime")
        # Stock 0.40+ clients take a runtime URL verbatim only if it contains "experimental".
        app.include_router(router, prefix=EXPERIMENTAL_PREFIX, include_in_schema=False)
    return app


def begin_shutdown(app: FastAPI) -> None:
    """Answer the long-polls in flight now (within half a second), so the server can stop."""
    app.state.stopping.set()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Long-polls each hold a thread for up to a minute: give them their own
    # pool so that they never starve the status reads they exist to replace.
    app.state.wait_limiter = anyio.CapacityLimiter(app.state.settings.wait_threads)
    yield
