// Time limits (`jobs[].time_limit`, Slurm's --time, and `exit_duration`, Megatron's
// --exit-duration-in-mins; engine/job_reliability.hpp): each allocation ends at the limit, the
// work since the last checkpoint lost, or saves and exits at the exit duration; the scheduler
// requeues the job, which reads its checkpoint back. Nothing is random, so the timeline can be
// worked out iteration by iteration and compared with the engine's.
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include "engine/simulation.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// One node, checkpoints of 10 s every 60 s of training, 10 s reads; 10,000 iterations of ~39 ms.
std::vector<std::string> limited(const std::string& limit, const std::string& exit = "")
{
  std::vector<std::string> out = {"scheduler={policy: fifo}", "jobs.0.time_limit=" + limit};
  if (!exit.empty())
    out.push_back("jobs.0.exit_duration=" + exit);
  return out;
}

struct Timeline {
  double end_s = 0;
  double lost_s = 0;
  int kills = 0;
  int exits = 0;
  int checkpoints = 0;
  double failure_lost_s = 0; ///< training a failure threw away
  double restart_s = 0;      ///< from the failure to training again (restart and read), or to the kill
};

/// One failure at `at_s` (not during a write), after which the job is training again `restart_s`
/// later plus a 10 s read, unless the limit comes first.
struct OneFailure {
  double at_s = INFINITY;
  double restart_s = 0;
};

/// The job by hand: each allocation reads the checkpoint (10 s; not the first), then runs
/// iterations of `iteration_s`, writing a checkpoint (10 s) before the one that would pass 60 s
/// of training. Slurm kills it `limit_s` into the allocation (an iteration or a write under way
/// then is lost with the training since the last checkpoint); with `exit_s`, at the first
/// boundary that far in it saves (unless it just did) and exits, or is killed during that save.
/// Requeued at once (no restart).
Timeline by_hand(double iteration_s, int iterations, double limit_s, double exit_s, OneFailure failure = {})
{
  Timeline t;
  double allocated = 0;
  int committed = 0;
  for (bool first = true;; first = false) {
    double now = allocated + (first ? 0 : 10), since = 0;
    const double kill = allocated + limit_s;
    for (int done = committed;;) {
      if (done >= iterations) {
        t.end_s = now;
        return t;
      }
      if (exit_s > 0 && now >= allocated + exit_s) {
        if (since > 0 && now + 10 > kill) { // the save is cut: the same as a kill in a write
          t.lost_s += since;
          ++t.kills;
          allocated = kill;
          break;
        }
        if (since > 0) {
          now += 10;
          ++t.checkpoints;
        }
        committed = done;
        ++t.exits;
        allocated = now;
        break;
      }
      const bool write = since > 0 && since + iteration_s > 60;
      const double next = now + (write ? 10 : iteration_s);
      if (next > kill && kill < failure.at_s) {
        t.lost_s += since + (write ? 0 : kill - now);
        ++t.kills;
        allocated = kill;
        break;
      }
      if (failure.at_s < next) {
        if (write)
          throw std::logic_error("by_hand: a failure during a write is not worked out here");
        t.failure_lost_s += since + (failure.at_s - now);
        since = 0;
        done = committed;
        const double back = failure.at_s + failure.restart_s + 10; // restart, then the read
        const double stopped = std::min(back, kill);
        t.restart_s += stopped - failure.at_s;
        failure.at_s = INFINITY;
        if (kill < back) { // the restart or the read runs into the limit: killed there
          ++t.kills;
          allocated = kill;
          break;
        }
        now = back;
        continue;
      }
      now = next;
      if (write) {
        ++t.checkpoints;
        since = 0;
        committed = done;
      } else {
        since += iteration_s;
        ++done;
      }
    }
  }
}

