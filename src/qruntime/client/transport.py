"""The one interface between the client and a runtime, and its in-process door.

A :class:`Transport` turns client calls into runtime calls and gives back the
REST protocol's documents. :class:`LocalTransport` calls an embedded
:class:`~qruntime.engine.Engine` in this process; ``HttpTransport``
(:mod:`qruntime.client.http`) speaks HTTP to ``qruntime serve``. Runtime errors
are turned into the client's public errors here, once, by :func:`translate`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterator, Protocol

from qruntime import errors

if TYPE_CHECKING:
    from qiskit.transpiler import Target

    from qruntime.engine import Engine


class Transport(Protocol):
    """What the client needs from a runtime. Documents are the protocol's JSON."""

    instance: str

    def backend_names(self) -> list[str]:
        """Names of the backends the runtime offers."""
        ...

    def backend_configuration(self, name: str) -> dict[str, Any]:
        """The backend's configuration document."""
        ...

    def backend_properties(self, name: str) -> dict[str, Any] | None:
        """The backend's properties document, or ``None``."""
        ...

    def backend_status(self, name: str) -> dict[str, Any]:
        """The backend's status document."""
        ...

    def backend_target(self, name: str) -> Target:
        """The backend's ``Target``."""
        ...

    def submit_job(self, body: dict[str, Any]) -> dict[str, Any]:
        """Submit a job; ``body["params"]`` holds decoded objects. Returns ``{"id", ...}``."""
        ...

    def job(self, job_id: str, *, include_params: bool = False) -> dict[str, Any]:
        """The job's document."""
        ...

    def jobs(self, query: dict[str, Any]) -> dict[str, Any]:
        """A page of jobs: ``{"jobs", "count"}``."""
        ...

    def wait_job(self, job_id: str, timeout: float) -> dict[str, Any]:
        """The job's document once final, or after ``timeout`` seconds."""
        ...

    def job_result(self, job_id: str) -> Any:
        """The job's result, envelope-decoded (a dict or a Qiskit object)."""
        ...

    def cancel_job(self, job_id: str) -> None:
        """Cancel the job."""
        ...

    def delete_job(self, job_id: str) -> None:
        """Delete the job."""
        ...

    def job_logs(self, job_id: str) -> str:
        """The job's logs."""
        ...

    def job_metrics(self, job_id: str) -> dict[str, Any]:
        """The job's metrics document."""
        ...

    def update_job_tags(self, job_id: str, tags: list[str]) -> None:
        """Replace the job's tags."""
        ...

    def create_session(self, backend: str, mode: str, max_ttl: int | None) -> dict[str, Any]:
        """Open a session; returns its document (at least ``{"id"}``)."""
        ...

    def session(self, session_id: str) -> dict[str, Any]:
        """The session's document."""
        ...

    def close_session(self, session_id: str) -> None:
        """Stop the session accepting jobs."""
        ...

    def cancel_session(self, session_id: str) -> None:
        """Close the session and cancel its queued jobs."""
        ...

    def usage(self) -> dict[str, Any]:
        """The instance's usage document."""
        ...


def translate(exc: errors.EngineError, subject: str = "") -> errors.IBMError:
    """The client's public error for a runtime error about ``subject``."""
    message = exc.message
    if isinstance(exc, errors.NotFoundError):
        if subject == "job":
            return errors.RuntimeJobNotFound(message)
        if subject == "backend":
            return errors.QiskitBackendNotFoundError(message)
        return errors.IBMInputValueError(message)
    if isinstance(exc, errors.InvalidInputError):
        return errors.IBMInputValueError(message)
    if isinstance(exc, errors.ConflictError):
        return errors.RuntimeInvalidStateError(message)
    if isinstance(exc, errors.AuthenticationError):
        return errors.IBMNotAuthorizedError(message)
    return errors.IBMBackendApiError(message)


@contextmanager
def translated(subject: str = "") -> Iterator[None]:
    """Raise runtime errors inside the block as the client's public errors."""
    try:
        yield
    except errors.EngineError as exc:
        raise translate(exc, subject) from exc


