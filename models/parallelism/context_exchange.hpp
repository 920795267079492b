// The traffic of context parallelism, per transformer layer and micro-batch, over the c ranks
// that split each sequence (engine: one group per tensor-parallel rank).
//
// A rank holds T/c tokens; attention needs every key and value of the sequence. Per layer, with
// kv = 2 h_kv / t the key+value width on one TP rank and e bytes per element:
//   ring       forward c-1 hand-offs of the T/c x kv block to the next rank; backward c-1 hand-offs
//              of keys/values and their gradients (2x). They overlap the attention kernels, so only
//              what the attention core cannot hide is exposed (Liu et al. 2023, ring attention;
//              Megatron-Core cp_comm_type p2p).
//   all_gather forward all-gather of K and V (T x kv); backward the same all-gather again and a
//              reduce-scatter of their gradients. Exposed (Llama 3, Dubey et al. 2024 sec. 3.3.2:
//              with GQA the keys and values are small next to the long-sequence attention).
//   all_to_all DeepSpeed-Ulysses (Jacobs et al. 2023): all-to-all of Q, K, V from sequence- to
//              head-sharded before attention and of its output back; backward mirrors them. K and V
//              move at least one head per context rank (GQA heads are replicated up to c).
#pragma once

#include "config/scenario_config.hpp"
#include "parallelism/collective_call.hpp"

namespace dcsim {

struct ContextExchangeCalls {
  CollectiveCalls forward;
  CollectiveCalls backward; ///< without the recomputed forward's (the caller adds them)
  bool overlaps_attention = false; ///< ring: hidden behind the attention kernels where it can be
};

/// One layer's context-parallel collectives for one micro-batch; empty when context is 1.
ContextExchangeCalls context_exchange_calls(const JobConfig& job, double element_bytes);

} // namespace dcsim
