"""Result: what one simulation reports, as the CLI's JSON (a dict) and as pandas DataFrames.

    result = dcsim.run("scenarios/1024gpu.yaml")
    result.to_dict()        # exactly what `dcsim run --json` writes (../shared/spec/contract.md)
    result.jobs             # one row per job: iteration time, tokens/s, MFU, memory, breakdown...
    result.breakdown        # one row per job: where pipeline rank 0's iteration time went (s)
    result.stages           # one row per job and pipeline rank: the same breakdown per rank
    result.memory           # one row per job: bytes per GPU by kind, total, capacity, fits
    result.collectives      # one row per job and kind of collective: op, ranks, bytes, algorithm...
    result.network          # one row per job and fabric tier: bytes per iteration, utilization, busiest link
    result.cluster_network  # one row per fabric tier: every job's traffic over the run, mean and peak utilization
    result.network_timeline # each fabric tier's utilization over time (with output.network_timeline), else None
    result.energy           # one row per job and one for the cluster: joules, watts, cost in USD
    result.failures         # one row per job and cause of failure: failures, restarts, lost work
    result.scheduler        # the cluster scheduler's statistics (a dict), None without one
    result.groups           # one row per quota group of trace jobs: quota, jobs, GPU-hours, waits
    result.summary()        # one flat dict: a sweep's result columns

pandas is imported only when a DataFrame is asked for, so sweep workers stay light.
"""
import copy

# Per-job lists (per pipeline rank, per simulated iteration): DataFrames of their own, not columns.
_JOB_LISTS = ("stages_breakdown_s", "iteration_times_s", "collectives", "stages_slowdown", "failures_by_cause")
# Scenario-level numbers worth a sweep column (the rest is the same for every point).
_SCENARIO_COLUMNS = ("simulated_time_s", "wall_clock_s")


def flatten(mapping, prefix=""):
    """Nested dict -> one level with dotted keys; lists are left out.
    {"breakdown_s": {"compute": 1.0}} -> {"breakdown_s.compute": 1.0}"""
    flat = {}
    for key, value in mapping.items():
        name = prefix + key
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif not isinstance(value, list):
            flat[name] = value
    return flat


# The JSON's keys come sorted by name; these lead the columns because they are what one compares.
_LEADING_JOB_COLUMNS = ("name", "iteration_time_s", "tokens_per_s", "mfu", "hfu", "model_tflops_per_gpu",
                        "hardware_tflops_per_gpu", "memory_per_gpu_bytes", "memory_capacity_bytes",
                        "fits_in_memory")


def _tier_columns(job):
    """Each fabric tier's utilizations as columns (network.leaf_spine.busiest_link_utilization),
    so that a sweep over the fabric plots them directly."""
    columns = {}
    for tier in job.get("network", {}).get("tiers", []):
        for key in ("bytes_per_iteration", "mean_utilization", "busiest_link_utilization"):
            columns[f"network.{tier['tier']}.{key}"] = tier[key]
    return columns


def _job_columns(job):
    leading = {key: job[key] for key in _LEADING_JOB_COLUMNS if key in job}
    rest = {key: value for key, value in job.items() if key not in _JOB_LISTS and key not in leading}
    return {**leading, **flatten(rest), **_tier_columns(job)}


