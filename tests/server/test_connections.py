"""Fair connections: long-polls hold no thread, and no client holds a connection without cause.

The server here runs in a thread over a store of its own with short timeouts
(2 s), and runs no jobs: a submitted job stays queued, so long-polls on it wait.
Connections are raw sockets on 127.0.0.1, a few hundred at a time.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from qruntime.engine import Engine
from qruntime.engine.store import Database, sqlite_url
from qruntime.server import ServerSettings, begin_shutdown, create_app, listener

from .calls import error_of, submit

TIMEOUT = 2.0
"""The header and body timeouts of the test server, in seconds."""
SLOWEST_BODY = 1000
"""Bytes per second a body must arrive at, on the test server."""
SETTINGS = ServerSettings(max_body_bytes=4 * 1024 * 1024, header_timeout_seconds=TIMEOUT,
                          body_timeout_seconds=TIMEOUT, body_min_bytes_per_second=SLOWEST_BODY)
LATE = 15.0
"""Seconds past a timeout by which a loaded machine surely has acted on it."""


@dataclass
class Listening:
    host: str
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.token}"})

    def connect(self) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=10)

    def request_head(self, path: str) -> bytes:
        return (f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Authorization: Bearer {self.token}\r\n\r\n").encode()


@pytest.fixture
def listening(tmp_path: Path) -> Iterator[Listening]:
    engine = Engine(Database(sqlite_url(tmp_path / "connections.db")), run_jobs=False)
    app = create_app(engine, SETTINGS)
    server = listener.server(app, SETTINGS, log_level="error")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    try:
        sock.bind(("127.0.0.1", 0))
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.01)
        token = engine.accounts.create_token("hub/grp/conn", user_id="u-conn")
        yield Listening("127.0.0.1", sock.getsockname()[1], token)
    finally:
        begin_shutdown(app)
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        engine.close()


def _read_until_closed(sockets: list[socket.socket], seconds: float,
                       keep_talking: dict[socket.socket, bytes] | None = None,
                       every: float = 0.5) -> dict[socket.socket, bytes]:
    """What each socket received until the server closed it, or until ``seconds`` passed.

    Sockets in ``keep_talking`` are sent their bytes every ``every`` seconds meanwhile
    (a slowloris client). Returns the sockets that closed, with what they received.
    """
    received: dict[socket.socket, bytearray] = {sock: bytearray() for sock in sockets}
    closed: dict[socket.socket, bytes] = {}
    talking = dict(keep_talking or {})
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        next_talk = time.monotonic() + every
        while len(closed) < len(sockets) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(65536)
                except (ConnectionResetError, BrokenPipeError):
                    data = b""
                if data:
                    received[sock] += data
                else:
                    selector.unregister(sock)
                    closed[sock] = bytes(received[sock])
                    talking.pop(sock, None)
            if time.monotonic() >= next_talk:
                next_talk += every
                for sock, chunk in list(talking.items()):
                    try:
                        sock.send(chunk)
                    except OSError:
                        talking.pop(sock)
    return closed


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _opened(listening: Listening, count: int, first_bytes: bytes = b"") -> list[socket.socket]:
    sockets = [listening.connect() for _ in range(count)]
    for sock in sockets:
        if first_bytes:
            sock.sendall(first_bytes)
    return sockets


def _close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def test_status_reads_are_answered_while_300_long_polls_wait(listening: Listening) -> None:
    with listening.client() as http:
        jobs = [submit(http) for _ in range(10)]
        polls: list[socket.socket] = []
        try:
            for index in range(300):
                sock = listening.connect()
                polls.append(sock)
                sock.sendall(listening.request_head(f"/runtime/jobs/{jobs[index % 10]}/wait"
                                                    f"?timeout=25"))
            time.sleep(1.0)  # every long-poll is in, waiting on its queued job
            started = time.monotonic()
            read = http.get(f"/runtime/jobs/{jobs[0]}", params={"exclude_params": "true"})
            assert read.status_code == 200 and read.json()["state"]["status"] == "Queued"
            # 48-56 s when the long-polls held the threads that status reads waited for.
            assert time.monotonic() - started < 2.0
            assert http.get(f"/runtime/jobs/{jobs[1]}").status_code == 200

            # Each long-poll hears of its job's end at once, not at its timeout.
            for job_id in jobs:
                assert http.post(f"/runtime/jobs/{job_id}/cancel").status_code == 204
            answers = _answers(polls, seconds=LATE)
            assert len(answers) == 300
            assert all(_status(answer) == 200 and b'"Cancelled"' in answer
                       for answer in answers)
        finally:
            _close_all(polls)


def _answers(sockets: list[socket.socket], seconds: float) -> list[bytes]:
    """The first answer of each socket that gets one within ``seconds`` (connection kept)."""
    got: dict[socket.socket, bytearray] = {sock: bytearray() for sock in sockets}
    done: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while len(done) < len(sockets) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                data = sock.recv(65536)
                got[sock] += data
                if not data or b'"status"' in got[sock] and got[sock].endswith(b"}"):
                    selector.unregister(sock)
                    done.append(bytes(got[sock]))
    return done


def test_idle_half_sent_and_slowloris_connections_are_closed(listening: Listening) -> None:
    idle = _opened(listening, 100)
    half = _opened(listening, 100, b"GET /runtime/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Par")
    loris = _opened(listening, 100, b"GET /runtime/jobs HTTP/1.1\r\n")
    everyone = idle + half + loris
    try:
        started = time.monotonic()
        closed = _read_until_closed(everyone, TIMEOUT + LATE,
                                    keep_talking={sock: b"X-a: b\r\n" for sock in loris})
        assert len(closed) == 300, f"{300 - len(closed)} connections still open"
        assert time.monotonic() - started >= TIMEOUT - 0.5  # closed by the timeout
        assert all(closed[sock] == b"" for sock in idle)  # nothing to answer: just closed
        for sock in half + loris:
            assert _status(closed[sock]) == 408
            assert b"did not arrive within 2 s" in closed[sock]
        with listening.client() as http:  # ... and the server answers as before
            assert http.get("/runtime/jobs").status_code == 200
    finally:
        _close_all(everyone)


def test_a_body_slower_than_the_least_rate_is_cut(listening: Listening) -> None:
    head = (b"POST /runtime/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + listening.token.encode() + b"\r\n"
            b"Content-Length: 100000\r\n\r\n{")
    slow = _opened(listening, 50, head)
    try:
        closed = _read_until_closed(slow, 2 * TIMEOUT + LATE,
                                    keep_talking={sock: b" " * 20 for sock in slow})
        assert len(closed) == 50, f"{50 - len(closed)} connections still open"
        assert all(_status(answer) == 408 and b"slower than 1000 bytes/s" in answer
                   for answer in closed.values())
        with listening.client() as http:
            assert http.get("/runtime/jobs").status_code == 200
    finally:
        _close_all(slow)


def test_a_kept_alive_connection_outlives_the_header_timeout(listening: Listening) -> None:
    # Idle between requests is the keep-alive's business (65 s), not the header timeout's.
    with listening.client() as http:
        assert http.get("/runtime/jobs").status_code == 200
        time.sleep(TIMEOUT + 1)
        assert http.get("/runtime/jobs").status_code == 200
        assert http.get("/runtime/jobs").extensions["http_version"] == b"HTTP/1.1"


def test_headers_over_the_cap_are_refused(listening: Listening) -> None:
    whole, in_pieces, huge = listening.connect(), listening.connect(), listening.connect()
    everyone = [whole, in_pieces, huge]
    try:
        # Headers of 40 KiB in one go: counted once they are complete.
        whole.sendall(listening.request_head("/runtime/jobs")[:-2]
                      + b"X-Big: " + b"a" * 40 * 1024 + b"\r\n\r\n")
        # Headers that never end, 8 KiB at a time: refused once past the cap.
        in_pieces.sendall(b"GET /runtime/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for _ in range(16):
            in_pieces.sendall(b"X-More: " + b"a" * 8 * 1024 + b"\r\n")
            if _answered(in_pieces):
                break
        # A 1 MB header: refused part way, so the rest may meet a reset instead of the answer.
        try:
            huge.sendall(b"GET / HTTP/1.1\r\nX-Huge: " + b"a" * 1024 * 1024 + b"\r\n\r\n")
        except OSError:
            pass
        closed = _read_until_closed(everyone, LATE)
        assert len(closed) == 3
        for answer in (closed[whole], closed[in_pieces]):
            assert _status(answer) == 431
            assert b"larger than this server's limit of 32768 bytes" in answer
        assert closed[huge] == b"" or _status(closed[huge]) == 431
        with listening.client() as http:
            error_of(http.get("/runtime/jobs/nope"), 404)  # still answering
    finally:
        _close_all(everyone)


def _answered(sock: socket.socket) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(timeout=0.3))
