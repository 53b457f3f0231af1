"""qruntime: a self-hosted Qiskit Runtime.

The client API is that of ``qiskit-ibm-runtime``: change the import and the
code runs, on an embedded runtime by default or on a ``qruntime serve`` server.

Example:
    .. code-block:: python

        from qiskit import QuantumCircuit, transpile
        from qruntime import QiskitRuntimeService, Session, Sampler

        circuit = QuantumCircuit(2, 2)
        circuit.h(0)
        circuit.cx(0, 1)
        circuit.measure_all()

        service = QiskitRuntimeService(channel="ibm_quantum")
        backend = service.backend("ibmq_qasm_simulator")
        transpiled_circuit = transpile(circuit, backend=backend)
        with Session(backend=backend) as session:
            job1 = Sampler(session=session).run(transpiled_circuit)
            job2 = backend.run(transpiled_circuit)
            print(job1.session_id == job2.session_id)   # True
"""

from __future__ import annotations

from typing import Any

from qruntime.client.backend import IBMBackend
from qruntime.client.job import BaseRuntimeJob, RuntimeJob, RuntimeJobV2
from qruntime.client.service import QiskitRuntimeService
from qruntime.client.session import Batch, Session
from qruntime.errors import (
    IBMBackendApiError,
    IBMError,
    IBMInputValueError,
    IBMNotAuthorizedError,
    IBMRuntimeError,
    QiskitBackendNotFoundError,
    QRuntimeError,
    RuntimeInvalidStateError,
    RuntimeJobFailureError,
    RuntimeJobMaxTimeoutError,
    RuntimeJobNotFound,
    RuntimeJobTimeoutError,
)

__version__ = "0.1.0"

_PRIMITIVES = {
    "Sampler": "SamplerV1", "SamplerV1": "SamplerV1", "SamplerV2": "SamplerV2",
    "Estimator": "EstimatorV1", "EstimatorV1": "EstimatorV1", "EstimatorV2": "EstimatorV2",
    "Options": "Options", "SamplerOptions": "SamplerOptions",
    "EstimatorOptions": "EstimatorOptions",
}


def __getattr__(name: str) -> Any:
    # The primitives pull in more of Qiskit; load them when first named.
    if name in _PRIMITIVES:
        from qruntime.client import primitives

        return getattr(primitives, _PRIMITIVES[name])
    raise AttributeError(f"module 'qruntime' has no attribute {name!r}")


__all__ = [
    "Batch", "BaseRuntimeJob", "Estimator", "EstimatorV2", "IBMBackend", "IBMBackendApiError",
    "IBMError", "IBMInputValueError", "IBMNotAuthorizedError", "IBMRuntimeError",
    "QRuntimeError", "QiskitBackendNotFoundError", "QiskitRuntimeService", "RuntimeInvalidStateError",
    "RuntimeJob", "RuntimeJobFailureError", "RuntimeJobMaxTimeoutError", "RuntimeJobNotFound",
    "RuntimeJobTimeoutError", "RuntimeJobV2", "Sampler", "SamplerV2", "Session", "__version__",
]
