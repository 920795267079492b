#include "scheduler/gpu_allocator.hpp"

#include <stdexcept>

namespace dcsim {

GpuAllocator::GpuAllocator(int nodes, int gpus_per_node)
    : gpus_per_node_(gpus_per_node), busy_(static_cast<size_t>(nodes) * gpus_per_node, 0),
      node_free_(nodes, gpus_per_node), free_(nodes * gpus_per_node)
{
}

std::optional<int> GpuAllocator::allocate(int gpus) { return allocate_avoiding(gpus, 0, 0); }

std::optional<int> GpuAllocator::allocate_avoiding(int gpus, int avoid_first, int avoid_gpus)
{
  if (gpus <= 0 || gpus > free_)
    return std::nullopt;
  const Avoid avoid{avoid_first, avoid_gpus};
  const std::optional<int> first = gpus <= gpus_per_node_ ? within_node(gpus, avoid) : across_nodes(gpus, avoid);
  if (first)
    mark(*first, gpus, true);
  return first;
}

void GpuAllocator::release(int first_gpu, int gpus)
{
  for (int g = first_gpu; g < first_gpu + gpus; ++g)
    if (!busy_.at(g))
      throw std::logic_error("GpuAllocator: releasing a free GPU");
  mark(first_gpu, gpus, false);
}

std::optional<int> GpuAllocator::within_node(int gpus, Avoid avoid) const
{
  for (size_t node = 0; node < node_free_.size(); ++node) {
    if (node_free_[node] < gpus)
      continue;
    int run = 0;
    const int base = static_cast<int>(node) * gpus_per_node_;
    for (int g = base; g < base + gpus_per_node_; ++g) {
      run = busy_[g] ? 0 : run + 1;
      if (run >= gpus && !avoid.blocks(g - gpus + 1, gpus))
        return g - gpus + 1;
    }
  }
  return std::nullopt;
}

std::optional<int> GpuAllocator::across_nodes(int gpus, Avoid avoid) const
{
  const int needed = (gpus + gpus_per_node_ - 1) / gpus_per_node_;
  int run = 0;
  for (size_t node = 0; node < node_free_.size(); ++node) {
    run = node_free_[node] == gpus_per_node_ ? run + 1 : 0;
    const int first = (static_cast<int>(node) - needed + 1) * gpus_per_node_;
    if (run >= needed && !avoid.blocks(first, gpus))
      return first;
  }
  return std::nullopt;
}

void GpuAllocator::mark(int first_gpu, int gpus, bool busy)
{
  for (int g = first_gpu; g < first_gpu + gpus; ++g) {
    busy_[g] = busy ? 1 : 0;
    node_free_[g / gpus_per_node_] += busy ? -1 : 1;
  }
  free_ += busy ? -gpus : gpus;
}

} // namespace dcsim