class Result:
    """One simulation's results. `trace` is the Chrome trace dict when the run kept one."""

    def __init__(self, data, trace=None):
        self._data = data
        self.trace = trace

    def to_dict(self):
        """The contract's JSON result as a dict (a copy: changing it changes nothing here)."""
        return copy.deepcopy(self._data)

    def __getitem__(self, key):
        return self._data[key]

    @property
    def scenario(self):
        return self._data["scenario"]

    @property
    def jobs(self):
        """DataFrame indexed by job name: every scalar the JSON has per job, nested keys dotted
        (``breakdown_s.compute``, ``memory_breakdown_bytes.weights``)."""
        pandas = _pandas()
        frame = pandas.DataFrame([_job_columns(job) for job in self._data["jobs"]])
        return frame.set_index("name")

    @property
    def breakdown(self):
        """DataFrame indexed by job name, one column per part of the iteration time (seconds)."""
        return self._per_job("breakdown_s")

    @property
    def memory(self):
        """DataFrame indexed by job name: bytes per GPU by kind, then total, capacity and fits."""
        frame = self._per_job("memory_breakdown_bytes")
        jobs = self._data["jobs"]
        frame["total"] = [job["memory_per_gpu_bytes"] for job in jobs]
        frame["capacity"] = [job["memory_capacity_bytes"] for job in jobs]
        frame["fits"] = [job["fits_in_memory"] for job in jobs]
        return frame

    @property
    def reliability(self):
        """DataFrame indexed by job name: checkpoints and failures (counts, bytes, seconds) and
        goodput, the share of the job's wall-clock time that went into training it kept."""
        frame = self._per_job("reliability")
        frame["goodput"] = [job["goodput"] for job in self._data["jobs"]]
        return frame

    @property
    def energy(self):
        """DataFrame indexed by job name plus a last row "(cluster)" for the whole cluster over the
        simulated time: energy in joules (gpu, node_other, network and storage for the cluster,
        it, facility = it x PUE), powers in watts (mean, training, idle) and cost (gpu_hours,
        allocation_usd, electricity_usd, total_usd)."""
        pandas = _pandas()
        rows = [{**job["energy"], **job["cost"]} for job in self._data["jobs"]]
        rows.append({**self._data["energy"], **self._data["cost"]})
        names = [job["name"] for job in self._data["jobs"]] + ["(cluster)"]
        frame = pandas.DataFrame(rows, index=names)
        frame.index.name = "job"
        return frame

    @property
    def scheduler(self):
        """The cluster scheduler's statistics when the scenario has a `scheduler` section (policy,
        jobs run and rejected, queue and completion times in seconds, makespan, GPU utilization),
        else None. Each job's own wait is its `queue_s` in `jobs`."""
        stats = self._data.get("scheduler")
        return dict(stats) if stats is not None else None

    @property
    def scheduled_jobs(self):
        """DataFrame with one row per job the scheduler ran to the end, with ``output.job_table: true``
        (columns name -- a training job's, or ``trace:LINE`` -- group, gpus, submit_s, start_s, end_s,
        queue_s, held_s, preemptions, failures, and with ``trace_traffic.stretch`` contention_s); None
        otherwise."""
        table = (self._data.get("scheduler") or {}).get("job_table")
        if table is None:
            return None
        columns = ("name", "group", "gpus", "submit_s", "start_s", "end_s", "queue_s", "held_s", "preemptions",
                   "failures", "contention_s")
        columns = tuple(key for key in columns if key in table)
        return _pandas().DataFrame({key: table[key] for key in columns})

    @property
    def groups(self):
        """DataFrame with one row per group of jobs when the scheduler has `quotas` or policy fair_share (columns
        quota_gpus (0: none), jobs, borrowed_jobs, gpu_hours, mean_queue_s, median_queue_s, and
        preempted_jobs with preemption), indexed by the group's name; None otherwise."""
        groups = (self._data.get("scheduler") or {}).get("groups")
        if groups is None:
            return None
        import pandas
        return pandas.DataFrame(groups).set_index("name")

    @property
    def stages(self):
        """DataFrame with one row per job and pipeline rank (columns job, stage, then the
        breakdown in seconds)."""
        rows = [{"job": job["name"], "stage": stage, **parts}
                for job in self._data["jobs"]
                for stage, parts in enumerate(job["stages_breakdown_s"])]
        return _pandas().DataFrame(rows)

    @property
    def collectives(self):
        """DataFrame with one row per job and kind of collective it issues, as the tuner chose it:
        job, purpose (tensor_parallel, pipeline_send, data_parallel, parameter_gather), op, ranks,
        bytes per call, algorithm, protocol, estimated_s per call alone on the fabric, and
        calls_per_iteration (every pipeline rank counted)."""
        rows = [{"job": job["name"], **use}
                for job in self._data["jobs"]
                for use in job.get("collectives", [])]
        return _pandas().DataFrame(rows)

    @property
    def network(self):
        """DataFrame with one row per job and fabric tier its steady iteration uses, from the GPUs
        up (scale_up, gpu_nic, nic_leaf, leaf_spine, ...): job, tier, links (directed links with
        traffic), bytes_per_iteration (summed over those links), bytes_by_purpose.<purpose>,
        mean_utilization, busiest_link and busiest_link_utilization (share of the iteration busy)."""
        rows = [{"job": job["name"], **flatten(tier)}
                for job in self._data["jobs"]
                for tier in job.get("network", {}).get("tiers", [])]
        return _pandas().DataFrame(rows)

    @property
    def cluster_network(self):
        """DataFrame indexed by fabric tier (from the GPUs up) with every job's traffic over the
        whole run, training runs, their checkpoints and trace jobs' loads together: links
        (directed, in service), links_used, bytes and bytes_by_source.<training|checkpoints|
        trace_jobs>, mean_utilization (over the simulated time), peak_utilization (the
        tier's busiest moment, each job at its steady rate) and peak_at_s, busiest_link with its
        busiest_link_peak_utilization and busiest_link_mean_utilization."""
        frame = _pandas().DataFrame([flatten(tier) for tier in self._data.get("network", {}).get("tiers", [])])
        return frame.set_index("tier") if "tier" in frame else frame

    @property
    def network_timeline(self):
        """DataFrame indexed by at_s (seconds) with one column per fabric tier, from the GPUs up: the
        tier's utilization from that moment to the next row's (the last until the run's end), every
        job at its steady rate while it runs; when the scenario sets ``output.network_timeline``,
        else None."""
        network = self._data.get("network", {})
        timeline = network.get("timeline")
        if timeline is None:
            return None
        tiers = [tier["tier"] for tier in network.get("tiers", [])]
        frame = _pandas().DataFrame({tier: timeline["utilization"][tier] for tier in tiers},
                                    index=_pandas().Index(timeline["at_s"], name="at_s"))
        return frame

    @property
    def failures(self):
        """DataFrame with one row per job and cause of failure when the scenario has `failures`
        (the causes of `failures.causes`, "node" for `node_mtbf`, or a fault trace's classes):
        job, cause, per (gpu, node, switch or job), failures, restart_time_s (from each of its
        failures to training again) and lost_work_s. Empty without failures."""
        rows = [{"job": job["name"], **cause}
                for job in self._data["jobs"]
                for cause in job.get("failures_by_cause", [])]
        return _pandas().DataFrame(rows)

    def summary(self):
        """One flat dict of numbers: simulated_time_s, wall_clock_s, the cluster's energy and cost
        (``cluster.energy.facility_j``, ``cluster.cost.total_usd``), its fabric tiers' use over the
        run (``cluster.network.leaf_spine.peak_utilization``), the scheduler's statistics
        when there is one (``scheduler.mean_queue_s``), the spare nodes' with ``failures.spare_nodes``
        (``spares.waits``), then each job's scalars.
        With one job its columns are unprefixed (``iteration_time_s``); with several, each is
        prefixed by the job's name (``gpt3.iteration_time_s``)."""
        row = {key: self._data[key] for key in _SCENARIO_COLUMNS}
        row.update(flatten({"energy": self._data["energy"], "cost": self._data["cost"]}, "cluster."))
        for tier in self._data.get("network", {}).get("tiers", []):
            for key in ("bytes", "mean_utilization", "peak_utilization", "busiest_link_peak_utilization"):
                row[f"cluster.network.{tier['tier']}.{key}"] = tier[key]
        if "reliability" in self._data:
            row.update(flatten(self._data["reliability"], "cluster.reliability."))
        if "scheduler" in self._data:
            row.update(flatten(self._data["scheduler"], "scheduler."))
        if "spares" in self._data:
            row.update(flatten(self._data["spares"], "spares."))
        jobs = self._data["jobs"]
        for job in jobs:
            columns = _job_columns(job)
            name = columns.pop("name")
            prefix = f"{name}." if len(jobs) > 1 else ""
            row.update({prefix + key: value for key, value in columns.items()})
        return row

    def _per_job(self, key):
        pandas = _pandas()
        jobs = self._data["jobs"]
        frame = pandas.DataFrame([job[key] for job in jobs], index=[job["name"] for job in jobs])
        frame.index.name = "job"
        return frame

    def __repr__(self):
        jobs = ", ".join(f"{job['name']}: {job['iteration_time_s']:.4g} s/iteration, MFU {job['mfu']:.1%}"
                         for job in self._data["jobs"])
        return f"<dcsim.Result {self.scenario}: {jobs}>"


def _pandas():
    import pandas
    return pandas
