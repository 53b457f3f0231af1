"""Checks every program makes on its inputs, and the facts about circuits they need.

Each check raises :class:`InvalidInputError` with a message that names the
input at fault (``pub 2``, ``circuit 0 ('bell')``) and what would be allowed.
Foreign errors raised while coercing user input (Qiskit's ``ValueError`` and
``TypeError``) are translated once, in :func:`coercing`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp

from qruntime.errors import InvalidInputError

#: Directives: instructions that touch qubits but do no work in a simulation.
NO_WORK = frozenset({"barrier", "delay"})


@contextmanager
def coercing(where: str) -> Iterator[None]:
    """Turn a ``ValueError``/``TypeError`` raised inside into :class:`InvalidInputError`."""
    try:
        yield
    except InvalidInputError:
        raise
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"{where}: {exc}") from exc


def require_mapping(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a dict."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{where} must be a dict, not {type(value).__name__}.")
    return value


def is_v2(params: Any) -> bool:
    """Whether a primitive's ``params`` is a V2 payload (``version`` 2, or ``pubs`` given)."""
    params = require_mapping(params, "params")
    return params.get("version") == 2 or "pubs" in params


def check_keys(params: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    """Refuse any key of ``params`` not in ``allowed``, naming it and the allowed ones."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise InvalidInputError(
            f"Unknown {where} {', '.join(map(repr, unknown))}: the runtime does not implement "
            f"{'it' if len(unknown) == 1 else 'them'}. Allowed: {', '.join(sorted(allowed))}."
        )


def require_circuit(value: Any, where: str) -> QuantumCircuit:
    """``value`` if it is a ``QuantumCircuit``."""
    if not isinstance(value, QuantumCircuit):
        raise InvalidInputError(f"{where} must be a QuantumCircuit, not {type(value).__name__}.")
    return value


def circuit_list(value: Any, where: str) -> list[Any]:
    """A single circuit or a list of circuits as a non-empty list."""
    items = [value] if isinstance(value, (QuantumCircuit, str)) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidInputError(f"{where} must be a QuantumCircuit or a non-empty list of them.")
    return list(items)


def check_count(count: int, limit: int, what: str, backend_name: str) -> None:
    """Refuse more than ``limit`` items (circuits, pubs) in one job."""
    if count > limit:
        raise InvalidInputError(
            f"Too many {what}: {count} given, backend {backend_name!r} accepts at most "
            f"{limit} in one job. Split them over several jobs."
        )


def check_shots(shots: Any, max_shots: int, where: str) -> int:
    """``shots`` as an int in ``1..max_shots``."""
    if isinstance(shots, bool) or not isinstance(shots, Integral):
        raise InvalidInputError(f"{where} must be an integer, not {shots!r}.")
    if not 0 < int(shots) <= max_shots:
        raise InvalidInputError(
            f"{where} is {shots}; it must be between 1 and the backend's max_shots ({max_shots})."
        )
    return int(shots)


#: The largest seed the simulator takes (a signed 64-bit integer).
MAX_SEED = 2**63 - 1


def check_seed(seed: Any, where: str) -> int | None:
    """``seed`` as an int in ``0..MAX_SEED``, or ``None``."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= int(seed) <= MAX_SEED:
        raise InvalidInputError(
            f"{where} must be an integer between 0 and {MAX_SEED}, not {seed!r}."
        )
    return int(seed)


def check_precision(precision: Any, where: str) -> float:
    """``precision`` as a positive, finite float."""
    if isinstance(precision, bool) or not isinstance(precision, Real):
        raise InvalidInputError(f"{where} must be a positive number, not {precision!r}.")
    value = float(precision)
    if not (value > 0 and math.isfinite(value)):
        raise InvalidInputError(f"{where} is {precision}; it must be a positive number.")
    return value


def check_flag(value: Any, allowed: bool, where: str, why: str) -> None:
    """Refuse a boolean option set to anything but the one value the runtime honours."""
    if value is not None and value is not allowed:
        raise InvalidInputError(f"{where}={value!r} is not supported: {why}")


def check_bool(value: Any, default: bool, where: str) -> bool:
    """``value`` if it is a boolean; ``default`` if it is ``None``."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidInputError(f"{where} must be true or false, not {value!r}.")
    return value


def check_choice(value: Any, allowed: Sequence[str], where: str) -> str | None:
    """``value`` if it is ``None`` or one of the strings ``allowed``."""
    if value is not None and not (isinstance(value, str) and value in allowed):
        raise InvalidInputError(
            f"{where}={value!r} is not allowed. Allowed: {', '.join(map(repr, allowed))}."
        )
    return value


def check_bound(circuit: QuantumCircuit, where: str) -> None:
    """Refuse a circuit with parameters that no input binds."""
    if circuit.num_parameters:
        names = ", ".join(p.name for p in circuit.parameters)
        raise InvalidInputError(
            f"{where} has unbound parameters ({names}); bind them with "
            "circuit.assign_parameters(...) first."
        )


def has_measurements(circuit: QuantumCircuit) -> bool:
    """Whether ``circuit`` measures anything, inside control flow included."""
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name == "measure":
            return True
        if isinstance(operation, ControlFlowOp) and any(map(has_measurements, operation.blocks)):
            return True
    return False


def require_measurements(circuit: QuantumCircuit, where: str) -> None:
    """Refuse a circuit that a sampler cannot sample: no classical register or no measure."""
    if not circuit.cregs or not has_measurements(circuit):
        raise InvalidInputError(
            f"{where} has no measurements, so there is nothing to sample. Add them, e.g. "
            "circuit.measure_all()."
        )


def parameter_array(values: Any, circuit: QuantumCircuit, where: str) -> np.ndarray:
    """Parameter values as a float array of shape ``(..., circuit.num_parameters)``.

    ``None`` or an empty array means no values; the message of a mismatch shows
    the expected and the given shapes.
    """
    count = circuit.num_parameters
    if values is None:
        array = np.zeros((0,))
    else:
        with coercing(f"{where}: parameter values"):
            array = np.asarray(values, dtype=float)
    if array.size == 0 and count == 0:
        return np.zeros((0,))
    if array.ndim == 0 or array.shape[-1] != count:
        raise InvalidInputError(
            f"{where}: parameter values have shape {array.shape}, but the circuit has {count} "
            f"parameters, so the expected shape is (..., {count})"
            + (f" (e.g. ({count},) for one set)." if count else " or no values at all.")
        )
    if array.size == 0:
        raise InvalidInputError(f"{where}: parameter values of shape {array.shape} hold no set.")
    return array


def active_qubits(circuit: QuantumCircuit) -> set[int]:
    """Indices of the qubits some instruction other than a directive acts on."""
    touched = {
        qubit
        for instruction in circuit.data
        if instruction.operation.name not in NO_WORK
        for qubit in instruction.qubits
    }
    return {circuit.find_bit(qubit).index for qubit in touched}


def simulation_cost(
    circuit: QuantumCircuit, runs: int, shots: int, noisy: bool, observables: int = 0
) -> float:
    """A rough cost, in amplitude updates (about 1e9 a second on one core).

    An ideal circuit is simulated once per parameter set (``runs``) and its
    shots are sampled from the final state; a noisy one once per shot or as a
    density matrix, whichever is cheaper. Each observable term costs one pass
    over the state.
    """
    width = min(len(active_qubits(circuit)), 30)
    gates = max(len(circuit.data), 1)
    states = min(shots * 2.0**width, 4.0**width) if noisy else 2.0**width
    return runs * (gates * states + observables * 2.0**width + shots * (width + 100))
