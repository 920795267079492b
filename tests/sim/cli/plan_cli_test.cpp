// `dcsim plan`: the plans it ranks are what `dcsim run` gives for them, the ranking is by
// iteration time, what it rejects is what the checker refuses (memory included), the output is
// deterministic, and bad options are one-line errors with exit 2.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

namespace {

/// Llama 3 8B on two 8-GPU H100 nodes, batch 64 (a job small enough to search quickly).
std::string small_scenario()
{
  const std::string path = dcsim::test::temp_dir() + "/plan.yaml";
  std::ofstream(path) << "name: plan\n"
                         "cluster:\n"
                         "  nodes: 2\n"
                         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 2us}, "
                         "nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}}\n"
                         "  fabric: {topology: fat-tree, tiers: 2, radix: 16}\n"
                      << "jobs:\n"
                         "  - name: llama\n"
                         "    gpus: 16\n"
                         "    model: " << dcsim::test::repo_path("models/llama3-8b.yaml") << "\n"
                      << "    parallelism: {tensor: 8, pipeline: 2}\n"
                         "    batch: {global: 64, micro: 1}\n"
                         "    iterations: 3\n";
  return path;
}

nlohmann::json plan_json(const std::string& scenario, const std::string& options)
{
  const std::string json = dcsim::test::temp_dir() + "/plan.json";
  const auto r = dcsim::test::run_cli("plan " + scenario + " " + options + " --workers 2 --json " + json);
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(dcsim::test::slurp(json));
}

const char* kSpace = "--tensor 1,2,4,8 --pipeline 1,2,4 --micro-batch 1,2 --virtual-stages 1,2 --recompute none,full";

} // namespace

TEST_CASE("plan: ranked by iteration time, each plan's figures those of dcsim run on it", "[cli]")
{
  const std::string scenario = small_scenario();
  const auto result = plan_json(scenario, kSpace);
  const auto& plans = result["plans"];
  // 16 GPUs: t p in {1..32} divides 16 for all but t = 8, p = 4 (11 splits); m x data must divide 64
  // (always: data <= 16, m <= 2); interleaving 2 on the 7 pipelined splits; two recompute choices.
  CHECK(plans.size() == (4 + 7 * 2) * 2 * 2);
  double last = 0;
  bool ranking = true, rejected_seen = false;
  int ran = 0;
  for (const auto& p : plans) {
    if (p.contains("rejected") || p.contains("skipped")) {
      rejected_seen = true;
      CHECK_FALSE(p.value("rejected", p.value("skipped", "")).empty());
      continue;
    }
    ++ran;
    ranking = ranking && !rejected_seen && p["iteration_time_s"].get<double>() >= last;
    last = p["iteration_time_s"];
    CHECK(p["memory_per_gpu_bytes"].get<double>() <= 80.0 * (1ull << 30));
  }
  CHECK(ranking);
  CHECK(ran > 10);
  CHECK(result["scenario_plan"] == "TP8 PP2 DP1 mb1 none");
  // The best plan and the scenario's own, run directly, give the same iteration time.
  for (const auto& p : {plans[0], plans[ran - 1]}) {
    INFO(p.dump());
    const std::string r = "jobs.0.recompute=" + p["recompute"].get<std::string>();
    const auto run = dcsim::test::run_scenario_text(
        dcsim::test::slurp(scenario), {"jobs.0.parallelism.tensor=" + std::to_string(p["tensor"].get<int>()),
                   "jobs.0.parallelism.pipeline=" + std::to_string(p["pipeline"].get<int>()),
                   "jobs.0.parallelism.data=" + std::to_string(p["data"].get<int>()),
                   "jobs.0.parallelism.virtual_stages=" + std::to_string(p["virtual_stages"].get<int>()),
                   "jobs.0.parallelism.sequence_parallel=" + std::string(p["tensor"].get<int>() > 1 ? "true" : "false"),
                   "jobs.0.batch.micro=" + std::to_string(p["micro_batch"].get<int>()), r});
    CHECK(run["jobs"][0]["iteration_time_s"].get<double>() == Approx(p["iteration_time_s"].get<double>()).epsilon(1e-12));
  }
}

TEST_CASE("plan: a plan that recomputes more than a fitting plan of its split is never faster, so it is skipped", "[cli]")
{
  // Recomputation only adds kernels: with every plan simulated, of each split's fitting plans
  // none <= selective <= full; the default search skips the slower ones and finds the same best.
  const std::string scenario = small_scenario();
  const std::string space = "--tensor 2,4,8 --pipeline 1,2,4 --micro-batch 1,2 --virtual-stages 1,2";
  const auto every = plan_json(scenario, space + " --every-plan");
  const auto pruned = plan_json(scenario, space);
  std::map<std::string, std::map<std::string, double>> by_split;
  for (const auto& p : every["plans"])
    if (p.contains("iteration_time_s")) {
      const std::string plan = p["plan"];
      by_split[plan.substr(0, plan.rfind(' '))][p["recompute"]] = p["iteration_time_s"];
    }
  int compared = 0;
  for (const auto& [split, times] : by_split) {
    INFO(split);
    if (times.count("none") && times.count("selective")) {
      CHECK(times.at("none") <= times.at("selective"));
      ++compared;
    }
    if (times.count("selective") && times.count("full")) {
      CHECK(times.at("selective") <= times.at("full"));
      ++compared;
    }
  }
  CHECK(compared >= 10);
  CHECK(pruned["plans"][0] == every["plans"][0]);
  int skipped = 0;
  for (const auto& p : pruned["plans"])
    if (p.contains("skipped")) {
      ++skipped;
      CHECK(p["recompute"] != "none");
      CHECK(p["skipped"].get<std::string>().find("recomputes more than") == 0);
    }
  CHECK(skipped == compared); // k fitting choices of a split: k - 1 comparisons, k - 1 skipped
}