void check_against_hand(const nlohmann::json& job, const Timeline& expected)
{
  const auto& r = job["reliability"];
  INFO(r.dump());
  CHECK(r["time_limit_kills"].get<int>() == expected.kills);
  CHECK(r["time_limit_exits"].get<int>() == expected.exits);
  CHECK(r["checkpoints"].get<int>() == expected.checkpoints);
  CHECK(r["time_limit_lost_s"].get<double>() == Approx(expected.lost_s).epsilon(1e-9));
  CHECK(job["end_time_s"].get<double>() == Approx(expected.end_s).epsilon(1e-9));
  CHECK(job["iterations"].get<int>() == 10000);
}

} // namespace

TEST_CASE("time limit: killed at the limit, requeued, resumed from the last checkpoint, as worked by hand",
          "[engine][time_limit]")
{
  const auto job = dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, limited("175s"))["jobs"][0];
  const Timeline expected = by_hand(job["iteration_time_s"].get<double>(), 10000, 175, 0);
  // Allocations keep 120 s of training each and lose the ~35 s (first) or ~25 s (later) after
  // their second checkpoint: three kills, then 31 s of training left.
  CHECK(expected.kills == 3);
  CHECK(expected.lost_s == Approx(35 + 25 + 25).margin(0.2));
  check_against_hand(job, expected);
  CHECK(job["reliability"]["lost_work_s"].get<double>() == job["reliability"]["time_limit_lost_s"].get<double>());
  CHECK(job["reliability"]["restart_time_s"].get<double>() == Approx(3 * 10.0).epsilon(1e-9)); // the reads
  // The requeued runs, on the same GPUs and alone, take the first run's two simulated iterations
  // (engine/run_memo.hpp) instead of simulating them again.
  CHECK(job["simulated_iterations"].get<int>() == 2);
}

TEST_CASE("time limit: exit_duration saves and exits before the limit, losing nothing, as worked by hand",
          "[engine][time_limit]")
{
  const auto job =
      dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, limited("180s", "165s"))["jobs"][0];
  const Timeline expected = by_hand(job["iteration_time_s"].get<double>(), 10000, 180, 165);
  CHECK(expected.exits == 2);
  CHECK(expected.kills == 0);
  check_against_hand(job, expected);
  CHECK(job["reliability"]["lost_work_s"].get<double>() == 0);
  // An exit too late to save in time is killed during its write: the stretch since the last
  // checkpoint is lost (176 s in: two periodic writes, then 16 s of training, its save cut at 180 s).
  const auto late =
      dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, limited("180s", "176s"))["jobs"][0];
  const Timeline cut = by_hand(late["iteration_time_s"].get<double>(), 10000, 180, 176);
  CHECK(cut.kills == 3);
  check_against_hand(late, cut);
}

TEST_CASE("time limit: a failure's restart or read that runs into the limit ends the run at the limit, as worked "
          "by hand",
          "[engine][time_limit]")
{
  // One fault at 150 s (the fault trace's times are in days), in the first allocation's training
  // after its 130-140 s write. A restart of 60 s would end at 210 s, one of 20 s plus the read at
  // 180 s: both past the 175 s limit, so the run ends at 175 s, 25 s of restart. One of 5 s
  // trains again from 165 s and is killed at 175 s with 10 s of training lost to the limit.
  const std::string trace = dcsim::test::temp_dir() + "/time-limit-fault.json";
  std::ofstream(trace) << R"([
    {"node_id": "a", "event_time": 0.001736111111111111, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 5.0, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 5.1, "event_type": "fault_end"}])";
  for (const double restart_s : {60.0, 20.0, 5.0}) {
    auto overrides = limited("175s");
    overrides.push_back("failures={trace: " + trace + ", trace_servers: 1, restart: " + std::to_string(restart_s) +
                        "}");
    const auto job = dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, overrides)["jobs"][0];
    const Timeline expected =
        by_hand(job["iteration_time_s"].get<double>(), 10000, 175, 0, {150.0, restart_s});
    INFO("restart " << restart_s << " s: " << job["reliability"].dump());
    check_against_hand(job, expected);
    const auto& r = job["reliability"];
    CHECK(r["failures"].get<int>() == 1);
    CHECK(r["lost_work_s"].get<double>() == Approx(expected.lost_s + expected.failure_lost_s).epsilon(1e-9));
    // The requeued allocations' reads (10 s each) are restart time too.
    const double reads_s = 10.0 * expected.kills;
    CHECK(r["restart_time_s"].get<double>() == Approx(expected.restart_s + reads_s).epsilon(1e-9));
    if (restart_s >= 20)
      CHECK(expected.restart_s == Approx(25).epsilon(1e-12));
    else
      CHECK(expected.restart_s == Approx(15).epsilon(1e-12));
  }
}

