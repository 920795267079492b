// Switches and cables out of service (`cluster.fabric.down`, platform/fabric_builder.cpp): the
// fabric routes around them, which shows in the traffic and the bisection; cables below their
// rate (`cluster.fabric.degraded`) pace the flows that cross them. Bad names are one-line errors
// at the key's line, exit 2.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace {

/// Two nodes of 2 GPUs and 2 NICs on two radix-4 leaves, joined by 2 spines (1:1).
std::string two_leaves()
{
  const std::string path = dcsim::test::temp_dir() + "/two_leaves.yaml";
  std::ofstream(path) << "name: two-leaves\n"
                         "cluster:\n"
                         "  nodes: 2\n"
                         "  node: {gpu: H100-SXM-80GB, gpus: 2, scale_up: {bandwidth: 450GB/s}, "
                         "nics: {count: 2, bandwidth: 400Gb/s}}\n"
                         "  fabric: {topology: fat-tree, tiers: 2, radix: 4}\n";
  return path;
}

/// One `op` of 1 GiB on the 4 GPUs with `key` (under cluster.fabric) set to `value`.
double collective_s(const std::string& cluster, const std::string& key, const std::string& value,
                    const std::string& op = "alltoall")
{
  const std::string json = dcsim::test::temp_dir() + "/two_leaves.json";
  const auto r = dcsim::test::run_cli("collective --cluster " + cluster + " --set \"cluster.fabric." + key + "=" +
                                      value + "\" --op " + op + " --gpus 4 --bytes 1GiB --json " + json);
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(dcsim::test::slurp(json))["results"][0]["time_s"].get<double>();
}

double alltoall_s(const std::string& cluster, const std::string& down)
{
  return collective_s(cluster, "down", down);
}

double bisection_bytes_per_s(const std::string& scenario, const std::string& set)
{
  const std::string json = dcsim::test::temp_dir() + "/degraded_topology.json";
  const auto r = dcsim::test::run_cli("topology " + dcsim::test::repo_path(scenario) + " --set \"" + set +
                                      "\" --json " + json);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(dcsim::test::slurp(json))["bisection_bandwidth_bytes_per_s"];
}

} // namespace

TEST_CASE("fabric down: an all-to-all over two leaves takes twice as long with one of two spines out")
{
  // D-mod-K sends each leaf's cross traffic to spine (destination mod 2): two flows per uplink.
  // With spine1 out (or only the cable leaf0-spine1) all four share spine0's: twice the time,
  // the NICs still carrying two flows each.
  const std::string cluster = two_leaves();
  const double all_up = alltoall_s(cluster, "[]");
  CHECK(alltoall_s(cluster, "[spine1]") == Approx(2 * all_up).epsilon(0.01));
  CHECK(alltoall_s(cluster, "[[leaf0, spine1]]") == Approx(2 * all_up).epsilon(0.01));
  CHECK(alltoall_s(cluster, "[spine0]") == Approx(2 * all_up).epsilon(0.01));
}

TEST_CASE("fabric down: a training job's gradient traffic moves to the spines left, and the bisection falls")
{
  // scenarios/fabric-oversubscribed.yaml (4:1, 13 spines): with spine0 out, D-mod-K sends its
  // flows to spine1, which then carries two shares: the data-parallel exposed time grows.
  const auto base = dcsim::test::run_scenario("scenarios/fabric-oversubscribed.yaml")["jobs"][0];
  const auto down = dcsim::test::run_scenario("scenarios/fabric-oversubscribed.yaml",
                                              {"cluster.fabric.down=[spine0]"})["jobs"][0];
  INFO(base["breakdown_s"].dump() << "\n" << down["breakdown_s"].dump());
  CHECK(down["breakdown_s"]["data_parallel_comm"].get<double>() >
        1.5 * base["breakdown_s"]["data_parallel_comm"].get<double>());
  CHECK(down["breakdown_s"]["tensor_parallel_comm"].get<double>() ==
        Approx(base["breakdown_s"]["tensor_parallel_comm"].get<double>()).epsilon(1e-9)); // NVLink only
  const std::string json = dcsim::test::temp_dir() + "/down_topology.json";
  const auto r = dcsim::test::run_cli("topology " + dcsim::test::repo_path("scenarios/fabric-oversubscribed.yaml") +
                                      " --set \"cluster.fabric.down=[spine0, spine1, spine2]\" --json " + json);
  REQUIRE(r.status == 0);
  const double bisection = nlohmann::json::parse(dcsim::test::slurp(json))["bisection_bandwidth_bytes_per_s"];
  CHECK(bisection < 0.8 * 6.475e12);
}

