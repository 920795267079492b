// NCCL's own ranking of NVLS against the ring inside one NVLink domain (collectives/
// nccl_nvls_choice.hpp), worked by hand from NCCL's constants (src/graph/topo.h, search.cc,
// tuning.cc), and its use by the tuner.
#include "collectives/nccl_nvls_choice.hpp"

#include "config/profile_loader.hpp"

#include <catch2/catch.hpp>

using namespace dcsim;

namespace {

NcclNvlsModel hopper()
{
  return {18 * 20.6e9, 0.85, {60e9, 50e9, 40e9, 30e9, 24e9, 20e9, 15e9, 12e9, 11e9, 6e9, 3e9}, 141e9, 36.7e9};
}

NcclNvlsModel blackwell()
{
  return {18 * 40.1e9, 0.74, {90e9, 80e9, 70e9, 60e9, 50e9, 45e9, 40e9, 30e9, 24e9, 20e9, 19e9, 18e9}, 282e9, 40e9};
}

} // namespace

TEST_CASE("nccl nvls choice: NCCL's model of the ring and of NVLS, by GPU count, as worked by hand", "[collectives]")
{
  // Ring: 370.8 GB/s of NVLink per GPU fits 6 channels of 60 (or 9 of 40, 12 of 30): 360.
  CHECK(nccl_model_ring_busbw(hopper()) == Approx(360e9).epsilon(1e-12));
  // NVLS on n GPUs: the fastest speed s with s (n + 1) <= 370.8, then n s 0.85 (n - 1)/n 2.
  CHECK(nccl_model_nvls_busbw(hopper(), 4) == Approx(4 * 60e9 * 0.85 * 0.75 * 2).epsilon(1e-12)); // 306
  CHECK(nccl_model_nvls_busbw(hopper(), 5) == Approx(5 * 60e9 * 0.85 * 0.8 * 2).epsilon(1e-12));  // 408
  CHECK(nccl_model_nvls_busbw(hopper(), 8) == Approx(8 * 40e9 * 0.85 * 0.875 * 2).epsilon(1e-12)); // 476
  const double big = 8.0 * (1 << 30);
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 3, big));
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 4, big));
  for (int n = 5; n <= 8; ++n)
    CHECK(nccl_model_prefers_nvls(hopper(), n, big));
  // Blackwell: ring 8 x 90 = 720; NVLS 6 GPUs 6 x 90 x 0.74 x 5/6 x 2 = 666, 7 GPUs 799.2.
  CHECK(nccl_model_ring_busbw(blackwell()) == Approx(720e9).epsilon(1e-12));
  CHECK(nccl_model_nvls_busbw(blackwell(), 6) == Approx(666e9).epsilon(1e-12));
  CHECK(nccl_model_nvls_busbw(blackwell(), 7) == Approx(799.2e9).epsilon(1e-12));
  CHECK_FALSE(nccl_model_prefers_nvls(blackwell(), 6, big));
  CHECK(nccl_model_prefers_nvls(blackwell(), 7, big));
  // 72 GPUs of an NVL72 domain: at most 32 NVLS channels, so speeds up to 721.8 / 33.
  CHECK(nccl_model_nvls_busbw(blackwell(), 72) == Approx(32 * 20e9 * 0.74 * 31.0 / 32 * 2).epsilon(1e-12));
}

