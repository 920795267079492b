// Shared by the CUDA calibration benchmarks: error checks that throw with the call and the
// library's message, and GPU-side timing with CUDA events.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>

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

/// Fastest of `reps` timed runs of `work` (enqueued on `stream`), after one warm-up, in seconds.
template <typename F>
double gpu_seconds(cudaStream_t stream, F&& work, int reps = 10)
{
  cudaEvent_t start, stop;
  DCSIM_CHECK(cudaEventCreate(&start));
  DCSIM_CHECK(cudaEventCreate(&stop));
  work();
  DCSIM_CHECK(cudaStreamSynchronize(stream));
  float best_ms = 1e30f;
  for (int r = 0; r < reps; ++r) {
    DCSIM_CHECK(cudaEventRecord(start, stream));
    work();
    DCSIM_CHECK(cudaEventRecord(stop, stream));
    DCSIM_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    DCSIM_CHECK(cudaEventElapsedTime(&ms, start, stop));
    best_ms = ms < best_ms ? ms : best_ms;
  }
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
