// In-switch reduction in an NVLink domain (NVIDIA NVLink SHARP, "NVLS"): every GPU sends its
// buffer once into the switch, which reduces and multicasts the result back. Each GPU's link
// carries S each way, in two steps, at the profile's NVLS efficiency (its algbw / link rate;
// e.g. ~275 of 450 GB/s on H100). Only inside one domain, with the Simple protocol.
//
// The switch is not a host: the load is expressed as a flow from each GPU to the next one, which
// puts S on every GPU's up-link and down-link, as the real traffic does.
#include "collectives/collective_algorithm.hpp"

namespace dcsim {

namespace {

class Nvls : public CollectiveAlgorithm {
public:
  std::string name() const override { return "nvls"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol protocol) const override
  {
    return kind == CollectiveKind::AllReduce && shape.domains == 1 && shape.ranks > 2 && protocol == Protocol::Simple;
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const auto& params = context.params;
    if (params.nvls_efficiency <= 0)
      return;
    const int n = static_cast<int>(group.size());
    // start_flows divides by the scale-up efficiency; the wire then carries S / nvls_efficiency.
    const double bytes = call.bytes * call.count * params.scale_up_efficiency / params.nvls_efficiency;
    std::vector<std::pair<int, int>> edges;
    for (int i = 0; i < n; ++i) {
      plan.add_flow(group[i], group[(i + 1) % n], bytes);
      edges.emplace_back(group[i], group[(i + 1) % n]);
    }
    // NCCL models NVLS with its own per-call latency (multicast set-up), not Simple's.
    plan.add_latency(call.count * (params.nvls_base_latency_s + 2 * step_latency(edges, context)));
  }
};

} // namespace

const CollectiveAlgorithm& nvls_algorithm()
{
  static const Nvls algorithm;
  return algorithm;
}

} // namespace dcsim
