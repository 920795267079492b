// The command line as users and scripts see it: exit status, one-line file:line errors naming
// the key, and the JSON result of ../shared/spec/contract.md.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

using dcsim::test::CliResult;
using dcsim::test::slurp;

fs::path temp_dir() { return dcsim::test::temp_dir(); }

CliResult dcsim_cli(const std::string& args) { return dcsim::test::run_cli(args); }

/// The 1024gpu scenario with `from` replaced by `to` in its text, written to `name`.
fs::path edited_scenario(const std::string& name, const std::string& from, const std::string& to)
{
  std::string text = slurp(dcsim::test::repo_path("scenarios/1024gpu.yaml"));
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  const fs::path path = temp_dir() / name;
  std::ofstream(path) << text;
  return path;
}

/// Every stderr line has the form file:line:col: key: message.
void check_error_lines(const CliResult& r, const std::string& file, const std::string& key, const std::string& what)
{
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  const std::regex line("^" + dcsim::test::regex_escape(file) + R"(:\d+:\d+: [a-z0-9_.]+: .+; expected .+$)");
  std::istringstream lines(r.err);
  std::string l;
  bool found = false;
  while (std::getline(lines, l)) {
    CHECK(std::regex_match(l, line));
    found = found || (l.find(key + ": ") != std::string::npos && l.find(what) != std::string::npos);
  }
  CHECK(found);
}

} // namespace

TEST_CASE("cli: run prints a summary and writes the contract's JSON", "[cli]")
{
  const auto json = temp_dir() / "result.json";
  const auto r = dcsim_cli("run " + dcsim::test::repo_path("scenarios/1024gpu.yaml") + " --json " + json.string() +
                           " --set jobs.0.iterations=2");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("iteration time") != std::string::npos);
  CHECK(r.out.find("MFU") != std::string::npos);
  const auto result = nlohmann::json::parse(slurp(json));
  for (const char* key : {"dcsim_version", "scenario", "seed", "wall_clock_s", "jobs"})
    CHECK(result.contains(key));
  const auto& job = result["jobs"][0];
  for (const char* key : {"name", "gpus", "iteration_time_s", "tokens_per_s", "model_tflops_per_gpu",
                          "hardware_tflops_per_gpu", "mfu", "hfu", "memory_per_gpu_bytes", "fits_in_memory",
                          "breakdown_s", "start_time_s", "end_time_s"})
    CHECK(job.contains(key));
  for (const char* key : {"compute", "exposed_comm", "pipeline_bubble", "optimizer"})
    CHECK(job["breakdown_s"].contains(key));
  // Tokens per second follow from the iteration time: 1536 sequences of 2048 tokens.
  CHECK(job["tokens_per_s"].get<double>() ==
        Approx(1536.0 * 2048 / job["iteration_time_s"].get<double>()).epsilon(1e-9));
}

TEST_CASE("cli: --every-iteration and --every-flow turn the shortcuts off and give the same answer", "[cli]")
{
  // Mixtral 8x7B, 64 GPUs, 100 iterations: fast-forwarded steady iterations and solo collective
  // phases against simulating all of them (equal within SimGrid's rounding, 1e-6 relative).
  const auto run = [](const std::string& flags) {
    const auto json = temp_dir() / "shortcuts.json";
    const auto r = dcsim_cli("run " + dcsim::test::repo_path("scenarios/moe-experts.yaml") + " --quiet --json " +
                             json.string() + " --set jobs.0.iterations=6 " + flags);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(slurp(json))["jobs"][0];
  };
  const auto fast = run("");
  const auto exact = run("--every-iteration --every-flow");
  CHECK(fast["simulated_iterations"].get<int>() < 6);
  CHECK(exact["simulated_iterations"].get<int>() == 6);
  CHECK(exact["end_time_s"].get<double>() == Approx(fast["end_time_s"].get<double>()).epsilon(1e-6));
  CHECK(exact["iteration_time_s"].get<double>() == Approx(fast["iteration_time_s"].get<double>()).epsilon(1e-6));
}

