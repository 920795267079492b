// Spare nodes (`failures.spare_nodes`, engine/spare_pool.hpp): a failed node goes to repair and a
// spare takes its place; with none free the job waits for the first node back. Worked by hand,
// against the M/G/infinity repair queue's Poisson law, and in the engine with repairs drawn from
// `repair` or read from a fault trace's fault_end events.
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include "engine/spare_pool.hpp"
#include "random/seeded.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <string>

namespace {

/// One server's faults on days 1, 2 and 3, ending 0.1, 0.05 and 0.5 days later; and the
/// --set that makes the one-node job train for 3 days (the trace repeats only after its end).
std::string repairs_trace(const std::string& name)
{
  const std::string trace = dcsim::test::temp_dir() + "/" + name;
  std::ofstream(trace) << R"([
    {"node_id": "a", "event_time": 1.0, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 1.1, "event_type": "fault_end"},
    {"node_id": "a", "event_time": 2.0, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 2.05, "event_type": "fault_end"},
    {"node_id": "a", "event_time": 3.0, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 3.5, "event_type": "fault_end"}])";
  return trace;
}

std::string three_days_of_training()
{
  const auto iteration = dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints)["jobs"][0]["iteration_time_s"]
                             .get<double>();
  return "jobs.0.iterations=" + std::to_string(static_cast<long long>(3 * 86400 / iteration));
}

} // namespace

TEST_CASE("spare pool: replacements and waits worked by hand")
{
  dcsim::SparePool one(1);
  CHECK(one.replace(0, 100) == 0);     // the spare; node 0 back at 100
  CHECK(one.replace(10, 100) == 100);  // none free: the first node back, at 100 (node 1 back at 110)
  CHECK(one.replace(150, 100) == 150); // node 1 returned at 110
  CHECK(one.replace(160, 5) == 165);   // none free: its own node, back at 165, beats 250
  CHECK(one.stats().replacements == 4);
  CHECK(one.stats().waits == 2);
  CHECK(one.stats().wait_s == Approx(95).epsilon(1e-12));
  CHECK(one.stats().max_wait_s == Approx(90).epsilon(1e-12));
  dcsim::SparePool none(0); // every failed node waits for its own repair
  CHECK(none.replace(0, 100) == 100);
  CHECK(none.replace(50, 10) == 60);
  dcsim::SparePool unlimited(-1);
  CHECK(unlimited.replace(5, 1e9) == 5);
}

TEST_CASE("spare pool: the share of failures that wait is P(Poisson(lambda R) >= spares), within 4 sigma")
{
  // Failures arrive as a Poisson process (rate 1/1000 s), each node repaired in 500 s: the nodes
  // in repair form an M/G/infinity queue, Poisson with mean 0.5 at any arrival (PASTA), and a
  // failure waits when at least `spares` of them are.
  for (int spares : {1, 2}) {
    dcsim::SparePool pool(spares);
    std::mt19937_64 rng = dcsim::seeded_engine(7, static_cast<std::uint64_t>(spares));
    const int n = 200000;
    double t = 0;
    for (int i = 0; i < n; ++i) {
      t -= 1000 * std::log1p(-dcsim::uniform01(rng));
      pool.replace(t, 500);
    }
    const double p = spares == 1 ? 1 - std::exp(-0.5) : 1 - std::exp(-0.5) * 1.5;
    INFO(spares << " spares: " << pool.stats().waits << " of " << n << " waited, expected " << p * n);
    CHECK(std::fabs(pool.stats().waits - p * n) < 4 * std::sqrt(n * p * (1 - p)));
  }
}

TEST_CASE("spare pool: with no spares each failure waits for its node's repair, in the engine")
{
  // One node failing every 20,000 s, repaired in 500 s, restarts of 10 s: every failure waits
  // exactly 500 s for its node (the only one in repair). The job's own wait is the union of
  // those: a failure during a wait extends it to that node's repair, not by 500 s more.
  const auto job = dcsim::test::run_scenario_text(
      dcsim::test::kOneNodeCheckpoints,
      {"failures={node_mtbf: 20000s, restart: 10s, repair: 500s, spare_nodes: 0}", "jobs.0.iterations=10000000"});
  const auto& r = job["jobs"][0]["reliability"];
  INFO(r.dump() << "\n" << job["spares"].dump());
  CHECK(r["failures"].get<int>() >= 5);
  CHECK(job["spares"]["waits"] == r["failures"]);
  CHECK(job["spares"]["wait_s"].get<double>() == Approx(500.0 * r["failures"].get<int>()).epsilon(1e-12));
  CHECK(r["spare_wait_s"].get<double>() <= job["spares"]["wait_s"].get<double>() * (1 + 1e-12));
  CHECK(r["spare_wait_s"].get<double>() >= 0.9 * job["spares"]["wait_s"].get<double>());
  // Each restart is the wait, then 10 s, then the 10 s read (less what later failures cut short).
  CHECK(r["restart_time_s"].get<double>() >= r["spare_wait_s"].get<double>());
  // Unlimited spares (the default): nothing waits.
  const auto plenty = dcsim::test::run_scenario_text(
      dcsim::test::kOneNodeCheckpoints,
      {"failures={node_mtbf: 20000s, restart: 10s, repair: 500s}", "jobs.0.iterations=10000000"});
  CHECK(plenty["jobs"][0]["reliability"]["spare_wait_s"].get<double>() == 0);
  CHECK(!plenty.contains("spares"));
}

