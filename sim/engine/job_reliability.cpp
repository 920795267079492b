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
#include <map>
#include <set>
#include <string>
#include <utility>

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

/// The instances of each failure scope the job spans on `placement`.
FailureExtent job_extent(const JobConfig& job, const ClusterConfig& cluster, const Platform& platform,
                         const Placement& placement)
{
  return {job.gpus, cluster.nodes_for(job.gpus), platform.locality().switches_spanned(placement.nodes())};
}

/// The failures of every instance the job spans (its GPUs, nodes, switches and itself), or the
/// trace's faults on the job's nodes.
FailureClock make_clock(const FailureExtent& extent, const ScenarioConfig& scenario, const Platform& platform,
                        const Placement& placement, int job_index)
{
  const FailureConfig& failures = scenario.failures;
  const double mtbi_s = failures.job_mtbi_s(extent);
  if (!failures.replayed())
    return FailureClock(mtbi_s, failures,
                        failure_instances(failures, placement.gpu_list(), placement.nodes(),
                                          platform.locality().switches_of(placement.nodes()), job_index),
                        scenario.seed);
  return FailureClock(mtbi_s, job_fault_times(failures, placement.nodes(), scenario.cluster.nodes, scenario.seed),
                      failures.trace_span_s);
}

/// The most data-parallel replicas that have a GPU on any one of the job's nodes: what a node
/// failure takes from an elastic job (ranks are tensor-fastest, then context, data, pipeline).
int replicas_per_node(const ParallelismConfig& p, const Placement& placement)
{
  std::map<int, std::set<int>> replicas_on; // node -> data-parallel indices
  const int inner = p.tensor * p.context;
  for (int rank = 0; rank < placement.gpus(); ++rank)
    replicas_on[placement.nodes_of_ranks(rank, 1).front()].insert((rank / inner) % p.data);
  size_t most = 1;
  for (const auto& [node, replicas] : replicas_on)
    most = std::max(most, replicas.size());
  return static_cast<int>(most);
}

std::vector<CauseStats> cause_stats(const FailureConfig& failures)
{
  std::vector<CauseStats> out;
  for (const FailureCause& c : failures.causes)
    out.push_back({c.name, c.per});
  return out;
}

} // namespace

JobReliability::JobReliability(const JobConfig& job, const ScenarioConfig& scenario, const Platform& platform,
                               const Placement& placement, int job_index, SteadyStateCoordinator& coordinator, int coordinator_id,
                               SparePool& spares, std::vector<TraceEvent>* trace)
    : checkpoint_(job.checkpoint), extent_(job_extent(job, scenario.cluster, platform, placement)),
      mean_restart_s_(scenario.failures.mean_restart_s(extent_)),
      clock_(make_clock(extent_, scenario, platform, placement, job_index)),
      coordinator_(coordinator), coordinator_id_(coordinator_id), spares_(spares), job_index_(job_index), trace_(trace)
{
  maintenance_interval_s_ = scenario.failures.maintenance_interval_s;
  maintenance_downtime_s_ = scenario.failures.maintenance_downtime_s;
  for (const FailureCause& c : scenario.failures.causes) {
    restart_by_cause_.push_back(c.restart_s);
    detect_by_cause_.push_back(c.detect_s);
  }
  stats_.mtbi_s = clock_.mtbi_s();
  stats_.by_cause = cause_stats(scenario.failures);
  // Elastic runs end with a checkpoint of what they trained: without checkpoints there is none.
  elastic_ = scenario.failures.elastic && checkpoint_.enabled;
  stats_.elastic = scenario.failures.elastic; // reported, 0 runs, also for a job without checkpoints
  replicas_ = job.parallelism.data;
  iterations_ = job.iterations;
  if (elastic_) // a walk over every rank: only for the jobs that can use it
    replicas_per_node_ = replicas_per_node(job.parallelism, placement);
  for (const FailureCause& c : scenario.failures.causes)
    gpu_cause_.push_back(!scenario.failures.replayed() && c.per == FailureScope::Gpu);
  if (job.time_limit_s > 0) { // Slurm counts from the allocation, which is now (a resumed run's restart included)
    const double allocated_s = sg4::Engine::get_clock();
    kill_s_ = allocated_s + job.time_limit_s;
    if (job.exit_duration_s > 0)
      exit_s_ = allocated_s + job.exit_duration_s;
    stats_.time_limited = true;
  }
  if (!checkpoint_.enabled)
    return;
  const auto& node = scenario.cluster.node;
  std::vector<int> endpoints = checkpoint_endpoints(platform, placement, node.gpus, node.nics.count);
  stats_.checkpoint_bytes = checkpoint_.bytes > 0 ? checkpoint_.bytes : checkpoint_bytes(job.model);
  stats_.checkpoint_interval_s = checkpoint_.interval_s;
  const double write_s = estimated_write_s(stats_.checkpoint_bytes, endpoints.size(), scenario.cluster);
  if (checkpoint_.async) {
    const double copy_bytes_per_s = checkpoint_.snapshot_bytes_per_s > 0 ? checkpoint_.snapshot_bytes_per_s
                                                                          : node.gpu.host_link_bytes_per_s;
    snapshot_s_ = stats_.checkpoint_bytes / job.gpus / copy_bytes_per_s;
    stats_.checkpoint_write_s = write_s; // a first guess, until one is measured
    writer_host_ = platform.gpu_host(endpoints.front());
  }
  set_interval(checkpoint_.async ? snapshot_s_ : write_s);
  mover_.emplace(platform, std::move(endpoints), stats_.checkpoint_bytes);
}

