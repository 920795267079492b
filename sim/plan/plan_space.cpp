#include "plan/plan_space.hpp"

#include "config/scenario_error.hpp"

#include <algorithm>
#include <stdexcept>

namespace dcsim {

namespace {

/// 1, 2, 4, ... up to `limit`.
std::vector<int> powers_of_two_up_to(int limit)
{
  std::vector<int> out;
  for (long long v = 1; v <= limit; v *= 2)
    out.push_back(static_cast<int>(v));
  return out;
}

/// A bad option value: a one-line error naming the option.
[[noreturn]] void bad_option(const std::string& option, const std::string& message)
{
  Diagnostics diagnostics;
  diagnostics.add({option, 0, 0}, "", message);
  diagnostics.throw_if_any();
  throw InternalError("a diagnostic was added but none was thrown");
}

std::vector<Recompute> recompute_choices(const std::vector<std::string>& words, const std::string& option)
{
  std::vector<Recompute> out;
  for (const std::string& w : words) {
    const auto known = {Recompute::None, Recompute::Selective, Recompute::Full};
    const auto it = std::find_if(known.begin(), known.end(), [&](Recompute r) { return recompute_name(r) == w; });
    if (it == known.end())
      bad_option(option, "\"" + w + "\" is not a recompute choice; expected none, selective or full");
    out.push_back(*it);
  }
  return out;
}

const std::vector<int>& degrees(const std::vector<int>& values, const std::string& option)
{
  for (int v : values)
    if (v < 1 || v > 65536)
      bad_option(option, std::to_string(v) + " is not a degree; expected whole numbers from 1 to 65536");
  return values;
}

const std::vector<int>& zero_stages(const std::vector<int>& values, const std::string& option)
{
  for (int v : values)
    if (v < 0 || v > 3)
      bad_option(option, std::to_string(v) + " is not a ZeRO stage; expected 0, 1, 2 or 3");
  return values;
}

/// Interleaving is searched only where the schedule is chosen by it (1F1B or interleaved);
/// zero-bubble, GPipe and DualPipeV keep the job's chunks and schedule.
bool interleaving_searched(const JobConfig& job)
{
  const PipelineSchedule s = job.parallelism.schedule;
  return s == PipelineSchedule::OneFOneB || s == PipelineSchedule::Interleaved;
}

} // namespace

PlanSpace complete_plan_space(PlanSpace space, const JobConfig& job, const ClusterConfig& cluster)
{
  const int domain = cluster.node.scale_up_domain_gpus > 0 ? cluster.node.scale_up_domain_gpus : cluster.node.gpus;
  if (space.gpus.empty())
    space.gpus = {job.gpus};
  const int largest = *std::max_element(space.gpus.begin(), space.gpus.end());
  if (space.tensor.empty())
    space.tensor = powers_of_two_up_to(std::min(domain, largest));
  if (space.pipeline.empty())
    space.pipeline = powers_of_two_up_to(std::min(job.model.layers, largest));
  if (space.context.empty())
    space.context = {job.parallelism.context};
  if (space.expert.empty())
    space.expert = {job.parallelism.expert};
  if (space.micro_batch.empty())
    space.micro_batch = {1, 2, 4};
  if (space.virtual_stages.empty())
    space.virtual_stages = interleaving_searched(job) ? std::vector<int>{1, 2, 4}
                                                      : std::vector<int>{job.parallelism.virtual_stages};
  if (space.recompute.empty())
    space.recompute = {Recompute::None, Recompute::Selective, Recompute::Full};
  if (space.zero.empty())
    space.zero = {job.parallelism.zero};
  return space;
}

std::vector<PlanCandidate> enumerate_plans(const PlanSpace& space, const JobConfig& job)
{
  std::vector<PlanCandidate> out;
  for (int g : space.gpus)
    for (int t : space.tensor)
      for (int p : space.pipeline)
        for (int c : space.context) {
          const long long inner = t * static_cast<long long>(p) * c;
          if (inner <= 0 || g % inner != 0)
            continue;
          const int data = static_cast<int>(g / inner);
          for (int e : space.expert) {
            if (e <= 0 || (static_cast<long long>(data) * c) % e != 0)
              continue; // experts split over the data x context ranks
            for (int m : space.micro_batch) {
              if (m <= 0 || job.batch.global % (static_cast<long long>(m) * data) != 0)
                continue;
              for (int v : space.virtual_stages) {
                if (v > 1 && p == 1 && interleaving_searched(job))
                  continue; // interleaving needs a pipeline
                for (int z : space.zero)
                  for (Recompute r : space.recompute)
                    out.push_back({g, t, p, data, c, e, m, v, r, z, t > 1});
              }
            }
          }
        }
  return out;
}

std::vector<std::string> plan_overrides(int job_index, const PlanCandidate& plan, const JobConfig& job)
{
  const std::string j = "jobs." + std::to_string(job_index) + ".";
  const std::string par = j + "parallelism.";
  std::vector<std::string> out = {
      j + "gpus=" + std::to_string(plan.gpus),
      par + "tensor=" + std::to_string(plan.tensor),
      par + "pipeline=" + std::to_string(plan.pipeline),
      par + "data=" + std::to_string(plan.data),
      par + "context=" + std::to_string(plan.context),
      par + "expert=" + std::to_string(plan.expert),
      par + "virtual_stages=" + std::to_string(plan.virtual_stages),
      par + "sequence_parallel=" + std::string(plan.sequence_parallel ? "true" : "false"),
      par + "zero=" + std::to_string(plan.zero),
      j + "batch.micro=" + std::to_string(plan.micro_batch),
      j + "recompute=" + recompute_name(plan.recompute),
      j + "memory_check=error",
  };
  if (interleaving_searched(job))
    out.push_back(par + "schedule=" + std::string(plan.virtual_stages > 1 ? "interleaved" : "1f1b"));
  return out;
}

bool operator==(const PlanCandidate& a, const PlanCandidate& b)
{
  return a.gpus == b.gpus && a.tensor == b.tensor && a.pipeline == b.pipeline && a.data == b.data && a.context == b.context &&
         a.expert == b.expert && a.micro_batch == b.micro_batch && a.virtual_stages == b.virtual_stages &&
         a.recompute == b.recompute && a.zero == b.zero && a.sequence_parallel == b.sequence_parallel;
}

std::string describe(const PlanCandidate& plan)
{
  std::string out = "TP" + std::to_string(plan.tensor) + " PP" + std::to_string(plan.pipeline) + " DP" +
                    std::to_string(plan.data);
  if (plan.context > 1)
    out += " CP" + std::to_string(plan.context);
  if (plan.expert > 1)
    out += " EP" + std::to_string(plan.expert);
  out += " mb" + std::to_string(plan.micro_batch);
  if (plan.virtual_stages > 1)
    out += " v" + std::to_string(plan.virtual_stages);
  if (plan.tensor > 1 && !plan.sequence_parallel)
    out += " no-SP";
  if (plan.zero > 0)
    out += " zero" + std::to_string(plan.zero);
  return out + " " + recompute_name(plan.recompute);
}

PlanCandidate plan_of(const JobConfig& job)
{
  const ParallelismConfig& p = job.parallelism;
  return {job.gpus,         p.tensor,         p.pipeline,    p.data,
          p.context,        p.expert,         job.batch.micro, p.virtual_stages,
          job.recompute,    p.zero,           p.sequence_parallel};
}

PlanSpace checked_plan_space(const PlanSpaceLists& lists, const std::function<std::string(const std::string&)>& option)
{
  PlanSpace space;
  space.gpus = degrees(lists.gpus, option("gpus"));
  space.tensor = degrees(lists.tensor, option("tensor"));
  space.pipeline = degrees(lists.pipeline, option("pipeline"));
  space.context = degrees(lists.context, option("context"));
  space.expert = degrees(lists.expert, option("expert"));
  space.micro_batch = degrees(lists.micro_batch, option("micro_batch"));
  space.virtual_stages = degrees(lists.virtual_stages, option("virtual_stages"));
  space.zero = zero_stages(lists.zero, option("zero"));
  space.recompute = recompute_choices(lists.recompute, option("recompute"));
  return space;
}

} // namespace dcsim
