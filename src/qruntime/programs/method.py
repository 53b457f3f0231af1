"""Which simulation method a job runs with, and why: one rule for every sampling program.

A device-sized ISA circuit is mostly idle qubits, and a Bell pair measured with
``measure_all()`` after transpiling for a 27-qubit device measures all 27:
Aer's own choice then simulates 27 qubits as a statevector (2 GiB, and with
noise one trajectory a shot: minutes). The rule here looks at what the
circuits need instead:

* **qubits**: those some instruction other than a directive acts on;
* **entangled width**: the largest group of qubits joined by multi-qubit
  instructions (a Bell pair measured on 27 qubits has width 2);
* **Clifford**: whether every gate is a Clifford gate;
* **crossings**: the most multi-qubit gates spanning one cut of the qubits in
  Aer's order, which bounds a matrix product state's bond (``2**crossings``).

Each method that could run the job is costed (memory, and work in amplitude
updates, about 1e9 a second on one core) and the cheapest that fits wins:

====================  ===========================  ==============================
method                memory                       work (noisy: per shot)
====================  ===========================  ==============================
statevector           16 * 2**n B                  ops * 2**n
density_matrix        16 * 4**n B (noisy only)     ops * 4**n, once
matrix_product_state  n * chi**2 * 32 B            ops * chi**3 (chi: the bond)
stabilizer            n**2 / 4 B (ideal Clifford)  ops * n
====================  ===========================  ==============================

Small jobs (at most :data:`AUTOMATIC_QUBITS` qubits) keep Aer's automatic
choice: every method is cheap there. A backend may require one method (IBM's
``simulator_*`` family); then the job runs with it exactly or is refused.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp

from qruntime.errors import InvalidInputError

#: Jobs of at most this many qubits keep Aer's automatic method.
AUTOMATIC_QUBITS = 16
#: Largest bond dimension of matrix product states on device-like backends.
MAX_BOND_DIMENSION = 256
#: Memory one simulation may take unless the runtime says otherwise (4 GiB).
DEFAULT_MEMORY_LIMIT = 4 * 2**30
#: Work one job may ask for, in amplitude updates (about three hours on one core).
DEFAULT_WORK_LIMIT = 1e13

_CLIFFORD = frozenset({
    "id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cy", "cz", "swap", "ecr",
    "iswap", "dcx",
})
_QUARTER_TURNS = frozenset({"rz", "rx", "ry", "p", "u1"})


@dataclass(frozen=True)
class Shape:
    """What a job's circuits need of a simulator."""

    qubits: int
    width: int
    operations: int
    non_clifford: str | None  # the first non-Clifford instruction, or None
    crossings: int = 0  # log2 of the largest bond a cut of the simulated qubits can need

    @classmethod
    def of(cls, circuits: Iterable[QuantumCircuit]) -> Shape:
        """The shape of the widest of ``circuits`` (their operations summed)."""
        qubits = width = operations = crossings = 0
        non_clifford: str | None = None
        for circuit in circuits:
            groups = _Groups()
            ops = _walk(circuit, range(circuit.num_qubits), groups)
            operations += ops.count
            non_clifford = non_clifford or ops.non_clifford
            qubits = max(qubits, len(groups.members))
            width = max(width, groups.widest())
            crossings = max(crossings, _most_crossings(groups.members, ops.spans))
        return cls(qubits, width, operations, non_clifford, crossings)

    @property
    def bond_exponent(self) -> int:
        """log2 of the largest bond a matrix product state of the circuits can need.

        A cut of the simulated qubits (in Aer's order) that ``c`` two-qubit gates
        span carries a bond of at most ``2**c``, and none exceeds ``2**k`` for the
        ``k`` qubits on its smaller side: a GHZ chain needs bond 2 however wide.
        """
        return self.crossings

    @property
    def clifford(self) -> bool:
        """Whether every gate is a Clifford gate."""
        return self.non_clifford is None


@dataclass(frozen=True)
class Method:
    """How one simulator call runs, and why.

    Attributes:
        name: The Aer method (``"automatic"`` leaves the choice to Aer).
        shape: What the circuits need.
        memory_bytes: Estimated memory of one simulation.
        work: Estimated amplitude updates of the whole call.
        reason: Why this method, in a sentence.
        options: Further Aer run options of the method.
        approximate: Whether the result may deviate from the exact one
            (a matrix product state with a bounded bond dimension).
    """

    name: str
    shape: Shape
    memory_bytes: float
    work: float
    reason: str
    options: Mapping[str, Any] = field(default_factory=dict)
    approximate: bool = False

    def run_options(self) -> dict[str, Any]:
        """The options to pass to Aer's ``run``."""
        chosen = {} if self.name == "automatic" else {"method": self.name}
        return {**chosen, **self.options}

    def metadata(self) -> dict[str, Any]:
        """What ``metadata["simulator"]`` records."""
        return {"method": self.name, "reason": self.reason, "qubits": self.shape.qubits,
                "entangled_width": self.shape.width, "approximate": self.approximate,
                "estimated_memory_mb": round(self.memory_bytes / 2**20, 3)}


