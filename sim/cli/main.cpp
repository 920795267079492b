// dcsim command line (../shared/spec/contract.md). Exit status: 0 success, 2 invalid input,
// 1 anything else; errors go to stderr, one line each.
#include "cli/commands.hpp"
#include "config/scenario_error.hpp"

#include <CLI/CLI.hpp>

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace {

/// The cores this process may use (`dcsim plan` runs that many simulations at a time).
int default_workers()
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    return std::max(1, CPU_COUNT(&set));
  return 1;
}

int dispatch(int argc, char** argv)
{
  using namespace dcsim;
  CLI::App app{"dcsim: simulate large-model training on a datacenter"};
  app.require_subcommand(1);
  // One line, in the form of dcsim's other errors (CLI11's default adds "Run with --help").
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    std::string what = e.what();
    if (!what.empty() && what.back() == '\n')
      what.pop_back();
    return "dcsim: " + what + "; expected the commands and options `dcsim --help` and `dcsim COMMAND --help` list\n";
  });

  cli::RunArgs run_args;
  auto* run = app.add_subcommand("run", "simulate the scenario's training jobs and report their performance");
  run->add_option("scenario", run_args.scenario, "scenario YAML file")->required();
  run->add_option("--set", run_args.overrides, "override a scenario key: --set jobs.0.parallelism.tensor=4");
  run->add_option("--json", run_args.json_path, "write the JSON result here");
  run->add_option("--trace", run_args.trace_path, "write a Chrome/Perfetto trace of the simulated iterations");
  run->add_flag("--quiet", run_args.quiet, "print nothing on success");
  run->add_flag("--every-iteration", run_args.every_iteration,
                "simulate every iteration instead of fast-forwarding steady ones (slow; checks the shortcut)");
  run->add_flag("--every-flow", run_args.every_flow,
                "simulate every flow of every collective phase, also undisturbed ones (slow; checks the shortcut)");

  cli::PlanArgs plan_args;
  plan_args.workers = default_workers();
  auto* plan = app.add_subcommand("plan", "find the fastest parallel plan of a job that fits, by simulating each");
  plan->add_option("scenario", plan_args.scenario, "scenario YAML file")->required();
  plan->add_option("--set", plan_args.overrides, "override a scenario key");
  plan->add_option("--job", plan_args.job, "job index (default 0)");
  plan->add_option("--top", plan_args.top, "plans to list (default 10; the scenario's own is always listed)");
  plan->add_option("--workers", plan_args.workers, "simulations at a time (default: one per core)");
  plan->add_option("--json", plan_args.json_path, "write every plan tried as JSON");
  plan->add_flag("--quiet", plan_args.quiet, "print nothing on success");
  plan->add_flag("--every-plan", plan_args.every_plan,
                 "also simulate plans that recompute more than a fitting plan of the same split (skipped by default)");
  plan->add_option("--gpus", plan_args.space.gpus, "job sizes to try, e.g. 512,1024,2048 (default the job's)")
      ->delimiter(',');
  plan->add_option("--tensor", plan_args.space.tensor, "tensor degrees to try, e.g. 2,4,8 (default 1, 2, 4 ... the NVLink domain)")
      ->delimiter(',');
  plan->add_option("--pipeline", plan_args.space.pipeline, "pipeline degrees (default 1, 2, 4 ... the layers)")->delimiter(',');
  plan->add_option("--context", plan_args.space.context, "context-parallel degrees (default the job's)")->delimiter(',');
  plan->add_option("--expert", plan_args.space.expert, "expert-parallel degrees (default the job's)")->delimiter(',');
  plan->add_option("--micro-batch", plan_args.space.micro_batch, "micro-batch sizes (default 1,2,4)")->delimiter(',');
  plan->add_option("--virtual-stages", plan_args.space.virtual_stages,
                   "model chunks per pipeline rank (default 1,2,4 for 1f1b/interleaved jobs, else the job's)")
      ->delimiter(',');
  plan->add_option("--zero", plan_args.space.zero, "ZeRO stages, 0-3 (default the job's)")->delimiter(',');
  plan->add_option("--recompute", plan_args.space.recompute, "none, selective, full (default all three)")->delimiter(',');

  std::string validate_path;
  std::vector<std::string> validate_overrides;
  auto* validate = app.add_subcommand("validate", "check a scenario and print every error");
  validate->add_option("scenario", validate_path, "scenario YAML file")->required();
  validate->add_option("--set", validate_overrides, "override a scenario key");

  std::string kernels_path;
  std::vector<std::string> kernels_overrides;
  int kernels_job = 0;
  auto* kernels = app.add_subcommand("kernels", "list one layer's kernels with the cost model's predictions");
  kernels->add_option("scenario", kernels_path, "scenario YAML file")->required();
  kernels->add_option("--set", kernels_overrides, "override a scenario key");
  kernels->add_option("--job", kernels_job, "job index (default 0)");

  cli::TopologyArgs topology_args;
  auto* topology = app.add_subcommand("topology", "describe and analyse the scenario's fabric");
  topology->add_option("scenario", topology_args.scenario, "scenario YAML file")->required();
  topology->add_option("--set", topology_args.overrides, "override a scenario key");
  topology->add_option("--json", topology_args.json_path, "write the analysis as JSON");
  topology->add_option("--dot", topology_args.dot_path, "write the graph in Graphviz DOT");
  topology->add_option("--graphml", topology_args.graphml_path, "write the graph in GraphML");

  cli::CollectiveArgs collective_args;
  auto* collective = app.add_subcommand("collective", "simulate one collective like nccl-tests *_perf");
  collective->add_option("--cluster", collective_args.cluster, "scenario YAML file (its cluster)")->required();
  collective->add_option("--set", collective_args.overrides, "override a scenario key");
  collective->add_option("--op", collective_args.request.op,
                         "allreduce, allgather, reducescatter, alltoall, broadcast, reduce or sendrecv")
      ->required();
  collective->add_option("--gpus", collective_args.request.gpus, "the first N GPUs of the cluster")->required();
  collective->add_option("--gpus-per-node", collective_args.request.gpus_per_node,
                         "place the ranks K on each node in turn, as mpirun -N K does (default: all of a node's)");
  collective->add_option("--bytes", collective_args.request.bytes, "one size, e.g. 1GiB");
  collective->add_option("--min-bytes,-b", collective_args.request.min_bytes, "sweep from (default 8)");
  collective->add_option("--max-bytes,-e", collective_args.request.max_bytes, "sweep to (default 8GiB)");
  collective->add_option("--step-factor,-f", collective_args.request.step_factor,
                         "multiply the size by this between rows (default 2)");
  collective->add_option("--step-bytes,-i", collective_args.request.step_bytes,
                         "add this to the size between rows instead, e.g. 1MiB");
  collective->add_option("--datatype,-d", collective_args.request.datatype,
                         "nccl-tests' element type: float (default), half, bfloat16, double, int8, uint8, int32, "
                         "uint32, int64, uint64, f8e4m3, f8e5m2; sizes round down to whole elements (per rank for "
                         "allgather, reducescatter, alltoall) as nccl-tests does");
  collective->add_option("--algo", collective_args.request.algorithm,
                         "ring, tree, halving_doubling, hierarchical, nvls, collnet or direct (default: tuner); "
                         "or NCCL_ALGO's list syntax, e.g. ring,tree or ^nvls (the tuner chooses among them)");
  collective->add_option("--protocol", collective_args.request.protocol,
                         "LL, LL128 or Simple (default: tuner); or NCCL_PROTO's list syntax, e.g. ^LL");
  collective->add_option("--json", collective_args.json_path, "write the results as JSON");

  cli::CalibrateArgs calibrate_args;
  auto* calibrate = app.add_subcommand("calibrate", "measure this machine's GPU (or CPU), fit and write a profile");
  calibrate->add_option("--backend", calibrate_args.backend, "cuda or cpu");
  calibrate->add_option("--out", calibrate_args.out, "profile YAML to write")->required();
  calibrate->add_flag("--quick", calibrate_args.quick, "a smaller sweep");
  calibrate->add_option("--gpu", calibrate_args.gpu, "catalog GPU of the device (default: recognised from its name)");
  calibrate->add_option("--scale-up-bandwidth", calibrate_args.scale_up_bandwidth,
                        "NVLink rate per GPU per direction, e.g. 450GB/s (to fit scale_up_efficiency)");
  calibrate->add_option("--nccl-tests", calibrate_args.nccl_tests_logs, "nccl-tests logs to fit the collectives on");
  calibrate->add_option("--measurements", calibrate_args.measurements, "fit these raw measurements (JSON)");
  calibrate->add_option("--flash-attention", calibrate_args.flash_attention,
                        "FlashAttention by sequence length: the JSON scripts/device_attention.py writes");
  calibrate->add_option("--sustained-clock-fraction", calibrate_args.sustained_clock_fraction,
                        "what a sustained run keeps of the sweep's GEMM throughput (scripts/device-power.sh)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  try {
    if (*run)
      return cli::run_command(run_args);
    if (*plan)
      return cli::plan_command(plan_args);
    if (*validate)
      return cli::validate_command(validate_path, validate_overrides);
    if (*collective)
      return cli::collective_command(collective_args);
    if (*topology)
      return cli::topology_command(topology_args);
    if (*kernels)
      return cli::kernels_command(kernels_path, kernels_overrides, kernels_job);
    if (*calibrate) {
      for (int i = 0; i < argc; ++i)
        calibrate_args.command_line += (i ? " " : "") + std::string(argv[i]);
      return cli::calibrate_command(calibrate_args);
    }
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dcsim: error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}

} // namespace

int main(int argc, char** argv)
{
  const int status = dispatch(argc, argv);
  // Everything is written; leave without SimGrid's exit-time teardown of the platform (0.1-0.2 s
  // at 16K GPUs, see engine_options.hpp).
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}
