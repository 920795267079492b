// `dcsim kernels SCENARIO`: the kernels of one transformer layer (and the embedding and head) of
// a job, with their shapes, FLOPs, bytes and predicted times, to see what the cost model does.
#include "cli/commands.hpp"

#include "compute/compute_cost_model.hpp"
#include "config/scenario_loader.hpp"
#include "parallelism/job_workload.hpp"
#include "transformer/layer_ops.hpp"

#include <cstdio>
#include <stdexcept>

namespace dcsim::cli {

namespace {

void print_ops(const char* title, const std::vector<Op>& ops, const ComputeCostModel& cost)
{
  std::printf("%s\n  %-28s %22s %10s %10s %9s %7s\n", title, "kernel", "m x n x k (batch)", "GFLOP", "MB",
              "time us", "of peak");
  double total = 0, weight_gradients = 0;
  for (const auto& op : ops) {
    const double t = cost.kernel_seconds(op) + cost.profile().kernel_overhead_s;
    total += t;
    if (op.weight_gradient)
      weight_gradients += t;
    char shape[64] = "";
    if (op.kind == OpKind::Gemm)
      std::snprintf(shape, sizeof shape, "%lldx%lldx%lld (%lld)", op.m, op.n, op.k, op.batch);
    // Efficiency against the datasheet peak (the cost model's peak is derated to the sustained clock).
    const double datasheet_peak = cost.peak_flop_per_s() / cost.profile().sustained_clock_fraction;
    const double eff = op.flops > 0 ? op.flops / cost.kernel_seconds(op) / datasheet_peak : 0;
    std::printf("  %-28s %22s %10.2f %10.1f %9.1f %6.0f%%\n", op.name.c_str(), shape, op.flops / 1e9,
                op.bytes / 1e6, t * 1e6, 100 * eff);
  }
  std::printf("  %-28s %22s %10s %10s %9.1f\n", "total", "", "", "", total * 1e6);
  if (weight_gradients > 0) // what zero-bubble schedules (zb-h1, dualpipev) run apart
    std::printf("  %-28s %22s %10s %10s %9.1f\n", "of which weight gradients", "", "", "", weight_gradients * 1e6);
}

} // namespace

int kernels_command(const std::string& scenario, const std::vector<std::string>& overrides, int job_index)
{
  LoadOptions options;
  options.overrides = overrides;
  const ScenarioConfig config = load_scenario(scenario, options);
  if (job_index < 0 || job_index >= static_cast<int>(config.jobs.size()))
    throw std::invalid_argument("--job " + std::to_string(job_index) + " is not a job of the scenario");
  const JobConfig& job = config.jobs[job_index];
  const ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto& p = job.parallelism;
  const LayerContext context{job.batch.micro, p.tensor, p.sequence_parallel, job.attention,
                             activation_element_bytes(job.precision)};
  const LayerOps layer = transformer_layer_ops(job.model, context);
  print_ops("transformer layer, forward (one micro-batch, one GPU)", layer.forward, cost);
  print_ops("transformer layer, backward", layer.backward, cost);
  const LayerOps head = head_ops(job.model, context);
  print_ops("head, forward", head.forward, cost);
  print_ops("head, backward", head.backward, cost);
  return 0;
}

} // namespace dcsim::cli
