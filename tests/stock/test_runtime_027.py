"""qiskit-ibm-runtime 0.27.1 on Qiskit 1.4, channel ibm_quantum, against qruntime.

One run of ``scripts/runtime027.py`` per module; each test reads its part.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from .conftest import LiveServer, run_stock, section, stock_env

pytestmark = pytest.mark.stock


#: The reason of the failed jobs the clients read.
FAILURE = "The simulation failed: an injected fault"


@pytest.fixture(scope="module")
def run(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    token, instance = live_server.new_token()
    env = stock_env(tmp_path_factory.mktemp("runtime027") / "home", live_server, token,
                    QRT_FAILED_SAMPLER=live_server.failed_job(instance, "sampler", FAILURE),
                    QRT_FAILED_RUN=live_server.failed_job(instance, "circuit-runner", FAILURE))
    report = run_stock("0.27.1", "runtime027.py", env)
    with live_server.http(token) as http:
        jobs = http.get("/jobs", params={"limit": 100}).json()["jobs"]
    return {"report": report, "jobs": {job["id"]: job for job in jobs}, "instance": instance}


def test_sampler_and_estimator_v2_in_a_session(run: dict[str, Any]) -> None:
    session = section(run["report"], "session")
    assert session["session_id"]
    assert session["sampler_session_id"] == session["estimator_session_id"] == session[
        "session_id"]
    assert session["details"]["mode"] == "dedicated" and session["details"]["accepting_jobs"]
    assert session["status"] == "DONE"
    # options.default_shots = 123 gives 123 shots; the noisy device still favours 00 and 11.
    assert session["shots"] == 123 == sum(session["counts"].values())
    assert session["counts"]["00"] + session["counts"]["11"] > 100
    # The same seed_simulator gives the same counts twice.
    first, second = session["seeded"]
    assert first == second and sum(first.values()) == 500
    assert 0.8 < session["evs"] < 1.1  # TREX-mitigated: it may pass 1 by its stds


def test_sampler_and_estimator_v2_in_a_batch(run: dict[str, Any]) -> None:
    batch = section(run["report"], "batch")
    assert batch["session_id"] and batch["job_session_ids"] == [batch["session_id"]] * 2
    assert batch["mode"] == "batch"
    session = section(run["report"], "session")
    assert batch["session_id"] != session["session_id"]
    for counts in batch["bell"]:
        assert sum(counts.values()) == 200 and counts["00"] + counts["11"] > 160
    assert 0.8 < batch["evs"] < 1.1  # TREX-mitigated: it may pass 1 by its stds
    # The server holds the same sessions.
    ours = [job for job in run["jobs"].values() if job["session_id"] == batch["session_id"]]
    assert sorted(job["program"]["id"] for job in ours) == ["estimator", "sampler"]


def test_parametrized_circuits_from_qiskit_1_4_load_on_the_server(run: dict[str, Any]) -> None:
    parametrized = section(run["report"], "parametrized")
    assert parametrized["shape"] == [2]
    # ry(2*theta): theta = 0 leaves |0>, theta = pi/2 rotates to |1>.
    assert parametrized["ones"] == [0, 100]
    assert parametrized["evs"] == [pytest.approx(1.0), pytest.approx(-1.0)]


def test_v1_estimator_results_decode(run: dict[str, Any]) -> None:
    estimator = section(run["report"], "estimator_v1")
    assert estimator["values"] == [pytest.approx(1.0)]
    assert estimator["metadata"][0]["shots"] == 1000


def test_jobs_filters(run: dict[str, Any]) -> None:
    listing = section(run["report"], "listing")
    session = section(run["report"], "session")
    batch = section(run["report"], "batch")
    listed_at = datetime.fromisoformat(listing["listed_at"])
    jobs = {i: job for i, job in run["jobs"].items()
            if datetime.fromisoformat(job["created"].replace("Z", "+00:00")) < listed_at}

    def ids(**where: Any) -> set[str]:
        return {i for i, job in jobs.items()
                if all(_field(job, key) == value for key, value in where.items())}

    assert set(listing["falcon"]) == ids(backend="ibm_qrt_falcon")
    assert set(listing["in_session"]) == ids(session_id=session["session_id"])
    assert len(listing["in_session"]) == 4  # default_shots, seeded twice, estimator
    assert listing["tagged"] == [j for j in listing["falcon"]
                                 if jobs[j]["session_id"] == batch["session_id"]
                                 and jobs[j]["program"]["id"] == "sampler"]
    assert set(listing["samplers"]) == {i for i in ids(program="sampler")
                                        if jobs[i]["state"]["status"] != "Queued"}
    assert listing["pending"] == [] and listing["early"] == []
    ascending = listing["all_ascending"]
    assert listing["page"] == ascending[1:3]
    assert ascending == sorted(jobs, key=lambda i: jobs[i]["created"])


def _field(job: dict[str, Any], key: str) -> Any:
    return job["program"]["id"] if key == "program" else job[key]


def test_job_by_id_metrics_and_logs(run: dict[str, Any]) -> None:
    retrieved = section(run["report"], "retrieve")
    session = section(run["report"], "session")
    assert retrieved["class"] == "RuntimeJobV2" and retrieved["program_id"] == "sampler"
    assert retrieved["session_id"] == session["session_id"]
    assert retrieved["backend"] == "ibm_qrt_falcon" and retrieved["status"] == "DONE"
    assert retrieved["counts"] == session["counts"]
    assert retrieved["metrics_usage"]["quantum_seconds"] > 0
    assert {"timestamps", "usage", "position_in_queue"} <= set(retrieved["metrics_keys"])
    assert "sampler on ibm_qrt_falcon: completed" in retrieved["logs"]
    assert retrieved["tags"] == ["stock-027-batch"]


def test_cancel_then_result_is_the_stock_invalid_state_error(run: dict[str, Any]) -> None:
    cancel = section(run["report"], "cancel")
    assert cancel["status"] == "CANCELLED"
    # The stock client answers a cancelled job's result() itself, without asking the server.
    assert cancel["result"]["type"] == "RuntimeInvalidStateError"
    assert "Job was cancelled" in cancel["result"]["message"]
    # A second cancel reaches the server: its 409 and message come back inside the stock error.
    assert cancel["cancel_again"]["type"] == "RuntimeInvalidStateError"
    assert "is already cancelled" in cancel["cancel_again"]["message"]


def test_a_failed_job_is_a_job_failure_with_our_reason(run: dict[str, Any]) -> None:
    failure = section(run["report"], "failure")
    assert failure["status"] == "ERROR" and failure["backend_run_status"] == "ERROR"
    for error in (failure["result"], failure["backend_run_result"]):
        assert error["type"] == "RuntimeJobFailureError"
        assert FAILURE in error["message"], error
    assert FAILURE in failure["error_message"]


def test_a_job_no_simulation_fits_is_refused_when_submitted_with_our_reason(
    run: dict[str, Any],
) -> None:
    refused = section(run["report"], "refused")
    for error in (refused["sampler"], refused["backend_run"]):
        assert "cannot run on" in error["message"] and "ibmq_qasm_simulator" in error["message"]
        assert "32 qubits" in error["message"] and "64 GiB" in error["message"], error


def test_delete_job(run: dict[str, Any]) -> None:
    deleted = section(run["report"], "delete")["job"]
    assert deleted["type"] == "RuntimeJobNotFound" and "not found" in deleted["message"]


def test_bad_input_gives_stock_error_types_with_our_message(run: dict[str, Any]) -> None:
    bad = section(run["report"], "bad_input")
    # The stock client checks ISA itself, before sending anything ...
    assert bad["non_isa_client"]["type"] == "IBMInputValueError"
    # ... and a non-ISA job posted anyway gets our 400, inside its IBMRuntimeError.
    posted = bad["non_isa_posted"]
    assert posted["type"] == "IBMRuntimeError"
    assert "is not ISA: instruction \\\\'h\\\\' is not supported" in posted["message"] or (
        "is not ISA" in posted["message"] and "ecr, " in posted["message"]), posted
    # An unknown backend: the stock client's own lookup, then our message when posted.
    assert bad["unknown_backend"]["type"] == "QiskitBackendNotFoundError"
    unknown = bad["unknown_backend_posted"]
    assert unknown["type"] == "RequestsApiError"
    assert "ibm_nowhere" in unknown["message"] and "ibm_qrt_falcon" in unknown["message"]
    shots = bad["negative_shots"]
    assert shots["type"] in ("ValueError", "IBMInputValueError", "IBMRuntimeError"), shots


def test_a_small_job_is_final_at_the_first_status_read(run: dict[str, Any]) -> None:
    timing = section(run["report"], "timing")
    assert sum(timing["counts"].values()) == 100
    # Without it, the stock client sleeps 0.1 s after a first read that is not final.
    assert timing["seconds"] < 2.0


def test_v1_estimator_levels_mitigate_on_the_noisy_device(run: dict[str, Any]) -> None:
    levels = {k: v for k, v in section(run["report"], "estimator_v1_levels").items()
              if k.startswith("level")}
    errors = {k: abs(v["value"] + 1) for k, v in levels.items()}  # exact <Z_0> = -1
    stds = {k: (v["variance"] / 20_000) ** 0.5 for k, v in levels.items()}
    # Level 1 (TREX) removes the readout error, level 2 (ZNE) most of the gates'.
    assert errors["level0"] - errors["level1"] > 4 * (stds["level0"] + stds["level1"]), errors
    assert errors["level1"] - errors["level2"] > 3 * (stds["level1"] + stds["level2"]), errors
    assert levels["level0"]["shots"] == 20_000 and levels["level2"]["shots"] == 60_000


def test_estimator_v2_levels_on_the_noisy_device(run: dict[str, Any]) -> None:
    levels = section(run["report"], "estimator_v2_levels")
    raw, trex = levels["level0"], levels["level1"]
    assert raw["ev"] + 1 > 8 * raw["std"]  # <Z> of |1> with the readout error in it
    assert abs(trex["ev"] + 1) < 4 * trex["std"] + 1e-3

