#include "scheduler/gpu_allocator.hpp"

#include "random/seeded.hpp"

#include <algorithm>
#include <stdexcept>

namespace dcsim {

GpuAllocator::GpuAllocator(int nodes, int gpus_per_node, const PlacementPolicy& policy, NodeLocality locality,
                           std::uint64_t seed)
    : policy_(policy), locality_(locality.block.empty() ? NodeLocality::flat(nodes) : std::move(locality)),
      rng_(seeded_engine(seed, 0x91ACE)), gpus_per_node_(gpus_per_node),
      busy_(static_cast<size_t>(nodes) * gpus_per_node, 0), node_free_(nodes, gpus_per_node),
      reserved_node_(nodes, 0), free_(nodes * gpus_per_node)
{
  if (static_cast<int>(locality_.block.size()) != nodes)
    throw std::invalid_argument("GpuAllocator: locality does not describe every node");
}

std::optional<Placement> GpuAllocator::allocate(int gpus, const Placement* reserved,
                                               const std::vector<std::uint8_t>* allowed)
{
  if (gpus <= 0 || gpus > free_)
    return std::nullopt;
  if (allowed)
    for (size_t node = 0; node < reserved_node_.size(); ++node)
      reserved_node_[node] = (*allowed)[node] ? 0 : kBarred;
  if (reserved)
    for (int node : reserved->nodes())
      reserved_node_[node] = std::max(reserved_node_[node], kReserved);
  std::optional<Placement> placed = gpus <= gpus_per_node_ ? within_node(gpus, reserved) : across_nodes(gpus);
  if (allowed)
    std::fill(reserved_node_.begin(), reserved_node_.end(), 0);
  else if (reserved)
    for (int node : reserved->nodes())
      reserved_node_[node] = 0;
  if (placed)
    mark(*placed, true);
  return placed;
}

void GpuAllocator::release(const Placement& placement)
{
  for (int rank = 0; rank < placement.gpus(); ++rank)
    if (!busy_.at(placement.gpu(rank)))
      throw std::logic_error("GpuAllocator: releasing a free GPU");
  mark(placement, false);
}

void GpuAllocator::occupy(const Placement& placement)
{
  for (int rank = 0; rank < placement.gpus(); ++rank)
    if (busy_.at(placement.gpu(rank)))
      throw std::logic_error("GpuAllocator: occupying a busy GPU");
  mark(placement, true);
}

int GpuAllocator::free_range(int node, int gpus, const Placement* reserved) const
{
  int run = 0;
  const int base = node * gpus_per_node_;
  for (int g = base; g < base + gpus_per_node_; ++g) {
    run = busy_[g] || (reserved && reserved->uses_gpu(g)) ? 0 : run + 1;
    if (run >= gpus)
      return g - gpus + 1;
  }
  return -1;
}

std::optional<Placement> GpuAllocator::within_node(int gpus, const Placement* reserved)
{
  std::vector<int>& candidates = candidates_; // reused: no allocation per attempt
  candidates.clear();
  const bool first_only = policy_.takes_first_candidate();
  for (int node = 0; node < static_cast<int>(node_free_.size()) && !(first_only && !candidates.empty()); ++node)
    if (node_free_[node] >= gpus && reserved_node_[node] != kBarred &&
        free_range(node, gpus, reserved_node_[node] ? reserved : nullptr) >= 0)
      candidates.push_back(node);
  if (candidates.empty())
    return std::nullopt;
  const int node = policy_.pick_node(view(), candidates, rng_);
  return Placement::consecutive(free_range(node, gpus, reserved_node_[node] ? reserved : nullptr), gpus,
                                gpus_per_node_);
}

std::optional<Placement> GpuAllocator::across_nodes(int gpus)
{
  const int needed = (gpus + gpus_per_node_ - 1) / gpus_per_node_;
  const ClusterView v = view();
  int whole_free = 0;
  for (int node = 0; node < v.nodes() && whole_free < needed; ++node)
    whole_free += v.whole_free(node) ? 1 : 0;
  if (whole_free < needed)
    return std::nullopt;
  std::vector<int> nodes = policy_.pick_nodes(v, needed, rng_);
  if (nodes.empty())
    return std::nullopt;
  return Placement::on_nodes(std::move(nodes), gpus, gpus_per_node_);
}

void GpuAllocator::mark(const Placement& placement, bool busy)
{
  for (int rank = 0; rank < placement.gpus(); ++rank) {
    const int g = placement.gpu(rank);
    busy_[g] = busy ? 1 : 0;
    node_free_[g / gpus_per_node_] += busy ? -1 : 1;
  }
  free_ += busy ? -placement.gpus() : placement.gpus();
}

} // namespace dcsim
