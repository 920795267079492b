#include "collectives/fabric_occupancy.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <mutex>

namespace sg4 = simgrid::s4u;

namespace dcsim {

FabricOccupancy& FabricOccupancy::current()
{
  static FabricOccupancy occupancy;
  return occupancy;
}

void FabricOccupancy::reset()
{
  solo_allowed_ = true;
  real_in_flight_ = 0;
  real_starts_ = 0;
  solo_.clear();
}

void FabricOccupancy::begin_real()
{
  ++real_in_flight_;
  ++real_starts_;
  interrupt_solos();
}

void FabricOccupancy::end_real()
{
  real_in_flight_ = std::max(0, real_in_flight_ - 1);
}

void FabricOccupancy::interrupt_solos()
{
  for (Solo* solo : solo_) {
    solo->interrupted = true;
    solo->wake->notify_all();
  }
  solo_.clear();
}

double FabricOccupancy::run_solo(double seconds)
{
  Solo me{sg4::Mutex::create(), sg4::ConditionVariable::create()};
  solo_.push_back(&me);
  const double end = sg4::Engine::get_clock() + seconds;
  {
    std::unique_lock lock(*me.mutex);
    while (!me.interrupted) {
      const double left = end - sg4::Engine::get_clock();
      if (left <= 0 || me.wake->wait_for(lock, left) == std::cv_status::timeout)
        break;
    }
  }
  solo_.erase(std::remove(solo_.begin(), solo_.end(), &me), solo_.end());
  if (!me.interrupted || seconds <= 0)
    return 0;
  return std::clamp((end - sg4::Engine::get_clock()) / seconds, 0.0, 1.0);
}

} // namespace dcsim
