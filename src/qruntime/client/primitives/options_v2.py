"""Options of the V2 primitives: :class:`SamplerOptions` and :class:`EstimatorOptions`.

The names, nesting and defaults are those of qiskit-ibm-runtime's V2 options,
and they travel as the stock client sends them: the primitive's options
under ``params["options"]`` with unset values left out, ``resilience_level``
beside them, and ``max_execution_time`` and ``environment`` (tags, log
level) in the job itself rather than in its params.

Example:
    .. code-block:: python

        from qruntime import QiskitRuntimeService, SamplerV2, SamplerOptions

        backend = QiskitRuntimeService().backend("ibmq_qasm_simulator")
        sampler = SamplerV2(mode=backend, options={"default_shots": 2000})
        sampler.options.simulator.seed_simulator = 7
        sampler.options.environment.job_tags = ["bell"]
"""

from __future__ import annotations

import copy
from typing import Any

from qiskit.transpiler import CouplingMap

from qruntime.client.primitives.option_group import (
    OptionGroup,
    UnsetType,
    group,
    integer,
    leaf,
    mapping,
    number,
    option_group,
    program_dict,
)
from qruntime.client.primitives.suboptions import (
    DynamicalDecouplingOptions,
    EnvironmentOptions,
    ExecutionOptionsV2,
    ResilienceOptionsV2,
    SamplerExecutionOptionsV2,
    SimulatorOptions,
    TwirlingOptions,
)

#: Longest ``max_execution_time`` a job may ask for (seconds), as on IBM's service.
MAX_EXECUTION_TIME = 8 * 60 * 60

#: Options that go to the program, in the order the stock client sends them.
_PROGRAM_FIELDS = (
    "default_precision", "default_shots", "seed_estimator", "dynamical_decoupling",
    "resilience", "twirling", "simulator", "execution",
)


@option_group
class OptionsV2(OptionGroup):
    """What every V2 primitive's options hold.

    Attributes:
        max_execution_time: Most seconds the job may run; the runtime cancels
            it past that (reason code 1305).
        environment: Job tags, log level and privacy; see
            :class:`~qruntime.client.primitives.suboptions.EnvironmentOptions`.
        simulator: Seed and noise model; see
            :class:`~qruntime.client.primitives.suboptions.SimulatorOptions`.

    Example:
        >>> options = SamplerOptions(max_execution_time=300)
    """

    max_execution_time: int = leaf(integer(1, MAX_EXECUTION_TIME))
    environment: EnvironmentOptions = group(EnvironmentOptions)
    simulator: SimulatorOptions = group(SimulatorOptions)

    def _program_inputs(self) -> dict[str, Any]:
        """The params the stock client adds beside the pubs for these options."""
        values = self.to_dict()
        chosen = {name: values[name] for name in _PROGRAM_FIELDS if name in values}
        coupling_map = chosen["simulator"].get("coupling_map")
        if isinstance(coupling_map, CouplingMap):
            chosen["simulator"]["coupling_map"] = [list(edge) for edge in coupling_map.get_edges()]
        chosen = _with_experimental(chosen, values.get("experimental"))
        inputs: dict[str, Any] = {
            "options": program_dict(chosen), "version": 2, "support_qiskit": True,
        }
        level = values.get("resilience_level")
        if level is not None and not _unset(level):
            inputs["resilience_level"] = level
        return inputs

    def _job_settings(self) -> tuple[int | None, list[str]]:
        """``max_execution_time`` and the job tags, which travel in the job, not its params."""
        limit = None if _unset(self.max_execution_time) else self.max_execution_time
        return limit, list(self.environment.job_tags or [])


@option_group
class SamplerOptions(OptionsV2):
    """Options of :class:`~qruntime.SamplerV2`.

    Every option is unset until set; the runtime's default then applies.

    Attributes:
        default_shots: Shots of each pub that names none (the runtime's
            default is 4096).
        dynamical_decoupling: A hint on a simulator.
        execution: ``init_qubits``, ``rep_delay`` and ``meas_type``.
        twirling: A hint on a simulator.
        experimental: Free-form options passed to the program as the stock
            client passes them (known names are merged in place).
        max_execution_time, environment, simulator: As in every V2 primitive.

    Raises:
        IBMInputValueError: An option is unknown or its value not allowed.

    Example:
        .. code-block:: python

            from qruntime import SamplerOptions, SamplerV2

            options = SamplerOptions(default_shots=1000)
            options.simulator.seed_simulator = 42
            sampler = SamplerV2(mode=backend, options=options)
            sampler.options.default_shots = 2000          # later runs use 2000
    """

    default_shots: int = leaf(integer(1))
    dynamical_decoupling: DynamicalDecouplingOptions = group(DynamicalDecouplingOptions)
    execution: SamplerExecutionOptionsV2 = group(SamplerExecutionOptionsV2)
    twirling: TwirlingOptions = group(TwirlingOptions)
    experimental: dict[str, Any] = leaf(mapping)


@option_group
class EstimatorOptions(OptionsV2):
    """Options of :class:`~qruntime.EstimatorV2`.

    Attributes:
        default_precision: Target standard error of each pub that names no
            precision (the runtime's default is 0.015625).
        default_shots: Shots per circuit and parameter set; overrides the
            precision when set.
        optimization_level: Accepted for qiskit-ibm-runtime 0.27 code and not
            sent (circuits are already ISA).
        resilience_level: 0, 1 or 2; how much error mitigation to ask for
            (a hint on a simulator).
        seed_estimator: Seed of the estimator's sampling.
        dynamical_decoupling, twirling, resilience: Hints on a simulator.
        execution: ``init_qubits`` and ``rep_delay``.
        experimental: Free-form options, as for :class:`SamplerOptions`.
        max_execution_time, environment, simulator: As in every V2 primitive.

    Raises:
        IBMInputValueError: An option is unknown or its value not allowed.

    Example:
        .. code-block:: python

            from qruntime import EstimatorOptions, EstimatorV2

            options = EstimatorOptions(default_precision=0.01)
            options.resilience_level = 1
            estimator = EstimatorV2(mode=backend, options=options)
    """

    default_precision: float = leaf(number(above=0.0))
    default_shots: int | None = leaf(integer(1, none=True))
    optimization_level: int = leaf(integer(0, 3))
    resilience_level: int = leaf(integer(0, 2))
    seed_estimator: int = leaf(integer(0))
    dynamical_decoupling: DynamicalDecouplingOptions = group(DynamicalDecouplingOptions)
    resilience: ResilienceOptionsV2 = group(ResilienceOptionsV2)
    execution: ExecutionOptionsV2 = group(ExecutionOptionsV2)
    twirling: TwirlingOptions = group(TwirlingOptions)
    experimental: dict[str, Any] = leaf(mapping)


def _with_experimental(chosen: dict[str, Any], experimental: Any) -> dict[str, Any]:
    """Merge ``experimental`` in as the stock client does: known names in place, others kept."""
    if not isinstance(experimental, dict):
        return chosen
    known = {name: value for name, value in experimental.items() if name in chosen}
    extra = {name: value for name, value in experimental.items()
             if name not in chosen and name != "image"}
    merged = _merge(chosen, known)
    if extra:
        merged["experimental"] = copy.deepcopy(extra)
    return merged


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(old)
    for name, value in new.items():
        if isinstance(merged.get(name), dict) and isinstance(value, dict):
            merged[name] = _merge(merged[name], value)
        else:
            merged[name] = copy.deepcopy(value)
    return merged


def _unset(value: Any) -> bool:
    return isinstance(value, UnsetType)
