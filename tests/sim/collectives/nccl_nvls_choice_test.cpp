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
  return {18 * 20.6e9, 0.85, {60e9, 50e9, 40e9, 30e9, 24e9, 20e9, 15e9, 12e9, 11e9, 6e9, 3e9}};
}

NcclNvlsModel blackwell()
{
  return {18 * 40.1e9, 0.74, {90e9, 80e9, 70e9, 60e9, 50e9, 45e9, 40e9, 30e9, 24e9, 20e9, 19e9, 18e9}};
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
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 3));
  CHECK_FALSE(nccl_model_prefers_nvls(hopper(), 4));
  for (int n = 5; n <= 8; ++n)
    CHECK(nccl_model_prefers_nvls(hopper(), n));
  // Blackwell: ring 8 x 90 = 720; NVLS 6 GPUs 6 x 90 x 0.74 x 5/6 x 2 = 666, 7 GPUs 799.2.
  CHECK(nccl_model_ring_busbw(blackwell()) == Approx(720e9).epsilon(1e-12));
  CHECK(nccl_model_nvls_busbw(blackwell(), 6) == Approx(666e9).epsilon(1e-12));
  CHECK(nccl_model_nvls_busbw(blackwell(), 7) == Approx(799.2e9).epsilon(1e-12));
  CHECK_FALSE(nccl_model_prefers_nvls(blackwell(), 6));
  CHECK(nccl_model_prefers_nvls(blackwell(), 7));
  // 72 GPUs of an NVL72 domain: at most 32 NVLS channels, so speeds up to 721.8 / 33.
  CHECK(nccl_model_nvls_busbw(blackwell(), 72) == Approx(32 * 20e9 * 0.74 * 31.0 / 32 * 2).epsilon(1e-12));
  // Without NCCL's model in the profile nothing is ruled out.
  CHECK(nccl_model_prefers_nvls(NcclNvlsModel{}, 4));
}

TEST_CASE("nccl nvls choice: the shipped Hopper and Blackwell profiles carry NCCL's constants, the others no NVLS", "[collectives]")
{
  for (const char* name : {"h100-sxm", "h200-sxm", "h200-measured"}) {
    const NcclNvlsModel m = builtin_profile(name)->communication.nccl_nvls_choice;
    INFO(name);
    CHECK(m.nvlink_bytes_per_s == Approx(370.8e9).epsilon(1e-12));
    CHECK(m.efficiency == 0.85);
    CHECK(m.speeds_bytes_per_s == hopper().speeds_bytes_per_s);
  }
  for (const char* name : {"b200", "gb200", "b300"}) {
    const NcclNvlsModel m = builtin_profile(name)->communication.nccl_nvls_choice;
    INFO(name);
    CHECK(m.nvlink_bytes_per_s == Approx(721.8e9).epsilon(1e-12));
    CHECK(m.efficiency == 0.74);
    CHECK(m.speeds_bytes_per_s == blackwell().speeds_bytes_per_s);
  }
  // No NVLink switch of the third generation, no NVLS (A100 nodes; PCIe H100s, at most bridged pairs).
  for (const char* name : {"a100-sxm", "a100-azure-ndv4", "a100-vtrain-node", "h100-pcie"}) {
    INFO(name);
    CHECK(builtin_profile(name)->communication.nvls_efficiency == 0);
  }
}
