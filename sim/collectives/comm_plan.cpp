#include "collectives/comm_plan.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "collectives/helper_actor.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Mailbox.hpp>

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace dcsim {

void CommPhase::add_flow(int src, int dst, double bytes)
{
  const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst);
  const auto [it, inserted] = index_.emplace(key, flows.size());
  if (inserted)
    flows.push_back({src, dst, bytes});
  else
    flows[it->second].bytes += bytes;
}

bool CommPlan::empty() const
{
  for (const auto& p : phases)
    if (!p.flows.empty() || p.latency_s > 0)
      return false;
  return true;
}

CommPhase& CommPlan::current()
{
  if (phases.empty())
    phases.emplace_back();
  return phases.back();
}

CommPhase& CommPlan::next_phase()
{
  phases.emplace_back();
  return phases.back();
}

void CommPlan::merge_concurrent(const CommPlan& other)
{
  if (phases.size() < other.phases.size())
    phases.resize(other.phases.size());
  for (size_t i = 0; i < other.phases.size(); ++i) {
    for (const auto& f : other.phases[i].flows)
      phases[i].add_flow(f.src, f.dst, f.bytes);
    phases[i].latency_s = std::max(phases[i].latency_s, other.phases[i].latency_s);
  }
}

void CommPlan::merge_concurrent_at_last(const CommPlan& other)
{
  CommPhase& last = current();
  double latency = 0;
  for (const auto& phase : other.phases) {
    for (const auto& f : phase.flows)
      last.add_flow(f.src, f.dst, f.bytes);
    latency += phase.latency_s;
  }
  last.latency_s = std::max(last.latency_s, latency);
}

CommPlan CommPlan::scaled(double fraction) const
{
  if (fraction == 1.0)
    return *this;
  CommPlan out;
  for (const auto& p : phases) {
    CommPhase& q = out.next_phase();
    for (const auto& f : p.flows)
      q.add_flow(f.src, f.dst, f.bytes * fraction);
    q.latency_s = p.latency_s * fraction;
  }
  return out;
}

std::size_t CommPlan::flow_count() const
{
  std::size_t n = 0;
  for (const auto& p : phases)
    n += p.flows.size();
  return n;
}

PendingComm::PendingComm(std::vector<simgrid::s4u::CommPtr> comms, std::vector<simgrid::s4u::ActorPtr> helpers,
                         double latency_s, std::vector<int> fabric_links)
    : comms_(std::move(comms)), helpers_(std::move(helpers)), latency_s_(latency_s),
      fabric_links_(std::move(fabric_links)),
      start_s_(sg4::Engine::get_clock())
{
}

void PendingComm::wait()
{
  // The phase ends its latency after its last flow: a caller that waits later (the comm was
  // overlapped with compute) does not wait for the latency again.
  double flows_end = start_s_;
  if (!comms_.empty()) {
    sg4::Comm::wait_all(comms_);
    for (const auto& comm : comms_)
      flows_end = std::max(flows_end, comm->get_finish_time());
    comms_.clear();
    FabricOccupancy::current().end_real(fabric_links_);
  }
  for (auto& helper : helpers_)
    helper->join();
  helpers_.clear();
  if (latency_s_ > 0 && flows_end + latency_s_ > sg4::Engine::get_clock())
    sg4::this_actor::sleep_until(flows_end + latency_s_);
  latency_s_ = 0;
}

double link_efficiency(const Flow& f, const Platform& platform, const CommunicationParams& params)
{
  return platform.same_domain(f.src, f.dst) ? params.scale_up_efficiency : params.scale_out_efficiency;
}

