// The measured GEMM surface: exact at its grid points, log-efficiency linear in log2 of each
// dimension between them (geometric means of the corners), clamped outside.
#include "compute/gemm_surface.hpp"

#include <catch2/catch.hpp>

#include <cmath>

namespace {

dcsim::GemmSurface two_by_two()
{
  // m: {256, 1024}, n: {128, 512}, k: {64}; efficiency rises with m and n.
  return {{256, 1024}, {128, 512}, {64}, {0.2, 0.4, 0.6, 0.8}};
}

} // namespace

TEST_CASE("models::GemmSurface: grid points, log-space interpolation and clamping", "[models]")
{
  const auto s = two_by_two();
  REQUIRE(s.check() == nullptr);
  CHECK(s.at(256, 128, 64) == Approx(0.2));
  CHECK(s.at(1024, 512, 64) == Approx(0.8));
  // 512 is halfway between 256 and 1024 in log2: the geometric mean of 0.2 and 0.6 at n = 128.
  CHECK(s.at(512, 128, 64) == Approx(std::sqrt(0.2 * 0.6)));
  // Both halfway: the geometric mean of the four corners.
  CHECK(s.at(512, 256, 64) == Approx(std::pow(0.2 * 0.4 * 0.6 * 0.8, 0.25)));
  // Outside the grid: the nearest edge; k has a single point.
  CHECK(s.at(64, 128, 4096) == Approx(0.2));
  CHECK(s.at(1 << 20, 1 << 20, 1) == Approx(0.8));
}

TEST_CASE("models::GemmSurface: malformed surfaces are reported", "[models]")
{
  auto s = two_by_two();
  s.efficiency.pop_back();
  CHECK(std::string(s.check()).find("efficiency.size()") != std::string::npos);
  s = two_by_two();
  s.m = {1024, 256};
  CHECK(std::string(s.check()).find("ascending") != std::string::npos);
}
