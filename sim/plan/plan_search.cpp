#include "plan/plan_search.hpp"

#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "engine/isolation.hpp"
#include "engine/simulation.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

namespace dcsim {

namespace {

ScenarioConfig load(const PlanSearchRequest& request, std::vector<std::string> overrides)
{
  LoadOptions options;
  options.overrides = std::move(overrides);
  return request.scenario_text.empty() ? load_scenario(request.scenario, options)
                                       : load_scenario_text(request.scenario_text, request.scenario, options);
}

/// The job alone on the cluster, from its start: its steady speed is what plans are ranked by.
ScenarioConfig job_alone(ScenarioConfig config, int job_index)
{
  JobConfig job = config.jobs[job_index];
  job.start_time_s = 0;
  job.checkpoint = {};
  // Without checkpoints a time limit would end every run before it saved anything (an error).
  job.time_limit_s = 0;
  job.exit_duration_s = 0;
  job.group.clear();
  config.jobs = {job};
  config.scheduler = SchedulerConfig();
  config.failures = FailureConfig();
  return config;
}

/// The checker's first problem with a plan, by key, and how many more it found.
void reject(PlanResult& r, const ScenarioError& e)
{
  const Diagnostic& first = e.diagnostics().front();
  const size_t more = e.diagnostics().size() - 1;
  r.rejected_key = first.key_path;
  r.rejected = first.key_path + ": " + first.message + (more > 0 ? " (and " + std::to_string(more) + " more)" : "");
}

/// Simulates one plan in the calling process (a forked child): its figures as JSON.
nlohmann::json simulate_plan(const ScenarioConfig& config)
{
  const JobResult job = simulate(config).jobs.at(0);
  return {{"iteration_time_s", job.iteration_time_s},
          {"tokens_per_s", job.tokens_per_s},
          {"mfu", job.mfu},
          {"memory_per_gpu_bytes", job.memory.total_bytes()},
          {"exposed_comm_s", job.breakdown.exposed_comm_s},
          {"pipeline_bubble_s", job.breakdown.pipeline_bubble_s},
          {"joules_per_token", job.energy.joules_per_token},
          {"usd_per_million_tokens", job.energy.usd_per_million_tokens}};
}

void record(PlanResult& r, const IsolatedOutcome& outcome)
{
  if (!outcome.ok) // the simulation itself failed: not the plan's fault, the run's
    throw IsolatedRunError("plan " + describe(r.plan) + ": " + outcome.error, false);
  const nlohmann::json& v = outcome.value;
  r.ran = true;
  r.iteration_time_s = v.at("iteration_time_s");
  r.tokens_per_s = v.at("tokens_per_s");
  r.mfu = v.at("mfu");
  r.memory_per_gpu_bytes = v.at("memory_per_gpu_bytes");
  r.exposed_comm_s = v.at("exposed_comm_s");
  r.pipeline_bubble_s = v.at("pipeline_bubble_s");
  r.joules_per_token = v.at("joules_per_token");
  r.usd_per_million_tokens = v.at("usd_per_million_tokens");
}

/// Recomputing adds kernels and changes nothing else the simulation times, so of the plans of one
/// split that fit, the one that recomputes least is the fastest and the others need not be
/// simulated. Per plan, the index of the fitting plan that recomputes least of its split when that
/// is not the plan itself (-1 otherwise).
std::vector<int> dominated_by(const std::vector<PlanResult>& plans, const std::vector<bool>& fits)
{
  // A split: the plan with its recompute choice set aside.
  const auto split_of = [](PlanCandidate plan) {
    plan.recompute = Recompute::None;
    return describe(plan);
  };
  std::map<std::string, size_t> least; // per split, its fitting plan that recomputes least
  for (size_t i = 0; i < plans.size(); ++i)
    if (fits[i]) {
      const auto [it, first] = least.emplace(split_of(plans[i].plan), i);
      if (!first && plans[i].plan.recompute < plans[it->second].plan.recompute)
        it->second = i;
    }
  std::vector<int> out(plans.size(), -1);
  for (size_t i = 0; i < plans.size(); ++i)
    if (fits[i]) {
      const size_t j = least.at(split_of(plans[i].plan));
      if (plans[j].plan.recompute < plans[i].plan.recompute)
        out[i] = static_cast<int>(j);
    }
  return out;
}

/// The candidates: the space's, and the scenario's own plan, always, to rank the others against.
std::vector<PlanCandidate> candidates_of(const PlanSpace& space, const JobConfig& job)
{
  std::vector<PlanCandidate> out = enumerate_plans(space, job);
  if (std::find(out.begin(), out.end(), plan_of(job)) == out.end())
    out.push_back(plan_of(job));
  return out;
}

} // namespace

PlanSearch search_plans(const PlanSearchRequest& request, const std::string& job_option)
{
  const ScenarioConfig base = load(request, request.overrides);
  if (request.job_index < 0 || request.job_index >= static_cast<int>(base.jobs.size())) {
    Diagnostics diagnostics;
    diagnostics.add({job_option, 0, 0}, "", std::to_string(request.job_index) + " is not a job of " + request.scenario + " (it has " +
                                   std::to_string(base.jobs.size()) + "); expected 0 to " +
                                   std::to_string(static_cast<int>(base.jobs.size()) - 1));
    diagnostics.throw_if_any();
  }
  PlanSearch out;
  out.job = base.jobs[request.job_index];
  out.space = complete_plan_space(request.space, out.job, base.cluster);
  const PlanCandidate own = plan_of(out.job);
  const std::vector<PlanCandidate> candidates = candidates_of(out.space, out.job);
  // Checking a plan is loading the scenario with its overrides (no SimGrid: done in this process).
  std::vector<ScenarioConfig> configs(candidates.size());
  std::vector<bool> fits(candidates.size(), false);
  out.plans.resize(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    out.plans[i].plan = candidates[i];
    std::vector<std::string> overrides = request.overrides;
    for (std::string& o : plan_overrides(request.job_index, candidates[i], out.job))
      overrides.push_back(std::move(o));
    try {
      configs[i] = job_alone(load(request, overrides), request.job_index);
      fits[i] = true;
    } catch (const ScenarioError& e) {
      reject(out.plans[i], e);
    }
  }
  const std::vector<int> dominator = dominated_by(out.plans, fits);
  std::vector<size_t> to_run;
  std::vector<std::function<nlohmann::json()>> works;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!fits[i])
      continue;
    if (dominator[i] >= 0 && !request.every_plan && !(candidates[i] == own)) {
      out.plans[i].skipped = "recomputes more than " + describe(candidates[dominator[i]]) +
                             ", which fits: slower by construction, not simulated";
      continue;
    }
    to_run.push_back(i);
    works.push_back([&configs, i] { return simulate_plan(configs[i]); });
  }
  const std::vector<IsolatedOutcome> outcomes = run_isolated_all(works, request.workers);
  for (size_t k = 0; k < to_run.size(); ++k)
    record(out.plans[to_run[k]], outcomes[k]);
  // Fewest GPUs first; within a count the fastest first (ties: enumeration order), then the
  // skipped, then the rejected, in enumeration order.
  const auto group = [](const PlanResult& r) { return r.ran ? 0 : r.skipped.empty() ? 2 : 1; };
  std::stable_sort(out.plans.begin(), out.plans.end(), [&](const PlanResult& a, const PlanResult& b) {
    if (a.plan.gpus != b.plan.gpus)
      return a.plan.gpus < b.plan.gpus;
    if (group(a) != group(b))
      return group(a) < group(b);
    return a.ran && a.iteration_time_s < b.iteration_time_s;
  });
  return out;
}

