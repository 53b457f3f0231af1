"""The seed document's code, word for word, on the seed-era stock clients against qruntime.

The code blocks are the seed's, as kept in :mod:`seed.seed_document` (whose
tests check them against the ``.rst`` where it is beside the clone), concatenated
in document order, changing nothing (runtime 0.27.1 + provider 0.11.0 on Qiskit
1.4 have ``qiskit_ibm_provider`` and ``assemble``). A prologue records what the seed
prints; an epilogue prints it as JSON. The account is saved once in a fresh
HOME: by the stock ``save_account`` for the simulator run, by ``qruntime
save-account --stock`` for the device run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from seed.seed_document import SEED_BLOCKS, document_blocks

from .conftest import SCRIPTS, LiveServer, run_stock, stock_env

pytestmark = pytest.mark.stock

SIMULATOR = "ibmq_qasm_simulator"
DEVICE = "ibm_qrt_falcon"
SHOTS = 4000
#: Five standard deviations of a fair coin over 4000 shots is 158.
SPREAD = 160


def seed_script(backend: str = SIMULATOR) -> str:
    """Prologue, the seed's blocks in order (on ``backend``), epilogue: one script."""
    seed = "\n".join(SEED_BLOCKS)
    if backend != SIMULATOR:
        seed = seed.replace(f'"{SIMULATOR}"', f'"{backend}"')
    prologue = (SCRIPTS / "seed_prologue.py").read_text()
    epilogue = (SCRIPTS / "seed_epilogue.py").read_text()
    return f"{prologue}\n{seed}\n{epilogue}"


def save_account_with_cli(home: Path, url: str, token: str) -> Path:
    from qruntime.cli.main import app

    done = CliRunner().invoke(
        app, ["save-account", "--stock", "--url", f"{url}/api", "--token", token],
        env={"HOME": str(home)},
    )
    assert done.exit_code == 0, done.output
    return home / ".qiskit" / "qiskit-ibm.json"


def run_seed(server: LiveServer, folder: Path, backend: str, cli_account: bool) -> dict[str, Any]:
    token, instance = server.new_token()
    home = folder / "home"
    env = stock_env(home, server, token)
    if cli_account:
        save_account_with_cli(home, server.url, token)
    else:
        run_stock("0.27.1", "save_stock_account.py", env)
    script = folder / "seed_script.py"
    script.write_text(seed_script(backend))
    report = run_stock("0.27.1", script, env)
    with server.http(token) as http:
        jobs = http.get("/jobs", params={"limit": 50, "sort": "ASC"}).json()["jobs"]
        sessions = {sid: http.get(f"/sessions/{sid}").json()
                    for sid in {job["session_id"] for job in jobs} - {None}}
    return {"report": report, "jobs": jobs, "sessions": sessions, "instance": instance,
            "token": token, "home": home}


@pytest.fixture(scope="module")
def on_simulator(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
                 ) -> dict[str, Any]:
    return run_seed(live_server, tmp_path_factory.mktemp("seed-sim"), SIMULATOR,
                    cli_account=False)


@pytest.fixture(scope="module")
def on_device(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, Any]:
    return run_seed(live_server, tmp_path_factory.mktemp("seed-device"), DEVICE,
                    cli_account=True)


def assert_bell_counts(counts: dict[str, int], noisy: bool) -> None:
    assert sum(counts.values()) == SHOTS
    for key in ("00 00", "11 00"):
        assert abs(counts[key] - SHOTS / 2) < (SHOTS * 0.06 + SPREAD if noisy else SPREAD), counts
    if not noisy:
        assert set(counts) == {"00 00", "11 00"}
    else:  # readout and gate errors: a few percent elsewhere
        assert counts["00 00"] + counts["11 00"] > 0.88 * SHOTS, counts


def test_the_script_is_the_seed_word_for_word() -> None:
    script = seed_script()
    assert len(SEED_BLOCKS) == 6
    assert "\n".join(SEED_BLOCKS) in script
    assert "from qiskit_ibm_provider import IBMProvider" in script
    assert "from qiskit.compiler import transpile, assemble" in script


def test_the_script_runs_the_documents_blocks() -> None:
    assert "\n".join(document_blocks()) in seed_script()  # skipped where the .rst is absent


def test_seed_on_the_simulator_gives_bell_counts_from_both_clients(
    on_simulator: dict[str, Any],
) -> None:
    provider, runtime = on_simulator["report"]["results"]
    assert provider["type"] == "qiskit.result.result.Result"
    assert runtime["type"].startswith("qiskit_ibm_runtime.")
    for result in (provider, runtime):
        assert result["success"] and result["shots"] == SHOTS
        assert result["backend_name"] == SIMULATOR
        assert_bell_counts(result["counts"], noisy=False)
    example4 = on_simulator["report"]["example4"]
    assert_bell_counts(example4["job2_counts"], noisy=False)
    # The V1 sampler's quasi-distribution: |00> and |11> (12 = 0b1100) at about one half each.
    (quasi,) = example4["quasi_dists"]
    assert set(quasi) == {"0", "12"} and abs(quasi["0"] - 0.5) < 0.05


