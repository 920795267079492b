// Checkpoints and failures in the engine: write times from the storage bandwidth, the time they
// add, and, with exponential node failures, Daly's expected wall time (the analytic model of
// exactly this process, models/reliability/checkpoint_interval.hpp).
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include "reliability/checkpoint_interval.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

const char* kScenario = dcsim::test::kOneNodeCheckpoints;

double elapsed_s(const nlohmann::json& job)
{
  return job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
}

} // namespace

TEST_CASE("reliability: synchronous checkpoints take size / storage bandwidth and add exactly their time")
{
  const auto job = dcsim::test::run_scenario_text(kScenario)["jobs"][0];
  const auto& r = job["reliability"];
  const double iteration = job["iteration_time_s"].get<double>();
  const double training = 10000 * iteration;
  INFO("iteration " << iteration << " s, " << r.dump());
  CHECK(r["checkpoint_write_s"].get<double>() == Approx(10.0).epsilon(0.01)); // 10 GB at 1 GB/s
  // One at the last iteration boundary before every 60 s of training.
  CHECK(r["checkpoints"].get<int>() == static_cast<int>(std::floor(training / 60.0)));
  CHECK(r["failures"].get<int>() == 0);
  const double expected = training + r["checkpoints"].get<int>() * r["checkpoint_write_s"].get<double>();
  CHECK(elapsed_s(job) == Approx(expected).epsilon(1e-3));
  CHECK(job["goodput"].get<double>() ==
        Approx(1.0 - r["checkpoint_time_s"].get<double>() / elapsed_s(job)).epsilon(1e-9));
}

TEST_CASE("reliability: an interval shorter than an iteration checkpoints after every iteration")
{
  const auto job = dcsim::test::run_scenario_text(kScenario, {"jobs.0.iterations=5", "jobs.0.checkpoint.interval=1ms"})
                       ["jobs"][0];
  CHECK(job["reliability"]["checkpoints"].get<int>() == 5);
}

TEST_CASE("reliability: checkpointing after every iteration still fast-forwards, to the same end within 1e-9")
{
  // Each steady iteration between two writes is slept through (one iteration's window), not
  // simulated: 2,000 of them used to cost 73 s of wall-clock on a 1,024-GPU job, now 0.1 s.
  const std::vector<std::string> set = {"jobs.0.iterations=400", "jobs.0.checkpoint.interval=1ms"};
  const auto fast = dcsim::test::run_config(dcsim::test::load_text(kScenario, set), true)["jobs"][0];
  const auto every = dcsim::test::run_config(dcsim::test::load_text(kScenario, set), false)["jobs"][0];
  INFO("fast-forwarded " << fast["reliability"].dump() << "\nevery iteration " << every["reliability"].dump());
  CHECK(fast["reliability"]["checkpoints"].get<int>() == 400);
  CHECK(every["reliability"]["checkpoints"].get<int>() == 400);
  CHECK(fast["simulated_iterations"].get<int>() <= 3);
  CHECK(every["simulated_iterations"].get<int>() == 400);
  CHECK(elapsed_s(fast) == Approx(elapsed_s(every)).epsilon(1e-9));
  CHECK(fast["goodput"].get<double>() == Approx(every["goodput"].get<double>()).epsilon(1e-9));
}

