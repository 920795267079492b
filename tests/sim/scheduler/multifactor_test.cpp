// Slurm's multifactor priority (scheduler.policy: multifactor): the factors against the plugin's
// formulas, replays worked by hand for each factor, backfilling or not, and the errors.
#include "scheduler/multifactor.hpp"
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace dcsim;
using test::group;
using test::one_node;
using test::write_trace;

TEST_CASE("multifactor: age and job size factors as Slurm computes them; the weighted sum", "[scheduler]")
{
  CHECK(age_factor(3.5 * 86400, 7 * 86400) == Approx(0.5).epsilon(1e-12));
  CHECK(age_factor(10 * 86400, 7 * 86400) == 1.0); // capped at PriorityMaxAge
  CHECK(age_factor(0, 7 * 86400) == 0.0);
  // Four nodes of 8 GPUs: the mean of the node share and the GPU share (favor large), or of what
  // the job leaves (favor small; a job of every node gets 0 for its node part).
  CHECK(job_size_factor(16, 8, 32, false) == Approx((2 / 4.0 + 16 / 32.0) / 2).epsilon(1e-12));
  CHECK(job_size_factor(4, 8, 32, false) == Approx((1 / 4.0 + 4 / 32.0) / 2).epsilon(1e-12));
  CHECK(job_size_factor(4, 8, 32, true) == Approx((3 / 4.0 + 28 / 32.0) / 2).epsilon(1e-12));
  CHECK(job_size_factor(32, 8, 32, true) == 0.0);
  CHECK(job_size_factor(32, 8, 32, false) == 1.0);
  MultifactorConfig c; // the documentation's example weights: 1000, 10000, 1000
  CHECK(multifactor_priority(c, 3.5 * 86400, 0.25, 16, 8, 32) ==
        Approx(1000 * 0.5 + 10000 * 0.25 + 1000 * 0.5).epsilon(1e-12));
}

namespace {

// One 8-GPU node. a (group x, 8 GPUs) runs 0-100 s; b (x, 2 GPUs), c (y, 8 GPUs) and d (y,
// 4 GPUs) arrive at 1, 2 and 3 s, 10 s each, and wait for it.
const char* const kQueue = "submit_time_s,duration_s,gpus,group\n0,100,8,x\n1,10,2,x\n2,10,8,y\n3,10,4,y\n";

double wait_of(const nlohmann::json& scheduler, const std::string& name)
{
  return (*group(scheduler, name))["mean_queue_s"].get<double>();
}

nlohmann::json run(const std::string& multifactor)
{
  const std::string trace = write_trace("multifactor.csv", kQueue);
  return test::run_scenario_text(one_node("{policy: multifactor, trace: " + trace + ", multifactor: " + multifactor +
                                          "}"))["scheduler"];
}

} // namespace

TEST_CASE("multifactor: each factor orders the queue as worked by hand", "[scheduler]")
{
  SECTION("job size, favoring large jobs: c (size 1), d (0.75), b (0.625)")
  {
    // At 100 s c starts (to 110 s), then d and b together. Waits: b 109, c 98, d 107.
    const auto s = run("{age: 0, fair_share: 0, job_size: 1000}");
    INFO(s.dump());
    CHECK(s["policy"] == "multifactor");
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 109 + 98 + 107) / 4.0).epsilon(1e-9));
  }
  SECTION("job size, favoring small jobs: b (0.375), d (0.25), c (0)")
  {
    // b and d start at 100 s (6 GPUs), c at 110 s. Waits: b 99, d 97, c 108.
    const auto s = run("{age: 0, fair_share: 0, job_size: 1000, favor_small: true}");
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 99 + 97 + 108) / 4.0).epsilon(1e-9));
  }
  SECTION("fair share: group x used the node 0-100 s (factor 2^-2), y nothing (1): c, d, then b")
  {
    const auto s = run("{age: 0, fair_share: 1, job_size: 0}");
    INFO(s.dump());
    CHECK(wait_of(s, "y") == Approx((98 + 107) / 2.0).epsilon(1e-9));
    CHECK(wait_of(s, "x") == Approx((0 + 109) / 2.0).epsilon(1e-9));
  }
  SECTION("age alone is first come, first served: b, then c blocked; EASY lets d fill in beside b")
  {
    // b starts at 100 s; c (8 GPUs) must wait for b's end at 110 s (its reservation); d ends by
    // then and starts at 100 s. Strictly (backfill off) d waits behind c: c 110-120, d 120.
    const auto easy = run("{age: 1, fair_share: 0, job_size: 0, max_age: 1000s}");
    CHECK(easy["mean_queue_s"].get<double>() == Approx((0 + 99 + 108 + 97) / 4.0).epsilon(1e-9));
    const auto strict = run("{age: 1, fair_share: 0, job_size: 0, max_age: 1000s, backfill: false}");
    CHECK(strict["mean_queue_s"].get<double>() == Approx((0 + 99 + 108 + 117) / 4.0).epsilon(1e-9));
  }
}

TEST_CASE("multifactor: bad settings are one error naming the key", "[scheduler]")
{
  const std::string trace = write_trace("multifactor_bad.csv", kQueue);
  const auto error = [&](const std::string& scheduler) {
    return test::load_error(one_node("{trace: " + trace + ", " + scheduler + "}"));
  };
  CHECK_THAT(error("policy: fifo, multifactor: {age: 1}"),
             Catch::Contains("scheduler.multifactor: applies to policy multifactor only"));
  CHECK_THAT(error("policy: multifactor, multifactor: {age: -1}"), Catch::Contains("scheduler.multifactor.age"));
  CHECK_THAT(error("policy: multifactor, multifactor: {max_age: 0s}"), Catch::Contains("scheduler.multifactor.max_age"));
  CHECK_THAT(error("policy: multifactor, multifactor: {agee: 1}"), Catch::Contains("scheduler.multifactor.agee"));
  CHECK_THAT(error("policy: multifactor, multifactor: {fair_share: 0}, fair_share_half_life: 1d"),
             Catch::Contains("scheduler.fair_share_half_life: applies to policies fair_share and multifactor only"));
  CHECK(error("policy: multifactor, fair_share_half_life: 1d").empty());
  CHECK(error("policy: multifactor").empty());
}
