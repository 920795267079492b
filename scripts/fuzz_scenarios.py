#!/usr/bin/python3
"""Mutation fuzzing of scenario files: what the brief promises for bad input, checked at random.

Each case takes a shipped scenario, applies one to three random mutations (delete a key, rename
it, set it to an odd value such as -1, "abc", 1e30, [] or "1e400", or scale a number), runs
`build/dcsim run` on it and classifies the outcome. A case is bad when dcsim
  - exits with anything but 0 (ran) or 2 (invalid input)          [RC; 1 is reported too]
  - prints an invalid-input error that is not file:line:col          [NOFILE]
  - runs but writes NaN/Infinity or an impossible figure             [NAN, SANITY]
  - takes longer than --slow seconds, or hangs past --timeout        [SLOW, RC=TIMEOUT]

    /usr/bin/python3 scripts/fuzz_scenarios.py --seed 3 --cases 500
    /usr/bin/python3 scripts/fuzz_scenarios.py --seed 9 --profiles   # mutate the GPU profile instead
    /usr/bin/python3 scripts/fuzz_scenarios.py --seed 9 --validation # scenarios/validation/ too
    /usr/bin/python3 scripts/fuzz_scenarios.py --seed 9 --traces     # mutate a scheduler trace
    /usr/bin/python3 scripts/fuzz_scenarios.py --seed 9 --faults     # mutate a fault trace

With --profiles each case leaves the scenario alone and mutates the calibration profile it loads
(a copy of one in calibration/profiles/ named by the scenario's cluster.calibration); errors must
then point at that profile's file:line or at the scenario's. With --traces each case replays 300
rows of Philly's trace (or the same in dcsim's columns, or as a Standard Workload Format log) with cells, rows or the header mutated,
under a random policy, with quotas half the time; errors must name the scenario's file:line.
With --faults each case replays 200 events of StepFun's fault trace with events' fields deleted,
retyped or set to odd values, on a month of training with checkpoints.

Exit status 1 when any case is bad (each is printed with its mutation and the file is kept).
"""
import argparse
import functools
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODD = [0, -1, 1e30, -1e-9, "abc", "", None, [], {}, True, 0.5, 3, 1e9, "1.5", "nan", "inf", "-3GB/s",
       "400Gb/s", "2us", "1e400", 2**63, "80GiB", [1, 2], {"a": 1}, "   ", "0x10", 7]
SKIP = {"scheduler-philly.yaml"}  # 82,247 trace jobs: seconds per case


def key_paths(node, prefix=()):
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        out.append(prefix + (k,))
        out += key_paths(v, prefix + (k,))
    return out


def mutate(doc, rng):
    path = rng.choice(key_paths(doc))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    key, value = path[-1], parent[path[-1]]
    kind = rng.choice(["value", "value", "value", "delete", "scale", "rename"])
    if kind == "delete":
        del parent[key]
        return f"delete {'.'.join(map(str, path))}"
    if kind == "scale" and isinstance(value, (int, float)) and not isinstance(value, bool):
        factor = rng.choice([0, -1, 2, 3, 7, 1000, 1e6, 0.5, 1.0001])
        parent[key] = int(value * factor) if isinstance(value, int) and float(factor).is_integer() else value * factor
        return f"scale {'.'.join(map(str, path))} {value} -> {parent[key]}"
    if kind == "rename" and isinstance(parent, dict):
        parent[f"{key}x"] = parent.pop(key)
        return f"rename {'.'.join(map(str, path))}"
    parent[key] = rng.choice(ODD)
    return f"set {'.'.join(map(str, path))} = {parent[key]!r}"


TRACE_ODD = ["", "-1", "0", "abc", "1e400", "nan", "inf", "1e30", "2017-13-45 99:99:99", "3.5", " ", "2147483648",
             "1e9", "-0", "0x10", "2017-10-09", "1,2"]


