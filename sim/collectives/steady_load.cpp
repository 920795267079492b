#include "collectives/steady_load.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "collectives/helper_actor.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Mailbox.hpp>

#include <map>
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
  return flows;
}

} // namespace

struct SteadyLoad::State {
  std::vector<int> links;             ///< held as real traffic (FabricOccupancy) while running
  std::vector<sg4::CommPtr> comms;    ///< filled by the sender when it runs
  sg4::ActorPtr sender, receiver;
};

SteadyLoad SteadyLoad::start(const CommPlan& plan, double period_s, const Platform& platform,
                             const CommunicationParams& params)
{
  SteadyLoad load;
  const std::vector<Flow> flows = network_flows(plan, platform);
  if (flows.empty() || !(period_s > 0))
    return load;
  auto state = std::make_shared<State>();
  state->links = links_of(flows, platform);
  FabricOccupancy::current().begin_real(state->links);
  std::vector<double> caps;
  for (const Flow& f : flows) {
    caps.push_back(wire_bytes(f, platform, params) / period_s);
    load.bytes_per_s_ += caps.back();
  }
  load.flows_ = flows.size();
  // Capped flows must be mailbox communications (SimGrid 3.32 ignores the rate of host-to-host
  // ones). In permanent-receiver mode a put starts at once, towards wherever the receiver is
  // then; neither actor waits on anything, and both are daemons so that a load never keeps the
  // simulation alive.
  static long created = 0;
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name("dcsim.steady." + std::to_string(created++));
  // The receiver does nothing: it only stands at each flow's destination when the flow starts.
  state->receiver = helper_actor("steady-load-receiver", platform.gpu_host(flows.front().dst),
                                 [] { sg4::this_actor::sleep_for(kForeverS); });
  state->receiver->daemonize();
  mailbox->set_receiver(state->receiver);
  std::weak_ptr<State> weak = state;
  state->sender = helper_actor("steady-load", platform.gpu_host(flows.front().src),
                               [weak, flows, caps, mailbox, &platform] {
    static char payload; // the simulated data needs no storage; SimGrid wants a non-null pointer
    const std::shared_ptr<State> s = weak.lock();
    if (!s)
      return;
    for (std::size_t i = 0; i < flows.size(); ++i) {
      sg4::this_actor::set_host(platform.gpu_host(flows[i].src));
      s->receiver->set_host(platform.gpu_host(flows[i].dst));
      s->comms.push_back(mailbox->put_init(&payload, static_cast<std::uint64_t>(kEndlessBytes))
                             ->set_rate(caps[i])
                             ->start());
    }
    sg4::this_actor::sleep_for(kForeverS);
  });
  state->sender->daemonize();
  load.state_ = std::move(state);
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
  FabricOccupancy::current().end_real(state_->links);
  state_.reset();
}

} // namespace dcsim
