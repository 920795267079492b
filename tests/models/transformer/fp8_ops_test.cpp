// FP8 training as Transformer Engine runs it (and DeepSeek-V3, arXiv:2412.19437 sec. 3.3): the
// transformer blocks' linear layers in FP8, each output gradient cast (and transposed) to FP8
// before its two GEMMs, the attention projection's input cast too; the attention core, the
// output layer and the router in BF16. Checked against the ops' own shapes, worked out here.
#include "compute/compute_cost_model.hpp"
#include "config/profile_loader.hpp"
#include "hardware/gpu_catalog.hpp"
#include "transformer/layer_ops.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

dcsim::ModelConfig model(int experts = 1)
{
  dcsim::ModelConfig m;
  m.hidden = 4096, m.layers = 1, m.heads = 32, m.kv_heads = 8, m.seq_len = 4096, m.vocab = 32000;
  m.ffn_hidden = 14336, m.ffn = dcsim::FfnKind::SwiGlu;
  m.experts = experts, m.top_k = experts > 1 ? 2 : 1;
  return m;
}

dcsim::LayerContext context(bool fp8, bool fp8_dispatch = false)
{
  dcsim::LayerContext c;
  c.tensor = 2, c.sequence_parallel = true, c.fp8 = fp8, c.fp8_dispatch = fp8_dispatch;
  return c;
}

bool ends_with(const std::string& s, const std::string& tail)
{
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

} // namespace

TEST_CASE("fp8: each linear layer's output gradient is cast to FP8; attention and the router stay in BF16",
          "[models]")
{
  for (int experts : {1, 8}) {
    INFO(experts << " experts");
    const auto bf16 = dcsim::transformer_layer_ops(model(experts), context(false));
    const auto fp8 = dcsim::transformer_layer_ops(model(experts), context(true));
    // Every linear layer (a GEMM of the forward that is not attention's or the router's) gets
    // one cast of its output gradient, m x n elements at 2 bytes read + 2 x 1 written.
    double linear_grad_elements = 0;
    int linears = 0;
    for (const auto& op : fp8.forward)
      if (op.kind == dcsim::OpKind::Gemm && !op.high_precision) {
        linear_grad_elements += double(op.m) * double(op.n) * double(op.batch);
        ++linears;
      }
    double cast_bytes = 0;
    int casts = 0;
    for (const auto& op : fp8.backward)
      if (ends_with(op.name, ".grad_fp8_cast")) {
        cast_bytes += op.bytes;
        ++casts;
      }
    CHECK(casts == linears);
    CHECK(cast_bytes == Approx(4.0 * linear_grad_elements).epsilon(1e-12));
    CHECK(fp8.backward.size() == bf16.backward.size() + static_cast<size_t>(casts));
    // Forward: the attention projection's input (T x heads x head_dim / t), and with experts
    // their tokens (T x top_k x h, balanced) unless they were dispatched in FP8.
    const double tokens = 4096, attention_width = 4096.0 / 2;
    CHECK(fp8.forward.size() == bf16.forward.size() + (experts > 1 ? 2 : 1));
    if (experts > 1) {
      const auto dispatched = dcsim::transformer_layer_ops(model(experts), context(true, true));
      CHECK(dispatched.forward.size() == bf16.forward.size() + 1);
      for (const auto& op : fp8.forward)
        if (op.name == "expert_input_fp8_cast")
          CHECK(op.bytes == Approx(4.0 * tokens * 2 * 4096).epsilon(1e-12));
    }
    bool found = false;
    for (const auto& op : fp8.forward)
      if (ends_with(op.name, ".input_fp8_cast")) {
        found = true;
        CHECK(op.bytes == Approx(4.0 * tokens * attention_width).epsilon(1e-12));
      }
    CHECK(found);
    // The attention core and the router run in BF16, with their backward kernels.
    for (const auto* list : {&fp8.forward, &fp8.backward})
      for (const auto& op : *list) {
        const bool attention = op.kind == dcsim::OpKind::FlashAttention;
        const bool router = op.name.rfind("router", 0) == 0 && op.kind == dcsim::OpKind::Gemm;
        if (attention || router)
          CHECK(op.high_precision);
      }
    for (const auto& op : bf16.backward)
      CHECK_FALSE(ends_with(op.name, "_fp8_cast"));
  }
  const auto head = dcsim::head_ops(model(), context(true));
  for (const auto* list : {&head.forward, &head.backward})
    for (const auto& op : *list)
      if (op.kind == dcsim::OpKind::Gemm)
        CHECK(op.high_precision); // the output layer, forward and backward
}

TEST_CASE("fp8: a high-precision kernel of an FP8 job takes its BF16 time", "[models]")
{
  auto profile = *dcsim::builtin_profile("h100-sxm");
  const auto gpu = *dcsim::find_gpu("H100-SXM-80GB");
  const dcsim::ComputeCostModel fp8(gpu, profile, dcsim::Precision::Fp8);
  const dcsim::ComputeCostModel bf16(gpu, profile, dcsim::Precision::Bf16);
  auto gemm = dcsim::Op::gemm("lm_head", 4096, 16000, 4096, 1, 2);
  const double linear_s = fp8.kernel_seconds(gemm);
  gemm.high_precision = true;
  CHECK(fp8.kernel_seconds(gemm) == Approx(bf16.kernel_seconds(gemm)).epsilon(1e-12));
  // FP8's peak is twice BF16's (989 -> 1979 TFLOP/s) at the profile's fp8 efficiency (0.90 vs 0.845).
  CHECK(fp8.kernel_seconds(gemm) / linear_s == Approx(1979.0 / 989.0 * 0.90 / 0.845).epsilon(1e-3));
  dcsim::Op attention;
  attention.kind = dcsim::OpKind::FlashAttention;
  attention.flops = 1e12;
  attention.high_precision = true;
  CHECK(fp8.kernel_seconds(attention) == Approx(bf16.kernel_seconds(attention)).epsilon(1e-12));
}
