"""Issue [4 of 4]: Bell jobs through the stock clients against ``qruntime serve``, next to Aer.

Starts a server, then measures in one run:

* the stock qiskit-ibm-runtime 0.27.1 client's ``backend.run`` (submit to counts);
* the stock 0.51 client's ``SamplerV2`` job (submit to counts);
* the 0.27.1 client again against a server whose status reads never wait
  (``--fresh-wait 0``): then only a job run at once by ``POST /jobs`` (an idle
  worker) escapes the client's 0.1 s sleep after a first read that is not final;
* direct ``AerSimulator.run`` in this process, before and after the clients.

Each client runs in its own venv (``make stock-venvs``) and times its own
requests, so the table after the latencies shows where a job's time goes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.embedded import bell
from bench.timing import Sample, measure, print_latency_table

ROOT = Path(__file__).resolve().parents[1]
VENVS = {"0.27.1": ROOT / ".venvs" / "stock-0.27.1", "0.51.0": ROOT / ".venvs" / "stock-0.51.0"}
CRN = "crn:v1:qruntime:local:quantum-computing:local:a/qruntime:main::"

# Runs in the stock venv: times ``repeats`` Bell jobs and each request they make.
_CLIENT = r'''
import json, os, sys, time, warnings
warnings.simplefilter("ignore")
import requests

requests_made = []
_request = requests.Session.request


def _timed(self, method, url, *args, **kwargs):
    started = time.perf_counter()
    try:
        return _request(self, method, url, *args, **kwargs)
    finally:
        requests_made.append((method, url.split("?")[0], time.perf_counter() - started))


requests.Session.request = _timed
from qiskit import QuantumCircuit, transpile
import qiskit_ibm_runtime as runtime

url, token, repeats = os.environ["QRT_URL"], os.environ["QRT_TOKEN"], int(sys.argv[1])
circuit = QuantumCircuit(2, 2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure_all()
if runtime.__version__.startswith("0.27"):
    service = runtime.QiskitRuntimeService(channel="ibm_quantum", url=url + "/api", token=token)
    backend = service.backend("ibmq_qasm_simulator")
    isa = transpile(circuit, backend=backend)
    job = lambda: backend.run(isa, shots=1024).result().get_counts()
else:
    service = runtime.QiskitRuntimeService(channel="ibm_quantum_platform", token=token,
                                           url=url + "/experimental/runtime",
                                           instance=os.environ["QRT_CRN"])
    backend = service.backend("ibmq_qasm_simulator")
    isa = transpile(circuit, backend=backend)
    sampler = runtime.SamplerV2(mode=backend)
    job = lambda: sampler.run([isa], shots=1024).result()[0].data.c.get_counts()
for _ in range(5):
    job()
seconds, jobs = [], []
for _ in range(repeats):
    requests_made.clear()
    started = time.perf_counter()
    job()
    seconds.append(time.perf_counter() - started)
    jobs.append(list(requests_made))
print("BENCH " + json.dumps({"seconds": seconds, "jobs": jobs}))
'''


def main(repeats: int = 40) -> None:
    missing = [str(venv) for venv in VENVS.values() if not (venv / "bin" / "python").exists()]
    if missing:
        print(f"\n(skipping bench.stock: no stock venv at {', '.join(missing)}; "
              "run `make stock-venvs`)")
        return
    from qiskit_aer import AerSimulator

    aer = AerSimulator()
    circuit = bell()
    direct = [measure("direct AerSimulator.run (Bell, 1024 shots)",
                      lambda: aer.run(circuit, shots=1024).result().get_counts(),
                      repeats=repeats // 2)]
    clients: dict[str, dict[str, Any]] = {}
    with _server() as (url, token):
        clients["stock 0.27.1 backend.run, submit to counts"] = _client("0.27.1", url, token,
                                                                         repeats)
        clients["stock 0.51 SamplerV2 job, submit to counts"] = _client("0.51.0", url, token,
                                                                        repeats)
    with _server(fresh_wait=0.0) as (url, token):
        clients["stock 0.27.1 backend.run, status reads never wait"] = _client(
            "0.27.1", url, token, max(10, repeats // 3))
    direct.append(measure("", lambda: aer.run(circuit, shots=1024).result().get_counts(),
                          repeats=repeats - repeats // 2))
    baseline = Sample(direct[0].name, direct[0].seconds + direct[1].seconds)
    samples = [Sample(name, run["seconds"]) for name, run in clients.items()]
    print_latency_table("Bell job latency through the stock clients against qruntime serve",
                        samples, baseline, goal="<= 15 ms per Bell job through a stock client")
    _print_requests(clients)


def _print_requests(clients: dict[str, dict[str, Any]]) -> None:
    """Median milliseconds of each request kind per job, and how many status reads a job took."""
    print("\n## where a stock client's Bell job spends its time (median ms per job)")
    kinds = ("status", "usage", "submit", "status reads", "results", "client")
    print(f"{'client':52s} " + " ".join(f"{kind:>8s}" for kind in kinds) + f" {'reads':>6s}")
    for name, run in clients.items():
        per_kind: dict[str, list[float]] = {kind: [] for kind in kinds}
        reads = []
        for job, total in zip(run["jobs"], run["seconds"]):
            spent = {kind: 0.0 for kind in kinds}
            for method, url, seconds in job:
                spent[_kind(method, url)] += seconds
            spent["client"] = total - sum(spent.values())
            reads.append(sum(1 for method, url, _ in job if _kind(method, url) == "status reads"))
            for kind in kinds:
                per_kind[kind].append(spent[kind])
        cells = " ".join(f"{statistics.median(per_kind[k]) * 1e3:8.2f}" for k in kinds)
        print(f"{name:52s} {cells} {statistics.median(reads):6.1f}")


def _kind(method: str, url: str) -> str:
    if url.endswith("/status"):
        return "status"
    if url.endswith("/usage"):
        return "usage"
    if method == "POST" and url.endswith("/jobs"):
        return "submit"
    if url.endswith("/results"):
        return "results"
    return "status reads" if "/jobs/" in url else "client"


def _client(version: str, url: str, token: str, repeats: int) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="qruntime-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_", "PYTHON"))}
    env.update(QRT_URL=url, QRT_TOKEN=token, QRT_CRN=CRN, IAM_URL=url,
               QISKIT_FUNCTIONS_EXPERIMENTAL="1", HOME=str(home))
    # A file, not ``python -c``: the stock client inspects its caller's stack (and
    # source) on every request, which is much slower for a script with no file.
    script = home / "stock_bell.py"
    script.write_text(_CLIENT)
    done = subprocess.run([str(VENVS[version] / "bin" / "python"), str(script), str(repeats)],
                          env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the stock {version} client failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("BENCH "):])
    return result


@contextmanager
def _server(fresh_wait: float | None = None) -> Iterator[tuple[str, str]]:
    """``qruntime serve`` on a free port with a temporary home; its URL and a token."""
    home = Path(tempfile.mkdtemp(prefix="qruntime-bench-stock-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QRUNTIME_")}
    env["QRUNTIME_HOME"] = str(home)
    command = [str(Path(sys.executable).with_name("qruntime")), "serve", "--port", str(port)]
    if fresh_wait is not None:
        command += ["--fresh-wait", str(fresh_wait)]
    log = home / "serve.log"
    with log.open("w") as output:  # a file: a pipe nobody reads could fill and stall the server
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "Uvicorn running" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"qruntime serve did not start:\n{log.read_text()}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", _token(home)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _token(home: Path) -> str:
    from qruntime.engine.store import AccountStore, Database, sqlite_url

    database = Database(sqlite_url(home / "server.db"), upgrade=False)
    try:
        return AccountStore(database).create_token(f"bench/stock/{uuid.uuid4().hex[:8]}",
                                                   user_id="bench")
    finally:
        database.dispose()


if __name__ == "__main__":
    main()
