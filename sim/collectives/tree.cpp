// Double binary tree as NCCL builds it (Sanders, Speck and Traeff 2009 for the tree; NCCL 2.4+
// for the layout): inside each NVLink domain the ranks form a chain; the chain heads, one per
// domain, form two binary trees over the domains, the second the mirror of the first, so that a
// domain inner in one tree is (nearly always) a leaf in the other. Each tree carries half of the
// data, reduced up towards the root and broadcast back down, both pipelined so they run at once.
//
// With k ranks per domain there are k channels; channel c rotates every chain by c, so its head
// is a different GPU and its inter-domain traffic leaves through a different NIC (as NCCL's
// channels do); the first half of the channels runs the first tree, the second half its mirror. A node then sends S once per all-reduce over the network, against the ring's
// 2(n-1)/n S, and a chunk crosses 2 x (chain + tree depth) hops instead of 2(n-1): the tree wins
// for small and medium messages on many nodes.
#include "collectives/collective_algorithm.hpp"

#include "platform/platform.hpp"

#include <algorithm>

namespace dcsim {

namespace {

class DoubleBinaryTree : public CollectiveAlgorithm {
public:
  std::string name() const override { return "tree"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol) const override
  {
    // Inside one NVLink domain NCCL's tree is a single chain, never faster than the ring.
    return shape.domains > 1 && shape.per_domain > 0 &&
           (kind == CollectiveKind::AllReduce || kind == CollectiveKind::Broadcast || kind == CollectiveKind::Reduce);
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const auto domains = uniform_domains(group, context.platform);
    if (domains.size() < 2)
      return;
    const int D = static_cast<int>(domains.size());
    const int k = static_cast<int>(domains.front().size());
    const bool up = call.kind != CollectiveKind::Broadcast;  // reduce towards the root
    const bool down = call.kind != CollectiveKind::Reduce;   // broadcast from the root
    const ChannelUse use = channels_for(call, static_cast<int>(group.size()), context);
    const double efficiency =
        context.params.protocol(context.protocol).efficiency * context.params.tree_efficiency * use.rate_fraction;
    // NCCL runs the first tree on half of the channels and the mirrored one on the other half;
    // one channel per GPU of a domain (at least two, so that both trees run).
    const int channels = std::max(k, 2);
    const double per_channel = call.bytes * call.count / channels / efficiency;
    const auto edge = [&](int child, int parent, double bytes) {
      if (up)
        plan.add_flow(child, parent, bytes);
      if (down)
        plan.add_flow(parent, child, bytes);
    };

    // Critical path of one direction: the slowest chain plus the deepest tree path, per channel.
    double critical = 0;
    for (int c = 0; c < channels; ++c) {
      const auto member = [&](int d, int i) { return domains[d][(i + c) % k]; };
      double chain = 0;
      for (int d = 0; d < D; ++d) {
        double length = 0;
        for (int i = 1; i < k; ++i) {
          edge(member(d, i), member(d, i - 1), per_channel);
          length += hop_latency(member(d, i), member(d, i - 1), context);
        }
        chain = std::max(chain, length);
      }
      const bool mirrored = c >= channels / 2;
      std::vector<double> to_root(D, 0.0); // by heap position
      for (int pos = 1; pos < D; ++pos) {
        // Heap layout for the first tree; the second is its mirror image (domain d -> D-1-d).
        const int child = mirrored ? D - 1 - pos : pos;
        const int parent = mirrored ? D - 1 - (pos - 1) / 2 : (pos - 1) / 2;
        edge(member(child, 0), member(parent, 0), per_channel);
        to_root[pos] = to_root[(pos - 1) / 2] + hop_latency(member(child, 0), member(parent, 0), context);
        critical = std::max(critical, chain + to_root[pos]);
      }
    }
    const double base = context.params.protocol(context.protocol).base_latency_s;
    const int directions = (up ? 1 : 0) + (down ? 1 : 0);
    plan.add_latency(call.count * (base + use.latency_s + directions * critical));
  }

  ChannelUse channel_use(const CollectiveCall& call, int, const CommunicationParams& params,
                         Protocol protocol) const override
  {
    return nccl_channels_in_use(params, protocol, call.bytes, 1);
  }
};

} // namespace

const CollectiveAlgorithm& tree_algorithm()
{
  static const DoubleBinaryTree tree;
  return tree;
}

} // namespace dcsim
