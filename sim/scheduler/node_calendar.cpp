#include "scheduler/node_calendar.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

NodeCalendar::NodeCalendar(int nodes, int gpus_per_node, double origin_s)
    : gpus_per_node_(gpus_per_node), profiles_(nodes, Profile{{origin_s, 0}})
{
}

size_t NodeCalendar::split(Profile& profile, double t)
{
  if (std::isinf(t))
    return profile.size();
  const size_t at = holding(profile, t);
  if (profile[at].t == t)
    return at;
  profile.insert(profile.begin() + static_cast<std::ptrdiff_t>(at) + 1, Step{t, profile[at].load});
  return at + 1;
}

void NodeCalendar::book(int node, int gpus, double from_s, double to_s)
{
  Profile& profile = profiles_[node];
  from_s = std::max(from_s, profile.front().t);
  if (gpus <= 0 || !(to_s > from_s))
    return;
  const size_t first = split(profile, from_s);
  const size_t end = split(profile, to_s); // after `first`: inserting it leaves `first` in place
  for (size_t i = first; i < end; ++i)
    profile[i].load += gpus;
}

bool NodeCalendar::fits(int node, int gpus, double from_s, double to_s) const
{
  const Profile& profile = profiles_[node];
  const int limit = gpus_per_node_ - gpus;
  for (size_t i = holding(profile, from_s); i < profile.size() && profile[i].t < to_s; ++i)
    if (profile[i].load > limit)
      return false;
  return true;
}

double NodeCalendar::earliest(int node, int gpus, double from_s, double duration_s, double before_s) const
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
