"""The nested option groups of the primitives' options, named as qiskit-ibm-runtime names them.

Every group is reached as an attribute of :class:`~qruntime.SamplerOptions`,
:class:`~qruntime.EstimatorOptions` or (for the V1 primitives)
:class:`~qruntime.Options`. Options a simulator has no use for (dynamical
decoupling, twirling, error mitigation) are accepted, sent, and recorded by
the runtime in the result's metadata under ``"ignored_options"``.

Example:
    .. code-block:: python

        from qruntime import EstimatorOptions

        options = EstimatorOptions()
        options.simulator.seed_simulator = 1234
        options.environment.job_tags = ["vqe", "run-7"]
        options.resilience.zne_mitigation = True      # a hint on a simulator
"""

from __future__ import annotations

from typing import Any

from qiskit.transpiler import CouplingMap

from qruntime.client.primitives.option_group import (
    OptionGroup,
    anything,
    choice,
    either,
    flag,
    group,
    integer,
    leaf,
    listing,
    number,
    option_group,
    text,
)
from qruntime.errors import IBMInputValueError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_COUNT_OR_AUTO = either(integer(1), choice("auto"))


def _noise_model(where: str, value: Any) -> Any:
    if value is None or isinstance(value, dict) or type(value).__name__ == "NoiseModel":
        return value
    raise IBMInputValueError(
        f"{where} must be a qiskit-aer NoiseModel, its to_dict(), or None; "
        f"not {type(value).__name__}."
    )


def _coupling_map(where: str, value: Any) -> Any:
    if isinstance(value, CouplingMap):
        return value
    return listing(listing(integer(0)))(where, value)


def _callback(where: str, value: Any) -> Any:
    if value is not None and not callable(value):
        raise IBMInputValueError(f"{where} must be callable or None, not {value!r}.")
    return value


@option_group
class EnvironmentOptions(OptionGroup):
    """Where and how the job runs: log level, tags, privacy.

    Attributes:
        log_level: Logging level of the job's execution environment, one of
            ``DEBUG``, ``INFO``, ``WARNING`` (default), ``ERROR``, ``CRITICAL``.
        callback: Accepted for qiskit-ibm-runtime 0.27 code; qruntime sends no
            interim results, so it is never called.
        job_tags: Tags given to the job, to find it later with
            ``service.jobs(job_tags=[...])``.
        private: Whether the job's params and result are deleted once read.

    Example:
        >>> sampler.options.environment.job_tags = ["experiment-42"]
    """

    log_level: str = leaf(choice(*LOG_LEVELS), "WARNING")
    callback: Any = leaf(_callback, None)
    job_tags: list[str] | None = leaf(listing(text, none=True), None)
    private: bool = leaf(flag, False)


@option_group
class SimulatorOptions(OptionGroup):
    """Options of the simulator that runs the job.

    Attributes:
        noise_model: A qiskit-aer ``NoiseModel`` (or its dict) to simulate with.
        seed_simulator: Seed of the simulator's random numbers, for results
            that repeat exactly.
        coupling_map: Directed qubit pairs (a hint: circuits already match
            the backend's target).
        basis_gates: Gate names (a hint, as ``coupling_map``).

    Example:
        >>> sampler.options.simulator.seed_simulator = 42
    """

    noise_model: Any = leaf(_noise_model)
    seed_simulator: int = leaf(integer(0))
    coupling_map: Any = leaf(_coupling_map)
    basis_gates: list[str] = leaf(listing(text))


@option_group
class ExecutionOptionsV2(OptionGroup):
    """How each shot is taken.

    Attributes:
        init_qubits: Whether each shot starts from the ground state (a
            simulator always does; ``False`` is refused by the runtime).
        rep_delay: Delay between shots, in seconds (a hint on a simulator).

    Example:
        >>> estimator.options.execution.init_qubits = True
    """

    init_qubits: bool = leaf(flag)
    rep_delay: float = leaf(number(0.0))


