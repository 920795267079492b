// The parallel plans `dcsim plan` tries for one job: every split of its GPUs into tensor x
// pipeline x context x data parallelism, with each expert-parallel degree, micro-batch size,
// interleaving depth and recompute choice asked for. Plans whose degrees
// cannot divide the job are left out here; what else a plan must satisfy (heads divisible by the
// tensor degree, layers per chunk, memory) is the scenario checker's to say, per plan.
#pragma once

#include "config/scenario_config.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dcsim {

struct PlanCandidate {
  int gpus = 1; ///< the job's GPUs (a search over several counts: strong scaling)
  int tensor = 1;
  int pipeline = 1;
  int data = 1;
  int context = 1;
  int expert = 1;
  int micro_batch = 1;
  int virtual_stages = 1;
  Recompute recompute = Recompute::None;
  int zero = 0; ///< ZeRO stage (1: Megatron-Core's distributed optimizer)
  /// Megatron-Core's sequence parallelism with tensor parallelism: on in every candidate with a
  /// tensor degree above 1; the scenario's own plan keeps its setting.
  bool sequence_parallel = false;
};

/// The values to combine. Empty lists are filled by default_plan_space().
struct PlanSpace {
  std::vector<int> gpus; ///< job sizes to try (default: the job's)
  std::vector<int> tensor;
  std::vector<int> pipeline;
  std::vector<int> context;
  std::vector<int> expert;
  std::vector<int> micro_batch;
  std::vector<int> virtual_stages;
  std::vector<Recompute> recompute;
  std::vector<int> zero; ///< ZeRO stages (default: the job's)
};

/// Fills the lists left empty: the job's GPUs; tensor degrees 1, 2, 4, ... up to a scale-up domain's GPUs;
/// pipeline degrees 1, 2, 4, ... up to the layers; the job's own context and expert degrees;
/// micro-batches 1, 2 and 4; interleaving 1, 2
/// and 4 (only for 1F1B and interleaved jobs: other schedules keep theirs); every recompute
/// choice (selective with the job's recompute_modules); the job's ZeRO stage.
PlanSpace complete_plan_space(PlanSpace space, const JobConfig& job, const ClusterConfig& cluster);

/// Every combination whose degrees divide the job's GPUs (experts: the data x context ranks) and
/// whose micro-batches divide the global batch over the data-parallel replicas, in a fixed order
/// (GPUs, tensor, pipeline, context, expert, micro-batch, interleaving, ZeRO, recompute). Interleaving above 1
/// needs a pipeline.
std::vector<PlanCandidate> enumerate_plans(const PlanSpace& space, const JobConfig& job);

/// `--set` overrides that turn job `job_index` into the candidate: its GPUs, the degrees, micro-batch,
/// interleaving (and the schedule that goes with it), recompute, sequence parallelism, and a
/// memory check that refuses what does not fit.
std::vector<std::string> plan_overrides(int job_index, const PlanCandidate& plan, const JobConfig& job);

/// Whether two candidates are the same plan.
bool operator==(const PlanCandidate& a, const PlanCandidate& b);

/// "TP8 PP8 DP16 mb1 v2 selective" (" CP2", " EP8" after the data degree when above 1; " no-SP"
/// for tensor parallelism without sequence parallelism; " zero1" when the stage is above 0).
std::string describe(const PlanCandidate& plan);

/// The candidate `job` already is (to find it among the results).
PlanCandidate plan_of(const JobConfig& job);

/// The lists a user gives (the CLI's flags, Python's keywords), not checked yet; empty: the
/// defaults.
struct PlanSpaceLists {
  std::vector<int> gpus, tensor, pipeline, context, expert, micro_batch, virtual_stages, zero;
  std::vector<std::string> recompute; ///< "none", "selective", "full"
};

/// The space the lists give: every degree from 1 to 65536, every ZeRO stage 0 to 3, every
/// recompute choice a name; otherwise a ScenarioError naming the list as `option` spells it
/// (option("micro_batch"): "--micro-batch" on the command line, "micro_batch" in Python).
PlanSpace checked_plan_space(const PlanSpaceLists& lists, const std::function<std::string(const std::string&)>& option);

} // namespace dcsim
