// Alpha-beta fits per operation and size range on synthetic lines, and their translation into
// a profile's protocol parameters.
#include "fit/collective_fit.hpp"

#include <catch2/catch.hpp>

namespace {

using dcsim::calibration::CollectiveSample;

/// An all-reduce on n ranks whose time per range follows alpha + steps-dependent latency + beta S.
std::vector<CollectiveSample> synthetic_all_reduce(int n, double base_s, double hop_s, double bytes_per_s)
{
  std::vector<CollectiveSample> out;
  for (double s = 8; s <= 1 << 30; s *= 2) {
    const double protocol_slowdown = s < 65536 ? 4.0 : s < 4 << 20 ? 1.25 : 1.0;
    out.push_back({"allreduce", n, s, base_s + 2 * (n - 1) * hop_s + 2.0 * (n - 1) / n * s * protocol_slowdown / bytes_per_s});
  }
  return out;
}

} // namespace

TEST_CASE("calibration::fit_collectives: one exact line per operation, GPU count and size range", "[calibration]")
{
  const auto fits = dcsim::calibration::fit_collectives(synthetic_all_reduce(8, 20e-6, 2e-6, 200e9));
  REQUIRE(fits.size() == 3);
  for (const auto& f : fits) {
    CHECK(f.alpha_s == Approx(20e-6 + 14 * 2e-6).epsilon(1e-6));
    CHECK(f.fit_max_error < 1e-9);
    CHECK(f.held_out_max_error < 1e-9);
  }
  CHECK(fits[2].beta_s_per_byte == Approx(1.75 / 200e9).epsilon(1e-6)); // Simple: from 4 MiB
}

TEST_CASE("calibration::apply_all_reduce_fit: bandwidths, efficiencies and latencies of the protocols", "[calibration]")
{
  auto samples = synthetic_all_reduce(8, 20e-6, 2e-6, 200e9);
  const auto four = synthetic_all_reduce(4, 20e-6, 2e-6, 200e9);
  samples.insert(samples.end(), four.begin(), four.end());
  dcsim::CommunicationParams comm;
  const auto report = dcsim::calibration::apply_all_reduce_fit(dcsim::calibration::fit_collectives(samples), 250e9,
                                                                1e-6, comm);
  CHECK_FALSE(report.empty());
  CHECK(comm.scale_up_efficiency == Approx(200.0 / 250).epsilon(1e-6));
  const auto& ll = comm.protocol(dcsim::Protocol::LL);
  const auto& simple = comm.protocol(dcsim::Protocol::Simple);
  CHECK(ll.efficiency == Approx(0.25).epsilon(1e-6));
  CHECK(comm.protocol(dcsim::Protocol::LL128).efficiency == Approx(0.8).epsilon(1e-6));
  // Two GPU counts separate the per-call latency from the per-step one (minus the 1 us route).
  CHECK(simple.base_latency_s == Approx(20e-6).epsilon(1e-4));
  CHECK(simple.step_latency_s == Approx(1e-6).epsilon(1e-4));
}
