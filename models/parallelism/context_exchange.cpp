#include "parallelism/context_exchange.hpp"

#include "transformer/attention_shape.hpp"

#include <algorithm>

namespace dcsim {

ContextExchangeCalls context_exchange_calls(const JobConfig& job, double e)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  ContextExchangeCalls out;
  if (p.context == 1)
    return out;
  const double tokens = double(job.batch.micro) * m.seq_len; // the whole sequence(s) of the group
  const double local = tokens / p.context;
  const AttentionShape shape = attention_shape(m);
  const double kv_width = double(shape.k_width + shape.v_width) / p.tensor;
  switch (p.context_exchange) {
    case ContextExchange::Ring: {
      const int hand_offs = p.context - 1;
      out.forward.push_back({CollectiveKind::SendRecv, local * kv_width * e, hand_offs});
      out.backward.push_back({CollectiveKind::SendRecv, 2.0 * local * kv_width * e, hand_offs});
      out.overlaps_attention = true;
      break;
    }
    case ContextExchange::AllGather: {
      const double gathered = tokens * kv_width * e;
      out.forward.push_back({CollectiveKind::AllGather, gathered, 1});
      out.backward.push_back({CollectiveKind::AllGather, gathered, 1});
      out.backward.push_back({CollectiveKind::ReduceScatter, gathered, 1});
      break;
    }
    case ContextExchange::AllToAll: {
      // Key/value heads are replicated up to c when a rank has fewer than c of them.
      const double kv_heads_local = double(shape.key_heads) / p.tensor;
      const double kv_moved = std::max(kv_heads_local, double(p.context)) * double(shape.qk_head_dim + shape.v_head_dim);
      const double qkv = local * (double(shape.q_width) / p.tensor + kv_moved) * e;
      const double output = local * double(shape.heads * shape.v_head_dim) / p.tensor * e;
      out.forward = {{CollectiveKind::AllToAll, qkv, 1}, {CollectiveKind::AllToAll, output, 1}};
      out.backward = out.forward;
      break;
    }
  }
  return out;
}

} // namespace dcsim
