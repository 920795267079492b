#include "engine/stage_runner.hpp"

#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Exec.hpp>

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

double now() { return sg4::Engine::get_clock(); }

const CommPlan kNoComm; // for passes without communication of some kind

} // namespace

StageRunner::StageRunner(JobShared& shared, int stage) : s_(shared), stage_(stage)
{
  const auto& p = s_.job.parallelism;
  steps_ = pipeline_steps(p.schedule, stage, p.pipeline, p.virtual_stages, s_.job.micro_batches_per_replica());
  chunk_of_.assign(p.virtual_stages, -1);
  for (const auto& chunk : s_.workload.chunks)
    if (chunk.layout.stage == stage)
      chunk_of_[chunk.layout.virtual_index] = chunk.layout.chunk;
  // The step after which a chunk's weight gradients are complete: its last backward that
  // computes them, or its last deferred weight-gradient pass.
  last_gradient_step_.assign(p.virtual_stages, -1);
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    const PipelineStep& step = steps_[i];
    if (step.pass == PassKind::WeightGradient || (step.pass == PassKind::Backward && !step.defers_weights))
      last_gradient_step_[step.virtual_index] = std::max(last_gradient_step_[step.virtual_index], i);
  }
}

TimeBreakdown& StageRunner::now_stats() { return s_.current[stage_]; }

const ChunkWork& StageRunner::work_of(const PipelineStep& step) const
{
  return s_.workload.chunks[chunk_of_[step.virtual_index]];
}

const ChunkPlans& StageRunner::plans_of(const PipelineStep& step) const
{
  return s_.plans[chunk_of_[step.virtual_index]];
}

void StageRunner::record(const char* name, double start_s)
{
  if (s_.trace)
    s_.trace->push_back({name, s_.index, stage_, start_s, now() - start_s});
}

double StageRunner::overlapped_context_exchange(double seconds, const PassComm& comm, double fraction)
{
  if (comm.context.empty() || comm.context_overlap_s <= 0)
    return 0;
  // Ring attention: the key/value hand-offs run during the attention kernels; what they cannot
  // hide, the next attention block waits for.
  PendingComm ring = start_flows(comm.context.scaled(fraction), s_.platform, s_.comm);
  const double window = std::min(seconds, comm.context_overlap_s * fraction * s_.slowdown[stage_]);
  const double took = run_kernels(window, s_.sm_share);
  const double before = now();
  ring.wait();
  TimeBreakdown& stats = now_stats();
  stats.compute_s += took - window; // kernels slowed by the data-parallel stream's SMs
  stats.compute_slowed_s += std::max(0.0, took - window); // (rounding can make it -1e-17)
  stats.context_parallel_comm_s += now() - before;
  stats.exposed_comm_s += now() - before;
  return window;
}

void StageRunner::exposed_comm(const CommPlan& plan, double fraction, double TimeBreakdown::*kind)
{
  const double before = now();
  run_flows(plan.scaled(fraction), s_.platform, s_.comm);
  TimeBreakdown& stats = now_stats();
  stats.*kind += now() - before;
  stats.exposed_comm_s += now() - before;
}

void StageRunner::compute(double seconds_at_speed, const PassComm& comm, double fraction, const char* name)
{
  const double seconds = seconds_at_speed * s_.slowdown[stage_];
  TimeBreakdown& stats = now_stats();
  const double start = now();
  const double remaining = seconds - overlapped_context_exchange(seconds, comm, fraction);
  const CommPlan& tp = comm.tensor;
  const bool overlap_tp = s_.job.parallelism.tp_comm_overlap && !tp.empty();
  PendingComm tp_in_flight;
  if (overlap_tp)
    tp_in_flight = start_flows(tp.scaled(fraction), s_.platform, s_.comm);
  if (parameter_gather_pending_) {
    // ZeRO parameter all-gather of the last optimizer step, overlapped with this first pass.
    const double kernels_start = now();
    sg4::ExecPtr exec = start_kernels(remaining, s_.sm_share);
    s_.streams[stage_]->wait_idle();
    const double gathered = now();
    exec->wait();
    const double kernels_end = exec->get_finish_time();
    const double exposed = std::max(0.0, gathered - kernels_end);
    stats.data_parallel_comm_s += exposed;
    stats.exposed_comm_s += exposed;
    const double slowed = kernels_end - kernels_start - remaining; // by the gather's SMs
    stats.compute_s += slowed;
    stats.compute_slowed_s += std::max(0.0, slowed);
    parameter_gather_pending_ = false;
  } else {
    const double slowed = run_kernels(remaining, s_.sm_share) - remaining;
    stats.compute_s += slowed;
    stats.compute_slowed_s += std::max(0.0, slowed);
  }
  stats.compute_s += seconds;
  if (!comm.context.empty() && comm.context_overlap_s <= 0)
    exposed_comm(comm.context, fraction, &TimeBreakdown::context_parallel_comm_s);
  if (!comm.expert.empty())
    exposed_comm(comm.expert, fraction, &TimeBreakdown::expert_parallel_comm_s);
  if (overlap_tp) {
    const double before = now();
    tp_in_flight.wait();
    stats.tensor_parallel_comm_s += now() - before;
    stats.exposed_comm_s += now() - before;
  } else if (!tp.empty()) {
    exposed_comm(tp, fraction, &TimeBreakdown::tensor_parallel_comm_s);
  }
  record(name, start);
}

