// The cluster's spare nodes (`failures.spare_nodes`): a node that fails goes to repair, and the
// jobs on it restart once a spare has taken its place. A repaired node joins the pool. When every
// spare is in use the job waits for the first to come back from repair: how many spares a
// cluster needs is the question this answers. The pool is shared by every job (training jobs'
// actors and the scheduler's trace jobs), which call it at their failures' simulated times.
#pragma once

#include "results/simulation_result.hpp"

#include <functional>
#include <queue>
#include <vector>

namespace dcsim {

class SparePool {
public:
  /// `spares` < 0: unlimited (a failed node is replaced at once, as without a pool).
  explicit SparePool(int spares);
  /// A node failed at `failed_s` and is repaired in `repair_s`: when a spare has taken its place
  /// (`failed_s`, or later when none was free).
  double replace(double failed_s, double repair_s);
  const SpareStats& stats() const { return stats_; }

private:
  std::priority_queue<double, std::vector<double>, std::greater<>> returns_s_; ///< nodes in repair: when each is back
  int free_ = 0;
  SpareStats stats_;
};

} // namespace dcsim
