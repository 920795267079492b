#include "engine/job_runner.hpp"

#include "engine/job_traffic.hpp"
#include "engine/stage_runner.hpp"
#include "platform/platform.hpp"
#include "transformer/model_flops.hpp"

#include <simgrid/s4u/Actor.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

/// How many of `nodes` are slow (`slow` sorted).
int slow_nodes_in(const std::vector<int>& slow, const std::vector<int>& nodes)
{
  int n = 0;
  for (int node : nodes)
    n += std::binary_search(slow.begin(), slow.end(), node) ? 1 : 0;
  return n;
}

/// A pipeline rank runs at the pace of its slowest GPU: its tensor-parallel groups meet at every
/// layer, its data-parallel replicas at the gradient reduction: it is slow when one of its nodes is.
void apply_stragglers(JobShared& s, const ScenarioConfig& scenario)
{
  const auto& slow = scenario.stragglers.nodes;
  const auto& p = s.job.parallelism;
  s.slowdown.assign(p.pipeline, 1.0);
  for (int pp = 0; pp < p.pipeline; ++pp)
    if (slow_nodes_in(slow, s.layout.nodes_of_stage(pp)) > 0)
      s.slowdown[pp] = scenario.stragglers.slowdown;
  s.straggler_nodes = slow_nodes_in(slow, s.layout.placement().nodes());
}

} // namespace

JobShared::JobShared(const JobConfig& job_, int index_, const Placement& placement, const Platform& platform_,
                     const ScenarioConfig& scenario, SteadyStateCoordinator& coordinator_, SparePool& spares,
                     std::vector<TraceEvent>* trace_)
    : job(job_), index(index_), platform(platform_), comm(scenario.cluster.profile.communication),
      layout(job_.parallelism, placement), cost(scenario.cluster.node.gpu, scenario.cluster.profile, job_.precision),
      workload(build_job_workload(job_, cost)), coordinator(coordinator_),
      coordinator_id(coordinator_.add_job(job_.start_time_s)), trace(trace_),
      reliability(job_, scenario, platform_, placement, index_, coordinator_, coordinator_id, spares, trace_)
{
  plans = build_chunk_plans(job, workload, layout, platform, comm);
  forward_channels = std::vector<Channel>(plans.size()); // Channel is not movable in a vector (its queue)
  backward_channels = std::vector<Channel>(plans.size());
  sm_share = SmShare::of(scenario.cluster.node.gpu.sm_count, job.parallelism.overlap_comm_sms);
  for (int stage = 0; stage < job.parallelism.pipeline; ++stage)
    streams.push_back(std::make_unique<CommStream>(platform, comm, sm_share));
  current.resize(job.parallelism.pipeline);
  last.resize(job.parallelism.pipeline);
  gather_pending.assign(job.parallelism.pipeline, 0);
  apply_stragglers(*this, scenario);
  reliability.set_drain([this] {
    for (auto& stream : streams)
      stream->wait_idle();
  });
}

JobRunner::JobRunner(const JobConfig& job, int index, const Placement& placement, const Platform& platform,
                     const ScenarioConfig& scenario, SteadyStateCoordinator& coordinator, SparePool& spares,
                     std::vector<TraceEvent>* trace)
    : shared_(std::make_unique<JobShared>(job, index, placement, platform, scenario, coordinator, spares, trace)),
      cluster_(scenario.cluster)
{
}

void JobRunner::start()
{
  JobShared& s = *shared_;
  const int pipeline = s.job.parallelism.pipeline;
  s.barrier = sg4::Barrier::create(pipeline);
  for (int stage = 0; stage < pipeline; ++stage) {
    sg4::Host* host = s.platform.gpu_host(s.layout.first_gpu_of_stage(stage));
    const std::string name = s.job.name + ".pp" + std::to_string(stage);
    s.streams[stage]->start(host, name + ".comm");
    sg4::Actor::create(name, host, StageRunner(s, stage));
  }
}

void JobRunner::use_memos(RunMemos& memos)
{
  JobShared& s = *shared_;
  s.memos = &memos;
  s.memo = memos.find(s.index, s.layout.placement().gpu_list());
  if (s.memo && s.memo->write_slowdown_s >= 0)
    s.reliability.assume_write_slowdown(s.memo->write_slowdown_s);
}