TEST_CASE("reliability: with exponential node failures the mean wall time matches Daly's expectation within 2%")
{
  // Daly's first test point: M = 24 h, delta = 5 min, T_s = 500 h; restarts of 10 min plus the
  // 5-minute read, R = 15 min. Eight seeds (the spread of one run is ~1%).
  const double iteration = dcsim::test::run_scenario_text(kScenario)["jobs"][0]["iteration_time_s"].get<double>();
  const int iterations = static_cast<int>(500 * 3600.0 / iteration);
  const double work = iterations * iteration, delta = 300, restart = 900, mtbi = 24 * 3600.0;
  const double best = dcsim::daly_interval_s(delta, mtbi);
  auto mean_wall = [&](double interval) {
    double sum = 0;
    for (int seed = 1; seed <= 8; ++seed) {
      const auto job = dcsim::test::run_scenario_text(
          kScenario, {"seed=" + std::to_string(seed), "failures.node_mtbf=24h", "failures.restart=10min",
                      "jobs.0.iterations=" + std::to_string(iterations), "jobs.0.checkpoint.size=300GB",
                      "jobs.0.checkpoint.interval=" + std::to_string(interval)})["jobs"][0];
      sum += elapsed_s(job);
    }
    return sum / 8;
  };
  const double at_best = mean_wall(best);
  for (double interval : {best / 2, best, best * 2}) {
    const double simulated = interval == best ? at_best : mean_wall(interval);
    const double daly = dcsim::daly_expected_wall_s(work, interval, delta, restart, mtbi);
    INFO("interval " << interval / 60 << " min: simulated " << simulated / 3600 << " h, Daly " << daly / 3600 << " h");
    CHECK(simulated == Approx(daly).epsilon(0.02));
    if (interval != best)
      CHECK(simulated > at_best);
  }
}

TEST_CASE("reliability: auto interval is Daly's optimum for the measured write; failures are reproducible per seed")
{
  const std::vector<std::string> failing = {"failures.node_mtbf=2h", "failures.restart=60s",
                                            "jobs.0.checkpoint.interval=auto", "jobs.0.iterations=2000000"};
  const auto a = dcsim::test::run_scenario_text(kScenario, failing)["jobs"][0]["reliability"];
  const auto b = dcsim::test::run_scenario_text(kScenario, failing)["jobs"][0]["reliability"];
  auto reseeded = failing;
  reseeded.push_back("seed=2");
  const auto c = dcsim::test::run_scenario_text(kScenario, reseeded)["jobs"][0]["reliability"];
  INFO(a.dump());
  CHECK(a["checkpoint_interval_s"].get<double>() ==
        Approx(dcsim::daly_interval_s(a["checkpoint_write_s"].get<double>(), 7200)).epsilon(1e-9));
  CHECK(a["failures"].get<int>() > 0);
  CHECK(a["lost_work_s"].get<double>() > 0);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("reliability: bad failure and checkpoint settings are one-line errors naming the key")
{
  auto error_of = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_error(kScenario, overrides);
  };
  CHECK_THAT(error_of({"cluster.storage.servers=0"}), Catch::Contains("cluster.storage.servers"));
  CHECK_THAT(error_of({"jobs.0.checkpoint.interval=auto"}),
             Catch::Contains("jobs.0.checkpoint: interval auto (Daly's optimum) needs a failure rate"));
  CHECK_THAT(error_of({"failures.node_mtbf=0"}), Catch::Contains("failures.node_mtbf: \"0\" is zero"));
  CHECK_THAT(error_of({"failures.mtbf=3d"}), Catch::Contains("node_mtbf"));
  CHECK_THAT(error_of({"jobs.0.checkpoint.interval=10GB"}), Catch::Contains("jobs.0.checkpoint.interval"));
  // An interval past the simulated clock's range is no interval (found by fuzzing, seed 12501).
  CHECK_THAT(error_of({"jobs.0.checkpoint.interval=1e30"}),
             Catch::Contains("jobs.0.checkpoint.interval: \"1e30\" is more than 10 years"));
  CHECK_THAT(error_of({"failures.node_mtbf=1s", "failures.restart=1h"}),
             Catch::Contains("jobs.0.gpus: on 1 nodes fails every 1 s on average (failures.node_mtbf / nodes) but "
                             "restarts take 1 h, so it would almost never run again"));
}

