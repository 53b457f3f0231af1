"""Pauli-twirled noise: a device's noise model in the form a stabilizer simulator runs.

Aer's ``stabilizer`` method accepts Pauli errors, resets and readout errors only,
but a device model has thermal relaxation in it (amplitude damping, ``kraus``
instructions where T2 > T1). The Pauli-twirling approximation replaces each
error by the Pauli channel with the same diagonal of the Pauli transfer matrix
(PTM): the same process fidelity and the same decay of each Pauli expectation,
without the coherent and non-unital parts. It is the channel a circuit sees when
random Paulis are applied before each gate and undone after it.

The PTM of an error is summed from the PTMs of its circuits' instructions, each
computed once: an error's circuits repeat the same few instructions (a device's
two-qubit error is up to 16 Paulis times each qubit's relaxation terms), so the
products of circuits' common ends are shared. A device model converts in a
fraction of a second; what it costs is reading the circuits.

Example:
    >>> from qiskit_aer.noise import amplitude_damping_error
    >>> twirled = pauli_twirl(amplitude_damping_error(0.1))
    >>> sorted(round(float(p), 4) for p in twirled.probabilities)
    [0.0007, 0.025, 0.025, 0.9493]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, reduce
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Instruction
from qiskit.quantum_info import SuperOp
from qiskit.transpiler.basepasses import BasePass
from qiskit_aer.noise import NoiseModel, QuantumError, pauli_error
from qiskit_aer.noise.errors.base_quantum_error import BaseQuantumError
from qiskit_aer.noise.passes import LocalNoisePass

#: Pauli terms of a twirled error with a smaller probability are dropped.
MIN_PROBABILITY = 1e-12

_SIGMA = (
    np.eye(2, dtype=complex),
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]]),
    np.array([[1, 0], [0, -1]], dtype=complex),
)
_ONE_QUBIT = (0,)
_MAX_CACHED = 10_000  # a noise pass's twirler starts afresh past this
_COMMUTE_1Q = np.array([[1, 1, 1, 1], [1, 1, -1, -1], [1, -1, 1, -1], [1, -1, -1, 1]])


def pauli_twirl(error: QuantumError) -> QuantumError:
    """The Pauli-twirling approximation of ``error``.

    The result is the Pauli channel whose Pauli transfer matrix has the same
    diagonal as ``error``'s, so it has the same process fidelity. It is exact
    up to dropped terms of probability below :data:`MIN_PROBABILITY`.

    Args:
        error: A quantum error on any number of qubits (in practice 1 or 2:
            the PTM has ``16**n`` entries).

    Returns:
        A mixture of Pauli gates, as ``qiskit_aer.noise.pauli_error`` builds it
        (``id``, ``x``, ``y``, ``z`` on one qubit, ``pauli`` on more). Its
        circuits are shared with other twirled errors: read them, change none.

    Example:
        >>> from qiskit_aer.noise import thermal_relaxation_error
        >>> twirled = pauli_twirl(thermal_relaxation_error(100e-6, 150e-6, 1e-6))
        >>> [circuit.data[0].operation.name for circuit in twirled.circuits]
        ['id', 'x', 'y', 'z']
    """
    return _Twirler()(error)


def pauli_noise_model(model: NoiseModel) -> NoiseModel:
    """A copy of ``model`` with every quantum error Pauli-twirled, for ``method="stabilizer"``.

    Default and local quantum errors are replaced by their :func:`pauli_twirl`;
    readout errors are kept as they are; each custom noise pass (the relaxation
    during ``delay`` of ``NoiseModel.from_backend``) becomes a ``LocalNoisePass``
    that inserts the twirl of what the original pass would insert.

    Args:
        model: A noise model, e.g. a device's
            (:func:`~qruntime.backends.noise.device_noise_model`).

    Returns:
        A new noise model; ``model`` is not changed.

    Raises:
        TypeError: If a custom noise pass is not a ``LocalNoisePass`` (its
            inserted errors cannot be reached).

    Example:
        >>> from qiskit_aer import AerSimulator
        >>> from qiskit_aer.noise import amplitude_damping_error
        >>> model = NoiseModel(basis_gates=["x", "h", "cx"])
        >>> model.add_all_qubit_quantum_error(amplitude_damping_error(0.05), ["x", "h"])
        >>> circuit = QuantumCircuit(1, 1)
        >>> _ = circuit.x(0), circuit.measure(0, 0)
        >>> simulator = AerSimulator(method="stabilizer", noise_model=pauli_noise_model(model))
        >>> simulator.run(circuit, shots=10).result().success
        True
    """
    twirl = _Twirler()
    twirled = NoiseModel()
    # NoiseModel has no public way to list its errors (these are qiskit-aer
    # 0.18's tables, as NoiseParts in qruntime.backends.noise reads them), and
    # add_quantum_error spent a third of the time proving each error not ideal:
    # the tables are copied with each quantum error replaced.
    twirled._basis_gates = set(model._basis_gates)
    twirled._default_quantum_errors = {
        name: twirl(error) for name, error in model._default_quantum_errors.items()
    }
    twirled._local_quantum_errors = {
        name: {qubits: twirl(error) for qubits, error in by_qubits.items()}
        for name, by_qubits in model._local_quantum_errors.items()
    }
    twirled._default_readout_error = model._default_readout_error
    twirled._local_readout_errors = dict(model._local_readout_errors)
    twirled._noise_instructions = set(model._noise_instructions)
    twirled._noise_qubits = set(model._noise_qubits)
    twirled._custom_noise_passes = [_twirled_pass(p) for p in model._custom_noise_passes]
    return twirled


def _twirled_pass(noise_pass: BasePass) -> LocalNoisePass:
    if not isinstance(noise_pass, LocalNoisePass):
        raise TypeError(f"cannot twirl the errors of a {type(noise_pass).__name__} noise pass")
    function = _TwirledNoise(noise_pass._func)
    return LocalNoisePass(function, op_types=noise_pass._ops or None, method=noise_pass._method)


class _TwirledNoise:
    """A noise pass's function, with its errors twirled (instruction PTMs kept between runs)."""

    def __init__(self, noise: Callable[[Instruction, Sequence[int]], Any]) -> None:
        self._noise = noise
        self._twirl = _Twirler()

    def __call__(self, operation: Instruction, qubits: Sequence[int]) -> Any:
        noise = self._noise(operation, qubits)
        if noise is None:
            return None
        if isinstance(noise, (QuantumCircuit, Instruction)):
            noise = QuantumError(noise)
        if not isinstance(noise, QuantumError):
            return noise  # e.g. a ReadoutError, which LocalNoisePass refuses itself
        if self._twirl.size > _MAX_CACHED:
            self._twirl = _Twirler()
        return self._twirl(noise)


