// Switches and cables out of service (`cluster.fabric.down`, platform/fabric_builder.cpp): the
// fabric routes around them, which shows in the traffic and the bisection; bad names are
// one-line errors at the key's line, exit 2.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

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

double alltoall_s(const std::string& cluster, const std::string& down)
{
  const std::string json = dcsim::test::temp_dir() + "/two_leaves.json";
  const auto r = dcsim::test::run_cli("collective --cluster " + cluster + " --set \"cluster.fabric.down=" + down +
                                      "\" --op alltoall --gpus 4 --bytes 1GiB --json " + json);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(dcsim::test::slurp(json))["results"][0]["time_s"].get<double>();
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
