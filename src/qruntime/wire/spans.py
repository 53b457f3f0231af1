"""Execution spans: when each slice of a job's data was taken, and their wire form.

Runtimes put an :class:`ExecutionSpans` in a Sampler V2 result's metadata
(``result.metadata["execution"]["execution_spans"]``). These classes hold the
same data as the stock client's classes of the same names (which we may not
import) and travel in the same envelopes, so each side decodes the other's.

====================  =============================  ==========================================
class                 ``__type__``                   each ``data_slices`` entry on the wire
====================  =============================  ==========================================
SliceSpan             ``ExecutionSpan``              ``[shape, start, stop]``
DoubleSliceSpan       ``DoubleSliceSpan``            ``[shape, arg_start, arg_stop, shot_start, shot_stop]``
TwirledSliceSpan      ``TwirledSliceSpan``           ``[shape, at_front, arg_start, arg_stop, shot_start, shot_stop]``
TwirledSliceSpanV2    ``TwirledSliceSpanV2``         as above, then ``pub_shots``
ExecutionSpans        ``ExecutionSpans``             ``{"spans": [...]}`` (``ExecutionSpanCollection``
                                                     is accepted, its old name)
====================  =============================  ==========================================

Every span's value is ``{"start": datetime, "stop": datetime, "data_slices":
{pub index: entry}}``. Slice steps are not carried.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from qruntime.wire.registry import MalformedValue, WireType, require_keys


@dataclass(frozen=True, order=False)
class ExecutionSpan:
    """A time window of execution and the slices of pub data taken in it.

    Attributes:
        start: When the window opened (UTC).
        stop: When it closed (UTC).
        data_slices: Pub index -> where that pub's data of this window lies;
            the tuple's layout depends on the subclass.
    """

    start: datetime
    stop: datetime
    data_slices: Mapping[int, tuple[Any, ...]] = field(default_factory=dict)

    wire_name: ClassVar[str]
    entry_layout: ClassVar[tuple[type, ...]]
    """The types of a ``data_slices`` tuple's parts, in order."""

    @property
    def duration(self) -> float:
        """The window's length in seconds."""
        return (self.stop - self.start).total_seconds()

    @property
    def pub_idxs(self) -> list[int]:
        """The indices of the pubs with data in this window, sorted."""
        return sorted(self.data_slices)

    def __lt__(self, other: ExecutionSpan) -> bool:
        return (self.start, self.stop) < (other.start, other.stop)


@dataclass(frozen=True, order=False)
class SliceSpan(ExecutionSpan):
    """Data entries ``(shape, slice)``: a slice of the pub's flattened data."""

    wire_name: ClassVar[str] = "ExecutionSpan"
    entry_layout: ClassVar[tuple[type, ...]] = (tuple, slice)


@dataclass(frozen=True, order=False)
class DoubleSliceSpan(ExecutionSpan):
    """Data entries ``(shape, args_slice, shots_slice)``: parameter sets and shots sliced apart."""

    wire_name: ClassVar[str] = "DoubleSliceSpan"
    entry_layout: ClassVar[tuple[type, ...]] = (tuple, slice, slice)


@dataclass(frozen=True, order=False)
class TwirledSliceSpan(ExecutionSpan):
    """Data entries ``(twirled_shape, at_front, shape_slice, shots_slice)`` of a twirled run."""

    wire_name: ClassVar[str] = "TwirledSliceSpan"
    entry_layout: ClassVar[tuple[type, ...]] = (tuple, bool, slice, slice)


@dataclass(frozen=True, order=False)
class TwirledSliceSpanV2(ExecutionSpan):
    """As :class:`TwirledSliceSpan`, each entry ending with the pub's requested ``pub_shots``."""

    wire_name: ClassVar[str] = "TwirledSliceSpanV2"
    entry_layout: ClassVar[tuple[type, ...]] = (tuple, bool, slice, slice, int)