TEST_CASE("nccl nvls choice: NCCL's times by size, and where NVLS overtakes the ring, as worked by hand",
          "[collectives]")
{
  // 8 Hopper GPUs, 14 steps, algbw = busbw x 8/14. Ring/LL: 141 GB/s cap (half of 360 is more),
  // 6.6 + 14 x 0.6 = 15 us; NVLS: 476 GB/s, 25 us. Equal where 15 us + S / 80.57 GB/s =
  // 25 us + S / 272 GB/s: S = 10 us / (1/80.57 - 1/272) GB/s = 1.145 MB.
  const double ll_algbw = 141e9 * 8 / 14, nvls_algbw = 476e9 * 8 / 14;
  CHECK(nccl_model_ring_seconds(hopper(), Protocol::LL, 8, 1e6) == Approx(15e-6 + 1e6 / ll_algbw).epsilon(1e-12));
  CHECK(nccl_model_nvls_seconds(hopper(), 8, 1e6) == Approx(25e-6 + 1e6 / nvls_algbw).epsilon(1e-12));
  // LL128: min(0.92 x 360, 6 channels x 36.7) = 220.2 GB/s, 14 + 14 x 1.9 us; Simple 360, 8.4 + 14 x 3.4.
  CHECK(nccl_model_ring_seconds(hopper(), Protocol::LL128, 8, 1e6) ==
        Approx(40.6e-6 + 1e6 / (220.2e9 * 8 / 14)).epsilon(1e-12));
  CHECK(nccl_model_ring_seconds(hopper(), Protocol::Simple, 8, 1e6) ==
        Approx(56e-6 + 1e6 / (360e9 * 8 / 14)).epsilon(1e-12));
  const double crossover = 10e-6 / (1 / ll_algbw - 1 / nvls_algbw);
  CHECK(crossover == Approx(1.145e6).epsilon(1e-3));
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 8, 0.99 * crossover));
  CHECK(nccl_model_prefers_nvls(hopper(), 8, 1.01 * crossover));
  // The H200 node measured: ring/LL up to 1 MiB, NVLS from 2 MiB (published.yaml stas_h200_collectives_16gib).
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 8, 1 << 20));
  CHECK(nccl_model_prefers_nvls(hopper(), 8, 2 << 20));
  // 4 GPUs: NVLS (306 GB/s, 25 us) beats Simple (360, 8.4 + 6 x 3.4 = 28.8 us) and LL/LL128 only
  // in a window of a few MB; at 8 GiB the ring's bandwidth wins.
  CHECK(nccl_model_prefers_nvls(hopper(), 4, 4e6));
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 4, 1e6));
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 4, 16e6));
  // 8 Blackwell GPUs: LL 282 GB/s, NVLS 828.8: from 10 us / (1/161.1 - 1/473.6) GB/s = 2.44 MB.
  CHECK_FALSE(nccl_model_prefers_nvls(blackwell(), 8, 2.4e6));
  CHECK(nccl_model_prefers_nvls(blackwell(), 8, 2.5e6));
}

TEST_CASE("nccl nvls choice: the shipped Hopper and Blackwell profiles carry NCCL's constants, the others no NVLS", "[collectives]")
{
  for (const char* name : {"h100-sxm", "h200-sxm", "h200-measured"}) {
    const NcclNvlsModel m = builtin_profile(name)->communication.nccl_nvls_choice;
    INFO(name);
    CHECK(m.nvlink_bytes_per_s == Approx(370.8e9).epsilon(1e-12));
    CHECK(m.efficiency == 0.85);
    CHECK(m.speeds_bytes_per_s == hopper().speeds_bytes_per_s);
    CHECK(m.ll_max_bytes_per_s == Approx(141e9).epsilon(1e-12));
    CHECK(m.ll128_channel_bytes_per_s == Approx(36.7e9).epsilon(1e-12));
  }
  for (const char* name : {"b200", "gb200", "b300"}) {
    const NcclNvlsModel m = builtin_profile(name)->communication.nccl_nvls_choice;
    INFO(name);
    CHECK(m.nvlink_bytes_per_s == Approx(721.8e9).epsilon(1e-12));
    CHECK(m.efficiency == 0.74);
    CHECK(m.speeds_bytes_per_s == blackwell().speeds_bytes_per_s);
    CHECK(m.ll_max_bytes_per_s == Approx(282e9).epsilon(1e-12));
    CHECK(m.ll128_channel_bytes_per_s == Approx(40e9).epsilon(1e-12));
  }
  // No NVLink switch of the third generation, no NVLS (A100 nodes; PCIe H100s, at most bridged pairs).
  for (const char* name : {"a100-sxm", "a100-azure-ndv4", "a100-vtrain-node", "h100-pcie"}) {
    INFO(name);
    CHECK(builtin_profile(name)->communication.nvls_efficiency == 0);
  }
}
