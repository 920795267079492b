// The memory-bound kernels of a transformer layer in bf16 with fp32 arithmetic, written plainly
// (one thread block per row for the row-wise ones): what the calibration measures is the cost of
// a straightforward implementation against the model's bytes-moved estimate.
#pragma once

#include <cuda_bf16.h>

namespace dcsim::calibration::cuda {

using bf16 = __nv_bfloat16;

namespace { // each .cu file gets its own copy: kernels have no external linkage

/// Values uniform in [-1, 1) from a hash of the index, in the buffer's type. Benchmarks run on
/// data like a model's: on all-zero inputs the tensor cores draw less power and hold a higher
/// clock (the first H200 sweep, on zeros, read 890 TFLOP/s bf16 where the device notes record
/// 788 on random data and 894 on zeros for an 8192^3 product).
template <typename T>
__global__ void fill_uniform(T* p, size_t n, unsigned seed)
{
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    unsigned h = static_cast<unsigned>(i) * 2654435761u ^ seed;
    h ^= h >> 16;
    h *= 2246822519u;
    h ^= h >> 13;
    p[i] = T(float(h) * (2.0f / 4294967296.0f) - 1.0f);
  }
}

/// Fills `n` values and waits for them (the benchmarks' own streams then see them).
template <typename T>
cudaError_t fill_random(T* p, size_t n, unsigned seed)
{
  fill_uniform<<<1024, 256>>>(p, n, seed);
  const cudaError_t launched = cudaGetLastError();
  return launched != cudaSuccess ? launched : cudaDeviceSynchronize();
}

__device__ inline float block_sum(float v, float* shared)
{
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_down_sync(0xffffffff, v, offset);
  if (threadIdx.x % 32 == 0)
    shared[threadIdx.x / 32] = v;
  __syncthreads();
  float total = 0;
  if (threadIdx.x == 0) {
    for (int w = 0; w < (blockDim.x + 31) / 32; ++w)
      total += shared[w];
    shared[0] = total;
  }
  __syncthreads();
  total = shared[0];
  __syncthreads();
  return total;
}

__global__ void layernorm_forward(const bf16* x, bf16* y, int cols)
{
  __shared__ float shared[32];
  const bf16* row = x + size_t(blockIdx.x) * cols;
  float sum = 0, sq = 0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const float v = __bfloat162float(row[c]);
    sum += v, sq += v * v;
  }
  const float mean = block_sum(sum, shared) / cols;
  const float inv = rsqrtf(block_sum(sq, shared) / cols - mean * mean + 1e-5f);
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    y[size_t(blockIdx.x) * cols + c] = __float2bfloat16((__bfloat162float(row[c]) - mean) * inv);
}

__global__ void layernorm_backward(const bf16* x, const bf16* dy, bf16* dx, int cols)
{
  __shared__ float shared[32];
  const size_t base = size_t(blockIdx.x) * cols;
  float sum = 0, sq = 0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const float v = __bfloat162float(x[base + c]);
    sum += v, sq += v * v;
  }
  const float mean = block_sum(sum, shared) / cols;
  const float inv = rsqrtf(block_sum(sq, shared) / cols - mean * mean + 1e-5f);
  float g_sum = 0, gx_sum = 0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const float g = __bfloat162float(dy[base + c]);
    g_sum += g, gx_sum += g * (__bfloat162float(x[base + c]) - mean) * inv;
  }
  g_sum = block_sum(g_sum, shared), gx_sum = block_sum(gx_sum, shared);
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const float xhat = (__bfloat162float(x[base + c]) - mean) * inv;
    dx[base + c] = __float2bfloat16(inv / cols * (cols * __bfloat162float(dy[base + c]) - g_sum - xhat * gx_sum));
  }
}

__device__ inline float gelu(float x) { return 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x))); }

__global__ void gelu_forward(const bf16* u, bf16* g, size_t n)
{
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    g[i] = __float2bfloat16(gelu(__bfloat162float(u[i])));
}

__global__ void gelu_backward(const bf16* u, const bf16* dg, bf16* du, size_t n)
{
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    const float x = __bfloat162float(u[i]);
    const float t = tanhf(0.7978845608f * (x + 0.044715f * x * x * x));
    const float grad = 0.5f * (1 + t) + 0.5f * x * (1 - t * t) * 0.7978845608f * (1 + 3 * 0.044715f * x * x);
    du[i] = __float2bfloat16(__bfloat162float(dg[i]) * grad);
  }
}

__global__ void add(const bf16* a, const bf16* b, bf16* out, size_t n)
{
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    out[i] = __float2bfloat16(__bfloat162float(a[i]) + __bfloat162float(b[i]));
}

/// Causal softmax of each row of scale * scores (rows of length s; row r of a block is query r % s).
__global__ void softmax_forward(const bf16* scores, bf16* probs, int s, float scale)
{
  __shared__ float shared[32];
  const size_t base = size_t(blockIdx.x) * s;
  const int query = blockIdx.x % s;
  float mx = -1e30f;
  for (int c = threadIdx.x; c <= query; c += blockDim.x)
    mx = fmaxf(mx, scale * __bfloat162float(scores[base + c]));
  for (int offset = 16; offset > 0; offset /= 2)
    mx = fmaxf(mx, __shfl_down_sync(0xffffffff, mx, offset));
  if (threadIdx.x % 32 == 0)
    shared[threadIdx.x / 32] = mx;
  __syncthreads();
  if (threadIdx.x == 0)
    for (int w = 1; w < (blockDim.x + 31) / 32; ++w)
      shared[0] = fmaxf(shared[0], shared[w]);
  __syncthreads();
  mx = shared[0];
  __syncthreads();
  float sum = 0;
  for (int c = threadIdx.x; c <= query; c += blockDim.x)
    sum += __expf(scale * __bfloat162float(scores[base + c]) - mx);
  sum = block_sum(sum, shared);
  for (int c = threadIdx.x; c < s; c += blockDim.x)
    probs[base + c] = __float2bfloat16(c <= query ? __expf(scale * __bfloat162float(scores[base + c]) - mx) / sum : 0.f);
}

__global__ void softmax_backward(const bf16* probs, const bf16* dprobs, bf16* dscores, int s, float scale)
{
  __shared__ float shared[32];
  const size_t base = size_t(blockIdx.x) * s;
  float dot = 0;
  for (int c = threadIdx.x; c < s; c += blockDim.x)
    dot += __bfloat162float(probs[base + c]) * __bfloat162float(dprobs[base + c]);
  dot = block_sum(dot, shared);
  for (int c = threadIdx.x; c < s; c += blockDim.x) {
    const float p = __bfloat162float(probs[base + c]);
    dscores[base + c] = __float2bfloat16(scale * p * (__bfloat162float(dprobs[base + c]) - dot));
  }
}

/// [tokens, parts * heads * d] <-> [parts][batch * heads, s, d] (Megatron's view + permute).
__global__ void split_heads(const bf16* in, bf16* out, int s, int heads, int d, int parts, size_t tokens, bool forward)
{
  const size_t width = size_t(parts) * heads * d;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < tokens * width; i += size_t(gridDim.x) * blockDim.x) {
    const size_t t = i / width, col = i % width;
    const size_t part = col / (size_t(heads) * d), head = (col / d) % heads, e = col % d;
    const size_t b = t / s, q = t % s;
    const size_t j = part * tokens * heads * d + ((b * heads + head) * s + q) * d + e;
    if (forward)
      out[j] = in[i];
    else
      out[i] = in[j];
  }
}

} // namespace
} // namespace dcsim::calibration::cuda
