"""Pre-migration code: ``IBMProvider().get_backend(name)``, as qiskit-ibm-provider offered.

Only the import changes::

    from qruntime.provider import IBMProvider

    provider = IBMProvider()
    backend = provider.get_backend("ibmq_qasm_simulator")
    job = backend.run(transpile(circuit, backend=backend))
"""

from __future__ import annotations

from typing import Any

from qruntime.client.backend import IBMBackend
from qruntime.client.service import QiskitRuntimeService


class IBMProvider:
    """The qiskit-ibm-provider entry point, backed by a :class:`QiskitRuntimeService`.

    Args:
        token: API token of a ``qruntime serve`` server (embedded runtime if none).
        url: The server's URL.
        name: Name of a saved account.
        instance: ``hub/group/project`` to use.
        **kwargs: Other arguments of :class:`QiskitRuntimeService`.
    """

    def __init__(self, token: str | None = None, url: str | None = None,
                 name: str | None = None, instance: str | None = None, **kwargs: Any) -> None:
        self._service = QiskitRuntimeService(
            channel="ibm_quantum" if (token or url or name) else None,
            token=token, url=url, name=name, instance=instance, **kwargs,
        )

    def get_backend(self, name: str | None = None, instance: str | None = None,
                    **kwargs: Any) -> IBMBackend:
        """The backend ``name``."""
        return self._service.backend(name, instance=instance)

    def backends(self, name: str | None = None, **kwargs: Any) -> list[IBMBackend]:
        """Backends matching the filters (see :meth:`QiskitRuntimeService.backends`)."""
        return self._service.backends(name=name, **kwargs)

    def jobs(self, **kwargs: Any) -> list[Any]:
        """Jobs of this account (see :meth:`QiskitRuntimeService.jobs`)."""
        return self._service.jobs(**kwargs)

    def retrieve_job(self, job_id: str) -> Any:
        """The job ``job_id``."""
        return self._service.job(job_id)

    @property
    def service(self) -> QiskitRuntimeService:
        """The runtime service behind this provider."""
        return self._service


__all__ = ["IBMProvider"]
