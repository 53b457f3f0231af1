"""Dependency aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qruntime.engine import Engine
from qruntime.engine.store import Principal
from qruntime.server.security import authenticated, engine_of, settings_of
from qruntime.server.settings import ServerSettings

#: The engine behind the app.
Runtime = Annotated[Engine, Depends(engine_of)]
#: The authenticated caller; its ``instance`` scopes every engine call.
Caller = Annotated[Principal, Depends(authenticated)]
#: The app's settings.
Settings = Annotated[ServerSettings, Depends(settings_of)]