TEST_CASE("reliability: a job that cannot get past its failures stops the run with a message, not a hang")
{
  // Restarts of 6 mean times between failures, no checkpoints: e^6 attempts per success, and a
  // year of training to redo each time.
  const std::string scenario = dcsim::test::temp_dir() + "/give-up.yaml";
  std::ofstream(scenario) << kScenario;
  const std::string json = dcsim::test::temp_dir() + "/give-up.json";
  const auto r = dcsim::test::run_cli("run " + scenario +
                                      " --set failures.node_mtbf=10min --set failures.restart=1h"
                                      " --set jobs.0.checkpoint.enabled=false --set jobs.0.iterations=1000000"
                                      " --json " + json);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("dcsim: error: job small failed 1000000 times without finishing"));
  CHECK(dcsim::test::slurp(json).empty());
  // No spare node and repairs of 30 days against a failure every 10 min: the job waits for
  // repairs for good, and the message says so (found by fuzzing a fault trace: it blamed restarts).
  const auto spares = dcsim::test::run_cli("run " + scenario +
                                           " --set failures.node_mtbf=10min --set failures.spare_nodes=0"
                                           " --set failures.repair=30d --json " + json);
  CHECK(spares.status == 1);
  CHECK_THAT(spares.err, Catch::Contains("never resumed after its failure at") &&
                             Catch::Contains("with 0 spare node(s) it waited for failed nodes to come back from repair") &&
                             Catch::Contains("expected more failures.spare_nodes or shorter repairs"));
  CHECK(dcsim::test::slurp(json).empty());
}

TEST_CASE("reliability: --trace shows every checkpoint write and every restart")
{
  const std::string scenario = dcsim::test::temp_dir() + "/traced.yaml";
  std::ofstream(scenario) << kScenario;
  const std::string json = dcsim::test::temp_dir() + "/traced.json";
  const std::string trace = dcsim::test::temp_dir() + "/traced.trace.json";
  const auto r = dcsim::test::run_cli("run " + scenario + " --quiet --set failures.node_mtbf=2h --set jobs.0.iterations=2000000" +
                                      " --json " + json + " --trace " + trace);
  REQUIRE(r.status == 0);
  const auto result = nlohmann::json::parse(dcsim::test::slurp(json))["jobs"][0]["reliability"];
  int writes = 0, restarts = 0;
  const auto events = nlohmann::json::parse(dcsim::test::slurp(trace));
  for (const auto& e : events["traceEvents"]) {
    const std::string name = e["name"];
    writes += name == "checkpoint write";
    restarts += name.rfind("failure", 0) == 0;
  }
  CHECK(writes == result["checkpoints"].get<int>());
  CHECK(restarts > 0);
  CHECK(restarts <= result["failures"].get<int>()); // a failure during a restart extends that restart
}

namespace {

/// Fault start times (s) of the StepFun trace, by server index in order of first appearance;
/// `classes` (if given) receives each fault's class (fault_type.Class).
std::vector<std::pair<double, int>> stepfun_faults(double& span_s, std::vector<std::string>* classes = nullptr)
{
  const auto events = nlohmann::json::parse(dcsim::test::slurp(dcsim::test::reference_path("traces/stepfun_node_faults.json")));
  std::map<std::string, int> servers;
  std::vector<std::pair<double, int>> faults;
  span_s = 0;
  for (const auto& e : events) {
    const double t = e["event_time"].get<double>() * 86400;
    span_s = std::max(span_s, t);
    if (e["event_type"] != "fault_start")
      continue;
    faults.push_back({t, servers.emplace(e["node_id"].get<std::string>(), static_cast<int>(servers.size())).first->second});
    if (classes)
      classes->push_back(e["fault_type"]["Class"].get<std::string>());
  }
  return faults;
}

const char* kTraceScenario = R"(
name: fault-trace
cluster:
  nodes: 800
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}
  fabric: {topology: fat-tree, tiers: 2}
  storage: {servers: 16, bandwidth_per_server: 25GB/s}
failures: {trace: ../shared/reference/traces/stepfun_node_faults.json, trace_servers: 400, restart: 10min}
jobs:
  - name: big
    gpus: 6400
    model: {hidden: 2048, layers: 24, heads: 16, seq_len: 2048, vocab: 51200}
    parallelism: {tensor: 8, data: 800}
    batch: {global: 6400, micro: 1}
    iterations: 4000000
    checkpoint: {interval: auto}
)";

} // namespace

