#include "engine/job_reliability.hpp"

#include "engine/checkpoint_io.hpp"
#include "platform/platform.hpp"
#include "reliability/checkpoint_interval.hpp"
#include "reliability/checkpoint_size.hpp"
#include "units/units.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

double now() { return sg4::Engine::get_clock(); }

/// More failures than this in one job means it cannot get past them (failures faster than its
/// restarts, or no checkpoints for a job much longer than its MTBI): it gives up, and the
/// simulation reports why, instead of looping for ever.
constexpr int kMaxFailures = 1000000;

/// A first guess of the write time, for Daly's interval before the first write is simulated: the
/// narrower of the job's NICs and the storage servers' links.
double estimated_write_s(double bytes, size_t endpoints, const ClusterConfig& cluster)
{
  const double nics = static_cast<double>(endpoints) * cluster.node.nics.bandwidth_bytes_per_s;
  const double storage = cluster.storage.servers * cluster.storage.bandwidth_per_server_bytes_per_s;
  return bytes / std::min(nics, storage);
}

/// Poisson failures at the job's rate, or the trace's faults on the job's nodes.
FailureClock make_clock(const JobConfig& job, const ScenarioConfig& scenario, int first_gpu, int job_index)
{
  const ClusterConfig& cluster = scenario.cluster;
  const FailureConfig& failures = scenario.failures;
  const double mtbi_s = failures.job_mtbi_s(cluster.nodes_for(job.gpus));
  if (failures.trace_faults.empty())
    return FailureClock(mtbi_s, scenario.seed, job_index);
  const int first_node = cluster.node_of(first_gpu);
  const int nodes = cluster.node_of(first_gpu + job.gpus - 1) - first_node + 1;
  return FailureClock(mtbi_s, job_fault_times(failures, first_node, nodes, cluster.nodes, scenario.seed),
                      failures.trace_span_s);
}

} // namespace

JobReliability::JobReliability(const JobConfig& job, const ScenarioConfig& scenario, const Platform& platform,
                               int first_gpu, int job_index, SteadyStateCoordinator& coordinator, int coordinator_id,
                               std::vector<TraceEvent>* trace)
    : checkpoint_(job.checkpoint), restart_s_(scenario.failures.restart_s),
      clock_(make_clock(job, scenario, first_gpu, job_index)),
      coordinator_(coordinator), coordinator_id_(coordinator_id), job_index_(job_index), trace_(trace)
{
  stats_.mtbi_s = clock_.mtbi_s();
  if (!checkpoint_.enabled)
    return;
  const auto& node = scenario.cluster.node;
  std::vector<int> endpoints = checkpoint_endpoints(platform, first_gpu, job.gpus, node.gpus, node.nics.count);
  stats_.checkpoint_bytes = checkpoint_.bytes > 0 ? checkpoint_.bytes : checkpoint_bytes(job.model);
  stats_.checkpoint_interval_s = checkpoint_.interval_s;
  if (checkpoint_.interval_s <= 0)
    set_interval(estimated_write_s(stats_.checkpoint_bytes, endpoints.size(), scenario.cluster));
  mover_.emplace(platform, std::move(endpoints), stats_.checkpoint_bytes);
}

void JobReliability::record(const char* name, double start_s)
{
  if (trace_)
    trace_->push_back({name, job_index_, 0, start_s, now() - start_s});
}

void JobReliability::set_interval(double checkpoint_s)
{
  if (checkpoint_.interval_s <= 0)
    stats_.checkpoint_interval_s = daly_interval_s(checkpoint_s, clock_.mtbi_s());
}

bool JobReliability::checkpoint_due(double next_iteration_s) const
{
  // At the last iteration boundary before the interval runs out, so that fast-forwarding to it
  // needs no iteration simulated in between; never twice without training in between (an
  // interval shorter than an iteration checkpoints after every iteration).
  return checkpoint_.enabled && since_checkpoint_s_ > 0 &&
         since_checkpoint_s_ + next_iteration_s > stats_.checkpoint_interval_s;
}

double JobReliability::next_event_s(double now_s)
{
  double next = clock_.pending();
  if (checkpoint_.enabled)
    next = std::min(next, now_s + std::max(0.0, stats_.checkpoint_interval_s - since_checkpoint_s_));
  // (the skip stops at the boundary before this, where checkpoint_due() holds)
  return next;
}

int JobReliability::before_iteration(int done, double next_iteration_s)
{
  if (!active())
    return done;
  for (;;) {
    if (!gave_up_.empty())
      return std::numeric_limits<int>::max(); // ends the job's loop
    const double t = now();
    const double failure = clock_.pending();
    if (failure <= t) { // struck during the last iteration, which ran longer than the one before
      lose_work(0);
      recover(t);
    } else if (checkpoint_due(next_iteration_s)) {
      if (write_checkpoint(done))
        continue;
    } else if (failure < t + next_iteration_s) {
      // The next iteration would not finish: the job computes until the failure, for nothing.
      coordinator_.job_paused(coordinator_id_, failure + restart_s_);
      sg4::this_actor::sleep_until(failure);
      lose_work(failure - t);
      recover(failure);
    } else {
      return done;
    }
    done = committed_; // after a failure: back to the last checkpoint (0 before the first)
  }
}

bool JobReliability::write_checkpoint(int done)
{
  drain_();
  const double start = now();
  const double failure = clock_.pending();
  // Not a pause for the coordinator: the job's traffic pattern does not change, so once written
  // it goes on fast-forwarding. Other jobs simulate through the write (their windows end at this
  // job's checkpoint time).
  const bool written = mover_->move(CheckpointDirection::Write, failure);
  stats_.checkpoint_time_s += now() - start;
  record(written ? "checkpoint write" : "checkpoint write (cut by a failure)", start);
  if (!written) {
    lose_work(0);
    recover(failure);
    return false;
  }
  stats_.checkpoint_write_s = now() - start;
  ++stats_.checkpoints;
  committed_ = done;
  since_checkpoint_s_ = 0;
  set_interval(stats_.checkpoint_write_s);
  return true;
}

void JobReliability::recover(double failure_s)
{
  drain_();
  double failed_at = failure_s;
  for (;;) {
    if (++stats_.failures > kMaxFailures) {
      gave_up_ = "failed " + std::to_string(kMaxFailures) + " times without finishing (one failure every " +
                 format_seconds(clock_.mtbi_s()) + " on average, restarts of " + format_seconds(restart_s_) +
                 "); expected restarts much shorter than the time between failures, and checkpoints "
                 "(jobs[].checkpoint) for jobs longer than it";
      break;
    }
    clock_.consume();
    const double resume = failed_at + restart_s_;
    coordinator_.job_paused(coordinator_id_, resume);
    const double next_failure = clock_.pending();
    if (next_failure < resume) {
      failed_at = next_failure;
      continue;
    }
    sg4::this_actor::sleep_until(resume);
    if (stats_.checkpoints == 0)
      break;
    const double read_start = now();
    if (mover_->move(CheckpointDirection::Read, next_failure)) {
      stats_.checkpoint_read_s = now() - read_start;
      break;
    }
    failed_at = next_failure;
  }
  stats_.restart_time_s += now() - failure_s;
  record("failure: restart and checkpoint read", failure_s);
  since_checkpoint_s_ = 0;
  coordinator_.job_started(coordinator_id_);
}

} // namespace dcsim
