// Shared by the CUDA calibration benchmarks: error checks that throw with the call and the
// library's message, and GPU-side timing with CUDA events.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace dcsim::calibration::cuda {

inline void check(cudaError_t e, const char* what)
{
  if (e != cudaSuccess)
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}
inline void check(cublasStatus_t s, const char* what)
{
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": cuBLAS status " + std::to_string(static_cast<int>(s)));
}
inline void check(ncclResult_t r, const char* what)
{
  if (r != ncclSuccess)
    throw std::runtime_error(std::string(what) + ": " + ncclGetErrorString(r));
}
#define DCSIM_CHECK(call) ::dcsim::calibration::cuda::check((call), #call)

/// `batch` runs of `work` captured as one CUDA graph, or null when `work` cannot be captured
/// (a copy from pageable host memory, say); the stream is usable either way.
template <typename F>
cudaGraphExec_t capture_batch(cudaStream_t stream, F& work, int batch)
{
  if (cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
    cudaGetLastError();
    return nullptr;
  }
  bool recorded = true;
  try {
    for (int b = 0; b < batch; ++b)
      work();
  } catch (const std::exception&) {
    recorded = false;
  }
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  cudaGraphExec_t exec = nullptr;
  if (!recorded || ended != cudaSuccess || graph == nullptr || cudaGraphInstantiate(&exec, graph, 0) != cudaSuccess)
    exec = nullptr;
  if (graph != nullptr)
    cudaGraphDestroy(graph);
  cudaGetLastError(); // a failed capture's error is not the benchmark's
  return exec;
}

/// Device seconds per run of `work` (enqueued on `stream`): after one warm-up, the fastest of
/// `reps` timings of a batch of runs (~1 ms of work, 1 to 200 runs) launched as one CUDA graph,
/// divided by the batch. Events around single launches time the host too: the first H200 sweep
/// (2026-11-30) read 13-16 us for every GEMM up to 1024^3, and back-to-back launches still ~11
/// us, the rate at which that machine's host submits cuBLAS calls, which hid the GEMMs' sizes
/// (a held-out 512 x 2048 x 512 was 34-41% off). The simulator charges host time separately
/// (launch_overhead); work that cannot be captured is timed as back-to-back launches.
template <typename F>
double gpu_seconds(cudaStream_t stream, F&& work, int reps = 10)
{
  cudaEvent_t start, stop;
  DCSIM_CHECK(cudaEventCreate(&start));
  DCSIM_CHECK(cudaEventCreate(&stop));
  cudaGraphExec_t graph = nullptr;
  const auto time_ms = [&](int batch) {
    DCSIM_CHECK(cudaEventRecord(start, stream));
    if (graph != nullptr)
      DCSIM_CHECK(cudaGraphLaunch(graph, stream));
    else
      for (int b = 0; b < batch; ++b)
        work();
    DCSIM_CHECK(cudaEventRecord(stop, stream));
    DCSIM_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    DCSIM_CHECK(cudaEventElapsedTime(&ms, start, stop));
    return ms;
  };
  work();
  DCSIM_CHECK(cudaStreamSynchronize(stream));
  const float one_ms = time_ms(1);
  const int batch = one_ms >= 1.0f ? 1 : std::min(200, std::max(1, static_cast<int>(1.0f / std::max(one_ms, 1e-3f))));
  graph = capture_batch(stream, work, batch);
  if (graph != nullptr) // the graph's first launch uploads it
    time_ms(batch);
  float best_ms = 1e30f;
  for (int r = 0; r < reps; ++r) {
    const float ms = time_ms(batch) / batch;
    best_ms = ms < best_ms ? ms : best_ms;
  }
  if (graph != nullptr)
    cudaGraphExecDestroy(graph);
  DCSIM_CHECK(cudaEventDestroy(start));
  DCSIM_CHECK(cudaEventDestroy(stop));
  return best_ms * 1e-3;
}

/// Device memory freed on scope exit.
class DeviceBuffer {
public:
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) { DCSIM_CHECK(cudaMalloc(&ptr_, bytes ? bytes : 1)); }
  ~DeviceBuffer() { cudaFree(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <typename T = void>
  T* get() const { return static_cast<T*>(ptr_); }
  size_t bytes() const { return bytes_; }

private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

} // namespace dcsim::calibration::cuda
