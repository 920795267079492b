#include "scheduler/preemption.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dcsim {

namespace {

/// Would a job of `gpus` fit on `trial` as it is? (`trial` is left as it was.)
bool fits(GpuAllocator& trial, int gpus, const Placement* reserved)
{
  const std::optional<Placement> placed = trial.allocate(gpus, reserved);
  if (placed)
    trial.release(*placed);
  return placed.has_value();
}

} // namespace

std::vector<int> choose_victims(const GpuAllocator& allocator, const std::vector<PreemptionCandidate>& candidates,
                                int gpus, const Placement* reserved)
{
  int could_free = allocator.free_gpus();
  for (const PreemptionCandidate& c : candidates)
    could_free += c.placement->gpus();
  if (could_free < gpus)
    return {}; // cheap refusal: most attempts end here
  // On a copy (the real allocator changes only once the victims are chosen), free candidates in
  // order until the job fits.
  GpuAllocator trial = allocator;
  std::vector<size_t> chosen;
  bool room = false;
  for (size_t i = 0; i < candidates.size() && !room; ++i) {
    chosen.push_back(i);
    trial.release(*candidates[i].placement);
    room = trial.free_gpus() >= gpus && fits(trial, gpus, reserved);
  }
  if (!room)
    return {};
  // The last one was needed (the ones before it did not make room); an earlier one may not be,
  // when the job's place is elsewhere: keep each whose GPUs the job can do without.
  std::vector<int> ids;
  for (size_t k = 0; k + 1 < chosen.size(); ++k) {
    const Placement& p = *candidates[chosen[k]].placement;
    trial.occupy(p);
    if (!fits(trial, gpus, reserved)) {
      trial.release(p);
      ids.push_back(candidates[chosen[k]].id);
    }
  }
  ids.push_back(candidates[chosen.back()].id);
  return ids;
}

namespace {
constexpr double kLevelSlack = 1e-9;
} // namespace

int attained_service_level(const std::vector<double>& thresholds_gpu_s, double attained_gpu_s)
{
  return static_cast<int>(std::upper_bound(thresholds_gpu_s.begin(), thresholds_gpu_s.end(),
                                           attained_gpu_s * (1 + kLevelSlack)) -
                          thresholds_gpu_s.begin());
}

double next_level_gpu_s(const std::vector<double>& thresholds_gpu_s, double attained_gpu_s)
{
  const auto next =
      std::upper_bound(thresholds_gpu_s.begin(), thresholds_gpu_s.end(), attained_gpu_s * (1 + kLevelSlack));
  return next == thresholds_gpu_s.end() ? std::numeric_limits<double>::infinity() : *next;
}

bool fits_now(const GpuAllocator& allocator, int gpus, const Placement* reserved)
{
  GpuAllocator trial = allocator;
  return fits(trial, gpus, reserved);
}

double work_kept_s(double held_s, double restart_s, double checkpoint_interval_s)
{
  const double worked = std::max(0.0, held_s - restart_s);
  if (checkpoint_interval_s <= 0)
    return worked;
  return std::floor(worked / checkpoint_interval_s) * checkpoint_interval_s;
}

} // namespace dcsim
