// What a simulation produces, before it is formatted (json_report, text_report).
#pragma once

#include "compute/gpu_profile.hpp"
#include "config/failure_config.hpp"
#include "energy/cost_model.hpp"
#include "parallelism/collective_call.hpp"
#include "transformer/memory_model.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dcsim {

/// Where one pipeline rank's iteration time went. compute + exposed_comm + pipeline_bubble +
/// optimizer = iteration time.
struct TimeBreakdown {
  double compute_s = 0;         ///< kernels on the GPU (forward, backward, recompute)
  double exposed_comm_s = 0;    ///< tensor-, context- and data-parallel communication not hidden by compute
  double pipeline_bubble_s = 0; ///< waiting for other pipeline ranks (includes pipeline transfers)
  double optimizer_s = 0;
  double tensor_parallel_comm_s = 0; ///< part of exposed_comm_s
  double context_parallel_comm_s = 0; ///< part of exposed_comm_s
  double expert_parallel_comm_s = 0;  ///< part of exposed_comm_s
  double data_parallel_comm_s = 0;   ///< part of exposed_comm_s
  double pipeline_wait_s = 0;        ///< part of pipeline_bubble_s spent waiting for a pipeline message
  /// Part of compute_s: what the kernels lost to the SMs that communication kernels held beside
  /// them (parallelism.overlap_comm_sms; engine/sm_share.hpp).
  double compute_slowed_s = 0;
  /// Part of compute_s + optimizer_s: kernels whose time HBM bandwidth sets (the optimizer step,
  /// and compute_s times the share of the rank's pass kernel time in memory-bound kernels). They
  /// draw less power (models/energy/power_model.hpp). Not a slice of the iteration of its own.
  double memory_bound_s = 0;
};

/// Why a job runs a collective.
enum class CollectivePurpose {
  TensorParallel,
  ContextParallel,
  ExpertParallel,
  PipelineSend,
  DataParallel,
  ParameterGather
};

constexpr int kCollectivePurposes = 6;

/// Tensor-, context-, expert-parallel and pipeline traffic repeats every micro-batch; the rest once an iteration.
inline bool repeats_per_micro_batch(CollectivePurpose purpose)
{
  return purpose == CollectivePurpose::TensorParallel || purpose == CollectivePurpose::ContextParallel ||
         purpose == CollectivePurpose::ExpertParallel || purpose == CollectivePurpose::PipelineSend;
}

/// One kind of collective a job issues, as the tuner chose it (every pipeline rank counted).
struct CollectiveUse {
  CollectivePurpose purpose = CollectivePurpose::TensorParallel;
  CollectiveKind op = CollectiveKind::AllReduce;
  int ranks = 0;               ///< GPUs in one group
  double bytes = 0;            ///< per call
  std::string algorithm;
  Protocol protocol = Protocol::Simple;
  double estimated_s = 0;      ///< per call, alone on the fabric (the tuner's estimate)
  int calls_per_iteration = 0; ///< by one group of each pipeline rank, summed over the ranks

  /// Same collective (all but the counts).
  bool same_call(const CollectiveUse& o) const
  {
    return purpose == o.purpose && op == o.op && ranks == o.ranks && bytes == o.bytes && algorithm == o.algorithm &&
           protocol == o.protocol;
  }
};

/// What one tier of the fabric carries for a job in a steady iteration (engine/job_traffic.hpp).
struct TierTraffic {
  std::string tier;   ///< "scale_up", "gpu_nic", "nic_leaf", "leaf_spine", "spine_core", "global", ...
  int links = 0;      ///< directed links of the tier that carry some of the job's traffic
  double bytes = 0;   ///< bytes on the wire summed over those links (a flow counts once per link it crosses)
  std::array<double, kCollectivePurposes> bytes_by_purpose{}; ///< indexed by CollectivePurpose
  double mean_utilization = 0;   ///< bytes over (the links' summed bandwidth x the iteration time)
  std::string busiest_link;      ///< e.g. "leaf3->spine1"
  double busiest_link_utilization = 0;
};

/// Where the cluster's traffic comes from (FabricTierUsage::bytes_by_source).
enum class TrafficSource { Training, Checkpoints, TraceJobs };
inline constexpr int kTrafficSources = 3;

/// What every job together put on one tier of the fabric over the whole run
/// (engine/fabric_usage.hpp): the tier's load averaged over the run and at its busiest moment.
struct FabricTierUsage {
  std::string tier;    ///< as TierTraffic::tier
  int links = 0;       ///< directed links of the tier in service
  int links_used = 0;  ///< of them, those that carried traffic
  double bytes = 0;    ///< on the wire over the run, summed over the tier's links
  std::array<double, kTrafficSources> bytes_by_source{}; ///< indexed by TrafficSource
  double mean_utilization = 0; ///< bytes over (the tier's summed bandwidth x the simulated time)
  /// The tier's summed traffic rate at its busiest moment over its summed bandwidth (each job at
  /// its steady iteration's mean rate while it runs).
  double peak_utilization = 0;
  double peak_at_s = 0;           ///< when that moment began
  std::string busiest_link;       ///< the link whose rate came nearest its bandwidth
  double busiest_link_peak_utilization = 0;
  double busiest_link_mean_utilization = 0; ///< that link's bytes over its bandwidth x the simulated time
};

