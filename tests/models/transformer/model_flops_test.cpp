#include "transformer/model_flops.hpp"

#include <catch2/catch.hpp>

namespace {
dcsim::ModelConfig gpt3()
{
  dcsim::ModelConfig m;
  m.hidden = 12288, m.layers = 96, m.heads = 96, m.kv_heads = 96, m.seq_len = 2048, m.vocab = 51200;
  m.ffn_hidden = 4 * m.hidden;
  return m;
}
} // namespace

TEST_CASE("transformer::model_flops: equals Megatron's 72 B s l h^2 (1 + s/(6h) + V/(12 l h)) for GPT", "[models]")
{
  const auto m = gpt3();
  const double B = 1536, s = m.seq_len, l = m.layers, h = m.hidden, V = m.vocab;
  const double expected = 72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * l * h));
  CHECK(dcsim::model_flops_per_iteration(m, B) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("transformer::model_flops: full recompute adds one forward of every layer (SC21's 96 coefficient)", "[models]")
{
  const auto m = gpt3();
  const double B = 1536, s = m.seq_len, l = m.layers, h = m.hidden, V = m.vocab;
  // 72 -> 96 for the layers; the LM head is not recomputed: 96 B s l h^2 (1 + s/(6h) + V/(16 l h)).
  const double sc21 = 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
  CHECK(dcsim::hardware_flops_per_iteration(m, B, dcsim::Recompute::Full) == Approx(sc21).epsilon(1e-12));
  CHECK(dcsim::sc21_flops_per_iteration(m, B) == Approx(sc21).epsilon(1e-12));
}

TEST_CASE("transformer::parameters: GPT-3 175B has 174.6 billion parameters", "[models]")
{
  // 96 layers x (12 h^2 + 13 h) + (V + s) h + 2h (Narayanan et al. 2021, eq. 2 counts 12 l h^2
  // (1 + 13/(12h) + (V + s)/(12 l h)) = 174.6e9 for these dimensions).
  const auto m = gpt3();
  const double h = m.hidden;
  const double expected = 12.0 * m.layers * h * h * (1 + 13 / (12 * h) + (m.vocab + m.seq_len) / (12.0 * m.layers * h));
  // Our count also has the separate output layer (untied) and a final norm.
  const double counted = dcsim::total_parameters(m) - double(m.vocab) * h - 2 * h;
  CHECK(counted == Approx(expected).epsilon(1e-9));
  CHECK(counted / 1e9 == Approx(174.6).epsilon(0.002));
}

namespace {
dcsim::ModelConfig mixtral()
{
  dcsim::ModelConfig m;
  m.hidden = 4096, m.layers = 32, m.heads = 32, m.kv_heads = 8, m.seq_len = 4096, m.vocab = 32000;
  m.ffn_hidden = 14336, m.ffn = dcsim::FfnKind::SwiGlu, m.tied_embeddings = false;
  m.position_embedding = dcsim::PositionEmbedding::Rotary;
  m.experts = 8, m.top_k = 2;
  return m;
}
} // namespace

TEST_CASE("transformer::model_flops: a mixture of experts counts top_k experts' MLPs (Megatron-LM's formula)",
          "[models]")
{
  // Megatron-LM training.py: 12 B s l h^2 ((1 + g/a + s/h) + (f/h) k 3/2 + V/(2 l h)) for SwiGLU.
  const auto m = mixtral();
  const double B = 256, s = m.seq_len, l = m.layers, h = m.hidden, f = m.ffn_hidden, V = m.vocab;
  const double g = m.kv_heads, a = m.heads, k = m.top_k;
  const double expected = 12 * B * s * l * h * h * ((1 + g / a + s / h) + f / h * k * 1.5 + V / (2 * l * h));
  CHECK(dcsim::model_flops_per_iteration(m, B) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("transformer::parameters: Mixtral 8x7B has 46.7 billion parameters, 45.1 in experts", "[models]")
{
  // Mistral's announcement: 46.7B total (12.9B active per token).
  const auto m = mixtral();
  CHECK(dcsim::total_parameters(m) / 1e9 == Approx(46.7).epsilon(0.002));
  CHECK(m.layers * dcsim::layer_expert_parameters(m) == Approx(32.0 * 8 * 3 * 4096 * 14336).epsilon(1e-3));
}

TEST_CASE("transformer::model_flops: a shared expert adds one dense MLP per token", "[models]")
{
  // Megatron-LM's count with --moe-shared-expert-intermediate-size f_s: + (f_s/h) x 3/2 (SwiGLU).
  auto m = mixtral();
  m.shared_expert_ffn_hidden = 2816;
  const double B = 64, s = m.seq_len, l = m.layers, h = m.hidden, f = m.ffn_hidden, V = m.vocab;
  const double g = m.kv_heads, a = m.heads, k = m.top_k, fs = m.shared_expert_ffn_hidden;
  const double expected =
      12 * B * s * l * h * h * ((1 + g / a + s / h) + f / h * k * 1.5 + fs / h * 1.5 + V / (2 * l * h));
  CHECK(dcsim::model_flops_per_iteration(m, B) == Approx(expected).epsilon(1e-12));
  CHECK(dcsim::total_parameters(m) - dcsim::total_parameters(mixtral()) == Approx(l * 3 * h * fs).epsilon(1e-9));
  CHECK(dcsim::layer_expert_parameters(m) == dcsim::layer_expert_parameters(mixtral())); // not split by ep
}

TEST_CASE("transformer::model_flops: dense first layers count their own MLP (DeepSeek-V3's pattern)", "[models]")
{
  auto m = mixtral();
  m.first_dense_layers = 3, m.dense_ffn_hidden = 14336 * 2;
  const double B = 16, s = m.seq_len, l = m.layers, h = m.hidden, f = m.ffn_hidden, V = m.vocab;
  const double g = m.kv_heads, a = m.heads, k = m.top_k, fd = m.dense_ffn_hidden;
  const double attention = (1 + g / a + s / h);
  const double expected = 12 * B * s * h * h *
                          ((l - 3) * (attention + f / h * k * 1.5) + 3 * (attention + fd / h * 1.5) + V / (2 * h));
  CHECK(dcsim::model_flops_per_iteration(m, B) == Approx(expected).epsilon(1e-12));
  CHECK(dcsim::total_parameters(m) ==
        Approx(dcsim::total_parameters(mixtral()) - 3 * (dcsim::layer_parameters(mixtral()) -
                                                         dcsim::layer_parameters(m.dense_variant())))
            .epsilon(1e-12));
}

TEST_CASE("transformer::model_flops: selective recompute adds the FLOPs of the modules it re-runs", "[models]")
{
  // DeepSeek-V3's attention (MLA): core_attn re-runs the s x s core, mla_up_proj the query and
  // key/value up-projections (q_lora x 128 (128+64) and kv_lora x 128 (128+128) per token); norms
  // and activations are memory-bound and add none.
  dcsim::ModelConfig m;
  m.hidden = 7168, m.layers = 61, m.heads = 128, m.kv_heads = 128, m.seq_len = 4096, m.vocab = 129280;
  m.explicit_head_dim = 128;
  m.latent_attention = {1536, 512, 64, 128};
  const double B = 8, tokens = B * m.seq_len, l = m.layers, s = m.seq_len;
  const double model = dcsim::model_flops_per_iteration(m, B);
  const auto hardware = [&](dcsim::RecomputeModules modules) {
    return dcsim::hardware_flops_per_iteration(m, B, dcsim::Recompute::Selective, modules) - model;
  };
  const double core = tokens * l * 2 * s * 128 * (192 + 128);
  const double up = tokens * l * 2 * (1536.0 * 128 * 192 + 512.0 * 128 * 256);
  CHECK(hardware({}) == Approx(core).epsilon(1e-12));
  CHECK(hardware({true, true, true, false}) == Approx(core + up).epsilon(1e-12));
  CHECK(hardware({false, true, false, true}) == 0);
}

TEST_CASE("transformer::model_flops: alternating expert and dense layers (Megatron-Core's --moe-layer-freq)", "[models]")
{
  auto m = mixtral(); // 32 layers
  m.moe_layer_frequency = 2, m.dense_ffn_hidden = 14336 * 2;
  CHECK(m.moe_layers() == 16);
  CHECK(m.is_moe_layer(0));
  CHECK(!m.is_moe_layer(1));
  CHECK(m.moe_layers_in(1, 4) == 2);  // layers 1-4: 2 and 4
  CHECK(m.moe_layers_in(3, 1) == 0);  // layer 3
  m.first_dense_layers = 5;           // then layers 6, 8, ..., 30
  CHECK(m.moe_layers() == 13);
  CHECK(m.moe_layers_in(0, 7) == 1);  // layer 6
  m.first_dense_layers = 0;
  m.moe_layer_frequency = 3;          // 0, 3, ..., 30
  CHECK(m.moe_layers() == 11);
  const double B = 16, s = m.seq_len, l = m.layers, h = m.hidden, f = m.ffn_hidden, V = m.vocab;
  const double g = m.kv_heads, a = m.heads, k = m.top_k, fd = m.dense_ffn_hidden;
  const double attention = (1 + g / a + s / h);
  const double expected = 12 * B * s * h * h *
                          (11 * (attention + f / h * k * 1.5) + (l - 11) * (attention + fd / h * 1.5) + V / (2 * h));
  CHECK(dcsim::model_flops_per_iteration(m, B) == Approx(expected).epsilon(1e-12));
}
