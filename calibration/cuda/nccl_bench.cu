// NCCL collectives as nccl-tests measures them (sizes are nccl-tests' total bytes; time per
// call, fastest of several): all-reduce, all-gather, reduce-scatter, all-to-all (grouped
// send/recv) and send/recv to the next rank, over every local GPU from one process, with one GPU
// too. Under MPI (DCSIM_WITH_MPI), one process per GPU across nodes instead.
#include "benchmarks.hpp"
#include "cuda_common.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#ifdef DCSIM_WITH_MPI
#include <mpi.h>
#endif

namespace dcsim::calibration::cuda {

namespace {

struct Rank {
  int device = 0;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  void* send = nullptr;
  void* recv = nullptr;
};

/// Enqueues `op` of `bytes` (nccl-tests' total size, float elements) on every rank.
void enqueue(const std::string& op, std::vector<Rank>& ranks, int world, int first_rank, size_t bytes)
{
  const size_t count = std::max<size_t>(1, bytes / sizeof(float));
  const size_t share = std::max<size_t>(1, count / world);
  DCSIM_CHECK(ncclGroupStart());
  for (size_t i = 0; i < ranks.size(); ++i) {
    Rank& r = ranks[i];
    const int me = first_rank + int(i);
    if (op == "allreduce")
      DCSIM_CHECK(ncclAllReduce(r.send, r.recv, count, ncclFloat, ncclSum, r.comm, r.stream));
    else if (op == "allgather")
      DCSIM_CHECK(ncclAllGather(r.send, r.recv, share, ncclFloat, r.comm, r.stream));
    else if (op == "reducescatter")
      DCSIM_CHECK(ncclReduceScatter(r.send, r.recv, share, ncclFloat, ncclSum, r.comm, r.stream));
    else if (op == "alltoall")
      for (int peer = 0; peer < world; ++peer) {
        DCSIM_CHECK(ncclSend(static_cast<float*>(r.send) + peer * share, share, ncclFloat, peer, r.comm, r.stream));
        DCSIM_CHECK(ncclRecv(static_cast<float*>(r.recv) + peer * share, share, ncclFloat, peer, r.comm, r.stream));
      }
    else if (world > 1) { // sendrecv: a ring of sends
      DCSIM_CHECK(ncclSend(r.send, count, ncclFloat, (me + 1) % world, r.comm, r.stream));
      DCSIM_CHECK(ncclRecv(r.recv, count, ncclFloat, (me - 1 + world) % world, r.comm, r.stream));
    } else {
      DCSIM_CHECK(cudaMemcpyAsync(r.recv, r.send, count * sizeof(float), cudaMemcpyDeviceToDevice, r.stream));
    }
  }
  DCSIM_CHECK(ncclGroupEnd());
}

void synchronize(std::vector<Rank>& ranks)
{
  for (auto& r : ranks) {
    DCSIM_CHECK(cudaSetDevice(r.device));
    DCSIM_CHECK(cudaStreamSynchronize(r.stream));
  }
#ifdef DCSIM_WITH_MPI
  MPI_Barrier(MPI_COMM_WORLD);
#endif
}

double time_op(const std::string& op, std::vector<Rank>& ranks, int world, int first_rank, size_t bytes)
{
  const int reps = bytes >= (size_t(1) << 30) ? 3 : 10;
  enqueue(op, ranks, world, first_rank, bytes); // warm-up (and connection set-up on first use)
  synchronize(ranks);
  double best = 1e30;
  for (int rep = 0; rep < reps; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    enqueue(op, ranks, world, first_rank, bytes);
    synchronize(ranks);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

} // namespace

std::vector<CollectiveSample> nccl_sweep(bool quick, int devices)
{
  int world = devices, first_rank = 0;
  std::vector<Rank> ranks(devices);
  for (int i = 0; i < devices; ++i)
    ranks[i].device = i;
#ifdef DCSIM_WITH_MPI
  int mpi_rank = 0, mpi_size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
  if (mpi_size > 1) { // one GPU per process: the local rank's device
    int local = 0;
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, mpi_rank, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &local);
    ranks.assign(1, Rank{local % devices});
    world = mpi_size, first_rank = mpi_rank;
    ncclUniqueId id;
    if (mpi_rank == 0)
      DCSIM_CHECK(ncclGetUniqueId(&id));
    MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
    DCSIM_CHECK(cudaSetDevice(ranks[0].device));
    DCSIM_CHECK(ncclCommInitRank(&ranks[0].comm, world, id, mpi_rank));
  } else
#endif
  {
    std::vector<ncclComm_t> comms(devices);
    std::vector<int> ids(devices);
    for (int i = 0; i < devices; ++i)
      ids[i] = i;
    DCSIM_CHECK(ncclCommInitAll(comms.data(), devices, ids.data()));
    for (int i = 0; i < devices; ++i)
      ranks[i].comm = comms[i];
  }
  const size_t max_bytes = quick ? (size_t(64) << 20) : (size_t(8) << 30);
  for (auto& r : ranks) {
    DCSIM_CHECK(cudaSetDevice(r.device));
    DCSIM_CHECK(cudaStreamCreate(&r.stream));
    DCSIM_CHECK(cudaMalloc(&r.send, max_bytes));
    DCSIM_CHECK(cudaMalloc(&r.recv, max_bytes));
    DCSIM_CHECK(cudaMemset(r.send, 0, max_bytes));
  }
  std::vector<CollectiveSample> out;
  for (const char* op : {"allreduce", "allgather", "reducescatter", "alltoall", "sendrecv"})
    for (size_t bytes = 8; bytes <= max_bytes; bytes *= 2)
      out.push_back({op, world, double(bytes), time_op(op, ranks, world, first_rank, bytes)});
  for (auto& r : ranks) {
    cudaSetDevice(r.device);
    cudaFree(r.send);
    cudaFree(r.recv);
    cudaStreamDestroy(r.stream);
    ncclCommDestroy(r.comm);
  }
  return out;
}

} // namespace dcsim::calibration::cuda