@dataclass(frozen=True)
class Budget:
    """What one simulation may take here."""

    memory_bytes: float = DEFAULT_MEMORY_LIMIT
    work: float = DEFAULT_WORK_LIMIT

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Budget:
        """The defaults, or ``QRUNTIME_SIMULATION_MEMORY_MB`` (memory of one simulation)."""
        import os

        memory = (environ if environ is not None else os.environ).get(
            "QRUNTIME_SIMULATION_MEMORY_MB")
        return cls(memory_bytes=float(memory) * 2**20) if memory else cls()


def choose(circuits: Sequence[QuantumCircuit], *, noisy: bool, shots: int,
           required: str | None = None, exact_only: bool = False,
           budget: Budget | None = None, backend_name: str = "the backend") -> Method:
    """The cheapest method that runs ``circuits`` right within ``budget``.

    Args:
        circuits: The job's circuits (one simulator call).
        noisy: Whether the simulation carries a noise model.
        shots: Shots of each circuit.
        required: A method the backend requires, or ``None``.
        exact_only: Refuse approximate methods (IBM's simulators are exact or refuse).
        budget: Memory and work limits.
        backend_name: For messages.

    Raises:
        InvalidInputError: Nothing fits; the message names the qubits, the
            method, the memory against the limit, and what would run.
    """
    budget = budget or Budget()
    runs = max(1, len(circuits))
    if required is None and all(c.num_qubits <= AUTOMATIC_QUBITS for c in circuits):
        # Narrow circuits: no need to walk them (a 1000-circuit job would pay ~20 ms).
        width = max((c.num_qubits for c in circuits), default=0)
        narrow = Shape(width, width, sum(len(c.data) for c in circuits), "(not examined)",
                       width)
        return Method("automatic", narrow, _statevector_memory(width),
                      _statevector_work(narrow, noisy, shots, runs),
                      f"at most {width} qubits: small enough for Aer's own choice")
    shape = Shape.of(circuits)
    if required is not None:
        return _required(required, shape, noisy, shots, runs, budget, backend_name)
    if shape.qubits <= AUTOMATIC_QUBITS:
        return Method("automatic", shape, _statevector_memory(shape.qubits),
                      _statevector_work(shape, noisy, shots, runs),
                      f"{shape.qubits} qubits: small enough for Aer's own choice")
    candidates = [m for m in _candidates(shape, noisy, shots, runs, exact_only)
                  if m.memory_bytes <= budget.memory_bytes]
    if candidates:
        best = min(candidates, key=lambda m: m.work)
        if best.work <= budget.work:
            return best
    raise InvalidInputError(_refusal(shape, noisy, budget, backend_name, exact_only))


def _candidates(shape: Shape, noisy: bool, shots: int, runs: int,
                exact_only: bool) -> list[Method]:
    n, w = shape.qubits, shape.width
    found = [Method("statevector", shape, _statevector_memory(n),
                    _statevector_work(shape, noisy, shots, runs),
                    f"{n} qubits, all of them entangled" if w == n else
                    f"{n} qubits fit a statevector")]
    if noisy and n <= 14:
        found.append(Method("density_matrix", shape, 16.0 * 4.0**n,
                            max(1, shape.operations) * 4.0**n,
                            f"{n} noisy qubits: one density matrix beats {shots} trajectories"))
    if shape.clifford and not noisy:
        found.append(Method("stabilizer", shape, n * n / 4.0,
                            max(1, shape.operations) * n + shots * n * n * runs,
                            "every gate is a Clifford gate"))
    exact_bond = 2.0 ** shape.bond_exponent
    if not exact_only or exact_bond <= MAX_BOND_DIMENSION:
        bond = min(exact_bond, MAX_BOND_DIMENSION)
        approximate = exact_bond > MAX_BOND_DIMENSION
        options = {"matrix_product_state_max_bond_dimension": MAX_BOND_DIMENSION,
                   "mps_log_data": True} if approximate else {}
        per_run = max(1, shape.operations) * bond**3 + n * bond**2
        found.append(Method(
            "matrix_product_state", shape, n * bond * bond * 32.0,
            per_run * (shots if noisy else 1) + (0 if noisy else shots * n * bond**2),
            (f"{n} qubits, but at most {w} entangled together: a matrix product state"
             + (f" with bond dimension at most {MAX_BOND_DIMENSION} (approximate)"
                if approximate else " is exact and small")),
            options, approximate))
    return found


def _required(required: str, shape: Shape, noisy: bool, shots: int, runs: int,
              budget: Budget, backend_name: str) -> Method:
    n = shape.qubits
    if required == "stabilizer":
        if not shape.clifford:
            raise InvalidInputError(
                f"backend {backend_name!r} simulates Clifford circuits only, and "
                f"{shape.non_clifford!r} is not a Clifford gate. Run the circuit on "
                "simulator_mps or simulator_statevector, or use Clifford gates only.")
        return Method("stabilizer", shape, n * n / 4.0, shape.operations * n + shots * n * n,
                      f"backend {backend_name!r} is a stabilizer simulator")
    memory = {"statevector": _statevector_memory(n),
              "density_matrix": 16.0 * 4.0**n}.get(required)
    if memory is not None and memory > budget.memory_bytes:
        raise InvalidInputError(_refusal(shape, noisy, budget, backend_name, True,
                                         method=required, memory=memory))
    return Method(required, shape, memory or 0.0, _statevector_work(shape, noisy, shots, runs),
                  f"backend {backend_name!r} simulates with {required}")


