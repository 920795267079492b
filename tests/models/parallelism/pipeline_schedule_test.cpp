#include "parallelism/layer_split.hpp"
#include "parallelism/pipeline_schedule.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <vector>

using dcsim::PassKind;
using dcsim::PipelineSchedule;

namespace {

int total_layers(const std::vector<dcsim::ChunkLayers>& chunks)
{
  int total = 0;
  for (const auto& c : chunks)
    total += c.layers;
  return total;
}

} // namespace

TEST_CASE("parallelism::pipeline_steps: 1F1B warms up with p - rank - 1 forwards", "[models]")
{
  const auto steps = dcsim::pipeline_steps(PipelineSchedule::OneFOneB, 1, 4, 1, 8);
  REQUIRE(steps.size() == 16);
  for (int i = 0; i < 2; ++i)
    CHECK(steps[i].pass == PassKind::Forward);
  CHECK(steps[2].pass == PassKind::Forward); // first steady forward
  CHECK(steps[3].pass == PassKind::Backward);
  CHECK(steps[3].micro_batch == 0);
  CHECK(steps.back().pass == PassKind::Backward);
  CHECK(steps.back().micro_batch == 7);
}

TEST_CASE("parallelism::pipeline_steps: every micro-batch and chunk runs once each way", "[models]")
{
  for (auto schedule : {PipelineSchedule::GPipe, PipelineSchedule::OneFOneB, PipelineSchedule::Interleaved}) {
    const int v = schedule == PipelineSchedule::Interleaved ? 3 : 1;
    for (int rank = 0; rank < 4; ++rank) {
      const auto steps = dcsim::pipeline_steps(schedule, rank, 4, v, 8);
      REQUIRE(steps.size() == size_t(2 * 8 * v));
      for (auto pass : {PassKind::Forward, PassKind::Backward})
        for (int mb = 0; mb < 8; ++mb)
          for (int c = 0; c < v; ++c)
            CHECK(std::count_if(steps.begin(), steps.end(), [&](const auto& s) {
                    return s.pass == pass && s.micro_batch == mb && s.virtual_index == c;
                  }) == 1);
    }
  }
}

TEST_CASE("parallelism::pipeline_steps: interleaved warm-up is (p - rank - 1) * 2 + (v - 1) * p", "[models]")
{
  const auto steps = dcsim::pipeline_steps(PipelineSchedule::Interleaved, 0, 4, 2, 8);
  const auto first_backward = std::find_if(steps.begin(), steps.end(), [](const auto& s) { return s.pass == PassKind::Backward; });
  CHECK(first_backward - steps.begin() == (4 - 0 - 1) * 2 + (2 - 1) * 4 + 1);
  // The first group of p micro-batches goes through chunk 0, then chunk 1.
  CHECK(steps[0].virtual_index == 0);
  CHECK(steps[4].virtual_index == 1);
  CHECK(steps[4].micro_batch == 0);
}

TEST_CASE("parallelism::pipeline_steps: ZB-H1 is 1F1B with rank r's weight gradients r backwards late", "[models]")
{
  const int p = 4, m = 8;
  for (int rank = 0; rank < p; ++rank) {
    const auto steps = dcsim::pipeline_steps(PipelineSchedule::ZeroBubbleH1, rank, p, 1, m);
    REQUIRE(steps.size() == size_t(3 * m));
    // Without the W steps, the order is 1F1B's.
    std::vector<dcsim::PipelineStep> without_w;
    std::copy_if(steps.begin(), steps.end(), std::back_inserter(without_w),
                 [](const auto& s) { return s.pass != PassKind::WeightGradient; });
    const auto one_f_one_b = dcsim::pipeline_steps(PipelineSchedule::OneFOneB, rank, p, 1, m);
    REQUIRE(without_w.size() == one_f_one_b.size());
    for (size_t i = 0; i < without_w.size(); ++i) {
      CHECK(without_w[i].pass == one_f_one_b[i].pass);
      CHECK(without_w[i].micro_batch == one_f_one_b[i].micro_batch);
    }
    const auto index = [&](PassKind pass, int mb) {
      return std::find_if(steps.begin(), steps.end(), [&](const auto& s) { return s.pass == pass && s.micro_batch == mb; }) -
             steps.begin();
    };
    for (int mb = 0; mb < m; ++mb) {
      INFO("rank " << rank << ", micro-batch " << mb);
      // W(mb) runs right after B(mb + rank), or after the last B.
      const int trigger = std::min(mb + rank, m - 1);
      CHECK(index(PassKind::WeightGradient, mb) > index(PassKind::Backward, trigger));
      if (mb + rank < m)
        CHECK(index(PassKind::WeightGradient, mb) == index(PassKind::Backward, trigger) + 1);
    }
  }
  for (const auto& s : dcsim::pipeline_steps(PipelineSchedule::ZeroBubbleH1, 2, p, 1, m))
    CHECK(s.defers_weights == (s.pass == PassKind::Backward));
  for (const auto& s : dcsim::pipeline_steps(PipelineSchedule::OneFOneB, 2, p, 1, m))
    CHECK_FALSE(s.defers_weights);
}

