"""A ``POST /jobs`` body turned into a :class:`JobRequest`, each field checked by name.

``params`` travels on as the JSON text the client sent (re-serialized, so
stored exactly as received) and decoded once here, so that a malformed
envelope is a 400 before anything is queued.
"""

from __future__ import annotations

import json
from typing import Any

from qruntime import wire
from qruntime.engine import JobRequest
from qruntime.errors import InvalidInputError
from qruntime.server.body import flag, mapping, seconds, strings, text

#: Body keys read by the server; others (``calibration_id``, ``channel_strategy``,
#: ``session_time``, ...) are accepted and ignored, as stock clients expect.
FIELDS = ("program_id", "backend", "params", "session_id", "tags", "runtime", "log_level",
          "private", "cost", "start_session", "hub", "group", "project")


def job_request(body: dict[str, Any], instance: str) -> JobRequest:
    """The engine request of a ``POST /jobs`` body sent by a caller of ``instance``."""
    check_instance(body, instance)
    program_id = text(body, "program_id", required=True)
    backend = text(body, "backend", required=True)
    params = mapping(body, "params")
    params_text = json.dumps(params, separators=(",", ":"))
    assert program_id is not None and backend is not None
    return JobRequest(
        program_id=program_id,
        backend=backend,
        params=_decoded(params_text),
        params_text=params_text,
        session_id=text(body, "session_id"),
        tags=tuple(strings(body, "tags")),
        runtime=text(body, "runtime"),
        log_level=text(body, "log_level"),
        private=flag(body, "private"),
        max_execution_time=seconds(body, "cost"),
        start_session=flag(body, "start_session"),
    )


def check_instance(body: dict[str, Any], instance: str) -> None:
    """Refuse a ``hub``/``group``/``project`` naming another instance than the token's."""
    parts = [text(body, name) for name in ("hub", "group", "project")]
    if all(part is None for part in parts):
        return
    named = "/".join(part or "" for part in parts)
    if named != instance:
        raise InvalidInputError(
            f"hub/group/project {named!r} is not the instance of this token ({instance!r})."
        )


def _decoded(params_text: str) -> dict[str, Any]:
    params = wire.loads(params_text)
    if not isinstance(params, dict):
        raise InvalidInputError("field 'params' must be an object.")
    return params
