"""The configuration and properties documents, read back by the stock client's own code.

The stock ``qiskit-ibm-runtime`` (0.51) builds its ``Target`` from these two
documents (``IBMBackend.target`` -> ``convert_to_target``), so a circuit it
transpiles is ISA for us only if that target equals ours.
"""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.transpiler import Target
from qiskit_ibm_runtime.utils.backend_converter import convert_to_target
from qiskit_ibm_runtime.utils.backend_decoder import (
    configuration_from_server_data,
    properties_from_server_data,
)

from qruntime.backends import BackendCatalog, BackendSpec, TargetBackend

REQUIRED = {
    "backend_name", "backend_version", "n_qubits", "basis_gates", "gates", "local", "simulator",
    "conditional", "open_pulse", "memory", "max_shots", "max_experiments", "coupling_map",
    "online_date", "supported_instructions", "supported_features", "description",
    "credits_required",
}  # fmt: skip
# The stock converter knows only these control-flow names; break/continue live inside loops.
NOT_IN_STOCK_TARGETS = {"break_loop", "continue_loop"}


def stock_target(spec: BackendSpec, use_fractional_gates: bool | None = False) -> Target:
    """The target the stock client builds, as ``IBMBackend.target`` does (fractional
    gates off by default; no properties read for ``simulator: true``)."""
    configuration = configuration_from_server_data(
        copy.deepcopy(spec.configuration()), use_fractional_gates=use_fractional_gates
    )
    assert configuration is not None, "the stock client would drop this backend"
    properties = None
    if not configuration.simulator:
        properties = properties_from_server_data(
            copy.deepcopy(spec.properties()), use_fractional_gates=use_fractional_gates
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return convert_to_target(configuration, properties)


def edges(target: Target) -> set[tuple[int, int]] | None:
    cmap = target.build_coupling_map()
    return None if cmap is None else {tuple(edge) for edge in cmap.get_edges()}


def test_configuration_has_what_stock_clients_need(ideal: BackendSpec, falcon: BackendSpec) -> None:
    for spec in (ideal, falcon):
        document = spec.configuration()
        assert REQUIRED <= set(document)
        assert all({"name", "parameters", "qasm_def"} <= set(gate) for gate in document["gates"])
        assert document["local"] is False and document["open_pulse"] is False
        json.dumps(document)
    assert ideal.configuration()["simulator"] is True
    assert ideal.configuration()["coupling_map"] is None
    assert falcon.configuration()["simulator"] is False
    assert len(falcon.configuration()["coupling_map"]) == 56
    assert falcon.configuration()["basis_gates"] == ["ecr", "id", "rz", "sx", "x"]
    assert falcon.configuration()["processor_type"]["family"] == "Falcon"


def test_properties_document(ideal: BackendSpec, falcon: BackendSpec) -> None:
    assert ideal.properties() is None
    document = falcon.properties()
    json.dumps(document)
    assert len(document["qubits"]) == 27 and document["general"] == []
    names = {item["name"] for item in document["qubits"][0]}
    assert {"T1", "T2", "frequency", "readout_error", "prob_meas0_prep1",
            "prob_meas1_prep0", "readout_length"} <= names  # fmt: skip
    ecr = [gate for gate in document["gates"] if gate["gate"] == "ecr"]
    assert len(ecr) == 56
    assert {p["name"] for p in ecr[0]["parameters"]} == {"gate_error", "gate_length"}


def test_properties_convert_to_our_units(falcon: BackendSpec) -> None:
    properties = properties_from_server_data(copy.deepcopy(falcon.properties()))
    t1, _ = properties.qubit_property(3, "T1")
    assert t1 == pytest.approx(falcon.target.qubit_properties[3].t1)
    assert properties.gate_error("ecr", [0, 1]) == pytest.approx(falcon.target["ecr"][(0, 1)].error)
    assert properties.gate_length("sx", 4) == pytest.approx(falcon.target["sx"][(4,)].duration)


@pytest.mark.parametrize("fractional", [None, False])
def test_stock_target_equals_ours_on_the_device(falcon: BackendSpec, fractional: Any) -> None:
    theirs = stock_target(falcon, fractional)
    ours = falcon.target
    assert set(theirs.operation_names) == set(ours.operation_names)
    assert theirs.num_qubits == ours.num_qubits == 27
    assert edges(theirs) == edges(ours) == falcon.coupling_edges
    assert theirs.dt == pytest.approx(ours.dt)
    for name in ("ecr", "sx", "x", "id", "measure", "reset"):
        for qargs, props in ours[name].items():
            assert theirs[name][qargs].error == pytest.approx(props.error)
            assert theirs[name][qargs].duration == pytest.approx(props.duration)
    for mine, stock in zip(ours.qubit_properties, theirs.qubit_properties):
        assert (stock.t1, stock.t2, stock.frequency) == pytest.approx(
            (mine.t1, mine.t2, mine.frequency)
        )


def test_stock_target_equals_ours_on_the_simulator(ideal: BackendSpec) -> None:
    theirs = stock_target(ideal, use_fractional_gates=None)
    assert set(theirs.operation_names) == set(ideal.target.operation_names) - NOT_IN_STOCK_TARGETS
    assert theirs.num_qubits == 32
    assert edges(theirs) is None


def test_stock_client_default_drops_fractional_gates(ideal: BackendSpec) -> None:
    # IBMBackend's default use_fractional_gates=False filters rx, ry, u, rzz, cp, ...
    # out of the documents: its target is a subset of ours, so its circuits stay ISA.
    theirs = set(stock_target(ideal).operation_names)
    assert theirs < set(ideal.target.operation_names)
    assert {"h", "cx", "rz", "p", "u1", "measure", "if_else"} <= theirs
    assert not {"rx", "ry", "u", "rzz", "cp"} & theirs


@pytest.mark.parametrize("name", ["ibmq_qasm_simulator", "ibm_qrt_falcon"])
def test_circuits_transpiled_by_the_stock_target_pass_our_check(
    catalog: BackendCatalog, name: str, bell: QuantumCircuit
) -> None:
    spec = catalog.get(name)
    circuit = QuantumCircuit(4)
    circuit.ry(0.3, 0)
    circuit.rzz(0.2, 0, 3)
    circuit.cswap(1, 2, 3)
    circuit.measure_all()
    backend = TargetBackend(stock_target(spec), name)
    for source in (bell, circuit):
        spec.check_circuit(transpile(source, backend=backend, seed_transpiler=11))


def test_stock_conversion_of_the_eagle(catalog: BackendCatalog) -> None:
    eagle = catalog.get("ibm_qrt_eagle")
    theirs = stock_target(eagle)
    assert theirs.num_qubits == 127
    assert set(theirs.operation_names) == set(eagle.target.operation_names)
    assert edges(theirs) == eagle.coupling_edges and len(eagle.coupling_edges) == 288


def test_documents_are_deterministic(falcon: BackendSpec) -> None:
    again = BackendCatalog().get("ibm_qrt_falcon")
    assert again.configuration() == falcon.configuration()
    assert again.properties() == falcon.properties()
