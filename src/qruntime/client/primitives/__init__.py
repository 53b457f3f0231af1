"""The runtime primitives: Sampler and Estimator, V1 (qiskit-ibm-runtime 0.27) and V2.

============================ ===============================================
Name                         What it is
============================ ===============================================
:class:`SamplerV2`           pubs of ISA circuits -> ``PrimitiveResult`` of
                             ``SamplerPubResult`` (a ``BitArray`` per register)
:class:`EstimatorV2`         pubs (circuit, observables, values) -> ``PrimitiveResult``
                             of ``PubResult`` (``evs``, ``stds``)
:class:`SamplerV1`           0.27's ``Sampler``: circuits -> ``SamplerResult``
:class:`EstimatorV1`         0.27's ``Estimator``: circuits, observables ->
                             ``EstimatorResult``
:class:`SamplerOptions`,     V2 options (``default_shots``, ``simulator``,
:class:`EstimatorOptions`    ``environment.job_tags``, ...)
:class:`Options`             V1 options (``optimization_level``, ``execution.shots``, ...)
============================ ===============================================

Every primitive runs on one backend, in the session it is given or, when a
job is submitted, the session its backend has open or whose ``with`` block
it runs in (see :mod:`qruntime.client.primitives.base`). The params they send
are those of the stock ``qiskit-ibm-runtime`` client, so the runtime's
``sampler`` and ``estimator`` programs serve both alike.

Example:
    .. code-block:: python

        from qiskit import transpile
        from qruntime import QiskitRuntimeService, Session, Sampler, SamplerV2

        backend = QiskitRuntimeService().backend("ibmq_qasm_simulator")
        isa = transpile(circuit, backend=backend)
        with Session(backend=backend) as session:
            v1 = Sampler(session=session).run(isa)              # SamplerResult
            v2 = SamplerV2(mode=session).run([isa])             # PrimitiveResult
"""

from __future__ import annotations

from qruntime.client.primitives.option_group import Unset, UnsetType
from qruntime.client.primitives.options_v1 import Options
from qruntime.client.primitives.options_v2 import EstimatorOptions, SamplerOptions
from qruntime.client.primitives.v1 import EstimatorV1, SamplerV1
from qruntime.client.primitives.v2 import EstimatorV2, SamplerV2

__all__ = [
    "EstimatorOptions", "EstimatorV1", "EstimatorV2", "Options", "SamplerOptions", "SamplerV1",
    "SamplerV2", "Unset", "UnsetType",
]