/// Each fabric tier's utilization over the run (output.network_timeline): a step function, the
/// tier's summed rate over its summed bandwidth from at_s[i] until at_s[i + 1] (the last until
/// the run's end), every job at its steady rate while it runs.
struct NetworkTimeline {
  std::vector<double> at_s;
  std::vector<std::vector<double>> utilization; ///< per tier of SimulationResult::network, in its order
};

/// Failures of one cause (FailureConfig::causes) in one job.
struct CauseStats {
  std::string name;
  FailureScope per = FailureScope::Node;
  int failures = 0;
  double restart_time_s = 0; ///< from each of its failures to training again, or to the next failure
  double lost_work_s = 0;    ///< training thrown away by its failures
};

/// Failures and checkpoints of one job (all zero when the scenario has neither).
struct ReliabilityStats {
  /// Wall-clock time the job was stopped: checkpointing, restarting, maintenance.
  double stopped_s() const { return checkpoint_time_s + restart_time_s + maintenance_time_s; }
  /// Time that did not train the whole job: stopped, thrown away, or the replicas an elastic
  /// run went without (goodput's complement, times the time held).
  double unproductive_s() const { return stopped_s() + lost_work_s + elastic_lost_s; }
  double mtbi_s = 0;                ///< the job's mean time between interrupts (node MTBF / nodes); 0: none
  double checkpoint_bytes = 0;
  double checkpoint_interval_s = 0; ///< training time between checkpoints (Daly's optimum when auto)
  double checkpoint_write_s = 0;    ///< last completed write
  double checkpoint_snapshot_s = 0; ///< asynchronous: the last copy to host memory (training stopped)
  double checkpoint_slowdown_s = 0; ///< asynchronous: training time one background write costs (measured once)
  double checkpoint_read_s = 0;     ///< last completed read
  int checkpoints = 0;              ///< completed writes
  int failures = 0;                 ///< including those during a restart or a write
  double checkpoint_time_s = 0;     ///< all writing, completed or cut short
  double restart_time_s = 0;        ///< from each failure to training again (restart and reads)
  double lost_work_s = 0;           ///< training since the last checkpoint, thrown away by failures
  double spare_wait_s = 0;          ///< of restart_time_s, waiting for a spare node (failures.spare_nodes)
  double detection_time_s = 0;      ///< of restart_time_s, hung until the failure was noticed (failures.detect)
  int maintenances = 0;             ///< planned stops (failures.maintenance)
  double maintenance_time_s = 0;    ///< their downtimes and checkpoint reads (their writes are checkpoints)
  bool elastic = false;             ///< failures.elastic (the three below are reported)
  int elastic_runs = 0;             ///< runs at reduced data parallelism while a spare was awaited
  double elastic_s = 0;             ///< their time
  double elastic_lost_s = 0;        ///< of elastic_s, the share of the replicas they went without
  bool time_limited = false;        ///< jobs[].time_limit (the three below are reported)
  int time_limit_exits = 0;         ///< runs that saved and exited before the limit (exit_duration)
  int time_limit_kills = 0;         ///< runs Slurm killed at the limit
  double time_limit_lost_s = 0;     ///< of lost_work_s, the training the kills threw away
  std::vector<CauseStats> by_cause; ///< the same by cause, one per FailureConfig::causes entry
};

/// Energy and money of one job over its run, or of the whole cluster over the simulated time
/// (sim/results/energy_accounting.hpp says how they are counted).
struct EnergyStats {
  double gpu_j = 0;            ///< the GPUs
  double node_other_j = 0;     ///< the rest of their nodes (a job: its GPUs' share)
  double network_j = 0;        ///< fabric switches (cluster only)
  double storage_j = 0;        ///< storage servers (cluster only)
  double it_j = 0;             ///< all of the above
  double facility_j = 0;       ///< it_j x PUE
  double mean_power_w = 0;     ///< facility power averaged over the time span
  double training_power_w = 0; ///< IT power while training steadily (cluster: every job at once, other GPUs idle)
  double idle_power_w = 0;     ///< IT power with all the GPUs idle
  double busy_power_w = 0;     ///< IT power with every GPU busy: what the site must supply (cluster only)
  double gpu_training_w = 0;   ///< one GPU's mean power over a steady iteration (jobs only)
  double joules_per_token = 0; ///< facility energy per token trained (jobs only)
  Cost cost;
  double usd_per_million_tokens = 0; ///< jobs only
};

