// Planned maintenance (`failures.maintenance`, engine/job_reliability.hpp): every interval of
// the cluster's calendar each running job stops at its next iteration boundary, saves a
// checkpoint, stays down for the downtime and reads the checkpoint back. Nothing is lost, so the
// job's timeline can be worked out iteration by iteration and compared with the engine's.
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

const std::vector<std::string> kMaintenance = {"failures={maintenance: {interval: 1000s, downtime: 100s}}",
                                               "jobs.0.checkpoint={interval: 300s, size: 10GB}",
                                               "jobs.0.iterations=100000"};

struct Timeline {
  double end_s = 0;
  int checkpoints = 0;
  int maintenances = 0;
};

/// The job's timeline by hand: iterations of `iteration_s`; before each, a checkpoint (10 s)
/// when 300 s of training would be passed during it, or a maintenance when its time has come
/// (a 10 s write unless one was just written, 100 s down, a 10 s read).
Timeline by_hand(double iteration_s, int iterations)
{
  Timeline t;
  double now = 0, since = 0, next_maintenance = 1000;
  for (int done = 0; done < iterations;) {
    if (next_maintenance <= now + 1e-6) {
      if (since > 0) {
        now += 10;
        ++t.checkpoints;
        since = 0;
      }
      now += 100 + 10;
      ++t.maintenances;
      next_maintenance = (std::floor(now / 1000) + 1) * 1000;
      continue;
    }
    if (since > 0 && since + iteration_s > 300) {
      now += 10;
      ++t.checkpoints;
      since = 0;
      continue;
    }
    now += iteration_s;
    since += iteration_s;
    ++done;
  }
  t.end_s = now;
  return t;
}

} // namespace

TEST_CASE("maintenance: each stop saves, stays down and reads back, exactly as worked by hand")
{
  const auto job = dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, kMaintenance)["jobs"][0];
  const auto& r = job["reliability"];
  const Timeline expected = by_hand(job["iteration_time_s"].get<double>(), 100000);
  INFO(r.dump());
  CHECK(r["maintenances"].get<int>() == expected.maintenances);
  CHECK(expected.maintenances == 4);
  CHECK(r["checkpoints"].get<int>() == expected.checkpoints);
  CHECK(job["end_time_s"].get<double>() == Approx(expected.end_s).epsilon(1e-9));
  CHECK(r["maintenance_time_s"].get<double>() == Approx(4 * 110.0).epsilon(1e-9));
  CHECK(r["lost_work_s"].get<double>() == 0);
  // Goodput: the stops (writes, downtimes, reads) over the wall-clock time.
  const double wall = job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
  CHECK(job["goodput"].get<double>() ==
        Approx(1 - (r["checkpoint_time_s"].get<double>() + r["maintenance_time_s"].get<double>()) / wall).epsilon(1e-12));
}

TEST_CASE("maintenance: with failures and asynchronous checkpoints, fast-forwarding gives the every-iteration "
          "run within 1e-9")
{
  auto overrides = kMaintenance;
  overrides[0] = "failures={node_mtbf: 800s, restart: 20s, maintenance: {interval: 1000s, downtime: 100s}}";
  overrides.push_back("jobs.0.checkpoint.async=true");
  overrides.push_back("jobs.0.iterations=70000");
  const auto config = dcsim::test::load_text(dcsim::test::kOneNodeCheckpoints, overrides);
  const auto fast = dcsim::test::run_config(config, true)["jobs"][0];
  const auto every = dcsim::test::run_config(config, false)["jobs"][0];
  INFO("fast-forwarded " << fast["reliability"].dump() << "\nevery iteration " << every["reliability"].dump());
  CHECK(fast["reliability"]["maintenances"].get<int>() >= 2);
  CHECK(fast["reliability"]["failures"].get<int>() >= 1);
  CHECK(fast["reliability"]["maintenances"] == every["reliability"]["maintenances"]);
  CHECK(fast["reliability"]["failures"] == every["reliability"]["failures"]);
  CHECK(fast["end_time_s"].get<double>() == Approx(every["end_time_s"].get<double>()).epsilon(1e-9));
  CHECK(fast["simulated_iterations"].get<int>() < every["simulated_iterations"].get<int>() / 10);
}

TEST_CASE("maintenance: bad settings are one-line errors naming the key")
{
  const auto error = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_error(dcsim::test::kOneNodeCheckpoints, overrides);
  };
  CHECK_THAT(error({"failures={maintenance: {downtime: 1h}}"}), Catch::Contains("failures.maintenance.interval"));
  CHECK_THAT(error({"failures={maintenance: {interval: 1h, downtime: 2h}}"}),
             Catch::Contains("failures.maintenance.downtime: is 2 h, not shorter than the interval"));
  CHECK_THAT(error({"failures={maintenance: {interval: 1h}}", "jobs.0.checkpoint.enabled=false"}),
             Catch::Contains("jobs.0.checkpoint: is missing, but failures.maintenance stops every job every 1 h"));
  CHECK_THAT(error({"failures={maintenance: {interval: 1h, typo: 1}}"}), Catch::Contains("failures.maintenance.typo"));
  CHECK(error({"failures={maintenance: {interval: 1h}}"}).empty());
}
