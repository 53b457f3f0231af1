"""``/runtime/sessions``: open, read, close (PATCH) and cancel (DELETE .../close) sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from qruntime.errors import InvalidInputError
from qruntime.server import openapi
from qruntime.server.body import RawBody, json_object, seconds, text
from qruntime.server.responses import json_response, no_content
from qruntime.server.types import Caller, Runtime

router = APIRouter(tags=["sessions"])


@router.post("/sessions", openapi_extra=openapi.SESSION)
def create(caller: Caller, raw: RawBody, engine: Runtime) -> Response:
    """Open a session: ``{"backend", "mode"?, "instance"?, "max_ttl"? | "max_session_ttl"?}``."""
    body = json_object(raw)
    _check_instance(body, caller.instance)
    backend = text(body, "backend", required=True)
    assert backend is not None
    ttl = seconds(body, "max_ttl")
    if ttl is None:
        ttl = seconds(body, "max_session_ttl")
    document = engine.create_session(
        caller.instance, backend, mode=text(body, "mode"), max_ttl=ttl, user_id=caller.user_id,
    )
    return json_response(document)


@router.get("/sessions/{session_id}")
def session(session_id: str, caller: Caller, engine: Runtime) -> Response:
    """The session's document."""
    return json_response(engine.session(caller.instance, session_id))


@router.patch("/sessions/{session_id}", status_code=204, openapi_extra=openapi.SESSION_CLOSE)
def update(session_id: str, caller: Caller, raw: RawBody, engine: Runtime) -> Response:
    """``{"accepting_jobs": false}`` closes the session: no new jobs, queued ones still run."""
    accepting = json_object(raw).get("accepting_jobs")
    if accepting is not False:
        raise InvalidInputError(
            f"field 'accepting_jobs' must be false (close the session), not {accepting!r}; "
            "a session cannot be reopened."
        )
    engine.close_session(caller.instance, session_id)
    return no_content()


@router.delete("/sessions/{session_id}/close", status_code=204)
def cancel(session_id: str, caller: Caller, engine: Runtime) -> Response:
    """Cancel the session: close it and cancel its queued jobs."""
    engine.cancel_session(caller.instance, session_id)
    return no_content()


def _check_instance(body: dict[str, Any], instance: str) -> None:
    # A hub/group/project must be the token's; anything else (a cloud CRN) is ignored.
    named = text(body, "instance")
    if named is None or named.startswith("crn:"):
        return
    if named.count("/") == 2 and named != instance:
        raise InvalidInputError(
            f"instance {named!r} is not the instance of this token ({instance!r})."
        )
