"""Timing helpers and the table every benchmark prints."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Sample:
    """Latencies of one measured operation, in seconds."""

    name: str
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1e3

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
        return ordered[index] * 1e3


def measure(name: str, operation: Callable[[], object], repeats: int = 60,
            warmup: int = 5) -> Sample:
    """Run ``operation`` ``warmup`` times unmeasured, then ``repeats`` times measured."""
    for _ in range(warmup):
        operation()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        operation()
        seconds.append(time.perf_counter() - start)
    return Sample(name, seconds)


def interleaved(operations: dict[str, Callable[[], object]], repeats: int = 60,
                warmup: int = 5) -> dict[str, Sample]:
    """Measure several operations in turns, so drift on the machine hits all alike."""
    for operation in operations.values():
        for _ in range(warmup):
            operation()
    samples = {name: Sample(name, []) for name in operations}
    for _ in range(repeats):
        for name, operation in operations.items():
            start = time.perf_counter()
            operation()
            samples[name].seconds.append(time.perf_counter() - start)
    return samples


def print_latency_table(title: str, samples: list[Sample], baseline: Sample,
                        goal: str = "") -> None:
    """Median, p90, p99 of each sample and its median's ratio to the baseline's."""
    print(f"\n## {title}" + (f"  (goal: {goal})" if goal else ""))
    print(f"{'what':52s} {'median ms':>10s} {'p90 ms':>9s} {'p99 ms':>9s} {'x baseline':>11s}")
    for sample in [baseline, *samples]:
        ratio = sample.median_ms / baseline.median_ms
        print(f"{sample.name:52s} {sample.median_ms:10.3f} {sample.percentile_ms(0.9):9.3f} "
              f"{sample.percentile_ms(0.99):9.3f} {ratio:10.2f}x")


def print_rate_table(title: str, rates: dict[str, float], baseline: str, unit: str,
                     goal: str = "") -> None:
    """Rates (higher is better) and each one's ratio to the baseline's."""
    print(f"\n## {title}" + (f"  (goal: {goal})" if goal else ""))
    print(f"{'what':52s} {unit:>14s} {'x baseline':>11s}")
    for name, rate in rates.items():
        print(f"{name:52s} {rate:14.1f} {rate / rates[baseline]:10.2f}x")
