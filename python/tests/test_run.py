"""Scenario.run / dcsim.run: the same numbers as `dcsim run --json`, as dicts and DataFrames."""
import threading
import time

import pytest

import dcsim
from conftest import REPO, SMALL_SCENARIO, cli_json, run_cli

# Differ from run to run by nature: how long the simulator itself took.
WALL_CLOCK_KEYS = {"wall_clock_s"}


def without_wall_clock(result):
    return {key: value for key, value in result.items() if key not in WALL_CLOCK_KEYS}


def test_run_returns_exactly_the_clis_json(small, tmp_path):
    expected = cli_json("run", SMALL_SCENARIO, "--quiet", tmp_path=tmp_path)
    result = small.run().to_dict()
    assert without_wall_clock(result) == without_wall_clock(expected)
    assert result["jobs"][0]["iteration_time_s"] > 0


def test_overrides_give_the_same_numbers_as_set(small, tmp_path):
    expected = cli_json("run", SMALL_SCENARIO, "--quiet", "--set", "jobs.0.parallelism.tensor=4",
                        "--set", "cluster.fabric.oversubscription=4", tmp_path=tmp_path)
    result = dcsim.run(SMALL_SCENARIO, {"jobs.0.parallelism.tensor": 4, "cluster.fabric.oversubscription": 4})
    assert without_wall_clock(result.to_dict()) == without_wall_clock(expected)


def test_two_runs_in_a_row_give_identical_results(small):
    # SimGrid keeps global state; each run is isolated in its own child process.
    first, second = small.run().to_dict(), small.run().to_dict()
    assert without_wall_clock(first) == without_wall_clock(second)


def test_an_oversubscribed_fabric_is_slower(small):
    # Without pipeline parallelism, 8 data-parallel replicas reduce gradients across both nodes,
    # so the leaf uplinks carry traffic and thinning them to a quarter shows.
    data_parallel = small.override({"jobs.0.parallelism.pipeline": 1})
    plain = data_parallel.run()["jobs"][0]
    oversubscribed = data_parallel.override({"cluster.fabric.oversubscription": 4}).run()["jobs"][0]
    assert oversubscribed["breakdown_s"]["data_parallel_comm"] > plain["breakdown_s"]["data_parallel_comm"]
    assert oversubscribed["iteration_time_s"] > plain["iteration_time_s"]


def test_jobs_frame_has_one_row_per_job_with_the_json_numbers(small):
    result = small.run()
    job = result.to_dict()["jobs"][0]
    frame = result.jobs
    assert list(frame.index) == ["gpt-1.3b"]
    row = frame.loc["gpt-1.3b"]
    for key in ("iteration_time_s", "tokens_per_s", "mfu", "hfu", "memory_per_gpu_bytes"):
        assert row[key] == job[key]
    assert row["breakdown_s.compute"] == job["breakdown_s"]["compute"]
    assert list(frame.columns[:3]) == ["iteration_time_s", "tokens_per_s", "mfu"]


def test_breakdown_parts_add_up_to_the_iteration_time(small):
    result = small.run()
    parts = result.breakdown.loc["gpt-1.3b"]
    total = parts["compute"] + parts["exposed_comm"] + parts["pipeline_bubble"] + parts["optimizer"]
    assert total == pytest.approx(result["jobs"][0]["iteration_time_s"], rel=1e-6)


def test_stages_frame_has_one_row_per_pipeline_rank(small):
    stages = small.run().stages  # pipeline 2 in small-job.yaml
    assert list(stages["stage"]) == [0, 1]
    assert set(stages["job"]) == {"gpt-1.3b"}
    assert (stages["compute"] > 0).all()


def test_memory_frame_adds_up_to_the_total_per_gpu(small):
    memory = small.run().memory.loc["gpt-1.3b"]
    parts = memory[["weights", "gradients", "optimizer", "activations", "runtime"]].sum()
    assert parts == pytest.approx(memory["total"], rel=1e-9)
    assert memory["capacity"] == 80 * 2**30
    assert memory["fits"]


