"""The seed document's code blocks, read from the document itself.

Only the imports change: ``qiskit_ibm_runtime`` -> ``qruntime``,
``qiskit_ibm_provider`` -> ``qruntime.provider``, and ``assemble`` is dropped
because Qiskit 2 removed it.
"""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "migration-guide-backend-run.rst"

_IMPORTS = (
    ("from qiskit.compiler import transpile, assemble", "from qiskit.compiler import transpile"),
    ("from qiskit_ibm_provider import", "from qruntime.provider import"),
    ("from qiskit_ibm_runtime import", "from qruntime import"),
)


def code_blocks(path: Path = SEED) -> list[str]:
    """Every ``.. code-block:: python`` of the document, dedented, imports changed."""
    text = path.read_text()
    blocks = []
    for match in re.finditer(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text):
        lines = [line[4:] if line.startswith("    ") else line for line in
                 match.group(1).splitlines()]
        block = "\n".join(lines).strip() + "\n"
        for old, new in _IMPORTS:
            block = block.replace(old, new)
        blocks.append(block)
    return blocks
