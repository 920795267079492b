// Python entry point for one collective on a scenario's cluster, like `dcsim collective` (and
// nccl-tests' *_perf): over the first N GPUs, for one size or every power of two in a range.
//
// The arguments are checked as the CLI checks its flags, with every problem reported at once as
// ValueError; the location in each message is the keyword argument's name (`op: unknown value
// "allreduc" (did you mean "allreduce"?); expected ...`).
#pragma once

#include <pybind11/pybind11.h>

namespace dcsim::python {

/// Adds collective() to `module`.
void bind_collective(pybind11::module_& module);

} // namespace dcsim::python
