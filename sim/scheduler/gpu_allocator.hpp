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
  /// The same, among ranges that do not overlap GPUs [avoid_first, avoid_first + avoid_gpus).
  std::optional<int> allocate_avoiding(int gpus, int avoid_first, int avoid_gpus);
  void release(int first_gpu, int gpus);
  int free_gpus() const { return free_; }
  int total_gpus() const { return static_cast<int>(busy_.size()); }

private:
  /// A range [first, first + gpus) is allowed unless it overlaps the avoided one.
  struct Avoid {
    int first = 0, gpus = 0;
    bool blocks(int first_gpu, int count) const { return first_gpu < first + gpus && first < first_gpu + count; }
  };
  std::optional<int> within_node(int gpus, Avoid avoid) const;
  std::optional<int> across_nodes(int gpus, Avoid avoid) const;
  void mark(int first_gpu, int gpus, bool busy);

  int gpus_per_node_;
  std::vector<std::uint8_t> busy_;  ///< per GPU
  std::vector<int> node_free_;      ///< free GPUs per node
  int free_;
};

} // namespace dcsim
