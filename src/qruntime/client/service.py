"""The entry point: ``QiskitRuntimeService``, a connection to a runtime.

With ``channel="local"`` — or with no saved account at all — the service runs
the embedded runtime in this process, keeping jobs in SQLite under
``QRUNTIME_HOME``. With a URL and a token it talks to ``qruntime serve``.

Example:
    .. code-block:: python

        from qruntime import QiskitRuntimeService

        service = QiskitRuntimeService(channel="ibm_quantum")   # embedded if no account
        backend = service.backend("ibmq_qasm_simulator")
        for job in service.jobs(limit=5):
            print(job.job_id(), job.status())
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, Sequence

from qruntime.client.backend import IBMBackend
from qruntime.client.job import BaseRuntimeJob, RuntimeJob, RuntimeJobV2
from qruntime.client.results import ResultDecoder
from qruntime.client.session import Session
from qruntime.client.target import fractional_gates
from qruntime.client.transport import LocalTransport, Transport
from qruntime.errors import IBMInputValueError, QiskitBackendNotFoundError

logger = logging.getLogger(__name__)

CHANNELS = ("local", "ibm_quantum", "ibm_cloud", "ibm_quantum_platform")
_warned_fallback = False


class QiskitRuntimeService:
    """A connection to a qruntime runtime: backends, jobs and sessions.

    Args:
        channel: ``"local"`` for the embedded runtime; ``"ibm_quantum"``,
            ``"ibm_cloud"`` or ``"ibm_quantum_platform"`` for a server. With no
            account to connect with, those fall back to the embedded runtime
            (with one logged warning), so code written for IBM's service runs as is.
        token: API token of a ``qruntime serve`` server.
        url: The server's URL (``http://host:8290`` or ``http://host:8290/api``).
        filename: Accounts file to read instead of the default one.
        name: Name of a saved account.
        instance: ``hub/group/project`` to use.
        proxies, verify, channel_strategy, private_endpoint, url_resolver: Accepted
            for compatibility with qiskit-ibm-runtime; ``verify`` is honoured over HTTPS.
    """

    def __init__(
        self, channel: str | None = None, token: str | None = None, url: str | None = None,
        filename: str | None = None, name: str | None = None, instance: str | None = None,
        proxies: dict[str, Any] | None = None, verify: bool | None = None,
        channel_strategy: str | None = None, private_endpoint: bool | None = None,
        url_resolver: Callable[..., str] | None = None,
    ) -> None:
        if channel is not None and channel not in CHANNELS:
            raise IBMInputValueError(
                f"channel {channel!r} is not allowed; use one of {', '.join(CHANNELS)}."
            )
        self._transport: Transport = _connect(
            channel, token, url, filename, name, instance, verify
        )
        self._channel = channel or ("local" if isinstance(self._transport, LocalTransport)
                                    else "ibm_quantum")
        self._backends: dict[tuple[str, bool | None], IBMBackend] = {}

    # --- account -------------------------------------------------------------------

    @property
    def channel(self) -> str:
        """The channel this service was opened with."""
        return self._channel

    def active_account(self) -> dict[str, Any]:
        """The account in use: channel, url and instance (never the token)."""
        return {"channel": self._channel, "url": getattr(self._transport, "url", None),
                "instance": self._transport.instance}

    def instances(self) -> list[str]:
        """The ``hub/group/project`` instances this account can use."""
        return [self._transport.instance]

    @staticmethod
    def save_account(*args: Any, **kwargs: Any) -> None:
        """Save an account to connect to a server with later (see :mod:`qruntime.client.accounts`)."""
        from qruntime.client import accounts

        accounts.save_account(*args, **kwargs)

    @staticmethod
    def saved_accounts(*args: Any, **kwargs: Any) -> dict[str, Any]:
        """The saved accounts, by name."""
        from qruntime.client import accounts

        return accounts.saved_accounts(*args, **kwargs)

    @staticmethod
    def delete_account(*args: Any, **kwargs: Any) -> bool:
        """Delete a saved account; returns whether one was deleted."""
        from qruntime.client import accounts

        return accounts.delete_account(*args, **kwargs)

    # --- backends ------------------------------------------------------------------

    def backend(
        self, name: str | None = None, instance: str | None = None, *,
        use_fractional_gates: bool | None = False,
    ) -> IBMBackend:
        """The backend ``name``.

        Args:
            name: The backend's name, e.g. ``"ibm_qrt_heron"``.
            instance: Accepted for compatibility; the account's instance is used.
            use_fractional_gates: Offer the device's fractional gates (Heron's
                ``rx`` and ``rzz``, ``rzz`` for angles in [0, π/2]) in its target,
                so that ``transpile`` may use them. ``False`` (the default) leaves
                them out; ``None`` keeps them without requiring them.

        Raises:
            QiskitBackendNotFoundError: No backend has that name; the message lists them.
            IBMInputValueError: ``use_fractional_gates=True`` on a backend without them.

        Example:
            >>> heron = service.backend("ibm_qrt_heron", use_fractional_gates=True)
            >>> {"rzz", "rx"} <= set(heron.target.operation_names)
            True
        """
        if name is None:
            raise IBMInputValueError("backend() needs a backend name, e.g. 'ibmq_qasm_simulator'.")
        backend = self._backend(name, use_fractional_gates)
        if use_fractional_gates and not fractional_gates(backend._configuration):
            offering = [n for n in self._transport.backend_names()
                        if fractional_gates(self._transport.backend_configuration(n))]
            raise IBMInputValueError(
                f"Backend '{name}' does not support fractional gates, but "
                "use_fractional_gates was set to True. Backends with fractional gates: "
                f"{', '.join(offering) or 'none'}."
            )
        return backend

    def _backend(self, name: str, use_fractional_gates: bool | None) -> IBMBackend:
        key = (name, use_fractional_gates)
        cached = self._backends.get(key)
        if cached is not None:
            return cached
        names = self._transport.backend_names()
        if name not in names:
            raise QiskitBackendNotFoundError(
                f"No backend matches the criteria: no backend named {name!r}. "
                f"Available backends: {', '.join(names)}."
            )
        backend = IBMBackend(self, name, use_fractional_gates=use_fractional_gates)
        self._backends[key] = backend
        return backend

    def backends(
        self, name: str | None = None, min_num_qubits: int | None = None,
        instance: str | None = None, dynamic_circuits: bool | None = None,
        filters: Callable[[IBMBackend], bool] | None = None, *,
        use_fractional_gates: bool | None = False, **kwargs: Any,
    ) -> list[IBMBackend]:
        """Backends matching every criterion given.

        Args:
            name: Only the backend of this name.
            min_num_qubits: Only backends with at least this many qubits.
            dynamic_circuits: Only backends that do (or do not) run dynamic circuits.
            filters: A callable that keeps a backend when it returns ``True``.
            use_fractional_gates: Offer devices' fractional gates in their targets
                (see :meth:`backend`); it selects no backends.
            **kwargs: Configuration or status fields to match exactly,
                e.g. ``simulator=True`` or ``operational=True``.
        """
        names = [n for n in self._transport.backend_names() if name is None or n == name]
        found = []
        for backend_name in names:
            backend = self._backend(backend_name, use_fractional_gates)
            if min_num_qubits is not None and backend.num_qubits < min_num_qubits:
                continue
            if dynamic_circuits is not None:
                features = backend._configuration.get("supported_features", [])
                if ("qasm3" in features or "dynamic_circuits" in features) != dynamic_circuits:
                    continue
            if kwargs and not _matches(backend, kwargs):
                continue
            if filters is not None and not filters(backend):
                continue
            found.append(backend)
        return found

    def least_busy(
        self, min_num_qubits: int | None = None, instance: str | None = None,
        filters: Callable[[IBMBackend], bool] | None = None, **kwargs: Any,
    ) -> IBMBackend:
        """The operational backend with the fewest pending jobs among those matching."""
        candidates = self.backends(min_num_qubits=min_num_qubits, filters=filters, **kwargs)
        statuses = [(b, b.status()) for b in candidates]
        operational = [(b, status) for b, status in statuses if status.operational]
        if not operational:
            raise QiskitBackendNotFoundError("No backend matches the criteria.")
        return min(operational, key=lambda pair: pair[1].pending_jobs)[0]

    # --- jobs ----------------------------------------------------------------------

    def job(self, job_id: str) -> BaseRuntimeJob:
        """The job ``job_id``, from any earlier process or client.

        Raises:
            RuntimeJobNotFound: No job of this account has that id.
        """
        document = self._transport.job(job_id, include_params=True)
        return _job_class(document).from_document(self, document)

    def jobs(
        self, limit: int | None = 10, skip: int = 0, backend_name: str | None = None,
        pending: bool | None = None, program_id: str | None = None,
        instance: str | None = None, job_tags: list[str] | None = None,
        session_id: str | None = None, created_after: datetime | None = None,
        created_before: datetime | None = None, descending: bool = True,
    ) -> list[BaseRuntimeJob]:
        """Jobs of this account, newest first, matching every filter given.

        Args:
            limit: Most jobs to return; ``None`` for all.
            skip: Jobs to skip first.
            backend_name: Only jobs of this backend.
            pending: ``True`` for queued or running jobs, ``False`` for final ones.
            program_id: Only jobs of this program.
            job_tags: Only jobs that carry every one of these tags.
            session_id: Only jobs of this session.
            created_after: Only jobs created at or after this time.
            created_before: Only jobs created at or before this time.
            descending: Newest first (``True``) or oldest first.
        """
        if limit is not None and limit < 0:
            raise IBMInputValueError(f"limit must be >= 0 or None, not {limit}.")
        query = {
            "limit": limit, "offset": skip, "backend": backend_name, "pending": pending,
            "program": program_id, "tags": job_tags, "session_id": session_id,
            "created_after": created_after, "created_before": created_before,
            "sort": "DESC" if descending else "ASC", "exclude_params": False,
        }
        page = self._transport.jobs(query)
        return [_job_class(d).from_document(self, d) for d in page["jobs"]]

    def delete_job(self, job_id: str) -> None:
        """Delete the job and its result.

        Raises:
            RuntimeJobNotFound: No job of this account has that id.
        """
        self._transport.delete_job(job_id)

    def usage(self) -> dict[str, Any]:
        """The instance's usage: seconds consumed, limit, pending jobs."""
        return self._transport.usage()

    # --- internal: submitting ------------------------------------------------------

    def _submit(
        self, program_id: str, backend: IBMBackend, params: dict[str, Any], *,
        session: Session | None = None, tags: Sequence[str] | None = None,
        job_class: type[BaseRuntimeJob] = RuntimeJob, max_execution_time: int | None = None,
        result_decoder: ResultDecoder | None = None, log_level: str | None = None,
        private: bool = False,
    ) -> Any:
        body: dict[str, Any] = {
            "program_id": program_id, "backend": backend.name, "params": params,
            "tags": list(tags or []), "private": private,
        }
        if log_level is not None:
            body["log_level"] = log_level
        if session is not None:
            body["session_id"] = session.session_id
        if max_execution_time is not None:
            body["cost"] = max_execution_time
        response = self._transport.submit_job(body)
        job = job_class(
            self, response["id"], program_id=program_id, backend_name=backend.name,
            session_id=response.get("session_id", body.get("session_id")), tags=body["tags"],
            result_decoder=result_decoder, params=params,
        )
        if "state" in response:  # the runtime already ran it
            job._document = {"id": response["id"], "state": response["state"]}
        return job

    def __repr__(self) -> str:
        return f"<QiskitRuntimeService(channel='{self._channel}')>"


