// `dcsim collective` as scripts see it: nccl-tests' table and size stepping, the contract's JSON,
// one-line errors with exit 2 (the rest of the command line: cli_test.cpp).
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>

namespace {

using dcsim::test::CliResult;
using dcsim::test::slurp;

std::filesystem::path temp_dir() { return dcsim::test::temp_dir(); }

CliResult dcsim_cli(const std::string& args) { return dcsim::test::run_cli(args); }

} // namespace

TEST_CASE("cli: collective prints an nccl-tests table and writes the contract's JSON", "[cli][collectives]")
{
  const auto json = temp_dir() / "collective.json";
  const auto r = dcsim_cli("collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                           " --op allreduce --gpus 16 --min-bytes 8 --max-bytes 1GiB --json " + json.string());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("time (us)") != std::string::npos);
  CHECK(r.out.find("busbw") != std::string::npos);
  const auto result = nlohmann::json::parse(slurp(json));
  CHECK(result["op"] == "allreduce");
  CHECK(result["gpus"] == 16);
  const auto& rows = result["results"];
  REQUIRE(rows.size() == 28); // 8 B .. 1 GiB in powers of two
  for (const auto& row : rows) {
    const double S = row["bytes"], t = row["time_s"];
    // nccl-tests' definitions: algbw = S / t, busbw = algbw x 2(n-1)/n for an all-reduce.
    CHECK(double(row["algbw_GBps"]) == Approx(S / t / 1e9).epsilon(1e-9));
    CHECK(double(row["busbw_GBps"]) == Approx(S / t / 1e9 * 2 * 15 / 16).epsilon(1e-9));
  }
  // Larger messages take longer, and reach higher bandwidth (latency-bound to bandwidth-bound).
  CHECK(double(rows.back()["time_s"]) > double(rows.front()["time_s"]));
  CHECK(double(rows.back()["busbw_GBps"]) > 100 * double(rows.front()["busbw_GBps"]));
  CHECK(result["datatype"] == "float");
  CHECK(double(rows.front()["count"]) == 2); // 8 B of floats
}

TEST_CASE("cli: collective reports the NCCL channels a call runs on where the profile models them", "[cli][collectives]")
{
  // The Echo cluster's profile gives NCCL's 24 channels: a ring LL all-reduce over 8 GPUs runs on
  // one channel per 8 x 512 x 8 bytes (collectives/nccl_channels.hpp), LL128 on all 24.
  const auto json = temp_dir() / "channels.json";
  const auto r = dcsim_cli("collective --cluster " + dcsim::test::repo_path("scenarios/validation/azure-ndv4-a100.yaml") +
                           " --op allreduce --gpus 8 -b 64KiB -e 2MiB --json " + json.string());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("ring/LL on 2 channels") != std::string::npos);
  std::map<double, nlohmann::json> rows;
  const auto result = nlohmann::json::parse(slurp(json));
  for (const auto& row : result["results"])
    rows[row["bytes"].get<double>()] = row;
  REQUIRE(rows.size() == 6);
  CHECK(rows.at(65536)["channels"] == 2);
  CHECK(rows.at(524288)["channels"] == 16);
  CHECK(rows.at(2097152)["protocol"] == "LL128");
  CHECK(rows.at(2097152)["channels"] == 24);
  // A profile without channels reports none.
  const auto plain = temp_dir() / "no_channels.json";
  REQUIRE(dcsim_cli("collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                    " --op allreduce --gpus 8 --bytes 64KiB --json " + plain.string())
              .status == 0);
  CHECK_FALSE(nlohmann::json::parse(slurp(plain))["results"][0].contains("channels"));
}

TEST_CASE("cli: collective sizes, counts and steps follow nccl-tests (-d, -f, -i)", "[cli][collectives]")
{
  const std::string cluster = "collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml");
  const auto rows_of = [&](const std::string& args) {
    const auto json = temp_dir() / "collective_sizes.json";
    const auto r = dcsim_cli(cluster + " " + args + " --json " + json.string());
    INFO(args << ": " << r.err);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(slurp(json));
  };
  SECTION("an all-gather moves whole elements per rank: 8-32 B of floats over 16 GPUs round to nothing")
  {
    const auto result = rows_of("--op allgather --gpus 16 -b 8 -e 1KiB");
    const auto& rows = result["results"];
    REQUIRE(rows.size() == 5); // 64 B .. 1 KiB
    CHECK(double(rows[0]["bytes"]) == 64);
    CHECK(double(rows[0]["count"]) == 1); // per rank, as nccl-tests prints it
    CHECK(double(rows[4]["count"]) == 16);
  }
  SECTION("an all-to-all of 7 int8 over 3 GPUs runs 6 bytes, 2 per rank")
  {
    const auto result = rows_of("--op alltoall --gpus 3 --bytes 7 -d int8");
    CHECK(result["datatype"] == "int8");
    CHECK(double(result["results"][0]["bytes"]) == 6);
    CHECK(double(result["results"][0]["count"]) == 2);
  }
  SECTION("bfloat16 halves the count of an all-reduce, not its time; -i adds, -f multiplies")
  {
    const auto bf16 = rows_of("--op allreduce --gpus 8 -d bfloat16 -b 1MiB -e 4MiB -i 1MiB")["results"];
    const auto fp32 = rows_of("--op allreduce --gpus 8 -b 1MiB -e 4MiB -i 1MiB")["results"];
    REQUIRE(bf16.size() == 4);
    REQUIRE(fp32.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
      CHECK(double(bf16[i]["bytes"]) == (i + 1) * 1048576.0);
      CHECK(double(bf16[i]["count"]) == (i + 1) * 524288.0);
      CHECK(double(bf16[i]["time_s"]) == Approx(double(fp32[i]["time_s"])).epsilon(1e-12));
    }
    const auto by10 = rows_of("--op allreduce --gpus 8 -f 10 -b 1KiB -e 1GiB")["results"];
    REQUIRE(by10.size() == 7); // 1 KiB x 10^k up to 1 GiB
    CHECK(double(by10[6]["bytes"]) == 1024e6);
  }
}

