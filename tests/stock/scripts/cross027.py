"""qiskit-ibm-runtime 0.27.1 reads jobs submitted by qruntime's client, then submits its own.

``QRT_OURS`` holds the ids of qruntime's jobs: ``{"run", "sampler", "estimator"}``.
"""

from __future__ import annotations

import json
import os

from common import TOKEN, URL, Report, bell, bell_pair, counts_of
from qiskit import transpile
from qiskit_ibm_runtime import QiskitRuntimeService, SamplerV2

ours = json.loads(os.environ["QRT_OURS"])
service = QiskitRuntimeService(channel="ibm_quantum", url=f"{URL}/api", token=TOKEN)
report = Report()


@report.scenario
def read_ours() -> dict:
    run, sampler, estimator = (service.job(ours[k]) for k in ("run", "sampler", "estimator"))
    return {"classes": [type(j).__name__ for j in (run, sampler, estimator)],
            "run_counts": run.result().get_counts(),
            "sampler_counts": counts_of(sampler.result()[0]),
            "estimator_evs": float(estimator.result()[0].data.evs),
            "session_ids": [j.session_id for j in (run, sampler, estimator)],
            "listed": [j.job_id() for j in service.jobs(limit=None)]}


@report.scenario
def submit() -> dict:
    simulator = service.backend("ibmq_qasm_simulator")
    device = service.backend("ibm_qrt_falcon")
    run = simulator.run(transpile(bell(), backend=simulator), shots=300)
    sampler = SamplerV2(mode=device).run([transpile(bell_pair(), backend=device,
                                                    seed_transpiler=1)], shots=300)
    return {"run": run.job_id(), "run_counts": run.result().get_counts(),
            "sampler": sampler.job_id(), "sampler_counts": counts_of(sampler.result()[0])}


report.emit()
