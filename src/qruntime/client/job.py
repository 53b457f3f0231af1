"""Runtime jobs as the user holds them: status, result, cancel, and what the runtime knows.

:class:`RuntimeJob` is what ``backend.run`` and the V1 primitives return (a
Qiskit ``JobV1``; ``status()`` gives a :class:`~qiskit.providers.JobStatus`).
:class:`RuntimeJobV2` is what the V2 primitives return (a Qiskit
``BasePrimitiveJob``; ``status()`` gives a string such as ``"DONE"``).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qiskit.primitives import BasePrimitiveJob
from qiskit.providers import JobStatus, JobV1

from qruntime.client.results import ResultDecoder, decoder_for
from qruntime.errors import (
    RuntimeInvalidStateError,
    RuntimeJobFailureError,
    RuntimeJobMaxTimeoutError,
    RuntimeJobTimeoutError,
)

if TYPE_CHECKING:
    from qruntime.client.backend import IBMBackend
    from qruntime.client.service import QiskitRuntimeService

_STATUS = {
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "completed": JobStatus.DONE,
    "failed": JobStatus.ERROR,
    "cancelled": JobStatus.CANCELLED,
}
_RAN_TOO_LONG = 1305
_WAIT_STEP = 30.0


class BaseRuntimeJob:
    """What every runtime job offers, whichever Qiskit job interface it follows."""

    def __init__(
        self, service: QiskitRuntimeService, job_id: str, *, program_id: str, backend_name: str,
        session_id: str | None = None, tags: list[str] | None = None,
        creation_date: datetime | None = None, result_decoder: ResultDecoder | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self._service = service
        self._job_id = job_id
        self._program_id = program_id
        self._backend_name = backend_name
        self._session_id = session_id
        self._tags = list(tags or [])
        self._creation_date = creation_date
        self._decoder = result_decoder or decoder_for(program_id, params)
        self._document: dict[str, Any] = {}
        self._result: Any = None
        self._params = params
        # Params read back from the runtime are still wire-encoded until first used.
        self._params_encoded = False

    @classmethod
    def from_document(cls, service: QiskitRuntimeService, document: dict[str, Any]) -> Any:
        """A job object for a job document read from the runtime."""
        job = cls(
            service, document["id"], program_id=document["program"]["id"],
            backend_name=document["backend"], session_id=document.get("session_id"),
            tags=document.get("tags"), creation_date=_parse_time(document.get("created")),
            params=document.get("params"),
        )
        job._params_encoded = True
        job._document = {k: v for k, v in document.items() if k != "params"}
        return job

    def job_id(self) -> str:
        """The job's id."""
        return self._job_id

    @property
    def session_id(self) -> str | None:
        """The id of the session the job runs in, or ``None`` outside any session."""
        return self._session_id

    @property
    def program_id(self) -> str:
        """The program the job runs: ``circuit-runner``, ``sampler`` or ``estimator``."""
        return self._program_id

    @property
    def primitive_id(self) -> str:
        """Alias of :attr:`program_id`, as newer Qiskit Runtime clients call it."""
        return self._program_id

    @property
    def creation_date(self) -> datetime | None:
        """When the runtime accepted the job (UTC)."""
        return self._creation_date

    @property
    def tags(self) -> list[str]:
        """The job's tags."""
        return list(self._tags)

    @property
    def instance(self) -> str:
        """The ``hub/group/project`` the job belongs to."""
        return self._service._transport.instance

    @property
    def inputs(self) -> dict[str, Any]:
        """The job's parameters as submitted."""
        if self._params is None or self._params_encoded:
            from qruntime import wire

            params = self._params
            if params is None:
                params = self._service._transport.job(self._job_id, include_params=True).get(
                    "params", {})
            self._params = wire.decode(params)
            self._params_encoded = False
        return dict(self._params or {})

    def backend(self) -> IBMBackend:
        """The backend the job runs on."""
        return self._service.backend(self._backend_name)

    def update_tags(self, new_tags: list[str]) -> list[str]:
        """Replace the job's tags with ``new_tags`` and return them."""
        self._service._transport.update_job_tags(self._job_id, list(new_tags))
        self._tags = list(new_tags)
        return self.tags

    def cancel(self) -> None:
        """Cancel the job if it is queued or running.

        Raises:
            RuntimeInvalidStateError: The job is already in a final state.
        """
        self._service._transport.cancel_job(self._job_id)
        self._refresh()

    def wait_for_final_state(self, timeout: float | None = None) -> None:
        """Block until the job is final.

        Raises:
            RuntimeJobTimeoutError: ``timeout`` seconds passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        # The wait read answers at once for a final job: no status read first.
        while not _final(self._document):
            remaining = _WAIT_STEP if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeJobTimeoutError(
                    f"job {self._job_id} did not reach a final state within {timeout} s."
                )
            self._document = self._service._transport.wait_job(
                self._job_id, min(remaining, _WAIT_STEP))

    def result(self, timeout: float | None = None, decoder: ResultDecoder | None = None) -> Any:
        """The job's result, waiting for it if needed.

        Args:
            timeout: Seconds to wait at most; ``None`` waits as long as it takes.
            decoder: A decoder to use instead of the program's own.

        Raises:
            RuntimeJobFailureError: The job failed; the message says why.
            RuntimeJobMaxTimeoutError: The job ran past its maximum execution time.
            RuntimeInvalidStateError: The job was cancelled.
            RuntimeJobTimeoutError: ``timeout`` passed before the job finished.
        """
        if self._result is not None and decoder is None:
            return self._result
        self.wait_for_final_state(timeout)
        state = self._document["state"]
        status = state["status"].lower()
        if status == "failed":
            raise RuntimeJobFailureError(f"Unable to retrieve job result. {self.error_message()}")
        if status == "cancelled":
            if state.get("reason_code") == _RAN_TOO_LONG:
                raise RuntimeJobMaxTimeoutError(state.get("reason") or "ran too long")
            raise RuntimeInvalidStateError(
                f"Unable to retrieve result for job {self._job_id}. Job was cancelled."
            )
        payload = self._service._transport.job_result(self._job_id)
        result = (decoder or self._decoder)(payload)
        if decoder is None:
            self._result = result
        return result

    def error_message(self) -> str | None:
        """Why the job failed or was cancelled, or ``None``."""
        state = self._state_document()
        if state["status"].lower() not in ("failed", "cancelled"):
            return None
        reason = state.get("reason") or "no reason given"
        return f"Job {self._job_id} {state['status'].lower()}: {reason}"

    def logs(self) -> str:
        """The job's log lines."""
        return self._service._transport.job_logs(self._job_id)

    def metrics(self) -> dict[str, Any]:
        """The job's metrics: timestamps, usage and queue position."""
        return self._service._transport.job_metrics(self._job_id)

    def usage(self) -> float:
        """Seconds of execution the job used."""
        return float(self.metrics()["usage"]["seconds"])

    def usage_estimation(self) -> dict[str, Any]:
        """Estimated execution seconds (known only once the job ran)."""
        return {"quantum_seconds": self.metrics()["usage"]["quantum_seconds"]}

    def queue_position(self, refresh: bool = False) -> int | None:
        """The job's place in its backend's queue, or ``None`` if it is not queued."""
        return self.metrics().get("position_in_queue")

    def in_final_state(self) -> bool:
        """Whether the job is COMPLETED, FAILED or CANCELLED."""
        return self._is_final()

    def _state_document(self) -> dict[str, Any]:
        if not self._document or not _final(self._document):
            self._refresh()
        state: dict[str, Any] = self._document["state"]
        return state

    def _refresh(self) -> None:
        self._document = self._service._transport.job(self._job_id)

    def _is_final(self) -> bool:
        return _final(self._document) or (self._refresh() is None and _final(self._document))

    def _job_status(self) -> JobStatus:
        state = self._state_document()
        status = _STATUS[state["status"].lower()]
        if status is JobStatus.CANCELLED and state.get("reason_code") == _RAN_TOO_LONG:
            return JobStatus.ERROR
        return status

    def __repr__(self) -> str:
        return f"<{type(self).__name__}('{self._job_id}', '{self._program_id}')>"


