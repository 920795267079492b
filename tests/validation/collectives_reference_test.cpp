// Collective bandwidth against measurements (../shared/reference/collectives/):
//   * the Echo nccl-tests all-reduce logs of Azure ND A100 v4 (2, 4, 8 GPUs in one node; 16 over
//     two nodes), every size from 64 KiB, with the tuner choosing algorithm and protocol;
//   * the published large-message figures in published.yaml (DGX A100/H100 and HGX H200/B200
//     nodes, ring and NVLS, multi-node 8x200G and 8x400G, single-NIC nodes, NVL72), each with
//     the algorithm the measurement used (ring unless the source says NVLS), and all-to-all over
//     2-8 nodes against the NCCL maintainers' per-NIC figure.
// Bounds (from the issue): busbw within 10% from 1 MiB, 25% from 64 KiB to 1 MiB, 10% for the
// published figures. The 1-GPU log (busbw 0 by definition) is compared on time: one rank runs a
// device copy of the buffer.
// The Echo points used to miss in the LL range (the 2-GPU runs slower per byte than 4 and 8
// GPUs) until the profile took NCCL's per-size channel count (collectives/nccl_channels.hpp):
// a small operation runs on about bytes / (ranks x 4 KiB) channels, so at one size 2 GPUs run on
// more channels than 8, each costing a fixed time (docs/validation.md). The protocol parameters
// are fitted on these logs (scripts/fit_nccl_protocols.py): a calibration check, not a hold-out.
#include "support/collective_harness.hpp"
#include "support/test_support.hpp"

#include "config/scenario_loader.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace {

using dcsim::CollectiveKind;

constexpr double kMiB = 1024.0 * 1024;

/// (size in bytes, time in seconds) of the out-of-place columns of an nccl-tests log.
std::map<double, double> read_nccl_tests_log(const std::string& path)
{
  std::ifstream in(path);
  REQUIRE(in.good());
  std::map<double, double> rows;
  const std::regex mpi_prefix(R"(^\[\d+,\d+\]<stdout>:)");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(std::regex_replace(line, mpi_prefix, ""));
    std::string size, count, type, op, time;
    if (!(fields >> size >> count >> type >> op >> time) || size.empty() || !std::isdigit(size[0]))
      continue;
    rows[std::stod(size)] = std::stod(time) * 1e-6;
  }
  return rows;
}

dcsim::ClusterConfig load_cluster(const std::string& text)
{
  dcsim::LoadOptions options;
  options.require_jobs = false;
  options.cluster_only = true;
  return dcsim::load_scenario_text(text, "<collectives_reference_test>", options).cluster;
}

std::string node_cluster(int nodes, const char* gpu, int gpus, const char* nvlink, int nics, const char* nic,
                         const char* domain = "")
{
  std::ostringstream s;
  s << "cluster:\n  nodes: " << nodes << "\n  node:\n    gpu: " << gpu << "\n    gpus: " << gpus
    << "\n    scale_up: {bandwidth: " << nvlink << ", latency: 1us" << domain << "}\n    nics: {count: " << nics
    << ", bandwidth: " << nic << ", latency: 2us}\n  fabric: {topology: fat-tree, tiers: 2, link_latency: 600ns}\n";
  return s.str();
}

YAML::Node published_entry(const std::string& id)
{
  static const YAML::Node entries =
      YAML::LoadFile(dcsim::test::reference_path("collectives/published.yaml"))["entries"];
  for (const auto& e : entries)
    if (e["id"].as<std::string>() == id)
      return e;
  FAIL("no entry " << id << " in published.yaml");
  return {};
}

struct PublishedCase {
  std::string label;
  std::string cluster;
  CollectiveKind kind;
  int gpus;
  double bytes;
  std::string algorithm;
  double measured_busbw_GBps;
};