TEST_CASE("reliability: a fault trace is replayed on the job's nodes: every fault before the job ends, none drawn")
{
  // 800 nodes over a 400-server trace: nodes 0-399 live the trace as it was, nodes 400-799 the
  // same trace shifted by half its span (wrapped), so the job meets each of those faults once.
  double span = 0;
  std::vector<std::string> classes;
  const auto faults = stepfun_faults(span, &classes);
  const auto job = dcsim::test::run_scenario_text(kTraceScenario)["jobs"][0];
  const double end = job["end_time_s"].get<double>();
  int expected = 0;
  std::map<std::string, int> expected_by_class; // each failure is reported under its fault's class
  for (size_t i = 0; i < faults.size(); ++i) {
    const double t = faults[i].first;
    const int lived = (t < end ? 1 : 0) + (std::fmod(t + span / 2, span) < end ? 1 : 0);
    expected += lived;
    expected_by_class[classes[i]] += lived;
  }
  const auto& r = job["reliability"];
  INFO("ran " << end / 86400 << " days; " << r.dump() << "\n" << job["failures_by_cause"].dump());
  CHECK(r["failures"].get<int>() == expected);
  CHECK(expected > 20);
  // The trace's 21 classes, every one listed (its two "Other Failures", hardware and software, are one).
  CHECK(job["failures_by_cause"].size() == 21);
  double restarts = 0;
  for (const auto& c : job["failures_by_cause"]) {
    CHECK(c["failures"].get<int>() == expected_by_class[c["cause"].get<std::string>()]);
    restarts += c["restart_time_s"].get<double>();
  }
  CHECK(restarts == Approx(r["restart_time_s"].get<double>()).epsilon(1e-9));
  // The job's rate: the fleet's node MTBF (400 servers x 349 days / 584 faults) over its 800 nodes.
  CHECK(r["mtbi_s"].get<double>() == Approx(400 * span / faults.size() / 800).epsilon(1e-9));
  // The job covers the whole fleet, so where the seed puts each trace server does not matter:
  // the same failures for every seed.
  const auto reseeded = dcsim::test::run_scenario_text(kTraceScenario, {"seed=7"})["jobs"][0];
  CHECK(reseeded["reliability"] == r);
}

TEST_CASE("reliability: bad fault traces are one-line errors naming the key")
{
  auto errors = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_error(kTraceScenario, overrides);
  };
  CHECK(errors({"failures.node_mtbf=100h"}).find("failures.node_mtbf: and trace are both given") != std::string::npos);
  CHECK(errors({"failures.causes=[{name: gpu, per: gpu, mtbf: 1000h}]"}).find("failures.causes: and trace are both given") !=
        std::string::npos);
  CHECK(errors({"failures.trace_servers=100"}).find("names 231 faulty servers but trace_servers is 100") !=
        std::string::npos);
  CHECK(errors({"failures.trace=/nonexistent.json"}).find("failures.trace: cannot read") != std::string::npos);
}

TEST_CASE("reliability: a fault trace reaches a 128-node job at the fleet's rate, over placements (8 seeds), within 10%")
{
  // 128 of the trace's 400 server slots, for about the trace's 349 days. The mean over seeds must
  // be the job's Poisson mean (nodes x time / node MTBF): where faulty servers sit is unbiased.
  const std::vector<std::string> job128 = {"cluster.nodes=128", "jobs.0.gpus=1024", "jobs.0.parallelism.data=128",
                                           "jobs.0.batch.global=1024", "jobs.0.iterations=60000000",
                                           "jobs.0.checkpoint.interval=1h"};
  double failures = 0, expected = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    auto overrides = job128;
    overrides.push_back("seed=" + std::to_string(seed));
    const auto job = dcsim::test::run_scenario_text(kTraceScenario, overrides)["jobs"][0];
    failures += job["reliability"]["failures"].get<double>() / 8;
    expected += elapsed_s(job) / job["reliability"]["mtbi_s"].get<double>() / 8;
  }
  INFO("mean failures " << failures << ", Poisson mean " << expected);
  CHECK(failures == Approx(expected).epsilon(0.10));
}

