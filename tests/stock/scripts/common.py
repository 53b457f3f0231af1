"""Shared by the stock-client scripts: connection settings, the Bell circuit, the JSON report.

Runs under the stock virtual environments (Qiskit 1.4 and 2.x), never under
qruntime's own: it imports nothing of qruntime. Each script prints one line,
``STOCK-RESULT <json>``, that the tests parse; a scenario that raises is
reported with its error type, message and traceback instead of ending the script.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import warnings
from typing import Any, Callable

MARKER = "STOCK-RESULT "

#: Set by the tests: the server's base URL and an API token of an instance of its own.
URL = os.environ.get("QRT_URL", "")
TOKEN = os.environ.get("QRT_TOKEN", "")
#: A CRN for the ibm_quantum_platform channel: any value; the token decides the instance.
CRN = "crn:v1:qruntime:local:quantum-computing:local:a/qruntime:main::"

warnings.simplefilter("ignore", DeprecationWarning)


def bell() -> Any:
    """The seed's circuit: a Bell pair on 2 qubits, 2 clbits, then measure_all."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def bell_pair() -> Any:
    """A Bell pair with one register, ``meas``: what SamplerV2 scenarios run."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def wide_circuit(qubits: int = 24, layers: int = 3) -> Any:
    """Seconds of statevector simulation: a job that is still pending when cancelled."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(qubits)
    half = qubits // 2
    for layer in range(layers):
        for qubit in range(qubits):
            circuit.ry(0.1 + 0.01 * qubit + layer, qubit)
        for qubit in range(qubits - 1):
            circuit.cx(qubit, qubit + 1)
        # Each qubit entangled with its opposite: no small matrix product state either.
        circuit.cx(range(half), range(half, 2 * half))
    circuit.measure_all()
    return circuit


def unsimulable_circuit(qubits: int = 32) -> Any:
    """ISA on ibmq_qasm_simulator, but 32 entangled non-Clifford qubits need 64 GiB as a
    statevector and no exact cheaper method exists: refused when submitted."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(qubits)
    half = qubits // 2
    for _ in range(2):  # every qubit entangled with its neighbour and its opposite
        circuit.h(range(qubits))
        circuit.t(range(qubits))
        for qubit in range(qubits - 1):
            circuit.cx(qubit, qubit + 1)
        circuit.cx(range(half), range(half, qubits))
    circuit.measure_all()
    return circuit


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The type (with its bases) and message of what ``call`` raises."""
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the point is to report any of them
        return {"type": type(exc).__name__,
                "bases": [kind.__name__ for kind in type(exc).__mro__],
                "message": str(exc)}
    raise AssertionError(f"expected an error, got {value!r}")


def wait_until(predicate: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``predicate`` every 50 ms until it holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not hold in time")
        time.sleep(0.05)


def counts_of(pub_result: Any) -> dict[str, int]:
    """The counts of a SamplerV2 pub result's ``meas`` register."""
    return dict(pub_result.data.meas.get_counts())


class Report:
    """Scenario results, printed as one JSON line at the end."""

    def __init__(self) -> None:
        self.sections: dict[str, Any] = {}

    def scenario(self, function: Callable[[], Any]) -> Callable[[], Any]:
        """Run ``function`` now and keep what it returns (or how it failed) under its name."""
        started = time.perf_counter()
        try:
            value = function()
        except Exception as exc:  # noqa: BLE001
            value = {"__error__": f"{type(exc).__name__}: {exc}",
                     "traceback": traceback.format_exc()}
        if isinstance(value, dict):
            value.setdefault("__seconds__", round(time.perf_counter() - started, 3))
        self.sections[function.__name__] = value
        return function

    def emit(self) -> None:
        """Print the report line."""
        print(MARKER + json.dumps(self.sections, default=_plain), flush=True)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