TEST_CASE("time limit: fast-forwarding gives the every-iteration run, with failures and asynchronous writes too",
          "[engine][time_limit]")
{
  for (const bool async : {false, true}) {
    auto overrides = limited("175s", async ? "" : "150s");
    overrides.push_back("failures={node_mtbf: 400s, restart: 20s}");
    overrides.push_back("jobs.0.checkpoint.async=" + std::string(async ? "true" : "false"));
    const auto config = dcsim::test::load_text(dcsim::test::kOneNodeCheckpoints, overrides);
    const auto fast = dcsim::test::run_config(config, true)["jobs"][0];
    const auto every = dcsim::test::run_config(config, false)["jobs"][0];
    INFO("async " << async << "\nfast-forwarded " << fast["reliability"].dump() << "\nevery iteration "
                  << every["reliability"].dump());
    CHECK(fast["reliability"]["time_limit_kills"].get<int>() + fast["reliability"]["time_limit_exits"].get<int>() >= 2);
    CHECK(fast["reliability"]["failures"].get<int>() >= 1);
    CHECK(fast["reliability"]["time_limit_kills"] == every["reliability"]["time_limit_kills"]);
    CHECK(fast["reliability"]["time_limit_exits"] == every["reliability"]["time_limit_exits"]);
    CHECK(fast["reliability"]["failures"] == every["reliability"]["failures"]);
    CHECK(fast["end_time_s"].get<double>() == Approx(every["end_time_s"].get<double>()).epsilon(1e-9));
  }
}

TEST_CASE("time limit: a limit no run can save within is an error, not a hang", "[engine][time_limit]")
{
  // 65 s: the first write (60-70 s) is cut every time.
  CHECK_THROWS_WITH(dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, limited("65s")),
                    Catch::Contains("job small reached its time limit without saving a checkpoint in it"));
}

TEST_CASE("time limit: bad settings are one-line errors naming the key", "[engine][time_limit][config]")
{
  const auto error = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_error(dcsim::test::kOneNodeCheckpoints, overrides);
  };
  CHECK_THAT(error({"jobs.0.time_limit=1h"}), Catch::Contains("jobs.0.time_limit") &&
                                                  Catch::Contains("expected a scheduler section"));
  CHECK_THAT(error({"scheduler={policy: fifo}", "jobs.0.time_limit=1h", "jobs.0.checkpoint=null"}),
             Catch::Contains("writes none; expected a checkpoint section"));
  CHECK_THAT(error({"scheduler={policy: fifo}", "jobs.0.exit_duration=1h"}),
             Catch::Contains("jobs.0.exit_duration") && Catch::Contains("expected time_limit beside it"));
  CHECK_THAT(error(limited("1h", "2h")), Catch::Contains("is not before the time limit"));
  // Elastic runs are killed at the limit (elastic_test.cpp); they do not exit before it.
  auto elastic = limited("1h", "50min");
  elastic.push_back("failures={node_mtbf: 400s, restart: 20s, spare_nodes: 1, repair: 1h, elastic: true}");
  CHECK_THAT(error(elastic), Catch::Contains("with exit_duration is not modelled beside failures.elastic"));
  elastic = limited("1h");
  elastic.push_back("failures={node_mtbf: 400s, restart: 20s, spare_nodes: 1, repair: 1h, elastic: true}");
  CHECK(error(elastic).empty());
  CHECK_THAT(error(limited("60s")), Catch::Contains("is not longer than the checkpoint interval"));
  CHECK(error(limited("60s", "50s")).empty()); // an exit saves before the limit
  CHECK_THAT(error(limited("0s")), Catch::Contains("jobs.0.time_limit"));
  CHECK_THAT(error(limited("soon")), Catch::Contains("jobs.0.time_limit"));
}

