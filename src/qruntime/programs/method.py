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
* **crossings**: the most multi-qubit gates spanning one cut of the qubits,
  which bounds a matrix product state's bond (``2**crossings``). A device's
  physical order can be poor (a linear chain laid out on a heavy-hex lattice
  crosses each cut 29 times on 127 qubits); the qubits are then simulated in a
  bandwidth-reducing order (reverse Cuthill-McKee of the interaction graph),
  where the same chain crosses each cut about once per layer.

Each method that could run the job is costed (memory, and work in amplitude
updates, about 1e9 a second on one core) and the cheapest that fits wins:

====================  ===========================  ==============================
method                memory                       work (noisy: per shot)
====================  ===========================  ==============================
statevector           16 * 2**n B                  ops * 2**n
density_matrix        16 * 4**n B (noisy only)     ops * 4**n, once
matrix_product_state  n * chi**2 * 32 B            ops * chi**3 (chi: the bond)
stabilizer            n**2 / 4 B (Clifford)        ops * n + measures * n**2 / 16
====================  ===========================  ==============================

Noise on the wide methods is Pauli noise: a noisy Clifford circuit runs on the
stabilizer method, and noisy trajectories of a matrix product state sample
unitary errors, so both carry the device's errors in their Pauli-twirled form
(:mod:`qruntime.backends.pauli`: the same Pauli fidelities, as randomised
compiling makes them on hardware). Amplitude damping as Kraus operators
would cost a norm computation per error per shot. ``metadata["simulator"]``
says which form the noise took. Where one trajectory a shot would take long, a
matrix product state's shots share trajectories
(:mod:`qruntime.programs.trajectories`), and ``metadata["simulator"]`` gives
their number; an approximate one reports the largest bond its run reached and
whether it was truncated.

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
from qruntime.programs.trajectories import MIN_TRAJECTORIES, trajectories_for

#: Jobs of at most this many qubits keep Aer's automatic method.
AUTOMATIC_QUBITS = 16
#: Largest bond dimension of matrix product states on device-like backends.
MAX_BOND_DIMENSION = 256
#: Memory one simulation may take unless the runtime says otherwise (4 GiB).
DEFAULT_MEMORY_LIMIT = 4 * 2**30
#: Work one job may ask for, in amplitude updates (about three hours on one core).
DEFAULT_WORK_LIMIT = 1e13
#: Amplitude updates a second on one core, to turn work into time.
WORK_RATE = 1e9
#: How far a time estimate may be from the time taken (measured: within about 2x).
ESTIMATE_SPREAD = 2.0
#: Noisy sampling whose one-trajectory-a-shot work passes this (about 10 s) shares
#: trajectories between shots (:mod:`qruntime.programs.trajectories`).
SHARED_TRAJECTORY_WORK = 1e10

_CLIFFORD = frozenset({
    "id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cy", "cz", "swap", "ecr",
    "iswap", "dcx",
})
# Rotations Aer's stabilizer method runs at multiples of a quarter turn (not rx or p).
_QUARTER_TURNS = frozenset({"rz"})