/// One quota group's jobs (scheduler.quotas).
struct GroupQueueStats {
  std::string name;
  int quota_gpus = 0;        ///< 0: no quota
  int jobs = 0;              ///< run to the end
  int borrowed_jobs = 0;     ///< of them, started over the quota on idle GPUs (quota_borrowing)
  int preempted_jobs = 0;    ///< of them, preempted at least once (scheduler.preemption)
  double gpu_hours = 0;      ///< held by its jobs
  double mean_queue_s = 0;
  double median_queue_s = 0;
};

/// Every job a scheduler ran to the end, one column per field (`output.job_table`): what a study
/// of waits needs beyond their mean and quantiles (their distribution, per size or group).
struct ScheduledJobTable {
  std::vector<std::string> name;   ///< a training job's name, or "trace:LINE" (the trace file's line)
  std::vector<std::string> group;  ///< "" when in none
  std::vector<int> gpus;
  std::vector<double> submit_s;
  std::vector<double> start_s;     ///< first start
  std::vector<double> end_s;       ///< last end
  std::vector<double> queue_s;     ///< waits: before the first start and after each preemption
  std::vector<double> held_s;      ///< GPUs held over all its runs
  std::vector<int> preemptions;
  std::vector<int> failures;       ///< trace jobs struck by failures (training jobs: in their reliability)
  /// With trace_traffic.stretch: how much longer a trace job's runs took than traced (else empty).
  std::vector<double> contention_s;
};

/// A cluster scheduler's run (scenario `scheduler`): every job it queued, training and trace.
struct SchedulerStats {
  bool enabled = false;
  std::string policy;
  std::string placement;
  int jobs = 0;              ///< run to the end: training jobs and trace jobs
  int training_jobs = 0;
  int trace_jobs = 0;
  int rejected_jobs = 0;     ///< trace jobs needing more GPUs than the cluster has: not run
  int trace_skipped_jobs = 0; ///< SWF log lines without a run time or processor count: not replayed
  int grows = 0;              ///< training jobs restarted on more GPUs (jobs[].grow)
  bool trace_traffic = false; ///< scheduler.trace_traffic: multi-node trace jobs load the fabric
  int trace_traffic_runs = 0; ///< ... runs of trace jobs that did
  bool trace_traffic_stretch = false; ///< ... and their runs last as long as their loads take
  int trace_slowed_jobs = 0;          ///< ... trace jobs that ran >= 1% longer than traced
  double trace_contention_gpu_hours = 0; ///< ... the GPU-hours their runs took beyond the traced
  double trace_max_stretch = 1;       ///< ... the most a job's run time grew (run over traced)
  bool switches_set = false;   ///< scheduler.switches or some job's jobs[].switches
  int switch_held_jobs = 0;    ///< ... jobs it kept from nodes under more leaf blocks
  int switch_expired_jobs = 0; ///< ... of them, those whose wait ran out before such nodes freed
  double mean_queue_s = 0;   ///< from submission to start
  double mean_queue_within_node_s = 0; ///< jobs that fit in one node
  double mean_queue_multi_node_s = 0;  ///< jobs of whole nodes
  int multi_node_jobs = 0;
  double median_queue_s = 0;
  double p95_queue_s = 0;
  double max_queue_s = 0;
  double mean_jct_s = 0;     ///< job completion time: from submission to end
  double mean_bounded_slowdown = 0; ///< (wait + run) / max(run, 10 s), at least 1 (Feitelson)
  double median_jct_s = 0;
  double makespan_s = 0;     ///< from the first submission to the last end
  double gpu_utilization = 0; ///< GPU-seconds held by jobs / (the cluster's GPUs x makespan)
  double trace_gpu_seconds = 0; ///< GPU-seconds held by trace jobs (counted busy for energy)
  bool preemption = false;   ///< scheduler.preemption on: the three below are reported
  int preemptions = 0;       ///< runs cut short to give lent GPUs back
  int preempted_jobs = 0;    ///< jobs preempted at least once
  double preemption_lost_gpu_hours = 0; ///< held by preempted jobs but not kept: restarts, unsaved work
  int las_promotions = -1;        ///< las: jobs sent back to the top level (-1: no knob)
  bool trace_failures_on = false; ///< failures strike the trace's jobs: the two below are reported
  int trace_failures = 0;         ///< node failures that struck running trace jobs
  double failure_lost_gpu_hours = 0; ///< held by struck trace jobs but not kept: restarts, unsaved work
  long long trace_maintenances = 0;       ///< planned maintenance stops of running trace jobs
  double maintenance_lost_gpu_hours = 0;  ///< their downtimes
  /// Of trace_failures, how many each cause (FailureConfig::causes, in order) struck.
  std::vector<std::pair<std::string, long long>> trace_failures_by_cause;
  std::vector<GroupQueueStats> groups; ///< with quotas only, in the trace's order of groups
  std::optional<ScheduledJobTable> job_table; ///< with output.job_table only
};

