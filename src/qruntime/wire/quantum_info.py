"""Objects of qiskit.quantum_info on the wire: operators and states by their ``settings``, and Pauli-Lindblad maps.

An object with a ``settings`` property (``SparsePauliOp``, ``Pauli``,
``Operator``, ``Statevector``, ...) is sent as::

    {"__type__": "settings", "__module__": "qiskit.quantum_info...", "__class__": "SparsePauliOp",
     "__value__": {...settings...}}

and rebuilt as ``cls(**settings)``. Integer dict keys inside the settings
would come back as strings, so a dict that had any gets ``"__int_keys__":
true`` and its numeric keys are turned back into ints on decode.

Decoding never imports a module named by the input: the class must live in an
already imported module under :data:`ALLOWED_MODULES` and have ``settings``.
The stock decoder allows ``qiskit.quantum_info.operators`` only (it returns
other settings envelopes as plain dicts); we also allow the states, and Aer's
subclasses of them, which Aer puts in ``backend.run`` results.

Encoding names the first class in the object's MRO that the allow-list
covers, so that Aer's ``Statevector`` goes as Qiskit's; an object of no
allowed class is sent under its own class, as the stock encoder does.
"""

from __future__ import annotations

import sys
from typing import Any, Final

from qiskit.quantum_info import PauliLindbladMap

from qruntime.wire.registry import UNHANDLED, MalformedValue, WireType, require_keys

_QISKIT_MODULES: Final = ("qiskit.quantum_info.operators", "qiskit.quantum_info.states")

ALLOWED_MODULES: Final = (*_QISKIT_MODULES, "qiskit_aer.backends.compatibility")
"""Packages whose classes a ``settings`` envelope may name."""

_INT_KEYS: Final = "__int_keys__"


def encode_settings(obj: Any) -> Any:
    """Fallback: encode any object with a ``settings`` attribute as a settings envelope.

    Args:
        obj: The object.

    Returns:
        The envelope, or ``UNHANDLED`` when ``obj`` has no ``settings``.
    """
    try:
        settings = obj.settings
    except AttributeError:
        return UNHANDLED
    cls = _wire_class(type(obj))
    return {
        "__type__": "settings",
        "__module__": cls.__module__,
        "__class__": cls.__name__,
        "__value__": flag_int_keys(settings),
    }


def _wire_class(cls: type) -> type:
    # Prefer a Qiskit class over a subclass of it from elsewhere (e.g. Aer's).
    return next((base for base in cls.__mro__ if _is_allowed(base.__module__, _QISKIT_MODULES)), cls)


def flag_int_keys(value: Any) -> Any:
    """Mark each dict that has integer keys with ``"__int_keys__": True``.

    Args:
        value: Settings, or anything inside them.

    Returns:
        ``value`` with its dicts (and the dicts in their values) copied and
        marked; other values are shared, to be encoded later.
    """
    if not isinstance(value, dict):
        return value
    flagged = {key: flag_int_keys(item) for key, item in value.items()}
    if any(isinstance(key, int) for key in value):
        flagged[_INT_KEYS] = True
    return flagged


def decode_settings(envelope: dict[str, Any]) -> Any:
    """Rebuild an allowed object from a settings envelope.

    Args:
        envelope: The whole envelope, with ``__module__`` and ``__class__``.

    Returns:
        ``cls(**settings)``.

    Raises:
        MalformedValue: If the class is not allowed or not found, or the
            settings are not an object.
    """
    cls = _allowed_class(envelope.get("__module__"), envelope.get("__class__"))
    settings = restore_int_keys(envelope["__value__"])
    if not isinstance(settings, dict):
        raise MalformedValue(f"__value__ must be an object of settings, got {type(settings).__name__}")
    return cls(**settings)


def _allowed_class(module_name: Any, class_name: Any) -> type:
    if not isinstance(module_name, str) or not isinstance(class_name, str):
        raise MalformedValue("'__module__' and '__class__' must be strings")
    if not _is_allowed(module_name):
        raise MalformedValue(f"module {module_name!r} is not allowed (allowed: {', '.join(ALLOWED_MODULES)})")
    module = sys.modules.get(module_name)
    cls = getattr(module, class_name, None) if module is not None else None
    if not isinstance(cls, type) or not _is_allowed(cls.__module__) or not hasattr(cls, "settings"):
        raise MalformedValue(f"no class {class_name!r} with settings in module {module_name!r}")
    return cls


def _is_allowed(module_name: str, roots: tuple[str, ...] = ALLOWED_MODULES) -> bool:
    return any(module_name == root or module_name.startswith(root + ".") for root in roots)


def restore_int_keys(value: Any) -> Any:
    """Undo :func:`flag_int_keys`: turn numeric keys of marked dicts back into ints.

    Args:
        value: Decoded settings, or anything inside them.

    Returns:
        ``value`` with its dicts copied, unmarked and their keys restored.
    """
    if not isinstance(value, dict):
        return value
    has_int_keys = value.get(_INT_KEYS) is True
    restored: dict[Any, Any] = {}
    for key, item in value.items():
        if key == _INT_KEYS:
            continue
        restored[_int_key(key) if has_int_keys else key] = restore_int_keys(item)
    return restored


def _int_key(key: Any) -> Any:
    try:
        return int(key)
    except ValueError:
        return key


def encode_pauli_lindblad_map(rates: PauliLindbladMap) -> dict[str, Any]:
    """Encode a ``PauliLindbladMap`` as its sparse list and qubit count."""
    return {"paulis": rates.to_sparse_list(), "num_qubits": rates.num_qubits}


def decode_pauli_lindblad_map(value: Any) -> PauliLindbladMap:
    """Decode a ``PauliLindbladMap`` from ``{"paulis": [[label, qubits, rate]], "num_qubits"}``."""
    parts = require_keys(value, ("paulis", "num_qubits"))
    paulis = parts["paulis"]
    if not isinstance(paulis, list) or not all(isinstance(term, list) for term in paulis):
        raise MalformedValue("'paulis' must be a list of [label, qubits, rate] lists")
    return PauliLindbladMap.from_sparse_list([tuple(term) for term in paulis], num_qubits=parts["num_qubits"])


def wire_types() -> list[WireType]:
    """The ``settings`` decoder and the ``PauliLindbladMap`` pair.

    ``settings`` has no class entry: it is encoded by the :func:`encode_settings`
    fallback, for any class with ``settings``.
    """
    return [
        WireType("settings", decode=decode_settings, whole_envelope=True),
        WireType("PauliLindbladMap", (PauliLindbladMap,), encode_pauli_lindblad_map, decode_pauli_lindblad_map),
    ]
