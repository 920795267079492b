// Solo phases (collectives/fabric_occupancy.hpp) against the same phases simulated flow by flow:
// alone, and interrupted part-way by a second collective that shares the fabric.
#include "support/collective_harness.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "config/scenario_loader.hpp"
#include "engine/isolation.hpp"
#include "engine/simulation.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/NetZone.hpp>

#include <iomanip>
#include <numeric>

namespace {

// 16 nodes of 8 GPUs, 2-tier fat-tree with 4:1 oversubscribed leaves: collectives that cross
// leaves slow each other down.
dcsim::ClusterConfig cluster()
{
  return dcsim::test::h100_test_cluster(16, {"cluster.fabric.oversubscription=4"});
}

std::vector<int> gpus(int first, int count)
{
  std::vector<int> group(count);
  std::iota(group.begin(), group.end(), first);
  return group;
}

} // namespace

TEST_CASE("collectives::FabricOccupancy: a lone collective takes the same time solo as flow by flow", "[collectives]")
{
  const auto c = cluster();
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, 512.0 * 1024 * 1024, 1};
  for (const char* algorithm : {"ring", "tree"}) {
    const dcsim::CollectiveOverride choice{{algorithm}, {dcsim::Protocol::Simple}};
    const double solo = dcsim::test::time_concurrent_collectives(c, {gpus(0, 128)}, call, choice, {}, true)[0];
    const double flows = dcsim::test::time_concurrent_collectives(c, {gpus(0, 128)}, call, choice, {}, false)[0];
    INFO(algorithm << ": solo " << solo << " s, flow by flow " << flows << " s");
    CHECK(solo == Approx(flows).epsilon(1e-9));
  }
}

TEST_CASE("collectives::FabricOccupancy: a solo phase interrupted by other traffic ends as real flows would",
          "[collectives]")
{
  // A: ring all-reduce over nodes 0-7, B: over nodes 4-11 (both cross the 4:1 leaf uplinks and
  // share nodes 4-7), B starting 30% into A. Solo, A runs as a timer until B starts, then as flows.
  const auto c = cluster();
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, 1024.0 * 1024 * 1024, 1};
  const dcsim::CollectiveOverride ring{{"ring"}, {dcsim::Protocol::Simple}};
  const auto a = gpus(0, 64);
  const auto b = gpus(32, 64);
  const double alone = dcsim::test::time_concurrent_collectives(c, {a}, call, ring)[0];
  const std::vector<double> start = {0.0, 0.3 * alone};
  const auto solo = dcsim::test::time_concurrent_collectives(c, {a, b}, call, ring, start, true);
  const auto flows = dcsim::test::time_concurrent_collectives(c, {a, b}, call, ring, start, false);
  INFO("A alone " << alone << " s; with B: solo " << solo[0] << ", " << solo[1] << " s; flow by flow " << flows[0]
                  << ", " << flows[1] << " s");
  CHECK(solo[0] > 1.05 * alone); // B really slowed A down
  // Equal up to SimGrid's rounding of the remaining bytes to whole bytes (1e-6 relative).
  CHECK(solo[0] == Approx(flows[0]).epsilon(1e-6));
  CHECK(solo[1] == Approx(flows[1]).epsilon(1e-6));
}