TEST_CASE("spare pool: a fault trace's repairs are its fault_end times")
{
  // One server, faults on days 1, 2 and 3 ending 0.1, 0.05 and 0.5 days later; a job on it for
  // 3 days of training with no spares waits 0.65 days for them (the trace repeats only at 3.5 +
  // 1 days, after the job's end).
  const std::string trace = repairs_trace("repairs.json");
  const auto job = dcsim::test::run_scenario_text(
      dcsim::test::kOneNodeCheckpoints,
      {"failures={trace: " + trace + ", trace_servers: 1, restart: 10s, spare_nodes: 0}", three_days_of_training()})["jobs"][0];
  const auto& r = job["reliability"];
  INFO(r.dump());
  CHECK(r["failures"].get<int>() == 3);
  CHECK(r["spare_wait_s"].get<double>() == Approx(0.65 * 86400).epsilon(1e-9));
}

TEST_CASE("failure detection: a failure noticed later hangs the job that long, and only then takes a spare")
{
  // The three faults above, noticed 600 s after they strike (`failures.detect`): the job is down
  // 600 s longer each time (detection_time_s 1,800 s, restart_time_s 1,800 s more), and each
  // failed node goes to repair when the failure is noticed, so with no spares the job still
  // waits exactly its repair (0.65 days in all; asked at the failure, it would wait 1,800 s less).
  const std::string trace = repairs_trace("repairs_detect.json");
  const std::string iterations = three_days_of_training();
  const auto run = [&](const std::string& detect) {
    return dcsim::test::run_scenario_text(
        dcsim::test::kOneNodeCheckpoints,
        {"failures={trace: " + trace + ", trace_servers: 1, restart: 10s, spare_nodes: 0" + detect + "}",
         iterations})["jobs"][0]["reliability"];
  };
  const auto at_once = run(""), noticed = run(", detect: 600s");
  INFO(at_once.dump() << "\n" << noticed.dump());
  CHECK(noticed["failures"] == 3);
  CHECK(at_once["detection_time_s"].get<double>() == 0);
  CHECK(noticed["detection_time_s"].get<double>() == Approx(1800).epsilon(1e-9));
  CHECK(noticed["restart_time_s"].get<double>() ==
        Approx(at_once["restart_time_s"].get<double>() + 1800).epsilon(1e-9));
  CHECK(noticed["spare_wait_s"].get<double>() == Approx(0.65 * 86400).epsilon(1e-9));
}

TEST_CASE("failure detection: each cause's time to be noticed, failures.detect by default; counted in the restart")
{
  const auto config = dcsim::test::load_text(
      dcsim::test::kOneNodeCheckpoints,
      {"failures={detect: 2min, restart: 5min, causes: [{name: crash, per: gpu, mtbf: 1000h}, "
       "{name: hang, per: job, mtbf: 100h, detect: 30min}]}"});
  REQUIRE(config.failures.causes.size() == 2);
  CHECK(config.failures.causes[0].detect_s == 120);
  CHECK(config.failures.causes[1].detect_s == 1800);
  // A failure costs its detection and its restart: the mean the checks use is weighted by rate.
  const dcsim::FailureExtent extent{8, 1, 1};
  const double crash = 8 / (1000 * 3600.0), hang = 1 / (100 * 3600.0);
  CHECK(config.failures.mean_restart_s(extent) ==
        Approx((crash * (120 + 300) + hang * (1800 + 300)) / (crash + hang)).epsilon(1e-12));
  CHECK(dcsim::test::load_error(dcsim::test::kOneNodeCheckpoints, {"failures={node_mtbf: 1000h, detect: -1s}"})
            .find("failures.detect") != std::string::npos);
}

TEST_CASE("spare pool: bad settings are one-line errors naming the key")
{
  const auto error = [](const std::string& failures) {
    return dcsim::test::load_error(dcsim::test::kOneNodeCheckpoints, {"failures=" + failures});
  };
  CHECK_THAT(error("{node_mtbf: 1000h, spare_nodes: 2}"),
             Catch::Contains("failures.spare_nodes: is given but no GPU or node failure takes time to repair"));
  CHECK_THAT(error("{node_mtbf: 1000h, repair: 1d, spare_nodes: -1}"), Catch::Contains("failures.spare_nodes"));
  CHECK_THAT(error("{node_mtbf: 1000h, repair: -1d, spare_nodes: 1}"), Catch::Contains("failures.repair"));
  CHECK_THAT(error("{causes: [{name: s, per: switch, mtbf: 1h, repair: 1d}], spare_nodes: 1}"),
             Catch::Contains("failures.spare_nodes: is given but no GPU or node failure"));
  CHECK(error("{causes: [{name: g, per: gpu, mtbf: 1000h, repair: 1d}], spare_nodes: 1}").empty());
}