std::vector<PublishedCase> published_cases()
{
  const std::string dgx_a100 = node_cluster(4, "A100-SXM-80GB", 8, "300GB/s", 8, "200Gb/s");
  const std::string dgx_h100 = node_cluster(4, "H100-SXM-80GB", 8, "450GB/s", 8, "400Gb/s");
  // The same with SHARP switches (InfiniBand Quantum-2): NVLS runs across the nodes.
  std::string dgx_h100_sharp = dgx_h100;
  dgx_h100_sharp.replace(dgx_h100_sharp.find("link_latency: 600ns"), 19, "link_latency: 600ns, in_network_reduction: true");
  const std::string hgx_h200 = node_cluster(1, "H200-SXM-141GB", 8, "450GB/s", 8, "400Gb/s");
  const std::string hgx_b200 = node_cluster(1, "B200", 8, "900GB/s", 8, "400Gb/s");
  const std::string nvl72 = node_cluster(18, "GB200", 4, "900GB/s", 4, "400Gb/s", ", domain: 72");
  const std::string one_nic_200 = node_cluster(4, "A100-SXM-80GB", 8, "300GB/s", 1, "200Gb/s");
  const std::string one_nic_400 = node_cluster(4, "H100-SXM-80GB", 8, "450GB/s", 1, "400Gb/s");
  const std::string two_nics_200 = node_cluster(4, "A100-SXM-80GB", 8, "300GB/s", 2, "200Gb/s");
  const std::string a800 = node_cluster(12, "A100-SXM-80GB", 8, "200GB/s", 1, "200Gb/s"); // NVLink 400 GB/s bidir.
  const double big = 8.0 * 1024 * kMiB;
  const auto AR = CollectiveKind::AllReduce;

  const YAML::Node gtc24 = published_entry("gtc24_nccl_allreduce_busbw_slide")["measured"];
  const YAML::Node gtc25 = published_entry("gtc25_nccl_allreduce_busbw_slide")["measured"];
  const YAML::Node h100 = published_entry("nccl_maintainer_h100_nvlink")["measured"];
  const YAML::Node a800_entry = published_entry("nccl_maintainer_a800_single_hdr")["measured"];
  const YAML::Node h200_16g = published_entry("stas_h200_collectives_16gib")["measured"];
  std::vector<PublishedCase> cases = {
      {"GTC24 DGX A100 8 GPUs NVLink3", dgx_a100, AR, 8, big, "ring", gtc24["intra_node"]["nvlink3_a100"].as<double>()},
      {"GTC24 DGX H100 8 GPUs NVLink4", dgx_h100, AR, 8, big, "ring", gtc24["intra_node"]["nvlink4_h100"].as<double>()},
      {"GTC24 DGX H100 8 GPUs NVLS", dgx_h100, AR, 8, big, "nvls", gtc24["intra_node"]["nvlink4_sharp_h100"].as<double>()},
      {"GTC24 1x 200G RDMA per node", one_nic_200, AR, 16, big, "ring", gtc24["multi_node"]["rdma_200g"].as<double>()},
      {"GTC24 1x 400G RDMA per node", one_nic_400, AR, 16, big, "ring", gtc24["multi_node"]["rdma_400g"].as<double>()},
      {"GTC24 DGX A100 8x200G, 2 nodes", dgx_a100, AR, 16, big, "ring", gtc24["multi_node"]["dgx_a100_8x200g"].as<double>()},
      {"GTC24 DGX H100 8x400G, 2 nodes", dgx_h100, AR, 16, big, "ring", gtc24["multi_node"]["dgx_h100_8x400g"].as<double>()},
      {"GTC24 DGX H100 SHARP + 8x400G, 2 nodes", dgx_h100_sharp, AR, 16, big, "nvls",
       gtc24["multi_node"]["dgx_h100_sharp_8x400g"].as<double>()},
      {"GTC25 HGX B200 8 GPUs NVLink5", hgx_b200, AR, 8, big, "ring", gtc25["8_gpus"]["nvlink5_b200"].as<double>()},
      {"GTC25 HGX B200 8 GPUs NVLS", hgx_b200, AR, 8, big, "nvls", gtc25["8_gpus"]["nvlink5_sharp_b200"].as<double>()},
      {"GTC25 32 GPUs, 2x200G per node", two_nics_200, AR, 32, big, "ring", gtc25["32_gpus"]["2x200Gb_rdma"].as<double>()},
      {"GTC25 32 DGX A100 8x200G", dgx_a100, AR, 32, big, "ring", gtc25["32_gpus"]["dgx_a100_nvl3_8x200g"].as<double>()},
      {"GTC25 32 DGX H100 8x400G", dgx_h100, AR, 32, big, "ring", gtc25["32_gpus"]["dgx_h100_nvl4_8x400g"].as<double>()},
      {"GTC25 32 DGX H100 SHARP + 8x400G", dgx_h100_sharp, AR, 32, big, "nvls",
       gtc25["32_gpus"]["dgx_h100_sharp_8x400g"].as<double>()},
      {"GTC25 32 GPUs of GB200 NVL72", nvl72, AR, 32, big, "ring", gtc25["32_gpus"]["gb200_nvl72_nvlink"].as<double>()},
      {"GTC25 32 GPUs of GB200 NVL72 NVLS", nvl72, AR, 32, big, "nvls", gtc25["32_gpus"]["gb200_nvl72_nvlink5_sharp"].as<double>()},
      {"NCCL#812 DGX A100 multi-node", dgx_a100, AR, 32, big, "ring",
       published_entry("nccl_maintainer_dgx_a100_multinode")["measured"]["allreduce_busbw_GBps"].as<double>()},
      {"nccl-tests#212 H100 ring", dgx_h100, AR, 8, big, "ring", h100["effective_busbw_ring_or_non_allreduce_GBps"].as<double>()},
      {"nccl-tests#212 H100 NVLS", dgx_h100, AR, 8, big, "nvls", h100["allreduce_nvls_peak_busbw_GBps"].as<double>()},
      {"NCCL#412 A800 node", a800, AR, 8, big, "ring", a800_entry["intra_node_allreduce_busbw_GBps"].as<double>()},
      {"NCCL#412 A800 12 nodes, 1 HDR", a800, AR, 96, big, "ring", a800_entry["inter_node_allreduce_busbw_GBps"].as<double>()},
      {"nccl-tests#175 A100 node", dgx_a100, AR, 8, big, "ring",
       published_entry("user_a100_allreduce")["measured"]["single_node_busbw_GBps"].as<double>()},
      {"H200 16 GiB all-reduce NVLS", hgx_h200, AR, 8, 2 * big, "nvls", h200_16g["allreduce_nvls_GBps"].as<double>()},
      {"H200 16 GiB all-reduce ring", hgx_h200, AR, 8, 2 * big, "ring", h200_16g["allreduce_ring_GBps"].as<double>()},
      {"H200 16 GiB all-gather", hgx_h200, CollectiveKind::AllGather, 8, 2 * big, "ring",
       h200_16g["all_gather_ring_GBps"].as<double>()},
      {"H200 16 GiB reduce-scatter", hgx_h200, CollectiveKind::ReduceScatter, 8, 2 * big, "ring",
       h200_16g["reduce_scatter_ring_GBps"].as<double>()},
  };
  // All-to-all across nodes: NCCL's maintainers expect busbw ~ N/(N-1) x one NIC's bandwidth per
  // GPU for N nodes (the intra-node share rides NVLink), and measured 46-48 GB/s per 400G NDR NIC
  // (nccl-tests #130, #290); the midpoint of that range, per NIC.
  const YAML::Node ndr = published_entry("nccl_maintainer_ndr_per_nic")["measured"];
  std::smatch range;
  const std::string per_nic = ndr["per_nic_GBps"].as<std::string>();
  REQUIRE(std::regex_search(per_nic, range, std::regex(R"((\d+)-(\d+))")));
  const double nic_GBps = 0.5 * (std::stod(range[1]) + std::stod(range[2]));
  const std::string dgx_h100_8 = node_cluster(8, "H100-SXM-80GB", 8, "450GB/s", 8, "400Gb/s");
  for (int nodes : {2, 4, 8})
    cases.push_back({"all-to-all, " + std::to_string(nodes) + " DGX H100 8x400G", dgx_h100_8,
                     CollectiveKind::AllToAll, 8 * nodes, big, "direct", nic_GBps * nodes / (nodes - 1)});
  // busbw against GPU count, with the algorithm NCCL used and with NVLS off (ring).
  for (const auto& [id, cluster, gpu] : {std::tuple{"stas_h200_allreduce_vs_gpucount", hgx_h200, "H200"},
                                         std::tuple{"stas_b200_allreduce_vs_gpucount", hgx_b200, "B200"}})
    for (const auto& row : published_entry(id)["measured"]["rows"]) {
      const int n = row["gpus"].as<int>();
      const std::string algo = row["algo"].as<std::string>() == "NVLS" ? "nvls" : "ring";
      const std::string label = std::string(gpu) + " " + std::to_string(n) + " GPUs ";
      cases.push_back({label + algo, cluster, AR, n, big, algo, row["busbw_GBps"].as<double>()});
      if (algo == "nvls")
        cases.push_back({label + "ring", cluster, AR, n, big, "ring", row["busbw_nvls_off_GBps"].as<double>()});
    }
  return cases;
}

