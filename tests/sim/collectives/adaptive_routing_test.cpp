// Adaptive routing (fabric.routing: adaptive) against the rates it must give: a permutation of
// flows across leaves at NIC line rate on a non-blocking fat-tree, where ECMP's hash collides;
// exactly the uplinks' share on an oversubscribed one; the surviving spines' share with one down.
#include "support/collective_harness.hpp"

#include "collectives/comm_plan.hpp"
#include "config/scenario_loader.hpp"
#include "platform/platform.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace {

constexpr double kBytes = 256.0 * 1024 * 1024;

/// Time for every GPU of node n to send kBytes to the same GPU of node n + shift (one phase),
/// over the time one such flow takes alone: 1 is NIC line rate for every flow.
double shift_slowdown(const dcsim::ClusterConfig& cluster, int shift, bool allow_solo = true)
{
  const int nodes = cluster.nodes;
  const auto time = [&](bool all) {
    const nlohmann::json out =
        dcsim::test::run_in_engine(cluster, allow_solo, [&](const dcsim::Platform& platform, nlohmann::json& result) {
          sg4::Actor::create("sender", platform.gpu_host(0), [&] {
            dcsim::CommPlan plan;
            for (int gpu = 0; gpu < (all ? 8 * nodes : 1); ++gpu)
              plan.add_flow(gpu, (gpu + 8 * shift) % (8 * nodes), kBytes);
            dcsim::start_flows(plan, platform, cluster.profile.communication).wait();
            result["s"] = sg4::Engine::get_clock();
          });
        });
    return out["s"].get<double>();
  };
  return time(true) / time(false);
}

double shift_slowdown(int nodes, int shift, const std::vector<std::string>& overrides, bool allow_solo = true)
{
  return shift_slowdown(dcsim::test::h100_test_cluster(nodes, overrides), shift, allow_solo);
}

/// Four nodes of 8 GPUs and 8 NICs on rail-optimized planes of 2-node rail groups (radix 4: two
/// spines per rail).
dcsim::ClusterConfig rail_cluster(const std::string& routing)
{
  dcsim::LoadOptions options;
  options.require_jobs = false;
  options.cluster_only = true;
  const std::string text = "cluster:\n"
                           "  nodes: 4\n"
                           "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 1us},\n"
                           "         nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}}\n"
                           "  fabric: {topology: rail-optimized, rail_group: 2, radix: 4, routing: " +
                           routing + "}\n";
  return dcsim::load_scenario_text(text, "<rail>", options).cluster;
}

} // namespace

TEST_CASE("collectives::adaptive routing: a shift across 16 leaves runs at line rate; ECMP collides",
          "[collectives]")
{
  // 16 nodes, one per radix-16 leaf (8 NICs down, 8 x 400 Gb/s up): 128 flows, each leaf's eight
  // to the next leaf. D-mod-K spreads them by destination (no collision by construction),
  // adaptive routing by load; ECMP hashes them, and two flows on one uplink halve both
  // (the phase ends with its slowest flow).
  const double adaptive = shift_slowdown(16, 1, {"cluster.fabric.routing=adaptive"});
  const double dmodk = shift_slowdown(16, 1, {"cluster.fabric.routing=dmodk"});
  const double ecmp = shift_slowdown(16, 1, {"cluster.fabric.routing=ecmp"});
  INFO("adaptive " << adaptive << ", D-mod-K " << dmodk << ", ECMP " << ecmp);
  CHECK(adaptive == Approx(1.0).epsilon(1e-6));
  CHECK(dmodk == Approx(1.0).epsilon(1e-6));
  CHECK(ecmp >= 2.0 - 1e-6);
  // The same flow by flow (no solo timers): SimGrid shares each trunk as one link.
  CHECK(shift_slowdown(16, 1, {"cluster.fabric.routing=adaptive"}, false) == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("collectives::adaptive routing: 4:1 leaves give each flow a quarter, a lost spine its share",
          "[collectives]")
{
  // Radix 10 at 4:1: 8 NICs and 2 uplinks of one NIC's rate per leaf. Eight flows leave each
  // leaf over two NIC rates: 4x line rate, exactly, whichever way they are routed.
  const std::vector<std::string> oversubscribed = {"cluster.fabric.radix=10", "cluster.fabric.oversubscription=4"};
  auto with = [](std::vector<std::string> o, const std::string& routing) {
    o.push_back("cluster.fabric.routing=" + routing);
    return o;
  };
  CHECK(shift_slowdown(4, 1, with(oversubscribed, "adaptive")) == Approx(4.0).epsilon(1e-6));
  CHECK(shift_slowdown(4, 1, with(oversubscribed, "dmodk")) == Approx(4.0).epsilon(1e-6));
  // 1:1 with spine0 out of service: adaptive routing spreads a leaf's eight flows over seven
  // uplinks (8/7); D-mod-K moves spine0's flow onto spine1, which then carries two (2x).
  const std::vector<std::string> spine_down = {"cluster.fabric.down=[spine0]"};
  const double adaptive = shift_slowdown(4, 1, with(spine_down, "adaptive"));
  const double dmodk = shift_slowdown(4, 1, with(spine_down, "dmodk"));
  INFO("spine0 down: adaptive " << adaptive << ", D-mod-K " << dmodk);
  CHECK(adaptive == Approx(8.0 / 7.0).epsilon(1e-6));
  CHECK(dmodk == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("collectives::adaptive routing: rail-optimized planes and 3-tier pods are trunked too", "[collectives]")
{
  // Rail-optimized, 2-node rail groups (radix 4: 2 down, 2 spines per rail): node 0 -> node 2
  // crosses each rail's spines; every rail carries its own GPU's flow at line rate.
  CHECK(shift_slowdown(rail_cluster("adaptive"), 2) == Approx(1.0).epsilon(1e-6));
  // 3 tiers of radix 8 at 1:1 (4 NICs per leaf, 4 leaves per pod, 4 aggregation switches, 4 cores
  // each): every node's eight flows go to the next pod and back at line rate.
  CHECK(shift_slowdown(16, 4, {"cluster.fabric.tiers=3", "cluster.fabric.radix=8", "cluster.fabric.routing=adaptive"}) ==
        Approx(1.0).epsilon(1e-6));
}

TEST_CASE("collectives::adaptive routing: on a dragonfly or torus it is an error at the key, exit 2", "[collectives]")
{
  for (const char* scenario : {"scenarios/fabric-dragonfly.yaml", "scenarios/fabric-torus.yaml"}) {
    const auto r = dcsim::test::run_cli("validate " + dcsim::test::repo_path(scenario) +
                                        " --set cluster.fabric.routing=adaptive");
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("cluster.fabric.routing: adaptive is modelled on fat-tree and rail-optimized fabrics only; "
                     "expected dmodk or ecmp") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  // An empty value is no routing either (it used to mean the default silently; found by fuzzing).
  const auto empty = dcsim::test::run_cli("validate " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                                          " --set \"cluster.fabric.routing=''\"");
  CHECK(empty.status == 2);
  CHECK(empty.err.find("cluster.fabric.routing: unknown value \"\"; expected dmodk, ecmp or adaptive") !=
        std::string::npos);
}

TEST_CASE("collectives::adaptive routing: a run says how its fabric routes and whether its switches reduce",
          "[collectives]")
{
  const auto r = dcsim::test::run_cli("run " + dcsim::test::repo_path("scenarios/fabric-sharp.yaml"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("oversubscription 4:1, adaptive routing, in-network reduction (SHARP)") != std::string::npos);
}
