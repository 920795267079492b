#include "engine/placement.hpp"

#include <algorithm>
#include <stdexcept>

namespace dcsim {

Placement Placement::consecutive(int first_gpu, int gpus, int gpus_per_node)
{
  if (gpus <= 0 || first_gpu < 0 || gpus_per_node <= 0)
    throw std::invalid_argument("Placement: empty or negative range");
  Placement p;
  p.per_node_ = gpus_per_node;
  p.offset_ = first_gpu % gpus_per_node;
  p.gpus_ = gpus;
  for (int node = first_gpu / gpus_per_node; node <= (first_gpu + gpus - 1) / gpus_per_node; ++node)
    p.nodes_.push_back(node);
  return p;
}

Placement Placement::on_nodes(std::vector<int> nodes, int gpus, int gpus_per_node)
{
  if (gpus <= 0 || gpus_per_node <= 0 || static_cast<long long>(nodes.size()) * gpus_per_node < gpus ||
      static_cast<long long>(nodes.size() - 1) * gpus_per_node >= gpus)
    throw std::invalid_argument("Placement: node count does not match the GPUs");
  Placement p;
  p.per_node_ = gpus_per_node;
  p.gpus_ = gpus;
  p.nodes_ = std::move(nodes);
  return p;
}

std::vector<int> Placement::nodes_of_ranks(int first_rank, int count) const
{
  std::vector<int> out;
  if (count <= 0)
    return out;
  const int first_slot = (offset_ + first_rank) / per_node_;
  const int last_slot = (offset_ + first_rank + count - 1) / per_node_;
  out.assign(nodes_.begin() + first_slot, nodes_.begin() + last_slot + 1);
  return out;
}

std::vector<int> Placement::gpu_list() const
{
  std::vector<int> out;
  out.reserve(gpus_);
  for (int rank = 0; rank < gpus_; ++rank)
    out.push_back(gpu(rank));
  return out;
}

bool Placement::uses_gpu(int gpu) const
{
  const int node = gpu / per_node_, local = gpu % per_node_;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i] != node)
      continue;
    const int slot = static_cast<int>(i) * per_node_ + local - offset_;
    return slot >= 0 && slot < gpus_;
  }
  return false;
}

std::string Placement::node_ranges() const
{
  std::vector<int> sorted = nodes_;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1)
      ++j;
    out += (out.empty() ? "" : ",") + std::to_string(sorted[i]);
    if (j > i)
      out += "-" + std::to_string(sorted[j]);
    i = j + 1;
  }
  return out;
}

} // namespace dcsim
