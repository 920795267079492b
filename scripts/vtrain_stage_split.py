#!/usr/bin/env python3
"""Splits vTrain's measured time per micro-batch into transformer layers and the rest.

For the TP1, 24-layer rows of ../shared/reference/training/vtrain_a100_single_node.csv, the time
per extra micro-batch (the slope of iteration time over micro-batches per GPU, at fixed GPUs,
plan and micro-batch) is, on the slowest pipeline stage, 24 l / p + H: l the forward, recompute
and backward of one layer, H the work that does not split over p stages (embedding, LM head,
loss). PP1 and PP4 give l and H; PP2 checks them. The same split of the simulated times (profile
a100-vtrain-node) shows where the model differs. `--tensor 2` does the same for the TP2 rows
(whose slopes at micro-batch 1-2 and at hidden 1024 are host-bound, not split). Run from the
repository root after a build (~20 s on 2 cores):

    /usr/bin/python3 scripts/vtrain_stage_split.py [--tensor 2]
"""
import argparse
import collections
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit_training_calibration as fit  # noqa: E402  (shares the scenario and row builders)


def slope(points):
    """Least-squares slope of time over micro-batches per GPU."""
    a = np.array([[1.0, m] for m, _ in points])
    return np.linalg.lstsq(a, np.array([t for _, t in points]), rcond=None)[0][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensor", type=int, default=1, choices=(1, 2), help="tensor-parallel degree of the rows")
    tensor = parser.parse_args().tensor
    rows = list(csv.reader(open(os.path.join(fit.REF, "vtrain_a100_single_node.csv"))))[1:]
    cases = fit.vtrain_rows()
    chosen = [n for n, r in enumerate(rows) if int(r[7]) == tensor and int(r[5]) == 24]
    profile = os.path.join(fit.ROOT, "calibration", "profiles", "a100-vtrain-node.yaml")
    results = fit.run_vtrain([cases[n] for n in chosen], profile)
    groups = collections.defaultdict(lambda: ([], []))
    for n, (_, predicted_s, measured_s) in zip(chosen, results):
        gpus, batch, micro, hidden, _, _, _, _, data, pipeline = map(int, rows[n][:10])
        per_gpu = batch // data // micro
        measured, model = groups[(micro, hidden, pipeline, data)]
        measured.append((per_gpu, 1e3 * measured_s))
        model.append((per_gpu, 1e3 * predicted_s))
    print("ms per micro-batch; l = one layer (forward, recompute, backward), H = the rest")
    print("%5s %6s | %-34s | %-34s" % ("micro", "hidden", "measured: l, H, PP2 (split / data)", "model: l, H, PP2 (split / sim)"))
    for micro in (2, 4):
        for hidden in (1024, 2048):
            cells = []
            for which in (0, 1):
                s = {p: np.mean([slope(v[which]) for k, v in groups.items() if k[:3] == (micro, hidden, p)])
                     for p in (1, 2, 4)}
                layer = (s[1] - s[4]) / 18
                rest = s[4] - 6 * layer
                cells.append("%5.2f %5.1f %6.1f / %6.1f" % (layer, rest, 12 * layer + rest, s[2]))
            print("%5d %6d | %-34s | %-34s" % (micro, hidden, cells[0], cells[1]))


if __name__ == "__main__":
    main()
