"""Job params for clients on Qiskit 1.x: circuits re-written at a QPY version they read.

A job's params are served as stored, with circuits in the QPY version their
submitter wrote: 17 from a Qiskit 2.x client. The stock qiskit-ibm-runtime
decodes every envelope of a job document it fetches (``service.job(id)``), and
Qiskit 1.3 and 1.4 read QPY 13 at most, so a job submitted from Qiskit 2 could
not be read from Qiskit 1.4 at all. For a client whose
``X-Qx-Client-Application`` header names Qiskit 1.x, the circuits in the
params it is served are re-written at the version it reads (never older than
the oldest this Qiskit writes). The stored params are never changed.
"""

from __future__ import annotations

import io
import re
from typing import Any

from qiskit import qpy
from starlette.datastructures import Headers

from qruntime.wire import RuntimeDecoder, RuntimeEncoder, blob

CLIENT_HEADER = "x-qx-client-application"
#: ``qiskit-1.4.6`` (qiskit-ibm-runtime) or ``qiskit/1.4.6`` (qiskit-ibm-provider).
_QISKIT = re.compile(r"(?:^|[,/\s])qiskit[-/](\d+)\.(\d+)")
_CIRCUIT_TYPES = ("QuantumCircuit", "Instruction")
_VERSION_BYTE = len(b"QISKIT")


def readable_qpy_version(headers: Headers) -> int | None:
    """The newest QPY version the calling client reads, if it is older than ours; else ``None``."""
    match = _QISKIT.search(headers.get(CLIENT_HEADER, ""))
    if match is None:
        return None
    major, minor = int(match[1]), int(match[2])
    if major >= 2:
        return None
    if major == 1:
        return 13 if minor >= 3 else 12 if minor >= 1 else 11
    return 10


def downgrade(document: dict[str, Any], version: int) -> dict[str, Any]:
    """``document`` with the circuits of its ``params`` at QPY ``version`` or older."""
    if not document.get("params"):
        return document
    return {**document, "params": _walk(document["params"], version)}


def _walk(value: Any, version: int) -> Any:
    if isinstance(value, list):
        return [_walk(item, version) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("__type__") in _CIRCUIT_TYPES and isinstance(value.get("__value__"), str):
        return _circuit(value, version)
    return {key: _walk(item, version) for key, item in value.items()}


def _circuit(envelope: dict[str, Any], version: int) -> dict[str, Any]:
    try:
        data = blob.unpack(envelope["__value__"], envelope["__type__"])
        if len(data) <= _VERSION_BYTE or data[_VERSION_BYTE] <= version:
            return envelope
        programs = qpy.load(io.BytesIO(data), metadata_deserializer=RuntimeDecoder)
        buffer = io.BytesIO()
        qpy.dump(programs, buffer, metadata_serializer=RuntimeEncoder,
                 version=max(version, qpy.QPY_COMPATIBILITY_VERSION))
    except Exception:  # noqa: BLE001 - what cannot be re-written is served as it was sent
        return envelope
    return {**envelope, "__value__": blob.pack(buffer.getvalue())}