@option_group
class SamplerExecutionOptionsV2(ExecutionOptionsV2):
    """How each shot of a ``SamplerV2`` job is taken and returned.

    Attributes:
        meas_type: ``"classified"`` (bits; the only type a simulator returns),
            ``"kerneled"`` or ``"avg_kerneled"``.

    Example:
        >>> sampler.options.execution.meas_type = "classified"
    """

    meas_type: str = leaf(choice("classified", "kerneled", "avg_kerneled"))


@option_group
class DynamicalDecouplingOptions(OptionGroup):
    """Dynamical decoupling (a hint on a simulator).

    Example:
        >>> sampler.options.dynamical_decoupling.enable = True
        >>> sampler.options.dynamical_decoupling.sequence_type = "XY4"
    """

    enable: bool = leaf(flag)
    sequence_type: str = leaf(choice("XX", "XpXm", "XY4"))
    extra_slack_distribution: str = leaf(choice("middle", "edges"))
    scheduling_method: str = leaf(choice("alap", "asap"))
    skip_reset_qubits: bool = leaf(flag)


@option_group
class TwirlingOptions(OptionGroup):
    """Pauli twirling (a hint on a simulator).

    Example:
        >>> estimator.options.twirling.enable_gates = True
        >>> estimator.options.twirling.num_randomizations = 32
    """

    enable_gates: bool = leaf(flag)
    enable_measure: bool = leaf(flag)
    num_randomizations: int | str = leaf(_COUNT_OR_AUTO)
    shots_per_randomization: int | str = leaf(_COUNT_OR_AUTO)
    strategy: str = leaf(choice("active", "active-accum", "active-circuit", "all"))


@option_group
class MeasureNoiseLearningOptions(OptionGroup):
    """Learning of readout noise for measurement mitigation (a hint on a simulator).

    Example:
        >>> estimator.options.resilience.measure_noise_learning.num_randomizations = 16
    """

    num_randomizations: int = leaf(integer(1))
    shots_per_randomization: int | str = leaf(_COUNT_OR_AUTO)


@option_group
class ZneOptions(OptionGroup):
    """Zero-noise extrapolation (a hint on a simulator).

    Example:
        >>> estimator.options.resilience.zne.noise_factors = [1, 3, 5]
    """

    amplifier: str = leaf(choice("gate_folding", "gate_folding_front", "gate_folding_back", "pea"))
    noise_factors: list[float] = leaf(listing(number(1.0)))
    extrapolator: Any = leaf(either(text, listing(text)))
    extrapolated_noise_factors: list[float] = leaf(listing(number(0.0)))


@option_group
class PecOptions(OptionGroup):
    """Probabilistic error cancellation (a hint on a simulator).

    Example:
        >>> estimator.options.resilience.pec.max_overhead = 100
    """

    max_overhead: float | None = leaf(either(number(1.0), choice(None)))
    noise_gain: float | str = leaf(either(number(0.0), choice("auto")))


@option_group
class LayerNoiseLearningOptions(OptionGroup):
    """Learning of layer noise for PEC and PEA (a hint on a simulator).

    Example:
        >>> estimator.options.resilience.layer_noise_learning.max_layers_to_learn = 4
    """

    max_layers_to_learn: int | None = leaf(integer(0, none=True))
    shots_per_randomization: int = leaf(integer(1))
    num_randomizations: int = leaf(integer(1))
    layer_pair_depths: list[int] = leaf(listing(integer(0)))


@option_group
class ResilienceOptionsV2(OptionGroup):
    """Error mitigation of an ``EstimatorV2`` job (hints on a simulator).

    Example:
        >>> estimator.options.resilience.measure_mitigation = True
        >>> estimator.options.resilience.zne_mitigation = True
    """

    measure_mitigation: bool = leaf(flag)
    measure_noise_learning: MeasureNoiseLearningOptions = group(MeasureNoiseLearningOptions)
    zne_mitigation: bool = leaf(flag)
    zne: ZneOptions = group(ZneOptions)
    pec_mitigation: bool = leaf(flag)
    pec: PecOptions = group(PecOptions)
    layer_noise_learning: LayerNoiseLearningOptions = group(LayerNoiseLearningOptions)
    layer_noise_model: Any = leaf(anything)
