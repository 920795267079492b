#include "engine/comm_stream.hpp"

#include <simgrid/s4u/Actor.hpp>

namespace sg4 = simgrid::s4u;

namespace dcsim {

CommStream::CommStream(const Platform& platform, const CommunicationParams& params)
    : platform_(platform), params_(params), queued_(sg4::Semaphore::create(0)),
      completed_(sg4::Semaphore::create(0))
{
}

void CommStream::start(sg4::Host* host, const std::string& name)
{
  sg4::Actor::create(name, host, [this] { run(); })->daemonize();
}

void CommStream::enqueue(CommPlan plan)
{
  queue_.push_back(std::move(plan));
  ++outstanding_;
  queued_->release();
}

void CommStream::wait_idle()
{
  while (outstanding_ > 0) {
    completed_->acquire();
    --outstanding_;
  }
}

void CommStream::run()
{
  while (true) {
    queued_->acquire();
    CommPlan plan = std::move(queue_.front());
    queue_.pop_front();
    run_flows(plan, platform_, params_);
    completed_->release();
  }
}

} // namespace dcsim