TEST_CASE("plan: what does not fit is rejected with the checker's reason; the same search gives the same answer", "[cli]")
{
  const std::string scenario = small_scenario();
  // Without tensor or pipeline parallelism Llama 3 8B's 16 GB of weights, 64 GB of fp32
  // gradients and Adam states and 8K-token activations do not fit in 80 GiB.
  // Without tensor or pipeline parallelism, replicated Adam states (12 bytes a parameter, 96 GB)
  // do not fit; the distributed optimizer (ZeRO-1) shards them over the 16 replicas, ZeRO-3 the
  // weights and gradients too.
  const auto sharded = plan_json(scenario, "--tensor 1 --pipeline 1 --micro-batch 1 --recompute full --zero 0,1,3");
  std::map<int, double> memory;
  for (const auto& p : sharded["plans"]) {
    INFO(p.dump());
    if (p["tensor"] != 1)
      continue;
    CHECK(p.contains("rejected") == (p["zero"] == 0));
    if (p.contains("memory_per_gpu_bytes"))
      memory[p["zero"]] = p["memory_per_gpu_bytes"];
  }
  REQUIRE(memory.size() == 2);
  CHECK(memory[3] < memory[1]);
  // (The third plan is the scenario's own, TP8 PP2, which fits: it ranks first.)
  const auto a = plan_json(scenario, "--tensor 1 --pipeline 1 --micro-batch 1 --recompute none,full");
  REQUIRE(a["plans"].size() == 3);
  CHECK(a["plans"][0]["plan"] == "TP8 PP2 DP1 mb1 none");
  for (size_t i = 1; i < 3; ++i) {
    const auto& p = a["plans"][i];
    REQUIRE(p.contains("rejected"));
    CHECK(p["rejected"].get<std::string>().find("jobs.0.parallelism: the model needs") == 0);
    CHECK(p["rejected"].get<std::string>().find("but H100-SXM-80GB has 80 GiB") != std::string::npos);
  }
  // The scenario's own plan (TP8 PP2) is ranked even when the space leaves it out.
  const auto own = plan_json(scenario, "--tensor 4 --pipeline 1 --micro-batch 1 --recompute none");
  REQUIRE(own["plans"].size() == 2);
  CHECK((own["plans"][0]["plan"] == "TP8 PP2 DP1 mb1 none" || own["plans"][1]["plan"] == "TP8 PP2 DP1 mb1 none"));
  auto first = plan_json(scenario, kSpace), second = plan_json(scenario, kSpace);
  first.erase("wall_clock_s"), second.erase("wall_clock_s");
  CHECK(first == second);
  // The text table names the scenario's plan and counts the rejections by key.
  const auto r = dcsim::test::run_cli("plan " + scenario + " " + kSpace + " --top 3");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("<- the scenario's plan") != std::string::npos);
  CHECK(r.out.find("rejected at jobs.0.parallelism: ") != std::string::npos);
}

TEST_CASE("plan: the scenario's own plan is simulated as the scenario has it", "[cli]")
{
  // Without sequence parallelism (every candidate with tensor parallelism has it), and with a
  // micro-batch outside the space: the marked row is what `dcsim run` gives for the scenario.
  const std::string scenario = small_scenario();
  const std::string own = "--set jobs.0.parallelism.sequence_parallel=false --set jobs.0.batch.micro=4";
  const auto result = plan_json(scenario, own + " --tensor 8 --pipeline 2 --micro-batch 1 --recompute none");
  CHECK(result["scenario_plan"] == "TP8 PP2 DP1 mb4 no-SP none");
  const auto run = dcsim::test::run_scenario_text(dcsim::test::slurp(scenario), {"jobs.0.parallelism.sequence_parallel=false",
                                                                                 "jobs.0.batch.micro=4"});
  int found = 0;
  for (const auto& p : result["plans"])
    if (p["plan"] == result["scenario_plan"]) {
      ++found;
      CHECK(p["iteration_time_s"].get<double>() ==
            Approx(run["jobs"][0]["iteration_time_s"].get<double>()).epsilon(1e-12));
    }
  CHECK(found == 1);
}