@dataclass(frozen=True)
class Shape:
    """What a job's circuits need of a simulator."""

    qubits: int
    width: int
    operations: int
    non_clifford: str | None  # the first non-Clifford instruction, or None
    crossings: int = 0  # log2 of the largest bond a cut of the simulated qubits can need
    measurements: int = 0
    orders: tuple[tuple[int, ...] | None, ...] = ()
    expectations: int = 0  # saved expectation values (an Estimator's terms)

    #: Bond exponent with one order for every circuit (:attr:`joint_order`, else their own).
    joint_crossings: int = 0
    #: One position per qubit for all the circuits, or ``None`` where their own order is best.
    joint_order: tuple[int, ...] | None = None
    #: Whether a circuit has control flow or delays (whose noise is no fixed Pauli draw).
    dynamic: bool = False

    @classmethod
    def of(cls, circuits: Iterable[QuantumCircuit]) -> Shape:
        """The shape of the widest of ``circuits`` (their operations summed).

        ``orders[i]`` is the position each qubit of circuit ``i`` takes in a
        matrix product state, or ``None`` where the circuit's own order is best.
        ``joint_order`` is one such order for all of them, for a simulator call
        whose noise model must be relabelled once (see :func:`relabeled`).
        """
        qubits = width = operations = crossings = measurements = expectations = 0
        natural_most = 0
        non_clifford: str | None = None
        orders: list[tuple[int, ...] | None] = []
        walked: list[tuple[set[int], list[tuple[int, int]]]] = []
        sizes: set[int] = set()
        delays = flows = 0
        for circuit in circuits:
            groups = _Groups()
            ops = _walk(circuit, range(circuit.num_qubits), groups)
            operations += ops.count
            measurements += ops.measurements
            expectations += ops.expectations
            non_clifford = non_clifford or ops.non_clifford
            members = groups.members
            qubits = max(qubits, len(members))
            width = max(width, groups.widest())
            most = _most_crossings(_ranks(members, sorted(members)), ops.spans)
            natural_most = max(natural_most, most)
            order = None
            if most > 1:
                reordered = _chain_order(members, ops.spans)
                fewer = _most_crossings(reordered, ops.spans)
                if fewer < most:
                    most, order = fewer, _permutation(reordered, circuit.num_qubits)
            orders.append(order)
            crossings = max(crossings, most)
            walked.append((members, ops.spans))
            sizes.add(circuit.num_qubits)
            delays += ops.delays
            flows += ops.flows
        joint_crossings, joint_order = natural_most, None
        # A delay's relaxation is a noise pass on physical qubits: not relabelled.
        if any(order is not None for order in orders) and len(sizes) == 1 and not delays:
            if len(walked) == 1:
                joint_crossings, joint_order = crossings, orders[0]
            else:
                everyone = set().union(*(members for members, _ in walked))
                spans = [span for _, some in walked for span in some]
                position = _chain_order(everyone, spans)
                most = max(_most_crossings(_ranks(members, sorted(members, key=position.get)),
                                           some) for members, some in walked)
                if most < natural_most:
                    joint_crossings = most
                    joint_order = _permutation(position, sizes.pop())
        return cls(qubits, width, operations, non_clifford, crossings, measurements,
                   tuple(orders), expectations, joint_crossings, joint_order,
                   bool(delays or flows))

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
        noise: ``"device"`` (the backend's own errors), ``"pauli"`` (their
            Pauli-twirled form) or ``"none"`` for an ideal simulation.
        orders: Per circuit, the position each qubit takes in the simulation
            (``None``: its own order); see :func:`relabeled`.
        trajectories: Noise trajectories of each circuit, each sampled for several
            shots (:mod:`qruntime.programs.trajectories`); 0: one a shot, Aer's way.
    """

    name: str
    shape: Shape
    memory_bytes: float
    work: float
    reason: str
    options: Mapping[str, Any] = field(default_factory=dict)
    approximate: bool = False
    noise: str = "device"
    orders: tuple[tuple[int, ...] | None, ...] = ()
    trajectories: int = 0
    least_work: float | None = None  # a lower bound where ``work`` is an upper one

    @property
    def seconds(self) -> float:
        """Estimated run time on one core."""
        return self.work / WORK_RATE

    @property
    def least_seconds(self) -> float:
        """The least time the run can take: a bounded matrix product state's estimate
        assumes its bonds grow to the bound, this one that they stay at 1; other
        estimates are taken to be within :data:`ESTIMATE_SPREAD` of the time."""
        least = self.least_work if self.least_work is not None else self.work / ESTIMATE_SPREAD
        return least / WORK_RATE

    def run_options(self) -> dict[str, Any]:
        """The options to pass to Aer's ``run``."""
        chosen = {} if self.name == "automatic" else {"method": self.name}
        return {**chosen, **self.options}

    def metadata(self) -> dict[str, Any]:
        """What ``metadata["simulator"]`` records."""
        found = {"method": self.name, "reason": self.reason, "qubits": self.shape.qubits,
                 "entangled_width": self.shape.width, "approximate": self.approximate,
                 "noise": _NOISE_TEXT[self.noise],
                 "estimated_memory_mb": round(self.memory_bytes / 2**20, 3),
                 "estimated_seconds": round(self.seconds, 3)}
        if any(order is not None for order in self.orders):
            found["qubit_order"] = "reordered to shorten the matrix product state's bonds"
        if self.trajectories:
            found["trajectories"] = self.trajectories
        return found