class _Twirler:
    """Twirls errors, sharing the PTMs of equal instructions and the results of equal diagonals."""

    def __init__(self) -> None:
        self.instructions: dict[Any, np.ndarray] = {}  # an instruction's content -> its PTM
        self._steps: dict[tuple[Any, tuple[int, ...], int], int] = {}
        self._matrices: list[np.ndarray] = []  # by step: an instruction's PTM on n qubits
        self._by_source: dict[int, tuple[QuantumError, QuantumError]] = {}
        self._by_diagonal: dict[bytes, QuantumError] = {}

    @property
    def size(self) -> int:
        """How many things the caches hold."""
        return len(self._matrices) + len(self._by_source)

    def __call__(self, error: QuantumError) -> QuantumError:
        seen = self._by_source.get(id(error))
        if seen is not None:
            return seen[1]
        diagonal = np.diag(self.ptm(error))
        key = diagonal.tobytes()
        twirled = self._by_diagonal.get(key)
        if twirled is None:
            twirled = self._by_diagonal[key] = _pauli_channel(diagonal, error.num_qubits)
        self._by_source[id(error)] = (error, twirled)  # holding error keeps its id unique
        return twirled

    def ptm(self, error: BaseQuantumError) -> np.ndarray:
        """The Pauli transfer matrix of ``error`` (index: qubit k is base-4 digit k, IXYZ)."""
        if not isinstance(error, QuantumError):
            error = QuantumError(error.to_quantum_error())
        n = error.num_qubits
        # A circuit's PTM is last @ ... @ first. Circuits that end alike share
        # the product of their ends (suffixes), and the sum over circuits is
        # taken per shared end: sum_end end @ (sum_first p * first).
        suffixes: dict[tuple[Any, ...], np.ndarray] = {(): _identity(n)}
        firsts: dict[tuple[Any, ...], dict[int | None, float]] = {}
        for circuit, probability in zip(error.circuits, error.probabilities):
            steps = self._circuit_steps(circuit, n)
            first = steps.pop(0) if steps else None
            group = firsts.setdefault(self._suffix(steps, suffixes, n), {})
            group[first] = group.get(first, 0.0) + probability
        total = np.zeros((4**n, 4**n))
        for suffix, group in firsts.items():
            matrices = [_identity(n) if s is None else self._matrices[s] for s in group]
            total += suffixes[suffix] @ np.tensordot(list(group.values()), matrices, axes=1)
        return total

    def _circuit_steps(self, circuit: QuantumCircuit, n: int) -> list[int]:
        step = self._step
        if n == 1:
            return [step(item.operation, _ONE_QUBIT, 1) for item in circuit.data]
        index = {qubit: i for i, qubit in enumerate(circuit.qubits)}
        return [
            step(item.operation, tuple([index[q] for q in item.qubits]), n)
            for item in circuit.data
        ]

    def _suffix(
        self, steps: list[int], suffixes: dict[tuple[Any, ...], np.ndarray], n: int
    ) -> tuple[Any, ...]:
        key: tuple[Any, ...] = ()
        product = suffixes[key]
        for step in reversed(steps):
            longer = (step, key)
            found = suffixes.get(longer)
            if found is None:
                found = suffixes[longer] = product @ self._matrices[step]
            key, product = longer, found
        return key

    def _step(self, operation: Instruction, qubits: tuple[int, ...], n: int) -> int:
        quantum_error = getattr(operation, "_quantum_error", None)
        if quantum_error is not None:  # an error inserted as an instruction
            return self._add_step(self.ptm(quantum_error), qubits, n)
        content = _content(operation)
        if content is None:
            return self._add_step(_instruction_ptm(operation), qubits, n)
        key = (content, qubits, n)
        step = self._steps.get(key)
        if step is None:
            ptm = self.instructions.get(content)
            if ptm is None:
                ptm = self.instructions[content] = _instruction_ptm(operation)
            step = self._steps[key] = self._add_step(ptm, qubits, n)
        return step

    def _add_step(self, ptm: np.ndarray, qubits: tuple[int, ...], n: int) -> int:
        self._matrices.append(_embed(ptm, qubits, n))
        return len(self._matrices) - 1


