// Achieved memory bandwidth (a STREAM-like triad and the layernorm kernel), copies between host
// and device and within the device, and the host cost of launching a kernel.
#include "benchmarks.hpp"
#include "cuda_common.hpp"
#include "kernels.cuh"

#include <chrono>

namespace dcsim::calibration::cuda {

namespace {

__global__ void triad(float* a, const float* b, const float* c, float scalar, size_t n)
{
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    a[i] = b[i] + scalar * c[i];
}

__global__ void empty_kernel() {}

} // namespace

std::vector<BandwidthSample> bandwidth_sweep(bool quick)
{
  const size_t bytes = quick ? (256u << 20) : (size_t(2) << 30); // per array: far beyond the L2
  const size_t n = bytes / sizeof(float);
  cudaStream_t stream;
  DCSIM_CHECK(cudaStreamCreate(&stream));
  DeviceBuffer a(bytes), b(bytes), c(bytes);
  DCSIM_CHECK(cudaMemset(b.get(), 0, bytes));
  DCSIM_CHECK(cudaMemset(c.get(), 0, bytes));
  int sms = 0;
  DCSIM_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  std::vector<BandwidthSample> out;
  out.push_back({"triad", 3.0 * bytes, gpu_seconds(stream, [&] {
                   triad<<<sms * 8, 256, 0, stream>>>(a.get<float>(), b.get<float>(), c.get<float>(), 1.5f, n);
                 })});
  const int hidden = 8192;
  const int rows = int(bytes / 2 / hidden);
  out.push_back({"layernorm", 2.0 * rows * hidden * 2, gpu_seconds(stream, [&] {
                   layernorm_forward<<<rows, 256, 0, stream>>>(b.get<bf16>(), a.get<bf16>(), hidden);
                 })});
  out.push_back({"d2d", 2.0 * bytes, gpu_seconds(stream, [&] {
                   DCSIM_CHECK(cudaMemcpyAsync(a.get(), b.get(), bytes, cudaMemcpyDeviceToDevice, stream));
                 })});
  void* host = nullptr;
  DCSIM_CHECK(cudaMallocHost(&host, bytes));
  out.push_back({"h2d", double(bytes), gpu_seconds(stream, [&] {
                   DCSIM_CHECK(cudaMemcpyAsync(a.get(), host, bytes, cudaMemcpyHostToDevice, stream));
                 })});
  out.push_back({"d2h", double(bytes), gpu_seconds(stream, [&] {
                   DCSIM_CHECK(cudaMemcpyAsync(host, a.get(), bytes, cudaMemcpyDeviceToHost, stream));
                 })});
  cudaFreeHost(host);
  cudaStreamDestroy(stream);
  return out;
}

double launch_overhead_s()
{
  cudaStream_t stream;
  DCSIM_CHECK(cudaStreamCreate(&stream));
  constexpr int kLaunches = 2000;
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    DCSIM_CHECK(cudaStreamSynchronize(stream));
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kLaunches; ++i)
      empty_kernel<<<1, 32, 0, stream>>>();
    DCSIM_CHECK(cudaStreamSynchronize(stream));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / kLaunches);
  }
  cudaStreamDestroy(stream);
  return best;
}

} // namespace dcsim::calibration::cuda
