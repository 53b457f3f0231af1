"""The cloud simulator family and the Heron device through both doors, with our client."""

from __future__ import annotations

import math

import pytest
from qiskit import QuantumCircuit, transpile

from circuits import ghz

from qruntime import IBMInputValueError, QiskitRuntimeService, SamplerV2

SIMULATORS = {  # name: (qubits, gates it has, gates it has not)
    "simulator_statevector": (32, {"u", "cu3", "rzz", "ccx", "cswap"}, {"ecr"}),
    "simulator_mps": (100, {"u", "rzz", "ccx", "t"}, {"cu3"}),
    "simulator_stabilizer": (5000, {"h", "s", "cx", "cz", "swap"}, {"t", "rz", "u", "ccx"}),
    "simulator_extended_stabilizer": (63, {"h", "t", "ccx", "ccz"}, {"u", "rx"}),
}


def test_the_simulators_are_listed(service: QiskitRuntimeService) -> None:
    listed = {b.name: b for b in service.backends(simulator=True)}
    assert set(SIMULATORS) < set(listed)
    for name, (qubits, has, has_not) in SIMULATORS.items():
        backend = listed[name]
        configuration = backend.configuration()
        assert backend.simulator is True and configuration.simulator is True
        assert backend.num_qubits == configuration.n_qubits == qubits
        assert has <= set(configuration.basis_gates) and not has_not & set(
            configuration.basis_gates)
        assert set(configuration.basis_gates) <= set(backend.target.operation_names)
        assert backend.coupling_map is None and backend.properties() is None


@pytest.mark.parametrize("name", SIMULATORS)
def test_transpile_and_run_on_each(service: QiskitRuntimeService, name: str) -> None:
    backend = service.backend(name)
    isa = transpile(ghz(3), backend=backend, seed_transpiler=1)
    counts = backend.run(isa, shots=50, seed_simulator=2).result().get_counts()
    assert set(counts) <= {"000", "111"} and sum(counts.values()) == 50


def test_a_1000_qubit_ghz_on_the_stabilizer(service: QiskitRuntimeService) -> None:
    backend = service.backend("simulator_stabilizer")
    isa = transpile(ghz(1000), backend=backend)
    counts = backend.run(isa, shots=8, seed_simulator=1).result().get_counts()
    assert set(counts) == {"0" * 1000, "1" * 1000} and sum(counts.values()) == 8
    result = SamplerV2(mode=backend).run([isa], shots=8).result()
    sampled = result[0].data.meas.get_counts()
    assert set(sampled) <= {"0" * 1000, "1" * 1000} and sum(sampled.values()) == 8


def test_the_stabilizer_refuses_a_non_clifford_gate(service: QiskitRuntimeService) -> None:
    backend = service.backend("simulator_stabilizer")
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.t(1)
    circuit.measure_all()
    before = len(service.jobs(limit=None))
    for submit in (lambda: backend.run(circuit, shots=10),
                   lambda: SamplerV2(mode=backend).run([circuit], shots=10)):
        with pytest.raises(IBMInputValueError, match="'t'") as caught:
            submit()
        assert "Clifford" in str(caught.value) or "not ISA" in str(caught.value)
    assert len(service.jobs(limit=None)) == before  # nothing was queued


def test_the_runtime_names_the_non_clifford_gate(service: QiskitRuntimeService) -> None:
    # SamplerV2 checks the target client-side; backend.run leaves it to the runtime.
    backend = service.backend("simulator_stabilizer")
    circuit = QuantumCircuit(2)
    circuit.t(0)
    circuit.measure_all()
    with pytest.raises(IBMInputValueError, match="simulates Clifford circuits only: "
                       "instruction 't' is not one of its Clifford gates"):
        backend.run(circuit, shots=10)


# --- Heron ------------------------------------------------------------------------------


