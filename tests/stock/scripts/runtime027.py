"""qiskit-ibm-runtime 0.27.1 (Qiskit 1.4), channel ibm_quantum: V2 primitives, jobs, errors.

Every scenario is a function run at once by ``report.scenario``; the report
line holds what each returned (or how it failed).
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import numpy as np
from common import (
    TOKEN, URL, Report, bell, bell_pair, counts_of, error_of, unsimulable_circuit, wait_until,
    wide_circuit,
)
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit_ibm_runtime import (
    Batch, Estimator, EstimatorV2, QiskitRuntimeService, SamplerV2, Session,
)

started = datetime.now(timezone.utc) - timedelta(seconds=5)
service = QiskitRuntimeService(channel="ibm_quantum", url=f"{URL}/api", token=TOKEN)
device = service.backend("ibm_qrt_falcon")
simulator = service.backend("ibmq_qasm_simulator")
isa = transpile(bell_pair(), backend=device, seed_transpiler=1)
unmeasured = transpile(bell_pair().remove_final_measurements(inplace=False), backend=device,
                       seed_transpiler=1)
zz = SparsePauliOp("ZZ").apply_layout(unmeasured.layout)
report = Report()
ids: dict[str, str] = {}


@report.scenario
def session() -> dict:
    with Session(service=service, backend=device) as opened:
        sampler = SamplerV2(mode=opened)
        sampler.options.default_shots = 123
        sampled = sampler.run([isa])
        first = sampled.result()[0]
        sampler.options.simulator.seed_simulator = 1234
        seeded = [counts_of(sampler.run([isa], shots=500).result()[0]) for _ in range(2)]
        estimator = EstimatorV2(mode=opened)
        estimated = estimator.run([(unmeasured, zz)])
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
    with Batch(service=service, backend=device) as opened:
        sampler = SamplerV2(mode=opened)
        sampler.options.environment.job_tags = ["stock-027-batch"]
        estimator = EstimatorV2(mode=opened)
        jobs = [sampler.run([isa, isa], shots=200), estimator.run([(unmeasured, zz)])]
        sampled, estimated = (job.result() for job in jobs)
        details = opened.details()
    ids["batch_sampler"] = jobs[0].job_id()
    ids["batch_id"] = opened.session_id
    return {"session_id": opened.session_id, "job_session_ids": [j.session_id for j in jobs],
            "mode": details["mode"], "details": details,
            "bell": [counts_of(pub) for pub in sampled], "evs": float(estimated[0].data.evs)}


@report.scenario
def parametrized() -> dict:
    # Qiskit 1.4 writes parameter expressions in QPY with symengine.
    theta = Parameter("theta")
    rotated = QuantumCircuit(1)
    rotated.ry(2 * theta, 0)
    rotated_isa = transpile(rotated, backend=simulator)
    measured = rotated_isa.measure_all(inplace=False)
    angles = np.array([[0.0], [np.pi / 2]])
    sampled = SamplerV2(mode=simulator).run([(measured, angles)], shots=100).result()[0]
    estimated = EstimatorV2(mode=simulator).run(
        [(rotated_isa, SparsePauliOp("Z"), angles)]).result()[0]
    return {"shape": list(sampled.data.meas.shape),
            "ones": [int(sampled.data.meas[i].get_int_counts().get(1, 0)) for i in range(2)],
            "evs": [float(v) for v in estimated.data.evs]}


@report.scenario
def estimator_v1() -> dict:
    # The V1 Estimator payload (settings-envelope observables) and its result decoder.
    estimator = Estimator(backend=simulator)
    circuit = bell_pair().remove_final_measurements(inplace=False)
    result = estimator.run(circuit, SparsePauliOp("ZZ"), shots=1000).result()
    return {"values": [float(v) for v in result.values], "metadata": result.metadata}


@report.scenario
def listing() -> dict:
    found = service.jobs(limit=50, backend_name="ibm_qrt_falcon", created_after=started)
    in_session = service.jobs(session_id=ids["session_id"], limit=None)
    tagged = service.jobs(job_tags=["stock-027-batch"])
    samplers = service.jobs(program_id="sampler", pending=False, limit=None)
    pending = service.jobs(pending=True, limit=None)
    early = service.jobs(created_before=started)
    page = service.jobs(limit=2, skip=1, descending=False)
    return {"listed_at": datetime.now(timezone.utc).isoformat(),
            "falcon": [j.job_id() for j in found], "in_session": [j.job_id() for j in in_session],
            "tagged": [j.job_id() for j in tagged], "samplers": [j.job_id() for j in samplers],
            "pending": [j.job_id() for j in pending], "early": [j.job_id() for j in early],
            "page": [j.job_id() for j in page],
            "all_ascending": [j.job_id() for j in service.jobs(limit=None, descending=False)]}


@report.scenario
def retrieve() -> dict:
    job = service.job(ids["session_sampler"])
    metrics = job.metrics()
    return {"class": type(job).__name__, "program_id": job.program_id,
            "session_id": job.session_id, "backend": job.backend().name,
            "counts": counts_of(job.result()[0]), "status": job.status(),
            "metrics_usage": metrics.get("usage"), "metrics_keys": sorted(metrics),
            "logs": job.logs(), "creation_date": job.creation_date,
            "tags": service.job(ids["batch_sampler"]).tags}


@report.scenario
def cancel() -> dict:
    job = SamplerV2(mode=simulator).run([wide_circuit()], shots=10)
    job.cancel()
    wait_until(lambda: job.status() == "CANCELLED")
    again = error_of(job.cancel)
    return {"status": job.status(), "result": error_of(job.result), "cancel_again": again}


@report.scenario
def failure() -> dict:
    job = service.job(os.environ["QRT_FAILED_SAMPLER"])
    error = error_of(job.result)
    run_job = service.job(os.environ["QRT_FAILED_RUN"])
    return {"status": job.status().name, "error_message": job.error_message(), "result": error,
            "backend_run_result": error_of(run_job.result), "backend_run_status":
            run_job.status().name}


@report.scenario
def refused() -> dict:
    return {"sampler": error_of(lambda: SamplerV2(mode=simulator).run([unsimulable_circuit()],
                                                                      shots=10)),
            "backend_run": error_of(lambda: simulator.run(unsimulable_circuit(), shots=10))}


@report.scenario
def delete() -> dict:
    job = simulator.run(bell(), shots=10)
    job.result()
    service.delete_job(job.job_id())
    return {"job": error_of(lambda: service.job(job.job_id()))}


@report.scenario
def bad_input() -> dict:
    not_isa = bell_pair()  # h and cx: not in ibm_qrt_falcon's basis
    client_side = error_of(lambda: SamplerV2(mode=device).run([not_isa]))
    posted = error_of(lambda: service.run(
        "sampler", {"pubs": [(not_isa,)], "version": 2, "support_qiskit": True},
        options={"backend": "ibm_qrt_falcon"}))
    unknown = error_of(lambda: service.backend("ibm_nowhere"))
    unknown_posted = error_of(lambda: service._api_client.program_run(
        program_id="sampler", backend_name="ibm_nowhere",
        params={"pubs": [(isa,)], "version": 2}, image=None, hgp=None, log_level=None,
        session_id=None))
    shots = error_of(lambda: SamplerV2(mode=device).run([isa], shots=-1).result())
    return {"non_isa_client": client_side, "non_isa_posted": posted,
            "unknown_backend": unknown, "unknown_backend_posted": unknown_posted,
            "negative_shots": shots}


@report.scenario
def timing() -> dict:
    # One more Bell job through backend.run: the first status read should find it final.
    run_started = time.perf_counter()
    counts = simulator.run(bell(), shots=100).result().get_counts()
    return {"seconds": time.perf_counter() - run_started, "counts": counts}



@report.scenario
def estimator_v1_levels() -> dict:
    # The seed era's V1 Estimator on the noisy device, at each resilience level.
    circuit = QuantumCircuit(2)
    circuit.x(0)
    for _ in range(6):  # twelve CNOTs that multiply to the identity: gate noise only
        circuit.cx(0, 1)
        circuit.barrier()
        circuit.cx(0, 1)
        circuit.barrier()
    laid_out = transpile(circuit, backend=device, seed_transpiler=1)  # 0.27.1 asks for ISA
    z0 = SparsePauliOp("IZ").apply_layout(laid_out.layout)
    found = {}
    for level in (0, 1, 2):
        estimator = Estimator(backend=device, options={
            "resilience_level": level, "execution": {"shots": 20_000},
            "simulator": {"seed_simulator": 5}})
        result = estimator.run(laid_out, z0).result()
        found[f"level{level}"] = {"value": float(result.values[0]),
                                  "variance": float(result.metadata[0]["variance"]),
                                  "shots": result.metadata[0]["shots"]}
    return found



@report.scenario
def estimator_v2_levels() -> dict:
    one = QuantumCircuit(1)
    one.x(0)
    laid_out = transpile(one, backend=device, seed_transpiler=1)
    z = SparsePauliOp("Z").apply_layout(laid_out.layout)
    found = {}
    for level in (0, 1):
        estimator = EstimatorV2(backend=device, options={"resilience_level": level,
                                                         "seed_estimator": 5})
        result = estimator.run([(laid_out, z)], precision=0.01).result()
        found[f"level{level}"] = {"ev": float(result[0].data.evs),
                                  "std": float(result[0].data.stds)}
    return found


report.emit()
