#include "engine/checkpoint_io.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "engine/job_traffic.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Mailbox.hpp>
#include <simgrid/Exception.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

struct HostFlow {
  sg4::Host* src;
  sg4::Host* dst;
  double bytes;
};

constexpr unsigned kStackKiB = 128; // these actors only post and wait for communications

/// One sender and one receiver per storage server. Mailbox communications, not
/// Comm::sendto_async: SimGrid 3.32 scans all host-to-host communications each time one ends,
/// which is quadratic in the thousands of NICs a large job writes from (see comm_plan.cpp). A
/// communication is routed between its actors' hosts when it starts, so the actor on the GPU side
/// moves to each flow's GPU before the flow starts.
struct ServerTransfer {
  sg4::ActorPtr sender;
  sg4::ActorPtr receiver;
  std::shared_ptr<bool> sent = std::make_shared<bool>(false);
  /// The sender's communications, so that a cut transfer cancels them before its actors are
  /// killed (SimGrid prints a backtrace for every communication freed while still running).
  std::shared_ptr<std::vector<sg4::CommPtr>> comms = std::make_shared<std::vector<sg4::CommPtr>>();
};

/// A job's mailbox to one server; jobs own disjoint GPUs, so their first endpoint names them.
sg4::Mailbox* checkpoint_mailbox(int first_endpoint, int server)
{
  return sg4::Mailbox::by_name("dcsim.checkpoint." + std::to_string(first_endpoint) + "." + std::to_string(server));
}

ServerTransfer start_server_transfer(const std::vector<HostFlow>& flows, sg4::Mailbox* mailbox,
                                     CheckpointDirection direction)
{
  static char payload; // the simulated data needs no storage; SimGrid wants a non-null pointer
  const auto count = static_cast<int>(flows.size());
  const bool move_receiver = direction == CheckpointDirection::Read;
  ServerTransfer t;
  t.receiver = sg4::Actor::init("checkpoint-receiver", flows.front().dst)
                   ->set_stacksize(kStackKiB)
                   ->start([mailbox, count] {
                     try {
                       for (int i = 0; i < count; ++i)
                         mailbox->get<char>();
                     } catch (const simgrid::Exception&) { // the sender was killed: a failure cut the transfer
                     }
                   });
  mailbox->set_receiver(t.receiver);
  t.sender = sg4::Actor::init("checkpoint-sender", flows.front().src)
                 ->set_stacksize(kStackKiB)
                 ->start([flows, mailbox, receiver = t.receiver, move_receiver, sent = t.sent, comms = t.comms] {
                   for (const HostFlow& f : flows) {
                     if (move_receiver)
                       receiver->set_host(f.dst);
                     else
                       sg4::this_actor::set_host(f.src);
                     comms->push_back(mailbox->put_async(&payload, static_cast<std::uint64_t>(f.bytes)));
                   }
                   try {
                     sg4::Comm::wait_all(*comms);
                     *sent = true;
                   } catch (const simgrid::Exception&) { // the receiver was killed: a failure cut the transfer
                   }
                 });
  return t;
}

} // namespace

std::vector<int> checkpoint_endpoints(const Platform& platform, const Placement& placement, int gpus_per_node,
                                      int nics_per_node)
{
  std::vector<int> endpoints;
  const int gpus_per_nic = std::max(1, gpus_per_node / std::max(1, nics_per_node));
  int last_nic = -1;
  for (int rank = 0; rank < placement.gpus(); rank += gpus_per_nic) {
    const int gpu = placement.gpu(rank);
    const int nic = platform.fabric().nic_of_gpu(gpu);
    if (nic != last_nic)
      endpoints.push_back(gpu);
    last_nic = nic;
  }
  return endpoints;
}

std::vector<double> checkpoint_link_bytes(const Platform& platform, const std::vector<int>& endpoints, double bytes,
                                          CheckpointDirection direction)
{
  std::vector<double> links(platform.fabric().directed_link_count());
  const int servers = platform.storage_count();
  const double share = bytes / static_cast<double>(endpoints.size());
  for (size_t k = 0; k < endpoints.size(); ++k) {
    const Route r = platform.storage_route(endpoints[k], static_cast<int>(k % servers),
                                           direction == CheckpointDirection::Read);
    for (int h = 0; h < r.hops; ++h)
      links[r.links[h]] += share;
  }
  even_adaptive_trunks(links, platform.fabric());
  return links;
}

