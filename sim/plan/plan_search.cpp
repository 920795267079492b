#include "plan/plan_search.hpp"

#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "engine/isolation.hpp"
#include "engine/simulation.hpp"

#include <algorithm>
#include <functional>
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
  job.group.clear();
  config.jobs = {job};
  config.scheduler = SchedulerConfig();
  config.failures = FailureConfig();
  return config;
}

/// Simulates one plan in the calling process (a forked child): its figures as JSON, or why the
/// scenario checker refused it (its first problem, by key, and how many more it found).
nlohmann::json run_plan(const PlanSearchRequest& request, const std::vector<std::string>& overrides)
{
  ScenarioConfig config;
  try {
    config = job_alone(load(request, overrides), request.job_index);
  } catch (const ScenarioError& e) {
    const Diagnostic& first = e.diagnostics().front();
    const size_t more = e.diagnostics().size() - 1;
    return {{"rejected_key", first.key_path},
            {"rejected", first.key_path + ": " + first.message +
                             (more > 0 ? " (and " + std::to_string(more) + " more)" : "")}};
  }
  const JobResult job = simulate(config).jobs.at(0);
  return {{"iteration_time_s", job.iteration_time_s},
          {"tokens_per_s", job.tokens_per_s},
          {"mfu", job.mfu},
          {"memory_per_gpu_bytes", job.memory.total_bytes()},
          {"exposed_comm_s", job.breakdown.exposed_comm_s},
          {"pipeline_bubble_s", job.breakdown.pipeline_bubble_s}};
}

PlanResult outcome_of(const PlanCandidate& plan, const IsolatedOutcome& outcome)
{
  PlanResult r;
  r.plan = plan;
  if (!outcome.ok) // the simulation itself failed: not the plan's fault, the run's
    throw IsolatedRunError("plan " + describe(plan) + ": " + outcome.error, false);
  const nlohmann::json& v = outcome.value;
  if (v.contains("rejected")) {
    r.rejected = v.at("rejected");
    r.rejected_key = v.at("rejected_key");
    return r;
  }
  r.ran = true;
  r.iteration_time_s = v.at("iteration_time_s");
  r.tokens_per_s = v.at("tokens_per_s");
  r.mfu = v.at("mfu");
  r.memory_per_gpu_bytes = v.at("memory_per_gpu_bytes");
  r.exposed_comm_s = v.at("exposed_comm_s");
  r.pipeline_bubble_s = v.at("pipeline_bubble_s");
  return r;
}

} // namespace

PlanSearch search_plans(const PlanSearchRequest& request, const std::string& job_option)
{
  const ScenarioConfig base = load(request, request.overrides);
  if (request.job_index < 0 || request.job_index >= static_cast<int>(base.jobs.size())) {
    SourceLocation where;
    where.file = job_option;
    Diagnostics diagnostics;
    diagnostics.add(where, "", std::to_string(request.job_index) + " is not a job of " + request.scenario + " (it has " +
                                   std::to_string(base.jobs.size()) + "); expected 0 to " +
                                   std::to_string(static_cast<int>(base.jobs.size()) - 1));
    diagnostics.throw_if_any();
  }
  PlanSearch out;
  out.job = base.jobs[request.job_index];
  out.space = complete_plan_space(request.space, out.job, base.cluster);
  std::vector<PlanCandidate> candidates = enumerate_plans(out.space, out.job);
  // The scenario's own plan is always among them, to rank the others against.
  if (std::find(candidates.begin(), candidates.end(), plan_of(out.job)) == candidates.end())
    candidates.push_back(plan_of(out.job));
  std::vector<std::function<nlohmann::json()>> works;
  for (const PlanCandidate& plan : candidates) {
    std::vector<std::string> overrides = request.overrides;
    for (std::string& o : plan_overrides(request.job_index, plan, out.job))
      overrides.push_back(std::move(o));
    works.push_back([&request, overrides] { return run_plan(request, overrides); });
  }
  const std::vector<IsolatedOutcome> outcomes = run_isolated_all(works, request.workers);
  for (size_t i = 0; i < candidates.size(); ++i)
    out.plans.push_back(outcome_of(candidates[i], outcomes[i]));
  // Fastest first (ties: enumeration order); the rejected after them, in enumeration order.
  std::stable_sort(out.plans.begin(), out.plans.end(), [](const PlanResult& a, const PlanResult& b) {
    if (a.ran != b.ran)
      return a.ran;
    return a.ran && a.iteration_time_s < b.iteration_time_s;
  });
  return out;
}

namespace {

nlohmann::json plan_json(const PlanResult& r)
{
  nlohmann::json j = {{"plan", describe(r.plan)},
                      {"tensor", r.plan.tensor},
                      {"pipeline", r.plan.pipeline},
                      {"data", r.plan.data},
                      {"context", r.plan.context},
                      {"expert", r.plan.expert},
                      {"micro_batch", r.plan.micro_batch},
                      {"virtual_stages", r.plan.virtual_stages},
                      {"recompute", recompute_name(r.plan.recompute)}};
  if (!r.ran) {
    j["rejected"] = r.rejected;
    return j;
  }
  j.update({{"iteration_time_s", r.iteration_time_s},
            {"tokens_per_s", r.tokens_per_s},
            {"mfu", r.mfu},
            {"memory_per_gpu_bytes", r.memory_per_gpu_bytes},
            {"exposed_comm_s", r.exposed_comm_s},
            {"pipeline_bubble_s", r.pipeline_bubble_s}});
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