TEST_CASE("collectives::FabricOccupancy: traffic interrupts only the solo phases on its links", "[collectives]")
{
  // 32 nodes, two per leaf of a non-blocking fat-tree. A: ring all-reduce over nodes 0-7, C: over
  // nodes 16-23 (no link in common with A), both at t = 0; B: over nodes 4-11, starting 30% into
  // A (it shares nodes 4-7's NICs with A). A and C start solo at once; B cannot (its links carry
  // A's caps at full bandwidth) and turns A into real flows; C ends as the timer it started as.
  const auto c = dcsim::test::h100_test_cluster(32, {"cluster.fabric.radix=32"});
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, 1024.0 * 1024 * 1024, 1};
  const dcsim::CollectiveOverride ring{{"ring"}, {dcsim::Protocol::Simple}};
  const auto a = gpus(0, 64);
  const auto b = gpus(32, 64);
  const auto c_group = gpus(128, 64);
  const double alone = dcsim::test::time_concurrent_collectives(c, {a}, call, ring)[0];
  const std::vector<double> start = {0.0, 0.3 * alone, 0.0};
  const auto solo = dcsim::test::run_concurrent_collectives(c, {a, b, c_group}, call, ring, start, true);
  const auto flows = dcsim::test::run_concurrent_collectives(c, {a, b, c_group}, call, ring, start, false);
  INFO("alone " << alone << " s; solo " << solo.done_s[0] << ", " << solo.done_s[1] << ", " << solo.done_s[2]
                << " s; flow by flow " << flows.done_s[0] << ", " << flows.done_s[1] << ", " << flows.done_s[2]
                << " s; solo runs " << solo.solo_runs << ", interrupted " << solo.interrupted_runs);
  CHECK(solo.solo_runs == 2);        // A and C
  CHECK(solo.interrupted_runs == 1); // A only
  CHECK(flows.solo_runs == 0);
  CHECK(solo.done_s[0] > 1.05 * alone); // B really slowed A down
  CHECK(solo.done_s[2] == Approx(alone).epsilon(1e-9));
  for (int g = 0; g < 3; ++g)
    CHECK(solo.done_s[g] == Approx(flows.done_s[g]).epsilon(1e-6));
}

TEST_CASE("collectives::FabricOccupancy: solo phases share a link while their caps fit it", "[collectives]")
{
  // The rule itself, on directed link 0 of 100 B/s: a phase putting 60 B/s on it runs solo for
  // 10 s; a second one would fit beside it at 40 B/s but not at 41; real traffic on another link
  // leaves the solo phase alone, on link 0 it interrupts it with 60% of its time left.
  namespace sg4 = simgrid::s4u;
  using dcsim::LinkLoad;
  const nlohmann::json r = dcsim::run_isolated([] {
    int argc = 2;
    const char* argv[] = {"test", "--log=root.thresh:critical", nullptr};
    sg4::Engine engine(&argc, const_cast<char**>(argv));
    auto* zone = sg4::create_full_zone("zone");
    sg4::Host* host = zone->create_host("host", 1e9);
    zone->seal();
    auto& occupancy = dcsim::FabricOccupancy::current();
    occupancy.reset();
    nlohmann::json out;
    sg4::Actor::create("solo", host, [&] {
      const std::vector<LinkLoad> footprint = {{0, 60, 100}, {5, 10, 100}};
      out["solo_allowed"] = occupancy.can_run_solo(footprint);
      out["left"] = occupancy.try_run_solo(10, footprint).value_or(-1);
      out["solo_end_s"] = sg4::Engine::get_clock();
    });
    sg4::Actor::create("other", host, [&] {
      sg4::this_actor::sleep_for(1);
      out["fits_40"] = occupancy.can_run_solo({{0, 40, 100}});
      out["fits_41"] = occupancy.can_run_solo({{0, 41, 100}});
      occupancy.begin_real({1, 2});
      sg4::this_actor::sleep_for(1);
      out["after_other_link"] = occupancy.interrupted_runs();
      out["blocked_by_real"] = occupancy.can_run_solo({{2, 1, 100}});
      occupancy.end_real({1, 2});
      sg4::this_actor::sleep_for(2);
      occupancy.begin_real({0});
      occupancy.end_real({0});
    });
    engine.run();
    out["interrupted"] = occupancy.interrupted_runs();
    return out;
  });
  CHECK(r["solo_allowed"].get<bool>());
  CHECK(r["fits_40"].get<bool>());
  CHECK_FALSE(r["fits_41"].get<bool>());
  CHECK(r["after_other_link"].get<long>() == 0);
  CHECK_FALSE(r["blocked_by_real"].get<bool>());
  CHECK(r["interrupted"].get<long>() == 1);
  CHECK(r["solo_end_s"].get<double>() == Approx(4.0).epsilon(1e-12));
  CHECK(r["left"].get<double>() == Approx(0.6).epsilon(1e-12));
}

