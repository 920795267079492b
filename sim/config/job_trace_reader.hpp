// Reading a cluster's job trace for the scheduler (`scheduler.trace`): what each job asked for
// (GPUs, run time, the user's estimate, its team) and when it was submitted.
//
// Two families of layout:
// - CSV with a header: Philly's as flattened by the Pollux/Sia simulators
//   (timestamp,duration,num_gpus,...,cluster) or dcsim's own (submit_time_s,duration_s,gpus
//   [,group][,estimate_s]).
// - The Standard Workload Format of the Parallel Workloads Archive (Feitelson et al.,
//   www.cs.huji.ac.il/labs/parallel/workload/swf.html): header comments starting with ';', then
//   one job per line as 18 whitespace-separated numbers, -1 where a value is unknown. The fields
//   used: 2 submit time, 4 run time, 5 allocated processors (8, requested processors, when 5 is
//   unknown), 9 requested time (the user's estimate), and for groups 12 user, 13 group, 15 queue
//   or 16 partition. A job whose run time or processor count is unknown cannot be replayed: it
//   is skipped and counted (archive logs keep jobs cancelled before they started that way).
#pragma once

#include "config/scenario_config.hpp"

#include <string>
#include <utility>
#include <vector>

namespace dcsim {

struct JobTrace {
  std::vector<TraceJob> jobs;      ///< in submission order, submissions from the first one
  std::vector<std::string> groups; ///< the groups jobs name, by first appearance
  TraceFormat format = TraceFormat::Csv; ///< the layout read (never Auto)
  int skipped = 0;                 ///< SWF lines without a run time or a processor count
};

/// Reads `text`, the contents of the trace file `path` (its name decides Auto: `.swf`, or a
/// first non-blank line starting with ';', is SWF). Returns "" or the first problem, as
/// "line N: ..." (or a whole-file problem such as "has no jobs ...").
std::string read_job_trace(const std::string& text, const std::string& path, const TraceOptions& options,
                           JobTrace& out);

/// The spellings of the layouts and of SWF's group fields (`trace_format`, `trace_group`; also
/// Python's read_trace), each with what it means.
const std::vector<std::pair<std::string, TraceFormat>>& trace_format_names();
const std::vector<std::pair<std::string, SwfGroupField>>& swf_group_names();

/// The layout Auto resolves to for this file.
TraceFormat detect_trace_format(const std::string& text, const std::string& path);

} // namespace dcsim
