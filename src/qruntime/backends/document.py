"""The configuration and properties documents the protocol serves for a backend.

The stock client builds *its* ``Target`` from these two documents alone
(``qiskit_ibm_runtime.utils.backend_converter.convert_to_target``), so they are
written from our ``Target`` and :class:`~qruntime.backends.calibration.Calibration`
and must convert back to the same instructions, qubits and couplings:

* ``basis_gates`` and ``supported_instructions`` name the instructions; the
  converter reads control flow and ``measure``/``reset``/``delay`` only from
  ``supported_instructions``.
* The couplings come from the per-qubit ``gates`` of the properties and the
  ``coupling_map`` of each ``gates`` entry of the configuration; the top-level
  ``coupling_map`` is not read by the converter (``null`` = all-to-all).
* Every ``gates`` entry needs a ``qasm_def`` and the configuration an
  ``online_date``, or the stock client silently drops the backend.
* Units: ``dt`` in ns; T1/T2 in µs, frequencies in GHz, lengths in ns.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from qiskit.circuit import Gate, Instruction
from qiskit.circuit.tools import pi_check

from qruntime.backends.calibration import Calibration

if TYPE_CHECKING:
    from qruntime.backends.spec import BackendSpec

_ASCII_NAMES = {
    "ϴ": "theta", "θ": "theta", "φ": "phi", "ϕ": "phi", "λ": "lam", "γ": "gamma", "β": "beta",
}  # fmt: skip
_REP_DELAY_US = (0.0, 500.0, 250.0)  # range and default, as IBM devices report them


def configuration_document(
    spec: BackendSpec,
    *,
    online_date: datetime,
    processor_type: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``QasmBackendConfiguration`` dict for ``spec``."""
    target = spec.target
    basis = sorted(name for name in target.operation_names if _is_gate(target, name))
    dynamic = "if_else" in target.operation_names
    document: dict[str, Any] = {
        "backend_name": spec.name,
        "backend_version": spec.backend_version,
        "n_qubits": spec.num_qubits,
        "basis_gates": basis,
        "gates": [_gate_config(spec, name) for name in basis] + _calibrated_instructions(spec),
        "local": False,
        "simulator": spec.is_simulator,
        "conditional": dynamic,
        "open_pulse": False,
        "memory": True,
        "max_shots": spec.max_shots,
        "max_experiments": spec.max_experiments,
        "coupling_map": _coupling_map(spec),
        "supported_instructions": sorted(target.operation_names),
        "supported_features": ["qasm3", "dynamic_circuits"] if dynamic else ["qasm3"],
        "meas_levels": [2],
        "n_registers": 1,
        "online_date": online_date.isoformat(),
        "description": spec.description,
        "credits_required": not spec.is_simulator,
    }
    if target.dt is not None:
        document["dt"] = document["dtm"] = target.dt * 1e9
    if not spec.is_simulator:
        document["meas_map"] = [list(range(spec.num_qubits))]
        document["dynamic_reprate_enabled"] = True
        document["rep_delay_range"] = list(_REP_DELAY_US[:2])
        document["default_rep_delay"] = _REP_DELAY_US[2]
    if processor_type is not None:
        document["processor_type"] = processor_type
    return document


def properties_document(spec: BackendSpec, *, calibration: Calibration) -> dict[str, Any]:
    """A ``BackendProperties`` dict of ``calibration``."""
    date = calibration.date.isoformat()

    def value(name: str, unit: str, number: float) -> dict[str, Any]:
        return {"date": date, "name": name, "unit": unit, "value": number}

    qubits = [
        [
            value("T1", "us", q.t1 * 1e6),
            value("T2", "us", q.t2 * 1e6),
            value("frequency", "GHz", q.frequency * 1e-9),
            value("anharmonicity", "GHz", q.anharmonicity * 1e-9),
            value("readout_error", "", q.readout_error),
            value("prob_meas0_prep1", "", q.prob_meas0_prep1),
            value("prob_meas1_prep0", "", q.prob_meas1_prep0),
            value("readout_length", "ns", q.readout_length * 1e9),
        ]
        for q in calibration.qubits
    ]
    gates = []
    for gate in calibration.gates:
        parameters = [value("gate_error", "", gate.error)] if gate.error is not None else []
        parameters.append(value("gate_length", "ns", gate.length * 1e9))
        gates.append(
            {
                "qubits": list(gate.qubits),
                "gate": gate.gate,
                "name": gate.gate + "_".join(map(str, gate.qubits)),
                "parameters": parameters,
            }
        )
    return {
        "backend_name": spec.name,
        "backend_version": spec.backend_version,
        "last_update_date": date,
        "qubits": qubits,
        "gates": gates,
        "general": [],
    }


def _is_gate(target: Any, name: str) -> bool:
    return isinstance(target.operation_from_name(name), Gate)


def _calibrated_instructions(spec: BackendSpec) -> list[dict[str, Any]]:
    # IBM devices list reset among the configuration's gates, as the properties
    # calibrate it; qiskit-ibm-provider 0.11 fails on a property of an unlisted one.
    if spec.is_simulator or "reset" not in spec.target.operation_names:
        return []
    return [{"name": "reset", "parameters": [], "qasm_def": None}]


def _coupling_map(spec: BackendSpec) -> list[list[int]] | None:
    edges = spec.coupling_edges
    return None if edges is None else [list(edge) for edge in sorted(edges)]


def _gate_config(spec: BackendSpec, name: str) -> dict[str, Any]:
    gate = spec.target.operation_from_name(name)
    config: dict[str, Any] = {
        "name": name,
        "parameters": [_ascii(str(p)) for p in gate.params],
        "qasm_def": _qasm_def(gate),
    }
    qargs = spec.target.qargs_for_operation_name(name)
    if qargs is not None:
        config["coupling_map"] = [list(q) for q in sorted(qargs)]
    return config


def _qasm_def(gate: Instruction) -> str:
    """``gate name(params) q0,q1 { ... }`` from the gate's definition, one level down."""
    qargs = [f"q{i}" for i in range(gate.num_qubits)]
    params = f"({', '.join(_ascii(str(p)) for p in gate.params)})" if gate.params else ""
    definition = gate.definition
    if definition is None:  # u and cx are OpenQASM 2's primitives U and CX
        primitive = {"u": f"U{params} q0;", "cx": "CX q0,q1;", "id": "U(0, 0, 0) q0;"}
        body = [primitive[gate.name]] if gate.name in primitive else []
    else:
        body = [
            f"{ins.operation.name}{_param_list(ins.operation.params)} "
            + ",".join(qargs[definition.find_bit(q).index] for q in ins.qubits)
            + ";"
            for ins in definition.data
        ]
    return f"gate {gate.name}{params} {','.join(qargs)} {{ {' '.join(body)} }}".replace("  ", " ")


def _param_list(params: list[Any]) -> str:
    if not params:
        return ""
    text = [pi_check(p, output="qasm") if isinstance(p, float) else _ascii(str(p)) for p in params]
    return f"({', '.join(text)})"


def _ascii(text: str) -> str:
    for symbol, name in _ASCII_NAMES.items():
        text = text.replace(symbol, name)
    return text
