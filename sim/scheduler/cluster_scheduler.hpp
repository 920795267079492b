// A cluster scheduler as one SimGrid actor: jobs (the scenario's training jobs, submitted at
// their start_time, and a trace's jobs) queue for GPUs, the policy starts them, and the
// placement policy picks their nodes (gpu_allocator.hpp). Training jobs are created when they start (the engine's callback)
// and report their end; trace jobs hold their GPUs for their traced duration, so they are timers
// inside this actor, not actors of their own: a 100,000-job trace is cheap. What they send is
// not simulated step by step: with scheduler.trace_traffic, a multi-node one puts an average load
// on the network while it runs (engine/trace_traffic.hpp).
//
// Quotas (scheduler.quotas): a job whose group would go over its GPU quota is not offered to the
// policy until the group's jobs free GPUs, so it waits without holding up other groups. With
// borrowing, the jobs over quota are offered what is left once every job within quota has had
// its turn; with preemption (preemption.hpp), a job within its quota that finds no room takes
// lent GPUs back: trace jobs queue again at once and later run what they did not save; a
// training job is asked to stop at its next iteration boundary (the job waits for its GPUs till
// then) and queues again with the iterations it has left. Policy las
// (least_attained_service.cpp) preempts the same way, for jobs of a lower level.
//
// Node failures (the scenario's `failures`) strike trace jobs too: a struck job restarts in
// place on a spare node after `failures.restart`, keeping the work of its last checkpoint
// (`failures.trace_job_checkpoint`), as training jobs do (engine/job_reliability.hpp).
//
// Fast-forwarding (engine/steady_state.hpp) stays exact: while a training job waits to start,
// or runs where it may be preempted, every moment the scheduler might start or stop it (the
// next submission, the next trace job's end) ends the jobs' fast-forward windows; training
// jobs' ends end them anyway.
#pragma once

#include "config/scenario_config.hpp"
#include "engine/spare_pool.hpp"
#include "engine/steady_state.hpp"
#include "engine/trace_traffic.hpp"
#include "results/simulation_result.hpp"
#include "scheduler/gpu_allocator.hpp"
#include "scheduler/scheduling_policy.hpp"

#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Mutex.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <set>
#include <vector>

namespace dcsim {

class ClusterScheduler {
public:
  /// Creates and starts training job `job` on `placement`'s GPUs.
  using StartTraining = std::function<void(int job, const Placement& placement)>;
  /// When running training job `job` is expected to end (infinity when not known yet).
  using ExpectedEnd = std::function<double(int job)>;
  /// Asks running training job `job` to stop at its next iteration boundary (preemption); it
  /// then calls training_suspended().
  using RequestSuspend = std::function<void(int job)>;

