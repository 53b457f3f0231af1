"""qiskit-ibm-runtime 0.51 on the cloud simulator family and Heron, against qruntime.

One run of ``scripts/backends051.py``, with a token of an instance of its own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import LiveServer, platform_env, run_stock, section

pytestmark = pytest.mark.stock

SIMULATORS = {"simulator_statevector": 32, "simulator_mps": 100, "simulator_stabilizer": 5000,
              "simulator_extended_stabilizer": 63}
CLIFFORD = ["cx", "cy", "cz", "h", "id", "s", "sdg", "swap", "sx", "sxdg", "x", "y", "z"]


@pytest.fixture(scope="module")
def report(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    token, _ = live_server.new_token()
    env = platform_env(tmp_path_factory.mktemp("backends051") / "home", live_server, token)
    return run_stock("0.51.0", "backends051.py", env, timeout=300)  # type: ignore[no-any-return]


def test_the_simulators_are_listed_with_their_sizes_and_gates(report: dict[str, Any]) -> None:
    listing = section(report, "listing")
    assert set(SIMULATORS) <= set(listing)
    for name, qubits in SIMULATORS.items():
        assert listing[name]["simulator"] is True and listing[name]["qubits"] == qubits
        assert set(listing[name]["basis_gates"]) <= set(listing[name]["operations"])
    assert listing["simulator_stabilizer"]["basis_gates"] == CLIFFORD
    assert {"t", "ccx", "ccz"} <= set(listing["simulator_extended_stabilizer"]["basis_gates"])
    assert "if_else" not in listing["simulator_extended_stabilizer"]["operations"]
    assert {"u", "rzz", "cswap"} <= set(listing["simulator_statevector"]["basis_gates"])
    assert {"u", "rzz", "t"} <= set(listing["simulator_mps"]["basis_gates"])


def test_circuits_transpiled_by_the_stock_client_run_on_each(report: dict[str, Any]) -> None:
    transpiled = section(report, "transpiled")
    assert set(SIMULATORS) <= set(transpiled)
    for name in SIMULATORS:
        counts = transpiled[name]
        assert set(counts) <= {"000", "111"} and sum(counts.values()) == 50, name


def test_a_1000_qubit_ghz_and_a_refused_t_gate_on_the_stabilizer(
    report: dict[str, Any],
) -> None:
    stabilizer = section(report, "stabilizer")
    assert stabilizer["width"] == 1000 and stabilizer["shots"] == 8
    assert stabilizer["outcomes"] in (["all0", "all1"], ["all0"], ["all1"])
    # The stock client checks no circuits for simulators: the runtime refuses it, a 400.
    for refused in (stabilizer["client"], stabilizer["posted"]):
        assert refused["type"] == "IBMRuntimeError" and "400" in refused["message"]
        # The client's message repr-quotes ours: 't' arrives as \\'t\\'.
        assert re.search(r"instruction \W*t\W* is not one of its Clifford gates",
                         refused["message"])


def test_heron_as_the_stock_client_sees_it(report: dict[str, Any]) -> None:
    heron = section(report, "heron")
    assert heron["qubits"] == 156 and heron["edges"] == 176 and heron["degrees"] == 48
    assert heron["basis_gates"] == ["cz", "id", "rz", "sx", "x"]
    assert {"if_else", "measure", "cz"} <= set(heron["operations"])
    assert not {"rx", "rzz"} & set(heron["operations"])
    assert heron["processor_type"] == {"family": "Heron", "revision": "2"}
    assert 150e-6 <= heron["t1"][0] and heron["t1"][1] <= 350e-6
    dynamic = heron["dynamic"]
    assert sum(dynamic.values()) == 400 and dynamic.get("11", 0) > 150 and dynamic.get(
        "00", 0) > 150


def test_fractional_gates_on_heron(report: dict[str, Any]) -> None:
    fractional = section(report, "fractional")
    assert {"rx", "rzz", "cz", "if_else"} <= set(fractional["operations"])
    assert "rzz" in fractional["isa_ops"]
    assert 340 < fractional["counts"].get("11", 0) < 400
    client = fractional["client"]
    assert client["type"] == "IBMInputValueError" and "[0, pi/2]" in client["message"]
    refused = fractional["posted"]
    assert refused["type"] == "IBMRuntimeError" and "400" in refused["message"]
    assert "angle 2.0" in refused["message"] and "[0, pi/2]" in refused["message"]
    eagle = fractional["eagle"]
    assert eagle["type"] == "IBMInputValueError"
    assert "does not support fractional gates" in eagle["message"]


def test_hello_world_on_the_device_and_an_ideal_simulator(report: dict[str, Any]) -> None:
    utility = section(report, "utility")
    noisy, stds = utility["noisy"], utility["noisy_stds"]
    assert len(noisy) == 99 and min(stds) > 0
    assert utility["method"] == "stabilizer"
    near, middle, far = (sum(part) / len(part) for part in (noisy[:10], noisy[45:55],
                                                            noisy[-10:]))
    assert noisy[0] > 0.85 and near > middle + 0.1 > far + 0.2, (near, middle, far)
    assert utility["ideal"] == [1.0] * 99


def test_estimator_levels_on_a_noisy_device(report: dict[str, Any]) -> None:
    mitigation = section(report, "mitigation")
    raw, trex = mitigation["level0"], mitigation["level1"]
    # <Z> of |1>: level 0 keeps the readout error, many standard errors wide; level 1
    # (TREX) removes it.
    assert raw["ev"] + 1 > 8 * raw["std"] and raw["resilience"]["measure_mitigation"] is False
    assert abs(trex["ev"] + 1) < 4 * trex["std"] + 1e-3
    assert trex["resilience"]["measure_mitigation"] is True
    assert raw["shots"] == 10_000 and trex["shots"] == 10_016
    twirled = mitigation["twirled"]
    assert twirled["shots"] == 1600
    assert twirled["twirling"]["num_randomizations"] == 16
    zne = mitigation["zne"]
    assert {"evs", "stds", "evs_noise_factors", "stds_noise_factors", "evs_extrapolated",
            "stds_extrapolated"} <= set(zne["fields"])
    assert zne["extrapolated_shape"] == [1, 2, 4]  # observables, extrapolators, factors
    assert zne["resilience"]["zne_mitigation"] is True
    # A Bell pair's <ZZ> falls as its gates are folded, and extrapolates back up.
    (one, three, five), = zne["evs_noise_factors"]
    assert one > five and zne["evs"][0] >= one - 0.05

