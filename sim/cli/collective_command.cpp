// `dcsim collective`: one collective on the scenario's cluster, like nccl-tests' *_perf, over the
// first N GPUs (8 per node, node after node), for one size or every power of two in a range.
// Prints nccl-tests' columns (time, algbw, busbw) plus the algorithm and protocol chosen.
#include "cli/commands.hpp"

#include "engine/collective_sweep.hpp"
#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "config/yaml_reader.hpp"
#include "results/json_report.hpp"
#include "units/units.hpp"

#include <cstdio>

namespace dcsim::cli {

namespace {

const NameTable<CollectiveKind> kOps = {{"allreduce", CollectiveKind::AllReduce},
                                        {"allgather", CollectiveKind::AllGather},
                                        {"reducescatter", CollectiveKind::ReduceScatter},
                                        {"alltoall", CollectiveKind::AllToAll},
                                        {"broadcast", CollectiveKind::Broadcast},
                                        {"reduce", CollectiveKind::Reduce},
                                        {"sendrecv", CollectiveKind::SendRecv}};

const NameTable<Protocol> kProtocols = {{"LL", Protocol::LL}, {"LL128", Protocol::LL128}, {"Simple", Protocol::Simple}};

template <typename E>
E parse_choice(const std::string& flag, const std::string& word, const NameTable<E>& names, Diagnostics& diagnostics)
{
  std::vector<std::string> spellings;
  for (const auto& [name, value] : names) {
    if (name == word)
      return value;
    spellings.push_back(name);
  }
  std::string message = "unknown value \"" + word + "\"";
  if (const std::string near = closest_name(word, spellings); !near.empty())
    message += " (did you mean \"" + near + "\"?)";
  diagnostics.add({flag, 0, 0}, "", message + "; expected " + join_choices(spellings));
  return names.front().second;
}

double parse_size(const std::string& flag, const std::string& text, Diagnostics& diagnostics)
{
  try {
    const double bytes = parse_quantity(text, Dimension::Bytes);
    if (bytes >= 1)
      return bytes;
    diagnostics.add({flag, 0, 0}, "", "\"" + text + "\" is not a positive size; expected at least 1 byte");
  } catch (const UnitError& e) {
    diagnostics.add({flag, 0, 0}, "", e.what());
  }
  return 1;
}

} // namespace

int collective_command(const CollectiveArgs& args)
{
  Diagnostics diagnostics;
  const CollectiveKind kind = parse_choice("--op", args.op, kOps, diagnostics);
  CollectiveOverride override;
  if (!args.algorithm.empty() && !find_collective_algorithm(args.algorithm)) {
    std::string message = "unknown algorithm \"" + args.algorithm + "\"";
    if (const std::string near = closest_name(args.algorithm, collective_algorithm_names()); !near.empty())
      message += " (did you mean \"" + near + "\"?)";
    diagnostics.add({"--algo", 0, 0}, "", message + "; expected " + join_choices(collective_algorithm_names()));
  }
  override.algorithm = args.algorithm;
  if (!args.protocol.empty())
    override.protocol = parse_choice("--protocol", args.protocol, kProtocols, diagnostics);
  std::vector<double> sizes;
  if (!args.bytes.empty()) {
    sizes.push_back(parse_size("--bytes", args.bytes, diagnostics));
  } else {
    const double lo = parse_size("--min-bytes", args.min_bytes.empty() ? "8" : args.min_bytes, diagnostics);
    const double hi = parse_size("--max-bytes", args.max_bytes.empty() ? "8GiB" : args.max_bytes, diagnostics);
    for (double s = lo; s <= hi * (1 + 1e-12); s *= 2)
      sizes.push_back(s);
  }
  LoadOptions options;
  options.overrides = args.overrides;
  options.require_jobs = false;
  options.cluster_only = true;
  diagnostics.throw_if_any();
  const ScenarioConfig config = load_scenario(args.cluster, options);
  if (args.gpus < 1 || args.gpus > config.cluster.total_gpus())
    diagnostics.add({"--gpus", 0, 0}, "",
                    std::to_string(args.gpus) + " GPUs is not available; expected 1 to " +
                        std::to_string(config.cluster.total_gpus()) + " (the cluster's GPUs)");
  diagnostics.throw_if_any();

  std::vector<CollectiveMeasurement> results;
  try {
    results = sweep_collective(config.cluster, kind, args.gpus, sizes, override);
  } catch (const std::invalid_argument& e) { // the forced algorithm or protocol cannot run this call
    diagnostics.add({args.protocol.empty() ? "--algo" : "--protocol", 0, 0}, "",
                    std::string(e.what()) + "; expected another choice, or none to let the tuner choose");
    diagnostics.throw_if_any();
  }
  nlohmann::json rows = nlohmann::json::array();
  std::printf("# dcsim collective: %s on %d GPUs of %s (%s)\n", args.op.c_str(), args.gpus, config.name.c_str(),
              config.cluster.node.gpu.name.c_str());
  std::printf("#%13s %12s %8s %12s %9s %9s  %s\n", "size (B)", "count", "type", "time (us)", "algbw", "busbw",
              "algorithm/protocol");
  for (const auto& m : results) {
    const double algbw = m.algbw_bytes_per_s() / 1e9;
    const double busbw = algbw * bus_bandwidth_factor(kind, args.gpus);
    std::printf("%14.0f %12.0f %8s %12.2f %9.2f %9.2f  %s/%s\n", m.bytes, m.bytes / 4, "float", m.time_s * 1e6, algbw,
                busbw, m.algorithm.c_str(), to_string(m.protocol).c_str());
    rows.push_back({{"bytes", m.bytes},
                    {"time_s", m.time_s},
                    {"algbw_GBps", algbw},
                    {"busbw_GBps", busbw},
                    {"algorithm", m.algorithm},
                    {"protocol", to_string(m.protocol)}});
  }
  if (!args.json_path.empty())
    write_json_file(args.json_path, {{"op", args.op},
                                     {"algo", args.algorithm.empty() ? "auto" : args.algorithm},
                                     {"gpus", args.gpus},
                                     {"results", rows}});
  return 0;
}

} // namespace dcsim::cli
