// nlohmann::json -> Python objects (dict, list, str, int, float, bool, None).
//
// The engine reports results as the contract's JSON (results/json_report.hpp); the module hands
// the same tree to Python as plain dicts rather than through a JSON string, so numbers arrive
// with full precision and no second parse is needed.
#pragma once

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

namespace dcsim::python {

/// Converts `value` recursively. Needs the GIL.
pybind11::object to_python(const nlohmann::json& value);

} // namespace dcsim::python
