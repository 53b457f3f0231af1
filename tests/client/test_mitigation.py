"""Readout mitigation as a user sees it, through both doors: resilience levels 0 and 1
of EstimatorV2 on a noisy device, in a session with the sampler beside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qruntime import EstimatorV2, QiskitRuntimeService, SamplerV2, Session

from live import DOORS, door_service


@pytest.fixture(scope="module", params=DOORS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            _servers: dict[str, Any]) -> Iterator[QiskitRuntimeService]:
    yield from door_service(request.param, tmp_path_factory.mktemp("qruntime"), _servers)


def test_level_1_removes_the_readout_error_that_level_0_and_the_sampler_show(
    service: QiskitRuntimeService,
) -> None:
    backend = service.backend("ibm_qrt_falcon")
    circuit = QuantumCircuit(2)
    circuit.x(0)
    circuit.x(1)  # |11>: <Z Z> is exactly 1, and each readout error lowers it
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)
    zz = SparsePauliOp("ZZ").apply_layout(isa.layout)
    measured = isa.copy()  # the same qubits, measured
    measured.add_register(ClassicalRegister(2, "meas"))
    for bit, qubit in enumerate(isa.layout.final_index_layout()):
        measured.measure(qubit, bit)
    with Session(backend=backend) as session:
        levels = {}
        for level in (0, 1):
            estimator = EstimatorV2(mode=session, options={"resilience_level": level,
                                                           "seed_estimator": 11})
            levels[level] = estimator.run([(isa, zz)], precision=0.01).result()
        sampled = SamplerV2(mode=session).run([measured], shots=10_000).result()
    raw, trex = levels[0][0], levels[1][0]
    assert levels[0].metadata["resilience"]["measure_mitigation"] is False
    assert levels[1].metadata["resilience"]["measure_mitigation"] is True
    # The sampler's counts show the same readout error as level 0: the share of
    # shots read as 11.
    counts = sampled[0].data.meas.get_counts()
    parity = sum((1 if key.count("1") % 2 == 0 else -1) * n for key, n in counts.items()) / 10_000
    assert abs(parity - float(raw.data.evs)) < 4 * (float(raw.data.stds) + 0.01)
    assert 1 - float(raw.data.evs) > 8 * float(raw.data.stds)
    assert abs(1 - float(trex.data.evs)) < 4 * float(trex.data.stds) + 2e-3
