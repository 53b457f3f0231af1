"""Every ``/runtime`` route's happy path, with circuits encoded by the wire codec."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx
import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import PrimitiveResult

from qruntime import wire

from .calls import SIMULATOR, bell_circuit, error_of, job_body, submit, wait_final
from .conftest import Server

FINAL = ("Completed", "Failed", "Cancelled")


def test_circuit_runner_job_from_submit_to_delete(server: Server) -> None:
    with server.client(server.new_token()) as http:
        answer = http.post("/runtime/jobs", content=job_body(tags=["bell"])).json()
        assert answer["backend"] == SIMULATOR
        job_id = answer["id"]
        full = http.get(f"/runtime/jobs/{job_id}").json()
        assert full["params"]["circuits"][0]["__type__"] == "QuantumCircuit"
        assert full["program"] == {"id": "circuit-runner"} and full["session_id"] is None
        assert "params" not in http.get(f"/runtime/jobs/{job_id}",
                                        params={"exclude_params": "true"}).json()
        assert wait_final(http, job_id)["state"]["status"] == "Completed"

        results = http.get(f"/runtime/jobs/{job_id}/results")
        assert results.headers["content-type"] == "application/json"
        counts = wire.loads(results.text)["results"][0]["data"]["counts"]
        assert set(counts) <= {"0x0", "0x3"} and sum(counts.values()) == 1000
        assert "completed" in http.get(f"/runtime/jobs/{job_id}/logs").text
        metrics = http.get(f"/runtime/jobs/{job_id}/metrics").json()
        assert metrics["usage"]["quantum_seconds"] >= 0
        assert http.get(f"/runtime/jobs/{job_id}/interim_results").json() == []
        assert http.get(f"/runtime/facade/v1/jobs/{job_id}/type").json() == {"type": "RUNTIME"}

        assert http.put(f"/runtime/jobs/{job_id}/tags", json={"tags": ["x", "y"]}
                        ).status_code == 204
        assert http.get(f"/runtime/jobs/{job_id}").json()["tags"] == ["x", "y"]
        assert "already completed" in error_of(http.post(f"/runtime/jobs/{job_id}/cancel"), 409)
        assert http.delete(f"/runtime/jobs/{job_id}").status_code == 204
        error_of(http.get(f"/runtime/jobs/{job_id}"), 404)


def test_sampler_and_estimator_v2_jobs(api: httpx.Client) -> None:
    bell = bell_circuit()
    sampler = submit(api, job_body("sampler", {
        "pubs": [[bell, np.array([]), 500]], "options": {}, "version": 2,
        "support_qiskit": True}))
    unmeasured = QuantumCircuit(2)
    unmeasured.h(0)
    unmeasured.cx(0, 1)
    estimator = submit(api, job_body("estimator", {
        "pubs": [[unmeasured, [{"ZZ": 1.0}, {"XX": 1.0}], np.array([]), None]],
        "options": {}, "version": 2, "support_qiskit": True}))
    for job_id in (sampler, estimator):
        assert wait_final(api, job_id)["state"]["status"] == "Completed"
    sampled = wire.loads(api.get(f"/runtime/jobs/{sampler}/results").text)
    assert isinstance(sampled, PrimitiveResult)
    assert sum(sampled[0].data.c.get_counts().values()) == 500
    estimated = wire.loads(api.get(f"/runtime/jobs/{estimator}/results").text)
    np.testing.assert_allclose(estimated[0].data.evs, [1.0, 1.0])


def test_job_listing_filters_sorts_and_pages(server: Server) -> None:
    with server.client(server.new_token()) as http:
        before = datetime.now(timezone.utc) - timedelta(seconds=5)
        ids = [submit(http, job_body(tags=[f"n{i}", "all"])) for i in range(3)]
        for job_id in ids:
            wait_final(http, job_id)

        def listed(**query: object) -> tuple[list[str], int]:
            page = http.get("/runtime/jobs", params={"exclude_params": "true", **query}).json()
            assert all("params" not in job for job in page["jobs"])
            return [job["id"] for job in page["jobs"]], page["count"]

        assert listed() == (ids[::-1], 3)
        assert listed(sort="ASC") == (ids, 3)
        assert listed(limit=2, offset=1) == (ids[::-1][1:3], 3)
        assert listed(tags=["n1", "all"]) == ([ids[1]], 1)
        assert listed(pending="false", program="circuit-runner", backend=SIMULATOR)[1] == 3
        assert listed(pending="true") == ([], 0)
        assert listed(program="sampler") == ([], 0)
        assert listed(created_after=before.isoformat())[1] == 3
        assert listed(created_before=before.isoformat()) == ([], 0)
        with_params = http.get("/runtime/jobs", params={"limit": 1}).json()["jobs"][0]
        assert with_params["params"]["shots"] == 1000


def test_sessions_open_read_close_and_cancel(server: Server) -> None:
    with server.client(server.new_token()) as http:
        batch = http.post("/runtime/sessions", json={
            "mode": "batch", "backend": SIMULATOR, "max_ttl": 600}).json()
        document = http.get(f"/runtime/sessions/{batch['id']}").json()
        assert (document["mode"], document["backend_name"], document["max_ttl"]) == (
            "batch", SIMULATOR, 600)
        assert document["accepting_jobs"] is True
        job_id = submit(http, job_body(session_id=batch["id"]))
        assert http.get(f"/runtime/jobs/{job_id}").json()["session_id"] == batch["id"]
        wait_final(http, job_id)
        assert http.patch(f"/runtime/sessions/{batch['id']}", json={"accepting_jobs": False}
                          ).status_code == 204
        assert http.get(f"/runtime/sessions/{batch['id']}").json()["accepting_jobs"] is False
        assert "closed" in error_of(
            http.post("/runtime/jobs", content=job_body(session_id=batch["id"])), 409)

        # 0.34 ibm_quantum style: no mode, max_session_ttl.
        dedicated = http.post("/runtime/sessions", json={
            "backend": SIMULATOR, "instance": "whatever-crn", "max_session_ttl": 300}).json()
        assert dedicated["mode"] == "dedicated" and dedicated["max_ttl"] == 300
        assert http.delete(f"/runtime/sessions/{dedicated['id']}/close").status_code == 204
        assert http.get(f"/runtime/sessions/{dedicated['id']}").json()["state"] == "closed"


def test_start_session_makes_the_first_job_the_session(api: httpx.Client) -> None:
    answer = api.post("/runtime/jobs", content=job_body(start_session=True)).json()
    assert answer["session_id"] == answer["id"]
    assert api.get(f"/runtime/sessions/{answer['id']}").json()["id"] == answer["id"]
    follower = submit(api, job_body(session_id=answer["id"]))
    assert api.get(f"/runtime/jobs/{follower}").json()["session_id"] == answer["id"]


def test_backends_in_both_list_shapes_and_their_documents(api: httpx.Client) -> None:
    names = api.get("/runtime/backends", params={"provider": "ibm-q/open/main"}).json()
    assert SIMULATOR in names["devices"]
    assert api.get("/runtime/backends/").json() == names
    for query, headers in (({"include_mocks": "True"}, {}), ({}, {"IBM-API-Version": "x"})):
        devices = api.get("/runtime/backends", params=query, headers=headers).json()["devices"]
        by_name = {device["name"]: device for device in devices}
        assert by_name[SIMULATOR]["qubits"] == 32 and by_name[SIMULATOR]["class"] == "simulator"
        assert by_name["ibm_qrt_falcon"]["class"] == "device"
    configuration = api.get("/runtime/backends/ibm_qrt_falcon/configuration").json()
    assert configuration["n_qubits"] == 27 and configuration["online_date"]
    assert api.get(f"/runtime/backends/{SIMULATOR}/properties").json() is None
    properties = api.get("/runtime/backends/ibm_qrt_falcon/properties",
                         params={"updated_before": "2030-01-01T00:00:00"}).json()
    assert len(properties["qubits"]) == 27
    assert api.get("/runtime/backends/ibm_qrt_falcon/defaults").json() is None
    status = api.get(f"/runtime/backends/{SIMULATOR}/status").json()
    assert status["state"] is True and status["status"] == "active"
    assert "length_queue" in status
    message = error_of(api.get("/runtime/backends/nope/configuration"), 404)
    assert "nope" in message and SIMULATOR in message


def test_usage_in_both_shapes(api: httpx.Client) -> None:
    wait_final(api, submit(api))
    for path in ("/runtime/usage", "/runtime/instances/usage"):
        usage = api.get(path).json()
        assert usage["usage_limit_reached"] is False and usage["usage_consumed_seconds"] > 0
        assert usage["byInstance"][0]["pendingJobs"] == 0


def test_wait_returns_as_soon_as_the_job_is_final(api: httpx.Client) -> None:
    job_id = submit(api)
    started = time.perf_counter()
    document = wait_final(api, job_id, timeout=30)
    assert time.perf_counter() - started < 5
    assert "params" not in document
    # On a final job, at once.
    started = time.perf_counter()
    assert api.get(f"/runtime/jobs/{job_id}/wait").json()["state"]["status"] in FINAL
    assert time.perf_counter() - started < 1


def test_failed_job_serves_its_error_text_as_a_200(
    api: httpx.Client, sqlite_server: Server,
) -> None:
    # A job that failed while running (what cannot run is refused when submitted, so
    # the failure is stored here as a worker stores one).
    from qruntime.engine.ids import new_id
    from qruntime.engine.state import JobState, ReasonCode
    from qruntime.engine.store import JobRecord, utcnow

    token = api.headers["Authorization"].removeprefix("Bearer ")
    instance = sqlite_server.engine.accounts.authenticate(token).instance
    now = utcnow()
    job_id = new_id()
    sqlite_server.engine.jobs_store.insert_finished(
        JobRecord(id=job_id, instance=instance, program_id="circuit-runner",
                  backend="ibm_qrt_eagle", state=JobState.FAILED, created=now, ended=now,
                  reason="The simulation failed: an injected fault",
                  reason_code=int(ReasonCode.FAILED_IN_PROGRAM)),
        result=None, logs="", started=now)
    state = wait_final(api, job_id)["state"]
    assert state["status"] == "Failed" and state["reason"]
    results = api.get(f"/runtime/jobs/{job_id}/results")
    assert results.status_code == 200 and results.headers["content-type"].startswith("text/plain")
    # The stock client reads the text after "Traceback" as the failure's message.
    assert state["reason"] in results.text.split("Traceback", 1)[1]


def test_api_docs_describe_the_routes_and_how_to_authenticate(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    assert {"/runtime/jobs", "/runtime/jobs/{job_id}/wait", "/api/users/loginWithToken",
            "/identity/token"} <= set(schema["paths"])
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])
    assert "requestBody" in schema["paths"]["/runtime/jobs"]["post"]
    assert api.get("/docs").status_code == 200


def test_a_small_job_is_final_in_its_submission_answer_with_its_result_on_request(
    api: httpx.Client, sqlite_server: Server,
) -> None:
    dispatcher = sqlite_server.engine._dispatcher  # the shared server may still be busy
    deadline = time.monotonic() + 120
    assert dispatcher is not None
    workers = dispatcher._process_executor()
    while not dispatcher.idle() or workers.pool.counts()["idle"] == 0:  # nothing pending, a worker free
        assert time.monotonic() < deadline, "the test server never became idle"
        time.sleep(0.05)
    plain = api.post("/runtime/jobs", content=job_body(),
                     headers={"Content-Type": "application/json"})
    assert plain.status_code == 200 and "result" not in plain.json()
    assert plain.json()["state"]["status"] == "Completed"  # it ran while POST was answered
    asked = api.post("/runtime/jobs", content=job_body(),
                     headers={"Content-Type": "application/json",
                              "X-Qruntime-Inline-Result": "1"})
    answer = asked.json()
    stored = api.get(f"/runtime/jobs/{answer['id']}/results").json()
    assert answer["result"] == stored  # the same document the results read serves
    assert sum(answer["result"]["results"][0]["data"]["counts"].values()) > 0
