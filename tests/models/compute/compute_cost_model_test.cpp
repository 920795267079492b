// The GEMM efficiency surface against published GEMM measurements
// (../shared/reference/hardware/published.yaml). Each check states the tolerance it uses; the
// table printed by the first test shows every error.
#include "compute/compute_cost_model.hpp"
#include "config/profile_loader.hpp"
#include "hardware/gpu_catalog.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

namespace {

/// The cost model under micro-benchmark conditions: one GPU running short bursts at full clock,
/// so the profile's sustained-load clock derating (fitted on training runs) does not apply.
dcsim::ComputeCostModel model(const std::string& gpu, const std::string& profile, dcsim::Precision p)
{
  auto gpu_profile = *dcsim::builtin_profile(profile);
  gpu_profile.sustained_clock_fraction = 1.0;
  return dcsim::ComputeCostModel(*dcsim::find_gpu(gpu), gpu_profile, p);
}

/// TFLOP/s a back-to-back GEMM benchmark would report: FLOPs over kernel time plus launch gap.
double tflops(const dcsim::ComputeCostModel& m, long long M, long long N, long long K, long long batch = 1,
              double element_bytes = 2)
{
  const auto op = dcsim::Op::gemm("gemm", M, N, K, batch, element_bytes);
  return op.flops / (m.kernel_seconds(op) + m.profile().kernel_overhead_s) / 1e12;
}

struct Point {
  const char* what;
  double predicted, measured, tolerance;
};

void check_points(const char* title, const std::vector<Point>& points)
{
  std::printf("\n%s\n%-40s %10s %10s %8s %6s\n", title, "shape", "predicted", "measured", "error", "bound");
  for (const auto& p : points) {
    const double error = (p.predicted - p.measured) / p.measured;
    std::printf("%-40s %10.1f %10.1f %+7.1f%% %5.0f%%\n", p.what, p.predicted, p.measured, 100 * error,
                100 * p.tolerance);
    INFO(p.what << ": predicted " << p.predicted << " TFLOP/s, measured " << p.measured);
    CHECK(std::fabs(error) <= p.tolerance);
  }
}

} // namespace

TEST_CASE("compute::GEMM model: A100 square GEMMs (cuBLAS, CUDA 11) within 20% + reading error", "[models][reference]")
{
  // a100_cublas_gemm_vs_size: digitized by eye from a plot, +/-10 TFLOP/s (confidence low), so
  // each bound is 20% plus that reading error relative to the value.
  const auto m = model("A100-SXM-80GB", "a100-sxm", dcsim::Precision::Bf16);
  std::vector<std::string> labels;
  std::vector<Point> points;
  for (auto [n, measured] : std::vector<std::pair<int, double>>{
           {1024, 88}, {2048, 195}, {3072, 235}, {4096, 258}, {6144, 277}, {8192, 290}}) {
    labels.push_back("A100 " + std::to_string(n) + "^3");
    points.push_back({nullptr, tflops(m, n, n, n), measured, 0.20 + 10.0 / measured});
  }
  for (size_t i = 0; i < points.size(); ++i)
    points[i].what = labels[i].c_str();
  check_points("A100 cuBLAS square GEMMs, TFLOP/s", points);
}

TEST_CASE("compute::GEMM model: best-shape matmul (mamf-finder) within 10%", "[models][reference]")
{
  const auto a100 = model("A100-SXM-80GB", "a100-sxm", dcsim::Precision::Bf16);
  const auto h100 = model("H100-SXM-80GB", "h100-sxm", dcsim::Precision::Bf16);
  const auto h100_fp8 = model("H100-SXM-80GB", "h100-sxm", dcsim::Precision::Fp8);
  const auto b200 = model("B200", "b200", dcsim::Precision::Bf16);
  const auto b200_fp8 = model("B200", "b200", dcsim::Precision::Fp8);
  // The GB200 and B300 rows, and B200's fp8 row, set their profiles' peak efficiencies (a fit, not
  // a check: one point each).
  const auto gb200 = model("GB200", "gb200", dcsim::Precision::Bf16);
  const auto gb200_fp8 = model("GB200", "gb200", dcsim::Precision::Fp8);
  const auto b300 = model("B300", "b300", dcsim::Precision::Bf16);
  const auto b300_fp8 = model("B300", "b300", dcsim::Precision::Fp8);
  check_points("Maximum achievable matmul (mamf_*), TFLOP/s",
               {{"A100 bf16 1024x10240x5120", tflops(a100, 1024, 10240, 5120), 271.2, 0.10},
                {"H100 bf16 2048x2048x13312", tflops(h100, 2048, 2048, 13312), 794.5, 0.10},
                {"H100 fp8 1024x9216x14336", tflops(h100_fp8, 1024, 9216, 14336, 1, 1), 1402.6, 0.10},
                {"B200 bf16 1792x16128x3072", tflops(b200, 1792, 16128, 3072), 1745.0, 0.10},
                {"B200 fp8 15360x4096x3072", tflops(b200_fp8, 15360, 4096, 3072, 1, 1), 3432.5, 0.10},
                {"GB200 bf16 4096x9728x2048", tflops(gb200, 4096, 9728, 2048), 1822.0, 0.10},
                {"GB200 fp8 19456x5120x1536", tflops(gb200_fp8, 19456, 5120, 1536, 1, 1), 3615.6, 0.10},
                {"B300 bf16 12288x18432x1024", tflops(b300, 12288, 18432, 1024), 1769.0, 0.10},
                {"B300 fp8 3072x6144x7168", tflops(b300_fp8, 3072, 6144, 7168, 1, 1), 3353.3, 0.10}});
}

