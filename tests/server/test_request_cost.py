"""What one request may cost the server: bombs are refused before they cost memory or time.

A decompression bomb (a 2 MiB body whose circuit inflates to 1.4 GiB) stops
inflating at the cap tied to the body cap; a QPY header that claims 3,000,000
qubits is refused from its header, before any qubit is built. The server is a
process of its own, so that its memory can be measured.
"""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from qiskit import QuantumCircuit

from qruntime.wire import blob
from wire.bombs import zero_envelope

from .calls import job_body

MIB = 1024 * 1024
MAX_BODY = 4 * MIB
INFLATION_CAP = blob.INFLATION_PER_BODY_BYTE * MAX_BODY  # 32 MiB
RSS_BOUND = 300 * MIB
"""How much the server's memory may grow while it refuses the bombs (unbounded, a
1.4 GiB bomb costs about 3 GB)."""
RSS_AFTER = 100 * MIB
"""How much of that growth may remain once the refusals are answered."""
BARE_SERVER = Path(__file__).with_name("bare_server.py")


@dataclass
class BareServer:
    url: str
    token: str
    process: psutil.Process

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120,
                            headers={"Authorization": f"Bearer {self.token}"})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BareServer]:
    port = _free_port()
    folder = tmp_path_factory.mktemp("bare")
    process = subprocess.Popen([sys.executable, str(BARE_SERVER), str(port), str(folder),
                                str(MAX_BODY)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        token = process.stdout.readline().split()[-1]
        server = BareServer(f"http://127.0.0.1:{port}", token, psutil.Process(process.pid))
        deadline = time.monotonic() + 60
        while True:
            try:
                with server.client() as http:
                    # A real job first: the baseline includes the code a submission loads.
                    assert http.post("/runtime/jobs", content=job_body()).status_code == 200
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Peak:
    """The most memory the server held while the block ran, sampled every few milliseconds."""

    def __init__(self, server: BareServer) -> None:
        self.server = server
        self.baseline = server.rss()
        self.peak = self.baseline
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _Peak:
        self._watcher.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        self._watcher.join()

    def _watch(self) -> None:
        while not self._done.wait(0.003):
            self.peak = max(self.peak, self.server.rss())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


def _body(envelope: str) -> str:
    body = ('{"program_id": "circuit-runner", "backend": "ibmq_qasm_simulator", '
            '"params": {"circuits": [%s], "shots": 10}}' % envelope)
    assert len(body) <= MAX_BODY
    return body


def _posting(server: BareServer, body: str) -> Callable[[], httpx.Response]:
    def post() -> httpx.Response:
        with server.client() as http:
            return http.post("/runtime/jobs", content=body)
    return post


def _message(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    message: str = response.json()["error"]["message"]
    return message


@pytest.fixture(scope="module")
def bomb() -> str:
    """A 1.9 MB body whose circuit inflates to 1.4 GiB of zeros."""
    return _body(zero_envelope("QuantumCircuit", 1400 * MIB))


def test_a_decompression_bomb_is_refused_at_the_cap(bare: BareServer, bomb: str) -> None:
    with _Peak(bare) as peak:
        message = _message(_posting(bare, bomb)())
    assert f"inflate to more than {INFLATION_CAP} bytes" in message
    assert "8 times this server's request body limit of 4 MiB" in message
    assert peak.growth < RSS_BOUND, f"{peak.growth / MIB:.0f} MiB"
    assert bare.rss() - peak.baseline < RSS_AFTER, "the refused bomb's memory is still held"


def test_two_bombs_at_once_are_refused(bare: BareServer, bomb: str) -> None:
    answers: list[httpx.Response] = []
    posts = [threading.Thread(target=lambda: answers.append(_posting(bare, bomb)()))
             for _ in range(2)]
    with _Peak(bare) as peak:
        for post in posts:
            post.start()
        for post in posts:
            post.join()
    assert len(answers) == 2
    assert all("inflate to more than" in _message(answer) for answer in answers)
    assert peak.growth < RSS_BOUND, f"{peak.growth / MIB:.0f} MiB"
    assert bare.rss() - peak.baseline < RSS_AFTER, "the refused bombs' memory is still held"


def _claiming_qubits(qubits: int) -> str:
    """A circuit envelope of a few dozen characters whose QPY header claims ``qubits``."""
    import io

    from qiskit import qpy

    from qruntime.wire import QPY_WRITE_VERSION

    buffer = io.BytesIO()
    qpy.dump(QuantumCircuit(1), buffer, version=QPY_WRITE_VERSION)
    data = bytearray(buffer.getvalue())
    struct.pack_into("!I", data, struct.unpack_from("!Q", data, 20)[0] + 5, qubits)
    return json.dumps({"__type__": "QuantumCircuit", "__value__": blob.pack(bytes(data))})


def test_a_header_claiming_3_million_qubits_is_refused_from_the_header(bare: BareServer) -> None:
    envelope = _claiming_qubits(3_000_000)
    assert len(envelope) < 300
    started = time.perf_counter()
    with _Peak(bare) as peak:
        message = _message(_posting(bare, _body(envelope))())
    # Building the circuit took 11 s and 762 MB; reading its header takes microseconds.
    assert time.perf_counter() - started < 5
    from qruntime.backends.catalog import default_catalog

    largest = max(entry.num_qubits for entry in default_catalog().entries())
    assert f"declares 3000000 qubits, more than the {largest} this runtime takes" in message
    assert peak.growth < 50 * MIB, f"{peak.growth / MIB:.0f} MiB"