  /// `locality`: where the cluster's nodes sit in the fabric (topology-aware placement uses it).
  ClusterScheduler(const ScenarioConfig& config, const NodeLocality& locality, SteadyStateCoordinator& coordinator,
                   SparePool& spares,
                   StartTraining start_training, ExpectedEnd expected_end, RequestSuspend request_suspend);
  /// The trace jobs' load on the fabric (scheduler.trace_traffic), started and stopped with their
  /// runs; nullptr (the default): none.
  void set_trace_traffic(TraceTraffic* traffic) { traffic_ = traffic; }
  /// Creates the scheduler's actor (before Engine::run()).
  void start(simgrid::s4u::Host* host);
  /// Called from training job `job`'s actor when it has finished: its GPUs are free again.
  void training_finished(int job);
  /// Called from training job `job`'s actor when it has stopped on request, or at its time
  /// limit (`time_limit`: requeued, not preempted): its GPUs are free, and it queues again for
  /// the iterations it has left.
  void training_suspended(int job, bool time_limit = false);
  SchedulerStats stats() const;
  /// How many times training job `id` stopped to restart on more GPUs (jobs[].grow).
  int grows_of(int id) const { return records_[id].grows; }
  /// When job `id` was submitted (a follower's, once the job it follows has ended).
  double submitted_s(int id) const { return records_[id].submit_s; }
  /// Why the scheduler stopped before its jobs were done ("" when it did not).
  const std::string& gave_up() const { return gave_up_; }

private:
  /// What stopped a trace job's run (and what the next run's restart is charged to).
  enum class Interruption : std::uint8_t { Preemption, Failure, Maintenance };
  struct Record {
    double submit_s = 0;
    int gpus = 0;
    bool training = false;
    int source = 0;         ///< where it comes from: a training job's index in the scenario, a trace job's line
    double duration_s = 0;  ///< trace jobs
    double estimate_s = 0;  ///< trace jobs: the run time EASY plans with (the duration unless the trace gives one)
    int group = -1;         ///< quota group (SchedulerConfig::groups); -1: none
    bool borrowed = false;  ///< its current run started over its group's quota on idle GPUs
    bool ever_borrowed = false;
    std::optional<Placement> placement;
    double start_s = -1, end_s = -1; ///< first start; last end
    // Trace jobs' runs, which preemption may cut into several:
    double remaining_s = 0; ///< work not yet saved (the duration until a preemption)
    double run_start_s = -1;
    double held_s = 0;      ///< GPUs held over all runs (restarts and lost work included)
    double preemption_lost_s = 0; ///< of it, restarts and work lost to preemptions
    double requeued_wait_s = 0; ///< waits after preemptions
    double preempted_s = -1;    ///< when it was last preempted
    int preemptions = 0;
    unsigned run = 0;       ///< counts its runs: a preempted run's scheduled end is stale
    bool suspending = false; ///< a training job asked to stop at its next iteration boundary
    double held_at_promotion_s = 0; ///< las: held_s when it last went back to the top level
    int promotions = 0;
    double run_overhead_s = 0;  ///< the current run's restart, before it works
    Interruption run_after = Interruption::Preemption; ///< what the current run's restart follows
    int failures = 0;
    double failure_lost_s = 0;  ///< of lost_s, restarts and work lost to failures
    double maintenance_lost_s = 0; ///< downtimes of planned maintenance (failures.maintenance)
    int maintenances = 0;
    int failure_cause = 0;      ///< of its next failure (FailureConfig::causes)
    bool failure_needs_spare = false; ///< ... whether it takes a spare node
    double failure_repair_s = 0;      ///< ... and the failed node's repair
    double replaced_s = 0;            ///< when spares had replaced every node failed so far
    bool hung = false;                ///< struck by a failure not noticed yet (failures.detect)
    std::vector<int> sizes;           ///< training jobs: the GPU counts it may start at, largest first (min_gpus)
    bool may_grow = false;            ///< jobs[].grow
    bool growing = false;             ///< asked to stop so as to restart larger
    int grows = 0;                    ///< restarts on more GPUs
    double gradient_bytes = -1;       ///< trace jobs: their own load (TraceJob), < 0 none
    double traffic_iteration_s = -1;
    bool stretched = false;           ///< its run's work rides its load (trace_traffic.stretch)
    bool switch_held = false;         ///< scheduler.switches kept it from nodes under too many leaves
    bool switch_expired = false;      ///< ... until its wait ran out, and it started on them
    double switch_deadline_s = 0;     ///< ... when its wait runs out
    SwitchesConfig switches;          ///< jobs[].switches, else scheduler.switches
    double contention_s = 0;          ///< trace jobs: how much longer its runs took than their work
  };
  enum class EventKind : std::uint8_t {
    End,     ///< the run ends: its GPUs are free
    Demote,  ///< it crosses a las threshold (a moment to reconsider)
    Failure, ///< a node of its fails: it restarts in place
    Promote, ///< las: it has waited long enough to go back to the top level
    Maintenance, ///< planned maintenance: it saves, stays down, resumes in place
    Detected, ///< the failure that hung it is noticed: it restarts in place
  };
  /// Seconds a run-to-the-end job waited: before its first start and after each preemption.
  static double queue_s(const Record& r) { return r.start_s - r.submit_s + r.requeued_wait_s; }
  /// Seconds it held its GPUs, its runs added up.
  static double held_s(const Record& r) { return r.held_s; }
  /// A trace job's scheduled end.
  struct End {
    double at_s;
    int id;
    unsigned run;
    EventKind kind = EventKind::End;
    bool operator>(const End& o) const { return at_s != o.at_s ? at_s > o.at_s : id > o.id; }
  };
  /// Each group's quota from the config (kNoQuota where it has none).
  void set_quotas(const SchedulerConfig& config);
  /// fair_share: each group's share of the cluster, in proportion to its quota (groups without
  /// one count the mean of those given; without quotas all are equal).
  void set_shares();
  bool within_quota(const QueuedJob& job) const;
  /// The queued jobs not started yet, in queue order: those within their group's quota, or all.
  const std::vector<QueuedJob>& waiting_jobs(bool within_quota_only);
  void offer_within_quotas(JobStarter& starter);
  void release(int id);
  /// GPUs a job within its quota may count on now: free ones, and while preemption reclaims,
  /// those lent to trace jobs.
  int available_gpus() const;
  /// Places `job` (within its quota) by preempting trace jobs on lent GPUs, or nothing.
  std::optional<Placement> reclaim(const QueuedJob& job, double now, const Placement* reserved);
  void preempt(int id, double now);
  /// A running trace job, as a candidate for preemption.
  struct Running {
    int id;
    int level;
    double run_start_s;
  };
  /// The running trace jobs, the ones to preempt first first: the lowest priority level (las),
  /// then the most recently started (the least work to lose). Made once per dispatch: levels
  /// do not change within one, and the jobs a dispatch starts are never preempted by it.
  const std::vector<Running>& preemption_order(double now);
  /// May running trace job `victim` be preempted for waiting `job`? (las: a lower level;
  /// quotas: on lent GPUs, its group over quota counting `excess`.)
  bool may_preempt(const Running& victim, const QueuedJob& job, std::vector<int>& excess) const;
  /// las: GPU-time `r` has attained by `now`, and the priority level that gives (counting from
  /// its last promotion).
  double attained_gpu_s(const Record& r, double now) const;
  int level(const Record& r, double now) const;
  /// las: the next threshold running job `id` crosses, as an event.
  void schedule_demotion(int id, double now);
  /// The run of trace job `id` that starts at `now` (its GPUs taken): its end and events.
  void begin_run(int id, double now, double overhead_s, Interruption after);
  /// Trace job `id`'s run stops at `now`, keeping whole checkpoint intervals of its work
  /// (`checkpoint_interval_s`; 0: all of it when preempted, none when struck by a failure). What
  /// it held and did not keep is charged to its causes: the run's restart to what caused it,
  /// the unsaved work to `by_failure` or a preemption.
  void stop_run(int id, double now, double checkpoint_interval_s, Interruption by);
  /// With trace_traffic.stretch, starts the load that carries trace job `id`'s work after
  /// `overhead_s` (its restart); returns whether it did (a job within a node has none).
  bool start_stretched_load(int id, double overhead_s);
  /// Called from a stretched load's actor: run `run` of job `id` has done its work.
  void load_done(int id, unsigned run);
  /// scheduler.switches: whether job `id` may start on `placement` at `now` (under few enough
  /// leaf blocks, or it has waited long enough); when not, it is held until its deadline.
  bool within_switches(int id, const Placement& placement, double now);
  /// A node of trace job `id` fails at `now`: it restarts in place.
  void fail_in_place(int id, double now);
  /// A failed job, noticed at `now`, gets its spare and restarts in place.
  void restart_in_place(int id, double now);
  /// Its next failure after `now` (infinity: none).
  double next_failure_s(int id, double now);
  /// fair_share, multifactor: each group's decayed usage brought up to `now` (before its GPUs change).
  void charge_usage(double now);
  /// Each queued job's priority now: its group's fair-share factor, or its multifactor priority.
  void set_priorities(double now);
  /// GPUs that preemption could free now: every running job's (las), or those on lent GPUs.
  int preemptible_gpus() const;
  /// A running training job may be preempted (las, or on lent GPUs): the scheduler's decisions
  /// must then end fast-forward windows, so that it sees a request within an iteration.
  bool training_preemptible() const;
  /// Jobs that may grow (jobs[].grow) and run on fewer GPUs than they asked for, when no job
  /// waits: each whose larger size fits the free GPUs with its own is asked to stop, to restart
  /// on them.
  void grow_jobs();
  /// Whether some running job may still grow (the scheduler's decisions then matter to it).
  bool growth_possible() const;
  /// Whether queued jobs' order moves with time alone (las, fair_share, multifactor): a job that
  /// waits may then start at any decision.
  bool priorities_move() const { return las_ || tracks_usage_ || multifactor_; }
  /// Otherwise a waiting job starts only when GPUs free up, a switches wait runs out or a
  /// backfill cycle comes: the next such moment the scheduler knows (a trace job's next event;
  /// training jobs' ends end fast-forward windows anyway). Besides arrivals, the scheduler's
  /// own next wake.
  double next_start_chance_s() const;
  /// The next moment a trace job's load on the fabric may start or stop (kNever: none).
  double next_load_change_s(double t, double wake);
  void charge_lost(Record& r, double seconds, Interruption to) const;
  /// Planned maintenance strikes running trace job `id`: it keeps its work, stays down for the
  /// downtime on its GPUs, and goes on.
  void pause_for_maintenance(int id, double now);
  /// Puts the jobs preempted since the last call back into the queue (in submission order).
  void requeue_preempted();
  /// Drops the ends of preempted runs from the top of trace_ends_.
  void drop_stale_ends();
  std::vector<GroupQueueStats> group_stats() const;
  /// Every job run to the end, one column per field (output.job_table).
  ScheduledJobTable job_table() const;
  void run();
  void admit_arrivals(double now);
  /// SWF feedback: jobs that follow another are held back from the arrivals until it ends.
  void hold_back_followers(const SchedulerConfig& config);
  /// Job `id` has ended at `t`: the jobs that follow it are submitted after their think times.
  void submit_followers(int id, double t);
  void end_trace_jobs(double now);
  void dispatch(double now);
  /// Starts `job` at `now` where the placement policy puts it (leaving `reserved` alone; only on
  /// the nodes `allowed` marks, when given).
  bool try_start(const QueuedJob& job, double now, const Placement* reserved = nullptr,
                 const std::vector<std::uint8_t>* allowed = nullptr);
  std::vector<RunningJob> running_jobs() const;
  double next_wake_s() const;
  bool training_waiting() const;
  bool all_done() const;

