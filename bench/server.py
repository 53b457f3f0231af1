"""A ``qruntime serve`` subprocess on a free loopback port, for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx


class LiveServer:
    """Start ``qruntime serve`` in a fresh data folder; stop it on exit."""

    def __init__(self, workers: int = 2) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="qruntime-bench-server-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, QRUNTIME_HOME=str(self.home))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qruntime.cli.main", "serve", "--port", str(self.port),
             "--workers", str(workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.token = self._wait_ready()

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + 60
        token_file = self.home / "admin-token"
        while time.monotonic() < deadline:
            if token_file.exists():
                try:
                    httpx.get(f"{self.url}/api/version", timeout=1).raise_for_status()
                    return token_file.read_text().strip()
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("qruntime serve did not start within 60 s")

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
