#include "config/job_trace_reader.hpp"

#include "units/units.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>

namespace dcsim {

namespace {

std::vector<std::string> split_csv(const std::string& line)
{
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ','))
    cells.push_back(cell);
  if (!line.empty() && line.back() == ',')
    cells.emplace_back();
  for (auto& c : cells)
    if (!c.empty() && c.back() == '\r')
      c.pop_back();
  return cells;
}

/// "2017-10-09 07:01:55" (UTC) as seconds since the epoch; false when malformed, out of range or
/// followed by anything (std::get_time took "2017-10-09" alone as midnight; found by fuzzing).
bool parse_timestamp(const std::string& text, double& seconds)
{
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &used) != 6 ||
      used != static_cast<int>(text.size()) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60 || hour < 0 || minute < 0 || second < 0)
    return false;
  std::tm tm{};
  tm.tm_year = year - 1900, tm.tm_mon = month - 1, tm.tm_mday = day;
  tm.tm_hour = hour, tm.tm_min = minute, tm.tm_sec = second;
  seconds = static_cast<double>(timegm(&tm));
  return true;
}

/// A finite decimal number ("16", "2.5e3"), and nothing else.
bool parse_number(const std::string& text, double& value)
{
  const char* end = nullptr;
  value = parse_decimal(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && std::isfinite(value);
}

std::string duration_problem(const std::string& what, const std::string& text)
{
  return what + " \"" + text + "\" is more than 10 years (" + kSimulatedTimeLimitWhy + "); expected at most " +
         std::to_string(static_cast<long long>(kMaxSimulatedTimeS)) + " seconds";
}

/// Submissions from the first one on, in order (ties keep the file's order).
void order_submissions(std::vector<TraceJob>& jobs)
{
  std::stable_sort(jobs.begin(), jobs.end(), [](const TraceJob& a, const TraceJob& b) { return a.submit_s < b.submit_s; });
  const double first = jobs.front().submit_s;
  for (auto& j : jobs)
    j.submit_s -= first;
}

/// The id of group `name`, added to `groups` on first sight.
int group_id(const std::string& name, std::map<std::string, int>& ids, std::vector<std::string>& groups)
{
  const auto [it, added] = ids.emplace(name, static_cast<int>(groups.size()));
  if (added)
    groups.push_back(name);
  return it->second;
}

/// Philly's layout or dcsim's, told apart by the header. The optional group column (Philly's
/// virtual cluster) fills `groups`.
std::string read_csv_trace(const std::string& text, JobTrace& out)
{
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line))
    return "is empty";
  std::map<std::string, size_t> column;
  const std::vector<std::string> header = split_csv(line);
  for (size_t i = 0; i < header.size(); ++i)
    column[header[i]] = i;
  const bool philly = column.count("timestamp") && column.count("duration") && column.count("num_gpus");
  const bool plain = column.count("submit_time_s") && column.count("duration_s") && column.count("gpus");
  if (!philly && !plain)
    return "line 1: header \"" + line +
           "\" has neither layout; expected columns submit_time_s,duration_s,gpus or Philly's "
           "timestamp,duration,num_gpus (or an SWF log: trace_format: swf)";
  const size_t submit_col = column[philly ? "timestamp" : "submit_time_s"];
  const size_t duration_col = column[philly ? "duration" : "duration_s"];
  const size_t gpus_col = column[philly ? "num_gpus" : "gpus"];
  const auto group_column = column.find(philly ? "cluster" : "group");
  const bool has_groups = group_column != column.end();
  const auto estimate_column = column.find("estimate_s");
  const bool has_estimates = estimate_column != column.end();
  const auto gradient_column = column.find("gradient_bytes");
  const auto iteration_column = column.find("iteration_s");
  const bool has_gradients = gradient_column != column.end(), has_iterations = iteration_column != column.end();
  const size_t needed = std::max({submit_col, duration_col, gpus_col, has_groups ? group_column->second : 0,
                                  has_estimates ? estimate_column->second : 0,
                                  has_gradients ? gradient_column->second : 0,
                                  has_iterations ? iteration_column->second : 0}) + 1;
  std::map<std::string, int> group_ids;
  int number = 1;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line == "\r")
      continue;
    const std::vector<std::string> cells = split_csv(line);
    const std::string where = "line " + std::to_string(number) + ": ";
    if (cells.size() < needed)
      return where + "has " + std::to_string(cells.size()) + " columns; expected at least " + std::to_string(needed);
    TraceJob job;
    double gpus = 0;
    const bool submit_ok = philly ? parse_timestamp(cells[submit_col], job.submit_s)
                                  : parse_number(cells[submit_col], job.submit_s);
    if (!submit_ok)
      return where + "submission time \"" + cells[submit_col] + "\" is not " +
             (philly ? "a time; expected YYYY-MM-DD HH:MM:SS" : "a number; expected seconds");
    if (!parse_number(cells[duration_col], job.duration_s) || job.duration_s < 0)
      return where + "duration \"" + cells[duration_col] + "\" is not a duration; expected seconds >= 0";
    if (job.duration_s > kMaxSimulatedTimeS)
      return where + duration_problem("duration", cells[duration_col]);
    if (has_estimates) {
      const std::string& cell = cells[estimate_column->second];
      if (!parse_number(cell, job.estimate_s) || job.estimate_s < 0 || job.estimate_s > kMaxSimulatedTimeS)
        return where + "estimate \"" + cell + "\" is not a duration; expected seconds from 0 to 10 years";
    }
    if (has_gradients) {
      const std::string& cell = cells[gradient_column->second];
      if (!parse_number(cell, job.gradient_bytes) || job.gradient_bytes < 0 || job.gradient_bytes > 1e15)
        return where + "gradient_bytes \"" + cell + "\" is not a size; expected bytes from 0 (no traffic) to 1e15";
    }
    if (has_iterations) {
      const std::string& cell = cells[iteration_column->second];
      if (!parse_number(cell, job.iteration_s) || job.iteration_s <= 0 || job.iteration_s > kMaxSimulatedTimeS)
        return where + "iteration_s \"" + cell + "\" is not a duration; expected seconds above 0";
    }
    job.line = number;
    if (!parse_number(cells[gpus_col], gpus) || gpus < 1 || gpus != std::floor(gpus) || gpus > 1e6)
      return where + "GPU count \"" + cells[gpus_col] + "\" is not a count; expected a positive integer";
    job.gpus = static_cast<int>(gpus);
    if (has_groups) {
      const std::string& name = cells[group_column->second];
      if (name.empty())
        return where + "the " + group_column->first + " column is empty; expected the job's group name";
      job.group = group_id(name, group_ids, out.groups);
    }
    out.jobs.push_back(job);
  }
  if (out.jobs.empty())
    return "has no jobs; expected one row per job after the header";
  order_submissions(out.jobs);
  return "";
}

