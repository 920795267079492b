#include "support/collective_harness.hpp"

#include "collectives/collective_algorithm.hpp"
#include "collectives/fabric_occupancy.hpp"
#include "collectives/tuner.hpp"
#include "engine/isolation.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace sg4 = simgrid::s4u;

namespace dcsim::test {

std::vector<double> time_concurrent_collectives(const ClusterConfig& cluster, const std::vector<std::vector<int>>& groups,
                                                const CollectiveCall& call, const CollectiveOverride& choice,
                                                const std::vector<double>& start_s, bool allow_solo)
{
  return run_concurrent_collectives(cluster, groups, call, choice, start_s, allow_solo).done_s;
}

nlohmann::json run_in_engine(const ClusterConfig& cluster, bool allow_solo,
                             const std::function<void(const Platform&, nlohmann::json&)>& actors)
{
  return run_isolated([&] {
    int argc = 4;
    const char* argv[] = {"test", "--cfg=network/model:CM02", "--cfg=network/crosstraffic:0",
                          "--log=root.thresh:critical", nullptr};
    sg4::Engine engine(&argc, const_cast<char**>(argv));
    FabricOccupancy::current().reset();
    FabricOccupancy::current().allow_solo(allow_solo);
    Platform platform(cluster, 1);
    nlohmann::json out = nlohmann::json::object();
    actors(platform, out);
    engine.run();
    const FabricOccupancy& occupancy = FabricOccupancy::current();
    out["solo"] = occupancy.solo_runs();
    out["interrupted"] = occupancy.interrupted_runs();
    return out;
  });
}

ConcurrentRun run_concurrent_collectives(const ClusterConfig& cluster, const std::vector<std::vector<int>>& groups,
                                         const CollectiveCall& call, const CollectiveOverride& choice,
                                         const std::vector<double>& start_s, bool allow_solo)
{
  const nlohmann::json run = run_in_engine(cluster, allow_solo, [&](const Platform& platform, nlohmann::json& out) {
    out["done"] = std::vector<double>(groups.size(), 0.0);
    for (size_t g = 0; g < groups.size(); ++g)
      sg4::Actor::create("collective" + std::to_string(g), platform.gpu_host(groups[g][0]), [&, g] {
        if (g < start_s.size())
          sg4::this_actor::sleep_for(start_s[g]);
        CommPlan plan;
        append_collective(plan, groups[g], call, platform, cluster.profile.communication, choice);
        start_flows(plan, platform, cluster.profile.communication).wait();
        out["done"][g] = sg4::Engine::get_clock();
      });
  });
  return {run["done"].get<std::vector<double>>(), run["solo"].get<long>(), run["interrupted"].get<long>()};
}

} // namespace dcsim::test

namespace dcsim::test {

std::vector<CollectiveMeasurement> isolated_sweep(const ClusterConfig& cluster, CollectiveKind kind, int gpus,
                                                  const std::vector<double>& sizes_bytes,
                                                  const CollectiveOverride& choice)
{
  const nlohmann::json rows = run_isolated([&] {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : sweep_collective(cluster, kind, gpus, sizes_bytes, choice))
      out.push_back({m.bytes, m.time_s, m.algorithm, static_cast<int>(m.protocol), m.estimated_s});
    return out;
  });
  std::vector<CollectiveMeasurement> results;
  for (const auto& r : rows)
    results.push_back({r[0].get<double>(), r[1].get<double>(), r[2].get<std::string>(),
                       static_cast<Protocol>(r[3].get<int>()), r[4].get<double>()});
  return results;
}

} // namespace dcsim::test
