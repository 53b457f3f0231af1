"""IBM's heavy-hex processors the device-like backends model: Falcon r5, Eagle r3, Heron r2.

A :class:`Processor` says what a device of that family is: its layout, its basis
(the two-qubit gate, and the fractional gates it offers), where its calibration
values are drawn from, and what the protocol's ``processor_type`` reports.
Heron r2 runs ``cz`` and, for clients that ask for fractional gates, ``rx`` and
``rzz``; ``rzz`` is calibrated for angles in [0, π/2] only, as IBM's devices
and the stock client's ``is_isa_circuit`` have it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qruntime.backends.calibration import ECR_PROFILE, HERON_R2_PROFILE, CalibrationProfile
from qruntime.backends.topology import Edge, heavy_hex_edges
from qruntime.errors import InvalidInputError

#: The gates every IBM device runs besides its two-qubit gate.
SINGLE_QUBIT_GATES = ("id", "rz", "sx", "x")
#: Angles a fractional gate is calibrated for (its parameter's closed range).
RZZ_ANGLE_RANGE = (0.0, math.pi / 2)


@dataclass(frozen=True)
class Processor:
    """A family of IBM chips, as a device-like backend models it.

    Args:
        family: ``"Falcon"``, ``"Eagle"`` or ``"Heron"``.
        revision: As ``processor_type.revision`` reports it.
        num_qubits: The chip's qubit count (one heavy-hex layout each).
        two_qubit_gate: ``"ecr"`` or ``"cz"``.
        profile: Where calibration values are drawn from.
        angle_ranges: The fractional gates offered, each with the range of its angle
            (``None``: any angle); empty for chips without fractional gates.
    """

    family: str
    revision: str | int
    num_qubits: int
    two_qubit_gate: str
    profile: CalibrationProfile
    angle_ranges: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)

    @property
    def fractional_gates(self) -> tuple[str, ...]:
        """Names of the fractional gates, sorted (``("rx", "rzz")`` on Heron)."""
        return tuple(sorted(self.angle_ranges))

    @property
    def basis(self) -> tuple[str, ...]:
        """The device's gates, fractional ones included, sorted."""
        return tuple(sorted((self.two_qubit_gate, *SINGLE_QUBIT_GATES, *self.fractional_gates)))

    @property
    def bounded_angles(self) -> dict[str, tuple[float, float]]:
        """The fractional gates whose angle is bounded, with the bounds."""
        return {name: bounds for name, bounds in self.angle_ranges.items() if bounds is not None}

    def edges(self) -> tuple[Edge, ...]:
        """The chip's undirected couplings."""
        return heavy_hex_edges(self.num_qubits)

    def processor_type(self) -> dict[str, Any]:
        """The configuration document's ``processor_type``."""
        return {"family": self.family, "revision": self.revision}

    def describe(self) -> str:
        """One line for listings."""
        return f"{self.num_qubits}-qubit heavy-hex device model (IBM {self.family} layout), noisy"


FALCON_R5 = Processor("Falcon", "5.11", 27, "ecr", ECR_PROFILE)
EAGLE_R3 = Processor("Eagle", 3, 127, "ecr", ECR_PROFILE)
HERON_R2 = Processor("Heron", "2", 156, "cz", HERON_R2_PROFILE,
                     angle_ranges={"rx": None, "rzz": RZZ_ANGLE_RANGE})

PROCESSORS: dict[int, Processor] = {p.num_qubits: p for p in (FALCON_R5, EAGLE_R3, HERON_R2)}


def processor_for(num_qubits: int) -> Processor:
    """The processor with ``num_qubits`` qubits; raises :class:`InvalidInputError` if none."""
    processor = PROCESSORS.get(num_qubits)
    if processor is None:
        sizes = ", ".join(f"{n} ({p.family})" for n, p in PROCESSORS.items())
        raise InvalidInputError(f"no heavy-hex processor has {num_qubits} qubits; use {sizes}.")
    return processor
