// How the layers of a model are cut into pipeline chunks.
//
// There are pipeline * virtual_stages chunks, numbered in model order; chunk c runs on pipeline
// rank c % pipeline (Megatron's interleaved placement; with one virtual stage chunk c = rank c),
// or, placed in a V (two chunks per rank: DualPipeV, ZB-V), chunk c < p on rank c and chunk
// c >= p on rank 2p - 1 - c, so that the last rank holds the two middle chunks and the first
// rank the first and the last.
// Layers that do not divide evenly go one each to the chunks nearest the middle of the model,
// because the first chunk also holds the embedding and the last the LM head and loss.
// Example: 126 layers (Llama 3 405B) into 8 x 2 = 16 chunks: 126 = 16*7 + 14, so the 14 middle
// chunks get 8 layers and the first and last chunks 7.
#pragma once

#include <vector>

namespace dcsim {

struct ChunkLayers {
  int chunk = 0;        ///< model-order index
  int stage = 0;        ///< pipeline rank that runs it
  int virtual_index = 0;///< which of that rank's chunks (0-based)
  int first_layer = 0;
  int layers = 0;
  bool has_embedding = false;
  bool has_head = false;
};

enum class ChunkPlacement { Interleaved, V };

/// Splits `layers` into pipeline * virtual_stages chunks as evenly as possible, the extra layers
/// going to the chunks nearest the middle. With more chunks than layers (at most two more; the
/// caller validates), the first chunk holds only the embedding and/or the last only the output
/// layer and loss: every other chunk has at least one layer.
std::vector<ChunkLayers> split_layers(int layers, int pipeline, int virtual_stages,
                                      ChunkPlacement placement = ChunkPlacement::Interleaved);

/// The same with the first and/or last chunk's layers fixed (>= 0; -1: as above), the rest split
/// evenly over the chunks between them, extra layers to the middle.
std::vector<ChunkLayers> split_layers(int layers, int pipeline, int virtual_stages, ChunkPlacement placement,
                                      int first_chunk_layers, int last_chunk_layers);

} // namespace dcsim
