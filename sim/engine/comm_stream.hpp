// A GPU's data-parallel communication stream: collectives queued by the compute stream run one
// after the other on a separate actor, so they overlap with computation like NCCL calls on
// their own CUDA stream (Megatron's overlapped gradient reduction and parameter all-gather).
#pragma once

#include "collectives/comm_plan.hpp"
#include "engine/sm_share.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include <deque>
#include <memory>

namespace dcsim {

class Platform;

/// Completion gate of a group of gradient buckets simulated as one collective. The group's flows
/// may start when its first bucket is ready, but in a FIFO stream the group is not done before
/// its last bucket's gradients exist (open()) plus that bucket's share of the transfer. Without
/// the gate a merged group would start only when its last bucket is ready, which overstates the
/// exposed reduction whenever the reduction is slower than the backward that feeds it.
class StreamGate {
public:
  explicit StreamGate(int buckets);
  /// Called by the compute side when the group's last bucket is ready.
  void open();
  /// Called by the stream after the group's flows took `transfer_s`: blocks until open(), then
  /// until open() + transfer_s / buckets.
  void finish(double transfer_s);

private:
  int buckets_;
  double opened_at_s_ = 0;
  simgrid::s4u::SemaphorePtr opened_;
};

class CommStream {
public:
  /// While a collective runs, its kernels hold `sms` of the GPU (sm_share.hpp).
  CommStream(const Platform& platform, const CommunicationParams& params, SmShare sms = {});
  /// Starts the stream's actor on `host` (a daemon: it ends with the simulation).
  void start(simgrid::s4u::Host* host, const std::string& name);
  /// Queues `plan`; with a gate, the plan counts as done only once the gate allows it.
  void enqueue(CommPlan plan, std::shared_ptr<StreamGate> gate = nullptr);
  /// Blocks the caller until everything enqueued so far has completed.
  void wait_idle();
  /// Ends the stream's actor (idle: its run is over), so that runs that ended (requeued,
  /// preempted) leave no actor behind.
  void stop();
  bool idle() const { return outstanding_ == 0; }

private:
  void run();

  const Platform& platform_;
  const CommunicationParams& params_;
  SmShare sms_;
  struct Entry {
    CommPlan plan;
    std::shared_ptr<StreamGate> gate;
  };
  std::deque<Entry> queue_;
  simgrid::s4u::ActorPtr actor_;
  simgrid::s4u::SemaphorePtr queued_;
  simgrid::s4u::SemaphorePtr completed_;
  int outstanding_ = 0;
};

} // namespace dcsim
