// A layer's kernels under context parallelism: every token-wise kernel on T/c tokens, the
// attention core on 1/c of the causal work, whichever way keys and values travel.
#include "transformer/layer_ops.hpp"

#include <catch2/catch.hpp>

namespace {
dcsim::ModelConfig model()
{
  dcsim::ModelConfig m;
  m.hidden = 4096, m.layers = 1, m.heads = 32, m.kv_heads = 8, m.seq_len = 32768, m.vocab = 32000;
  m.ffn_hidden = 14336, m.ffn = dcsim::FfnKind::SwiGlu;
  return m;
}
dcsim::LayerContext context(int c, dcsim::ContextExchange exchange, dcsim::AttentionKernel kernel)
{
  return {1, 4, true, kernel, 2.0, c, exchange};
}
double flops(const std::vector<dcsim::Op>& ops)
{
  double total = 0;
  for (const auto& op : ops)
    total += op.flops;
  return total;
}
const dcsim::Op& named(const std::vector<dcsim::Op>& ops, const std::string& name)
{
  for (const auto& op : ops)
    if (op.name == name)
      return op;
  throw std::runtime_error("no op " + name);
}
} // namespace

TEST_CASE("layer_ops: context parallelism divides a layer's FLOPs by c for every exchange", "[models]")
{
  using dcsim::ContextExchange;
  for (auto kernel : {dcsim::AttentionKernel::Flash, dcsim::AttentionKernel::Unfused}) {
    const auto one = dcsim::transformer_layer_ops(model(), context(1, ContextExchange::Ring, kernel));
    for (auto exchange : {ContextExchange::Ring, ContextExchange::AllGather, ContextExchange::AllToAll}) {
      const auto four = dcsim::transformer_layer_ops(model(), context(4, exchange, kernel));
      CHECK(flops(four.forward) == Approx(flops(one.forward) / 4).epsilon(1e-12));
      CHECK(flops(four.backward) == Approx(flops(one.backward) / 4).epsilon(1e-12));
      CHECK(flops(four.attention_forward) == Approx(flops(one.attention_forward) / 4).epsilon(1e-12));
    }
  }
}

TEST_CASE("layer_ops: causal flash attention of T/c queries against all T keys", "[models]")
{
  const auto ops = dcsim::transformer_layer_ops(
      model(), context(4, dcsim::ContextExchange::AllGather, dcsim::AttentionKernel::Flash));
  const double s = 32768, d = 128, heads_per_rank = 32 / 4;
  // Half of 4 s_q s_k d per head (the triangle), s_q = s/4.
  CHECK(named(ops.forward, "flash_attention").flops == Approx(0.5 * 4 * heads_per_rank * (s / 4) * s * d));
  CHECK(named(ops.forward, "qkv").m == 32768 / 4);
  CHECK(named(ops.forward, "mlp_down").m == 32768 / 4);
  REQUIRE(ops.attention_backward.size() == 1);
  CHECK(ops.attention_backward[0].flops == Approx(2.5 * ops.attention_forward[0].flops));
}

TEST_CASE("layer_ops: Ulysses attends all T queries of a/(t c) heads", "[models]")
{
  const auto ops = dcsim::transformer_layer_ops(
      model(), context(4, dcsim::ContextExchange::AllToAll, dcsim::AttentionKernel::Unfused));
  const auto& scores = named(ops.forward, "attention_scores");
  CHECK(scores.m == 32768);
  CHECK(scores.n == 32768);
  CHECK(scores.batch == 32 / 4 / 4);
  const auto ring = dcsim::transformer_layer_ops(
      model(), context(4, dcsim::ContextExchange::Ring, dcsim::AttentionKernel::Unfused));
  CHECK(named(ring.forward, "attention_scores").m == 32768 / 4);
  CHECK(named(ring.forward, "attention_scores").batch == 32 / 4);
}

