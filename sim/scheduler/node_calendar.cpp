#include "scheduler/node_calendar.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

NodeCalendar::NodeCalendar(int nodes, int gpus_per_node, double origin_s)
    : gpus_per_node_(gpus_per_node), profiles_(nodes, Profile{{origin_s, 0}}),
      first_room_(static_cast<size_t>(nodes) * (gpus_per_node + 1), origin_s), first_room_known_(nodes, 1)
{
}

void NodeCalendar::reset(double origin_s)
{
  for (Profile& profile : profiles_)
    profile.assign(1, Step{origin_s, 0});
  std::fill(first_room_.begin(), first_room_.end(), origin_s);
  std::fill(first_room_known_.begin(), first_room_known_.end(), 1);
  unsettled_.clear();
}

void NodeCalendar::settle_first_room(int node) const
{
  // One pass: each step's free GPUs settle every count not yet free before it.
  const size_t stride = profiles_.size();
  double* room = &first_room_[static_cast<size_t>(node)];
  for (int g = 0; g <= gpus_per_node_; ++g)
    room[g * stride] = INFINITY;
  int settled = -1; // counts up to this one are free earlier
  for (const Step& step : profiles_[node]) {
    const int free = gpus_per_node_ - step.load;
    for (int g = settled + 1; g <= free; ++g)
      room[g * stride] = step.t;
    settled = std::max(settled, free);
    if (settled == gpus_per_node_)
      break;
  }
  first_room_known_[node] = 1;
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
  if (first_room_known_[node]) {
    first_room_known_[node] = 0;
    unsettled_.push_back(node);
  }
  const size_t first = split(profile, from_s);
  const size_t end = split(profile, to_s); // after `first`: inserting it leaves `first` in place
  for (size_t i = first; i < end; ++i)
    profile[i].load += gpus;
}

} // namespace dcsim
