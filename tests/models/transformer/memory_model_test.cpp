// Activation memory against Korthikanti et al. 2022, table 2 (bytes per layer):
//   no parallelism                     s b h (34 + 5 a s / h)
//   tensor parallel t                  s b h (10 + 24/t + 5 a s / (h t))
//   tensor + sequence parallel t       s b h / t (34 + 5 a s / h)
//   ... + selective recompute          s b h / t * 34
#include "transformer/memory_model.hpp"
#include "transformer/model_flops.hpp"

#include "config/scenario_loader.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

namespace {
dcsim::JobConfig job(int tensor, bool sp, dcsim::Recompute recompute = dcsim::Recompute::None)
{
  dcsim::JobConfig j;
  j.model.hidden = 12288, j.model.layers = 96, j.model.heads = 96, j.model.kv_heads = 96;
  j.model.seq_len = 2048, j.model.vocab = 51200, j.model.ffn_hidden = 4 * 12288;
  j.parallelism.tensor = tensor, j.parallelism.sequence_parallel = sp;
  j.batch.micro = 1, j.batch.global = 1;
  j.attention = dcsim::AttentionKernel::Unfused;
  j.recompute = recompute;
  return j;
}
} // namespace

TEST_CASE("transformer::memory: per-layer activations follow Korthikanti et al. 2022", "[models]")
{
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8;
  CHECK(dcsim::layer_activation_bytes(job(1, false)) == Approx(s * b * h * (34 + 5 * a * s / h)));
  CHECK(dcsim::layer_activation_bytes(job(8, false)) == Approx(s * b * h * (10 + 24 / t + 5 * a * s / (h * t))));
  CHECK(dcsim::layer_activation_bytes(job(8, true)) == Approx(s * b * h / t * (34 + 5 * a * s / h)));
  CHECK(dcsim::layer_activation_bytes(job(8, true, dcsim::Recompute::Selective)) == Approx(s * b * h / t * 34));
}

TEST_CASE("transformer::memory: ZeRO stages shard optimizer states, then gradients, then weights", "[models]")
{
  auto j = job(8, true);
  j.parallelism.pipeline = 8, j.parallelism.data = 16, j.batch.global = 128;
  j.gradient_bytes = 4;
  const auto zero0 = dcsim::estimate_memory(j);
  j.parallelism.zero = 1;
  const auto zero1 = dcsim::estimate_memory(j);
  j.parallelism.zero = 3;
  const auto zero3 = dcsim::estimate_memory(j);
  CHECK(zero1.optimizer_bytes == Approx(zero0.optimizer_bytes / 16));
  CHECK(zero1.gradients_bytes == Approx(zero0.gradients_bytes));
  CHECK(zero3.gradients_bytes == Approx(zero0.gradients_bytes / 16));
  CHECK(zero3.weights_bytes == Approx(zero0.weights_bytes / 16));
  // Mixed-precision Adam: 2 (weights) + 4 (fp32 grads) + 12 (master + 2 moments) bytes/param.
  CHECK((zero0.weights_bytes + zero0.gradients_bytes + zero0.optimizer_bytes) / zero0.weights_bytes == Approx(9.0));
}

TEST_CASE("transformer::memory: the first 1F1B stage holds p micro-batches of activations", "[models]")
{
  auto j = job(8, true);
  j.parallelism.pipeline = 8, j.parallelism.data = 1, j.batch.global = 64;
  const auto m = dcsim::estimate_memory(j);
  CHECK(m.stage == 0);
  const double per_layer = dcsim::layer_activation_bytes(j);
  CHECK(m.activations_bytes == Approx(8 * 12 * per_layer)); // 8 in flight x 12 layers
}

