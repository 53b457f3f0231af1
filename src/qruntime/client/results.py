"""Turning a job's decoded result payload into the object its program promises."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

ResultDecoder = Callable[[Any], Any]


def runner_result(payload: Any) -> Any:
    """A ``backend.run`` job's Qiskit :class:`~qiskit.result.Result`."""
    from qiskit.result import Result

    if isinstance(payload, Result):
        return payload
    return Result.from_dict(payload)


def sampler_v1_result(payload: Any) -> Any:
    """A V1 Sampler's :class:`~qiskit.primitives.SamplerResult`."""
    from qiskit.primitives import SamplerResult
    from qiskit.result import QuasiDistribution

    if isinstance(payload, SamplerResult):
        return payload
    dists = []
    for dist, meta in zip(payload["quasi_dists"], payload["metadata"]):
        shots = meta.get("shots") if isinstance(meta, dict) else None
        # Keys are ints, bit strings or hex strings; QuasiDistribution reads all three.
        dists.append(QuasiDistribution(dict(dist), shots=shots))
    return SamplerResult(quasi_dists=dists, metadata=list(payload["metadata"]))


def estimator_v1_result(payload: Any) -> Any:
    """A V1 Estimator's :class:`~qiskit.primitives.EstimatorResult`."""
    from qiskit.primitives import EstimatorResult

    if isinstance(payload, EstimatorResult):
        return payload
    return EstimatorResult(
        values=np.asarray(payload["values"], dtype=float), metadata=list(payload["metadata"])
    )


def primitive_v2_result(payload: Any) -> Any:
    """A V2 primitive's :class:`~qiskit.primitives.PrimitiveResult`, as decoded."""
    return payload


def decoder_for(program_id: str, params: dict[str, Any] | None) -> ResultDecoder:
    """The decoder of a job's result, from its program and (for primitives) its version."""
    if program_id in ("circuit-runner", "qasm3-runner"):
        return runner_result
    version = (params or {}).get("version", 1)
    if version == 2 or (params or {}).get("pubs") is not None:
        return primitive_v2_result
    if program_id == "sampler":
        return sampler_v1_result
    if program_id == "estimator":
        return estimator_v1_result
    return primitive_v2_result
