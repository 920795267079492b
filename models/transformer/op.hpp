// One GPU kernel of the training step, described by what determines its cost.
#pragma once

#include <string>

namespace dcsim {

enum class OpKind {
  Gemm,           ///< C[m,n] = A[m,k] * B[k,n], `batch` independent instances (tensor cores)
  MemoryBound,    ///< streams `bytes` through HBM (norms, activations, dropout, softmax, optimizer)
  FlashAttention, ///< fused attention; `flops` are the FLOPs actually executed
};

struct Op {
  std::string name;
  OpKind kind = OpKind::Gemm;
  long long m = 0, n = 0, k = 0, batch = 1; ///< GEMM shape (per instance)
  double flops = 0;                         ///< useful FLOPs (2*m*n*k*batch for a GEMM)
  double bytes = 0;                         ///< HBM traffic
  bool backward = false;                    ///< FlashAttention: backward kernel
  long long seq_len = 0;                    ///< FlashAttention: keys each query attends over
  /// A parameter's gradient (dW): zero-bubble schedules run these apart from the rest of the
  /// backward, which is all the previous pipeline rank waits for.
  bool weight_gradient = false;
  /// Runs in 16 bits even in an FP8 job: the attention core, the output layer and the MoE router
  /// (Transformer Engine's FP8 covers the transformer blocks' linear layers; DeepSeek-V3 keeps
  /// these in their original precision, arXiv:2412.19437 sec. 3.3).
  bool high_precision = false;

  static Op gemm(std::string name, long long m, long long n, long long k, long long batch, double element_bytes);
  static Op memory(std::string name, double bytes);
};

} // namespace dcsim
