#include "scenario_bindings.hpp"

#include "json_to_python.hpp"

#include "config/scenario_loader.hpp"
#include "engine/isolation.hpp"
#include "engine/simulation.hpp"
#include "results/json_report.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace dcsim::python {

namespace {

using Overrides = std::vector<std::string>;

LoadOptions load_options(const Overrides& overrides, bool require_jobs)
{
  LoadOptions options;
  options.overrides = overrides;
  options.require_jobs = require_jobs;
  return options;
}

nlohmann::json describe_config(const ScenarioConfig& config)
{
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : config.jobs)
    jobs.push_back({{"name", job.name},
                    {"gpus", job.gpus},
                    {"tensor", job.parallelism.tensor},
                    {"pipeline", job.parallelism.pipeline},
                    {"data", job.parallelism.data}});
  return {{"name", config.name},
          {"seed", config.seed},
          {"nodes", config.cluster.nodes},
          {"gpus", config.cluster.total_gpus()},
          {"gpu", config.cluster.node.gpu.name},
          {"jobs", jobs}};
}

/// Checks the scenario (raising ValueError with every problem) and summarises what was loaded.
py::object describe(const std::string& text, const std::string& name, const Overrides& overrides, bool require_jobs)
{
  nlohmann::json summary;
  {
    py::gil_scoped_release release;
    summary = describe_config(load_scenario_text(text, name, load_options(overrides, require_jobs)));
  }
  return to_python(summary);
}

/// Same, for a file, read as `dcsim validate` reads it (so a missing file gives the CLI's message).
py::object describe_file(const std::string& path, const Overrides& overrides, bool require_jobs)
{
  nlohmann::json summary;
  {
    py::gil_scoped_release release;
    summary = describe_config(load_scenario(path, load_options(overrides, require_jobs)));
  }
  return to_python(summary);
}

/// Simulates the scenario; returns (contract JSON as a dict, Chrome trace dict or None).
py::tuple run(const std::string& text, const std::string& name, const Overrides& overrides, bool fast_forward,
              bool trace, bool every_flow)
{
  nlohmann::json reply;
  {
    py::gil_scoped_release release;
    const ScenarioConfig config = load_scenario_text(text, name, load_options(overrides, true));
    SimulationOptions options;
    options.fast_forward = fast_forward;
    options.record_trace = trace;
    options.solo_phases = !every_flow;
    reply = run_isolated([&] {
      const SimulationResult result = simulate(config, options);
      nlohmann::json out = {{"result", to_json(result)}};
      if (trace)
        out["trace"] = trace_to_json(result);
      return out;
    });
  }
  py::object trace_events = trace ? to_python(reply.at("trace")) : py::none();
  return py::make_tuple(to_python(reply.at("result")), trace_events);
}

} // namespace

void bind_scenario(py::module_& module)
{
  module.def("describe", &describe, py::arg("text"), py::arg("name"), py::arg("overrides"),
             py::arg("require_jobs") = false,
             "Load and check a scenario; returns a summary dict. Raises ValueError listing every problem.");
  module.def("describe_file", &describe_file, py::arg("path"), py::arg("overrides"), py::arg("require_jobs") = false,
             "Load and check a scenario file; returns a summary dict. Raises ValueError listing every problem.");
  module.def("run", &run, py::arg("text"), py::arg("name"), py::arg("overrides"), py::arg("fast_forward") = true,
             py::arg("trace") = false, py::arg("every_flow") = false,
             "Simulate a scenario in a child process; returns (result dict, trace dict or None).");
  module.def("data_directory", &data_directory,
             "Directory holding models/, scenarios/ and calibration/ (relative paths resolve against it).");
  module.attr("version") = DCSIM_VERSION;
}

} // namespace dcsim::python
