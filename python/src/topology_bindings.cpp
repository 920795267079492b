#include "topology_bindings.hpp"

#include "json_to_python.hpp"

#include "config/scenario_loader.hpp"
#include "platform/fabric_builder.hpp"
#include "results/topology_report.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace dcsim::python {

void bind_topology(py::module_& module)
{
  module.def(
      "topology",
      [](const std::string& text, const std::string& name, const std::vector<std::string>& overrides) {
        nlohmann::json reply;
        {
          py::gil_scoped_release release;
          LoadOptions options;
          options.overrides = overrides;
          options.require_jobs = false;
          options.cluster_only = true;
          reply = topology_json(*build_fabric(load_scenario_text(text, name, options).cluster));
        }
        return to_python(reply);
      },
      py::arg("text"), py::arg("name"), py::arg("overrides"),
      "Analyse the scenario's fabric; returns the dict `dcsim topology --json` writes. Raises ValueError for an "
      "invalid scenario.");
}

} // namespace dcsim::python