def test_collectives_frame_lists_each_kind_of_collective_with_the_json_numbers(small):
    result = small.run()  # TP2 PP2 DP4 in small-job.yaml
    frame = result.collectives
    assert len(frame) == len(result["jobs"][0]["collectives"])
    assert set(frame["purpose"]) == {"tensor_parallel", "pipeline_send", "data_parallel"}
    ranks = frame.groupby("purpose")["ranks"].max()
    assert ranks["tensor_parallel"] == 2 and ranks["pipeline_send"] == 2 and ranks["data_parallel"] == 4
    assert (frame["estimated_s"] > 0).all() and (frame["calls_per_iteration"] > 0).all()


def test_network_frame_has_a_row_per_tier_whose_purposes_add_up(small):
    result = small.run()  # TP2 PP2 DP4 in small-job.yaml
    frame = result.network
    tiers = result["jobs"][0]["network"]["tiers"]
    assert list(frame["tier"]) == [t["tier"] for t in tiers]
    assert frame["tier"].iloc[0] == "scale_up"  # from the GPUs up
    purposes = frame.filter(like="bytes_by_purpose.").fillna(0).sum(axis=1)
    assert list(purposes) == pytest.approx(list(frame["bytes_per_iteration"]), rel=1e-12)
    assert ((frame["mean_utilization"] > 0) & (frame["mean_utilization"] <= frame["busiest_link_utilization"] * (1 + 1e-12))).all()
    total = result["jobs"][0]["network"]["link_bytes_per_iteration"]
    assert frame["bytes_per_iteration"].sum() == pytest.approx(total, rel=1e-12)
    # A sweep's flat row carries each tier's utilizations.
    row = result.summary()
    for tier in tiers:
        assert row[f"network.{tier['tier']}.busiest_link_utilization"] == tier["busiest_link_utilization"]
        assert row[f"network.{tier['tier']}.mean_utilization"] == tier["mean_utilization"]


def test_reliability_frame_accounts_for_the_wall_clock_time_lost():
    # A month of GPT-3 175B on 1,024 GPUs with Llama 3's node failure rate (scenario header).
    result = dcsim.load(REPO / "scenarios" / "failures-checkpoint.yaml").run()
    row = result.reliability.loc["gpt3-175b"]
    job = result["jobs"][0]
    lost = row["checkpoint_time_s"] + row["restart_time_s"] + row["lost_work_s"]
    assert row["goodput"] == pytest.approx(1 - lost / (job["end_time_s"] - job["start_time_s"]), rel=1e-9)
    assert row["failures"] > 0 and row["checkpoints"] > 0
    # 2.45 TB through 16 storage servers at 25 GB/s: the servers' links bound the write.
    assert row["checkpoint_write_s"] == pytest.approx(row["checkpoint_bytes"] / (16 * 25e9), rel=0.01)


def test_elastic_runs_count_against_goodput_and_beat_waiting_for_a_spare():
    # One spare node repaired in 3 days: failed nodes queue for it; elastic, the job trains on
    # the replicas left meanwhile (TP8: a node holds one of the 16 replicas).
    path = REPO / "scenarios" / "failures-checkpoint.yaml"
    overrides = {"jobs.0.iterations": 300000, "failures.spare_nodes": 1, "failures.repair": "3d"}
    waiting = dcsim.run(path, overrides).reliability.loc["gpt3-175b"]
    result = dcsim.run(path, {**overrides, "failures.elastic": True})
    row = result.reliability.loc["gpt3-175b"]
    job = result["jobs"][0]
    assert row["elastic_runs"] > 0
    assert 0 < row["elastic_lost_s"] < row["elastic_s"] / 2  # a few of 16 replicas missing at a time
    lost = row["checkpoint_time_s"] + row["restart_time_s"] + row["lost_work_s"] + row["elastic_lost_s"]
    assert row["goodput"] == pytest.approx(1 - lost / (job["end_time_s"] - job["start_time_s"]), rel=1e-9)
    assert row["goodput"] > waiting["goodput"]
    assert row["spare_wait_s"] < waiting["spare_wait_s"]