TEST_CASE("collectives::FabricOccupancy: whole training runs give the flow-by-flow result", "[collectives]")
{
  // Pipeline stages, expert all-to-alls, data-parallel buckets and pipeline sends overlapping in
  // time, on a shared and on an oversubscribed fabric: every iteration time and breakdown the
  // same with solo phases as with every flow simulated (equal up to SimGrid's rounding of
  // remaining bytes, 1e-6 relative).
  for (const char* scenario :
       {"scenarios/moe-experts.yaml", "scenarios/jobs-shared-fabric.yaml", "scenarios/fabric-oversubscribed.yaml"}) {
    dcsim::LoadOptions load;
    const auto config = dcsim::load_scenario(dcsim::test::repo_path(scenario), load);
    dcsim::SimulationOptions flow_by_flow;
    flow_by_flow.solo_phases = false;
    const auto solo = dcsim::test::run_config(config, dcsim::SimulationOptions{});
    const auto flows = dcsim::test::run_config(config, flow_by_flow);
    REQUIRE(solo["jobs"].size() == flows["jobs"].size());
    for (size_t j = 0; j < solo["jobs"].size(); ++j) {
      const auto& a = solo["jobs"][j];
      const auto& b = flows["jobs"][j];
      INFO(scenario << " job " << j << ": solo " << a["iteration_time_s"] << " s, flow by flow "
                    << b["iteration_time_s"] << " s");
      CHECK(a["iteration_time_s"].get<double>() == Approx(b["iteration_time_s"].get<double>()).epsilon(1e-6));
      for (const auto& [part, seconds] : b["breakdown_s"].items())
        CHECK(a["breakdown_s"][part].get<double>() == Approx(seconds.get<double>()).epsilon(1e-6).margin(1e-9));
    }
  }
}

TEST_CASE("collectives::FabricOccupancy: small phases run solo too, and interrupted end near their flows", "[collectives]")
{
  // Hierarchical all-reduce over 2 nodes: three phases of 16 flows each (reduce-scatter in each
  // node, all-reduce per rail, all-gather in each node), each small enough to have been sent as
  // direct communications. Alone, all three run as timers and take the flow-by-flow time. Beside
  // a second one on nodes 1-2, starting 30% into the first, a phase interrupted part-way sends
  // what it has left uncapped, as a small phase always did (measured: both ends within 1e-9 of
  // flow by flow; bound 1e-6, SimGrid's whole bytes).
  const auto c = cluster();
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, 256.0 * 1024 * 1024, 1};
  const dcsim::CollectiveOverride hierarchical{{"hierarchical"}, {dcsim::Protocol::Simple}};
  const auto a = gpus(0, 16);
  const auto b = gpus(8, 16);
  const auto alone_solo = dcsim::test::run_concurrent_collectives(c, {a}, call, hierarchical, {}, true);
  const auto alone_flows = dcsim::test::run_concurrent_collectives(c, {a}, call, hierarchical, {}, false);
  INFO(std::setprecision(12) << "alone: solo " << alone_solo.done_s[0] << " s (" << alone_solo.solo_runs << " solo phases), flow by flow "
                      << alone_flows.done_s[0] << " s");
  CHECK(alone_solo.solo_runs == 3);
  CHECK(alone_solo.interrupted_runs == 0);
  // Equal up to the whole bytes SimGrid sends (1e-6 relative).
  CHECK(alone_solo.done_s[0] == Approx(alone_flows.done_s[0]).epsilon(1e-6));

  const std::vector<double> start = {0.0, 0.3 * alone_flows.done_s[0]};
  const auto solo = dcsim::test::run_concurrent_collectives(c, {a, b}, call, hierarchical, start, true);
  const auto flows = dcsim::test::run_concurrent_collectives(c, {a, b}, call, hierarchical, start, false);
  INFO(std::setprecision(9) << "with a second one: solo " << solo.done_s[0] << ", " << solo.done_s[1] << " s (" << solo.solo_runs
                                  << " solo phases, " << solo.interrupted_runs << " interrupted); flow by flow "
                                  << flows.done_s[0] << ", " << flows.done_s[1] << " s");
  CHECK(solo.interrupted_runs >= 1);
  CHECK(flows.done_s[0] > 1.05 * alone_flows.done_s[0]); // they really slowed each other down
  for (int g = 0; g < 2; ++g)
    CHECK(solo.done_s[g] == Approx(flows.done_s[g]).epsilon(1e-6));
}
