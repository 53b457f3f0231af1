"""complex, datetime and set on the wire."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from qruntime import wire
from qruntime.errors import InvalidInputError


def _envelope(type_name: str, value: object) -> str:
    return json.dumps({"__type__": type_name, "__value__": value})


@pytest.mark.parametrize("number", [1 + 2j, -0.5j, complex(3, 0)], ids=str)
def test_complex_round_trips(round_trip, number):
    back = round_trip(number)
    assert back == number
    assert isinstance(back, complex)


def test_complex_is_real_imag_pair():
    assert json.loads(wire.dumps(1.5 - 2j)) == {"__type__": "complex", "__value__": [1.5, -2.0]}


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc),
        datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2025, 3, 4, 5, 6, 7),
    ],
    ids=["utc", "offset", "naive"],
)
def test_datetime_round_trips(round_trip, moment):
    back = round_trip(moment)
    assert back == moment
    assert back.utcoffset() == moment.utcoffset()


def test_date_comes_back_as_midnight_datetime(round_trip):
    assert round_trip(date(2025, 1, 2)) == datetime(2025, 1, 2)


def test_zulu_suffix_is_read():
    assert wire.loads(_envelope("datetime", "2025-01-02T03:04:05.5Z")) == datetime(
        2025, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc
    )


@pytest.mark.parametrize("items", [{1, 2, 3}, {"a"}, set()], ids=str)
def test_set_round_trips(round_trip, items):
    assert round_trip(items) == items


def test_frozenset_comes_back_as_set(our_round_trip):
    assert our_round_trip(frozenset({1, 2})) == {1, 2}


def test_set_of_tuples_round_trips(our_round_trip):
    # The stock decoder fails here (it makes a set of lists).
    assert our_round_trip({(1, 2), (3, (4, 5))}) == {(1, 2), (3, (4, 5))}


@pytest.mark.parametrize(
    ("type_name", "value", "problem"),
    [
        ("complex", [1.0], r"__value__ must be \[real, imag\], got \[1.0\]"),
        ("complex", "1+2j", r"__value__ must be \[real, imag\]"),
        ("complex", [1, True], r"__value__ must be \[real, imag\]"),
        ("datetime", "yesterday", r"__value__ is not an ISO 8601 date and time: 'yesterday'"),
        ("datetime", 1700000000, r"__value__ must be ISO 8601 text, got int"),
        ("set", {"a": 1}, r"__value__ must be a list, got dict"),
        ("set", [{"a": 1}], r"TypeError: .*unhashable"),
    ],
)
def test_malformed_scalar_is_invalid_input(type_name, value, problem):
    with pytest.raises(InvalidInputError, match=rf"Invalid '{type_name}' envelope: {problem}") as info:
        wire.loads(_envelope(type_name, value))
    assert info.value.__cause__ is not None
