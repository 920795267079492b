// The scenario's `scheduler` section and the cluster trace it may replay.
#include "config/internal/readers.hpp"
#include "config/job_trace_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

namespace dcsim::internal {

namespace {

const NameTable<SchedulingPolicyKind> kPolicies = {{"fifo", SchedulingPolicyKind::Fifo},
                                                   {"first_fit", SchedulingPolicyKind::FirstFit},
                                                   {"smallest_first", SchedulingPolicyKind::SmallestFirst},
                                                   {"easy_backfill", SchedulingPolicyKind::EasyBackfill},
                                                   {"multifactor", SchedulingPolicyKind::Multifactor},
                                                   {"las", SchedulingPolicyKind::LeastAttainedService},
                                                   {"fair_share", SchedulingPolicyKind::FairShare},
                                                   {"conservative_backfill", SchedulingPolicyKind::ConservativeBackfill}};
// true and false keep the boolean spelling of multifactor's backfill (EASY or none) working.
const NameTable<BackfillKind> kBackfills = {{"easy", BackfillKind::Easy},
                                            {"conservative", BackfillKind::Conservative},
                                            {"none", BackfillKind::None},
                                            {"true", BackfillKind::Easy},
                                            {"false", BackfillKind::None}};
const NameTable<PlacementKind> kPlacements = {{"consecutive", PlacementKind::Consecutive},
                                              {"topology_aware", PlacementKind::TopologyAware},
                                              {"scattered", PlacementKind::Scattered}};

/// `quotas: demand` or `quotas: {group: GPUs, ...}`, for the groups the trace and jobs name.
void read_quotas(MapReader& scheduler, SchedulerConfig& out)
{
  out.quotas.borrowing = scheduler.boolean("quota_borrowing", false);
  if (!scheduler.has("quotas")) {
    if (out.quotas.borrowing)
      scheduler.error("quota_borrowing", "lends GPUs across quotas but there are none; expected quotas beside it");
    return;
  }
  const YAML::Node node = scheduler.raw("quotas");
  const std::string expected = "; expected quotas: demand (each group's share of the trace's GPU-hours) or "
                               "{group: GPUs, ...}";
  if (out.groups.empty()) {
    scheduler.error("quotas", std::string("applies to groups but ") +
                                  (out.trace_path.empty() ? "there is no trace" : out.trace_path + " has no group column") +
                                  " and no job names a group; expected a trace with a cluster (Philly) or group column, "
                                  "an SWF trace with trace_group, or jobs with group: NAME");
    return;
  }
  if (node.IsScalar()) {
    if (node.Scalar() == "demand")
      out.quotas.by_demand = true;
    else
      scheduler.error("quotas", "\"" + node.Scalar() + "\" is not a quota rule" + expected);
    return;
  }
  if (!node.IsMap() || node.size() == 0) {
    scheduler.error("quotas", "is neither a rule nor a mapping of groups" + expected);
    return;
  }
  MapReader quotas(node, scheduler.path_of("quotas"), scheduler.context());
  for (const auto& kv : node) {
    const std::string group = kv.first.Scalar();
    const int gpus = static_cast<int>(quotas.integer(group, std::nullopt, 1));
    if (std::find(out.groups.begin(), out.groups.end(), group) == out.groups.end())
      quotas.error(group, "is not a group of the trace or the jobs; expected one of their " +
                              std::to_string(out.groups.size()) + " groups, e.g. " + out.groups.front());
    else
      out.quotas.gpus[group] = gpus;
  }
  quotas.finish();
}

/// `preemption: true | false | {restart: DURATION, checkpoint_interval: DURATION}`; it takes back
/// lent GPUs, so it needs quota_borrowing.
void read_preemption(MapReader& scheduler, SchedulerConfig& out)
{
  PreemptionConfig& p = out.preemption;
  if (!scheduler.has("preemption")) {
    p.enabled = out.policy == SchedulingPolicyKind::LeastAttainedService; // it preempts by design
    return;
  }
  const YAML::Node node = scheduler.raw("preemption");
  if (node.IsMap()) {
    MapReader keys(node, scheduler.path_of("preemption"), scheduler.context());
    p.enabled = true;
    p.restart_s = keys.quantity_at_most("restart", Dimension::Seconds, 0.0, true, kMaxSimulatedTimeS, "10 years",
                                        kSimulatedTimeLimitWhy);
    p.checkpoint_interval_s = keys.quantity_at_most("checkpoint_interval", Dimension::Seconds, 0.0, true,
                                                    kMaxSimulatedTimeS, "10 years", kSimulatedTimeLimitWhy);
    keys.finish();
  } else if (node.IsScalar()) {
    p.enabled = scheduler.boolean("preemption", false);
  } else {
    scheduler.error("preemption", "is neither a boolean nor a mapping; expected true, false or "
                                  "{restart: DURATION, checkpoint_interval: DURATION}");
  }
  const bool las = out.policy == SchedulingPolicyKind::LeastAttainedService;
  if (las && !p.enabled)
    scheduler.error("preemption", "is off but policy las preempts by design; expected true or "
                                  "{restart: DURATION, checkpoint_interval: DURATION}");
  if (p.enabled && !out.quotas.borrowing && !las)
    scheduler.error("preemption", "takes back GPUs lent across quotas but nothing is lent; expected quotas and "
                                  "quota_borrowing: true beside it (or policy: las)");
}

/// `fair_share_half_life: DURATION` with policy fair_share (or multifactor), which needs groups
/// to share between.
void read_fair_share(MapReader& scheduler, SchedulerConfig& out)
{
  const bool fair_share = out.policy == SchedulingPolicyKind::FairShare;
  if (scheduler.has("fair_share_half_life")) {
    if (!out.tracks_usage())
      scheduler.error("fair_share_half_life", "applies to policies fair_share and multifactor only; expected one of "
                                              "them beside it");
    else
      out.fair_share_half_life_s = scheduler.quantity_at_most("fair_share_half_life", Dimension::Seconds, std::nullopt,
                                                              false, kMaxSimulatedTimeS, "10 years",
                                                              kSimulatedTimeLimitWhy);
  }
  if (fair_share && out.groups.empty())
    scheduler.error("policy", "fair_share shares the cluster between groups but there are none; expected a trace with "
                              "a cluster (Philly) or group column, an SWF trace with trace_group, or jobs with group: NAME");
}

/// Whether account `a`'s chain of parents comes back to it.
bool in_cycle(const std::vector<FairTreeAccount>& accounts, int a)
{
  int at = accounts[a].parent;
  for (size_t steps = 0; at >= 0 && steps < accounts.size(); ++steps, at = accounts[at].parent)
    if (at == a)
      return true;
  return false;
}

/// `accounts: {ACCOUNT: [GROUP or ACCOUNT, ...], ...}`: Slurm accounts above the groups, for Fair
/// Tree; an account listing another puts it below itself, so the tree may be as deep as Slurm's.
void read_accounts(MapReader& m, const std::vector<std::string>& groups, MultifactorConfig& c)
{
  const YAML::Node node = m.raw("accounts");
  const std::string expected =
      "; expected {ACCOUNT: [GROUP or ACCOUNT, ...], ...} naming groups of the trace or the jobs, or other accounts";
  if (!c.fair_tree) {
    m.error("accounts", "rank groups within accounts, which only Fair Tree does; expected fair_tree: true beside it");
    return;
  }
  if (!node.IsMap() || node.size() == 0) {
    m.error("accounts", "is not a mapping of accounts to groups" + expected);
    return;
  }
  std::vector<FairTreeAccount> accounts;
  for (const auto& entry : node)
    accounts.push_back({entry.first.Scalar(), {}, -1});
  const auto account_index = [&](const std::string& name) {
    for (size_t a = 0; a < accounts.size(); ++a)
      if (accounts[a].name == name)
        return static_cast<int>(a);
    return -1;
  };
  std::vector<bool> placed(groups.size(), false);
  int a = 0;
  for (const auto& entry : node) {
    FairTreeAccount& account = accounts[a];
    const YAML::Node members = entry.second;
    if (std::find(groups.begin(), groups.end(), account.name) != groups.end()) {
      m.error("accounts", "account \"" + account.name + "\" has a group's name; expected names of their own");
      return;
    }
    if (!members.IsSequence() || members.size() == 0) {
      m.error("accounts", "account \"" + account.name + "\" lists no groups" + expected);
      return;
    }
    for (const auto& member : members) {
      const std::string name = member.IsScalar() ? member.Scalar() : "";
      const int child = account_index(name);
      if (child >= 0) { // an account below this one
        if (child == a || accounts[child].parent >= 0) {
          m.error("accounts", "account \"" + name + "\" is listed " +
                                  (child == a ? "in itself" : "under two accounts") +
                                  "; expected each account under one account at most");
          return;
        }
        accounts[child].parent = a;
        continue;
      }
      const auto it = std::find(groups.begin(), groups.end(), name);
      if (it == groups.end()) {
        m.error("accounts", "account \"" + account.name + "\" lists \"" + name + "\", which is neither a group nor an account" + expected);
        return;
      }
      const int g = static_cast<int>(it - groups.begin());
      if (placed[g]) {
        m.error("accounts", "group \"" + name + "\" is in two accounts; expected each group in one at most");
        return;
      }
      placed[g] = true;
      account.groups.push_back(g);
    }
    ++a;
  }
  for (size_t i = 0; i < accounts.size(); ++i)
    if (in_cycle(accounts, static_cast<int>(i))) {
      m.error("accounts", "account \"" + accounts[i].name + "\" is below itself; expected a tree");
      return;
    }
  c.accounts = std::move(accounts);
}

/// `multifactor: {age, fair_share, job_size, max_age, favor_small, backfill}` with policy multifactor.
void read_multifactor(MapReader& scheduler, SchedulerConfig& out)
{
  auto m = scheduler.child("multifactor");
  if (!m)
    return;
  if (out.policy != SchedulingPolicyKind::Multifactor) {
    scheduler.error("multifactor", "applies to policy multifactor only; expected policy: multifactor beside it");
    return;
  }
  MultifactorConfig& c = out.multifactor;
  const double max_weight = 4294967295.0; // Slurm's weights are 32-bit unsigned integers
  c.weight_age = m->number("age", c.weight_age, 0.0, max_weight);
  c.weight_fair_share = m->number("fair_share", c.weight_fair_share, 0.0, max_weight);
  c.weight_job_size = m->number("job_size", c.weight_job_size, 0.0, max_weight);
  c.max_age_s = m->quantity_at_most("max_age", Dimension::Seconds, c.max_age_s, false, kMaxSimulatedTimeS, "10 years",
                                    kSimulatedTimeLimitWhy);
  c.favor_small = m->boolean("favor_small", c.favor_small);
  c.fair_tree = m->boolean("fair_tree", c.fair_tree);
  c.backfill = m->choice("backfill", kBackfills, c.backfill);
  if (m->has("accounts"))
    read_accounts(*m, out.groups, c);
  m->finish();
}

/// `backfill_depth: N` and `backfill_window: DURATION`, the limits of a conservative plan.
void read_backfill_plan(MapReader& scheduler, SchedulerConfig& out)
{
  for (const char* key : {"backfill_depth", "backfill_window"})
    if (scheduler.has(key) && !out.plans_conservatively()) {
      scheduler.error(key, "applies to conservative backfilling only; expected policy: conservative_backfill, or "
                           "policy: multifactor with multifactor: {backfill: conservative}, beside it");
      return;
    }
  if (scheduler.has("backfill_interval")) {
    if (!out.backfills())
      scheduler.error("backfill_interval", "paces backfilling, which this policy does not do; expected policy "
                                           "easy_backfill, conservative_backfill or multifactor with backfill");
    else if (scheduler.has("quotas"))
      scheduler.error("backfill_interval", "is not modelled with quotas; expected one or the other");
    else
      out.backfill_interval_s = scheduler.quantity_at_most("backfill_interval", Dimension::Seconds, std::nullopt,
                                                           false, kMaxSimulatedTimeS, "10 years",
                                                           kSimulatedTimeLimitWhy);
  }
  BackfillPlanConfig& b = out.backfill;
  b.depth = static_cast<int>(scheduler.integer("backfill_depth", b.depth, 1, 1000000));
  if (scheduler.has("backfill_window"))
    b.window_s = scheduler.quantity_at_most("backfill_window", Dimension::Seconds, std::nullopt, false,
                                            kMaxSimulatedTimeS, "10 years", kSimulatedTimeLimitWhy);
}

/// The keys that need the trace's groups, not read when the trace could not be: marked as seen
/// (so that they are not also reported as unknown).
void skip_keys_needing_the_trace(MapReader& scheduler)
{
  for (const char* key : {"quotas", "quota_borrowing", "preemption", "las_thresholds", "las_promote_knob",
                          "fair_share_half_life", "multifactor", "backfill_depth", "backfill_window",
                          "backfill_interval", "trace_format", "trace_group", "trace_processors_per_gpu",
                          "trace_traffic", "trace_feedback", "switches"})
    scheduler.has(key);
}

/// `las_thresholds: [GPU-time, ...]`: increasing durations of GPU-time (1h: one GPU-hour).
void read_las_thresholds(MapReader& scheduler, SchedulerConfig& out)
{
  if (scheduler.has("las_promote_knob")) {
    if (out.policy != SchedulingPolicyKind::LeastAttainedService)
      scheduler.error("las_promote_knob", "applies to policy las only; expected policy: las beside it");
    else
      out.las_promote_knob = scheduler.number("las_promote_knob", 0.0, 0.0, 1e6);
  }
  if (!scheduler.has("las_thresholds"))
    return;
  const YAML::Node node = scheduler.raw("las_thresholds");
  const std::string expected = "; expected increasing GPU-time durations, e.g. [1h, 10h] (one and ten GPU-hours)";
  if (out.policy != SchedulingPolicyKind::LeastAttainedService) {
    scheduler.error("las_thresholds", "applies to policy las only; expected policy: las beside it");
    return;
  }
  if (!node.IsSequence() || node.size() == 0) {
    scheduler.error("las_thresholds", "is not a list" + expected);
    return;
  }
  std::vector<double> thresholds;
  for (const auto& item : node) {
    double gpu_s = 0;
    try {
      gpu_s = item.IsScalar() ? parse_quantity(item.Scalar(), Dimension::Seconds) : -1;
    } catch (const std::exception&) {
      gpu_s = -1;
    }
    if (!(gpu_s > 0) || gpu_s > kMaxSimulatedTimeS * 1e6 || (!thresholds.empty() && gpu_s <= thresholds.back())) {
      scheduler.error("las_thresholds", "has \"" + (item.IsScalar() ? item.Scalar() : std::string("a list")) +
                                            "\", which is not a positive duration above the one before it" + expected);
      return;
    }
    thresholds.push_back(gpu_s);
  }
  out.las_thresholds_gpu_s = thresholds;
}

/// The keys saying how to read the trace: trace_format, and SWF's trace_group and
/// trace_processors_per_gpu (errors on them when there is no trace, or it is not SWF).
TraceOptions read_trace_options(MapReader& scheduler, const std::string* trace_text, const std::string& trace_path)
{
  TraceOptions options;
  const char* swf_keys[] = {"trace_group", "trace_processors_per_gpu", "trace_feedback"};
  if (!trace_text) {
    for (const char* key : {"trace_format", swf_keys[0], swf_keys[1], swf_keys[2]})
      if (scheduler.has(key))
        scheduler.error(key, "describes a trace but none is given; expected a trace: FILE beside it");
    return options;
  }
  options.format = scheduler.choice("trace_format", trace_format_names(), TraceFormat::Auto);
  const TraceFormat format =
      options.format == TraceFormat::Auto ? detect_trace_format(*trace_text, trace_path) : options.format;
  if (format != TraceFormat::Swf) {
    for (const char* key : swf_keys)
      if (scheduler.has(key))
        scheduler.error(key, "applies to Standard Workload Format traces, and " + trace_path +
                                 " is read as CSV; expected a .swf file, or trace_format: swf");
    return options;
  }
  options.swf_group = scheduler.choice("trace_group", swf_group_names(), SwfGroupField::None);
  options.processors_per_gpu = static_cast<int>(scheduler.integer("trace_processors_per_gpu", 1, 1, 1000000));
  options.feedback = scheduler.boolean("trace_feedback", false);
  return options;
}

/// `trace_traffic: {gradient: BYTES, iteration: DURATION}`: the load a trace's multi-node jobs
/// put on the fabric.
void read_trace_traffic(MapReader& scheduler, bool has_trace, SchedulerConfig& out)
{
  const std::optional<MapReader> child = scheduler.child("trace_traffic");
  if (!child)
    return;
  MapReader keys = *child;
  if (!has_trace) {
    scheduler.error("trace_traffic", "describes a trace's jobs but there is no trace; expected a trace: FILE beside it");
    return;
  }
  TraceTrafficConfig& t = out.trace_traffic;
  t.gradient_bytes = keys.quantity("gradient", Dimension::Bytes);
  t.iteration_s = keys.quantity_at_most("iteration", Dimension::Seconds, std::nullopt, false, kMaxSimulatedTimeS,
                                        "10 years", kSimulatedTimeLimitWhy);
  t.stretch = keys.boolean("stretch", false);
  keys.finish();
}

/// Adds the jobs' groups that the trace does not name.
void add_training_groups(const std::vector<std::string>& training_groups, std::vector<std::string>& groups)
{
  for (const std::string& g : training_groups)
    if (std::find(groups.begin(), groups.end(), g) == groups.end())
      groups.push_back(g);
}

} // namespace

SwitchesConfig read_switches(MapReader& parent)
{
  SwitchesConfig out;
  const std::optional<MapReader> child = parent.child("switches");
  if (!child)
    return out;
  MapReader keys = *child;
  out.count = static_cast<int>(keys.integer("count", 1, 1, 1000000));
  out.wait_s = keys.quantity_at_most("wait", Dimension::Seconds, std::nullopt, false, kMaxSimulatedTimeS, "10 years",
                                     kSimulatedTimeLimitWhy);
  keys.finish();
  return out;
}

SchedulerConfig read_scheduler(MapReader& scheduler, const std::vector<std::string>& training_groups)
{
  SchedulerConfig out;
  out.enabled = true;
  out.policy = scheduler.choice("policy", kPolicies, SchedulingPolicyKind::Fifo);
  out.placement = scheduler.choice("placement", kPlacements, PlacementKind::Consecutive);
  const long long limit = scheduler.integer("trace_jobs", 0, 0);
  if (!scheduler.has("trace")) {
    if (scheduler.has("trace_jobs"))
      scheduler.error("trace_jobs", "limits a trace but none is given; expected a trace: FILE beside it");
    read_trace_options(scheduler, nullptr, "");
    read_trace_traffic(scheduler, false, out);
    add_training_groups(training_groups, out.groups);
    read_quotas(scheduler, out);
    read_preemption(scheduler, out);
    read_las_thresholds(scheduler, out);
    read_multifactor(scheduler, out);
    read_backfill_plan(scheduler, out);
    read_fair_share(scheduler, out);
    out.switches = read_switches(scheduler);
    return out;
  }
  const std::string name = scheduler.text("trace");
  const std::optional<std::string> text = read_named_file(
      scheduler, "trace", name,
      "a CSV or SWF file of jobs (relative to the scenario, the working directory or the data directory)",
      out.trace_path);
  if (!text) {
    skip_keys_needing_the_trace(scheduler);
    return out;
  }
  out.trace_options = read_trace_options(scheduler, &*text, out.trace_path);
  JobTrace trace;
  const std::string problem = read_job_trace(*text, out.trace_path, out.trace_options, trace);
  if (!problem.empty()) {
    scheduler.error("trace", name + " " + problem);
    skip_keys_needing_the_trace(scheduler);
    return out;
  }
  out.trace_jobs = std::move(trace.jobs);
  out.groups = std::move(trace.groups);
  out.trace_skipped_jobs = trace.skipped;
  read_trace_traffic(scheduler, true, out);
  for (const TraceJob& job : out.trace_jobs)
    if (job.gradient_bytes > 0 && job.iteration_s <= 0 && !(out.trace_traffic.iteration_s > 0)) {
      scheduler.error("trace", name + " line " + std::to_string(job.line) +
                                   ": gives the job's gradient_bytes but not how often it sends them; expected an "
                                   "iteration_s column, or trace_traffic: {gradient, iteration} beside the trace");
      break;
    }
  if (limit > 0 && static_cast<size_t>(limit) < out.trace_jobs.size())
    out.trace_jobs.resize(static_cast<size_t>(limit));
  add_training_groups(training_groups, out.groups);
  read_quotas(scheduler, out);
  read_preemption(scheduler, out);
  read_las_thresholds(scheduler, out);
  read_multifactor(scheduler, out);
  read_backfill_plan(scheduler, out);
  read_fair_share(scheduler, out);
  out.switches = read_switches(scheduler);
  const TraceJob& last = out.trace_jobs.back(); // in submission order
  if (last.submit_s > kMaxSimulatedTimeS) {
    scheduler.error("trace", name + " line " + std::to_string(last.line) + ": submitted more than 10 years after "
                             "the trace's first job (" + kSimulatedTimeLimitWhy + "); expected a trace spanning at most 10 years, "
                             "or fewer trace_jobs");
    out.trace_jobs.clear();
  }
  return out;
}

void check_trace_failures(MapReader& scheduler, const SchedulerConfig& config, const FailureConfig& failures,
                          const ClusterConfig& cluster)
{
  if (!failures.enabled() || config.trace_jobs.empty() || cluster.node.gpus <= 0)
    return;
  // A job of D seconds on n nodes fails every M = node_mtbf / n on average; it needs a stretch
  // of D (its first try) or R + D (later tries, R the restart) without a failure, so it takes
  // (1 - e^(-D/M)) e^((R+D)/M) M on average (tests/sim/scheduler/trace_failures_test.cpp checks
  // this within 0.02%); with checkpoints every C, each C of work takes that with D = C.
  const double checkpoint_s = failures.trace_job_checkpoint_s;
  for (const TraceJob& job : config.trace_jobs) {
    const FailureExtent extent = unplaced_extent(cluster, job.gpus);
    const double mtbi_s = failures.job_mtbi_s(extent);
    const double restart_s = failures.mean_restart_s(extent);
    const double stretch_s = checkpoint_s > 0 ? std::min(checkpoint_s, job.duration_s) : job.duration_s;
    const double stretches = stretch_s > 0 ? job.duration_s / stretch_s : 0;
    const double exponent = (restart_s + stretch_s) / mtbi_s;
    const double expected_s =
        exponent > 700 ? std::numeric_limits<double>::infinity()
                       : stretches * (1 - std::exp(-stretch_s / mtbi_s)) * std::exp(exponent) * mtbi_s;
    if (expected_s <= kMaxSimulatedTimeS)
      continue;
    scheduler.error("trace", config.trace_path + " line " + std::to_string(job.line) + ": a job of " +
                                 format_seconds(job.duration_s) + " on " + std::to_string(cluster.nodes_for(job.gpus)) +
                                 " node(s), failing every " + format_seconds(mtbi_s) +
                                 " on average (" + failures.rate_source() + ") and restarting in " +
                                 format_seconds(restart_s) +
                                 (checkpoint_s > 0 ? ", checkpointing every " + format_seconds(checkpoint_s) : ", without checkpoints") +
                                 ", would take more than 10 years to finish; expected failures.trace_job_checkpoint, a longer "
                                 "failures.node_mtbf or a shorter failures.restart");
    return; // one line: the first such job
  }
}

void check_trace_feedback(MapReader& scheduler, const SchedulerConfig& config, const ClusterConfig& cluster)
{
  if (!config.trace_options.feedback || config.trace_jobs.empty())
    return;
  // A follower is submitted no earlier than the job it follows, plus that job's run, plus its think
  // time: a chain of them past the simulator's 10 years can never be replayed. (Jobs larger than
  // the cluster are not run; those that follow them keep their logged times.)
  std::unordered_map<long long, double> earliest_end_s; // by SWF job number
  for (const TraceJob& job : config.trace_jobs) {
    if (job.gpus > cluster.total_gpus())
      continue;
    double submit_s = job.submit_s;
    const auto leader = job.preceding >= 0 ? earliest_end_s.find(job.preceding) : earliest_end_s.end();
    if (leader != earliest_end_s.end())
      submit_s = leader->second + std::max(0.0, job.think_s);
    if (submit_s > kMaxSimulatedTimeS) {
      scheduler.error("trace_feedback", config.trace_path + " line " + std::to_string(job.line) +
                                            ": the jobs it follows (field 17) and their think times (field 18) put "
                                            "its submission past 10 years (" + kSimulatedTimeLimitWhy +
                                            "); expected shorter think times, or trace_feedback: false");
      return;
    }
    earliest_end_s[job.number] = submit_s + job.duration_s;
  }
}

} // namespace dcsim::internal
