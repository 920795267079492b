#include "engine/collective_request.hpp"

#include "collectives/nccl_settings.hpp"

#include "collectives/tuner.hpp"
#include "config/yaml_reader.hpp"
#include "units/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace dcsim {

namespace {

const NameTable<CollectiveKind> kOpNames = {{"allreduce", CollectiveKind::AllReduce},
                                        {"allgather", CollectiveKind::AllGather},
                                        {"reducescatter", CollectiveKind::ReduceScatter},
                                        {"alltoall", CollectiveKind::AllToAll},
                                        {"broadcast", CollectiveKind::Broadcast},
                                        {"reduce", CollectiveKind::Reduce},
                                        {"sendrecv", CollectiveKind::SendRecv}};

/// nccl-tests' data types (its -d names) and their sizes.
const NameTable<int> kDataTypes = {{"float", 4},  {"half", 2},   {"bfloat16", 2}, {"double", 8},
                                   {"int8", 1},   {"uint8", 1},  {"int32", 4},    {"uint32", 4},
                                   {"int64", 8},  {"uint64", 8}, {"f8e4m3", 1},   {"f8e5m2", 1}};

/// A sweep longer than this is a mistake (a 1-byte step from 8 B to 8 GiB would be 8.6e9 sizes).
constexpr size_t kMaxSweepSizes = 10000;

bool splits_per_rank(CollectiveKind kind)
{
  return kind == CollectiveKind::AllGather || kind == CollectiveKind::ReduceScatter ||
         kind == CollectiveKind::AllToAll;
}

const NameTable<Protocol> kProtocolNames = {{"LL", Protocol::LL}, {"LL128", Protocol::LL128}, {"Simple", Protocol::Simple}};

std::string unknown_choice(const std::string& what, const std::string& word, const std::vector<std::string>& choices)
{
  std::string message = "unknown " + what + " \"" + word + "\"";
  if (const std::string near = closest_name(word, choices); !near.empty())
    message += " (did you mean \"" + near + "\"?)";
  return message + "; expected " + join_choices(choices);
}

template <typename E>
E parse_choice(const std::string& argument, const std::string& word, const NameTable<E>& names,
               Diagnostics& diagnostics)
{
  std::vector<std::string> spellings;
  for (const auto& [name, value] : names) {
    if (name == word)
      return value;
    spellings.push_back(name);
  }
  diagnostics.add({argument, 0, 0}, "", unknown_choice("value", word, spellings));
  return names.front().second;
}

// A buffer larger than any GPU's memory is a typo; beyond ~1e19 bytes the engine's arithmetic
// would also stop being exact.
constexpr double kMaxMessageBytes = 1099511627776.0; // 1 TiB

/// The size in bytes, or nothing after reporting why it is not one.
std::optional<double> parse_size(const std::string& argument, const std::string& text, Diagnostics& diagnostics)
{
  try {
    const double bytes = parse_quantity(text, Dimension::Bytes);
    if (bytes < 1)
      diagnostics.add({argument, 0, 0}, "", "\"" + text + "\" is not a positive size; expected at least 1 byte");
    else if (bytes != std::floor(bytes))
      diagnostics.add({argument, 0, 0}, "", "\"" + text + "\" is not a whole number of bytes; expected an integer size");
    else if (bytes > kMaxMessageBytes)
      diagnostics.add({argument, 0, 0}, "", "\"" + text + "\" is larger than any GPU's memory; expected at most 1TiB");
    else
      return bytes;
  } catch (const UnitError& e) {
    diagnostics.add({argument, 0, 0}, "", e.what());
  }
  return std::nullopt;
}

/// The sweep's sizes as asked: one, or min to max doubling / by --step-factor / by --step-bytes.
std::vector<double> asked_sizes(const CollectiveRequestText& text, const CollectiveArgumentNames& names,
                                Diagnostics& diagnostics)
{
  if (!text.bytes.empty())
    return {parse_size(names.bytes, text.bytes, diagnostics).value_or(1)};
  const std::string min_text = text.min_bytes.empty() ? "8" : text.min_bytes;
  const std::string max_text = text.max_bytes.empty() ? "8GiB" : text.max_bytes;
  const std::optional<double> lo = parse_size(names.min_bytes, min_text, diagnostics);
  const std::optional<double> hi = parse_size(names.max_bytes, max_text, diagnostics);
  double factor = 2, step = 0;
  if (!text.step_factor.empty() && !text.step_bytes.empty())
    diagnostics.add({names.step_bytes, 0, 0}, "",
                    "given with " + names.step_factor + "; expected one of them (a factor or an increment)");
  if (!text.step_factor.empty()) {
    const char* end = nullptr;
    factor = parse_decimal(text.step_factor.c_str(), &end);
    if (end == text.step_factor.c_str() || *end != '\0' || !(factor > 1) || !std::isfinite(factor)) {
      diagnostics.add({names.step_factor, 0, 0}, "", "\"" + text.step_factor + "\" is not a factor > 1; expected e.g. 2");
      return {1};
    }
  }
  if (!text.step_bytes.empty()) {
    const std::optional<double> parsed = parse_size(names.step_bytes, text.step_bytes, diagnostics);
    if (!parsed)
      return {1};
    step = *parsed;
  }
  if (!lo || !hi)
    return {1}; // reported; nothing runs
  if (*lo > *hi) {
    const auto quoted = [](const std::string& given, const std::string& shown) {
      return "\"" + shown + "\"" + (given.empty() ? " (the default)" : "");
    };
    diagnostics.add({names.min_bytes, 0, 0}, "",
                    quoted(text.min_bytes, min_text) + " is larger than " + names.max_bytes + " " +
                        quoted(text.max_bytes, max_text) + "; expected min <= max");
    return {1};
  }
  std::vector<double> sizes;
  // At least a byte further each time: floor(8 x 1.01) is 8 again.
  for (double s = *lo; s <= *hi * (1 + 1e-12); s = step > 0 ? s + step : std::max(s + 1, std::floor(s * factor))) {
    if (sizes.size() == kMaxSweepSizes) {
      diagnostics.add({step > 0 ? names.step_bytes : names.step_factor, 0, 0}, "",
                      "the sweep from " + min_text + " to " + max_text + " would have more than " +
                          std::to_string(kMaxSweepSizes) + " sizes; expected fewer (a larger step)");
      return {1};
    }
    sizes.push_back(s);
  }
  return sizes;
}

/// Rounds each size down as nccl-tests does: to whole elements, per rank where the op splits the
/// buffer over the ranks; sizes with nothing left are dropped.
std::vector<double> nccl_tests_sizes(const std::vector<double>& asked, const CollectiveRequest& request)
{
  const double unit = request.element_bytes * (splits_per_rank(request.kind) ? std::max(1, request.gpus) : 1);
  std::vector<double> sizes;
  for (double s : asked) {
    const double bytes = std::floor(s / unit) * unit;
    if (bytes > 0)
      sizes.push_back(bytes);
  }
  return sizes;
}

} // namespace

