"""One simulation worker process: its handle here, and its loop there.

A worker is started as ``python -c "...worker import main; main(FD)"``: from qruntime's
own entry point, never by re-importing the caller's ``__main__`` as
multiprocessing's spawn does. A script without an ``if __name__ ==
"__main__":`` guard, ``python -c``, a script on stdin or a notebook therefore
never runs twice. The two ends talk over a socket pair with pickled
:class:`~qruntime.engine.execution.Task` and
:class:`~qruntime.engine.execution.Outcome` values.

The worker says "ready" as soon as Qiskit and Aer are imported; backends'
targets, noise models and simulators are built when a job first needs them,
and those cheap to build meanwhile in a background thread. A worker whose parent
dies is ended by the kernel (Linux), so none outlives the runtime.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection

from qruntime.engine.execution import Outcome, Task

logger = logging.getLogger(__name__)

READY = "ready"
_ENTRY = "from qruntime.engine.worker import main; main({fd})"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class WorkerLost(Exception):
    """The worker process ended, or its pipe broke."""


class Worker:
    """A worker process and the pipe to it. Starting one does not wait for it."""

    def __init__(self) -> None:
        parent, child = socket.socketpair()
        env = dict(os.environ)
        # OpenMP threads spin for a while after each parallel region by default
        # (GNU's spin count is 300,000). Workers spinning between small jobs starve
        # every other process of a small machine: on 2 cores a Bell job over HTTP
        # took 9 ms instead of 3.6. A short spin costs ~2% on a 20-qubit simulation.
        env.setdefault("GOMP_SPINCOUNT", "10000")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _ENTRY.format(fd=child.fileno())],
                pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C goes to the runtime, not here
            )
        finally:
            child.close()
        self._conn = Connection(parent.detach())
        # The pool's close and a thread waiting on this worker may both end it; the
        # pipe's descriptor must be closed once (a second close could hit a reused fd).
        self._closing = threading.Lock()
        self.jobs_run = 0

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def wait_ready(self, timeout: float) -> bool:
        """Whether the worker said it is ready within ``timeout`` seconds."""
        try:
            return bool(self._conn.poll(timeout)) and self._conn.recv() == READY
        except (OSError, EOFError):
            return False

    def send(self, task: Task) -> None:
        """Hand ``task`` to the worker (without its decoded params: the worker decodes)."""
        try:
            self._conn.send(Task(task.job_id, task.program_id, task.backend, task.params_text,
                                 None, task.max_execution_time))
        except (OSError, EOFError, ValueError) as exc:
            raise WorkerLost(str(exc)) from exc

    def poll(self, timeout: float) -> bool:
        """Whether an outcome is ready within ``timeout``; :class:`WorkerLost` if it never will be."""
        try:
            if self._conn.poll(timeout):
                return True
        except (OSError, EOFError, ValueError) as exc:
            raise WorkerLost(str(exc)) from exc
        if not self.alive():
            raise WorkerLost(f"worker process {self.pid} ended with code {self.process.returncode}")
        return False

    def receive(self) -> Outcome:
        """The outcome the worker sent."""
        try:
            outcome: Outcome = self._conn.recv()
        except (OSError, EOFError, ValueError) as exc:
            raise WorkerLost(str(exc)) from exc
        self.jobs_run += 1
        return outcome

    def rss_bytes(self) -> int | None:
        """The worker's resident memory, where the platform tells it (Linux)."""
        try:
            with open(f"/proc/{self.pid}/statm", encoding="ascii") as statm:
                return int(statm.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return None

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the worker to exit; kill it if it has not within ``timeout``."""
        try:
            self._conn.send(None)
        except (OSError, EOFError, ValueError):
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self) -> None:
        """End the worker now and reap it."""
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - the kernel reaps it later
            logger.error("worker process %s did not end after SIGKILL", self.pid)
        with self._closing:
            if not self._conn.closed:
                self._conn.close()


# --- the worker process ------------------------------------------------------------


def main(fd: int) -> None:
    """The worker's loop: say ready, then receive a task, run it, send its outcome."""
    _end_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _log_to_stderr(os.environ.get("QRUNTIME_WORKER_LOG_LEVEL", "WARNING"))
    conn = Connection(fd)
    import qruntime.programs  # noqa: F401  (import Qiskit and Aer once, up front)
    import qruntime.wire  # noqa: F401
    from qruntime.engine.execution import execute

    try:
        conn.send(READY)
        threading.Thread(target=_build_backends, name="qruntime-backend-build",
                         daemon=True).start()
        while True:
            task = conn.recv()
            if task is None:
                return
            logger.info("running job %s (%s on %s)", task.job_id, task.program_id, task.backend)
            conn.send(execute(task))
    except (EOFError, OSError):  # the runtime closed the pipe: it is stopping, or gone
        return


def _log_to_stderr(level: str) -> None:
    # qruntime's own lines only: Qiskit logs every transpiler pass at INFO.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        "%(asctime)s qruntime worker %(process)d: %(message)s", "%H:%M:%S"))
    root = logging.getLogger("qruntime")
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


#: Devices up to this size have their noise model built ahead of their first job;
#: larger ones (Eagle's takes seconds, Heron's over ten) when a job first needs them,
#: so that every worker of a small machine is not busy building for a minute at start.
PREBUILT_QUBITS = 27


def _build_backends() -> None:
    """Build the backends that are cheap to build ahead of the jobs that need them."""
    from qruntime.backends.catalog import default_catalog

    catalog = default_catalog()
    for entry in sorted(catalog.entries(), key=lambda e: (e.kind != "ideal", e.num_qubits)):
        if entry.num_qubits > PREBUILT_QUBITS and not entry.is_simulator:
            continue
        try:
            catalog.get(entry.name).simulator()
        except Exception:  # a broken backend fails its own jobs, with the reason
            logger.exception("building backend %s failed", entry.name)


def _end_with_parent() -> None:
    # Linux: the kernel sends SIGKILL when the process that started us exits, so a
    # SIGKILLed runtime leaves no worker simulating on behind it.
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took hold
        os._exit(0)

