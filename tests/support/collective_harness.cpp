#include "support/collective_harness.hpp"

#include "collectives/collective_algorithm.hpp"
#include "engine/isolation.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

namespace sg4 = simgrid::s4u;

namespace dcsim::test {

std::vector<double> time_concurrent_collectives(const ClusterConfig& cluster, const std::vector<std::vector<int>>& groups,
                                                const CollectiveCall& call)
{
  const nlohmann::json times = run_isolated([&] {
    int argc = 4;
    const char* argv[] = {"test", "--cfg=network/model:CM02", "--cfg=network/crosstraffic:0",
                          "--log=root.thresh:critical", nullptr};
    sg4::Engine engine(&argc, const_cast<char**>(argv));
    Platform platform(cluster, 1);
    std::vector<double> done(groups.size(), 0.0);
    for (size_t g = 0; g < groups.size(); ++g)
      sg4::Actor::create("collective" + std::to_string(g), platform.gpu_host(groups[g][0]), [&, g] {
        CommPlan plan;
        ring_algorithm().append(plan, groups[g], call, platform, cluster.profile.communication);
        start_flows(plan, platform, cluster.profile.communication).wait();
        done[g] = sg4::Engine::get_clock();
      });
    engine.run();
    return nlohmann::json(done);
  });
  return times.get<std::vector<double>>();
}

} // namespace dcsim::test
