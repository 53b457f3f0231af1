"""The HTTP listener: uvicorn serving the app, with the limits it enforces on connections."""

from __future__ import annotations

from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

from qruntime.server.settings import ServerSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


class _Server(uvicorn.Server):
    """uvicorn, also telling the app to end its long-polls as soon as a stop is asked for."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        from qruntime.server import begin_shutdown

        begin_shutdown(self.app)
        super().handle_exit(sig, frame)


def listen(app: FastAPI, settings: ServerSettings, access_log: bool) -> None:
    """Serve ``app`` on the settings' host and port until a stop signal."""
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=access_log,
        # Longer than the longest long-poll, so waiting clients keep their connection.
        timeout_keep_alive=int(settings.wait_max_seconds) + 5,
        timeout_graceful_shutdown=5, log_level="info",
    )
    _Server(config, app).run()