def test_time_limited_allocations_lose_work_at_each_kill_and_none_with_an_exit():
    # scenarios/time-limits.yaml: 4-hour Slurm allocations; Megatron's exit saves 10 minutes before.
    path = REPO / "scenarios" / "time-limits.yaml"
    killed = dcsim.run(path).reliability.loc["gpt3-175b"]
    exited = dcsim.run(path, {"jobs.0.exit_duration": "230min"}).reliability.loc["gpt3-175b"]
    assert killed["time_limit_kills"] > 20 and killed["time_limit_exits"] == 0
    assert 0 < killed["time_limit_lost_s"] <= killed["lost_work_s"]
    assert exited["time_limit_exits"] > 20 and exited["time_limit_kills"] == 0
    assert exited["time_limit_lost_s"] == 0
    assert exited["goodput"] > killed["goodput"]


def test_a_jobs_nccl_algo_leaving_collnet_out_equals_a_fabric_without_sharp():
    path = REPO / "scenarios" / "fabric-sharp.yaml"
    restricted = dcsim.run(path, {"jobs.0.nccl.algo": "^collnet"})
    no_sharp = dcsim.run(path, {"cluster.fabric.in_network_reduction": False})
    assert restricted["jobs"][0]["iteration_time_s"] == pytest.approx(no_sharp["jobs"][0]["iteration_time_s"],
                                                                      rel=1e-12)
    algorithms = set(restricted.collectives.query("op == 'allreduce'")["algorithm"])
    assert "collnet" not in algorithms


def test_energy_frame_has_each_job_and_the_cluster_and_prices_them():
    result = dcsim.run(SMALL_SCENARIO, {"power.pue": 1.2, "cost.gpu_hour": 2.0, "cost.electricity": 0.1})
    frame = result.energy
    job = result["jobs"][0]
    assert list(frame.index) == [job["name"], "(cluster)"]
    row, cluster = frame.loc[job["name"]], frame.loc["(cluster)"]
    # Facility energy is IT energy x PUE; the cluster holds the job and more.
    assert row["facility_j"] == pytest.approx(1.2 * row["it_j"], rel=1e-12)
    assert cluster["facility_j"] > row["facility_j"]
    hours = job["gpus"] * (job["end_time_s"] - job["start_time_s"]) / 3600
    assert row["gpu_hours"] == pytest.approx(hours, rel=1e-12)
    assert row["total_usd"] == pytest.approx(2.0 * hours + row["facility_j"] / 3.6e6 * 0.1, rel=1e-12)
    summary = result.summary()
    assert summary["cluster.energy.facility_j"] == cluster["facility_j"]
    assert summary["cost.total_usd"] == row["total_usd"]


def test_memory_bound_kernels_power_is_a_scenario_key():
    # Norms, activations and the optimizer draw power.gpu_memory_bound (414 W by default on a
    # 700 W GPU): at the busy power the job's GPUs draw more, at 200 W less; the state model is
    # linear in it, so the default lies between the two in proportion.
    def watts(memory_bound=None):
        overrides = {} if memory_bound is None else {"power.gpu_memory_bound": memory_bound}
        return dcsim.run(SMALL_SCENARIO, overrides)["jobs"][0]["energy"]["gpu_training_w"]

    default, busy, low = watts(), watts("700W"), watts("200W")
    assert low < default < busy
    default_w = 77 + (409 - 78.7) / (689 - 78.7) * (700 - 77)
    assert (default - low) / (busy - low) == pytest.approx((default_w - 200) / (700 - 200), rel=1e-9)