_NOISE_TEXT = {
    "device": "the backend's noise model",
    "pauli": "the backend's noise model in Pauli-twirled form (same Pauli fidelities)",
    "none": "none",
}


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
           budget: Budget | None = None, backend_name: str = "the backend",
           twirlable: bool = True, max_seconds: float | None = None) -> Method:
    """The cheapest method that runs ``circuits`` right within ``budget``.

    Args:
        circuits: The job's circuits (one simulator call).
        noisy: Whether the simulation carries a noise model.
        shots: Shots of each circuit (trajectories, for an Estimator).
        required: A method the backend requires, or ``None``.
        exact_only: Refuse approximate methods (IBM's simulators are exact or refuse).
        budget: Memory and work limits.
        backend_name: For messages.
        twirlable: Whether the noise may take its Pauli-twirled form (the
            backend's own model; a model the user brings is used as given).
        max_seconds: The job's ``max_execution_time``: a wide job that would
            surely take longer is refused (see :attr:`Method.least_seconds`).

    Raises:
        InvalidInputError: Nothing fits; the message names the qubits, the
            method, the memory (or time) against the limit, and what would run.
    """
    budget = budget or Budget()
    runs = max(1, len(circuits))
    noise = "device" if noisy else "none"
    if required is None and all(c.num_qubits <= AUTOMATIC_QUBITS for c in circuits):
        # Narrow circuits: no need to walk them (a 1000-circuit job would pay ~20 ms).
        width = max((c.num_qubits for c in circuits), default=0)
        narrow = Shape(width, width, sum(len(c.data) for c in circuits), "(not examined)",
                       width)
        return Method("automatic", narrow, _statevector_memory(width),
                      _statevector_work(narrow, noisy, shots, runs),
                      f"at most {width} qubits: small enough for Aer's own choice", noise=noise)
    shape = Shape.of(circuits)
    if required is not None:
        return _in_time(_required(required, shape, noisy, shots, runs, budget, backend_name),
                        max_seconds, backend_name)
    if shape.qubits <= AUTOMATIC_QUBITS:
        return Method("automatic", shape, _statevector_memory(shape.qubits),
                      _statevector_work(shape, noisy, shots, runs),
                      f"{shape.qubits} qubits: small enough for Aer's own choice", noise=noise)
    candidates = [m for m in _candidates(shape, noisy, shots, runs, exact_only, twirlable)
                  if m.memory_bytes <= budget.memory_bytes]
    if candidates:
        best = min(candidates, key=lambda m: m.work)
        if best.work <= budget.work:
            return _in_time(best, max_seconds, backend_name)
    raise InvalidInputError(_refusal(shape, noisy, budget, backend_name, exact_only))


def _in_time(chosen: Method, max_seconds: float | None, backend_name: str) -> Method:
    """``chosen``, unless even its least time exceeds the job's ``max_execution_time``."""
    if max_seconds is None or chosen.least_seconds <= max_seconds:
        return chosen
    raise InvalidInputError(
        f"this job cannot finish on {backend_name!r} within its max_execution_time of "
        f"{max_seconds:g} s: its circuits act on {chosen.shape.qubits} qubits, and the "
        f"cheapest simulation, {chosen.name}, needs about {_duration(chosen.seconds)} "
        f"(at least {_duration(chosen.least_seconds)}). What would run: a larger "
        "max_execution_time, fewer shots or parameter sets, or fewer qubits."
    )


def _duration(seconds: float) -> str:
    if seconds >= 7200:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 120:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"


def _candidates(shape: Shape, noisy: bool, shots: int, runs: int,
                exact_only: bool, twirlable: bool) -> list[Method]:
    n, w = shape.qubits, shape.width
    ops = max(1, shape.operations)
    device = "device" if noisy else "none"
    wide_noise = "pauli" if noisy and twirlable else device
    found = [Method("statevector", shape, _statevector_memory(n),
                    _statevector_work(shape, noisy, shots, runs),
                    f"{n} qubits, all of them entangled" if w == n else
                    f"{n} qubits fit a statevector", noise=device)]
    if noisy and n <= 14:
        found.append(Method("density_matrix", shape, 16.0 * 4.0**n, ops * 4.0**n,
                            f"{n} noisy qubits: one density matrix beats {shots} trajectories",
                            noise=device))
    if shape.clifford and (not noisy or twirlable):
        found.append(Method("stabilizer", shape, n * n / 4.0,
                            _stabilizer_work(shape, noisy, shots),
                            "every gate is a Clifford gate"
                            + (", and the device's errors are Pauli errors once twirled"
                               if noisy else ""),
                            noise=wide_noise))
    if not exact_only or 2.0**shape.bond_exponent <= MAX_BOND_DIMENSION:
        found.append(_matrix_product_state(shape, noisy, shots, wide_noise, MAX_BOND_DIMENSION))
    return found


