#include "results/json_report.hpp"

#include "collectives/tuner.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#ifndef DCSIM_VERSION
#define DCSIM_VERSION "dev"
#endif

namespace dcsim {

namespace {

nlohmann::json breakdown_json(const TimeBreakdown& b)
{
  return {{"compute", b.compute_s},
          {"exposed_comm", b.exposed_comm_s},
          {"pipeline_bubble", b.pipeline_bubble_s},
          {"optimizer", b.optimizer_s},
          {"tensor_parallel_comm", b.tensor_parallel_comm_s},
          {"context_parallel_comm", b.context_parallel_comm_s},
          {"expert_parallel_comm", b.expert_parallel_comm_s},
          {"data_parallel_comm", b.data_parallel_comm_s},
          {"pipeline_wait", b.pipeline_wait_s},
          {"compute_slowed_by_comm", b.compute_slowed_s}};
}

std::string to_string(CollectivePurpose purpose)
{
  switch (purpose) {
    case CollectivePurpose::TensorParallel: return "tensor_parallel";
    case CollectivePurpose::ContextParallel: return "context_parallel";
    case CollectivePurpose::ExpertParallel: return "expert_parallel";
    case CollectivePurpose::PipelineSend: return "pipeline_send";
    case CollectivePurpose::DataParallel: return "data_parallel";
    case CollectivePurpose::ParameterGather: return "parameter_gather";
  }
  return "unknown";
}

std::string to_string(TrafficSource source)
{
  switch (source) {
    case TrafficSource::Training: return "training";
    case TrafficSource::Checkpoints: return "checkpoints";
    case TrafficSource::TraceJobs: return "trace_jobs";
  }
  return "unknown";
}

nlohmann::json collectives_json(const std::vector<CollectiveUse>& uses)
{
  nlohmann::json out = nlohmann::json::array();
  for (const auto& u : uses)
    out.push_back({{"purpose", to_string(u.purpose)},
                   {"op", to_string(u.op)},
                   {"ranks", u.ranks},
                   {"bytes", u.bytes},
                   {"algorithm", u.algorithm},
                   {"protocol", to_string(u.protocol)},
                   {"estimated_s", u.estimated_s},
                   {"calls_per_iteration", u.calls_per_iteration}});
  return out;
}

/// Per fabric tier, what the job's steady iteration puts on it (engine/job_traffic.hpp).
/// Per fabric tier, every job's traffic over the run (engine/fabric_usage.hpp), and with
/// output.network_timeline each tier's utilization over time.
nlohmann::json cluster_network_json(const std::vector<FabricTierUsage>& tiers, const NetworkTimeline& timeline)
{
  nlohmann::json out = nlohmann::json::array();
  for (const FabricTierUsage& t : tiers) {
    nlohmann::json by_source = nlohmann::json::object();
    for (int k = 0; k < kTrafficSources; ++k)
      if (t.bytes_by_source[k] > 0)
        by_source[to_string(static_cast<TrafficSource>(k))] = t.bytes_by_source[k];
    out.push_back({{"tier", t.tier},
                   {"links", t.links},
                   {"links_used", t.links_used},
                   {"bytes", t.bytes},
                   {"bytes_by_source", by_source},
                   {"mean_utilization", t.mean_utilization},
                   {"peak_utilization", t.peak_utilization},
                   {"peak_at_s", t.peak_at_s},
                   {"busiest_link", t.busiest_link},
                   {"busiest_link_peak_utilization", t.busiest_link_peak_utilization},
                   {"busiest_link_mean_utilization", t.busiest_link_mean_utilization}});
  }
  nlohmann::json network = {{"tiers", out}};
  if (!timeline.at_s.empty()) { // columns: a month's steps load as one table
    nlohmann::json utilization = nlohmann::json::object();
    for (std::size_t i = 0; i < tiers.size() && i < timeline.utilization.size(); ++i)
      utilization[tiers[i].tier] = timeline.utilization[i];
    network["timeline"] = {{"at_s", timeline.at_s}, {"utilization", utilization}};
  }
  return network;
}

nlohmann::json network_json(const std::vector<TierTraffic>& tiers)
{
  nlohmann::json out = nlohmann::json::array();
  double total = 0;
  for (const TierTraffic& t : tiers) {
    nlohmann::json by_purpose = nlohmann::json::object();
    for (int k = 0; k < kCollectivePurposes; ++k)
      if (t.bytes_by_purpose[k] > 0)
        by_purpose[to_string(static_cast<CollectivePurpose>(k))] = t.bytes_by_purpose[k];
    out.push_back({{"tier", t.tier},
                   {"links", t.links},
                   {"bytes_per_iteration", t.bytes},
                   {"bytes_by_purpose", by_purpose},
                   {"mean_utilization", t.mean_utilization},
                   {"busiest_link", t.busiest_link},
                   {"busiest_link_utilization", t.busiest_link_utilization}});
    total += t.bytes;
  }
  return {{"link_bytes_per_iteration", total}, {"tiers", out}};
}

nlohmann::json reliability_json(const ReliabilityStats& r)
{
  nlohmann::json out = {{"mtbi_s", r.mtbi_s},
          {"checkpoint_bytes", r.checkpoint_bytes},
          {"checkpoint_interval_s", r.checkpoint_interval_s},
          {"checkpoint_write_s", r.checkpoint_write_s},
          {"checkpoint_snapshot_s", r.checkpoint_snapshot_s},
          {"checkpoint_slowdown_s", r.checkpoint_slowdown_s},
          {"checkpoint_read_s", r.checkpoint_read_s},
          {"checkpoints", r.checkpoints},
          {"failures", r.failures},
          {"checkpoint_time_s", r.checkpoint_time_s},
          {"restart_time_s", r.restart_time_s},
          {"lost_work_s", r.lost_work_s},
          {"spare_wait_s", r.spare_wait_s},
          {"detection_time_s", r.detection_time_s},
          {"maintenances", r.maintenances},
          {"maintenance_time_s", r.maintenance_time_s}};
  if (r.elastic) {
    out["elastic_runs"] = r.elastic_runs;
    out["elastic_s"] = r.elastic_s;
    out["elastic_lost_s"] = r.elastic_lost_s;
  }
  if (r.time_limited) {
    out["time_limit_exits"] = r.time_limit_exits;
    out["time_limit_kills"] = r.time_limit_kills;
    out["time_limit_lost_s"] = r.time_limit_lost_s;
  }
  return out;
}

nlohmann::json failures_by_cause_json(const std::vector<CauseStats>& causes)
{
  nlohmann::json out = nlohmann::json::array();
  for (const CauseStats& c : causes)
    out.push_back({{"cause", c.name},
                   {"per", to_string(c.per)},
                   {"failures", c.failures},
                   {"restart_time_s", c.restart_time_s},
                   {"lost_work_s", c.lost_work_s}});
  return out;
}

nlohmann::json energy_json(const EnergyStats& e, bool job)
{
  nlohmann::json out = {{"gpu_j", e.gpu_j},
                        {"node_other_j", e.node_other_j},
                        {"it_j", e.it_j},
                        {"facility_j", e.facility_j},
                        {"mean_power_w", e.mean_power_w},
                        {"training_power_w", e.training_power_w},
                        {"idle_power_w", e.idle_power_w}};
  if (job) {
    out["gpu_training_w"] = e.gpu_training_w;
    out["joules_per_token"] = e.joules_per_token;
  } else {
    out["network_j"] = e.network_j;
    out["storage_j"] = e.storage_j;
    out["busy_power_w"] = e.busy_power_w;
  }
  return out;
}

nlohmann::json cost_json(const EnergyStats& e, bool job)
{
  nlohmann::json out = {{"gpu_hours", e.cost.gpu_hours},
                        {"allocation_usd", e.cost.allocation_usd},
                        {"network_usd", e.cost.network_usd},
                        {"electricity_usd", e.cost.electricity_usd},
                        {"total_usd", e.cost.total_usd()}};
  if (job)
    out["usd_per_million_tokens"] = e.usd_per_million_tokens;
  return out;
}

nlohmann::json scheduler_json(const SchedulerStats& s)
{
  nlohmann::json out = {{"policy", s.policy},
          {"placement", s.placement},
          {"jobs", s.jobs},
          {"training_jobs", s.training_jobs},
          {"trace_jobs", s.trace_jobs},
          {"rejected_jobs", s.rejected_jobs},
          {"trace_skipped_jobs", s.trace_skipped_jobs},
          {"grows", s.grows},
          {"mean_queue_s", s.mean_queue_s},
          {"mean_queue_within_node_s", s.mean_queue_within_node_s},
          {"mean_queue_multi_node_s", s.mean_queue_multi_node_s},
          {"multi_node_jobs", s.multi_node_jobs},
          {"median_queue_s", s.median_queue_s},
          {"p95_queue_s", s.p95_queue_s},
          {"max_queue_s", s.max_queue_s},
          {"mean_jct_s", s.mean_jct_s},
          {"mean_bounded_slowdown", s.mean_bounded_slowdown},
          {"median_jct_s", s.median_jct_s},
          {"makespan_s", s.makespan_s},
          {"gpu_utilization", s.gpu_utilization}};
  if (s.trace_traffic)
    out["trace_traffic_runs"] = s.trace_traffic_runs;
  if (s.switches_set) {
    out["switch_held_jobs"] = s.switch_held_jobs;
    out["switch_expired_jobs"] = s.switch_expired_jobs;
  }
  if (s.trace_traffic_stretch) {
    out["trace_slowed_jobs"] = s.trace_slowed_jobs;
    out["trace_contention_gpu_hours"] = s.trace_contention_gpu_hours;
    out["trace_max_stretch"] = s.trace_max_stretch;
  }
  if (s.preemption) {
    out["preemptions"] = s.preemptions;
    out["preempted_jobs"] = s.preempted_jobs;
    out["preemption_lost_gpu_hours"] = s.preemption_lost_gpu_hours;
  }
  if (s.las_promotions >= 0)
    out["las_promotions"] = s.las_promotions;
  if (s.trace_failures_on) {
    out["trace_failures"] = s.trace_failures;
    out["failure_lost_gpu_hours"] = s.failure_lost_gpu_hours;
    nlohmann::json by_cause = nlohmann::json::array();
    for (const auto& [cause, failures] : s.trace_failures_by_cause)
      by_cause.push_back({{"cause", cause}, {"failures", failures}});
    out["trace_failures_by_cause"] = by_cause;
  }
  if (s.trace_maintenances > 0) {
    out["trace_maintenances"] = s.trace_maintenances;
    out["maintenance_lost_gpu_hours"] = s.maintenance_lost_gpu_hours;
  }
  if (!s.groups.empty()) {
    nlohmann::json groups = nlohmann::json::array();
    for (const GroupQueueStats& g : s.groups) {
      groups.push_back({{"name", g.name},
                        {"quota_gpus", g.quota_gpus},
                        {"jobs", g.jobs},
                        {"borrowed_jobs", g.borrowed_jobs},
                        {"gpu_hours", g.gpu_hours},
                        {"mean_queue_s", g.mean_queue_s},
                        {"median_queue_s", g.median_queue_s}});
      if (s.preemption)
        groups.back()["preempted_jobs"] = g.preempted_jobs;
    }
    out["groups"] = groups;
  }
  if (s.job_table) { // columns, not rows: a trace's 80,000 jobs stay a few MB and load as a table
    const ScheduledJobTable& t = *s.job_table;
    out["job_table"] = {{"name", t.name},       {"group", t.group},     {"gpus", t.gpus},
                        {"submit_s", t.submit_s}, {"start_s", t.start_s}, {"end_s", t.end_s},
                        {"queue_s", t.queue_s},   {"held_s", t.held_s},   {"preemptions", t.preemptions},
                        {"failures", t.failures}};
    if (!t.contention_s.empty())
      out["job_table"]["contention_s"] = t.contention_s;
  }
  return out;
}

nlohmann::json job_json(const JobResult& j)
{
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : j.stages)
    stages.push_back(breakdown_json(s));
  nlohmann::json out = {{"name", j.name},
          {"gpus", j.gpus},
          {"first_gpu", j.first_gpu},
          {"nodes", j.nodes},
          {"fabric_blocks", j.fabric_blocks},
          {"fabric_pods", j.fabric_pods},
          {"iteration_time_s", j.iteration_time_s},
          {"tokens_per_s", j.tokens_per_s},
          {"model_tflops_per_gpu", j.model_tflops_per_gpu},
          {"hardware_tflops_per_gpu", j.hardware_tflops_per_gpu},
          {"mfu", j.mfu},
          {"hfu", j.hfu},
          {"memory_per_gpu_bytes", static_cast<long long>(j.memory.total_bytes())},
          {"memory_capacity_bytes", static_cast<long long>(j.memory_capacity_bytes)},
          {"memory_breakdown_bytes",
           {{"weights", j.memory.weights_bytes},
            {"gradients", j.memory.gradients_bytes},
            {"optimizer", j.memory.optimizer_bytes},
            {"activations", j.memory.activations_bytes},
            {"runtime", j.memory.runtime_bytes}}},
          {"fits_in_memory", j.fits_in_memory},
          {"breakdown_s", breakdown_json(j.breakdown)},
          {"stages_breakdown_s", stages},
          {"straggler_nodes", j.straggler_nodes},
          {"stages_slowdown", j.stage_slowdown},
          {"submit_time_s", j.submit_time_s},
          {"queue_s", j.queue_s},
          {"start_time_s", j.start_time_s},
          {"end_time_s", j.end_time_s},
          {"iterations", j.iterations},
          {"simulated_iterations", j.simulated_iterations},
          {"iteration_times_s", j.iteration_times_s},
          {"collectives", collectives_json(j.collectives)},
          {"network", network_json(j.network)},
          {"goodput", j.goodput},
          {"reliability", reliability_json(j.reliability)},
          {"energy", energy_json(j.energy, true)},
          {"cost", cost_json(j.energy, true)}};
  if (!j.reliability.by_cause.empty()) // the scenario has failures
    out["failures_by_cause"] = failures_by_cause_json(j.reliability.by_cause);
  if (j.preemptions > 0 || j.grows > 0) { // a scheduler stopped it (only then: the contract's keys stay as they were)
    out["preemptions"] = j.preemptions;
    out["suspended_s"] = j.suspended_s;
  }
  if (j.grows > 0)
    out["grows"] = j.grows;
  return out;
}

} // namespace

