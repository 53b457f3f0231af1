"""What error mitigation an EstimatorV2 job asks for, by IBM's resilience levels.

=================  ==========================  =====================================
Level              Measurements                Done here
=================  ==========================  =====================================
0                  as measured                 readout errors and shot noise in the
                                               values, as on hardware
1 (the default)    twirled, readout factors    TREX (:mod:`~qruntime.programs.measured`)
                   learned and divided out
2                  as level 1, gates twirled,  TREX, Pauli twirling of the two-qubit
                   noise amplified             gates, zero-noise extrapolation by gate
                                               folding (:mod:`~qruntime.programs.zne`)
=================  ==========================  =====================================

``resilience.measure_mitigation``, ``resilience.zne_mitigation``,
``twirling.enable_measure`` and ``twirling.enable_gates`` override the level's
choice; ``twirling.num_randomizations`` and ``twirling.shots_per_randomization``
(``"auto"`` or a positive integer) split the shots;
``resilience.measure_noise_learning.*`` sizes the calibration; ``resilience.zne.*``
(``noise_factors``, ``extrapolator``, ``amplifier``, ``extrapolated_noise_factors``)
shapes the extrapolation, with IBM's defaults: factors ``(1, 3, 5)``,
extrapolators ``("exponential", "linear")``, ``gate_folding``. The ``pea``
amplifier and PEC need layer noise learning, which is not done here: they are
refused, naming what would run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from qruntime.errors import InvalidInputError
from qruntime.programs import inputs, options, zne
from qruntime.programs.expectation import Task
from qruntime.programs.measured import CALIBRATION_RANDOMIZATIONS, MeasuredEstimates, Twirl

#: The resilience level of a job that names none (IBM's default for EstimatorV2).
DEFAULT_LEVEL = 1

#: Largest count of randomizations or shots a randomization accepted.
MAX_COUNT = 1 << 20


#: IBM's ZNE defaults for gate folding.
DEFAULT_NOISE_FACTORS = (1.0, 3.0, 5.0)
DEFAULT_EXTRAPOLATORS = ("exponential", "linear")


@dataclass(frozen=True)
class Extrapolation:
    """Zero-noise extrapolation settings (IBM's ``resilience.zne``)."""

    noise_factors: tuple[float, ...] = DEFAULT_NOISE_FACTORS
    extrapolators: tuple[str, ...] = DEFAULT_EXTRAPOLATORS
    amplifier: str = "gate_folding"
    extrapolated_noise_factors: tuple[float, ...] = (0.0, *DEFAULT_NOISE_FACTORS)


@dataclass(frozen=True)
class Resilience:
    """The mitigation of one EstimatorV2 job.

    Attributes:
        twirl: Measurement (and gate) twirling, with TREX when ``twirl.mitigate``,
            or ``None``.
        zne: Zero-noise extrapolation, or ``None``.
        metadata: The result's ``resilience`` and ``twirling`` metadata, as IBM's.
    """

    twirl: Twirl | None
    metadata: dict[str, Any]
    zne: Extrapolation | None = None


def resilience_of(level: Any, opts: Mapping[str, Any]) -> Resilience:
    """The mitigation that ``resilience_level`` and ``options`` ask for.

    Raises:
        InvalidInputError: A level or option value outside what IBM allows.
    """
    if level is None:
        level = DEFAULT_LEVEL
    if isinstance(level, bool) or level not in (0, 1, 2):
        raise InvalidInputError(f"resilience_level is {level!r}; allowed: 0, 1, 2.")
    def flag(default: bool, *path: str) -> bool:
        return inputs.check_bool(options.pick(opts, *path), default,
                                 "options." + ".".join(path))

    def count(*path: str) -> int | None:
        return _count(options.pick(opts, *path), "options." + ".".join(path))

    mitigate = flag(level >= 1, "resilience", "measure_mitigation")
    enable = flag(level >= 1, "twirling", "enable_measure")
    gates = flag(level >= 2, "twirling", "enable_gates")
    randomizations = count("twirling", "num_randomizations")
    per = count("twirling", "shots_per_randomization")
    calibration = count("resilience", "measure_noise_learning", "num_randomizations")
    calibration_shots = count("resilience", "measure_noise_learning", "shots_per_randomization")
    extrapolation = _extrapolation(opts, flag(level >= 2, "resilience", "zne_mitigation"))
    if flag(False, "resilience", "pec_mitigation"):
        raise InvalidInputError(
            "options.resilience.pec_mitigation=True is not available: probabilistic error "
            "cancellation needs layer noise learning, which qruntime does not do yet. What "
            "would run: resilience_level 1 (TREX) or 2 (TREX and ZNE by gate folding).")
    twirl = None
    if mitigate or enable or gates:
        # TREX twirls the measurements whatever enable_measure says: it needs them.
        twirl = Twirl(randomizations, per, calibration or CALIBRATION_RANDOMIZATIONS,
                      calibration_shots, mitigate=mitigate, gates=gates)
    metadata = {
        "resilience": {"measure_mitigation": mitigate,
                       "zne_mitigation": extrapolation is not None, "pec_mitigation": False},
        "twirling": {"enable_gates": gates, "enable_measure": twirl is not None,
                     "num_randomizations": "auto" if randomizations is None else randomizations,
                     "shots_per_randomization": "auto" if per is None else per,
                     "strategy": "active-accum"},
    }
    return Resilience(twirl, metadata, extrapolation)


def _extrapolation(opts: Mapping[str, Any], on: bool) -> Extrapolation | None:
    """The ZNE settings of ``opts``, or ``None`` when ZNE is off."""
    where = "options.resilience.zne"
    if not on:
        return None
    amplifier = options.pick(opts, "resilience", "zne", "amplifier", default="gate_folding")
    if amplifier == "pea":
        raise InvalidInputError(
            f"{where}.amplifier='pea' is not available: probabilistic error amplification "
            "needs layer noise learning, which qruntime does not do yet. Allowed: "
            + ", ".join(zne.AMPLIFIERS) + ".")
    if amplifier not in zne.AMPLIFIERS:
        raise InvalidInputError(f"{where}.amplifier is {amplifier!r}; allowed: "
                                + ", ".join(zne.AMPLIFIERS) + ".")
    factors = _numbers(options.pick(opts, "resilience", "zne", "noise_factors"),
                       f"{where}.noise_factors", DEFAULT_NOISE_FACTORS, least=1.0)
    raw = options.pick(opts, "resilience", "zne", "extrapolator", default=DEFAULT_EXTRAPOLATORS)
    names = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, (list, tuple)) \
        else None
    if not names or any(not isinstance(n, str) or n not in zne.EXTRAPOLATORS for n in names):
        raise InvalidInputError(f"{where}.extrapolator is {raw!r}; allowed: one or a list of "
                                + ", ".join(zne.EXTRAPOLATORS) + ".")
    for name in names:
        _check_enough(factors, name, name, where)
    targets = _numbers(options.pick(opts, "resilience", "zne", "extrapolated_noise_factors"),
                       f"{where}.extrapolated_noise_factors", (0.0, *factors), least=0.0)
    return Extrapolation(factors, names, amplifier, targets)


