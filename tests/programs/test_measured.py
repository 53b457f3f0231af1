"""Estimator values from measured shots on noisy devices: bases, randomizations, TREX."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit_aer import AerSimulator

from circuits import ghz

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import estimator
from qruntime.programs.measured import Basis, bases, measured, randomizations


def _v2(pub: list, level: int | None = None, **options: object) -> dict:
    params = {"pubs": [pub], "options": options, "version": 2}
    if level is not None:
        params["resilience_level"] = level
    return params


def test_terms_that_agree_on_their_qubits_share_a_basis() -> None:
    terms = [("ZZ", (0, 1)), ("Z", (0,)), ("XX", (0, 1)), ("X", (2,)), ("", ())]
    found, where = bases(terms)
    assert len(found) == 2
    assert found[where[0]] == found[where[1]]  # ZZ and Z0
    assert where[4] == -1  # the identity is not measured
    assert where[0] != where[2]  # ZZ and XX disagree on both qubits
    for (label, qubits), b in zip(terms, where):  # each term is measured in its letters
        if b >= 0:
            assert all(found[b].letters[found[b].position(q)] == p for p, q in zip(label, qubits))


@pytest.mark.parametrize(("shots", "count", "per", "expected"), [
    (4096, None, None, (32, 128)),   # max(64, ceil(4096 / 32)) a randomization
    (400, None, None, (7, 64)),      # at least 64 a randomization
    (1000, 16, None, (16, 63)),
    (1000, None, 100, (10, 100)),
    (1000, 16, 100, (16, 100)),      # both named: their product wins over the shots
])
def test_shots_split_into_randomizations_as_ibm_splits_them(
    shots: int, count: int | None, per: int | None, expected: tuple[int, int],
) -> None:
    assert randomizations(shots, count, per) == expected


@pytest.mark.parametrize(("prepare", "basis", "expected"), [
    ("h", "X", 1.0), ("hz", "X", -1.0), ("hs", "Y", 1.0), ("hsz", "Y", -1.0), ("x", "Z", -1.0),
])
def test_the_basis_change_measures_the_named_pauli(prepare: str, basis: str,
                                                   expected: float) -> None:
    circuit = QuantumCircuit(1)
    for gate in prepare:
        getattr(circuit, gate)(0)
    assert np.isclose(Statevector(circuit).expectation_value(SparsePauliOp(basis)), expected)
    for flip in (0, 1):  # a twirl's x flips the outcome, and the bits are flipped back
        run = measured(circuit, Basis((0,), basis), np.array([flip]))
        counts = AerSimulator().run(run, shots=100, seed_simulator=1).result().get_counts()
        outcome = "0" if expected > 0 else "1"
        assert counts == {str(int(outcome) ^ flip): 100}


def test_ghz4_level_1_is_closer_to_the_exact_value_than_level_0(falcon: BackendSpec) -> None:
    isa = falcon.pass_manager(1).run(ghz(4).remove_final_measurements(inplace=False))
    pub = [isa, [{"ZZZZ": 1.0}], None, 0.01]
    levels = {level: estimator.run(_v2(pub, level, seed_estimator=7), falcon)[0]
              for level in (0, 1)}
    errors = {level: abs(float(r.data.evs[0]) - 1.0) for level, r in levels.items()}
    stds = {level: float(r.data.stds[0]) for level, r in levels.items()}
    # Four readouts of ~3 % error each take about 0.2 off level 0; TREX removes them,
    # leaving the gates' errors (about 0.03).
    assert errors[0] - errors[1] > 5 * (stds[0] + stds[1]), (errors, stds)
    assert errors[1] < 0.08


def test_measure_mitigation_can_be_turned_off_and_twirling_kept(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)
    isa = falcon.pass_manager(1).run(circuit)
    pub = [isa, [{"Z": 1.0}], None, 0.01]
    result = estimator.run(_v2(pub, 1, seed_estimator=1,
                               resilience={"measure_mitigation": False},
                               twirling={"num_randomizations": 16,
                                         "shots_per_randomization": 100}), falcon)
    assert result.metadata["resilience"]["measure_mitigation"] is False
    assert result.metadata["twirling"]["enable_measure"] is True
    assert result[0].metadata["shots"] == 1600 and result[0].metadata["num_randomizations"] == 16
    # Twirled but not divided out: the readout error symmetrised, still there.
    assert float(result[0].data.evs[0]) + 1 > 6 * float(result[0].data.stds[0])


def test_an_ideal_backend_stays_exact_whatever_the_level(ideal: BackendSpec) -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)
    for level in (0, 1, 2):
        pub = estimator.run(_v2([circuit, [{"Z": 1.0}]], level), ideal)[0]
        assert pub.data.evs[0] == -1.0 and pub.data.stds[0] == 0.0


@pytest.mark.parametrize(("options", "expected"), [
    ({"twirling": {"num_randomizations": 0}}, "options.twirling.num_randomizations is 0"),
    ({"twirling": {"shots_per_randomization": "many"}}, '"auto" or an integer'),
    ({"resilience": {"measure_mitigation": "yes"}}, "must be true or false"),
    ({"resilience": {"measure_noise_learning": {"num_randomizations": -1}}},
     "measure_noise_learning.num_randomizations is -1"),
    ({"resilience": {"measure_noise_learning": {"samples": 3}}},
     "'options.resilience.measure_noise_learning.samples'"),
])
def test_bad_mitigation_options_are_refused_by_name(falcon: BackendSpec, options: dict,
                                                    expected: str) -> None:
    circuit = QuantumCircuit(1)
    circuit.x(0)
    isa = falcon.pass_manager(1).run(circuit)
    with pytest.raises(InvalidInputError) as info:
        estimator.validate(_v2([isa, [{"Z": 1.0}]], 1, **options), falcon)
    assert expected in str(info.value)


def test_observables_measured_in_several_bases_combine(falcon: BackendSpec) -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    isa = falcon.pass_manager(1).run(circuit)
    observable = {"ZZ": 0.5, "XX": 0.5, "YY": -0.25, "II": 1.0}  # exact: 0.5 + 0.5 + 0.25 + 1
    pub = estimator.run(_v2([isa, [observable], None, 0.01], seed_estimator=4), falcon)[0]
    value, std = float(pub.data.evs[0]), float(pub.data.stds[0])
    assert 0.002 < std < 0.02
    assert abs(value - 2.25) < 0.1  # the gates' errors on a Bell pair take a few percent
