// The GPU catalog against the datasheet entries of ../shared/reference/hardware/published.yaml:
// every number the reference gives for a part is the catalog's (exactly; memory in the
// reference's unit, GB, where the catalog keeps GiB for the 80 GB parts as CUDA reports them).
#include "hardware/gpu_catalog.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

namespace {

YAML::Node spec_entry(const std::string& id)
{
  for (const auto& e : YAML::LoadFile(dcsim::test::reference_path("hardware/published.yaml"))["entries"])
    if (e["id"].as<std::string>() == id)
      return e["measured"];
  FAIL("no entry " << id);
  return {};
}

} // namespace

TEST_CASE("GPU catalog: datasheet numbers as the reference gives them", "[models][reference]")
{
  const std::map<std::string, std::string> ids = {
      {"A100-SXM-80GB", "spec_a100_sxm4_80gb"}, {"H100-SXM-80GB", "spec_h100_sxm5_80gb"},
      {"H200-SXM-141GB", "spec_h200_sxm_141gb"}, {"B200", "spec_b200_sxm"},
      {"GB200", "spec_gb200"}, {"B300", "spec_b300_sxm"}, {"H100-PCIe-80GB", "spec_h100_pcie"}};
  for (const auto& [name, id] : ids) {
    INFO(name << " against " << id);
    const auto gpu = dcsim::find_gpu(name);
    REQUIRE(gpu);
    const YAML::Node spec = spec_entry(id);
    CHECK(gpu->peak_bf16_flop_per_s == Approx(spec["bf16_dense_tflops"].as<double>() * 1e12).epsilon(1e-12));
    if (spec["fp8_dense_tflops"])
      CHECK(gpu->peak_fp8_flop_per_s == Approx(spec["fp8_dense_tflops"].as<double>() * 1e12).epsilon(1e-12));
    if (spec["tf32_dense_tflops"])
      CHECK(gpu->peak_tf32_flop_per_s == Approx(spec["tf32_dense_tflops"].as<double>() * 1e12).epsilon(1e-12));
    // "80 GB HBM2e", "180 GB usable HBM3e (...)": the leading number, in GB (GiB for 80 GB parts).
    const double hbm_gb = std::atof(spec["hbm"].as<std::string>().c_str());
    const double catalog_gb = hbm_gb == 80 ? gpu->hbm_bytes / (1024.0 * 1024 * 1024) : gpu->hbm_bytes / 1e9;
    CHECK(catalog_gb == Approx(hbm_gb).epsilon(1e-12));
    // HBM bandwidth: the reference rounds to 0.05 TB/s (A100 80GB's 2.039 reads 2.0).
    CHECK(gpu->hbm_bandwidth_bytes_per_s / 1e12 == Approx(spec["hbm_bw_TBps"].as<double>()).margin(0.05));
    if (spec["tdp_w"] && spec["tdp_w"].as<std::string>().find("up to") == std::string::npos)
      CHECK(gpu->tdp_watts == spec["tdp_w"].as<double>());
    if (spec["sms"])
      CHECK(gpu->sm_count == spec["sms"].as<int>());
  }
  // What the reference does not give is labelled as such in the catalog's sources.
  CHECK_THAT(dcsim::find_gpu("B300")->source, Catch::Contains("1100 W estimated"));
  CHECK_THAT(dcsim::find_gpu("GB200")->source, Catch::Contains("SMs as B200"));
}
