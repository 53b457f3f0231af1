"""``/runtime/jobs``: submit, read, wait for, list, cancel and delete jobs.

Every call passes the caller's instance to the engine, which scopes it: a job
of another instance is a 404 here, never a 403.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request, Response

from qruntime.engine.store import JobFilter
from qruntime.errors import InvalidInputError
from qruntime.server import openapi
from qruntime.server.body import RawBody, json_object, strings
from qruntime.server.qpy_downgrade import downgrade, readable_qpy_version
from qruntime.server.responses import JSON, encode, json_response, no_content, text_response
from qruntime.server.submission import job_request
from qruntime.server.types import Caller, Runtime, Settings
from qruntime.server.wait import read_fresh

router = APIRouter(tags=["jobs"])
MAX_PAGE = 1000
#: The largest ``limit`` or ``offset``: the stores count rows in signed 64-bit integers.
MAX_ROWS = 2**63 - 1


#: A qruntime client asks, with this header, for the result of a job that ends
#: during its submission to come back in the submission's answer.
INLINE_RESULT_HEADER = "X-Qruntime-Inline-Result"


@router.post("/jobs", openapi_extra=openapi.JOB)
def submit(request: Request, caller: Caller, raw: RawBody, engine: Runtime) -> Response:
    """Validate and queue a job; ``{"id", "backend"}`` once it is committed.

    A small job may already be final in the answer (``"state"``). With the
    ``X-Qruntime-Inline-Result`` header, a completed job's result is included
    as ``"result"``, saving the results read.
    """
    job = job_request(json_object(raw), caller.instance)
    answer = engine.submit(caller.instance, job, caller.user_id)
    if request.headers.get(INLINE_RESULT_HEADER) and _completed(answer):
        stored = engine.result_text(caller.instance, answer["id"])
        body = encode(answer)[:-1] + b',"result":' + stored.encode() + b"}"
        return Response(body, media_type=JSON)
    return json_response(answer)


def _completed(answer: dict[str, Any]) -> bool:
    return str(answer.get("state", {}).get("status", "")).lower() == "completed"


@router.get("/jobs")
def list_jobs(
    request: Request, caller: Caller, engine: Runtime,
    limit: Annotated[int | None, Query(ge=0, le=MAX_ROWS)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0,
    backend: str | None = None, pending: bool | None = None, program: str | None = None,
    tags: Annotated[list[str] | None, Query()] = None, session_id: str | None = None,
    created_after: str | None = None, created_before: str | None = None,
    sort: str = "DESC", exclude_params: bool = False,
) -> Response:
    """A page of the caller's jobs, newest first: ``{"jobs", "count"}``.

    ``limit`` defaults to 10 and is cut to 1000; ``provider`` and ``include_mocks``
    are accepted and ignored.
    """
    where = JobFilter(
        backend=backend, program_id=program, session_id=session_id, pending=pending,
        tags=tuple(tags or ()), created_after=_moment("created_after", created_after),
        created_before=_moment("created_before", created_before),
    )
    page = engine.jobs(
        caller.instance, where, limit=min(MAX_PAGE, 10 if limit is None else limit),
        offset=offset, descending=_descending(sort), include_params=not exclude_params,
    )
    version = readable_qpy_version(request.headers)
    if version is not None and not exclude_params:
        page["jobs"] = [downgrade(document, version) for document in page["jobs"]]
    return json_response(page)


@router.get("/jobs/{job_id}")
async def job(
    job_id: str, request: Request, caller: Caller, engine: Runtime, settings: Settings,
    exclude_params: bool = False,
) -> Response:
    """The job's document; poll with ``exclude_params=true``.

    A job submitted less than ``fresh_wait_seconds`` (0.1 s) ago is waited for
    until then, so that a small job is final at the first read after submitting.
    Clients on Qiskit 1.x get the circuits of ``params`` in a QPY version they read.
    """
    document = await anyio.to_thread.run_sync(
        read_fresh, engine, caller.instance, job_id, not exclude_params,
        settings.fresh_wait_seconds, request.app.state.stopping,
    )
    version = readable_qpy_version(request.headers)
    if version is not None and "params" in document:
        document = await anyio.to_thread.run_sync(downgrade, document, version)
    return json_response(document)


@router.get("/jobs/{job_id}/wait")
async def wait(
    job_id: str, request: Request, caller: Caller, settings: Settings,
    timeout: float | None = None,
) -> Response:
    """qruntime's long-poll: the job's document (no params) once final, or at ``timeout``.

    ``timeout`` is in seconds: 30 by default, at most 60 (longer is cut to 60).
    """
    seconds = _wait_seconds(timeout, settings.wait_default_seconds, settings.wait_max_seconds)
    document = await request.app.state.long_polls.wait(caller.instance, job_id, seconds)
    return json_response(document)


@router.get("/jobs/{job_id}/results")
def results(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """The result as stored; a FAILED job's error text with a 200, as stock clients expect."""
    body = engine.result_text(caller.instance, job_id)
    # A stored result is a JSON object or array; the engine's failure text is prose.
    return text_response(body, JSON if body[:1] in ("{", "[") else "text/plain; charset=utf-8")


@router.post("/jobs/{job_id}/cancel", status_code=204)
def cancel(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """Cancel a queued or running job; 409 if it is final."""
    engine.cancel(caller.instance, job_id)
    return no_content()


@router.delete("/jobs/{job_id}", status_code=204)
def delete(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """Delete the job and its result."""
    engine.delete(caller.instance, job_id)
    return no_content()


@router.get("/jobs/{job_id}/logs")
def logs(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """The job's log text."""
    return text_response(engine.logs(caller.instance, job_id))


@router.get("/jobs/{job_id}/metrics")
def metrics(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """Timestamps, usage and queue position."""
    return json_response(engine.metrics(caller.instance, job_id))


@router.put("/jobs/{job_id}/tags", status_code=204, openapi_extra=openapi.TAGS)
def update_tags(job_id: str, caller: Caller, raw: RawBody, engine: Runtime) -> Response:
    """Replace the job's tags: ``{"tags": [...]}``."""
    body = json_object(raw)
    if "tags" not in body:
        raise InvalidInputError("field 'tags' is required.")
    engine.update_tags(caller.instance, job_id, strings(body, "tags"))
    return no_content()


@router.get("/jobs/{job_id}/interim_results")
def interim_results(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """Interim results: programs here publish none."""
    engine.job(caller.instance, job_id, include_params=False)
    return json_response([])


@router.get("/facade/v1/jobs/{job_id}/type")
def job_type(job_id: str, caller: Caller, engine: Runtime) -> Response:
    """What qiskit-ibm-provider asks before reading a result: always a runtime job."""
    engine.job(caller.instance, job_id, include_params=False)
    return json_response({"type": "RUNTIME"})


def _wait_seconds(timeout: float | None, default: float, longest: float) -> float:
    if timeout is None:
        return default
    if not math.isfinite(timeout) or timeout < 0:
        raise InvalidInputError(
            f"query parameter 'timeout' must be a number of seconds >= 0, not {timeout!r}."
        )
    return min(timeout, longest)


def _descending(sort: str) -> bool:
    if sort.upper() not in ("ASC", "DESC"):
        raise InvalidInputError(f"query parameter 'sort' must be ASC or DESC, not {sort!r}.")
    return sort.upper() == "DESC"


def _moment(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError as exc:
        raise InvalidInputError(
            f"query parameter {name!r} must be an ISO 8601 time, not {value!r}."
        ) from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment
