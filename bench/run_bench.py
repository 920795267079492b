#!/usr/bin/env python3
"""Wall-clock and peak-memory benchmark of whole `dcsim run` invocations.

    /usr/bin/python3 bench/run_bench.py [--repeat N]

Each case runs N times (default 3) as a child process; the report gives the median wall-clock
time and the peak resident memory (ru_maxrss of the child). Targets from the issues: a whole run
of the 1,024-GPU scenario under 1 s and of the 16,384-GPU one under 10 s; building, routing and
analysing (`dcsim topology`: bisection by max-flow, hop statistics, a route per GPU) a
16,384-GPU fat-tree under 5 s and a 65,536-GPU one under 30 s; a 16,384-GPU all-reduce of 1 GiB
under 1 s and a `dcsim collective` sweep from 8 B to 8 GiB on 1,024 GPUs under 5 s; peak memory
under 2 GiB. Months of training with failures and checkpoints (no issue sets a target yet; the
brief asks that months of simulated time stay cheap): a month on 1,024 GPUs under 1 s, 54 days
on 16,384 GPUs under 10 s. A training run on 65,536 GPUs gets the 65,536-GPU topology's 30 s. Context and expert parallelism and asynchronous checkpoints get the
targets of runs of their size. A month that writes a checkpoint after each of its 280,000
iterations (each write simulated on the fabric, the iterations between them fast-forwarded) gets
5 s; before stop 18 every one of those iterations was simulated, about 3 hours. The Philly trace
replayed with quotas per virtual cluster (and with preemption taking lent GPUs back) gets the
trace's 10 s.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [
    ("run 1,024 GPUs (scenarios/1024gpu.yaml)", "run", "scenarios/1024gpu.yaml", 1.0),
    ("run 16,384 GPUs (scenarios/bench/16k-gpu.yaml)", "run", "scenarios/bench/16k-gpu.yaml", 10.0),
    ("topology 16,384 GPUs (3-tier fat-tree)", "topology", "scenarios/bench/16k-gpu.yaml", 5.0),
    ("topology 65,536 GPUs (3-tier fat-tree)", "topology", "scenarios/bench/65k-gpu.yaml", 30.0),
    ("collective all-reduce 1 GiB on 16,384 GPUs", "collective",
     "--cluster scenarios/bench/16k-gpu.yaml --op allreduce --gpus 16384 --bytes 1GiB", 1.0),
    ("collective all-reduce 1 GiB on 16,384 GPUs, adaptive routing", "collective",
     "--cluster scenarios/bench/16k-gpu.yaml --op allreduce --gpus 16384 --bytes 1GiB "
     "--set cluster.fabric.routing=adaptive", 1.0),
    ("collective sweep 8 B-8 GiB on 1,024 GPUs", "collective",
     "--cluster scenarios/1024gpu.yaml --op allreduce --gpus 1024 --min-bytes 8 --max-bytes 8GiB", 5.0),
    ("run a month, 1,024 GPUs, failures + checkpoints", "run", "scenarios/failures-checkpoint.yaml", 1.0),
    ("run 54 days, 16,384 GPUs, failures + checkpoints", "run",
     "scenarios/validation/llama3-405b-16k.yaml --set jobs.0.iterations=668000", 10.0),
    ("run 82,247 Philly trace jobs + a 128-GPU training job (scheduler)", "run",
     "scenarios/scheduler-philly.yaml", 10.0),
    ("run the Philly trace with demand quotas per virtual cluster (fifo)", "run",
     "scenarios/scheduler-philly.yaml --set scheduler.quotas=demand", 10.0),
    ("run the Philly trace under least attained service (las: preemptive, 64 nodes)", "run",
     "scenarios/scheduler-philly.yaml --set cluster.nodes=64 --set scheduler.policy=las", 10.0),
    ("run the Philly trace under Slurm's multifactor priority with backfilling (64 nodes)", "run",
     "scenarios/scheduler-philly.yaml --set cluster.nodes=64 --set scheduler.policy=multifactor", 10.0),
    # A conservative plan books up to 500 waiting jobs at each of ~90,000 decisions (it stops once
    # no node has room now for the smallest and shortest of the jobs left).
    ("run the Philly trace under conservative backfilling (500-deep plans, 64 nodes)", "run",
     "scenarios/scheduler-philly.yaml --set cluster.nodes=64 --set scheduler.policy=conservative_backfill", 10.0),
    ("run the Philly trace, demand quotas, lent GPUs taken back by preemption (first fit, 96 nodes)", "run",
     "scenarios/scheduler-philly.yaml --set cluster.nodes=96 --set scheduler.policy=first_fit "
     "--set scheduler.quotas=demand --set scheduler.quota_borrowing=true "
     "--set scheduler.preemption.restart=1min --set scheduler.preemption.checkpoint_interval=1h", 10.0),
    # Multi-node trace jobs load a 4:1 fabric (scheduler.trace_traffic); each start or stop of a
    # load makes the training job simulate again, and the loads keep its phases off the solo path.
    ("run the Philly trace with its multi-node jobs' traffic on a 4:1 fabric (topology-aware)", "run",
     "scenarios/scheduler-philly.yaml --set cluster.fabric.oversubscription=4 --set scheduler.placement=topology_aware "
     "--set scheduler.trace_traffic.gradient=1GB --set scheduler.trace_traffic.iteration=1s", 15.0),
    # The same with stretch on nodes of one 100G NIC, where placement slows the trace's own jobs:
    # the stretched loads freeze while the training job fast-forwards (engine/trace_traffic.hpp).
    ("run the Philly trace with stretched trace jobs on one 100G NIC per node (topology-aware)", "run",
     "scenarios/scheduler-philly.yaml --set cluster.fabric.oversubscription=4 --set scheduler.placement=topology_aware "
     "--set cluster.node.nics.count=1 --set cluster.node.nics.bandwidth=100Gb/s "
     "--set scheduler.trace_traffic.gradient=4GB --set scheduler.trace_traffic.iteration=1s "
     "--set scheduler.trace_traffic.stretch=true", 20.0),
    # Eight jobs sharing a 2:1 fabric, each checkpointing on its own clock for two days: after
    # every write all of them re-measure their steady state (engine/steady_state.hpp, job_shifted).
    ("run eight 16-GPU jobs checkpointing every 30-79 min for two days (fast-forwarded)", "run",
     "scenarios/bench/eight-jobs-checkpoints.yaml", 30.0),
    ("run GPT-3 175B's 300B tokens, energy and cost", "run", "scenarios/energy-cost.yaml", 1.0),
    ("run 16,384 GPUs at 128K tokens, context parallel 16", "run",
     "scenarios/validation/llama3-405b-pretrain.yaml --set jobs.0.parallelism.context=16 "
     "--set jobs.0.parallelism.data=8 --set jobs.0.model.seq_len=131072 --set jobs.0.batch.global=128", 10.0),
    ("run Mixtral 8x7B on 64 GPUs, expert parallel 8", "run", "scenarios/moe-experts.yaml", 1.0),
    ("run a month, 1,024 GPUs, asynchronous checkpoints", "run",
     "scenarios/failures-checkpoint.yaml --set jobs.0.checkpoint.async=true", 1.0),
    ("run a month, 1,024 GPUs, a checkpoint after every iteration", "run",
     "scenarios/failures-checkpoint.yaml --set jobs.0.checkpoint.interval=1s", 5.0),
    # 47 failures, one spare node repaired in 3 days: 30 elastic runs (training on 15 of 16
    # replicas while the spare is out), each in stretches saved at the checkpoint interval.
    ("run 110 days, 1,024 GPUs, one spare node, elastic runs while it is out", "run",
     "scenarios/failures-checkpoint.yaml --set jobs.0.iterations=1000000 --set failures.spare_nodes=1 "
     "--set failures.repair=3d --set failures.elastic=true", 1.0),
    # 200 allocations of 4 hours, each killed at its limit and requeued: the requeued runs, on the
    # same GPUs and alone, take the first run's simulated iterations (engine/run_memo.hpp).
    ("run a month, 1,024 GPUs, in 4-hour Slurm allocations (200 requeues)", "run",
     "scenarios/failures-checkpoint.yaml --set scheduler.policy=fifo --set jobs.0.time_limit=4h", 5.0),
    ("run DeepSeek-V3 on 2,048 GPUs, expert parallel 64 over 8 nodes (1 iteration)", "run",
     "scenarios/bench/deepseek-v3-2048.yaml", 10.0),
    ("run Llama 3 405B on 65,536 GPUs, TP8 PP16 (v=8) DP512", "run", "scenarios/bench/65k-gpu-llama3.yaml", 30.0),
    # 108 plans: 32 simulated (each a 1,024-GPU run in a process of its own, one per core), 56 skipped
    # (a plan of the same split that recomputes less fits), 20 rejected by the checker.
    ("plan GPT-3 175B on 1,024 GPUs, TP 4-8 x PP 8-16, every micro-batch, interleaving, recompute", "plan",
     "scenarios/1024gpu.yaml --tensor 4,8 --pipeline 8,16", 20.0),
]


def run_once(command, arguments):
    """`arguments` is a scenario path, or (for collective) the command line after the command."""
    words = arguments.split()
    args = words if command == "collective" else [os.path.join(ROOT, words[0])] + words[1:]
    start = time.perf_counter()
    proc = subprocess.Popen([os.path.join(ROOT, "build", "dcsim"), command] + args, stdout=subprocess.DEVNULL,
                            cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit("dcsim failed on " + arguments)
    return elapsed, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("%-48s %12s %14s %8s" % ("case", "wall-clock", "peak memory", "target"))
    ok = True
    for label, command, scenario, target in CASES:
        runs = [run_once(command, scenario) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        met = wall < target and peak < 2 * 1024**3
        ok = ok and met
        print("%-48s %10.3f s %10.0f MiB %6.0f s %s" % (label, wall, peak / 1024**2, target, "" if met else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
