"""Options of the V1 primitives (``Sampler``, ``Estimator``): :class:`Options`.

The names, nesting and defaults are those of qiskit-ibm-runtime 0.27's
``Options``, and a job's params are built from them as that client builds
them: ``transpilation_settings``, ``resilience_settings`` and
``run_options``, with unset values left out. Options may be given nested
(``execution={"shots": 100}``) or, as 0.27 allowed, by their bare name
(``shots=100``), in ``run()`` as in ``set_options()``.

Example:
    .. code-block:: python

        from qruntime import Options, Sampler

        options = Options(optimization_level=1)
        options.execution.shots = 2000
        options.simulator.seed_simulator = 42
        sampler = Sampler(backend=backend, options=options)
        job = sampler.run(circuit, shots=500)           # this job only: 500 shots
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from qiskit.transpiler import CouplingMap

from qruntime.client.primitives.option_group import (
    OptionGroup,
    choice,
    either,
    flag,
    group,
    integer,
    leaf,
    listing,
    mapping,
    number,
    option_group,
    program_dict,
    text,
)
from qruntime.client.primitives.options_v2 import MAX_EXECUTION_TIME
from qruntime.client.primitives.suboptions import EnvironmentOptions, SimulatorOptions
from qruntime.errors import IBMInputValueError

#: Optimisation level the stock V1 client sends when none is set.
DEFAULT_OPTIMIZATION_LEVEL = 1
#: Resilience level sent when none is set, except on noiseless simulators (0).
DEFAULT_RESILIENCE_LEVEL = 1
_LEVEL_2_DEFAULTS = {"noise_factors": [1, 3, 5], "extrapolator": "LinearExtrapolator"}


@option_group
class TranspilationOptions(OptionGroup):
    """How the runtime transpiles V1 circuits for the backend.

    Attributes:
        skip_transpilation: Send the circuits as they are (they must then be ISA).
        initial_layout: Virtual-to-physical qubit mapping (a dict or list).
        layout_method: ``"trivial"``, ``"dense"``, ``"sabre"``, ...
        routing_method: ``"basic"``, ``"lookahead"``, ``"stochastic"``, ``"sabre"``, ``"none"``.
        approximation_degree: From 0.0 (maximal approximation) to 1.0 (none).

    Example:
        >>> options.transpilation.skip_transpilation = True
    """

    skip_transpilation: bool = leaf(flag, False)
    initial_layout: Any = leaf(either(mapping, listing()))
    layout_method: str = leaf(text)
    routing_method: str = leaf(text)
    approximation_degree: float = leaf(number(0.0, 1.0))


@option_group
class ResilienceOptions(OptionGroup):
    """Error mitigation of V1 jobs (hints on a simulator).

    Example:
        >>> options.resilience.noise_factors = (1, 3, 5)
    """

    noise_amplifier: str | None = leaf(choice("LocalFoldingAmplifier", None), None)
    noise_factors: list[float] | None = leaf(listing(number(1.0), none=True), None)
    extrapolator: str | None = leaf(choice(
        "LinearExtrapolator", "QuadraticExtrapolator", "CubicExtrapolator",
        "QuarticExtrapolator", None), None)


@option_group
class ExecutionOptions(OptionGroup):
    """How V1 circuits are run.

    Attributes:
        shots: Repetitions of each circuit (default 4000).
        init_qubits: Whether each shot starts from the ground state.

    Example:
        >>> options.execution.shots = 1000
    """

    shots: int = leaf(integer(1), 4000)
    init_qubits: bool = leaf(flag, True)


@option_group
class Options(OptionGroup):
    """Options of the V1 primitives, as qiskit-ibm-runtime 0.27 has them.

    Attributes:
        optimization_level: 0-3: how hard the runtime optimises while
            transpiling (default 1).
        resilience_level: 0-1 for the Sampler, 0-3 for the Estimator (default 0
            on a noiseless simulator, 1 elsewhere; a hint on a simulator).
        max_execution_time: Most seconds the job may run.
        transpilation: See :class:`TranspilationOptions`.
        resilience: See :class:`ResilienceOptions`.
        execution: ``shots`` and ``init_qubits``.
        environment: ``log_level``, ``callback``, ``job_tags``.
        simulator: ``seed_simulator``, ``noise_model``, ...

    Raises:
        IBMInputValueError: An option is unknown or its value not allowed.

    Example:
        .. code-block:: python

            from qruntime import Estimator, Options

            options = Options(resilience_level=0, execution={"shots": 8000})
            estimator = Estimator(backend=backend, options=options)
    """

    optimization_level: int | None = leaf(integer(0, 3, none=True), None)
    resilience_level: int | None = leaf(integer(0, 3, none=True), None)
    max_execution_time: int | None = leaf(integer(1, MAX_EXECUTION_TIME, none=True), None)
    transpilation: TranspilationOptions = group(TranspilationOptions)
    resilience: ResilienceOptions = group(ResilienceOptions)
    execution: ExecutionOptions = group(ExecutionOptions)
    environment: EnvironmentOptions = group(EnvironmentOptions)
    simulator: SimulatorOptions = group(SimulatorOptions)

    def merged(self, **values: Any) -> Options:
        """A copy with ``values`` set; a bare leaf name (``shots``) finds its group.

        Args:
            **values: Options by top-level name (a dict for a group) or bare leaf name.

        Raises:
            IBMInputValueError: A name is in no group, or a value is not allowed.

        Example:
            >>> Options().merged(shots=100, optimization_level=0).execution.shots
            100
        """
        clone = copy.deepcopy(self)
        for name, value in values.items():
            owner = clone if name in self.names() else clone._group_of(name)
            owner.update(**{name: value})
        return clone

    def _group_of(self, name: str) -> OptionGroup:
        for group_name in self.names():
            child = getattr(self, group_name)
            if isinstance(child, OptionGroup) and name in child.names():
                return child
        leaves = sorted(
            {leaf_name for group_name in self.names()
             if isinstance(getattr(self, group_name), OptionGroup)
             for leaf_name in getattr(self, group_name).names()}
        )
        raise IBMInputValueError(
            f"{name!r} is not an option of the V1 primitives. Allowed: "
            f"{', '.join(self.names())}, or by bare name: {', '.join(leaves)}."
        )


def v1_program_inputs(options: Options, *, noiseless_simulator: bool, max_resilience: int
                      ) -> dict[str, Any]:
    """The settings a 0.27 client adds to a V1 job's params for ``options``.

    Args:
        options: The job's options (primitive options merged with ``run()``'s).
        noiseless_simulator: Whether the backend is a simulator and no noise model
            is set: the resilience level then defaults to 0.
        max_resilience: 1 for the Sampler, 3 for the Estimator.

    Returns:
        ``{"transpilation_settings", "resilience_settings", "run_options"}``.

    Raises:
        IBMInputValueError: The resilience level is above ``max_resilience``.
    """
    values = options.to_dict()
    level = values["optimization_level"]
    resilience_level = values["resilience_level"]
    if level is None:
        level = DEFAULT_OPTIMIZATION_LEVEL
    if resilience_level is None:
        noiseless = noiseless_simulator and not values["simulator"]["noise_model"]
        resilience_level = 0 if noiseless else DEFAULT_RESILIENCE_LEVEL
    if resilience_level > max_resilience:
        raise IBMInputValueError(
            f"resilience_level {resilience_level} is not allowed here; "
            f"allowed: {', '.join(map(str, range(max_resilience + 1)))}."
        )
    resilience = _without_none(values["resilience"])
    if resilience_level == 2:
        resilience = {**_LEVEL_2_DEFAULTS, **resilience}
    simulator = values["simulator"]
    coupling_map = simulator["coupling_map"]
    if isinstance(coupling_map, CouplingMap):
        coupling_map = [list(edge) for edge in coupling_map.get_edges()]
    inputs = {
        "transpilation_settings": {
            **_without_none(values["transpilation"]), "optimization_settings": {"level": level},
            "coupling_map": coupling_map, "basis_gates": simulator["basis_gates"],
        },
        "resilience_settings": {**resilience, "level": resilience_level},
        "run_options": {
            **_without_none(values["execution"]),
            "noise_model": simulator["noise_model"], "seed_simulator": simulator["seed_simulator"],
        },
    }
    return _prune(inputs)


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _prune(inputs: dict[str, Any]) -> dict[str, Any]:
    # Unset leaves go; None ones too: 0.27 drops None before building these dicts.
    pruned = {}
    for name, value in inputs.items():
        pruned[name] = {k: v for k, v in program_dict(value).items() if v is not None}
    return pruned