def mutate_trace(rows, rng):
    """rows: header + data rows (lists of cells). Returns what was done."""
    kind = rng.choice(["cell", "cell", "cell", "drop_column", "extra", "short_row", "blank", "header"])
    r = rng.randrange(1, len(rows))
    if kind == "cell" and rows[r]:
        c = rng.randrange(len(rows[r]))
        rows[r][c] = rng.choice(TRACE_ODD)
        return f"row {r + 1} cell {c} = {rows[r][c]!r}"
    if kind == "drop_column" and rows[0]:
        c = rng.randrange(len(rows[0]))
        name = rows[0][c]
        for row in rows:
            if c < len(row):
                del row[c]
        return f"drop column {name}"
    if kind == "extra":
        rows[r].append(rng.choice(TRACE_ODD))
        return f"row {r + 1} gets an extra cell"
    if kind == "short_row" and rows[r]:
        rows[r] = rows[r][:rng.randrange(len(rows[r]))]
        return f"row {r + 1} cut to {len(rows[r])} cells"
    if kind == "blank":
        rows[r] = []
        return f"row {r + 1} blank"
    if not rows[0]:
        return "nothing (empty header)"
    rows[0][rng.randrange(len(rows[0]))] = rng.choice(["x", "", "gpus", "cluster", "group"])
    return "header cell renamed"


@functools.lru_cache(maxsize=None)
def reference_text(name):
    """A file of ../shared/reference/traces, read once for all cases."""
    return open(os.path.join(ROOT, "..", "shared", "reference", "traces", name)).read()


