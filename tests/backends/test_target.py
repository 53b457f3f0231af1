"""Targets, topology, calibration data, the ISA check and the pass managers."""

from __future__ import annotations

import pytest
import rustworkx as rx
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping

from qruntime.backends import BackendSpec, TargetBackend
from qruntime.backends.calibration import calibrate
from qruntime.backends.target import IDEAL_GATES
from qruntime.backends.topology import FALCON_EDGES, directed_edges, eagle_edges
from qruntime.errors import InvalidInputError

ASKED_FOR = (
    "id x y z h s sdg t tdg sx sxdg rx ry rz p u u1 u2 u3 cx cy cz swap ccx cswap crx cry crz "
    "cp cu rxx ryy rzz ecr reset measure delay if_else for_loop while_loop switch_case"
).split()


# --- ideal simulator -----------------------------------------------------------


def test_transpile_keeps_the_seed_bell_circuit(ideal: BackendSpec, bell: QuantumCircuit) -> None:
    transpiled = transpile(bell, backend=TargetBackend(ideal.target, ideal.name))
    assert transpiled == bell
    ideal.check_circuit(transpiled)


def test_ideal_target_is_all_to_all_with_a_broad_basis(ideal: BackendSpec) -> None:
    assert ideal.coupling_edges is None
    # ch is left out on purpose: Aer 0.18 has no ch ("unknown instruction: ch").
    assert set(ASKED_FOR) - {"ch"} <= set(ideal.target.operation_names)
    circuit = QuantumCircuit(32)
    circuit.cx(0, 31)
    circuit.ccx(5, 17, 30)
    ideal.check_circuit(circuit)


def test_aer_runs_every_gate_of_the_ideal_target(ideal: BackendSpec) -> None:
    gates = get_standard_gate_name_mapping()
    circuit = QuantumCircuit(3, 3)
    for name in IDEAL_GATES:
        gate = gates[name]
        if gate.params:
            gate = type(gate)(*[0.25] * len(gate.params))
        circuit.append(gate, range(gate.num_qubits))
    circuit.reset(0)
    circuit.delay(10, 1)
    circuit.measure(range(3), range(3))
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(1)
    with circuit.for_loop(range(2)):
        circuit.h(2)
    with circuit.while_loop((circuit.clbits[1], 1)):
        circuit.reset(1)
        circuit.measure(1, 1)
        with circuit.if_test((circuit.clbits[1], 0)):
            circuit.break_loop()
    with circuit.switch(circuit.clbits[2]) as case:
        with case(0):
            circuit.z(0)
        with case(case.DEFAULT):
            circuit.y(0)
    ideal.check_circuit(circuit)
    result = ideal.simulator().run(circuit, shots=16).result()
    assert result.success
    assert sum(result.get_counts().values()) == 16


# --- device-like backend -----------------------------------------------------------


def test_falcon_topology_is_heavy_hex() -> None:
    graph = rx.PyGraph()
    graph.add_nodes_from(range(27))
    graph.add_edges_from_no_data(list(FALCON_EDGES))
    assert len(FALCON_EDGES) == 28 and rx.is_connected(graph)
    degrees = sorted(graph.degree(node) for node in range(27))
    assert degrees.count(3) == 8 and degrees.count(1) == 6 and max(degrees) == 3


def test_eagle_topology() -> None:
    edges = eagle_edges()
    graph = rx.PyGraph()
    graph.add_nodes_from(range(127))
    graph.add_edges_from_no_data(list(edges))
    assert len(edges) == 144 and rx.is_connected(graph)
    assert max(graph.degree(node) for node in range(127)) == 3
    assert (14, 18) in edges and (109, 114) in edges and (112, 126) in edges


def test_device_target(falcon: BackendSpec) -> None:
    target = falcon.target
    assert set(target.operation_names) == {
        "ecr", "id", "rz", "sx", "x", "measure", "reset", "delay",
        "if_else", "for_loop", "switch_case",
    }  # fmt: skip
    assert falcon.coupling_edges == set(directed_edges(FALCON_EDGES))
    assert len(falcon.coupling_edges) == 56
    assert target.dt == pytest.approx(2 / 9 * 1e-9)
    for qubit, props in enumerate(target.qubit_properties):
        assert 100e-6 <= props.t1 <= 300e-6
        assert 0 < props.t2 <= 2 * props.t1
        assert 4.8e9 <= props.frequency <= 5.2e9
        assert 0.01 <= target["measure"][(qubit,)].error <= 0.03
        assert 2e-4 <= target["sx"][(qubit,)].error <= 5e-4
        assert target["x"][(qubit,)].error == target["sx"][(qubit,)].error
        assert target["sx"][(qubit,)].duration > 0
    for pair in falcon.coupling_edges:
        assert 5e-3 <= target["ecr"][pair].error <= 1.5e-2
        assert target["ecr"][pair].duration > target["sx"][(pair[0],)].duration