  static constexpr int kNoQuota = std::numeric_limits<int>::max();
  static constexpr double kNever = std::numeric_limits<double>::infinity();
  /// The simulated clock.
  static double now();

  bool job_table_ = false;                 ///< output.job_table: stats() lists every job
  double backfill_interval_s_ = 0;         ///< scheduler.backfill_interval (0: every decision backfills)

  /// When jobs held by scheduler.switches may take any nodes: moments to look again.
  std::priority_queue<double, std::vector<double>, std::greater<double>> switch_deadlines_;
  double next_backfill_s_ = -kNever;       ///< when backfilling may run again
  bool backfill_pending_ = false;          ///< a decision since the last cycle went without it
  std::vector<std::string> training_names_; ///< the training jobs' names, for the job table
  std::unique_ptr<SchedulingPolicy> policy_;
  SteadyStateCoordinator& coordinator_;
  SparePool& spares_;                  ///< the cluster's spare nodes (failed nodes' replacements)
  StartTraining start_training_;
  ExpectedEnd expected_end_;
  RequestSuspend request_suspend_;
  GpuAllocator allocator_;
  int gpus_per_node_;
  std::vector<Record> records_;        ///< training jobs first (ids = their scenario index), then the trace's
  /// Per record: it has started. Scanned for every queued job after each start, so kept apart
  /// from the records (a long FIFO queue over 82,247 records is otherwise cache-miss bound).
  std::vector<std::uint8_t> started_;
  std::vector<int> arrivals_;          ///< ids by submission time
  size_t next_arrival_ = 0;
  std::vector<QueuedJob> queue_;       ///< submission order
  std::priority_queue<End, std::vector<End>, std::greater<>> trace_ends_;
  std::set<int> running_;              ///< ids of the jobs holding GPUs
  std::vector<std::string> group_names_;
  std::vector<int> quota_;             ///< per group, in GPUs
  std::vector<int> group_used_;        ///< per group: GPUs its running jobs hold
  bool quotas_ = false;
  bool borrowing_ = false;
  bool lending_now_ = false;           ///< offering idle GPUs to jobs over quota
  PreemptionConfig preemption_;
  FailureConfig failures_;
  std::uint64_t seed_;
  int cluster_nodes_;
  const NodeLocality& locality_;       ///< the platform's (switches a trace job spans, for its failure rate)
  bool reclaiming_ = false;            ///< offering to jobs within quota, with preemption on
  int lent_gpus_ = 0;                  ///< GPUs held by jobs started over their quota (borrowed)
  bool las_ = false;                   ///< policy las: waiting jobs preempt those of lower levels
  std::vector<double> las_thresholds_gpu_s_;
  double las_promote_knob_ = 0;
  bool tracks_usage_ = false;          ///< fair_share, or multifactor with a fair-share weight
  bool multifactor_ = false;
  MultifactorConfig multifactor_config_;
  double fair_share_half_life_s_ = 0;
  std::vector<double> usage_gpu_s_; ///< fair_share: per group, decayed GPU-seconds
  std::vector<double> shares_;      ///< fair_share: per group, its share of the cluster (sum 1)
  std::vector<int> account_of_;     ///< Fair Tree: per group, its account (multifactor.accounts), -1: none
  std::vector<int> account_parent_; ///< Fair Tree: per account, the account above it, -1: the root
  double usage_at_s_ = 0;
  int running_gpus_ = 0;
  long long trace_failures_ = 0;       ///< node failures that struck trace jobs (a guard against a hang)
  std::vector<long long> trace_failures_by_cause_; ///< the same per FailureConfig::causes entry
  std::string gave_up_;
  /// This dispatch: no room could be made for a job of this level and size (nor a larger one
  /// at that level or below, which has fewer jobs to preempt).
  std::vector<std::pair<int, int>> reclaim_failed_;
  std::vector<Running> preemption_order_;
  bool preemption_order_valid_ = false;
  int suspending_jobs_ = 0; ///< training jobs asked to stop at their next iteration boundary
  std::vector<int> preempted_;         ///< not yet back in the queue
  std::vector<End> loads_done_;        ///< stretched runs' loads that finished (load_done)
  long long starts_ = 0;
  std::vector<QueuedJob> eligible_;    ///< reused by waiting_jobs()
  int running_training_ = 0;
  int training_not_started_ = 0;
  int rejected_ = 0;
  int trace_skipped_ = 0; ///< SWF lines the trace reader could not replay
  TraceTraffic* traffic_ = nullptr;
  std::vector<double> multi_node_submits_; ///< trace jobs spanning nodes (whose load may start), in order
  // SWF feedback (scheduler.trace_feedback): jobs held back until the job they follow ends.
  std::vector<std::string> training_after_;       ///< per training job, the job it comes after ("": none)
  std::vector<double> training_after_delay_s_;
  std::vector<std::vector<int>> followers_;       ///< per job, the jobs submitted after it ends
  std::vector<double> think_s_;                    ///< per follower, its think time
  std::set<std::pair<double, int>> late_arrivals_; ///< followers' submissions, once known
  int held_back_ = 0;                              ///< followers whose job has not ended yet
  int multi_node_followers_ = 0;                   ///< of held_back_ and late_arrivals_, those spanning nodes
  size_t next_multi_node_ = 0;
  bool woken_ = false;
  simgrid::s4u::MutexPtr mutex_;
  simgrid::s4u::ConditionVariablePtr wake_;
};

} // namespace dcsim
