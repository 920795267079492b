// NCCL's channel count by size (collectives/nccl_channels.hpp), worked by hand from its
// thresholds, and a small ring all-reduce on an HGX A100 (the Echo cluster's profile) against its
// closed form and the tuner's own estimate.
#include "collectives/nccl_channels.hpp"

#include "config/scenario_loader.hpp"
#include "support/collective_harness.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

namespace dcsim {
namespace {

ScenarioConfig azure_ndv4()
{
  LoadOptions options;
  options.require_jobs = false;
  options.cluster_only = true;
  return load_scenario(test::repo_path("scenarios/validation/azure-ndv4-a100.yaml"), options);
}

} // namespace

TEST_CASE("nccl channels: a channel per threads x threshold bytes, LL's on a ring times the ranks", "[collectives]")
{
  CommunicationParams params;
  CHECK(nccl_channels_in_use(params, Protocol::LL, 1024, 8).channels == 0); // not modelled: all, full rate
  CHECK(nccl_channels_in_use(params, Protocol::LL, 1024, 8).rate_fraction == 1);
  params.channels = 24;
  params.protocols[static_cast<int>(Protocol::LL)].channel_latency_s = 2e-6;
  // LL: 512 threads x 8 bytes x ranks per channel.
  const ChannelUse four = nccl_channels_in_use(params, Protocol::LL, 128 * 1024, 4); // 131072 / 16384
  CHECK(four.channels == 8);
  CHECK(four.rate_fraction == Approx(8.0 / 24).epsilon(1e-12));
  CHECK(four.latency_s == Approx(16e-6).epsilon(1e-12));
  CHECK(nccl_channels_in_use(params, Protocol::LL, 128 * 1024, 2).channels == 16);
  CHECK(nccl_channels_in_use(params, Protocol::LL, 128 * 1024 + 1, 2).channels == 17); // rounds up
  CHECK(nccl_channels_in_use(params, Protocol::LL, 8, 8).channels == 1);               // at least one
  CHECK(nccl_channels_in_use(params, Protocol::LL, 1 << 30, 8).channels == 24);        // at most all
  CHECK(nccl_channels_in_use(params, Protocol::LL, 128 * 1024, 1).channels == 24);     // a tree: x 1
  // LL128: 640 x 8 bytes; Simple: 512 x 64 bytes; neither grows with the ranks, no latency here.
  CHECK(nccl_channels_in_use(params, Protocol::LL128, 64 * 1024, 8).channels == 13); // 65536 / 5120
  const ChannelUse simple = nccl_channels_in_use(params, Protocol::Simple, 256 * 1024, 8);
  CHECK(simple.channels == 8);
  CHECK(simple.latency_s == 0);
}

TEST_CASE("nccl channels: 128 KiB all-reduced by 2 A100s runs on 16 of 24 channels, as the closed form says",
          "[collectives]")
{
  const ScenarioConfig config = azure_ndv4();
  const CommunicationParams& comm = config.cluster.profile.communication;
  REQUIRE(comm.channels == 24);
  const ProtocolParams& ll = comm.protocol(Protocol::LL);
  const double S = 128 * 1024;
  const auto runs = test::isolated_sweep(config.cluster, CollectiveKind::AllReduce, 2, {S}, {{"ring"}, {Protocol::LL}});
  REQUIRE(runs.size() == 1);
  // base + 16 channels + 2 steps of one NVLink hop (1 us route + the step latency), and each
  // rank's S bytes through the NVLink at LL's rate on 16 of the 24 channels.
  const double rate = 300e9 * comm.scale_up_efficiency * ll.efficiency * 16 / 24;
  const double expected = ll.base_latency_s + 16 * ll.channel_latency_s + 2 * (1e-6 + ll.step_latency_s) + S / rate;
  INFO("simulated " << runs[0].time_s * 1e6 << " us, closed form " << expected * 1e6 << " us");
  CHECK(runs[0].time_s == Approx(expected).epsilon(0.01));
}

TEST_CASE("nccl channels: the tuner's estimate follows the channels in use, as the simulation does", "[collectives]")
{
  // The tuner prices a call from a cost per byte on all channels, scaled by those in use; the
  // plan it appends runs on those channels. Both agree across LL's range on 2 to 16 GPUs.
  const ScenarioConfig config = azure_ndv4();
  const std::vector<double> sizes = {8e3, 64e3, 256e3, 1e6, 4e6};
  for (int n : {2, 8, 16}) {
    const auto runs = test::isolated_sweep(config.cluster, CollectiveKind::AllReduce, n, sizes, {{}, {Protocol::LL}});
    REQUIRE(runs.size() == sizes.size());
    for (const auto& r : runs) {
      INFO(n << " GPUs, " << r.bytes << " bytes, " << r.algorithm << ": simulated " << r.time_s * 1e6
             << " us, estimated " << r.estimated_s * 1e6 << " us");
      CHECK(r.time_s == Approx(r.estimated_s).epsilon(0.01));
    }
  }
}

} // namespace dcsim