CollectiveRequest check_collective_request(const CollectiveRequestText& text, const CollectiveArgumentNames& names,
                                           Diagnostics& diagnostics)
{
  CollectiveRequest request;
  request.kind = parse_choice(names.op, text.op, kOpNames, diagnostics);
  request.gpus = text.gpus;
  request.gpus_per_node = text.gpus_per_node;
  // One name forces it; a list in NCCL_ALGO's / NCCL_PROTO's syntax ("ring,tree", "^nvls") lets
  // the tuner choose among what it allows (collectives/nccl_settings.hpp). Either way a call
  // they cannot run is an error here, not NCCL's fallback to the ring.
  const auto nccl_list = [](const std::string& value) { return value.find_first_of(",^:") != std::string::npos; };
  const auto read_list = [&](const std::string& key, const std::string& value,
                             void (*parse)(const std::string&, NcclSettings&)) {
    NcclSettings settings;
    try {
      parse(value, settings);
    } catch (const std::invalid_argument& e) {
      diagnostics.add({key, 0, 0}, "", e.what());
    }
    return settings.for_kind(request.kind);
  };
  if (nccl_list(text.algorithm)) {
    request.choice.algorithms = read_list(names.algorithm, text.algorithm, parse_nccl_algo).algorithms;
  } else if (!text.algorithm.empty()) {
    if (!find_collective_algorithm(text.algorithm))
      diagnostics.add({names.algorithm, 0, 0}, "",
                      unknown_choice("algorithm", text.algorithm, collective_algorithm_names()));
    request.choice.algorithms = {text.algorithm};
  }
  if (nccl_list(text.protocol))
    request.choice.protocols = read_list(names.protocol, text.protocol, parse_nccl_proto).protocols;
  else if (!text.protocol.empty())
    request.choice.protocols = {parse_choice(names.protocol, text.protocol, kProtocolNames, diagnostics)};
  if (!text.datatype.empty()) {
    request.datatype = text.datatype;
    request.element_bytes = parse_choice(names.datatype, text.datatype, kDataTypes, diagnostics);
  }
  const std::vector<double> asked = asked_sizes(text, names, diagnostics);
  request.sizes_bytes = nccl_tests_sizes(asked, request);
  if (request.sizes_bytes.empty() && diagnostics.empty()) {
    const bool per_rank = splits_per_rank(request.kind);
    const bool one = !text.bytes.empty();
    const std::string largest = one ? text.bytes : text.max_bytes.empty() ? "8GiB" : text.max_bytes;
    const int least = request.element_bytes * (per_rank ? std::max(1, request.gpus) : 1);
    diagnostics.add({one ? names.bytes : names.max_bytes, 0, 0}, "",
                    "\"" + largest + "\" is less than one " + request.datatype + (per_rank ? " per rank" : "") +
                        "; expected at least " + std::to_string(least) + " bytes");
  }
  return request;
}

