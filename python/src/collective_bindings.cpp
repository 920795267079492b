#include "collective_bindings.hpp"

#include "json_to_python.hpp"

#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "config/yaml_reader.hpp"
#include "engine/collective_sweep.hpp"
#include "engine/isolation.hpp"
#include "units/units.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace dcsim::python {

namespace {

/// The keyword arguments of dcsim.collective(), as text ("" = not given).
struct CollectiveRequest {
  std::string op;
  int gpus = 0;
  std::string bytes, min_bytes, max_bytes;
  std::string algorithm, protocol;
};

/// What the request means once checked.
struct CollectivePlan {
  CollectiveKind kind = CollectiveKind::AllReduce;
  std::vector<double> sizes_bytes;
  CollectiveOverride choice;
};

const NameTable<CollectiveKind> kOps = {{"allreduce", CollectiveKind::AllReduce},
                                        {"allgather", CollectiveKind::AllGather},
                                        {"reducescatter", CollectiveKind::ReduceScatter},
                                        {"alltoall", CollectiveKind::AllToAll},
                                        {"broadcast", CollectiveKind::Broadcast},
                                        {"reduce", CollectiveKind::Reduce},
                                        {"sendrecv", CollectiveKind::SendRecv}};

const NameTable<Protocol> kProtocols = {{"LL", Protocol::LL}, {"LL128", Protocol::LL128}, {"Simple", Protocol::Simple}};

std::string unknown_choice(const std::string& what, const std::string& word, const std::vector<std::string>& choices)
{
  std::string message = "unknown " + what + " \"" + word + "\"";
  if (const std::string near = closest_name(word, choices); !near.empty())
    message += " (did you mean \"" + near + "\"?)";
  return message + "; expected " + join_choices(choices);
}

template <typename E>
E parse_choice(const std::string& argument, const std::string& word, const NameTable<E>& names,
               Diagnostics& diagnostics)
{
  std::vector<std::string> spellings;
  for (const auto& [name, value] : names) {
    if (name == word)
      return value;
    spellings.push_back(name);
  }
  diagnostics.add({argument, 0, 0}, "", unknown_choice("value", word, spellings));
  return names.front().second;
}

double parse_size(const std::string& argument, const std::string& text, Diagnostics& diagnostics)
{
  try {
    const double bytes = parse_quantity(text, Dimension::Bytes);
    if (bytes >= 1)
      return bytes;
    diagnostics.add({argument, 0, 0}, "", "\"" + text + "\" is not a positive size; expected at least 1 byte");
  } catch (const UnitError& e) {
    diagnostics.add({argument, 0, 0}, "", e.what());
  }
  return 1;
}

/// One size, or every power of two from min_bytes (default 8 B) to max_bytes (default 8 GiB).
std::vector<double> message_sizes(const CollectiveRequest& request, Diagnostics& diagnostics)
{
  if (!request.bytes.empty())
    return {parse_size("bytes", request.bytes, diagnostics)};
  const double lo = parse_size("min_bytes", request.min_bytes.empty() ? "8" : request.min_bytes, diagnostics);
  const double hi = parse_size("max_bytes", request.max_bytes.empty() ? "8GiB" : request.max_bytes, diagnostics);
  std::vector<double> sizes;
  for (double s = lo; s <= hi * (1 + 1e-12); s *= 2)
    sizes.push_back(s);
  return sizes;
}

CollectivePlan check_request(const CollectiveRequest& request, Diagnostics& diagnostics)
{
  CollectivePlan plan;
  plan.kind = parse_choice("op", request.op, kOps, diagnostics);
  if (!request.algorithm.empty() && !find_collective_algorithm(request.algorithm))
    diagnostics.add({"algo", 0, 0}, "", unknown_choice("algorithm", request.algorithm, collective_algorithm_names()));
  plan.choice.algorithm = request.algorithm;
  if (!request.protocol.empty())
    plan.choice.protocol = parse_choice("protocol", request.protocol, kProtocols, diagnostics);
  plan.sizes_bytes = message_sizes(request, diagnostics);
  return plan;
}

/// Runs in the isolated child. A forced algorithm or protocol that cannot run the call is the
/// caller's mistake, so it becomes a ScenarioError (ValueError in Python), as in the CLI.
nlohmann::json measure(const ClusterConfig& cluster, const CollectiveRequest& request, const CollectivePlan& plan)
{
  std::vector<CollectiveMeasurement> measurements;
  try {
    measurements = sweep_collective(cluster, plan.kind, request.gpus, plan.sizes_bytes, plan.choice);
  } catch (const std::invalid_argument& e) {
    Diagnostics diagnostics;
    diagnostics.add({request.protocol.empty() ? "algo" : "protocol", 0, 0}, "",
                    std::string(e.what()) + "; expected another choice, or none to let the tuner choose");
    diagnostics.throw_if_any();
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& m : measurements) {
    const double algbw_gbps = m.algbw_bytes_per_s() / 1e9;
    rows.push_back({{"bytes", m.bytes},
                    {"time_s", m.time_s},
                    {"algbw_GBps", algbw_gbps},
                    {"busbw_GBps", algbw_gbps * bus_bandwidth_factor(plan.kind, request.gpus)},
                    {"algorithm", m.algorithm},
                    {"protocol", to_string(m.protocol)}});
  }
  return {{"op", request.op},
          {"algo", request.algorithm.empty() ? "auto" : request.algorithm},
          {"gpus", request.gpus},
          {"results", rows}};
}

nlohmann::json run_collective(const std::string& text, const std::string& name,
                              const std::vector<std::string>& overrides, const CollectiveRequest& request)
{
  Diagnostics diagnostics;
  const CollectivePlan plan = check_request(request, diagnostics);
  diagnostics.throw_if_any();
  LoadOptions options;
  options.overrides = overrides;
  options.require_jobs = false;
  options.cluster_only = true;
  const ScenarioConfig config = load_scenario_text(text, name, options);
  if (request.gpus < 1 || request.gpus > config.cluster.total_gpus())
    diagnostics.add({"gpus", 0, 0}, "",
                    std::to_string(request.gpus) + " GPUs is not available; expected 1 to " +
                        std::to_string(config.cluster.total_gpus()) + " (the cluster's GPUs)");
  diagnostics.throw_if_any();
  return run_isolated([&] { return measure(config.cluster, request, plan); });
}

py::object collective(const std::string& text, const std::string& name, const std::vector<std::string>& overrides,
                      const CollectiveRequest& request)
{
  nlohmann::json reply;
  {
    py::gil_scoped_release release;
    reply = run_collective(text, name, overrides, request);
  }
  return to_python(reply);
}

} // namespace

void bind_collective(py::module_& module)
{
  module.def(
      "collective",
      [](const std::string& text, const std::string& name, const std::vector<std::string>& overrides,
         const std::string& op, int gpus, const std::string& bytes, const std::string& min_bytes,
         const std::string& max_bytes, const std::string& algo, const std::string& protocol) {
        return collective(text, name, overrides, {op, gpus, bytes, min_bytes, max_bytes, algo, protocol});
      },
      py::arg("text"), py::arg("name"), py::arg("overrides"), py::arg("op"), py::arg("gpus"), py::arg("bytes") = "",
      py::arg("min_bytes") = "", py::arg("max_bytes") = "", py::arg("algo") = "", py::arg("protocol") = "",
      "Simulate one collective over the cluster's first `gpus` GPUs; returns the dict `dcsim collective --json` "
      "writes. Raises ValueError for invalid arguments or scenario.");
}

} // namespace dcsim::python
