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

TEST_CASE("fair tree: accounts are ranked first, then the groups within each (Slurm's fair_tree.html)", "[scheduler]")
{
  // Groups a1, a2 and b1 with equal shares and usages 10, 0 and 8 (of 18). Under the root alone:
  // level fairshare 0.6, inf and 0.75, so a2, b1, a1. With a1 and a2 in account A (share 2/3,
  // usage 10/18: level 1.2) beside b1 (0.75): A first, and within it a2 (inf) before a1
  // ((1/2) / (10/10) = 0.5): a2, a1, b1.
  const double third = 1.0 / 3;
  const std::vector<double> usage = {10, 0, 8}, shares = {third, third, third};
  CHECK(fair_tree_factors(usage, shares) == std::vector<double>{1.0 / 3, 1.0, 2.0 / 3});
  const auto f = fair_tree_factors(usage, shares, {0, 0, -1});
  CHECK(f[0] == Approx(2.0 / 3).epsilon(1e-12));
  CHECK(f[1] == 1.0);
  CHECK(f[2] == Approx(1.0 / 3).epsilon(1e-12));
  // No accounts: the flat ranking, exactly.
  CHECK(fair_tree_factors(usage, shares, {-1, -1, -1}) == fair_tree_factors(usage, shares));
}

TEST_CASE("fair tree: accounts under accounts, walked depth first (worked by hand)", "[scheduler]")
{
  // Groups g0-g3 with equal shares and usages 10, 30, 10, 50 (of 100). Tree: account A holds
  // account B and g2, B holds g0 and g1, g3 sits under the root. Root level: A (share 3/4, usage
  // 1/2: level 1.5) before g3 (0.5). Within A (share 3/4, usage 50): B ((1/2 / 3/4) / (40/50) =
  // 0.833) after g2 ((1/4 / 3/4) / (10/50) = 1.667). Within B (share 1/2, usage 40): g0 (2.0)
  // before g1 (0.667). Order g2, g0, g1, g3: factors 1, 3/4, 1/2, 1/4.
  const std::vector<double> usage = {10, 30, 10, 50}, shares = {0.25, 0.25, 0.25, 0.25};
  const std::vector<int> account_of = {1, 1, 0, -1}, parent = {-1, 0}; // accounts A (0) and B (1)
  const auto f = fair_tree_factors(usage, shares, account_of, parent);
  CHECK(f == std::vector<double>{0.75, 0.5, 1.0, 0.25});
  // Flat, g0 and g2 tie (level 2.5) ahead of g1 and g3; with g0-g2 straight under A, g0 and g2
  // tie within A (1.667): the deeper tree is what puts g2 first.
  CHECK(fair_tree_factors(usage, shares) == std::vector<double>{1.0, 0.5, 1.0, 0.25});
  CHECK(fair_tree_factors(usage, shares, {0, 0, 0, -1}, {-1}) == std::vector<double>{1.0, 0.5, 1.0, 0.25});
  // Read from a scenario: accounts naming accounts.
  const std::string trace = write_trace("fair_tree_deep.csv", "submit_time_s,duration_s,gpus,group\n"
                                                              "0,10,1,g0\n0,10,1,g1\n0,10,1,g2\n0,10,1,g3\n");
  const ScenarioConfig c = test::load_text(one_node(
      "{policy: multifactor, trace: " + trace + ", multifactor: {fair_tree: true, accounts: {A: [B, g2], B: [g0, g1]}}}"));
  const auto& accounts = c.scheduler.multifactor.accounts;
  REQUIRE(accounts.size() == 2);
  CHECK(accounts[0].name == "A");
  CHECK(accounts[0].parent == -1);
  CHECK(accounts[0].groups == std::vector<int>{2});
  CHECK(accounts[1].parent == 0);
  CHECK(accounts[1].groups == std::vector<int>{0, 1});
}

TEST_CASE("fair tree: with accounts a group's job can go before a less used group's (worked by hand)", "[scheduler]")
{
  // One 8-GPU node. a1 runs 0-100 s, b1 (from 1 s) 100-180 s; then one 10-s job of each waits
  // (submitted at 2 and 3 s); a2's only job comes at 1000 s. At 180 s a1 has used 800 and b1
  // 640 GPU-seconds (a 10-day half-life: no decay to speak of). Under the root alone b1 (level
  // 0.75) beats a1 (0.6): b1's job runs 180-190 s, a1's 190-200 s. With a1 in account A beside
  // the unused a2 (A's level 1.2), a1's runs first: waits a1 (0 + 178) / 2, b1 (99 + 187) / 2.
  const std::string trace = write_trace("fair_tree_accounts.csv", "submit_time_s,duration_s,gpus,group\n"
                                                                  "0,100,8,a1\n1,80,8,b1\n2,10,8,a1\n3,10,8,b1\n"
                                                                  "1000,10,8,a2\n");
  const std::string policy = "{policy: multifactor, fair_share_half_life: 10d, trace: " + trace +
                             ", multifactor: {fair_tree: true";
  const auto flat = test::run_scenario_text(one_node(policy + "}}"))["scheduler"];
  CHECK((*group(flat, "a1"))["mean_queue_s"].get<double>() == Approx((0 + 188) / 2.0).epsilon(1e-6));
  CHECK((*group(flat, "b1"))["mean_queue_s"].get<double>() == Approx((99 + 177) / 2.0).epsilon(1e-6));
  const auto tree = test::run_scenario_text(one_node(policy + ", accounts: {A: [a1, a2]}}}"))["scheduler"];
  INFO(tree.dump());
  CHECK((*group(tree, "a1"))["mean_queue_s"].get<double>() == Approx((0 + 178) / 2.0).epsilon(1e-6));
  CHECK((*group(tree, "b1"))["mean_queue_s"].get<double>() == Approx((99 + 187) / 2.0).epsilon(1e-6));
  // Errors, at the key.
  const auto error = [&](const std::string& multifactor) {
    return test::load_error(one_node("{policy: multifactor, trace: " + trace + ", multifactor: " + multifactor + "}"));
  };
  CHECK_THAT(error("{accounts: {A: [a1]}}"), Catch::Contains("scheduler.multifactor.accounts: rank groups within "
                                                              "accounts, which only Fair Tree does"));
  CHECK_THAT(error("{fair_tree: true, accounts: {A: [a1, zz]}}"),
             Catch::Contains("account \"A\" lists \"zz\", which is neither a group nor an account"));
  CHECK_THAT(error("{fair_tree: true, accounts: {A: [a1, B], B: [b1, A]}}"), Catch::Contains("is below itself"));
  CHECK_THAT(error("{fair_tree: true, accounts: {A: [a1, A]}}"), Catch::Contains("account \"A\" is listed in itself"));
  CHECK_THAT(error("{fair_tree: true, accounts: {A: [a1, C], B: [b1, C], C: [a2]}}"),
             Catch::Contains("account \"C\" is listed under two accounts"));
  CHECK_THAT(error("{fair_tree: true, accounts: {A: [a1], B: [a1]}}"),
             Catch::Contains("group \"a1\" is in two accounts"));
  CHECK_THAT(error("{fair_tree: true, accounts: {a2: [a1]}}"), Catch::Contains("account \"a2\" has a group's name"));
  CHECK_THAT(error("{fair_tree: true, accounts: [a1]}"), Catch::Contains("is not a mapping of accounts to groups"));
  CHECK_THAT(error("{fair_tree: true, accounts: {A: []}}"), Catch::Contains("account \"A\" lists no groups"));
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
