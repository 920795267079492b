#include "fit/block_check.hpp"

#include "transformer/layer_ops.hpp"

namespace dcsim::calibration {

namespace {

bool is_mlp(const std::string& op_name)
{
  return op_name.rfind("mlp_", 0) == 0 || op_name.rfind("gelu", 0) == 0 || op_name.rfind("swiglu", 0) == 0;
}

} // namespace

std::vector<BlockCheck> check_blocks(const std::vector<BlockSample>& blocks, const ComputeCostModel& model,
                                     double activation_bytes)
{
  std::vector<BlockCheck> out;
  for (const auto& b : blocks) {
    ModelConfig config;
    config.hidden = static_cast<int>(b.hidden);
    config.heads = static_cast<int>(b.heads);
    config.kv_heads = config.heads;
    config.seq_len = static_cast<int>(b.seq_len);
    config.ffn_hidden = static_cast<int>(b.ffn_hidden);
    config.layers = 1;
    LayerContext context;
    context.micro_batch = static_cast<int>(b.tokens / b.seq_len);
    context.attention = AttentionKernel::Unfused; // both backends run the unfused attention
    context.activation_bytes = activation_bytes;
    const LayerOps ops = transformer_layer_ops(config, context);
    const auto& pass = b.pass == "forward" ? ops.forward : ops.backward;
    std::vector<Op> selected;
    for (const auto& op : pass)
      if (is_mlp(op.name) == (b.block == "mlp"))
        selected.push_back(op);
    out.push_back({b.block, b.pass, b.seconds, model.seconds(selected)});
  }
  return out;
}

} // namespace dcsim::calibration
