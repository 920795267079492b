// Python entry point for `dcsim topology`'s analysis of a scenario's fabric: counts, bisection
// bandwidth, hops, equal-cost paths, leaf blocks and pods, as `dcsim topology --json` writes them.
// No simulation runs (the fabric is built and analysed in this process).
#pragma once

#include <pybind11/pybind11.h>

namespace dcsim::python {

/// Adds topology() to `module`.
void bind_topology(pybind11::module_& module);

} // namespace dcsim::python