TEST_CASE("cli: collective bad input (op, algorithm, GPUs, size) exits 2 with a one-line error", "[cli][collectives]")
{
  const std::string cluster = "collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml");
  const auto check = [](const CliResult& r, const std::string& what) {
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(what) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  };
  const std::pair<const char*, const char*> cases[] = {  // arguments, the error's start
      {"--op allreduse --gpus 8", "--op: unknown value \"allreduse\" (did you mean \"allreduce\"?)"},
      {"--op allreduce --gpus 8 --algo rign", "--algo: unknown algorithm \"rign\" (did you mean \"ring\"?)"},
      {"--op allreduce --gpus 2048", "--gpus: 2048 GPUs is not available; expected 1 to 1024"},
      {"--op allreduce --gpus 8 --bytes 0", "--bytes: \"0\" is not a positive size"},
      {"--op allgather --gpus 8 --algo nvls", "--algo: algorithm nvls cannot run allgather"},
      // 1e30 bytes once came back as 33.8 us (the engine's arithmetic had overflowed); 1.5 bytes as 2.
      {"--op allreduce --gpus 8 --bytes 1e30", "--bytes: \"1e30\" is larger than any GPU's memory"},
      {"--op allreduce --gpus 8 --bytes 1.5", "--bytes: \"1.5\" is not a whole number of bytes"},
      {"--op allreduce --gpus 8 --min-bytes 1GiB --max-bytes 1KiB", "--min-bytes: \"1GiB\" is larger than --max-bytes \"1KiB\"; expected min <= max"},
      // A bad bound is one error; before stop 18 a second one compared min with max as if it had read.
      {"--op allreduce --gpus 8 --max-bytes 1e300", "--max-bytes: \"1e300\" is larger than any GPU's memory"},
      {"--op alltoall --gpus 3 --bytes 7", "--bytes: \"7\" is less than one float per rank; expected at least 12 bytes"},
      {"--op allreduce --gpus 8 -d flaot --bytes 1MiB", "--datatype: unknown value \"flaot\" (did you mean \"float\"?)"},
      {"--op allreduce --gpus 8 -f 1", "--step-factor: \"1\" is not a factor > 1"},
      {"--op allreduce --gpus 8 -f 4 -i 1MiB", "--step-bytes: given with --step-factor"},
      {"--op allreduce --gpus 8 -b 1 -e 8GiB -i 1", "--step-bytes: the sweep from 1 to 8GiB would have more than 10000 sizes; expected fewer (a larger step)"},
      {"--op allreduce --gpus 8 -b 8 -e 8GiB -f 1.0001", "--step-factor: the sweep from 8 to 8GiB would have more than 10000 sizes"},
      {"--op allreduce --gpus 8 --max-bytes 4", "--min-bytes: \"8\" (the default) is larger than --max-bytes \"4\"; expected min <= max"},
      {"--op allreduce --gpus 16 --gpus-per-node 9", "--gpus-per-node: 9 is not a GPU count of a node; expected 1 to 8"},
      {"--op allreduce --gpus 16 --gpus-per-node 3", "--gpus-per-node: 16 GPUs do not split into nodes of 3; expected a divisor of 16"},
      {"--op allreduce --gpus 256 --gpus-per-node 1", "--gpus-per-node: 256 GPUs at 1 a node need 256 nodes; expected at most the cluster's 128"},
      {"--op allreduce --gpus 16 --algo collnet", "--algo: algorithm collnet cannot run allreduce over 16 GPUs"},
      {"--op allreduce --gpus 16 --algo ring,foo", "--algo: unknown algorithm \"foo\" in \"ring,foo\""},
      {"--op allgather --gpus 64 --algo tree,nvls", "--algo: none of the algorithms tree, nvls can run allgather"},
      {"--op allreduce --gpus 8 --protocol ^ll,ll128,simple", "--protocol: \"^ll,ll128,simple\" leaves no protocol"},
  };
  for (const auto& [arguments, what] : cases)
    check(dcsim_cli(cluster + " " + arguments), what);
}

