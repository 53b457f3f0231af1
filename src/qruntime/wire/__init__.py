"""The wire codec of the Qiskit Runtime REST protocol, shared by client, server and store.

Objects JSON has no type for travel as envelopes, ``{"__type__": T,
"__value__": V}``, in the format of the stock ``qiskit-ibm-runtime`` client's
``RuntimeEncoder`` and ``RuntimeDecoder``: each side reads what the other
writes. Wire types: ``QuantumCircuit``, ``Instruction`` and ``Parameter``
(QPY), ``ndarray``, ``complex``, ``datetime``, ``set``, ``Result``, operators
(``settings``), ``PauliLindbladMap``, ``BitArray``, ``DataBin``,
``BindingsArray``, ``ObservablesArray``, the pub results and
``PrimitiveResult``, execution spans, and Aer's ``NoiseModel``. Numpy scalars,
coupling maps, ``circuit.parameters`` and PUBs become plain JSON.

Decoding is safe on untrusted input: it unpickles nothing, imports no module
named by the input, and reports any malformed envelope as
:class:`~qruntime.errors.InvalidInputError`, naming the envelope type.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qruntime import wire
    >>> bell = QuantumCircuit(2, 2)
    >>> _ = bell.h(0), bell.cx(0, 1), bell.measure([0, 1], [0, 1])
    >>> text = wire.dumps({"pubs": [[bell, None, 1024]], "version": 2})
    >>> wire.loads(text)["pubs"][0][0] == bell
    True
"""

from __future__ import annotations

from qruntime.wire.circuit import QPY_WRITE_VERSION, SERVICE_MAX_QPY_VERSION
from qruntime.wire.codec import RuntimeDecoder, RuntimeEncoder, decode, dumps, encode, loads
from qruntime.wire.result import EstimatorPubResult
from qruntime.wire.spans import (
    DoubleSliceSpan,
    ExecutionSpan,
    ExecutionSpans,
    SliceSpan,
    TwirledSliceSpan,
    TwirledSliceSpanV2,
)

__all__ = [
    "QPY_WRITE_VERSION",
    "SERVICE_MAX_QPY_VERSION",
    "DoubleSliceSpan",
    "EstimatorPubResult",
    "ExecutionSpan",
    "ExecutionSpans",
    "RuntimeDecoder",
    "RuntimeEncoder",
    "SliceSpan",
    "TwirledSliceSpan",
    "TwirledSliceSpanV2",
    "decode",
    "dumps",
    "encode",
    "loads",
]