double CollectiveRequest::count(double bytes) const
{
  return bytes / element_bytes / (splits_per_rank(kind) ? std::max(1, gpus) : 1);
}

void check_collective_gpus(const CollectiveRequest& request, const ClusterConfig& cluster,
                           const CollectiveArgumentNames& names, Diagnostics& diagnostics)
{
  if (request.gpus < 1 || request.gpus > cluster.total_gpus()) {
    diagnostics.add({names.gpus, 0, 0}, "",
                    std::to_string(request.gpus) + " GPUs is not available; expected 1 to " +
                        std::to_string(cluster.total_gpus()) + " (the cluster's GPUs)");
    return;
  }
  const int per_node = request.gpus_per_node;
  if (per_node == 0)
    return;
  const std::string node = std::to_string(cluster.node.gpus);
  if (per_node < 0 || per_node > cluster.node.gpus)
    diagnostics.add({names.gpus_per_node, 0, 0}, "",
                    std::to_string(per_node) + " is not a GPU count of a node; expected 1 to " + node);
  else if (request.gpus % per_node != 0)
    diagnostics.add({names.gpus_per_node, 0, 0}, "",
                    std::to_string(request.gpus) + " GPUs do not split into nodes of " + std::to_string(per_node) +
                        "; expected a divisor of " + std::to_string(request.gpus));
  else if (request.gpus / per_node > cluster.nodes)
    diagnostics.add({names.gpus_per_node, 0, 0}, "",
                    std::to_string(request.gpus) + " GPUs at " + std::to_string(per_node) + " a node need " +
                        std::to_string(request.gpus / per_node) + " nodes; expected at most the cluster's " +
                        std::to_string(cluster.nodes));
}

std::vector<CollectiveMeasurement> run_collective_request(const ClusterConfig& cluster, const CollectiveRequest& request,
                                                          const CollectiveRequestText& text,
                                                          const CollectiveArgumentNames& names)
{
  try {
    return sweep_collective(cluster, request.kind, request.gpus, request.sizes_bytes, request.choice,
                            request.gpus_per_node);
  } catch (const std::invalid_argument& e) {
    Diagnostics diagnostics;
    diagnostics.add({text.protocol.empty() ? names.algorithm : names.protocol, 0, 0}, "",
                    std::string(e.what()) + "; expected another choice, or none to let the tuner choose");
    diagnostics.throw_if_any();
  }
  return {};
}

nlohmann::json collective_result_json(const CollectiveRequestText& text, const CollectiveRequest& request,
                                      const std::vector<CollectiveMeasurement>& measurements)
{
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& m : measurements) {
    const double algbw_gbps = m.algbw_bytes_per_s() / 1e9;
    rows.push_back({{"bytes", m.bytes},
                    {"count", request.count(m.bytes)},
                    {"time_s", m.time_s},
                    {"algbw_GBps", algbw_gbps},
                    {"busbw_GBps", algbw_gbps * bus_bandwidth_factor(request.kind, request.gpus)},
                    {"algorithm", m.algorithm},
                    {"protocol", to_string(m.protocol)}});
    if (m.channels > 0) // as NCCL_DEBUG=INFO reports nChannels, where the profile models them
      rows.back()["channels"] = m.channels;
  }
  nlohmann::json out = {{"op", text.op},
                        {"algo", text.algorithm.empty() ? "auto" : text.algorithm},
                        {"gpus", request.gpus},
                        {"datatype", request.datatype},
                        {"results", rows}};
  if (request.gpus_per_node > 0)
    out["gpus_per_node"] = request.gpus_per_node;
  return out;
}

} // namespace dcsim
