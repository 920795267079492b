// Python entry points that take a scenario: check it, describe it, simulate it.
//
// A scenario crosses the language boundary as YAML text, the name that stands for its file in
// error messages, and `--set` style overrides ("dotted.key=value"), so Python objects stay plain,
// picklable data and errors read exactly as the CLI's. Each simulation runs in a forked child
// (engine/isolation.hpp: one SimGrid engine per process) with the GIL released.
#pragma once

#include <pybind11/pybind11.h>

namespace dcsim::python {

/// Adds describe(), describe_file(), run(), data_directory() and version to `module`.
void bind_scenario(pybind11::module_& module);

} // namespace dcsim::python