class RuntimeJob(BaseRuntimeJob, JobV1):  # type: ignore[misc]
    """A job of ``backend.run`` or of a V1 primitive.

    Example:
        .. code-block:: python

            job = backend.run(transpiled_circuit)
            print(job.job_id(), job.status())
            counts = job.result().get_counts()
    """

    def __init__(self, service: QiskitRuntimeService, job_id: str, **kwargs: Any) -> None:
        BaseRuntimeJob.__init__(self, service, job_id, **kwargs)
        self.metadata: dict[str, Any] = {}

    def submit(self) -> None:
        """Jobs are submitted when created; calling this raises."""
        raise RuntimeInvalidStateError("the job was submitted when it was created.")

    def status(self) -> JobStatus:
        """The job's :class:`~qiskit.providers.JobStatus`."""
        return self._job_status()


class RuntimeJobV2(BaseRuntimeJob, BasePrimitiveJob):  # type: ignore[misc]
    """A job of a V2 primitive (``SamplerV2``, ``EstimatorV2``).

    Example:
        .. code-block:: python

            job = sampler.run([circuit])
            print(job.status())          # "QUEUED", "RUNNING", "DONE", ...
            counts = job.result()[0].data.meas.get_counts()
    """

    def __init__(self, service: QiskitRuntimeService, job_id: str, **kwargs: Any) -> None:
        BaseRuntimeJob.__init__(self, service, job_id, **kwargs)
        self.metadata: dict[str, Any] = {}

    def status(self) -> str:
        """The job's status: ``"QUEUED"``, ``"RUNNING"``, ``"DONE"``, ``"ERROR"`` or ``"CANCELLED"``."""
        return self._job_status().name

    def done(self) -> bool:
        """Whether the job completed successfully."""
        return self._job_status() is JobStatus.DONE

    def running(self) -> bool:
        """Whether the job is running."""
        return self._job_status() is JobStatus.RUNNING

    def cancelled(self) -> bool:
        """Whether the job was cancelled."""
        return self._job_status() is JobStatus.CANCELLED

    def errored(self) -> bool:
        """Whether the job failed."""
        return self._job_status() is JobStatus.ERROR


def _final(document: dict[str, Any]) -> bool:
    if not document:
        return False
    return document["state"]["status"].lower() in ("completed", "failed", "cancelled")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
