"""Issue [2 of 4]: primitive jobs against direct Aer and the stock client's local mode.

A SamplerV2 Bell job costs about 1.7 ms more than direct Aer: the pub is
coerced and ISA-checked on the client, validated and costed by the engine,
its params encoded (QPY and the parameter array) and stored with the result
in one write; Aer's per-shot memory becomes a BitArray (about 0.3 ms for 1024
shots) and the PrimitiveResult is encoded for the store. ``backend.run`` skips
the pub and BitArray work, hence its smaller overhead.
"""

from __future__ import annotations

import os
import tempfile
import warnings

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import real_amplitudes
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import EstimatorV2 as AerEstimatorV2

from bench.embedded import bell
from bench.timing import interleaved, print_latency_table


def main(repeats: int = 60) -> None:
    os.environ.setdefault("QRUNTIME_HOME", tempfile.mkdtemp(prefix="qruntime-bench-"))
    from qruntime import EstimatorV2, QiskitRuntimeService, SamplerV2

    service = QiskitRuntimeService(channel="local")
    ideal = service.backend("ibmq_qasm_simulator")
    circuit = transpile(bell(), backend=ideal)
    aer = AerSimulator()
    sampler = SamplerV2(mode=ideal)
    operations = {
        # Each row runs to the result object: turning a BitArray into counts is
        # Qiskit's own cost (about 1 ms for 1024 shots), the same for every sampler.
        "direct AerSimulator.run (Bell, 1024 shots), to result":
            lambda: aer.run(circuit, shots=1024).result(),
        "qruntime SamplerV2 job (Bell, 1024 shots), to result":
            lambda: sampler.run([circuit], shots=1024).result(),
        "qruntime backend.run job (Bell, 1024 shots), to result":
            lambda: ideal.run(circuit, shots=1024).result(),
    }
    stock = _stock_local_sampler(circuit)
    if stock is not None:
        operations["stock 0.51 local mode SamplerV2(mode=AerSimulator())"] = stock
    samples = interleaved(operations, repeats=repeats)
    names = list(samples)
    print_latency_table("SamplerV2 job latency, Bell", [samples[n] for n in names[1:]],
                        samples[names[0]], goal="SamplerV2 <= 1.3x direct Aer; stock ~3.7x")

    ansatz = real_amplitudes(4, reps=2)
    isa = transpile(ansatz, backend=ideal)
    observable = SparsePauliOp.from_list([("ZZII", 1.0), ("IXXI", 0.5), ("IIYY", 0.25)])
    values = np.random.default_rng(1).uniform(-np.pi, np.pi, (100, ansatz.num_parameters))
    precision = 0.01
    ours = EstimatorV2(mode=ideal)
    theirs = AerEstimatorV2(options={"default_precision": precision})
    samples = interleaved({
        "qiskit_aer.primitives.EstimatorV2, 100 parameter sets":
            lambda: theirs.run([(isa, observable, values)], precision=precision).result(),
        "qruntime EstimatorV2 job, 100 parameter sets":
            lambda: ours.run([(isa, observable, values)], precision=precision).result(),
    }, repeats=max(10, repeats // 3))
    names = list(samples)
    print_latency_table("EstimatorV2 job, 4-qubit ansatz x 100 parameter sets",
                        [samples[names[1]]], samples[names[0]], goal="<= 1.2x Aer's EstimatorV2")


def _stock_local_sampler(circuit: QuantumCircuit):  # type: ignore[no-untyped-def]
    try:
        from qiskit_ibm_runtime import SamplerV2 as StockSamplerV2
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stock = StockSamplerV2(mode=AerSimulator())

    def run() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return stock.run([circuit], shots=1024).result()

    return run


if __name__ == "__main__":
    main()