def test_scheduler_statistics_and_each_jobs_wait(tmp_path):
    # A trace job holds both nodes for 100 s, so the training job submitted at 10 s waits 90 s.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit_time_s,duration_s,gpus\n0,100,16\n")
    base = dcsim.load(SMALL_SCENARIO)
    result = base.override({"scheduler.policy": "fifo", "scheduler.trace": str(trace),
                            "jobs.0.start_time": "10s"}).run()
    job = result["jobs"][0]
    assert job["queue_s"] == pytest.approx(90, rel=1e-9)
    assert job["start_time_s"] == pytest.approx(100, rel=1e-9)
    stats = result.scheduler
    assert stats["jobs"] == 2 and stats["trace_jobs"] == 1 and stats["policy"] == "fifo"
    assert stats["mean_queue_s"] == pytest.approx(45, rel=1e-9)
    assert result.summary()["scheduler.mean_queue_s"] == stats["mean_queue_s"]
    # Both jobs take both nodes: the trace job waits 0 s, the training job 90 s.
    assert stats["multi_node_jobs"] == 2
    assert stats["mean_queue_multi_node_s"] == pytest.approx(45, rel=1e-9)
    assert stats["placement"] == "consecutive"
    assert result.jobs.loc[job["name"], "nodes"] == "0-1"
    assert base.run().scheduler is None


def test_the_job_table_lists_every_job_the_scheduler_ran(tmp_path):
    # The trace job holds both nodes for 100 s; the training job, submitted at 10 s, starts then.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit_time_s,duration_s,gpus\n0,100,16\n")
    base = dcsim.load(SMALL_SCENARIO).override({"scheduler.policy": "fifo", "scheduler.trace": str(trace),
                                                "jobs.0.start_time": "10s"})
    assert base.run().scheduled_jobs is None  # only when asked for
    result = base.override({"output.job_table": True}).run()
    table = result.scheduled_jobs.set_index("name")
    job = result["jobs"][0]
    assert list(table.index) == [job["name"], "trace:2"]
    assert table.loc["trace:2", ["submit_s", "start_s", "end_s", "queue_s", "gpus"]].tolist() == [0, 0, 100, 0, 16]
    assert table.loc[job["name"], "start_s"] == pytest.approx(100, rel=1e-9)
    assert table.loc[job["name"], "queue_s"] == pytest.approx(job["queue_s"], rel=1e-12)
    assert table["queue_s"].mean() == pytest.approx(result.scheduler["mean_queue_s"], rel=1e-12)
    assert "scheduler.job_table.start_s" not in result.summary()  # lists stay out of the flat row


def test_a_stretched_trace_job_runs_as_long_as_its_load_takes(tmp_path):
    # The trace job spans both nodes and sends far more than the nodes' NICs carry each second:
    # with trace_traffic.stretch its run outlasts the traced 100 s, by its contention_s.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit_time_s,duration_s,gpus,gradient_bytes,iteration_s\n0,100,16,1e13,1\n")
    base = dcsim.load(SMALL_SCENARIO).override({"scheduler.trace": str(trace), "jobs": [], "output.job_table": True,
                                                "scheduler.trace_traffic": {"gradient": "1B", "iteration": "1s"}})
    assert "contention_s" not in base.run().scheduled_jobs.columns  # the traced 100 s stand
    result = base.override({"scheduler.trace_traffic.stretch": True}).run()
    row = result.scheduled_jobs.set_index("name").loc["trace:2"]
    assert row["end_s"] > 200
    assert row["contention_s"] == pytest.approx(row["end_s"] - 100, rel=1e-9)
    assert result.scheduler["trace_slowed_jobs"] == 1
    assert result.scheduler["trace_max_stretch"] == pytest.approx(row["end_s"] / 100, rel=1e-9)


def test_an_swf_log_replays_as_its_csv_twin_and_counts_what_it_skips(tmp_path):
    # The same trace job (both nodes, 100 s) as an SWF line, with a cancelled job (run time -1)
    # that cannot be replayed: the training job waits 90 s as with the CSV trace above.
    log = tmp_path / "trace.swf"
    log.write_text("; MaxProcs: 16\n"
                   "1 0 -1 100 16 -1 -1 16 -1 -1 1 1 1 -1 1 -1 -1 -1\n"
                   "2 1 -1 -1 -1 -1 -1 4 -1 -1 5 1 1 -1 1 -1 -1 -1\n")
    result = dcsim.load(SMALL_SCENARIO).override({"scheduler.policy": "fifo", "scheduler.trace": str(log),
                                                  "jobs.0.start_time": "10s"}).run()
    assert result["jobs"][0]["queue_s"] == pytest.approx(90, rel=1e-9)
    assert result.scheduler["trace_jobs"] == 1
    assert result.scheduler["trace_skipped_jobs"] == 1
    assert result.summary()["scheduler.trace_skipped_jobs"] == 1