TEST_CASE("cli: bad input exits 2 with one file:line:col error per problem, naming the key", "[cli]")
{
  SECTION("unknown key, with the closest valid one")
  {
    const auto f = edited_scenario("unknown_key.yaml", "sequence_parallel:", "sequence_paralel:");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "jobs.0.parallelism.sequence_paralel",
                      "did you mean \"sequence_parallel\"");
  }
  SECTION("unknown unit")
  {
    const auto f = edited_scenario("unknown_unit.yaml", "450GB/s", "450GX/s");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "cluster.node.scale_up.bandwidth",
                      "unknown unit 'GX/s'");
  }
  SECTION("negative count")
  {
    const auto f = edited_scenario("negative.yaml", "nodes: 128", "nodes: -128");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "cluster.nodes", "expected a positive integer");
  }
  SECTION("zero count")
  {
    const auto f = edited_scenario("zero.yaml", "global: 1536", "global: 0");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "jobs.0.batch.global", "positive integer");
  }
  SECTION("tensor degree not dividing the heads")
  {
    const auto f = edited_scenario("tensor.yaml", "tensor: 8, pipeline: 8, data: 16", "tensor: 5, pipeline: 8, data: 16");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "jobs.0.parallelism.tensor",
                      "does not divide the 96 attention heads");
  }
  SECTION("GPUs not the product of the parallel degrees")
  {
    const auto f = edited_scenario("product.yaml", "data: 16", "data: 8");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "jobs.0.gpus", "expected gpus: 512");
  }
  SECTION("global batch not divisible by micro-batch x data")
  {
    const auto f = edited_scenario("batch.yaml", "global: 1536", "global: 1000");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "jobs.0.batch.global",
                      "not divisible by micro x data = 1 x 16 = 16");
  }
  SECTION("a model that does not fit, by how much")
  {
    const auto f = edited_scenario("oom.yaml", "tensor: 8, pipeline: 8, data: 16", "tensor: 8, pipeline: 1, data: 128");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "jobs.0.parallelism", "too much");
  }
  SECTION("malformed YAML")
  {
    const auto f = edited_scenario("malformed.yaml", "  nodes: 128", "  nodes: [128");
    const auto r = dcsim_cli("run " + f.string());
    CHECK(r.status == 2);
    CHECK(std::regex_search(r.err, std::regex(f.string() + R"(:\d+:\d+: malformed YAML)")));
  }
}

TEST_CASE("cli: sizes beyond what a field or the simulator holds are refused, not wrapped or left to hang", "[cli]")
{
  struct Refusal {
    const char* why; // what the value would have done
    const char *file, *from, *to, *key, *message;
  };
  const Refusal refusals[] = {
      {"a count too large for its field would wrap to a negative number", "huge_count.yaml", "iterations: 10",
       "iterations: 1000000000000", "jobs.0.iterations", "out of range; expected a positive integer up to 2147483647"},
      {"a cluster far beyond the largest dcsim builds", "huge_cluster.yaml", "gpus: 8\n", "gpus: 1000000\n",
       "cluster.nodes", "128 nodes x 1000000 GPUs = 128000000 GPUs is more than dcsim simulates"},
      // 1,048,576 / (1 x 16) = 65,536 micro-batches through 8 stages.
      {"an iteration with more pipeline steps than it can simulate quickly", "huge_batch.yaml", "global: 1536",
       "global: 1048576", "jobs.0.batch.global", "65536 micro-batches per replica x 8 pipeline chunks = 524288 steps"},
      {"a latency in seconds where microseconds were meant: every collective would take seconds",
       "latency_unit.yaml", "latency: 2us}\n", "latency: 2}\n", "cluster.node.nics.latency",
       "\"2\" is more than 1s (a link latency; did you mean microseconds, e.g. \"2us\"?); expected at most 1s"},
      {"a bandwidth in bytes/s where Gb/s were meant: one iteration would take years", "bandwidth_unit.yaml",
       "bandwidth: 400Gb/s", "bandwidth: 7", "cluster.node.nics.bandwidth",
       "\"7\" is less than 1Mb/s (a link's bandwidth; plain numbers are bytes/s"},
      {"a start time past what the clock resolves: it once ran, every iteration rounded to 0 s", "late_start.yaml",
       "iterations: 10", "iterations: 10\n    start_time: 11y", "jobs.0.start_time",
       "\"11y\" is more than 10y (the simulated clock resolves fabric latencies up to 10 years)"},
  };
  for (const Refusal& r : refusals) {
    INFO(r.why);
    const auto f = edited_scenario(r.file, r.from, r.to);
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), r.key, r.message);
  }
  SECTION("a run that goes on past 10 years of simulated time stops with exit 1 and writes nothing")
  {
    // 50 million iterations of 9.26 s: 14.7 years, fast-forwarded in about a second.
    const auto f = edited_scenario("long_run.yaml", "iterations: 10", "iterations: 50000000");
    const fs::path json = temp_dir() / "long_run.json";
    const auto r = dcsim_cli("run " + f.string() + " --json " + json.string());
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("dcsim: error: the run went on to 14+ years of simulated time, past 10"));
    CHECK(slurp(json).empty());
  }
  SECTION("two jobs with one name")
  {
    std::string text = slurp(dcsim::test::repo_path("scenarios/jobs-shared-fabric.yaml"));
    const std::regex second_name(R"((- name: )[A-Za-z0-9_-]+)");
    std::smatch first;
    REQUIRE(std::regex_search(text, first, second_name));
    const std::string name = first.str(0).substr(8);
    const auto second = text.find("- name: ", first.position(0) + 1);
    REQUIRE(second != std::string::npos);
    text.replace(second, text.find('\n', second) - second, "- name: " + name);
    const fs::path path = temp_dir() / "duplicate_name.yaml";
    std::ofstream(path) << text;
    check_error_lines(dcsim_cli("run " + path.string()), path.string(), "jobs.1.name",
                      "\"" + name + "\" is already the name of jobs.0");
  }
}

