#include "collectives/steady_load.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "collectives/helper_actor.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Mailbox.hpp>

#include <simgrid/Exception.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

/// Bytes a load's flow is given: far more than it can move before the simulated clock's 10-year
/// limit at any cap, so it only ends when stopped (1e19 < 2^64).
constexpr double kEndlessBytes = 1e19;
/// How long the load's actors wait to be stopped: beyond any simulated run. They must wait, not
/// suspend themselves: SimGrid suspends a suspended actor's communications with it.
constexpr double kForeverS = 1e12;

/// The plan's network flows, one per (source, destination), bytes summed over its phases.
std::vector<Flow> network_flows(const CommPlan& plan, const Platform& platform)
{
  std::map<std::pair<int, int>, double> bytes;
  for (const CommPhase& phase : plan.phases)
    for (const Flow& f : phase.flows)
      if (f.src != f.dst && f.bytes > 0 && !platform.same_domain(f.src, f.dst))
        bytes[{f.src, f.dst}] += f.bytes;
  std::vector<Flow> flows;
  for (const auto& [pair, b] : bytes)
    flows.push_back({pair.first, pair.second, b});
  return wire_flows(flows, platform);
}

} // namespace

struct SteadyLoad::State {
  std::vector<int> links;             ///< held as real traffic (FabricOccupancy) while running
  std::vector<sg4::CommPtr> comms;    ///< filled by the sender when it runs
  std::vector<double> bytes;          ///< with a work: each flow's bytes when it starts
  sg4::Mailbox* mailbox = nullptr;
  sg4::ActorPtr sender, receiver;
};

double LoadFlows::work_left_s(const std::vector<double>& bytes_left) const
{
  double left_s = 0;
  for (std::size_t i = 0; i < bytes_left.size(); ++i)
    left_s = std::max(left_s, bytes_left[i] / caps_bytes_per_s[i]);
  return left_s;
}

double SteadyLoad::bytes_per_s() const
{
  return std::accumulate(flows_.caps_bytes_per_s.begin(), flows_.caps_bytes_per_s.end(), 0.0);
}

double SteadyLoad::remaining_work_s() const { return flows_.work_left_s(bytes_left()); }

bool SteadyLoad::flowing() const { return state_ && !state_->comms.empty(); }

std::vector<double> SteadyLoad::bytes_left() const
{
  if (!state_ || state_->bytes.empty())
    return {};
  if (state_->comms.size() < state_->bytes.size()) // still waiting for its delay
    return state_->bytes;
  std::vector<double> left(state_->comms.size());
  for (std::size_t i = 0; i < left.size(); ++i)
    left[i] = state_->comms[i]->get_remaining();
  return left;
}

std::vector<double> SteadyLoad::bytes_moved() const
{
  std::vector<double> moved(flows_.flows.size());
  if (!state_ || !state_->bytes.empty())
    return moved;
  // An endless flow's bytes moved are what it no longer has to (1e19 holds bytes to 2 KiB).
  for (std::size_t i = 0; i < state_->comms.size(); ++i)
    moved[i] = std::max(0.0, kEndlessBytes - state_->comms[i]->get_remaining());
  return moved;
}

SteadyLoad SteadyLoad::start(const CommPlan& plan, double period_s, const Platform& platform,
                             const CommunicationParams& params, const LoadWork* work)
{
  LoadFlows load;
  load.flows = network_flows(plan, platform);
  if (load.flows.empty() || !(period_s > 0))
    return {};
  std::vector<double> bytes;
  for (const Flow& f : load.flows) {
    load.caps_bytes_per_s.push_back(wire_bytes(f, platform, params) / period_s);
    if (work)
      bytes.push_back(std::min(kEndlessBytes, load.caps_bytes_per_s.back() * std::max(0.0, work->work_s)));
  }
  return launch(std::move(load), platform, work, std::move(bytes));
}

SteadyLoad SteadyLoad::resume(const LoadFlows& flows, const Platform& platform, const LoadWork& work,
                              const std::vector<double>& bytes_left)
{
  return launch(flows, platform, &work, bytes_left);
}

SteadyLoad SteadyLoad::launch(LoadFlows flows, const Platform& platform, const LoadWork* work, std::vector<double> bytes)
{
  SteadyLoad load;
  auto state = std::make_shared<State>();
  state->links = links_of(flows.flows, platform);
  FabricOccupancy::current().begin_real(state->links);
  state->bytes = std::move(bytes);
  const double delay_s = work ? std::max(0.0, work->delay_s) : 0;
  std::function<void()> on_done = work ? work->on_done : nullptr;
  const bool carries_work = work != nullptr;
  // Capped flows must be mailbox communications (SimGrid 3.32 ignores the rate of host-to-host
  // ones). In permanent-receiver mode a put starts at once, towards wherever the receiver is
  // then; neither actor waits on anything, and both are daemons so that a load never keeps the
  // simulation alive.
  static long created = 0;
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name("dcsim.steady." + std::to_string(created++));
  // The receiver does nothing: it only stands at each flow's destination when the flow starts.
  state->receiver = helper_actor("steady-load-receiver", platform.gpu_host(flows.flows.front().dst),
                                 [] { sg4::this_actor::sleep_for(kForeverS); });
  state->receiver->daemonize();
  mailbox->set_receiver(state->receiver);
  state->mailbox = mailbox;
  std::weak_ptr<State> weak = state;
  state->sender = helper_actor("steady-load", platform.gpu_host(flows.flows.front().src),
                               [weak, flows, mailbox, &platform, carries_work, delay_s, on_done] {
    static char payload; // the simulated data needs no storage; SimGrid wants a non-null pointer
    if (delay_s > 0)
      sg4::this_actor::sleep_for(delay_s);
    const std::shared_ptr<State> s = weak.lock();
    if (!s)
      return;
    for (std::size_t i = 0; i < flows.flows.size(); ++i) {
      sg4::this_actor::set_host(platform.gpu_host(flows.flows[i].src, flows.flows[i].qp));
      s->receiver->set_host(platform.gpu_host(flows.flows[i].dst, flows.flows[i].qp));
      const double bytes = carries_work ? s->bytes[i] : kEndlessBytes;
      s->comms.push_back(mailbox->put_init(&payload, static_cast<std::uint64_t>(bytes))
                             ->set_rate(flows.caps_bytes_per_s[i])
                             ->start());
    }
    if (carries_work) {
      try {
        sg4::Comm::wait_all(s->comms);
      } catch (const simgrid::Exception&) { // stopped: its flows were cancelled
        return;
      }
      if (on_done)
        on_done();
    }
    // Stopping kills this actor: it waits for that (not suspended, see kForeverS).
    sg4::this_actor::sleep_for(kForeverS);
  });
  state->sender->daemonize();
  load.state_ = std::move(state);
  load.flows_ = std::move(flows);
  return load;
}

void SteadyLoad::stop()
{
  if (!state_)
    return;
  for (const sg4::CommPtr& c : state_->comms)
    c->cancel();
  state_->sender->kill();
  state_->receiver->kill();
  // A permanent receiver keeps its actor (and the mailbox its finished flows) alive: let go of
  // both, or every load started leaks them.
  state_->mailbox->set_receiver(nullptr);
  state_->mailbox->clear();
  FabricOccupancy::current().end_real(state_->links);
  state_.reset();
}

} // namespace dcsim