TEST_CASE("transformer::memory: ZB-H1 rank r also keeps r deferred weight gradients' inputs", "[models]")
{
  // Per deferred micro-batch and layer, each dW = A^T dC keeps A and dC: QKV [T, h] and [T, 3h/t],
  // out-projection [T, h/t] and [T, h], MLP up [T, h] and [T, 4h/t], down [T, 4h/t] and [T, h]:
  // T (4h + 12h/t) 16-bit elements; the LM head [T, h] and [T, V/t].
  auto j = job(8, true);
  j.parallelism.pipeline = 8, j.parallelism.data = 1, j.batch.global = 64;
  const auto one_f_one_b = dcsim::estimate_memory(j);
  j.parallelism.schedule = dcsim::PipelineSchedule::ZeroBubbleH1;
  const auto zb = dcsim::estimate_memory(j);
  // Rank r holds 8 - r micro-batches' activations and r deferred W's, a subset of them: rank 0,
  // which defers none, stays the fullest (Qi et al.: ZB-H1 keeps 1F1B's peak).
  CHECK(zb.stage == 0);
  CHECK(zb.activations_bytes == Approx(one_f_one_b.activations_bytes));

  // Under full recompute the W's keep far more than the layer inputs 1F1B keeps: the last rank
  // becomes the fullest, at the moment a backward has added its W to the 7 deferred ones and the
  // W it lets run has not yet freed its own (8 W's, no forward in flight).
  j.recompute = dcsim::Recompute::Full;
  const auto full = dcsim::estimate_memory(j);
  const double T = 2048, h = 12288, t = 8, V = 51200;
  const double checkpoint = T * h * 2 / t; // a layer's input, kept per micro-batch in flight
  const double logits = T * V / t * (2 + 4);
  const double deferred = 12 * 2 * T * (4 * h + 12 * h / t) + 2 * T * (h + V / t);
  CHECK(full.stage == 7);
  CHECK(full.activations_bytes ==
        Approx(dcsim::layer_activation_bytes(j) + logits + 8 * deferred).epsilon(1e-9));
  CHECK(8 * deferred > 12 * checkpoint + 7 * deferred); // the alternative peak, just after a forward
}

TEST_CASE("transformer::memory: a multi-token-prediction module is one more layer and output pass on the last rank",
          "[models]")
{
  // GPipe holds every micro-batch on every rank, so the last rank (logits) is the fullest.
  auto j = job(8, true);
  j.parallelism.pipeline = 8, j.parallelism.data = 1, j.batch.global = 16;
  j.parallelism.schedule = dcsim::PipelineSchedule::GPipe;
  const auto plain = dcsim::estimate_memory(j);
  j.model.mtp_depth = 1;
  const auto mtp = dcsim::estimate_memory(j);
  REQUIRE(plain.stage == 7);
  REQUIRE(mtp.stage == 7);
  CHECK(mtp.weights_bytes - plain.weights_bytes == Approx(2.0 * dcsim::mtp_module_parameters(j.model) / 8));
  const double logits = 2048.0 * 51200 / 8 * (2 + 4);
  CHECK(mtp.activations_bytes - plain.activations_bytes ==
        Approx(16 * dcsim::layer_activation_bytes(j) + logits).epsilon(1e-9));
}

TEST_CASE("transformer::memory: context parallelism splits activations by c and shards over data x context",
          "[models]")
{
  auto j = job(8, true, dcsim::Recompute::Selective);
  j.attention = dcsim::AttentionKernel::Flash;
  j.parallelism.data = 2, j.parallelism.zero = 2, j.batch.global = 2;
  const auto one = dcsim::estimate_memory(j);
  j.parallelism.context = 4;
  const auto four = dcsim::estimate_memory(j);
  CHECK(dcsim::layer_activation_bytes(j) == Approx(2048.0 / 4 * 12288 / 8 * 34)); // s b h / (t c) x 34
  CHECK(four.activations_bytes == Approx(one.activations_bytes / 4));
  CHECK(four.optimizer_bytes == Approx(one.optimizer_bytes / 4));  // 2 shards -> 8
  CHECK(four.gradients_bytes == Approx(one.gradients_bytes / 4));
  CHECK(four.weights_bytes == Approx(one.weights_bytes));
}

TEST_CASE("transformer::memory: expert parallelism splits the experts; ZeRO shards them over fewer ranks",
          "[models]")
{
  dcsim::JobConfig j;
  j.model.hidden = 4096, j.model.layers = 32, j.model.heads = 32, j.model.kv_heads = 8, j.model.seq_len = 4096;
  j.model.vocab = 32000, j.model.ffn_hidden = 14336, j.model.ffn = dcsim::FfnKind::SwiGlu;
  j.model.experts = 8, j.model.top_k = 2;
  j.parallelism.data = 16, j.parallelism.zero = 1, j.batch.global = 16, j.batch.micro = 1;
  const double experts = 32 * dcsim::layer_expert_parameters(j.model);
  const double dense = dcsim::total_parameters(j.model) - experts;
  const auto one = dcsim::estimate_memory(j);
  CHECK(one.weights_bytes == Approx(2 * (dense + experts)).epsilon(1e-9));
  j.parallelism.expert = 8;
  const auto eight = dcsim::estimate_memory(j);
  CHECK(eight.weights_bytes == Approx(2 * (dense + experts / 8)).epsilon(1e-9));
  // Adam states: dense over 16 data-parallel ranks, each expert over the 16 / 8 that hold it.
  CHECK(eight.optimizer_bytes == Approx(12 * (dense / 16 + experts / 8 / 2)).epsilon(1e-9));
  CHECK(eight.activations_bytes == Approx(one.activations_bytes));
}

