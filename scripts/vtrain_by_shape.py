#!/usr/bin/env python3
"""vTrain single-node errors grouped by GPU count, micro-batch, hidden size and sequence length.

For one parallel plan (tensor, pipeline) of ../shared/reference/training/vtrain_a100_single_node.csv,
prints the median signed error of the predicted iteration time per (GPUs, micro-batch, hidden,
seq) group, optionally with the vTrain node profile's sustained_clock_fraction replaced. Run from the
repository root after a build, e.g. (about a minute each on 2 cores):

    /usr/bin/python3 scripts/vtrain_by_shape.py --tensor 1 --pipeline 1
    /usr/bin/python3 scripts/vtrain_by_shape.py --tensor 1 --pipeline 1 --clock 0.78
"""
import argparse
import collections
import csv
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit_training_calibration as fit  # noqa: E402  (shares the scenario and row builders)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensor", type=int, default=1)
    parser.add_argument("--pipeline", type=int, default=1)
    parser.add_argument("--clock", type=float, help="sustained_clock_fraction to use instead of the profile's")
    args = parser.parse_args()

    rows = list(csv.reader(open(os.path.join(fit.REF, "vtrain_a100_single_node.csv"))))[1:]
    cases = fit.vtrain_rows()
    chosen = [n for n, r in enumerate(rows) if int(r[7]) == args.tensor and int(r[9]) == args.pipeline]
    if not chosen:
        sys.exit("no vTrain rows with tensor %d, pipeline %d" % (args.tensor, args.pipeline))
    profile = (fit.profile_with("a100-vtrain-node", sustained_clock_fraction=args.clock) if args.clock
               else os.path.join(fit.ROOT, "calibration", "profiles", "a100-vtrain-node.yaml"))
    results = fit.run_vtrain([cases[n] for n in chosen], profile)
    groups = collections.defaultdict(list)
    for n, (_, predicted, measured) in zip(chosen, results):
        r = rows[n]
        groups[(int(r[0]), int(r[2]), int(r[3]), int(r[6]))].append((predicted - measured) / measured)
    print("TP%d PP%d%s" % (args.tensor, args.pipeline, " clock %.2f" % args.clock if args.clock else ""))
    print("%5s %5s %7s %6s %14s %5s" % ("GPUs", "micro", "hidden", "seq", "median error", "runs"))
    for key in sorted(groups):
        print("%5d %5d %7d %6d %+13.1f%% %5d" % (*key, 100 * statistics.median(groups[key]), len(groups[key])))


if __name__ == "__main__":
    main()