TEST_CASE("cli: a bad command line is one line naming the option, exit 2", "[cli]")
{
  const std::vector<std::string> command_lines = {"run " + dcsim::test::repo_path("scenarios/1024gpu.yaml") + " --bogus",
                                                  "", "collective --cluster x.yaml --op allreduce --gpus abc"};
  for (const std::string& args : command_lines) {
    const auto r = dcsim_cli(args);
    INFO(args << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.rfind("dcsim: ", 0) == 0);
    CHECK(r.err.find("; expected the commands and options") != std::string::npos);
  }
  CHECK(dcsim_cli("collective --cluster x.yaml --op allreduce --gpus abc").err.find("--gpus = abc") != std::string::npos);
}

TEST_CASE("cli: every error in a file is reported in one run", "[cli]")
{
  std::string text = slurp(dcsim::test::repo_path("scenarios/1024gpu.yaml"));
  text.replace(text.find("nodes: 128"), 10, "nodes: -1");
  text.replace(text.find("recompute: none"), 15, "recompute: nope");
  const fs::path f = temp_dir() / "two_errors.yaml";
  std::ofstream(f) << text;
  const auto r = dcsim_cli("validate " + f.string());
  CHECK(r.status == 2);
  CHECK(r.err.find("cluster.nodes") != std::string::npos);
  CHECK(r.err.find("jobs.0.recompute: unknown value \"nope\" (did you mean \"none\"?)") != std::string::npos);
}

TEST_CASE("cli: --set overrides are checked like the file and errors point at them", "[cli]")
{
  const std::string scenario = dcsim::test::repo_path("scenarios/1024gpu.yaml");
  CHECK(dcsim_cli("validate " + scenario + " --set jobs.0.parallelism.tensor=4 --set jobs.0.parallelism.data=32")
            .status == 0);
  const auto r = dcsim_cli("validate " + scenario + " --set cluster.fabric.oversubscription=fast");
  CHECK(r.status == 2);
  CHECK(r.err.find("--set cluster.fabric.oversubscription=fast: cluster.fabric.oversubscription") != std::string::npos);
}

TEST_CASE("cli: --set paths that point nowhere are errors, not crashes", "[cli]")
{
  const std::string run = "run " + dcsim::test::repo_path("scenarios/1024gpu.yaml");
  const auto check = [](const CliResult& r, const std::string& what) {
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(what) != std::string::npos);
  };
  check(dcsim_cli(run + " --set jobs.5.gpus=3"), "index 5 is past the end of a list of 1; expected an index below 1");
  // Formerly an uncaught std::out_of_range ("dcsim: error: stoul", exit 1).
  check(dcsim_cli(run + " --set jobs.99999999999999999999999.gpus=3"), "is past the end of a list of 1");
  check(dcsim_cli(run + " --set jobs..gpus=3"), "empty key in the path; expected dotted keys");
  check(dcsim_cli("run /"), "/: cannot read the scenario file; expected a readable YAML file");
}

