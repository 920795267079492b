// The cluster's network over a run (engine/fabric_usage.hpp): means from the bytes every job
// moved, the busiest moment from the rates of what ran at once; worked by hand, from the jobs'
// own per-iteration reports, from a trace job's load served at its caps, and from a job's
// checkpoints to storage.
#include "engine/fabric_usage.hpp"
#include "engine/job_traffic.hpp"
#include "platform/fabric_builder.hpp"
#include "sim/scheduler/trace_scenarios.hpp"
#include "support/one_node_checkpoints.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace dcsim {
namespace {

/// Four nodes of 8 GPUs, one per leaf (radix 16), rings only.
std::string two_jobs(int iterations_a, int iterations_b)
{
  const auto job = [](const char* name, int iterations) {
    return std::string("  - name: ") + name + "\n"
           "    gpus: 16\n"
           "    model: {hidden: 2048, layers: 4, heads: 16, seq_len: 2048, vocab: 32000}\n"
           "    parallelism: {tensor: 8, pipeline: 1, data: 2}\n"
           "    batch: {global: 16, micro: 1}\n"
           "    nccl: {algo: ring, proto: simple}\n"
           "    iterations: " + std::to_string(iterations) + "\n";
  };
  return "name: usage-test\n"
         "cluster:\n"
         "  nodes: 4\n"
         "  node:\n"
         "    gpu: H100-SXM-80GB\n"
         "    gpus: 8\n"
         "    scale_up: {bandwidth: 450GB/s, latency: 1us}\n"
         "    nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}\n"
         "  fabric: {topology: fat-tree, tiers: 2, radix: 16, link_latency: 500ns}\n"
         "jobs:\n" + job("a", iterations_a) + job("b", iterations_b);
}

std::map<std::string, nlohmann::json> by_tier(const nlohmann::json& tiers)
{
  std::map<std::string, nlohmann::json> out;
  for (const auto& t : tiers)
    out[t["tier"].get<std::string>()] = t;
  return out;
}

} // namespace

TEST_CASE("fabric usage: means from the bytes, the busiest moment from overlapping rates", "[engine]")
{
  const ScenarioConfig config = test::load_text(two_jobs(1, 1));
  const auto fabric = build_fabric(config.cluster);
  std::vector<int> uplinks; // leaf -> spine
  double capacity = 0;
  int tier_links = 0;
  for (int l = 0; l < fabric->directed_link_count(); ++l)
    if (link_tier(*fabric, l) == "leaf_spine") {
      uplinks.push_back(l);
      capacity += fabric->edge(l / 2).bandwidth_bytes_per_s;
      ++tier_links;
    }
  REQUIRE(uplinks.size() >= 2);
  const int l1 = uplinks[0], l2 = uplinks[1];
  const double bw = fabric->edge(l1 / 2).bandwidth_bytes_per_s;
  FabricUsage usage;
  const auto pattern = [](std::vector<LinkUse> links) { return std::make_shared<const std::vector<LinkUse>>(std::move(links)); };
  const auto a = pattern({{l1, 5e9, 50e9}});
  usage.add({{0, 10, a}, {4, 6, a, -1.0, 0.0}}); // a pauses (its bytes counted once): back at 6, beside the second
  usage.add({{5, 15, pattern({{l1, 3e9, 30e9}, {l2, 1e9, 10e9}})}});
  // Starts as the second ends: 7 on l1, never 10. Given as a pattern scaled by half.
  usage.add({{15, 20, pattern({{l1, 14e9, 70e9}}), 0.5, 0.5}});
  usage.add({{}}); // nothing: left out
  NetworkTimeline timeline;
  const auto report = usage.report(*fabric, 20, &timeline);
  REQUIRE(report.size() == 1);
  const FabricTierUsage& t = report[0];
  CHECK(t.tier == "leaf_spine");
  CHECK(t.links == tier_links);
  CHECK(t.links_used == 2);
  CHECK(t.bytes == Approx(125e9).epsilon(1e-12));
  CHECK(t.mean_utilization == Approx(125e9 / (capacity * 20)).epsilon(1e-12));
  CHECK(t.peak_utilization == Approx(9e9 / capacity).epsilon(1e-12)); // 5 + 3 on l1, 1 on l2 from 6 s
  CHECK(t.peak_at_s == 6);
  CHECK(t.busiest_link == fabric->link_name(l1));
  CHECK(t.busiest_link_peak_utilization == Approx(8e9 / bw).epsilon(1e-12));
  CHECK(t.busiest_link_mean_utilization == Approx(115e9 / (bw * 20)).epsilon(1e-12));
  // The tier's rate as a step function: 5, paused 0, the second's 4, both 9, 4, the third's 7, 0.
  CHECK(timeline.at_s == std::vector<double>{0, 4, 5, 6, 10, 15, 20});
  REQUIRE(timeline.utilization.size() == 1);
  const std::vector<double> rates = {5e9, 0, 4e9, 9e9, 4e9, 7e9, 0};
  REQUIRE(timeline.utilization[0].size() == rates.size());
  for (std::size_t i = 0; i < rates.size(); ++i)
    CHECK(timeline.utilization[0][i] == Approx(rates[i] / capacity).margin(1e-15));
}

