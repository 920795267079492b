#include "collectives/fabric_occupancy.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <mutex>

namespace sg4 = simgrid::s4u;

namespace dcsim {

struct FabricOccupancy::Solo {
  simgrid::s4u::MutexPtr mutex;
  simgrid::s4u::ConditionVariablePtr wake;
  std::vector<LinkLoad> footprint; ///< empty: the whole fabric
  bool interrupted = false;
  bool registered = true; ///< still in solo_ and on its links' lists
};

namespace {

// Caps are whole bytes over the phase's time, so a phase alone can exceed its busiest link by a
// rounding; sharing a link needs room up to this relative slack.
constexpr double kCapacitySlack = 1e-9;

} // namespace

FabricOccupancy& FabricOccupancy::current()
{
  static FabricOccupancy occupancy;
  return occupancy;
}

void FabricOccupancy::reset()
{
  *this = FabricOccupancy();
}

FabricOccupancy::LinkState& FabricOccupancy::state(int link)
{
  if (link >= static_cast<int>(links_.size()))
    links_.resize(link + 1);
  return links_[link];
}

bool FabricOccupancy::can_run_solo(const std::vector<LinkLoad>& footprint) const
{
  if (!solo_allowed_ || real_anywhere_ > 0)
    return false;
  for (const Solo* solo : solo_)
    if (solo->footprint.empty())
      return false;
  for (const LinkLoad& load : footprint) {
    if (load.link >= static_cast<int>(links_.size()))
      continue;
    const LinkState& s = links_[load.link];
    if (s.real > 0)
      return false;
    // Alone on a link, a phase's caps fit it by construction.
    if (!s.solos.empty() &&
        s.solo_bytes_per_s + load.bytes_per_s > load.capacity_bytes_per_s * (1 + kCapacitySlack))
      return false;
  }
  return true;
}

void FabricOccupancy::release_links(Solo* solo)
{
  if (!solo->registered)
    return;
  solo->registered = false;
  for (const LinkLoad& load : solo->footprint) {
    LinkState& s = links_[load.link];
    s.solos.erase(std::remove(s.solos.begin(), s.solos.end(), solo), s.solos.end());
    s.solo_bytes_per_s = s.solos.empty() ? 0.0 : s.solo_bytes_per_s - load.bytes_per_s;
  }
  solo_.erase(std::remove(solo_.begin(), solo_.end(), solo), solo_.end());
}

void FabricOccupancy::interrupt(const std::vector<Solo*>& solos)
{
  // All bookkeeping first, then the wake-ups: notify_all is a simcall, during which other actors
  // run, and a woken solo's actor returns and destroys its Solo. Each is marked and released
  // once (a solo on several hit links appears several times), and woken through its own
  // reference to the condition variable.
  std::vector<simgrid::s4u::ConditionVariablePtr> wakes;
  for (Solo* solo : solos) {
    if (solo->interrupted)
      continue;
    solo->interrupted = true;
    release_links(solo);
    wakes.push_back(solo->wake);
  }
  for (const auto& wake : wakes)
    wake->notify_all();
}

void FabricOccupancy::begin_real(const std::vector<int>& links)
{
  ++real_in_flight_;
  ++real_starts_;
  std::vector<Solo*> hit;
  for (int link : links) {
    LinkState& s = state(link);
    ++s.real;
    hit.insert(hit.end(), s.solos.begin(), s.solos.end());
  }
  // Whole-fabric solos are interrupted by any traffic.
  for (Solo* solo : solo_)
    if (solo->footprint.empty())
      hit.push_back(solo);
  interrupt(hit);
}

void FabricOccupancy::end_real(const std::vector<int>& links)
{
  real_in_flight_ = std::max(0, real_in_flight_ - 1);
  for (int link : links) {
    LinkState& s = state(link);
    s.real = std::max(0, s.real - 1);
  }
}

void FabricOccupancy::begin_real_anywhere()
{
  ++real_anywhere_;
  ++real_in_flight_;
  ++real_starts_;
  interrupt(std::vector<Solo*>(solo_)); // a copy: interrupting edits solo_
}

void FabricOccupancy::end_real_anywhere()
{
  real_anywhere_ = std::max(0, real_anywhere_ - 1);
  real_in_flight_ = std::max(0, real_in_flight_ - 1);
}

std::optional<double> FabricOccupancy::try_run_solo(double seconds, const std::vector<LinkLoad>& footprint)
{
  return try_solo(seconds, &footprint);
}

std::optional<double> FabricOccupancy::try_run_solo_anywhere(double seconds)
{
  return try_solo(seconds, nullptr);
}

std::optional<double> FabricOccupancy::try_solo(double seconds, const std::vector<LinkLoad>* footprint)
{
  if (footprint ? !can_run_solo(*footprint) : !idle())
    return std::nullopt; // cheap refusal, without the simcalls below
  Solo me{sg4::Mutex::create(), sg4::ConditionVariable::create(), footprint ? *footprint : std::vector<LinkLoad>{}};
  // From here to the wait, no simcall: nobody can start traffic between the check and the
  // registration.
  if (footprint ? !can_run_solo(*footprint) : !idle())
    return std::nullopt;
  for (const LinkLoad& load : me.footprint) {
    LinkState& s = state(load.link);
    s.solos.push_back(&me);
    s.solo_bytes_per_s += load.bytes_per_s;
  }
  ++solo_runs_;
  solo_.push_back(&me);
  // Released however the wait ends, also when a killed actor's stack unwinds: no list may keep a
  // pointer to a Solo that is gone.
  struct Release {
    FabricOccupancy* occupancy;
    Solo* solo;
    ~Release() { occupancy->release_links(solo); }
  } release{this, &me};
  const double end = sg4::Engine::get_clock() + seconds;
  {
    std::unique_lock lock(*me.mutex);
    while (!me.interrupted) {
      const double left = end - sg4::Engine::get_clock();
      if (left <= 0 || me.wake->wait_for(lock, left) == std::cv_status::timeout)
        break;
    }
  }
  if (!me.interrupted)
    return 0;
  ++interrupted_runs_;
  if (seconds <= 0)
    return 0;
  return std::clamp((end - sg4::Engine::get_clock()) / seconds, 0.0, 1.0);
}

} // namespace dcsim
