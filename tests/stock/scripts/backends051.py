"""qiskit-ibm-runtime 0.51 on the cloud simulator family and the Heron device.

Least configuration, as ``runtime051.py``. Each scenario reports what the stock
client sees (backends, targets, counts) and the errors it raises, client-side
or posted past its own checks (``service._run``) to see the runtime's.
"""

from __future__ import annotations

import math

from common import CRN, TOKEN, URL, Report, counts_of, error_of
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit.quantum_info import SparsePauliOp
from qiskit_ibm_runtime import EstimatorV2, QiskitRuntimeService, SamplerV2

service = QiskitRuntimeService(channel="ibm_quantum_platform", token=TOKEN,
                               url=f"{URL}/experimental/runtime", instance=CRN)
SIMULATORS = ("simulator_statevector", "simulator_mps", "simulator_stabilizer",
              "simulator_extended_stabilizer")
report = Report()


def ghz(qubits: int) -> QuantumCircuit:
    circuit = QuantumCircuit(qubits)
    circuit.h(0)
    for qubit in range(qubits - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return circuit


def outcomes(counts: dict[str, int]) -> list[str]:
    """``all0``/``all1``/``other`` for each distinct outcome, sorted."""
    return sorted({"all0" if set(key) == {"0"} else "all1" if set(key) == {"1"} else "other"
                   for key in counts})


def posted(circuit: QuantumCircuit, backend: str) -> dict:
    """The error of a SamplerV2 job posted without the stock client's own checks."""
    return error_of(lambda: service._run(
        "sampler", {"pubs": [(circuit,)], "version": 2, "support_qiskit": True},
        options={"backend": backend}))


@report.scenario
def listing() -> dict:
    listed = {b.name: b for b in service.backends(simulator=True, use_fractional_gates=None)}
    return {name: {"listed": name in listed, "simulator": listed[name].simulator,
                   "qubits": listed[name].num_qubits,
                   "basis_gates": sorted(listed[name].configuration().basis_gates),
                   "operations": sorted(listed[name].target.operation_names)}
            for name in SIMULATORS if name in listed}


@report.scenario
def transpiled() -> dict:
    found = {}
    for name in SIMULATORS:
        backend = service.backend(name)
        isa = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                           seed_transpiler=1).run(ghz(3))
        found[name] = counts_of(SamplerV2(mode=backend).run([isa], shots=50).result()[0])
    return found


@report.scenario
def stabilizer() -> dict:
    backend = service.backend("simulator_stabilizer")
    isa = generate_preset_pass_manager(optimization_level=0, backend=backend).run(ghz(1000))
    counts = counts_of(SamplerV2(mode=backend).run([isa], shots=8).result()[0])
    non_clifford = QuantumCircuit(2)
    non_clifford.h(0)
    non_clifford.t(1)
    non_clifford.measure_all()
    return {"outcomes": outcomes(counts), "shots": sum(counts.values()),
            "width": len(next(iter(counts))),
            "client": error_of(lambda: SamplerV2(mode=backend).run([non_clifford])),
            "posted": posted(non_clifford, "simulator_stabilizer")}


@report.scenario
def heron() -> dict:
    backend = service.backend("ibm_qrt_heron")
    edges = {tuple(sorted(edge)) for edge in backend.coupling_map.get_edges()}
    degrees = {}
    for a, b in edges:
        degrees[a] = degrees.get(a, 0) + 1
        degrees[b] = degrees.get(b, 0) + 1
    dynamic = QuantumCircuit(2, 2)
    dynamic.h(0)
    dynamic.measure(0, 0)
    with dynamic.if_test((dynamic.clbits[0], 1)):
        dynamic.x(1)
    dynamic.measure(1, 1)
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                       seed_transpiler=1).run(dynamic)
    result = SamplerV2(mode=backend).run([isa], shots=400).result()[0]
    t1 = [q.t1 for q in backend.target.qubit_properties]
    return {"qubits": backend.num_qubits, "basis_gates": backend.configuration().basis_gates,
            "operations": sorted(backend.target.operation_names), "edges": len(edges),
            "degrees": sorted(degrees.values()).count(3),
            "processor_type": backend.configuration().processor_type,
            "t1": [min(t1), max(t1)], "dynamic": dict(result.data.c.get_counts())}


