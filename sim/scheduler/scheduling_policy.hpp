// How a cluster scheduler picks, among the queued jobs, the ones to start now. One file per
// policy (fifo.cpp, first_fit.cpp, smallest_first.cpp), listed once in policies.cpp.
#pragma once

#include "config/scenario_config.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dcsim {

/// A job waiting for GPUs.
struct QueuedJob {
  int id = 0;
  double submit_s = 0;
  int gpus = 0;
};

class SchedulingPolicy {
public:
  virtual ~SchedulingPolicy() = default;
  virtual SchedulingPolicyKind kind() const = 0;
  virtual std::string name() const = 0;
  /// Offers jobs of `queue` (in submission order) to `try_start`, which starts a job when a
  /// range of GPUs is free for it and says whether it did.
  virtual void dispatch(const std::vector<QueuedJob>& queue,
                        const std::function<bool(const QueuedJob&)>& try_start) const = 0;
};

const SchedulingPolicy& fifo_policy();
const SchedulingPolicy& first_fit_policy();
const SchedulingPolicy& smallest_first_policy();

/// The policy of `kind` (policies.cpp).
const SchedulingPolicy& scheduling_policy(SchedulingPolicyKind kind);

} // namespace dcsim