@dataclass(frozen=True)
class ExecutionSpans(Sequence[ExecutionSpan]):
    """The execution spans of one job.

    Example:
        >>> from datetime import datetime, timezone
        >>> t0, t1 = datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 1, 0, 0, 2, tzinfo=timezone.utc)
        >>> spans = ExecutionSpans([SliceSpan(t0, t1, {0: ((1024,), slice(0, 1024))})])
        >>> spans.duration, spans.pub_idxs
        (2.0, [0])
    """

    spans: tuple[ExecutionSpan, ...] = ()

    def __init__(self, spans: Sequence[ExecutionSpan] = ()) -> None:
        object.__setattr__(self, "spans", tuple(spans))

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, index: int) -> ExecutionSpan:  # type: ignore[override]
        return self.spans[index]

    def __iter__(self) -> Iterator[ExecutionSpan]:
        return iter(self.spans)

    @property
    def start(self) -> datetime:
        """When the first span opened."""
        return min(span.start for span in self.spans)

    @property
    def stop(self) -> datetime:
        """When the last span closed."""
        return max(span.stop for span in self.spans)

    @property
    def duration(self) -> float:
        """Seconds from the first start to the last stop."""
        return (self.stop - self.start).total_seconds()

    @property
    def pub_idxs(self) -> list[int]:
        """The indices of the pubs with data in any span, sorted."""
        return sorted({index for span in self.spans for index in span.data_slices})


# --- wire form --------------------------------------------------------------------


def encode_span(span: ExecutionSpan) -> dict[str, Any]:
    """Encode a span, writing each ``slice`` as its start and stop."""
    slices = {index: _flatten(entry) for index, entry in span.data_slices.items()}
    return {"start": span.start, "stop": span.stop, "data_slices": slices}


def _flatten(entry: tuple[Any, ...]) -> list[Any]:
    flat: list[Any] = []
    for part in entry:
        if isinstance(part, slice):
            flat += (part.start, part.stop)
        else:
            flat.append(list(part) if isinstance(part, tuple) else part)
    return flat


def _span_decoder(cls: type[ExecutionSpan]) -> Any:
    layout = cls.entry_layout

    def decode(value: Any) -> ExecutionSpan:
        parts = require_keys(value, ("start", "stop", "data_slices"))
        start, stop, slices = parts["start"], parts["stop"], parts["data_slices"]
        if not isinstance(start, datetime) or not isinstance(stop, datetime):
            raise MalformedValue("'start' and 'stop' must be datetime envelopes")
        if not isinstance(slices, dict):
            raise MalformedValue(f"'data_slices' must be an object, got {type(slices).__name__}")
        return cls(start, stop, {_pub_index(key): _entry(entry, layout) for key, entry in slices.items()})

    decode.__doc__ = f"Decode a ``{cls.__name__}`` from its ``{cls.wire_name}`` envelope value."
    return decode


def _pub_index(key: str) -> int:
    try:
        return int(key)
    except ValueError as exc:
        raise MalformedValue(f"'data_slices' key {key!r:.40} is not a pub index") from exc


def _entry(flat: Any, layout: tuple[type, ...]) -> tuple[Any, ...]:
    length = sum(2 if kind is slice else 1 for kind in layout)
    if not isinstance(flat, list) or len(flat) != length or not isinstance(flat[0], list):
        raise MalformedValue(f"each 'data_slices' entry must be a list of {length} items starting with a shape")
    items = iter(flat)
    return tuple(_part(kind, items) for kind in layout)


def _part(kind: type, items: Iterator[Any]) -> Any:
    if kind is slice:
        return slice(next(items), next(items))
    item = next(items)
    return tuple(item) if kind is tuple else item


def encode_spans(spans: ExecutionSpans) -> dict[str, Any]:
    """Encode a collection of spans as ``{"spans": [...]}``."""
    return {"spans": list(spans.spans)}


def decode_spans(value: Any) -> ExecutionSpans:
    """Decode ``{"spans": [...]}`` whose items are already decoded spans."""
    spans = require_keys(value, ("spans",))["spans"]
    if not isinstance(spans, list) or not all(isinstance(span, ExecutionSpan) for span in spans):
        raise MalformedValue("'spans' must be a list of execution span envelopes")
    return ExecutionSpans(spans)


def wire_types() -> list[WireType]:
    """The pairs of the four span kinds and of the span collection."""
    kinds = (SliceSpan, DoubleSliceSpan, TwirledSliceSpan, TwirledSliceSpanV2)
    return [
        *(WireType(cls.wire_name, (cls,), encode_span, _span_decoder(cls)) for cls in kinds),
        WireType("ExecutionSpans", (ExecutionSpans,), encode_spans, decode_spans, aliases=("ExecutionSpanCollection",)),
    ]
