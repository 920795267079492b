// `dcsim plan SCENARIO`: which tensor x pipeline x context x data split, expert degree,
// micro-batch, interleaving and recompute trains one of the scenario's jobs fastest on its
// cluster, among the plans that fit in memory (plan/plan_search.hpp): a ranked table, and how
// many were skipped or rejected and why.
#include "cli/commands.hpp"

#include "config/scenario_error.hpp"
#include "plan/plan_search.hpp"
#include "results/json_report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <utility>

namespace dcsim::cli {

namespace {

/// Why plans were rejected, by the key the checker named: how many, and the first one's reason.
std::map<std::string, std::pair<int, std::string>> rejections_by_key(const std::vector<PlanResult>& plans)
{
  std::map<std::string, std::pair<int, std::string>> out;
  for (const PlanResult& r : plans)
    if (!r.ran && r.skipped.empty()) {
      auto& [count, example] = out[r.rejected_key];
      if (count++ == 0)
        example = r.rejected.size() > 110 ? r.rejected.substr(0, 107) + "..." : r.rejected;
    }
  return out;
}

/// The ranked plans of one GPU count (`plans` holds that count's results, ranked first).
void print_ranking(const std::vector<const PlanResult*>& plans, const PlanCandidate& own, int top)
{
  std::printf("%5s  %-38s %12s %14s %7s %11s %10s %9s\n", "rank", "plan", "iteration s", "tokens/s", "MFU",
              "memory GiB", "exposed s", "bubble s");
  int rank = 0;
  for (const PlanResult* r : plans) {
    if (!r->ran)
      break;
    ++rank;
    const bool mine = r->plan == own;
    if (rank > top && !mine)
      continue;
    std::printf("%5d  %-38s %12.4f %14.0f %6.1f%% %11.1f %10.3f %9.3f%s\n", rank, describe(r->plan).c_str(),
                r->iteration_time_s, r->tokens_per_s, 100 * r->mfu, r->memory_per_gpu_bytes / (1024.0 * 1024 * 1024),
                r->exposed_comm_s, r->pipeline_bubble_s, mine ? "   <- the scenario's plan" : "");
  }
}

/// With several GPU counts: each count's fastest plan, and its tokens per GPU against the
/// smallest count's (strong-scaling efficiency).
void print_scaling(const std::map<int, std::vector<const PlanResult*>>& by_gpus)
{
  bool priced = false;
  for (const auto& [gpus, plans] : by_gpus)
    priced = priced || (!plans.empty() && plans.front()->usd_per_million_tokens > 0);
  std::printf("best plan by GPU count:\n%8s  %-38s %12s %14s %11s %10s%s\n", "GPUs", "plan", "iteration s",
              "tokens/s", "efficiency", "J/token", priced ? "   $/M tokens" : "");
  double base_per_gpu = 0;
  for (const auto& [gpus, plans] : by_gpus) {
    if (plans.empty() || !plans.front()->ran) {
      std::printf("%8d  %-38s\n", gpus, "(no plan fits)");
      continue;
    }
    const PlanResult& best = *plans.front();
    const double per_gpu = best.tokens_per_s / gpus;
    if (base_per_gpu == 0)
      base_per_gpu = per_gpu;
    std::printf("%8d  %-38s %12.4f %14.0f %10.1f%% %10.3f", gpus, describe(best.plan).c_str(), best.iteration_time_s,
                best.tokens_per_s, 100 * per_gpu / base_per_gpu, best.joules_per_token);
    if (priced)
      std::printf(" %12.4f", best.usd_per_million_tokens);
    std::printf("\n");
  }
}

void print_table(const PlanSearch& search, int top, double wall_s)
{
  const PlanCandidate own = plan_of(search.job);
  int ran = 0, skipped = 0;
  std::map<int, std::vector<const PlanResult*>> by_gpus;
  for (const PlanResult& r : search.plans) {
    ran += r.ran, skipped += !r.skipped.empty();
    by_gpus[r.plan.gpus].push_back(&r);
  }
  std::printf("job %s: %zu plans tried: %d simulated, %d skipped (they fit, but recompute more than a fitting plan "
              "of the same split), %zu rejected (%.1f s)\n",
              search.job.name.c_str(), search.plans.size(), ran, skipped, search.plans.size() - ran - skipped, wall_s);
  for (const auto& [gpus, plans] : by_gpus) {
    std::printf("%d GPUs:\n", gpus);
    print_ranking(plans, own, top);
  }
  if (by_gpus.size() > 1)
    print_scaling(by_gpus);
  for (const PlanResult& r : search.plans)
    if (!r.ran && r.skipped.empty() && r.plan == own)
      std::printf("the scenario's plan (%s) was rejected: %s\n", describe(own).c_str(), r.rejected.c_str());
  for (const auto& [key, rejected] : rejections_by_key(search.plans))
    std::printf("rejected at %s: %d, e.g. %s\n", key.c_str(), rejected.first, rejected.second.c_str());
}

} // namespace

int plan_command(const PlanArgs& args)
{
  // The list's flag: --micro-batch for micro_batch.
  const auto flag = [](std::string list) {
    std::replace(list.begin(), list.end(), '_', '-');
    return "--" + list;
  };
  PlanSearchRequest request;
  request.space = checked_plan_space(args.space, flag);
  Diagnostics diagnostics;
  if (args.top < 1)
    diagnostics.add({"--top", 0, 0}, "", std::to_string(args.top) + " plans; expected at least 1");
  if (args.workers < 1 || args.workers > 1024)
    diagnostics.add({"--workers", 0, 0}, "", std::to_string(args.workers) + " processes; expected 1 to 1024");
  diagnostics.throw_if_any();
  request.scenario = args.scenario;
  request.overrides = args.overrides;
  request.job_index = args.job;
  request.workers = args.workers;
  request.every_plan = args.every_plan;
  const auto start = std::chrono::steady_clock::now();
  const PlanSearch search = search_plans(request);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.json_path.empty()) {
    nlohmann::json out = to_json(search);
    out["wall_clock_s"] = wall_s;
    write_json_file(args.json_path, out);
  }
  if (!args.quiet)
    print_table(search, args.top, wall_s);
  return 0;
}

} // namespace dcsim::cli
