"""Errors as HTTP responses: one table from error types to status, one body shape.

Every error answer is ``{"error": {"code", "message"}}``. Runtime errors
(:class:`~qruntime.errors.EngineError`) carry their own status and code; the
table below adds the framework's errors. Anything else is a bug of ours: a
500, logged. Bad input must never reach that row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from qruntime.errors import EngineError
from qruntime.server import openapi

logger = logging.getLogger("qruntime.server")

HTTP_CODES = {400: "invalid_input", 401: "unauthorized", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large"}

Described = tuple[int, str, str]


def _engine_error(exc: Exception, _request: Request) -> Described:
    assert isinstance(exc, EngineError)
    return exc.status_code, exc.code, exc.message


def _validation_error(exc: Exception, _request: Request) -> Described:
    assert isinstance(exc, RequestValidationError)
    return 400, "invalid_input", "; ".join(_field_message(e) for e in exc.errors())


def _http_error(exc: Exception, request: Request) -> Described:
    assert isinstance(exc, HTTPException)
    message = str(exc.detail)
    if exc.status_code == 404:
        message = f"no such route: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    return exc.status_code, HTTP_CODES.get(exc.status_code, "http_error"), message


def _internal_error(_exc: Exception, request: Request) -> Described:
    logger.error("internal error answering %s %s", request.method, request.url.path)
    return 500, "internal_error", "internal server error; the server log has the details."


#: Error type -> (status, code, message), first match wins.
TABLE: tuple[tuple[type[Exception], Callable[[Exception, Request], Described]], ...] = (
    (EngineError, _engine_error),
    (RequestValidationError, _validation_error),
    (HTTPException, _http_error),
    (Exception, _internal_error),
)


def describe(exc: Exception, request: Request) -> Described:
    """The status, code and message that answer ``exc``."""
    for kind, rule in TABLE:
        if isinstance(exc, kind):
            return rule(exc, request)
    raise AssertionError("the table ends with Exception")  # pragma: no cover


def error_body(code: str, message: str) -> dict[str, Any]:
    """The protocol's error document."""
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """An error answer; a 401 also names the scheme to use."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


async def handle(request: Request, exc: Exception) -> JSONResponse:
    """The exception handler of every type in :data:`TABLE`."""
    return error_response(*describe(exc, request))


def install(app: FastAPI) -> None:
    """Answer every error type of the table with the protocol's error body, and say so
    in the app's OpenAPI document (built at its first request, once every route is in)."""
    for kind, _rule in TABLE:
        app.add_exception_handler(kind, handle)
    generate = app.openapi

    def documented() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi.document_errors(generate())
        return app.openapi_schema

    app.openapi = documented  # type: ignore[method-assign]


def _field_message(error: dict[str, Any]) -> str:
    where, *path = [str(part) for part in error.get("loc", ())] or ["request"]
    name = ".".join(path)
    place = {"query": "query parameter", "path": "path parameter", "header": "header",
             "body": "body field"}.get(where, where)
    return f"{place} {name!r}: {error.get('msg', 'is not valid')}" if name else error["msg"]


__all__ = ["TABLE", "describe", "error_body", "error_response", "install"]
