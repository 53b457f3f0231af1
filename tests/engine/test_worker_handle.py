"""The worker handle: ending a worker from several threads at once is safe."""

from __future__ import annotations

import os
import threading

from qruntime.engine.worker import Worker


def _open_descriptors() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


def test_a_worker_killed_from_several_threads_at_once_closes_its_pipe_once() -> None:
    # The pool's close kills a busy worker while the thread waiting on it, seeing it
    # lost, kills it too: a second close of the pipe raised EBADF out of engine.close().
    before = _open_descriptors()
    errors: list[BaseException] = []
    for _ in range(10):
        worker = Worker()
        gate = threading.Barrier(6)

        def end(target: Worker = worker, barrier: threading.Barrier = gate) -> None:
            barrier.wait()
            try:
                target.kill()
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=end) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not worker.alive()
    assert errors == []
    assert _open_descriptors() <= before