def trace_case(work, i, rng):
    """A scenario replaying a mutated 300-row trace; returns (scenario doc, trace path, what)."""
    lines = reference_text("philly_jobs.csv").splitlines()
    start = rng.randrange(1, len(lines) - 300)
    rows = [lines[0].split(",")] + [l.split(",") for l in lines[start:start + 300]]
    if rng.random() < 0.5:  # dcsim's own columns, submission in seconds
        rows = [["submit_time_s", "duration_s", "gpus", "group"]] + \
               [[str(k * 37.5), row[1], row[2], row[4]] for k, row in enumerate(rows[1:])]
        if rng.random() < 0.3:  # each job's own load on the fabric
            rows = [rows[0] + ["gradient_bytes", "iteration_s"]] + \
                   [row + [rng.choice(["0", "1e9", "4e10"]), rng.choice(["0.5", "1", "30"])] for row in rows[1:]]
    swf = rng.random() < 0.3  # as a Standard Workload Format log: ';' header, 18 numbers a job
    if swf:
        teams = {}
        rows = [["; Version: 2.2"]] + [
            [str(k + 1), str(k * 37.5), "-1", row[1], rng.choice([row[2], row[2], "-1"]), "-1", "-1", row[2],
             rng.choice([row[1], "-1", "3600"]), "-1", "1", str(teams.setdefault(row[-1], len(teams))), "1", "-1",
             str(k % 3), "-1", rng.choice(["-1", "-1", str(max(1, k - rng.randrange(1, 5))), str(k + 5)]),
             rng.choice(["-1", "0", "30", "1e9"])] for k, row in enumerate(rows[1:])]
    what = "; ".join(mutate_trace(rows, rng) for _ in range(rng.choice([1, 1, 2, 3])))
    path = os.path.join(work, f"case{i}-trace." + ("swf" if swf else "csv"))
    with open(path, "w") as f:
        f.write("\n".join((" " if swf else ",").join(row) for row in rows) + "\n")
    doc = yaml.safe_load(open(os.path.join(ROOT, "scenarios", "scheduler-philly.yaml")))
    doc["cluster"]["nodes"] = rng.choice([2, 8, 64])
    doc["scheduler"] = {"policy": rng.choice(["fifo", "first_fit", "smallest_first", "easy_backfill", "las", "fair_share",
                                              "multifactor", "conservative_backfill"]),
                        "trace": path}
    if rng.random() < 0.25:  # multi-node trace jobs load the fabric
        doc["scheduler"]["trace_traffic"] = rng.choice([{"gradient": "1GB", "iteration": "1s"},
                                                        {"gradient": "50GB", "iteration": "10ms"},
                                                        {"gradient": 0, "iteration": "1s"}, {"gradient": "1MB"},
                                                        "1GB"])
        doc["cluster"]["fabric"]["oversubscription"] = rng.choice([1, 4])
        if isinstance(doc["scheduler"]["trace_traffic"], dict) and rng.random() < 0.5:  # runs as long as loads take
            doc["scheduler"]["trace_traffic"]["stretch"] = rng.choice([True, True, True, "maybe"])
            if rng.random() < 0.3:  # stretched runs stopped by maintenance and failures
                doc["failures"] = {"node_mtbf": rng.choice(["1000h", "30d"]), "restart": "10min",
                                   "maintenance": {"interval": rng.choice(["1d", "7d"]), "downtime": "1h"},
                                   "trace_job_checkpoint": rng.choice(["0s", "1h"])}
                doc["cluster"]["storage"] = {"servers": 8, "bandwidth_per_server": "25GB/s"}
                for job in doc.get("jobs") or []:
                    job["checkpoint"] = {"interval": "2h"}
    if rng.random() < 0.15:  # Slurm's --switches=count@max-time
        doc["scheduler"]["placement"] = rng.choice(["topology_aware", "consecutive", "scattered"])
        doc["scheduler"]["switches"] = rng.choice([{"count": 1, "wait": "1h"}, {"count": 2, "wait": "10min"},
                                                   {"count": 1, "wait": "30d"}, {"count": 0, "wait": "1h"}, {"count": 1}])
    if swf or rng.random() < 0.05:
        if rng.random() < 0.7:
            doc["scheduler"]["trace_group"] = rng.choice(["user", "queue", "none", "partition", "users"])
        if rng.random() < 0.3:
            doc["scheduler"]["trace_processors_per_gpu"] = rng.choice([1, 2, 8, 0])
        if rng.random() < 0.2:
            doc["scheduler"]["trace_format"] = rng.choice(["swf", "csv", "auto"])
        if rng.random() < 0.4:
            doc["scheduler"]["trace_feedback"] = rng.choice([True, False, "maybe"])
    if doc["scheduler"]["policy"] == "multifactor" and rng.random() < 0.5:
        doc["scheduler"]["multifactor"] = {"age": rng.choice([0, 1000]), "job_size": rng.choice([0, 1000]),
                                           "favor_small": rng.random() < 0.5,
                                           "backfill": rng.choice([True, False, "conservative"]),
                                           "fair_tree": rng.choice([True, False, "maybe"]),
                                           "max_age": rng.choice(["1h", "14d"])}
        if rng.random() < 0.5:  # Fair Tree accounts over the trace's groups (Philly's clusters), some not groups
            groups = sorted({row[-1] for row in rows[1:] if row})
            picked = rng.sample(groups, min(len(groups), rng.choice([1, 2, 4])))
            doc["scheduler"]["multifactor"]["accounts"] = rng.choice(
                [{"org": picked}, {"x": picked[:1], "y": picked[1:] or ["nope"]}, {"org": []}, picked,
                 {"org": ["sub"] + picked[:1], "sub": picked[1:] or ["org"]}, {"x": ["y"], "y": ["x"] + picked}])
    if doc["scheduler"]["policy"] == "conservative_backfill" and rng.random() < 0.5:
        doc["scheduler"]["backfill_depth"] = rng.choice([1, 3, 500])
        doc["scheduler"]["backfill_window"] = rng.choice(["1h", "1d", "30d"])
    if doc["scheduler"]["policy"] in ("conservative_backfill", "easy_backfill", "fifo") and rng.random() < 0.3:
        doc["scheduler"]["backfill_interval"] = rng.choice(["30s", "1s", "1h", "0s", -5])
    if rng.random() < 0.5:
        doc["scheduler"]["quotas"] = "demand"
        doc["scheduler"]["quota_borrowing"] = rng.random() < 0.5
        if doc["scheduler"]["quota_borrowing"] and rng.random() < 0.5:
            doc["scheduler"]["preemption"] = rng.choice(
                [True, {"restart": "1min", "checkpoint_interval": rng.choice(["0s", "10min", "1h"])}])
    if rng.random() < 0.3:  # node failures strike the trace's jobs too
        doc["failures"] = {"node_mtbf": rng.choice(["100h", "2000h"]), "restart": "10min",
                           "trace_job_checkpoint": rng.choice(["0s", "30min", "2h"])}
        if rng.random() < 0.5:  # by cause, beside or instead of node_mtbf
            doc["failures"]["causes"] = [{"name": "gpu", "per": "gpu", "mtbf": rng.choice(["800h", "20000h"])},
                                         {"name": "sw", "per": rng.choice(["job", "switch"]), "mtbf": "300h",
                                          "restart": rng.choice(["1min", "1h"])}]
            if rng.random() < 0.5:
                del doc["failures"]["node_mtbf"]
        if rng.random() < 0.3:  # planned maintenance stops the running trace jobs too
            doc["failures"]["maintenance"] = {"interval": rng.choice(["1h", "1d"]), "downtime": rng.choice(["0s", "20min"])}
            doc["jobs"][0]["checkpoint"] = {"interval": "1h"}
            doc["cluster"].setdefault("storage", {"servers": 2, "bandwidth_per_server": "10GB/s"})
        if rng.random() < 0.5:  # a finite pool of spare nodes, failed nodes in repair
            doc["failures"]["spare_nodes"] = rng.choice([0, 1, 4])
            doc["failures"]["repair"] = rng.choice(["1h", "3d"])
            if rng.random() < 0.5:  # training on the replicas left while waiting
                doc["failures"]["elastic"] = rng.choice([True, False, "maybe"])
        if rng.random() < 0.4:  # failures noticed late (hangs), the trace's jobs hung meanwhile
            doc["failures"]["detect"] = rng.choice(["0s", "10min", "2h", "-1s", "30y"])
    doc["jobs"][0]["iterations"] = 20
    doc["jobs"][0]["start_time"] = rng.choice(["0s", "1h", "30d"])
    doc["jobs"][0]["gpus"] = 16
    doc["jobs"][0]["parallelism"]["data"] = 8
    doc["jobs"][0]["batch"]["global"] = 64
    if rng.random() < 0.2:  # moldable: may start on fewer GPUs
        doc["jobs"][0]["min_gpus"] = rng.choice([2, 8, 12, 16, 0, "x"])
        if rng.random() < 0.5:
            doc["jobs"][0]["grow"] = rng.choice([True, False, "maybe"])
    if rng.random() < 0.05:  # ordered after a job (itself: a cycle, refused)
        doc["jobs"][0]["after"] = rng.choice([doc["jobs"][0]["name"], "nobody"])
    return doc, path, what


