"""What one request may cost: its body, and what decoding the body may make.

A declared ``Content-Length`` over the cap is answered 413 at once; a body
without one (chunked) is counted as it streams, and the read that crosses the
cap raises :class:`~qruntime.errors.PayloadTooLargeError`. The request then runs
under the server's :class:`~qruntime.wire.blob.DecodeLimits`: its payloads may
inflate to a fixed multiple of the body cap, and its circuits may declare no
more qubits than the largest backend has.
"""

from __future__ import annotations

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qruntime.errors import InvalidInputError, PayloadTooLargeError
from qruntime.server.errors import error_response
from qruntime.wire import blob


class BodyLimit:
    """ASGI middleware that refuses request bodies over ``max_bytes`` and bounds their decoding."""

    def __init__(self, app: ASGIApp, max_bytes: int, decode_limits: blob.DecodeLimits) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.decode_limits = decode_limits

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
        try:
            # Sync routes run in threads with a copy of this context: the limits reach them.
            with blob.limited(self.decode_limits):
                await self.app(scope, self._counting(receive), send)
        except ClientDisconnect:
            pass  # the client went (or the listener cut a body too slow): nobody to answer

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
