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
/// polls), at most `bytes_per_ns` of it (0: unpaced), until *stop. Marks itself started and
/// reports the bytes it moved and its span. The stop flag is in device memory, as NCCL's flags
/// are: a first version polled host memory every 500 ns and slowed a GEMM beside 8 spinning
/// blocks 4.2x (PCIe reads from every block). A copying block looks at it once per 16 chunks.
__global__ void __launch_bounds__(kCommThreads) comm_like(const int4* src, int4* dst, bool copy, double bytes_per_ns,
                                                          const volatile int* stop, volatile int* started,
                                                          unsigned long long* moved,
                                                          unsigned long long* span_ns)
{
  __shared__ int done;
  const size_t region = kRegionBytes / sizeof(int4);
  const int4* in = src + blockIdx.x * region;
  int4* out = dst + blockIdx.x * region;
  const unsigned long long begin = global_ns();
  if (threadIdx.x == 0) {
    started[blockIdx.x] = 1;
    __threadfence_system();
  }
  unsigned long long bytes = 0;
  size_t offset = 0;
  for (unsigned step = 0;; ++step) {
    if (threadIdx.x == 0 && (!copy || step % 16 == 0))
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
    if (threadIdx.x == 0) {
      if (!copy)
        __nanosleep(500);
      else if (bytes_per_ns > 0) // pace: the block may not get ahead of its rate
        while (global_ns() < begin + static_cast<unsigned long long>(bytes / bytes_per_ns))
          __nanosleep(100);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    moved[blockIdx.x] = bytes;
    span_ns[blockIdx.x] = global_ns() - begin;
  }
}

/// Four elements per thread and as many blocks as that takes, so the block scheduler balances
/// the work over whatever SMs are free. (A grid-stride loop over exactly one wave of blocks, as
/// memory_bench.cu's triad, leaves the SMs shared with a communication block a second wave: the
/// first H200 run read 1.47x beside 8 blocks copying only 162 GB/s.)
__global__ void triad_kernel(float* a, const float* b, const float* c, float scalar, size_t n)
{
  const size_t first = blockIdx.x * size_t(blockDim.x) * 4 + threadIdx.x;
  for (int e = 0; e < 4; ++e) {
    const size_t i = first + size_t(e) * blockDim.x;
    if (i < n)
      a[i] = b[i] + scalar * c[i];
  }
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

/// Host memory where communication block b marks [b] when it starts.
struct StartedFlags {
  volatile int* host = nullptr; ///< volatile: the GPU writes it behind the compiler's back
  int* device = nullptr;
  int size = 0;
  explicit StartedFlags(int blocks) : size(blocks)
  {
    void* p = nullptr;
    DCSIM_CHECK(cudaHostAlloc(&p, size * sizeof(int), cudaHostAllocMapped));
    host = static_cast<int*>(p);
    DCSIM_CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&device), p, 0));
  }
  ~StartedFlags() { cudaFreeHost(const_cast<int*>(host)); }
  void clear()
  {
    for (int i = 0; i < size; ++i)
      host[i] = 0;
  }
  int count() const
  {
    int n = 0;
    for (int i = 0; i < size; ++i)
      n += host[i];
    return n;
  }
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
         const size_t n = triad_bytes / sizeof(float);
         triad_kernel<<<unsigned((n + 1023) / 1024), 256, 0, s>>>(ta.get<float>(), tb.get<float>(), tc.get<float>(),
                                                                  1.5f, n);
       }}};

  const std::vector<int> cta_counts = quick ? std::vector<int>{16, 32} : std::vector<int>{8, 16, 24, 32, 48, 66};
  const int max_ctas = cta_counts.back();
  DeviceBuffer src(kRegionBytes * max_ctas), dst(kRegionBytes * max_ctas);
  DCSIM_CHECK(cudaMemset(src.get(), 1, src.bytes()));
  DeviceBuffer moved(sizeof(unsigned long long) * max_ctas), span(sizeof(unsigned long long) * max_ctas);
  StartedFlags started(max_ctas);
  DeviceBuffer stop(sizeof(int));
  int* stop_value = nullptr; // pinned, so the copy to the device flag runs while the kernels do
  DCSIM_CHECK(cudaMallocHost(reinterpret_cast<void**>(&stop_value), sizeof(int)));
  *stop_value = 1;
  cudaStream_t control;
  DCSIM_CHECK(cudaStreamCreateWithFlags(&control, cudaStreamNonBlocking));
  struct Mode {
    const char* name;
    bool copy;
    double block_bytes_per_s; ///< memory traffic per block (read + written); 0: as fast as it can
  };
  // 20 GB/s per block: about what one NCCL channel moves on an NVLink node (an H100 ring
  // all-reduce's ~360 GB/s bus bandwidth over 16-32 channels, NVIDIA's nccl-tests figures),
  // counted as memory traffic; flat out, a block copies ~27 GB/s (the first H200 run).
  const Mode modes[] = {{"spin", false, 0}, {"copy_20GBps_per_block", true, 20e9}, {"copy_max", true, 0}};
  const int runs = quick ? 5 : 20, reps = quick ? 2 : 3;

  std::vector<OverlapSample> out;
  for (const Victim& victim : victims)
    for (const Mode& mode : modes)
      for (int ctas : cta_counts) {
        // Alone right before and after (the mean), so that clock and temperature drift between
        // configurations does not enter the ratio: the first H200 run's alone times of the
        // 8192^3 GEMM went 1.38-1.73 ms between configurations.
        const double alone_before = time_victim(victim, compute, runs, reps);
        started.clear();
        DCSIM_CHECK(cudaMemset(stop.get(), 0, sizeof(int)));
        // The rate counts memory traffic (read + written): a block copies half of it.
        const double per_cta_bytes_per_ns = mode.block_bytes_per_s / 2 * 1e-9;
        comm_like<<<ctas, kCommThreads, 0, comm>>>(src.get<int4>(), dst.get<int4>(), mode.copy, per_cta_bytes_per_ns,
                                                   stop.get<int>(), started.device, moved.get<unsigned long long>(),
                                                   span.get<unsigned long long>());
        DCSIM_CHECK(cudaGetLastError());
        // The communication kernel holds its SMs before the computation starts, as when NCCL's
        // kernel was launched first; wait (at most a second) until every block runs.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (started.count() < ctas && std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
        const bool resident = started.count() == ctas;
        const double overlapped = time_victim(victim, compute, runs, reps);
        DCSIM_CHECK(cudaMemcpyAsync(stop.get(), stop_value, sizeof(int), cudaMemcpyHostToDevice, control));
        DCSIM_CHECK(cudaStreamSynchronize(comm));
        const double alone = 0.5 * (alone_before + time_victim(victim, compute, runs, reps));
        std::vector<unsigned long long> bytes(ctas), ns(ctas);
        DCSIM_CHECK(cudaMemcpy(bytes.data(), moved.get(), ctas * sizeof(bytes[0]), cudaMemcpyDeviceToHost));
        DCSIM_CHECK(cudaMemcpy(ns.data(), span.get(), ctas * sizeof(ns[0]), cudaMemcpyDeviceToHost));
        double total_bytes = 0, longest_ns = 1;
        for (int i = 0; i < ctas; ++i)
          total_bytes += double(bytes[i]), longest_ns = std::max(longest_ns, double(ns[i]));
        // Copy counts bytes read + written, as a collective's memory traffic would.
        out.push_back({victim.name, mode.name, ctas, sms, mode.block_bytes_per_s * ctas, alone, overlapped,
                       mode.copy ? 2 * total_bytes / (longest_ns * 1e-9) : 0.0, resident});
      }
  cudaFreeHost(stop_value);
  cudaStreamDestroy(control);
  cublasDestroy(handle);
  cudaStreamDestroy(compute);
  cudaStreamDestroy(comm);
  return out;
}

} // namespace dcsim::calibration::cuda
