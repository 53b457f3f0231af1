"""Jobs outlive the process that submitted them, and survive its crash."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qruntime import QiskitRuntimeService, RuntimeJob
from qruntime.client.embedded import close_embedded

SUBMIT_AND_EXIT = """
import json
from qiskit import QuantumCircuit
from qruntime import QiskitRuntimeService

circuit = QuantumCircuit(2, 2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure_all()
backend = QiskitRuntimeService(channel="local").backend("ibmq_qasm_simulator")
jobs = [backend.run(circuit, shots=500, seed_simulator=seed) for seed in (1, 2, 3)]
print(json.dumps({job.job_id(): job.result().get_counts() for job in jobs}))
"""

SUBMIT_AND_HANG = """
import json, sys, time
from qiskit import QuantumCircuit
from qiskit.circuit.random import random_circuit
from qruntime import QiskitRuntimeService

backend = QiskitRuntimeService(channel="local").backend("ibmq_qasm_simulator")
slow = random_circuit(20, 60, max_operands=2, seed=7, measure=True)
bell = QuantumCircuit(2, 2)
bell.h(0)
bell.cx(0, 1)
bell.measure([0, 1], [0, 1])
from qiskit import transpile
slow = transpile(slow, backend=backend, optimization_level=0)
jobs = [backend.run(slow, shots=200)] + [backend.run(bell, shots=300) for _ in range(5)]
while jobs[0].status().name != "RUNNING":
    time.sleep(0.01)
print(json.dumps([job.job_id() for job in jobs]), flush=True)
time.sleep(600)
"""


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=180, check=True)
    return done.stdout


def test_results_are_read_by_id_from_a_new_process(runtime_home: Path) -> None:
    env = dict(os.environ)
    first = json.loads(run_python(SUBMIT_AND_EXIT, env).splitlines()[-1])
    service = QiskitRuntimeService(channel="local")  # a new process: the writer has exited
    for job_id, counts in first.items():
        job = service.job(job_id)
        assert isinstance(job, RuntimeJob)
        assert job.status().name == "DONE"
        assert job.result().get_counts() == counts
        assert sum(counts.values()) == 500


def test_jobs_queued_in_a_killed_process_complete_after_restart(runtime_home: Path) -> None:
    env = dict(os.environ, QRUNTIME_LANES="1", QRUNTIME_LEASE_SECONDS="1",
               QRUNTIME_INLINE_COST_LIMIT="0")  # the slow job runs in a worker process
    process = subprocess.Popen([sys.executable, "-c", SUBMIT_AND_HANG], env=env,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        ids = json.loads(process.stdout.readline())
        time.sleep(0.2)  # the slow job is running, the Bell jobs wait behind it
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with sqlite3.connect(runtime_home / "runtime.db") as db:
        at_kill = dict(db.execute("SELECT id, state FROM jobs").fetchall())
    assert [at_kill[i] for i in ids] == ["Running"] + ["Queued"] * 5
    os.environ["QRUNTIME_LEASE_SECONDS"] = "1"
    try:
        close_embedded()
        service = QiskitRuntimeService(channel="local")
        for job_id in ids:
            service.job(job_id).wait_for_final_state(timeout=120)
        jobs = [service.job(i) for i in ids]
        assert [job.status().name for job in jobs] == ["DONE"] * len(ids)
        for job in jobs[1:]:
            counts = job.result().get_counts()
            assert set(counts) <= {"00", "11"} and sum(counts.values()) == 300
        engine = service._transport.engine  # type: ignore[attr-defined]
        attempts = [engine.job(service._transport.instance, i)["attempts"] for i in ids]
        assert attempts[0] == 2  # the slow job ran when the process died: run again
        assert attempts[1:] == [1] * 5  # the queued ones ran once
    finally:
        del os.environ["QRUNTIME_LEASE_SECONDS"]


SUBMIT_PRIMITIVES = """
import json
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qruntime import EstimatorV2, QiskitRuntimeService, SamplerV2, wire

circuit = QuantumCircuit(2)
circuit.h(0)
circuit.cx(0, 1)
measured = circuit.measure_all(inplace=False)
backend = QiskitRuntimeService(channel="local").backend("ibmq_qasm_simulator")
sampled = SamplerV2(mode=backend).run([measured], shots=300)
estimated = EstimatorV2(mode=backend).run([(circuit, SparsePauliOp("ZZ"))])
print(json.dumps({job.job_id(): wire.dumps(job.result()) for job in (sampled, estimated)}))
"""


def test_primitive_results_are_equal_when_read_from_a_new_process(runtime_home: Path) -> None:
    import numpy as np

    from qruntime import RuntimeJobV2, wire

    written = json.loads(run_python(SUBMIT_PRIMITIVES, dict(os.environ)).splitlines()[-1])
    service = QiskitRuntimeService(channel="local")
    for job_id, text in written.items():
        job = service.job(job_id)
        assert isinstance(job, RuntimeJobV2) and job.status() == "DONE"
        original, again = wire.loads(text), job.result()
        assert len(again) == len(original) == 1
        for name in original[0].data:
            mine, theirs = original[0].data[name], again[0].data[name]
            if hasattr(mine, "array"):
                assert np.array_equal(mine.array, theirs.array)
                assert mine.get_counts() == theirs.get_counts()
            else:
                assert np.array_equal(np.asarray(mine), np.asarray(theirs))
        assert original.metadata == again.metadata


def test_a_worker_that_cannot_load_its_backends_fails_its_job_and_the_runtime_goes_on(
    runtime_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from qiskit import QuantumCircuit

    from qruntime import RuntimeJobFailureError

    config = tmp_path / "backends.json"
    config.write_text('{"backends": [{"name": "small_sim", "kind": "ideal", "num_qubits": 3}]}')
    monkeypatch.setenv("QRUNTIME_BACKENDS", str(config))
    monkeypatch.setenv("QRUNTIME_LANES", "1")
    monkeypatch.setenv("QRUNTIME_INLINE_COST_LIMIT", "0")  # every queued job in a worker
    monkeypatch.setenv("QRUNTIME_IMMEDIATE_COST_LIMIT", "-1")
    import qruntime.backends.catalog as catalog

    monkeypatch.setattr(catalog, "_default", None)  # this process reads the new file
    service = QiskitRuntimeService(channel="local")
    backend = service.backend("small_sim")
    bell = QuantumCircuit(2, 2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure([0, 1], [0, 1])
    config.write_text("this is not JSON")  # a worker started now cannot load its catalog
    broken = backend.run(bell, shots=10)
    with pytest.raises(RuntimeJobFailureError, match="cannot read backend config"):
        broken.result(timeout=120)
    config.write_text('{"backends": [{"name": "small_sim", "kind": "ideal", "num_qubits": 3}]}')
    healthy = backend.run(bell, shots=10)  # the lane that met the fault runs the next job
    assert sum(healthy.result(timeout=120).get_counts().values()) == 10
