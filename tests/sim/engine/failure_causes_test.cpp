// Failures by cause (`failures.causes`, engine/failure_clock.hpp): each cause fails per instance
// of its scope (GPU, node, network switch, job), so a job's rate is the sum over causes of the
// instances it spans over their MTBFs; each failure's cause is drawn in proportion to its rate,
// restarts for that cause's time and is reported under it.
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include "engine/failure_clock.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace {

// The checkpoint tests' node (one 8-GPU node with one NIC, so one leaf switch; a 1 GB/s storage
// server), a 1 GB checkpoint every minute (writes and reads of 1 s), and four causes. Rates per
// second: GPUs 8/8000, node 1/1000, switch 1/2000, job 1/2000 -- together one failure every
// 333.3 s, shares 1/3, 1/3, 1/6, 1/6.
const char* kCauses = dcsim::test::kOneNodeCheckpoints;
const std::vector<std::string> kCauseOverrides = {
    "failures={restart: 1s, causes: [{name: gpu, per: gpu, mtbf: 8000s, restart: 2s}, "
    "{name: host, per: node, mtbf: 1000s}, {name: leaf, per: switch, mtbf: 2000s, restart: 5s}, "
    "{name: software, per: job, mtbf: 2000s, restart: 0.5s}]}",
    "jobs.0.iterations=25000000", "jobs.0.checkpoint={interval: 60s, size: 1GB}"};

/// The causes scenario with `more` overrides after its own.
nlohmann::json run_causes(std::vector<std::string> more = {})
{
  std::vector<std::string> all = kCauseOverrides;
  all.insert(all.end(), more.begin(), more.end());
  return dcsim::test::run_scenario_text(kCauses, all);
}

const nlohmann::json& cause(const nlohmann::json& job, const std::string& name)
{
  for (const auto& c : job["failures_by_cause"])
    if (c["cause"] == name)
      return c;
  FAIL("no cause " << name);
  return job;
}

} // namespace

TEST_CASE("failure causes: each instance's failures form a Poisson process (mean gap, variance; seeking)")
{
  // One instance, mean 10 s between failures, 200,000 of them: the mean gap within 1% and its
  // coefficient of variation (1 for exponential gaps) within 2%.
  dcsim::FailureConfig failures;
  failures.causes = {{"a", dcsim::FailureScope::Node, 10.0, 0.0}};
  dcsim::FailureClock clock(10.0, failures, {{0, 5}}, 3);
  const int n = 200000;
  double last = 0, sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double gap = clock.pending() - last;
    last = clock.pending();
    sum += gap;
    sum2 += gap * gap;
    clock.consume();
  }
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  CHECK(mean == Approx(10.0).epsilon(0.01));
  CHECK(sd / mean == Approx(1.0).epsilon(0.02));
  // Seeking to a later moment gives the same failures as living through to it.
  dcsim::FailureClock lived(10.0, failures, {{0, 5}}, 3), sought(10.0, failures, {{0, 5}}, 3);
  while (lived.pending() < 12345.6)
    lived.consume();
  CHECK(sought.next_after(12345.6) == lived.pending());
  for (int i = 0; i < 100; ++i) {
    lived.consume();
    sought.consume();
    CHECK(sought.pending() == lived.pending());
  }
}

TEST_CASE("failure causes: 100,000 failures over three causes give each its share (4 sigma) at the summed rate (1%)")
{
  dcsim::FailureConfig failures;
  failures.causes = {{"a", dcsim::FailureScope::Gpu, 16.0, 0.0},  // 8 GPUs: 0.5 per s
                     {"b", dcsim::FailureScope::Node, 1 / 0.3, 0.0}, // one node: 0.3
                     {"c", dcsim::FailureScope::Job, 5.0, 0.0}};     // 0.2
  const auto instances = dcsim::failure_instances(failures, {0, 1, 2, 3, 4, 5, 6, 7}, {0}, {}, 0);
  CHECK(instances.size() == 10);
  dcsim::FailureClock clock(1.0, failures, instances, 3);
  std::vector<int> counts(3, 0);
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    ++counts[clock.pending_cause()];
    clock.consume();
  }
  CHECK(clock.pending() / (n + 1) == Approx(1.0).epsilon(0.01));
  const std::vector<double> shares = {0.5, 0.3, 0.2};
  for (size_t c = 0; c < shares.size(); ++c) {
    INFO("cause " << c << ": " << counts[c] << " of " << n);
    CHECK(std::fabs(counts[c] - n * shares[c]) < 4 * std::sqrt(n * shares[c] * (1 - shares[c])));
  }
}

