#include "engine/collective_sweep.hpp"

#include "compute/compute_cost_model.hpp"
#include "engine/engine_options.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace dcsim {

double bus_bandwidth_factor(CollectiveKind kind, int ranks)
{
  switch (kind) {
    case CollectiveKind::AllReduce: return 2.0 * (ranks - 1) / ranks;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll: return double(ranks - 1) / ranks;
    case CollectiveKind::Broadcast:
    case CollectiveKind::Reduce:
    case CollectiveKind::SendRecv: return 1.0;
  }
  return 1.0;
}

namespace {

// nccl-tests on one GPU: the operations are run out of place, so what runs is one device copy of
// the buffer (read and written once through HBM) — no network, no peer.
std::vector<CollectiveMeasurement> one_gpu_copies(const ClusterConfig& cluster, const std::vector<double>& sizes_bytes)
{
  // A copy is memory-bound: any precision the profile covers gives the same model.
  const auto& efficiencies = cluster.profile.gemm.peak_efficiency;
  const Precision any = efficiencies.empty() ? Precision::Bf16 : efficiencies.begin()->first;
  const ComputeCostModel gpu(cluster.node.gpu, cluster.profile, any);
  std::vector<CollectiveMeasurement> results;
  for (double bytes : sizes_bytes)
    results.push_back({bytes, gpu.seconds({Op::memory("copy", 2 * bytes)}), "copy", Protocol::Simple});
  return results;
}

} // namespace

std::vector<int> collective_group(const ClusterConfig& cluster, int gpus, int per_node)
{
  std::vector<int> group(gpus);
  for (int r = 0; r < gpus; ++r)
    group[r] = per_node > 0 ? r / per_node * cluster.node.gpus + r % per_node : r;
  return group;
}

std::vector<CollectiveMeasurement> sweep_collective(const ClusterConfig& cluster, CollectiveKind kind, int gpus,
                                                    const std::vector<double>& sizes_bytes,
                                                    const CollectiveOverride& choice, int per_node)
{
  if (gpus == 1) // NCCL copies on one rank whatever algorithm or protocol it is told to use
    return one_gpu_copies(cluster, sizes_bytes);
  auto engine = make_engine();
  Platform platform(cluster, 1);
  const std::vector<int> group = collective_group(cluster, gpus, per_node);
  const CommunicationParams& params = cluster.profile.communication;
  std::vector<CollectiveMeasurement> results;
  std::string error;
  sg4::Actor::create("collective", platform.gpu_host(0), [&] {
    try {
      for (double bytes : sizes_bytes) {
        CommPlan plan;
        const CollectiveChoice chosen = append_collective(plan, group, {kind, bytes, 1}, platform, params, choice);
        const double start = sg4::Engine::get_clock();
        run_flows(plan, platform, params);
        results.push_back(
            {bytes, sg4::Engine::get_clock() - start, chosen.algorithm->name(), chosen.protocol, chosen.estimated_s,
             chosen.channels});
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  engine->run();
  if (!error.empty())
    throw std::invalid_argument(error);
  return results;
}

} // namespace dcsim