TEST_CASE("layer_ops: a mixture-of-experts layer runs top_k x the MLP FLOPs in experts/ep grouped GEMMs", "[models]")
{
  auto moe = model();
  moe.experts = 8, moe.top_k = 2;
  dcsim::LayerContext c{1, 1, false, dcsim::AttentionKernel::Flash, 2.0};
  c.expert = 4;
  const auto dense = dcsim::transformer_layer_ops(model(), c);
  const auto experts = dcsim::transformer_layer_ops(moe, c);
  const auto& up = named(experts.forward, "expert_up");
  CHECK(up.batch == 8 / 4);             // this rank's experts
  CHECK(up.m == 32768LL * 2 * 4 / 8);   // T k ep / E tokens each
  CHECK(up.n == 2 * 14336);             // gate and up (SwiGLU)
  const double mlp = flops({named(dense.forward, "mlp_up"), named(dense.forward, "mlp_down")});
  CHECK(flops({up, named(experts.forward, "expert_down")}) == Approx(2 * mlp).epsilon(1e-12));
  CHECK(named(experts.forward, "router").n == 8);
  CHECK(flops(experts.backward) > 2 * flops(experts.forward) * 0.99); // dgrad + wgrad of every GEMM
}

TEST_CASE("layer_ops: a shared expert runs on every token beside the routed ones", "[models]")
{
  auto moe = model();
  moe.experts = 8, moe.top_k = 2, moe.shared_expert_ffn_hidden = 4096;
  dcsim::LayerContext c{1, 4, true, dcsim::AttentionKernel::Flash, 2.0};
  const auto ops = dcsim::transformer_layer_ops(moe, c);
  const auto& up = named(ops.forward, "shared_expert_up");
  CHECK(up.m == 32768);
  CHECK(up.n == 2 * 4096 / 4); // gate and up, split over the tensor ranks
  CHECK(named(ops.backward, "shared_expert_down.dgrad").flops == Approx(named(ops.forward, "shared_expert_down").flops));
}

TEST_CASE("layer_ops: routing imbalance gives the busiest expert rank's GEMMs more tokens", "[models]")
{
  auto moe = model();
  moe.experts = 8, moe.top_k = 2;
  dcsim::LayerContext c{1, 1, false, dcsim::AttentionKernel::Flash, 2.0};
  c.expert = 4;
  const auto balanced = dcsim::transformer_layer_ops(moe, c);
  moe.routing_imbalance = 1.25;
  const auto skewed = dcsim::transformer_layer_ops(moe, c);
  CHECK(named(skewed.forward, "expert_up").m == Approx(1.25 * named(balanced.forward, "expert_up").m).epsilon(1e-4));
  CHECK(named(skewed.forward, "qkv").m == named(balanced.forward, "qkv").m);
}

TEST_CASE("layer_ops: latent attention projects into replicated latents, then splits heads over the tensor ranks",
          "[models]")
{
  // DeepSeek-V3's attention (t = 4, 32,768 tokens): the down-projections run whole on every
  // rank, the up- and output projections on 1/t; flash attention over 128/t heads with query-key
  // size 192 and value size 128.
  dcsim::ModelConfig m = model();
  m.hidden = 7168, m.heads = 128, m.kv_heads = 128, m.explicit_head_dim = 128;
  m.latent_attention = {1536, 512, 64, 128};
  const auto ops = dcsim::transformer_layer_ops(m, context(1, dcsim::ContextExchange::Ring, dcsim::AttentionKernel::Flash));
  const double T = 32768, t = 4;
  CHECK(named(ops.forward, "q_down").flops == Approx(2 * T * 7168 * 1536));
  CHECK(named(ops.forward, "kv_down").flops == Approx(2 * T * 7168 * 576));
  CHECK(named(ops.forward, "q_up").flops == Approx(2 * T * 1536 * 24576 / t));
  CHECK(named(ops.forward, "kv_up").flops == Approx(2 * T * 512 * 32768 / t));
  CHECK(named(ops.forward, "attention_out").flops == Approx(2 * T * 16384 * 7168 / t));
  CHECK(named(ops.forward, "flash_attention").flops == Approx(0.5 * 2 * T * T * (128 / t) * (192 + 128)));
  named(ops.forward, "q_down_norm"); // the latents' RMSNorms
  named(ops.backward, "kv_down_norm.backward");
  CHECK(named(ops.backward, "q_down.wgrad").flops == Approx(2 * T * 7168 * 1536));
}
