"""map_chunks: results in task order, here or in a pool; a dead worker is explained."""

from concurrent import futures

import pytest

from kgan.data import _parallel


def power(base, exponent):
    return base**exponent


class ThreadPool(futures.ThreadPoolExecutor):
    """Threads stand in for the spawned processes (no start-up cost)."""

    def __init__(self, max_workers, mp_context):
        assert mp_context.get_start_method() == "spawn"
        super().__init__(max_workers=max_workers)


def test_results_in_task_order(monkeypatch):
    tasks = [(base, 2) for base in range(7)]
    assert list(_parallel.map_chunks(power, tasks, 1, "numbers")) == [b * b for b in range(7)]
    monkeypatch.setattr(_parallel.futures, "ProcessPoolExecutor", ThreadPool)
    assert list(_parallel.map_chunks(power, tasks, 3, "numbers")) == [b * b for b in range(7)]


def test_a_dead_worker_is_explained(monkeypatch):
    class BrokenPool(ThreadPool):
        def map(self, *args, **kwargs):
            raise futures.process.BrokenProcessPool("gone")

    monkeypatch.setattr(_parallel.futures, "ProcessPoolExecutor", BrokenPool)
    with pytest.raises(RuntimeError, match="died before drawing its numbers.*__main__"):
        list(_parallel.map_chunks(power, [(1, 1), (2, 1)], 2, "numbers"))
