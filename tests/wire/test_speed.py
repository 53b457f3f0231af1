"""The codec is on every job's path: a Bell circuit must cross it in well under 0.5 ms."""

from __future__ import annotations

import statistics
import time

from qruntime import wire


def test_bell_circuit_dumps_and_loads_quickly(bell):
    for _ in range(50):
        wire.loads(wire.dumps(bell))
    samples = []
    for _ in range(300):
        start = time.perf_counter()
        wire.loads(wire.dumps(bell))
        samples.append(time.perf_counter() - start)
    # About 40 us on the development machine; the bound leaves room for a busy CI box.
    assert statistics.median(samples) < 0.5e-3
