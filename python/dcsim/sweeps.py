"""dcsim.sweep(): many what-if runs of one scenario, in parallel, as one DataFrame.

    frame = dcsim.sweep("scenarios/1024gpu.yaml",
                        {"cluster.fabric.oversubscription": [1, 2, 4],
                         "jobs.0.parallelism.virtual_stages": [1, 2]}, workers=2)

The points are the cartesian product of a grid (dict of dotted key -> values) or an explicit list
of override dicts. Each point runs in its own simulation process; the frame has one row per point,
in point order: its override columns, then the result columns (Result.summary(), plus what
`metrics` adds), then ``error``: None, or why the point failed (the CLI's message for an invalid
point). A failed point keeps its row; a worker process that dies has its point run again.
"""
import functools
import os

from ._core import SimulationError
from .dask_runner import run_dask
from .local_pool import run_local
from .points import expand_points, override_columns
from .progress import progress_bar
from .scenario import Scenario, load


def run_point(scenario, overrides, metrics=None, fast_forward=True):
    """What a worker does for one point: a flat dict of result columns and ``error``."""
    try:
        # Checked by the run itself: loading it first as well would parse every point twice.
        result = scenario.override(overrides, validate=False).run(fast_forward=fast_forward)
        row = result.summary()
        if metrics is not None:
            row.update(metrics(result))
    except (ValueError, SimulationError) as error:
        return {"error": str(error)}
    except Exception as error:  # e.g. a bug in `metrics`: the point's error, not the sweep's
        return {"error": f"{type(error).__name__}: {error}"}
    row["error"] = None
    return row


def _frame(points, rows):
    import pandas

    frame = pandas.DataFrame([{**point, **row} for point, row in zip(points, rows)])
    leading = override_columns(points)
    results = [column for column in frame.columns if column not in leading and column != "error"]
    return frame.reindex(columns=leading + results + ["error"])


def _default_workers():
    return len(os.sched_getaffinity(0))


def sweep(scenario, points, *, workers=None, client=None, metrics=None, progress=True, max_attempts=3,
          fast_forward=True):
    """Runs every point of `points` on `scenario` and returns a pandas DataFrame, one row each.

    scenario: a path, dict or Scenario (checked before anything runs: ValueError if invalid).
    points: dict of dotted key -> list of values (cartesian product), or a list of override dicts.
    workers: local worker processes (default: one per CPU core); ignored with `client`.
    client: a dask.distributed.Client: run the points on its cluster instead.
    metrics: optional function(Result) -> dict of extra columns, run on the worker.
    progress: show a progress bar (tqdm if importable, else a counter on stderr).
    max_attempts: tries per point when the process running it dies (on Dask, the helper process;
        a dead Dask worker is Dask's to retry, see dask_runner.py).
    fast_forward: as in Scenario.run().
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts={max_attempts}; expected at least 1 try per point")
    base = scenario if isinstance(scenario, Scenario) else load(scenario)
    overrides = expand_points(points)
    task = functools.partial(run_point, base, metrics=metrics, fast_forward=fast_forward)
    if client is not None:
        outcomes = run_dask(client, task, overrides, max_attempts)
    else:
        outcomes = run_local(task, overrides, workers or _default_workers(), max_attempts)
    rows = [None] * len(overrides)
    bar = progress_bar(len(overrides), progress)
    try:
        for index, ok, value in outcomes:
            rows[index] = value if ok else {"error": value}
            bar.update()
    finally:
        outcomes.close()
        bar.close()
    return _frame(overrides, rows)
