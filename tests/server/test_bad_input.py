"""Bad input, route by route: a 4xx in the protocol's error shape that names what is wrong."""

from __future__ import annotations

import base64
import json
import threading
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from qiskit import QuantumCircuit

from qruntime.engine import Engine
from qruntime.engine.store import Database, sqlite_url
from qruntime.server import create_app

from .calls import SIMULATOR, bell_circuit, error_of, job_body, submit, wait_final
from .conftest import MAX_BODY


def raw_job(**fields: Any) -> str:
    """A job body with ``fields`` as given (params already encoded)."""
    body = json.loads(job_body())
    body.update(fields)
    return json.dumps(body)


def circuit_envelope(value: str) -> dict[str, str]:
    return {"__type__": "QuantumCircuit", "__value__": value}


@pytest.mark.parametrize("method, path", [
    ("POST", "/runtime/jobs"), ("POST", "/runtime/sessions"),
    ("PUT", "/runtime/jobs/x/tags"), ("PATCH", "/runtime/sessions/x"),
])
@pytest.mark.parametrize("body, expected", [
    (b"{not json", "request body is not valid JSON: "),
    (b"", "request body is empty"),
    (b"[1, 2]", "must be a JSON object, not an array"),
    (b"\xff\xfe\xfa", "request body is not valid JSON: "),
    (b"[" * 100_000 + b"]" * 100_000, "request body is not valid JSON: "),
])
def test_bodies_that_are_not_json_objects(
    api: httpx.Client, method: str, path: str, body: bytes, expected: str
) -> None:
    assert expected in error_of(api.request(method, path, content=body), 400)


@pytest.mark.parametrize("fields, expected", [
    ({"program_id": 5}, "field 'program_id' must be a string, not a number"),
    ({"program_id": None}, "field 'program_id' is required"),
    ({"program_id": "nope"}, "Unknown program 'nope'. Allowed: circuit-runner"),
    ({"backend": ["x"]}, "field 'backend' must be a string, not an array"),
    ({"backend": "ibm_nowhere"}, "'ibm_nowhere' not found; available backends: "),
    ({"params": "x"}, "field 'params' must be an object, not a string"),
    ({"params": [1]}, "field 'params' must be an object, not an array"),
    ({"tags": "a"}, "field 'tags' must be an array of strings, not a string"),
    ({"tags": [1]}, "field 'tags' must be an array of strings, not an array"),
    ({"session_id": 7}, "field 'session_id' must be a string"),
    ({"private": "yes"}, "field 'private' must be a boolean, not a string"),
    ({"start_session": 1}, "field 'start_session' must be a boolean"),
    ({"cost": "long"}, "field 'cost' must be a whole number of seconds, not a string"),
    ({"cost": -5}, "field 'cost' must be a positive whole number of seconds"),
    ({"cost": True}, "field 'cost' must be a whole number of seconds, not a boolean"),
    ({"cost": 2**31}, "field 'cost' must be a positive whole number of seconds, at most 2147"),
    ({"cost": 1e300}, "field 'cost' must be a positive whole number of seconds, at most 2147"),
    ({"runtime": 3}, "field 'runtime' must be a string"),
    ({"log_level": {}}, "field 'log_level' must be a string, not an object"),
    ({"session_id": "no-such-session"}, "session no-such-session does not exist"),
    ({"hub": "a", "group": "b", "project": "c"}, "hub/group/project 'a/b/c' is not"),
])
def test_job_fields_of_the_wrong_type_or_value(
    api: httpx.Client, fields: dict[str, Any], expected: str
) -> None:
    assert expected in error_of(api.post("/runtime/jobs", content=raw_job(**fields)), 400)


def test_unknown_backend_lists_the_names(api: httpx.Client) -> None:
    message = error_of(api.post("/runtime/jobs", content=job_body(backend="ibm_nowhere")), 400)
    assert all(name in message for name in (SIMULATOR, "ibm_qrt_falcon", "ibm_qrt_eagle"))


def test_unknown_body_keys_are_accepted(api: httpx.Client) -> None:
    job_id = submit(api, raw_job(calibration_id="c1", channel_strategy="q-ctrl",
                                 session_time=None, something_new={"a": 1}))
    assert wait_final(api, job_id)["state"]["status"] == "Completed"


@pytest.mark.parametrize("params, expected", [
    ({"circuits": [bell_circuit()], "shots": -1}, "shots"),
    ({"circuits": [bell_circuit()], "shots": 1.5}, "shots"),
    ({"circuits": [], "shots": 10}, "non-empty list"),
    ({"circuits": [bell_circuit()], "method": "x"}, "'params.method'"),
])
def test_params_the_program_refuses(api: httpx.Client, params: dict[str, Any],
                                    expected: str) -> None:
    assert expected in error_of(api.post("/runtime/jobs", content=job_body(params=params)), 400)