TEST_CASE("failure causes: one instance fails at the same moments in every job that spans it")
{
  // Two clocks share node 3 (and nothing else): every failure of node 3 strikes both; the
  // others are each one's own. Another seed moves them.
  dcsim::FailureConfig failures;
  failures.causes = {{"node", dcsim::FailureScope::Node, 100.0, 0.0}};
  const auto a = dcsim::failure_instances(failures, {}, {1, 2, 3}, {}, 0);
  const auto b = dcsim::failure_instances(failures, {}, {3, 4}, {}, 1);
  const auto only3 = dcsim::failure_instances(failures, {}, {3}, {}, 2);
  dcsim::FailureClock ca(100.0 / 3, failures, a, 9), cb(50.0, failures, b, 9), c3(100.0, failures, only3, 9);
  std::vector<double> shared;
  for (int i = 0; i < 50; ++i) {
    shared.push_back(c3.pending());
    c3.consume();
  }
  const auto lives = [](dcsim::FailureClock& clock, double until) {
    std::vector<double> times;
    for (; clock.pending() <= until; clock.consume())
      times.push_back(clock.pending());
    return times;
  };
  const std::vector<double> ta = lives(ca, shared.back()), tb = lives(cb, shared.back());
  for (double t : shared) {
    CHECK(std::count(ta.begin(), ta.end(), t) == 1);
    CHECK(std::count(tb.begin(), tb.end(), t) == 1);
  }
  CHECK(ta.size() > 2 * shared.size()); // nodes 1 and 2 fail too
  dcsim::FailureClock other_seed(100.0, failures, only3, 10);
  CHECK(other_seed.pending() != shared.front());
}

TEST_CASE("failure causes: a job's rate sums its causes' instances over their MTBFs; each failure restarts for its "
          "cause's time and is charged to it")
{
  const auto job = run_causes()["jobs"][0];
  const auto& r = job["reliability"];
  INFO(r.dump() << "\n" << job["failures_by_cause"].dump());
  CHECK(r["mtbi_s"].get<double>() == Approx(1 / (8 / 8000.0 + 1 / 1000.0 + 1 / 2000.0 + 1 / 2000.0)).epsilon(1e-12));
  // Shares of the failures (4 sigma), and the parts adding up to the job's totals (1e-9).
  const int failures = r["failures"].get<int>();
  CHECK(failures > 2000);
  const std::vector<std::pair<std::string, double>> shares = {
      {"gpu", 1.0 / 3}, {"host", 1.0 / 3}, {"leaf", 1.0 / 6}, {"software", 1.0 / 6}};
  int counted = 0;
  double restarts = 0, lost = 0;
  for (const auto& [name, share] : shares) {
    const auto& c = cause(job, name);
    counted += c["failures"].get<int>();
    restarts += c["restart_time_s"].get<double>();
    lost += c["lost_work_s"].get<double>();
    CHECK(std::fabs(c["failures"].get<int>() - failures * share) < 4 * std::sqrt(failures * share * (1 - share)));
  }
  CHECK(counted == failures);
  CHECK(restarts == Approx(r["restart_time_s"].get<double>()).epsilon(1e-9));
  CHECK(lost == Approx(r["lost_work_s"].get<double>()).epsilon(1e-9));
  CHECK(cause(job, "leaf")["per"] == "switch");
  // Each failure: its cause's restart, then the 1 s checkpoint read. A failure striking during a
  // restart cuts it short (charged up to the strike), so a cause's restart time is at most
  // failures x (restart + read), and within 3% of it at these rates (one failure every 333 s).
  for (const auto& [name, restart] : std::vector<std::pair<std::string, double>>{
           {"gpu", 2.0}, {"host", 1.0}, {"leaf", 5.0}, {"software", 0.5}}) {
    const auto& c = cause(job, name);
    const double full = c["failures"].get<int>() * (restart + 1.0);
    CHECK(c["restart_time_s"].get<double>() <= full * (1 + 1e-9));
    CHECK(c["restart_time_s"].get<double>() >= 0.97 * full);
  }
}

