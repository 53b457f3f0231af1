"""V2 pubs: loose user input coerced with Qiskit's pub types, checked, and put in wire form.

A pub travels as the stock client sends it (no envelope of its own)::

    sampler pub:    [circuit, parameter values (ndarray, shape (..., n_params)), shots | None]
    estimator pub:  [circuit, observables (nested lists of {"ZZ": 1.0} dicts),
                     parameter values (ndarray), precision | None]

Every check raises :class:`~qruntime.errors.IBMInputValueError` naming the pub
(``pub 2``) before anything is submitted. V2 circuits must be ISA: they use
only the backend target's instructions, on qubits the target couples, and no
more qubits than it has (:func:`check_isa`). The runtime checks the same;
checking here first means a mistake costs no round trip.

Example:
    >>> pub = sampler_pub((bell, None, 100), None, 0, backend)
    >>> sampler_wire(pub)
    [<QuantumCircuit 'bell'>, array([], dtype=float64), 100]
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, Measure
from qiskit.primitives.containers import BindingsArray, EstimatorPub, SamplerPub
from qiskit.transpiler import Target

from qruntime.errors import IBMInputValueError

if TYPE_CHECKING:
    from qruntime.client.backend import IBMBackend


@contextmanager
def pub_errors(where: str) -> Iterator[None]:
    """Turn Qiskit's ``ValueError``/``TypeError`` into IBMInputValueError naming ``where``."""
    try:
        yield
    except IBMInputValueError:
        raise
    except (ValueError, TypeError) as exc:
        raise IBMInputValueError(f"{where}: {exc}") from exc


def sampler_pub(raw: Any, shots: int | None, index: int, backend: IBMBackend) -> SamplerPub:
    """Coerce and check one sampler pub.

    Args:
        raw: A circuit, or a tuple ``(circuit, parameter values[, shots])``, or a ``SamplerPub``.
        shots: ``run()``'s shots, for a pub that names none.
        index: The pub's position, for messages.
        backend: The backend the job would run on (its circuit must be ISA there).

    Raises:
        IBMInputValueError: The parameter values have the wrong shape, shots are
            not positive, the circuit measures nothing or is not ISA.
    """
    where = f"pub {index}"
    _check_values_shape(raw, 1, where)
    with pub_errors(where):
        pub = SamplerPub.coerce(raw, shots)
    if pub.shots is not None and pub.shots <= 0:
        raise IBMInputValueError(f"{where}: shots must be a positive integer, not {pub.shots}.")
    _check_measures(pub.circuit, where)
    check_isa(pub.circuit, backend, where)
    return pub


def estimator_pub(raw: Any, precision: float | None, index: int, backend: IBMBackend
                  ) -> EstimatorPub:
    """Coerce and check one estimator pub.

    Args:
        raw: A tuple ``(circuit, observables[, parameter values[, precision]])``
            or an ``EstimatorPub``.
        precision: ``run()``'s precision, for a pub that names none.
        index: The pub's position, for messages.
        backend: The backend the job would run on (its circuit must be ISA there).

    Raises:
        IBMInputValueError: Observables act on another number of qubits than
            the circuit, parameter values have the wrong shape, precision is not
            positive, or the circuit is not ISA.
    """
    where = f"pub {index}"
    _check_values_shape(raw, 2, where)
    with pub_errors(where):
        pub = EstimatorPub.coerce(raw, precision)
    if pub.precision is not None and pub.precision <= 0:
        raise IBMInputValueError(
            f"{where}: precision must be a number > 0, not {pub.precision}."
        )
    if pub.observables.size == 0:
        raise IBMInputValueError(f"{where}: the observables array is empty.")
    check_isa(pub.circuit, backend, where)
    return pub


def sampler_wire(pub: SamplerPub) -> list[Any]:
    """``[circuit, parameter values, shots]``, as the stock client sends a sampler pub.

    The job gets its own copies: later edits of the caller's circuit or array
    must not reach a job that has not run yet.
    """
    return [pub.circuit.copy(), _values(pub), pub.shots]


def estimator_wire(pub: EstimatorPub) -> list[Any]:
    """``[circuit, observables, parameter values, precision]``, as the stock client sends it."""
    return [pub.circuit.copy(), pub.observables.tolist(), _values(pub), pub.precision]


def _values(pub: SamplerPub | EstimatorPub) -> np.ndarray:
    return np.array(pub.parameter_values.as_array(pub.circuit.parameters), copy=True)


def _check_values_shape(raw: Any, position: int, where: str) -> None:
    """Name the expected and given shapes when plain parameter values do not fit the circuit."""
    if not isinstance(raw, (tuple, list)) or len(raw) <= position:
        return
    circuit, values = raw[0], raw[position]
    if not isinstance(circuit, QuantumCircuit) or values is None or isinstance(
        values, (BindingsArray, dict)
    ):
        return
    try:
        given = np.asarray(values, dtype=float).shape
    except (ValueError, TypeError):
        return  # ragged or not numbers: Qiskit's own message says more
    count = circuit.num_parameters
    if not given or (given == (0,) and count == 0):
        return  # a scalar, or no values for no parameters: Qiskit decides
    if given[-1] != count:
        names = ", ".join(p.name for p in circuit.parameters) or "none"
        raise IBMInputValueError(
            f"{where}: parameter values of shape {given} do not fit the circuit's {count} "
            f"parameters ({names}): expected shape (..., {count}), e.g. ({count},) for one "
            f"set or (n, {count}) for n sets."
        )


def _check_measures(circuit: QuantumCircuit, where: str) -> None:
    for register in circuit.cregs:
        if register.size == 0:
            raise IBMInputValueError(f"{where}: classical register {register.name!r} is empty.")
        if not register.name.isidentifier() or keyword.iskeyword(register.name):
            raise IBMInputValueError(
                f"{where}: classical register name {register.name!r} must be a Python "
                "identifier and not a keyword: results are read as data.<name>."
            )
    if not circuit.cregs or not measures(circuit):
        raise IBMInputValueError(
            f"{where}: the circuit measures nothing, so a Sampler has nothing to return. "
            "Add measurements, e.g. circuit.measure_all()."
        )


def measures(circuit: QuantumCircuit) -> bool:
    """Whether ``circuit`` measures anything (inside control flow too)."""
    for instruction in circuit.data:
        operation = instruction.operation
        if isinstance(operation, Measure):
            return True
        if isinstance(operation, ControlFlowOp) and any(map(measures, operation.blocks)):
            return True
    return False


# --- ISA ----------------------------------------------------------------------------------

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