/// The Echo logs' cluster (scenarios/validation/azure-ndv4-a100.yaml).
dcsim::ScenarioConfig azure_ndv4_cluster()
{
  dcsim::LoadOptions options;
  options.require_jobs = false;
  options.cluster_only = true;
  return dcsim::load_scenario(dcsim::test::repo_path("scenarios/validation/azure-ndv4-a100.yaml"), options);
}

std::string size_label(double bytes)
{
  char s[32];
  if (bytes >= kMiB)
    std::snprintf(s, sizeof s, "%.0f MiB", bytes / kMiB);
  else
    std::snprintf(s, sizeof s, "%.0f KiB", bytes / 1024);
  return s;
}

} // namespace

TEST_CASE("validation: nccl-tests all-reduce on Azure ND A100 v4 (Echo logs), busbw within 10% from 1 MiB and "
          "25% from 64 KiB",
          "[validation][collectives]")
{
  const auto config = azure_ndv4_cluster();
  int outside = 0;
  std::printf("\nEcho, Azure ND A100 v4: all-reduce busbw (GB/s), simulated vs nccl-tests\n");
  std::printf("%5s %10s %10s %10s %8s  %s\n", "GPUs", "size", "measured", "simulated", "error", "chosen");
  for (int n : {2, 4, 8, 16}) {
    const auto measured = read_nccl_tests_log(dcsim::test::reference_path(
        "collectives/echo_azure_ndv4_a100/nccl_allreduce_" + std::to_string(n) + "gpu.log"));
    std::vector<double> sizes;
    for (const auto& [bytes, t] : measured)
      if (bytes >= 64 * 1024)
        sizes.push_back(bytes);
    const auto simulated = dcsim::test::isolated_sweep(config.cluster, CollectiveKind::AllReduce, n, sizes);
    REQUIRE(simulated.size() == sizes.size());
    const double factor = dcsim::bus_bandwidth_factor(CollectiveKind::AllReduce, n);
    for (const auto& m : simulated) {
      const double measured_s = measured.at(m.bytes);
      const double error = measured_s / m.time_s - 1; // busbw: simulated / measured - 1
      const bool large = m.bytes >= kMiB;
      const bool within = std::fabs(error) <= (large ? 0.10 : 0.25);
      outside += within ? 0 : 1;
      std::printf("%5d %10s %10.2f %10.2f %+7.1f%%  %s/%s%s\n", n, size_label(m.bytes).c_str(),
                  m.bytes / measured_s * factor / 1e9, m.algbw_bytes_per_s() * factor / 1e9, 100 * error,
                  m.algorithm.c_str(), dcsim::to_string(m.protocol).c_str(), within ? "" : "  (outside bound)");
      INFO(n << " GPUs, " << size_label(m.bytes) << ": error " << 100 * error << "%");
      CHECK(within);
    }
  }
  std::printf("points outside the issue's bounds: %d\n", outside);
}

