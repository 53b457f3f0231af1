"""Utility-scale jobs as IBM's guides run them, through the embedded client, beside direct Aer.

Each qruntime job is timed from submit to its ``PrimitiveResult``, on an ISA
circuit made as IBM's hello-world makes it (``generate_preset_pass_manager``,
optimization level 1). Its baseline is direct Aer on the same ISA circuit:
``AerSimulator(method="automatic", noise_model=<the backend's model>).run`` to
its ``Result`` for a sampler job, ``qiskit_aer.primitives.EstimatorV2`` with
the same options and precision for an estimator job.

Direct Aer on 50-127 noisy qubits with ``automatic`` picks a statevector and
stops for want of memory, or would run for hours; so each baseline runs in a
child process that is killed after a time cap, and its row then says "did not
finish in N s" or gives Aer's error. A qruntime job that fails or is refused
gives its error in place of its figure; the suite goes on.

1. IBM hello-world: a 100-qubit GHZ, EstimatorV2 of ``Z0 Zi`` (i = 1..99) on
   ``ibm_qrt_eagle``, default precision.
2. A 50-qubit Clifford circuit (GHZ, then random H/S layers), SamplerV2, 1000 shots.
3. ``efficient_su2(127, entanglement="linear")``, random angles, SamplerV2, 1000 shots.
4. A Bell SamplerV2 job on Falcon, Eagle and Heron: Eagle's and Heron's as
   ratios to Falcon's (a Bell pair costs the same on any device), each beside
   direct Aer.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from bench.embedded import bell
from bench.timing import Sample, interleaved

SHOTS = 1000
#: A direct Aer baseline is killed after this many seconds.
DIRECT_CAP_S = 120
#: A qruntime job is cancelled after this many seconds.
JOB_CAP_S = 120
EAGLE = "ibm_qrt_eagle"
BELL_BACKENDS = ("ibm_qrt_falcon", "ibm_qrt_eagle", "ibm_qrt_heron")


@dataclass
class Outcome:
    """A measured operation: its sample, or why there is none."""

    name: str
    sample: Sample | None = None
    failure: str = ""

    @property
    def median_ms(self) -> float | None:
        return self.sample.median_ms if self.sample else None


def main() -> None:
    os.environ.setdefault("QRUNTIME_HOME", tempfile.mkdtemp(prefix="qruntime-bench-utility-"))
    from qiskit.transpiler import generate_preset_pass_manager

    from qruntime import QiskitRuntimeService
    from qruntime.backends.catalog import default_catalog

    service = QiskitRuntimeService(channel="local")
    scratch = Path(tempfile.mkdtemp(prefix="qruntime-bench-direct-"))
    direct = _Direct(scratch, default_catalog())
    eagle = service.backend(EAGLE)
    manager = generate_preset_pass_manager(backend=eagle, optimization_level=1, seed_transpiler=1)
    _hello_world(eagle, manager, direct)
    _sampler_case("50-qubit Clifford (GHZ, then random H/S layers), SamplerV2, 1000 shots, eagle",
                  eagle, manager.run(_clifford(50)), direct)
    _sampler_case("efficient_su2(127, linear), random angles, SamplerV2, 1000 shots, eagle",
                  eagle, manager.run(_su2(127)), direct)
    _bell(service, direct)


# --- the cases ----------------------------------------------------------------------------


def _hello_world(backend: Any, manager: Any, direct: _Direct) -> None:
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp

    from qruntime import EstimatorV2

    n = 100
    circuit = QuantumCircuit(n)
    circuit.h(0)
    for qubit in range(n - 1):
        circuit.cx(qubit, qubit + 1)
    # Z on qubit 0 and on qubit i: "I...IZI...IZ", qubit 0 rightmost.
    labels = ["I" * (n - 1 - i) + "Z" + "I" * (i - 1) + "Z" for i in range(1, n)]
    isa = manager.run(circuit)
    observables = [SparsePauliOp(label).apply_layout(isa.layout) for label in labels]
    estimator = EstimatorV2(mode=backend)
    precision = _default_precision()
    ours = _job("qruntime EstimatorV2 job, to result",
                lambda: estimator.run([(isa, observables)]))
    theirs = direct.estimate(backend.name, isa, observables, precision)
    _print_case(f"IBM hello-world: 100-qubit GHZ, EstimatorV2 of Z0Zi (99 observables), eagle, "
                f"precision {precision}", theirs, [ours])


def _sampler_case(title: str, backend: Any, isa: Any, direct: _Direct) -> None:
    from qruntime import SamplerV2

    sampler = SamplerV2(mode=backend)
    ours = _job("qruntime SamplerV2 job, to result", lambda: sampler.run([isa], shots=SHOTS))
    _print_case(title, direct.sample(backend.name, isa), [ours])


def _bell(service: Any, direct: _Direct) -> None:
    from qiskit.transpiler import generate_preset_pass_manager

    from qruntime import SamplerV2

    operations: dict[str, Callable[[], object]] = {}
    isas = {}
    for name in BELL_BACKENDS:
        backend = service.backend(name)
        manager = generate_preset_pass_manager(backend=backend, optimization_level=1,
                                               seed_transpiler=1)
        isa = isas[name] = manager.run(bell())
        sampler = SamplerV2(mode=backend)
        operations[name] = (lambda s=sampler, c=isa: s.run([c], shots=SHOTS).result(JOB_CAP_S))
    failures = {}
    for name, operation in list(operations.items()):
        try:
            operation()  # builds the backend's simulator, outside the measurement
        except Exception as exc:  # noqa: BLE001 - a failing job is reported, not raised
            failures[name] = _message(exc)
            del operations[name]
    try:
        samples = interleaved(operations, repeats=40, warmup=3) if operations else {}
    except Exception as exc:  # noqa: BLE001 - a job failing half-way is reported too
        samples = {}
        failures.update({name: _message(exc) for name in operations})
    ours = {name: Outcome(f"qruntime SamplerV2 Bell job on {name}", samples.get(name),
                          failures.get(name, "")) for name in BELL_BACKENDS}
    _print_case("Bell SamplerV2 job (1000 shots, ISA), by device, to result",
                ours["ibm_qrt_falcon"], [ours[n] for n in BELL_BACKENDS[1:]],
                goal="<= 1.2x falcon", baseline_label="x falcon")
    for name in BELL_BACKENDS:
        _print_case(f"Bell SamplerV2 job on {name} against direct Aer",
                    direct.sample(name, isas[name], repeats=3), [ours[name]])


def _clifford(n: int) -> Any:
    import numpy as np
    from qiskit import QuantumCircuit

    rng = np.random.default_rng(50)
    circuit = QuantumCircuit(n)
    circuit.h(0)
    for qubit in range(n - 1):
        circuit.cx(qubit, qubit + 1)
    for _ in range(2):
        for qubit, gate in enumerate(rng.integers(0, 3, n)):
            if gate in (0, 2):
                circuit.s(qubit)
            if gate in (1, 2):
                circuit.h(qubit)
    circuit.measure_all()
    return circuit


def _su2(n: int) -> Any:
    import numpy as np
    from qiskit.circuit.library import efficient_su2

    circuit = efficient_su2(n, entanglement="linear")
    values = np.random.default_rng(127).uniform(-np.pi, np.pi, circuit.num_parameters)
    circuit = circuit.assign_parameters(values)
    circuit.measure_all()
    return circuit


def _default_precision() -> float:
    from qruntime.programs.estimator import DEFAULT_PRECISION

    return float(DEFAULT_PRECISION)


# --- measuring qruntime jobs ----------------------------------------------------------------


def _job(name: str, submit: Callable[[], Any]) -> Outcome:
    """Submit-to-result seconds of a qruntime job: one unmeasured run (it may start a
    worker and build its simulator), then up to 5 measured, fewer for slow jobs."""
    try:
        first = _timed_job(submit)
        repeats = 5 if first < 1 else 2 if first < 15 else 1
        return Outcome(name, Sample(name, [_timed_job(submit) for _ in range(repeats)]))
    except Exception as exc:  # noqa: BLE001 - a failing job is reported, not raised
        return Outcome(name, failure=_message(exc))


def _timed_job(submit: Callable[[], Any]) -> float:
    from qruntime import RuntimeJobTimeoutError

    start = time.perf_counter()
    job = submit()
    try:
        job.result(timeout=JOB_CAP_S)
    except RuntimeJobTimeoutError:
        job.cancel()
        raise TimeoutError(f"did not finish in {JOB_CAP_S} s (cancelled)") from None
    return time.perf_counter() - start


def _message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


# --- direct Aer, in a child process with a time cap ------------------------------------------


class _Direct:
    """Runs direct-Aer baselines in child processes; each backend's noise model is
    pickled once for them (a child building it would take 2-17 s)."""

    def __init__(self, scratch: Path, catalog: Any) -> None:
        self._scratch = scratch
        self._catalog = catalog
        self._models: dict[str, Path] = {}

    def sample(self, backend: str, isa: Any, repeats: int = 1) -> Outcome:
        return self._run("direct AerSimulator.run(method='automatic', noise_model), to result",
                         {"kind": "sample", "circuit": isa, "shots": SHOTS}, backend, repeats)

    def estimate(self, backend: str, isa: Any, observables: Any, precision: float) -> Outcome:
        return self._run("direct qiskit_aer EstimatorV2(method='automatic', noise_model)",
                         {"kind": "estimate", "circuit": isa, "observables": observables,
                          "precision": precision}, backend, 1)

    def _run(self, name: str, task: dict[str, Any], backend: str, repeats: int) -> Outcome:
        task = {**task, "noise_model": str(self._model(backend)), "repeats": repeats}
        path = self._scratch / "task.pickle"
        path.write_bytes(pickle.dumps(task))
        command = [sys.executable, "-m", "bench.utility", "--direct", str(path)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=DIRECT_CAP_S,
                                  cwd=Path(__file__).resolve().parents[1])
        except subprocess.TimeoutExpired:
            return Outcome(name, failure=f"did not finish in {DIRECT_CAP_S} s")
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if not lines:
            tail = " ".join((done.stderr or done.stdout).split()[-40:])
            return Outcome(name, failure=f"the child process exited {done.returncode}: {tail}")
        answer = json.loads(lines[-1])
        if "error" in answer:
            return Outcome(name, failure=f"Aer: {answer['error']}")
        return Outcome(name, Sample(name, answer["seconds"]))

    def _model(self, backend: str) -> Path:
        if backend not in self._models:
            path = self._scratch / f"{backend}.noise.pickle"
            path.write_bytes(pickle.dumps(self._catalog.get(backend).noise_model))
            self._models[backend] = path
        return self._models[backend]


def _direct_child(path: str) -> None:
    """The child's side: run one baseline, print ``{"seconds": [...]}`` or ``{"error": ...}``."""
    from qiskit_aer import AerSimulator

    task = pickle.loads(Path(path).read_bytes())
    noise_model = pickle.loads(Path(task["noise_model"]).read_bytes())
    if task["kind"] == "sample":
        simulator = AerSimulator(method="automatic", noise_model=noise_model)

        def operation() -> None:
            result = simulator.run(task["circuit"], shots=task["shots"]).result()
            if not result.success:
                raise RuntimeError(result.results[0].status if result.results else result.status)
    else:
        from qiskit_aer.primitives import EstimatorV2 as AerEstimatorV2

        estimator = AerEstimatorV2(options={
            "backend_options": {"method": "automatic", "noise_model": noise_model},
            "default_precision": task["precision"]})

        def operation() -> None:
            estimator.run([(task["circuit"], task["observables"])]).result()

    try:
        operation()  # unmeasured, as the qruntime jobs' first run
        seconds = []
        for _ in range(task["repeats"]):
            start = time.perf_counter()
            operation()
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"seconds": seconds}), flush=True)
    except Exception as exc:  # noqa: BLE001 - Aer's reason is the figure
        print(json.dumps({"error": _message(exc)}), flush=True)


# --- printing ---------------------------------------------------------------------------------


def _print_case(title: str, baseline: Outcome, outcomes: list[Outcome], goal: str = "",
                baseline_label: str = "x baseline") -> None:
    print(f"\n## {title}" + (f"  (goal: {goal})" if goal else ""))
    print(f"{'what':64s} {'median ms':>12s} {baseline_label:>11s}")
    for outcome in [baseline, *outcomes]:
        if outcome.sample is None:
            print(f"{outcome.name:64s} {'failed':>12s} {'-':>11s}")
            print(textwrap.indent(textwrap.fill(outcome.failure[:600], 96), "    "))
            continue
        ratio = "-" if baseline.median_ms is None else _ratio(
            outcome.sample.median_ms / baseline.median_ms)
        runs = len(outcome.sample.seconds)
        print(f"{outcome.name:64s} {outcome.sample.median_ms:12.2f} {ratio:>11s}"
              + (f"   ({runs} run{'s' if runs > 1 else ''})" if runs < 10 else ""))


def _ratio(value: float) -> str:
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.2g}x"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--direct"]:
        _direct_child(sys.argv[2])
    else:
        main()