def test_quota_groups_wait_for_their_own_jobs(tmp_path):
    # Group a's quota is one node: its second whole-node job waits for its first (100 s) although
    # the other node is free; b's job starts at once.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit_time_s,duration_s,gpus,group\n0,100,8,a\n0,10,8,a\n5,10,8,b\n")
    base = dcsim.load(SMALL_SCENARIO).override({"scheduler.trace": str(trace), "jobs": []})
    groups = base.override({"scheduler.quotas": {"a": 8}}).run().groups
    assert list(groups.index) == ["a", "b"]
    assert groups.loc["a", "quota_gpus"] == 8 and groups.loc["b", "quota_gpus"] == 0
    assert groups.loc["a", "mean_queue_s"] == pytest.approx(50, rel=1e-9)
    assert groups.loc["b", "mean_queue_s"] == pytest.approx(0, abs=1e-12)
    assert groups.loc["a", "gpu_hours"] == pytest.approx(8 * 110 / 3600, rel=1e-9)
    assert base.run().groups is None


def test_preemption_gives_lent_gpus_back_to_a_job_within_its_quota(tmp_path):
    # a's second job borrows node 1 at 0 s; b's job (within b's quota) takes it back at 5 s and a's
    # job, queued again, runs its last 5 s when b's ends (15-20 s): a waits 10 s in all.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit_time_s,duration_s,gpus,group\n0,100,8,a\n0,10,8,a\n5,10,8,b\n")
    result = dcsim.load(SMALL_SCENARIO).override({
        "scheduler.trace": str(trace), "jobs": [], "scheduler.quotas": {"a": 8, "b": 8},
        "scheduler.quota_borrowing": True, "scheduler.preemption": True}).run()
    assert result.scheduler["preemptions"] == 1
    assert result.summary()["scheduler.preempted_jobs"] == 1
    groups = result.groups
    assert groups.loc["a", "preempted_jobs"] == 1 and groups.loc["b", "preempted_jobs"] == 0
    assert groups.loc["a", "mean_queue_s"] == pytest.approx(5, rel=1e-9)
    assert groups.loc["b", "mean_queue_s"] == pytest.approx(0, abs=1e-12)
    assert groups.loc["a", "gpu_hours"] == pytest.approx(8 * 110 / 3600, rel=1e-9)


def test_least_attained_service_preempts_the_training_job_and_it_resumes(tmp_path):
    # The 16-GPU job falls a level after 100 GPU-seconds (~6 s); a 16-GPU trace job submitted
    # then preempts it at an iteration boundary; it resumes after the trace job's 50 s, with
    # every iteration kept.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit_time_s,duration_s,gpus\n0,50,16\n")
    base = dcsim.load(SMALL_SCENARIO).override({"jobs.0.iterations": 200, "jobs.0.start_time": "0s"})
    alone = base.run().jobs.iloc[0]
    result = base.override({"scheduler": {"policy": "las", "las_thresholds": ["100s"], "trace": str(trace)}}).run()
    job = result.jobs.iloc[0]
    assert job["preemptions"] == 1
    assert job["suspended_s"] == pytest.approx(50, rel=1e-9)
    assert job["end_time_s"] - job["suspended_s"] == pytest.approx(alone["end_time_s"], rel=1e-9)
    assert result.scheduler["preemptions"] == 1


def test_summary_is_one_flat_row_prefixed_by_job_name_when_there_are_several():
    result = dcsim.run(REPO / "scenarios/jobs-shared-fabric.yaml")
    names = [job["name"] for job in result["jobs"]]
    assert len(names) >= 2
    row = result.summary()
    for job in result["jobs"]:
        assert row[f"{job['name']}.iteration_time_s"] == job["iteration_time_s"]
    assert "iteration_time_s" not in row


