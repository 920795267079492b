// A one-way link between two pipeline chunks: the sender starts the transfer's flows at once
// (NCCL sends eagerly into the peer's buffer) and posts them; the receiver takes them in order
// and waits for them to land. Messages of one channel arrive in the order they were sent.
#pragma once

#include "collectives/comm_plan.hpp"

#include <simgrid/s4u/Semaphore.hpp>

#include <deque>

namespace dcsim {

class Channel {
public:
  Channel() : posted_(simgrid::s4u::Semaphore::create(0)) {}
  void post(PendingComm transfer);
  /// Blocks until a message was posted, then until it has arrived.
  void receive();

private:
  simgrid::s4u::SemaphorePtr posted_;
  std::deque<PendingComm> queue_;
};

} // namespace dcsim
