"""Round trips for the wire tests: through our codec, and across to the stock client's.

A test that takes ``round_trip`` runs four times: our ``dumps``/``loads``, our
``encode``/``decode``, our encoder read by the stock ``RuntimeDecoder``, and the
stock ``RuntimeEncoder`` read by our decoder. ``our_round_trip`` runs only the
first two, for what the stock client cannot write or read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit_ibm_runtime import RuntimeDecoder as StockDecoder
from qiskit_ibm_runtime import RuntimeEncoder as StockEncoder

from qruntime import wire

RoundTrip = Callable[[Any], Any]


def ours_text(obj: Any) -> Any:
    """Our dumps, then our loads."""
    return wire.loads(wire.dumps(obj))


def ours_structure(obj: Any) -> Any:
    """Our encode, through JSON text, then our decode."""
    return wire.decode(json.loads(json.dumps(wire.encode(obj))))


def ours_to_stock(obj: Any) -> Any:
    """Our dumps, read by the stock client's decoder."""
    return json.loads(wire.dumps(obj), cls=StockDecoder)


def stock_to_ours(obj: Any) -> Any:
    """The stock client's encoder, read by our loads."""
    return wire.loads(json.dumps(obj, cls=StockEncoder))


ROUND_TRIPS = {
    "ours": ours_text,
    "ours-structure": ours_structure,
    "ours-to-stock": ours_to_stock,
    "stock-to-ours": stock_to_ours,
}


@pytest.fixture(params=list(ROUND_TRIPS), ids=list(ROUND_TRIPS))
def round_trip(request: pytest.FixtureRequest) -> RoundTrip:
    """Each of the four ways an object can go to JSON and back."""
    return ROUND_TRIPS[request.param]


@pytest.fixture(params=["ours", "ours-structure"])
def our_round_trip(request: pytest.FixtureRequest) -> RoundTrip:
    """Our two ways to JSON and back."""
    return ROUND_TRIPS[request.param]


@pytest.fixture
def bell() -> QuantumCircuit:
    """A 2-qubit Bell circuit with measurements."""
    circuit = QuantumCircuit(2, 2, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit
