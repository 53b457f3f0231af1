"""What the runtime knows about one backend: its target, limits, and simulator.

A :class:`BackendSpec` is built once per backend and shared by every job: the
``Target``, the simulator with its noise model and the preset pass managers are
expensive to build and cheap to reuse.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Sequence

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, Gate, ParameterExpression
from qiskit.transpiler import Target
from qiskit.transpiler.passmanager import StagedPassManager

from qruntime.errors import InvalidInputError

# Instructions every backend runs whatever its target says: they are directives
# or classical bookkeeping, not gates on the device.
DIRECTIVES = frozenset({"barrier", "delay"})
# Slack on an angle's upper bound for floating-point rounding, as the stock client allows.
ANGLE_TOLERANCE = 1e-10


@dataclass(eq=False)
class BackendSpec:
    """A backend of the catalog.

    Args:
        name: The backend's name, as users pass it to ``service.backend(name)``.
        target: The Qiskit ``Target`` clients transpile against.
        is_simulator: Whether the backend says ``simulator: true`` in its configuration.
        description: One line shown in listings.
        max_shots: Largest ``shots`` a job may ask for.
        max_experiments: Largest number of circuits in one job.
        build_noise_model: Builds the Aer noise model, or ``None`` for an ideal
            backend. It runs on first need only: a process that answers HTTP and
            never simulates never builds one (a device's takes seconds).
        configuration_dict: Builds the protocol's configuration dict.
        properties_dict: Builds the protocol's properties dict, or ``None``.
        backend_version: The version string the protocol reports.
        simulation_method: The Aer method of the backend's simulator (``"automatic"``:
            Aer chooses per circuit).
        clifford_only: Whether the backend simulates Clifford circuits only; its
            target then holds Clifford gates only, and the ISA check says why
            another gate is refused.
        angle_ranges: Gates whose angle is calibrated for a closed range only
            (Heron's ``rzz``: [0, π/2]); the ISA check refuses a bound angle outside it.
    """

    name: str
    target: Target
    is_simulator: bool
    description: str = ""
    max_shots: int = 100_000
    max_experiments: int = 300
    build_noise_model: Callable[[], Any] | None = None
    configuration_dict: Callable[[BackendSpec], dict[str, Any]] | None = None
    properties_dict: Callable[[BackendSpec], dict[str, Any] | None] | None = None
    backend_version: str = "1.0.0"
    simulation_method: str = "automatic"
    clifford_only: bool = False
    angle_ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pass_managers: dict[int, StagedPassManager] = field(default_factory=dict, repr=False)

    @property
    def num_qubits(self) -> int:
        """Number of qubits of the backend."""
        return self.target.num_qubits or 0

    @cached_property
    def operation_names(self) -> frozenset[str]:
        """Names of the instructions the target supports, directives included."""
        return frozenset(self.target.operation_names) | DIRECTIVES

    @cached_property
    def coupling_edges(self) -> frozenset[tuple[int, int]] | None:
        """Directed two-qubit edges, or ``None`` when every pair is connected."""
        cmap = self.target.build_coupling_map()
        if cmap is None:
            return None
        return frozenset(tuple(edge) for edge in cmap.get_edges())  # type: ignore[misc]

    @property
    def has_noise(self) -> bool:
        """Whether the backend simulates with a noise model (known without building it)."""
        return self.build_noise_model is not None

    @cached_property
    def noise_model(self) -> Any:
        """The Aer noise model, built once on first use; ``None`` for an ideal backend."""
        if self.build_noise_model is None:
            return None
        import logging
        import time

        logger = logging.getLogger(__name__)
        logger.info("building the %s noise model...", self.name)
        started = time.perf_counter()
        model = self.build_noise_model()
        logger.info("%s noise model built in %.1f s", self.name, time.perf_counter() - started)
        return model

    def simulator(self) -> Any:
        """The Aer simulator of this backend, built once and reused."""
        return self._simulator

    @cached_property
    def _simulator(self) -> Any:
        from qruntime.backends.noise import build_simulator

        return build_simulator(self.noise_model, method=self.simulation_method)

    def pauli_simulator(self) -> Any:
        """The simulator with this backend's errors in Pauli-twirled form (see
        :mod:`qruntime.backends.pauli`), for the stabilizer method and matrix
        product state trajectories; built once and reused."""
        return self._pauli_simulator

    @cached_property
    def _pauli_simulator(self) -> Any:
        from qruntime.backends.noise import build_simulator
        from qruntime.backends.pauli import pauli_noise_model

        model = self.noise_model
        return build_simulator(None if model is None else pauli_noise_model(model),
                               method=self.simulation_method)

    def pass_manager(self, optimization_level: int) -> StagedPassManager:
        """The preset pass manager for ``optimization_level`` (0-3), built once."""
        if optimization_level not in (0, 1, 2, 3):
            raise InvalidInputError(
                f"optimization_level {optimization_level!r} is not allowed; use 0, 1, 2 or 3."
            )
        with self._lock:
            manager = self._pass_managers.get(optimization_level)
            if manager is None:
                from qiskit.transpiler import generate_preset_pass_manager

                manager = generate_preset_pass_manager(
                    optimization_level=optimization_level, target=self.target
                )
                self._pass_managers[optimization_level] = manager
        return manager

    def check_circuit(self, circuit: QuantumCircuit, index: int = 0) -> None:
        """Raise :class:`InvalidInputError` unless ``circuit`` runs on this backend as is.

        Checks the qubit count, that every instruction is in the target, that bound
        angles of range-calibrated gates (``rzz`` on Heron) are in range, and on
        backends with a coupling map that two-qubit gates act on coupled qubits,
        inside control-flow blocks too. It does not transpile: the check is one set
        lookup per instruction.
        """
        where = f"circuit {index}" + (f" ({circuit.name!r})" if circuit.name else "")
        if circuit.num_qubits > self.num_qubits:
            raise InvalidInputError(
                f"{where} has {circuit.num_qubits} qubits but backend {self.name!r} "
                f"has {self.num_qubits}."
            )
        self._check_instructions(circuit, range(circuit.num_qubits), where)

    def _check_instructions(
        self, circuit: QuantumCircuit, physical: Sequence[int], where: str
    ) -> None:
        # ``physical[i]`` is the backend qubit of ``circuit``'s qubit i: control-flow
        # blocks have their own qubits, standing for the qubits of their instruction.
        names = self.operation_names
        edges = self.coupling_edges
        for instruction in circuit.data:
            operation = instruction.operation
            name = operation.name
            if name not in names:
                raise InvalidInputError(self._unsupported(name, where))
            if name in self.angle_ranges:
                self._check_angle(instruction, physical, circuit, where)
            if isinstance(operation, ControlFlowOp):
                qubits = [physical[circuit.find_bit(q).index] for q in instruction.qubits]
                for block in operation.blocks:
                    self._check_instructions(block, qubits, where)
            elif edges is not None and len(instruction.qubits) == 2 and name not in DIRECTIVES:
                pair = tuple(physical[circuit.find_bit(q).index] for q in instruction.qubits)
                if pair not in edges:
                    raise InvalidInputError(
                        f"{where} is not ISA: {name!r} on qubits {pair} of backend "
                        f"{self.name!r}, which are not coupled. Transpile the circuit for "
                        "the backend first, e.g. transpile(circuit, backend=backend)."
                    )

    def _unsupported(self, name: str, where: str) -> str:
        basis = ", ".join(sorted(n for n in self.operation_names if n not in DIRECTIVES))
        if self.clifford_only:
            target = self.target
            gates = ", ".join(sorted(n for n in target.operation_names
                                     if isinstance(target.operation_from_name(n), Gate)))
            return (
                f"{where} cannot run on backend {self.name!r}, which simulates Clifford "
                f"circuits only: instruction {name!r} is not one of its Clifford gates "
                f"({gates}). Run non-Clifford circuits on simulator_extended_stabilizer, "
                "simulator_mps or simulator_statevector."
            )
        return (
            f"{where} is not ISA: instruction {name!r} is not supported by backend "
            f"{self.name!r}. Supported instructions: {basis}. Transpile the circuit "
            "for the backend first, e.g. transpile(circuit, backend=backend)."
        )

    def _check_angle(
        self, instruction: Any, physical: Sequence[int], circuit: QuantumCircuit, where: str
    ) -> None:
        angle = instruction.operation.params[0]
        if isinstance(angle, ParameterExpression):
            if angle.parameters:
                return  # bound later, with the job's parameter values
            angle = complex(angle).real
        low, high = self.angle_ranges[instruction.operation.name]
        if low <= float(angle) <= high + ANGLE_TOLERANCE:
            return
        name = instruction.operation.name
        qubits = tuple(physical[circuit.find_bit(q).index] for q in instruction.qubits)
        raise InvalidInputError(
            f"{where}: {name!r} on qubits {qubits} has angle {float(angle)!r}, outside the "
            f"range backend {self.name!r} calibrates it for: {_range_text(low, high)}. "
            "Transpile the circuit for the backend (it folds angles into the range), "
            "e.g. transpile(circuit, backend=backend)."
        )

    def configuration(self) -> dict[str, Any]:
        """The protocol's ``/backends/{name}/configuration`` document."""
        if self.configuration_dict is None:
            raise NotImplementedError(f"backend {self.name!r} has no configuration builder")
        return self._configuration

    @cached_property
    def _configuration(self) -> dict[str, Any]:
        assert self.configuration_dict is not None
        return self.configuration_dict(self)

    def properties(self) -> dict[str, Any] | None:
        """The protocol's ``/backends/{name}/properties`` document, or ``None``."""
        return self._properties

    @cached_property
    def _properties(self) -> dict[str, Any] | None:
        return self.properties_dict(self) if self.properties_dict is not None else None

    def status(self, pending_jobs: int = 0) -> dict[str, Any]:
        """The protocol's ``/backends/{name}/status`` document."""
        return {
            "backend_name": self.name,
            "backend_version": self.backend_version,
            "state": True,
            "operational": True,
            "status": "active",
            "status_msg": "active",
            "message": "",
            "length_queue": pending_jobs,
            "pending_jobs": pending_jobs,
        }


def _range_text(low: float, high: float) -> str:
    from qiskit.circuit.tools import pi_check

    def show(value: float) -> str:
        return pi_check(value, output="qasm") if value else "0"

    return f"[{show(low)}, {show(high)}] ({low:g} <= angle <= {high:.6g})"
