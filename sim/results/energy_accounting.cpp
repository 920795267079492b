#include "results/energy_accounting.hpp"

#include "energy/power_model.hpp"

#include <algorithm>

namespace dcsim {

namespace {

/// Where one GPU of a pipeline rank spends a steady iteration.
GpuStateTimes states_of(const TimeBreakdown& b)
{
  GpuStateTimes t;
  const double kernels_s = b.compute_s + b.optimizer_s;
  t.memory_bound_s = std::clamp(b.memory_bound_s, 0.0, kernels_s);
  t.busy_s = kernels_s - t.memory_bound_s;
  t.communicating_s = b.exposed_comm_s + b.pipeline_wait_s;
  t.idle_s = std::max(0.0, b.pipeline_bubble_s - b.pipeline_wait_s);
  return t;
}

/// One GPU of the job, averaged over its pipeline ranks (each has the same number of GPUs).
double training_gpu_watts(const JobResult& job, const NodePower& power)
{
  if (job.stages.empty())
    return power.gpu_busy_w;
  double sum = 0;
  for (const TimeBreakdown& stage : job.stages)
    sum += mean_gpu_watts(states_of(stage), power);
  return sum / static_cast<double>(job.stages.size());
}

void finish(EnergyStats& e, double pue, double span_s)
{
  e.it_j = e.gpu_j + e.node_other_j + e.network_j + e.storage_j;
  e.facility_j = e.it_j * pue;
  e.mean_power_w = span_s > 0 ? e.facility_j / span_s : 0;
}

EnergyStats job_energy(const JobResult& job, const JobConfig& config, const NodePower& power,
                       const ScenarioConfig& scenario, const NetworkInventory& network)
{
  EnergyStats e;
  // While preempted it holds no GPUs: the cluster counts them idle or busy with other jobs.
  const double wall_s = std::max(0.0, job.end_time_s - job.start_time_s - job.suspended_s);
  const ReliabilityStats& rs = job.reliability;
  // An elastic run's missing replicas idle too: elastic_lost_s is their share as whole-job time.
  const double paused_s = std::min(wall_s, rs.stopped_s() + rs.elastic_lost_s);
  e.gpu_training_w = training_gpu_watts(job, power);
  e.gpu_j = job.gpus * (e.gpu_training_w * (wall_s - paused_s) + power.gpu_idle_w * paused_s);
  e.node_other_j = job.gpus * power.other_per_gpu_w() * wall_s;
  e.training_power_w = job.gpus * (e.gpu_training_w + power.other_per_gpu_w());
  e.idle_power_w = job.gpus * (power.gpu_idle_w + power.other_per_gpu_w());
  finish(e, scenario.power.pue, wall_s);
  const double tokens = static_cast<double>(job.iterations) * config.batch.global * config.model.seq_len;
  e.cost = cost_of(scenario.cost, job.gpus * wall_s / 3600.0, e.facility_j, network);
  if (tokens > 0) {
    e.joules_per_token = e.facility_j / tokens;
    e.usd_per_million_tokens = e.cost.total_usd() / (tokens / 1e6);
  }
  return e;
}

} // namespace

void account_energy(SimulationResult& result, const ScenarioConfig& config, int network_switches, int network_cables,
                    int storage_servers)
{
  const ClusterConfig& cluster = config.cluster;
  const NetworkInventory network{network_switches, network_cables, cluster.total_gpus()};
  const NodePower power = resolve_node_power(config.power, cluster.node.gpu, cluster.node.gpus);
  const double span_s = result.simulated_time_s;
  EnergyStats& all = result.energy;
  double job_gpu_seconds = 0;
  double job_training_gpu_w = 0;
  int job_gpus = 0;
  for (size_t i = 0; i < result.jobs.size(); ++i) {
    JobResult& job = result.jobs[i];
    job.energy = job_energy(job, config.jobs[i], power, config, network);
    all.gpu_j += job.energy.gpu_j;
    job_gpu_seconds += job.gpus * std::max(0.0, job.end_time_s - job.start_time_s - job.suspended_s);
    job_training_gpu_w += job.gpus * job.energy.gpu_training_w;
    job_gpus += job.gpus;
  }
  const int gpus = cluster.total_gpus();
  const double fixed_w = cluster.nodes * power.node_other_w + network_switches * switch_watts(config.power) +
                         storage_servers * storage_server_watts(config.power);
  // A trace job's GPUs (scheduler) run a workload the trace does not describe: counted busy.
  const double trace_gpu_seconds = result.scheduler.trace_gpu_seconds;
  all.gpu_j += power.gpu_busy_w * trace_gpu_seconds;
  all.gpu_j += power.gpu_idle_w * std::max(0.0, gpus * span_s - job_gpu_seconds - trace_gpu_seconds);
  all.node_other_j = cluster.nodes * power.node_other_w * span_s;
  all.network_j = network_switches * switch_watts(config.power) * span_s;
  all.storage_j = storage_servers * storage_server_watts(config.power) * span_s;
  all.training_power_w = job_training_gpu_w + (gpus - job_gpus) * power.gpu_idle_w + fixed_w;
  all.idle_power_w = gpus * power.gpu_idle_w + fixed_w;
  all.busy_power_w = gpus * power.gpu_busy_w + fixed_w;
  finish(all, config.power.pue, span_s);
  all.cost = cost_of(config.cost, gpus * span_s / 3600.0, all.facility_j, network);
}

} // namespace dcsim
