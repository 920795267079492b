#include "engine/fabric_usage.hpp"

#include "engine/job_traffic.hpp"
#include "fabric.hpp"

#include <algorithm>
#include <cmath>
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

/// How much of each pattern runs at one moment: (pattern, coefficient) by pattern, coefficients
/// above zero only. A link's rate then is the sum of coefficient x pattern rate.
using Mix = std::vector<std::pair<int, double>>;

/// Whether every pattern of `a` runs in `b` at least as much (patterns' rates are never negative,
/// so no link is busier under `a`).
bool within(const Mix& a, const Mix& b)
{
  std::size_t j = 0;
  for (const auto& [pattern, coefficient] : a) {
    while (j < b.size() && b[j].first < pattern)
      ++j;
    if (j == b.size() || b[j].first != pattern || b[j].second < coefficient)
      return false;
  }
  return true;
}

/// The mixes no other mix holds within it: a link's peak is under one of them.
class MaximalMixes {
public:
  void add(Mix mix)
  {
    for (const Mix& m : mixes_)
      if (within(mix, m))
        return;
    mixes_.erase(std::remove_if(mixes_.begin(), mixes_.end(), [&](const Mix& m) { return within(m, mix); }),
                 mixes_.end());
    mixes_.push_back(std::move(mix));
  }
  const std::vector<Mix>& mixes() const { return mixes_; }

private:
  std::vector<Mix> mixes_;
};

/// Uses repeat a few patterns (a job's training, its checkpoints): the sweep follows each
/// pattern's coefficient over time, and the tiers' rates through each pattern's tier totals;
/// links are summed only for the mixes that could hold a link's peak, once each at the end.
/// Every tier's summed rate after each moment something changed (a step function).
struct RateSteps {
  std::vector<double> at_s;
  std::vector<std::vector<double>> rates; ///< per moment, per tier
};

Peaks sweep(const std::vector<FabricUse>& uses, const std::vector<const std::vector<LinkUse>*>& patterns,
            const std::vector<int>& pattern_of_use, const Tiers& tiers, RateSteps* steps)
{
  const std::size_t tier_count = tiers.names.size();
  Peaks peaks{std::vector<double>(tiers.of_link.size()), std::vector<double>(tier_count),
              std::vector<double>(tier_count)};
  std::vector<std::vector<double>> tier_totals(patterns.size(), std::vector<double>(tier_count));
  for (std::size_t p = 0; p < patterns.size(); ++p)
    for (const LinkUse& l : *patterns[p])
      tier_totals[p][tiers.of_link[l.link]] += l.bytes_per_s;
  struct Event {
    double at_s;
    double change; // of its pattern's coefficient
    int pattern;
  };
  std::vector<Event> events;
  for (std::size_t u = 0; u < uses.size(); ++u)
    if (uses[u].end_s > uses[u].start_s && uses[u].rate_scale != 0) {
      events.push_back({uses[u].start_s, uses[u].rate_scale, pattern_of_use[u]});
      events.push_back({uses[u].end_s, -uses[u].rate_scale, pattern_of_use[u]});
    }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at_s < b.at_s; });
  std::vector<double> coefficient(patterns.size());
  std::vector<double> tier_rate(tier_count);
  MaximalMixes mixes;
  // Every change at one moment is made before the peaks are read: a use ending as another
  // starts never runs beside it.
  for (std::size_t i = 0; i < events.size();) {
    const double now_s = events[i].at_s;
    bool rose = false;
    for (; i < events.size() && events[i].at_s == now_s; ++i) {
      const Event& e = events[i];
      coefficient[e.pattern] += e.change;
      for (std::size_t t = 0; t < tier_count; ++t)
        tier_rate[t] += e.change * tier_totals[e.pattern][t];
      rose = rose || e.change > 0;
    }
    if (steps) {
      steps->at_s.push_back(now_s);
      steps->rates.push_back(tier_rate);
    }
    if (!rose) // a peak begins when a rate rises
      continue;
    for (std::size_t t = 0; t < tier_count; ++t)
      if (tier_rate[t] > peaks.tier_bytes_per_s[t] * (1 + 1e-12)) {
        peaks.tier_bytes_per_s[t] = tier_rate[t];
        peaks.tier_at_s[t] = now_s;
      }
    Mix mix;
    for (std::size_t p = 0; p < patterns.size(); ++p)
      if (coefficient[p] > 1e-12) // what ended leaves 0 or crumbs of 1e-16 (a whole pattern is 1)
        mix.emplace_back(static_cast<int>(p), coefficient[p]);
    mixes.add(std::move(mix));
  }
  std::vector<double> rate(tiers.of_link.size());
  std::vector<int> touched;
  for (const Mix& mix : mixes.mixes()) {
    for (const auto& [p, c] : mix)
      for (const LinkUse& l : *patterns[p]) {
        if (rate[l.link] == 0)
          touched.push_back(l.link);
        rate[l.link] += c * l.bytes_per_s;
      }
    for (int l : touched) {
      peaks.link_bytes_per_s[l] = std::max(peaks.link_bytes_per_s[l], rate[l]);
      rate[l] = 0;
    }
    touched.clear();
  }
  return peaks;
}