void StageRunner::forward(const PipelineStep& step)
{
  const ChunkWork& work = work_of(step);
  const ChunkPlans& plans = plans_of(step);
  const int c = work.layout.chunk;
  if (c > 0) {
    const double before = now();
    s_.forward_channels[c - 1].receive();
    now_stats().pipeline_wait_s += now() - before;
  }
  gather_sharded_parameters(plans);
  const PassComm comm{plans.tp_forward, plans.cp_forward, work.forward.context_overlap_s, plans.ep_forward};
  compute(work.forward.compute_s, comm, 1.0, "forward");
  if (c + 1 < static_cast<int>(s_.plans.size()))
    s_.forward_channels[c].post(start_flows(plans.send_forward, s_.platform, s_.comm));
}

void StageRunner::backward(const PipelineStep& step, bool last_for_chunk)
{
  const ChunkWork& work = work_of(step);
  const ChunkPlans& plans = plans_of(step);
  const int c = work.layout.chunk;
  if (c + 1 < static_cast<int>(s_.plans.size())) {
    const double before = now();
    s_.backward_channels[c].receive();
    now_stats().pipeline_wait_s += now() - before;
  }
  gather_sharded_parameters(plans);
  const PassComm comm{plans.tp_backward, plans.cp_backward, work.backward.context_overlap_s, plans.ep_backward};
  if (step.defers_weights)
    compute(work.input_gradient.compute_s, comm, 1.0, "backward");
  else
    compute_gradients(work.backward, comm, plans, last_for_chunk, "backward");
  if (c > 0)
    s_.backward_channels[c - 1].post(start_flows(plans.send_backward, s_.platform, s_.comm));
}