TEST_CASE("validation: nccl-tests all-reduce on one A100 (Echo log) is a device copy, time within 10% from 16 MiB",
          "[validation][collectives]")
{
  // Out of place on one rank NCCL copies the buffer: 2 S bytes through HBM at the profile's
  // memory-bound efficiency, plus the per-kernel gap. Below 16 MiB the copy kernel has not
  // reached full bandwidth (1 MiB: 5.26 us measured) and the run is host-bound (4.5 us per call
  // at 8 B); that ramp is not modelled, so those sizes are printed, not bounded.
  const auto config = azure_ndv4_cluster();
  const auto measured =
      read_nccl_tests_log(dcsim::test::reference_path("collectives/echo_azure_ndv4_a100/nccl_allreduce_1gpu.log"));
  std::vector<double> sizes;
  for (const auto& [bytes, t] : measured)
    if (bytes >= kMiB)
      sizes.push_back(bytes);
  const auto simulated = dcsim::test::isolated_sweep(config.cluster, CollectiveKind::AllReduce, 1, sizes);
  REQUIRE(simulated.size() == sizes.size());
  std::printf("\nEcho, one A100-SXM4-40GB: all-reduce time (us), simulated vs nccl-tests\n");
  std::printf("%10s %10s %10s %8s\n", "size", "measured", "simulated", "error");
  for (const auto& m : simulated) {
    const double measured_s = measured.at(m.bytes);
    const double error = m.time_s / measured_s - 1;
    std::printf("%10s %10.2f %10.2f %+7.1f%%\n", size_label(m.bytes).c_str(), measured_s * 1e6, m.time_s * 1e6,
                100 * error);
    CHECK(m.algorithm == "copy");
    if (m.bytes >= 16 * kMiB) {
      INFO(size_label(m.bytes) << ": error " << 100 * error << "%");
      CHECK(std::fabs(error) <= 0.10);
    }
  }
}

