#include "results/text_report.hpp"

#include "units/units.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <vector>

namespace dcsim {

namespace {

std::string line(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string line(const char* format, ...)
{
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return std::string(buf) + "\n";
}

std::string percent_of(double part, double whole)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f%%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

std::string causes_summary(std::vector<CauseStats> causes)
{
  std::stable_sort(causes.begin(), causes.end(),
                   [](const CauseStats& a, const CauseStats& b) { return a.failures > b.failures; });
  std::string out;
  for (const CauseStats& c : causes)
    if (c.failures > 0)
      out += line("    %-17s %d; restarts %s, work lost %s", (c.name + ":").c_str(), c.failures,
                  format_seconds(c.restart_time_s).c_str(), format_seconds(c.lost_work_s).c_str());
  return out;
}

/// Only for jobs that checkpoint or can fail.
std::string reliability_summary(const JobResult& r)
{
  const ReliabilityStats& s = r.reliability;
  if (s.checkpoint_bytes == 0 && s.mtbi_s == 0) // neither checkpoints nor failures configured
    return "";
  std::string out;
  const std::string write = s.checkpoint_snapshot_s > 0 ? "snapshot " + format_seconds(s.checkpoint_snapshot_s) +
                                                              ", write in the background " +
                                                              format_seconds(s.checkpoint_write_s)
                                                        : "write " + format_seconds(s.checkpoint_write_s);
  if (s.checkpoint_bytes > 0)
    out += line("  checkpoints         %d of %s every %s of training (%s, read %s)", s.checkpoints,
                format_bytes(s.checkpoint_bytes).c_str(), format_seconds(s.checkpoint_interval_s).c_str(),
                write.c_str(), format_seconds(s.checkpoint_read_s).c_str());
  if (s.mtbi_s > 0)
    out += line("  failures            %d (one every %s on average); restarts %s%s, work lost %s", s.failures,
                format_seconds(s.mtbi_s).c_str(), format_seconds(s.restart_time_s).c_str(),
                s.detection_time_s > 0 ? (" (" + format_seconds(s.detection_time_s) + " hung until noticed)").c_str() : "",
                format_seconds(s.lost_work_s - s.time_limit_lost_s).c_str());
  if (s.elastic_runs > 0)
    out += line("  elastic             %d run(s) on fewer replicas while spares came, %s (the missing replicas' "
                "share %s)",
                s.elastic_runs, format_seconds(s.elastic_s).c_str(), format_seconds(s.elastic_lost_s).c_str());
  if (s.time_limit_exits + s.time_limit_kills > 0)
    out += line("  time limit          requeued %d times: %d saved and exited before it, %d killed at it "
                "(work lost %s)",
                s.time_limit_exits + s.time_limit_kills, s.time_limit_exits, s.time_limit_kills,
                format_seconds(s.time_limit_lost_s).c_str());
  if (s.maintenances > 0)
    out += line("  maintenance         %d planned stops; down and reading back %s", s.maintenances,
                format_seconds(s.maintenance_time_s).c_str());
  if (s.by_cause.size() > 1) // one line per cause that struck, most failures first
    out += causes_summary(s.by_cause);
  out += line("  goodput             %.1f%% (checkpointing %s)", 100 * r.goodput,
              format_seconds(s.checkpoint_time_s).c_str());
  return out;
}

std::string money(double usd)
{
  char buf[64];
  if (usd >= 1e6)
    std::snprintf(buf, sizeof buf, "$%.3gM", usd / 1e6);
  else if (usd >= 1e3)
    std::snprintf(buf, sizeof buf, "$%.3gk", usd / 1e3);
  else
    std::snprintf(buf, sizeof buf, "$%.3g", usd);
  return buf;
}

std::string energy_summary(const ScenarioConfig& config, const JobResult& r)
{
  const EnergyStats& e = r.energy;
  // Per node's worth of GPUs, so that a job on part of a node reads like a whole one.
  const double per_node_w = r.gpus > 0 ? e.training_power_w * config.cluster.node.gpus / r.gpus : 0;
  std::string out = line("  energy              %s (PUE %.2f); training %s per node, %s per GPU",
                         format_energy(e.facility_j).c_str(), config.power.pue, format_watts(per_node_w).c_str(),
                         format_watts(e.gpu_training_w).c_str());
  if (config.cost.enabled())
    out += line("  cost                %s (%.4g GPU-hours; %s per million tokens)", money(e.cost.total_usd()).c_str(),
                e.cost.gpu_hours, money(e.usd_per_million_tokens).c_str());
  return out;
}

std::string cluster_energy_summary(const ScenarioConfig& config, const SimulationResult& result)
{
  const EnergyStats& e = result.energy;
  std::string out = line("cluster energy: %s over %s (mean %s; IT power %s with the jobs training, %s idle, "
                         "%s every GPU busy)",
                         format_energy(e.facility_j).c_str(), format_seconds(result.simulated_time_s).c_str(),
                         format_watts(e.mean_power_w).c_str(), format_watts(e.training_power_w).c_str(),
                         format_watts(e.idle_power_w).c_str(), format_watts(e.busy_power_w).c_str());
  if (config.cost.enabled()) {
    const std::string network =
        config.cost.network_priced() ? ", network " + money(e.cost.network_usd) : std::string();
    out += line("cluster cost: %s (%.4g GPU-hours%s, electricity %s)", money(e.cost.total_usd()).c_str(),
                e.cost.gpu_hours, network.c_str(), money(e.cost.electricity_usd).c_str());
  }
  return out;
}

/// " (3 on borrowed GPUs, 1 preempted)", or "" when neither happened.
std::string borrowed_note(const GroupQueueStats& g)
{
  std::string note;
  if (g.borrowed_jobs > 0)
    note = std::to_string(g.borrowed_jobs) + " on borrowed GPUs";
  if (g.preempted_jobs > 0)
    note += (note.empty() ? "" : ", ") + std::to_string(g.preempted_jobs) + " preempted";
  return note.empty() ? "" : " (" + note + ")";
}

std::string scheduler_summary(const SchedulerStats& s)
{
  if (!s.enabled)
    return "";
  std::string out = line("scheduler: %s, %s placement, %d jobs (%d training, %d from the trace)%s", s.policy.c_str(),
                         s.placement.c_str(), s.jobs,
                         s.training_jobs, s.trace_jobs,
                         s.rejected_jobs > 0
                             ? (", " + std::to_string(s.rejected_jobs) + " trace jobs larger than the cluster" +
                                (s.groups.empty() ? "" : " or their quota") + " not run").c_str()
                             : "");
  if (s.trace_traffic)
    out += line("  trace traffic       %d runs of multi-node trace jobs loaded the network", s.trace_traffic_runs);
  if (s.switches_set)
    out += line("  switches            %d jobs waited for nodes under fewer leaf blocks; %d of them ran out of "
                "time and took other nodes",
                s.switch_held_jobs, s.switch_expired_jobs);
  if (s.trace_traffic_stretch)
    out += line("  trace contention    %d jobs ran >= 1%% longer than traced, %.1f GPU-hours in all, at most %.2fx",
                s.trace_slowed_jobs, s.trace_contention_gpu_hours, s.trace_max_stretch);
  if (s.trace_skipped_jobs > 0)
    out += line("  trace               %d line%s not replayed (the log gives no run time or processor count)",
                s.trace_skipped_jobs, s.trace_skipped_jobs == 1 ? "" : "s");
  out += line("  queue               mean %s, median %s, p95 %s, max %s", format_seconds(s.mean_queue_s).c_str(),
              format_seconds(s.median_queue_s).c_str(), format_seconds(s.p95_queue_s).c_str(),
              format_seconds(s.max_queue_s).c_str());
  out += line("  mean queue by size  %s within a node, %s for the %d multi-node jobs",
              format_seconds(s.mean_queue_within_node_s).c_str(), format_seconds(s.mean_queue_multi_node_s).c_str(),
              s.multi_node_jobs);
  out += line("  completion time     mean %s, median %s (bounded slowdown %.2f); makespan %s, GPU utilization %.1f%%",
              format_seconds(s.mean_jct_s).c_str(), format_seconds(s.median_jct_s).c_str(), s.mean_bounded_slowdown,
              format_seconds(s.makespan_s).c_str(), 100 * s.gpu_utilization);
  if (s.preemption)
    out += line("  preemption          %d runs of %d jobs cut short to give lent GPUs back, %.0f GPU-hours lost",
                s.preemptions, s.preempted_jobs, s.preemption_lost_gpu_hours);
  if (s.trace_maintenances > 0)
    out += line("  maintenance         %lld stops of the trace's running jobs, %.0f GPU-hours down", s.trace_maintenances,
                s.maintenance_lost_gpu_hours);
  if (s.trace_failures_on)
    out += line("  node failures       %d struck the trace's jobs, %.0f GPU-hours lost (restarts, unsaved work)",
                s.trace_failures, s.failure_lost_gpu_hours);
  // The groups holding the most GPU-hours first, at most kGroupLines of them (a trace may name
  // thousands; the JSON has them all).
  constexpr size_t kGroupLines = 20;
  std::vector<const GroupQueueStats*> groups;
  for (const GroupQueueStats& g : s.groups)
    groups.push_back(&g);
  std::stable_sort(groups.begin(), groups.end(),
                   [](const GroupQueueStats* a, const GroupQueueStats* b) { return a->gpu_hours > b->gpu_hours; });
  if (groups.size() > kGroupLines)
    groups.resize(kGroupLines);
  for (const GroupQueueStats* group : groups) {
    const GroupQueueStats& g = *group;
    out += line("  group %-12s  quota %s, %d jobs%s, %.0f GPU-hours, queue mean %s, median %s", g.name.c_str(),
                g.quota_gpus > 0 ? (std::to_string(g.quota_gpus) + (g.quota_gpus == 1 ? " GPU" : " GPUs")).c_str() : "none",
                g.jobs, borrowed_note(g).c_str(),
                g.gpu_hours, format_seconds(g.mean_queue_s).c_str(), format_seconds(g.median_queue_s).c_str());
  }
  if (s.groups.size() > kGroupLines)
    out += line("  ... and %zu more groups (all in the JSON's scheduler.groups)", s.groups.size() - kGroupLines);
  return out;
}

/// Per tier: what a steady iteration puts on its links, and how busy they are over it.
std::string network_summary(const JobResult& r)
{
  if (r.network.empty())
    return {};
  std::string out = line("  network per iteration (bytes summed over links; time busy, mean and busiest link):");
  for (const TierTraffic& t : r.network)
    out += line("    %-16s %9s on %d links   %5.1f%% mean, %5.1f%% %s", t.tier.c_str(), format_bytes(t.bytes).c_str(),
                t.links, 100 * t.mean_utilization, 100 * t.busiest_link_utilization, t.busiest_link.c_str());
  return out;
}

/// Whether the cluster's report says more than the one job's lines: jobs shared the fabric, or
/// its checkpoints reached tiers its iterations do not (storage).
bool cluster_network_adds(const SimulationResult& result)
{
  if (result.jobs.size() != 1 || result.scheduler.enabled)
    return true;
  const auto& own = result.jobs.front().network;
  return std::any_of(result.network.begin(), result.network.end(), [&](const FabricTierUsage& t) {
    return std::none_of(own.begin(), own.end(), [&](const TierTraffic& o) { return o.tier == t.tier; });
  });
}

/// Per tier, every job's traffic over the run (checkpoints included), when it adds to the jobs'.
std::string cluster_network_summary(const SimulationResult& result)
{
  if (result.network.empty() || !cluster_network_adds(result))
    return {};
  std::string out = line("cluster network over the run (every job's traffic; time busy, mean and at the busiest moment):");
  for (const FabricTierUsage& t : result.network)
    out += line("  %-16s %9s on %d of %d links   %.3g%% mean, %.3g%% peak at %s; busiest %s %.3g%% peak",
                t.tier.c_str(), format_bytes(t.bytes).c_str(), t.links_used, t.links, 100 * t.mean_utilization,
                100 * t.peak_utilization, format_seconds(t.peak_at_s).c_str(), t.busiest_link.c_str(),
                100 * t.busiest_link_peak_utilization);
  return out;
}

std::string job_summary(const ScenarioConfig& config, const JobConfig& job, const JobResult& r)
{
  const auto& p = job.parallelism;
  std::string out;
  std::string plan = "TP" + std::to_string(p.tensor);
  if (p.context > 1)
    plan += " CP" + std::to_string(p.context);
  if (p.expert > 1)
    plan += " EP" + std::to_string(p.expert);
  plan += " PP" + std::to_string(p.pipeline) + " DP" + std::to_string(p.data);
  // The schedule is named unless it is the one the chunk count implies.
  const PipelineSchedule usual = p.virtual_stages > 1 ? PipelineSchedule::Interleaved : PipelineSchedule::OneFOneB;
  const std::string schedule = p.schedule == usual ? "" : schedule_name(p.schedule);
  if (p.virtual_stages > 1)
    plan += " (v=" + std::to_string(p.virtual_stages) + (schedule.empty() ? "" : ", " + schedule) + ")";
  else if (!schedule.empty())
    plan += " (" + schedule + ")";
  out += line("job %s: %d GPUs, %s, micro-batch %d, global batch %d, seq %d", r.name.c_str(), r.gpus, plan.c_str(),
              job.batch.micro, job.batch.global, job.model.seq_len);
  out += line("  iteration time      %s", format_seconds(r.iteration_time_s).c_str());
  out += line("  throughput          %.4g tokens/s", r.tokens_per_s);
  out += line("  per GPU             %.1f TFLOP/s model, %.1f TFLOP/s hardware", r.model_tflops_per_gpu,
              r.hardware_tflops_per_gpu);
  out += line("  MFU / HFU           %.1f%% / %.1f%%", 100 * r.mfu, 100 * r.hfu);
  out += line("  memory per GPU      %s of %s (%s)", format_bytes(r.memory.total_bytes()).c_str(),
              format_bytes(r.memory_capacity_bytes).c_str(), r.fits_in_memory ? "fits" : "DOES NOT FIT");
  const TimeBreakdown& b = r.breakdown;
  const double t = r.iteration_time_s;
  out += line("  breakdown (pipeline rank 0):");
  const std::string slowed = b.compute_slowed_s > 0 ? "  (" + format_seconds(b.compute_slowed_s) +
                                                           " of it beside communication kernels' SMs)"
                                                     : std::string();
  out += line("    compute           %-10s %s%s", format_seconds(b.compute_s).c_str(),
              percent_of(b.compute_s, t).c_str(), slowed.c_str());
  std::string context =
      p.context > 1 ? ", context-parallel " + format_seconds(b.context_parallel_comm_s) : std::string();
  if (p.expert > 1)
    context += ", expert-parallel " + format_seconds(b.expert_parallel_comm_s);
  out += line("    exposed comm      %-10s %s  (tensor-parallel %s%s, data-parallel %s)",
              format_seconds(b.exposed_comm_s).c_str(), percent_of(b.exposed_comm_s, t).c_str(),
              format_seconds(b.tensor_parallel_comm_s).c_str(), context.c_str(),
              format_seconds(b.data_parallel_comm_s).c_str());
  out += line("    pipeline bubble   %-10s %s", format_seconds(b.pipeline_bubble_s).c_str(),
              percent_of(b.pipeline_bubble_s, t).c_str());
  out += line("    optimizer         %-10s %s", format_seconds(b.optimizer_s).c_str(),
              percent_of(b.optimizer_s, t).c_str());
  // Rank 0 can hide what slows the others (a mixture of experts' dense first layers carry no
  // all-to-alls): name the rank with the most exposed communication when it is not rank 0.
  size_t busiest = 0;
  for (size_t k = 1; k < r.stages.size(); ++k)
    if (r.stages[k].exposed_comm_s > r.stages[busiest].exposed_comm_s)
      busiest = k;
  if (busiest > 0 && r.stages[busiest].exposed_comm_s - b.exposed_comm_s > 0.01 * t) {
    const TimeBreakdown& w = r.stages[busiest];
    std::string parts;
    const auto part = [&](const char* name, double seconds) {
      if (seconds > 0)
        parts += (parts.empty() ? "" : ", ") + std::string(name) + " " + format_seconds(seconds);
    };
    part("tensor-parallel", w.tensor_parallel_comm_s);
    part("context-parallel", w.context_parallel_comm_s);
    part("expert-parallel", w.expert_parallel_comm_s);
    part("data-parallel", w.data_parallel_comm_s);
    out += line("  most exposed comm   pipeline rank %zu: %s %s (%s)", busiest, format_seconds(w.exposed_comm_s).c_str(),
                percent_of(w.exposed_comm_s, t).c_str(), parts.c_str());
  }
  out += network_summary(r);
  if (r.straggler_nodes > 0) {
    std::string ranks;
    for (size_t p = 0; p < r.stage_slowdown.size(); ++p)
      if (r.stage_slowdown[p] > 1.0)
        ranks += (ranks.empty() ? "" : ", ") + std::to_string(p);
    out += line("  stragglers          %d slow node%s (x%.3g) hold%s back pipeline rank%s %s", r.straggler_nodes,
                r.straggler_nodes == 1 ? "" : "s", config.stragglers.slowdown, r.straggler_nodes == 1 ? "s" : "",
                ranks.find(',') == std::string::npos ? "" : "s", ranks.c_str());
  }
  if (config.scheduler.enabled)
    out += line("  submitted at %s, waited %s for GPUs; on node%s %s (%d leaf block%s, %d pod%s)",
                format_seconds(r.submit_time_s).c_str(), format_seconds(r.queue_s).c_str(),
                r.nodes.find_first_of(",-") == std::string::npos ? "" : "s", r.nodes.c_str(), r.fabric_blocks,
                r.fabric_blocks == 1 ? "" : "s", r.fabric_pods, r.fabric_pods == 1 ? "" : "s");
  if (r.simulated_iterations >= r.iterations)
    out += line("  ran %.4g s to %.4g s (%d iteration%s, all simulated)", r.start_time_s, r.end_time_s, r.iterations,
                r.iterations == 1 ? "" : "s");
  else
    out += line("  ran %.4g s to %.4g s (%d iterations, %d simulated, the rest steady-state)", r.start_time_s,
                r.end_time_s, r.iterations, r.simulated_iterations);
  if (r.preemptions > 0)
    out += line("  preempted %d time%s, %s without GPUs before resuming (counted in its wait)", r.preemptions,
                r.preemptions == 1 ? "" : "s", format_seconds(r.suspended_s).c_str());
  if (r.grows > 0)
    out += line("  restarted %d time%s on more GPUs (grow), %s between runs", r.grows, r.grows == 1 ? "" : "s",
                format_seconds(r.suspended_s).c_str());
  out += reliability_summary(r);
  out += energy_summary(config, r);
  return out;
}

/// What `fabric.down` and `fabric.degraded` changed, for the cluster line ("" when nothing).
std::string fabric_changes(const FabricConfig& fabric)
{
  const auto name = [](const std::string& a, const std::string& b) { return b.empty() ? a : a + "-" + b; };
  std::string down, slow;
  for (const FabricConfig::Down& d : fabric.down)
    down += (down.empty() ? "" : ", ") + name(d.a, d.b);
  for (const FabricConfig::Degraded& d : fabric.degraded) {
    char rate[48];
    if (d.fraction > 0)
      std::snprintf(rate, sizeof rate, "%.4g%%", 100 * d.fraction);
    else
      std::snprintf(rate, sizeof rate, "%s", format_rate(d.bandwidth_bytes_per_s).c_str());
    slow += (slow.empty() ? "" : ", ") + name(d.a, d.b) + " at " + rate;
  }
  return (down.empty() ? "" : "; out of service: " + down) + (slow.empty() ? "" : "; below their rate: " + slow);
}

} // namespace

std::string text_summary(const ScenarioConfig& config, const SimulationResult& result)
{
  std::string out;
  const auto& c = config.cluster;
  out += line("dcsim: %s (seed %llu)", result.scenario.c_str(), static_cast<unsigned long long>(result.seed));
  out += line("cluster: %d nodes x %d %s = %d GPUs; %s%s", c.nodes, c.node.gpus, c.node.gpu.name.c_str(),
              c.total_gpus(), result.fabric.c_str(), fabric_changes(c.fabric).c_str());
  out += line("profile: %s", c.profile.path.c_str());
  for (size_t i = 0; i < result.jobs.size(); ++i)
    out += job_summary(config, config.jobs[i], result.jobs[i]);
  out += scheduler_summary(result.scheduler);
  if (result.reliability.enabled) {
    const ClusterReliability& c = result.reliability;
    out += line("cluster reliability: %lld failures; %.0f GPU-hours lost (checkpoints %.0f, restarts %.0f, lost work "
                "%.0f, maintenance %.0f, trace jobs' failures %.0f)",
                c.failures, c.lost_gpu_hours(), c.checkpointing_gpu_hours, c.restarting_gpu_hours,
                c.lost_work_gpu_hours, c.maintenance_gpu_hours, c.trace_failure_gpu_hours);
  }
  if (result.spares.spares >= 0)
    out += line("spare nodes: %d; %lld failed nodes replaced, %lld waited for a spare (%s in all, at most %s)",
                result.spares.spares, result.spares.replacements, result.spares.waits,
                format_seconds(result.spares.wait_s).c_str(), format_seconds(result.spares.max_wait_s).c_str());
  out += cluster_network_summary(result);
  out += cluster_energy_summary(config, result);
  out += line("simulated %s in %.3f s wall-clock", format_seconds(result.simulated_time_s).c_str(),
              result.wall_clock_s);
  return out;
}

} // namespace dcsim
