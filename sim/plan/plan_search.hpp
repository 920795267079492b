// `dcsim plan`: checks every candidate plan of one job (plan_space.hpp, and the scenario's own
// plan) as a scenario, and simulates those that pass on the scenario's cluster, the job alone (no
// other jobs, scheduler or failures: its steady speed), each in a process of its own (one
// SimGrid engine per process), several at a time. Of the plans of one split that fit, only the
// one that recomputes least is simulated (unless every_plan): recomputation only adds kernels.
#pragma once

#include "plan/plan_space.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dcsim {

struct PlanSearchRequest {
  std::string scenario;               ///< scenario file (or, with scenario_text, its name in errors)
  std::string scenario_text;          ///< the YAML itself, when not read from `scenario`
  std::vector<std::string> overrides; ///< the user's --set, applied before each plan's
  int job_index = 0;
  PlanSpace space;                    ///< lists left empty get complete_plan_space()'s defaults
  int workers = 1;                    ///< simulations at a time
  /// Also simulate the plans that recompute more than a fitting plan of the same split (by
  /// default they are listed as skipped: recomputation only adds kernels).
  bool every_plan = false;
};

struct PlanResult {
  PlanCandidate plan;
  bool ran = false;      ///< simulated; otherwise `skipped` or `rejected` says why not
  std::string skipped;   ///< fits, but a plan of the same split that recomputes less fits too
  std::string rejected;     ///< the scenario checker's first problem with the plan: "KEY: message"
  std::string rejected_key; ///< its key, e.g. "jobs.0.batch.global"
  double iteration_time_s = 0;
  double tokens_per_s = 0;
  double mfu = 0;
  double memory_per_gpu_bytes = 0;
  double exposed_comm_s = 0;    ///< pipeline rank 0
  double pipeline_bubble_s = 0; ///< pipeline rank 0
  double joules_per_token = 0;      ///< facility energy per token trained (the power model)
  double usd_per_million_tokens = 0; ///< with the scenario's `cost` section; 0 without
};

struct PlanSearch {
  JobConfig job;                  ///< as the scenario gives it
  PlanSpace space;                ///< completed
  /// By GPU count (fewest first), each count's fastest first, then its skipped and rejected
  /// plans in enumeration order.
  std::vector<PlanResult> plans;
};

/// @throw ScenarioError when the scenario itself (before any plan) is invalid or has no job
/// `job_index` (named `job_option`: the CLI's --job, Python's job=).
PlanSearch search_plans(const PlanSearchRequest& request, const std::string& job_option = "--job");

/// What `dcsim plan --json` writes and Python's dcsim.plan() returns: the job, the scenario's own
/// plan, and every plan tried (ranked, then the rejected), with its figures or the reason.
nlohmann::json to_json(const PlanSearch& search);

} // namespace dcsim
