#!/usr/bin/env python3
"""What driving dcsim from Python costs over the CLI: the same runs, both ways.

    /usr/bin/python3 bench/python_overhead.py [--build build] [--runs 100] [--repeat 3]

Runs one small scenario (scenarios/memory-recompute.yaml, 32 GPUs) `--runs` times with seeds
1..N: once as `dcsim.sweep(...)` returning a DataFrame, once as that many
`build/dcsim run SCENARIO --set seed=N --json F --quiet` processes whose JSON files are read back.
Both sequentially (1 worker / 1 process at a time) and with 2 at a time (2 sweep workers / 2
concurrent processes). Each timing is the median of `--repeat` rounds. Target (issue 6): Python
costs no more than 10 % over the CLI.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(ROOT, "scenarios", "memory-recompute.yaml")
TARGET_OVERHEAD = 0.10


def cli_runs(cli, seeds, parallel):
    """Seconds to run every seed through the CLI, `parallel` processes at a time."""
    with tempfile.TemporaryDirectory() as out:
        def one(seed):
            path = os.path.join(out, f"{seed}.json")
            subprocess.run([cli, "run", SCENARIO, "--set", f"seed={seed}", "--json", path, "--quiet"],
                           check=True, cwd=ROOT)
            with open(path) as file:
                return json.load(file)

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            results = list(pool.map(one, seeds))
        elapsed = time.perf_counter() - start
    assert len(results) == len(seeds)
    return elapsed


def python_runs(dcsim, seeds, workers):
    """Seconds for dcsim.sweep over the seeds on `workers` local workers."""
    start = time.perf_counter()
    frame = dcsim.sweep(SCENARIO, {"seed": seeds}, workers=workers, progress=False)
    elapsed = time.perf_counter() - start
    assert len(frame) == len(seeds) and frame["error"].isna().all(), frame["error"].dropna().head()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory (default build/)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import dcsim

    cli = os.path.join(args.build, "dcsim")
    seeds = list(range(1, args.runs + 1))
    print(f"{args.runs} runs of {os.path.relpath(SCENARIO, ROOT)}, median of {args.repeat}")
    print("%-22s %10s %12s %10s" % ("mode", "CLI", "Python", "overhead"))
    ok = True
    for parallel in (1, 2):
        cli_s = statistics.median(cli_runs(cli, seeds, parallel) for _ in range(args.repeat))
        python_s = statistics.median(python_runs(dcsim, seeds, parallel) for _ in range(args.repeat))
        overhead = python_s / cli_s - 1
        ok = ok and overhead <= TARGET_OVERHEAD
        label = "sequential" if parallel == 1 else f"{parallel} at a time"
        print("%-22s %8.2f s %10.2f s %+9.1f%%%s" % (label, cli_s, python_s, 100 * overhead,
                                                      "" if overhead <= TARGET_OVERHEAD else "  MISSED"))
    print("target: Python at most %+.0f%% over the CLI: %s" % (100 * TARGET_OVERHEAD, "met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
