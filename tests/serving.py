"""``qruntime serve`` as a real subprocess, for the tests that need a whole server.

:class:`ServeProcess` starts the command on a free loopback port with its
output in a log file, waits for it generously (a loaded 2-core CI machine
takes a while to import Qiskit), fails with that log when it does not come up,
and on :meth:`ServeProcess.close` ends the server and every process it
started, so that none outlives the test that made it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx
import psutil

QRUNTIME = str(Path(sys.executable).with_name("qruntime"))
START_TIMEOUT = 180.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment without qruntime's variables, with ``QRUNTIME_HOME=home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QRUNTIME_", "QISKIT_"))}
    env.update(QRUNTIME_HOME=str(home), COLUMNS="200")
    env.update(extra)
    return env


class ServeProcess:
    """One ``qruntime serve`` subprocess.

    Args:
        home: Its ``QRUNTIME_HOME`` (the log goes there too).
        args: More arguments of ``qruntime serve`` (``--workers 1``, ``--db URL``...).
        env: Its environment; :func:`clean_env` of ``home`` by default.
        wait: Whether to wait until it answers ``/api/version``.
    """

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None,
                 wait: bool = True) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / f"serve-{self.port}.log"
        with self.log.open("w") as output:  # a file: nobody need drain a pipe
            self.process = subprocess.Popen(
                [QRUNTIME, "serve", "--port", str(self.port), *args],
                env=env or clean_env(home), stdout=output, stderr=subprocess.STDOUT,
            )
        self._tree: set[psutil.Process] = set()
        if wait:
            self.wait_ready()

    @property
    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")

    @property
    def token(self) -> str:
        """The admin token of the server's first start."""
        return (self.home / "admin-token").read_text().strip()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> float:
        """Seconds until it answered ``/api/version``; fails with its log if it never does."""
        started = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"qruntime serve exited with {self.process.returncode}:\n"
                                     f"{self.output}")
            if time.monotonic() - started > timeout:
                self.close()
                raise AssertionError(f"qruntime serve did not answer within {timeout:g} s:\n"
                                     f"{self.output}")
            try:
                httpx.get(f"{self.url}/api/version", timeout=2).raise_for_status()
                return time.monotonic() - started
            except httpx.HTTPError:
                time.sleep(0.05)

    def children(self) -> list[psutil.Process]:
        """The processes the server started (its workers), still running."""
        try:
            found = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            found = []
        self._tree.update(found)
        return [p for p in found if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    def workers(self, count: int, timeout: float = START_TIMEOUT) -> list[psutil.Process]:
        """Wait until the server runs ``count`` worker processes; those processes."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.children()
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"the server has {len(found)} workers, not {count}:\n"
                                     f"{self.output}")
            time.sleep(0.05)

    def send(self, number: int) -> None:
        """Send ``number`` (SIGTERM, SIGINT, SIGKILL) to the server process."""
        self.children()  # remember the tree, to check on it once the server is gone
        self.process.send_signal(number)

    def stop(self, number: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Stop it with ``number``; its exit code (kills it past ``timeout``)."""
        if self.process.poll() is None:
            self.send(number)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"qruntime serve did not stop within {timeout:g} s:\n"
                                 f"{self.output}") from None

    def leftovers(self) -> list[psutil.Process]:
        """Processes the server started that are still running."""
        return [p for p in self._tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    def close(self) -> None:
        """End the server and everything it started, whatever state they are in."""
        self.children()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for process in self.leftovers():
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
