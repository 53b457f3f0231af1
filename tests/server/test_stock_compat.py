"""What the server does for the stock clients (issue 4): first reads, documents, QPY, paths.

The stock clients themselves run in ``tests/stock``; these are the server's
side of it, checked over plain HTTP.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from starlette.datastructures import Headers
from typer.testing import CliRunner

from qruntime import wire
from qruntime.backends.catalog import default_catalog
from qruntime.cli.main import app
from qruntime.server.qpy_downgrade import downgrade, readable_qpy_version
from qruntime.server.wait import read_fresh

from .calls import bell_circuit, job_body, submit, wait_final, wide_circuit
from .conftest import Server

RUNTIME_0271 = "qiskit-version-2/qiskit_ibm_runtime-0.27.1,qiskit-1.4.6*/qiskit"
PROVIDER_011 = "qiskit/1.4.6"
CRN = "crn:v1:qruntime:local:quantum-computing:local:a/qruntime:main::"


def test_the_first_status_read_of_a_small_job_finds_it_final(api: httpx.Client) -> None:
    # Stock clients read once right after submitting, then sleep 0.1 s (0.27) or 3 s (provider).
    for _ in range(2):  # warm: the workers' first job on a backend builds its simulator
        wait_final(api, submit(api))
    for params in ({"exclude_params": "true"}, {}):
        statuses = []
        for _ in range(5):  # a busy machine may miss the 0.1 s window now and then
            job_id = submit(api)
            document = api.get(f"/runtime/jobs/{job_id}", params=params).json()
            assert ("params" in document) == (not params)
            statuses.append(document["state"]["status"])
            if statuses[-1] == "Completed":
                break
        assert "Completed" in statuses, statuses


def test_a_young_job_that_takes_longer_is_answered_within_the_window(api: httpx.Client) -> None:
    job_id = submit(api, job_body(params={"circuits": [wide_circuit()], "shots": 10}))
    started = time.perf_counter()
    document = api.get(f"/runtime/jobs/{job_id}", params={"exclude_params": "true"}).json()
    assert time.perf_counter() - started < 0.5
    assert document["state"]["status"] in ("Queued", "Running")
    assert api.post(f"/runtime/jobs/{job_id}/cancel").status_code == 204
    assert wait_final(api, job_id)["state"]["status"] == "Cancelled"


def test_a_zero_window_reads_at_once(sqlite_server: Server) -> None:
    token = sqlite_server.new_token()
    principal = sqlite_server.engine.accounts.authenticate(token)
    with sqlite_server.client(token) as http:
        job_id = submit(http, job_body(params={"circuits": [wide_circuit()], "shots": 10}))
        started = time.perf_counter()
        document = read_fresh(sqlite_server.engine, principal.instance, job_id, False, 0.0,
                              threading.Event())
        assert time.perf_counter() - started < 0.05
        assert document["state"]["status"] in ("Queued", "Running")
        http.post(f"/runtime/jobs/{job_id}/cancel")


def test_configuration_lists_every_instruction_its_properties_describe(api: httpx.Client) -> None:
    # qiskit-ibm-provider 0.11 builds its Target from configuration "gates" (KeyError otherwise).
    for name in ("ibm_qrt_falcon", "ibm_qrt_eagle"):
        configuration = api.get(f"/runtime/backends/{name}/configuration").json()
        properties = api.get(f"/runtime/backends/{name}/properties").json()
        listed = {gate["name"] for gate in configuration["gates"]}
        assert {gate["gate"] for gate in properties["gates"]} <= listed
        assert all("qasm_def" in gate for gate in configuration["gates"])


def test_the_catalog_configuration_lists_reset_among_its_gates() -> None:
    spec = default_catalog().get("ibm_qrt_falcon")
    listed = {gate["name"] for gate in spec.configuration()["gates"]}
    assert {gate["gate"] for gate in spec.properties()["gates"]} <= listed


def test_the_runtime_routes_are_served_under_an_experimental_path(api: httpx.Client) -> None:
    # Stock 0.40+ clients use a runtime URL as given only if it contains "experimental".
    devices = api.get("/experimental/runtime/backends", params={"include_mocks": "True"})
    assert {"ibmq_qasm_simulator", "ibm_qrt_falcon"} <= {d["name"] for d in devices.json()[
        "devices"]}
    job_id = api.post("/experimental/runtime/jobs", content=job_body()).json()["id"]
    assert api.get(f"/runtime/jobs/{job_id}").json()["id"] == job_id
    assert "/experimental/runtime/jobs" not in api.get("/openapi.json").json()["paths"]


def test_a_session_may_name_a_crn_instance(api: httpx.Client) -> None:
    created = api.post("/runtime/sessions", json={"backend": "ibm_qrt_falcon", "mode": "batch",
                                                  "instance": CRN, "max_ttl": 60})
    assert created.status_code == 200, created.text
    refused = api.post("/runtime/sessions", json={"backend": "ibm_qrt_falcon",
                                                  "instance": "other/hub/here"})
    assert refused.status_code == 400 and "not the instance" in refused.text


@pytest.mark.parametrize(("header", "version"), [
    (RUNTIME_0271, 13), (PROVIDER_011, 13),
    ("qiskit-version-2/qiskit_ibm_runtime-0.20.0,qiskit-1.0.2*/qiskit", 11),
    ("qiskit-version-2/qiskit_ibm_runtime-0.51.0,qiskit-2.6.2*", None),
    ("/qiskit", None), ("", None),
])
def test_the_qpy_version_a_client_reads_is_read_from_its_header(
    header: str, version: int | None,
) -> None:
    assert readable_qpy_version(Headers({"X-Qx-Client-Application": header})) == version


def test_clients_on_qiskit_1_get_params_they_can_read(api: httpx.Client) -> None:
    job_id = submit(api)
    ours = api.get(f"/runtime/jobs/{job_id}").json()
    theirs = api.get(f"/runtime/jobs/{job_id}", headers={"X-Qx-Client-Application": RUNTIME_0271}
                     ).json()
    listed = api.get("/runtime/jobs", params={"limit": 1},
                     headers={"X-Qx-Client-Application": PROVIDER_011}).json()["jobs"][0]

    def version(document: dict) -> int:
        data = wire.blob.unpack(document["params"]["circuits"][0]["__value__"], "QuantumCircuit")
        return data[6]

    assert version(ours) == wire.circuit.QPY_WRITE_VERSION > 13
    assert version(theirs) == version(listed) == 13
    assert wire.loads(wire.dumps(theirs["params"]))["circuits"][0] == bell_circuit()
    assert {k: v for k, v in theirs.items() if k != "params"} == {
        k: v for k, v in ours.items() if k != "params"}


def test_a_downgrade_leaves_what_it_cannot_rewrite_as_it_was() -> None:
    document = {"id": "j", "params": {"circuits": [{"__type__": "QuantumCircuit",
                                                    "__value__": "not base64!"}], "shots": 5}}
    assert downgrade(document, 13) == document
    assert downgrade({"id": "j"}, 13) == {"id": "j"}


def test_save_account_writes_our_file_or_with_stock_the_stock_one(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "QRUNTIME_HOME": str(tmp_path / "qruntime")}
    ours = CliRunner().invoke(app, ["save-account", "--url", "http://h:1", "--token", "t"],
                              env=env)
    assert ours.exit_code == 0, ours.output
    saved = json.loads((tmp_path / "qruntime" / "accounts.json").read_text())
    assert saved["default-ibm-quantum"]["token"] == "t"
    assert not (tmp_path / ".qiskit").exists()

    url = "http://h:1/experimental/runtime"
    stock = CliRunner().invoke(app, ["save-account", "--stock", "--channel",
                                     "ibm_quantum_platform", "--instance", CRN, "--url", url,
                                     "--token", "t"], env=env)
    assert stock.exit_code == 0, stock.output
    # What qiskit-ibm-runtime 0.51's save_account(..., set_as_default=True) writes.
    assert json.loads((tmp_path / ".qiskit" / "qiskit-ibm.json").read_text()) == {
        "default-ibm-quantum-platform": {
            "channel": "ibm_quantum_platform", "instance": CRN, "is_default_account": True,
            "private_endpoint": False, "token": "t", "url": url,
        },
    }
    # A second default needs --overwrite, as in the stock client; then it takes the mark.
    second = ["save-account", "--stock", "--url", "http://h:1/api", "--token", "u"]
    assert CliRunner().invoke(app, second, env=env).exit_code != 0
    assert CliRunner().invoke(app, [*second, "--overwrite"], env=env).exit_code == 0
    accounts = json.loads((tmp_path / ".qiskit" / "qiskit-ibm.json").read_text())
    assert accounts["default-ibm-quantum"]["is_default_account"] is True
    assert "is_default_account" not in accounts["default-ibm-quantum-platform"]
    bad = CliRunner().invoke(app, ["save-account", "--stock", "--instance", "nohub",
                                   "--url", "u", "--token", "t", "--name", "x"], env=env)
    assert bad.exit_code != 0 and "hub/group/project" in bad.output
