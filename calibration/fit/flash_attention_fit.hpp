// FlashAttention's efficiency by sequence length from a measured run: the JSON that
// scripts/device_attention.py writes on a GPU (PyTorch's fused attention kernels, causal, bf16,
// rows of {backend, seq, forward_tflops, backward_tflops} with FLOPs counted as dcsim counts
// them: forward 2 s^2 d per head, backward 2.5x). FlashAttention-2's rows (backend
// FLASH_ATTENTION, the kernel the profiles describe) over the GPU's dense bf16 peak.
#pragma once

#include "compute/flash_attention_curve.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace dcsim::calibration {

/// @throw std::invalid_argument naming what is missing or wrong.
FlashAttentionCurve fit_flash_attention(const nlohmann::json& run, double peak_bf16_flop_per_s,
                                        const std::string& backend = "FLASH_ATTENTION");

} // namespace dcsim::calibration