def faults_case(work, i, rng):
    """A month of training replaying a mutated 200-event fault trace; returns (doc, path, what)."""
    events = json.loads(reference_text("stepfun_node_faults.json"))
    start = rng.randrange(0, len(events) - 200)
    events = events[start:start + 200]
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        e = rng.randrange(len(events))
        key = rng.choice(["node_id", "event_time", "event_type", "fault_type", None])
        if key is None:
            events[e] = rng.choice(ODD)
            done.append(f"event {e} = {events[e]!r}")
        elif isinstance(events[e], dict) and rng.random() < 0.3:
            events[e].pop(key, None)
            done.append(f"event {e} without {key}")
        elif isinstance(events[e], dict):
            events[e][key] = rng.choice(ODD + ["fault_start", "fault_end", "fault_strat", 1e300, -5, 3.5])
            done.append(f"event {e} {key} = {events[e][key]!r}")
    path = os.path.join(work, f"case{i}-faults.json")
    with open(path, "w") as f:
        json.dump(events, f)
    doc = yaml.safe_load(open(os.path.join(ROOT, "scenarios", "failures-checkpoint.yaml")))
    doc["failures"] = {"trace": path, "trace_servers": rng.choice([1, 100, 400]), "restart": "10min"}
    if rng.random() < 0.5:  # repairs from the trace's fault_end events
        doc["failures"]["spare_nodes"] = rng.choice([0, 2])
        if rng.random() < 0.5:  # training on the replicas left while waiting
            doc["failures"]["elastic"] = True
    if rng.random() < 0.4:  # noticed late
        doc["failures"]["detect"] = rng.choice(["10min", "1h"])
    return doc, path, "; ".join(done)


