"""User code runs once: a job sent to a worker process never re-runs the caller's script.

Each test runs a plain script, with no ``if __name__ == "__main__":`` guard (as
most scripts and IBM's guides are), the way users start Python: a file, ``-c``,
standard input and a Jupyter notebook. Its job is sent to a worker process
(the embedded runtime's cost limits are set so that every job goes there), and
the script's first line prints a marker that must appear exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MARKER = "SCRIPT-STARTED"
SCRIPT = f"""\
print("{MARKER}", flush=True)
from qiskit import QuantumCircuit
from qruntime import QiskitRuntimeService

service = QiskitRuntimeService(channel="local")
backend = service.backend("ibmq_qasm_simulator")
circuit = QuantumCircuit(3, 3)
circuit.h(0)
circuit.cx(0, 1)
circuit.cx(1, 2)
circuit.measure([0, 1, 2], [0, 1, 2])
job = backend.run(circuit, shots=500)
counts = job.result().get_counts()
print("COUNTS", sum(counts.values()), sorted(counts), flush=True)
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    variables = {k: v for k, v in os.environ.items()
                 if not k.startswith(("QRUNTIME_", "QISKIT_"))}
    return {**variables, "QRUNTIME_HOME": str(tmp_path / "home"), "HOME": str(tmp_path),
            # Every job to a worker process, none in the script's own process.
            "QRUNTIME_INLINE_COST_LIMIT": "0", "QRUNTIME_IMMEDIATE_COST_LIMIT": "-1"}


def check(output: str, home: Path) -> None:
    assert output.count(MARKER) == 1, output
    assert "COUNTS 500 ['000', '111']" in output, output
    assert "bootstrapping" not in output and "Traceback" not in output, output
    assert home.stat().st_mode & 0o777 == 0o700
    assert (home / "runtime.db").stat().st_mode & 0o777 == 0o600


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run(args, env=env, cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def test_an_unguarded_script_file_runs_once(tmp_path: Path, env: dict[str, str]) -> None:
    script = tmp_path / "hello.py"
    script.write_text(SCRIPT)
    check(run([sys.executable, str(script)], env, tmp_path), tmp_path / "home")


def test_python_dash_c_runs_once(tmp_path: Path, env: dict[str, str]) -> None:
    check(run([sys.executable, "-c", SCRIPT], env, tmp_path), tmp_path / "home")


def test_a_script_on_standard_input_runs_once(tmp_path: Path, env: dict[str, str]) -> None:
    check(run([sys.executable, "-"], env, tmp_path, stdin=SCRIPT), tmp_path / "home")


def test_a_notebook_runs_once(tmp_path: Path, env: dict[str, str]) -> None:
    notebook = tmp_path / "hello.ipynb"
    cells = [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {},
              "outputs": [], "source": SCRIPT}]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))
    executed = tmp_path / "executed.ipynb"
    runner = (
        "import nbformat, sys; from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=240, kernel_name='python3').execute()\n"
        "nbformat.write(nb, sys.argv[2])\n"
    )
    run([sys.executable, "-c", runner, str(notebook), str(executed)], env, tmp_path)
    outputs = json.loads(executed.read_text())["cells"][0]["outputs"]
    text = "".join("".join(o.get("text", "")) for o in outputs if o.get("output_type") == "stream")
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    check(text, tmp_path / "home")
