"""Whether a circuit is ISA for a backend: what V2 primitives check before they submit.

An ISA circuit uses only the backend target's instructions, on qubit tuples
the target supports (coupled qubits, on a device), and no more qubits than
the backend has. The runtime checks the same; checking here first means a
mistake costs no round trip and names the instruction at fault at once.

Example:
    .. code-block:: python

        from qiskit import transpile
        from qruntime.client.primitives.isa import check_isa

        check_isa(circuit, backend, "pub 0")       # IBMInputValueError: ... 'h' ...
        check_isa(transpile(circuit, backend=backend), backend, "pub 0")   # passes
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.transpiler import Target

from qruntime.errors import IBMInputValueError

if TYPE_CHECKING:
    from qruntime.client.backend import IBMBackend

#: Instructions every target runs whether it lists them or not.
DIRECTIVES = frozenset({"barrier"})


def check_isa(circuit: QuantumCircuit, backend: IBMBackend, where: str) -> None:
    """Raise unless ``circuit`` runs on ``backend`` as it is.

    Args:
        circuit: The circuit of one pub.
        backend: The backend the job would run on.
        where: What to call the circuit in a message, e.g. ``"pub 0"``.

    Raises:
        IBMInputValueError: The circuit has more qubits than the backend, uses
            an instruction the target lacks (the message lists the backend's
            basis), or applies one to qubits the target does not couple.
    """
    target = backend.target
    label = f"{where} ({circuit.name!r})" if circuit.name else where
    if circuit.num_qubits > target.num_qubits:
        raise IBMInputValueError(
            f"{label} has {circuit.num_qubits} qubits but backend {backend.name!r} has "
            f"{target.num_qubits}."
        )
    _check_block(circuit, list(range(circuit.num_qubits)), target, backend.name, label)


def basis(target: Target) -> list[str]:
    """The target's instruction names, sorted, without control flow and directives."""
    flow = {"if_else", "for_loop", "while_loop", "switch_case", "break_loop", "continue_loop",
            "box"}
    return sorted(name for name in target.operation_names if name not in flow | DIRECTIVES)


def _check_block(
    circuit: QuantumCircuit, physical: Sequence[int], target: Target, backend_name: str,
    label: str,
) -> None:
    # ``physical[i]`` is the backend qubit of the block's qubit i.
    for instruction in circuit.data:
        operation = instruction.operation
        name = operation.name
        if name in DIRECTIVES or getattr(operation, "_directive", False):
            continue
        qubits = tuple(physical[circuit.find_bit(q).index] for q in instruction.qubits)
        if name not in target.operation_names:
            raise IBMInputValueError(
                f"{label} is not ISA: instruction {name!r} is not supported by backend "
                f"{backend_name!r}, whose basis is: {', '.join(basis(target))}. Transpile "
                "the circuit for the backend first, e.g. transpile(circuit, backend=backend)."
            )
        if isinstance(operation, ControlFlowOp):
            for block in operation.blocks:
                _check_block(block, qubits, target, backend_name, label)
        elif not target.instruction_supported(name, qubits):
            raise IBMInputValueError(
                f"{label} is not ISA: instruction {name!r} on qubits {list(qubits)} is not "
                f"supported by backend {backend_name!r} (qubits not coupled?). Transpile the "
                "circuit for the backend first, e.g. transpile(circuit, backend=backend)."
            )