void JobReliability::start(double now_s)
{
  clock_.next_after(now_s);
  schedule_maintenance(now_s);
}

void JobReliability::schedule_maintenance(double now_s)
{
  if (maintenance_interval_s_ > 0)
    next_maintenance_s_ = next_multiple_after_s(now_s, maintenance_interval_s_);
}

void JobReliability::record(const char* name, double start_s, Training training)
{
  if (trace_)
    trace_->push_back({name, job_index_, 0, start_s, now() - start_s});
  if (training == Training::Stopped && now() > start_s)
    pauses_.emplace_back(start_s, now());
}

void JobReliability::set_interval(double blocking_s)
{
  if (checkpoint_.interval_s > 0)
    return;
  stats_.checkpoint_interval_s = daly_interval_s(blocking_s, clock_.mtbi_s());
  // Asynchronous: not more often than a write takes, or snapshots would queue behind writes.
  if (checkpoint_.async)
    stats_.checkpoint_interval_s = std::max(stats_.checkpoint_interval_s, stats_.checkpoint_write_s);
}

bool JobReliability::checkpoint_due(double next_iteration_s) const
{
  // At the last iteration boundary before the interval runs out, so that fast-forwarding to it
  // needs no iteration simulated in between; never twice without training in between (an
  // interval shorter than an iteration checkpoints after every iteration).
  return checkpoint_.enabled && since_snapshot_s_ > 0 &&
         since_snapshot_s_ + next_iteration_s > stats_.checkpoint_interval_s;
}

double JobReliability::next_event_s(double now_s, double iteration_s)
{
  if (pending_ && !pending_->finished && write_slowdown_s_ < 0)
    return now_s; // the first write: simulate the iterations it slows
  double next = cut_s();
  if (checkpoint_.enabled)
    next = std::min(next, now_s + until_checkpoint_s(iteration_s));
  // Maintenance and a time-limit exit stop the job at the first boundary at or after their time.
  for (double at : {next_maintenance_s_, exit_s_}) {
    if (at >= next)
      continue;
    const double ahead_s = std::max(0.0, at - now_s);
    next = std::min(next, iteration_s > 0 ? now_s + std::ceil(ahead_s / iteration_s - 1e-9) * iteration_s : at);
  }
  return next;
}

double JobReliability::until_checkpoint_s(double iteration_s) const
{
  const double left_s = std::max(0.0, stats_.checkpoint_interval_s - since_snapshot_s_);
  if (iteration_s <= 0)
    return left_s;
  // The boundary j iterations on where checkpoint_due() first holds: since + (j+1) T > interval,
  // and at least one iteration after the last checkpoint. An interval shorter than an iteration
  // thus allows one iteration to be skipped between writes, instead of none.
  const double j = std::max(since_snapshot_s_ > 0 ? 0.0 : 1.0, std::floor(left_s / iteration_s));
  return j * iteration_s;
}

