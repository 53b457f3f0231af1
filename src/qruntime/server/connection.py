"""HTTP connections with deadlines: a client may hold a connection only while it sends a request
at a fair pace, waits for its answer, or is between requests (keep-alive).

uvicorn closes a connection that stays idle after an answer (``timeout_keep_alive``), but
not one that never sends a byte, sends half its headers, trickles them (slowloris) or
trickles its body; and with httptools it takes headers of any size. So:

* the request line and headers must be complete within ``header_seconds`` of the
  connection opening, or of the first byte of a next request on a kept-alive
  connection; otherwise the connection is closed (with a 408 when part of a
  request came);
* headers over ``header_bytes`` are answered 431 and the connection closed;
* a body must bring at least ``body_bytes_per_second`` in every ``body_seconds``
  window (windows in which the app, not the client, is behind are not counted);
  otherwise it is answered 408 and the connection closed.

Once a request is complete, the app's answer takes as long as it takes (a
long-poll waits up to a minute).
"""

from __future__ import annotations

import asyncio
import json
from asyncio import TimerHandle
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

REASONS = {408: "request_timeout", 431: "request_header_fields_too_large"}


@dataclass(frozen=True)
class ConnectionLimits:
    """The deadlines and sizes a connection is held to (see the module docstring)."""

    header_seconds: float = 10.0
    header_bytes: int = 32 * 1024
    body_seconds: float = 10.0
    body_bytes_per_second: int = 16 * 1024


class _Refusal(Exception):
    """Raised from a parser callback to stop parsing; the request is answered ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BoundedConnection(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections that hold the server without cause."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: TimerHandle | None = None
        self._body_timer: TimerHandle | None = None
        self._awaiting_head = True
        self._head_bytes = 0
        self._window_bytes = 0
        self._refusal: _Refusal | None = None

    # --- the connection ------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head:
            self._head_bytes += len(data)
        else:
            self._window_bytes += len(data)
        super().data_received(data)
        if self._awaiting_head and self._head_bytes > self.limits.header_bytes:
            self._answer_and_close(431, self._too_large_message())

    def send_400_response(self, msg: str) -> None:
        # The base protocol answers every parser error with a 400; a refusal of ours
        # is raised from a parser callback to stop parsing, and answered here instead.
        refusal, self._refusal = self._refusal, None
        if refusal is None:
            super().send_400_response(msg)
        else:
            self._answer_and_close(refusal.status, refusal.message)

    # --- parser callbacks ----------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_head_timer()  # no-op for the first request: armed at connection_made

    def on_headers_complete(self) -> None:
        self._cancel_timers()
        self._awaiting_head = False
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.header_bytes:
            self._refusal = _Refusal(431, self._too_large_message())
            raise self._refusal
        super().on_headers_complete()
        self._window_bytes = 0
        self._body_timer = self.loop.call_later(self.limits.body_seconds, self._body_window_ended)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._cancel_timers()
        self._awaiting_head = True
        self._head_bytes = 0

    # --- deadlines -----------------------------------------------------------------

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits.header_seconds, self._head_late)

    def _head_late(self) -> None:
        self._head_timer = None
        if self.flow.read_paused:  # a pipelined request waits on the app, not on the client
            self._arm_head_timer()
        elif self._head_bytes == 0:
            self.transport.close()  # it never said a word: nothing to answer
        else:
            self._answer_and_close(408, f"the request's headers did not arrive within "
                                        f"{self.limits.header_seconds:g} s.")

    def _body_window_ended(self) -> None:
        self._body_timer = None
        least = self.limits.body_bytes_per_second * self.limits.body_seconds
        if self.flow.read_paused or self._window_bytes >= least:
            self._window_bytes = 0
            self._body_timer = self.loop.call_later(self.limits.body_seconds,
                                                    self._body_window_ended)
            return
        self._answer_and_close(408, f"the request body arrived slower than "
                                    f"{self.limits.body_bytes_per_second} bytes/s "
                                    f"(over {self.limits.body_seconds:g} s).")

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    # --- answers -------------------------------------------------------------------

    def _too_large_message(self) -> str:
        return f"the request's headers are larger than this server's limit of " \
               f"{self.limits.header_bytes} bytes."

    def _answer_and_close(self, status: int, message: str) -> None:
        """Answer ``status`` (unless an answer has begun) and close the connection."""
        self._cancel_timers()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            self.transport.write(_error_response(status, message))
        if cycle is not None and not cycle.response_complete:
            # As on a lost connection: the app's next receive is a disconnect, its sends drop.
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()


def _error_response(status: int, message: str) -> bytes:
    body = json.dumps({"error": {"code": REASONS[status], "message": message}}).encode()
    head = (b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
            % len(body))
    return STATUS_LINE[status] + head + body


def connection_class(limits: ConnectionLimits) -> type[BoundedConnection]:
    """The protocol class uvicorn builds connections from (``http=`` of its config)."""
    return type("BoundedConnection", (BoundedConnection,), {"limits": limits})