TEST_CASE("validation: published large-message busbw (DGX A100/H100, HGX H200/B200, NVL72, multi-node) within 10%",
          "[validation][collectives]")
{
  std::printf("\nPublished nccl-tests busbw (GB/s), simulated vs measured\n");
  std::printf("%-38s %10s %10s %8s\n", "case", "measured", "simulated", "error");
  for (const auto& c : published_cases()) {
    dcsim::CollectiveOverride choice;
    choice.algorithms = {c.algorithm};
    const auto m = dcsim::test::isolated_sweep(load_cluster(c.cluster), c.kind, c.gpus, {c.bytes}, choice).at(0);
    const double busbw = m.algbw_bytes_per_s() * dcsim::bus_bandwidth_factor(c.kind, c.gpus) / 1e9;
    const double error = busbw / c.measured_busbw_GBps - 1;
    std::printf("%-38s %10.1f %10.1f %+7.1f%%\n", c.label.c_str(), c.measured_busbw_GBps, busbw, 100 * error);
    INFO(c.label << ": simulated " << busbw << " GB/s, measured " << c.measured_busbw_GBps);
    CHECK(std::fabs(error) <= 0.10);
  }
}

TEST_CASE("validation: the tuner runs NVLS on the H200 and B200 GPU counts where NCCL did, ring elsewhere",
          "[validation][collectives]")
{
  // NCCL chooses by its own model (sim/collectives/nccl_nvls_choice.hpp). The B200 rows were
  // measured with AWS's tuner plugin (NCCL_TUNER_PLUGIN=ofi), which ran NVLS on 6 GPUs where
  // NCCL's model keeps the ring (666 vs 720 GB/s): that row is the one expected to differ.
  int differ = 0;
  for (const auto& [id, gpu, nvlink] : {std::tuple{"stas_h200_allreduce_vs_gpucount", "H200-SXM-141GB", "450GB/s"},
                                        std::tuple{"stas_b200_allreduce_vs_gpucount", "B200", "900GB/s"}})
    for (const auto& row : published_entry(id)["measured"]["rows"]) {
      const int n = row["gpus"].as<int>();
      const std::string ran = row["algo"].as<std::string>() == "NVLS" ? "nvls" : "ring";
      const auto m = dcsim::test::isolated_sweep(load_cluster(node_cluster(1, gpu, 8, nvlink, 8, "400Gb/s")),
                                                 CollectiveKind::AllReduce, n, {8.0 * 1024 * kMiB})
                         .at(0);
      std::printf("%-16s %d GPUs: NCCL ran %-5s tuner %s\n", gpu, n, ran.c_str(), m.algorithm.c_str());
      if (m.algorithm != ran) {
        ++differ;
        CHECK(std::string(gpu) == "B200");
        CHECK(n == 6);
      }
    }
  CHECK(differ == 1);
}

TEST_CASE("validation: on 8 H200s the tuner switches from ring/LL to NVLS between 1 and 2 MiB, as NCCL did",
          "[validation][collectives]")
{
  // published.yaml stas_h200_collectives_16gib, nvls_switch_point: "RING/LL up to 1 MiB,
  // NVLS/SIMPLE from 2 MiB" (NCCL 2.27.7). NCCL's model puts the crossing at 1.145 MB
  // (tests/sim/collectives/nccl_nvls_choice_test.cpp).
  const YAML::Node entry = published_entry("stas_h200_collectives_16gib")["measured"];
  REQUIRE(entry["nvls_switch_point"].as<std::string>() == "RING/LL up to 1 MiB, NVLS/SIMPLE from 2 MiB");
  const auto cluster = load_cluster(node_cluster(1, "H200-SXM-141GB", 8, "450GB/s", 8, "400Gb/s"));
  const auto runs = dcsim::test::isolated_sweep(cluster, CollectiveKind::AllReduce, 8, {0.5 * kMiB, 1 * kMiB, 2 * kMiB, 4 * kMiB});
  for (const auto& m : runs)
    std::printf("8 H200 all-reduce %s: %s/%s\n", size_label(m.bytes).c_str(), m.algorithm.c_str(),
                dcsim::to_string(m.protocol).c_str());
  CHECK(runs[0].algorithm == "ring");
  CHECK(runs[0].protocol == dcsim::Protocol::LL);
  CHECK(runs[1].algorithm == "ring");
  CHECK(runs[1].protocol == dcsim::Protocol::LL);
  CHECK(runs[2].algorithm == "nvls");
  CHECK(runs[3].algorithm == "nvls");
}
