"""qiskit-ibm-runtime 0.51 on Qiskit 2.x, channel ibm_quantum_platform, against qruntime.

The least configuration that client allows: ``IAM_URL`` names the server (its
``/identity/token``), ``QISKIT_FUNCTIONS_EXPERIMENTAL=1`` skips the IBM Cloud
instance search for a CRN ``instance``, and ``url`` contains ``experimental``
so that the client uses it as it is. One run of ``scripts/runtime051.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from .conftest import LiveServer, platform_env, run_stock, section

pytestmark = pytest.mark.stock


#: The reason of the failed job the client reads.
FAILURE = "The simulation failed: an injected fault"


@pytest.fixture(scope="module")
def run(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    token, instance = live_server.new_token()
    env = platform_env(tmp_path_factory.mktemp("runtime051") / "home", live_server, token)
    env["QRT_FAILED_SAMPLER"] = live_server.failed_job(instance, "sampler", FAILURE)
    report = run_stock("0.51.0", "runtime051.py", env)
    with live_server.http(token) as http:
        jobs = http.get("/jobs", params={"limit": 100}).json()["jobs"]
    return {"report": report, "jobs": {job["id"]: job for job in jobs}, "instance": instance}


def test_the_client_connects_with_the_least_configuration(run: dict[str, Any]) -> None:
    backends = section(run["report"], "backends")
    assert {"ibmq_qasm_simulator", "ibm_qrt_falcon"} <= set(backends["names"])
    assert backends["simulator_flags"]["ibmq_qasm_simulator"] is True
    assert backends["simulator_flags"]["ibm_qrt_falcon"] is False
    assert backends["falcon_qubits"] == 27
    assert backends["instance"].startswith("crn:")


def test_sampler_and_estimator_v2_in_a_session(run: dict[str, Any]) -> None:
    session = section(run["report"], "session")
    assert session["session_id"]
    assert session["sampler_session_id"] == session["estimator_session_id"] == session[
        "session_id"]
    assert session["details"]["mode"] == "dedicated" and session["status"] == "DONE"
    assert session["shots"] == 123 == sum(session["counts"].values())
    first, second = session["seeded"]
    assert first == second and sum(first.values()) == 500
    assert 0.8 < session["evs"] < 1.1  # TREX-mitigated: it may pass 1 by its stds
    ours = [job for job in run["jobs"].values() if job["session_id"] == session["session_id"]]
    assert len(ours) == 4


def test_sampler_and_estimator_v2_in_a_batch(run: dict[str, Any]) -> None:
    batch = section(run["report"], "batch")
    assert batch["mode"] == "batch" and batch["job_session_ids"] == [batch["session_id"]] * 2
    for counts in batch["bell"]:
        assert sum(counts.values()) == 200 and counts["00"] + counts["11"] > 160
    assert 0.8 < batch["evs"] < 1.1  # TREX-mitigated: it may pass 1 by its stds


def test_parametrized_circuits_from_qiskit_2(run: dict[str, Any]) -> None:
    parametrized = section(run["report"], "parametrized")
    assert parametrized["shape"] == [2] and parametrized["ones"] == [0, 100]
    assert parametrized["evs"] == [pytest.approx(1.0), pytest.approx(-1.0)]


def test_jobs_filters(run: dict[str, Any]) -> None:
    listing = section(run["report"], "listing")
    listed_at = datetime.fromisoformat(listing["listed_at"])
    jobs = {i: job for i, job in run["jobs"].items()
            if datetime.fromisoformat(job["created"].replace("Z", "+00:00")) < listed_at}
    session = section(run["report"], "session")
    assert set(listing["falcon"]) == {i for i, j in jobs.items()
                                      if j["backend"] == "ibm_qrt_falcon"}
    assert set(listing["in_session"]) == {i for i, j in jobs.items()
                                          if j["session_id"] == session["session_id"]}
    assert len(listing["tagged"]) == 1 and jobs[listing["tagged"][0]]["tags"] == [
        "stock-051-batch"]
    assert set(listing["estimators"]) == {i for i, j in jobs.items()
                                          if j["program"]["id"] == "estimator"}
    assert listing["pending"] == []
    assert listing["all_ascending"] == sorted(jobs, key=lambda i: jobs[i]["created"])
    assert listing["page"] == listing["all_ascending"][1:3]


def test_job_by_id_and_usage(run: dict[str, Any]) -> None:
    retrieved = section(run["report"], "retrieve")
    session = section(run["report"], "session")
    assert retrieved["class"] == "RuntimeJobV2" and retrieved["program_id"] == "sampler"
    assert retrieved["session_id"] == session["session_id"] and retrieved["status"] == "DONE"
    assert retrieved["counts"] == session["counts"]
    assert retrieved["metrics"]["usage"]["qpu_charge_time_seconds"] > 0
    assert retrieved["tags"] == ["stock-051-batch"]
    usage = section(run["report"], "usage")["usage"]
    assert usage["instance"] == run["instance"]
    assert usage["usage_consumed_seconds"] > 0 and usage["usage_limit_reached"] is False


def test_cancelled_and_refused_jobs(run: dict[str, Any]) -> None:
    cancel = section(run["report"], "cancel")
    assert cancel["status"] == "CANCELLED"
    assert cancel["result"]["type"] == "RuntimeInvalidStateError"
    failure = section(run["report"], "failure")
    assert failure["status"] == "ERROR"
    assert failure["result"]["type"] == "RuntimeJobFailureError"
    assert FAILURE in failure["result"]["message"]
    refused = section(run["report"], "refused")["sampler"]  # before it has a job id
    assert refused["type"] == "IBMRuntimeError", refused
    assert "cannot run on" in refused["message"] and "ibmq_qasm_simulator" in refused["message"]
    assert "32 qubits" in refused["message"] and "64 GiB" in refused["message"], refused


def test_bad_input_gives_stock_error_types_with_our_message(run: dict[str, Any]) -> None:
    bad = section(run["report"], "bad_input")
    assert bad["non_isa_client"]["type"] == "IBMInputValueError"
    posted = bad["non_isa_posted"]
    assert posted["type"] == "IBMRuntimeError" and "is not ISA" in posted["message"]
    assert "ecr, " in posted["message"]
    assert bad["unknown_backend"]["type"] == "QiskitBackendNotFoundError"
    unknown = bad["unknown_backend_posted"]
    assert unknown["type"] == "RequestsApiError"
    assert "ibm_nowhere" in unknown["message"] and "ibm_qrt_falcon" in unknown["message"]