def _job_class(document: dict[str, Any]) -> type[BaseRuntimeJob]:
    params = document.get("params") or {}
    if document["program"]["id"] in ("sampler", "estimator") and params.get("version") == 2:
        return RuntimeJobV2
    return RuntimeJob


def _matches(backend: IBMBackend, wanted: dict[str, Any]) -> bool:
    configuration = backend._configuration
    status = None
    for key, value in wanted.items():
        if key in configuration:
            if configuration[key] != value:
                return False
            continue
        status = status or backend.status().to_dict()
        if status.get(key) != value:
            return False
    return True


def _connect(
    channel: str | None, token: str | None, url: str | None, filename: str | None,
    name: str | None, instance: str | None, verify: bool | None,
) -> Transport:
    from qruntime.client.embedded import DEFAULT_INSTANCE, embedded_engine

    if channel != "local":
        account = _find_account(channel, token, url, filename, name, instance)
        if account is not None:
            from qruntime.client.http import HttpTransport

            return HttpTransport.connect(account, verify=verify)
        if channel is not None or token or url:
            _warn_fallback(channel)
    return LocalTransport(embedded_engine(), instance or DEFAULT_INSTANCE)


def _find_account(
    channel: str | None, token: str | None, url: str | None, filename: str | None,
    name: str | None, instance: str | None,
) -> Any:
    from qruntime.client import accounts

    return accounts.resolve(channel=channel, token=token, url=url, filename=filename,
                            name=name, instance=instance)


def _warn_fallback(channel: str | None) -> None:
    global _warned_fallback
    if not _warned_fallback:
        _warned_fallback = True
        logger.warning(
            "No qruntime account is saved for channel %r: using the embedded runtime "
            "(jobs kept under QRUNTIME_HOME). Save one with "
            "QiskitRuntimeService.save_account(url=..., token=...) to use a server.",
            channel,
        )
