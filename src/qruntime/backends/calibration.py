"""Calibration data of a device-like backend, drawn once from a seed.

The values look like those IBM published for its Falcon and Eagle chips (T1 and
T2 of 100-300 µs, 1-3 % readout error, single-qubit gate errors of a few 1e-4,
ECR errors near 1e-2) and are the same for the same seed on every machine. One
:class:`Calibration` feeds the backend's ``Target``, its Aer noise model, and the
properties document the protocol serves, so the three always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

DT = 2 / 9 * 1e-9  # s: the sample time of IBM's Falcon and Eagle chips
CALIBRATION_DATE = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

_SX_LENGTH = 160 * DT  # 35.6 ns
_READOUT_LENGTH = 3888 * DT  # 864 ns
_RESET_LENGTH = 5760 * DT  # 1.28 µs
_ALIGNMENT = 16 * DT  # two-qubit gate lengths are multiples of 16 dt


@dataclass(frozen=True)
class QubitCalibration:
    """One qubit's calibration, in SI units (seconds, hertz)."""

    t1: float
    t2: float
    frequency: float
    anharmonicity: float
    prob_meas0_prep1: float
    prob_meas1_prep0: float
    readout_length: float

    @property
    def readout_error(self) -> float:
        """The mean of the two assignment errors, as IBM reports it."""
        return (self.prob_meas0_prep1 + self.prob_meas1_prep0) / 2


@dataclass(frozen=True)
class GateCalibration:
    """One gate on one tuple of qubits: its error (``None``: not measured) and length in s."""

    gate: str
    qubits: tuple[int, ...]
    error: float | None
    length: float


@dataclass(frozen=True)
class Calibration:
    """A device's calibration: per-qubit values and per-gate errors and lengths."""

    date: datetime
    dt: float
    qubits: tuple[QubitCalibration, ...]
    gates: tuple[GateCalibration, ...]

    def gates_named(self, name: str) -> tuple[GateCalibration, ...]:
        """The calibrations of gate ``name``, in the order they were drawn."""
        return tuple(gate for gate in self.gates if gate.gate == name)


def calibrate(
    num_qubits: int,
    couplings: tuple[tuple[int, int], ...],
    *,
    seed: int,
    two_qubit_gate: str = "ecr",
    date: datetime = CALIBRATION_DATE,
) -> Calibration:
    """Draw a device's calibration from ``seed``.

    ``couplings`` lists the directed qubit pairs the two-qubit gate is calibrated
    on; both directions of a pair get the same error and length.
    """
    rng = np.random.default_rng(seed)
    qubits = tuple(_qubit(rng) for _ in range(num_qubits))
    gates: list[GateCalibration] = []
    for qubit in range(num_qubits):
        gates.extend(_single_qubit_gates(rng, qubit))
    pairs = sorted({tuple(sorted(pair)) for pair in couplings})
    drawn = {pair: _two_qubit(rng) for pair in pairs}
    for a, b in couplings:
        error, length = drawn[(min(a, b), max(a, b))]
        gates.append(GateCalibration(two_qubit_gate, (a, b), error, length))
    return Calibration(date=date, dt=DT, qubits=qubits, gates=tuple(gates))


def _qubit(rng: np.random.Generator) -> QubitCalibration:
    t1 = float(rng.uniform(100e-6, 300e-6))
    readout_error = float(rng.uniform(0.01, 0.03))
    asymmetry = float(rng.uniform(0.1, 0.5))  # relaxation during readout: 1 -> 0 is likelier
    return QubitCalibration(
        t1=t1,
        t2=t1 * float(rng.uniform(0.5, 1.5)),
        frequency=float(rng.uniform(4.8e9, 5.2e9)),
        anharmonicity=float(rng.uniform(-0.345e9, -0.335e9)),
        prob_meas0_prep1=readout_error * (1 + asymmetry),
        prob_meas1_prep0=readout_error * (1 - asymmetry),
        readout_length=_READOUT_LENGTH,
    )


def _single_qubit_gates(rng: np.random.Generator, qubit: int) -> list[GateCalibration]:
    error = float(rng.uniform(2e-4, 5e-4))  # id, sx and x share one calibrated pulse
    return [
        GateCalibration("id", (qubit,), error, _SX_LENGTH),
        GateCalibration("rz", (qubit,), 0.0, 0.0),  # virtual: a frame change
        GateCalibration("sx", (qubit,), error, _SX_LENGTH),
        GateCalibration("x", (qubit,), error, _SX_LENGTH),
        GateCalibration("reset", (qubit,), None, _RESET_LENGTH),
    ]


def _two_qubit(rng: np.random.Generator) -> tuple[float, float]:
    error = float(rng.uniform(5e-3, 1.5e-2))
    length = round(float(rng.uniform(400e-9, 700e-9)) / _ALIGNMENT) * _ALIGNMENT
    return error, length
