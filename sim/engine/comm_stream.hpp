// A GPU's data-parallel communication stream: collectives queued by the compute stream run one
// after the other on a separate actor, so they overlap with computation like NCCL calls on
// their own CUDA stream (Megatron's overlapped gradient reduction and parameter all-gather).
#pragma once

#include "collectives/comm_plan.hpp"

#include <simgrid/s4u/Semaphore.hpp>

#include <deque>

namespace dcsim {

class Platform;

class CommStream {
public:
  CommStream(const Platform& platform, const CommunicationParams& params);
  /// Starts the stream's actor on `host` (a daemon: it ends with the simulation).
  void start(simgrid::s4u::Host* host, const std::string& name);
  void enqueue(CommPlan plan);
  /// Blocks the caller until everything enqueued so far has completed.
  void wait_idle();
  bool idle() const { return outstanding_ == 0; }

private:
  void run();

  const Platform& platform_;
  const CommunicationParams& params_;
  std::deque<CommPlan> queue_;
  simgrid::s4u::SemaphorePtr queued_;
  simgrid::s4u::SemaphorePtr completed_;
  int outstanding_ = 0;
};

} // namespace dcsim
