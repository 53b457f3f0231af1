"""A Qiskit ``Target`` from a backend's configuration and properties documents.

A client on HTTP knows a backend only by the two documents the protocol
serves. This builds the ``Target`` the user transpiles against from them,
reading them as the stock client does: instructions from ``basis_gates`` and
``supported_instructions``; couplings from each gate's ``coupling_map`` and
the calibrated ``gates`` of the properties; no couplings means all-to-all.
"""

from __future__ import annotations

from typing import Any, Iterable

from qiskit.circuit import IfElseOp, Measure, Parameter, Reset, SwitchCaseOp, WhileLoopOp
from qiskit.circuit import Delay, ForLoopOp
from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping
from qiskit.providers import QubitProperties
from qiskit.transpiler import InstructionProperties, Target

_CONTROL_FLOW = {"if_else": IfElseOp, "while_loop": WhileLoopOp, "for_loop": ForLoopOp,
                 "switch_case": SwitchCaseOp}
_NS = 1e-9
_US = 1e-6
_GHZ = 1e9


def target_from_documents(
    configuration: dict[str, Any], properties: dict[str, Any] | None
) -> Target:
    """The ``Target`` described by a configuration and (optional) properties document."""
    num_qubits = int(configuration["n_qubits"])
    qubits, gate_props = _read_properties(properties)
    dt = configuration.get("dt")
    target = Target(
        description=configuration.get("description"), num_qubits=num_qubits,
        dt=dt * _NS if dt else None,
        qubit_properties=[qubits.get(q, QubitProperties()) for q in range(num_qubits)]
        if qubits else None,
    )
    gates = get_standard_gate_name_mapping()
    configured = {g["name"]: g for g in configuration.get("gates", [])}
    names = list(dict.fromkeys(
        list(configuration.get("basis_gates", [])) + list(configuration.get("supported_instructions", []))
    ))
    for name in names:
        if name in _CONTROL_FLOW:
            target.add_instruction(_CONTROL_FLOW[name], name=name)
            continue
        operation = _operation(name, gates)
        if operation is None:
            continue
        placements = _placements(name, operation.num_qubits, configured.get(name), gate_props,
                                 num_qubits, properties)
        target.add_instruction(operation, placements, name=name)
    return target


def _operation(name: str, gates: dict[str, Any]) -> Any:
    if name == "measure":
        return Measure()
    if name == "reset":
        return Reset()
    if name == "delay":
        return Delay(Parameter("t"))
    return gates.get(name)


def _placements(
    name: str, arity: int, config: dict[str, Any] | None,
    gate_props: dict[str, dict[tuple[int, ...], InstructionProperties]], num_qubits: int,
    properties: dict[str, Any] | None,
) -> dict[tuple[int, ...], InstructionProperties | None] | None:
    calibrated = gate_props.get(name)
    if calibrated:
        return dict(calibrated)
    couplings = (config or {}).get("coupling_map")
    if couplings:
        return {tuple(pair): None for pair in couplings}
    if properties is None:
        return None  # an ideal simulator: the instruction acts on any qubits
    if arity == 1 or name in ("measure", "reset", "delay"):
        return {(q,): None for q in range(num_qubits)}
    return None


def _read_properties(
    properties: dict[str, Any] | None,
) -> tuple[dict[int, QubitProperties], dict[str, dict[tuple[int, ...], InstructionProperties]]]:
    if not properties:
        return {}, {}
    qubits: dict[int, QubitProperties] = {}
    readout: dict[tuple[int, ...], InstructionProperties] = {}
    for index, entries in enumerate(properties.get("qubits", [])):
        values = {e["name"]: _si(e) for e in entries}
        qubits[index] = QubitProperties(
            t1=values.get("T1"), t2=values.get("T2"), frequency=values.get("frequency"))
        readout[(index,)] = InstructionProperties(
            error=values.get("readout_error"), duration=values.get("readout_length"))
    gate_props: dict[str, dict[tuple[int, ...], InstructionProperties]] = {"measure": readout}
    for gate in properties.get("gates", []):
        params = {p["name"]: _si(p) for p in gate.get("parameters", [])}
        gate_props.setdefault(gate["gate"], {})[tuple(gate["qubits"])] = InstructionProperties(
            error=params.get("gate_error"), duration=params.get("gate_length"))
    return qubits, gate_props


def _si(entry: dict[str, Any]) -> float | None:
    value = entry.get("value")
    if value is None:
        return None
    scale = {"ns": _NS, "us": _US, "µs": _US, "ms": 1e-3, "s": 1.0, "GHz": _GHZ,
             "MHz": 1e6}.get(entry.get("unit", ""), 1.0)
    return float(value) * scale


def edges(target: Target) -> set[tuple[int, ...]]:
    """The two-qubit couplings of ``target`` (for tests and diagnostics)."""
    result: set[tuple[int, ...]] = set()
    for name in target.operation_names:
        qargs: Iterable[tuple[int, ...]] | None = target.qargs_for_operation_name(name)
        for qarg in qargs or ():
            if len(qarg) == 2:
                result.add(tuple(qarg))
    return result
