#!/usr/bin/python3
"""Fits the NCCL protocol parameters of a GPU profile's `communication:` block to nccl-tests
all-reduce logs of one cluster (default: the Echo Azure ND A100 v4 logs, 2-16 GPUs).

The model is dcsim's own uncontended cost for that cluster (8 GPUs per NVLink domain, one NIC per
GPU, 1 us NVLink route, 3.2 us network route as `dcsim collective --bytes 8` shows): for each
candidate (ring; tree when the group spans nodes) x (LL, LL128, Simple),
    time = base + k x channel latency + steps x (route + step [+ network step])
           + busiest link bytes / (rate x k / 24),
where k is the number of its 24 channels NCCL runs the operation on (sim/collectives/
nccl_channels.hpp: fewer for small messages, by NCCL's per-thread thresholds), and the tuner's
choice is the fastest. Parameters are fitted by minimising a high-order norm of the relative
error, each point scaled by its acceptance bound (10% from 1 MiB, 25% from 64 KiB, 25% below),
with physical bounds (LL at most half and LL128 at most 120/128 of Simple's rate, the data their
lines carry), after a global search (differential evolution, seeded: the result is reproducible).

Usage: scripts/fit_nccl_protocols.py [LOG_DIR]     (prints the profile block and the errors)
"""
import glob
import os
import re
import sys

import numpy as np
from scipy.optimize import differential_evolution, minimize

LOG_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), '..', '..', 'shared', 'reference', 'collectives', 'echo_azure_ndv4_a100')
NVLINK_BPS, NIC_BPS, PER_NODE = 300e9, 25e9, 8
ROUTE_NVLINK_US, ROUTE_NET_US = 1.0, 3.2


def load(path):
    rows = []
    for line in open(path):
        f = re.sub(r'^\[\d+,\d+\]<stdout>:', '', line).split()
        if len(f) >= 8 and f[0].isdigit():
            rows.append((int(f[0]), float(f[4]) * 1e-6))
    return np.array(rows)


# NCCL runs an operation on fewer of the communicator's channels when it is small (enqueue.cc:
# one channel per threads x threshold bytes; the ring's LL threshold is multiplied by the ranks;
# "threadThresholds 8/8/64 | 32/8/64" in a 4-rank NCCL_DEBUG log, NVIDIA/nccl issue #1189), each
# channel in use costing LL a fixed time.
CHANNELS = 24  # an HGX A100's ring channels (nccl-tests issue #100: "Channel 23/24")
THREADS, THRESHOLD = (512, 640, 512), (8, 8, 64)


def channels_in_use(k, ranks, S):
    per_channel = THREADS[k] * THRESHOLD[k] * (ranks if k == 0 else 1)
    return np.clip(np.ceil(S / per_channel), 1, CHANNELS)


def candidates(p, n, S):
    up, out, net_step, tree_eff, ll_channel = p[9:14]
    for k, proto in enumerate(('LL', 'LL128', 'Simple')):
        base, step, eff = p[3 * k:3 * k + 3]
        nc = channels_in_use(k, n, S)
        ring_eff = eff * nc / CHANNELS
        ring_base = base + (ll_channel * nc if k == 0 else 0)
        if n <= PER_NODE:
            lat = ring_base + 2 * (n - 1) * (ROUTE_NVLINK_US + step)
            yield 'ring/' + proto, lat * 1e-6 + 2 * (n - 1) / n * S / (NVLINK_BPS * up * ring_eff)
            continue
        nodes, k_ch = n // PER_NODE, PER_NODE
        nv, net = ROUTE_NVLINK_US + step, ROUTE_NET_US + step + net_step
        wire = 2 * (n - 1) / n * S / k_ch  # per channel edge
        lat = ring_base + 2 * (n - 1) / n * ((n - nodes) * nv + nodes * net)
        yield 'ring/' + proto, lat * 1e-6 + np.maximum((k_ch - 1) * wire / (NVLINK_BPS * up * ring_eff),
                                                       wire / (NIC_BPS * out * ring_eff))
        depth = int(np.ceil(np.log2(nodes + 1))) - 1 if nodes > 1 else 0
        tc = channels_in_use(k, 1, S)  # the tree's LL threshold does not grow with the ranks
        teff = eff * tc / CHANNELS
        lat = base + (ll_channel * tc if k == 0 else 0) + 2 * ((k_ch - 1) * nv + max(depth, 1) * net)
        yield "tree/" + proto, lat * 1e-6 + np.maximum(2 * (k_ch - 1) / k_ch * S / (NVLINK_BPS * up * teff * tree_eff),
                                                       S / k_ch / (NIC_BPS * out * teff * tree_eff))


def predict(p, n, S):
    c = list(candidates(p, n, S))
    times = np.array([t for _, t in c])
    return times.min(axis=0), [c[i][0] for i in times.argmin(axis=0)]


def main():
    data = {}
    for path in sorted(glob.glob(os.path.join(LOG_DIR, '*.log'))):
        n = int(re.search(r'(\d+)gpu', path).group(1))
        if n > 1:
            data[n] = load(path)
    lo = np.array([0, 0.0, 0.005] * 2 + [0, 0, 1.0] + [0.4, 0.4, 0, 0.2, 0])
    # Efficiencies relative to Simple's: LL's 16-byte lines carry 8 bytes of data, LL128's 128 carry 120.
    hi = np.array([200, 20, 0.5, 200, 20, 0.9375, 200, 20, 1.0, 1, 1, 20, 1.0, 10])

    def normalised_errors(p):
        out = []
        for n, d in data.items():
            S, t = d[:, 0].astype(float), d[:, 1]
            e = np.abs(t / predict(p, n, S)[0] - 1)
            out.append(np.where(S >= 1 << 20, e / 0.10, e / 0.25))
        return np.concatenate(out)

    def score(p):
        p = np.clip(p, lo, hi)
        return np.mean(normalised_errors(p) ** 12) ** (1 / 12)

    # A global search first (the protocols' ranges trade off against each other), then polishing.
    x = differential_evolution(score, list(zip(lo, hi)), seed=1, maxiter=600, popsize=30, tol=1e-8,
                               polish=False).x
    for _ in range(8):
        x = np.clip(minimize(score, x, method='Nelder-Mead',
                             options={'maxiter': 30000, 'xatol': 1e-7, 'fatol': 1e-10, 'adaptive': True}).x, lo, hi)
    simple = x[8]
    print('communication:')
    print('  scale_up_efficiency: %.3f' % (x[9] * simple))
    print('  scale_out_efficiency: %.3f' % (x[10] * simple))
    print('  tree_efficiency: %.2f' % x[12])
    print('  channels: %d' % CHANNELS)
    print('  protocols:')
    for k, name in enumerate(('ll', 'll128', 'simple')):
        print('    %s: {base_latency: %.1fus, step_latency: %.2fus, network_step_latency: %.1fus, efficiency: %.3f%s}'
              % (name, x[3 * k], x[3 * k + 1], x[11], x[3 * k + 2] / simple,
                 ', channel_latency: %.2fus' % x[13] if k == 0 else ''))
    print('# score %.3f (the 12-norm of the errors over their bounds)' % score(x))
    print('# busbw error (prediction/measurement - 1) and the chosen algorithm/protocol')
    for n, d in data.items():
        S, t = d[:, 0], d[:, 1]
        pred, choice = predict(x, n, S.astype(float))
        print('# %2d GPUs: ' % n + ' '.join('%d:%+.0f%%' % (s, 100 * (m / q - 1)) for s, m, q in zip(S, t, pred) if s >= 65536))


if __name__ == '__main__':
    main()
