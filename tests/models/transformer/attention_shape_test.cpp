// Attention shapes: multi-head/grouped-query attention keeps the counts the other tests pin
// down, and multi-head latent attention reproduces DeepSeek's published parameter counts
// (DeepSeek-V2, arXiv:2405.04434 table 1 and sec. 3.1.1: 236B total / 21B activated; V2-Lite
// 15.7B / 2.4B, its appendix B; DeepSeek-V3, arXiv:2412.19437: 671B / 37B), with each model's
// released config.json for the dimensions.
#include "transformer/attention_shape.hpp"
#include "transformer/model_flops.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace dcsim;

namespace {

struct DeepSeek {
  int hidden, layers, heads, q_lora, dense_ffn, expert_ffn, experts, shared_experts, top_k, first_dense, vocab;
};

ModelConfig deepseek(const DeepSeek& c)
{
  ModelConfig m;
  m.hidden = c.hidden, m.layers = c.layers, m.heads = c.heads, m.kv_heads = c.heads, m.vocab = c.vocab;
  m.seq_len = 4096;
  m.explicit_head_dim = 128;
  m.latent_attention = {c.q_lora, 512, 64, 128};
  m.ffn = FfnKind::SwiGlu, m.position_embedding = PositionEmbedding::Rotary;
  m.dense_ffn_hidden = c.dense_ffn, m.ffn_hidden = c.expert_ffn;
  m.experts = c.experts, m.top_k = c.top_k, m.shared_expert_ffn_hidden = c.shared_experts * c.expert_ffn;
  m.first_dense_layers = c.first_dense;
  return m;
}

/// Parameters a token's matrix products use: all but the experts it is not routed to and the
/// input embedding (a table lookup).
double activated(const ModelConfig& m)
{
  const double unused_per_layer = layer_expert_parameters(m) * (m.experts - m.top_k) / m.experts;
  return total_parameters(m) - m.moe_layers() * unused_per_layer - embedding_parameters(m);
}

} // namespace

TEST_CASE("transformer::attention_shape: multi-head and grouped-query attention, one QKV projection", "[models]")
{
  ModelConfig m;
  m.hidden = 8192, m.heads = 64, m.kv_heads = 8, m.seq_len = 8192;
  const AttentionShape a = attention_shape(m);
  REQUIRE(a.inputs.size() == 1);
  CHECK(a.inputs[0].out == 8192 + 2 * 1024);
  CHECK(a.k_width == 1024);
  CHECK(a.key_heads == 8);
  // h (h + 2 kv) + h^2 weights, h + 2 kv + h biases; 2 x weights FLOPs; 4 s h for the core.
  CHECK(a.parameters() == 8192.0 * (8192 + 2048) + 8192.0 * 8192 + (8192 + 2048) + 8192);
  CHECK(a.projection_flops_per_token() == 2.0 * (8192.0 * (8192 + 2048) + 8192.0 * 8192));
  CHECK(a.core_flops_per_token(m.seq_len) == 4.0 * 8192 * 8192);
}

TEST_CASE("transformer::attention_shape: DeepSeek-V3's latent attention, worked by hand", "[models]")
{
  const ModelConfig m = deepseek({7168, 61, 128, 1536, 18432, 2048, 256, 1, 8, 3, 129280});
  const AttentionShape a = attention_shape(m);
  // q_down 7168 x 1536, q_up 1536 x 128 (128 + 64), kv_down 7168 x (512 + 64), kv_up 512 x 128
  // (128 + 128), out 128 x 128 x 7168; the two latents' norms.
  const double weights = 7168.0 * 1536 + 1536.0 * 24576 + 7168.0 * 576 + 512.0 * 32768 + 16384.0 * 7168;
  CHECK(a.parameters() == weights + 1536 + 512);
  CHECK(a.projection_flops_per_token() == 2.0 * weights);
  CHECK(a.core_flops_per_token(4096) == 2.0 * 4096 * 128 * (192 + 128));
  CHECK(a.inputs[0].split == TensorSplit::Replicated); // q_down
  CHECK(a.inputs[1].split == TensorSplit::Columns);    // q_up
  CHECK(a.k_width + a.v_width == 128 * (192 + 128));
}

TEST_CASE("transformer::parameters: DeepSeek-V2, V2-Lite and V3 as published", "[models]")
{
  struct Case {
    const char* name;
    DeepSeek config;
    double total_b, activated_b, tolerance;
  };
  // Totals within 0.1% (our count adds biases the DeepSeek models do not have, ~0.03%);
  // activated ones within 2.1% (Lite +2.1%, V2 -0.7%, V3 -1.0%; the published figures are
  // rounded to 1B, 0.1B for Lite), counting the output layer but not the input embedding.
  const Case cases[] = {
      {"DeepSeek-V2", {5120, 60, 128, 1536, 12288, 1536, 160, 2, 6, 1, 102400}, 236, 21, 0.03},
      {"DeepSeek-V2-Lite", {2048, 27, 16, 0, 10944, 1408, 64, 2, 6, 1, 102400}, 15.7, 2.4, 0.03},
      {"DeepSeek-V3", {7168, 61, 128, 1536, 18432, 2048, 256, 1, 8, 3, 129280}, 671, 37, 0.03},
  };
  for (const Case& c : cases) {
    const ModelConfig m = deepseek(c.config);
    INFO(c.name << ": " << total_parameters(m) / 1e9 << "B total, " << activated(m) / 1e9 << "B activated");
    CHECK(total_parameters(m) / 1e9 == Approx(c.total_b).epsilon(0.002));
    CHECK(activated(m) / 1e9 == Approx(c.activated_b).epsilon(c.tolerance));
  }
}

