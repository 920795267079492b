// Who is on the fabric right now, so that a phase running alone need not be simulated flow by flow.
//
// A large phase's flows are rate-capped to end together on an idle fabric (comm_plan.cpp): the
// caps are the busiest link's pace, so they fit every link and, with nothing else in flight,
// max-min sharing gives each flow exactly its cap. The phase then lasts exactly its transfer time
// T, which is known before it starts. Such a phase runs "solo": a timer of T, no SimGrid flows.
// The moment any other traffic starts, every solo phase turns what it has left into real flows
// (same caps, bytes scaled by the fraction still to send) and SimGrid shares the links from then
// on. The result is the one the flows would have given from the start; only the time to get it
// changes (a lone 16,384-GPU all-reduce costs one timer instead of ~65,000 flows).
//
// One difference remains: a solo phase's remainder takes its routes when it becomes real, so a
// cable taken down while the phase was solo is avoided, where real flows keep the path they
// started on (Platform::set_cable_up).
//
// All calls happen inside the simulation (SimGrid runs one actor at a time, so no locking).
#pragma once

#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Mutex.hpp>

#include <vector>

namespace dcsim {

class FabricOccupancy {
public:
  /// The occupancy of the simulation running in this process.
  static FabricOccupancy& current();
  /// Forgets everything (a new engine starts with an idle fabric).
  void reset();

  /// Whether a phase may run solo now: solo runs are allowed, no flow is in flight and no other
  /// solo phase is running.
  bool idle() const { return solo_allowed_ && real_in_flight_ == 0 && solo_.empty(); }
  /// Off: every phase runs flow by flow (for tests that compare the two, and for debugging).
  void allow_solo(bool allowed) { solo_allowed_ = allowed; }

  /// Real flows are about to start: solo phases must become real flows now.
  void begin_real();
  /// How many times real flows have begun: unchanged across an activity means nobody else
  /// started traffic meanwhile.
  long real_starts() const { return real_starts_; }
  /// Real flows that began have all completed (may be called late: that only keeps the fabric
  /// marked busy longer, which costs speed, never accuracy).
  void end_real();

  /// Waits, as the calling actor, until `seconds` of simulated time have passed or other traffic
  /// starts. Returns the fraction of `seconds` that was left when interrupted (0 if it ran out).
  double run_solo(double seconds);

private:
  struct Solo {
    simgrid::s4u::MutexPtr mutex;
    simgrid::s4u::ConditionVariablePtr wake;
    bool interrupted = false;
  };
  void interrupt_solos();

  bool solo_allowed_ = true;
  int real_in_flight_ = 0;
  long real_starts_ = 0;
  std::vector<Solo*> solo_;
};

} // namespace dcsim
