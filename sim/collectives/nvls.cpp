// In-switch reduction (NVIDIA NVLink SHARP, "NVLS"): every GPU sends its buffer once into the
// NVLink switch, which reduces and multicasts the result back. Each GPU's link carries S each
// way, in two steps, at the profile's NVLS efficiency (its algbw / link rate; e.g. ~275 of 450
// GB/s on H100). Simple protocol only.
//
// Across NVLink domains NCCL runs NVLS only where the network's switches reduce too (InfiniBand
// SHARP; `fabric.in_network_reduction`): inside each domain the switch reduces to one shard per
// GPU (S/k for k GPUs a domain), each GPU sends its shard through its NIC into the network's
// reduction tree and gets the sum of all domains back, and the NVLink switch multicasts it. Two
// costs change with the domain count:
// - NVLink: NCCL's tuning model (src/graph/tuning.cc) keeps NVLS's bus bandwidth, not its
//   algorithm bandwidth, when nodes are added, and the measurements agree (GTC24/25: 480 GB/s
//   busbw on 8 H100s of one node and on 32 over SHARP). Its multi-node kernel gives fewer warps
//   to the reduction (src/device/all_reduce.h: 3 per channel against 5-7 on one node). So the
//   NVLink flows carry S (n-1)/n / ((k-1)/k) for n GPUs in all.
// - The network: S/k each way per GPU, whatever the number of nodes; the reduction tree is laid
//   as a ring of flows among the GPUs of one local index (rail), which loads every NIC and every
//   leaf's up- and downlink once, as the tree does.
// The switch is not a host: the NVLink load is expressed as a flow from each GPU to the next one
// of its domain, which puts the bytes on every GPU's up-link and down-link, as the real traffic does.
#include "collectives/collective_algorithm.hpp"

#include "platform/platform.hpp"

namespace dcsim {

namespace {

class Nvls : public CollectiveAlgorithm {
public:
  std::string name() const override { return "nvls"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol protocol) const override
  {
    const bool one_domain = shape.domains == 1 && shape.ranks > 2;
    const bool across = shape.domains > 1 && shape.in_network_reduction && shape.per_domain > 1;
    return kind == CollectiveKind::AllReduce && (one_domain || across) && protocol == Protocol::Simple;
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const auto& params = context.params;
    if (params.nvls_efficiency <= 0)
      return;
    const std::vector<std::vector<int>> domains = uniform_domains(group, context.platform);
    const double n = static_cast<double>(group.size());
    const double k = static_cast<double>(domains.front().size());
    // Bus bandwidth kept across domains: the NVLink bytes grow as (n-1)/n over one domain's (k-1)/k.
    const double busbw_scale = domains.size() > 1 ? ((n - 1) / n) / ((k - 1) / k) : 1.0;
    // start_flows divides by the scale-up efficiency; the wire then carries S / nvls_efficiency.
    const double nvlink_bytes =
        call.bytes * call.count * params.scale_up_efficiency / params.nvls_efficiency * busbw_scale;
    std::vector<std::pair<int, int>> nvlink_edges, network_edges;
    for (const auto& domain : domains)
      for (size_t i = 0; i < domain.size(); ++i) {
        plan.add_flow(domain[i], domain[(i + 1) % domain.size()], nvlink_bytes);
        nvlink_edges.emplace_back(domain[i], domain[(i + 1) % domain.size()]);
      }
    for (size_t d = 0; domains.size() > 1 && d < domains.size(); ++d)
      for (size_t i = 0; i < domains[d].size(); ++i) {
        const int next = domains[(d + 1) % domains.size()][i];
        plan.add_flow(domains[d][i], next, call.bytes * call.count / k);
        network_edges.emplace_back(domains[d][i], next);
      }
    // NCCL models NVLS with its own per-call latency (multicast set-up), not Simple's; across
    // domains the shards go up the reduction tree and back down.
    double latency = params.nvls_base_latency_s + 2 * step_latency(nvlink_edges, context);
    if (!network_edges.empty())
      latency += 2 * step_latency(network_edges, context);
    plan.add_latency(call.count * latency);
  }
};

} // namespace

const CollectiveAlgorithm& nvls_algorithm()
{
  static const Nvls algorithm;
  return algorithm;
}

} // namespace dcsim
