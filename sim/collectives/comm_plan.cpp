#include "collectives/comm_plan.hpp"

#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Mailbox.hpp>

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace dcsim {

void CommPlan::add_flow(int src, int dst, double bytes)
{
  const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst);
  const auto [it, inserted] = index_.emplace(key, flows.size());
  if (inserted)
    flows.push_back({src, dst, bytes});
  else
    flows[it->second].bytes += bytes;
}

void CommPlan::merge_concurrent(const CommPlan& other)
{
  for (const auto& f : other.flows)
    add_flow(f.src, f.dst, f.bytes);
  latency_s = std::max(latency_s, other.latency_s);
}

void PendingComm::wait()
{
  if (!comms_.empty())
    sg4::Comm::wait_all(comms_);
  comms_.clear();
  for (auto& helper : helpers_)
    helper->join();
  helpers_.clear();
  if (latency_s_ > 0)
    sg4::this_actor::sleep_for(latency_s_);
  latency_s_ = 0;
}

namespace {

double wire_bytes(const Flow& f, const Platform& platform, const CommunicationParams& params)
{
  const double efficiency = platform.same_domain(f.src, f.dst) ? params.scale_up_efficiency : params.scale_out_efficiency;
  return std::ceil(f.bytes / efficiency);
}

/// Mailboxes reused by flow helpers (a permanent-receiver mailbox per helper at a time).
std::vector<sg4::Mailbox*>& free_mailboxes()
{
  static std::vector<sg4::Mailbox*> pool;
  return pool;
}

sg4::Mailbox* take_mailbox()
{
  static int created = 0;
  auto& pool = free_mailboxes();
  if (pool.empty())
    return sg4::Mailbox::by_name("dcsim.flows." + std::to_string(created++));
  sg4::Mailbox* m = pool.back();
  pool.pop_back();
  return m;
}

/// Runs a chunk of flows as mailbox communications between two actors that move: before each
/// send, the helper moves to the flow's source GPU and its receiver to the destination, because
/// SimGrid routes a communication between its two actors' hosts at the moment it starts.
///
/// Why not Comm::sendto_async: SimGrid 3.32 keeps every host-to-host communication in one global
/// list that it scans linearly each time one completes, so 16,384 concurrent flows cost O(n^2)
/// (minutes at 16K GPUs). Mailbox communications are kept per actor, 32 here.
void run_flow_chunk(const std::vector<Flow>& chunk, const Platform& platform, const CommunicationParams& params)
{
  static char payload; // the simulated data needs no storage; SimGrid wants a non-null pointer
  sg4::Mailbox* mailbox = take_mailbox();
  const auto count = static_cast<int>(chunk.size());
  sg4::ActorPtr receiver = sg4::Actor::create("flow-receiver", platform.gpu_host(chunk.front().dst), [mailbox, count] {
    for (int i = 0; i < count; ++i)
      mailbox->get<char>();
  });
  mailbox->set_receiver(receiver);
  std::vector<sg4::CommPtr> comms;
  comms.reserve(chunk.size());
  for (const Flow& f : chunk) {
    sg4::this_actor::set_host(platform.gpu_host(f.src));
    receiver->set_host(platform.gpu_host(f.dst));
    comms.push_back(mailbox->put_async(&payload, static_cast<std::uint64_t>(wire_bytes(f, platform, params))));
  }
  sg4::Comm::wait_all(comms);
  receiver->join();
  mailbox->set_receiver(nullptr);
  free_mailboxes().push_back(mailbox);
}

} // namespace

PendingComm start_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params)
{
  std::vector<Flow> flows;
  for (const auto& f : plan.flows)
    if (f.src != f.dst && f.bytes > 0)
      flows.push_back(f);
  std::vector<sg4::CommPtr> comms;
  std::vector<sg4::ActorPtr> helpers;
  if (flows.size() <= PendingComm::kFlowsPerActor) {
    // Few flows: direct host-to-host communications (cheap while few are in flight).
    for (const Flow& f : flows)
      comms.push_back(sg4::Comm::sendto_async(platform.gpu_host(f.src), platform.gpu_host(f.dst),
                                              static_cast<std::uint64_t>(wire_bytes(f, platform, params))));
    return PendingComm(std::move(comms), {}, plan.latency_s);
  }
  for (size_t first = 0; first < flows.size(); first += PendingComm::kFlowsPerActor) {
    std::vector<Flow> chunk(flows.begin() + first,
                            flows.begin() + std::min(flows.size(), first + PendingComm::kFlowsPerActor));
    helpers.push_back(sg4::Actor::create("flows", platform.gpu_host(chunk.front().src),
                                         [chunk, &platform, &params] { run_flow_chunk(chunk, platform, params); }));
  }
  return PendingComm({}, std::move(helpers), plan.latency_s);
}

} // namespace dcsim
