// Which GPUs of the cluster are free, and where a job of n GPUs fits. A job gets consecutive
// GPUs (engine/job_layout.hpp places its ranks on first_gpu, first_gpu + 1, ...): inside one
// node when it fits in one, else on whole consecutive nodes (the last one possibly in part).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace dcsim {

class GpuAllocator {
public:
  GpuAllocator(int nodes, int gpus_per_node);

  /// Takes the first free range that fits (lowest GPU index) and returns its first GPU, or
  /// nothing when no range is free. A job larger than the cluster never fits.
  std::optional<int> allocate(int gpus);
  void release(int first_gpu, int gpus);
  int free_gpus() const { return free_; }
  int total_gpus() const { return static_cast<int>(busy_.size()); }

private:
  std::optional<int> within_node(int gpus) const;
  std::optional<int> across_nodes(int gpus) const;
  void mark(int first_gpu, int gpus, bool busy);

  int gpus_per_node_;
  std::vector<std::uint8_t> busy_;  ///< per GPU
  std::vector<int> node_free_;      ///< free GPUs per node
  int free_;
};

} // namespace dcsim