def test_cluster_network_adds_up_every_jobs_traffic_over_the_run():
    result = dcsim.run(REPO / "scenarios/jobs-shared-fabric.yaml")
    frame = result.cluster_network
    assert frame.index[0] == "scale_up"  # from the GPUs up
    expected = {}
    for job in result["jobs"]:  # no failures there: every iteration ran once
        for tier in job["network"]["tiers"]:
            expected[tier["tier"]] = expected.get(tier["tier"], 0) + tier["bytes_per_iteration"] * job["iterations"]
    assert sorted(frame.index) == sorted(expected)
    for tier, bytes_ in expected.items():
        assert frame.loc[tier, "bytes"] == pytest.approx(bytes_, rel=1e-9)
        assert frame.loc[tier, "bytes_by_source.training"] == frame.loc[tier, "bytes"]  # no checkpoints there
    # At the busiest moment a tier carries at least its average over the run.
    assert (frame["peak_utilization"] >= frame["mean_utilization"] * (1 - 1e-12)).all()
    assert (frame["links_used"] <= frame["links"]).all()
    row = result.summary()
    for tier in result["network"]["tiers"]:
        assert row[f"cluster.network.{tier['tier']}.peak_utilization"] == tier["peak_utilization"]
    assert result.network_timeline is None  # only on request
    # On request, each tier's utilization over time: its highest step is the busiest moment, and
    # its integral the mean over the run within 0.5% (the steps carry each job at its steady
    # iteration's rate, the mean the bytes its iterations moved: the first one differs; 0.14%).
    timed = dcsim.run(REPO / "scenarios/jobs-shared-fabric.yaml", {"output.network_timeline": True})
    steps = timed.network_timeline
    assert list(steps.columns) == list(frame.index)
    assert steps.index[0] == 0
    durations = list(steps.index[1:] - steps.index[:-1]) + [timed["simulated_time_s"] - steps.index[-1]]
    for tier in steps.columns:
        assert steps[tier].max() == pytest.approx(frame.loc[tier, "peak_utilization"], rel=1e-12)
        mean = sum(u * d for u, d in zip(steps[tier], durations)) / timed["simulated_time_s"]
        assert mean == pytest.approx(frame.loc[tier, "mean_utilization"], rel=5e-3)


def test_trace_is_kept_on_request(small):
    result = small.run(trace=True)
    events = result.trace["traceEvents"]
    assert any(event["ph"] == "X" and event["dur"] > 0 for event in events)
    assert small.run().trace is None


def test_without_fast_forward_every_iteration_is_simulated(small):
    job = small.run(fast_forward=False)["jobs"][0]
    assert job["simulated_iterations"] == job["iterations"] == 3


def test_every_flow_gives_the_same_answer_as_solo_phases():
    # Mixtral on 64 GPUs: expert all-to-alls, pipeline sends and gradient buckets overlap; with
    # every flow simulated the iteration time agrees within SimGrid's rounding (1e-6 relative).
    scenario = dcsim.load(REPO / "scenarios/moe-experts.yaml", {"jobs.0.iterations": 3})
    fast = scenario.run()["jobs"][0]["iteration_time_s"]
    exact = scenario.run(every_flow=True)["jobs"][0]["iteration_time_s"]
    assert exact == pytest.approx(fast, rel=1e-6)


def test_the_gil_is_released_while_the_simulation_runs():
    # A 1,024-GPU run with every iteration simulated takes 0.4-1.5 s in C++ (machines differ), so
    # the thread runs it until a second has passed. Had run() kept the GIL, this thread would
    # stall for each run; released, it never waits long.
    scenario = dcsim.load(REPO / "scenarios/1024gpu.yaml")
    done = threading.Event()

    def run_for_a_second():
        began = time.perf_counter()
        while time.perf_counter() - began < 1.0:
            scenario.run(fast_forward=False)
        done.set()

    thread = threading.Thread(target=run_for_a_second)
    start = last = time.perf_counter()
    longest_stall = 0.0
    thread.start()
    while not done.is_set():
        now = time.perf_counter()
        longest_stall = max(longest_stall, now - last)
        last = now
    thread.join()
    assert last - start > 0.5  # the run was long enough to tell
    assert longest_stall < 0.25