double JobRunner::expected_end_s(double now_s) const
{
  const JobShared& s = *shared_;
  if (s.iteration_times_s.empty())
    return std::numeric_limits<double>::infinity();
  // Slurm plans with the time limit: the run ends by its kill at the latest.
  return std::min(s.reliability.kill_s(), now_s + (s.job.iterations - s.done) * s.iteration_times_s.back());
}

namespace {

/// Every collective the job issues, merged across chunks, with its calls per iteration.
std::vector<CollectiveUse> collective_uses(const JobShared& s)
{
  const int micro_batches = s.job.batch.global / (s.job.batch.micro * s.job.parallelism.data);
  std::vector<CollectiveUse> merged;
  for (const auto& chunk : s.plans)
    for (CollectiveUse use : chunk.uses) {
      if (repeats_per_micro_batch(use.purpose))
        use.calls_per_iteration *= micro_batches;
      const auto same =
          std::find_if(merged.begin(), merged.end(), [&](const CollectiveUse& m) { return m.same_call(use); });
      if (same == merged.end())
        merged.push_back(use);
      else
        same->calls_per_iteration += use.calls_per_iteration;
    }
  return merged;
}

} // namespace

JobResult JobRunner::result() const
{
  const JobShared& s = *shared_;
  const JobConfig& job = s.job;
  JobResult r;
  r.name = job.name;
  r.gpus = job.gpus;
  r.first_gpu = s.layout.first_gpu();
  const Placement& placement = s.layout.placement();
  r.nodes = placement.node_ranges();
  r.fabric_blocks = s.platform.locality().blocks_spanned(placement.nodes());
  r.fabric_pods = s.platform.locality().pods_spanned(placement.nodes());
  r.iterations = job.iterations;
  r.simulated_iterations = s.simulated_iterations;
  r.iteration_times_s = s.iteration_times_s;
  r.submit_time_s = job.start_time_s;
  r.queue_s = std::max(0.0, s.start_s - job.start_time_s);
  r.start_time_s = s.start_s;
  r.end_time_s = s.end_s;
  r.memory = estimate_memory(job);
  r.memory_capacity_bytes = cluster_.node.gpu.hbm_bytes;
  r.fits_in_memory = r.memory.total_bytes() <= r.memory_capacity_bytes;
  r.collectives = collective_uses(s);
  r.reliability = s.reliability.stats();
  r.stages = s.last;
  for (size_t stage = 0; stage < r.stages.size(); ++stage) {
    TimeBreakdown& b = r.stages[stage];
    b.memory_bound_s = memory_bound_share(s.workload, static_cast<int>(stage)) * b.compute_s + b.optimizer_s;
  }
  r.straggler_nodes = s.straggler_nodes;
  if (s.straggler_nodes > 0)
    r.stage_slowdown = s.slowdown;
  if (!r.stages.empty())
    r.breakdown = r.stages.front();
  if (s.iteration_times_s.empty())
    return r;
  const double t = s.iteration_times_s.back();
  const double sequences = job.batch.global;
  const double peak = cluster_.node.gpu.peak_flop_per_s(job.precision);
  r.iteration_time_s = t;
  r.tokens_per_s = sequences * job.model.seq_len / t;
  r.model_tflops_per_gpu = model_flops_per_iteration(job.model, sequences) / t / job.gpus / 1e12;
  r.hardware_tflops_per_gpu = hardware_flops_per_iteration(job.model, sequences, job.recompute, job.recompute_modules) / t / job.gpus / 1e12;
  r.network = steady_traffic(job, s.layout, s.plans, s.platform, s.comm, t);
  r.mfu = r.model_tflops_per_gpu * 1e12 / peak;
  r.hfu = r.hardware_tflops_per_gpu * 1e12 / peak;
  const ReliabilityStats& rs = r.reliability;
  if (r.end_time_s > r.start_time_s)
    r.goodput = 1.0 - rs.unproductive_s() / (r.end_time_s - r.start_time_s);
  return r;
}

