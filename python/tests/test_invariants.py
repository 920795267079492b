"""What every result must satisfy, whatever the plan: checked on random plans and on faster parts.

The breakdown of rank 0's iteration adds up to the iteration (compute + exposed communication +
bubble + optimizer, within 1e-6), its exposed communication to the sum of its kinds, MFU <= HFU
<= 1, and the memory breakdown to the memory per GPU. A faster component (NIC, NVLink) never
makes an iteration slower (within 1e-6)."""
import random

import pytest

import dcsim
from conftest import REPO

SCENARIO = REPO / "scenarios/1024gpu.yaml"


def random_plan(rng):
    tensor, pipeline, context = rng.choice([1, 2, 4, 8]), rng.choice([1, 2, 4, 8, 16]), rng.choice([1, 1, 2])
    plan = {"jobs.0.parallelism.tensor": tensor, "jobs.0.parallelism.pipeline": pipeline,
            "jobs.0.parallelism.context": context, "jobs.0.parallelism.data": 1024 // (tensor * pipeline * context),
            "jobs.0.parallelism.zero": rng.choice([0, 1, 2, 3]),
            "jobs.0.parallelism.sequence_parallel": rng.choice([True, False]),
            "jobs.0.recompute": rng.choice(["none", "selective", "full"]),
            "jobs.0.batch.micro": rng.choice([1, 2, 4]), "jobs.0.batch.global": rng.choice([512, 1024, 1536]),
            "jobs.0.memory_check": "warn", "jobs.0.iterations": 3}
    if pipeline > 1:
        plan["jobs.0.parallelism.schedule"] = rng.choice(["1f1b", "gpipe", "zb-h1", "dualpipev"])
    return plan


def check_invariants(job):
    t, b = job["iteration_time_s"], job["breakdown_s"]
    assert t > 0
    assert b["compute"] + b["exposed_comm"] + b["pipeline_bubble"] + b["optimizer"] == pytest.approx(t, rel=1e-6)
    kinds = sum(v for k, v in b.items() if k.endswith("_parallel_comm"))
    assert kinds == pytest.approx(b["exposed_comm"], rel=1e-6, abs=1e-6 * t)
    assert b["pipeline_wait"] <= b["pipeline_bubble"] + 1e-9 * t
    assert min(b.values()) >= -1e-9 * t
    assert 0 < job["mfu"] <= job["hfu"] + 1e-12 <= 1 + 1e-12
    assert sum(job["memory_breakdown_bytes"].values()) == pytest.approx(job["memory_per_gpu_bytes"], rel=1e-9)


def test_random_plans_report_consistent_breakdowns():
    rng = random.Random(7)
    valid = 0
    for _ in range(14):
        plan = random_plan(rng)
        try:
            result = dcsim.run(SCENARIO, plan).to_dict()
        except ValueError:
            continue  # not a valid plan for this model (heads, layers or batch do not divide)
        check_invariants(result["jobs"][0])
        valid += 1
    assert valid >= 6


@pytest.mark.parametrize("key, values", [("cluster.node.nics.bandwidth", ["200Gb/s", "400Gb/s", "800Gb/s"]),
                                         ("cluster.node.scale_up.bandwidth", ["300GB/s", "450GB/s", "900GB/s"])])
def test_a_faster_link_never_slows_an_iteration(key, values):
    times = [dcsim.run(SCENARIO, {key: v, "jobs.0.iterations": 3}).to_dict()["jobs"][0]["iteration_time_s"]
             for v in values]
    assert all(later <= earlier * (1 + 1e-6) for earlier, later in zip(times, times[1:])), times
    assert times[-1] < times[0]
