// failures.elastic: a job that would wait for a spare node trains on fewer replicas meanwhile,
// as TorchElastic-style frameworks do on a membership change: it restarts without the failed
// node, reads its last checkpoint, trains with the data-parallel replicas the node did not hold
// (each keeping its micro-batches, so an iteration takes as long and moves (d - k)/d of the
// samples), saving at its checkpoint interval, and when the spare is in saves that work and
// restarts at full size (an asynchronous job's saves here are synchronous writes, at Daly's
// interval for them). A failure during the run loses what it had not saved; the job then
// recovers from it as from any failure (another elastic run if it must wait for spares). The
// allocation's time limit (jobs[].time_limit) kills it as it kills any run: what it had not
// saved is lost, and the scheduler requeues the job. The run is not
// simulated iteration by iteration: its iterations are the last steady one's (the data-parallel
// collectives over d - k ranks instead of d differ by less than 1/d); its traffic on the fabric
// is the full job's scaled to the replicas left (engine/job_runner.cpp, fabric_uses).
#include "engine/job_reliability.hpp"

#include "engine/checkpoint_io.hpp"
#include "reliability/checkpoint_interval.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace dcsim {

int JobReliability::replicas_lost(int cause) const { return gpu_cause_[cause] ? 1 : replicas_per_node_; }

JobReliability::ElasticRun JobReliability::run_elastic(int missing, double restart_s, double spare_s,
                                                       double next_failure_s, int cause, double& limit_lost_s)
{
  if (missing <= 0 || missing >= replicas_ || iteration_s_ <= 0 ||
      restart_s >= std::min({spare_s, next_failure_s, kill_s_}))
    return ElasticRun::NotRun;
  const auto now = [] { return sg4::Engine::get_clock(); };
  coordinator_.job_paused(coordinator_id_, spare_s);
  sg4::this_actor::sleep_until(restart_s);
  // Saves and reads end at the next failure or at the limit, whichever comes first.
  const double deadline_s = std::min(next_failure_s, kill_s_);
  if (stats_.checkpoints > 0) {
    const double read_start = now();
    // Cut by the next failure (the restart loop takes it from there) or by the limit.
    if (!mover_->move(CheckpointDirection::Read, deadline_s))
      return now() < next_failure_s ? ElasticRun::Killed : ElasticRun::Ran;
    stats_.checkpoint_read_s = now() - read_start;
  }
  const double share = double(replicas_ - missing) / replicas_;
  ++stats_.elastic_runs;
  // Its saves are synchronous writes: an asynchronous job's interval (set by its short snapshot)
  // would write far too often; Daly's for the write it makes.
  const double stretch_s = checkpoint_.async && checkpoint_.interval_s <= 0
                               ? daly_interval_s(stats_.checkpoint_write_s, clock_.mtbi_s())
                               : stats_.checkpoint_interval_s;
  // Training in stretches of the checkpoint interval, each saved, until the spares come.
  while (now() < spare_s) {
    const double start = now();
    const int left = iterations_ - committed_;
    const double finish_s = start + left * iteration_s_ / share;
    const double end = std::min({spare_s, next_failure_s, finish_s, start + stretch_s, kill_s_});
    sg4::this_actor::sleep_until(end);
    stats_.elastic_s += end - start;
    stats_.elastic_lost_s += (end - start) * (1 - share);
    record("elastic run on fewer replicas", start, Training::Running); // within the restart's pause
    elastic_spans_.push_back({start, end, replicas_ - missing});
    if (end >= finish_s) {
      committed_ = iterations_;
      elastic_finished_ = true;
      return ElasticRun::Finished;
    }
    const auto lose = [&] {
      stats_.lost_work_s += (end - start) * share;
      stats_.by_cause[cause].lost_work_s += (end - start) * share;
    };
    if (end >= next_failure_s) { // struck before it saved this stretch
      lose();
      return ElasticRun::Ran;
    }
    if (end >= kill_s_) { // killed before it saved this stretch
      limit_lost_s += (end - start) * share;
      return ElasticRun::Killed;
    }
    const int trained = static_cast<int>(std::floor((end - start) * share / iteration_s_ + 1e-9));
    const double write_start = now();
    const bool written = mover_->move(CheckpointDirection::Write, deadline_s);
    stats_.checkpoint_time_s += now() - write_start;
    const bool by_failure = now() >= next_failure_s;
    record(written     ? "checkpoint write (elastic run)"
           : by_failure ? "checkpoint write (cut by a failure)"
                        : "checkpoint write (cut by the time limit)",
           write_start, Training::Running); // within the restart's pause
    if (!written && by_failure) {
      lose();
      return ElasticRun::Ran;
    }
    if (!written) {
      limit_lost_s += (end - start) * share;
      return ElasticRun::Killed;
    }
    stats_.checkpoint_write_s = now() - write_start;
    commit(committed_ + trained);
  }
  return ElasticRun::Ran;
}

} // namespace dcsim
