"""Observables as the Estimators read them, moved onto an ISA circuit's physical qubits.

Users write observables for the circuit they designed (its *logical* qubits);
after transpilation the circuit acts on the backend's qubits and
``circuit.layout`` says where each logical qubit went (and where routing moved
it). An observable whose size is the logical size is mapped through that
layout; one whose size is the ISA circuit's is already physical (when the two
sizes are equal it is taken as physical: the stock V2 client applies the layout
itself before sending). Anything else is refused with both sizes in the message.
"""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit
from qiskit.primitives.containers import ObservablesArray
from qiskit.quantum_info import SparseObservable

from qruntime.errors import InvalidInputError
from qruntime.programs.inputs import coercing


def physical_observables(raw: Any, circuit: QuantumCircuit, where: str) -> ObservablesArray:
    """``raw`` (anything ``ObservablesArray`` reads) as observables on ``circuit``'s qubits."""
    with coercing(f"{where}: observables"):
        observables = ObservablesArray.coerce(raw)
    size = observables.num_qubits
    if size == circuit.num_qubits:
        return observables
    logical = logical_size(circuit)
    if logical is not None and size == logical:
        return observables.apply_layout(circuit.layout)
    raise _size_error(where, size, circuit, logical)


def as_observable(raw: Any, where: str) -> SparseObservable:
    """One observable in any form Qiskit reads, as a ``SparseObservable``."""
    with coercing(where):
        return ObservablesArray.coerce_observable(raw)


def logical_size(circuit: QuantumCircuit) -> int | None:
    """Qubits of the circuit before layout, or ``None`` if it has no layout."""
    if circuit.layout is None:
        return None
    return len(circuit.layout.initial_index_layout(filter_ancillas=True))


def _size_error(where: str, size: int, circuit: QuantumCircuit, logical: int | None
                ) -> InvalidInputError:
    sizes = f"{circuit.num_qubits}" + (f" ({logical} before layout)" if logical else "")
    return InvalidInputError(
        f"{where}: the observable acts on {size} qubits, but the circuit has {sizes}. "
        "Give observables on the circuit's qubits, e.g. observable.apply_layout(circuit.layout)."
    )
