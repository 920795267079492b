// dcsim._core: the C++ half of the `dcsim` Python package (python/dcsim/ is the other half).
//
// Errors: a ScenarioError (the user's input) is a std::invalid_argument, which pybind11 raises as
// ValueError with the CLI's `file:line:col: key: what; expected what` lines. A failure inside
// the isolated child is IsolatedRunError: ValueError when the child found invalid input,
// otherwise SimulationError (a RuntimeError), e.g. when the simulation process died.
#include "collective_bindings.hpp"
#include "plan_bindings.hpp"
#include "scenario_bindings.hpp"
#include "topology_bindings.hpp"
#include "trace_bindings.hpp"

#include "engine/isolation.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, module)
{
  module.doc() = "dcsim simulator core (use the `dcsim` package instead)";
  py::register_exception<dcsim::IsolatedRunError>(module, "SimulationError", PyExc_RuntimeError);
  // Registered last, so tried first: invalid input found in the child is a ValueError too.
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error)
        std::rethrow_exception(error);
    } catch (const dcsim::IsolatedRunError& e) {
      if (!e.invalid_input())
        throw;
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  dcsim::python::bind_scenario(module);
  dcsim::python::bind_collective(module);
  dcsim::python::bind_plan(module);
  dcsim::python::bind_trace(module);
  dcsim::python::bind_topology(module);
}
