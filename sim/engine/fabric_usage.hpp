// What the whole cluster put on its fabric over a run, tier by tier: the answer to "how busy are
// my spines under this mix of jobs, on average and at the worst moment?", which decides how much
// oversubscription a cluster can take.
//
// Every piece of traffic is a FabricUse: a span of time, each link's rate while it runs and the
// bytes it moved in all. A training run contributes its steady iteration's traffic
// (job_traffic.hpp) at that iteration's mean rate, from its start to its end less the spans it
// stopped training (negative uses), and the bytes of the iterations it ran; each checkpoint
// write or read (checkpoint_io.hpp) its bytes at its mean rate; a trace job's load
// (trace_traffic.hpp) its flows' caps and the bytes they moved. Means over the run come from the
// bytes; the busiest moment from the rates, summed over whatever ran at once. Rates are averages
// over an iteration or a transfer: a job's bursts (a collective at full speed, then computation)
// reach higher for moments shorter than one.
#pragma once

#include "results/simulation_result.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace dcsim {

class Fabric;

/// One directed link's share of a FabricUse.
struct LinkUse {
  int link = 0;
  double bytes_per_s = 0; ///< while the use runs
  double bytes = 0;       ///< over the whole use
};

/// Links with traffic only; shared by the uses that repeat one pattern (a job's checkpoints).
using LinkPattern = std::shared_ptr<const std::vector<LinkUse>>;

struct FabricUse {
  double start_s = 0;
  double end_s = 0;
  LinkPattern links;
  /// Each link's rate is its LinkUse::bytes_per_s times this; negative for a pause in traffic
  /// another use accounts for (a job's training while it checkpoints).
  double rate_scale = 1;
  double bytes_scale = 1; ///< and its bytes LinkUse::bytes times this
  TrafficSource source = TrafficSource::Training;
};

/// Keeps links with traffic: `bytes_per_s[l]` and `bytes[l]` for each directed link l.
LinkPattern make_link_pattern(const std::vector<double>& bytes_per_s, const std::vector<double>& bytes);
FabricUse make_fabric_use(double start_s, double end_s, const std::vector<double>& bytes_per_s,
                          const std::vector<double>& bytes);

class FabricUsage {
public:
  /// Keeps `uses` (one run's, one trace's; those sharing a pattern share it by pointer), each
  /// pattern shared with an equal one added before (the runs of a requeued job on the same GPUs).
  void add(std::vector<FabricUse> uses);
  /// Per tier that carried traffic, from the GPUs up, over [0, simulated_s]; with `timeline`,
  /// also those tiers' utilizations over time.
  std::vector<FabricTierUsage> report(const Fabric& fabric, double simulated_s,
                                      NetworkTimeline* timeline = nullptr) const;

private:
  std::vector<FabricUse> uses_;
  std::unordered_multimap<std::size_t, LinkPattern> patterns_; ///< by a hash of their contents
};

} // namespace dcsim