TEST_CASE("parallelism::pipeline_steps: DualPipeV runs every pass once, pairs a forward with the other chunk's "
          "backward, and holds PP + 1 chunk activations",
          "[models]")
{
  for (const int p : {2, 4, 8}) {
    for (const int m : {2 * p, 2 * p + 3, 4 * p}) {
      for (int rank = 0; rank < p; ++rank) {
        INFO("p " << p << ", m " << m << ", rank " << rank);
        const auto steps = dcsim::pipeline_steps(PipelineSchedule::DualPipeV, rank, p, 2, m);
        const auto count = [&](PassKind pass, int mb, int chunk) {
          return std::count_if(steps.begin(), steps.end(), [&](const auto& s) {
            return s.pass == pass && s.micro_batch == mb && s.virtual_index == chunk;
          });
        };
        for (int chunk = 0; chunk < 2; ++chunk)
          for (int mb = 0; mb < m; ++mb) {
            CHECK(count(PassKind::Forward, mb, chunk) == 1);
            CHECK(count(PassKind::Backward, mb, chunk) == 1);
            const auto b = std::find_if(steps.begin(), steps.end(), [&](const auto& s) {
              return s.pass == PassKind::Backward && s.micro_batch == mb && s.virtual_index == chunk;
            });
            // A weight-gradient step exactly for the backwards that defer theirs, after them.
            CHECK(count(PassKind::WeightGradient, mb, chunk) == (b->defers_weights ? 1 : 0));
            if (b->defers_weights)
              CHECK(std::find_if(b, steps.end(), [&](const auto& s) {
                      return s.pass == PassKind::WeightGradient && s.micro_batch == mb && s.virtual_index == chunk;
                    }) != steps.end());
          }
        for (size_t i = 0; i < steps.size(); ++i)
          if (steps[i].with_next) {
            REQUIRE(i + 1 < steps.size());
            CHECK(steps[i].pass == PassKind::Forward);
            CHECK(steps[i + 1].pass == PassKind::Backward);
            CHECK(steps[i + 1].virtual_index != steps[i].virtual_index);
          }
        // deepseek-ai/DualPipe's table: activation per device PP + 1 (PP = 2p stages of one chunk).
        CHECK(dcsim::peak_in_flight(steps, 1.0, 0.0).passes == 2 * p + 1);
      }
    }
  }
}

TEST_CASE("parallelism::peak_in_flight: 1F1B holds p - rank passes, interleaved Megatron's warm-up + 1", "[models]")
{
  const int p = 4, m = 8, v = 2;
  for (int rank = 0; rank < p; ++rank) {
    CHECK(dcsim::peak_in_flight(dcsim::pipeline_steps(PipelineSchedule::OneFOneB, rank, p, 1, m), 1, 0).passes ==
          p - rank);
    CHECK(dcsim::peak_in_flight(dcsim::pipeline_steps(PipelineSchedule::Interleaved, rank, p, v, m), 1, 0).passes ==
          (p - rank - 1) * 2 + (v - 1) * p + 1);
    CHECK(dcsim::peak_in_flight(dcsim::pipeline_steps(PipelineSchedule::GPipe, rank, p, 1, m), 1, 0).passes == m);
  }
}

TEST_CASE("parallelism::split_layers: a V puts chunk c < p on rank c and chunk c >= p on rank 2p - 1 - c", "[models]")
{
  const auto chunks = dcsim::split_layers(16, 4, 2, dcsim::ChunkPlacement::V);
  REQUIRE(chunks.size() == 8);
  for (int c = 0; c < 8; ++c) {
    CHECK(chunks[c].stage == (c < 4 ? c : 7 - c));
    CHECK(chunks[c].virtual_index == c / 4);
    CHECK(chunks[c].layers == 2);
  }
  CHECK(chunks.front().has_embedding);
  CHECK(chunks.back().has_head); // both on rank 0
}

TEST_CASE("parallelism::split_layers: fixed first and last chunks, the rest split evenly between them", "[models]")
{
  // DeepSeek-V3's 61 layers on 16 ranks, the last rank's share cut to 1 (it also runs the output
  // layer and multi-token prediction): 60 layers over the other 15 ranks, 4 each.
  const auto last = dcsim::split_layers(61, 16, 1, dcsim::ChunkPlacement::Interleaved, -1, 1);
  CHECK(last.back().layers == 1);
  for (int c = 0; c < 15; ++c)
    CHECK(last[c].layers == 4);
  // Both ends fixed, and a V: 61 layers in 32 chunks with 0 on the first and 2 on the last.
  const auto v = dcsim::split_layers(61, 16, 2, dcsim::ChunkPlacement::V, 0, 2);
  CHECK(total_layers(v) == 61);
  CHECK(v.front().layers == 0);
  CHECK(v.back().layers == 2);
  CHECK(v[1].first_layer == 0);
  CHECK(v.back().first_layer == 59);
  // Unfixed ends keep the plain split.
  const auto plain = dcsim::split_layers(126, 8, 2);
  const auto same = dcsim::split_layers(126, 8, 2, dcsim::ChunkPlacement::Interleaved, -1, -1);
  for (size_t c = 0; c < plain.size(); ++c)
    CHECK(same[c].layers == plain[c].layers);
}

TEST_CASE("parallelism::split_layers: uneven layers go to the middle chunks", "[models]")
{
  // 126 layers (Llama 3 405B) into 8 ranks x 2 chunks: 126 = 16 x 7 + 14.
  const auto chunks = dcsim::split_layers(126, 8, 2);
  REQUIRE(chunks.size() == 16);
  CHECK(total_layers(chunks) == 126);
  CHECK(chunks.front().layers == 7);
  CHECK(chunks.back().layers == 7);
  CHECK(chunks[7].layers == 8);
  CHECK(chunks[9].stage == 1);
  CHECK(chunks[9].virtual_index == 1);
  CHECK(chunks.front().has_embedding);
  CHECK(chunks.back().has_head);
}
