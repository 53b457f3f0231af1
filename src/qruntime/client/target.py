"""A Qiskit ``Target`` from a backend's configuration and properties documents.

A client on HTTP knows a backend only by the two documents the protocol
serves. This builds the ``Target`` the user transpiles against from them,
reading them as the stock client does: instructions from ``basis_gates`` and
``supported_instructions``; couplings from each gate's ``coupling_map`` and
the calibrated ``gates`` of the properties; no couplings means all-to-all; a
device's ``rzz`` takes angles in [0, π/2] only.

A device's fractional gates (Heron's ``rx`` and ``rzz``) are in its documents
always; a backend not asked for them (``use_fractional_gates=False``, the
default) leaves them out of its configuration and target, as the stock client
does: :func:`fractional_gates`, :func:`without_gates`, :func:`target_without`.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, Iterable

from qiskit.circuit import IfElseOp, Measure, Parameter, Reset, SwitchCaseOp, WhileLoopOp
from qiskit.circuit import Delay, ForLoopOp
from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping
from qiskit.providers import QubitProperties
from qiskit.transpiler import InstructionProperties, Target

_CONTROL_FLOW = {"if_else": IfElseOp, "while_loop": WhileLoopOp, "for_loop": ForLoopOp,
                 "switch_case": SwitchCaseOp}
#: Angles a device calibrates a gate for, as the stock client bounds them in its target.
ANGLE_BOUNDS = {"rzz": (0.0, math.pi / 2)}
# Gates with an angle that IBM does not count as fractional: frame changes, no pulse.
_VIRTUAL = frozenset({"rz", "p", "u1", "delay"})
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
    bounded = {} if configuration.get("simulator") else ANGLE_BOUNDS
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
        bounds = [bounded[name]] if name in bounded else None
        target.add_instruction(operation, placements, name=name, angle_bounds=bounds)
    return target


def fractional_gates(configuration: dict[str, Any]) -> list[str]:
    """The fractional gates a device's configuration offers (``[]`` for a simulator):
    gates whose angle sets a pulse, as IBM counts them (not ``rz``, ``p``, ``u1``)."""
    if configuration.get("simulator"):
        return []
    gates = get_standard_gate_name_mapping()
    return [
        name for name in configuration.get("basis_gates", [])
        if name in gates and gates[name].params and name not in _VIRTUAL
    ]


def without_gates(configuration: dict[str, Any], names: Collection[str]) -> dict[str, Any]:
    """A copy of a configuration document that does not offer the gates ``names``."""
    document = dict(configuration)
    for key in ("basis_gates", "supported_instructions"):
        if key in document:
            document[key] = [name for name in document[key] if name not in names]
    if "gates" in document:
        document["gates"] = [gate for gate in document["gates"] if gate.get("name") not in names]
    return document


def target_without(target: Target, names: Collection[str]) -> Target:
    """A copy of ``target`` without the instructions ``names`` (a ``Target`` cannot drop any)."""
    copy = Target(
        description=target.description, num_qubits=target.num_qubits, dt=target.dt,
        granularity=target.granularity, min_length=target.min_length,
        pulse_alignment=target.pulse_alignment, acquire_alignment=target.acquire_alignment,
        qubit_properties=target.qubit_properties,
        concurrent_measurements=target.concurrent_measurements,
    )
    for name in target.operation_names:
        if name in names:
            continue
        qargs = target.qargs_for_operation_name(name)
        properties = None if qargs is None else {q: target[name][q] for q in qargs}
        bounded = name in ANGLE_BOUNDS and target.gate_has_angle_bounds(name)
        bounds = [ANGLE_BOUNDS[name]] if bounded else None
        copy.add_instruction(target.operation_from_name(name), properties, name=name,
                             angle_bounds=bounds)
    return copy


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
