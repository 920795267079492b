// Python entry point for reading a scheduler trace (sim/config/job_trace_reader.hpp): the jobs a
// scenario's `scheduler.trace` would replay, as columns, for looking at a trace in a notebook
// before simulating it.
#pragma once

#include <pybind11/pybind11.h>

namespace dcsim::python {

/// Adds read_trace() to `module`.
void bind_trace(pybind11::module_& module);

} // namespace dcsim::python