namespace {

nlohmann::json plan_json(const PlanResult& r)
{
  nlohmann::json j = {{"plan", describe(r.plan)},
                      {"gpus", r.plan.gpus},
                      {"tensor", r.plan.tensor},
                      {"pipeline", r.plan.pipeline},
                      {"data", r.plan.data},
                      {"context", r.plan.context},
                      {"expert", r.plan.expert},
                      {"micro_batch", r.plan.micro_batch},
                      {"virtual_stages", r.plan.virtual_stages},
                      {"recompute", recompute_name(r.plan.recompute)},
                      {"zero", r.plan.zero},
                      {"sequence_parallel", r.plan.sequence_parallel}};
  if (!r.skipped.empty()) {
    j["skipped"] = r.skipped;
    return j;
  }
  if (!r.ran) {
    j["rejected"] = r.rejected;
    return j;
  }
  j.update({{"iteration_time_s", r.iteration_time_s},
            {"tokens_per_s", r.tokens_per_s},
            {"mfu", r.mfu},
            {"memory_per_gpu_bytes", r.memory_per_gpu_bytes},
            {"exposed_comm_s", r.exposed_comm_s},
            {"pipeline_bubble_s", r.pipeline_bubble_s},
            {"joules_per_token", r.joules_per_token}});
  if (r.usd_per_million_tokens > 0)
    j["usd_per_million_tokens"] = r.usd_per_million_tokens;
  return j;
}

} // namespace

nlohmann::json to_json(const PlanSearch& search)
{
  nlohmann::json plans = nlohmann::json::array();
  for (const PlanResult& r : search.plans)
    plans.push_back(plan_json(r));
  return {{"job", search.job.name},
          {"gpus", search.job.gpus},
          {"scenario_plan", describe(plan_of(search.job))},
          {"plans", plans}};
}

} // namespace dcsim
