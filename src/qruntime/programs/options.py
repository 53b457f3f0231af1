"""Which options each program accepts, and what it does with them.

Options arrive as nested dicts (``options`` of a V2 primitive, the
``*_settings`` and ``run_options`` of a V1 primitive, the flat run config of
``circuit-runner``). Every name is looked up in a *schema*: a nested mapping
whose leaves say how the runtime treats the option.

========= ==================================================================
Treatment Meaning
========= ==================================================================
USED      The program reads the value and it changes the result.
HINT      Accepted and recorded in the result's metadata under
          ``"ignored_options"`` (dotted path -> value): it asks for something
          a simulator has no use for (twirling, dynamical decoupling, error
          mitigation) or that only matters on hardware (``rep_delay``).
ENGINE    Accepted; the engine acts on it, not the program
          (``max_execution_time``).
NOOP      Accepted and not recorded: it has no effect with the values the
          runtime allows (``meas_return`` when ``meas_level`` is 2, the
          provider's ``skip_transpilation`` for ``backend.run``).
========= ==================================================================

A name that is in no schema is refused with :class:`InvalidInputError` naming
it and the names allowed at that level, so a typo never passes silently.
Values that a USED option cannot honour (``meas_level=1``,
``execution.meas_type="kerneled"``, ``init_qubits=False``) are refused by the
program that reads them, with the values it allows.

Per-program tables live beside the schemas below (:data:`SAMPLER_V2`,
:data:`ESTIMATOR_V2`, :data:`V1_SETTINGS`, :data:`CIRCUIT_RUNNER`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, Union

from qruntime.errors import InvalidInputError


class Treatment(Enum):
    """How the runtime treats one option."""

    USED = "used"
    HINT = "hint"
    ENGINE = "engine"
    NOOP = "noop"


USED = Treatment.USED
HINT = Treatment.HINT
ENGINE = Treatment.ENGINE
NOOP = Treatment.NOOP

Schema = Mapping[str, Union[Treatment, "Schema"]]

# --- shared sub-trees (names as qiskit-ibm-runtime 0.21-0.51 sends them) ---------------

_DYNAMICAL_DECOUPLING: Schema = dict.fromkeys(
    ["enable", "sequence_type", "extra_slack_distribution", "scheduling_method",
     "skip_reset_qubits"], HINT,
)
_TWIRLING: Schema = dict.fromkeys(
    ["enable_gates", "enable_measure", "num_randomizations", "shots_per_randomization",
     "strategy"], HINT,
)
# ``noise_model`` and ``seed_simulator`` change the simulation; ``coupling_map`` and
# ``basis_gates`` only matter to a client-side transpile, since V2 circuits must
# already be ISA for the backend's target.
_SIMULATOR: Schema = {
    "noise_model": USED, "seed_simulator": USED, "coupling_map": HINT, "basis_gates": HINT,
}
# EstimatorV2 twirls measurements and gates and mitigates by TREX and ZNE
# (qruntime.programs.resilience); PEC and layer noise learning are not done yet.
_RESILIENCE_V2: Schema = {
    "measure_mitigation": USED,
    "measure_noise_learning": {"num_randomizations": USED, "shots_per_randomization": USED},
    "zne_mitigation": USED,
    "zne": dict.fromkeys(["noise_factors", "extrapolator", "amplifier",
                          "extrapolated_noise_factors"], USED),
    "pec_mitigation": USED,  # True is refused: no layer noise learning yet
    **dict.fromkeys(["pec", "layer_noise_learning", "layer_noise_model"], HINT),
}
_TWIRLING_ESTIMATOR: Schema = {
    "enable_measure": USED, "enable_gates": USED, "num_randomizations": USED,
    "shots_per_randomization": USED, "strategy": HINT,
}

#: SamplerV2 ``options``.  ``default_shots`` (4096 when unset, as the stock
#: service), ``execution.meas_type`` (``"classified"`` only),
#: ``execution.init_qubits`` (``True`` only) and ``simulator.*`` are used;
#: ``dynamical_decoupling``, ``twirling``, ``execution.rep_delay``,
#: ``experimental`` and ``transpilation`` (0.23) are hints.
SAMPLER_V2: Schema = {
    "default_shots": USED,
    "dynamical_decoupling": _DYNAMICAL_DECOUPLING,
    "execution": {"init_qubits": USED, "rep_delay": HINT, "meas_type": USED},
    "twirling": _TWIRLING,
    "simulator": _SIMULATOR,
    "experimental": HINT,
    "transpilation": HINT,
    "max_execution_time": ENGINE,
}

#: EstimatorV2 ``options``.  ``default_precision`` (0.015625 when unset),
#: ``default_shots`` (overrides the precision: 1/sqrt(shots)), ``seed_estimator``,
#: ``simulator.*``, measurement twirling and mitigation (``twirling.enable_measure``,
#: ``twirling.num_randomizations``, ``twirling.shots_per_randomization``,
#: ``resilience.measure_mitigation``, ``resilience.measure_noise_learning.*``) are
#: used; the rest of ``resilience``, ``twirling.enable_gates``, ``twirling.strategy``,
#: ``dynamical_decoupling``, ``execution.rep_delay``, ``experimental`` and
#: ``transpilation`` are hints.  ``resilience_level`` travels beside ``options``.
ESTIMATOR_V2: Schema = {
    "default_precision": USED,
    "default_shots": USED,
    "seed_estimator": USED,
    "dynamical_decoupling": _DYNAMICAL_DECOUPLING,
    "resilience": _RESILIENCE_V2,
    "execution": {"init_qubits": USED, "rep_delay": HINT},
    "twirling": _TWIRLING_ESTIMATOR,
    "simulator": _SIMULATOR,
    "experimental": HINT,
    "transpilation": HINT,
    "max_execution_time": ENGINE,
}

#: The settings of a V1 (qiskit-ibm-runtime <= 0.27) Sampler or Estimator.
#: Transpilation runs on the server with the backend's preset pass manager;
#: ``initial_layout``, ``layout_method``, ``routing_method``,
#: ``approximation_degree`` and ``seed_transpiler`` are passed to it.
#: ``coupling_map`` and ``basis_gates`` are USED in the sense that anything
#: but ``None`` is refused: the backend's target decides them.
V1_SETTINGS: Schema = {
    "transpilation_settings": {
        "skip_transpilation": USED,
        "optimization_settings": {"level": USED},
        "initial_layout": USED,
        "layout_method": USED,
        "routing_method": USED,
        "approximation_degree": USED,
        "seed_transpiler": USED,
        "coupling_map": USED,
        "basis_gates": USED,
        "optimization_level": USED,
    },
    "resilience_settings": {
        "level": HINT, "noise_amplifier": HINT, "noise_factors": HINT, "extrapolator": HINT,
    },
    "run_options": {
        "shots": USED, "init_qubits": USED, "noise_model": USED, "seed_simulator": USED,
    },
}

#: ``circuit-runner`` / ``qasm3-runner`` params: what ``IBMBackend.run`` sends
#: (0.15-0.34, and the provider's ``skip_transpilation``), plus ``noise_model``
#: and ``seed_simulator`` for Aer.  ``meas_level`` must be 2 and
#: ``init_qubits`` true; ``rep_delay``, ``use_measure_esp`` and
#: ``init_num_resets`` are hints; ``meas_return`` and ``skip_transpilation``
#: change nothing; ``init_circuit`` is refused unless empty.
CIRCUIT_RUNNER: Schema = {
    "circuits": USED,
    "shots": USED,
    "memory": USED,
    "seed_simulator": USED,
    "noise_model": USED,
    "meas_level": USED,
    "init_qubits": USED,
    "header": USED,
    "skip_transpilation": NOOP,
    "init_circuit": USED,
    "meas_return": NOOP,
    "rep_delay": HINT,
    "use_measure_esp": HINT,
    "init_num_resets": HINT,
}


def check_options(options: Any, schema: Schema, where: str) -> dict[str, Any]:
    """Check every name in ``options`` against ``schema``.

    Args:
        options: The nested option dict as the client sent it (``None`` is empty).
        schema: What is allowed at this level.
        where: The dotted path of ``options`` itself, used in messages.

    Returns:
        The HINT options that were set, as ``{dotted path: value}``.

    Raises:
        InvalidInputError: A name is not in the schema, or a sub-tree is not a dict.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise InvalidInputError(f"{where} must be a dict, not {type(options).__name__}.")
    hints: dict[str, Any] = {}
    for name, value in options.items():
        path = f"{where}.{name}"
        rule = schema.get(name)
        if rule is None:
            allowed = ", ".join(sorted(schema))
            raise InvalidInputError(
                f"Unknown option {path!r}: the runtime does not implement it. "
                f"Allowed under {where!r}: {allowed}."
            )
        if value is None:
            continue
        if isinstance(rule, Treatment):
            if rule is HINT:
                hints[path] = value
        else:
            hints.update(check_options(value, rule, path))
    return hints


def pick(options: Mapping[str, Any] | None, *path: str, default: Any = None) -> Any:
    """The value at ``path`` inside nested ``options``, or ``default`` when unset or ``None``."""
    node: Any = options
    for name in path:
        if not isinstance(node, Mapping) or node.get(name) is None:
            return default
        node = node[name]
    return node


def printable(hints: Mapping[str, Any]) -> dict[str, Any]:
    """``hints`` with values the wire codec can carry (anything odd becomes its repr)."""
    return {path: _plain(value) for path, value in hints.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)
