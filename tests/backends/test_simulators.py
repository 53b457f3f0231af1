"""IBM's cloud simulator family: names, sizes, gates, methods, and what each refuses."""

from __future__ import annotations

import time

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping

from circuits import ghz

from qruntime.backends import BackendCatalog, BackendSpec, TargetBackend
from qruntime.errors import InvalidInputError

from .test_document import NOT_IN_STOCK_TARGETS, stock_target

FAMILY = {  # name: (qubits, Aer method)
    "simulator_statevector": (32, "statevector"),
    "simulator_mps": (100, "matrix_product_state"),
    "simulator_stabilizer": (5000, "stabilizer"),
    "simulator_extended_stabilizer": (63, "extended_stabilizer"),
}
CLIFFORD = {"id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cy", "cz", "swap"}
CONTROL_FLOW = {"if_else", "for_loop", "while_loop", "switch_case", "break_loop", "continue_loop"}


@pytest.mark.parametrize("name", FAMILY)
def test_each_is_a_listed_ideal_simulator(catalog: BackendCatalog, name: str) -> None:
    qubits, method = FAMILY[name]
    assert catalog.entry(name).is_simulator
    spec = catalog.get(name)
    assert (spec.num_qubits, spec.simulation_method, spec.has_noise) == (qubits, method, False)
    assert spec.simulator().options.method == method
    assert spec.coupling_edges is None and spec.properties() is None
    configuration = spec.configuration()
    assert configuration["simulator"] is True and configuration["n_qubits"] == qubits
    assert set(configuration["basis_gates"]) == {
        n for n in spec.target.operation_names if n in get_standard_gate_name_mapping()
    } - {"measure", "reset", "delay"}


def test_the_basis_gates_of_each(catalog: BackendCatalog) -> None:
    basis = {name: set(catalog.get(name).configuration()["basis_gates"]) for name in FAMILY}
    assert basis["simulator_stabilizer"] == CLIFFORD
    assert basis["simulator_extended_stabilizer"] == CLIFFORD - {"cy"} | {
        "t", "tdg", "u1", "p", "ccx", "ccz"}
    assert {"u", "rx", "ry", "rz", "cp", "rzz", "ccx", "cswap", "t"} <= basis["simulator_mps"]
    assert {"u", "u3", "cu", "cu3", "csx", "rzx", "ccx", "cswap"} <= basis[
        "simulator_statevector"]


@pytest.mark.parametrize("name", FAMILY)
def test_aer_runs_every_instruction_of_each_target(catalog: BackendCatalog, name: str) -> None:
    # One circuit per gate (a few non-Clifford gates at once make the extended
    # stabilizer slow), and one with the non-gate instructions.
    spec = catalog.get(name)
    gates = get_standard_gate_name_mapping()
    circuits = []
    for gate_name in sorted(spec.configuration()["basis_gates"]):
        gate = gates[gate_name]
        if gate.params:
            gate = type(gate)(*[0.25] * len(gate.params))
        circuit = QuantumCircuit(3, 3)
        circuit.append(gate, range(gate.num_qubits))
        circuit.measure(range(3), range(3))
        circuits.append(circuit)
    circuit = QuantumCircuit(3, 3)
    circuit.h(0)
    circuit.reset(0)
    circuit.delay(16, 1)
    circuit.measure(range(3), range(3))
    if "if_else" in spec.target.operation_names:
        with circuit.if_test((circuit.clbits[0], 1)):
            circuit.x(1)
        with circuit.for_loop(range(2)):
            circuit.h(2)
        with circuit.while_loop((circuit.clbits[1], 1)):
            circuit.reset(1)
            circuit.measure(1, 1)
    circuits.append(circuit)
    for index, circuit in enumerate(circuits):
        spec.check_circuit(circuit, index)
    result = spec.simulator().run(circuits, shots=16).result()
    assert result.success, [str(r.status) for r in result.results if not r.success]
    assert all(sum(counts.values()) == 16 for counts in result.get_counts())


def test_control_flow_where_the_method_runs_it(catalog: BackendCatalog) -> None:
    for name in FAMILY:
        spec = catalog.get(name)
        dynamic = name != "simulator_extended_stabilizer"  # Aer's method runs none
        assert (CONTROL_FLOW <= spec.target.operation_names) is dynamic
        assert spec.configuration()["conditional"] is dynamic
        assert ("dynamic_circuits" in spec.configuration()["supported_features"]) is dynamic


