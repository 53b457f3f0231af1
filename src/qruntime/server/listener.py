"""The HTTP listener: uvicorn serving the app, with the limits it enforces on connections.

Connections are :class:`~qruntime.server.connection.BoundedConnection`: idle,
half-sent and slow requests are closed after the settings' timeouts, and
headers are capped in size. Idle keep-alive connections close after
``keep_alive_seconds`` (65 s: far longer than any client's pause between polls).
"""

from __future__ import annotations

import socket
from types import FrameType
from typing import TYPE_CHECKING, Callable

import uvicorn

from qruntime.server.connection import ConnectionLimits, connection_class
from qruntime.server.settings import ServerSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


class _Server(uvicorn.Server):
    """uvicorn, also telling the app to end its long-polls as soon as a stop is asked for."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app
        self.on_started: Callable[[], None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_started is not None:
            self.on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        from qruntime.server import begin_shutdown

        begin_shutdown(self.app)
        super().handle_exit(sig, frame)


def connection_limits(settings: ServerSettings) -> ConnectionLimits:
    """The deadlines and sizes the settings hold connections to."""
    return ConnectionLimits(
        header_seconds=settings.header_timeout_seconds, header_bytes=settings.max_header_bytes,
        body_seconds=settings.body_timeout_seconds,
        body_bytes_per_second=settings.body_min_bytes_per_second,
    )


def server(app: FastAPI, settings: ServerSettings, *, access_log: bool = False,
           log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server of ``app`` on the settings' host and port, not yet started."""
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=access_log,
        http=connection_class(connection_limits(settings)), ws="none",
        timeout_keep_alive=settings.keep_alive_seconds,  # type: ignore[arg-type]
        timeout_graceful_shutdown=5, log_level=log_level,
    )
    return _Server(config, app)


def listen(app: FastAPI, settings: ServerSettings, access_log: bool,
           on_started: Callable[[], None] | None = None) -> None:
    """Serve ``app`` on the settings' host and port until a stop signal.

    ``on_started`` runs once the server is listening (``qruntime serve`` starts
    its worker processes then, so that they do not slow its first answer).
    """
    running = server(app, settings, access_log=access_log)
    assert isinstance(running, _Server)
    running.on_started = on_started
    running.run()