// The Standard Workload Format's fields (1-based, as its definition numbers them).
constexpr int kSwfFields = 18;
constexpr int kNumber = 1, kSubmit = 2, kRunTime = 4, kAllocated = 5, kRequested = 8, kRequestedTime = 9;
constexpr int kPreceding = 17, kThinkTime = 18;
constexpr int kUser = 12, kGroup = 13, kQueue = 15, kPartition = 16;
const std::array<const char*, kSwfFields + 1> kSwfFieldNames = {
    "", "job number", "submit time", "wait time", "run time", "allocated processors", "average CPU time",
    "used memory", "requested processors", "requested time", "requested memory", "status", "user ID",
    "group ID", "executable number", "queue number", "partition number", "preceding job", "think time"};

/// The field naming a job's group and the prefix of the groups' names ("user 7" -> "user7").
std::pair<int, const char*> group_field(SwfGroupField g)
{
  switch (g) {
  case SwfGroupField::User: return {kUser, "user"};
  case SwfGroupField::Group: return {kGroup, "group"};
  case SwfGroupField::Queue: return {kQueue, "queue"};
  case SwfGroupField::Partition: return {kPartition, "partition"};
  case SwfGroupField::None: break;
  }
  return {0, ""};
}

/// One SWF job line as its 18 numbers ([0] unused); "" or the problem.
std::string parse_swf_fields(const std::string& line, std::array<double, kSwfFields + 1>& field)
{
  std::istringstream in(line);
  std::string token;
  int n = 0;
  while (in >> token) {
    if (++n > kSwfFields)
      break;
    if (!parse_number(token, field[n]))
      return "field " + std::to_string(n) + " (" + kSwfFieldNames[n] + ") \"" + token +
             "\" is not a number; expected a number, or -1 when unknown";
  }
  if (n != kSwfFields)
    return "has " + std::string(n > kSwfFields ? "more than 18" : std::to_string(n)) +
           " fields; expected the Standard Workload Format's 18 numbers, or a comment starting with ';'";
  return "";
}

