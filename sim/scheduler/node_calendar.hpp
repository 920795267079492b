// The cluster's GPUs booked over time, node by node: what a conservative backfill plan reasons
// with (conservative_backfill.cpp). The running jobs are booked until their expected ends and
// every planned job from its reserved start; a job may start at t on a node when, at every
// moment of [t, t + its estimate), the node's bookings leave it enough GPUs. GPUs inside a node
// are counted, not named (the plan is redrawn at every decision; the allocator picks the GPUs).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace dcsim {

class NodeCalendar {
public:
  /// Empty nodes from `origin_s` (now) on; nothing before it is kept, and queries start there.
  NodeCalendar(int nodes, int gpus_per_node, double origin_s);

  /// Empties every node again from `origin_s` on, keeping the memory (a plan is drawn at every
  /// scheduling decision).
  void reset(double origin_s);

  int nodes() const { return static_cast<int>(profiles_.size()); }
  int gpus_per_node() const { return gpus_per_node_; }
  /// Books `gpus` of `node` over [from_s, to_s); to_s may be infinite (an unknown end).
  void book(int node, int gpus, double from_s, double to_s);
  /// Whether `node` has `gpus` GPUs free at every moment of [from_s, to_s).
  bool fits(int node, int gpus, double from_s, double to_s) const;
  /// The earliest t >= from_s at which `node` has `gpus` GPUs free throughout [t, t + duration_s):
  /// from_s itself or the end of one of its bookings; infinite when there is none before `before_s`.
  double earliest(int node, int gpus, double from_s, double duration_s, double before_s = INFINITY) const;
  /// The first moment `node` has `gpus` GPUs free (for any time): a lower bound of every
  /// earliest() on it, kept until the node is booked again, so that a search over nodes skips
  /// those that cannot beat the best start found without scanning them.
  double first_room(int node, int gpus) const
  {
    if (gpus > gpus_per_node_)
      return INFINITY;
    if (!first_room_known_[node])
      settle_first_room(node);
    return first_room_[static_cast<std::size_t>(std::max(0, gpus)) * profiles_.size() + node];
  }
  /// first_room(node, gpus) of every node, indexed by node (`gpus` at most gpus_per_node): a
  /// search over all nodes reads them without a check each.
  const double* first_rooms(int gpus) const
  {
    for (int node : unsettled_)
      if (!first_room_known_[node])
        settle_first_room(node);
    unsettled_.clear();
    return &first_room_[static_cast<std::size_t>(std::max(0, gpus)) * profiles_.size()];
  }

private:
  /// GPUs booked from `t` until the next step's t (the last step's load lasts for ever).
  struct Step {
    double t = 0;
    int load = 0;
  };
  using Profile = std::vector<Step>; ///< in time order; the first step starts at the origin

  void settle_first_room(int node) const;
  /// The index of the step starting at `t` in `profile`, split off the one holding `t` if need be.
  static std::size_t split(Profile& profile, double t);
  /// The index of the step holding `t` (the first at the origin or before).
  static std::size_t holding(const Profile& profile, double t)
  {
    if (t <= profile.front().t) // the plan's queries mostly start now: no search
      return 0;
    const auto after =
        std::upper_bound(profile.begin(), profile.end(), t, [](double v, const Step& s) { return v < s.t; });
    return static_cast<std::size_t>(after - profile.begin()) - 1;
  }

  int gpus_per_node_;
  std::vector<Profile> profiles_; ///< per node
  /// Per GPU count 0..gpus_per_node, per node: a search over nodes for one count reads a few
  /// cache lines.
  mutable std::vector<double> first_room_;
  mutable std::vector<char> first_room_known_; ///< per node; cleared by book()
  mutable std::vector<int> unsettled_; ///< nodes booked since first_rooms() last settled them
};

// Inline: a conservative plan asks these hundreds of millions of times (a few steps each).
inline bool NodeCalendar::fits(int node, int gpus, double from_s, double to_s) const
{
  const Profile& profile = profiles_[node];
  const int limit = gpus_per_node_ - gpus;
  for (size_t i = holding(profile, from_s); i < profile.size() && profile[i].t < to_s; ++i)
    if (profile[i].load > limit)
      return false;
  return true;
}

inline double NodeCalendar::earliest(int node, int gpus, double from_s, double duration_s, double before_s) const
{
  const Profile& profile = profiles_[node];
  const int limit = gpus_per_node_ - gpus;
  if (limit < 0)
    return INFINITY;
  size_t first = holding(profile, from_s);
  double t = from_s;
  for (;;) {
    // Scan [t, t + duration_s) for a step over the limit; none: t it is.
    size_t i = first;
    while (i < profile.size() && profile[i].t < t + duration_s && profile[i].load <= limit)
      ++i;
    if (i == profile.size() || profile[i].t >= t + duration_s)
      return t;
    // Too full at step i: the next chance is the first step after it with room.
    first = i + 1;
    while (first < profile.size() && profile[first].load > limit)
      ++first;
    if (first == profile.size() || profile[first].t >= before_s)
      return INFINITY;
    t = profile[first].t;
  }
}

} // namespace dcsim
