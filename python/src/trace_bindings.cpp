#include "trace_bindings.hpp"

#include "config/job_trace_reader.hpp"
#include "config/scenario_error.hpp"
#include "config/text_file.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace dcsim::python {

namespace {

/// A one-line ValueError naming `keyword`, as the other entry points raise them.
[[noreturn]] void invalid(const std::string& keyword, const std::string& message)
{
  Diagnostics diagnostics;
  diagnostics.add({keyword, 0, 0}, "", message);
  diagnostics.throw_if_any();
  throw std::logic_error("unreachable");
}

/// `word` among the scenario key's spellings (job_trace_reader.hpp).
template <typename E>
E choose(const std::string& keyword, const std::string& word, const std::vector<std::pair<std::string, E>>& names)
{
  std::string spellings;
  for (const auto& [name, value] : names) {
    if (name == word)
      return value;
    spellings += (spellings.empty() ? "" : ", ") + name;
  }
  invalid(keyword, "\"" + word + "\" is not one; expected " + spellings);
}

py::dict read_trace(const std::string& path, const std::string& format, const std::string& group,
                    int processors_per_gpu, bool feedback)
{
  TraceOptions options;
  options.format = choose("format", format, trace_format_names());
  options.swf_group = choose("group", group, swf_group_names());
  if (processors_per_gpu < 1)
    invalid("processors_per_gpu", std::to_string(processors_per_gpu) + " is not a count; expected 1 or more");
  options.processors_per_gpu = processors_per_gpu;
  options.feedback = feedback;
  const std::optional<std::string> text = read_text_file(path);
  if (!text)
    invalid("path", "cannot read \"" + path + "\"; expected a trace file");
  JobTrace trace;
  const std::string problem = read_job_trace(*text, path, options, trace);
  if (!problem.empty())
    invalid("path", path + " " + problem);
  std::vector<double> submit, duration, estimate, think, gradient, iteration;
  std::vector<long long> gpus, line, number, preceding;
  std::vector<std::string> groups;
  for (const TraceJob& j : trace.jobs) {
    submit.push_back(j.submit_s), duration.push_back(j.duration_s), estimate.push_back(j.estimate_s);
    gpus.push_back(j.gpus), line.push_back(j.line), number.push_back(j.number), preceding.push_back(j.preceding);
    think.push_back(j.think_s), gradient.push_back(j.gradient_bytes), iteration.push_back(j.iteration_s);
    groups.push_back(j.group >= 0 ? trace.groups[j.group] : "");
  }
  py::dict columns;
  columns["submit_s"] = submit, columns["duration_s"] = duration, columns["gpus"] = gpus;
  columns["estimate_s"] = estimate, columns["group"] = groups, columns["line"] = line;
  columns["number"] = number, columns["preceding"] = preceding, columns["think_s"] = think;
  columns["gradient_bytes"] = gradient, columns["iteration_s"] = iteration;
  py::dict out;
  out["columns"] = columns;
  out["format"] = trace.format == TraceFormat::Swf ? "swf" : "csv";
  out["skipped"] = trace.skipped;
  return out;
}

} // namespace

void bind_trace(py::module_& module)
{
  module.def("read_trace", &read_trace, py::arg("path"), py::arg("format") = "auto", py::arg("group") = "none",
             py::arg("processors_per_gpu") = 1, py::arg("feedback") = false,
             "Read a scheduler trace (CSV or Standard Workload Format) as the scenario's scheduler would; "
             "returns {columns, format, skipped}. Raises ValueError naming the line of the first problem.");
}

} // namespace dcsim::python
