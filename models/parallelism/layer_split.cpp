#include "parallelism/layer_split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dcsim {

namespace {

/// `layers` over `chunks` chunks as evenly as possible, the extra ones nearest the middle.
std::vector<int> even_counts(int layers, int chunks)
{
  if (chunks <= 0)
    return {};
  const int base = layers / chunks;
  const int extra = layers % chunks;
  std::vector<int> order(chunks);
  std::iota(order.begin(), order.end(), 0);
  const double middle = (chunks - 1) / 2.0;
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return std::fabs(a - middle) < std::fabs(b - middle); });
  std::vector<int> count(chunks, base);
  for (int i = 0; i < extra; ++i)
    ++count[order[i]];
  return count;
}

} // namespace

std::vector<ChunkLayers> split_layers(int layers, int pipeline, int virtual_stages, ChunkPlacement placement)
{
  return split_layers(layers, pipeline, virtual_stages, placement, -1, -1);
}

std::vector<ChunkLayers> split_layers(int layers, int pipeline, int virtual_stages, ChunkPlacement placement,
                                      int first_chunk_layers, int last_chunk_layers)
{
  const int chunks = pipeline * virtual_stages;
  // Fixed ends first; the chunks between them share what is left.
  const bool first_fixed = first_chunk_layers >= 0 && chunks > 1;
  const bool last_fixed = last_chunk_layers >= 0 && chunks > 1;
  const int inner_first = first_fixed ? 1 : 0;
  const int inner_chunks = chunks - inner_first - (last_fixed ? 1 : 0);
  const int inner_layers = layers - (first_fixed ? first_chunk_layers : 0) - (last_fixed ? last_chunk_layers : 0);
  std::vector<int> count(chunks, 0);
  const std::vector<int> inner = even_counts(std::max(0, inner_layers), inner_chunks);
  for (int i = 0; i < inner_chunks; ++i)
    count[inner_first + i] = inner[i];
  if (first_fixed)
    count.front() = first_chunk_layers;
  if (last_fixed)
    count.back() = last_chunk_layers;

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
