"""``/runtime/usage`` (0.34) and ``/runtime/instances/usage`` (0.51): the caller's usage."""

from __future__ import annotations

from fastapi import APIRouter, Response

from qruntime.server.responses import json_response
from qruntime.server.types import Caller, Runtime

router = APIRouter(tags=["usage"])


@router.get("/usage")
@router.get("/instances/usage")
def usage(caller: Caller, engine: Runtime) -> Response:
    """Seconds used and pending jobs of the caller's instance."""
    return json_response(engine.usage(caller.instance))
