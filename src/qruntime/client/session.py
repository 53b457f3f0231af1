"""Sessions and batches: one concept for primitives and ``backend.run`` alike.

A job joins a session when it is submitted with it (``mode=``/``session=``), or
when it is submitted inside the session's ``with`` block on the session's
backend, however the session was opened: ``Session(backend=...)``,
``Batch(backend=...)`` or ``backend.open_session()``. This removes the seed-era
limitation that a primitive and ``backend.run`` could not share a session.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from qruntime.errors import IBMInputValueError, RuntimeInvalidStateError

if TYPE_CHECKING:
    from qruntime.client.backend import IBMBackend
    from qruntime.client.service import QiskitRuntimeService

_current: ContextVar[Session | None] = ContextVar("qruntime_session", default=None)


def current_session() -> Session | None:
    """The session whose ``with`` block the caller is in, if any."""
    return _current.get()


class Session:
    """A session: jobs that run together on one backend, in order, with priority.

    Args:
        service: The runtime service (by default the backend's).
        backend: The backend, or its name.
        max_time: Most seconds the session stays open (``max_ttl``), as a
            number or a string like ``"2h 30m"``.

    Example:
        .. code-block:: python

            from qruntime import QiskitRuntimeService, Session, Sampler

            service = QiskitRuntimeService()
            backend = service.backend("ibmq_qasm_simulator")
            with Session(backend=backend) as session:
                sampler = Sampler(session=session)
                job1 = sampler.run(transpiled_circuit)
                job2 = backend.run(transpiled_circuit)   # same session
                assert job1.session_id == job2.session_id == session.session_id
    """

    _mode = "dedicated"

    def __init__(
        self, service: QiskitRuntimeService | None = None,
        backend: IBMBackend | str | None = None, max_time: int | str | None = None,
        *, create_new: bool = True, session_id: str | None = None,
    ) -> None:
        from qruntime.client.backend import IBMBackend

        if backend is None:
            raise IBMInputValueError("a Session needs a backend: Session(backend=backend).")
        if isinstance(backend, IBMBackend):
            self._service = service or backend.service
            self._backend = backend
        elif isinstance(backend, str):
            if service is None:
                from qruntime.client.service import QiskitRuntimeService

                service = QiskitRuntimeService()
            self._service = service
            self._backend = service.backend(backend)
        else:
            raise IBMInputValueError(
                f"backend must be an IBMBackend or a backend name, not {type(backend).__name__}."
            )
        self._max_time = _seconds(max_time)
        self._token: Token[Session | None] | None = None
        self._session_id: str | None = None
        self._active = True
        # A session opened with backend.open_session() outlives its with block, as
        # in qiskit-ibm-runtime: backend.close_session()/cancel_session() end it.
        self._closes_on_exit = True
        if session_id is not None:
            self._session_id = session_id
        elif create_new:
            document = self._service._transport.create_session(
                self._backend.name, self._mode, self._max_time)
            self._session_id = document["id"]

    @classmethod
    def from_id(cls, session_id: str, service: QiskitRuntimeService | None = None) -> Session:
        """The existing session ``session_id``."""
        if service is None:
            from qruntime.client.service import QiskitRuntimeService

            service = QiskitRuntimeService()
        details = service._transport.session(session_id)
        if details.get("mode") != cls._mode:
            raise IBMInputValueError(
                f"session {session_id} is a {details.get('mode')} session; use "
                f"{'Batch' if details.get('mode') == 'batch' else 'Session'}.from_id."
            )
        return cls(service, service.backend(details["backend_name"]), session_id=session_id)

    @property
    def session_id(self) -> str | None:
        """The session's id."""
        return self._session_id

    @property
    def service(self) -> QiskitRuntimeService:
        """The service the session belongs to."""
        return self._service

    def backend(self) -> str:
        """The name of the session's backend."""
        return self._backend.name

    @property
    def backend_object(self) -> IBMBackend:
        """The session's backend."""
        return self._backend

    @property
    def active(self) -> bool:
        """Whether this client still submits jobs to the session."""
        return self._active

    def details(self) -> dict[str, Any]:
        """What the runtime knows of the session: state, mode, times, ``accepting_jobs``."""
        return self._service._transport.session(self._session_id or "")

    def status(self) -> str:
        """``"Pending"``, ``"In progress, accepting new jobs"``,
        ``"In progress, not accepting new jobs"`` or ``"Closed"``."""
        state = self.details()["state"]
        return {
            "open": "Pending",
            "active": "In progress, accepting new jobs",
            "inactive": "In progress, accepting new jobs",
            "pending_closed": "In progress, not accepting new jobs",
            "closed": "Closed",
        }.get(state, state)

    def usage(self) -> float:
        """Seconds of execution the session's jobs used."""
        page = self._service._transport.jobs(
            {"session_id": self._session_id, "limit": None, "exclude_params": True})
        return float(sum(job.get("usage", {}).get("seconds", 0.0) for job in page["jobs"]))

    def close(self) -> None:
        """Accept no more jobs; those already queued still run."""
        self._active = False
        if self._session_id:
            self._service._transport.close_session(self._session_id)

    def cancel(self) -> None:
        """Close the session and cancel its queued jobs."""
        self._active = False
        if self._session_id:
            self._service._transport.cancel_session(self._session_id)

    def __enter__(self) -> Session:
        self._token = _current.set(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        if self._closes_on_exit:
            self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(id={self._session_id!r}, backend={self.backend()!r})>"


class Batch(Session):
    """A session in batch mode: independent jobs, submitted together, run as one.

    Example:
        .. code-block:: python

            with Batch(backend=backend) as batch:
                sampler = SamplerV2(mode=batch)
                jobs = [sampler.run([circuit]) for circuit in circuits]
    """

    _mode = "batch"


def session_for(backend: IBMBackend, mode: Any = None) -> Session | None:
    """The session a job on ``backend`` joins: the one given, the backend's, or the context's.

    Raises:
        RuntimeInvalidStateError: That session is closed; the job is not submitted.
    """
    if isinstance(mode, Session):
        return _open(mode)
    if backend.session is not None:
        return _open(backend.session)
    context = current_session()
    if context is not None and context.backend() == backend.name:
        return _open(context)
    return None


def _open(session: Session) -> Session:
    if not session.active:
        raise RuntimeInvalidStateError(
            f"session {session.session_id} is closed; it accepts no new jobs. "
            "Open a new session."
        )
    return session


def _seconds(max_time: int | str | None) -> int | None:
    if max_time is None:
        return None
    if isinstance(max_time, int) and not isinstance(max_time, bool):
        return max_time
    if isinstance(max_time, str):
        total, number = 0, ""
        units = {"h": 3600, "m": 60, "s": 1}
        for char in max_time.replace(" ", ""):
            if char.isdigit():
                number += char
            elif char in units and number:
                total += int(number) * units[char]
                number = ""
            else:
                break
        else:
            if not number and total > 0:
                return total
            if number and total == 0:
                return int(number)
    raise IBMInputValueError(
        f"max_time {max_time!r} is not allowed; give seconds or a string like '2h 30m 40s'."
    )