TEST_CASE("failure causes: node_mtbf alone is the cause \"node\": the same run as writing it as one")
{
  const std::vector<std::string> node_only = {"failures={node_mtbf: 1000s, restart: 1s}"};
  const std::vector<std::string> as_cause = {"failures={restart: 1s, causes: [{name: node, per: node, mtbf: 1000s}]}"};
  const auto a = run_causes(node_only)["jobs"][0];
  const auto b = run_causes(as_cause)["jobs"][0];
  CHECK(a["reliability"] == b["reliability"]);
  CHECK(a["failures_by_cause"] == b["failures_by_cause"]);
  CHECK(a["failures_by_cause"].size() == 1);
  CHECK(a["failures_by_cause"][0]["failures"] == a["reliability"]["failures"]);
  // node_mtbf beside causes is one cause more.
  const auto both = run_causes({"failures={node_mtbf: 1000s, causes: [{name: gpu, per: gpu, mtbf: 8000s}]}"})["jobs"][0];
  CHECK(both["reliability"]["mtbi_s"].get<double>() == Approx(500.0).epsilon(1e-12));
  CHECK(both["failures_by_cause"].size() == 2);
}

TEST_CASE("failure causes: a switch failure counts the switches the job's NICs are cabled to")
{
  // Two nodes of 8 NICs on fat-tree leaves of 4 down-ports: each node spans 2 leaves, both 4.
  // Rail-optimized: one leaf per rail, so both nodes of the rail group span the 8 rails' leaves.
  const std::string base = R"(
name: switch-scope
cluster:
  nodes: 2
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}
  fabric: {topology: fat-tree, radix: 8}
failures: {causes: [{name: leaf, per: switch, mtbf: 1000h}]}
jobs:
  - {name: one, gpus: 8, model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000},
     parallelism: {data: 8}, batch: {global: 8}}
  - {name: two, gpus: 8, model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000},
     parallelism: {data: 8}, batch: {global: 8}}
)";
  const auto fat = dcsim::test::run_scenario_text(base);
  CHECK(fat["jobs"][0]["reliability"]["mtbi_s"].get<double>() == Approx(1000.0 * 3600 / 2).epsilon(1e-12));
  const auto whole = dcsim::test::run_scenario_text(
      base, {"jobs=[{name: all, gpus: 16, model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}, "
             "parallelism: {data: 16}, batch: {global: 16}}]"});
  CHECK(whole["jobs"][0]["reliability"]["mtbi_s"].get<double>() == Approx(1000.0 * 3600 / 4).epsilon(1e-12));
  const auto rail = dcsim::test::run_scenario_text(
      base, {"cluster.fabric={topology: rail-optimized, rail_group: 2}",
             "jobs=[{name: all, gpus: 16, model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}, "
             "parallelism: {data: 16}, batch: {global: 16}}]"});
  CHECK(rail["jobs"][0]["reliability"]["mtbi_s"].get<double>() == Approx(1000.0 * 3600 / 8).epsilon(1e-12));
}

TEST_CASE("failure causes: the trace's jobs fail by cause too, each at its share, restarting for its time")
{
  // 4,000 one-GPU jobs of 1,000 s on a 64-node cluster; two causes per GPU, together one failure
  // every 2,000 s per job, both restarting in 100 s: the mean run (completion less wait) is the
  // single-cause formula's, (1 - e^(-D/M)) e^((R+D)/M) M = 1,363.96 s, and the causes split the failures 3:1.
  std::string rows = "submit_time_s,duration_s,gpus\n";
  for (int i = 0; i < 4000; ++i)
    rows += std::to_string(i) + ",1000,1\n";
  const std::string trace = dcsim::test::temp_dir() + "/causes_trace.csv";
  std::ofstream(trace) << rows;
  const std::string scenario = R"(
name: trace-causes
cluster:
  nodes: 64
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}
failures:
  restart: 100s
  causes: [{name: gpu, per: gpu, mtbf: 8000s, restart: 100s}, {name: software, per: job, mtbf: 2666.6667s}]
scheduler: {policy: first_fit, trace: )" + trace + "}\n";
  const auto result = dcsim::test::run_scenario_text(scenario);
  const auto& s = result["scheduler"];
  INFO(s.dump());
  const double m = 2000, d = 1000, r = 100;
  const double run_s = s["mean_jct_s"].get<double>() - s["mean_queue_s"].get<double>();
  CHECK(run_s == Approx((1 - std::exp(-d / m)) * std::exp((r + d) / m) * m).epsilon(0.04));
  const int failures = s["trace_failures"].get<int>();
  REQUIRE(s["trace_failures_by_cause"].size() == 2);
  const int gpu = s["trace_failures_by_cause"][0]["failures"].get<int>();
  CHECK(s["trace_failures_by_cause"][0]["cause"] == "gpu");
  CHECK(gpu + s["trace_failures_by_cause"][1]["failures"].get<int>() == failures);
  CHECK(std::fabs(gpu - failures * 0.25) < 4 * std::sqrt(failures * 0.25 * 0.75));
}