@pytest.mark.parametrize("name", FAMILY)
def test_transpile_for_each(catalog: BackendCatalog, name: str, bell: QuantumCircuit) -> None:
    spec = catalog.get(name)
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.s(1)
    circuit.cz(0, 2)
    circuit.swap(1, 2)
    circuit.measure_all()
    if name != "simulator_stabilizer":
        circuit.t(2)
        circuit.ccx(0, 1, 2)
    for source in (bell, circuit):
        transpiled = transpile(source, backend=TargetBackend(spec.target, name))
        spec.check_circuit(transpiled)
        transpiled = transpile(source, backend=TargetBackend(stock_target(spec), name))
        spec.check_circuit(transpiled)


@pytest.mark.parametrize("name", FAMILY)
def test_the_stock_client_reads_the_same_target(catalog: BackendCatalog, name: str) -> None:
    spec = catalog.get(name)
    theirs = stock_target(spec, use_fractional_gates=None)
    assert set(theirs.operation_names) == set(spec.target.operation_names) - NOT_IN_STOCK_TARGETS
    assert theirs.num_qubits == FAMILY[name][0] and theirs.build_coupling_map() is None


def test_a_1000_qubit_ghz_on_the_stabilizer(catalog: BackendCatalog) -> None:
    spec = catalog.get("simulator_stabilizer")
    circuit = transpile(ghz(1000), backend=TargetBackend(spec.target, spec.name))
    spec.check_circuit(circuit)
    started = time.perf_counter()
    counts = spec.simulator().run(circuit, shots=12, seed_simulator=5).result().get_counts()
    assert set(counts) <= {"0" * 1000, "1" * 1000} and sum(counts.values()) == 12
    assert len(counts) == 2
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("gate", ["t", "rz", "ccx", "u"])
def test_the_stabilizer_refuses_a_non_clifford_gate_by_name(
    catalog: BackendCatalog, gate: str
) -> None:
    spec = catalog.get("simulator_stabilizer")
    circuit = QuantumCircuit(3)
    circuit.h(0)
    {"t": lambda: circuit.t(1), "rz": lambda: circuit.rz(0.3, 1),
     "ccx": lambda: circuit.ccx(0, 1, 2), "u": lambda: circuit.u(0.1, 0.2, 0.3, 2)}[gate]()
    with pytest.raises(InvalidInputError) as caught:
        spec.check_circuit(circuit)
    message = str(caught.value)
    assert f"instruction {gate!r}" in message and "Clifford circuits only" in message
    assert "simulator_extended_stabilizer" in message
    assert "cx, cy, cz, h, id, s, sdg, swap, sx, sxdg, x, y, z" in message


def test_non_clifford_inside_control_flow_is_refused(catalog: BackendCatalog) -> None:
    spec = catalog.get("simulator_stabilizer")
    circuit = QuantumCircuit(2, 1)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.t(1)
    with pytest.raises(InvalidInputError, match="'t' is not one of its Clifford gates"):
        spec.check_circuit(circuit)


def test_the_extended_stabilizer_runs_clifford_plus_t(catalog: BackendCatalog) -> None:
    # Aer samples by Metropolis steps: right for a small GHZ state or a spread-out
    # distribution, not for wide, peaked ones (a 40-qubit GHZ state gives noise).
    spec: BackendSpec = catalog.get("simulator_extended_stabilizer")
    small = QuantumCircuit(5)
    small.h(0)
    small.t(0)
    small.tdg(0)
    for qubit in range(4):
        small.cx(qubit, qubit + 1)
    small.measure_all()
    spec.check_circuit(small)
    counts = spec.simulator().run(small, shots=40, seed_simulator=3).result().get_counts()
    assert set(counts) == {"00000", "11111"}
    wide = QuantumCircuit(63)
    wide.h(range(63))
    wide.t(0)
    wide.measure_all()
    spec.check_circuit(wide)
    counts = spec.simulator().run(wide, shots=8, seed_simulator=3).result().get_counts()
    assert sum(counts.values()) == 8 and all(len(key) == 63 for key in counts)


def test_the_mps_runs_100_qubits(catalog: BackendCatalog) -> None:
    spec = catalog.get("simulator_mps")
    circuit = ghz(100)
    spec.check_circuit(circuit)
    counts = spec.simulator().run(circuit, shots=100, seed_simulator=3).result().get_counts()
    assert set(counts) == {"0" * 100, "1" * 100}