TEST_CASE("transformer::parameters: DeepSeek-V3's multi-token-prediction module, 14B as published", "[models]")
{
  // arXiv:2412.19437: 685B in the released weights, of which 14B the MTP module (depth 1). Its
  // own parameters here: a MoE layer like the last, the 2h -> h projection and three norms; the
  // release also stores a copy of the shared embedding and output layer with it.
  ModelConfig m = deepseek({7168, 61, 128, 1536, 18432, 2048, 256, 1, 8, 3, 129280});
  const double main_model = total_parameters(m);
  m.mtp_depth = 1;
  const double module = total_parameters(m) - main_model;
  CHECK(module == Approx(mtp_module_parameters(m)).epsilon(1e-12));
  const double released = module + embedding_parameters(m) + head_parameters(m);
  INFO("module " << module / 1e9 << "B, as released " << released / 1e9 << "B, total " << (main_model + released) / 1e9);
  CHECK(released / 1e9 == Approx(14).epsilon(0.05));             // 13.5B: -3.6%
  CHECK((main_model + released) / 1e9 == Approx(685).epsilon(0.002));
}

namespace {

// Four layers of DeepSeek-V3 (one dense) with 8 experts, on one node of 8 H100s.
const char* kDeepSeekSlice = R"(name: mla
cluster:
  nodes: 1
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 1us},
         nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}}
jobs:
  - name: slice
    gpus: 8
    model: {preset: deepseek-v3, layers: 4, first_dense_layers: 1, experts: 8, top_k: 2}
    parallelism: {tensor: 2, data: 4, expert: 4}
    batch: {global: 8, micro: 1}
    iterations: 2
)";

} // namespace

TEST_CASE("transformer::attention_shape: a latent-attention model runs and counts Megatron's FLOPs", "[models]")
{
  const nlohmann::json r = test::run_scenario_text(kDeepSeekSlice);
  const nlohmann::json& job = r["jobs"][0];
  // Forward FLOPs per token, written out: attention projections 2 x (7168 x 1536 + 1536 x 24576
  // + 7168 x 576 + 512 x 32768 + 16384 x 7168), core 2 s 128 (192 + 128); MLPs (SwiGLU, 3 h f
  // multiply-adds): dense 18432, MoE top 2 of 2048 plus the shared 2048; output layer 2 h V.
  const double s = 4096, h = 7168, V = 129280;
  const double attention = 2.0 * (7168.0 * 1536 + 1536.0 * 24576 + 7168.0 * 576 + 512.0 * 32768 + 16384.0 * 7168) +
                           2.0 * s * 128 * (192 + 128);
  const double dense = attention + 6.0 * h * 18432, moe = attention + 6.0 * h * 2048 * (2 + 1);
  const double per_token = dense + 3 * moe + 2.0 * h * V;
  const double expected_tflops = 3.0 * 8 * s * per_token / job["iteration_time_s"].get<double>() / 8 / 1e12;
  CHECK(job["model_tflops_per_gpu"].get<double>() == Approx(expected_tflops).epsilon(1e-9));
  CHECK(job["fits_in_memory"].get<bool>());
}

TEST_CASE("transformer::attention_shape: bad latent attention settings are one-line errors", "[models]")
{
  CHECK(test::load_error(kDeepSeekSlice, {"jobs.0.model.kv_heads=16"})
            .find("jobs.0.model.kv_heads: latent attention up-projects keys and values for every head") !=
        std::string::npos);
  const std::string no_rank = test::load_error(
      "name: x\ncluster: {nodes: 1, node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: "
      "{count: 8, bandwidth: 400Gb/s}}}\njobs:\n  - gpus: 8\n    model: {hidden: 1024, layers: 2, heads: 8, "
      "seq_len: 1024, vocab: 1000, latent_attention: {q_lora_rank: 64}}\n    batch: {global: 8, micro: 1}\n");
  INFO(no_rank);
  CHECK(no_rank.find("jobs.0.model.latent_attention.kv_lora_rank: is missing") != std::string::npos);
}

TEST_CASE("transformer::parameters: Llama 4 Maverick (models/llama4-maverick.yaml), 400B total and 17B active as published",
          "[models]")
{
  // Meta's model card: 400B parameters, 17B active: one routed expert and the shared one in each
  // of the 24 expert layers, the 24 dense layers, attention and both embedding tables (17.2B;
  // 16.2B without the input embedding, which DeepSeek's count above leaves out). Within 1% and
  // 2% (the published figures are rounded to 1B).
  const ModelConfig m = dcsim::test::load_text(R"(
name: llama4
cluster: {nodes: 1, node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}}
jobs: [{name: j, gpus: 8, model: llama4-maverick, parallelism: {tensor: 8}, batch: {global: 8}, memory_check: warn}]
)").jobs[0].model;
  INFO(total_parameters(m) / 1e9 << "B total, " << (activated(m) + embedding_parameters(m)) / 1e9 << "B active");
  CHECK(m.moe_layers() == 24);
  CHECK(total_parameters(m) / 1e9 == Approx(400).epsilon(0.01));
  CHECK((activated(m) + embedding_parameters(m)) / 1e9 == Approx(17).epsilon(0.02));
}
