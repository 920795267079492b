// Young/Daly checkpoint intervals against Daly's published points, and the checkpoint size
// against BLOOM-176B's (../shared/reference/reliability/published.yaml).
#include "reliability/checkpoint_interval.hpp"
#include "reliability/checkpoint_size.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace dcsim;

TEST_CASE("reliability: Daly's optimum checkpoint interval at his three published points (young_daly_checkpoint_interval)")
{
  // delta 5 min; M 24 h, 6 h, 15 min -> tau_opt 117, 57, 9.1 min (printed to 3 digits).
  const double delta = 5 * 60.0;
  CHECK(daly_interval_s(delta, 24 * 3600.0) / 60 == Approx(117).epsilon(0.005));
  CHECK(daly_interval_s(delta, 6 * 3600.0) / 60 == Approx(57).epsilon(0.01));
  CHECK(daly_interval_s(delta, 15 * 60.0) / 60 == Approx(9.1).epsilon(0.01));
  // Young's first order is Daly's leading term; past delta = 2M Daly checkpoints every M.
  CHECK(young_interval_s(delta, 24 * 3600.0) == Approx(std::sqrt(2 * delta * 24 * 3600.0)));
  CHECK(daly_interval_s(3 * 3600.0, 3600.0) == 3600.0);
}

TEST_CASE("reliability: Daly's expected wall time is lowest at his optimum and tends to T_s without failures")
{
  const double work = 500 * 3600.0, delta = 300, restart = 600, mtbi = 24 * 3600.0;
  const double best = daly_interval_s(delta, mtbi);
  const double at_best = daly_expected_wall_s(work, best, delta, restart, mtbi);
  CHECK(at_best < daly_expected_wall_s(work, best * 0.8, delta, restart, mtbi));
  CHECK(at_best < daly_expected_wall_s(work, best * 1.25, delta, restart, mtbi));
  // With failures ever rarer, only the checkpoints remain: T_s (1 + delta / tau).
  CHECK(daly_expected_wall_s(work, 3600, delta, restart, 1e12) == Approx(work * (1 + delta / 3600.0)).epsilon(1e-5));
}

TEST_CASE("reliability: a checkpoint holds 14 bytes per parameter, BLOOM-176B's 2.3 TB within 5% (checkpoint_sizes_and_times)")
{
  // BLOOM: 70 layers, hidden 14336, 112 heads, vocabulary 250,880, tied embeddings, ALiBi.
  ModelConfig bloom;
  bloom.hidden = 14336;
  bloom.layers = 70;
  bloom.heads = bloom.kv_heads = 112;
  bloom.seq_len = 2048;
  bloom.vocab = 250880;
  bloom.ffn_hidden = 4 * bloom.hidden;
  bloom.tied_embeddings = true;
  bloom.position_embedding = PositionEmbedding::Rotary; // no learned position table, as ALiBi
  // The README's sizes are binary: its "329GB" of bf16 weights is 176e9 x 2 bytes in GiB.
  const double tib = checkpoint_bytes(bloom) / std::pow(2.0, 40);
  INFO("BLOOM-176B checkpoint: " << tib << " TiB (published 2.3 TB)");
  CHECK(tib == Approx(2.3).epsilon(0.05));
}
