"""Two instances on one server: neither sees, changes or even detects the other's things."""

from __future__ import annotations

import pytest

from .calls import SIMULATOR, error_of, job_body, submit, wait_final
from .conftest import Server

JOB_READS = ["", "?exclude_params=true", "/wait?timeout=0", "/results", "/logs", "/metrics",
             "/interim_results"]


@pytest.fixture
def owned(server: Server) -> dict[str, str]:
    """A finished job and an open session of one instance, and a token of another."""
    owner = server.new_token()
    with server.client(owner) as http:
        session_id = http.post("/runtime/sessions", json={"backend": SIMULATOR}).json()["id"]
        job_id = submit(http, job_body(tags=["mine"], session_id=session_id))
        wait_final(http, job_id)
    return {"owner": owner, "other": server.new_token(), "job": job_id, "session": session_id}


def test_another_instance_gets_404_on_every_job_route(server: Server, owned: dict[str, str]
                                                      ) -> None:
    job_id = owned["job"]
    with server.client(owned["other"]) as http:
        for suffix in JOB_READS:
            unknown = error_of(http.get(f"/runtime/jobs/nosuchjob{suffix}"), 404)
            message = error_of(http.get(f"/runtime/jobs/{job_id}{suffix}"), 404)
            # The same answer as for an id that does not exist: nothing leaks.
            assert message.replace(job_id, "ID") == unknown.replace("nosuchjob", "ID")
        error_of(http.get(f"/runtime/facade/v1/jobs/{job_id}/type"), 404)
        error_of(http.post(f"/runtime/jobs/{job_id}/cancel"), 404)
        error_of(http.put(f"/runtime/jobs/{job_id}/tags", json={"tags": ["theirs"]}), 404)
        error_of(http.delete(f"/runtime/jobs/{job_id}"), 404)
        for query in ({}, {"session_id": owned["session"]}, {"tags": "mine"}, {"pending": "false"}):
            assert http.get("/runtime/jobs", params=query).json() == {"jobs": [], "count": 0}
        usage = http.get("/runtime/usage").json()
        assert usage["usage_consumed_seconds"] == 0 and usage["pending_jobs"] == 0


def test_another_instance_gets_404_on_every_session_route(server: Server, owned: dict[str, str]
                                                          ) -> None:
    session_id = owned["session"]
    with server.client(owned["other"]) as http:
        error_of(http.get(f"/runtime/sessions/{session_id}"), 404)
        error_of(http.patch(f"/runtime/sessions/{session_id}", json={"accepting_jobs": False}),
                 404)
        error_of(http.delete(f"/runtime/sessions/{session_id}/close"), 404)
        assert "does not exist" in error_of(
            http.post("/runtime/jobs", content=job_body(session_id=session_id)), 400)


def test_the_owner_still_sees_everything_unchanged(server: Server, owned: dict[str, str]) -> None:
    with server.client(owned["other"]) as http:
        http.put(f"/runtime/jobs/{owned['job']}/tags", json={"tags": ["theirs"]})
        http.delete(f"/runtime/jobs/{owned['job']}")
        http.patch(f"/runtime/sessions/{owned['session']}", json={"accepting_jobs": False})
    with server.client(owned["owner"]) as http:
        job = http.get(f"/runtime/jobs/{owned['job']}").json()
        assert job["tags"] == ["mine"] and job["state"]["status"] == "Completed"
        assert http.get(f"/runtime/sessions/{owned['session']}").json()["accepting_jobs"]
        page = http.get("/runtime/jobs", params={"session_id": owned["session"]}).json()
        assert page["count"] == 1


def test_hub_group_project_of_another_instance_is_refused(server: Server,
                                                          owned: dict[str, str]) -> None:
    with server.client(owned["other"]) as http:
        message = error_of(http.post("/runtime/jobs", content=job_body(
            hub="ibm-q", group="open", project="main")), 400)
        assert "ibm-q/open/main" in message
        assert "instance" in error_of(http.post("/runtime/sessions", json={
            "backend": SIMULATOR, "instance": "ibm-q/open/main"}), 400)
