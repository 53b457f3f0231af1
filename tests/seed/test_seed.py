"""The seed document's examples, word for word but the imports, through both doors.

The blocks come from :mod:`seed.seed_document`; where the document is beside the
clone, the first tests check they are its blocks, word for word.
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

import pytest

from .seed_document import (
    CIRCUIT,
    EXAMPLE_2,
    EXAMPLE_3,
    EXAMPLE_4,
    IMPORTS,
    PROVIDER,
    RUNTIME,
    SEED_BLOCKS,
    document_blocks,
    qruntime_blocks,
)


def run_blocks(*indices: int) -> tuple[dict[str, Any], list[str]]:
    """Run the given blocks in one namespace, as a reader would; return it and the printed lines."""
    blocks = qruntime_blocks()
    namespace: dict[str, Any] = {"__name__": "__seed__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for index in indices:
            exec(compile(blocks[index], f"<seed block {index}>", "exec"), namespace)
    return namespace, out.getvalue().splitlines()


def assert_bell_counts(counts: dict[str, int], shots: int) -> None:
    """Counts of the seed's circuit: '00 00' and '11 00' at 1/2 each, within 5 sigma."""
    assert set(counts) <= {"00 00", "11 00"}, counts
    sigma = math.sqrt(shots * 0.25)
    for key in ("00 00", "11 00"):
        assert abs(counts.get(key, 0) - shots / 2) < 5 * sigma, counts


def test_the_blocks_here_are_the_documents_word_for_word() -> None:
    assert list(SEED_BLOCKS) == document_blocks()


def test_only_the_import_lines_change_for_qruntime() -> None:
    changed = [(old, new) for block, ours in zip(SEED_BLOCKS, qruntime_blocks())
               for old, new in zip(block.splitlines(), ours.splitlines()) if old != new]
    assert changed == list(IMPORTS)
    assert [len(b.splitlines()) for b in SEED_BLOCKS] == [
        len(b.splitlines()) for b in qruntime_blocks()]


def test_example_1_provider_snippet(seed_account: str) -> None:
    namespace, printed = run_blocks(CIRCUIT, PROVIDER)
    result = namespace["job"].result()
    assert_bell_counts(result.get_counts(), 4000)
    assert result.success
    assert printed and "Result(" in printed[0]
    assert namespace["job"].session_id is None


def test_example_1_runtime_snippet(seed_account: str) -> None:
    namespace, printed = run_blocks(CIRCUIT, RUNTIME)
    assert namespace["transpiled_circuit"] == namespace["circuit"]  # kept as written
    result = namespace["job"].result()
    assert_bell_counts(result.get_counts(), 4000)
    assert result.backend_name == "ibmq_qasm_simulator"
    assert namespace["job"].session_id is None  # outside any session


def test_example_2_backend_run_in_a_session(seed_account: str) -> None:
    namespace, printed = run_blocks(CIRCUIT, RUNTIME, EXAMPLE_2)
    job1, job2, session = namespace["job1"], namespace["job2"], namespace["session"]
    assert job1.session_id is not None
    assert job1.session_id == job2.session_id == session.session_id
    assert printed[-2:] == [job1.session_id, job2.session_id]
    assert namespace["backend"].session is None  # cancel_session dropped it
    assert session.details()["state"] == "closed"


def test_example_3_primitive_session_shares_backend_run(seed_account: str) -> None:
    namespace, printed = run_blocks(CIRCUIT, RUNTIME, EXAMPLE_3)
    job1, job2, session = namespace["job1"], namespace["job2"], namespace["session"]
    # The remediated behaviour: backend.run in the session's block joins it.
    assert job1.session_id == job2.session_id == session.session_id is not None
    assert printed[-2:] == [session.session_id, session.session_id]
    quasi = job1.result().quasi_dists[0]
    assert set(quasi) <= {0, 12}
    assert abs(quasi.get(0, 0) - 0.5) < 0.1
    assert_bell_counts(job2.result().get_counts(), 4000)


def test_example_4_backend_session_shares_sampler(seed_account: str) -> None:
    # Example 4 uses the Sampler that example 3 imported, as a reader runs them in order.
    namespace, printed = run_blocks(CIRCUIT, RUNTIME, EXAMPLE_3, EXAMPLE_4)
    job1, job2 = namespace["job1"], namespace["job2"]
    assert job1.session_id == job2.session_id == namespace["session_id"] is not None
    assert printed[-2:] == [job1.session_id, job2.session_id]
    assert_bell_counts(job2.result().get_counts(), 4000)


def test_outside_any_session_after_the_examples(seed_account: str) -> None:
    namespace, _ = run_blocks(CIRCUIT, RUNTIME, EXAMPLE_2, EXAMPLE_3)
    later = namespace["backend"].run(namespace["transpiled_circuit"], shots=100)
    assert later.session_id is None
    assert sum(later.result().get_counts().values()) == 100


def test_a_backend_session_lasts_until_cancel_session(seed_account: str) -> None:
    # As in qiskit-ibm-runtime: leaving the with block of open_session() does not end it.
    namespace, _ = run_blocks(CIRCUIT, RUNTIME, EXAMPLE_3, EXAMPLE_4)
    backend, circuit = namespace["backend"], namespace["transpiled_circuit"]
    assert backend.run(circuit, shots=10).session_id == namespace["session_id"]
    backend.cancel_session()
    assert backend.run(circuit, shots=10).session_id is None


@pytest.mark.parametrize("block", [EXAMPLE_2, EXAMPLE_3, EXAMPLE_4])
def test_session_jobs_are_listed_by_session(seed_account: str, block: int) -> None:
    namespace, _ = run_blocks(CIRCUIT, RUNTIME, *range(EXAMPLE_3, block + 1) if block > EXAMPLE_3 else [block])
    service = namespace["service"]
    session_id = namespace["job2"].session_id
    listed = {job.job_id() for job in service.jobs(session_id=session_id)}
    assert listed == {namespace["job1"].job_id(), namespace["job2"].job_id()}
