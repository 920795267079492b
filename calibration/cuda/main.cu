// dcsim-calibrate-cuda: runs the CUDA/NCCL micro-benchmarks on this machine's GPUs and writes
// the raw measurements as JSON (measurements.hpp) for `dcsim calibrate --backend cuda` to fit.
//   dcsim-calibrate-cuda --out MEASUREMENTS.json [--quick] [--only gemm|blocks|bandwidth|nccl|overlap]
// Exit status: 0 success, 3 no usable GPU or driver, 1 any other failure (message on stderr).
#include "benchmarks.hpp"
#include "cuda_common.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#ifdef DCSIM_WITH_MPI
#include <mpi.h>
#endif

using namespace dcsim::calibration;

namespace {

std::string version_text(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

DeviceInfo describe_device(int devices)
{
  cudaDeviceProp prop{};
  DCSIM_CHECK(cudaGetDeviceProperties(&prop, 0));
  int driver = 0, runtime = 0, nccl = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  ncclGetVersion(&nccl);
  cublasHandle_t handle;
  int cublas = 0;
  if (cublasCreate(&handle) == CUBLAS_STATUS_SUCCESS) {
    cublasGetVersion(handle, &cublas);
    cublasDestroy(handle);
  }
  DeviceInfo d;
  d.backend = "cuda";
  d.name = prop.name;
  d.count = devices;
  d.sm_count = prop.multiProcessorCount;
  d.memory_bytes = double(prop.totalGlobalMem);
  d.driver_version = version_text(driver);
  d.runtime_version = version_text(runtime);
  d.nccl_version = std::to_string(nccl);
  d.library_version = "cuBLAS " + std::to_string(cublas) + ", sm_" + std::to_string(prop.major) + std::to_string(prop.minor);
  return d;
}

} // namespace

int main(int argc, char** argv)
{
#ifdef DCSIM_WITH_MPI
  MPI_Init(&argc, &argv);
#endif
  std::string out_path;
  bool quick = false;
  std::string only; // one benchmark family; empty: all
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick"))
      quick = true;
    else if (!std::strcmp(argv[i], "--out") && i + 1 < argc)
      out_path = argv[++i];
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else {
      std::cerr << "usage: dcsim-calibrate-cuda --out MEASUREMENTS.json [--quick] [--only "
                   "gemm|blocks|bandwidth|nccl|overlap]\n";
      return 2;
    }
  }
  if (!only.empty() && only != "gemm" && only != "blocks" && only != "bandwidth" && only != "nccl" && only != "overlap") {
    std::cerr << "dcsim-calibrate-cuda: unknown --only '" << only
              << "'; expected gemm, blocks, bandwidth, nccl or overlap\n";
    return 2;
  }
  int devices = 0;
  const cudaError_t status = cudaGetDeviceCount(&devices);
  if (status != cudaSuccess || devices == 0) {
    std::cerr << "no usable NVIDIA GPU: " << (status != cudaSuccess ? cudaGetErrorString(status) : "no device found")
              << "; expected a GPU with a working driver (nvidia-smi should list it)\n";
    return 3;
  }
  try {
    Measurements m;
    m.device = describe_device(devices);
    cudaDeviceProp prop{};
    DCSIM_CHECK(cudaGetDeviceProperties(&prop, 0));
    DCSIM_CHECK(cudaSetDevice(0));
    std::cerr << "calibrating " << m.device.name << " x" << devices << (quick ? " (quick)" : "") << "\n";
    const auto wanted = [&](const char* family) { return only.empty() || only == family; };
    m.launch_overhead_s = cuda::launch_overhead_s();
    if (wanted("gemm"))
      m.gemms = cuda::gemm_sweep(quick, prop.major);
    if (wanted("blocks"))
      m.blocks = cuda::transformer_blocks(quick);
    if (wanted("bandwidth"))
      m.bandwidths = cuda::bandwidth_sweep(quick);
    if (wanted("nccl"))
      m.collectives = cuda::nccl_sweep(quick, devices);
    if (wanted("overlap"))
      m.overlaps = cuda::overlap_sweep(quick);
    std::ofstream out(out_path);
    out << to_json(m).dump(1) << "\n";
    if (!out)
      throw std::runtime_error("cannot write " + out_path);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
#ifdef DCSIM_WITH_MPI
  MPI_Finalize();
#endif
  return 0;
}
