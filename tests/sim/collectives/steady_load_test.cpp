// A steady load (a collective repeated every period, as the average it puts on the network)
// against a transfer through the same oversubscribed uplink, worked by max-min sharing.
#include "collectives/steady_load.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "collectives/tuner.hpp"
#include "engine/isolation.hpp"
#include "platform/platform.hpp"
#include "support/collective_harness.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace sg4 = simgrid::s4u;

namespace dcsim {
namespace {

struct Timings {
  double loaded_s = 0;   ///< the transfer beside the load
  double after_s = 0;    ///< the same transfer once the load stopped
  double load_bytes_per_s = 0;
  std::size_t load_flows = 0;
};

/// Radix 8 at 7:1, one GPU and one NIC per node: nodes 0-6 under leaf 0, 7-13 under leaf 1, and
/// one uplink per leaf of one NIC's bandwidth. The load moves `load_bytes` from GPU 0 to GPU 7
/// every `period_s`; the transfer, `bytes` from GPU 1 to GPU 8, crosses the same uplink.
Timings run(double load_bytes, double period_s, double bytes)
{
  const ClusterConfig cluster = test::h100_test_cluster(
      14, {"cluster.node.gpus=1", "cluster.node.nics.count=1", "cluster.fabric.radix=8",
           "cluster.fabric.oversubscription=7"});
  const CommunicationParams& params = cluster.profile.communication;
  const nlohmann::json out = test::run_in_engine(cluster, true, [&](const Platform& platform, nlohmann::json& result) {
    sg4::Actor::create("driver", platform.gpu_host(1), [&] {
      Timings t;
      CommPlan load_plan;
      load_plan.add_flow(0, 7, load_bytes);
      SteadyLoad load = SteadyLoad::start(load_plan, period_s, platform, params);
      t.load_bytes_per_s = load.bytes_per_s();
      t.load_flows = load.flows();
      CommPlan transfer;
      transfer.add_flow(1, 8, bytes);
      double start = sg4::Engine::get_clock();
      run_flows(transfer, platform, params);
      t.loaded_s = sg4::Engine::get_clock() - start;
      load.stop();
      start = sg4::Engine::get_clock();
      run_flows(transfer, platform, params);
      t.after_s = sg4::Engine::get_clock() - start;
      result = {{"loaded", t.loaded_s}, {"after", t.after_s}, {"rate", t.load_bytes_per_s}, {"flows", t.load_flows}};
    });
  });
  return {out["loaded"], out["after"], out["rate"], out["flows"]};
}

TEST_CASE("SteadyLoad: a transfer through a loaded uplink gets what the load leaves (max-min, exact)", "[collectives]")
{
  const ClusterConfig cluster = test::h100_test_cluster(14, {"cluster.node.gpus=1", "cluster.node.nics.count=1"});
  const double eff = cluster.profile.communication.scale_out_efficiency;
  const double uplink = 400e9 / 8; // one NIC's bandwidth, bytes/s
  const double bytes = 10e9;
  const double wire = std::ceil(bytes / eff);
  // A quarter of the uplink: the load keeps its cap, the transfer gets the other three quarters.
  const Timings quarter = run(0.25 * uplink * eff, 1.0, bytes);
  CHECK(quarter.load_flows == 1);
  CHECK(quarter.load_bytes_per_s == Approx(0.25 * uplink).epsilon(1e-9));
  CHECK(quarter.loaded_s == Approx(wire / (0.75 * uplink)).epsilon(1e-6));
  CHECK(quarter.after_s == Approx(wire / uplink).epsilon(1e-6)); // stopped: the whole uplink again
  // A load asking for more than half: max-min splits the uplink evenly.
  const Timings heavy = run(0.8 * uplink * eff, 1.0, bytes);
  CHECK(heavy.loaded_s == Approx(wire / (0.5 * uplink)).epsilon(1e-6));
  // The period divides the rate: the same bytes every 4 s are a sixteenth of the uplink.
  const Timings slow = run(0.25 * uplink * eff, 4.0, bytes);
  CHECK(slow.loaded_s == Approx(wire / (uplink * 15 / 16)).epsilon(1e-6));
}

struct Beside {
  double collective_s = 0;
  long solo_runs = 0;
};

/// A 128-GPU ring all-reduce of 4 GiB on 16 nodes (1:1 fat-tree) beside a load from GPU 0 to GPU
/// 127 (node 0 to node 15, across leaves) of `fraction` of a NIC, started at `load_start_s`.
Beside ring_beside_load(double fraction, double load_start_s, bool allow_solo)
{
  const ClusterConfig cluster = test::h100_test_cluster(16);
  const CommunicationParams& params = cluster.profile.communication;
  const nlohmann::json out = test::run_in_engine(cluster, allow_solo, [&](const Platform& platform, nlohmann::json& result) {
    sg4::Actor::create("load", platform.gpu_host(0), [&] {
      sg4::this_actor::sleep_for(load_start_s);
      CommPlan plan;
      plan.add_flow(0, 127, fraction * 50e9 * params.scale_out_efficiency);
      SteadyLoad load = SteadyLoad::start(plan, 1.0, platform, params);
      sg4::this_actor::sleep_for(100);
      load.stop();
    });
    sg4::Actor::create("ring", platform.gpu_host(1), [&] {
      std::vector<int> group(128);
      for (int i = 0; i < 128; ++i)
        group[i] = i;
      CommPlan plan;
      append_collective(plan, group, {CollectiveKind::AllReduce, 4.0 * (1 << 30), 1}, platform, params,
                        {{"ring"}, {Protocol::Simple}});
      run_flows(plan, platform, params);
      result["done"] = sg4::Engine::get_clock();
    });
  });
  return {out["done"], out["solo"]};
}

TEST_CASE("SteadyLoad: a collective beside a load gives the flow-by-flow result", "[collectives]")
{
  // A load on links the ring uses keeps its phases off the solo path (started with the ring), or
  // turns its solo phase into real flows (started 10 ms into it); either way the ring ends as
  // when every phase runs flow by flow.
  for (const double fraction : {0.01, 0.2})
    for (const double start : {0.0, 0.01}) {
      const Beside solo = ring_beside_load(fraction, start, true);
      const Beside flows = ring_beside_load(fraction, start, false);
      INFO("load " << fraction << " of a NIC from " << start << " s: " << solo.collective_s << " s solo-capable, "
                   << flows.collective_s << " s flow by flow, " << solo.solo_runs << " solo runs");
      CHECK(solo.collective_s == Approx(flows.collective_s).epsilon(1e-6));
      CHECK(flows.solo_runs == 0);
      if (start > 0) // the ring started solo, and the load interrupted it
        CHECK(solo.solo_runs > 0);
    }
}

TEST_CASE("SteadyLoad: flows inside an NVLink domain are left out", "[collectives]")
{
  const ClusterConfig cluster = test::h100_test_cluster(2);
  const nlohmann::json out = test::run_in_engine(cluster, true, [&](const Platform& platform, nlohmann::json& result) {
    sg4::Actor::create("driver", platform.gpu_host(0), [&] {
      CommPlan plan;
      plan.add_flow(0, 1, 1e9);  // NVLink
      plan.next_phase();
      plan.add_flow(0, 8, 1e9);  // network
      plan.add_flow(0, 8, 1e9);  // the same pair again: one flow
      plan.add_flow(9, 1, 1e9);
      SteadyLoad load = SteadyLoad::start(plan, 1.0, platform, cluster.profile.communication);
      result["flows"] = load.flows();
      load.stop();
      result["running"] = load.running();
    });
  });
  CHECK(out["flows"] == 2);
  CHECK(out["running"] == false);
}

} // namespace
} // namespace dcsim