def _matrix_product_state(shape: Shape, noisy: bool, shots: int, noise: str,
                          cap: float | None, reason: str | None = None) -> Method:
    """A matrix product state of ``shape``, its bond held to ``cap`` (``None``: exact)."""
    n, w = shape.qubits, shape.width
    ops, reads = max(1, shape.operations), shape.measurements
    # A noise model is relabelled once for a call: its circuits share one order.
    ideal = noise == "none"
    exact_bond = 2.0 ** (shape.bond_exponent if ideal else shape.joint_crossings)
    bond = exact_bond if cap is None else min(exact_bond, cap)
    approximate = bond < exact_bond
    options: dict[str, Any] = (
        {"matrix_product_state_max_bond_dimension": int(bond)} if approximate else {})
    # Aer spends some microseconds on each gate and readout of a matrix product
    # state whatever its bond (measured on qiskit-aer 0.18: ~7 us a gate, ~3 us a
    # readout, 120-220 us a saved Pauli expectation value on 100 qubits), which is
    # what decides against it for small bonds.
    def work_at(bond: float, runs: int) -> float:
        per_run = ops * (bond**3 + 5000)
        sampling = reads * (bond**2 + 3000)
        values = shape.expectations * n * (bond**2 + 1500)
        return (runs * (per_run + values) + shots * sampling if noisy
                else per_run + shots * sampling + values)

    # Sampled shots of Pauli noise share trajectories (not an Estimator's: each
    # trajectory gives one value of each term, and a value is worth one shot).
    # They do when one trajectory a shot would take long (past SHARED_TRAJECTORY_WORK).
    shared = (noise == "pauli" and not shape.dynamic and not shape.expectations
              and shots > MIN_TRAJECTORIES and work_at(bond, shots) > SHARED_TRAJECTORY_WORK)
    runs = trajectories_for(shots) if shared else shots
    work = work_at(bond, runs)
    reason = reason or (
        (f"{n} qubits, but at most {w} entangled together" if w < n else
         f"{n} qubits, entangled along chains")
        + ": a matrix product state"
        + (f" with bond dimension at most {int(bond)} (approximate)"
           if approximate else f" with bonds of at most {int(bond)} is exact"))
    if ideal:
        orders = shape.orders
    else:
        orders = () if shape.joint_order is None else (shape.joint_order,) * len(shape.orders)
    if shared:
        reason += f"; {runs} noise trajectories, each sampled for several shots"
    if approximate and (shared or (ideal and not shape.dynamic)):
        # Aer logs the bonds and discarded weights of one state per experiment; the
        # threads of a per-shot run write into one log at once and garble it.
        options["mps_log_data"] = True
    return Method("matrix_product_state", shape, n * bond * bond * 32.0, work, reason,
                  options, approximate, noise=noise, orders=orders,
                  trajectories=runs if shared else 0,
                  least_work=work_at(1.0, runs) if approximate else None)


def _stabilizer_work(shape: Shape, noisy: bool, shots: int) -> float:
    # Measured on qiskit-aer 0.18, 100 qubits: ~2.5 us a noisy gate (the gate, its
    # sampled Pauli error, the relaxation), ~25 us a saved Pauli expectation value.
    n = shape.qubits
    gates = max(1, shape.operations) * (n + (2500 if noisy else 200))
    reads = shape.measurements * (n * n / 16 + 500)  # a tableau measurement, on 64-bit words
    values = shape.expectations * (2.5 * n * n + 500)
    return shots * (gates + reads + values) if noisy else gates + shots * reads + values


def _required(required: str, shape: Shape, noisy: bool, shots: int, runs: int,
              budget: Budget, backend_name: str) -> Method:
    n = shape.qubits
    noise = "device" if noisy else "none"
    if required == "stabilizer":
        if not shape.clifford:
            raise InvalidInputError(
                f"backend {backend_name!r} simulates Clifford circuits only, and "
                f"{shape.non_clifford!r} is not a Clifford gate. Run the circuit on "
                "simulator_mps or simulator_statevector, or use Clifford gates only.")
        return Method("stabilizer", shape, n * n / 4.0, _stabilizer_work(shape, noisy, shots),
                      f"backend {backend_name!r} is a stabilizer simulator", noise=noise)
    if required == "matrix_product_state":
        exact = _matrix_product_state(shape, noisy, shots, noise, None,
                                      f"backend {backend_name!r} simulates with "
                                      "matrix_product_state")
        if exact.memory_bytes > budget.memory_bytes:
            raise InvalidInputError(_refusal(shape, noisy, budget, backend_name, True,
                                             method="an exact matrix_product_state",
                                             memory=exact.memory_bytes))
        return exact
    memory = {"statevector": _statevector_memory(n),
              "density_matrix": 16.0 * 4.0**n}.get(required)
    if memory is not None and memory > budget.memory_bytes:
        raise InvalidInputError(_refusal(shape, noisy, budget, backend_name, True,
                                         method=required, memory=memory))
    return Method(required, shape, memory or 0.0, _statevector_work(shape, noisy, shots, runs),
                  f"backend {backend_name!r} simulates with {required}", noise=noise)


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
    passes = max(1, shape.operations) + shape.expectations
    return passes * 2.0**shape.qubits * (shots if noisy else 1) + shots * runs


