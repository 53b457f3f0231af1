"""The registry of wire types on its own."""

from __future__ import annotations

import pytest

from qruntime.errors import InvalidInputError
from qruntime.wire.registry import UNHANDLED, MalformedValue, Registry, WireType


class Base:
    pass


class Child(Base):
    pass


def _registry(*fallbacks):
    return Registry(
        [
            WireType("base", (Base,), lambda obj: "b", lambda value: Base()),
            WireType(None, (int,), lambda obj: obj),
        ],
        fallbacks,
    )


def test_subclass_uses_its_base_pair():
    registry = _registry()
    assert registry.encode_one(Child()) == {"__type__": "base", "__value__": "b"}
    assert registry.encode_one(Child()) == {"__type__": "base", "__value__": "b"}


def test_plain_pairs_have_no_envelope_and_no_name():
    registry = _registry()
    assert registry.encode_one(5) == 5
    assert registry.names == frozenset({"base"})


def test_fallbacks_are_tried_in_order():
    registry = _registry(lambda obj: UNHANDLED, lambda obj: "second", lambda obj: "third")
    assert registry.encode_one(object()) == "second"


def test_unclaimed_object_is_a_type_error():
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        _registry().encode_one(object())


def test_a_class_may_be_claimed_once():
    with pytest.raises(ValueError, match="Base is claimed by two wire types"):
        Registry([WireType("a", (Base,), str, str), WireType("b", (Base,), str, str)])


def test_a_name_may_be_registered_once():
    with pytest.raises(ValueError, match="'a' is registered twice"):
        Registry([WireType("a", (Base,), str, str), WireType("b", (Child,), str, str, aliases=("a",))])


def test_non_envelopes_pass_through():
    plain = {"a": 1}
    assert _registry().decode_envelope(plain) is plain


def test_malformed_value_message_is_kept_as_is():
    def refuse(value):
        raise MalformedValue("the value is wrong")

    registry = Registry([WireType("thing", (Base,), str, refuse)])
    with pytest.raises(InvalidInputError, match=r"^Invalid 'thing' envelope: the value is wrong$") as info:
        registry.decode_envelope({"__type__": "thing", "__value__": 1})
    assert isinstance(info.value.__cause__, MalformedValue)


def test_foreign_error_is_named_and_chained():
    registry = Registry([WireType("thing", (Base,), str, lambda value: value["missing"])])
    with pytest.raises(InvalidInputError, match=r"^Invalid 'thing' envelope: KeyError: 'missing'$") as info:
        registry.decode_envelope({"__type__": "thing", "__value__": {}})
    assert isinstance(info.value.__cause__, KeyError)
