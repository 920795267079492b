// A node fault trace for `failures: {trace: FILE, trace_servers: N}`: a JSON list of events
// {node_id, event_time (days), event_type: fault_start | fault_end, ...}, as StepFun's
// InfiniteHBD fault trace (../shared/reference/traces/stepfun_node_faults.json). Only fault
// starts matter here (a failed job restarts on a spare node; the fault's repair is not its wait).
// A fault's class (StepFun's `fault_type.Class`: GPU, NIC, Parameter Plane Cable, ...) is the
// cause it is reported under; faults without one are "node".
#include "config/internal/readers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace dcsim::internal {

namespace {

constexpr double kSecondsPerDay = 86400.0;

/// The index of `e`'s class in out.causes, added on its first fault.
int cause_of(const nlohmann::json& e, FailureConfig& out)
{
  std::string name = "node";
  const auto type = e.find("fault_type");
  if (type != e.end() && type->is_object()) {
    const auto cls = type->find("Class");
    if (cls != type->end() && cls->is_string() && !cls->get<std::string>().empty())
      name = cls->get<std::string>();
  }
  for (size_t i = 0; i < out.causes.size(); ++i)
    if (out.causes[i].name == name)
      return static_cast<int>(i);
  out.causes.push_back({name, FailureScope::Node, 0.0, out.restart_s, 0.0, out.detect_s});
  return static_cast<int>(out.causes.size()) - 1;
}

/// Each fault's repair: until its server's first fault_end at or after it not taken by an earlier
/// fault of the server (faults in time order), or until the trace's end.
void set_repairs(const std::map<std::string, int>& servers, std::map<std::string, std::vector<double>>& ends_s,
                 double last_s, std::vector<NodeFault>& faults)
{
  std::vector<std::vector<double>> ends_of(servers.size());
  for (auto& [node, ends] : ends_s) {
    const auto server = servers.find(node);
    if (server == servers.end())
      continue; // an end without a start
    std::sort(ends.begin(), ends.end());
    ends_of[server->second] = ends;
  }
  std::vector<size_t> next_end(servers.size(), 0);
  for (NodeFault& f : faults) { // in time order
    auto& ends = ends_of[f.server];
    size_t& k = next_end[f.server];
    while (k < ends.size() && ends[k] < f.time_s)
      ++k;
    f.repair_s = (k < ends.size() ? ends[k++] : last_s) - f.time_s;
  }
}

/// Fills `out` from the trace text; returns "" or what is wrong.
std::string parse_fault_trace(const std::string& text, FailureConfig& out)
{
  nlohmann::json events;
  try {
    events = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return "is not JSON (" + std::string(e.what()) + ")";
  }
  if (!events.is_array())
    return "is not a JSON list; expected a list of {node_id, event_time, event_type} events";
  std::map<std::string, int> servers; // node_id -> index, in order of first appearance
  std::map<std::string, std::vector<double>> ends_s; // node_id -> its fault_end times
  double last_s = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const std::string where = "event " + std::to_string(i) + ": ";
    if (!e.is_object() || !e.contains("node_id") || !e.contains("event_time") || !e.contains("event_type") ||
        !e["event_time"].is_number() || !e["node_id"].is_string() || !e["event_type"].is_string())
      return where + "expected {node_id: string, event_time: days, event_type: fault_start|fault_end}";
    const double time_s = e["event_time"].get<double>() * kSecondsPerDay;
    if (!(time_s >= 0))
      return where + "event_time is negative; expected days from the trace's start";
    if (time_s > kMaxSimulatedTimeS)
      return where + "event_time is more than 10 years (" + kSimulatedTimeLimitWhy + "); expected at most " +
             std::to_string(static_cast<long long>(kMaxSimulatedTimeS / kSecondsPerDay)) + " days";
    const std::string type = e["event_type"].get<std::string>();
    if (type != "fault_start" && type != "fault_end") // a misspelt start would drop the fault unseen
      return where + "event_type \"" + type + "\" is not a fault event; expected fault_start or fault_end";
    last_s = std::max(last_s, time_s);
    if (type != "fault_start") {
      ends_s[e["node_id"].get<std::string>()].push_back(time_s);
      continue;
    }
    const auto [it, added] = servers.emplace(e["node_id"].get<std::string>(), static_cast<int>(servers.size()));
    out.trace_faults.push_back({time_s, it->second, cause_of(e, out)});
  }
  if (out.trace_faults.empty())
    return "has no fault_start events; expected node faults";
  if (static_cast<int>(servers.size()) > out.trace_servers)
    return "names " + std::to_string(servers.size()) + " faulty servers but trace_servers is " +
           std::to_string(out.trace_servers) + "; expected trace_servers at least that (the fleet the trace covers)";
  std::stable_sort(out.trace_faults.begin(), out.trace_faults.end(),
                   [](const NodeFault& a, const NodeFault& b) { return a.time_s < b.time_s; });
  out.trace_span_s = last_s;
  set_repairs(servers, ends_s, last_s, out.trace_faults);
  return "";
}

} // namespace

void read_failure_trace(MapReader& failures, FailureConfig& out)
{
  const std::string name = failures.text("trace");
  out.trace_servers = static_cast<int>(failures.integer("trace_servers"));
  const std::optional<std::string> text =
      read_named_file(failures, "trace", name, "a JSON fault trace", out.trace_path);
  if (!text)
    return;
  const std::string problem = parse_fault_trace(*text, out);
  if (!problem.empty()) {
    failures.error("trace", name + " " + problem);
    out.trace_faults.clear();
    out.causes.clear();
    return;
  }
  if (out.trace_span_s <= 0) {
    failures.error("trace", name + " spans no time; expected events over days");
    out.trace_faults.clear();
    out.causes.clear();
    return;
  }
  // The fleet's mean: what Daly's `auto` interval and the restart check work from.
  out.node_mtbf_s = out.trace_servers * out.trace_span_s / static_cast<double>(out.trace_faults.size());
}

} // namespace dcsim::internal
