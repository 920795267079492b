// A job's run stopped from outside, between iterations: planned maintenance (save, stay down,
// read back), a scheduler's preemption (save, stop, read back in the next run) and the job's time
// limit (Megatron's exit: save and stop; Slurm's kill: stop, the unsaved work lost). The run's
// checkpoint writes and failures themselves are in job_reliability.cpp.
#include "engine/job_reliability.hpp"

#include "engine/checkpoint_io.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

double now() { return sg4::Engine::get_clock(); }

} // namespace

void JobReliability::maintain(int done)
{
  settle_write();
  if (!(committed_ == done && stats_.checkpoints > 0 && since_snapshot_s_ == 0) && !write_checkpoint(done))
    return; // a failure cut the write: recovered from; the maintenance is still due
  drain_();
  ++stops_;
  const double start = now();
  coordinator_.job_paused(coordinator_id_, start + maintenance_downtime_s_);
  sg4::this_actor::sleep_for(maintenance_downtime_s_);
  clock_.next_after(now()); // failures during the downtime: the nodes were down anyway
  const double failure = clock_.pending();
  const double read_start = now();
  const bool read = mover_->move(CheckpointDirection::Read, failure);
  if (read)
    stats_.checkpoint_read_s = now() - read_start;
  ++stats_.maintenances;
  stats_.maintenance_time_s += now() - start;
  schedule_maintenance(start);
  record("maintenance: downtime and checkpoint read", start, Training::Stopped);
  if (read)
    coordinator_.job_started(coordinator_id_);
  else
    recover(failure); // struck while reading: restart, and read again
}

int JobReliability::save_for_preemption(int done)
{
  if (!checkpoint_.enabled || !gave_up_.empty() || done == 0)
    return done; // (a resumed run that trained nothing since its read has nothing new to save)
  settle_write();
  if (committed_ == done && stats_.checkpoints > 0)
    return done; // just saved
  for (;;) { // a failure cutting the write is recovered from, then the save is tried again
    if (!gave_up_.empty())
      return committed_;
    if (write_checkpoint(done))
      return done;
    if (time_limit_stop_ == TimeLimitStop::Killed) // a failure cut it, and the limit the restart
      return committed_;
    if (kill_s_ <= now()) { // the time limit cut it: the run ends
      killed_at_time_limit(0);
      return committed_;
    }
    done = committed_;
  }
}

int JobReliability::exit_for_time_limit(int done)
{
  const int kept = save_for_preemption(done);
  if (time_limit_stop_ == TimeLimitStop::Exit) {
    ++stats_.time_limit_exits;
    record("exit before the time limit", now(), Training::Running);
  }
  return kept;
}

void JobReliability::killed_at_time_limit(double extra_s, bool restarting)
{
  settle_write(); // a write in flight ends by the kill (its deadline): landed or not
  stats_.lost_work_s += since_checkpoint_s_ + extra_s;
  stats_.time_limit_lost_s += since_checkpoint_s_ + extra_s;
  since_checkpoint_s_ = since_snapshot_s_ = 0;
  ++stats_.time_limit_kills;
  time_limit_stop_ = TimeLimitStop::Killed;
  record("killed at the time limit", now(), Training::Running);
  if (committed_ == 0 && !restarting) // saved nothing in this run: every run would end the same way
    gave_up_ = "reached its time limit without saving a checkpoint in it, so no run of that length can make "
               "progress; expected a longer time_limit, a shorter checkpoint interval, or an exit_duration";
}

void JobReliability::load_after_preemption()
{
  if (!checkpoint_.enabled)
    return;
  drain_();
  const double start = now();
  const double failure = clock_.pending();
  if (mover_->move(CheckpointDirection::Read, failure)) {
    stats_.checkpoint_read_s = now() - start;
    stats_.restart_time_s += now() - start;
    record("checkpoint read (resuming after a preemption)", start, Training::Stopped);
    return;
  }
  stats_.restart_time_s += now() - start;
  recover(failure); // struck while reading: restart, and read again
}

} // namespace dcsim