void StageRunner::forward_backward(const PipelineStep& f, const PipelineStep& b, bool b_last_for_chunk)
{
  // DualPipe's overlapped pair: both inputs first, then the two passes' kernels back to back while
  // their context- and expert-parallel exchanges run beside them (each pass's communication hides
  // behind the other's kernels); what the kernels cannot hide is exposed at the end.
  const ChunkWork& fw = work_of(f);
  const ChunkWork& bw = work_of(b);
  const ChunkPlans& fp = plans_of(f);
  const ChunkPlans& bp = plans_of(b);
  const int fc = fw.layout.chunk, bc = bw.layout.chunk;
  const int chunks = static_cast<int>(s_.plans.size());
  const double before = now();
  if (fc > 0)
    s_.forward_channels[fc - 1].receive();
  if (bc + 1 < chunks)
    s_.backward_channels[bc].receive();
  now_stats().pipeline_wait_s += now() - before;
  gather_sharded_parameters(fp);
  gather_sharded_parameters(bp);
  // The two passes' exchanges one after the other, as DualPipe arranges them: each runs beside a
  // computation of the other pass (the forward's dispatch beside the backward's MLP, and so on),
  // never beside another exchange. A helper actor runs them and notes when they end.
  CommPlan exchanges;
  for (const CommPlan* plan : {&fp.cp_forward, &fp.ep_forward, &bp.cp_backward, &bp.ep_backward})
    exchanges.append(*plan);
  const double start = now();
  auto exchanges_end = std::make_shared<double>(start);
  sg4::ActorPtr exchange;
  if (!exchanges.empty())
    exchange = sg4::Actor::create("dualpipe-exchange", sg4::this_actor::get_host(),
                                  [plan = std::move(exchanges), end = exchanges_end, this] {
                                    run_flows(plan, s_.platform, s_.comm);
                                    *end = now();
                                  });
  compute(fw.forward.compute_s, PassComm{fp.tp_forward, kNoComm, 0.0, kNoComm}, 1.0, "forward");
  const PassComm b_comm{bp.tp_backward, kNoComm, 0.0, kNoComm};
  if (b.defers_weights)
    compute(bw.input_gradient.compute_s, b_comm, 1.0, "backward");
  else
    compute_gradients(bw.backward, b_comm, bp, b_last_for_chunk, "backward");
  const double kernels = now() - start;
  if (exchange) {
    exchange->join();
    // While the exchanges run, their kernels hold some SMs and the pair's kernels advance on the
    // rest, at rate f: the pair takes kernels / f if the exchanges outlast that, else the time
    // the exchanges ran plus what was left of the kernels at full rate. Beyond kernels / f the
    // exchanges are exposed.
    const double comm = *exchanges_end - start;
    const double sms = s_.cost.gpu().sm_count;
    const double f = std::max(0.05, (sms - s_.job.parallelism.overlap_comm_sms) / sms);
    const double end = comm >= kernels / f ? comm : kernels + comm * (1 - f);
    const double exposed = std::max(0.0, comm - kernels / f);
    if (start + end > now())
      run_kernels(start + end - now(), s_.sm_share);
    TimeBreakdown& stats = now_stats();
    stats.compute_s += end - kernels - exposed; // kernels slowed by the exchanges' SMs
    stats.compute_slowed_s += std::max(0.0, end - kernels - exposed);
    const bool experts = !fp.ep_forward.empty() || !bp.ep_backward.empty();
    (experts ? stats.expert_parallel_comm_s : stats.context_parallel_comm_s) += exposed;
    stats.exposed_comm_s += exposed;
  }
  // Both results leave when the pair is done (DualPipe sends after the overlapped computation).
  if (fc + 1 < chunks)
    s_.forward_channels[fc].post(start_flows(fp.send_forward, s_.platform, s_.comm));
  if (bc > 0)
    s_.backward_channels[bc - 1].post(start_flows(bp.send_backward, s_.platform, s_.comm));
}

void StageRunner::weight_gradient(const PipelineStep& step, bool last_for_chunk)
{
  const PassComm comm{kNoComm, kNoComm, 0.0, kNoComm};
  compute_gradients(work_of(step).weight_gradient, comm, plans_of(step), last_for_chunk, "weight_gradient");
}

void StageRunner::compute_gradients(const PassWork& pass, const PassComm& comm, const ChunkPlans& plans,
                                    bool last_for_chunk, const char* name)
{
  const bool fully_sharded = s_.job.parallelism.zero >= 3;
  const bool overlap = (last_for_chunk || fully_sharded) && s_.job.parallelism.overlap_grad_reduce &&
                       !plans.gradient_groups.empty();
  if (!overlap) {
    compute(pass.compute_s, comm, 1.0, name);
    if (fully_sharded)
      for (const auto& group : plans.gradient_groups)
        s_.streams[stage_]->enqueue(group.reduce);
    return;
  }
  // Gradients become ready bucket by bucket; each group of buckets is reduced on the
  // communication stream while the pass goes on.
  const auto share_of_pass = [&](double share) { compute(pass.compute_s * share, comm, share, name); };
  double done = 0;
  for (const GradientGroup& group : plans.gradient_groups) {
    share_of_pass(group.first_ready - done);
    std::shared_ptr<StreamGate> gate;
    if (group.last_ready > group.first_ready)
      gate = std::make_shared<StreamGate>(group.buckets);
    s_.streams[stage_]->enqueue(group.reduce, gate);
    if (gate) {
      share_of_pass(group.last_ready - group.first_ready);
      gate->open();
    }
    done = group.last_ready;
  }
}

bool StageRunner::enqueue_parameter_gathers()
{
  const auto& p = s_.job.parallelism;
  bool any = false;
  for (int v = 0; v < p.virtual_stages; ++v) {
    const CommPlan& gather = s_.plans[chunk_of_[v]].parameter_gather;
    if (!gather.empty()) {
      s_.streams[stage_]->enqueue(gather);
      any = true;
    }
  }
  return any;
}

void StageRunner::gather_sharded_parameters(const ChunkPlans& plans)
{
  // ZeRO-3 keeps 1/d of every weight: each pass first all-gathers its chunk's parameters,
  // prefetched on the communication stream while the previous pass computes.
  if (s_.job.parallelism.zero < 3 || plans.parameter_gather.empty())
    return;
  s_.streams[stage_]->enqueue(plans.parameter_gather);
  parameter_gather_pending_ = true;
}