def impossible(result):
    if "plans" in result:  # dcsim plan: every simulated plan is a job
        result = {"jobs": [dict(p, name=p["plan"]) for p in result["plans"] if "iteration_time_s" in p]}
    for job in result.get("jobs", []):
        if not job.get("iteration_time_s", 1) > 0 or not 0 < job.get("mfu", 0.5) <= 1 or \
                not 0 <= job.get("goodput", 1) <= 1 or job.get("tokens_per_s", 1) <= 0 or \
                job.get("end_time_s", 1) < job.get("start_time_s", 0):
            return f"job {job.get('name')}: iteration {job.get('iteration_time_s')} s, mfu {job.get('mfu')}, " \
                   f"goodput {job.get('goodput')}"
    return ""


def plan_space(rng):
    """`--plan`: a small search (about as long as a run), its lists drawn, odd values included."""
    draw = lambda values: ",".join(str(v) for v in rng.sample(values, rng.choice([1, 2])))
    return ["--tensor", draw([1, 2, 3, 8, 16]), "--pipeline", draw([1, 2, 4, 5]), "--micro-batch", draw([1, 2, 3]),
            "--virtual-stages", draw([1, 2, 3]), "--recompute", draw(["none", "selective", "full"]),
            "--expert", draw([1, 2, 8]), "--context", draw([1, 2]), "--zero", draw([0, 1, 3, 4]), "--workers", "2"]