def test_failures_frame_has_a_row_per_job_and_cause_adding_up_to_the_job():
    # GPT-3 175B for a month (scenario header) with Llama 3's node rate split into GPU faults and
    # software bugs that restart faster: every cause listed, the parts adding up to the totals.
    causes = [{"name": "gpu", "per": "gpu", "mtbf": "80000h"},
              {"name": "software", "per": "job", "mtbf": "100h", "restart": "2min"}]
    result = dcsim.run(REPO / "scenarios" / "failures-checkpoint.yaml",
                       {"failures": {"restart": "10min", "causes": causes}})
    frame = result.failures
    reliability = result.reliability.loc["gpt3-175b"]
    assert list(frame["cause"]) == ["gpu", "software"] and list(frame["per"]) == ["gpu", "job"]
    assert frame["failures"].sum() == reliability["failures"]
    assert frame["restart_time_s"].sum() == pytest.approx(reliability["restart_time_s"], rel=1e-9)
    assert frame["lost_work_s"].sum() == pytest.approx(reliability["lost_work_s"], rel=1e-9)
    # 1,024 GPUs / 80,000 h + 1 / 100 h: one failure every 44.2 h.
    assert reliability["mtbi_s"] == pytest.approx(3600 / (1024 / 80000 + 1 / 100), rel=1e-12)
    assert (frame["failures"] > 0).all()
    assert dcsim.run(SMALL_SCENARIO).failures.empty


def test_a_sweep_over_spare_nodes_shows_the_waits_fall():
    # GPT-3 175B for a month, its nodes failing every 2,000 h and repaired in 3 days: with fewer
    # spares, more failures wait for one (summary columns spares.*), and goodput falls.
    base = dcsim.load(REPO / "scenarios" / "failures-checkpoint.yaml").override(
        {"failures": {"node_mtbf": "2000h", "restart": "10min", "repair": "3d"}})
    sweep = dcsim.sweep(base, {"failures.spare_nodes": [0, 2, 8]}, workers=2)
    assert sweep["error"].isna().all(), sweep["error"].dropna()
    frame = sweep.set_index("failures.spare_nodes")
    assert frame.loc[0, "spares.waits"] == frame.loc[0, "spares.replacements"] > 0
    assert frame.loc[0, "spares.waits"] >= frame.loc[2, "spares.waits"] >= frame.loc[8, "spares.waits"]
    assert frame.loc[0, "reliability.spare_wait_s"] > frame.loc[8, "reliability.spare_wait_s"]
    assert frame.loc[0, "goodput"] < frame.loc[8, "goodput"]
    # The cluster's losses in GPU-hours: restarts (spare waits included) grow with fewer spares.
    assert frame.loc[0, "cluster.reliability.restarting_gpu_hours"] > frame.loc[8, "cluster.reliability.restarting_gpu_hours"]


def test_a_checkpoint_write_cut_by_the_time_limit_leaves_stderr_clean():
    # A month of GPT-3 175B in 4 h allocations with Megatron's exit 10 min before the limit: one
    # save, begun too late, is cut by the kill while ~1,000 of its flows are in flight. The cut
    # flows used to be freed still running, and SimGrid printed a backtrace for each (1,008).
    run = run_cli("run", "scenarios/failures-checkpoint.yaml", "--set", "scheduler={policy: fifo}",
                  "--set", "jobs.0.time_limit=4h", "--set", "jobs.0.exit_duration=230min", "--quiet")
    assert run.returncode == 0, run.stderr
    assert "Backtrace" not in run.stderr and "freed before its completion" not in run.stderr
    assert run.stderr == ""