def _size(count: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if count >= scale:
            return f"{count / scale:.4g} {unit}"
    return f"{count / 1024:.3g} KiB"


@dataclass
class _Ops:
    count: int = 0
    measurements: int = 0
    expectations: int = 0
    delays: int = 0
    flows: int = 0
    non_clifford: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def _most_crossings(position: Mapping[int, int], spans: list[tuple[int, int]]) -> int:
    """The largest bond exponent over the cuts between neighbours, the simulated
    qubits placed at ``position``: at each cut, the spans crossing it, and no
    more than the qubits on its smaller side."""
    count = len(position)
    starts = [0] * (count + 1)
    for low, high in spans:
        a, b = sorted((position[low], position[high]))
        starts[a] += 1  # crosses the cuts after positions a .. b-1
        starts[b] -= 1
    most = running = 0
    for index, step in enumerate(starts[:-1]):
        running += step
        most = max(most, min(running, index + 1, count - index - 1))
    return most


def _ranks(members: set[int], ordered: Sequence[int]) -> dict[int, int]:
    """The position of each of ``members`` in ``ordered`` (Aer drops the idle qubits)."""
    return {qubit: i for i, qubit in enumerate(q for q in ordered if q in members)}


def _chain_order(members: set[int], spans: list[tuple[int, int]]) -> dict[int, int]:
    """Positions of ``members`` that keep interacting qubits close: reverse
    Cuthill-McKee on the interaction graph, which walks a chain from one end."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    qubits = sorted(members)
    index = {qubit: i for i, qubit in enumerate(qubits)}
    pairs = {(index[a], index[b]) for a, b in spans}
    rows = [a for a, b in pairs] + [b for a, b in pairs]
    cols = [b for a, b in pairs] + [a for a, b in pairs]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(qubits),) * 2).tocsr()
    order = reverse_cuthill_mckee(graph, symmetric_mode=True)
    return {qubits[int(i)]: position for position, i in enumerate(order)}


def _permutation(position: Mapping[int, int], num_qubits: int) -> tuple[int, ...]:
    """``position`` extended to every qubit: the idle ones after the simulated ones."""
    rest = iter(range(len(position), num_qubits))
    return tuple(position[q] if q in position else next(rest) for q in range(num_qubits))


def relabeled(circuit: QuantumCircuit, order: Sequence[int]) -> QuantumCircuit:
    """``circuit`` with its qubit ``q`` moved to ``order[q]``; classical bits, registers,
    parameters and control flow as they were, so results read the same."""
    from qiskit.circuit import CircuitInstruction

    moved = circuit.copy_empty_like()
    qubits = moved.qubits
    for instruction in circuit.data:
        targets = [qubits[order[circuit.find_bit(q).index]] for q in instruction.qubits]
        moved._append(CircuitInstruction(instruction.operation, targets, instruction.clbits))
    return moved


def snapped(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with each ``rz`` a multiple of a quarter turn to within 1e-9 made
    exact: Aer's stabilizer method refuses ``rz(-pi/2 + 1e-12)``, as transpiling leaves."""
    from qiskit.circuit import CircuitInstruction
    from qiskit.circuit.library import RZGate

    moved = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name == "rz" and _is_clifford(operation):
            turns = round(float(operation.params[0]) / (math.pi / 2))
            instruction = CircuitInstruction(RZGate(turns * math.pi / 2), instruction.qubits,
                                             instruction.clbits)
        moved._append(instruction)
    return moved


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
            ops.delays += name == "delay"
            continue
        if name.startswith("save_"):  # an Estimator's saved expectation value
            ops.expectations += 1
            continue
        qubits = [physical[circuit.find_bit(q).index] for q in instruction.qubits]
        if len(qubits) > 1:
            ops.spans.append((min(qubits), max(qubits)))
        if isinstance(operation, ControlFlowOp):
            ops.flows += 1
            groups.add(qubits)  # a conditioned block may join what it touches
            for block in operation.blocks:
                _walk(block, qubits, groups, ops)
            continue
        if name in ("measure", "reset"):
            groups.add(qubits)  # simulated (Aer keeps measured qubits), entangling nothing
            ops.measurements += name == "measure"
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