/// The steps as the tiers in `order`'s utilizations, from time 0, each moment kept only if some
/// tier's utilization changed.
NetworkTimeline to_timeline(const RateSteps& steps, const std::vector<int>& order, const std::vector<double>& capacity,
                            const std::vector<double>& peak_bytes_per_s)
{
  NetworkTimeline timeline;
  timeline.utilization.resize(order.size());
  const auto push = [&](double at_s, const std::vector<double>& rates) {
    std::vector<double> row(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      const int t = order[i];
      // What the ends leave of the sums: crumbs of the rates that were added and taken away.
      const double rate = std::fabs(rates[t]) <= 1e-9 * peak_bytes_per_s[t] ? 0.0 : rates[t];
      row[i] = capacity[t] > 0 ? rate / capacity[t] : 0.0;
    }
    const bool same = !timeline.at_s.empty() && std::equal(row.begin(), row.end(), timeline.utilization.begin(),
                                                          [](double v, const std::vector<double>& u) { return u.back() == v; });
    if (same)
      return;
    timeline.at_s.push_back(at_s);
    for (std::size_t i = 0; i < row.size(); ++i)
      timeline.utilization[i].push_back(row[i]);
  };
  if (steps.at_s.empty() || steps.at_s.front() > 0)
    push(0, std::vector<double>(capacity.size()));
  for (std::size_t k = 0; k < steps.at_s.size(); ++k)
    push(steps.at_s[k], steps.rates[k]);
  return timeline;
}

} // namespace

LinkPattern make_link_pattern(const std::vector<double>& bytes_per_s, const std::vector<double>& bytes)
{
  auto links = std::make_shared<std::vector<LinkUse>>();
  for (std::size_t l = 0; l < bytes.size(); ++l)
    if (bytes_per_s[l] > 0 || bytes[l] > 0)
      links->push_back({static_cast<int>(l), bytes_per_s[l], bytes[l]});
  return links;
}

FabricUse make_fabric_use(double start_s, double end_s, const std::vector<double>& bytes_per_s,
                          const std::vector<double>& bytes)
{
  return {start_s, end_s, make_link_pattern(bytes_per_s, bytes)};
}

namespace {

bool same(const std::vector<LinkUse>& a, const std::vector<LinkUse>& b)
{
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const LinkUse& x, const LinkUse& y) {
    return x.link == y.link && x.bytes_per_s == y.bytes_per_s && x.bytes == y.bytes;
  });
}

std::size_t content_hash(const std::vector<LinkUse>& links)
{
  std::size_t h = links.size();
  for (const LinkUse& l : links)
    for (std::size_t v : {std::hash<int>()(l.link), std::hash<double>()(l.bytes_per_s), std::hash<double>()(l.bytes)})
      h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

} // namespace

void FabricUsage::add(std::vector<FabricUse> uses)
{
  // Each pattern of the batch is looked up once, however many uses repeat it.
  std::unordered_map<const std::vector<LinkUse>*, LinkPattern> kept_for;
  for (FabricUse& use : uses) {
    if (!use.links || use.links->empty())
      continue;
    auto [known, added] = kept_for.emplace(use.links.get(), use.links);
    if (added) {
      const std::size_t h = content_hash(*use.links);
      const auto [first, last] = patterns_.equal_range(h);
      const auto kept = std::find_if(first, last, [&](const auto& k) { return same(*k.second, *use.links); });
      if (kept != last)
        known->second = kept->second;
      else
        patterns_.emplace(h, use.links);
    }
    use.links = known->second;
    uses_.push_back(std::move(use));
  }
}

std::vector<FabricTierUsage> FabricUsage::report(const Fabric& fabric, double simulated_s,
                                                 NetworkTimeline* timeline) const
{
  const Tiers tiers(fabric);
  // The patterns the uses share, and the bytes each moved in all.
  std::map<const std::vector<LinkUse>*, int> index;
  std::vector<const std::vector<LinkUse>*> patterns;
  std::vector<int> pattern_of_use;
  std::vector<std::array<double, kTrafficSources>> bytes_scale; // per pattern and source
  for (const FabricUse& use : uses_) {
    const auto [it, added] = index.emplace(use.links.get(), static_cast<int>(patterns.size()));
    if (added) {
      patterns.push_back(use.links.get());
      bytes_scale.push_back({});
    }
    pattern_of_use.push_back(it->second);
    bytes_scale[it->second][static_cast<int>(use.source)] += use.bytes_scale;
  }
  std::vector<double> link_bytes(tiers.of_link.size());
  std::vector<std::array<double, kTrafficSources>> tier_bytes(tiers.names.size());
  for (std::size_t p = 0; p < patterns.size(); ++p)
    for (const LinkUse& l : *patterns[p])
      for (int k = 0; k < kTrafficSources; ++k) {
        link_bytes[l.link] += l.bytes * bytes_scale[p][k];
        tier_bytes[tiers.of_link[l.link]][k] += l.bytes * bytes_scale[p][k];
      }
  RateSteps steps;
  const Peaks peaks = sweep(uses_, patterns, pattern_of_use, tiers, timeline ? &steps : nullptr);
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
    u.bytes_by_source = tier_bytes[t];
    for (double b : u.bytes_by_source) // the sum of the parts, to the last digit
      u.bytes += b;
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
  if (timeline)
    *timeline = to_timeline(steps, order, capacity, peaks.tier_bytes_per_s);
  return tiers_used;
}

} // namespace dcsim
