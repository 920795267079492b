"""Sweeps on a Dask cluster: the same points as the local workers, submitted to a
``dask.distributed.Client``, so a sweep grows past one machine without code changes.

A Dask worker is a large process (Dask, its event loop, pandas), and every simulation forks the
process that runs it, so each Dask task hands its point to a small dcsim.worker process
(worker_process.py) kept by the Dask worker thread for the tasks that follow: a run of
python/tests/scenarios/small-job.yaml costs about 40 ms there instead of 83-103 ms.

Deaths are retried at both levels: a helper that dies (the point killed it) is replaced and the
point tried again, up to `max_attempts` times; a Dask worker that dies has its tasks run
elsewhere by the scheduler, which gives up on a task only after it has killed
``distributed.scheduler.allowed-failures`` workers (KilledWorker). Either failure becomes the
point's error. The Dask workers must be able to import dcsim (same PYTHONPATH or an installed
copy) and find its data directory (models/); the scenario itself travels as text.
"""
import threading
import uuid

from .worker_process import WorkerProcess, death_message, serialise

_helpers = threading.local()  # on a Dask worker: each task thread's helper process


def _helper_for(serialised_task):
    helper = getattr(_helpers, "process", None)
    if helper is not None and (helper.serialised_task != serialised_task or helper.is_dead()):
        helper.stop()
        helper = None
    if helper is None:
        helper = _helpers.process = WorkerProcess(serialised_task)
    return helper


def run_in_helper(argument, serialised_task, max_attempts):
    """A Dask task: (ok, value) of the task function on `argument`, run in a helper process."""
    for deaths in range(1, max_attempts + 1):
        helper = _helper_for(serialised_task)
        helper.submit(0, argument)
        try:
            _, ok, value = helper.receive()
            return ok, value
        except (EOFError, OSError):
            cause = helper.death_cause()
            helper.stop()
            _helpers.process = None
    return False, death_message(cause, deaths)


def _failure(future):
    error = future.exception()
    return f"{type(error).__name__}: {error}"


def run_dask(client, function, arguments, max_attempts=3):
    """Yields (index, ok, value) for every argument, in completion order, like run_local."""
    from distributed import as_completed

    if not arguments:
        return
    batch = uuid.uuid4().hex
    keys = [f"dcsim-point-{batch}-{index}" for index in range(len(arguments))]
    futures = client.map(run_in_helper, arguments, serialised_task=serialise(function), max_attempts=max_attempts,
                         key=keys, pure=False)
    index_of = {future.key: index for index, future in enumerate(futures)}
    try:
        for future in as_completed(futures):
            index = index_of[future.key]
            if future.status == "finished":
                yield (index, *future.result())
            else:
                yield index, False, _failure(future)
            future.release()
    finally:
        client.cancel(futures)  # an interrupted sweep leaves nothing queued on the cluster