TEST_CASE("cli: nothing is written to --json when the run fails", "[cli]")
{
  const auto json = temp_dir() / "never.json";
  fs::remove(json);
  const auto f = edited_scenario("fails.yaml", "data: 16", "data: 8");
  CHECK(dcsim_cli("run " + f.string() + " --json " + json.string()).status == 2);
  CHECK_FALSE(fs::exists(json));
  CHECK(dcsim_cli("run /nonexistent/scenario.yaml --json " + json.string()).status == 2);
  CHECK_FALSE(fs::exists(json));
}

TEST_CASE("cli: topology prints the analysis and writes the contract's JSON, DOT and GraphML", "[cli]")
{
  const auto json = temp_dir() / "topology.json";
  const auto dot = temp_dir() / "topology.dot";
  const auto graphml = temp_dir() / "topology.graphml";
  const auto r = dcsim_cli("topology " + dcsim::test::repo_path("scenarios/1024gpu.yaml") + " --json " + json.string() +
                           " --dot " + dot.string() + " --graphml " + graphml.string());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("bisection bandwidth 25.6 TB/s") != std::string::npos);
  const auto result = nlohmann::json::parse(slurp(json));
  for (const char* key : {"gpus", "nodes", "switches", "links", "bisection_bandwidth_bytes_per_s", "diameter_hops"})
    CHECK(result.contains(key));
  CHECK(result["gpus"] == 1024);
  CHECK(result["switches"] == 64); // 32 leaves + 32 spines
  CHECK(result["leaf_blocks"] == 32); // 4 nodes of 8 NICs per radix-64 leaf
  CHECK(result["pods"] == 1);
  CHECK(r.out.find("node locality: 32 leaf blocks of 4-4 nodes in 1 pod") != std::string::npos);
  CHECK(slurp(dot).rfind("graph G {", 0) == 0);
  CHECK(slurp(graphml).find("<graphml") != std::string::npos);
  // D-mod-K: no flow hashing to report; under ECMP, the queue pairs each GPU pair is hashed over.
  CHECK(r.out.find("flow hashing") == std::string::npos);
  const auto ecmp = dcsim_cli("topology " + dcsim::test::repo_path("scenarios/1024gpu.yaml") +
                              " --set cluster.fabric.routing=ecmp --set cluster.fabric.qps_per_pair=4");
  REQUIRE(ecmp.status == 0);
  CHECK(ecmp.out.find("flow hashing: each GPU pair's traffic over 4 queue pairs") != std::string::npos);
}

TEST_CASE("cli: bad fabric input exits 2 with file:line errors", "[cli]")
{
  SECTION("radix too small for the hosts")
  {
    const auto f = edited_scenario("small_radix.yaml", "radix: 64", "radix: 16");
    check_error_lines(dcsim_cli("topology " + f.string()), f.string(), "cluster.fabric.radix",
                      "2 tiers of radix 16 connect at most 128 NICs, not 1024");
  }
  SECTION("a radix no switch has (64,000,000 ports once built 32 million spines: minutes, then a refusal)")
  {
    const auto f = edited_scenario("huge_radix.yaml", "radix: 64", "radix: 64000000");
    check_error_lines(dcsim_cli("validate " + f.string()), f.string(), "cluster.fabric.radix",
                      "64000000 is out of range; expected an integer >= 0 up to 4096");
  }
  SECTION("a torus ring so long that routes overflow (found by fuzzing: [4000, 4, 4] aborted at routing, exit 1)")
  {
    const auto f = edited_scenario("long_torus.yaml", "topology: fat-tree\n    tiers: 2\n    radix: 64\n",
                                   "topology: torus\n    dimensions: [4000, 4, 4]\n");
    check_error_lines(dcsim_cli("validate " + f.string()), f.string(), "cluster.fabric.dimensions",
                      "make routes of up to 2008 links (half of each ring, plus 4 at the ends); expected at most 48");
  }
  SECTION("negative bandwidth")
  {
    const auto f = edited_scenario("negative_bw.yaml", "bandwidth: 400Gb/s", "bandwidth: -400Gb/s");
    check_error_lines(dcsim_cli("validate " + f.string()), f.string(), "cluster.node.nics.bandwidth", "is negative");
  }
  SECTION("malformed topology file, with the file's own line")
  {
    const auto f = edited_scenario("bad_file.yaml", "topology: fat-tree\n    tiers: 2\n    radix: 64\n",
                                   "topology: file\n    file: " + dcsim::test::repo_path("tests/topologies/data/malformed_topology.csv") + "\n");
    const auto r = dcsim_cli("topology " + f.string());
    CHECK(r.status == 2);
    CHECK(r.err.find("malformed_topology.csv:3:1: row has 3 fields; expected 4") != std::string::npos);
    CHECK(r.err.find("malformed_topology.csv:5:1: row has an empty field") != std::string::npos);
  }
}