@pytest.mark.parametrize("name, value, allowed", [
    *[("meas_level", value, "Allowed: 2.") for value in ([], {}, "x", [1, 2], {"a": 1}, 2.5,
                                                          True, 1)],
    *[("memory", value, "must be true or false") for value in ("x", 1, [], {"a": 1})],
    *[("init_qubits", value, "Allowed: True.") for value in ("x", 1, [], False)],
    *[("meas_return", value, "Allowed: 'avg', 'single'.") for value in ("x", 1, [], {})],
    ("skip_transpilation", 3, "must be true or false"),
    ("header", [], "must be a dict"),
    ("seed_simulator", 2**63, "between 0 and 9223372036854775807"),
    ("seed_simulator", -1, "between 0 and 9223372036854775807"),
    ("seed_simulator", "7", "between 0 and 9223372036854775807"),
])
def test_run_options_of_the_wrong_type_or_value(
    api: httpx.Client, name: str, value: Any, allowed: str
) -> None:
    params = {"circuits": [bell_circuit()], name: value}
    message = error_of(api.post("/runtime/jobs", content=job_body(params=params)), 400)
    assert f"params['{name}']" in message and allowed in message
    assert api.get("/runtime/jobs").json()["count"] == 0


def test_non_isa_circuit_names_the_instruction_and_the_basis(api: httpx.Client) -> None:
    body = job_body(params={"circuits": [bell_circuit()]}, backend="ibm_qrt_falcon")
    message = error_of(api.post("/runtime/jobs", content=body), 400)
    assert "'h'" in message and "ecr" in message


def test_too_wide_circuit_names_both_sizes(api: httpx.Client) -> None:
    wide = QuantumCircuit(33)
    wide.measure_all()
    message = error_of(api.post("/runtime/jobs", content=job_body(params={"circuits": [wide]})),
                       400)
    assert "33" in message and "32" in message


@pytest.mark.parametrize("envelope, expected", [
    (circuit_envelope("!!! not base64 !!!"), "QuantumCircuit"),
    (circuit_envelope(base64.b64encode(b"not zlib").decode()), "QuantumCircuit"),
    (circuit_envelope(base64.b64encode(zlib.compress(b"QISKIT garbage")).decode()),
     "QuantumCircuit"),
    (circuit_envelope(12), "QuantumCircuit"),
    ({"__type__": "ndarray", "__value__": "@@@"}, "ndarray"),
    ({"__type__": "NoSuchType", "__value__": 1}, "NoSuchType"),
])
def test_malformed_envelopes_are_refused_before_queueing(
    api: httpx.Client, envelope: dict[str, Any], expected: str
) -> None:
    body = json.dumps({"program_id": "circuit-runner", "backend": SIMULATOR,
                       "params": {"circuits": [envelope], "shots": 10}})
    assert expected in error_of(api.post("/runtime/jobs", content=body), 400)
    assert api.get("/runtime/jobs").json()["count"] == 0


def test_body_over_the_cap_is_413_declared_or_streamed(api: httpx.Client) -> None:
    big = b'{"pad": "' + b"x" * (MAX_BODY + 10) + b'"}'
    message = error_of(api.post("/runtime/jobs", content=big), 413)
    assert str(MAX_BODY) in message

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    assert str(MAX_BODY) in error_of(api.post("/runtime/jobs", content=chunks()), 413)
    submit(api)  # the server is none the worse


