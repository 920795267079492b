// Fair share (scheduler.policy: fair_share): the decayed usage and Slurm's classic factor
// against their formulas, a replay worked by hand, and the errors.
#include "scheduler/fair_share.hpp"
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace dcsim;
using test::group;
using test::one_node;
using test::write_trace;

TEST_CASE("fair share: usage decays with its half-life; the factor is 2^(-U/S)", "[scheduler]")
{
  // Held usage halves in a half-life; 8 GPUs held for one half-life add 8 H / ln 2 x (1 - 1/2).
  CHECK(decayed_usage(1000, 0, 3600, 3600) == Approx(500).epsilon(1e-12));
  CHECK(decayed_usage(0, 8, 3600, 3600) == Approx(8 * 3600 / std::log(2.0) * 0.5).epsilon(1e-12));
  // Over a short interval nothing has time to decay: GPUs x seconds.
  CHECK(decayed_usage(0, 8, 1e-3, 3600) == Approx(8e-3).epsilon(1e-6));
  const auto f = fair_share_factors({300, 100}, {0.5, 0.5});
  CHECK(f[0] == Approx(std::exp2(-1.5)).epsilon(1e-12)); // 75% of the usage for half the share
  CHECK(f[1] == Approx(std::exp2(-0.5)).epsilon(1e-12));
  CHECK(fair_share_factors({0, 0}, {0.5, 0.5}) == std::vector<double>{1, 1}); // nothing used yet
}

TEST_CASE("fair tree: groups ranked by level fairshare S / U, factor rank / groups (Slurm's fair_tree.html)",
          "[scheduler]")
{
  const double third = 1.0 / 3;
  // Usages 0, 10, 30 of equal shares: level fairshare inf, 1.33, 0.44 -> ranks 3, 2, 1 of 3.
  auto f = fair_tree_factors({0, 10, 30}, {third, third, third});
  CHECK(f[0] == 1.0);
  CHECK(f[1] == Approx(2.0 / 3).epsilon(1e-12));
  CHECK(f[2] == Approx(1.0 / 3).epsilon(1e-12));
  // Ties share the first one's rank; the rank still counts each group: 10, 10, 20 -> 1, 1, 1/3.
  f = fair_tree_factors({10, 10, 20}, {third, third, third});
  CHECK(f == std::vector<double>{1.0, 1.0, 1.0 / 3});
  // Shares count: a group with twice the share may use twice as much for the same level.
  f = fair_tree_factors({20, 10}, {2 * third, third});
  CHECK(f == std::vector<double>{1.0, 1.0});
  CHECK(fair_tree_factors({0, 0}, {0.5, 0.5}) == std::vector<double>{1, 1}); // nothing used yet
  // The same order as the classic factor for groups under the root; other values.
  const auto classic = fair_share_factors({0, 10, 30}, {third, third, third});
  CHECK(classic[0] > classic[1]);
  CHECK(classic[1] > classic[2]);
  CHECK(classic[2] == Approx(std::exp2(-0.75 / third)).epsilon(1e-12));
}

TEST_CASE("fair share: the group that has used less of its share goes first (worked by hand)", "[scheduler]")
{
  // One 8-GPU node, groups a and b with equal shares. a1 (8 GPUs) runs 0-100 s; a2 (a, 10 s)
  // arrives at 10 s and b1 (b, 10 s) at 20 s. FIFO runs a2 then b1; fair share, with a having
  // used ~793 GPU-seconds and b none (factors 0.25 and 1), runs b1 at 100 s and a2 at 110 s.
  const std::string trace = write_trace("fair_two.csv", "submit_time_s,duration_s,gpus,group\n"
                                                        "0,100,8,a\n10,10,8,a\n20,10,8,b\n");
  const auto fifo = test::run_scenario_text(one_node("{policy: fifo, trace: " + trace + ", quotas: {a: 8, b: 8}}"))["scheduler"];
  const auto fair = test::run_scenario_text(
      one_node("{policy: fair_share, fair_share_half_life: 1h, trace: " + trace + "}"))["scheduler"];
  INFO(fair.dump());
  CHECK(fair["policy"] == "fair_share");
  CHECK((*group(fair, "b"))["mean_queue_s"].get<double>() == Approx(80).epsilon(1e-9));
  CHECK((*group(fair, "a"))["mean_queue_s"].get<double>() == Approx(50).epsilon(1e-9));
  CHECK((*group(fifo, "b"))["mean_queue_s"].get<double>() == Approx(90).epsilon(1e-9));
  SECTION("shares follow quotas")
  {
    // a1 (a) runs 0-75 s, b1 (b) 75-100 s; at 100 s a has used 75% of all GPU-seconds, b 25%.
    // Equal shares: factors 2^-1.5 and 2^-0.5, b2 goes first. Quotas 72 and 8 (shares 0.9 and
    // 0.1): 2^(-0.75/0.9) = 0.56 and 2^(-2.5) = 0.18, a2 goes first.
    const std::string both = write_trace("fair_shares.csv", "submit_time_s,duration_s,gpus,group\n"
                                                            "0,75,8,a\n1,25,8,b\n2,10,8,a\n3,10,8,b\n");
    const std::string fair = "{policy: fair_share, fair_share_half_life: 10d, trace: " + both;
    const auto equal = test::run_scenario_text(one_node(fair + "}"))["scheduler"];
    CHECK((*group(equal, "a"))["mean_queue_s"].get<double>() == Approx((0 + 108) / 2.0).epsilon(1e-9));
    CHECK((*group(equal, "b"))["mean_queue_s"].get<double>() == Approx((74 + 97) / 2.0).epsilon(1e-9));
    const auto weighted = test::run_scenario_text(one_node(fair + ", quotas: {a: 72, b: 8}}"))["scheduler"];
    CHECK((*group(weighted, "a"))["mean_queue_s"].get<double>() == Approx((0 + 98) / 2.0).epsilon(1e-9));
    CHECK((*group(weighted, "b"))["mean_queue_s"].get<double>() == Approx((74 + 107) / 2.0).epsilon(1e-9));
  }
}

TEST_CASE("fair share: bad settings are one error naming the key", "[scheduler]")
{
  const std::string grouped = write_trace("fair_grouped.csv", "submit_time_s,duration_s,gpus,group\n0,10,8,a\n");
  const std::string plain = write_trace("fair_plain.csv", "submit_time_s,duration_s,gpus\n0,10,8\n");
  CHECK_THAT(test::load_error(one_node("{policy: fair_share, trace: " + plain + "}")),
             Catch::Contains("scheduler.policy: fair_share shares the cluster between groups but there are none"));
  CHECK_THAT(test::load_error(one_node("{policy: fifo, fair_share_half_life: 1d, trace: " + grouped + "}")),
             Catch::Contains("scheduler.fair_share_half_life: applies to policies fair_share and multifactor only"));
  CHECK_THAT(test::load_error(one_node("{policy: fair_share, fair_share_half_life: 0s, trace: " + grouped + "}")),
             Catch::Contains("scheduler.fair_share_half_life"));
  CHECK(test::load_error(one_node("{policy: fair_share, fair_share_half_life: 3d, trace: " + grouped + "}")).empty());
}