TEST_CASE("fabric down: a name that is not a switch, or two that no cable joins, is an error at the key, exit 2")
{
  const std::string cluster = two_leaves();
  const auto error = [&](const std::string& down) {
    return dcsim::test::run_cli("collective --cluster " + cluster + " --set \"cluster.fabric.down=" + down +
                                "\" --op alltoall --gpus 4 --bytes 1MiB");
  };
  auto r = error("[spine7]");
  CHECK(r.status == 2);
  CHECK(r.err.find("cluster.fabric.down: \"spine7\" is not a network switch of this fabric") != std::string::npos);
  r = error("[gpu0]");
  CHECK(r.status == 2);
  r = error("[[leaf0, leaf1]]");
  CHECK(r.status == 2);
  CHECK(r.err.find("no cable joins leaf0 and leaf1") != std::string::npos);
  r = error("spine0");
  CHECK(r.status == 2);
  CHECK(r.err.find("cluster.fabric.down: is not a list") != std::string::npos);
  // `dcsim validate` builds the fabric when names are given, so it finds them too.
  const std::string scenario = dcsim::test::repo_path("scenarios/fabric-oversubscribed.yaml");
  r = dcsim::test::run_cli("validate " + scenario + " --set \"cluster.fabric.down=[spine13]\"");
  CHECK(r.status == 2);
  CHECK(r.err.find("\"spine13\" is not a network switch") != std::string::npos);
  CHECK(dcsim::test::run_cli("validate " + scenario + " --set \"cluster.fabric.down=[spine12]\"").status == 0);
  // A leaf (or every spine) down cuts nodes off: routes cannot go around a node's only way in, so
  // it is an error at the key, not a failed run (found by fuzzing: leaf0 down exited 1 at routing).
  r = error("[leaf0]");
  CHECK(r.status == 2);
  CHECK(r.err.find("cluster.fabric.down: cuts node 0 off the rest of the fabric") != std::string::npos);
  // Both spines, or both of leaf0's uplinks: two halves of one node each; node 0's is the rest.
  for (const char* down : {"[spine0, spine1]", "[[leaf0, spine0], [leaf0, spine1]]"}) {
    INFO(down);
    r = error(down);
    CHECK(r.status == 2);
    CHECK(r.err.find("cluster.fabric.down: cuts node 1 off the rest of the fabric") != std::string::npos);
  }
  r = dcsim::test::run_cli("validate " + scenario + " --set \"cluster.fabric.down=[leaf5]\"");
  CHECK(r.status == 2);
  CHECK(r.err.find("cuts node 31 off the rest of the fabric (its NIC 255") != std::string::npos);
}