TEST_CASE("cli: a missing key, file or precision is one error naming it, not a crash or a cascade", "[cli]")
{
  // Found by mutating the shipped scenarios and profiles (2026-11-29): a deleted `model` or `gpu`
  // made yaml-cpp throw (exit 1, "invalid node"); a missing topology file added two follow-on errors.
  const auto error_lines = [](const CliResult& r) { return std::count(r.err.begin(), r.err.end(), '\n'); };
  SECTION("a job without its model")
  {
    const auto f = edited_scenario("no_model.yaml", "    model: models/gpt3-175b.yaml\n", "");
    const auto r = dcsim_cli("validate " + f.string());
    check_error_lines(r, f.string(), "jobs.0.model", "is missing");
    CHECK(error_lines(r) == 1);
  }
  SECTION("a node without its GPU")
  {
    const auto f = edited_scenario("no_gpu.yaml", "    gpu: H100-SXM-80GB\n", "");
    const auto r = dcsim_cli("validate " + f.string());
    check_error_lines(r, f.string(), "cluster.node.gpu", "is missing");
    CHECK(error_lines(r) == 1);
  }
  SECTION("a topology file that is not there, with tier bandwidths and no node count")
  {
    const auto f = edited_scenario("no_file.yaml", "  nodes: 128\n  node:", "  node:");
    std::string text = slurp(f);
    const std::string fabric = "topology: fat-tree\n    tiers: 2\n    radix: 64\n    oversubscription: 1\n";
    text.replace(text.find(fabric), fabric.size(),
                 "topology: file\n    file: no_such_topology.csv\n    tier_bandwidth: [3.2TB/s]\n");
    std::ofstream(f) << text;
    const auto r = dcsim_cli("validate " + f.string());
    check_error_lines(r, f.string(), "cluster.fabric.file", "topology file \"no_such_topology.csv\" not found");
    CHECK(error_lines(r) == 1);
  }
  SECTION("a section that is not a mapping: one error, not one more per key it then lacks")
  {
    const auto scenario = dcsim::test::repo_path("scenarios/1024gpu.yaml");
    for (const std::string set : {"cluster=5", "jobs.0=abc", "cluster.node=[]"}) {
      const auto r = dcsim_cli("validate " + scenario + " --set " + set);
      INFO(set << ": " << r.err);
      CHECK(r.status == 2);
      CHECK(error_lines(r) == 1);
      CHECK(r.err.find("expected a mapping of keys to values") != std::string::npos);
    }
  }
  SECTION("a profile without the job's precision (it used to throw: exit 1, no file or key)")
  {
    std::string text = slurp(dcsim::test::repo_path("calibration/profiles/h100-sxm.yaml"));
    const std::string peaks = "{bf16: 0.845, fp16: 0.845, fp8: 0.90, tf32: 0.80}";
    REQUIRE(text.find(peaks) != std::string::npos);
    text.replace(text.find(peaks), peaks.size(), "{fp16: 0.845}");
    const fs::path profile = temp_dir() / "fp16_only.yaml";
    std::ofstream(profile) << text;
    const auto f = edited_scenario("fp16_profile.yaml", "  storage:", "  calibration: " + profile.string() + "\n  storage:");
    const auto r = dcsim_cli("run " + f.string());
    check_error_lines(r, f.string(), "jobs.0.precision", "profile h100-sxm has no GEMM efficiency for bf16");
    CHECK(error_lines(r) == 1);
  }
}

