"""The request body cap, enforced before a large body is held in memory.

A declared ``Content-Length`` over the cap is answered 413 at once; a body
without one (chunked) is counted as it streams, and the read that crosses the
cap raises :class:`~qruntime.errors.PayloadTooLargeError`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qruntime.errors import InvalidInputError, PayloadTooLargeError
from qruntime.server.errors import error_response


class BodyLimit:
    """ASGI middleware that refuses request bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_bytes:
                raise self._too_large()
        except (InvalidInputError, PayloadTooLargeError) as exc:
            await error_response(exc.status_code, exc.code, exc.message)(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        return counted

    def _too_large(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"request body is larger than this server's limit of {self.max_bytes} bytes "
            f"({self.max_bytes / 2**20:g} MiB); send fewer or smaller circuits per job."
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError as exc:
                raise InvalidInputError("the Content-Length header is not a number.") from exc
    return None