TEST_CASE("compute::GEMM model: B200 cuBLAS sizes (pyptx's table) within 10%, 2048^3 within 20%", "[models][reference]")
{
  // b200_cublas_gemm_sizes. The b200 profile's k_half (64) was chosen on these and the best
  // shapes; its bf16 peak (0.79) is their median need. 2048^3 (a 17-GFLOP kernel) comes out fast:
  // small Blackwell GEMMs lose more than the model's launch gap and wave quantization say.
  const auto b200 = model("B200", "b200", dcsim::Precision::Bf16);
  check_points("B200 cuBLAS bf16 GEMMs (PyTorch 2.8, CUDA 12.8), TFLOP/s",
               {{"B200 2048^3", tflops(b200, 2048, 2048, 2048), 1006, 0.20},
                {"B200 4096^3", tflops(b200, 4096, 4096, 4096), 1532, 0.10},
                {"B200 4096x8192x8192", tflops(b200, 4096, 8192, 8192), 1652, 0.10},
                {"B200 8192x4096x8192", tflops(b200, 8192, 4096, 8192), 1648, 0.10},
                {"B200 8192^3", tflops(b200, 8192, 8192, 8192), 1610, 0.10}});
}

TEST_CASE("compute::GEMM model: throughput grows with K as on H800 (M = N = 8192) within 15%", "[models][reference]")
{
  // h800_tilelang_fp16_gemm_vs_k: TileLang kernels on H800 (989 TFLOP/s peak like H100); the
  // check is on the shape of the curve: each point relative to the K = 16384 point.
  const auto m = model("H100-SXM-80GB", "h100-sxm", dcsim::Precision::Fp16);
  const double top = tflops(m, 8192, 8192, 16384);
  std::vector<Point> points;
  std::vector<std::string> labels;
  for (auto [k, measured] : std::vector<std::pair<int, double>>{
           {256, 386}, {512, 520}, {1024, 628}, {2048, 705}, {4096, 736}, {8192, 758}}) {
    labels.push_back("K=" + std::to_string(k) + " / K=16384");
    points.push_back({nullptr, 100 * tflops(m, 8192, 8192, k) / top, 100 * measured / 766.0, 0.15});
  }
  for (size_t i = 0; i < points.size(); ++i)
    points[i].what = labels[i].c_str();
  check_points("H800 GEMM vs K, % of the K=16384 throughput", points);
}

TEST_CASE("compute::GEMM model: a dimension that is not a multiple of 8 takes the slow path", "[models][reference]")
{
  // h100_swiglu_mlp_dff_sensitivity: d_ff = 10922 runs at 272.7 TFLOP/s, 10944 at 398.4 (0.685x).
  const auto m = model("H100-SXM-80GB", "h100-sxm", dcsim::Precision::Fp16);
  const double ratio = tflops(m, 4096, 4096, 10922, 4) / tflops(m, 4096, 4096, 10944, 4);
  CHECK(ratio == Approx(272.73 / 398.38).epsilon(0.05));
}

TEST_CASE("compute::ComputeCostModel: memory-bound kernels stream at the profile's share of HBM bandwidth", "[models]")
{
  const auto m = model("H100-SXM-80GB", "h100-sxm", dcsim::Precision::Bf16);
  const auto op = dcsim::Op::memory("copy", 3.35e9);
  CHECK(m.kernel_seconds(op) == Approx(1e-3 / m.profile().memory_bound_efficiency));
}

TEST_CASE("compute::memory-bound kernels: element-wise kernels and GEMMs whose bytes outlast their FLOPs", "[models]")
{
  // H100 at 3.35 TB/s x the profile's memory efficiency. A 8192^3 GEMM is compute-bound; a
  // matrix-vector product (m = 1) moves its 8192 x 8192 weights for 2 x 8192^2 FLOPs: memory-bound.
  const auto m = model("H100-SXM-80GB", "h100-sxm", dcsim::Precision::Bf16);
  const auto big = dcsim::Op::gemm("big", 8192, 8192, 8192, 1, 2);
  const auto gemv = dcsim::Op::gemm("gemv", 1, 8192, 8192, 1, 2);
  const auto norm = dcsim::Op::memory("layernorm", 64.0 * 1024 * 1024);
  CHECK_FALSE(m.memory_bound(big));
  CHECK(m.memory_bound(gemv));
  CHECK(m.memory_bound(norm));
  CHECK(m.kernel_seconds(gemv) == Approx(gemv.bytes / m.memory_bandwidth_bytes_per_s()).epsilon(1e-12));
  // The memory-bound part of a sequence is those kernels' time, launch gaps included.
  const double gap = m.profile().kernel_overhead_s;
  CHECK(m.memory_bound_seconds({big, gemv, norm}) ==
        Approx(m.kernel_seconds(gemv) + m.kernel_seconds(norm) + 2 * gap).epsilon(1e-12));
  CHECK(m.memory_bound_seconds({big}) == 0);
}
