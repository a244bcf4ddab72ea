"""Chunks of work for dataset builders, run here or in spawned worker processes."""

import multiprocessing
from concurrent import futures


def map_chunks(function, tasks, workers, what):
    """Yields `function(*task)` for each task, in order.

    With `workers == 1` (or one task) the tasks run in this process; else in a
    pool of `workers` processes started with "spawn" (no fork of a process
    that may run JAX, TF or torch threads).

    Args:
        function: a module-level function (workers import it).
        tasks: a list of argument tuples.
        workers: int >= 1.
        what: what the tasks draw, for the error message ("avatars").

    Raises:
        RuntimeError: a worker process died (e.g. a script without an
            `if __name__ == "__main__":` guard).
    """
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            yield function(*task)
        return
    executor = futures.ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=multiprocessing.get_context("spawn"),
    )
    try:
        yield from executor.map(function, *zip(*tasks))
    except futures.BrokenExecutor as error:
        raise RuntimeError(
            f"A worker process of `workers={workers}` died before drawing its {what}. "
            "Worker processes are started with 'spawn', which re-imports the main "
            "script: guard its top level with `if __name__ == '__main__':` (a script "
            "read from stdin cannot be re-imported), or pass `workers=1`."
        ) from error
    finally:
        executor.shutdown(cancel_futures=True)
