"""Jobs cross between clients: submitted by one, listed and read by the others.

qruntime's own client (in this process) and the stock 0.27.1 and 0.51 clients
(in their venvs) share one instance on the live server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import SparsePauliOp
from typer.testing import CliRunner

from .conftest import LiveServer, platform_env, run_stock, section, stock_env

pytestmark = pytest.mark.stock

CRN = "crn:v1:qruntime:local:quantum-computing:local:a/qruntime:main::"


def bell_pair(measured: bool = True) -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    if measured:
        circuit.measure_all()
    return circuit


@pytest.fixture(scope="module")
def shared(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    token, instance = live_server.new_token()
    return {"token": token, "instance": instance, "folder": tmp_path_factory.mktemp("cross")}


@pytest.fixture(scope="module")
def service(live_server: LiveServer, shared: dict[str, Any]):  # type: ignore[no-untyped-def]
    import qruntime

    return qruntime.QiskitRuntimeService(channel="ibm_quantum", url=live_server.url,
                                         token=shared["token"])


@pytest.fixture(scope="module")
def ours(service) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from qruntime import EstimatorV2, SamplerV2

    simulator = service.backend("ibmq_qasm_simulator")
    device = service.backend("ibm_qrt_falcon")
    run = simulator.run(transpile(bell_pair(), backend=simulator), shots=400)
    sampler = SamplerV2(mode=device).run([transpile(bell_pair(), backend=device,
                                                    seed_transpiler=1)], shots=400)
    unmeasured = transpile(bell_pair(measured=False), backend=device, seed_transpiler=1)
    observable = SparsePauliOp("ZZ").apply_layout(unmeasured.layout)
    estimator = EstimatorV2(mode=device).run([(unmeasured, observable)])
    return {"run": run.job_id(), "sampler": sampler.job_id(), "estimator": estimator.job_id(),
            "run_counts": run.result().get_counts(),
            "sampler_counts": sampler.result()[0].data.meas.get_counts(),
            "estimator_evs": float(estimator.result()[0].data.evs)}


@pytest.fixture(scope="module")
def stock027(live_server: LiveServer, shared: dict[str, Any], ours: dict[str, Any]
             ) -> dict[str, Any]:
    env = stock_env(shared["folder"] / "home027", live_server, shared["token"],
                    QRT_OURS=json.dumps({k: ours[k] for k in ("run", "sampler", "estimator")}))
    report: dict[str, Any] = run_stock("0.27.1", "cross027.py", env)
    return report


@pytest.fixture(scope="module")
def stock051(live_server: LiveServer, shared: dict[str, Any], ours: dict[str, Any],
             stock027: dict[str, Any]) -> dict[str, Any]:
    from qruntime.cli.main import app

    home: Path = shared["folder"] / "home051"
    saved = CliRunner().invoke(app, [
        "save-account", "--stock", "--channel", "ibm_quantum_platform", "--instance", CRN,
        "--url", f"{live_server.url}/experimental/runtime", "--token", shared["token"],
    ], env={"HOME": str(home)})
    assert saved.exit_code == 0, saved.output
    wanted = {"sampler": ours["sampler"], "estimator": ours["estimator"],
              "stock_sampler": section(stock027, "submit")["sampler"]}
    env = platform_env(home, live_server, shared["token"])
    env["QRT_IDS"] = json.dumps(wanted)
    report: dict[str, Any] = run_stock("0.51.0", "cross051.py", env)
    return report


def test_stock_027_reads_the_jobs_of_our_client(ours: dict[str, Any],
                                                stock027: dict[str, Any]) -> None:
    read = section(stock027, "read_ours")
    # backend.run is a V1 RuntimeJob, the V2 primitives' jobs RuntimeJobV2 (from params.version).
    assert read["classes"] == ["RuntimeJob", "RuntimeJobV2", "RuntimeJobV2"]
    assert read["run_counts"] == ours["run_counts"]
    assert read["sampler_counts"] == ours["sampler_counts"]
    assert read["estimator_evs"] == pytest.approx(ours["estimator_evs"])
    assert read["session_ids"] == [None, None, None]
    assert {ours["run"], ours["sampler"], ours["estimator"]} <= set(read["listed"])


def test_stock_051_reads_the_jobs_of_our_client_and_of_the_027_client(
    ours: dict[str, Any], stock027: dict[str, Any], stock051: dict[str, Any],
) -> None:
    read = section(stock051, "read")
    assert read["channel"] == "ibm_quantum_platform"
    assert read["classes"] == ["RuntimeJobV2", "RuntimeJobV2"]
    assert read["sampler_counts"] == ours["sampler_counts"]
    assert read["estimator_evs"] == pytest.approx(ours["estimator_evs"])
    assert read["stock_sampler_counts"] == section(stock027, "submit")["sampler_counts"]
    assert {ours["sampler"], section(stock027, "submit")["run"]} <= set(read["listed"])


def test_our_client_lists_and_reads_the_jobs_of_the_stock_clients(
    service, stock027: dict[str, Any], stock051: dict[str, Any],  # type: ignore[no-untyped-def]
) -> None:
    submitted = section(stock027, "submit")
    listed = [job.job_id() for job in service.jobs(limit=None)]
    assert {submitted["run"], submitted["sampler"]} <= set(listed)
    run = service.job(submitted["run"])
    assert run.result().get_counts() == submitted["run_counts"]
    sampler = service.job(submitted["sampler"])
    assert sampler.result()[0].data.meas.get_counts() == submitted["sampler_counts"]
    assert sampler.status() in ("DONE", "JobStatus.DONE") or str(sampler.status()).endswith(
        "DONE")
    assert sum(submitted["run_counts"].values()) == 300
    assert set(submitted["run_counts"]) == {"00 00", "11 00"}
