#include "engine/collective_request.hpp"

#include "collectives/tuner.hpp"
#include "config/yaml_reader.hpp"
#include "units/units.hpp"

#include <cmath>
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

std::vector<double> message_sizes(const CollectiveRequestText& text, const CollectiveArgumentNames& names,
                                  Diagnostics& diagnostics)
{
  if (!text.bytes.empty())
    return {parse_size(names.bytes, text.bytes, diagnostics).value_or(1)};
  const std::string min_text = text.min_bytes.empty() ? "8" : text.min_bytes;
  const std::string max_text = text.max_bytes.empty() ? "8GiB" : text.max_bytes;
  const std::optional<double> lo = parse_size(names.min_bytes, min_text, diagnostics);
  const std::optional<double> hi = parse_size(names.max_bytes, max_text, diagnostics);
  if (!lo || !hi)
    return {1}; // reported; nothing runs
  if (*lo > *hi) {
    const auto quoted = [](const std::string& given, const std::string& shown) {
      return "\"" + shown + "\"" + (given.empty() ? " (the default)" : "");
    };
    diagnostics.add({names.min_bytes, 0, 0}, "",
                    quoted(text.min_bytes, min_text) + " is larger than " + names.max_bytes + " " +
                        quoted(text.max_bytes, max_text) + "; expected min <= max");
  }
  std::vector<double> sizes;
  for (double s = *lo; s <= *hi * (1 + 1e-12); s *= 2)
    sizes.push_back(s);
  return sizes;
}

} // namespace

CollectiveRequest check_collective_request(const CollectiveRequestText& text, const CollectiveArgumentNames& names,
                                           Diagnostics& diagnostics)
{
  CollectiveRequest request;
  request.kind = parse_choice(names.op, text.op, kOpNames, diagnostics);
  request.gpus = text.gpus;
  if (!text.algorithm.empty() && !find_collective_algorithm(text.algorithm))
    diagnostics.add({names.algorithm, 0, 0}, "",
                    unknown_choice("algorithm", text.algorithm, collective_algorithm_names()));
  request.choice.algorithm = text.algorithm;
  if (!text.protocol.empty())
    request.choice.protocol = parse_choice(names.protocol, text.protocol, kProtocolNames, diagnostics);
  request.sizes_bytes = message_sizes(text, names, diagnostics);
  return request;
}

void check_collective_gpus(const CollectiveRequest& request, const ClusterConfig& cluster,
                           const CollectiveArgumentNames& names, Diagnostics& diagnostics)
{
  if (request.gpus < 1 || request.gpus > cluster.total_gpus())
    diagnostics.add({names.gpus, 0, 0}, "",
                    std::to_string(request.gpus) + " GPUs is not available; expected 1 to " +
                        std::to_string(cluster.total_gpus()) + " (the cluster's GPUs)");
}

std::vector<CollectiveMeasurement> run_collective_request(const ClusterConfig& cluster, const CollectiveRequest& request,
                                                          const CollectiveRequestText& text,
                                                          const CollectiveArgumentNames& names)
{
  try {
    return sweep_collective(cluster, request.kind, request.gpus, request.sizes_bytes, request.choice);
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
                    {"time_s", m.time_s},
                    {"algbw_GBps", algbw_gbps},
                    {"busbw_GBps", algbw_gbps * bus_bandwidth_factor(request.kind, request.gpus)},
                    {"algorithm", m.algorithm},
                    {"protocol", to_string(m.protocol)}});
  }
  return {{"op", text.op},
          {"algo", text.algorithm.empty() ? "auto" : text.algorithm},
          {"gpus", request.gpus},
          {"results", rows}};
}

} // namespace dcsim
