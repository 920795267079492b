// The plans `dcsim plan` tries (plan/plan_space.cpp): counted against the formula, the defaults
// the space is completed with, and the --set overrides a plan becomes.
#include "plan/plan_space.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

dcsim::JobConfig job(int gpus, int global_batch, int layers)
{
  dcsim::JobConfig j;
  j.gpus = gpus;
  j.batch.global = global_batch;
  j.model.layers = layers;
  return j;
}

bool has(const std::vector<std::string>& list, const std::string& item)
{
  return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

TEST_CASE("plan space: every split whose degrees divide the GPUs and whose micro-batches divide the batch")
{
  using dcsim::Recompute;
  // 64 GPUs, batch 96: t in {1, 2, 4, 8}, p in {1, 2, 4, 8, 16} all divide 64 (t p <= 64: all but
  // 8 x 16 = 128), so 4 x 5 - 1 = 19 splits; data = 64 / (t p); a micro-batch m is kept when
  // m x data divides 96 = 2^5 x 3: m x data <= 32 among powers of two.
  const dcsim::JobConfig j = job(64, 96, 32);
  dcsim::PlanSpace space;
  space.gpus = {64};
  space.tensor = {1, 2, 4, 8};
  space.pipeline = {1, 2, 4, 8, 16};
  space.context = {1};
  space.expert = {1};
  space.micro_batch = {1, 2, 4};
  space.virtual_stages = {1, 2};
  space.recompute = {Recompute::None, Recompute::Full};
  space.zero = {0};
  const auto plans = dcsim::enumerate_plans(space, j);
  int expected = 0;
  for (int t : space.tensor)
    for (int p : space.pipeline) {
      if (64 % (t * p) != 0)
        continue;
      const int data = 64 / (t * p);
      for (int m : space.micro_batch)
        if (96 % (m * data) == 0)
          expected += (p > 1 ? 2 : 1) * 2; // interleaving 2 needs a pipeline; two recompute choices
    }
  CHECK(static_cast<int>(plans.size()) == expected);
  // By hand: t p = 2: data 32, only m = 1, splits (1,2) and (2,1): 4 + 2 = 6; t p = 4: data 16,
  // m 1-2, (1,4) (2,2) (4,1): 2 x 10 = 20; t p = 8: m 1-4, four splits, one without a pipeline:
  // 3 x 14 = 42; t p = 16, 32, 64 (data 4, 2, 1; 4, 3 and 2 splits, all pipelined): 3 x 16,
  // 3 x 12, 3 x 8. In all 6 + 20 + 42 + 48 + 36 + 24.
  CHECK(expected == 176);
  for (const auto& plan : plans) {
    CHECK(plan.tensor * plan.pipeline * plan.data == 64);
    CHECK(plan.sequence_parallel == (plan.tensor > 1)); // as Megatron-Core runs tensor parallelism
    CHECK(96 % (plan.micro_batch * plan.data) == 0);
    CHECK((plan.virtual_stages == 1 || plan.pipeline > 1));
  }
  // Context parallelism divides the GPUs too; experts split over the data x context ranks.
  space.context = {1, 4};
  space.expert = {1, 8};
  int with_context = 0, with_experts = 0;
  for (const auto& plan : dcsim::enumerate_plans(space, j)) {
    CHECK(plan.tensor * plan.pipeline * plan.data * plan.context == 64);
    CHECK(plan.data * plan.context % plan.expert == 0);
    with_context += plan.context == 4;
    with_experts += plan.expert == 8;
  }
  CHECK(with_context > 0);
  CHECK(with_experts > 0);
}

TEST_CASE("plan space: defaults up to the NVLink domain and the layers; other schedules keep their chunks")
{
  const dcsim::ClusterConfig cluster = dcsim::test::h100_test_cluster(8);
  dcsim::JobConfig j = job(64, 512, 24);
  auto space = dcsim::complete_plan_space({}, j, cluster);
  CHECK(space.gpus == std::vector<int>{64});
  CHECK(space.tensor == std::vector<int>{1, 2, 4, 8});
  CHECK(space.pipeline == std::vector<int>{1, 2, 4, 8, 16});
  CHECK(space.context == std::vector<int>{1});
  CHECK(space.expert == std::vector<int>{1});
  CHECK(space.micro_batch == std::vector<int>{1, 2, 4});
  CHECK(space.virtual_stages == std::vector<int>{1, 2, 4});
  CHECK(space.recompute.size() == 3);
  CHECK(space.zero == std::vector<int>{0});
  // An NVL72-like domain allows tensor parallelism beyond a node; what the user lists is kept.
  dcsim::ClusterConfig nvl = cluster;
  nvl.node.scale_up_domain_gpus = 72;
  CHECK(dcsim::complete_plan_space({}, j, nvl).tensor.back() == 64);
  dcsim::PlanSpace given;
  given.tensor = {2};
  CHECK(dcsim::complete_plan_space(given, j, nvl).tensor == std::vector<int>{2});
  j.parallelism.schedule = dcsim::PipelineSchedule::DualPipeV;
  j.parallelism.virtual_stages = 2;
  space = dcsim::complete_plan_space({}, j, cluster);
  CHECK(space.virtual_stages == std::vector<int>{2});
}

TEST_CASE("plan space: a plan's overrides set every degree, the schedule that goes with its chunks and a strict memory check")
{
  const dcsim::JobConfig j = job(64, 512, 24);
  dcsim::PlanCandidate plan;
  plan.tensor = 4, plan.pipeline = 2, plan.data = 8, plan.micro_batch = 2, plan.virtual_stages = 3;
  plan.recompute = dcsim::Recompute::Selective;
  plan.sequence_parallel = true;
  const auto o = dcsim::plan_overrides(1, plan, j);
  for (const char* expected :
       {"jobs.1.parallelism.tensor=4", "jobs.1.parallelism.pipeline=2", "jobs.1.parallelism.data=8",
        "jobs.1.parallelism.virtual_stages=3", "jobs.1.parallelism.sequence_parallel=true", "jobs.1.batch.micro=2",
        "jobs.1.recompute=selective", "jobs.1.memory_check=error", "jobs.1.parallelism.schedule=interleaved"}) {
    INFO(expected);
    CHECK(has(o, expected));
  }
  CHECK(has(o, "jobs.1.parallelism.context=1"));
  CHECK(has(o, "jobs.1.gpus=1")); // a default PlanCandidate's
  CHECK(has(o, "jobs.1.parallelism.zero=0"));
  CHECK(has(o, "jobs.1.parallelism.expert=1"));
  CHECK(dcsim::describe(plan) == "TP4 PP2 DP8 mb2 v3 selective");
  dcsim::PlanCandidate flat;
  flat.data = 64;
  const auto flat_overrides = dcsim::plan_overrides(0, flat, j);
  CHECK(has(flat_overrides, "jobs.0.parallelism.sequence_parallel=false"));
  CHECK(has(flat_overrides, "jobs.0.parallelism.schedule=1f1b"));
  CHECK(dcsim::describe(flat) == "TP1 PP1 DP64 mb1 none");
  flat.data = 16, flat.context = 2, flat.expert = 8;
  CHECK(dcsim::describe(flat) == "TP1 PP1 DP16 CP2 EP8 mb1 none");
  flat.tensor = 2, flat.data = 8; // a scenario's own plan may run tensor parallelism without it
  CHECK(dcsim::describe(flat) == "TP2 PP1 DP8 CP2 EP8 mb1 no-SP none");
  flat.zero = 1;
  CHECK(dcsim::describe(flat) == "TP2 PP1 DP8 CP2 EP8 mb1 no-SP zero1 none");
}
