"""The HTTP door: the Qiskit Runtime REST protocol over an :class:`~qruntime.engine.Engine`.

:func:`create_app` builds the FastAPI application; ``qruntime serve`` runs it
with uvicorn. Routes are thin: each translates one HTTP request into one
engine call, scoped to the instance of the caller's token.
"""

from __future__ import annotations

from qruntime.server.app import begin_shutdown, create_app
from qruntime.server.settings import ServerSettings

__all__ = ["ServerSettings", "begin_shutdown", "create_app"]