struct JobResult {
  std::string name;
  int gpus = 0;
  int first_gpu = 0;
  std::string nodes;     ///< the job's nodes as ranges, e.g. "0-15,32-47"
  int fabric_blocks = 0; ///< leaf blocks and pods its nodes span (topologies/node_locality.hpp)
  int fabric_pods = 0;
  double iteration_time_s = 0;       ///< steady-state iteration
  double tokens_per_s = 0;
  double model_tflops_per_gpu = 0;
  double hardware_tflops_per_gpu = 0;
  double mfu = 0;
  double hfu = 0;
  MemoryEstimate memory;
  double memory_capacity_bytes = 0;
  bool fits_in_memory = true;
  TimeBreakdown breakdown;           ///< pipeline rank 0, steady-state iteration
  std::vector<TimeBreakdown> stages; ///< every pipeline rank, steady-state iteration
  int straggler_nodes = 0;             ///< slow nodes among the job's (scenario `stragglers`)
  std::vector<double> stage_slowdown;  ///< per pipeline rank, when the job has straggler nodes
  double submit_time_s = 0;          ///< when it asked for GPUs (its start_time)
  double queue_s = 0;                ///< waiting for GPUs: start - submit (0 without a scheduler)
  double start_time_s = 0;
  double end_time_s = 0;
  int iterations = 0;
  int simulated_iterations = 0;      ///< the rest were steady and fast-forwarded
  std::vector<double> iteration_times_s; ///< of the simulated iterations
  std::vector<CollectiveUse> collectives;
  std::vector<TierTraffic> network; ///< per fabric tier, steady iteration; empty for a job that never ran
  ReliabilityStats reliability;
  /// Failure-free training time over the job's wall-clock time (1 without failures or checkpoints).
  double goodput = 1;
  int preemptions = 0;   ///< times the scheduler preempted it (it then waited and resumed)
  int grows = 0;         ///< times it stopped to restart on more GPUs (jobs[].grow)
  double suspended_s = 0; ///< between its first start and its end, time it held no GPUs
  EnergyStats energy;
};

struct TraceEvent {
  std::string name;
  int job = 0;
  int stage = 0;
  double start_s = 0;
  double duration_s = 0;
};

/// The cluster's spare nodes over the run (failures.spare_nodes; engine/spare_pool.hpp).
struct SpareStats {
  int spares = -1;             ///< the pool's size (< 0: unlimited, nothing below is counted)
  long long replacements = 0;  ///< failed nodes a spare replaced
  long long waits = 0;         ///< of them, how many found no spare free
  double wait_s = 0;           ///< the time those waited, summed
  double max_wait_s = 0;
};

/// The whole cluster's losses to failures, checkpoints and maintenance (results/reliability_summary.hpp).
struct ClusterReliability {
  bool enabled = false;                ///< the scenario has failures, maintenance or checkpoints
  long long failures = 0;              ///< training jobs' and trace jobs'
  double checkpointing_gpu_hours = 0;  ///< training jobs stopped for checkpoints
  double restarting_gpu_hours = 0;     ///< training jobs from failures to training again
  double lost_work_gpu_hours = 0;      ///< training thrown away by failures
  double maintenance_gpu_hours = 0;    ///< planned maintenance, training and trace jobs
  double trace_failure_gpu_hours = 0;  ///< trace jobs' restarts and redone work
  std::vector<std::pair<std::string, long long>> failures_by_cause; ///< every job's, per cause
  double lost_gpu_hours() const
  {
    return checkpointing_gpu_hours + restarting_gpu_hours + lost_work_gpu_hours + maintenance_gpu_hours +
           trace_failure_gpu_hours;
  }
};

struct SimulationResult {
  std::string scenario;
  std::uint64_t seed = 0;
  double wall_clock_s = 0;
  double simulated_time_s = 0;
  std::string fabric;
  std::vector<JobResult> jobs;
  /// Per fabric tier, every job's traffic (training runs and trace jobs' loads) over the run, in
  /// the fabric's order from the GPUs up; tiers nothing crossed are left out.
  std::vector<FabricTierUsage> network;
  NetworkTimeline network_timeline; ///< empty unless output.network_timeline
  EnergyStats energy; ///< the whole cluster from time 0 to the last job's end
  SchedulerStats scheduler;
  SpareStats spares; ///< failures.spare_nodes (spares < 0: unlimited, not reported)
  ClusterReliability reliability;
  std::vector<TraceEvent> trace;
};

} // namespace dcsim