TEST_CASE("cli: a collective on one GPU is a device copy, not a zero time", "[cli][collectives]")
{
  // Formerly 0 us, algbw inf, busbw nan. 1 GiB read and written once at H100's 3.35 TB/s x the
  // profile's memory-bound efficiency (0.85), plus the per-kernel gap.
  const auto r = dcsim_cli("collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                           " --op allreduce --gpus 1 --bytes 1GiB");
  REQUIRE(r.status == 0);
  std::istringstream rows(r.out.substr(r.out.rfind("1073741824")));
  double bytes, count, time_us, algbw, busbw;
  std::string type, chosen;
  REQUIRE(rows >> bytes >> count >> type >> time_us >> algbw >> busbw >> chosen);
  CHECK(time_us == Approx(2 * 1073741824.0 / (3.35e12 * 0.85) * 1e6 + 2.5).epsilon(0.01));
  CHECK(busbw == 0.0);
  CHECK(chosen == "copy/Simple");
}

TEST_CASE("cli: --gpus-per-node places the ranks K on each node, as mpirun -N K does", "[cli][collectives]")
{
  // 16 ranks, one per node: every rank's traffic crosses its NIC, so a 1 GiB all-reduce runs at
  // the NICs' pace (the ring's busbw about one NIC's 50 GB/s at the h100-sxm efficiency), far
  // below 16 ranks on 2 nodes (NVLink inside each). With SHARP switches the tuner takes CollNet,
  // whose algbw is one NIC's rate: twice the ring's busbw.
  const std::string base = "collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                           " --op allreduce --gpus 16 --bytes 1GiB";
  const auto busbw = [](const std::string& args, const char* algorithm) {
    const auto json = temp_dir() / "per_node.json";
    const auto r = dcsim_cli(args + " --json " + json.string());
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto result = nlohmann::json::parse(slurp(json));
    CHECK(result["results"][0]["algorithm"] == algorithm);
    return double(result["results"][0]["busbw_GBps"]);
  };
  const double packed = busbw(base, "ring");
  const double spread = busbw(base + " --gpus-per-node 1 --algo ring", "ring");
  const double sharp = busbw(base + " --gpus-per-node 1 --set cluster.fabric.in_network_reduction=true", "collnet");
  INFO("2 nodes " << packed << ", one GPU per node: ring " << spread << ", CollNet " << sharp << " GB/s");
  CHECK(spread < 50);
  CHECK(spread > 40);
  CHECK(packed > 3 * spread);
  CHECK(sharp / spread == Approx(2 * 15.0 / 16).epsilon(0.03)); // algbw S/t = NIC: busbw 2(n-1)/n x NIC
  const auto json = temp_dir() / "per_node.json";
  REQUIRE(dcsim_cli(base + " --gpus-per-node 2 --json " + json.string()).status == 0);
  CHECK(nlohmann::json::parse(slurp(json))["gpus_per_node"] == 2);
}

TEST_CASE("cli: --algo and --protocol take NCCL_ALGO's and NCCL_PROTO's lists: the tuner chooses among them",
          "[cli][collectives][nccl]")
{
  const std::string base = "collective --cluster " + dcsim::test::repo_path("scenarios/1024gpu.yaml") + " --bytes 64MiB ";
  const auto chosen = [&](const std::string& arguments) {
    const auto json = temp_dir() / "nccl-list.json";
    const auto r = dcsim_cli(base + arguments + " --json " + json.string());
    INFO(arguments << ": " << r.err);
    REQUIRE(r.status == 0);
    const auto row = nlohmann::json::parse(slurp(json))["results"][0];
    return std::make_pair(row["algorithm"].get<std::string>(), row["time_s"].get<double>());
  };
  // One H100 node: NVLS unless left out, and then the ring, exactly as forcing it.
  CHECK(chosen("--op allreduce --gpus 8").first == "nvls");
  const auto no_nvls = chosen("--op allreduce --gpus 8 --algo ^nvls");
  CHECK(no_nvls.first == "ring");
  CHECK(no_nvls.second == Approx(chosen("--op allreduce --gpus 8 --algo ring").second).epsilon(1e-12));
  // Eight nodes: the faster of the two named; leaving the ring out leaves the tree.
  const auto either = chosen("--op allreduce --gpus 64 --algo ring,tree");
  const auto tree = chosen("--op allreduce --gpus 64 --algo ^ring");
  CHECK(tree.first == "tree");
  CHECK(either.second <= tree.second);
  CHECK(either.second <= chosen("--op allreduce --gpus 64 --algo ring").second);
  // All-to-all is point-to-point: NCCL_ALGO does not apply.
  CHECK(chosen("--op alltoall --gpus 16 --algo ring,tree").first == "direct");
}