def _numbers(value: Any, where: str, default: tuple[float, ...], least: float
             ) -> tuple[float, ...]:
    if value is None:
        return default
    if (not isinstance(value, (list, tuple)) or not value
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= least
                   or v > 1e3 for v in value)):
        raise InvalidInputError(f"{where} is {value!r}; allowed: a non-empty list of numbers "
                                f"from {least:g} to 1000.")
    return tuple(float(v) for v in value)


def _check_enough(factors: Sequence[float], name: str, shown: str, where: str) -> None:
    """Refuse extrapolator ``name`` (named ``shown`` to the user) with too few factors."""
    if len(set(factors)) < zne.needed_factors(name):
        raise InvalidInputError(
            f"{where}.extrapolator {shown!r} needs at least {zne.needed_factors(name)} "
            f"distinct noise factors; {where}.noise_factors is {list(factors)}.")


def _count(value: Any, where: str) -> int | None:
    """A positive integer, or ``None`` for ``"auto"`` or unset."""
    if value is None or value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise InvalidInputError(
            f"{where} is {value!r}; allowed: \"auto\" or an integer from 1 to {MAX_COUNT}.")
    return value


def amplified_tasks(tasks: Sequence[Task], extrapolation: Extrapolation, seed: int | None
                    ) -> list[Task]:
    """``tasks`` at every noise factor in turn: factor ``f``'s are ``f * len(tasks)`` on."""
    return [replace(task, circuit=zne.amplified(task.circuit, factor, extrapolation.amplifier,
                                                seed))
            for factor in extrapolation.noise_factors for task in tasks]