TEST_CASE("fabric usage: two training jobs add up to their own per-iteration reports", "[engine]")
{
  const auto r = test::run_scenario_text(two_jobs(3, 2));
  const auto cluster = by_tier(r["network"]["tiers"]);
  CHECK_FALSE(r["network"].contains("timeline")); // only when output.network_timeline asks
  REQUIRE(r["jobs"].size() == 2);
  std::map<std::string, double> bytes, rate; // expected per tier: over the run, and with both running
  for (const auto& job : r["jobs"]) {
    const double span = job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
    const double iterations = job["iterations"].get<double>();
    const double pace = std::max(1 / job["iteration_time_s"].get<double>(), iterations / span);
    CHECK(job["start_time_s"].get<double>() == 0);
    for (const auto& t : job["network"]["tiers"]) {
      bytes[t["tier"]] += t["bytes_per_iteration"].get<double>() * iterations;
      rate[t["tier"]] += t["bytes_per_iteration"].get<double>() * pace;
    }
  }
  REQUIRE(cluster.size() == bytes.size());
  const double simulated = r["simulated_time_s"];
  for (const auto& [name, t] : cluster) {
    INFO(name);
    CHECK(t["bytes"].get<double>() == Approx(bytes[name]).epsilon(1e-9));
    CHECK(t["bytes_by_source"] == nlohmann::json{{"training", t["bytes"]}});
    // Utilizations relate bytes and rates through the tier's capacity, which is the same for both.
    const double capacity = t["bytes"].get<double>() / (t["mean_utilization"].get<double>() * simulated);
    CHECK(t["peak_utilization"].get<double>() == Approx(rate[name] / capacity).epsilon(1e-9));
    CHECK(t["peak_at_s"].get<double>() == 0); // both start at once
    CHECK(t["links_used"].get<int>() <= t["links"].get<int>());
    CHECK(t["busiest_link_peak_utilization"].get<double>() >= t["peak_utilization"].get<double>() * (1 - 1e-12));
  }
  // Eight GPUs a node and rings across the nodes: every NIC's cable is used, both ways.
  CHECK(cluster.at("nic_leaf")["links_used"] == 64);
}

TEST_CASE("fabric usage: a trace job's load, served at its caps, moves its rate for as long as it runs",
          "[engine][trace]")
{
  // Four one-GPU nodes under one leaf; one trace job on all four for 100 s, all-reducing 10 GB
  // every second. Nothing else sends, so every flow moves at its cap: the bytes SimGrid says
  // the flows moved equal the rates times the 100 s.
  const std::string trace = test::write_trace("usage-trace.csv", "submit_time_s,duration_s,gpus\n0,100,4\n");
  const auto scenario = [&](const std::string& traffic) {
    return "name: usage-trace\n"
           "cluster:\n"
           "  nodes: 4\n"
           "  node: {gpu: H100-SXM-80GB, gpus: 1, scale_up: {bandwidth: 450GB/s}, nics: {count: 1, bandwidth: 400Gb/s}}\n"
           "  fabric: {topology: fat-tree, tiers: 2, radix: 8}\n"
           "scheduler: {policy: fifo, trace: " + trace + ", trace_traffic: " + traffic + "}\n";
  };
  const auto r = test::run_scenario_text(scenario("{gradient: 10GB, iteration: 1s}"), {"output.network_timeline=true"});
  CHECK(r["scheduler"]["trace_traffic_runs"] == 1);
  const double simulated = r["simulated_time_s"];
  CHECK(simulated == Approx(100).epsilon(1e-9));
  const auto cluster = by_tier(r["network"]["tiers"]);
  REQUIRE(cluster.count("gpu_nic"));
  REQUIRE(cluster.count("nic_leaf"));
  CHECK_FALSE(cluster.count("leaf_spine")); // one leaf: nothing goes up
  for (const auto& [name, t] : cluster) {
    INFO(name);
    CHECK(t["bytes"].get<double>() > 1e12);
    CHECK(t["bytes_by_source"] == nlohmann::json{{"trace_jobs", t["bytes"]}});
    CHECK(t["peak_utilization"].get<double>() == Approx(t["mean_utilization"].get<double>()).epsilon(1e-6));
    CHECK(t["peak_at_s"].get<double>() == 0);
  }
  // Over time: the load's rate from 0 to 100 s, then nothing.
  const auto& timeline = r["network"]["timeline"];
  CHECK(timeline["at_s"] == nlohmann::json::array({0.0, 100.0}));
  for (const auto& [name, t] : cluster) {
    INFO(name);
    const auto& steps = timeline["utilization"][name];
    REQUIRE(steps.size() == 2);
    CHECK(steps[0].get<double>() == Approx(t["peak_utilization"].get<double>()).epsilon(1e-12));
    CHECK(steps[1].get<double>() == 0);
  }
  // The same flows leave through the GPUs' NIC links and the NICs' cables.
  CHECK(cluster.at("gpu_nic")["bytes"].get<double>() == Approx(cluster.at("nic_leaf")["bytes"].get<double>()).epsilon(1e-9));
  CHECK(cluster.at("nic_leaf")["links_used"] == 8); // four NICs, both ways
  // Stretched, the load carries 100 s of work, which it does in 100 s alone: the same bytes,
  // counted from the work its flows finished instead of from endless flows' progress.
  const auto stretched = by_tier(test::run_scenario_text(scenario("{gradient: 10GB, iteration: 1s, stretch: true}"))["network"]["tiers"]);
  CHECK(stretched.at("nic_leaf")["bytes"].get<double>() == Approx(cluster.at("nic_leaf")["bytes"].get<double>()).epsilon(1e-6));
}

} // namespace dcsim