@report.scenario
def fractional() -> dict:
    backend = service.backend("ibm_qrt_heron", use_fractional_gates=True)
    circuit = QuantumCircuit(2)
    circuit.x(0)
    circuit.rzz(2.4, 0, 1)  # folded into [0, pi/2] by the transpiler
    circuit.rx(math.pi, 1)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                       seed_transpiler=1).run(circuit)
    counts = counts_of(SamplerV2(mode=backend).run([isa], shots=400).result()[0])
    out_of_range = QuantumCircuit(156)
    out_of_range.rzz(2.0, 0, 1)
    out_of_range.measure_all()
    return {"operations": sorted(backend.target.operation_names),
            "isa_ops": sorted(isa.count_ops()), "counts": counts,
            "client": error_of(lambda: SamplerV2(mode=backend).run([out_of_range])),
            "posted": posted(out_of_range, "ibm_qrt_heron"),
            "eagle": error_of(lambda: service.backend("ibm_qrt_eagle",
                                                      use_fractional_gates=True))}


def hello_world(backend) -> tuple:
    """IBM hello-world's 100-qubit GHZ and its ``Z Z`` observables, laid out for ``backend``."""
    width = 100
    circuit = QuantumCircuit(width)
    circuit.h(0)
    for qubit in range(width - 1):
        circuit.cx(qubit, qubit + 1)
    labels = ["Z" + "I" * i + "Z" + "I" * (width - 2 - i) for i in range(width - 1)]
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)
    return isa, [SparsePauliOp(label).apply_layout(isa.layout) for label in labels]


@report.scenario
def utility() -> dict:
    device = service.backend("ibm_qrt_eagle")
    isa, observables = hello_world(device)
    estimator = EstimatorV2(mode=device)
    estimator.options.resilience_level = 1
    estimator.options.dynamical_decoupling.enable = True
    estimator.options.dynamical_decoupling.sequence_type = "XY4"
    estimator.options.default_precision = 0.05  # the guide's 5000 shots take ~35 s
    noisy = estimator.run([(isa, observables)]).result()
    ideal_backend = service.backend("simulator_stabilizer")
    ideal_isa, ideal_observables = hello_world(ideal_backend)
    ideal = EstimatorV2(mode=ideal_backend).run([(ideal_isa, ideal_observables)]).result()
    return {"noisy": [float(v) for v in noisy[0].data.evs],
            "noisy_stds": [float(v) for v in noisy[0].data.stds],
            "method": noisy.metadata.get("simulator", {}).get("method"),
            "ideal": [float(v) for v in ideal[0].data.evs]}


@report.scenario
def mitigation() -> dict:
    device = service.backend("ibm_qrt_falcon")
    circuit = QuantumCircuit(1)
    circuit.x(0)
    isa = generate_preset_pass_manager(optimization_level=1, backend=device).run(circuit)
    z = SparsePauliOp("Z").apply_layout(isa.layout)
    found = {}
    for level in (0, 1):
        estimator = EstimatorV2(mode=device)
        estimator.options.resilience_level = level
        estimator.options.seed_estimator = 5
        result = estimator.run([(isa, z)], precision=0.01).result()
        found[f"level{level}"] = {"ev": float(result[0].data.evs), "std": float(result[0].data.stds),
                                  "shots": result[0].metadata["shots"],
                                  "resilience": result.metadata.get("resilience")}
    # The options of the stock client's own integration test (16 x 100 shots).
    estimator = EstimatorV2(mode=device)
    estimator.options.twirling.num_randomizations = 16
    estimator.options.twirling.shots_per_randomization = 100
    result = estimator.run([(isa, z)]).result()
    found["twirled"] = {"shots": result[0].metadata["shots"],
                        "twirling": result.metadata.get("twirling")}
    # Level 2 on a Bell pair: ZNE's extra data fields, as the stock decoder reads them.
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell_isa = generate_preset_pass_manager(optimization_level=1, backend=device).run(bell)
    zz = SparsePauliOp("ZZ").apply_layout(bell_isa.layout)
    estimator = EstimatorV2(mode=device)
    estimator.options.resilience_level = 2
    estimator.options.seed_estimator = 5
    result = estimator.run([(bell_isa, [zz])], precision=0.005).result()
    data = result[0].data
    found["zne"] = {"fields": sorted(data.keys()),
                    "evs": [float(v) for v in data.evs],
                    "evs_noise_factors": [[float(v) for v in row] for row in data.evs_noise_factors],
                    "extrapolated_shape": list(data.evs_extrapolated.shape),
                    "resilience": result.metadata.get("resilience"),
                    "extrapolator": result[0].metadata.get("resilience", {}).get("zne")}
    return found


report.emit()