TEST_CASE("failure causes: bad causes are one-line errors naming the key")
{
  const auto error = [](const std::string& failures) {
    std::vector<std::string> overrides = kCauseOverrides;
    overrides.push_back("failures=" + failures);
    return dcsim::test::load_error(kCauses, overrides);
  };
  CHECK_THAT(error("{causes: gpu}"), Catch::Contains("failures.causes: is not a list; expected a list of {name, per"));
  CHECK_THAT(error("{causes: []}"), Catch::Contains("failures.causes: is empty"));
  CHECK_THAT(error("{causes: [{name: a, per: rack, mtbf: 1h}]}"), Catch::Contains("failures.causes.0.per"));
  CHECK_THAT(error("{causes: [{name: a, per: rack, mtbf: 1h}]}"), Catch::Contains("switch"));
  CHECK_THAT(error("{causes: [{name: a, per: gpu}]}"), Catch::Contains("failures.causes.0.mtbf"));
  CHECK_THAT(error("{causes: [{name: a, per: gpu, mtbf: 1h, restart: 1 parsec}]}"),
             Catch::Contains("failures.causes.0.restart"));
  CHECK_THAT(error("{causes: [{name: a, per: gpu, mtbf: 1h}, {name: a, per: node, mtbf: 1h}]}"),
             Catch::Contains("failures.causes.1.name: \"a\" is already a cause"));
  CHECK_THAT(error("{node_mtbf: 10h, causes: [{name: node, per: gpu, mtbf: 1h}]}"),
             Catch::Contains("(node_mtbf's)"));
  CHECK_THAT(error("{causes: [{name: a, per: gpu, mtbf: 1h, typo: 1}]}"), Catch::Contains("failures.causes.0.typo"));
  // A job that would almost never get past its restarts, from its causes' mean restart.
  CHECK_THAT(error("{causes: [{name: a, per: gpu, mtbf: 80s, restart: 1h}]}"),
             Catch::Contains("(failures.causes) but restarts take 1 h"));
}

TEST_CASE("failure causes: two jobs on one node lose it at the same moments")
{
  // Two identical 4-GPU jobs on one 8-GPU node: a node cause strikes both at once (the same
  // failures, restarts and end), while GPU causes are each job's own GPUs' (different draws).
  const std::string two_jobs = R"(
name: shared-node
cluster:
  nodes: 1
  node: {gpu: A100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 300GB/s}, nics: {count: 1, bandwidth: 200Gb/s}}
  storage: {servers: 1, bandwidth_per_server: 10GB/s}
failures: {restart: 5s, causes: [{name: node, per: node, mtbf: 2000s}]}
jobs:
  - {name: a, gpus: 4, model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000},
     parallelism: {data: 4}, batch: {global: 32, micro: 8}, iterations: 300000, checkpoint: {interval: 60s, size: 1GB}}
  - {name: b, gpus: 4, model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000},
     parallelism: {data: 4}, batch: {global: 32, micro: 8}, iterations: 300000, checkpoint: {interval: 60s, size: 1GB}}
)";
  const auto node = dcsim::test::run_scenario_text(two_jobs)["jobs"];
  INFO(node[0]["reliability"].dump() << "\n" << node[1]["reliability"].dump());
  CHECK(node[0]["reliability"]["failures"].get<int>() >= 5);
  CHECK(node[0]["reliability"]["failures"] == node[1]["reliability"]["failures"]);
  CHECK(node[0]["end_time_s"].get<double>() == Approx(node[1]["end_time_s"].get<double>()).epsilon(1e-9));
  const auto gpu = dcsim::test::run_scenario_text(
      two_jobs, {"failures={restart: 5s, causes: [{name: gpu, per: gpu, mtbf: 8000s}]}"})["jobs"];
  INFO(gpu[0]["reliability"].dump() << "\n" << gpu[1]["reliability"].dump());
  CHECK(gpu[0]["end_time_s"].get<double>() != gpu[1]["end_time_s"].get<double>());
}
