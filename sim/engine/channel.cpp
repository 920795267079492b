#include "engine/channel.hpp"

namespace dcsim {

void Channel::post(PendingComm transfer)
{
  queue_.push_back(std::move(transfer));
  posted_->release();
}

void Channel::receive()
{
  posted_->acquire();
  PendingComm transfer = std::move(queue_.front());
  queue_.pop_front();
  transfer.wait();
}

} // namespace dcsim
