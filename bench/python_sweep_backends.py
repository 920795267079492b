#!/usr/bin/env python3
"""The same 200-point sweep on 2 local workers and on a Dask LocalCluster of 2 worker processes.

    /usr/bin/python3 bench/python_sweep_backends.py [--build build] [--repeat 3]

The grid is the test suite's (python/tests/conftest.py): tensor x pipeline x global batch of
python/tests/scenarios/small-job.yaml, 200 small runs. Reports the median wall-clock of each
backend (the Dask cluster's start-up is not counted) and checks both return the same numbers.
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(ROOT, "python", "tests", "scenarios", "small-job.yaml")
GRID = {
    "jobs.0.parallelism.tensor": [1, 2, 4, 8],
    "jobs.0.parallelism.pipeline": [1, 2],
    "jobs.0.batch.global": [16 * k for k in range(1, 26)],
}


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory (default build/)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    os.environ["PYTHONPATH"] = os.pathsep.join([os.path.join(args.build, "python"), os.environ.get("PYTHONPATH", "")])
    import dcsim
    import distributed

    scenario = dcsim.load(SCENARIO)
    local = [timed(lambda: dcsim.sweep(scenario, GRID, workers=2, progress=False)) for _ in range(args.repeat)]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with distributed.Client(cluster) as client:
        on_dask = [timed(lambda: dcsim.sweep(scenario, GRID, client=client, progress=False))
                   for _ in range(args.repeat)]
    cluster.close()
    same = local[0][1].drop(columns="wall_clock_s").equals(on_dask[0][1].drop(columns="wall_clock_s"))
    print(f"{len(local[0][1])}-point sweep of {os.path.relpath(SCENARIO, ROOT)}, median of {args.repeat}")
    print("  2 local workers              %6.2f s" % statistics.median(t for t, _ in local))
    print("  Dask LocalCluster, 2 workers %6.2f s" % statistics.median(t for t, _ in on_dask))
    print("  identical numbers: %s" % ("yes" if same else "NO"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
