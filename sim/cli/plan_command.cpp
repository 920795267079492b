// `dcsim plan SCENARIO`: which tensor x pipeline x data split, micro-batch, interleaving and
// recompute trains one of the scenario's jobs fastest on its cluster, among the plans that fit
// in memory: every candidate simulated (plan/plan_search.hpp), ranked, the rejected with why.
#include "cli/commands.hpp"

#include "config/scenario_error.hpp"
#include "plan/plan_search.hpp"
#include "results/json_report.hpp"
#include "units/units.hpp"

#include <chrono>
#include <stdexcept>
#include <cstdio>
#include <map>
#include <utility>

namespace dcsim::cli {

namespace {

/// A bad option value: a one-line error naming the option, exit 2.
[[noreturn]] void bad_option(const std::string& option, const std::string& message)
{
  SourceLocation where;
  where.file = option;
  Diagnostics diagnostics;
  diagnostics.add(where, "", message);
  diagnostics.throw_if_any();
  throw std::logic_error(message); // not reached: throw_if_any threw
}

std::vector<Recompute> recompute_choices(const std::vector<std::string>& words)
{
  std::vector<Recompute> out;
  for (const std::string& w : words) {
    bool known = false;
    for (Recompute r : {Recompute::None, Recompute::Selective, Recompute::Full})
      if (recompute_name(r) == w)
        out.push_back(r), known = true;
    if (!known)
      bad_option("--recompute", "\"" + w + "\" is not a recompute choice; expected none, selective or full");
  }
  return out;
}

void check_degrees(const char* option, const std::vector<int>& values)
{
  for (int v : values)
    if (v < 1 || v > 65536)
      bad_option(option, std::to_string(v) + " is not a degree; expected whole numbers from 1 to 65536");
}

nlohmann::json plan_json(const PlanResult& r)
{
  nlohmann::json j = {{"plan", describe(r.plan)},
                      {"tensor", r.plan.tensor},
                      {"pipeline", r.plan.pipeline},
                      {"data", r.plan.data},
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

bool same_plan(const PlanCandidate& a, const PlanCandidate& b)
{
  return a.tensor == b.tensor && a.pipeline == b.pipeline && a.data == b.data && a.micro_batch == b.micro_batch &&
         a.virtual_stages == b.virtual_stages && a.recompute == b.recompute;
}

/// Why plans were rejected, by the key the checker named: how many, and the first one's reason.
std::map<std::string, std::pair<int, std::string>> rejections_by_key(const std::vector<PlanResult>& plans)
{
  std::map<std::string, std::pair<int, std::string>> out;
  for (const PlanResult& r : plans)
    if (!r.ran) {
      auto& [count, example] = out[r.rejected_key];
      if (count++ == 0)
        example = r.rejected.size() > 110 ? r.rejected.substr(0, 107) + "..." : r.rejected;
    }
  return out;
}

void print_table(const PlanSearch& search, int top, double wall_s)
{
  const PlanCandidate own = plan_of(search.job);
  int ran = 0;
  for (const PlanResult& r : search.plans)
    ran += r.ran;
  std::printf("job %s: %d GPUs, %zu plans tried, %d fit and ran, %zu rejected (%.1f s)\n", search.job.name.c_str(),
              search.job.gpus, search.plans.size(), ran, search.plans.size() - ran, wall_s);
  std::printf("%5s  %-30s %12s %14s %7s %11s %10s %9s\n", "rank", "plan", "iteration s", "tokens/s", "MFU",
              "memory GiB", "exposed s", "bubble s");
  int rank = 0;
  for (const PlanResult& r : search.plans) {
    if (!r.ran)
      break;
    ++rank;
    const bool mine = same_plan(r.plan, own);
    if (rank > top && !mine)
      continue;
    std::printf("%5d  %-30s %12.4f %14.0f %6.1f%% %11.1f %10.3f %9.3f%s\n", rank, describe(r.plan).c_str(),
                r.iteration_time_s, r.tokens_per_s, 100 * r.mfu, r.memory_per_gpu_bytes / (1024.0 * 1024 * 1024),
                r.exposed_comm_s, r.pipeline_bubble_s, mine ? "   <- the scenario's plan" : "");
  }
  for (const PlanResult& r : search.plans)
    if (!r.ran && same_plan(r.plan, own))
      std::printf("the scenario's plan (%s) was rejected: %s\n", describe(own).c_str(), r.rejected.c_str());
  for (const auto& [key, rejected] : rejections_by_key(search.plans))
    std::printf("rejected at %s: %d, e.g. %s\n", key.c_str(), rejected.first, rejected.second.c_str());
}

} // namespace

int plan_command(const PlanArgs& args)
{
  check_degrees("--tensor", args.tensor);
  check_degrees("--pipeline", args.pipeline);
  check_degrees("--micro-batch", args.micro_batch);
  check_degrees("--virtual-stages", args.virtual_stages);
  if (args.top < 1)
    bad_option("--top", std::to_string(args.top) + " plans; expected at least 1");
  if (args.workers < 1 || args.workers > 1024)
    bad_option("--workers", std::to_string(args.workers) + " processes; expected 1 to 1024");
  PlanSearchRequest request;
  request.scenario = args.scenario;
  request.overrides = args.overrides;
  request.job_index = args.job;
  request.space = {args.tensor, args.pipeline, args.micro_batch, args.virtual_stages, recompute_choices(args.recompute)};
  request.workers = args.workers;
  const auto start = std::chrono::steady_clock::now();
  const PlanSearch search = search_plans(request);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.json_path.empty()) {
    nlohmann::json plans = nlohmann::json::array();
    for (const PlanResult& r : search.plans)
      plans.push_back(plan_json(r));
    write_json_file(args.json_path, {{"job", search.job.name}, {"gpus", search.job.gpus}, {"wall_clock_s", wall_s},
                                     {"scenario_plan", describe(plan_of(search.job))}, {"plans", plans}});
  }
  if (!args.quiet)
    print_table(search, args.top, wall_s);
  return 0;
}

} // namespace dcsim::cli
