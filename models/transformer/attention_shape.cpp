#include "transformer/attention_shape.hpp"

namespace dcsim {

namespace {

/// Multi-head (kv_heads = heads) and grouped-query attention: one fused QKV projection with
/// biases (Megatron's default; Llama-style models have none, a ~1e-5 share of the parameters).
AttentionShape multi_head(const ModelConfig& m)
{
  AttentionShape a;
  a.heads = m.heads;
  a.qk_head_dim = a.v_head_dim = m.head_dim();
  a.key_heads = m.kv_heads;
  a.q_width = a.heads * a.qk_head_dim;
  a.k_width = a.v_width = m.kv_hidden();
  a.rotary_width = a.q_width + a.k_width;
  a.inputs = {{"qkv", m.hidden, a.q_width + a.k_width + a.v_width, TensorSplit::Columns, true}};
  a.output = {"attention_out", a.heads * a.v_head_dim, m.hidden, TensorSplit::Rows, true};
  return a;
}

/// MLA: x -> query latent (q_lora_rank, normed) -> queries of heads x (head_dim + rope_head_dim);
/// x -> key/value latent (kv_lora_rank, normed) plus one shared rotary key (rope_head_dim);
/// the latent -> per-head keys (head_dim) and values (v_head_dim). Without q_lora_rank the
/// queries are projected from x directly (DeepSeek-V2-Lite).
AttentionShape latent(const ModelConfig& m)
{
  const LatentAttention& l = m.latent_attention;
  AttentionShape a;
  a.heads = m.heads;
  a.qk_head_dim = m.head_dim() + l.rope_head_dim;
  a.v_head_dim = l.v_head_dim;
  a.key_heads = m.heads;
  a.q_width = a.heads * a.qk_head_dim;
  a.k_width = a.heads * a.qk_head_dim;
  a.v_width = a.heads * a.v_head_dim;
  a.rotary_width = a.heads * l.rope_head_dim + l.rope_head_dim;
  if (l.q_lora_rank > 0) {
    a.inputs.push_back({"q_down", m.hidden, l.q_lora_rank, TensorSplit::Replicated, false});
    a.inputs.push_back({"q_up", l.q_lora_rank, a.q_width, TensorSplit::Columns, false, true});
  } else {
    a.inputs.push_back({"q", m.hidden, a.q_width, TensorSplit::Columns, false});
  }
  a.inputs.push_back({"kv_down", m.hidden, l.kv_lora_rank + l.rope_head_dim, TensorSplit::Replicated, false});
  a.inputs.push_back(
      {"kv_up", l.kv_lora_rank, a.heads * (m.head_dim() + a.v_head_dim), TensorSplit::Columns, false, true});
  a.output = {"attention_out", a.heads * a.v_head_dim, m.hidden, TensorSplit::Rows, false};
  // Kept for backward on every rank: each latent's norm input and up-projection input, and the
  // shared rotary key.
  a.latent_width = 2LL * l.q_lora_rank + 2LL * l.kv_lora_rank + l.rope_head_dim;
  a.latent_gemm_width = l.q_lora_rank + l.kv_lora_rank;
  a.norm_parameters = l.q_lora_rank + l.kv_lora_rank;
  return a;
}

double weights(const Projection& p) { return double(p.in) * double(p.out) + (p.bias ? double(p.out) : 0.0); }

} // namespace

double AttentionShape::parameters() const
{
  double sum = weights(output) + double(norm_parameters);
  for (const Projection& p : inputs)
    sum += weights(p);
  return sum;
}

double AttentionShape::projection_flops_per_token() const
{
  double sum = double(output.in) * double(output.out);
  for (const Projection& p : inputs)
    sum += double(p.in) * double(p.out);
  return 2.0 * sum;
}

AttentionShape attention_shape(const ModelConfig& model)
{
  return model.latent_attention.enabled() ? latent(model) : multi_head(model);
}

} // namespace dcsim
