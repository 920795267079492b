// Taking lent GPUs back (scheduler.preemption): which running jobs a job within its quota
// preempts to make room, and how much of a preempted run's work survives.
#pragma once

#include "engine/placement.hpp"
#include "scheduler/gpu_allocator.hpp"

#include <vector>

namespace dcsim {

/// A running job that may be preempted.
struct PreemptionCandidate {
  int id = 0;
  const Placement* placement = nullptr;
};

/// The fewest of `candidates` (tried in their order) whose GPUs, once free, let `allocator` place
/// a job of `gpus` (leaving `reserved` alone): the shortest prefix that makes room, less any of
/// it the rest can do without (placement may need whole nodes, so freeing enough GPUs is not
/// enough). Empty when even all of them would not make room. `allocator` is not changed.
std::vector<int> choose_victims(const GpuAllocator& allocator, const std::vector<PreemptionCandidate>& candidates,
                                int gpus, const Placement* reserved = nullptr);

/// Would a job of `gpus` find a place on `allocator` as it is? (`allocator` is not changed.)
bool fits_now(const GpuAllocator& allocator, int gpus, const Placement* reserved = nullptr);

/// Of a run preempted after holding its GPUs `held_s`, the seconds of the job's work it keeps:
/// the run first spends `restart_s` starting, then works; with checkpoints every
/// `checkpoint_interval_s` only whole intervals of work survive (0: it saves when preempted).
double work_kept_s(double held_s, double restart_s, double checkpoint_interval_s);

/// las: how many of `thresholds_gpu_s` (increasing) `attained_gpu_s` has reached: the job's
/// priority level, 0 the highest. A run's crossing is an event at the moment it reaches a
/// threshold, so a relative 1e-9 of rounding below it counts as reached.
int attained_service_level(const std::vector<double>& thresholds_gpu_s, double attained_gpu_s);
/// The GPU-time at which the next level starts (infinity past the last threshold).
double next_level_gpu_s(const std::vector<double>& thresholds_gpu_s, double attained_gpu_s);

} // namespace dcsim