namespace dcsim {

TEST_CASE("fabric usage: checkpoints go to storage, and training's traffic pauses while they are written",
          "[engine]")
{
  // One node writing 10 GB every 60 s of training to one storage server of 1 GB/s, over its one
  // NIC: the NIC carries nothing but the checkpoints (the data-parallel rings stay on NVLink).
  const auto r = test::run_scenario_text(test::kOneNodeCheckpoints);
  const auto& job = r["jobs"][0];
  const int checkpoints = job["reliability"]["checkpoints"];
  REQUIRE(checkpoints >= 5);
  const auto cluster = by_tier(r["network"]["tiers"]);
  REQUIRE(cluster.count("storage"));
  const auto& nic = cluster.at("gpu_nic");
  CHECK(nic["links_used"] == 1); // towards the storage only
  CHECK(nic["bytes"].get<double>() == Approx(checkpoints * 10e9).epsilon(1e-9));
  CHECK(nic["bytes_by_source"] == nlohmann::json{{"checkpoints", nic["bytes"]}});
  CHECK(cluster.at("scale_up")["bytes_by_source"] == nlohmann::json{{"training", cluster.at("scale_up")["bytes"]}});
  // Each write runs at the server's 1 GB/s: 4% of the 200 Gb/s NIC, 100% of the server's link.
  CHECK(nic["busiest_link_peak_utilization"].get<double>() == Approx(1e9 / 25e9).epsilon(1e-3));
  CHECK(cluster.at("storage")["busiest_link_peak_utilization"].get<double>() == Approx(1.0).epsilon(1e-3));
  // Training's NVLink traffic stops while it writes: the tier's busiest moment is training alone.
  const auto own = by_tier(job["network"]["tiers"]);
  CHECK(cluster.at("scale_up")["peak_utilization"].get<double>() ==
        Approx(own.at("scale_up")["mean_utilization"].get<double>()).epsilon(1e-9));
  CHECK(cluster.at("scale_up")["mean_utilization"].get<double>() < cluster.at("scale_up")["peak_utilization"].get<double>());
}

TEST_CASE("fabric usage: a month of failures and checkpoints never stacks a synchronous write on training",
          "[engine]")
{
  // scenarios/failures-checkpoint.yaml: GPT-3 175B on 1,024 GPUs whose checkpoints cross the
  // same NICs and leaf uplinks as its gradients. With training paused during every write and
  // restart, each tier's busiest moment is the training iteration's own utilization.
  const auto r = test::run_scenario("scenarios/failures-checkpoint.yaml");
  const auto cluster = by_tier(r["network"]["tiers"]);
  for (const auto& t : r["jobs"][0]["network"]["tiers"]) {
    INFO(t["tier"]);
    const auto& c = cluster.at(t["tier"].get<std::string>());
    CHECK(c["peak_utilization"].get<double>() == Approx(t["mean_utilization"].get<double>()).epsilon(1e-9));
    CHECK(c["busiest_link_peak_utilization"].get<double>() ==
          Approx(t["busiest_link_utilization"].get<double>()).epsilon(1e-9));
  }
  CHECK(cluster.at("storage")["busiest_link_peak_utilization"].get<double>() == Approx(1.0).epsilon(1e-3));
}

} // namespace dcsim
