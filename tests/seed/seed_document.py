"""The seed document's six code blocks, kept here so that the tests need nothing beside the repo.

:data:`SEED_BLOCKS` are the ``.. code-block:: python`` blocks of the migration
guide (``../shared/seed/migration-guide-backend-run.rst``), in document order,
dedented and otherwise exactly as written there: the seed-era stock clients run
them unchanged. :func:`qruntime_blocks` changes only their imports, for our
client: ``qiskit_ibm_runtime`` -> ``qruntime``, ``qiskit_ibm_provider`` ->
``qruntime.provider``, and ``assemble`` is dropped because Qiskit 2 removed it.

Where the document itself is beside the clone (as in CI), :func:`document_blocks`
reads its blocks so that a test can check these are they, word for word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "migration-guide-backend-run.rst"
ABSENT = "../shared/seed/ is not beside this clone; the word-for-word check runs in CI"

CIRCUIT, PROVIDER, RUNTIME, EXAMPLE_2, EXAMPLE_3, EXAMPLE_4 = range(6)

SEED_BLOCKS: tuple[str, ...] = (
    # Example 1: the circuit.
    """\
from qiskit import *
from qiskit.compiler import transpile, assemble
circuit = QuantumCircuit(2, 2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure_all()
""",
    # Example 1 in Provider.
    """\
from qiskit_ibm_provider import IBMProvider
provider = IBMProvider()
backend = provider.get_backend("ibmq_qasm_simulator")
transpiled_circuit = transpile(circuit, backend=backend)
job = backend.run(transpiled_circuit)
print(job.result())
""",
    # Example 1 in Runtime.
    """\
from qiskit_ibm_runtime import QiskitRuntimeService
service = QiskitRuntimeService(channel="ibm_quantum")
backend = service.backend("ibmq_qasm_simulator")
transpiled_circuit = transpile(circuit, backend=backend)
job = backend.run(transpiled_circuit)
print(job.result())
""",
    # Example 2: backend.run() within a session.
    """\
with backend.open_session() as session:
    job1 = backend.run(transpiled_circuit)
    job2 = backend.run(transpiled_circuit)
    print(job1.session_id)
    print(job2.session_id)
backend.cancel_session()
""",
    # Example 3: a primitive session containing backend.run.
    """\
from qiskit_ibm_runtime import Session, Sampler
with Session(backend=backend) as session:
    sampler = Sampler(session=session)
    job1 = sampler.run(transpiled_circuit)
    job2 = backend.run(transpiled_circuit) # runs outside the session
    print(job1.session_id)
    print(job2.session_id)  # is None
""",
    # Example 4: a backend session containing a Sampler.
    """\
with backend.open_session() as session:
    sampler = Sampler(backend=backend)
    job1 = sampler.run(transpiled_circuit)  # runs outside the session
    job2 = backend.run(transpiled_circuit)
    session_id = session.session_id
    print(job1.session_id)  # is None
    print(job2.session_id)
""",
)

#: The only changes our client needs: (seed line, qruntime line).
IMPORTS = (
    ("from qiskit.compiler import transpile, assemble", "from qiskit.compiler import transpile"),
    ("from qiskit_ibm_provider import IBMProvider", "from qruntime.provider import IBMProvider"),
    ("from qiskit_ibm_runtime import QiskitRuntimeService",
     "from qruntime import QiskitRuntimeService"),
    ("from qiskit_ibm_runtime import Session, Sampler", "from qruntime import Session, Sampler"),
)


def qruntime_blocks() -> list[str]:
    """The seed's blocks with their import lines changed for qruntime, and nothing else."""
    changed = dict(IMPORTS)
    return ["".join(changed.get(line, line) + "\n" for line in block.splitlines())
            for block in SEED_BLOCKS]


def document_blocks() -> list[str]:
    """The document's ``.. code-block:: python`` blocks, dedented; skips where it is absent."""
    if not SEED.is_file():
        pytest.skip(ABSENT)
    blocks = []
    for match in re.finditer(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", SEED.read_text()):
        lines = [line[4:] if line.startswith("    ") else line
                 for line in match.group(1).splitlines()]
        blocks.append("\n".join(lines).strip() + "\n")
    return blocks
