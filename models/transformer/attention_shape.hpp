// A layer's attention as its weight projections and the widths of what they produce, for every
// attention kind: multi-head and grouped-query attention (one fused QKV projection) and
// multi-head latent attention (MLA, DeepSeek-AI 2024, arXiv:2405.04434 sec. 2.1: queries, keys
// and values are up-projected from low-rank latents; a small decoupled key carries the rotary
// position, shared by all heads). The kernels, the model FLOPs, the parameter count, the
// activation memory and the context-parallel traffic all read their sizes from here, so a new
// attention kind is one more case in attention_shape.cpp.
#pragma once

#include "config/scenario_config.hpp"

#include <string>
#include <vector>

namespace dcsim {

/// How a projection's weight is split over the tensor-parallel ranks.
enum class TensorSplit {
  Columns,   ///< each rank computes out/t features (QKV, MLA's up-projections)
  Rows,      ///< each rank reads in/t features and partial sums are reduced (output projection)
  Replicated ///< every rank computes all of it (MLA's down-projections into the latents)
};

struct Projection {
  std::string name;
  long long in = 0, out = 0; ///< features per token
  TensorSplit split = TensorSplit::Columns;
  bool bias = false;
  bool from_latent = false; ///< MLA's up-projections (what recompute_modules: mla_up_proj re-runs)
};

struct AttentionShape {
  std::vector<Projection> inputs; ///< before the attention core, in order
  Projection output;              ///< after it: heads x v_head_dim -> hidden
  long long heads = 0;
  long long qk_head_dim = 0, v_head_dim = 0;
  long long key_heads = 0;        ///< heads of distinct keys and values (GQA: kv_heads; MLA: heads)
  long long q_width = 0, k_width = 0, v_width = 0; ///< per token, all heads
  long long rotary_width = 0;     ///< query and key features the rotary embedding touches
  long long latent_width = 0;     ///< MLA: latent features kept for backward on every rank
  long long latent_gemm_width = 0; ///< of those, the up-projections' inputs
  long long norm_parameters = 0;  ///< MLA: the latents' RMSNorm weights

  /// Weight parameters of the projections (biases included).
  double parameters() const;
  /// Forward FLOPs per token of the projections (2 per multiply-add).
  double projection_flops_per_token() const;
  /// Forward FLOPs per token of the core over a `seq_len` sequence, counted over the full
  /// s x s square (Q K^T and P V), as the contract counts attention.
  double core_flops_per_token(double seq_len) const { return 2.0 * seq_len * heads * double(qk_head_dim + v_head_dim); }
};

AttentionShape attention_shape(const ModelConfig& model);

} // namespace dcsim
