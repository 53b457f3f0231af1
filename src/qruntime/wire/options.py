"""Objects met in job options: coupling maps, Aer noise models, and the odd ones out.

* ``CouplingMap``: the plain list of its ``[control, target]`` edges.
* ``NoiseModel`` (qiskit-aer): ``NoiseModel.to_dict()`` under ``"NoiseModel"``.
  It is only looked for when ``qiskit_aer`` is already imported, so encoding
  never imports Aer; decoding imports it (it is a dependency of the runtime).
* Objects with a ``to_json()`` method: ``{"__type__": "to_json", "__value__":
  obj.to_json()}``; decoding gives back that value as it is.
* Other callables (e.g. a callback left in options) encode as ``null``, with a
  warning, as the stock client does.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from qiskit.transpiler import CouplingMap

from qruntime.wire.registry import UNHANDLED, MalformedValue, WireType, envelope


def encode_coupling_map(coupling_map: CouplingMap) -> list[Any]:
    """Encode a ``CouplingMap`` as the list of its edges."""
    return [list(edge) for edge in coupling_map.get_edges()]


def encode_noise_model(obj: Any) -> Any:
    """Fallback: encode a qiskit-aer ``NoiseModel`` as its ``to_dict()``.

    Returns:
        The envelope, or ``UNHANDLED`` when ``obj`` is not a noise model.
    """
    if "qiskit_aer" not in sys.modules:
        return UNHANDLED
    from qiskit_aer.noise import NoiseModel

    return envelope("NoiseModel", obj.to_dict()) if isinstance(obj, NoiseModel) else UNHANDLED


def decode_noise_model(value: Any) -> Any:
    """Rebuild a qiskit-aer ``NoiseModel`` with ``NoiseModel.from_dict``."""
    if not isinstance(value, dict):
        raise MalformedValue(f"__value__ must be an object, got {type(value).__name__}")
    from qiskit_aer.noise import NoiseModel

    return NoiseModel.from_dict(value)


def encode_to_json(obj: Any) -> Any:
    """Fallback: send an object with a ``to_json()`` method as that method's output."""
    to_json = getattr(obj, "to_json", None)
    if to_json is None or isinstance(obj, type):
        return UNHANDLED
    return envelope("to_json", to_json())


def encode_callable(obj: Any) -> Any:
    """Fallback: encode a callable as ``None``, with a warning."""
    if not callable(obj):
        return UNHANDLED
    warnings.warn(f"Callable {obj!r} is not JSON serializable and is sent as null.", stacklevel=2)
    return None


def _as_is(value: Any) -> Any:
    return value


def wire_types() -> list[WireType]:
    """The ``CouplingMap``, ``NoiseModel`` and ``to_json`` pairs."""
    return [
        WireType(None, (CouplingMap,), encode_coupling_map),
        WireType("NoiseModel", decode=decode_noise_model),
        WireType("to_json", decode=_as_is),
    ]
