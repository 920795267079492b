#include "collective_bindings.hpp"

#include "json_to_python.hpp"

#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "engine/collective_request.hpp"
#include "engine/isolation.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace dcsim::python {

namespace {

const CollectiveArgumentNames kKeywords = {"op",       "gpus",        "bytes",      "min_bytes",
                                           "max_bytes", "algo",        "protocol",   "datatype",
                                           "step_factor", "step_bytes", "gpus_per_node"};

nlohmann::json run_collective(const std::string& text, const std::string& name,
                              const std::vector<std::string>& overrides, const CollectiveRequestText& request_text)
{
  Diagnostics diagnostics;
  const CollectiveRequest request = check_collective_request(request_text, kKeywords, diagnostics);
  diagnostics.throw_if_any();
  LoadOptions options;
  options.overrides = overrides;
  options.require_jobs = false;
  options.cluster_only = true;
  const ScenarioConfig config = load_scenario_text(text, name, options);
  check_collective_gpus(request, config.cluster, kKeywords, diagnostics);
  diagnostics.throw_if_any();
  // Runs in a child process (one simulation per process); a ScenarioError there comes back as one.
  return run_isolated([&] {
    return collective_result_json(request_text, request,
                                  run_collective_request(config.cluster, request, request_text, kKeywords));
  });
}

py::object collective(const std::string& text, const std::string& name, const std::vector<std::string>& overrides,
                      const CollectiveRequestText& request)
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
         const std::string& max_bytes, const std::string& algo, const std::string& protocol,
         const std::string& datatype, const std::string& step_factor, const std::string& step_bytes,
         int gpus_per_node) {
        return collective(text, name, overrides,
                          {op, gpus, gpus_per_node, bytes, min_bytes, max_bytes, algo, protocol, datatype,
                           step_factor, step_bytes});
      },
      py::arg("text"), py::arg("name"), py::arg("overrides"), py::arg("op"), py::arg("gpus"), py::arg("bytes") = "",
      py::arg("min_bytes") = "", py::arg("max_bytes") = "", py::arg("algo") = "", py::arg("protocol") = "",
      py::arg("datatype") = "", py::arg("step_factor") = "", py::arg("step_bytes") = "", py::arg("gpus_per_node") = 0,
      "Simulate one collective over the cluster's first `gpus` GPUs (`gpus_per_node` on each node if > 0); returns the dict `dcsim collective --json` "
      "writes. Raises ValueError for invalid arguments or scenario.");
}

} // namespace dcsim::python
