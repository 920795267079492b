// Context-parallel traffic per layer and micro-batch against the formulas of
// models/parallelism/context_exchange.hpp: T tokens per sequence, c ranks, t tensor ranks,
// kv = 2 h_kv / t, e bytes per element.
#include "parallelism/context_exchange.hpp"

#include <catch2/catch.hpp>

namespace {
dcsim::JobConfig job(int context, dcsim::ContextExchange exchange)
{
  dcsim::JobConfig j;
  j.model.hidden = 8192, j.model.layers = 8, j.model.heads = 64, j.model.kv_heads = 8;
  j.model.seq_len = 65536, j.model.vocab = 32000, j.model.ffn_hidden = 28672;
  j.parallelism.tensor = 4, j.parallelism.context = context, j.parallelism.context_exchange = exchange;
  j.batch.micro = 1, j.batch.global = 1;
  return j;
}
constexpr double T = 65536, e = 2, t = 4, kv = 2.0 * 1024 / t; // h_kv = 8 heads x 128
} // namespace

TEST_CASE("context_exchange: ring hands each rank's keys and values on c-1 times", "[models]")
{
  const auto calls = dcsim::context_exchange_calls(job(8, dcsim::ContextExchange::Ring), e);
  REQUIRE(calls.forward.size() == 1);
  CHECK(calls.forward[0].kind == dcsim::CollectiveKind::SendRecv);
  CHECK(calls.forward[0].bytes == Approx(T / 8 * kv * e));
  CHECK(calls.forward[0].count == 7);
  REQUIRE(calls.backward.size() == 1);
  CHECK(calls.backward[0].bytes == Approx(2 * T / 8 * kv * e)); // keys/values and their gradients
  CHECK(calls.backward[0].count == 7);
  CHECK(calls.overlaps_attention);
}

TEST_CASE("context_exchange: all_gather gathers K and V forward, again and reduce-scatters backward", "[models]")
{
  const auto calls = dcsim::context_exchange_calls(job(8, dcsim::ContextExchange::AllGather), e);
  REQUIRE(calls.forward.size() == 1);
  CHECK(calls.forward[0].kind == dcsim::CollectiveKind::AllGather);
  CHECK(calls.forward[0].bytes == Approx(T * kv * e)); // the gathered array
  REQUIRE(calls.backward.size() == 2);
  CHECK(calls.backward[0].kind == dcsim::CollectiveKind::AllGather);
  CHECK(calls.backward[1].kind == dcsim::CollectiveKind::ReduceScatter);
  CHECK(calls.backward[1].bytes == Approx(T * kv * e));
  CHECK_FALSE(calls.overlaps_attention);
}

TEST_CASE("context_exchange: all_to_all moves Q, K, V and the output; GQA heads replicated up to c", "[models]")
{
  // 8 KV heads / t = 2 per tensor rank; with c = 4 each context rank still needs one: 4 move.
  const auto calls = dcsim::context_exchange_calls(job(4, dcsim::ContextExchange::AllToAll), e);
  REQUIRE(calls.forward.size() == 2);
  CHECK(calls.forward[0].kind == dcsim::CollectiveKind::AllToAll);
  CHECK(calls.forward[0].bytes == Approx(T / 4 * (8192 / t + 2 * 4 * 128) * e));
  CHECK(calls.forward[1].bytes == Approx(T / 4 * 8192 / t * e));
  CHECK(calls.backward.size() == 2);
  // c = 2: the 2 local KV heads split without replication.
  const auto two = dcsim::context_exchange_calls(job(2, dcsim::ContextExchange::AllToAll), e);
  CHECK(two.forward[0].bytes == Approx(T / 2 * (8192 / t + kv) * e));
}

TEST_CASE("context_exchange: no traffic without context parallelism", "[models]")
{
  const auto calls = dcsim::context_exchange_calls(job(1, dcsim::ContextExchange::AllGather), e);
  CHECK(calls.forward.empty());
  CHECK(calls.backward.empty());
}

TEST_CASE("context_exchange: latent attention exchanges the up-projected keys (d + rope) and values", "[models]")
{
  // DeepSeek-V3's attention: per head keys 128 + 64, values 128, 128 heads; t = 4.
  auto j = job(8, dcsim::ContextExchange::AllGather);
  j.model.hidden = 7168, j.model.heads = 128, j.model.kv_heads = 128, j.model.explicit_head_dim = 128;
  j.model.latent_attention = {1536, 512, 64, 128};
  const auto calls = dcsim::context_exchange_calls(j, e);
  CHECK(calls.forward[0].bytes == Approx(T * 128 * (192 + 128) / t * e));
  j.parallelism.context_exchange = dcsim::ContextExchange::AllToAll;
  const auto ulysses = dcsim::context_exchange_calls(j, e);
  // 32 heads per tensor rank, >= c: queries (192 each), keys and values move, then the output.
  CHECK(ulysses.forward[0].bytes == Approx(T / 8 * (128.0 * 192 / t + 32 * (192 + 128)) * e));
  CHECK(ulysses.forward[1].bytes == Approx(T / 8 * 128.0 * 128 / t * e));
}
