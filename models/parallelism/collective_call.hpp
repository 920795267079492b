// A collective the workload asks for, independent of how it will be carried out.
#pragma once

#include <string>
#include <vector>

namespace dcsim {

enum class CollectiveKind { AllReduce, AllGather, ReduceScatter, AllToAll, Broadcast, Reduce, SendRecv };

/// `bytes` is the nccl-tests size S: the buffer per rank for all-reduce, broadcast, reduce and
/// send/recv; the whole gathered (all-gather) or scattered (reduce-scatter) array; the send
/// buffer per rank for all-to-all.
struct CollectiveCall {
  CollectiveKind kind = CollectiveKind::AllReduce;
  double bytes = 0;
  int count = 1; ///< identical calls issued back to back
};

using CollectiveCalls = std::vector<CollectiveCall>;

std::string to_string(CollectiveKind kind);

} // namespace dcsim
