// Queue pairs under ECMP (fabric.qps_per_pair): each GPU pair's traffic is split over that many
// hashed paths, as NCCL's connections are. Checked against random hashing's balls-into-bins
// expectation, against the busiest link of the hashed routes (what SimGrid must find flow by
// flow), and for leaving D-mod-K, adaptive routing and NVLink traffic alone.
#include "support/collective_harness.hpp"

#include "collectives/comm_plan.hpp"
#include "platform/platform.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <cmath>
#include <random>

namespace sg4 = simgrid::s4u;

namespace {

constexpr double kBytes = 256.0 * 1024 * 1024;

/// Every GPU of node n sends kBytes to the same GPU of node n + shift: the phase's time over one
/// flow's alone, and the same predicted from the routes (busiest SimGrid link).
struct Shift {
  double simulated = 0;
  double from_routes = 0;
};

Shift shift(int nodes, int shift_nodes, const std::vector<std::string>& overrides, bool allow_solo)
{
  const dcsim::ClusterConfig cluster = dcsim::test::h100_test_cluster(nodes, overrides);
  const int gpus = 8 * nodes;
  const auto run = [&](bool all) {
    return dcsim::test::run_in_engine(cluster, allow_solo, [&](const dcsim::Platform& platform, nlohmann::json& out) {
      sg4::Actor::create("sender", platform.gpu_host(0), [&] {
        dcsim::CommPlan plan;
        for (int gpu = 0; gpu < (all ? gpus : 1); ++gpu)
          plan.add_flow(gpu, (gpu + 8 * shift_nodes) % gpus, kBytes);
        std::vector<double> bytes(platform.sim_link_count(), 0.0);
        for (const dcsim::Flow& f : dcsim::wire_flows(plan.phases.front().flows, platform)) {
          const dcsim::SimRoute r = platform.sim_route(f.src, f.dst, f.qp);
          for (int i = 0; i < r.hops; ++i)
            bytes[r.links[i]] += f.bytes;
        }
        double busiest_s = 0;
        for (int l = 0; l < platform.sim_link_count(); ++l)
          busiest_s = std::max(busiest_s, bytes[l] / platform.sim_link_bandwidth_bytes_per_s(l));
        out["busiest_s"] = busiest_s;
        dcsim::start_flows(plan, platform, cluster.profile.communication).wait();
        out["s"] = sg4::Engine::get_clock();
      });
    });
  };
  const nlohmann::json all = run(true);
  const nlohmann::json one = run(false);
  return {all["s"].get<double>() / one["s"].get<double>(),
          all["busiest_s"].get<double>() / one["busiest_s"].get<double>()};
}

std::vector<std::string> ecmp(int qps)
{
  return {"cluster.fabric.routing=ecmp", "cluster.fabric.qps_per_pair=" + std::to_string(qps)};
}

/// Mean and standard deviation, over `trials`, of the busiest uplink (in flows' worth of
/// bytes) when each of `leaves` leaves hashes `flows` flows of `qps` equal parts uniformly at
/// random onto `uplinks` uplinks: balls into bins, by an RNG of its own.
std::pair<double, double> random_hashing_busiest(int leaves, int flows, int uplinks, int qps, int trials)
{
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int> pick(0, uplinks - 1);
  double sum = 0, sum_sq = 0;
  for (int t = 0; t < trials; ++t) {
    int busiest = 0;
    for (int leaf = 0; leaf < leaves; ++leaf) {
      std::vector<int> parts(uplinks, 0);
      for (int p = 0; p < flows * qps; ++p)
        busiest = std::max(busiest, ++parts[pick(rng)]);
    }
    const double load = double(busiest) / qps;
    sum += load;
    sum_sq += load * load;
  }
  const double mean = sum / trials;
  return {mean, std::sqrt(std::max(0.0, sum_sq / trials - mean * mean))};
}

} // namespace

