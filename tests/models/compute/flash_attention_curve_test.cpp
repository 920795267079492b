// FlashAttention's measured efficiency by sequence length: exact at its points, linear in log2
// of the length between them, the nearest end outside; and what the cost model does with it.
#include "compute/compute_cost_model.hpp"
#include "compute/flash_attention_curve.hpp"
#include "config/profile_loader.hpp"
#include "config/scenario_error.hpp"
#include "hardware/gpu_catalog.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

namespace {

dcsim::FlashAttentionCurve measured()
{
  return {{2048, 8192}, {0.30, 0.34}, {0.20, 0.30}};
}

/// The shipped H200 profile with its flash_attention line replaced by `fa`.
std::string h200_profile_with(const std::string& fa)
{
  std::string text = dcsim::test::slurp(dcsim::test::repo_path("calibration/profiles/h200-sxm.yaml"));
  const size_t at = text.find("flash_attention:");
  REQUIRE(at != std::string::npos);
  text.replace(at, text.find('\n', at) - at, "flash_attention: " + fa);
  return text;
}

} // namespace

TEST_CASE("models::FlashAttentionCurve: points, log2 interpolation and the ends", "[models]")
{
  const auto c = measured();
  REQUIRE(c.check() == nullptr);
  CHECK(c.efficiency(2048, false) == Approx(0.30));
  CHECK(c.efficiency(8192, true) == Approx(0.30));
  // 4096 is halfway between 2048 and 8192 in log2.
  CHECK(c.efficiency(4096, false) == Approx(0.32));
  CHECK(c.efficiency(4096, true) == Approx(0.25));
  CHECK(c.efficiency(512, true) == Approx(0.20));
  CHECK(c.efficiency(131072, false) == Approx(0.34));
}

TEST_CASE("models::FlashAttentionCurve: malformed curves are reported", "[models]")
{
  auto c = measured();
  c.backward.pop_back();
  CHECK(std::string(c.check()).find("one forward and one backward") != std::string::npos);
  c = measured();
  c.seq_len = {8192, 2048};
  CHECK(std::string(c.check()).find("ascending") != std::string::npos);
  c = measured();
  c.forward[0] = 1.5;
  CHECK(std::string(c.check()).find("(0, 1]") != std::string::npos);
}

TEST_CASE("models::ComputeCostModel: a profile's FlashAttention curve sets the kernel's efficiency by its length",
          "[models]")
{
  const auto gpu = *dcsim::find_gpu("H200-SXM-141GB");
  dcsim::Diagnostics diagnostics;
  const auto with_curve = dcsim::parse_profile(
      h200_profile_with("{forward_efficiency: 0.35, backward_efficiency: 0.3, seq_len: [2048, 8192], "
                        "forward: [0.30, 0.34], backward: [0.20, 0.30]}"),
      "<test>", diagnostics);
  diagnostics.throw_if_any();
  const dcsim::ComputeCostModel model(gpu, with_curve, dcsim::Precision::Bf16);
  const double peak = gpu.peak_bf16_flop_per_s * with_curve.sustained_clock_fraction;
  dcsim::Op op;
  op.kind = dcsim::OpKind::FlashAttention;
  op.flops = 1e12;
  op.backward = true;
  op.seq_len = 4096;
  CHECK(model.kernel_seconds(op) == Approx(1e12 / (peak * 0.25)).epsilon(1e-12));
  op.seq_len = 0; // an op that does not say: the profile's constant
  CHECK(model.kernel_seconds(op) == Approx(1e12 / (peak * 0.3)).epsilon(1e-12));
}

TEST_CASE("profiles: a FlashAttention curve that does not add up is one error at the key", "[models]")
{
  const auto error = [](const std::string& fa) {
    dcsim::Diagnostics diagnostics;
    dcsim::parse_profile(h200_profile_with(fa), "p.yaml", diagnostics);
    try {
      diagnostics.throw_if_any();
    } catch (const dcsim::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error("{seq_len: [2048, 4096], forward: [0.3, 0.3], backward: [0.2]}")
            .find(": flash_attention.seq_len: needs one forward and one backward efficiency") !=
        std::string::npos);
  CHECK(error("{seq_len: [4096, 2048], forward: [0.3, 0.3], backward: [0.2, 0.2]}").find("ascending") !=
        std::string::npos);
  CHECK(error("{seq_len: [2048], backward: [0.2]}").find("flash_attention.forward") != std::string::npos);
  // A list that does not read is the one error: the curve's shape is not checked on top of it.
  const std::string unreadable = error("{seq_len: [2048, x], forward: [0.3, 0.3], backward: [0.2, 0.2]}");
  CHECK(unreadable.find("flash_attention.seq_len: has an element that is not a number") != std::string::npos);
  CHECK(unreadable.find("needs") == std::string::npos);
  CHECK(error("{forward_efficiency: 0.35, backward_efficiency: 0.3}").empty());
}