def run_case(path, out_json, timeout_s, plan=None):
    start = time.time()
    command = ["plan", path] + plan if plan else ["run", path]
    try:
        r = subprocess.run([os.path.join(ROOT, "build/dcsim")] + command + ["--quiet", "--json", out_json],
                           cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
        status, err = r.returncode, (r.stderr.strip() or r.stdout.strip())
    except subprocess.TimeoutExpired:
        status, err = "TIMEOUT", ""
    return status, err, time.time() - start


def classify(paths, out_json, status, err, wall_s, slow_s):
    lines = err.splitlines()
    # A job its failures never let finish (no checkpoints, or repairs longer than the time
    # between failures), or whose time limit comes before its first checkpoint, ends the run with
    # exit 1 and one line saying so, as designed (tests/sim/engine/job_reliability_test.cpp,
    # time_limit_test.cpp).
    gave_up = status == 1 and len(lines) == 1 and lines[0].startswith("dcsim: error: job ") and (
        "times without finishing" in lines[0] or "never resumed after its failure" in lines[0] or
        "reached its time limit without saving a checkpoint" in lines[0])
    if status not in (0, 2) and not gave_up:
        return "RC"
    # An error names the file, a --set, or (dcsim plan) the option it is about.
    if status == 2 and not all(line.startswith(tuple(p + ":" for p in paths)) or line.startswith("--")
                               for line in lines):
        return "NOFILE"
    if status == 0:
        text = open(out_json).read()
        if "NaN" in text or "Infinity" in text:
            return "NAN"
        why = impossible(json.loads(text))
        if why:
            return "SANITY " + why
    if wall_s > slow_s:
        return f"SLOW {wall_s:.0f}s"
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=40, help="seconds before a case counts as hung")
    ap.add_argument("--slow", type=float, default=10, help="seconds beyond which a case is reported slow")
    ap.add_argument("--profiles", action="store_true", help="mutate the calibration profile, not the scenario")
    ap.add_argument("--validation", action="store_true", help="draw from scenarios/validation/ as well")
    ap.add_argument("--traces", action="store_true", help="mutate a scheduler trace, not the scenario")
    ap.add_argument("--faults", action="store_true", help="mutate a fault trace, not the scenario")
    ap.add_argument("--plan", action="store_true", help="run `dcsim plan` (a small search) instead of `dcsim run`")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    dirs = ["scenarios"] + (["scenarios/validation"] if args.validation else [])
    files = sorted(os.path.join(d, f) for d in dirs for f in os.listdir(os.path.join(ROOT, d))
                   if f.endswith(".yaml") and f not in SKIP)
    profile_dir = os.path.join(ROOT, "calibration", "profiles")
    profiles = sorted(f for f in os.listdir(profile_dir) if f.endswith(".yaml"))
    work = tempfile.mkdtemp(prefix="dcsim-fuzz-")
    counts, bad = {}, 0
    for i in range(args.cases):
        name = rng.choice(files)
        doc = yaml.safe_load(open(os.path.join(ROOT, name)))
        path, out_json = os.path.join(work, f"case{i}.yaml"), os.path.join(work, f"case{i}.json")
        paths = [path]
        if args.traces or args.faults:
            doc, trace_path, what = (trace_case if args.traces else faults_case)(work, i, rng)
            name = "a trace"
            paths.append(trace_path)
        elif args.profiles:
            profile = rng.choice(profiles)
            pdoc = yaml.safe_load(open(os.path.join(profile_dir, profile)))
            what = profile + ": " + "; ".join(mutate(pdoc, rng) for _ in range(rng.choice([1, 1, 2, 3])))
            paths.append(os.path.join(work, f"case{i}-profile.yaml"))
            with open(paths[1], "w") as f:
                yaml.safe_dump(pdoc, f, sort_keys=False)
            doc.setdefault("cluster", {})["calibration"] = paths[1]
        else:
            # A plan search is fuzzed on unmutated scenarios too (its own lists are drawn).
            mutations = rng.choice([0, 1, 2] if args.plan else [1, 1, 2, 3])
            what = "; ".join(mutate(doc, rng) for _ in range(mutations)) or "as shipped"
            if rng.random() < 0.15 and isinstance(doc.get("cluster"), dict) \
                    and isinstance(doc["cluster"].get("fabric", {}), dict):  # switches and cables out of service
                down = rng.sample(["spine0", "spine1", "leaf0", "leaf99", "core0", "router0", "gpu0", "",
                                   ["leaf0", "spine0"], ["leaf0", "leaf1"], ["spine0"], 7], rng.choice([1, 2, 3]))
                doc["cluster"].setdefault("fabric", {})["down"] = down
                what += f"; cluster.fabric.down = {down!r}"
            if rng.random() < 0.15 and isinstance(doc.get("cluster"), dict) \
                    and isinstance(doc["cluster"].get("fabric", {}), dict):  # cables below their rate
                cables = ["spine0", "leaf1", "node0.nic0", "node1.nic3", "leaf99", "node0.gpu0", "",
                          ["leaf0", "spine0"], ["leaf0", "leaf1"], ["node0.nic0", "leaf0"], 7]
                rates = [{"fraction": 0.5}, {"fraction": 0.001}, {"fraction": 0}, {"fraction": 2},
                         {"bandwidth": "100Gb/s"}, {"bandwidth": "10Tb/s"}, {"bandwidth": 7},
                         {"fraction": 0.5, "bandwidth": "1Gb/s"}, {}]
                degraded = [{"cable": rng.choice(cables), **rng.choice(rates)} for _ in range(rng.choice([1, 2]))]
                degraded = rng.choice([degraded, degraded, "spine0", [7]])
                doc["cluster"].setdefault("fabric", {})["degraded"] = degraded
                what += f"; cluster.fabric.degraded = {degraded!r}"
            if rng.random() < 0.15 and isinstance(doc.get("cluster"), dict) \
                    and isinstance(doc["cluster"].get("fabric", {}), dict):  # how up-ports are picked
                routing = rng.choice(["adaptive", "adaptive", "ecmp", "dmodk", "Adaptive", "", 7])
                doc["cluster"].setdefault("fabric", {})["routing"] = routing
                what += f"; cluster.fabric.routing = {routing!r}"
                if rng.random() < 0.6:  # queue pairs hashed apart
                    qps = rng.choice([1, 2, 4, 8, 32, 0, 33, -1, 2.5, "four"])
                    doc["cluster"]["fabric"]["qps_per_pair"] = qps
                    what += f"; cluster.fabric.qps_per_pair = {qps!r}"
            if rng.random() < 0.1:  # the network priced apart
                prices = rng.choice([{"gpu_capex": 30000, "switch_capex": 40000, "cable_capex": 1000,
                                      "amortization": "4y"},
                                     {"gpu_hour": 2, "switch_capex": 40000}, {"cable_capex": 1000},
                                     {"switch_capex": -1, "amortization": "4y"}, {"switch_capex": "cheap"},
                                     {"switch_capex": 40000, "amortization": "4y"}])
                if isinstance(doc.get("cost"), dict):
                    doc["cost"].update(prices)
                else:
                    doc["cost"] = prices
                what += f"; cost += {prices!r}"
            if rng.random() < 0.15 and isinstance(doc.get("cluster"), dict) \
                    and isinstance(doc["cluster"].get("fabric", {}), dict):  # SHARP switches
                sharp = rng.choice([True, True, False, "yes", 1, None])
                doc["cluster"].setdefault("fabric", {})["in_network_reduction"] = sharp
                what += f"; cluster.fabric.in_network_reduction = {sharp!r}"
            if rng.random() < 0.15 and isinstance(doc.get("jobs"), list) and doc["jobs"] \
                    and isinstance(doc["jobs"][0], dict):  # Slurm's time limit, Megatron's exit duration
                limit = rng.choice([{"time_limit": "4h"}, {"time_limit": "1h", "exit_duration": "50min"},
                                    {"time_limit": "10min"}, {"time_limit": "1s"}, {"exit_duration": "1h"},
                                    {"time_limit": "1h", "exit_duration": "2h"}, {"time_limit": -1},
                                    {"time_limit": "24h", "exit_duration": "23h"}, {"time_limit": "forever"}])
                doc["jobs"][0].update(limit)
                if rng.random() < 0.5:
                    doc.setdefault("scheduler", {"policy": "fifo"})
                if rng.random() < 0.5 and "checkpoint" not in doc["jobs"][0]:
                    doc["jobs"][0]["checkpoint"] = {"interval": rng.choice(["30min", "auto", "5min"])}
                what += f"; jobs[0] += {limit!r}"
            if rng.random() < 0.15 and isinstance(doc.get("jobs"), list) and doc["jobs"] \
                    and isinstance(doc["jobs"][0], dict):  # a job's NCCL_ALGO / NCCL_PROTO
                nccl = rng.choice([{"algo": "ring"}, {"algo": "^nvls"}, {"algo": "tree"}, {"algo": "nvls"},
                                   {"algo": "allreduce:collnet;allgather:tree"}, {"proto": "LL"},
                                   {"algo": "hierarchical", "proto": "^simple"}, {"algo": "NVLSTree"},
                                   {"algo": "^ring,tree,nvls,collnet"}, {"algo": ""}, {"proto": 7},
                                   {"algo": "alltoall:ring"}, {"algo": ["ring"]}, "ring", {"algo": "halving_doubling"}])
                doc["jobs"][0]["nccl"] = nccl
                what += f"; jobs[0].nccl = {nccl!r}"
            if rng.random() < 0.15 and isinstance(doc.get("cluster"), dict) \
                    and isinstance(doc["cluster"].get("storage"), dict):  # storage on NICs of its own
                net = rng.choice([{"nics": 2, "bandwidth": "200Gb/s"}, {"nics": 0, "bandwidth": "1Gb/s"},
                                  {"nics": 1}, {"nics": 1, "bandwidth": "1e30"}, {"nics": 65, "bandwidth": "1Gb/s"},
                                  {"bandwidth": "400Gb/s", "latency": -1}, "fast", []])
                doc["cluster"]["storage"]["network"] = net
                what += f"; cluster.storage.network = {net!r}"
        with open(path, "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False)
        status, err, wall_s = run_case(path, out_json, args.timeout, plan_space(rng) if args.plan else None)
        flag = classify(paths, out_json, status, err, wall_s, args.slow)
        counts[status] = counts.get(status, 0) + 1
        if flag:
            bad += 1
            print(f"[{flag}] case{i} from {name}: {what}; exit {status}\n    {err[:300]}", flush=True)
        else:
            for p in paths:
                os.remove(p)
    print(f"{args.cases} cases from seed {args.seed}: exit statuses {counts}; {bad} bad"
          + (f" (kept in {work})" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
