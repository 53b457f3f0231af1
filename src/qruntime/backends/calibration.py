"""Calibration data of a device-like backend, drawn once from a seed.

The values look like those IBM published for its chips, drawn uniformly from a
:class:`CalibrationProfile`: for Falcon and Eagle, T1 and T2 of 100-300 µs,
1-3 % readout error, single-qubit gate errors of a few 1e-4, ECR errors near
1e-2; for Heron r2, T1 near 250 µs, readout error near 1 %, CZ errors near
3e-3, and the fractional ``rx`` and ``rzz``. They are the same for the same seed
on every machine. One :class:`Calibration` feeds the backend's ``Target``, its
Aer noise model, and the properties document the protocol serves, so the three
always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

DT = 2 / 9 * 1e-9  # s: the sample time of IBM's Falcon and Eagle chips
CALIBRATION_DATE = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

Range = tuple[float, float]


@dataclass(frozen=True)
class CalibrationProfile:
    """Where a processor's calibration values are drawn from (uniformly), in SI units.

    Args:
        dt: The sample time.
        t1: T1; T2 is T1 times a factor drawn from ``t2_factor``.
        readout_error: The mean assignment error; 1 -> 0 is the likelier of the two.
        frequency, anharmonicity: Per qubit, in Hz.
        single_qubit_error: The error of the one pulse ``id``, ``sx``, ``x`` (and ``rx``) share.
        two_qubit_error: The error of the two-qubit gate, per coupled pair.
        two_qubit_length: Its length, rounded to ``two_qubit_alignment``.
        fractional_factor: ``rzz``'s error over the pair's two-qubit error.
        single_qubit_length, readout_length, reset_length: Fixed lengths.
    """

    dt: float
    t1: Range
    readout_error: Range
    single_qubit_error: Range
    two_qubit_error: Range
    two_qubit_length: Range
    two_qubit_alignment: float
    single_qubit_length: float
    readout_length: float
    reset_length: float
    t2_factor: Range = (0.5, 1.5)
    frequency: Range = (4.8e9, 5.2e9)
    anharmonicity: Range = (-0.345e9, -0.335e9)
    fractional_factor: Range = (1.0, 1.4)


#: Falcon r5 and Eagle r3: ECR chips with a 2/9 ns sample time.
ECR_PROFILE = CalibrationProfile(
    dt=DT,
    t1=(100e-6, 300e-6),
    readout_error=(0.01, 0.03),
    single_qubit_error=(2e-4, 5e-4),
    two_qubit_error=(5e-3, 1.5e-2),
    two_qubit_length=(400e-9, 700e-9),
    two_qubit_alignment=16 * DT,  # two-qubit gate lengths are multiples of 16 dt
    single_qubit_length=160 * DT,  # 35.6 ns
    readout_length=3888 * DT,  # 864 ns
    reset_length=5760 * DT,  # 1.28 µs
)

#: Heron r2: tunable-coupler CZ chips with a 4 ns sample time, better coherence and readout.
HERON_R2_PROFILE = CalibrationProfile(
    dt=4e-9,
    t1=(150e-6, 350e-6),
    readout_error=(0.004, 0.016),
    single_qubit_error=(1.5e-4, 3.5e-4),
    two_qubit_error=(2e-3, 4e-3),
    two_qubit_length=(68e-9, 104e-9),
    two_qubit_alignment=4e-9,
    single_qubit_length=24e-9,
    readout_length=1560e-9,
    reset_length=1584e-9,
    frequency=(4.6e9, 5.2e9),
    anharmonicity=(-0.32e9, -0.30e9),
)


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
    profile: CalibrationProfile = ECR_PROFILE,
    fractional: bool = False,
    date: datetime = CALIBRATION_DATE,
) -> Calibration:
    """Draw a device's calibration from ``seed``.

    ``couplings`` lists the directed qubit pairs the two-qubit gate is calibrated
    on; both directions of a pair get the same error and length. With
    ``fractional``, ``rx`` is calibrated as ``sx`` is (one pulse, scaled) and
    ``rzz`` on every coupling, as long as the two-qubit gate and a little worse.
    """
    rng = np.random.default_rng(seed)
    qubits = tuple(_qubit(rng, profile) for _ in range(num_qubits))
    gates: list[GateCalibration] = []
    for qubit in range(num_qubits):
        gates.extend(_single_qubit_gates(rng, profile, qubit, fractional))
    pairs = sorted({tuple(sorted(pair)) for pair in couplings})
    drawn = {pair: _two_qubit(rng, profile) for pair in pairs}
    for a, b in couplings:
        error, length = drawn[(min(a, b), max(a, b))]
        gates.append(GateCalibration(two_qubit_gate, (a, b), error, length))
    if fractional:  # drawn last, so that the other values do not depend on it
        factors = {pair: float(rng.uniform(*profile.fractional_factor)) for pair in pairs}
        for a, b in couplings:
            pair = (min(a, b), max(a, b))
            error, length = drawn[pair]
            gates.append(GateCalibration("rzz", (a, b), error * factors[pair], length))
    return Calibration(date=date, dt=profile.dt, qubits=qubits, gates=tuple(gates))


def _qubit(rng: np.random.Generator, profile: CalibrationProfile) -> QubitCalibration:
    t1 = float(rng.uniform(*profile.t1))
    readout_error = float(rng.uniform(*profile.readout_error))
    asymmetry = float(rng.uniform(0.1, 0.5))  # relaxation during readout: 1 -> 0 is likelier
    return QubitCalibration(
        t1=t1,
        t2=min(t1 * float(rng.uniform(*profile.t2_factor)), 2 * t1),
        frequency=float(rng.uniform(*profile.frequency)),
        anharmonicity=float(rng.uniform(*profile.anharmonicity)),
        prob_meas0_prep1=readout_error * (1 + asymmetry),
        prob_meas1_prep0=readout_error * (1 - asymmetry),
        readout_length=profile.readout_length,
    )


def _single_qubit_gates(
    rng: np.random.Generator, profile: CalibrationProfile, qubit: int, fractional: bool
) -> list[GateCalibration]:
    error = float(rng.uniform(*profile.single_qubit_error))  # id, sx and x share one pulse
    length = profile.single_qubit_length
    gates = [
        GateCalibration("id", (qubit,), error, length),
        GateCalibration("rz", (qubit,), 0.0, 0.0),  # virtual: a frame change
        GateCalibration("sx", (qubit,), error, length),
        GateCalibration("x", (qubit,), error, length),
        GateCalibration("reset", (qubit,), None, profile.reset_length),
    ]
    if fractional:
        gates.append(GateCalibration("rx", (qubit,), error, length))
    return gates


def _two_qubit(rng: np.random.Generator, profile: CalibrationProfile) -> tuple[float, float]:
    error = float(rng.uniform(*profile.two_qubit_error))
    alignment = profile.two_qubit_alignment
    length = round(float(rng.uniform(*profile.two_qubit_length)) / alignment) * alignment
    return error, length
