"""A runtime backend as a Qiskit ``BackendV2``: transpile against it, run on it.

Example:
    .. code-block:: python

        from qiskit import QuantumCircuit, transpile
        from qruntime import QiskitRuntimeService

        service = QiskitRuntimeService()
        backend = service.backend("ibmq_qasm_simulator")
        circuit = QuantumCircuit(2, 2)
        circuit.h(0)
        circuit.cx(0, 1)
        circuit.measure_all()
        job = backend.run(transpile(circuit, backend=backend))
        print(job.result().get_counts())
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Sequence

from qiskit import QuantumCircuit
from qiskit.providers import BackendV2, Options
from qiskit.transpiler import CouplingMap, Target

from qruntime.client.job import RuntimeJob
from qruntime.client.session import Session, session_for
from qruntime.client.target import fractional_gates, target_without, without_gates
from qruntime.errors import IBMInputValueError

if TYPE_CHECKING:
    from qruntime.client.service import QiskitRuntimeService

# Options of the backend itself, not of its jobs.
_NOT_SENT = frozenset({"use_fractional_gates"})
# What backend.run sends unless told otherwise (as the seed-era client does).
_RUN_DEFAULTS: dict[str, Any] = {
    "shots": 4000, "meas_level": 2, "init_qubits": True, "memory": False, "meas_return": "avg",
}


class IBMBackend(BackendV2):
    """A backend of a qruntime service.

    A device with fractional gates (``ibm_qrt_heron``: ``rx`` and ``rzz``) shows
    them in its configuration and target only when asked for with
    ``use_fractional_gates=True`` (see :meth:`QiskitRuntimeService.backend`), as
    IBM's client does; the runtime accepts them either way.

    Args:
        service: The service the backend belongs to.
        name: The backend's name.
        use_fractional_gates: Whether the target offers the device's fractional
            gates (``None``: offer them too).
    """

    def __init__(
        self, service: QiskitRuntimeService, name: str, use_fractional_gates: bool | None = False
    ) -> None:
        configuration = service._transport.backend_configuration(name)
        offered = fractional_gates(configuration)
        self._hidden = frozenset(offered if use_fractional_gates is False else ())
        if self._hidden:
            configuration = without_gates(configuration, self._hidden)
        super().__init__(
            provider=None, name=name, description=configuration.get("description", ""),
            online_date=configuration.get("online_date"),
            backend_version=configuration.get("backend_version", "1.0.0"),
        )
        self.options.update_options(use_fractional_gates=use_fractional_gates)
        self._service = service
        self._configuration = configuration
        self._session: Session | None = None

    # --- what the backend is -------------------------------------------------------

    @property
    def service(self) -> QiskitRuntimeService:
        """The service the backend belongs to."""
        return self._service

    @cached_property
    def target(self) -> Target:  # type: ignore[override]
        """The backend's :class:`~qiskit.transpiler.Target` (fractional gates only if asked for)."""
        target = self._service._transport.backend_target(self.name)
        return target_without(target, self._hidden) if self._hidden else target

    @property
    def max_circuits(self) -> int:
        """Most circuits one job may hold."""
        return int(self._configuration.get("max_experiments", 300))

    @property
    def max_shots(self) -> int:
        """Most shots one job may ask for."""
        return int(self._configuration.get("max_shots", 100_000))

    @property
    def simulator(self) -> bool:
        """Whether the backend says it is a simulator (every qruntime backend simulates)."""
        return bool(self._configuration.get("simulator", False))

    @property
    def coupling_map(self) -> CouplingMap:
        """The backend's coupling map."""
        return self.target.build_coupling_map()  # type: ignore[return-value]

    @property
    def session(self) -> Session | None:
        """The session opened with :meth:`open_session`, if any."""
        return self._session

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=4000, memory=False, seed_simulator=None, init_qubits=True,
                       meas_level=2, meas_return="avg", rep_delay=None, noise_model=None,
                       use_fractional_gates=False)

    def configuration(self) -> Any:
        """The configuration document, with attribute access (``config.n_qubits``)."""
        return _Document(self._configuration)

    def properties(self, refresh: bool = False) -> Any:
        """The properties document (calibration data), or ``None`` for ideal simulators."""
        properties = self._service._transport.backend_properties(self.name)
        return _Document(properties) if properties is not None else None

    def status(self) -> Any:
        """The status document: ``operational``, ``pending_jobs``, ``status_msg``."""
        return _Document(self._service._transport.backend_status(self.name))

    def defaults(self, refresh: bool = False) -> None:
        """Pulse defaults: none, as qruntime backends run no pulse schedules."""
        return None

    # --- running -------------------------------------------------------------------

    def run(
        self, circuits: QuantumCircuit | Sequence[QuantumCircuit], dynamic: bool | None = None,
        job_tags: list[str] | None = None, init_circuit: QuantumCircuit | None = None,
        init_num_resets: int | None = None, header: dict[str, Any] | None = None,
        shots: int | float | None = None, memory: bool | None = None,
        meas_level: int | None = None, meas_return: str | None = None,
        rep_delay: float | None = None, init_qubits: bool | None = None,
        use_measure_esp: bool | None = None, noise_model: Any = None,
        seed_simulator: int | None = None, **run_options: Any,
    ) -> RuntimeJob:
        """Run circuits that already match the backend's target.

        Inside a session's ``with`` block on this backend (``open_session()``,
        ``Session`` or ``Batch``), the job joins that session.

        Args:
            circuits: One circuit or a list; they must be transpiled for this backend.
            job_tags: Tags to find the job by later.
            shots: Repetitions of each circuit (default 4000).
            memory: Whether to return every shot's outcome too.
            seed_simulator: Seed of the simulator's random numbers.
            **run_options: Other run options of ``IBMBackend.run``.

        Returns:
            The job; ``job.result()`` is a Qiskit :class:`~qiskit.result.Result`.

        Raises:
            IBMInputValueError: A circuit is not ISA for this backend, shots are out
                of range, or an option is unknown; nothing was queued.
        """
        circuit_list = [circuits] if isinstance(circuits, QuantumCircuit) else list(circuits)
        if not all(isinstance(c, QuantumCircuit) for c in circuit_list):
            raise IBMInputValueError("backend.run takes QuantumCircuit objects.")
        given = {
            "shots": shots, "memory": memory, "meas_level": meas_level,
            "meas_return": meas_return, "rep_delay": rep_delay, "init_qubits": init_qubits,
            "use_measure_esp": use_measure_esp, "noise_model": noise_model,
            "seed_simulator": seed_simulator, "header": header,
            "init_circuit": init_circuit, "init_num_resets": init_num_resets,
        }
        params: dict[str, Any] = dict(_RUN_DEFAULTS)
        params.update({k: v for k, v in self.options.__dict__.items()
                       if v is not None and k not in _NOT_SENT})
        params.update({k: v for k, v in given.items() if v is not None})
        params.update(run_options)
        # The job keeps its own copies: later edits of the caller's circuits must not
        # reach it. A circuit given several times is copied (and later encoded) once.
        copies: dict[int, QuantumCircuit] = {}
        for circuit in circuit_list:
            if id(circuit) not in copies:
                copies[id(circuit)] = circuit.copy()
        params["circuits"] = [copies[id(circuit)] for circuit in circuit_list]
        program_id = "qasm3-runner" if dynamic else "circuit-runner"
        return self._service._submit(
            program_id, self, params, session=session_for(self), tags=job_tags,
            job_class=RuntimeJob,
        )

    def open_session(self, max_time: int | str | None = None) -> Session:
        """Open a session on this backend; later ``run`` calls, and primitives on
        this backend, join it until :meth:`close_session` or :meth:`cancel_session`.

        Usable as a context manager: inside the block, ``Sampler(backend=backend)``
        and ``Session``-less primitives join it too.
        """
        session = Session(self._service, self, max_time)
        session._closes_on_exit = False
        self._session = session
        return session

    def close_session(self) -> None:
        """Close the backend's session: no new jobs, queued ones still run."""
        if self._session is not None:
            self._session.close()
        self._session = None

    def cancel_session(self) -> None:
        """Cancel the backend's session: its queued jobs are cancelled."""
        if self._session is not None:
            self._session.cancel()
        self._session = None

    def __repr__(self) -> str:
        return f"<IBMBackend('{self.name}')>"


class _Document:
    """A protocol document with attribute access, as Qiskit's old model objects had."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self) -> dict[str, Any]:
        """The document as a dict."""
        return dict(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"
