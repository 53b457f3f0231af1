"""What error mitigation an EstimatorV2 job asks for, by IBM's resilience levels.

=================  ==========================  =====================================
Level              Measurements                Done here
=================  ==========================  =====================================
0                  as measured                 readout errors and shot noise in the
                                               values, as on hardware
1 (the default)    twirled, readout factors    TREX (:mod:`~qruntime.programs.measured`)
                   learned and divided out
2                  as level 1                  TREX; gate twirling and zero-noise
                                               extrapolation are not done yet, and the
                                               result's metadata says so
=================  ==========================  =====================================

``resilience.measure_mitigation`` and ``twirling.enable_measure`` override
the level's choice; ``twirling.num_randomizations`` and
``twirling.shots_per_randomization`` (``"auto"`` or a positive integer) split
the shots, and ``resilience.measure_noise_learning.*`` sizes the calibration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qruntime.errors import InvalidInputError
from qruntime.programs import options
from qruntime.programs.measured import CALIBRATION_RANDOMIZATIONS, Twirl

#: The resilience level of a job that names none (IBM's default for EstimatorV2).
DEFAULT_LEVEL = 1

#: Largest count of randomizations or shots a randomization accepted.
MAX_COUNT = 1 << 20


@dataclass(frozen=True)
class Resilience:
    """The mitigation of one EstimatorV2 job.

    Attributes:
        level: The resilience level asked for.
        twirl: Measurement twirling (with TREX when ``twirl.mitigate``), or ``None``.
        metadata: The result's ``resilience`` and ``twirling`` metadata, as IBM's.
    """

    level: int
    twirl: Twirl | None
    metadata: dict[str, Any]


def resilience_of(level: Any, opts: Mapping[str, Any]) -> Resilience:
    """The mitigation that ``resilience_level`` and ``options`` ask for.

    Raises:
        InvalidInputError: A level or option value outside what IBM allows.
    """
    if level is None:
        level = DEFAULT_LEVEL
    if isinstance(level, bool) or level not in (0, 1, 2):
        raise InvalidInputError(f"resilience_level is {level!r}; allowed: 0, 1, 2.")
    mitigate = _flag(options.pick(opts, "resilience", "measure_mitigation"),
                     "options.resilience.measure_mitigation", level >= 1)
    enable = _flag(options.pick(opts, "twirling", "enable_measure"),
                   "options.twirling.enable_measure", level >= 1)
    count = _count(options.pick(opts, "twirling", "num_randomizations"),
                   "options.twirling.num_randomizations")
    per = _count(options.pick(opts, "twirling", "shots_per_randomization"),
                 "options.twirling.shots_per_randomization")
    learning = ("resilience", "measure_noise_learning")
    calibration = _count(options.pick(opts, *learning, "num_randomizations"),
                         "options.resilience.measure_noise_learning.num_randomizations")
    calibration_shots = _count(
        options.pick(opts, *learning, "shots_per_randomization"),
        "options.resilience.measure_noise_learning.shots_per_randomization")
    twirl = None
    if mitigate or enable:
        # TREX twirls the measurements whatever enable_measure says: it needs them.
        twirl = Twirl(count, per, calibration or CALIBRATION_RANDOMIZATIONS, calibration_shots,
                      mitigate=mitigate)
    metadata = {
        "resilience": {"measure_mitigation": mitigate, "zne_mitigation": False,
                       "pec_mitigation": False},
        "twirling": {"enable_gates": False, "enable_measure": twirl is not None,
                     "num_randomizations": "auto" if count is None else count,
                     "shots_per_randomization": "auto" if per is None else per,
                     "strategy": "active-accum"},
    }
    return Resilience(level, twirl, metadata)


def _flag(value: Any, where: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidInputError(f"{where} must be True or False, not {value!r}.")
    return value


def _count(value: Any, where: str) -> int | None:
    """A positive integer, or ``None`` for ``"auto"`` or unset."""
    if value is None or value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise InvalidInputError(
            f"{where} is {value!r}; allowed: \"auto\" or an integer from 1 to {MAX_COUNT}.")
    return value
