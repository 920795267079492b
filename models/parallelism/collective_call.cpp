#include "parallelism/collective_call.hpp"

namespace dcsim {

std::string to_string(CollectiveKind kind)
{
  switch (kind) {
    case CollectiveKind::AllReduce: return "allreduce";
    case CollectiveKind::AllGather: return "allgather";
    case CollectiveKind::ReduceScatter: return "reducescatter";
    case CollectiveKind::AllToAll: return "alltoall";
    case CollectiveKind::Broadcast: return "broadcast";
    case CollectiveKind::Reduce: return "reduce";
    case CollectiveKind::SendRecv: return "sendrecv";
  }
  return "?";
}

} // namespace dcsim
