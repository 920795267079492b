"""Sweeps on a Dask cluster: the same tasks as the local workers, submitted to a
``dask.distributed.Client``, so a sweep grows past one machine without code changes.

Dask already does what the local workers do when a worker process dies: the scheduler runs the
lost tasks elsewhere and gives up on a task only after it has killed
``distributed.scheduler.allowed-failures`` workers (KilledWorker); that failure becomes the
point's error. The workers must be able to import dcsim (same PYTHONPATH or an installed copy)
and find its data directory (models/); the scenario itself travels as text.
"""
import uuid


def _failure(future):
    error = future.exception()
    return f"{type(error).__name__}: {error}"


def run_dask(client, function, arguments):
    """Yields (index, ok, value) for every argument, in completion order, like run_local."""
    from distributed import as_completed

    if not arguments:
        return
    batch = uuid.uuid4().hex
    keys = [f"dcsim-point-{batch}-{index}" for index in range(len(arguments))]
    futures = client.map(function, arguments, key=keys, pure=False)
    index_of = {future.key: index for index, future in enumerate(futures)}
    try:
        for future in as_completed(futures):
            index = index_of[future.key]
            if future.status == "finished":
                yield index, True, future.result()
            else:
                yield index, False, _failure(future)
            future.release()
    finally:
        client.cancel(futures)  # an interrupted sweep leaves nothing queued on the cluster
