// Computation beside communication kernels: how much slower a GEMM or a streaming kernel runs
// while a kernel shaped like NCCL's holds some of the SMs. NCCL runs one thread block per channel
// for the whole collective, each spinning on flags and copying through memory, so overlapped
// communication takes SMs (and memory bandwidth) from the computation it hides behind; the
// engine's overlap model (parallelism.overlap_comm_sms) assumes the computation advances on the
// remaining SMs. One GPU cannot run a real multi-rank collective, so the stand-in is a
// persistent kernel of `ctas` blocks of 512 threads (registers and threads enough that a cuBLAS
// Hopper GEMM block cannot share their SM, as with NCCL's 512-640-thread blocks) that either
// spins or copies HBM to HBM at a set rate, until the host raises a flag.
#include "benchmarks.hpp"
#include "cuda_common.hpp"
#include "kernels.cuh"

#include <chrono>
#include <functional>
#include <thread>

namespace dcsim::calibration::cuda {

namespace {

constexpr int kCommThreads = 512;
constexpr size_t kChunkBytes = size_t(kCommThreads) * 8 * sizeof(int4); // 64 KiB per step
constexpr size_t kRegionBytes = size_t(16) << 20;                       // per block, cycled

__device__ inline unsigned long long global_ns()
{
  unsigned long long t;
  asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t));
  return t;
}

/// One communication-like block: copies its region chunk by chunk (or, with copy false, only
/// polls), at most `bytes_per_ns` of it, until *stop. Reports the bytes it moved and its span.
__global__ void __launch_bounds__(kCommThreads) comm_like(const int4* src, int4* dst, bool copy, double bytes_per_ns,
                                                          const volatile int* stop, int* started,
                                                          unsigned long long* moved, unsigned long long* span_ns)
{
  __shared__ int done;
  const size_t region = kRegionBytes / sizeof(int4);
  const int4* in = src + blockIdx.x * region;
  int4* out = dst + blockIdx.x * region;
  const unsigned long long begin = global_ns();
  if (threadIdx.x == 0)
    atomicAdd(started, 1);
  unsigned long long bytes = 0;
  size_t offset = 0;
  for (;;) {
    if (threadIdx.x == 0)
      done = *stop;
    __syncthreads();
    if (done)
      break;
    if (copy) {
      for (int i = 0; i < 8; ++i) {
        const size_t j = offset + size_t(i) * kCommThreads + threadIdx.x;
        out[j] = in[j];
      }
      offset = (offset + 8 * kCommThreads) % region;
      bytes += kChunkBytes;
    }
    if (threadIdx.x == 0) { // pace: the block may not get ahead of its rate
      const unsigned long long due = copy && bytes_per_ns > 0 ? begin + (unsigned long long)(bytes / bytes_per_ns) : 0;
      do
        __nanosleep(copy ? 100 : 500);
      while (copy && global_ns() < due);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    moved[blockIdx.x] = bytes;
    span_ns[blockIdx.x] = global_ns() - begin;
  }
}

__global__ void triad_kernel(float* a, const float* b, const float* c, float scalar, size_t n)
{
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    a[i] = b[i] + scalar * c[i];
}

/// The computation that communication hides behind.
struct Victim {
  std::string name;
  std::function<void(cudaStream_t)> launch;
};

/// Mean seconds per run of `victim` over `runs` back-to-back launches, best of `reps` batches.
double time_victim(const Victim& victim, cudaStream_t stream, int runs, int reps)
{
  cudaEvent_t start, stop;
  DCSIM_CHECK(cudaEventCreate(&start));
  DCSIM_CHECK(cudaEventCreate(&stop));
  victim.launch(stream); // warm-up
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    DCSIM_CHECK(cudaEventRecord(start, stream));
    for (int i = 0; i < runs; ++i)
      victim.launch(stream);
    DCSIM_CHECK(cudaEventRecord(stop, stream));
    DCSIM_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    DCSIM_CHECK(cudaEventElapsedTime(&ms, start, stop));
    best = std::min(best, ms * 1e-3 / runs);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return best;
}

/// Host-visible flag and counters the communication blocks read and write.
struct SharedFlags {
  int* host = nullptr; ///< [0]: stop, [1]: blocks started
  int* device = nullptr;
  SharedFlags()
  {
    DCSIM_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&host), 2 * sizeof(int), cudaHostAllocMapped));
    DCSIM_CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&device), host, 0));
  }
  ~SharedFlags() { cudaFreeHost(host); }
};

} // namespace

