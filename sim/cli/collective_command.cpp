// `dcsim collective`: one collective on the scenario's cluster, like nccl-tests' *_perf, over the
// first N GPUs (every GPU of a node, node after node; or --gpus-per-node K, as `mpirun -N K`
// places nccl-tests' ranks), for one size or every power of two in a range.
// Prints nccl-tests' columns (time, algbw, busbw) plus the algorithm and protocol chosen.
#include "cli/commands.hpp"

#include "engine/collective_request.hpp"
#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "results/json_report.hpp"

#include <cstdio>

namespace dcsim::cli {

namespace {

const CollectiveArgumentNames kFlags = {"--op",         "--gpus",       "--bytes",     "--min-bytes",
                                        "--max-bytes",  "--algo",       "--protocol",  "--datatype",
                                        "--step-factor", "--step-bytes", "--gpus-per-node"};

} // namespace

int collective_command(const CollectiveArgs& args)
{
  const CollectiveRequestText& text = args.request;
  Diagnostics diagnostics;
  const CollectiveRequest request = check_collective_request(text, kFlags, diagnostics);
  LoadOptions options;
  options.overrides = args.overrides;
  options.require_jobs = false;
  options.cluster_only = true;
  diagnostics.throw_if_any();
  const ScenarioConfig config = load_scenario(args.cluster, options);
  check_collective_gpus(request, config.cluster, kFlags, diagnostics);
  diagnostics.throw_if_any();

  const auto results = run_collective_request(config.cluster, request, text, kFlags);
  const std::string placement =
      request.gpus_per_node > 0 ? " (" + std::to_string(request.gpus_per_node) + " per node)" : std::string();
  std::printf("# dcsim collective: %s on %d GPUs%s of %s (%s)\n", text.op.c_str(), request.gpus, placement.c_str(),
              config.name.c_str(), config.cluster.node.gpu.name.c_str());
  std::printf("#%13s %12s %8s %12s %9s %9s  %s\n", "size (B)", "count", "type", "time (us)", "algbw", "busbw",
              "algorithm/protocol");
  for (const auto& m : results) {
    const double algbw = m.algbw_bytes_per_s() / 1e9;
    const double busbw = algbw * bus_bandwidth_factor(request.kind, request.gpus);
    const std::string channels =
        m.channels > 0 ? " on " + std::to_string(m.channels) + (m.channels == 1 ? " channel" : " channels") : "";
    std::printf("%14.0f %12.0f %8s %12.2f %9.2f %9.2f  %s/%s%s\n", m.bytes, request.count(m.bytes), request.datatype.c_str(), m.time_s * 1e6, algbw,
                busbw, m.algorithm.c_str(), to_string(m.protocol).c_str(), channels.c_str());
  }
  if (!args.json_path.empty())
    write_json_file(args.json_path, collective_result_json(text, request, results));
  return 0;
}

} // namespace dcsim::cli
