"""Job results on the wire: primitive results and ``backend.run`` results.

=======================  ======================================================
``__type__``             ``__value__``
=======================  ======================================================
``PrimitiveResult``      ``{"pub_results": [...], "metadata": {...}}``
``SamplerPubResult``     ``{"data": DataBin, "metadata": {...}}``
``PubResult``            the same (Estimator V2 results up to client 0.34)
``EstimatorPubResult``   the same (Estimator V2 results from client 0.35 on)
``Result``               ``qiskit.result.Result.to_dict()``
=======================  ======================================================
"""

from __future__ import annotations

from typing import Any

from qiskit.primitives.containers import PrimitiveResult, PubResult, SamplerPubResult
from qiskit.result import Result

from qruntime.wire.registry import MalformedValue, WireType, require_keys


class EstimatorPubResult(PubResult):
    """The result of one Estimator V2 pub, under the wire name newer runtimes use.

    It is a plain :class:`~qiskit.primitives.containers.PubResult`; the class
    only exists so that an ``EstimatorPubResult`` envelope decodes to a type
    that encodes back to the same envelope (the stock client's class of that
    name adds plotting helpers, not data).

    Example:
        >>> from qiskit.primitives.containers import DataBin
        >>> import numpy as np
        >>> result = EstimatorPubResult(DataBin(evs=np.array(1.0), stds=np.array(0.0)))
        >>> float(result.data.evs)
        1.0
    """


def encode_pub_result(result: PubResult) -> dict[str, Any]:
    """Encode any pub result as its data bin and metadata."""
    return {"data": result.data, "metadata": result.metadata}


def _pub_result_decoder(cls: type[PubResult]) -> Any:
    def decode(value: Any) -> PubResult:
        parts = require_keys(value, ("data",), optional=("metadata",))
        return cls(parts["data"], _metadata(parts.get("metadata")))

    decode.__doc__ = f"Decode a ``{cls.__name__}`` from ``{{'data', 'metadata'}}``."
    return decode


def _metadata(metadata: Any) -> dict[str, Any] | None:
    if metadata is not None and not isinstance(metadata, dict):
        raise MalformedValue(f"'metadata' must be an object, got {type(metadata).__name__}")
    return metadata


def encode_primitive_result(result: PrimitiveResult[Any]) -> dict[str, Any]:
    """Encode a ``PrimitiveResult`` as its pub results and metadata."""
    return {"pub_results": list(result), "metadata": result.metadata}


def decode_primitive_result(value: Any) -> PrimitiveResult[Any]:
    """Decode a ``PrimitiveResult`` from ``{"pub_results", "metadata"}``."""
    parts = require_keys(value, ("pub_results",), optional=("metadata",))
    pub_results = parts["pub_results"]
    if not isinstance(pub_results, list):
        raise MalformedValue(f"'pub_results' must be a list, got {type(pub_results).__name__}")
    return PrimitiveResult(pub_results, _metadata(parts.get("metadata")))


def encode_result(result: Result) -> dict[str, Any]:
    """Encode a ``backend.run`` result as ``Result.to_dict()``."""
    encoded: dict[str, Any] = result.to_dict()
    return encoded


def decode_result(value: Any) -> Result:
    """Decode a ``backend.run`` result with ``Result.from_dict``."""
    if not isinstance(value, dict):
        raise MalformedValue(f"__value__ must be an object, got {type(value).__name__}")
    return Result.from_dict(value)


def wire_types() -> list[WireType]:
    """The result pairs."""
    pub_results = (
        WireType(cls.__name__, (cls,), encode_pub_result, _pub_result_decoder(cls))
        for cls in (PubResult, SamplerPubResult, EstimatorPubResult)
    )
    return [
        WireType("PrimitiveResult", (PrimitiveResult,), encode_primitive_result, decode_primitive_result),
        *pub_results,
        WireType("Result", (Result,), encode_result, decode_result),
    ]