bool transfer_checkpoint(const Platform& platform, const std::vector<int>& endpoints, double bytes,
                         CheckpointDirection direction, double deadline_s, double* moved_bytes)
{
  const int servers = platform.storage_count();
  std::vector<std::vector<HostFlow>> per_server(servers);
  const double share = bytes / static_cast<double>(endpoints.size());
  for (size_t k = 0; k < endpoints.size(); ++k) {
    sg4::Host* gpu = platform.gpu_host(endpoints[k]);
    sg4::Host* storage = platform.storage_host(static_cast<int>(k % servers));
    per_server[k % servers].push_back(direction == CheckpointDirection::Write ? HostFlow{gpu, storage, share}
                                                                            : HostFlow{storage, gpu, share});
  }
  FabricOccupancy::current().begin_real_anywhere();
  std::vector<ServerTransfer> transfers;
  for (int s = 0; s < servers; ++s)
    if (!per_server[s].empty())
      transfers.push_back(start_server_transfer(per_server[s], checkpoint_mailbox(endpoints.front(), s), direction));
  bool done = true;
  for (const ServerTransfer& t : transfers) {
    const double left = deadline_s - sg4::Engine::get_clock();
    if (left > 0)
      t.sender->join(left);
    if (!*t.sent) {
      done = false;
      break;
    }
  }
  if (moved_bytes)
    *moved_bytes = bytes;
  if (!done)
    for (const ServerTransfer& t : transfers) {
      for (const sg4::CommPtr& c : *t.comms) {
        if (moved_bytes)
          *moved_bytes -= c->get_remaining();
        c->cancel();
      }
      t.comms->clear();
      t.receiver->kill();
      t.sender->kill();
    }
  else
    for (const ServerTransfer& t : transfers) {
      t.receiver->join();
      t.comms->clear(); // the sender has ended; its code (and this list) may outlive it in SimGrid
    }
  for (int s = 0; s < servers; ++s) {
    sg4::Mailbox* mailbox = checkpoint_mailbox(endpoints.front(), s);
    mailbox->set_receiver(nullptr);
    // A cut transfer's communications stay queued in the mailbox (its receiver was killed), and
    // every later transfer through it would scan them: let go of them.
    if (!done)
      mailbox->clear();
  }
  FabricOccupancy::current().end_real_anywhere();
  return done;
}

bool CheckpointMover::move(CheckpointDirection direction, double deadline_s)
{
  FabricOccupancy& occupancy = FabricOccupancy::current();
  double& solo = solo_s_[direction == CheckpointDirection::Write ? 0 : 1];
  const double began = sg4::Engine::get_clock();
  double fraction = 1.0;
  if (solo > 0 && occupancy.idle()) {
    const double timer = std::min(solo, deadline_s - began);
    if (timer <= 0)
      return false;
    if (const auto left = occupancy.try_run_solo_anywhere(timer)) {
      if (*left <= 0) { // done, unless the deadline came first
        record(direction, began, std::min(1.0, timer / solo));
        return timer >= solo;
      }
      fraction = 1.0 - timer * (1.0 - *left) / solo;
    }
  }
  const bool alone = fraction == 1.0 && occupancy.idle();
  const long starts = occupancy.real_starts();
  const double start = sg4::Engine::get_clock();
  double moved = 0;
  const bool done = transfer_checkpoint(*platform_, endpoints_, bytes_ * fraction, direction, deadline_s, &moved);
  if (done && alone && occupancy.real_starts() == starts + 1)
    solo = sg4::Engine::get_clock() - start;
  record(direction, began, 1.0 - fraction + (bytes_ > 0 ? moved / bytes_ : 0.0));
  return done;
}

void CheckpointMover::record(CheckpointDirection direction, double start_s, double fraction)
{
  if (bytes_ > 0 && fraction > 0)
    transfers_.push_back({direction, start_s, sg4::Engine::get_clock(), fraction});
}

std::vector<FabricUse> CheckpointMover::fabric_uses() const
{
  LinkPattern pattern[2]; // per direction: a whole checkpoint's bytes per link
  std::vector<FabricUse> uses;
  for (const Transfer& t : transfers_) {
    const int d = t.direction == CheckpointDirection::Write ? 0 : 1;
    if (!pattern[d]) {
      const std::vector<double> bytes = checkpoint_link_bytes(*platform_, endpoints_, bytes_, t.direction);
      pattern[d] = make_link_pattern(bytes, bytes);
    }
    uses.push_back({t.start_s, t.end_s, pattern[d], t.end_s > t.start_s ? t.fraction / (t.end_s - t.start_s) : 0.0,
                    t.fraction, TrafficSource::Checkpoints});
  }
  return uses;
}

} // namespace dcsim
