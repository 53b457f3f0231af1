"""Primitive options: checked assignment, and the params they add, as the stock clients add them."""

from __future__ import annotations

import warnings
from dataclasses import asdict
from typing import Any

import pytest
from qiskit.transpiler import CouplingMap

from qruntime import EstimatorOptions, IBMInputValueError, Options, SamplerOptions
from qruntime.client.primitives import Unset
from qruntime.client.primitives.options_v1 import v1_program_inputs


def stock_inputs(kind: str, **values: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """What qiskit-ibm-runtime 0.51 adds to a V2 job for these options: (params, runtime)."""
    stock = pytest.importorskip("qiskit_ibm_runtime.options")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        options = getattr(stock, kind)(**values)
        flat = asdict(options)
        return options._get_program_inputs(flat), options._get_runtime_options(flat)


V2_CASES = [
    ("SamplerOptions", {}),
    ("SamplerOptions", {"default_shots": 1000, "simulator": {"seed_simulator": 42}}),
    ("SamplerOptions", {"execution": {"meas_type": "classified", "init_qubits": True},
                        "dynamical_decoupling": {"enable": True, "sequence_type": "XY4"},
                        "twirling": {"enable_gates": True, "num_randomizations": "auto"}}),
    ("SamplerOptions", {"simulator": {"coupling_map": CouplingMap([[0, 1], [1, 2]]),
                                      "basis_gates": ["cx", "rz"]}}),
    ("SamplerOptions", {"experimental": {"execution": {"rep_delay": 0.0001}, "custom": 1,
                                         "image": "x:y"}}),
    ("EstimatorOptions", {}),
    ("EstimatorOptions", {"default_precision": 0.01, "resilience_level": 0,
                          "seed_estimator": 5}),
    ("EstimatorOptions", {"default_shots": 4000, "resilience": {
        "measure_mitigation": True, "zne_mitigation": True,
        "zne": {"noise_factors": [1, 3, 5], "extrapolator": "exponential"}}}),
    ("EstimatorOptions", {"max_execution_time": 300,
                          "environment": {"job_tags": ["a", "b"], "log_level": "INFO"}}),
]


@pytest.mark.parametrize(("kind", "values"), V2_CASES)
def test_v2_options_add_the_params_the_stock_client_adds(kind: str, values: dict[str, Any]
                                                         ) -> None:
    ours = {"SamplerOptions": SamplerOptions, "EstimatorOptions": EstimatorOptions}[kind](**values)
    params, runtime = stock_inputs(kind, **values)
    assert ours._program_inputs() == params
    assert ours._job_settings() == (runtime["max_execution_time"], runtime["job_tags"] or [])


def test_v2_options_set_as_attributes_equal_options_given_as_a_dict() -> None:
    options = SamplerOptions()
    options.default_shots = 1000
    options.simulator.seed_simulator = 42
    options.environment.job_tags = ["x"]
    assert options == SamplerOptions(default_shots=1000, simulator={"seed_simulator": 42},
                                     environment={"job_tags": ["x"]})


def test_a_dict_given_for_a_group_in_update_merges_and_assigning_one_replaces() -> None:
    options = SamplerOptions(simulator={"seed_simulator": 1, "basis_gates": ["x"]})
    options.update(simulator={"seed_simulator": 2})
    assert (options.simulator.seed_simulator, options.simulator.basis_gates) == (2, ["x"])
    options.simulator = {"seed_simulator": 3}
    assert options.simulator.basis_gates is Unset


@pytest.mark.parametrize(
    ("build", "named", "allowed"),
    [
        (lambda: setattr(SamplerOptions(), "default_shot", 10), "'default_shot'", "default_shots"),
        (lambda: SamplerOptions(shots=10), "'shots'", "default_shots"),
        (lambda: SamplerOptions(simulator={"seed": 1}), "SamplerOptions.simulator",
         "seed_simulator"),
        (lambda: setattr(EstimatorOptions().resilience, "zne_mitigate", True),
         "'zne_mitigate'", "zne_mitigation"),
        (lambda: Options().merged(shotz=10), "'shotz'", "shots"),
        (lambda: Options(execution={"shotz": 10}), "'shotz'", "init_qubits"),
    ],
)
def test_an_unknown_option_is_refused_naming_it_and_the_allowed_ones(
    build: Any, named: str, allowed: str,
) -> None:
    with pytest.raises(IBMInputValueError) as caught:
        build()
    assert named in str(caught.value)
    assert allowed in str(caught.value)


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: SamplerOptions(default_shots=0), "default_shots must be an integer >= 1"),
        (lambda: SamplerOptions(default_shots=2.5), "default_shots"),
        (lambda: EstimatorOptions(default_precision=0), "default_precision must be a number > 0"),
        (lambda: EstimatorOptions(resilience_level=5), "resilience_level"),
        (lambda: SamplerOptions(execution={"meas_type": "iq"}), "'classified'"),
        (lambda: SamplerOptions(environment={"log_level": "LOUD"}), "'WARNING'"),
        (lambda: SamplerOptions(max_execution_time=-1), "max_execution_time"),
        (lambda: Options(optimization_level=4),
         "optimization_level must be an integer from 0 to 3"),
        (lambda: Options(execution={"shots": -5}), "shots"),
    ],
)
def test_a_value_out_of_range_is_refused_at_once(build: Any, fragment: str) -> None:
    with pytest.raises(IBMInputValueError, match=fragment.replace("(", r"\(")):
        build()