@pytest.mark.parametrize("path, query, expected", [
    ("/runtime/jobs", {"limit": "abc"}, "query parameter 'limit'"),
    ("/runtime/jobs", {"limit": "-1"}, "query parameter 'limit'"),
    ("/runtime/jobs", {"offset": "-3"}, "query parameter 'offset'"),
    ("/runtime/jobs", {"offset": str(2**63)},
     "query parameter 'offset': Input should be less than or equal to 9223372036854775807"),
    ("/runtime/jobs", {"offset": str(2**70)},
     "query parameter 'offset': Input should be less than or equal to 9223372036854775807"),
    ("/runtime/jobs", {"limit": str(2**63)},
     "query parameter 'limit': Input should be less than or equal to 9223372036854775807"),
    ("/runtime/jobs", {"offset": "1.5"}, "query parameter 'offset': Input should be a valid"),
    ("/runtime/jobs", {"pending": "maybe"}, "query parameter 'pending'"),
    ("/runtime/jobs", {"exclude_params": "perhaps"}, "query parameter 'exclude_params'"),
    ("/runtime/jobs", {"sort": "UP"}, "'sort' must be ASC or DESC"),
    ("/runtime/jobs", {"created_after": "yesterday"}, "'created_after' must be an ISO 8601"),
    ("/runtime/jobs", {"created_before": "2024-13-45"}, "'created_before' must be an ISO 8601"),
    ("/runtime/jobs/{job}/wait", {"timeout": "soon"}, "query parameter 'timeout'"),
    ("/runtime/jobs/{job}/wait", {"timeout": "-1"}, "query parameter 'timeout'"),
    ("/runtime/jobs/{job}/wait", {"timeout": "nan"}, "query parameter 'timeout'"),
    ("/runtime/jobs/{job}", {"exclude_params": "2"}, "query parameter 'exclude_params'"),
])
def test_bad_query_parameters_are_400_not_422(
    api: httpx.Client, path: str, query: dict[str, str], expected: str
) -> None:
    job_id = submit(api)
    response = api.get(path.format(job=job_id), params=query)
    assert expected in error_of(response, 400)
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("body, expected", [
    ({}, "field 'backend' is required"),
    ({"backend": 5}, "field 'backend' must be a string"),
    ({"backend": "ibm_nowhere"}, "available backends"),
    ({"backend": SIMULATOR, "mode": "solo"}, "'solo'"),
    ({"backend": SIMULATOR, "mode": 3}, "field 'mode' must be a string"),
    ({"backend": SIMULATOR, "max_ttl": "long"}, "field 'max_ttl'"),
    ({"backend": SIMULATOR, "max_ttl": -1}, "field 'max_ttl'"),
    ({"backend": SIMULATOR, "max_session_ttl": 0.5}, "field 'max_session_ttl'"),
    ({"backend": SIMULATOR, "max_ttl": 2**70}, "field 'max_ttl' must be a positive whole number "
     "of seconds, at most 2147483647"),
    ({"backend": SIMULATOR, "max_session_ttl": 1e300}, "at most 2147483647"),
])
def test_session_bodies_refused(api: httpx.Client, body: dict[str, Any], expected: str) -> None:
    assert expected in error_of(api.post("/runtime/sessions", json=body), 400)


def test_session_and_tag_updates_refused(api: httpx.Client) -> None:
    session_id = api.post("/runtime/sessions", json={"backend": SIMULATOR}).json()["id"]
    for body in ({"accepting_jobs": True}, {}, {"accepting_jobs": "no"}):
        assert "accepting_jobs" in error_of(
            api.patch(f"/runtime/sessions/{session_id}", json=body), 400)
    job_id = submit(api)
    for body, expected in (({}, "field 'tags' is required"),
                           ({"tags": "a"}, "field 'tags' must be an array of strings")):
        assert expected in error_of(api.put(f"/runtime/jobs/{job_id}/tags", json=body), 400)


def test_unknown_ids_routes_and_methods(api: httpx.Client) -> None:
    assert "nosuch" in error_of(api.get("/runtime/jobs/nosuch"), 404)
    assert "nosuch" in error_of(api.get("/runtime/sessions/nosuch"), 404)
    assert "no such route: GET /runtime/nothing" in error_of(api.get("/runtime/nothing"), 404)
    assert "no such route" in error_of(api.get("/elsewhere"), 404)
    assert "method PATCH is not allowed" in error_of(api.patch("/runtime/jobs"), 405)


def test_internal_errors_are_500_with_the_error_body(tmp_path: Any) -> None:
    database = Database(sqlite_url(tmp_path / "broken.db"))
    engine = Engine(database, run_jobs=False)
    token = engine.accounts.create_token("hub/grp/proj")
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE jobs")  # a fault of ours, not of the request
    config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=0, log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}",
                          headers={"Authorization": f"Bearer {token}"}) as http:
            response = http.get("/runtime/jobs/abc")
            assert "internal server error" in error_of(response, 500)
            assert response.json()["error"]["code"] == "internal_error"
    finally:
        server.should_exit = True
        thread.join(10)
        engine.close()


def test_openapi_lists_the_4xx_of_each_route_in_the_error_shape(api: httpx.Client) -> None:
    document = api.get("/openapi.json").json()
    operations = {(method, path): operation for path, methods in document["paths"].items()
                  for method, operation in methods.items()}

    def errors(method: str, path: str) -> set[str]:
        return {status for status in operations[method, path]["responses"] if status[0] == "4"}

    assert errors("post", "/runtime/jobs") == {"400", "401", "409", "413"}
    assert errors("get", "/runtime/jobs") == {"400", "401"}
    assert errors("get", "/runtime/jobs/{job_id}/results") == {"401", "404", "409"}
    assert errors("patch", "/runtime/sessions/{session_id}") == {"400", "401", "404", "413"}
    assert errors("get", "/runtime/backends/{name}/configuration") == {"401", "404"}
    assert errors("post", "/identity/token") == {"400", "401", "413"}
    assert errors("get", "/api/version") == set()
    for (method, path), operation in operations.items():
        assert "422" not in operation["responses"], (method, path)  # bad input is a 400 here
        for status in errors(method, path):
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    assert document["components"]["schemas"]["Error"]["properties"]["error"]["required"] == [
        "code", "message"]
    offset = next(p for p in operations["get", "/runtime/jobs"]["parameters"]
                  if p["name"] == "offset")
    assert offset["schema"]["maximum"] == 2**63 - 1