TEST_CASE("collectives::queue pairs: hashed paths collide as balls in bins, less with more queue pairs",
          "[collectives]")
{
  // 16 nodes, one per radix-16 leaf (8 NICs down, 8 uplinks of a NIC's rate). A shift sends each
  // leaf's 8 flows to the next-but-s leaf: every part crosses one uplink of its leaf and the
  // matching downlink of the destination's, so the phase takes the busiest uplink's load. Under
  // uniform random hashing that is the largest bin of 8 x q balls in 8 bins over 16 leaves,
  // divided by q. Shifts 1-7 are seven different hash draws; their mean must lie within three
  // standard errors of the expectation (1, 2, 4, 8, 32 queue pairs: 3.94, 3.00, 2.37, 1.94, 1.45).
  double previous = 1e9;
  for (int qps : {1, 2, 4, 8, 32}) {
    constexpr int kShifts = 7;
    double mean = 0;
    for (int s = 1; s <= kShifts; ++s) {
      const Shift r = shift(16, s, ecmp(qps), true);
      CHECK(r.simulated == Approx(r.from_routes).epsilon(1e-6)); // latencies are not scaled
      mean += r.simulated / kShifts;
    }
    const auto [expected, sd] = random_hashing_busiest(16, 8, 8, qps, 4000);
    INFO(qps << " queue pairs: simulated mean " << mean << ", random hashing " << expected << " +- " << sd);
    CHECK(std::abs(mean - expected) <= 3 * sd / std::sqrt(double(kShifts)));
    CHECK(mean < previous);
    previous = mean;
  }
}

TEST_CASE("collectives::queue pairs: SimGrid routes each queue pair's flow on its own hashed path", "[collectives]")
{
  // Flow by flow (no solo timers), SimGrid finds the routes through the queue-pair hosts; the
  // phase must end when the busiest link of Platform::sim_route's routes says.
  for (int qps : {2, 4}) {
    for (int s : {1, 3}) {
      const Shift r = shift(16, s, ecmp(qps), false);
      INFO(qps << " queue pairs, shift " << s << ": " << r.simulated << " vs " << r.from_routes);
      CHECK(r.simulated == Approx(r.from_routes).epsilon(1e-6));
      CHECK(r.simulated > 1.0);
    }
  }
}

TEST_CASE("collectives::queue pairs: D-mod-K, adaptive routing and NVLink traffic are not split", "[collectives]")
{
  // Every queue pair would take the same path: the runs are identical, not just close.
  for (const std::string routing : {"dmodk", "adaptive"}) {
    const Shift one = shift(16, 1, {"cluster.fabric.routing=" + routing, "cluster.fabric.qps_per_pair=1"}, true);
    const Shift eight = shift(16, 1, {"cluster.fabric.routing=" + routing, "cluster.fabric.qps_per_pair=8"}, true);
    CHECK(one.simulated == eight.simulated);
    CHECK(one.simulated == Approx(1.0).epsilon(1e-6));
  }
  const dcsim::ClusterConfig cluster = dcsim::test::h100_test_cluster(2, ecmp(4));
  dcsim::test::run_in_engine(cluster, true, [](const dcsim::Platform& platform, nlohmann::json&) {
    CHECK(platform.hashed_qps(0, 7) == 1);  // same node: NVLink
    CHECK(platform.hashed_qps(0, 8) == 4);  // across the network
    const auto flows = dcsim::wire_flows({{0, 7, 100.0}, {0, 8, 100.0}, {3, 3, 5.0}}, platform);
    REQUIRE(flows.size() == 5);             // 1 + 4, the self-send dropped
    CHECK(flows[1].bytes == 25.0);
    CHECK(flows[4].qp == 3);
  });
}

TEST_CASE("collectives::queue pairs: a count outside 1-32 is an error at the key", "[collectives]")
{
  const std::string text = "cluster:\n"
                           "  nodes: 2\n"
                           "  node: {gpu: H100-SXM-80GB, gpus: 8}\n"
                           "  fabric: {topology: fat-tree, routing: ecmp, qps_per_pair: 0}\n";
  const std::string zero = dcsim::test::load_error(text);
  CHECK_THAT(zero, Catch::Contains("<test>:4") && Catch::Contains("qps_per_pair"));
  const std::string many = dcsim::test::load_error(text, {"cluster.fabric.qps_per_pair=33"});
  CHECK_THAT(many, Catch::Contains("qps_per_pair") && Catch::Contains("32"));
}