void StageRunner::finish_iteration()
{
  const auto& p = s_.job.parallelism;
  CommStream& stream = *s_.streams[stage_];
  TimeBreakdown& stats = now_stats();
  if (!p.overlap_grad_reduce && p.zero < 3)
    for (int v = 0; v < p.virtual_stages; ++v)
      for (const auto& group : s_.plans[chunk_of_[v]].gradient_groups)
        stream.enqueue(group.reduce);
  double before = now();
  stream.wait_idle();
  stats.data_parallel_comm_s += now() - before;
  stats.exposed_comm_s += now() - before;
  if (now() > before)
    record("gradient_sync", before);

  before = now();
  run_kernels(s_.workload.optimizer_s[stage_] * s_.slowdown[stage_], s_.sm_share);
  stats.optimizer_s += now() - before;
  record("optimizer", before);

  const bool gathers = p.zero < 3 && enqueue_parameter_gathers();
  if (gathers && p.overlap_param_gather) {
    parameter_gather_pending_ = true;
  } else if (gathers) {
    before = now();
    stream.wait_idle();
    stats.data_parallel_comm_s += now() - before;
    stats.exposed_comm_s += now() - before;
  }
}

void StageRunner::run_iteration()
{
  if (gathers_owed_) { // see fast_forward
    enqueue_parameter_gathers();
    gathers_owed_ = false;
  }
  now_stats() = TimeBreakdown{};
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    const PipelineStep& step = steps_[i];
    const bool last_for_chunk = i == last_gradient_step_[step.virtual_index];
    switch (step.pass) {
      case PassKind::Forward:
        if (step.with_next && i + 1 < static_cast<int>(steps_.size())) {
          const PipelineStep& next = steps_[i + 1];
          forward_backward(step, next, i + 1 == last_gradient_step_[next.virtual_index]);
          ++i;
        } else {
          forward(step);
        }
        break;
      case PassKind::Backward:
        backward(step, last_for_chunk);
        break;
      case PassKind::WeightGradient:
        weight_gradient(step, last_for_chunk);
        break;
    }
  }
  finish_iteration();
}

bool StageRunner::end_of_iteration_barrier()
{
  s_.barrier->wait();
  if (stage_ == 0) {
    const double iteration = now() - s_.iteration_start_s;
    s_.iteration_times_s.push_back(iteration);
    ++s_.simulated_iterations;
    s_.last = s_.current;
    for (auto& b : s_.last)
      b.pipeline_bubble_s = std::max(0.0, iteration - b.compute_s - b.exposed_comm_s - b.optimizer_s);
  }
  return stage_ == 0;
}

void StageRunner::fast_forward(double seconds)
{
  // The skipped iterations are identical to the last one, including the parameter all-gather
  // that overlaps each iteration's first pass: let the one in flight finish, sleep, and owe it
  // to the next simulated iteration, which issues it as it starts, in the same state as the
  // last one did. (Not issued here: a checkpoint and another skip may come first, and the
  // gathers of every pipeline rank at once are real flows, seconds each at 16K GPUs.)
  const double end = now() + seconds;
  if (parameter_gather_pending_) {
    s_.streams[stage_]->wait_idle();
    gathers_owed_ = true;
  }
  sg4::this_actor::sleep_until(end);
}

void StageRunner::take_memo(int iterations_left)
{
  const RunMemo* memo = s_.memo;
  if (!memo || s_.suspended || iterations_left < static_cast<int>(memo->iteration_times_s.size()))
    return;
  const double steady = memo->iteration_times_s.back();
  double span = 0;
  for (double t : memo->iteration_times_s)
    span += t;
  s_.coordinator.set_own_event(s_.coordinator_id, s_.reliability.next_event_s(now(), steady));
  if (!s_.coordinator.adopt(s_.coordinator_id, now(), span, steady))
    return;
  s_.memo_taken = true;
  s_.iteration_times_s = memo->iteration_times_s;
  s_.last = memo->last;
  s_.skip = static_cast<int>(memo->iteration_times_s.size());
  s_.skip_iteration_s = span / s_.skip;
}

void StageRunner::record_memo()
{
  // Only iterations simulated from the run's start with nothing around it changing, and no stop
  // (checkpoint, failure) between them.
  if (s_.memo_recorded || !s_.memos || s_.memo_taken || s_.reliability.events() != 0 ||
      !s_.coordinator.pristine(s_.coordinator_id))
    return;
  s_.memos->store(s_.index, s_.layout.placement().gpu_list(), {s_.iteration_times_s, s_.last, s_.gather_pending});
  s_.memo_recorded = true;
}

