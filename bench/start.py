"""Issue [1 of 7]: how soon ``qruntime serve`` answers, and runs its first Bell job.

Measured from the moment the command is started, on a fresh data folder, with
the client already imported (a user's notebook has it loaded): the first
``/api/version`` answer, and a Bell ``backend.run`` job's counts. The baseline
is the least any Qiskit service can take to start: ``python -c "import
qiskit_aer"``, timed in the same run. Goal: both within 3 s on an idle
2-core machine.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.embedded import bell


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def one_start() -> tuple[float, float, float]:
    """Seconds to the first answer, to the first Bell result, and to stop on SIGTERM."""
    from qruntime import QiskitRuntimeService

    home = Path(tempfile.mkdtemp(prefix="qruntime-bench-start-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, QRUNTIME_HOME=str(home))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "qruntime.cli.main", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                httpx.get(f"{url}/api/version", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.perf_counter() - started > 120:
                    raise RuntimeError("qruntime serve did not answer within 120 s") from None
                time.sleep(0.01)
        answered = time.perf_counter() - started
        token = (home / "admin-token").read_text().strip()
        service = QiskitRuntimeService(channel="ibm_quantum", url=url, token=token)
        service.backend("ibmq_qasm_simulator").run(bell(), shots=1024).result().get_counts()
        first_bell = time.perf_counter() - started
        stopping = time.perf_counter()
        process.terminate()
        process.wait(30)
        return answered, first_bell, time.perf_counter() - stopping
    finally:
        if process.poll() is None:
            process.kill()


def import_aer() -> float:
    """Seconds of ``python -c "import qiskit_aer"``: the floor under any start."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import qiskit_aer"], check=True)
    return time.perf_counter() - started


def main(repeats: int = 5) -> None:
    import qruntime  # noqa: F401  (the client is loaded before the clock starts)

    rows: dict[str, list[float]] = {"python -c 'import qiskit_aer' (baseline)": [],
                                    "qruntime serve: first /api/version answer": [],
                                    "qruntime serve: first Bell job's counts": [],
                                    "qruntime serve: SIGTERM to exit": []}
    names = list(rows)
    for _ in range(repeats):
        rows[names[0]].append(import_aer())
        answered, first_bell, stop = one_start()
        rows[names[1]].append(answered)
        rows[names[2]].append(first_bell)
        rows[names[3]].append(stop)
    baseline = statistics.median(rows[names[0]])
    print("\n## server start, fresh data folder  (goal: first answer and first Bell <= 3 s; "
          "stop <= 5 s)")
    print(f"{'what':46s} {'median s':>9s} {'max s':>7s} {'x baseline':>11s}")
    for name, seconds in rows.items():
        median = statistics.median(seconds)
        print(f"{name:46s} {median:9.2f} {max(seconds):7.2f} {median / baseline:10.2f}x")


if __name__ == "__main__":
    main()
