#include "plan_bindings.hpp"

#include "json_to_python.hpp"

#include "config/scenario_error.hpp"
#include "plan/plan_search.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace dcsim::python {

namespace {

py::object plan(const std::string& text, const std::string& name, const std::vector<std::string>& overrides, int job,
                const std::vector<int>& gpus, const std::vector<int>& tensor, const std::vector<int>& pipeline, const std::vector<int>& context,
                const std::vector<int>& expert, const std::vector<int>& micro_batch,
                const std::vector<int>& virtual_stages, const std::vector<std::string>& recompute,
                const std::vector<int>& zero, int workers,
                bool every_plan)
{
  PlanSearchRequest request;
  request.space = checked_plan_space({gpus, tensor, pipeline, context, expert, micro_batch, virtual_stages, zero, recompute},
                                     [](const std::string& keyword) { return keyword; });
  if (workers < 1 || workers > 1024) {
    Diagnostics diagnostics;
    diagnostics.add({"workers", 0, 0}, "", std::to_string(workers) + " processes; expected 1 to 1024");
    diagnostics.throw_if_any();
  }
  request.scenario = name;
  request.scenario_text = text;
  request.overrides = overrides;
  request.job_index = job;
  request.workers = workers;
  request.every_plan = every_plan;
  nlohmann::json reply;
  {
    py::gil_scoped_release release;
    reply = to_json(search_plans(request, "job"));
  }
  return to_python(reply);
}

} // namespace

void bind_plan(py::module_& module)
{
  module.def("plan", &plan, py::arg("text"), py::arg("name"), py::arg("overrides"), py::arg("job"), py::arg("gpus"),
             py::arg("tensor"), py::arg("pipeline"), py::arg("context"), py::arg("expert"), py::arg("micro_batch"), py::arg("virtual_stages"),
             py::arg("recompute"), py::arg("zero"), py::arg("workers"), py::arg("every_plan") = false,
             "Try every parallel plan of job `job` (empty lists: the defaults); returns the dict `dcsim plan "
             "--json` writes. Raises ValueError for invalid arguments or scenario.");
}

} // namespace dcsim::python
