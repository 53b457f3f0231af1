"""Where a primitive's jobs go: its backend, its session, and the call that submits them.

Every primitive, V1 or V2, is bound to one backend when it is built, from
``mode=`` (a backend, a :class:`~qruntime.Session` or a
:class:`~qruntime.Batch`), or from the 0.27-era ``backend=`` / ``session=``,
or from the session whose ``with`` block it is built in. The session a job
joins is decided when the job is submitted, by
:func:`~qruntime.client.session.session_for`: the session given, else the
backend's ``open_session()`` one, else the ``with`` block's one on the same
backend. So a Sampler built on a backend joins the session that backend has
open, as ``backend.run`` does.

Example:
    .. code-block:: python

        with backend.open_session() as session:
            job1 = Sampler(backend=backend).run(transpiled_circuit)
            job2 = backend.run(transpiled_circuit)
            assert job1.session_id == job2.session_id == session.session_id
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qruntime.client.backend import IBMBackend
from qruntime.client.job import BaseRuntimeJob
from qruntime.client.results import ResultDecoder
from qruntime.client.session import Session, current_session, session_for
from qruntime.errors import IBMInputValueError

if TYPE_CHECKING:
    from qruntime.client.service import QiskitRuntimeService

#: What ``mode=`` may be: a backend (or its name), a session or a batch.
Mode = IBMBackend | Session | str


class RuntimePrimitive:
    """The part every qruntime primitive shares: its backend, session and job submission.

    Args:
        mode: An :class:`~qruntime.IBMBackend` (job mode), a
            :class:`~qruntime.Session` or :class:`~qruntime.Batch`, or a
            backend name (read with the default ``QiskitRuntimeService()``).
        backend: The 0.27-era way to give the backend (an ``IBMBackend`` or a name).
        session: The 0.27-era way to give the session.

    Raises:
        IBMInputValueError: Nothing names a backend, or ``mode`` is of another type.
    """

    _program_id = ""

    def __init__(self, mode: Mode | None = None, *, backend: IBMBackend | str | None = None,
                 session: Session | None = None) -> None:
        if mode is None:
            mode = session if session is not None else backend
        if mode is None:
            mode = current_session()
        self._session, self._backend = _placement(mode)

    @property
    def mode(self) -> Session | None:
        """The :class:`~qruntime.Session` or :class:`~qruntime.Batch` given, if any.

        Example:
            >>> SamplerV2(mode=batch).mode is batch
            True
        """
        return self._session

    @property
    def session(self) -> Session | None:
        """The session given (0.27 name of :attr:`mode`).

        Example:
            >>> Sampler(session=session).session is session
            True
        """
        return self._session

    def backend(self) -> IBMBackend:
        """The backend the primitive's jobs run on.

        Example:
            >>> SamplerV2(mode=backend).backend().name
            'ibmq_qasm_simulator'
        """
        return self._backend

    @property
    def service(self) -> QiskitRuntimeService:
        """The service the primitive submits to.

        Example:
            >>> SamplerV2(mode=backend).service is backend.service
            True
        """
        return self._backend.service

    def _submit(
        self, params: dict[str, Any], *, job_class: type[BaseRuntimeJob],
        decoder: ResultDecoder, tags: Sequence[str] = (), max_execution_time: int | None = None,
    ) -> Any:
        """Submit ``params`` to this primitive's program, in the session the job joins now."""
        session = session_for(self._backend, self._session)
        return self.service._submit(
            self._program_id, self._backend, params, session=session, tags=list(tags),
            job_class=job_class, max_execution_time=max_execution_time, result_decoder=decoder,
        )

    def __repr__(self) -> str:
        where = self._session if self._session is not None else self._backend
        return f"<{type(self).__name__}({where!r})>"


def _placement(mode: Any) -> tuple[Session | None, IBMBackend]:
    if isinstance(mode, Session):
        return mode, mode.backend_object
    if isinstance(mode, IBMBackend):
        return None, mode
    if isinstance(mode, str):
        from qruntime.client.service import QiskitRuntimeService

        return None, QiskitRuntimeService().backend(mode)
    if mode is None:
        raise IBMInputValueError(
            "A backend or session must be specified: pass mode=backend, mode=session or "
            "mode=batch (or build the primitive inside a 'with Session(...)' block)."
        )
    raise IBMInputValueError(
        f"mode must be an IBMBackend of a qruntime service, a Session or a Batch, not "
        f"{type(mode).__name__}. Get a backend with QiskitRuntimeService().backend(name)."
    )