def test_calibration_is_deterministic() -> None:
    couplings = directed_edges(FALCON_EDGES)
    assert calibrate(27, couplings, seed=5) == calibrate(27, couplings, seed=5)
    assert calibrate(27, couplings, seed=5) != calibrate(27, couplings, seed=6)


def test_transpiled_bell_passes_the_device_check(falcon: BackendSpec, bell: QuantumCircuit) -> None:
    transpiled = transpile(bell, backend=TargetBackend(falcon.target), seed_transpiler=3)
    assert transpiled.num_qubits == 27
    falcon.check_circuit(transpiled)


def test_non_isa_instruction_is_named_with_the_basis(
    falcon: BackendSpec, bell: QuantumCircuit
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        falcon.check_circuit(bell)
    message = str(caught.value)
    assert "'h'" in message and "ibm_qrt_falcon" in message
    assert "ecr, for_loop, id, if_else, measure, reset, rz, switch_case, sx, x" in message


def test_too_many_qubits(falcon: BackendSpec) -> None:
    with pytest.raises(InvalidInputError, match="28 qubits but backend 'ibm_qrt_falcon' has 27"):
        falcon.check_circuit(QuantumCircuit(28))


def test_ecr_on_uncoupled_qubits(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(27)
    circuit.ecr(0, 1)
    circuit.ecr(1, 0)  # IBM reports both directions
    falcon.check_circuit(circuit)
    circuit.ecr(0, 2)
    with pytest.raises(InvalidInputError, match=r"'ecr' on qubits \(0, 2\).*not coupled"):
        falcon.check_circuit(circuit)


def test_control_flow_bodies_are_checked(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(27, 1)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.h(1)
    with pytest.raises(InvalidInputError, match="'h'"):
        falcon.check_circuit(circuit)


def test_control_flow_bodies_map_their_qubits(falcon: BackendSpec) -> None:
    # The body's qubits 0 and 1 stand for the device's 25 and 26 (coupled) or 0 and 2 (not).
    for pair, coupled in (((25, 26), True), ((0, 2), False)):
        circuit = QuantumCircuit(27, 1)
        circuit.measure(0, 0)
        with circuit.if_test((circuit.clbits[0], 1)):
            circuit.ecr(*pair)
        if coupled:
            falcon.check_circuit(circuit)
        else:
            with pytest.raises(InvalidInputError, match=r"\(0, 2\)"):
                falcon.check_circuit(circuit)


def test_unsupported_control_flow_is_rejected(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(27, 1)
    with circuit.while_loop((circuit.clbits[0], 0)):
        circuit.measure(0, 0)
    with pytest.raises(InvalidInputError, match="'while_loop'"):
        falcon.check_circuit(circuit)


def test_dynamic_circuit_transpiles_for_the_device(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.cx(0, 1)
    circuit.measure(1, 1)
    transpiled = falcon.pass_manager(1).run(circuit)
    falcon.check_circuit(transpiled)
    counts = falcon.simulator().run(transpiled, shots=1000, seed_simulator=1).result().get_counts()
    assert counts.get("11", 0) > 400 and counts.get("00", 0) > 400


# --- pass managers -----------------------------------------------------------


def test_pass_managers_are_cached(falcon: BackendSpec, ideal: BackendSpec) -> None:
    for spec in (falcon, ideal):
        assert spec.pass_manager(1) is spec.pass_manager(1)
        assert spec.pass_manager(1) is not spec.pass_manager(2)


def test_pass_manager_level_is_checked(ideal: BackendSpec) -> None:
    with pytest.raises(InvalidInputError, match="0, 1, 2 or 3"):
        ideal.pass_manager(4)


def test_ideal_pass_manager_keeps_the_bell_circuit(
    ideal: BackendSpec, bell: QuantumCircuit
) -> None:
    assert ideal.pass_manager(2).run(bell) == bell
