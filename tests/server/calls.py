"""Calls the server tests make: job bodies built with the wire codec, submit, wait, errors."""

from __future__ import annotations

from typing import Any

import httpx
from qiskit import QuantumCircuit

from qruntime import wire

SIMULATOR = "ibmq_qasm_simulator"


def bell_circuit() -> QuantumCircuit:
    """A Bell pair measured into 2 clbits: ISA on the ideal simulator."""
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def wide_circuit(qubits: int = 24, layers: int = 3) -> QuantumCircuit:
    """A non-Clifford circuit (no stabilizer shortcut): seconds of statevector simulation."""
    circuit = QuantumCircuit(qubits, qubits)
    half = qubits // 2
    for layer in range(layers):
        for qubit in range(qubits):
            circuit.ry(0.1 + 0.01 * qubit + layer, qubit)
        for qubit in range(qubits - 1):
            circuit.cx(qubit, qubit + 1)
        # Each qubit entangled with its opposite: no small matrix product state either.
        circuit.cx(range(half), range(half, 2 * half))
    circuit.measure(range(qubits), range(qubits))
    return circuit


def job_body(program_id: str = "circuit-runner", params: Any = None,
             backend: str = SIMULATOR, **fields: Any) -> str:
    """A ``POST /jobs`` body, params envelope-encoded as the clients send them."""
    if params is None:
        params = {"circuits": [bell_circuit()], "shots": 1000}
    return wire.dumps({"program_id": program_id, "backend": backend, "params": params,
                       **fields})


def submit(client: httpx.Client, body: str | None = None) -> str:
    """Submit ``body`` (a Bell circuit-runner job by default) and return the job id."""
    response = client.post("/runtime/jobs", content=body or job_body())
    assert response.status_code == 200, response.text
    job_id: str = response.json()["id"]
    return job_id


def wait_final(client: httpx.Client, job_id: str, timeout: float = 30) -> dict[str, Any]:
    """The job's document once final, through the long-poll."""
    response = client.get(f"/runtime/jobs/{job_id}/wait", params={"timeout": timeout})
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    assert document["state"]["status"] in ("Completed", "Failed", "Cancelled"), document
    return document


def error_of(response: httpx.Response, status: int) -> str:
    """The message of an error answer, after checking its status and shape."""
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"], error
    message: str = error["message"]
    return message
