#include "json_to_python.hpp"

namespace py = pybind11;

namespace dcsim::python {

namespace {

py::list to_python_list(const nlohmann::json& array)
{
  py::list list;
  for (const auto& item : array)
    list.append(to_python(item));
  return list;
}

py::dict to_python_dict(const nlohmann::json& object)
{
  py::dict dict; // insertion order is the JSON's order, as in the CLI's file
  for (const auto& [key, item] : object.items())
    dict[py::str(key)] = to_python(item);
  return dict;
}

} // namespace

py::object to_python(const nlohmann::json& value)
{
  switch (value.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(value.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(value.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(value.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(value.get<double>());
    case nlohmann::json::value_t::string: return py::str(value.get<std::string>());
    case nlohmann::json::value_t::array: return to_python_list(value);
    case nlohmann::json::value_t::object: return to_python_dict(value);
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded: break;
  }
  throw std::logic_error("json_to_python: unexpected JSON value type");
}

} // namespace dcsim::python