TEST_CASE("reliability: a fault trace's misspelt event or an event past 10 years is an error naming the event")
{
  // Both used to run: a misspelt fault_start dropped its fault unseen, an event_time of 1e300
  // days made the trace's span (its wrap-around period) 8.6e304 s.
  const auto error_for = [](const std::string& events) {
    const std::string path = dcsim::test::temp_dir() + "/faults.json";
    std::ofstream(path) << events;
    std::string text = kTraceScenario;
    text.replace(text.find("../shared/reference/traces/stepfun_node_faults.json"),
                 std::string("../shared/reference/traces/stepfun_node_faults.json").size(), path);
    return dcsim::test::load_error(text);
  };
  CHECK_THAT(error_for(R"([{"node_id": "a", "event_time": 1, "event_type": "fault_strat"}])"),
             Catch::Contains("event 0: event_type \"fault_strat\" is not a fault event; expected fault_start or fault_end"));
  CHECK_THAT(error_for(R"([{"node_id": "a", "event_time": 1, "event_type": "fault_start"},
                           {"node_id": "a", "event_time": 1e300, "event_type": "fault_end"}])"),
             Catch::Contains("event 1: event_time is more than 10 years"));
  CHECK(error_for(R"([{"node_id": "a", "event_time": 1, "event_type": "fault_start"},
                      {"node_id": "a", "event_time": 2, "event_type": "fault_end"}])") == "");
}

TEST_CASE("reliability: two jobs in lockstep, one stopping to checkpoint, fast-forward to the ends of every iteration")
{
  // Two identical Llama 3 8B jobs (16 GPUs each, 2:1 fabric) start together, so their gradient
  // bursts meet on the uplinks (4.401 s an iteration). A checkpoint write stops one of them for
  // 1.1 s while the other trains on: afterwards their bursts meet at another phase (alone on the
  // uplinks, 4.369 s). Fast-forwarding used to keep skipping at the lockstep pace after the write
  // (+0.15% and +0.16% at the end); now every job re-measures after another job's write (+0.02%,
  // +0.03%: within the steady-state tolerance of 1e-3).
  const std::string scenario = "seed: 1\n"
                               "cluster:\n"
                               "  nodes: 16\n"
                               "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 2us},"
                               " nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}}\n"
                               "  fabric: {topology: fat-tree, tiers: 2, oversubscription: 2}\n"
                               "  storage: {servers: 4, bandwidth_per_server: 25GB/s}\n"
                               "jobs:\n"
                               "  - {name: a, gpus: 16, model: " + dcsim::test::repo_path("models/llama3-8b.yaml") +
                               ", parallelism: {tensor: 2, data: 8, zero: 1}, batch: {global: 64, micro: 1},"
                               " iterations: 1500, checkpoint: {interval: 10min}}\n"
                               "  - {name: b, gpus: 16, model: " + dcsim::test::repo_path("models/llama3-8b.yaml") +
                               ", parallelism: {tensor: 2, data: 8, zero: 1}, batch: {global: 64, micro: 1},"
                               " iterations: 1500, checkpoint: {interval: 13min}}\n";
  const auto fast = dcsim::test::run_config(dcsim::test::load_text(scenario), true)["jobs"];
  const auto every = dcsim::test::run_config(dcsim::test::load_text(scenario), false)["jobs"];
  for (int j = 0; j < 2; ++j) {
    const double skipped = fast[j]["end_time_s"].get<double>(), simulated = every[j]["end_time_s"].get<double>();
    INFO("job " << j << ": fast-forwarded " << skipped << " s (" << fast[j]["simulated_iterations"].get<int>()
                << " iterations simulated), every iteration " << simulated << " s");
    CHECK(skipped == Approx(simulated).epsilon(1e-3)); // the steady-state tolerance
    CHECK(fast[j]["simulated_iterations"].get<int>() < 200); // of 1,500: a few after each write
  }
}
