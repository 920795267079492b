// Expert-parallel traffic per MoE layer and micro-batch (models/parallelism/expert_dispatch.hpp).
#include "parallelism/expert_dispatch.hpp"

#include <catch2/catch.hpp>

namespace {
dcsim::JobConfig job(int expert, int tensor)
{
  dcsim::JobConfig j;
  j.model.hidden = 4096, j.model.layers = 4, j.model.heads = 32, j.model.kv_heads = 8;
  j.model.seq_len = 4096, j.model.vocab = 32000, j.model.ffn_hidden = 14336;
  j.model.experts = 8, j.model.top_k = 2;
  j.parallelism.tensor = tensor, j.parallelism.sequence_parallel = tensor > 1, j.parallelism.expert = expert;
  j.parallelism.data = 8;
  j.batch.micro = 2, j.batch.global = 16;
  return j;
}
} // namespace

TEST_CASE("expert_dispatch: dispatch and combine all-to-alls of each token's top_k copies", "[models]")
{
  const auto calls = dcsim::expert_dispatch_calls(job(8, 1), 2.0);
  REQUIRE(calls.forward.size() == 1);
  CHECK(calls.forward[0].kind == dcsim::CollectiveKind::AllToAll);
  CHECK(calls.forward[0].count == 2);                                 // dispatch, combine
  CHECK(calls.forward[0].bytes == Approx(2.0 * 4096 * 2 * 4096 * 2)); // micro x seq x top_k x h x e
  REQUIRE(calls.backward.size() == 1);
  CHECK(calls.backward[0].bytes == Approx(calls.forward[0].bytes));
  // Under sequence parallelism each tensor rank dispatches its 1/t of the tokens.
  CHECK(dcsim::expert_dispatch_bytes(job(8, 4), 2.0) == Approx(calls.forward[0].bytes / 4));
  CHECK(dcsim::expert_dispatch_calls(job(1, 1), 2.0).forward.empty());
}

TEST_CASE("expert_dispatch: the busiest rank's imbalance stretches the exchange; one rank has none", "[models]")
{
  auto skewed = job(8, 1);
  skewed.model.routing_imbalance = 1.5;
  CHECK(dcsim::expert_dispatch_bytes(skewed, 2.0) == Approx(1.5 * dcsim::expert_dispatch_bytes(job(8, 1), 2.0)));
  CHECK(skewed.model.critical_routing(1) == 1.0); // all experts on every rank: no rank waits
}

TEST_CASE("expert_dispatch: hierarchical dispatch crosses the network once per token and other node", "[models]")
{
  // DeepSeek-V3's routing: 256 experts, top 8, over 8 nodes.
  dcsim::ModelConfig m;
  m.experts = 256, m.top_k = 8;
  // Node-limited to 4 nodes: 4 x 7/8 other nodes per token.
  m.routing_nodes = 4;
  CHECK(dcsim::remote_nodes_per_token(m, 8) == Approx(3.5));
  const dcsim::CollectiveCall flat{dcsim::CollectiveKind::AllToAll, 8e6, 2};
  const auto steps = dcsim::hierarchical_dispatch(flat, m, 8);
  // 1e6 bytes per copy x 3.5 other nodes, as an all-to-all over 8 ranks (it sends 7/8 of its bytes).
  CHECK(steps.network.bytes == Approx(1e6 * 3.5 * 8 / 7));
  CHECK(steps.network.count == 2);
  CHECK(steps.node.bytes == Approx(8e6)); // every copy one NVLink hop (as an all-to-all in the node)
  // Fewer experts per token than the limit: at most top_k nodes.
  m.top_k = 2;
  CHECK(dcsim::remote_nodes_per_token(m, 8) == Approx(2 * 7.0 / 8));
  // Unlimited: 8 of 256 experts drawn without replacement miss a given node (32 experts) with
  // probability prod_{i<8} (224 - i) / (256 - i) = 0.338168: 8 x 0.661832 x 7/8 = 4.63282.
  m.top_k = 8, m.routing_nodes = 0;
  CHECK(dcsim::remote_nodes_per_token(m, 8) == Approx(4.63282).epsilon(1e-5));
}

TEST_CASE("expert_dispatch: FP8 dispatch sends tokens to the experts in FP8, the combine in the activations' type",
          "[models]")
{
  auto fp8 = job(8, 1);
  fp8.parallelism.fp8_dispatch = true;
  const auto calls = dcsim::expert_dispatch_calls(fp8, 2.0);
  const double bf16 = 2.0 * 4096 * 2 * 4096 * 2; // micro x seq x top_k x h x e
  // One byte per element plus a 4-byte scale per 128 (DeepSeek-V3's 1 x 128 tiles) toward the
  // experts, bf16 back: one call of the two, each of their mean size.
  REQUIRE(calls.forward.size() == 1);
  CHECK(calls.forward[0].count == 2);
  CHECK(calls.forward[0].bytes == Approx((bf16 / 2 * (1 + 4.0 / 128) + bf16) / 2));
  REQUIRE(calls.backward.size() == 1);
  CHECK(calls.backward[0].bytes == Approx(calls.forward[0].bytes)); // the combine's gradient in FP8, the dispatch's
}
