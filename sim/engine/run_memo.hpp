// What a job's run simulated before it went steady, kept for the runs of the same job that come
// after it (requeued at a time limit, preempted and resumed). On the same GPUs, alone on the
// fabric and with nothing changing around it, a run's first iterations repeat the previous
// run's to the last bit (the run starts from drained streams either way), so a later run
// fast-forwards through them at their recorded times instead of simulating them: a month of
// 4-hour allocations then simulates the job's first iterations once, not 200 times.
//
// Recorded only by a run that stayed alone from its start to its first window; used only by a
// run that starts alone and whose recorded iterations end before anything is due (its own
// checkpoint, failure or time limit, another job's start, a scheduler event):
// SteadyStateCoordinator::pristine() and adopt(). Not used with trace traffic on the fabric, whose
// loads are not jobs of the coordinator.
#pragma once

#include "results/simulation_result.hpp"

#include <map>
#include <utility>
#include <vector>

namespace dcsim {

struct RunMemo {
  std::vector<double> iteration_times_s; ///< simulated before the run went steady; the last is the steady one
  std::vector<TimeBreakdown> last;       ///< per pipeline rank, its last simulated iteration
  std::vector<char> gather_pending;      ///< per pipeline rank, a parameter all-gather left in flight
  /// What an asynchronous checkpoint write costs the job's training (JobReliability; < 0: not
  /// measured): measured once, by the first run that wrote one.
  double write_slowdown_s = -1;
};

/// The memos of one simulation, by job and the GPUs its run held.
class RunMemos {
public:
  const RunMemo* find(int job, const std::vector<int>& gpus) const
  {
    const auto found = memos_.find({job, gpus});
    return found == memos_.end() ? nullptr : &found->second;
  }
  void store(int job, const std::vector<int>& gpus, RunMemo memo) { memos_[{job, gpus}] = std::move(memo); }
  void note_write_slowdown(int job, const std::vector<int>& gpus, double seconds)
  {
    if (const auto found = memos_.find({job, gpus}); found != memos_.end() && found->second.write_slowdown_s < 0)
      found->second.write_slowdown_s = seconds;
  }

private:
  std::map<std::pair<int, std::vector<int>>, RunMemo> memos_;
};

} // namespace dcsim
