// A transformer layer's MLP and attention blocks, forward and backward, as the real kernels a
// framework runs in bf16: cuBLAS GEMMs (the dX and dW GEMMs in the backward), GELU, causal
// softmax and layernorm with their backward kernels, residual adds, and Megatron's unfused
// attention (batched Q K^T and P V between head split/merge copies).
#include "benchmarks.hpp"
#include "cuda_common.hpp"
#include "kernels.cuh"

#include <cmath>

namespace dcsim::calibration::cuda {

namespace {

/// Row-major C[M,N] = op(A) op(B) (+ batched, with element strides), through column-major cuBLAS.
struct Gemm {
  cublasHandle_t handle;
  void operator()(bool ta, bool tb, long long M, long long N, long long K, const bf16* A, const bf16* B, bf16* C,
                  int batch = 1, long long sa = 0, long long sb = 0, long long sc = 0) const
  {
    const float alpha = 1.0f, beta = 0.0f;
    const int lda = int(ta ? M : K), ldb = int(tb ? K : N);
    DCSIM_CHECK(cublasGemmStridedBatchedEx(handle, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                           int(N), int(M), int(K), &alpha, B, CUDA_R_16BF, ldb, sb, A, CUDA_R_16BF, lda,
                                           sa, &beta, C, CUDA_R_16BF, int(N), sc, batch, CUBLAS_COMPUTE_32F,
                                           CUBLAS_GEMM_DEFAULT));
  }
};

constexpr int kThreads = 256;
int grid_for(size_t n) { return int(std::min<size_t>((n + kThreads - 1) / kThreads, 65535)); }

struct Shapes {
  long long tokens, hidden, ffn, heads, seq;
  long long d() const { return hidden / heads; }
  long long sequences() const { return tokens / seq; }
};

double mlp(const Gemm& gemm, cudaStream_t stream, const Shapes& s, bool backward)
{
  const long long T = s.tokens, h = s.hidden, f = s.ffn;
  DeviceBuffer x(T * h * 2), ln(T * h * 2), w1(h * f * 2), w2(f * h * 2), u(T * f * 2), g(T * f * 2), y(T * h * 2),
      dy(T * h * 2), dg(T * f * 2), du(T * f * 2), dln(T * h * 2), dx(T * h * 2), dw1(h * f * 2), dw2(f * h * 2);
  unsigned seed = 1;
  for (const DeviceBuffer* b : {&x, &w1, &w2, &dy})
    DCSIM_CHECK(fill_random(b->get<bf16>(), b->bytes() / 2, seed++));
  const auto forward = [&] {
    layernorm_forward<<<int(T), kThreads, 0, stream>>>(x.get<bf16>(), ln.get<bf16>(), int(h));
    gemm(false, false, T, f, h, ln.get<bf16>(), w1.get<bf16>(), u.get<bf16>());
    gelu_forward<<<grid_for(T * f), kThreads, 0, stream>>>(u.get<bf16>(), g.get<bf16>(), size_t(T * f));
    gemm(false, false, T, h, f, g.get<bf16>(), w2.get<bf16>(), y.get<bf16>());
    add<<<grid_for(T * h), kThreads, 0, stream>>>(y.get<bf16>(), x.get<bf16>(), y.get<bf16>(), size_t(T * h));
  };
  const auto backward_pass = [&] {
    gemm(false, true, T, f, h, dy.get<bf16>(), w2.get<bf16>(), dg.get<bf16>());  // dG = dY W2^T
    gemm(true, false, f, h, T, g.get<bf16>(), dy.get<bf16>(), dw2.get<bf16>());  // dW2 = G^T dY
    gelu_backward<<<grid_for(T * f), kThreads, 0, stream>>>(u.get<bf16>(), dg.get<bf16>(), du.get<bf16>(), size_t(T * f));
    gemm(false, true, T, h, f, du.get<bf16>(), w1.get<bf16>(), dln.get<bf16>()); // dLN = dU W1^T
    gemm(true, false, h, f, T, ln.get<bf16>(), du.get<bf16>(), dw1.get<bf16>()); // dW1 = LN^T dU
    layernorm_backward<<<int(T), kThreads, 0, stream>>>(x.get<bf16>(), dln.get<bf16>(), dx.get<bf16>(), int(h));
    add<<<grid_for(T * h), kThreads, 0, stream>>>(dx.get<bf16>(), dy.get<bf16>(), dx.get<bf16>(), size_t(T * h));
  };
  forward();
  return backward ? gpu_seconds(stream, backward_pass) : gpu_seconds(stream, forward);
}

double attention(const Gemm& gemm, cudaStream_t stream, const Shapes& s, bool backward)
{
  const long long T = s.tokens, h = s.hidden, a = s.heads, d = s.d(), q = s.seq, B = s.sequences() * a;
  const float scale = 1.0f / std::sqrt(float(d));
  DeviceBuffer x(T * h * 2), ln(T * h * 2), wqkv(h * 3 * h * 2), wo(h * h * 2), qkv(T * 3 * h * 2), heads(T * 3 * h * 2),
      scores(B * q * q * 2), probs(B * q * q * 2), ctx_heads(T * h * 2), ctx(T * h * 2), y(T * h * 2), dy(T * h * 2),
      dctx(T * h * 2), dctx_heads(T * h * 2), dprobs(B * q * q * 2), dscores(B * q * q * 2), dheads(T * 3 * h * 2),
      dqkv(T * 3 * h * 2), dln(T * h * 2), dx(T * h * 2), dwqkv(h * 3 * h * 2), dwo(h * h * 2);
  unsigned seed = 1;
  for (const DeviceBuffer* b : {&x, &wqkv, &wo, &dy})
    DCSIM_CHECK(fill_random(b->get<bf16>(), b->bytes() / 2, seed++));
  bf16* Q = heads.get<bf16>();
  bf16* K = Q + T * h;
  bf16* V = K + T * h;
  const long long head_stride = q * d, score_stride = q * q;
  const auto forward = [&] {
    layernorm_forward<<<int(T), kThreads, 0, stream>>>(x.get<bf16>(), ln.get<bf16>(), int(h));
    gemm(false, false, T, 3 * h, h, ln.get<bf16>(), wqkv.get<bf16>(), qkv.get<bf16>());
    split_heads<<<grid_for(T * 3 * h), kThreads, 0, stream>>>(qkv.get<bf16>(), Q, int(q), int(a), int(d), 3, size_t(T), true);
    gemm(false, true, q, q, d, Q, K, scores.get<bf16>(), int(B), head_stride, head_stride, score_stride);
    softmax_forward<<<int(B * q), kThreads, 0, stream>>>(scores.get<bf16>(), probs.get<bf16>(), int(q), scale);
    gemm(false, false, q, d, q, probs.get<bf16>(), V, ctx_heads.get<bf16>(), int(B), score_stride, head_stride, head_stride);
    split_heads<<<grid_for(T * h), kThreads, 0, stream>>>(ctx_heads.get<bf16>(), ctx.get<bf16>(), int(q), int(a), int(d), 1,
                                                          size_t(T), false);
    gemm(false, false, T, h, h, ctx.get<bf16>(), wo.get<bf16>(), y.get<bf16>());
    add<<<grid_for(T * h), kThreads, 0, stream>>>(y.get<bf16>(), x.get<bf16>(), y.get<bf16>(), size_t(T * h));
  };
  bf16* dQ = dheads.get<bf16>();
  bf16* dK = dQ + T * h;
  bf16* dV = dK + T * h;
  const auto backward_pass = [&] {
    gemm(false, true, T, h, h, dy.get<bf16>(), wo.get<bf16>(), dctx.get<bf16>());
    gemm(true, false, h, h, T, ctx.get<bf16>(), dy.get<bf16>(), dwo.get<bf16>());
    split_heads<<<grid_for(T * h), kThreads, 0, stream>>>(dctx.get<bf16>(), dctx_heads.get<bf16>(), int(q), int(a), int(d), 1,
                                                          size_t(T), true);
    gemm(false, true, q, q, d, dctx_heads.get<bf16>(), V, dprobs.get<bf16>(), int(B), head_stride, head_stride, score_stride);
    gemm(true, false, q, d, q, probs.get<bf16>(), dctx_heads.get<bf16>(), dV, int(B), score_stride, head_stride, head_stride);
    softmax_backward<<<int(B * q), kThreads, 0, stream>>>(probs.get<bf16>(), dprobs.get<bf16>(), dscores.get<bf16>(), int(q), scale);
    gemm(false, false, q, d, q, dscores.get<bf16>(), K, dQ, int(B), score_stride, head_stride, head_stride);
    gemm(true, false, q, d, q, dscores.get<bf16>(), Q, dK, int(B), score_stride, head_stride, head_stride);
    split_heads<<<grid_for(T * 3 * h), kThreads, 0, stream>>>(dheads.get<bf16>(), dqkv.get<bf16>(), int(q), int(a), int(d), 3,
                                                              size_t(T), false);
    gemm(false, true, T, h, 3 * h, dqkv.get<bf16>(), wqkv.get<bf16>(), dln.get<bf16>());
    gemm(true, false, h, 3 * h, T, ln.get<bf16>(), dqkv.get<bf16>(), dwqkv.get<bf16>());
    layernorm_backward<<<int(T), kThreads, 0, stream>>>(x.get<bf16>(), dln.get<bf16>(), dx.get<bf16>(), int(h));
    add<<<grid_for(T * h), kThreads, 0, stream>>>(dx.get<bf16>(), dy.get<bf16>(), dx.get<bf16>(), size_t(T * h));
  };
  forward();
  return backward ? gpu_seconds(stream, backward_pass) : gpu_seconds(stream, forward);
}

} // namespace

std::vector<BlockSample> transformer_blocks(bool quick)
{
  // GPT-3 2.7B-like layer (quick) and a 13B-like one: 4 x 2048 tokens.
  const Shapes s = quick ? Shapes{4096, 2560, 4 * 2560, 32, 2048} : Shapes{8192, 5120, 4 * 5120, 40, 2048};
  cudaStream_t stream;
  DCSIM_CHECK(cudaStreamCreate(&stream));
  cublasHandle_t handle;
  DCSIM_CHECK(cublasCreate(&handle));
  DCSIM_CHECK(cublasSetStream(handle, stream));
  const Gemm gemm{handle};
  std::vector<BlockSample> out;
  for (const char* block : {"mlp", "attention"})
    for (bool backward : {false, true}) {
      const double seconds = std::string(block) == "mlp" ? mlp(gemm, stream, s, backward) : attention(gemm, stream, s, backward);
      out.push_back({block, backward ? "backward" : "forward", "bf16", s.tokens, s.hidden, s.ffn, s.heads, s.seq, seconds});
    }
  cublasDestroy(handle);
  cudaStreamDestroy(stream);
  return out;
}

} // namespace dcsim::calibration::cuda