std::vector<OverlapSample> overlap_sweep(bool quick)
{
  int sms = 0;
  DCSIM_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  int low = 0, high = 0;
  DCSIM_CHECK(cudaDeviceGetStreamPriorityRange(&low, &high));
  cudaStream_t compute, comm;
  DCSIM_CHECK(cudaStreamCreate(&compute));
  DCSIM_CHECK(cudaStreamCreateWithPriority(&comm, cudaStreamNonBlocking, high));
  cublasHandle_t handle;
  DCSIM_CHECK(cublasCreate(&handle));
  DCSIM_CHECK(cublasSetStream(handle, compute));

  // Victims: a large square GEMM, a transformer-shaped one, and a streaming kernel.
  const long long big = quick ? 4096 : 8192;
  DeviceBuffer a(size_t(big) * big * 2), b(size_t(big) * big * 2), c(size_t(big) * big * 2);
  DCSIM_CHECK(fill_random(a.get<bf16>(), a.bytes() / 2, 1));
  DCSIM_CHECK(fill_random(b.get<bf16>(), b.bytes() / 2, 2));
  const auto gemm = [&](long long m, long long n, long long k) {
    return [&, m, n, k](cudaStream_t) {
      const float alpha = 1.0f, beta = 0.0f;
      DCSIM_CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, int(m), int(n), int(k), &alpha, a.get(), CUDA_R_16BF,
                               int(m), b.get(), CUDA_R_16BF, int(k), &beta, c.get(), CUDA_R_16BF, int(m),
                               CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    };
  };
  const size_t triad_bytes = quick ? (size_t(128) << 20) : (size_t(1) << 30); // per array
  DeviceBuffer ta(triad_bytes), tb(triad_bytes), tc(triad_bytes);
  DCSIM_CHECK(cudaMemset(tb.get(), 0, triad_bytes));
  DCSIM_CHECK(cudaMemset(tc.get(), 0, triad_bytes));
  const std::vector<Victim> victims = {
      {"gemm_bf16_" + std::to_string(big) + "^3", gemm(big, big, big)},
      {"gemm_bf16_4096x12288x3072", gemm(4096, 12288, 3072)},
      {"triad", [&](cudaStream_t s) {
         triad_kernel<<<sms * 8, 256, 0, s>>>(ta.get<float>(), tb.get<float>(), tc.get<float>(), 1.5f,
                                             triad_bytes / sizeof(float));
       }}};

  const std::vector<int> cta_counts = quick ? std::vector<int>{16, 32} : std::vector<int>{8, 16, 24, 32, 48, 66};
  const int max_ctas = cta_counts.back();
  DeviceBuffer src(kRegionBytes * max_ctas), dst(kRegionBytes * max_ctas);
  DCSIM_CHECK(cudaMemset(src.get(), 1, src.bytes()));
  DeviceBuffer moved(sizeof(unsigned long long) * max_ctas), span(sizeof(unsigned long long) * max_ctas);
  SharedFlags flags;
  struct Mode {
    const char* name;
    bool copy;
    double total_bytes_per_s; ///< 0: as fast as the blocks can
  };
  const Mode modes[] = {{"spin", false, 0}, {"copy_1TBps", true, 1e12}, {"copy_max", true, 0}};
  const int runs = quick ? 5 : 20, reps = quick ? 2 : 3;

  std::vector<OverlapSample> out;
  for (const Victim& victim : victims)
    for (const Mode& mode : modes)
      for (int ctas : cta_counts) {
        // Alone right before, so that clock and temperature drift between configurations
        // does not enter the ratio.
        const double alone = time_victim(victim, compute, runs, reps);
        flags.host[0] = 0, flags.host[1] = 0;
        // The rate counts memory traffic (read + written): a block copies half of it.
        const double per_cta_bytes_per_ns = mode.total_bytes_per_s / 2 / ctas * 1e-9;
        comm_like<<<ctas, kCommThreads, 0, comm>>>(src.get<int4>(), dst.get<int4>(), mode.copy, per_cta_bytes_per_ns,
                                                   flags.device, flags.device + 1, moved.get<unsigned long long>(),
                                                   span.get<unsigned long long>());
        DCSIM_CHECK(cudaGetLastError());
        // The communication kernel holds its SMs before the computation starts, as when NCCL's
        // kernel was launched first; wait (at most a second) until every block runs.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (reinterpret_cast<volatile int*>(flags.host)[1] < ctas && std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
        const bool resident = reinterpret_cast<volatile int*>(flags.host)[1] == ctas;
        const double overlapped = time_victim(victim, compute, runs, reps);
        reinterpret_cast<volatile int*>(flags.host)[0] = 1;
        DCSIM_CHECK(cudaStreamSynchronize(comm));
        std::vector<unsigned long long> bytes(ctas), ns(ctas);
        DCSIM_CHECK(cudaMemcpy(bytes.data(), moved.get(), ctas * sizeof(bytes[0]), cudaMemcpyDeviceToHost));
        DCSIM_CHECK(cudaMemcpy(ns.data(), span.get(), ctas * sizeof(ns[0]), cudaMemcpyDeviceToHost));
        double total_bytes = 0, longest_ns = 1;
        for (int i = 0; i < ctas; ++i)
          total_bytes += double(bytes[i]), longest_ns = std::max(longest_ns, double(ns[i]));
        // Copy counts bytes read + written, as a collective's memory traffic would.
        out.push_back({victim.name, mode.name, ctas, sms, mode.total_bytes_per_s, alone, overlapped,
                       mode.copy ? 2 * total_bytes / (longest_ns * 1e-9) : 0.0, resident});
      }
  cublasDestroy(handle);
  cudaStreamDestroy(compute);
  cudaStreamDestroy(comm);
  return out;
}

} // namespace dcsim::calibration::cuda
