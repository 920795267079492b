#include "engine/comm_stream.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace sg4 = simgrid::s4u;

namespace dcsim {

StreamGate::StreamGate(int buckets) : buckets_(buckets), opened_(sg4::Semaphore::create(0)) {}

void StreamGate::open()
{
  opened_at_s_ = sg4::Engine::get_clock();
  opened_->release();
}

void StreamGate::finish(double transfer_s)
{
  opened_->acquire();
  sg4::this_actor::sleep_until(opened_at_s_ + transfer_s / buckets_);
}

CommStream::CommStream(const Platform& platform, const CommunicationParams& params, SmShare sms)
    : platform_(platform), params_(params), sms_(sms), queued_(sg4::Semaphore::create(0)),
      completed_(sg4::Semaphore::create(0))
{
}

void CommStream::start(sg4::Host* host, const std::string& name)
{
  actor_ = sg4::Actor::create(name, host, [this] { run(); });
  actor_->daemonize();
}

void CommStream::stop()
{
  if (actor_ && outstanding_ == 0)
    actor_->kill();
  actor_ = nullptr;
}

void CommStream::enqueue(CommPlan plan, std::shared_ptr<StreamGate> gate)
{
  queue_.push_back({std::move(plan), std::move(gate)});
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
    Entry entry = std::move(queue_.front());
    queue_.pop_front();
    const double start = sg4::Engine::get_clock();
    {
      HeldSms held(sms_);
      run_flows(entry.plan, platform_, params_);
    }
    if (entry.gate)
      entry.gate->finish(sg4::Engine::get_clock() - start);
    completed_->release();
  }
}

} // namespace dcsim