class LocalTransport:
    """The embedded runtime's door: direct calls into an in-process engine.

    Args:
        engine: The engine to call.
        instance: The ``hub/group/project`` every call is scoped to.
    """

    def __init__(self, engine: Engine, instance: str) -> None:
        self.engine = engine
        self.instance = instance

    def backend_names(self) -> list[str]:
        return self.engine.backend_names()

    def backend_configuration(self, name: str) -> dict[str, Any]:
        with translated("backend"):
            return self.engine.backend(name).configuration()

    def backend_properties(self, name: str) -> dict[str, Any] | None:
        with translated("backend"):
            return self.engine.backend(name).properties()

    def backend_status(self, name: str) -> dict[str, Any]:
        with translated("backend"):
            return self.engine.backend_status(name)

    def backend_target(self, name: str) -> Target:
        with translated("backend"):
            return self.engine.backend(name).target

    def submit_job(self, body: dict[str, Any]) -> dict[str, Any]:
        from qruntime.engine import JobRequest

        request = JobRequest(
            program_id=body["program_id"], backend=body["backend"], params=body["params"],
            session_id=body.get("session_id"), tags=tuple(body.get("tags") or ()),
            runtime=body.get("runtime"), log_level=body.get("log_level"),
            private=bool(body.get("private", False)),
            max_execution_time=body.get("cost"),
        )
        with translated("backend"):
            return self.engine.submit(self.instance, request)

    def job(self, job_id: str, *, include_params: bool = False) -> dict[str, Any]:
        with translated("job"):
            return self.engine.job(self.instance, job_id, include_params=include_params)

    def jobs(self, query: dict[str, Any]) -> dict[str, Any]:
        from qruntime.engine.store import JobFilter

        where = JobFilter(
            backend=query.get("backend"), program_id=query.get("program"),
            session_id=query.get("session_id"), pending=query.get("pending"),
            tags=tuple(query.get("tags") or ()),
            created_after=_naive(query.get("created_after")),
            created_before=_naive(query.get("created_before")),
        )
        with translated("job"):
            return self.engine.jobs(
                self.instance, where, limit=query.get("limit"), offset=query.get("offset", 0),
                descending=query.get("sort", "DESC") != "ASC",
                include_params=not query.get("exclude_params", True),
            )

    def wait_job(self, job_id: str, timeout: float) -> dict[str, Any]:
        with translated("job"):
            return self.engine.wait(self.instance, job_id, timeout)

    def job_result(self, job_id: str) -> Any:
        from qruntime import wire

        with translated("job"):
            cached = self.engine.take_result(self.instance, job_id)
            if cached is not None:
                return cached
            return wire.loads(self.engine.result_text(self.instance, job_id))

    def cancel_job(self, job_id: str) -> None:
        with translated("job"):
            self.engine.cancel(self.instance, job_id)

    def delete_job(self, job_id: str) -> None:
        with translated("job"):
            self.engine.delete(self.instance, job_id)

    def job_logs(self, job_id: str) -> str:
        with translated("job"):
            return self.engine.logs(self.instance, job_id)

    def job_metrics(self, job_id: str) -> dict[str, Any]:
        with translated("job"):
            return self.engine.metrics(self.instance, job_id)

    def update_job_tags(self, job_id: str, tags: list[str]) -> None:
        with translated("job"):
            self.engine.update_tags(self.instance, job_id, tags)

    def create_session(self, backend: str, mode: str, max_ttl: int | None) -> dict[str, Any]:
        with translated("backend"):
            return self.engine.create_session(self.instance, backend, mode=mode, max_ttl=max_ttl)

    def session(self, session_id: str) -> dict[str, Any]:
        with translated("session"):
            return self.engine.session(self.instance, session_id)

    def close_session(self, session_id: str) -> None:
        with translated("session"):
            self.engine.close_session(self.instance, session_id)

    def cancel_session(self, session_id: str) -> None:
        with translated("session"):
            self.engine.cancel_session(self.instance, session_id)

    def usage(self) -> dict[str, Any]:
        return self.engine.usage(self.instance)


def _naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    from datetime import timezone

    return moment.astimezone(timezone.utc).replace(tzinfo=None)
