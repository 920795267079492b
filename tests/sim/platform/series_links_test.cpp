// Links merged in series (platform/series_links.hpp): which ones, and that routes keep their
// bottleneck.
#include "platform/series_links.hpp"
#include "platform/fabric_builder.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <set>

TEST_CASE("platform::merge_series_links: each NIC's two cables become one link per direction", "[platform]")
{
  // 16 nodes of 8 GPUs with 200 Gb/s NICs: the NIC cable is every inter-node route's bottleneck.
  const auto fabric = dcsim::build_fabric(dcsim::test::h100_test_cluster(16, {"cluster.node.nics.bandwidth=200Gb/s"}));
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