namespace {

/// Elastic runs' traffic, each span at its iterations' pace. r of d replicas: each one's own
/// traffic r/d of the job's, a ring across them (r - 1)/(d - 1) of the gradients' (all-gathers
/// and reduce-scatters alike). Per link this spreads the missing replicas' share over all of the
/// job's links; by tier it is what the smaller job moves. One pattern per replica count (an
/// iteration's bytes), each span taking its iterations' worth.
std::vector<FabricUse> elastic_uses(const std::vector<JobReliability::ElasticSpan>& spans, const SteadyLinkBytes& steady,
                                    int replicas, double iteration_s)
{
  std::vector<FabricUse> uses;
  std::map<int, LinkPattern> patterns;
  const std::size_t links = steady.within_replicas.size();
  for (const auto& span : spans) {
    LinkPattern& pattern = patterns[span.replicas];
    if (!pattern) {
      const double within = double(span.replicas) / replicas;
      const double across = replicas > 1 ? double(span.replicas - 1) / (replicas - 1) : 0.0;
      std::vector<double> bytes(links), bytes_per_s(links);
      for (std::size_t l = 0; l < links; ++l) {
        bytes[l] = steady.within_replicas[l] * within + steady.across_replicas[l] * across;
        bytes_per_s[l] = bytes[l] / iteration_s;
      }
      pattern = make_link_pattern(bytes_per_s, bytes);
    }
    uses.push_back({span.from_s, span.to_s, pattern, 1.0, (span.to_s - span.from_s) / iteration_s});
  }
  return uses;
}

} // namespace

std::vector<FabricUse> JobRunner::fabric_uses() const
{
  const JobShared& s = *shared_;
  std::vector<FabricUse> uses = s.reliability.checkpoint_uses();
  if (s.done <= 0 || s.iteration_times_s.empty() || !(s.end_s > s.start_s))
    return uses;
  const double iteration_s = s.iteration_times_s.back();
  std::vector<std::pair<double, double>> pauses; // within the run
  double paused_s = 0;
  for (const auto& [from_s, to_s] : s.reliability.training_pauses()) {
    const double from = std::max(from_s, s.start_s), to = std::min(to_s, s.end_s);
    if (to > from) {
      pauses.emplace_back(from, to);
      paused_s += to - from;
    }
  }
  // Elastic runs train inside a pause on fewer replicas: each iteration takes the steady one's
  // time and does their share of its samples.
  const int replicas = s.reliability.replicas();
  std::vector<JobReliability::ElasticSpan> elastic; // within the run
  double elastic_iterations = 0;                    // in whole iterations' samples
  for (auto span : s.reliability.elastic_spans()) {
    span.from_s = std::max(span.from_s, s.start_s);
    span.to_s = std::min(span.to_s, s.end_s);
    if (span.to_s > span.from_s) {
      elastic.push_back(span);
      elastic_iterations += (span.to_s - span.from_s) / iteration_s * span.replicas / replicas;
    }
  }
  // Iterations that failures threw away moved their bytes too; the elastic runs' own below.
  const double iterations =
      std::max(0.0, s.done + s.reliability.stats().lost_work_s / iteration_s - elastic_iterations);
  // While it trains, a link carries the steady iteration's bytes at its pace; the first
  // iterations can be quicker (nothing to overlap yet), so never less than the run's average
  // over the time it trained.
  const double trained_s = s.end_s - s.start_s - paused_s;
  const double pace_per_s = std::max(1.0 / iteration_s, trained_s > 0 ? iterations / trained_s : 0.0);
  const SteadyLinkBytes steady = steady_link_bytes(s.job, s.layout, s.plans, s.platform, s.comm);
  const std::size_t links = steady.within_replicas.size();
  std::vector<double> bytes_per_s(links), bytes(links);
  for (std::size_t l = 0; l < links; ++l) {
    bytes_per_s[l] = steady.total(l) * pace_per_s;
    bytes[l] = steady.total(l) * iterations;
  }
  FabricUse training = make_fabric_use(s.start_s, s.end_s, bytes_per_s, bytes);
  // While training stops (a synchronous checkpoint, a restart), its traffic is off the fabric.
  for (const auto& [from_s, to_s] : pauses)
    uses.push_back({from_s, to_s, training.links, -1.0, 0.0});
  for (FabricUse& use : elastic_uses(elastic, steady, replicas, iteration_s))
    uses.push_back(std::move(use));
  uses.insert(uses.begin(), std::move(training));
  return uses;
}

} // namespace dcsim
