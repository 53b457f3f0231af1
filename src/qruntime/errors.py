"""The qruntime exception tree.

Every error qruntime raises derives from :class:`QRuntimeError`. The client's
public errors keep the names Qiskit Runtime users already catch::

    QRuntimeError
    ├── IBMError                                 (client side, as in qiskit-ibm-runtime)
    │   ├── IBMInputValueError                   (also a ValueError) bad argument
    │   ├── IBMNotAuthorizedError                no or bad token
    │   ├── IBMAccountError                      saved-account problems
    │   ├── IBMRuntimeError
    │   │   ├── RuntimeJobFailureError           the job ended FAILED
    │   │   ├── RuntimeJobMaxTimeoutError        ran past its max execution time
    │   │   ├── RuntimeJobNotFound               unknown job id
    │   │   ├── RuntimeInvalidStateError         e.g. result() of a cancelled job
    │   │   └── RuntimeJobTimeoutError           wait timed out
    │   ├── QiskitBackendNotFoundError           (also qiskit's own) unknown backend
    │   └── IBMBackendApiError                   the transport failed
    └── EngineError                              (runtime side; mapped to HTTP in one table)
        ├── InvalidInputError         400  the caller's request is wrong
        ├── NotFoundError             404  no such job / session / backend for this instance
        ├── ConflictError             409  e.g. cancel of a job already final
        ├── AuthenticationError       401  missing or bad token
        └── PayloadTooLargeError      413  body over the configured cap

Engine errors cross the transport as ``{"error": {"code", "message"}}`` and the
client turns them back into its own public types in one place.
"""

from __future__ import annotations

from qiskit.providers.exceptions import QiskitBackendNotFoundError as _QiskitBackendNotFoundError


class QRuntimeError(Exception):
    """Base class of every qruntime error."""

    def __init__(self, *message: object) -> None:
        super().__init__(" ".join(str(part) for part in message))
        self.message = " ".join(str(part) for part in message)


# --- Client side -------------------------------------------------------------


class IBMError(QRuntimeError):
    """Base class of the client's errors (the name qiskit-ibm-runtime users catch)."""


class IBMInputValueError(IBMError, ValueError):
    """An argument given to the client is not allowed."""


class IBMNotAuthorizedError(IBMError):
    """The token is missing, wrong, or not allowed to see the resource."""


class IBMAccountError(IBMError):
    """A saved account cannot be found, read or written."""


class IBMBackendApiError(IBMError):
    """The runtime could not be reached or answered outside the protocol."""


class IBMRuntimeError(IBMError):
    """Base class of errors about runtime jobs and sessions."""


class RuntimeJobFailureError(IBMRuntimeError):
    """The job ended in the FAILED state; the message holds the runtime's reason."""


class RuntimeJobMaxTimeoutError(IBMRuntimeError):
    """The job ran past its maximum execution time and was stopped (reason code 1305)."""


class RuntimeJobNotFound(IBMRuntimeError):
    """No job with that id is visible to this account."""


class RuntimeInvalidStateError(IBMRuntimeError):
    """The job or session is in a state that does not allow the operation."""


class RuntimeJobTimeoutError(IBMRuntimeError):
    """Waiting for the job's final state took longer than the timeout."""


class QiskitBackendNotFoundError(IBMError, _QiskitBackendNotFoundError):
    """No backend of that name is offered by this runtime."""


# --- Runtime side --------------------------------------------------------------


class EngineError(QRuntimeError):
    """Base class of the runtime's errors; each subclass has one HTTP status."""

    status_code = 500
    code = "internal_error"


class InvalidInputError(EngineError):
    """The request is wrong: bad parameters, circuits, options or shots."""

    status_code = 400
    code = "invalid_input"


class NotFoundError(EngineError):
    """The job, session or backend does not exist for the caller's instance."""

    status_code = 404
    code = "not_found"


class ConflictError(EngineError):
    """The resource's state does not allow the operation (e.g. cancel a finished job)."""

    status_code = 409
    code = "conflict"


class AuthenticationError(EngineError):
    """The token is missing or not valid."""

    status_code = 401
    code = "unauthorized"


class PayloadTooLargeError(EngineError):
    """The request body is larger than the server accepts."""

    status_code = 413
    code = "payload_too_large"


__all__ = [name for name in dir() if name.endswith(("Error", "NotFound")) and not name.startswith("_")]