def test_unset_options_read_as_unset_and_can_be_unset_again() -> None:
    options = SamplerOptions(default_shots=10)
    options.default_shots = Unset
    assert options.default_shots is Unset
    assert options._program_inputs()["options"] == {}


# --- V1 ------------------------------------------------------------------------------

#: What the seed-era client (0.27.1) sends for a default V1 Sampler on a simulator
#: (runtime-rest-protocol addendum, "Runtime V1 Sampler").
SEED_ERA_V1_SETTINGS = {
    "transpilation_settings": {"skip_transpilation": False, "optimization_settings": {"level": 1}},
    "resilience_settings": {"level": 0},
    "run_options": {"shots": 4000, "init_qubits": True},
}


def test_v1_default_settings_are_those_the_seed_era_client_sends() -> None:
    assert v1_program_inputs(Options(), noiseless_simulator=True, max_resilience=1) == (
        SEED_ERA_V1_SETTINGS)


def test_v1_resilience_defaults_to_1_on_a_device_as_0_27_does() -> None:
    settings = v1_program_inputs(Options(), noiseless_simulator=False, max_resilience=1)
    assert settings["resilience_settings"] == {"level": 1}


def test_v1_options_by_bare_name_land_in_their_group() -> None:
    options = Options().merged(shots=100, seed_simulator=7, optimization_level=3,
                               skip_transpilation=True, coupling_map=[[0, 1]])
    assert v1_program_inputs(options, noiseless_simulator=True, max_resilience=1) == {
        "transpilation_settings": {"skip_transpilation": True,
                                   "optimization_settings": {"level": 3},
                                   "coupling_map": [[0, 1]]},
        "resilience_settings": {"level": 0},
        "run_options": {"shots": 100, "init_qubits": True, "seed_simulator": 7},
    }


def test_v1_resilience_level_2_adds_the_zne_defaults_of_0_27() -> None:
    options = Options(resilience_level=2)
    settings = v1_program_inputs(options, noiseless_simulator=True, max_resilience=3)
    assert settings["resilience_settings"] == {
        "noise_factors": [1, 3, 5], "extrapolator": "LinearExtrapolator", "level": 2,
    }


def test_v1_sampler_refuses_resilience_above_1() -> None:
    with pytest.raises(IBMInputValueError, match="allowed: 0, 1"):
        v1_program_inputs(Options(resilience_level=2), noiseless_simulator=True,
                          max_resilience=1)


def test_v1_merged_leaves_the_original_untouched() -> None:
    options = Options()
    options.merged(shots=10, execution={"init_qubits": True})
    assert options.execution.shots == 4000


def test_v1_options_read_as_dicts_too_as_0_27_returned_them() -> None:
    options = Options().merged(shots=100)
    assert options.execution["shots"] == options["execution"].shots == 100
    with pytest.raises(IBMInputValueError, match="'shotz'"):
        options.execution["shotz"]