std::string read_swf_trace(const std::string& text, const TraceOptions& options, JobTrace& out)
{
  std::istringstream lines(text);
  std::string line;
  std::map<std::string, int> group_ids;
  const auto [group_at, group_prefix] = group_field(options.swf_group);
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == ';')
      continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    std::array<double, kSwfFields + 1> field{};
    const std::string problem = parse_swf_fields(line, field);
    if (!problem.empty())
      return where + problem;
    const double processors = field[kAllocated] >= 1 ? field[kAllocated] : field[kRequested];
    if (field[kRunTime] < 0 || processors < 1 || field[kSubmit] < 0) {
      ++out.skipped; // never ran, or the log lost what it asked for: nothing to replay
      continue;
    }
    if (field[kRunTime] > kMaxSimulatedTimeS)
      return where + duration_problem("field 4 (run time)", std::to_string(static_cast<long long>(field[kRunTime])));
    const double gpus = std::ceil(processors / options.processors_per_gpu);
    if (processors != std::floor(processors) || gpus > 1e6)
      return where + "the processor count " + std::to_string(processors) + " is not a count; expected a positive "
             "integer of at most a million GPUs' worth";
    TraceJob job;
    job.submit_s = field[kSubmit];
    job.duration_s = field[kRunTime];
    job.gpus = static_cast<int>(gpus);
    job.line = number;
    if (field[kRequestedTime] >= 0)
      job.estimate_s = std::min(field[kRequestedTime], kMaxSimulatedTimeS);
    job.number = static_cast<long long>(field[kNumber]);
    if (field[kPreceding] >= 1 && field[kPreceding] < field[kNumber]) { // an earlier job: no cycles
      job.preceding = static_cast<long long>(field[kPreceding]);
      job.think_s = std::min(field[kThinkTime], kMaxSimulatedTimeS);
    }
    if (group_at > 0 && field[group_at] >= 0) // -1: the log does not say; the job is in no group
      job.group = group_id(group_prefix + std::to_string(static_cast<long long>(field[group_at])), group_ids, out.groups);
    out.jobs.push_back(job);
  }
  if (out.jobs.empty())
    return "has no jobs" + std::string(out.skipped > 0 ? " with a known run time and processor count (" +
                                                             std::to_string(out.skipped) + " without)"
                                                       : "") +
           "; expected one line of 18 numbers per job after the ';' header";
  order_submissions(out.jobs);
  return "";
}

bool ends_with_swf(const std::string& path)
{
  if (path.size() < 4)
    return false;
  std::string tail = path.substr(path.size() - 4);
  std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
  return tail == ".swf";
}

} // namespace

const std::vector<std::pair<std::string, TraceFormat>>& trace_format_names()
{
  static const std::vector<std::pair<std::string, TraceFormat>> names = {
      {"auto", TraceFormat::Auto}, {"csv", TraceFormat::Csv}, {"swf", TraceFormat::Swf}};
  return names;
}

const std::vector<std::pair<std::string, SwfGroupField>>& swf_group_names()
{
  static const std::vector<std::pair<std::string, SwfGroupField>> names = {{"none", SwfGroupField::None},
                                                                           {"user", SwfGroupField::User},
                                                                           {"group", SwfGroupField::Group},
                                                                           {"queue", SwfGroupField::Queue},
                                                                           {"partition", SwfGroupField::Partition}};
  return names;
}

TraceFormat detect_trace_format(const std::string& text, const std::string& path)
{
  if (ends_with_swf(path))
    return TraceFormat::Swf;
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == ';' ? TraceFormat::Swf : TraceFormat::Csv;
}

std::string read_job_trace(const std::string& text, const std::string& path, const TraceOptions& options,
                           JobTrace& out)
{
  out = JobTrace{};
  out.format = options.format == TraceFormat::Auto ? detect_trace_format(text, path) : options.format;
  return out.format == TraceFormat::Swf ? read_swf_trace(text, options, out) : read_csv_trace(text, out);
}

} // namespace dcsim
