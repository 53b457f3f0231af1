"""IBM's cloud simulators: one ideal backend per Aer simulation method.

``ibmq_qasm_simulator`` lets Aer choose the method per circuit; its siblings,
which IBM offered for circuits beyond what a statevector holds, each run one
method, with the qubit limit and the basis gates IBM's configurations gave them
(those of Qiskit's standard gates; Aer-only instructions such as ``mcx`` or
``unitary`` cannot be named in a ``Target``):

==============================  =====  ========================  ==========================
backend                         qubits Aer method                what it simulates
==============================  =====  ========================  ==========================
``simulator_statevector``          32  ``statevector``           any circuit
``simulator_mps``                 100  ``matrix_product_state``  low-entanglement circuits
``simulator_stabilizer``         5000  ``stabilizer``            Clifford circuits only
``simulator_extended_stabilizer``  63  ``extended_stabilizer``   Clifford + few ``t``/``ccx``
==============================  =====  ========================  ==========================

All are all-to-all, noise-free, ``simulator: true``, with ``measure``,
``reset``, ``delay`` and control flow (but ``simulator_extended_stabilizer``:
Aer's method runs no control flow). ``simulator_stabilizer`` refuses a
non-Clifford gate at submission, naming it. Aer's stabilizer method measures
shot by shot, at a cost that grows about as n³: a 1,000-qubit GHZ state takes
about 0.1 s a shot on one core (200 qubits: 1 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from qruntime.backends.spec import BackendSpec
from qruntime.backends.target import IDEAL_GATES

if TYPE_CHECKING:
    from qruntime.backends.catalog import BackendEntry


@dataclass(frozen=True)
class SimulatorKind:
    """A kind of ideal simulator backend: an Aer method and the gates its target offers.

    Args:
        kind: The catalog kind (``"ideal"`` or the Aer method's name).
        method: The Aer method of the backend's simulator.
        gates: The target's gates (Qiskit standard gate names).
        clifford_only: Whether only Clifford gates can be simulated.
        control_flow: Whether the method runs control flow (``if_else``, loops, ...).
        summary: What it is, for the default description.
    """

    kind: str
    method: str
    gates: tuple[str, ...]
    clifford_only: bool
    summary: str
    control_flow: bool = True


_CLIFFORD_GATES = (
    "id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cy", "cz", "swap",
)  # fmt: skip

SIMULATOR_KINDS: dict[str, SimulatorKind] = {
    kind.kind: kind
    for kind in (
        SimulatorKind("ideal", "automatic", IDEAL_GATES, False, "ideal simulator, all-to-all"),
        SimulatorKind(
            "statevector", "statevector",
            ("u1", "u2", "u3", "u", "p", "r", "rx", "ry", "rz", "id", "x", "y", "z", "h",
             "s", "sdg", "sx", "sxdg", "t", "tdg", "swap", "cx", "cy", "cz", "csx", "cp",
             "cu", "cu1", "cu3", "rxx", "ryy", "rzz", "rzx", "ccx", "cswap"),
            False, "statevector simulator",
        ),
        SimulatorKind(
            "matrix_product_state", "matrix_product_state",
            ("u1", "u2", "u3", "u", "p", "cp", "cx", "cy", "cz", "id", "x", "y", "z", "h",
             "s", "sdg", "sx", "sxdg", "t", "tdg", "swap", "ccx", "r", "rx", "ry", "rz",
             "rxx", "ryy", "rzz", "rzx", "csx", "cswap"),
            False, "matrix product state simulator",
        ),
        SimulatorKind("stabilizer", "stabilizer", _CLIFFORD_GATES, True,
                      "stabilizer simulator, Clifford circuits only"),
        SimulatorKind(
            "extended_stabilizer", "extended_stabilizer",
            ("id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cz", "swap",
             "t", "tdg", "u1", "p", "ccx", "ccz"),
            False, "extended stabilizer simulator (Clifford+T)", control_flow=False,
        ),
    )
}  # fmt: skip


def simulator_spec(entry: BackendEntry, online_date: datetime) -> BackendSpec:
    """The spec of a simulator ``entry``: an ideal target over its kind's gates, no noise,
    an ``AerSimulator`` of its kind's method."""
    from qruntime.backends.document import configuration_document
    from qruntime.backends.target import ideal_target

    kind = SIMULATOR_KINDS[entry.kind]
    description = entry.description or f"{entry.num_qubits}-qubit {kind.summary}"
    return BackendSpec(
        name=entry.name,
        target=ideal_target(entry.num_qubits, kind.gates, description, kind.control_flow),
        is_simulator=True,
        description=description,
        # A simulator has no control hardware to fill: large sweeps fit in one job.
        max_experiments=10_000,
        simulation_method=kind.method,
        clifford_only=kind.clifford_only,
        configuration_dict=partial(configuration_document, online_date=online_date),
    )