void StageRunner::operator()()
{
  const int iterations = s_.job.iterations;
  sg4::this_actor::sleep_until(s_.job.start_time_s);
  if (stage_ == 0) {
    s_.start_s = now();
    s_.coordinator.job_started(s_.coordinator_id);
    s_.reliability.start(now());
    if (s_.resumed)
      s_.reliability.load_after_preemption();
  }
  for (;;) {
    if (stage_ == 0 && s_.suspend_requested && s_.done < iterations) {
      s_.done = s_.reliability.save_for_preemption(s_.done); // preempted: save, then stop here
      s_.suspended = true;
    } else if (stage_ == 0) {
      // Checkpoints and failures happen here, while the other ranks wait at the barrier.
      const double expected = s_.iteration_times_s.empty() ? 0.0 : s_.iteration_times_s.back();
      const int events = s_.reliability.events();
      s_.done = s_.reliability.before_iteration(s_.done, expected);
      using Stop = JobReliability::TimeLimitStop;
      if (s_.reliability.time_limit_stop() == Stop::Exit && s_.done < iterations)
        s_.done = s_.reliability.exit_for_time_limit(s_.done);
      // Requeued by the scheduler, as a preempted job is, unless it gave up.
      s_.suspended = s_.reliability.time_limit_stop() != Stop::None && s_.done < iterations;
      s_.refill = s_.reliability.events() != events;
      s_.iteration_start_s = now();
      if (expected > 0) { // still steady after a checkpoint: no iteration needs simulating
        s_.coordinator.set_own_event(s_.coordinator_id, s_.reliability.next_event_s(now(), expected));
        s_.skip = s_.coordinator.resume_skip(s_.coordinator_id, now(), iterations - s_.done);
        s_.skip_iteration_s = s_.coordinator.steady_iteration_s(s_.coordinator_id);
      } else {
        take_memo(iterations - s_.done);
      }

    }
    s_.barrier->wait();
    // The job stopped (its streams drained): put back the parameter all-gathers that a steady
    // iteration starts with, so that it stays steady.
    if (s_.refill && parameter_gather_pending_)
      gathers_owed_ = true;
    if (s_.done >= iterations || s_.suspended)
      break;
    if (s_.skip == 0) {
      run_iteration();
      s_.gather_pending[stage_] = parameter_gather_pending_;
    }
    if (s_.skip == 0 && end_of_iteration_barrier()) {
      const double t = s_.iteration_times_s.back();
      ++s_.done;
      s_.reliability.trained(t, true);
      s_.coordinator.set_own_event(s_.coordinator_id, s_.reliability.next_event_s(now(), t));
      s_.skip = s_.coordinator.after_iteration(s_.coordinator_id, now(), t, iterations - s_.done);
      s_.skip_iteration_s = s_.coordinator.steady_iteration_s(s_.coordinator_id);
      if (s_.suspend_requested) // preempted: no fast-forward past the boundary where it stops
        s_.skip = 0;
      if (s_.skip > 0)
        record_memo();

    }
    s_.barrier->wait();
    if (s_.memo_taken && !memo_applied_) { // in the state the memo's last iteration left
      parameter_gather_pending_ = s_.memo->gather_pending[stage_];
      memo_applied_ = true;
    }
    if (s_.skip > 0)
      fast_forward(s_.skip * s_.skip_iteration_s);
    s_.barrier->wait();
    if (stage_ == 0) {
      s_.done += s_.skip;
      s_.reliability.trained(s_.skip * s_.skip_iteration_s, false);
      s_.skip = 0;
    }
  }
  // A parameter all-gather still in flight serves an iteration that will not run: the job ends
  // at its last optimizer step, though the gather's traffic still completes on the fabric.
  if (stage_ == 0) {
    s_.reliability.finish();
    if (s_.memos && s_.reliability.write_slowdown_s() >= 0)
      s_.memos->note_write_slowdown(s_.index, s_.layout.placement().gpu_list(), s_.reliability.write_slowdown_s());
    s_.end_s = now();
    s_.coordinator.job_finished(s_.coordinator_id);
    if (s_.on_finish)
      s_.on_finish();
  }
  s_.streams[stage_]->wait_idle();
  s_.streams[stage_]->stop();
}

} // namespace dcsim
