"""Issue [3 of 4]: the server door, through our client, against direct Aer.

Where a Bell job's time goes over HTTP (measured with client-side request
timings): ``POST /runtime/jobs`` takes about 4.5 ms, of which the simulation
in a worker process is about 1 ms and the pipe to it 0.1 ms; the rest is the
request's trip through uvicorn, FastAPI and the thread pool, token lookup,
body decoding (QPY), validation and the one store write. ``GET .../results``
takes about 1.3 ms. The job is final when POST answers (a small job that finds
a worker idle runs during the request), so no status read is needed.
Left to win: a cached token lookup, routes that skip the thread pool for
cheap reads, and fewer encode/decode passes of the same circuits.
"""

from __future__ import annotations

import concurrent.futures
import time

from qiskit_aer import AerSimulator

from bench.embedded import bell
from bench.server import LiveServer
from bench.timing import interleaved, measure, print_latency_table, print_rate_table


def main(repeats: int = 100, jobs: int = 500, threads: int = 4) -> None:
    from qruntime import QiskitRuntimeService

    with LiveServer() as server:
        def connect() -> QiskitRuntimeService:
            return QiskitRuntimeService(channel="ibm_quantum", url=server.url, token=server.token)

        connect().backends()  # warm the server's catalog
        startup = measure("construct a service and list the backends",
                          lambda: connect().backends(), repeats=20, warmup=2)
        print(f"\n## service start over HTTP  (closest peer: 2 MB and 0.45 s)")
        print(f"{startup.name}: median {startup.median_ms:.1f} ms, "
              f"p90 {startup.percentile_ms(0.9):.1f} ms")

        service = connect()
        backend = service.backend("ibmq_qasm_simulator")
        circuit = bell()
        aer = AerSimulator()
        samples = interleaved({
            "direct AerSimulator.run (Bell, 1024 shots)":
                lambda: aer.run(circuit, shots=1024).result().get_counts(),
            "qruntime over HTTP: backend.run, submit to result":
                lambda: backend.run(circuit, shots=1024).result().get_counts(),
        }, repeats=repeats)
        names = list(samples)
        print_latency_table("backend.run Bell over HTTP on loopback", [samples[names[1]]],
                            samples[names[0]], goal="median <= 2.5x direct Aer")

        rates = {}
        start = time.perf_counter()
        aer_jobs = [aer.run(circuit, shots=1024) for _ in range(jobs)]
        for job in aer_jobs:
            job.result()
        rates["direct Aer, async run() of every job, then results"] = (
            jobs / (time.perf_counter() - start))

        def submit_and_wait(count: int) -> None:
            own = connect().backend("ibmq_qasm_simulator")
            pending = [own.run(circuit, shots=1024) for _ in range(count)]
            for job in pending:
                job.result()

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(submit_and_wait, [jobs // threads] * threads))
        rates[f"qruntime over HTTP, {threads} client threads"] = (
            jobs / (time.perf_counter() - start))
        print_rate_table(f"throughput, {jobs} Bell jobs", rates,
                         "direct Aer, async run() of every job, then results", "jobs/s")


if __name__ == "__main__":
    main()
