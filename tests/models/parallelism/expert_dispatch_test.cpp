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
