// The cluster's reliability summary (results/reliability_summary.hpp): the sum of every training
// job's losses in GPU-hours and the trace jobs', and the failures by cause over all jobs, equal
// to the per-job and scheduler figures they are made of.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("reliability summary: the cluster's losses add up the jobs' (shared-cluster.yaml, 1e-9)")
{
  // Two training jobs with checkpoints, 20,000 trace jobs, StepFun's fault trace.
  const auto result = dcsim::test::run_scenario("scenarios/shared-cluster.yaml");
  const auto& c = result["reliability"];
  INFO(c.dump());
  double checkpointing = 0, restarting = 0, lost = 0;
  long long failures = result["scheduler"]["trace_failures"].get<long long>();
  for (const auto& job : result["jobs"]) {
    const double gpus = job["gpus"].get<double>();
    const auto& r = job["reliability"];
    checkpointing += gpus * r["checkpoint_time_s"].get<double>() / 3600;
    restarting += gpus * r["restart_time_s"].get<double>() / 3600;
    lost += gpus * r["lost_work_s"].get<double>() / 3600;
    failures += r["failures"].get<long long>();
  }
  CHECK(c["failures"].get<long long>() == failures);
  CHECK(failures > 0);
  CHECK(c["checkpointing_gpu_hours"].get<double>() == Approx(checkpointing).epsilon(1e-9));
  CHECK(c["restarting_gpu_hours"].get<double>() == Approx(restarting).epsilon(1e-9));
  CHECK(c["lost_work_gpu_hours"].get<double>() == Approx(lost).epsilon(1e-9));
  CHECK(c["trace_failure_gpu_hours"].get<double>() ==
        Approx(result["scheduler"]["failure_lost_gpu_hours"].get<double>()).epsilon(1e-12));
  CHECK(c["lost_gpu_hours"].get<double>() ==
        Approx(checkpointing + restarting + lost + c["trace_failure_gpu_hours"].get<double>()).epsilon(1e-9));
  long long by_cause = 0;
  for (const auto& cause : c["failures_by_cause"])
    by_cause += cause["failures"].get<long long>();
  CHECK(by_cause == failures);
  // Without failures, maintenance or checkpoints there is nothing to summarize.
  CHECK(!dcsim::test::run_scenario("scenarios/1024gpu.yaml").contains("reliability"));
}