TEST_CASE("time limit: requeued runs taking the first run's iterations agree with every iteration simulated, "
          "with ZeRO's parameter gathers and another job starting mid-run",
          "[engine][time_limit][fast_forward]")
{
  // Two nodes: the time-limited ZeRO-1 job on one, a job arriving at 300 s on the other (its start
  // makes the running one simulate again, in the state the memo's iterations left it in).
  std::string text = dcsim::test::kOneNodeCheckpoints;
  text.replace(text.find("nodes: 1"), 8, "nodes: 2");
  text += "  - name: later\n    gpus: 8\n    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}\n"
          "    parallelism: {tensor: 1, data: 8}\n    batch: {global: 64, micro: 8}\n    iterations: 3000\n"
          "    start_time: 300s\n";
  auto overrides = limited("175s");
  overrides.push_back("jobs.0.parallelism.zero=1");
  const auto config = dcsim::test::load_text(text, overrides);
  const auto fast = dcsim::test::run_config(config, true)["jobs"];
  const auto every = dcsim::test::run_config(config, false)["jobs"];
  dcsim::SimulationOptions own;
  own.reuse_runs = false;
  const auto simulated = dcsim::test::run_config(config, own)["jobs"];
  for (int j = 0; j < 2; ++j) {
    INFO("job " << j << ": fast-forwarded " << fast[j]["reliability"].dump() << "\nevery iteration "
                << every[j]["reliability"].dump());
    // Taking the memo changes nothing but the work: the same as each run simulating its own first
    // iterations (1e-9), and within the 1e-5 that fast-forwarding beside another running job
    // keeps of every iteration (its drift rule; 3.7e-6 here either way).
    CHECK(fast[j]["end_time_s"].get<double>() == Approx(simulated[j]["end_time_s"].get<double>()).epsilon(1e-9));
    CHECK(fast[j]["end_time_s"].get<double>() == Approx(every[j]["end_time_s"].get<double>()).epsilon(1e-5));
    CHECK(fast[j]["iteration_time_s"].get<double>() == Approx(every[j]["iteration_time_s"].get<double>()).epsilon(1e-9));
  }
  CHECK(fast[0]["reliability"]["time_limit_kills"] == every[0]["reliability"]["time_limit_kills"]);
  CHECK(fast[0]["reliability"]["time_limit_kills"].get<int>() == 2);
  CHECK(fast[0]["simulated_iterations"].get<int>() < simulated[0]["simulated_iterations"].get<int>());
}

TEST_CASE("time limit: with asynchronous writes, requeued runs assume the write cost the first run measured",
          "[engine][time_limit][fast_forward]")
{
  auto overrides = limited("175s");
  overrides.push_back("jobs.0.checkpoint.async=true");
  overrides.push_back("jobs.0.checkpoint.interval=20s");
  const auto config = dcsim::test::load_text(dcsim::test::kOneNodeCheckpoints, overrides);
  const auto fast = dcsim::test::run_config(config, true)["jobs"][0];
  const auto every = dcsim::test::run_config(config, false)["jobs"][0];
  dcsim::SimulationOptions own;
  own.reuse_runs = false;
  const auto simulated = dcsim::test::run_config(config, own)["jobs"][0];
  INFO("fast-forwarded " << fast["reliability"].dump() << "\nevery iteration " << every["reliability"].dump());
  CHECK(fast["reliability"]["time_limit_kills"].get<int>() >= 2);
  CHECK(fast["reliability"]["time_limit_kills"] == every["reliability"]["time_limit_kills"]);
  CHECK(fast["end_time_s"].get<double>() == Approx(simulated["end_time_s"].get<double>()).epsilon(1e-9));
  CHECK(fast["end_time_s"].get<double>() == Approx(every["end_time_s"].get<double>()).epsilon(1e-9));
  CHECK(fast["simulated_iterations"].get<int>() < simulated["simulated_iterations"].get<int>());
}