TEST_CASE("plan: a job with a time limit is ranked by its speed, as a job without one", "[cli]")
{
  // Plans are simulated without checkpoints or failures; a time limit kept beside no checkpoint
  // ended each such run in an error (found by scripts/fuzz_scenarios.py --plan on
  // scenarios/time-limits.yaml). Now the limit goes with them: the scenario's plan runs at what
  // `dcsim run` gives (the limit only cuts runs into allocations).
  const std::string scenario = small_scenario();
  const std::vector<std::string> limited = {"scheduler.policy=fifo", "jobs.0.iterations=40", "jobs.0.time_limit=1min",
                                            "jobs.0.checkpoint={interval: 20s}",
                                            "cluster.storage={servers: 2, bandwidth_per_server: 25GB/s}"};
  std::string sets;
  for (const auto& s : limited)
    sets += " --set \"" + s + "\"";
  const auto result = plan_json(scenario, sets + " --tensor 8 --pipeline 2 --micro-batch 1 --recompute none");
  const auto run = dcsim::test::run_scenario_text(dcsim::test::slurp(scenario), limited);
  int found = 0;
  for (const auto& p : result["plans"])
    if (p["plan"] == result["scenario_plan"]) {
      ++found;
      CHECK(p["iteration_time_s"].get<double>() ==
            Approx(run["jobs"][0]["iteration_time_s"].get<double>()).epsilon(1e-9));
    }
  CHECK(found == 1);
}

TEST_CASE("plan: several GPU counts are searched each on its own, with the strong-scaling efficiency", "[cli]")
{
  const std::string scenario = small_scenario();
  const auto result = plan_json(scenario, "--gpus 8,16 --tensor 4,8 --pipeline 1,2 --micro-batch 1 --recompute none");
  int last_gpus = 0;
  std::map<int, double> best;
  for (const auto& p : result["plans"]) {
    const int gpus = p["gpus"];
    CHECK(gpus >= last_gpus); // fewest GPUs first
    last_gpus = gpus;
    CHECK(p["tensor"].get<int>() * p["pipeline"].get<int>() * p["data"].get<int>() == gpus);
    if (p.contains("iteration_time_s") && !best.count(gpus))
      best[gpus] = p["tokens_per_s"];
  }
  REQUIRE(best.size() == 2);
  CHECK(best[16] > best[8]);
  const auto r = dcsim::test::run_cli("plan " + scenario + " --gpus 8,16 --tensor 4,8 --pipeline 1,2 --micro-batch 1 "
                                      "--recompute none --workers 2");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("8 GPUs:\n") != std::string::npos);
  CHECK(r.out.find("16 GPUs:\n") != std::string::npos);
  CHECK(r.out.find("best plan by GPU count:") != std::string::npos);
  char efficiency[32];
  std::snprintf(efficiency, sizeof efficiency, "%.1f%%", 100 * best[16] / 16 / (best[8] / 8));
  CHECK(r.out.find(efficiency) != std::string::npos);
}

TEST_CASE("plan: each plan's energy per token, and with a price its cost per million tokens", "[cli]")
{
  // At $2 per GPU-hour and no electricity price, a million tokens cost 2 x GPUs / 3600 / (tokens/s) x 1e6.
  const std::string scenario = small_scenario();
  const auto result = plan_json(scenario, "--set cost.gpu_hour=2 --set cost.electricity=0 --gpus 8,16 --tensor 4,8 "
                                          "--pipeline 1,2 --micro-batch 1 --recompute none");
  int priced = 0;
  for (const auto& p : result["plans"]) {
    if (!p.contains("iteration_time_s"))
      continue;
    INFO(p.dump());
    CHECK(p["joules_per_token"].get<double>() > 0);
    const double expected = 2.0 * p["gpus"].get<int>() / 3600 / p["tokens_per_s"].get<double>() * 1e6;
    CHECK(p["usd_per_million_tokens"].get<double>() == Approx(expected).epsilon(1e-9));
    ++priced;
  }
  CHECK(priced > 2);
  const auto r = dcsim::test::run_cli("plan " + scenario + " --set cost.gpu_hour=2 --gpus 8,16 --tensor 4,8 "
                                      "--pipeline 1,2 --micro-batch 1 --recompute none --workers 2");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("$/M tokens") != std::string::npos);
}

TEST_CASE("plan: bad options are one-line errors naming the option, exit 2", "[cli]")
{
  const std::string scenario = small_scenario();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--job 3", "--job: 3 is not a job of"},
      {"--recompute some", "--recompute: \"some\" is not a recompute choice; expected none, selective or full"},
      {"--tensor 0,2", "--tensor: 0 is not a degree"},
      {"--gpus 0", "--gpus: 0 is not a degree"},
      {"--zero 4", "--zero: 4 is not a ZeRO stage; expected 0, 1, 2 or 3"},
      {"--top 0", "--top: 0 plans; expected at least 1"},
      {"--workers 0", "--workers: 0 processes; expected 1 to 1024"},
      {"--set jobs.0.iterations=0", "jobs.0.iterations"},
  };
  for (const auto& [options, message] : cases) {
    INFO(options);
    const auto r = dcsim::test::run_cli("plan " + scenario + " " + options);
    CHECK(r.status == 2);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
