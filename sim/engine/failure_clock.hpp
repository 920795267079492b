// When a job's next node failure happens: a Poisson process with rate nodes / node MTBF, drawn
// from the scenario's seed so that a run is reproducible, each job from a stream of its own.
#pragma once

#include <cstdint>
#include <limits>
#include <random>

namespace dcsim {

class FailureClock {
public:
  /// mtbi_s: the job's mean time between interrupts (node MTBF / nodes); <= 0: never fails.
  FailureClock(double mtbi_s, std::uint64_t seed, int job_index);

  /// The first failure at or after `now_s` (failures while the job was not running are gone).
  double next_after(double now_s);
  /// The next failure not yet lived through.
  double pending() const { return next_s_; }
  /// The pending failure has happened: draw the one after it.
  void consume() { next_s_ += draw_interval(); }
  double mtbi_s() const { return mtbi_s_; }

private:
  double draw_interval();

  double mtbi_s_;
  std::mt19937_64 rng_;
  double next_s_ = std::numeric_limits<double>::infinity();
};

} // namespace dcsim