TEST_CASE("transformer::memory: FP8 keeps the GEMMs' inputs in one byte", "[models]")
{
  // Korthikanti's GPT-3 layer, TP8 with sequence parallelism: the GEMM inputs are the two norm
  // outputs (2 h, split by t under sequence parallelism), the out-projection's input (h / t) and
  // the second MLP GEMM's input (4 h / t); in FP8 each loses one of its two bytes.
  const double s = 2048, h = 12288, t = 8;
  auto j = job(8, true, dcsim::Recompute::Selective);
  const double bf16 = dcsim::layer_activation_bytes(j);
  j.precision = dcsim::Precision::Fp8;
  const double fp8 = dcsim::layer_activation_bytes(j);
  CHECK(bf16 - fp8 == Approx(s * (2 * h / t + h / t + 4 * h / t)).epsilon(1e-12));
}

TEST_CASE("transformer::memory: each recompute module drops exactly what it re-derives", "[models]")
{
  // A DeepSeek-V3-like MoE layer with latent attention, TP1, bf16, flash attention.
  dcsim::JobConfig j;
  auto& m = j.model;
  m.hidden = 7168, m.layers = 4, m.heads = 128, m.kv_heads = 128, m.seq_len = 4096, m.vocab = 129280;
  m.ffn = dcsim::FfnKind::SwiGlu, m.ffn_hidden = 2048, m.experts = 256, m.top_k = 8;
  m.explicit_head_dim = 128;
  m.latent_attention = {1536, 512, 64, 128}; // q_lora, kv_lora, rope, v_head
  j.batch.micro = 1, j.batch.global = 1;
  j.recompute = dcsim::Recompute::Selective;
  const double s = 4096, h = 7168, f = 2048, k = 8;
  const double q = 128.0 * (128 + 64), kk = q, v = 128.0 * 128; // Q, K, V widths
  const double all = dcsim::layer_activation_bytes(j);
  const auto without = [&](bool dcsim::RecomputeModules::*module) {
    auto copy = j;
    copy.recompute_modules.*module = true;
    return all - dcsim::layer_activation_bytes(copy);
  };
  CHECK(without(&dcsim::RecomputeModules::norms) == Approx(s * 2 * h * 2).epsilon(1e-12));
  CHECK(without(&dcsim::RecomputeModules::latent_up_projections) == Approx(s * 2 * (q + kk + v)).epsilon(1e-12));
  CHECK(without(&dcsim::RecomputeModules::expert_activation) == Approx(s * 2 * f * k).epsilon(1e-12));
  // With flash attention the core keeps nothing to drop; unfused, core_attn drops 5 a s bytes per token.
  auto unfused = j;
  unfused.attention = dcsim::AttentionKernel::Unfused;
  unfused.recompute_modules.core_attention = false;
  const double kept = dcsim::layer_activation_bytes(unfused);
  unfused.recompute_modules.core_attention = true;
  CHECK(kept - dcsim::layer_activation_bytes(unfused) == Approx(s * 5 * 128 * s).epsilon(1e-12));
}

TEST_CASE("transformer::memory: DeepSeek-V3's published layout fits the 80 GiB its GPUs had", "[models]")
{
  // scenarios/bench/deepseek-v3-2048.yaml: 2,048 H800s, PP16 EP64, FP8, the paper's recomputation
  // (RMSNorm, MLA up-projections, SwiGLU outputs). DeepSeek-AI trained it so; without FP8 caching
  // and the recompute modules the model put 122 GiB on a GPU.
  const auto config =
      dcsim::load_scenario(dcsim::test::repo_path("scenarios/bench/deepseek-v3-2048.yaml"), dcsim::LoadOptions{});
  const auto& job = config.jobs[0];
  const double gib = 1024.0 * 1024 * 1024;
  const auto mem = dcsim::estimate_memory(job);
  INFO("pipeline rank " << mem.stage << ": " << mem.total_bytes() / gib << " GiB");
  CHECK(mem.total_bytes() <= 80 * gib);
  CHECK(mem.total_bytes() / gib == Approx(59.9).epsilon(0.002));
  auto without = job;
  without.recompute_modules = {};
  without.precision = dcsim::Precision::Bf16;
  CHECK(dcsim::estimate_memory(without).total_bytes() > 80 * gib);
}
