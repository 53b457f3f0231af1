"""Running several jobs of a batch as one program run, and splitting the result.

Jobs of a ``Batch`` session that share a program, a backend and their options
can run as one simulator call: their pubs (or circuits) are concatenated, run
once, and the result is cut back into one result per job. Jobs whose options
differ are not combined; the caller runs them one by one.

Only payloads whose result splits cleanly by position are combined:
``circuit-runner`` jobs (circuits -> experiment results) and V2 ``sampler`` and
``estimator`` jobs (pubs -> pub results). V1 primitives run one by one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Params = Mapping[str, Any]
Split = Callable[[Any], list[Any]]


def combine(program_id: str, jobs: Sequence[Params]) -> tuple[dict[str, Any], Split] | None:
    """One params dict running every job of ``jobs``, and how to split its result.

    Returns:
        ``None`` when the jobs cannot share one run (different options, V1
        payloads, a single job).
    """
    if len(jobs) < 2 or any(_seeded(p) for p in jobs):
        # Aer offsets the seed per experiment: a seeded job must run alone to give
        # the counts its seed pins.
        return None
    if program_id in ("circuit-runner", "qasm3-runner"):
        return _combine(jobs, "circuits", _split_runner_result)
    if program_id in ("sampler", "estimator") and all(_is_v2(p) for p in jobs):
        return _combine(jobs, "pubs", _split_primitive_result)
    return None


def _combine(jobs: Sequence[Params], key: str,
             splitter: Callable[[Any, list[int]], list[Any]]) -> tuple[dict[str, Any], Split] | None:
    rest = [{k: v for k, v in params.items() if k != key} for params in jobs]
    if any(not _same(rest[0], other) for other in rest[1:]):
        return None
    parts = [_as_list(params.get(key)) for params in jobs]
    if any(part is None for part in parts):
        return None
    sizes = [len(part) for part in parts]  # type: ignore[arg-type]
    merged = dict(rest[0])
    merged[key] = [item for part in parts for item in part]  # type: ignore[union-attr]
    return merged, lambda result: splitter(result, sizes)


def _split_runner_result(result: Any, sizes: list[int]) -> list[Any]:
    pieces = []
    start = 0
    for size in sizes:
        piece = copy.copy(result)
        piece.results = result.results[start:start + size]
        pieces.append(piece)
        start += size
    return pieces


def _split_primitive_result(result: Any, sizes: list[int]) -> list[Any]:
    from qiskit.primitives import PrimitiveResult

    pub_results = list(result)
    pieces = []
    start = 0
    for size in sizes:
        pieces.append(PrimitiveResult(pub_results[start:start + size],
                                      metadata=dict(result.metadata)))
        start += size
    return pieces


def _seeded(params: Params) -> bool:
    if params.get("seed_simulator") is not None:
        return True
    simulator = (params.get("options") or {}).get("simulator") or {}
    return isinstance(simulator, Mapping) and simulator.get("seed_simulator") is not None


def _is_v2(params: Params) -> bool:
    return params.get("version") == 2 or "pubs" in params


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    return None


def _same(first: Any, second: Any) -> bool:
    """Structural equality that tolerates numpy arrays inside option values."""
    try:
        equal = first == second
        return bool(equal)
    except ValueError:  # an array compared element-wise
        import numpy as np

        if isinstance(first, dict) and isinstance(second, dict):
            return first.keys() == second.keys() and all(
                _same(first[k], second[k]) for k in first)
        return bool(np.array_equal(first, second))


__all__ = ["combine"]
