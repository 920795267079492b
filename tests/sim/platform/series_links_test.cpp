// Links merged in series (platform/series_links.hpp): which ones, and that routes keep their
// bottleneck.
#include "platform/series_links.hpp"
#include "platform/fabric_builder.hpp"

#include "config/scenario_loader.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace {

const char* kCluster = R"(
cluster:
  nodes: 16
  node:
    gpu: H100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 450GB/s, latency: 1us}
    nics: {count: 8, bandwidth: 200Gb/s, latency: 2us}
  fabric: {topology: fat-tree, tiers: 2, radix: 16, link_latency: 500ns}
)";

} // namespace

TEST_CASE("platform::merge_series_links: each NIC's two cables become one link per direction", "[platform]")
{
  dcsim::LoadOptions options;
  options.require_jobs = false;
  const auto fabric = dcsim::build_fabric(dcsim::load_scenario_text(kCluster, "<series>", options).cluster);
  const auto series = dcsim::merge_series_links(*fabric);
  // 128 NICs, each between a GPU and a leaf: 4 directed links become 2.
  CHECK(series.bandwidth_bytes_per_s.size() == static_cast<size_t>(fabric->directed_link_count() - 2 * 128));

  // On every route, a merged link appears in one consecutive run, and the slowest merged link is
  // the slowest fabric link (200 Gb/s NIC cable behind a faster GPU-NIC link).
  for (int src : {0, 9, 77}) {
    for (int dst : {16, 64, 127}) { // all in other nodes than the sources
      const dcsim::Route r = fabric->route(src, dst, 12345);
      std::set<int> seen;
      int previous = -1;
      double slowest_fabric = 1e300, slowest_merged = 1e300;
      for (int i = 0; i < r.hops; ++i) {
        const int merged = series.merged_of_link[r.links[i]];
        if (merged != previous)
          CHECK(seen.insert(merged).second);
        previous = merged;
        slowest_fabric = std::min(slowest_fabric, fabric->edge(r.links[i] / 2).bandwidth_bytes_per_s);
        slowest_merged = std::min(slowest_merged, series.bandwidth_bytes_per_s[merged]);
      }
      CHECK(slowest_merged == slowest_fabric);
      CHECK(slowest_merged == Approx(25e9));
    }
  }
}