TEST_CASE("cli: bad power and cost settings exit 2 naming the key", "[cli]")
{
  auto with = [](const std::string& name, const std::string& section) {
    return edited_scenario(name, "\njobs:", "\n" + section + "\njobs:");
  };
  SECTION("a power in the wrong unit")
  {
    const auto f = with("power_unit.yaml", "power: {gpu_idle: 70GB}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "power.gpu_idle", "expected a power");
  }
  SECTION("a PUE below 1")
  {
    const auto f = with("pue.yaml", "power: {pue: 0.9}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "power.pue", "0.9");
  }
  SECTION("an idle GPU drawing more than a busy one")
  {
    const auto f = with("idle.yaml", "power: {gpu_busy: 300W, gpu_idle: 400W}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "power.gpu_idle", "more than gpu_busy");
  }
  SECTION("memory-bound kernels drawing more than compute-bound ones")
  {
    const auto f = with("memory_bound.yaml", "power: {gpu_busy: 300W, gpu_memory_bound: 450W}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "power.gpu_memory_bound", "more than gpu_busy");
  }
  SECTION("two GPU-hour prices")
  {
    const auto f = with("two_prices.yaml", "cost: {gpu_hour: 2, gpu_capex: 30000, amortization: 4y}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "cost.gpu_capex", "both given");
  }
  SECTION("a purchase price without a depreciation period")
  {
    const auto f = with("capex.yaml", "cost: {gpu_capex: 30000}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "cost.gpu_capex", "amortization");
  }
  SECTION("a network price beside a rental price, or without a depreciation period")
  {
    const auto rented = with("rented_network.yaml", "cost: {gpu_hour: 2, switch_capex: 40000}");
    check_error_lines(dcsim_cli("run " + rented.string()), rented.string(), "cost.switch_capex",
                      "gpu_hour (a rental price) already includes it");
    const auto f = with("cables.yaml", "cost: {gpu_capex: 30000, cable_capex: 1000}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "cost.gpu_capex", "amortization");
  }
}

TEST_CASE("cli: bad scheduler settings and traces exit 2 naming the key and the trace line", "[cli]")
{
  auto with = [](const std::string& name, const std::string& section) {
    return edited_scenario(name, "\njobs:", "\n" + section + "\njobs:");
  };
  auto trace = [](const std::string& name, const std::string& text) {
    const fs::path path = temp_dir() / name;
    std::ofstream(path) << text;
    return path.string();
  };
  SECTION("an unknown policy, with the closest one")
  {
    const auto f = with("policy.yaml", "scheduler: {policy: fifa}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.policy", "did you mean \"fifo\"");
  }
  SECTION("an unknown placement, with the closest one")
  {
    const auto f = with("placement.yaml", "scheduler: {placement: topology_awre}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.placement",
                      "did you mean \"topology_aware\"");
  }
  SECTION("a trace that cannot be read")
  {
    const auto f = with("no_trace.yaml", "scheduler: {trace: /nonexistent/trace.csv}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.trace", "cannot read");
  }
  SECTION("a trace with an unknown header")
  {
    const auto t = trace("header.csv", "when,how_long,gpus\n0,1,1\n");
    const auto f = with("header.yaml", "scheduler: {trace: " + t + "}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.trace", "line 1: header");
  }
  SECTION("a malformed row, by its line")
  {
    const auto t = trace("row.csv", "submit_time_s,duration_s,gpus\n0,10,1\n5,ten,1\n");
    const auto f = with("row.yaml", "scheduler: {trace: " + t + "}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.trace", "line 3: duration \"ten\"");
  }
  SECTION("a date without its time, a hexadecimal duration: refused, not read as midnight or 16 s (found by fuzzing)")
  {
    const auto t = trace("date.csv", "timestamp,duration,num_gpus\n2017-10-09 07:01:55,10,1\n2017-10-09,10,1\n");
    const auto f = with("date.yaml", "scheduler: {trace: " + t + "}");
    const auto r = dcsim_cli("run " + f.string());
    check_error_lines(r, f.string(), "scheduler.trace", "line 3: submission time \"2017-10-09\" is not a time");
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1); // not also "jobs: is missing"
    const auto h = trace("hex.csv", "submit_time_s,duration_s,gpus\n0,0x10,1\n");
    const auto g = with("hex.yaml", "scheduler: {trace: " + h + "}");
    check_error_lines(dcsim_cli("run " + g.string()), g.string(), "scheduler.trace", "line 2: duration \"0x10\"");
  }
  SECTION("a GPU count that is not a count")
  {
    const auto t = trace("gpus.csv", "submit_time_s,duration_s,gpus\n0,10,0.5\n");
    const auto f = with("gpus.yaml", "scheduler: {trace: " + t + "}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.trace", "line 2: GPU count");
  }
  SECTION("a duration or a span past what the clock resolves (both once ran on, then failed past 10 years)")
  {
    const auto t = trace("long.csv", "submit_time_s,duration_s,gpus\n0,10,1\n5,1e10,1\n");
    const auto f = with("long.yaml", "scheduler: {trace: " + t + "}");
    check_error_lines(dcsim_cli("run " + f.string()), f.string(), "scheduler.trace",
                      "line 3: duration \"1e10\" is more than 10 years");
    const auto late = trace("late.csv", "submit_time_s,duration_s,gpus\n1e9,10,1\n0,10,1\n5,10,1\n");
    const auto g = with("late.yaml", "scheduler: {trace: " + late + "}");
    check_error_lines(dcsim_cli("run " + g.string()), g.string(), "scheduler.trace",
                      "line 2: submitted more than 10 years after the trace's first job");
  }
}

TEST_CASE("cli: a scenario's output section writes the JSON and trace; the flags take precedence", "[cli]")
{
  const auto json = temp_dir() / "from_section.json";
  const auto trace = temp_dir() / "from_section.trace.json";
  const auto flag_json = temp_dir() / "from_flag.json";
  for (const auto& p : {json, trace, flag_json})
    fs::remove(p);
  const auto f = edited_scenario("output.yaml", "\njobs:",
                                 "\noutput: {json: " + json.string() + ", trace: " + trace.string() +
                                     ", quiet: true}\njobs:");
  const auto r = dcsim_cli("run " + f.string());
  CHECK(r.status == 0);
  CHECK(r.out.empty()); // quiet
  CHECK(nlohmann::json::parse(slurp(json.string()))["jobs"][0]["iteration_time_s"].get<double>() > 0);
  CHECK(nlohmann::json::parse(slurp(trace.string())).contains("traceEvents"));
  fs::remove(json);
  CHECK(dcsim_cli("run " + f.string() + " --json " + flag_json.string()).status == 0);
  CHECK(fs::exists(flag_json));
  CHECK_FALSE(fs::exists(json));
}

TEST_CASE("cli: kernels lists each backward's weight-gradient share, the sum of its wgrad rows", "[cli]")
{
  const auto r = dcsim_cli("kernels " + dcsim::test::repo_path("scenarios/1024gpu.yaml"));
  REQUIRE(r.status == 0);
  // Sum the time column of the first backward table's wgrad rows and compare with its line.
  std::istringstream lines(r.out.substr(r.out.find("transformer layer, backward")));
  std::string l;
  double wgrad_us = 0, reported_us = -1;
  const std::regex row(R"(^\s+(\S+)\s.*\s([0-9.]+)\s+[0-9]+%$)");
  while (std::getline(lines, l)) {
    std::smatch m;
    if (std::regex_match(l, m, row) && m[1].str().find(".wgrad") != std::string::npos) {
      const std::string name = m[1].str(); // unfused attention's own GEMMs have no weights
      if (name.find("attention_scores") != 0 && name.find("attention_context") != 0)
        wgrad_us += std::stod(m[2].str());
    }
    if (l.find("of which weight gradients") != std::string::npos) {
      reported_us = std::stod(l.substr(l.find_last_of(' ') + 1));
      break;
    }
  }
  INFO(r.out);
  CHECK(wgrad_us > 0);
  CHECK(reported_us == Approx(wgrad_us).epsilon(0.002)); // rows are printed to 0.1 us
}