def test_seed_on_the_simulator_opens_no_sessions_as_in_stock(
    on_simulator: dict[str, Any],
) -> None:
    # simulator:true backends get no sessions from the stock client: six None.
    assert on_simulator["report"]["session_ids"] == [None] * 6
    assert on_simulator["report"]["example4"]["session_id"] is None
    assert [job["session_id"] for job in on_simulator["jobs"]] == [None] * 8


def test_seed_on_the_simulator_leaves_eight_completed_jobs(on_simulator: dict[str, Any]) -> None:
    jobs = on_simulator["jobs"]
    assert [job["program"]["id"] for job in jobs] == [
        "circuit-runner", "circuit-runner", "circuit-runner", "circuit-runner",
        "sampler", "circuit-runner", "sampler", "circuit-runner",
    ]
    assert {job["state"]["status"] for job in jobs} == {"Completed"}
    assert {job["backend"] for job in jobs} == {SIMULATOR}
    example4 = on_simulator["report"]["example4"]
    assert example4["job1"]["status"] == example4["job2"]["status"] == "DONE"
    assert [example4["job1"]["id"], example4["job2"]["id"]] == [job["id"] for job in jobs[-2:]]
    results = on_simulator["report"]["results"]
    assert [result["job_id"] for result in results] == [job["id"] for job in jobs[:2]]


def test_seed_on_the_device_gives_noisy_bell_counts(on_device: dict[str, Any]) -> None:
    for result in on_device["report"]["results"]:
        assert result["success"] and result["backend_name"] == DEVICE
        assert_bell_counts(result["counts"], noisy=True)
    assert_bell_counts(on_device["report"]["example4"]["job2_counts"], noisy=True)


def test_seed_on_the_device_prints_the_session_ids_the_stock_client_gives(
    on_device: dict[str, Any],
) -> None:
    ex2_job1, ex2_job2, ex3_sampler, ex3_run, ex4_sampler, ex4_run = (
        on_device["report"]["session_ids"])
    # Example 2: one session for both backend.run jobs.
    assert ex2_job1 is not None and ex2_job1 == ex2_job2
    # Example 3: the sampler in the Session, backend.run outside it (stock keeps the limitation).
    assert ex3_sampler is not None and ex3_run is None
    # Example 4: backend.run in the backend session, the sampler outside it.
    assert ex4_sampler is None and ex4_run is not None
    assert ex4_run == on_device["report"]["example4"]["session_id"]
    assert len({ex2_job1, ex3_sampler, ex4_run}) == 3


def test_seed_on_the_device_sessions_on_the_server(on_device: dict[str, Any]) -> None:
    ex2, _, ex3, _, _, ex4 = on_device["report"]["session_ids"]
    jobs = on_device["jobs"]
    assert [job["session_id"] for job in jobs] == [None, None, ex2, ex2, ex3, None, None, ex4]
    assert {job["state"]["status"] for job in jobs} == {"Completed"}
    sessions = on_device["sessions"]
    assert set(sessions) == {ex2, ex3, ex4}
    # backend.cancel_session() and Session.__exit__ close (PATCH accepting_jobs=false) ...
    assert sessions[ex2]["state"] == sessions[ex3]["state"] == "closed"
    assert not sessions[ex2]["accepting_jobs"] and not sessions[ex3]["accepting_jobs"]
    assert sessions[ex3]["mode"] == "dedicated"
    # ... example 4's session is never closed by the seed: it stays open until its max_ttl.
    assert sessions[ex4]["accepting_jobs"] and sessions[ex4]["state"] != "closed"
    assert {s["backend_name"] for s in sessions.values()} == {DEVICE}


def test_save_account_cli_writes_what_the_stock_save_account_writes(
    on_simulator: dict[str, Any], live_server: LiveServer, tmp_path: Path,
) -> None:
    stock_file = on_simulator["home"] / ".qiskit" / "qiskit-ibm.json"
    ours = save_account_with_cli(tmp_path, live_server.url, on_simulator["token"])
    assert json.loads(ours.read_text()) == json.loads(stock_file.read_text())
    assert ours.read_text() == stock_file.read_text()
    # A second save keeps the first, as the stock call does without overwrite.
    from qruntime.cli.main import app

    again = CliRunner().invoke(app, ["save-account", "--stock", "--url", "http://elsewhere/api",
                                     "--token", "other"], env={"HOME": str(tmp_path)})
    assert again.exit_code != 0 and "already exists" in again.output
    assert json.loads(ours.read_text()) == json.loads(stock_file.read_text())
