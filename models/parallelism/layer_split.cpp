#include "parallelism/layer_split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dcsim {

std::vector<ChunkLayers> split_layers(int layers, int pipeline, int virtual_stages, ChunkPlacement placement)
{
  const int chunks = pipeline * virtual_stages;
  const int base = layers / chunks;
  const int extra = layers % chunks;
  // Chunks ordered by distance from the middle of the model get the `extra` layers.
  std::vector<int> order(chunks);
  std::iota(order.begin(), order.end(), 0);
  const double middle = (chunks - 1) / 2.0;
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return std::fabs(a - middle) < std::fabs(b - middle); });
  std::vector<int> count(chunks, base);
  for (int i = 0; i < extra; ++i)
    ++count[order[i]];

  std::vector<ChunkLayers> out;
  int first = 0;
  for (int c = 0; c < chunks; ++c) {
    ChunkLayers chunk;
    chunk.chunk = c;
    chunk.stage = c % pipeline;
    chunk.virtual_index = c / pipeline;
    if (placement == ChunkPlacement::V && chunk.virtual_index == 1)
      chunk.stage = pipeline - 1 - chunk.stage;
    chunk.first_layer = first;
    chunk.layers = count[c];
    chunk.has_embedding = c == 0;
    chunk.has_head = c == chunks - 1;
    first += count[c];
    out.push_back(chunk);
  }
  return out;
}

} // namespace dcsim
