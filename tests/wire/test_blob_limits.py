"""A compressed envelope may not inflate past the limit."""

from __future__ import annotations

import base64
import zlib

import pytest

from qruntime import wire
from qruntime.errors import InvalidInputError
from qruntime.wire import blob


def test_inflation_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blob, "MAX_INFLATED_BYTES", 1000)
    bomb = base64.b64encode(zlib.compress(b"\0" * 100_000)).decode()
    with pytest.raises(InvalidInputError, match="inflates to more than 1000 bytes"):
        wire.loads('{"__type__": "ndarray", "__value__": "%s"}' % bomb)


def test_truncated_stream_is_refused() -> None:
    stream = base64.b64encode(zlib.compress(b"x" * 1000)[:-6]).decode()
    with pytest.raises(InvalidInputError, match="zlib"):
        wire.loads('{"__type__": "ndarray", "__value__": "%s"}' % stream)
