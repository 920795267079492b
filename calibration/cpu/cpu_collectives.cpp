// Collectives between CPU threads over shared memory, with the algorithms NCCL runs between GPUs:
// ring reduce-scatter and all-gather (an all-reduce is both), direct all-to-all, a ring of
// sends. A barrier separates steps, as NCCL's flags do, so latency grows with the steps and
// bandwidth is the memory system's.
#include "cpu/cpu_backend.hpp"

#include "cpu/timing.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

namespace dcsim::calibration {

namespace {

class Barrier {
public:
  explicit Barrier(int parties) : parties_(parties) {}
  void wait()
  {
    std::unique_lock<std::mutex> lock(mutex_);
    const long long generation = generation_;
    if (++waiting_ == parties_) {
      waiting_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return generation_ != generation; });
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int parties_, waiting_ = 0;
  long long generation_ = 0;
};

/// `ranks` threads that run one function together per call of run() (a "kernel launch").
class ThreadTeam {
public:
  explicit ThreadTeam(int ranks) : start_(ranks + 1), end_(ranks + 1)
  {
    for (int r = 0; r < ranks; ++r)
      threads_.emplace_back([this, r] {
        while (true) {
          start_.wait();
          if (stop_)
            return;
          work_(r);
          end_.wait();
        }
      });
  }
  ~ThreadTeam()
  {
    stop_ = true;
    start_.wait();
    for (auto& t : threads_)
      t.join();
  }
  void run(std::function<void(int)> work)
  {
    work_ = std::move(work);
    start_.wait();
    end_.wait();
  }

private:
  Barrier start_, end_;
  std::function<void(int)> work_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

struct Buffers {
  int n;
  size_t chunk; // floats per rank's chunk
  std::vector<std::vector<float>> in, out;
  Buffers(int ranks, double bytes) : n(ranks)
  {
    const size_t count = std::max<size_t>(ranks, static_cast<size_t>(bytes / sizeof(float)));
    chunk = (count + ranks - 1) / ranks;
    in.assign(ranks, std::vector<float>(chunk * ranks, 1.0f));
    out.assign(ranks, std::vector<float>(chunk * ranks, 0.0f));
  }
  float* at(std::vector<float>& v, int index) { return v.data() + size_t((index % n + n) % n) * chunk; }
};

void ring_reduce_scatter(Buffers& b, Barrier& step, int r)
{
  for (int s = 0; s < b.n - 1; ++s) {
    step.wait();
    float* mine = b.at(b.out[r], r - s - 1);
    const float* prev = b.at(b.out[(r - 1 + b.n) % b.n], r - s - 1);
    for (size_t i = 0; i < b.chunk; ++i)
      mine[i] += prev[i];
  }
}

double time_op(ThreadTeam& team, int ranks, const std::string& op, double bytes)
{
  Buffers b(ranks, bytes);
  Barrier step(ranks);
  std::function<void(int)> body;
  if (op == "allreduce") {
    body = [&](int r) {
      std::memcpy(b.out[r].data(), b.in[r].data(), b.out[r].size() * sizeof(float));
      ring_reduce_scatter(b, step, r);
      // All-gather: rank r owns the reduced chunk r+1; step s copies chunk r-s from r-1.
      for (int s = 0; s < b.n - 1; ++s) {
        step.wait();
        std::memcpy(b.at(b.out[r], r - s), b.at(b.out[(r - 1 + b.n) % b.n], r - s), b.chunk * sizeof(float));
      }
    };
  } else if (op == "reducescatter") {
    body = [&](int r) {
      std::memcpy(b.out[r].data(), b.in[r].data(), b.out[r].size() * sizeof(float));
      ring_reduce_scatter(b, step, r);
    };
  } else if (op == "allgather") {
    body = [&](int r) {
      std::memcpy(b.at(b.out[r], r), b.at(b.in[r], r), b.chunk * sizeof(float));
      for (int s = 0; s < b.n - 1; ++s) {
        step.wait();
        std::memcpy(b.at(b.out[r], r - s - 1), b.at(b.out[(r - 1 + b.n) % b.n], r - s - 1), b.chunk * sizeof(float));
      }
    };
  } else if (op == "alltoall") {
    body = [&](int r) {
      for (int q = 0; q < b.n; ++q) // chunk r of every rank's input lands in slot q of rank r
        std::memcpy(b.at(b.out[r], q), b.at(b.in[q], r), b.chunk * sizeof(float));
    };
  } else { // sendrecv: each rank receives the whole buffer of its predecessor
    body = [&](int r) {
      std::memcpy(b.out[r].data(), b.in[(r - 1 + b.n) % b.n].data(), b.out[r].size() * sizeof(float));
    };
  }
  return fastest_seconds([&] { team.run(body); }, 0.03, 3, 200);
}

} // namespace

std::vector<CollectiveSample> cpu_collectives(int ranks, double max_bytes)
{
  ThreadTeam team(ranks);
  std::vector<CollectiveSample> out;
  for (const char* op : {"allreduce", "allgather", "reducescatter", "alltoall", "sendrecv"})
    for (double bytes = 8; bytes <= max_bytes; bytes *= 2)
      out.push_back({op, ranks, bytes, time_op(team, ranks, op, bytes)});
  return out;
}

} // namespace dcsim::calibration