TEST_CASE("fabric degraded: a cable at part of its rate paces the flows that cross it")
{
  // The all-to-all of S = 1 GiB: each GPU sends S/4 to each of the two GPUs of the other node
  // through its own NIC, S/2 on each 50 GB/s NIC cable; D-mod-K sends leaf0's flows to node 1's
  // NIC k over spine k, S/2 on each uplink as well. Halving any one of these cables (a NIC's,
  // a spine's, one uplink at 200 Gb/s) puts S/2 on 25 GB/s: the phase takes twice as long.
  const std::string cluster = two_leaves();
  const double healthy = collective_s(cluster, "degraded", "[]");
  CHECK(collective_s(cluster, "degraded", "[{cable: node0.nic0, fraction: 1}]") == Approx(healthy).epsilon(1e-9));
  for (const char* degraded : {"[{cable: node0.nic0, fraction: 0.5}]", "[{cable: spine1, fraction: 0.5}]",
                               "[{cable: [leaf0, spine1], bandwidth: 200Gb/s}]", "[{cable: node1.nic1, bandwidth: 25GB/s}]"}) {
    INFO(degraded);
    CHECK(collective_s(cluster, "degraded", degraded) == Approx(2 * healthy).epsilon(0.01));
  }
  // A ring all-reduce is paced by its slowest channel: one NIC at a quarter makes the
  // network-bound ring (NVLink is 9x faster) take four times as long, within 1%.
  const double ring = collective_s(cluster, "degraded", "[]", "allreduce");
  CHECK(collective_s(cluster, "degraded", "[{cable: node1.nic0, fraction: 0.25}]", "allreduce") ==
        Approx(4 * ring).epsilon(0.01));
}

TEST_CASE("fabric degraded: a training job slows where its data-parallel ring crosses the slow cable; the bisection falls by it")
{
  // GPT-3 175B on 1,024 H100s: node 5's NIC 2 at 200 Gb/s carries one data-parallel ring, whose
  // reduction then runs at half speed; tensor-parallel traffic stays on NVLink.
  const auto base = dcsim::test::run_scenario("scenarios/1024gpu.yaml")["jobs"][0];
  const auto slow = dcsim::test::run_scenario("scenarios/1024gpu.yaml",
                                              {"cluster.fabric.degraded=[{cable: node5.nic2, bandwidth: 200Gb/s}]"})["jobs"][0];
  INFO(base["breakdown_s"].dump() << "\n" << slow["breakdown_s"].dump());
  CHECK(slow["breakdown_s"]["data_parallel_comm"].get<double>() >
        2 * base["breakdown_s"]["data_parallel_comm"].get<double>());
  CHECK(slow["breakdown_s"]["tensor_parallel_comm"].get<double>() ==
        Approx(base["breakdown_s"]["tensor_parallel_comm"].get<double>()).epsilon(1e-9));
  CHECK(slow["iteration_time_s"].get<double>() > base["iteration_time_s"].get<double>() + 0.2);
  // The text summary's cluster line says what was changed.
  const auto text = dcsim::test::run_cli("run " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                                         " --set \"cluster.fabric.down=[spine0]\" --set \"cluster.fabric.degraded="
                                         "[{cable: node5.nic2, bandwidth: 200Gb/s}, {cable: [leaf0, spine3], fraction: 0.5}]\"");
  REQUIRE(text.status == 0);
  CHECK(text.out.find("; out of service: spine0; below their rate: node5.nic2 at 25 GB/s, leaf0-spine3 at 50%\n") !=
        std::string::npos);
  // The bisection (1,024 NICs of 50 GB/s, 25.6 TB/s) loses half of one NIC, or half of one of
  // the 32 spines' share.
  CHECK(bisection_bytes_per_s("scenarios/1024gpu.yaml", "cluster.fabric.degraded=[]") == Approx(25.6e12).epsilon(1e-9));
  CHECK(bisection_bytes_per_s("scenarios/1024gpu.yaml", "cluster.fabric.degraded=[{cable: node5.nic2, fraction: 0.5}]") ==
        Approx(25.6e12 - 25e9).epsilon(1e-9));
  CHECK(bisection_bytes_per_s("scenarios/1024gpu.yaml", "cluster.fabric.degraded=[{cable: spine3, fraction: 0.5}]") ==
        Approx(25.6e12 * 63 / 64).epsilon(1e-9));
}