namespace {

/// Bytes per SimGrid link, in one table reused between calls (the tuner ranks many plans);
/// only the links a phase touched are cleared afterwards. Two sums per link: the exact payload
/// (which sets the phase's time) and the whole bytes the capped flows send (its footprint). Used
/// by one function at a time (no simcall runs while one is alive).
class LinkBytes {
public:
  struct Sums {
    double exact = 0;
    double whole = 0;
  };
  explicit LinkBytes(const Platform& platform)
  {
    table().resize(std::max<size_t>(table().size(), platform.sim_link_count()));
  }
  ~LinkBytes()
  {
    for (int link : touched())
      table()[link] = {};
    touched().clear();
  }
  LinkBytes(const LinkBytes&) = delete;
  LinkBytes& operator=(const LinkBytes&) = delete;
  /// Adds to a link's sums; returns them.
  const Sums& add(int link, double exact, double whole)
  {
    Sums& sums = table()[link];
    if (sums.exact == 0 && sums.whole == 0)
      touched().push_back(link);
    sums.exact += exact;
    sums.whole += whole;
    return sums;
  }
  const Sums& at(int link) const { return table()[link]; }
  const std::vector<int>& links() const { return touched(); }

private:
  static std::vector<Sums>& table()
  {
    static std::vector<Sums> sums;
    return sums;
  }
  static std::vector<int>& touched()
  {
    static std::vector<int> links;
    return links;
  }
};

} // namespace

/// A flow's bytes on the wire: its payload at the NCCL efficiency of its path, in whole bytes.
double wire_bytes(const Flow& f, const Platform& platform, const CommunicationParams& params)
{
  return std::ceil(f.bytes / link_efficiency(f, platform, params));
}

namespace {

struct PhaseLoad {
  double seconds = 0;              ///< the busiest SimGrid link's bytes over its bandwidth
  std::vector<LinkLoad> footprint; ///< every link the phase crosses, with its caps' sum
};

/// The phase on an idle fabric: how long its flows take, and (when asked) what its capped flows
/// put on each link. `flows` as wire_flows gives them (plan flows where no queue pairs split).
PhaseLoad phase_load(const std::vector<Flow>& flows, const Platform& platform, const CommunicationParams& params,
                     bool with_footprint)
{
  LinkBytes link_bytes(platform);
  PhaseLoad out;
  for (const auto& f : flows) {
    if (f.src == f.dst || f.bytes <= 0)
      continue;
    // The time from the exact payload; the footprint from the whole bytes the capped flows send.
    const double wire = f.bytes / link_efficiency(f, platform, params);
    const double whole = with_footprint ? wire_bytes(f, platform, params) : 0.0;
    const SimRoute r = platform.sim_route(f.src, f.dst, f.qp);
    for (int i = 0; i < r.hops; ++i) {
      const double bytes = link_bytes.add(r.links[i], wire, whole).exact;
      out.seconds = std::max(out.seconds, bytes / platform.sim_link_bandwidth_bytes_per_s(r.links[i]));
    }
  }
  if (with_footprint && out.seconds > 0)
    for (int link : link_bytes.links())
      out.footprint.push_back(
          {link, link_bytes.at(link).whole / out.seconds, platform.sim_link_bandwidth_bytes_per_s(link)});
  return out;
}

} // namespace

std::vector<Flow> wire_flows(const std::vector<Flow>& flows, const Platform& platform)
{
  std::vector<Flow> out;
  out.reserve(flows.size());
  for (const Flow& f : flows) {
    if (f.src == f.dst || f.bytes <= 0)
      continue;
    const int qps = platform.hashed_qps(f.src, f.dst);
    for (int q = 0; q < qps; ++q)
      out.push_back({f.src, f.dst, f.bytes / qps, q});
  }
  return out;
}

/// The SimGrid links a set of flows crosses, each once.
std::vector<int> links_of(const std::vector<Flow>& flows, const Platform& platform)
{
  LinkBytes seen(platform);
  for (const auto& f : flows) {
    const SimRoute r = platform.sim_route(f.src, f.dst, f.qp);
    for (int i = 0; i < r.hops; ++i)
      seen.add(r.links[i], 1.0, 0.0);
  }
  return seen.links();
}