def _content(operation: Instruction) -> Any:
    """What makes two instructions equal as channels, or ``None`` where that is unclear."""
    kind = type(operation)
    params = operation.params
    if not params:
        if kind is Instruction or kind is Gate:
            return None  # a custom instruction: only its definition tells
        return kind, operation.name, operation.num_qubits
    return kind, operation.name, operation.num_qubits, tuple(map(_param_content, params))


def _param_content(param: Any) -> Any:
    if isinstance(param, np.ndarray):
        return param.shape, param.tobytes()
    return param if isinstance(param, (str, int, float, complex)) else repr(param)


def _instruction_ptm(operation: Instruction) -> np.ndarray:
    k = operation.num_qubits
    superop = SuperOp(operation).data
    vecs = _pauli_vecs(k)
    return (vecs.conj().T @ superop @ vecs).real / 2**k


@cache
def _identity(n: int) -> np.ndarray:
    return np.eye(4**n)


@cache
def _pauli_vecs(k: int) -> np.ndarray:
    """Columns: the column-stacked n-qubit Paulis (Qiskit's ``SuperOp`` convention)."""
    columns = []
    for index in range(4**k):
        digits = [(index // 4**q) % 4 for q in reversed(range(k))]
        pauli = reduce(np.kron, (_SIGMA[d] for d in digits), np.eye(1, dtype=complex))
        columns.append(pauli.reshape(-1, order="F"))
    return np.array(columns).T


def _embed(ptm: np.ndarray, qubits: tuple[int, ...], n: int) -> np.ndarray:
    """The ``n``-qubit PTM of ``ptm`` acting on ``qubits`` (the others untouched)."""
    k = len(qubits)
    if qubits == tuple(range(n)):
        return ptm
    rest = [q for q in reversed(range(n)) if q not in qubits]
    idle = np.eye(4 ** len(rest)).reshape((4,) * 2 * len(rest))
    full = np.multiply.outer(ptm.reshape((4,) * 2 * k), idle)
    # Axes of ``full``: gate out (local k-1..0), gate in, rest out (high to low), rest in.
    out_axis = {q: k - 1 - j for j, q in enumerate(qubits)}
    out_axis.update({q: 2 * k + i for i, q in enumerate(rest)})
    in_axis = {q: k + k - 1 - j for j, q in enumerate(qubits)}
    in_axis.update({q: 2 * k + len(rest) + i for i, q in enumerate(rest)})
    order = [out_axis[q] for q in reversed(range(n))] + [in_axis[q] for q in reversed(range(n))]
    return full.transpose(order).reshape(4**n, 4**n)


def _pauli_channel(diagonal: np.ndarray, n: int) -> QuantumError:
    """The Pauli channel whose PTM is ``diag(diagonal)``: p = W d / 4**n, W: commutation signs."""
    probabilities = _commutation(n) @ diagonal / 4**n
    terms = [
        (_pauli_circuit(index, n), float(p))
        for index, p in enumerate(probabilities)
        if p >= MIN_PROBABILITY
    ]
    # As pauli_error builds it, but with each Pauli's one-gate circuit built
    # once and shared (QuantumError keeps the circuits it is given, and Aer
    # only reads them): building them was half the time of a device model.
    return QuantumError(terms)


@cache
def _commutation(n: int) -> np.ndarray:
    return reduce(np.kron, [_COMMUTE_1Q] * n, np.eye(1))


@cache
def _pauli_circuit(index: int, n: int) -> QuantumCircuit:
    label = "".join("IXYZ"[(index // 4**q) % 4] for q in reversed(range(n)))
    return pauli_error([(label, 1.0)]).circuits[0]