TEST_CASE("fabric degraded: unknown names, missing or doubled rates and a rate above the cable's are errors at the item, exit 2")
{
  const std::string cluster = two_leaves();
  const auto error = [&](const std::string& degraded) {
    return dcsim::test::run_cli("collective --cluster " + cluster + " --set \"cluster.fabric.degraded=" + degraded +
                                "\" --op alltoall --gpus 4 --bytes 1MiB");
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[{cable: spine7, fraction: 0.5}]", "cluster.fabric.degraded.0.cable: \"spine7\" is not a network switch or NIC"},
      {"[{cable: node0.gpu0, fraction: 0.5}]", "\"node0.gpu0\" is not a network switch or NIC"},
      {"[{cable: [leaf0, leaf1], fraction: 0.5}]", "cluster.fabric.degraded.0.cable: no cable joins leaf0 and leaf1"},
      {"[{cable: spine0}]", "cluster.fabric.degraded.0.fraction: is missing, and so is bandwidth"},
      {"[{cable: spine0, fraction: 0.5, bandwidth: 1GB/s}]", "cluster.fabric.degraded.0.bandwidth: is given with fraction"},
      {"[{cable: spine0, fraction: 0}]", "expected a number in [0.001, 1]"},
      {"[{cable: spine0, bandwidth: 800Gb/s}]", "bandwidth 100 GB/s is above the rate of leaf0->spine0, 50 GB/s"},
      {"[{fraction: 0.5}]", "cluster.fabric.degraded.0.cable: is missing"},
      {"spine0", "cluster.fabric.degraded: is not a list"},
  };
  for (const auto& [degraded, message] : cases) {
    INFO(degraded);
    const auto r = error(degraded);
    CHECK(r.status == 2);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  // `dcsim validate` builds the fabric when names are given, and names the item's line.
  const std::string path = dcsim::test::temp_dir() + "/degraded.yaml";
  std::ofstream(path) << "name: two-leaves\ncluster:\n  nodes: 2\n"
                         "  node: {gpu: H100-SXM-80GB, gpus: 2, scale_up: {bandwidth: 450GB/s}, "
                         "nics: {count: 2, bandwidth: 400Gb/s}}\n"
                         "  fabric:\n    topology: fat-tree\n    tiers: 2\n    radix: 4\n"
                         "    degraded:\n      - {cable: spine1, fraction: 0.5}\n      - {cable: spine7, fraction: 0.5}\n";
  const auto r = dcsim::test::run_cli("validate " + path);
  CHECK(r.status == 2);
  CHECK(r.err.find("degraded.yaml:11:") != std::string::npos);
  CHECK(r.err.find("cluster.fabric.degraded.1.cable: \"spine7\" is not a network switch or NIC") != std::string::npos);
}

TEST_CASE("fabric down: a storage server cut off is an error at the key when jobs checkpoint, exit 2")
{
  // scenarios/1024gpu.yaml cables its 16 storage servers to the spines in turn: spine0 down takes
  // server 0 with it. Found by fuzzing: with checkpoints the run aborted at the first write.
  const std::string scenario = dcsim::test::repo_path("scenarios/1024gpu.yaml");
  const auto with_checkpoints = dcsim::test::run_cli("run " + scenario + " --set \"cluster.fabric.down=[spine0]\"" +
                                                     " --set \"jobs.0.checkpoint={interval: 1min}\" --quiet");
  CHECK(with_checkpoints.status == 2);
  CHECK(with_checkpoints.err.find("cluster.fabric.down: cuts storage server 0 off the nodes (it is cabled to spine0)") !=
        std::string::npos);
  CHECK(std::count(with_checkpoints.err.begin(), with_checkpoints.err.end(), '\n') == 1);
  // Without checkpoints nothing goes to storage; with a storage network of its own, the servers
  // hang off its switch, not the spines.
  CHECK(dcsim::test::run_cli("run " + scenario + " --set \"cluster.fabric.down=[spine0]\" --quiet").status == 0);
  CHECK(dcsim::test::run_cli("run " + scenario + " --set \"cluster.fabric.down=[spine0]\"" +
                             " --set \"jobs.0.checkpoint={interval: 1min}\"" +
                             " --set \"cluster.storage.network={nics: 1, bandwidth: 200Gb/s}\" --quiet")
            .status == 0);
}