namespace {

/// A flow's wire bytes and the rate it may not exceed. A collective's flows are one pipeline:
/// chunks move through every edge in lockstep, so an edge with less to carry does not finish
/// early and hand its bandwidth to the others; each flow is capped at the pace that makes all
/// of them end together on an idle fabric. (It also makes SimGrid solve the sharing once per
/// phase rather than once per flow completion.)
struct WireFlow {
  double bytes = 0;
  double rate_cap = -1; ///< bytes/s; negative: none
};

WireFlow wire_flow(const Flow& f, double phase_seconds, const Platform& platform, const CommunicationParams& params)
{
  WireFlow w;
  w.bytes = wire_bytes(f, platform, params);
  if (phase_seconds > 0)
    w.rate_cap = w.bytes / phase_seconds;
  return w;
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
void run_flow_chunk(const std::vector<Flow>& chunk, double phase_seconds, const Platform& platform,
                    const CommunicationParams& params)
{
  static char payload; // the simulated data needs no storage; SimGrid wants a non-null pointer
  sg4::Mailbox* mailbox = take_mailbox();
  const auto count = static_cast<int>(chunk.size());
  sg4::ActorPtr receiver = helper_actor("flow-receiver", platform.gpu_host(chunk.front().dst), [mailbox, count] {
    for (int i = 0; i < count; ++i)
      mailbox->get<char>();
  });
  mailbox->set_receiver(receiver);
  std::vector<sg4::CommPtr> comms;
  comms.reserve(chunk.size());
  for (const Flow& f : chunk) {
    sg4::this_actor::set_host(platform.gpu_host(f.src, f.qp));
    receiver->set_host(platform.gpu_host(f.dst, f.qp));
    const WireFlow w = wire_flow(f, phase_seconds, platform, params);
    comms.push_back(mailbox->put_init(&payload, static_cast<std::uint64_t>(w.bytes))->set_rate(w.rate_cap)->start());
  }
  sg4::Comm::wait_all(comms);
  receiver->join();
  mailbox->set_receiver(nullptr);
  free_mailboxes().push_back(mailbox);
}

constexpr size_t kMaxHelpers = 1024;

/// Runs a large phase's flows for real (the last `fraction` of each, when a solo run was
/// interrupted) on helper actors, and waits for them.
void run_real_flows(const std::vector<Flow>& flows, double seconds, double fraction, const Platform& platform,
                    const CommunicationParams& params)
{
  // At most kMaxHelpers helper pairs: each actor costs a stack, which dominates at 100K+ flows.
  const size_t per_actor = std::max(PendingComm::kFlowsPerActor, (flows.size() + kMaxHelpers - 1) / kMaxHelpers);
  std::vector<sg4::ActorPtr> helpers;
  for (size_t first = 0; first < flows.size(); first += per_actor) {
    std::vector<Flow> chunk(flows.begin() + first, flows.begin() + std::min(flows.size(), first + per_actor));
    for (Flow& f : chunk)
      f.bytes *= fraction;
    // Caps stay those of the whole phase: scaling bytes and time alike keeps bytes / seconds.
    helpers.push_back(helper_actor("flows", platform.gpu_host(chunk.front().src),
                                   [chunk, s = seconds * fraction, &platform, &params] {
                                     run_flow_chunk(chunk, s, platform, params);
                                   }));
  }
  for (auto& helper : helpers)
    helper->join();
}

/// The links a phase's flows cross when they start for real: its footprint's, unless it ran solo
/// for a while first (`solo`), during which routes may have changed, or has none (no time).
std::vector<int> real_links(const std::vector<Flow>& flows, const PhaseLoad& load, bool solo, const Platform& platform)
{
  if (solo || load.footprint.empty())
    return links_of(flows, platform);
  std::vector<int> links;
  links.reserve(load.footprint.size());
  for (const LinkLoad& l : load.footprint)
    links.push_back(l.link);
  return links;
}

/// A large phase, then its latency: solo (a timer, see fabric_occupancy.hpp) while nobody else
/// uses its links, real flows from the moment real traffic starts on one of them.
void run_large_phase(const std::vector<Flow>& flows, const PhaseLoad& load, double latency_s,
                     const Platform& platform, const CommunicationParams& params)
{
  FabricOccupancy& occupancy = FabricOccupancy::current();
  const auto solo = occupancy.try_run_solo(load.seconds, load.footprint);
  if (!solo || *solo > 0) {
    const std::vector<int> links = real_links(flows, load, solo.has_value(), platform);
    occupancy.begin_real(links);
    run_real_flows(flows, load.seconds, solo.value_or(1.0), platform, params);
    occupancy.end_real(links);
  }
  sg4::this_actor::sleep_for(latency_s);
}

/// A small phase as direct host-to-host communications (cheap while few are in flight), on
/// `links` (links_of(flows)).
PendingComm start_small_phase(const std::vector<Flow>& flows, std::vector<int> links, double latency_s,
                              const Platform& platform, const CommunicationParams& params)
{
  if (flows.empty())
    return PendingComm({}, {}, latency_s);
  FabricOccupancy::current().begin_real(links);
  std::vector<sg4::CommPtr> comms;
  for (const Flow& f : flows) {
    const WireFlow w = wire_flow(f, -1, platform, params);
    // SimGrid 3.32 ignores the rate of host-to-host communications, so small phases run
    // uncapped: with this few flows, the ones that end early rarely share a link with the rest.
    comms.push_back(sg4::Comm::sendto_async(platform.gpu_host(f.src, f.qp), platform.gpu_host(f.dst, f.qp),
                                            static_cast<std::uint64_t>(w.bytes)));
  }
  return PendingComm(std::move(comms), {}, latency_s, std::move(links));
}

bool is_small(const std::vector<Flow>& flows) { return flows.size() <= PendingComm::kFlowsPerActor; }

/// A small phase that its own actor waits for: solo while nobody else uses its links (a timer,
/// as a large phase; the data-parallel stream's buckets are mostly that, and as direct
/// communications they were most of a multi-job run's cost), direct communications otherwise.
/// Interrupted, it sends what it has left directly.
void run_small_phase(std::vector<Flow> flows, double latency_s, const Platform& platform,
                     const CommunicationParams& params)
{
  const PhaseLoad load = phase_load(flows, platform, params, true);
  const auto left = FabricOccupancy::current().try_run_solo(load.seconds, load.footprint);
  if (left && *left <= 0) {
    sg4::this_actor::sleep_for(latency_s);
    return;
  }
  if (left)
    for (Flow& f : flows)
      f.bytes *= *left;
  start_small_phase(flows, real_links(flows, load, left.has_value(), platform), latency_s, platform, params).wait();
}

/// Starts one phase: a small one as direct communications, a large one on a phase actor.
PendingComm start_phase(const CommPhase& phase, const Platform& platform, const CommunicationParams& params)
{
  std::vector<Flow> flows = wire_flows(phase.flows, platform);
  if (is_small(flows))
    return start_small_phase(flows, links_of(flows, platform), phase.latency_s, platform, params);
  PhaseLoad load = phase_load(flows, platform, params, true);
  sg4::Host* host = platform.gpu_host(flows.front().src);
  sg4::ActorPtr runner = helper_actor("phase", host,
                                      [flows = std::move(flows), load = std::move(load), latency = phase.latency_s,
                                       &platform, &params] { run_large_phase(flows, load, latency, platform, params); });
  return PendingComm({}, {runner}, 0);
}

} // namespace

PendingComm start_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params)
{
  if (plan.phases.empty())
    return {};
  if (plan.phases.size() == 1)
    return start_phase(plan.phases.front(), platform, params);
  // Phases run one after the other on a helper actor, so that the caller can overlap them.
  const int first_gpu = plan.phases.front().flows.empty() ? 0 : plan.phases.front().flows.front().src;
  sg4::ActorPtr runner = helper_actor("phases", platform.gpu_host(first_gpu), [plan, &platform, &params] {
    run_flows(plan, platform, params);
  });
  return PendingComm({}, {runner}, 0);
}

void run_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params)
{
  for (const auto& phase : plan.phases) {
    const std::vector<Flow> flows = wire_flows(phase.flows, platform);
    // A large phase runs here rather than on a helper actor: the caller waits anyway, and most
    // such phases end as timers, for which an actor's stack was the main cost.
    if (is_small(flows))
      run_small_phase(flows, phase.latency_s, platform, params);
    else
      run_large_phase(flows, phase_load(flows, platform, params, true), phase.latency_s, platform, params);
  }
}

double uncontended_seconds(const CommPlan& plan, const Platform& platform, const CommunicationParams& params)
{
  double total = 0;
  for (const auto& phase : plan.phases)
    total += phase_load(platform.splits_queue_pairs() ? wire_flows(phase.flows, platform) : phase.flows, platform,
                        params, false)
                 .seconds +
             phase.latency_s;
  return total;
}

} // namespace dcsim
