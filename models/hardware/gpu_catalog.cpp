#include "hardware/gpu_catalog.hpp"

#include <stdexcept>

namespace dcsim {

double GpuSpec::peak_flop_per_s(Precision precision) const
{
  double peak = 0;
  switch (precision) {
    case Precision::Bf16: peak = peak_bf16_flop_per_s; break;
    case Precision::Fp16: peak = peak_fp16_flop_per_s; break;
    case Precision::Fp8: peak = peak_fp8_flop_per_s; break;
    case Precision::Tf32: peak = peak_tf32_flop_per_s; break;
  }
  if (peak <= 0)
    throw std::invalid_argument(name + " has no tensor-core support for this precision");
  return peak;
}

namespace {

constexpr double T = 1e12;
constexpr double GB = 1e9;
constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
// Host links: PCIe Gen5 x16 as measured (kPcieGen5BytesPerS); Gen4 x16 (A100) at the same 88% of
// its 31.5 GB/s line rate.
constexpr double kPcieGen5 = kPcieGen5BytesPerS;
constexpr double kPcieGen4 = 0.88 * 31.5 * GB;

const std::vector<GpuSpec>& catalog()
{
  static const std::vector<GpuSpec> gpus = {
      // spec_a100_sxm4_80gb; the 40 GB part has the same compute and 1.555 TB/s HBM2 (NVIDIA A100 datasheet).
      {"A100-SXM-40GB", 312 * T, 312 * T, 0, 156 * T, 40 * GiB, 1555 * GB, 108, 400, "a100-sxm",
       "NVIDIA A100 datasheet (40GB HBM2, 1555 GB/s); compute as spec_a100_sxm4_80gb", kPcieGen4},
      {"A100-SXM-80GB", 312 * T, 312 * T, 0, 156 * T, 80 * GiB, 2039 * GB, 108, 400, "a100-sxm",
       "reference/hardware/published.yaml spec_a100_sxm4_80gb (HBM2e 2.0 TB/s; 2039 GB/s per NVIDIA datasheet)",
       kPcieGen4},
      {"H100-SXM-80GB", 989 * T, 989 * T, 1979 * T, 494.5 * T, 80 * GiB, 3350 * GB, 132, 700, "h100-sxm",
       "reference/hardware/published.yaml spec_h100_sxm5_80gb", kPcieGen5},
      {"H200-SXM-141GB", 989 * T, 989 * T, 1979 * T, 494.5 * T, 141 * GB, 4800 * GB, 132, 700, "h200-sxm",
       "reference/hardware/published.yaml spec_h200_sxm_141gb (SMs as H100)", kPcieGen5},
      {"B200", 2250 * T, 2250 * T, 4500 * T, 1125 * T, 180 * GB, 8000 * GB, 148, 1000, "b200",
       "reference/hardware/published.yaml spec_b200_sxm (180 GB usable)", kPcieGen5},
      // One B200 GPU of a GB200 superchip, at 1,200 W. Its host is a Grace CPU over NVLink-C2C
      // (900 GB/s both ways, NVIDIA's GB200 NVL72 page): 450 GB/s a direction at the share of
      // the line rate measured on PCIe Gen5 (88%), not measured itself. SMs as B200 (same die).
      {"GB200", 2500 * T, 2500 * T, 5000 * T, 1250 * T, 186 * GB, 8000 * GB, 148, 1200, "gb200",
       "reference/hardware/published.yaml spec_gb200 (per B200 GPU, 1200 W; TF32 half of BF16 as on B200; SMs "
       "as B200)",
       0.88 * 450 * GB},
      // Blackwell Ultra. The reference gives no power: 1,100 W is NVIDIA's DGX B300 (14.5 kW)
      // against DGX B200 (14.3 kW at 1,000 W a GPU) and is an estimate; SMs as B200 (not in the
      // reference). PCIe Gen6 x16: twice Gen5's measured rate, assumed.
      {"B300", 2250 * T, 2250 * T, 4500 * T, 1125 * T, 288 * GB, 8000 * GB, 148, 1100, "b300",
       "reference/hardware/published.yaml spec_b300_sxm (TF32 half of BF16; SMs as B200; 1100 W estimated)",
       2 * kPcieGen5},
      // 114 SMs: NVIDIA H100 datasheet (PCIe form factor).
      {"H100-PCIe-80GB", 756 * T, 756 * T, 1513 * T, 378 * T, 80 * GiB, 2000 * GB, 114, 350, "h100-pcie",
       "reference/hardware/published.yaml spec_h100_pcie (TF32 half of BF16; 114 SMs per NVIDIA's datasheet)",
       kPcieGen5},
  };
  return gpus;
}

} // namespace

std::optional<GpuSpec> find_gpu(const std::string& name)
{
  for (const auto& gpu : catalog())
    if (gpu.name == name)
      return gpu;
  return std::nullopt;
}

std::vector<std::string> gpu_names()
{
  std::vector<std::string> names;
  for (const auto& gpu : catalog())
    names.push_back(gpu.name);
  return names;
}

} // namespace dcsim