def _refusal(shape: Shape, noisy: bool, budget: Budget, backend_name: str, exact_only: bool,
             method: str = "statevector", memory: float | None = None) -> str:
    n, w = shape.qubits, shape.width
    memory = memory if memory is not None else _statevector_memory(n)
    limit = budget.memory_bytes
    fits = max(1, int(math.log2(max(limit / 16, 2.0))))
    advice = [f"at most {fits} qubits"]
    if shape.clifford:
        advice.append("simulator_stabilizer (Clifford circuits of up to 5000 qubits)")
    elif exact_only:
        advice.append("a device backend, which may approximate with a matrix product state")
    advice.append("circuits with fewer entangled qubits (matrix product states)")
    return (
        f"this job cannot run on {backend_name!r} within this runtime's limits: its circuits "
        f"act on {n} qubits"
        + (", with noise" if noisy else "")
        + f" (at most {w} in one entangled group; a matrix product state of them needs "
        f"bonds up to 2**{shape.crossings})"
        + f"; {method} needs {_size(memory)} against a limit of {_size(limit)}, and no "
        f"cheaper method gives the right answer. What would run: {'; '.join(advice)}."
    )


def _statevector_memory(n: int) -> float:
    return 16.0 * 2.0**n


def _statevector_work(shape: Shape, noisy: bool, shots: int, runs: int) -> float:
    return max(1, shape.operations) * 2.0**shape.qubits * (shots if noisy else 1) + shots * runs


def _size(count: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if count >= scale:
            return f"{count / scale:.4g} {unit}"
    return f"{count / 1024:.3g} KiB"


@dataclass
class _Ops:
    count: int = 0
    non_clifford: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def _most_crossings(members: set[int], spans: list[tuple[int, int]]) -> int:
    """The largest bond exponent over the cuts between neighbours of the sorted
    ``members``: at each cut, the spans crossing it, and no more than the qubits
    on its smaller side."""
    count = len(members)
    position = {qubit: index for index, qubit in enumerate(sorted(members))}
    starts = [0] * (count + 1)
    for low, high in spans:
        a, b = position[low], position[high]
        starts[a] += 1  # crosses the cuts after positions a .. b-1
        starts[b] -= 1
    most = running = 0
    for index, step in enumerate(starts[:-1]):
        running += step
        most = max(most, min(running, index + 1, count - index - 1))
    return most


class _Groups:
    """Union-find of qubits joined by multi-qubit instructions."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    @property
    def members(self) -> set[int]:
        return set(self.parent)

    def add(self, qubits: Sequence[int]) -> None:
        for qubit in qubits:
            self.parent.setdefault(qubit, qubit)
        for other in qubits[1:]:
            a, b = self._root(qubits[0]), self._root(other)
            if a != b:
                self.parent[b] = a

    def widest(self) -> int:
        sizes: dict[int, int] = {}
        for qubit in self.parent:
            root = self._root(qubit)
            sizes[root] = sizes.get(root, 0) + 1
        return max(sizes.values(), default=0)

    def _root(self, qubit: int) -> int:
        while self.parent[qubit] != qubit:
            self.parent[qubit] = self.parent[self.parent[qubit]]
            qubit = self.parent[qubit]
        return qubit


def _walk(circuit: QuantumCircuit, physical: Sequence[int], groups: _Groups,
          ops: _Ops | None = None) -> _Ops:
    ops = ops or _Ops()
    for instruction in circuit.data:
        operation = instruction.operation
        name = operation.name
        if name in ("barrier", "delay"):
            continue
        qubits = [physical[circuit.find_bit(q).index] for q in instruction.qubits]
        if len(qubits) > 1:
            ops.spans.append((min(qubits), max(qubits)))
        if isinstance(operation, ControlFlowOp):
            groups.add(qubits)  # a conditioned block may join what it touches
            for block in operation.blocks:
                _walk(block, qubits, groups, ops)
            continue
        if name in ("measure", "reset"):
            groups.add(qubits)  # simulated (Aer keeps measured qubits), entangling nothing
            continue
        ops.count += 1
        groups.add(qubits)
        if ops.non_clifford is None and not _is_clifford(operation):
            ops.non_clifford = name
    return ops


def _is_clifford(operation: Any) -> bool:
    name = operation.name
    if name in _CLIFFORD:
        return True
    if name in _QUARTER_TURNS and operation.params:
        try:
            turns = float(operation.params[0]) / (math.pi / 2)
        except (TypeError, ValueError):  # an unbound parameter
            return False
        return abs(turns - round(turns)) < 1e-9
    return False
