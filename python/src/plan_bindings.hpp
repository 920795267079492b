// Python entry point for `dcsim plan`: the candidate parallel plans of one job, each checked and
// simulated alone in a child process, ranked (sim/plan/plan_search.hpp). Arguments are checked as
// the CLI checks its flags; the location in each message is the keyword argument's name.
#pragma once

#include <pybind11/pybind11.h>

namespace dcsim::python {

/// Adds plan() to `module`.
void bind_plan(pybind11::module_& module);

} // namespace dcsim::python
