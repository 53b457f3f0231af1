"""qiskit-ibm-runtime 0.51, from an account saved by ``qruntime save-account --stock
--channel ibm_quantum_platform``, reads V2 jobs of qruntime's client and of the 0.27.1 client.

``QRT_IDS`` holds the ids to read: ``{"sampler", "estimator", "stock_sampler"}``.
"""

from __future__ import annotations

import json
import os

from common import Report, counts_of
from qiskit_ibm_runtime import QiskitRuntimeService

wanted = json.loads(os.environ["QRT_IDS"])
service = QiskitRuntimeService()
report = Report()


@report.scenario
def read() -> dict:
    sampler, estimator, stock = (service.job(wanted[k])
                                 for k in ("sampler", "estimator", "stock_sampler"))
    return {"channel": service.channel, "classes": [type(j).__name__ for j in (sampler, stock)],
            "sampler_counts": counts_of(sampler.result()[0]),
            "estimator_evs": float(estimator.result()[0].data.evs),
            "stock_sampler_counts": counts_of(stock.result()[0]),
            "listed": [j.job_id() for j in service.jobs(limit=None)]}


report.emit()
