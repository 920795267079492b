#include "transformer/model_flops.hpp"

#include "transformer/attention_shape.hpp"

namespace dcsim {

namespace {
double up_projections(const ModelConfig& m) { return m.ffn == FfnKind::SwiGlu ? 2.0 : 1.0; }
} // namespace

double attention_forward_flops_per_token(const ModelConfig& m)
{
  return attention_shape(m).core_flops_per_token(m.seq_len);
}

double layer_forward_flops_per_token(const ModelConfig& m)
{
  const double h = m.hidden;
  // A token passes top_k experts' MLPs and the shared expert (Megatron-LM's count; the router's
  // h x experts GEMM is left out, as there).
  const double mlp_weights = (up_projections(m) + 1.0) * h * m.ffn_hidden;
  const double shared_weights = (up_projections(m) + 1.0) * h * m.shared_expert_ffn_hidden;
  return attention_shape(m).projection_flops_per_token() + 2.0 * (mlp_weights * m.top_k + shared_weights) +
         attention_forward_flops_per_token(m);
}

double layers_forward_flops_per_token(const ModelConfig& m)
{
  const int dense = m.layers - m.moe_layers();
  return m.moe_layers() * layer_forward_flops_per_token(m) + dense * layer_forward_flops_per_token(m.dense_variant());
}

double model_flops_per_iteration(const ModelConfig& m, double sequences)
{
  const double tokens = sequences * m.seq_len;
  return 3.0 * tokens * (layers_forward_flops_per_token(m) + 2.0 * double(m.hidden) * m.vocab);
}

double hardware_flops_per_iteration(const ModelConfig& m, double sequences, Recompute recompute,
                                    const RecomputeModules& modules)
{
  const double tokens = sequences * m.seq_len;
  double extra = 0;
  if (recompute == Recompute::Full) {
    extra = tokens * layers_forward_flops_per_token(m);
  } else if (recompute == Recompute::Selective) {
    // Norms and activations are memory-bound: no matrix FLOPs to add.
    if (modules.core_attention)
      extra += tokens * m.layers * attention_forward_flops_per_token(m);
    if (modules.latent_up_projections)
      for (const Projection& p : attention_shape(m).inputs)
        if (p.from_latent)
          extra += tokens * m.layers * 2.0 * double(p.in) * double(p.out);
  }
  return model_flops_per_iteration(m, sequences) + extra;
}

double sc21_flops_per_iteration(const ModelConfig& m, double sequences)
{
  const double s = m.seq_len, h = m.hidden, l = m.layers, v = m.vocab;
  return 96.0 * sequences * s * l * h * h * (1.0 + s / (6.0 * h) + v / (16.0 * l * h));
}

double layer_parameters(const ModelConfig& m)
{
  const double h = m.hidden;
  const double attention = attention_shape(m).parameters();
  const double mlp_one = (up_projections(m) + 1.0) * h * m.ffn_hidden + up_projections(m) * m.ffn_hidden + h;
  const double router = m.moe() ? h * m.experts : 0.0;
  const double shared = (up_projections(m) + 1.0) * h * m.shared_expert_ffn_hidden;
  return attention + mlp_one * m.experts + router + shared + 4.0 * h;
}

double layer_expert_parameters(const ModelConfig& m)
{
  if (!m.moe())
    return 0.0;
  const double h = m.hidden;
  return m.experts * ((up_projections(m) + 1.0) * h * m.ffn_hidden + up_projections(m) * m.ffn_hidden + h);
}

double embedding_parameters(const ModelConfig& m)
{
  const double positions = m.position_embedding == PositionEmbedding::Learned ? double(m.seq_len) * m.hidden : 0.0;
  return double(m.vocab) * m.hidden + positions;
}

double head_parameters(const ModelConfig& m)
{
  return (m.tied_embeddings ? 0.0 : double(m.vocab) * m.hidden) + 2.0 * m.hidden;
}

double mtp_module_parameters(const ModelConfig& m)
{
  const double h = m.hidden;
  return layer_parameters(m.moe() ? m : m.dense_variant()) + 2.0 * h * h + 3.0 * h;
}

double total_parameters(const ModelConfig& m)
{
  const int dense = m.layers - m.moe_layers();
  return m.moe_layers() * layer_parameters(m) + dense * layer_parameters(m.dense_variant()) + embedding_parameters(m) +
         head_parameters(m) + m.mtp_depth * mtp_module_parameters(m);
}

} // namespace dcsim
