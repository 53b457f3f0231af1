"""Option groups: named options whose every assignment is checked as it happens.

An option group is a dataclass whose fields are either leaves (a value and
the check it must pass) or nested groups. Assigning a name the group does not
have, or a value its check refuses, raises
:class:`~qruntime.errors.IBMInputValueError` at once, naming the option and
what is allowed, so a typo never travels to the runtime. A leaf nobody set
holds :data:`Unset` and is left out of the job's payload, as the stock client
leaves it out.

Example:
    .. code-block:: python

        from qruntime import SamplerOptions

        options = SamplerOptions()
        options.default_shots = 1000
        options.simulator.seed_simulator = 42
        options.update(execution={"meas_type": "classified"})
        options.default_shot = 10     # IBMInputValueError: ... Allowed: default_shots, ...
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from numbers import Integral, Real
from typing import Any, ClassVar, TypeVar

from qruntime.errors import IBMInputValueError

#: ``check(where, value)`` returns the value to store or raises IBMInputValueError.
Check = Callable[[str, Any], Any]
G = TypeVar("G", bound="OptionGroup")


class UnsetType:
    """The type of :data:`Unset`, the value of an option nobody set."""

    _instance: ClassVar[UnsetType | None] = None

    def __new__(cls) -> UnsetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Unset"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> UnsetType:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> UnsetType:
        return self

    def __reduce__(self) -> tuple[type[UnsetType], tuple[()]]:
        return (UnsetType, ())


#: An option nobody set: left out of the payload, so the runtime's default applies.
Unset = UnsetType()

#: Make a class an option group (fields declared with :func:`leaf` and :func:`group`).
option_group = dataclass(init=False, repr=True, eq=True)


def leaf(check: Check, default: Any = Unset) -> Any:
    """Declare a leaf option whose values must pass ``check``.

    Example:
        .. code-block:: python

            @option_group
            class ExecutionOptions(OptionGroup):
                shots: int = leaf(integer(1), 4000)
                init_qubits: bool = leaf(flag, True)
    """
    return field(default=default, metadata={"check": check})


def group(kind: type[OptionGroup]) -> Any:
    """Declare a nested option group of class ``kind``.

    Example:
        .. code-block:: python

            @option_group
            class Options(OptionGroup):
                execution: ExecutionOptions = group(ExecutionOptions)
    """
    return field(default_factory=kind, metadata={"group": kind})


class OptionGroup:
    """Base class of option groups: unknown names and bad values raise at once.

    Args:
        **values: Initial values; a dict given for a nested group sets the
            options it names inside that group.

    Raises:
        IBMInputValueError: A name is not an option of the group, or a value is
            not allowed; the message names it and what is allowed.
    """

    _where: str  # the group's dotted name in messages (not an option)

    def __init__(self, **values: Any) -> None:
        object.__setattr__(self, "_where", type(self).__name__)
        for spec in fields(self):  # type: ignore[arg-type]
            if "group" in spec.metadata:
                object.__setattr__(self, spec.name, self._child(spec.metadata["group"], spec.name))
            else:
                object.__setattr__(self, spec.name, spec.default)
        self.update(**values)

    def update(self, **values: Any) -> None:
        """Set several options; a dict given for a nested group updates only the names in it.

        Args:
            **values: Option names and values.

        Raises:
            IBMInputValueError: A name is unknown or a value is not allowed.

        Example:
            >>> options = SamplerOptions()
            >>> options.update(default_shots=100, simulator={"seed_simulator": 7})
            >>> options.simulator.seed_simulator
            7
        """
        for name, value in values.items():
            current = getattr(self, self._spec(name).name)
            if isinstance(current, OptionGroup) and isinstance(value, Mapping):
                current.update(**value)
            else:
                setattr(self, name, value)

    def __getitem__(self, name: str) -> Any:
        """The option ``name``, read as from a dict (0.27's V1 ``options`` were dicts).

        Example:
            >>> Options().execution["shots"]
            4000
        """
        return getattr(self, self._spec(name).name)

    def to_dict(self) -> dict[str, Any]:
        """Every option as nested dicts, with :data:`Unset` where nothing was set."""
        return asdict(self)  # type: ignore[call-overload, no-any-return]

    @classmethod
    def names(cls) -> list[str]:
        """The option names of this group."""
        return [spec.name for spec in fields(cls)]  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: Any) -> None:
        spec = self._spec(name)
        where = f"{self._where}.{name}"
        kind = spec.metadata.get("group")
        if kind is not None:
            value = self._coerce_group(kind, name, value, where)
        elif not isinstance(value, UnsetType):
            value = spec.metadata["check"](where, value)
        object.__setattr__(self, name, value)

    def __deepcopy__(self: G, memo: dict[int, Any]) -> G:
        clone = object.__new__(type(self))
        for name, value in vars(self).items():
            object.__setattr__(clone, name, copy.deepcopy(value, memo))
        return clone

    def _spec(self, name: str) -> Any:
        for spec in fields(self):  # type: ignore[arg-type]
            if spec.name == name:
                return spec
        raise IBMInputValueError(
            f"{name!r} is not an option of {self._where}. Allowed: {', '.join(self.names())}."
        )

    def _child(self, kind: type[G], name: str) -> G:
        child = kind()
        child._rename(f"{self._where}.{name}")
        return child

    def _rename(self, where: str) -> None:
        object.__setattr__(self, "_where", where)
        for name, value in vars(self).items():
            if isinstance(value, OptionGroup):
                value._rename(f"{where}.{name}")

    def _coerce_group(self, kind: type[G], name: str, value: Any, where: str) -> G:
        if isinstance(value, kind):
            clone = copy.deepcopy(value)
            clone._rename(where)
            return clone
        if isinstance(value, Mapping):
            child = self._child(kind, name)
            child.update(**value)
            return child
        raise IBMInputValueError(
            f"{where} must be a {kind.__name__} or a dict, not {type(value).__name__}."
        )


def program_dict(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without :data:`Unset` leaves and without dicts left empty."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, UnsetType):
            continue
        if isinstance(value, Mapping):
            value = program_dict(value)
            if not value:
                continue
        kept[name] = value
    return kept


# --- checks --------------------------------------------------------------------------


def anything(where: str, value: Any) -> Any:
    """Accept any value."""
    return value


def flag(where: str, value: Any) -> bool:
    """Accept ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise IBMInputValueError(f"{where} must be True or False, not {value!r}.")
    return value


def integer(low: int | None = None, high: int | None = None, *, none: bool = False) -> Check:
    """Accept an integer in ``[low, high]`` (and ``None`` when ``none``)."""

    def check(where: str, value: Any) -> Any:
        if value is None and none:
            return None
        if isinstance(value, bool) or not isinstance(value, Integral) or not _within(
            value, low, high
        ):
            raise IBMInputValueError(
                f"{where} must be an integer{_range(low, high)}, not {value!r}."
            )
        return int(value)

    return check


def number(low: float | None = None, high: float | None = None, *, above: float | None = None
           ) -> Check:
    """Accept a real number in ``[low, high]``, and greater than ``above`` if given."""

    def check(where: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, Real) or not _within(
            value, low, high
        ) or (above is not None and value <= above):
            bounds = f" > {above}" if above is not None else _range(low, high)
            raise IBMInputValueError(f"{where} must be a number{bounds}, not {value!r}.")
        return float(value)

    return check


def choice(*allowed: Any) -> Check:
    """Accept one of ``allowed``."""

    def check(where: str, value: Any) -> Any:
        if isinstance(value, bool) or value not in allowed:
            raise IBMInputValueError(
                f"{where} must be one of {', '.join(map(repr, allowed))}, not {value!r}."
            )
        return value

    return check


def either(*checks: Check) -> Check:
    """Accept what any of ``checks`` accepts (the first one's message otherwise)."""

    def check(where: str, value: Any) -> Any:
        for candidate in checks[1:]:
            try:
                return candidate(where, value)
            except IBMInputValueError:
                continue
        return checks[0](where, value)

    return check


def listing(item: Check = anything, *, none: bool = False) -> Check:
    """Accept a list or tuple whose items pass ``item`` (stored as a list)."""

    def check(where: str, value: Any) -> Any:
        if value is None and none:
            return None
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise IBMInputValueError(f"{where} must be a list, not {type(value).__name__}.")
        return [item(f"{where}[{i}]", v) for i, v in enumerate(value)]

    return check


def text(where: str, value: Any) -> str:
    """Accept a string."""
    if not isinstance(value, str):
        raise IBMInputValueError(f"{where} must be a string, not {value!r}.")
    return value


def mapping(where: str, value: Any) -> dict[str, Any]:
    """Accept a dict (stored as a copy)."""
    if not isinstance(value, Mapping):
        raise IBMInputValueError(f"{where} must be a dict, not {type(value).__name__}.")
    return copy.deepcopy(dict(value))


def _within(value: Real, low: float | None, high: float | None) -> bool:
    number = float(value)
    return (low is None or number >= low) and (high is None or number <= high)


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" >= {low}"
    return f" <= {high}" if high is not None else ""
