"""The ``Target`` of each kind of backend, and a ``BackendV2`` view of one.

* :func:`ideal_target`: every qubit coupled to every other, a broad basis of
  what Aer simulates natively (or the gates given, for the simulators of
  :mod:`qruntime.backends.simulators`), no errors. A circuit written in that
  basis (``h``, ``cx``, ``measure``, ...) transpiles to itself.
* :func:`device_target`: a heavy-hex device with IBM's basis (``ecr`` or ``cz``,
  ``id``, ``rz``, ``sx``, ``x``, and on Heron the fractional ``rx`` and ``rzz``),
  per-qubit instruction properties from a
  :class:`~qruntime.backends.calibration.Calibration`, and the dynamic-circuit
  instructions IBM devices accept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from qiskit.circuit import Delay, Measure, Parameter, Reset
from qiskit.circuit.controlflow import (
    BreakLoopOp,
    ContinueLoopOp,
    ForLoopOp,
    IfElseOp,
    SwitchCaseOp,
    WhileLoopOp,
)
from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping
from qiskit.providers import BackendV2, Options, QubitProperties
from qiskit.transpiler import InstructionProperties, Target

from qruntime.backends.calibration import Calibration

# Standard gates that Aer 0.18 simulates natively. Not ``ch``, ``cs``, ``dcx``,
# ``iswap``, ``rccx``, ...: Aer stops with "unknown instruction" on those, so
# they are left to the transpiler to decompose.
IDEAL_GATES = (
    "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "rx", "ry", "rz", "p", "r", "u", "u1", "u2", "u3",
    "cx", "cy", "cz", "csx", "swap", "ecr", "cp", "crx", "cry", "crz", "cu", "cu1", "cu3",
    "rxx", "ryy", "rzz", "rzx", "ccx", "ccz", "cswap",
)  # fmt: skip
DEVICE_GATES = ("ecr", "id", "rz", "sx", "x")

CONTROL_FLOW: dict[str, type] = {
    "if_else": IfElseOp,
    "for_loop": ForLoopOp,
    "while_loop": WhileLoopOp,
    "switch_case": SwitchCaseOp,
    "break_loop": BreakLoopOp,
    "continue_loop": ContinueLoopOp,
}
# What IBM's dynamic-circuit devices list in ``supported_instructions``.
DEVICE_CONTROL_FLOW = ("if_else", "for_loop", "switch_case")


def ideal_target(
    num_qubits: int,
    gates: Iterable[str] = IDEAL_GATES,
    description: str = "ideal simulator",
    control_flow: bool = True,
) -> Target:
    """An all-to-all, error-free target over ``gates`` (standard gate names), with
    ``measure``, ``reset``, ``delay`` and (unless told not to) control flow."""
    target = Target(description=description, num_qubits=num_qubits)
    standard = get_standard_gate_name_mapping()
    for name in gates:
        target.add_instruction(standard[name], name=name)
    target.add_instruction(Measure())
    target.add_instruction(Reset())
    target.add_instruction(Delay(Parameter("t")))
    if control_flow:
        _add_control_flow(target, CONTROL_FLOW)
    return target


def device_target(
    calibration: Calibration,
    description: str = "",
    basis: Iterable[str] = DEVICE_GATES,
    angle_bounds: Mapping[str, tuple[float, float]] | None = None,
) -> Target:
    """A device target over ``basis`` whose couplings are the qubit pairs ``calibration``
    has a two-qubit gate on.

    ``angle_bounds`` names the gates whose (one) angle is calibrated for a range
    only, e.g. Heron's ``rzz`` for [0, π/2]: the transpiler folds other angles into it.
    """
    bounds = angle_bounds or {}
    qubits = calibration.qubits
    target = Target(
        description=description,
        num_qubits=len(qubits),
        dt=calibration.dt,
        qubit_properties=[QubitProperties(t1=q.t1, t2=q.t2, frequency=q.frequency) for q in qubits],
    )
    gates = get_standard_gate_name_mapping()
    for name in (*basis, "reset"):
        properties = {
            gate.qubits: InstructionProperties(duration=gate.length, error=gate.error)
            for gate in calibration.gates_named(name)
        }
        angles = [bounds[name]] if name in bounds else None
        target.add_instruction(gates[name], properties, name=name, angle_bounds=angles)
    target.add_instruction(
        Measure(),
        {
            (index,): InstructionProperties(duration=q.readout_length, error=q.readout_error)
            for index, q in enumerate(qubits)
        },
    )
    target.add_instruction(Delay(Parameter("t")), {(index,): None for index in range(len(qubits))})
    _add_control_flow(target, {name: CONTROL_FLOW[name] for name in DEVICE_CONTROL_FLOW})
    return target


def _add_control_flow(target: Target, operations: dict[str, type]) -> None:
    for name, operation in operations.items():
        target.add_instruction(operation, name=name)


class TargetBackend(BackendV2):
    """A ``BackendV2`` that is only a name and a target: for ``transpile`` and
    ``NoiseModel.from_backend``, not for running circuits.

    Example:
        >>> from qiskit import transpile
        >>> spec = default_catalog().get("ibm_qrt_falcon")
        >>> isa = transpile(circuit, backend=TargetBackend(spec.target, spec.name))
    """

    def __init__(self, target: Target, name: str = "target") -> None:
        super().__init__(name=name, description=target.description)
        self._target = target

    @property
    def target(self) -> Target:
        return self._target

    @property
    def max_circuits(self) -> None:
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=4000)

    def run(self, run_input: Any, **options: Any) -> Any:
        raise NotImplementedError(
            f"{self.name!r} only describes a target; run circuits with BackendSpec.simulator()."
        )