nlohmann::json to_json(const SimulationResult& r)
{
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& j : r.jobs)
    jobs.push_back(job_json(j));
  nlohmann::json out = {{"dcsim_version", DCSIM_VERSION},
                        {"scenario", r.scenario},
                        {"seed", r.seed},
                        {"wall_clock_s", r.wall_clock_s},
                        {"simulated_time_s", r.simulated_time_s},
                        {"fabric", r.fabric},
                        {"jobs", jobs},
                        {"network", cluster_network_json(r.network, r.network_timeline)},
                        {"energy", energy_json(r.energy, false)},
                        {"cost", cost_json(r.energy, false)}};
  if (r.scheduler.enabled)
    out["scheduler"] = scheduler_json(r.scheduler);
  if (r.reliability.enabled) {
    const ClusterReliability& c = r.reliability;
    nlohmann::json by_cause = nlohmann::json::array();
    for (const auto& [cause, failures] : c.failures_by_cause)
      by_cause.push_back({{"cause", cause}, {"failures", failures}});
    out["reliability"] = {{"failures", c.failures},
                          {"lost_gpu_hours", c.lost_gpu_hours()},
                          {"checkpointing_gpu_hours", c.checkpointing_gpu_hours},
                          {"restarting_gpu_hours", c.restarting_gpu_hours},
                          {"lost_work_gpu_hours", c.lost_work_gpu_hours},
                          {"maintenance_gpu_hours", c.maintenance_gpu_hours},
                          {"trace_failure_gpu_hours", c.trace_failure_gpu_hours},
                          {"failures_by_cause", by_cause}};
  }
  if (r.spares.spares >= 0)
    out["spares"] = {{"spare_nodes", r.spares.spares},
                     {"replacements", r.spares.replacements},
                     {"waits", r.spares.waits},
                     {"wait_s", r.spares.wait_s},
                     {"max_wait_s", r.spares.max_wait_s}};
  return out;
}

nlohmann::json trace_to_json(const SimulationResult& r)
{
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : r.trace)
    events.push_back({{"name", e.name},
                      {"ph", "X"},
                      {"pid", e.job},
                      {"tid", e.stage},
                      {"ts", e.start_s * 1e6},
                      {"dur", e.duration_s * 1e6}});
  for (size_t j = 0; j < r.jobs.size(); ++j)
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", j}, {"args", {{"name", r.jobs[j].name}}}});
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

void write_json_file(const std::string& path, const nlohmann::json& value)
{
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out)
      throw std::runtime_error("cannot write " + path);
    out << value.dump(2) << "\n";
    if (!out)
      throw std::runtime_error("cannot write " + path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + path);
  }
}

} // namespace dcsim