def test_heron(service: QiskitRuntimeService) -> None:
    heron = service.backend("ibm_qrt_heron")
    assert heron.num_qubits == 156 and heron.simulator is False
    assert heron.configuration().basis_gates == ["cz", "id", "rz", "sx", "x"]
    assert {"if_else", "measure", "reset", "delay"} <= set(heron.target.operation_names)
    assert not {"rx", "rzz"} & set(heron.target.operation_names)
    edges = {tuple(sorted(edge)) for edge in heron.coupling_map.get_edges()}
    assert len(edges) == 176 and len(heron.coupling_map.get_edges()) == 352
    assert heron.configuration().processor_type == {"family": "Heron", "revision": "2"}
    t1 = [q.t1 for q in heron.target.qubit_properties]
    assert 150e-6 <= min(t1) and max(t1) <= 350e-6
    assert max(props.error for props in heron.target["cz"].values()) <= 4e-3
    assert heron.options.use_fractional_gates is False


def test_heron_with_fractional_gates(service: QiskitRuntimeService) -> None:
    heron = service.backend("ibm_qrt_heron", use_fractional_gates=True)
    assert heron is not service.backend("ibm_qrt_heron")
    assert heron is service.backend("ibm_qrt_heron", use_fractional_gates=True)
    assert {"rx", "rzz"} <= set(heron.target.operation_names)
    assert {"rx", "rzz"} <= set(heron.configuration().basis_gates)
    assert heron.target.gate_has_angle_bounds("rzz")
    assert heron.target["rzz"][(0, 1)].error >= heron.target["cz"][(0, 1)].error
    assert heron.options.use_fractional_gates is True


def test_fractional_gates_on_a_backend_without_them(service: QiskitRuntimeService) -> None:
    with pytest.raises(IBMInputValueError) as caught:
        service.backend("ibm_qrt_eagle", use_fractional_gates=True)
    assert "Backend 'ibm_qrt_eagle' does not support fractional gates" in str(caught.value)
    assert "ibm_qrt_heron" in str(caught.value)
    assert service.backend("ibm_qrt_eagle", use_fractional_gates=None).num_qubits == 127


def test_an_rzz_circuit_runs_on_heron(service: QiskitRuntimeService) -> None:
    heron = service.backend("ibm_qrt_heron", use_fractional_gates=True)
    circuit = QuantumCircuit(2)
    circuit.x(0)
    circuit.rzz(2.4, 0, 1)  # out of range: transpile folds it in
    circuit.rx(math.pi, 1)
    circuit.measure_all()
    isa = transpile(circuit, backend=heron, seed_transpiler=3)
    assert "rzz" in isa.count_ops()
    counts = heron.run(isa, shots=400, seed_simulator=4).result().get_counts()
    assert 360 < counts["11"] < 400  # noisy
    result = SamplerV2(mode=heron).run([isa], shots=400).result()
    assert result[0].data.meas.get_counts()["11"] > 360


def test_an_rzz_angle_out_of_range_is_refused_before_queueing(
    service: QiskitRuntimeService,
) -> None:
    heron = service.backend("ibm_qrt_heron", use_fractional_gates=True)
    circuit = QuantumCircuit(156)
    circuit.rzz(2.0, 0, 1)
    circuit.measure_all()
    before = len(service.jobs(limit=None))
    for submit in (lambda: heron.run(circuit, shots=10),
                   lambda: SamplerV2(mode=heron).run([circuit], shots=10)):
        with pytest.raises(IBMInputValueError) as caught:
            submit()
        assert "angle 2.0" in str(caught.value) and "[0, pi/2]" in str(caught.value)
    assert len(service.jobs(limit=None)) == before


def test_rzz_is_not_isa_without_fractional_gates(service: QiskitRuntimeService) -> None:
    heron = service.backend("ibm_qrt_heron")
    circuit = QuantumCircuit(2)
    circuit.rzz(0.3, 0, 1)
    circuit.measure_all()
    isa = transpile(circuit, backend=heron, seed_transpiler=3)
    assert "rzz" not in isa.count_ops() and "cz" in isa.count_ops()
    with pytest.raises(IBMInputValueError, match="'rzz'"):
        SamplerV2(mode=heron).run([circuit], shots=10)


def test_a_dynamic_circuit_on_heron(service: QiskitRuntimeService) -> None:
    heron = service.backend("ibm_qrt_heron")
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(1)
    circuit.measure(1, 1)
    isa = transpile(circuit, backend=heron, seed_transpiler=3)
    counts = heron.run(isa, shots=500, seed_simulator=5, dynamic=True).result().get_counts()
    assert counts.get("11", 0) > 200 and counts.get("00", 0) > 200
