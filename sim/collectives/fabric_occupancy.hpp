// Who is on which link right now, so that a phase whose links nobody else disturbs need not be
// simulated flow by flow.
//
// A large phase's flows are rate-capped to end together on an idle fabric (comm_plan.cpp): the
// caps are the busiest link's pace, so they fit every link it crosses. Max-min sharing gives every
// capped flow exactly its cap as long as, on each link it crosses, the caps of all flows there
// add up to no more than the link's bandwidth and no uncapped flow is there. A phase whose links
// are in that state runs "solo": a timer of its known transfer time T, no SimGrid flows. Several
// solo phases may run at once, on disjoint links or on shared links whose bandwidth holds all
// their caps (the expert all-to-alls of 16 pipeline stages, each on its own nodes).
//
// The moment real traffic starts on a link a solo phase uses, that phase turns what it has left
// into real flows (same caps, bytes scaled by the fraction still to send) and SimGrid shares the
// links from then on. Solo phases elsewhere keep running as timers: the new traffic does not touch
// their links, so their flows would still get their caps. The result is the one the flows would
// have given from the start; only the time to get it changes (a lone 16,384-GPU all-reduce costs
// one timer instead of ~65,000 flows).
//
// Traffic whose links are not known in advance (checkpoint transfers to storage) claims the whole
// fabric: it interrupts every solo phase, and runs solo itself only when nothing else is in flight.
//
// All calls happen inside the simulation (SimGrid runs one actor at a time, so no locking).
#pragma once

#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Mutex.hpp>

#include <optional>
#include <vector>

namespace dcsim {

/// What a phase puts on one link: the sum of its flows' rate caps.
struct LinkLoad {
  int link = 0;               ///< SimGrid link id (Platform::sim_route)
  double bytes_per_s = 0;     ///< the phase's caps through this link
  double capacity_bytes_per_s = 0;
};

class FabricOccupancy {
public:
  /// The occupancy of the simulation running in this process.
  static FabricOccupancy& current();
  /// Forgets everything (a new engine starts with an idle fabric).
  void reset();
  /// Off: every phase runs flow by flow (for tests that compare the two, and for debugging).
  void allow_solo(bool allowed) { solo_allowed_ = allowed; }

  /// Whether nothing at all is in flight (no real flow, no solo phase) and solo runs are allowed.
  bool idle() const { return solo_allowed_ && real_in_flight_ == 0 && solo_.empty(); }
  /// Whether a phase with this footprint may run solo now: no real flow on any of its links, no
  /// whole-fabric solo, and room on every link for its caps next to the solo phases already there.
  bool can_run_solo(const std::vector<LinkLoad>& footprint) const;

  /// Real flows are about to start on these links: solo phases there become real flows now.
  void begin_real(const std::vector<int>& links);
  /// Real flows on these links have all completed (may be called late: that only keeps the links
  /// marked busy longer, which costs speed, never accuracy).
  void end_real(const std::vector<int>& links);
  /// The same for traffic on links not known in advance: every solo phase is interrupted.
  void begin_real_anywhere();
  void end_real_anywhere();
  /// How many times real flows have begun anywhere: unchanged across an activity means nobody
  /// else started traffic meanwhile.
  long real_starts() const { return real_starts_; }

  /// Runs a phase with this footprint solo if it may run solo now (can_run_solo): waits, as the
  /// calling actor, until `seconds` of simulated time have passed or real traffic starts on one
  /// of its links, and returns the fraction of `seconds` that was left when interrupted (0 if it
  /// ran out). Returns nothing, at once, if it may not run solo. The check and the registration
  /// happen together: creating the wake-up condition is a simcall, during which other actors
  /// run and may start traffic, so a check made before it would be stale.
  std::optional<double> try_run_solo(double seconds, const std::vector<LinkLoad>& footprint);
  /// The same for a whole-fabric activity, allowed only when idle() and interrupted by any real
  /// traffic.
  std::optional<double> try_run_solo_anywhere(double seconds);

  /// Phases that started solo since reset(), and how many of those were interrupted.
  long solo_runs() const { return solo_runs_; }
  long interrupted_runs() const { return interrupted_runs_; }

private:
  struct Solo;
  struct LinkState {
    int real = 0;            ///< real activities in flight on the link
    double solo_bytes_per_s = 0;
    std::vector<Solo*> solos;
  };
  std::optional<double> try_solo(double seconds, const std::vector<LinkLoad>* footprint);
  LinkState& state(int link);
  void interrupt(const std::vector<Solo*>& solos);
  void release_links(Solo* solo);

  bool solo_allowed_ = true;
  int real_in_flight_ = 0;    ///< real activities anywhere (link-scoped or not)
  int real_anywhere_ = 0;     ///< real activities whose links are not known
  long real_starts_ = 0;
  long solo_runs_ = 0;
  long interrupted_runs_ = 0;
  std::vector<Solo*> solo_;   ///< every solo activity running
  std::vector<LinkState> links_;
};

} // namespace dcsim
