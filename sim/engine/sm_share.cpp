#include "engine/sm_share.hpp"

#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <exception>

namespace sg4 = simgrid::s4u;

namespace dcsim {

SmShare SmShare::of(int sm_count, int comm_sms)
{
  const int held = std::clamp(comm_sms, 0, std::max(0, sm_count - 1));
  return {static_cast<double>(std::max(1, sm_count - held)), static_cast<double>(held)};
}

sg4::ExecPtr start_kernels(double seconds, const SmShare& share)
{
  sg4::ExecPtr exec = sg4::this_actor::exec_init(seconds * Platform::kWorkPerSecond);
  exec->set_priority(share.compute_weight);
  exec->start();
  return exec;
}

double run_kernels(double seconds, const SmShare& share)
{
  const double start = sg4::Engine::get_clock();
  if (share.comm_weight <= 0) // nothing ever competes: the plain call
    sg4::this_actor::execute(seconds * Platform::kWorkPerSecond);
  else
    start_kernels(seconds, share)->wait();
  return sg4::Engine::get_clock() - start;
}

HeldSms::HeldSms(const SmShare& share)
{
  if (share.comm_weight <= 0)
    return;
  // Work enough for any simulation (1e9 s at the GPU's speed); cancelled when the collective ends.
  exec_ = sg4::this_actor::exec_init(1e9 * Platform::kWorkPerSecond);
  exec_->set_priority(share.comm_weight);
  exec_->start();
}

HeldSms::~HeldSms()
{
  if (std::uncaught_exceptions() > 0) // the actor is being killed: no simcall while its stack unwinds
    exec_ = nullptr;
  release();
}

void HeldSms::release()
{
  if (exec_) {
    exec_->cancel();
    exec_ = nullptr;
  }
}

} // namespace dcsim
