"""The program registry: ids, the Program shape, and refusing unknown ids."""

from __future__ import annotations

import pytest

from qruntime.errors import InvalidInputError
from qruntime.programs import PROGRAM_IDS, Program, get_program


def test_every_program_id_is_registered() -> None:
    assert set(PROGRAM_IDS) == {"circuit-runner", "qasm3-runner", "sampler", "estimator"}
    for program_id in PROGRAM_IDS:
        program = get_program(program_id)
        assert isinstance(program, Program)
        assert program.id == program_id


def test_qasm3_runner_behaves_as_circuit_runner() -> None:
    runner, qasm3 = get_program("circuit-runner"), get_program("qasm3-runner")
    assert (qasm3.validate, qasm3.run, qasm3.assess) == (
        runner.validate, runner.run, runner.assess
    )


@pytest.mark.parametrize("program_id", ["hello-world", "", None, "Sampler"])
def test_unknown_program_id_names_the_allowed_ones(program_id: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        get_program(program_id)  # type: ignore[arg-type]
    message = str(info.value)
    assert "Unknown program" in message
    for allowed in PROGRAM_IDS:
        assert allowed in message
