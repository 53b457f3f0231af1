"""qiskit-ibm-runtime 0.51 (Qiskit 2.x), channel ibm_quantum_platform, least configuration.

The environment holds ``IAM_URL`` (the server: its ``/identity/token``) and
``QISKIT_FUNCTIONS_EXPERIMENTAL=1`` (no instance search); the service line is
the one the README gives.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import numpy as np
from common import (
    CRN, TOKEN, URL, Report, bell_pair, counts_of, error_of, unsimulable_circuit, wait_until,
    wide_circuit,
)
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import Batch, EstimatorV2, QiskitRuntimeService, SamplerV2, Session

started = datetime.now(timezone.utc) - timedelta(seconds=5)
service = QiskitRuntimeService(channel="ibm_quantum_platform", token=TOKEN,
                               url=f"{URL}/experimental/runtime", instance=CRN)
device = service.backend("ibm_qrt_falcon")
simulator = service.backend("ibmq_qasm_simulator")
to_device = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=1)
isa = to_device.run(bell_pair())
unmeasured = to_device.run(bell_pair().remove_final_measurements(inplace=False))
zz = SparsePauliOp("ZZ").apply_layout(unmeasured.layout)
report = Report()
ids: dict[str, str] = {}


@report.scenario
def backends() -> dict:
    return {"names": sorted(b.name for b in service.backends()),
            "simulator_flags": {b.name: b.simulator for b in service.backends()},
            "falcon_qubits": device.num_qubits, "instance": service.active_instance()}


@report.scenario
def session() -> dict:
    with Session(backend=device) as opened:
        sampler = SamplerV2(mode=opened)
        sampler.options.default_shots = 123
        sampled = sampler.run([isa])
        first = sampled.result()[0]
        sampler.options.simulator.seed_simulator = 1234
        seeded = [counts_of(sampler.run([isa], shots=500).result()[0]) for _ in range(2)]
        estimated = EstimatorV2(mode=opened).run([(unmeasured, zz)])
        evs = float(estimated.result()[0].data.evs)
        details = opened.details()
    ids["session_sampler"] = sampled.job_id()
    ids["session_id"] = opened.session_id
    return {"session_id": opened.session_id, "sampler_session_id": sampled.session_id,
            "estimator_session_id": estimated.session_id, "shots": first.data.meas.num_shots,
            "counts": counts_of(first), "seeded": seeded, "evs": evs,
            "status": sampled.status(), "details": details}


@report.scenario
def batch() -> dict:
    with Batch(backend=device) as opened:
        sampler = SamplerV2(mode=opened)
        sampler.options.environment.job_tags = ["stock-051-batch"]
        jobs = [sampler.run([isa, isa], shots=200),
                EstimatorV2(mode=opened).run([(unmeasured, zz)])]
        sampled, estimated = (job.result() for job in jobs)
        details = opened.details()
    ids["batch_sampler"] = jobs[0].job_id()
    return {"session_id": opened.session_id, "job_session_ids": [j.session_id for j in jobs],
            "mode": details["mode"], "bell": [counts_of(pub) for pub in sampled],
            "evs": float(estimated[0].data.evs)}


@report.scenario
def parametrized() -> dict:
    theta = Parameter("theta")
    rotated = QuantumCircuit(1)
    rotated.ry(2 * theta, 0)
    rotated_isa = generate_preset_pass_manager(optimization_level=1, backend=simulator).run(rotated)
    measured = rotated_isa.measure_all(inplace=False)
    angles = np.array([[0.0], [np.pi / 2]])
    sampled = SamplerV2(mode=simulator).run([(measured, angles)], shots=100).result()[0]
    estimated = EstimatorV2(mode=simulator).run(
        [(rotated_isa, SparsePauliOp("Z"), angles)]).result()[0]
    return {"shape": list(sampled.data.meas.shape),
            "ones": [int(sampled.data.meas[i].get_int_counts().get(1, 0)) for i in range(2)],
            "evs": [float(v) for v in estimated.data.evs]}


@report.scenario
def listing() -> dict:
    listed_at = datetime.now(timezone.utc).isoformat()
    return {"listed_at": listed_at,
            "falcon": [j.job_id() for j in service.jobs(limit=50, backend_name="ibm_qrt_falcon",
                                                          created_after=started)],
            "in_session": [j.job_id() for j in service.jobs(session_id=ids["session_id"],
                                                             limit=None)],
            "tagged": [j.job_id() for j in service.jobs(job_tags=["stock-051-batch"])],
            "estimators": [j.job_id() for j in service.jobs(program_id="estimator", limit=None)],
            "pending": [j.job_id() for j in service.jobs(pending=True, limit=None)],
            "page": [j.job_id() for j in service.jobs(limit=2, skip=1, descending=False)],
            "all_ascending": [j.job_id() for j in service.jobs(limit=None, descending=False)]}


@report.scenario
def retrieve() -> dict:
    job = service.job(ids["session_sampler"])
    return {"class": type(job).__name__, "program_id": job.primitive_id,
            "session_id": job.session_id, "backend": job.backend().name,
            "counts": counts_of(job.result()[0]), "status": job.status(),
            "metrics": job.metrics(), "tags": service.job(ids["batch_sampler"]).tags}


@report.scenario
def usage() -> dict:
    return {"usage": service.usage()}


@report.scenario
def cancel() -> dict:
    job = SamplerV2(mode=simulator).run([wide_circuit()], shots=10)
    job.cancel()
    wait_until(lambda: job.status() == "CANCELLED")
    return {"status": job.status(), "result": error_of(job.result)}


@report.scenario
def failure() -> dict:
    job = service.job(os.environ["QRT_FAILED_SAMPLER"])
    return {"result": error_of(job.result), "status": job.status(),
            "error_message": job.error_message()}


@report.scenario
def refused() -> dict:
    simulator = service.backend("ibmq_qasm_simulator")
    return {"sampler": error_of(lambda: SamplerV2(mode=simulator).run([unsimulable_circuit()],
                                                                      shots=10))}


@report.scenario
def bad_input() -> dict:
    not_isa = bell_pair()
    client_side = error_of(lambda: SamplerV2(mode=device).run([not_isa]))
    posted = error_of(lambda: service._run(
        "sampler", {"pubs": [(not_isa,)], "version": 2, "support_qiskit": True},
        options={"backend": "ibm_qrt_falcon"}))
    unknown = error_of(lambda: service.backend("ibm_nowhere"))
    unknown_posted = error_of(lambda: service._active_api_client.program_run(
        program_id="sampler", backend_name="ibm_nowhere", params={"pubs": [(isa,)], "version": 2},
        image=None, log_level=None, session_id=None))
    return {"non_isa_client": client_side, "non_isa_posted": posted,
            "unknown_backend": unknown, "unknown_backend_posted": unknown_posted}


report.emit()
