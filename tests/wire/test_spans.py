"""Execution spans on the wire, against the stock client's span classes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import qiskit_ibm_runtime.execution_span as stock
from qiskit_ibm_runtime import RuntimeDecoder as StockDecoder
from qiskit_ibm_runtime import RuntimeEncoder as StockEncoder

from qruntime import wire
from qruntime.errors import InvalidInputError

T0 = datetime(2025, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
T1 = T0 + timedelta(seconds=2.5)

# (ours, stock): the same span built with each side's class.
SPANS = {
    "slice": (
        wire.SliceSpan(T0, T1, {0: ((2, 512), slice(0, 1024))}),
        stock.SliceSpan(T0, T1, {0: ((2, 512), slice(0, 1024))}),
    ),
    "double-slice": (
        wire.DoubleSliceSpan(T0, T1, {1: ((3, 100), slice(0, 2), slice(10, 90))}),
        stock.DoubleSliceSpan(T0, T1, {1: ((3, 100), slice(0, 2), slice(10, 90))}),
    ),
    "twirled": (
        wire.TwirledSliceSpan(T0, T1, {0: ((4, 2, 25), True, slice(1, 7), slice(0, 25))}),
        stock.TwirledSliceSpan(T0, T1, {0: ((4, 2, 25), True, slice(1, 7), slice(0, 25))}),
    ),
    "twirled-v2": (
        wire.TwirledSliceSpanV2(T0, T1, {2: ((2, 4, 25), False, slice(0, 8), slice(0, 25), 180)}),
        stock.TwirledSliceSpanV2(T0, T1, {2: ((2, 4, 25), False, slice(0, 8), slice(0, 25), 180)}),
    ),
}


@pytest.mark.parametrize(("ours", "theirs"), list(SPANS.values()), ids=list(SPANS))
def test_span_round_trips(our_round_trip, ours, theirs):
    assert our_round_trip(ours) == ours


@pytest.mark.parametrize(("ours", "theirs"), list(SPANS.values()), ids=list(SPANS))
def test_our_span_is_read_by_stock_decoder(ours, theirs):
    assert json.loads(wire.dumps(ours), cls=StockDecoder) == theirs


@pytest.mark.parametrize(("ours", "theirs"), list(SPANS.values()), ids=list(SPANS))
def test_stock_span_is_read_by_our_decoder(ours, theirs):
    assert wire.loads(json.dumps(theirs, cls=StockEncoder)) == ours


def test_collection_crosses_both_ways():
    ours = wire.ExecutionSpans([pair[0] for pair in SPANS.values()])
    theirs = stock.ExecutionSpans([pair[1] for pair in SPANS.values()])
    assert json.loads(wire.dumps(ours), cls=StockDecoder) == theirs
    assert wire.loads(json.dumps(theirs, cls=StockEncoder)) == ours
    assert wire.loads(wire.dumps(ours)) == ours


def test_collection_in_sampler_metadata(our_round_trip):
    spans = wire.ExecutionSpans([SPANS["slice"][0]])
    back = our_round_trip({"execution": {"execution_spans": spans}})
    assert back["execution"]["execution_spans"] == spans


def test_slice_span_goes_as_execution_span():
    envelope = json.loads(wire.dumps(SPANS["slice"][0]))
    assert envelope["__type__"] == "ExecutionSpan"
    assert envelope["__value__"]["data_slices"] == {"0": [[2, 512], 0, 1024]}


def test_old_collection_name_is_read():
    text = json.dumps(stock.ExecutionSpans([SPANS["slice"][1]]), cls=StockEncoder)
    text = text.replace('"ExecutionSpans"', '"ExecutionSpanCollection"')
    assert wire.loads(text) == wire.ExecutionSpans([SPANS["slice"][0]])


def test_collection_properties():
    spans = wire.ExecutionSpans([SPANS["slice"][0], SPANS["double-slice"][0]])
    assert len(spans) == 2
    assert spans[1] is SPANS["double-slice"][0]
    assert spans.pub_idxs == [0, 1]
    assert spans.duration == 2.5
    assert SPANS["slice"][0].duration == 2.5


# --- bad input ----------------------------------------------------------------------


def _span_text(data_slices: object, start: object = None) -> str:
    start = start or {"__type__": "datetime", "__value__": T0.isoformat()}
    stop = {"__type__": "datetime", "__value__": T1.isoformat()}
    value = {"start": start, "stop": stop, "data_slices": data_slices}
    return json.dumps({"__type__": "DoubleSliceSpan", "__value__": value})


@pytest.mark.parametrize(
    ("data_slices", "start", "problem"),
    [
        ({"0": [[4], 0, 2, 0]}, None, r"each 'data_slices' entry must be a list of 5 items"),
        ({"x": [[4], 0, 2, 0, 4]}, None, r"'data_slices' key 'x' is not a pub index"),
        ([], None, r"'data_slices' must be an object, got list"),
        ({}, "2025-01-01", r"'start' and 'stop' must be datetime envelopes"),
    ],
)
def test_malformed_span_is_invalid_input(data_slices, start, problem):
    with pytest.raises(InvalidInputError, match=rf"Invalid 'DoubleSliceSpan' envelope: {problem}"):
        wire.loads(_span_text(data_slices, start))


def test_collection_of_non_spans_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"Invalid 'ExecutionSpans' envelope: 'spans' must be a list of"):
        wire.loads(json.dumps({"__type__": "ExecutionSpans", "__value__": {"spans": [1]}}))