int JobReliability::before_iteration(int done, double next_iteration_s)
{
  if (!active())
    return done;
  if (next_iteration_s > 0)
    iteration_s_ = next_iteration_s;
  for (;;) {
    if (elastic_finished_)
      return iterations_; // finished on fewer replicas while it waited for a spare
    if (!gave_up_.empty())
      return std::numeric_limits<int>::max(); // ends the job's loop
    if (pending_ && pending_->finished)
      settle_write();
    const double t = now();
    const double failure = clock_.pending();
    if (time_limit_stop_ != TimeLimitStop::None) {
      return committed_; // killed at the limit (a write it cut ended there)
    } else if (failure <= t) { // struck during the last iteration, which ran longer than the one before
      lose_work(0);
      recover(t);
    } else if (kill_s_ <= t) { // a write or a snapshot ran into the limit
      killed_at_time_limit(0);
      return committed_;
    } else if (t >= exit_s_) { // Megatron's exit duration: save and exit (exit_for_time_limit)
      time_limit_stop_ = TimeLimitStop::Exit;
      return done;
    } else if (maintenance_due(t)) {
      maintain(done);
    } else if (checkpoint_due(next_iteration_s) && checkpoint_.async) {
      snapshot_checkpoint(done, next_iteration_s);
      continue; // a failure during the snapshot is the loop's next case
    } else if (checkpoint_due(next_iteration_s)) {
      if (write_checkpoint(done))
        continue;
    } else if (kill_s_ < std::min(failure, t + next_iteration_s)) {
      // Slurm kills the run during the next iteration: it computes until then, for nothing.
      coordinator_.job_paused(coordinator_id_, kill_s_);
      sg4::this_actor::sleep_until(kill_s_);
      killed_at_time_limit(kill_s_ - t);
      return committed_;
    } else if (failure < t + next_iteration_s) {
      // The next iteration would not finish: the job computes until the failure, for nothing.
      coordinator_.job_paused(coordinator_id_,
                              failure + detect_of(clock_.pending_cause()) + restart_of(clock_.pending_cause()));
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
  ++stops_;
  const double start = now();
  const double failure = clock_.pending();
  // Not a pause for the coordinator: the job's traffic pattern does not change, so alone it goes
  // on fast-forwarding once written. Other jobs simulate through the write (their windows end at
  // this job's checkpoint time), and afterwards meet its traffic at another phase (job_shifted).
  const bool written = mover_->move(CheckpointDirection::Write, std::min(failure, kill_s_));
  coordinator_.job_shifted(coordinator_id_);
  stats_.checkpoint_time_s += now() - start;
  const bool killed = !written && kill_s_ < failure;
  record(written ? "checkpoint write" : killed ? "checkpoint write (cut by the time limit)" : "checkpoint write (cut by a failure)",
         start, Training::Stopped);
  if (killed)
    return false; // the caller ends the run (killed_at_time_limit)
  if (!written) {
    lose_work(0);
    recover(failure);
    return false;
  }
  stats_.checkpoint_write_s = now() - start;
  since_snapshot_s_ = 0;
  commit(done);
  set_interval(stats_.checkpoint_write_s);
  return true;
}

void JobReliability::commit(int done)
{
  ++stats_.checkpoints;
  committed_ = done;
  since_checkpoint_s_ = since_snapshot_s_; // synchronous: 0
}

void JobReliability::trained(double seconds, bool simulated)
{
  since_checkpoint_s_ += seconds;
  since_snapshot_s_ += seconds;
  if (seconds <= 0 || !pending_ || (pending_->finished && pending_->ended_s <= now() - seconds))
    return; // no write in flight during this training
  if (simulated && !pending_->skipped) {
    ++pending_->simulated;
    pending_->simulated_s += seconds;
  } else {
    pending_->skipped = true;
  }
}

void JobReliability::snapshot_checkpoint(int done, double steady_iteration_s)
{
  settle_write();
  const double failure = cut_s(); // a failure, or the time limit
  if (failure <= now())
    return; // struck while the last write finished
  drain_();
  ++stops_;
  const double start = now();
  if (failure < start + snapshot_s_) { // the copy to host memory does not finish
    sg4::this_actor::sleep_until(failure);
    stats_.checkpoint_time_s += now() - start;
    record(failure == kill_s_ ? "checkpoint snapshot (cut by the time limit)" : "checkpoint snapshot (cut by a failure)",
           start, Training::Stopped);
    return;
  }
  sg4::this_actor::sleep_for(snapshot_s_);
  coordinator_.job_shifted(coordinator_id_);
  stats_.checkpoint_time_s += snapshot_s_;
  stats_.checkpoint_snapshot_s = snapshot_s_;
  record("checkpoint snapshot", start, Training::Stopped);
  since_snapshot_s_ = 0;
  auto pending = std::make_shared<PendingWrite>();
  pending->done = done;
  pending->started_s = now();
  pending->steady_iteration_s = steady_iteration_s;
  pending->deadline_s = failure; // (cut_s(): a failure or the time limit)
  pending_ = pending;
  if (!writer_)
    start_writer();
  requested_->release();
}

void JobReliability::start_writer()
{
  requested_ = sg4::Semaphore::create(0);
  landed_ = sg4::Semaphore::create(0);
  writer_ = sg4::Actor::create("checkpoint-writer", writer_host_, [this] {
    for (;;) {
      requested_->acquire();
      const std::shared_ptr<PendingWrite> w = pending_;
      w->written = mover_->move(CheckpointDirection::Write, w->deadline_s);
      w->ended_s = now();
      w->finished = true;
      record(w->written ? "checkpoint write (background)" : "checkpoint write (cut by a failure)", w->started_s,
             Training::Running);
      landed_->release();
    }
  });
  writer_->daemonize(); // ends with the simulation
}

void JobReliability::settle_write()
{
  if (!pending_)
    return;
  const double start = now();
  landed_->acquire(); // at once if it has landed; otherwise training waits for it
  stats_.checkpoint_time_s += now() - start;
  if (pending_->written) {
    stats_.checkpoint_write_s = pending_->ended_s - pending_->started_s;
    commit(pending_->done);
    set_interval(snapshot_s_);
    charge_write_slowdown(*pending_);
  }
  pending_.reset();
}

void JobReliability::charge_write_slowdown(const PendingWrite& write)
{
  if (write_slowdown_s_ < 0 && !write.skipped && write.steady_iteration_s > 0) {
    // Every iteration of the write simulated: what they took beyond steady ones is its cost.
    write_slowdown_s_ = std::max(0.0, write.simulated_s - write.simulated * write.steady_iteration_s);
    stats_.checkpoint_slowdown_s = write_slowdown_s_;
  } else if (write_slowdown_s_ > 0 && write.simulated == 0) {
    // Fast-forwarded through (the write ran alone on the fabric): training pays it now.
    const double start = now();
    sg4::this_actor::sleep_for(write_slowdown_s_);
    stats_.checkpoint_time_s += write_slowdown_s_;
    record("checkpoint write slowdown (fast-forwarded)", start, Training::Running);
  }
}

void JobReliability::finish()
{
  settle_write();
  if (writer_) { // idle now: a run that ended (requeued, preempted) leaves no actor behind
    writer_->kill();
    writer_ = nullptr;
  }
}

void JobReliability::recover(double failure_s)
{
  drain_();
  ++stops_;
  if (pending_) { // the failure ended the write in flight (its deadline): it never landed
    landed_->acquire();
    pending_.reset();
  }
  double failed_at = failure_s;
  double replaced_s = failure_s;      // every node failed so far has been replaced by then
  int cause = clock_.pending_cause(); // each failure's restart is its cause's, and charged to it
  // Time of this recovery spent training on fewer replicas and saving that work (elastic runs):
  // not restart time. Over the whole recovery, and since `failed_at`.
  double not_restart_s = 0, cause_not_restart_s = 0;
  int missing_replicas = 0; // failures.elastic: the replicas on nodes that failed and await a spare
  double covered_s = failure_s; // spare waits counted, or trained through on fewer replicas, up to here
  bool killed = false; // the time limit came before the job was running again: the run ends there
  double limit_lost_s = 0; // training an elastic run did and the limit threw away
  const auto killed_before = [&](double back_s) {
    if (!(kill_s_ < back_s))
      return false;
    if (kill_s_ > now())
      sg4::this_actor::sleep_until(kill_s_);
    return killed = true;
  };
  for (;;) {
    // At the failure's time (a later one strikes during the restart): the spare pool is shared
    // by every job and must be asked in time order.
    if (failed_at > now())
      sg4::this_actor::sleep_until(failed_at);
    if (++stats_.failures > kMaxFailures) {
      // Without a spare the job may wait for repairs, and new failures keep coming while it waits.
      const bool waiting_for_repairs =
          spares_.stats().spares >= 0 && replaced_s - failure_s > (failed_at - failure_s) / 2;
      gave_up_ = waiting_for_repairs
                     ? "never resumed after its failure at " + format_seconds(failure_s) + ": with " +
                           std::to_string(spares_.stats().spares) +
                           " spare node(s) it waited for failed nodes to come back from repair, and more failures "
                           "(one every " + format_seconds(clock_.mtbi_s()) + " on average) came before they did, " +
                           std::to_string(kMaxFailures) + " times; expected more failures.spare_nodes or shorter repairs"
                     : "failed " + std::to_string(kMaxFailures) + " times without finishing (one failure every " +
                           format_seconds(clock_.mtbi_s()) + " on average, restarts of " +
                           format_seconds(mean_restart_s_) +
                           "); expected restarts much shorter than the time between failures, and checkpoints "
                           "(jobs[].checkpoint) for jobs longer than it";
      break;
    }
    ++stats_.by_cause[cause].failures;
    // Noticed `detect` after it struck (at once for a failure during a restart already waiting
    // longer): the job holds its GPUs, hung, until then, and only then asks for a spare.
    const double detected = std::max(failed_at + detect_of(cause), now());
    if (killed_before(detected)) // hung until Slurm ends the allocation
      break;
    stats_.detection_time_s += std::max(0.0, detected - std::max(failed_at, replaced_s)); // the union, as waits
    if (detected > now())
      sg4::this_actor::sleep_until(detected);
    // A GPU or node failure: the job restarts once a spare has replaced the node (and every
    // other node that failed since the first failure).
    const bool needs_spare = clock_.pending_needs_spare();
    const double replaced = needs_spare ? spares_.replace(detected, clock_.pending_repair_s()) : detected;
    replaced_s = std::max(replaced_s, replaced);
    clock_.consume();
    const double next_failure = clock_.pending();
    const int next_cause = clock_.pending_cause();
    // failures.elastic: instead of waiting for the spare(s), train on the replicas left.
    if (needs_spare)
      missing_replicas += replicas_lost(cause);
    const double busy_before = stats_.elastic_s + stats_.checkpoint_time_s;
    const ElasticRun elastic =
        elastic_ ? run_elastic(missing_replicas, detected + restart_of(cause), replaced_s, next_failure, cause,
                               limit_lost_s)
                 : ElasticRun::NotRun;
    const double busy = stats_.elastic_s + stats_.checkpoint_time_s - busy_before;
    not_restart_s += busy;
    cause_not_restart_s += busy;
    if (elastic == ElasticRun::NotRun) { // waits overlap: their union
      stats_.spare_wait_s += std::max(0.0, replaced_s - std::max(detected, covered_s));
      covered_s = std::max(covered_s, replaced_s);
    } else {
      covered_s = std::max(covered_s, now());
    }
    if (elastic == ElasticRun::Finished)
      break;
    if (elastic == ElasticRun::Killed) {
      killed = true;
      break;
    }
    replaced_s = std::max(replaced_s, now()); // after an elastic run: its closing checkpoint
    const double resume = replaced_s + restart_of(cause);
    if (killed_before(std::min(next_failure, resume))) // restarting (or waiting for a spare) at the limit
      break;
    coordinator_.job_paused(coordinator_id_, resume);
    if (next_failure < resume) {
      stats_.by_cause[cause].restart_time_s += next_failure - failed_at - std::exchange(cause_not_restart_s, 0.0);
      failed_at = next_failure;
      cause = next_cause;
      continue;
    }
    sg4::this_actor::sleep_until(resume);
    if (stats_.checkpoints == 0)
      break;
    const double read_start = now();
    if (mover_->move(CheckpointDirection::Read, std::min(next_failure, kill_s_))) {
      stats_.checkpoint_read_s = now() - read_start;
      break;
    }
    if (killed_before(next_failure)) // the read ran into the limit
      break;
    stats_.by_cause[cause].restart_time_s += next_failure - failed_at - std::exchange(cause_not_restart_s, 0.0);
    failed_at = next_failure;
    cause = next_cause;
  }
  stats_.by_cause[cause].restart_time_s += now() - failed_at - cause_not_restart_s;
  stats_.restart_time_s += now() - failure_s - not_restart_s;
  record("failure: restart and checkpoint read", failure_s, Training::Stopped); // elastic runs included
  since_checkpoint_s_ = 0;
  since_snapshot_s_ = 0;
  if (killed) // (a failure, not the limit, kept this run from saving: no reason to give up)
    killed_at_time_limit(limit_lost_s, true); // the caller ends the run (time_limit_stop())
  else
    coordinator_.job_started(coordinator_id_);
}

} // namespace dcsim