def by_factor(found: Sequence[MeasuredEstimates], tasks: int, extrapolation: Extrapolation | None
              ) -> list[list[MeasuredEstimates]]:
    """The estimates of :func:`amplified_tasks` (or of the tasks themselves, without
    ZNE) regrouped per task: one per noise factor."""
    factors = 1 if extrapolation is None else len(extrapolation.noise_factors)
    return [[found[f * tasks + t] for f in range(factors)] for t in range(tasks)]


def extrapolated(extrapolation: Extrapolation, amplified: Sequence[MeasuredEstimates],
                 task: Task, sets: np.ndarray, observables: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], Any]:
    """Values at index arrays ``sets`` and ``observables``, extrapolated to zero noise
    from ``task``'s ``amplified`` estimates (one per noise factor); IBM's extra data
    fields; and the extrapolator chosen for each value."""
    # What bounds each observable's magnitude: the sum of its coefficients' magnitudes.
    norms = np.array([float(np.abs(o.coeffs).sum()) for o in task.observables])
    measured_at = [estimates.at(sets, observables) for estimates in amplified]
    values = np.stack([m[0] for m in measured_at], axis=-1)
    errors = np.stack([m[1] for m in measured_at], axis=-1)
    found = zne.extrapolate(extrapolation.noise_factors, values, errors,
                            extrapolation.extrapolators,
                            extrapolation.extrapolated_noise_factors, norms[observables])
    fields = {"evs_noise_factors": values, "stds_noise_factors": errors,
              "evs_extrapolated": found.curves, "stds_extrapolated": found.curve_stds}
    chosen = found.chosen.tolist() if found.chosen.ndim else str(found.chosen)
    return found.values, found.stds, fields, chosen


#: V1 (qiskit-ibm-runtime <= 0.27) names of the amplifiers that fold two-qubit gates.
V1_AMPLIFIERS = {"TwoQubitAmplifier": "gate_folding", "LocalFoldingAmplifier": "gate_folding",
                 "CxAmplifier": "gate_folding"}
#: V1 names of the extrapolators.
V1_EXTRAPOLATORS = {"LinearExtrapolator": "linear", "QuadraticExtrapolator":
                    "polynomial_degree_2", "CubicExtrapolator": "polynomial_degree_3",
                    "QuarticExtrapolator": "polynomial_degree_4"}


def resilience_of_v1(settings: Mapping[str, Any] | None) -> Resilience:
    """The mitigation a V1 Estimator's ``resilience_settings`` ask for: level 0 none,
    1 (the default) TREX, 2 TREX and ZNE (``noise_amplifier``, ``noise_factors``,
    ``extrapolator`` by their 0.27 names); 3 (PEC) is refused."""
    settings = settings or {}
    where = "resilience_settings"
    level = settings.get("level", DEFAULT_LEVEL)
    if level == 3:
        raise InvalidInputError(
            f"{where}.level=3 (probabilistic error cancellation) is not available: it needs "
            "layer noise learning, which qruntime does not do yet. What would run: level 1 "
            "(TREX) or 2 (TREX and ZNE).")
    if isinstance(level, bool) or level not in (0, 1, 2):
        raise InvalidInputError(f"{where}.level is {level!r}; allowed: 0, 1, 2.")
    extrapolation = None
    if level == 2:
        amplifier = settings.get("noise_amplifier") or "TwoQubitAmplifier"
        if amplifier not in V1_AMPLIFIERS:
            raise InvalidInputError(f"{where}.noise_amplifier is {amplifier!r}; allowed: "
                                    + ", ".join(V1_AMPLIFIERS) + ".")
        extrapolator = settings.get("extrapolator") or "LinearExtrapolator"
        if extrapolator not in V1_EXTRAPOLATORS:
            raise InvalidInputError(f"{where}.extrapolator is {extrapolator!r}; allowed: "
                                    + ", ".join(V1_EXTRAPOLATORS) + ".")
        factors = _numbers(settings.get("noise_factors"), f"{where}.noise_factors",
                           DEFAULT_NOISE_FACTORS, least=1.0)
        name = V1_EXTRAPOLATORS[extrapolator]
        _check_enough(factors, name, extrapolator, where)
        extrapolation = Extrapolation(factors, (name,), V1_AMPLIFIERS[amplifier], (0.0,))
    twirl = Twirl() if level >= 1 else None
    metadata = {"resilience": {"measure_mitigation": level >= 1,
                               "zne_mitigation": extrapolation is not None,
                               "pec_mitigation": False}}
    return Resilience(twirl, metadata, extrapolation)

