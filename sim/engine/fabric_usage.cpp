#include "engine/fabric_usage.hpp"

#include "engine/job_traffic.hpp"
#include "fabric.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace dcsim {

namespace {

/// Each directed link's tier (an index into `names`) and the tiers' order from the GPUs up.
struct Tiers {
  std::vector<int> of_link;
  std::vector<std::string> names;
  std::vector<int> ranks;

  explicit Tiers(const Fabric& fabric) : of_link(fabric.directed_link_count())
  {
    std::map<std::string, int> index;
    for (int l = 0; l < fabric.directed_link_count(); ++l) {
      const auto [it, added] = index.emplace(link_tier(fabric, l), static_cast<int>(names.size()));
      if (added) {
        names.push_back(it->first);
        ranks.push_back(link_tier_rank(fabric, l));
      }
      of_link[l] = it->second;
    }
  }
};

/// The highest rate each link and each tier reached with the uses running at once.
struct Peaks {
  std::vector<double> link_bytes_per_s;
  std::vector<double> tier_bytes_per_s;
  std::vector<double> tier_at_s;
};

Peaks sweep(const std::vector<FabricUse>& uses, const Tiers& tiers)
{
  Peaks peaks{std::vector<double>(tiers.of_link.size()), std::vector<double>(tiers.names.size()),
              std::vector<double>(tiers.names.size())};
  struct Event {
    double at_s;
    bool starts;
    int use;
  };
  std::vector<Event> events;
  for (int u = 0; u < static_cast<int>(uses.size()); ++u)
    if (uses[u].end_s > uses[u].start_s) {
      events.push_back({uses[u].start_s, true, u});
      events.push_back({uses[u].end_s, false, u});
    }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.at_s != b.at_s ? a.at_s < b.at_s : (a.starts != b.starts ? !a.starts : a.use < b.use);
  });
  std::vector<double> link_rate(tiers.of_link.size());
  std::vector<double> tier_rate(tiers.names.size());
  std::vector<int> started; // links of the uses starting at this moment
  // Every change at one moment is made before the peaks are read: a use ending as another
  // starts never runs beside it.
  for (std::size_t i = 0; i < events.size();) {
    const double now_s = events[i].at_s;
    started.clear();
    for (; i < events.size() && events[i].at_s == now_s; ++i) {
      const double sign = events[i].starts ? 1.0 : -1.0;
      for (const LinkUse& l : uses[events[i].use].links) {
        link_rate[l.link] += sign * l.bytes_per_s;
        tier_rate[tiers.of_link[l.link]] += sign * l.bytes_per_s;
        if (events[i].starts)
          started.push_back(l.link);
      }
    }
    // Only a start raises a rate, so a peak begins with one.
    for (int l : started) {
      peaks.link_bytes_per_s[l] = std::max(peaks.link_bytes_per_s[l], link_rate[l]);
      const int t = tiers.of_link[l];
      if (tier_rate[t] > peaks.tier_bytes_per_s[t]) {
        peaks.tier_bytes_per_s[t] = tier_rate[t];
        peaks.tier_at_s[t] = now_s;
      }
    }
  }
  return peaks;
}

} // namespace

FabricUse make_fabric_use(double start_s, double end_s, const std::vector<double>& bytes_per_s,
                          const std::vector<double>& bytes)
{
  FabricUse use{start_s, end_s, {}};
  for (std::size_t l = 0; l < bytes.size(); ++l)
    if (bytes_per_s[l] > 0 || bytes[l] > 0)
      use.links.push_back({static_cast<int>(l), bytes_per_s[l], bytes[l]});
  return use;
}

void FabricUsage::add(FabricUse use)
{
  if (!use.links.empty())
    uses_.push_back(std::move(use));
}

std::vector<FabricTierUsage> FabricUsage::report(const Fabric& fabric, double simulated_s) const
{
  const Tiers tiers(fabric);
  std::vector<double> link_bytes(tiers.of_link.size());
  for (const FabricUse& use : uses_)
    for (const LinkUse& l : use.links)
      link_bytes[l.link] += l.bytes;
  const Peaks peaks = sweep(uses_, tiers);
  std::vector<FabricTierUsage> out(tiers.names.size());
  std::vector<double> capacity(tiers.names.size()), busiest(tiers.names.size(), -1.0);
  for (int l = 0; l < static_cast<int>(tiers.of_link.size()); ++l) {
    const FabricEdge& e = fabric.edge(l / 2);
    if (!e.up || !(e.bandwidth_bytes_per_s > 0))
      continue;
    const int t = tiers.of_link[l];
    FabricTierUsage& u = out[t];
    ++u.links;
    capacity[t] += e.bandwidth_bytes_per_s;
    u.bytes += link_bytes[l];
    if (link_bytes[l] > 0 || peaks.link_bytes_per_s[l] > 0)
      ++u.links_used;
    const double peak = peaks.link_bytes_per_s[l] / e.bandwidth_bytes_per_s;
    if (peak > busiest[t] && (link_bytes[l] > 0 || peak > 0)) { // the first among equals
      busiest[t] = peak;
      u.busiest_link = fabric.link_name(l);
      u.busiest_link_peak_utilization = peak;
      u.busiest_link_mean_utilization =
          simulated_s > 0 ? link_bytes[l] / (e.bandwidth_bytes_per_s * simulated_s) : 0.0;
    }
  }
  std::vector<int> order;
  for (int t = 0; t < static_cast<int>(out.size()); ++t) {
    FabricTierUsage& u = out[t];
    u.tier = tiers.names[t];
    if (u.links_used == 0)
      continue;
    if (capacity[t] > 0) {
      u.mean_utilization = simulated_s > 0 ? u.bytes / (capacity[t] * simulated_s) : 0.0;
      u.peak_utilization = peaks.tier_bytes_per_s[t] / capacity[t];
    }
    u.peak_at_s = peaks.tier_at_s[t];
    order.push_back(t);
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return tiers.ranks[a] != tiers.ranks[b] ? tiers.ranks[a] < tiers.ranks[b] : tiers.names[a] < tiers.names[b];
  });
  std::vector<FabricTierUsage> tiers_used;
  for (int t : order)
    tiers_used.push_back(std::move(out[t]));
  return tiers_used;
}

} // namespace dcsim
