#include "measurements.hpp"

#include <stdexcept>

namespace dcsim::calibration {

using nlohmann::json;

json to_json(const Measurements& m)
{
  json out;
  const DeviceInfo& d = m.device;
  out["device"] = {{"backend", d.backend},
                   {"name", d.name},
                   {"count", d.count},
                   {"sm_count", d.sm_count},
                   {"memory_bytes", d.memory_bytes},
                   {"driver_version", d.driver_version},
                   {"runtime_version", d.runtime_version},
                   {"nccl_version", d.nccl_version},
                   {"library_version", d.library_version}};
  out["launch_overhead_s"] = m.launch_overhead_s;
  json& gemms = out["gemm"] = json::array();
  for (const auto& g : m.gemms)
    gemms.push_back({{"precision", g.precision}, {"m", g.m}, {"n", g.n}, {"k", g.k}, {"seconds", g.seconds},
                     {"held_out", g.held_out}});
  json& blocks = out["blocks"] = json::array();
  for (const auto& b : m.blocks)
    blocks.push_back({{"block", b.block}, {"pass", b.pass}, {"precision", b.precision}, {"tokens", b.tokens},
                      {"hidden", b.hidden}, {"ffn_hidden", b.ffn_hidden}, {"heads", b.heads},
                      {"seq_len", b.seq_len}, {"seconds", b.seconds}});
  json& bandwidths = out["bandwidth"] = json::array();
  for (const auto& b : m.bandwidths)
    bandwidths.push_back({{"kernel", b.kernel}, {"bytes", b.bytes}, {"seconds", b.seconds}});
  json& collectives = out["collectives"] = json::array();
  for (const auto& c : m.collectives)
    collectives.push_back({{"op", c.op}, {"ranks", c.ranks}, {"bytes", c.bytes}, {"seconds", c.seconds}});
  if (!m.overlaps.empty()) {
    json& overlaps = out["overlap"] = json::array();
    for (const auto& o : m.overlaps)
      overlaps.push_back({{"victim", o.victim},
                          {"comm_mode", o.comm_mode},
                          {"comm_ctas", o.comm_ctas},
                          {"sm_count", o.sm_count},
                          {"comm_target_bytes_per_s", o.comm_target_bytes_per_s},
                          {"alone_s", o.alone_s},
                          {"overlapped_s", o.overlapped_s},
                          {"comm_bytes_per_s", o.comm_bytes_per_s},
                          {"resident", o.resident}});
  }
  return out;
}

namespace {

template <typename T>
T field(const json& j, const char* key, const char* where)
{
  if (!j.contains(key))
    throw std::invalid_argument(std::string(where) + ": missing \"" + key + "\"");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw std::invalid_argument(std::string(where) + ": \"" + key + "\" has the wrong type");
  }
}

template <typename T>
T optional_field(const json& j, const char* key, T fallback)
{
  return j.contains(key) ? j.at(key).get<T>() : fallback;
}

} // namespace

Measurements measurements_from_json(const json& j)
{
  Measurements m;
  const json device = field<json>(j, "device", "measurements");
  m.device.backend = field<std::string>(device, "backend", "device");
  m.device.name = field<std::string>(device, "name", "device");
  m.device.count = optional_field(device, "count", 1);
  m.device.sm_count = optional_field(device, "sm_count", 0);
  m.device.memory_bytes = optional_field(device, "memory_bytes", 0.0);
  m.device.driver_version = optional_field<std::string>(device, "driver_version", "");
  m.device.runtime_version = optional_field<std::string>(device, "runtime_version", "");
  m.device.nccl_version = optional_field<std::string>(device, "nccl_version", "");
  m.device.library_version = optional_field<std::string>(device, "library_version", "");
  m.launch_overhead_s = optional_field(j, "launch_overhead_s", 0.0);
  for (const auto& g : optional_field(j, "gemm", json::array()))
    m.gemms.push_back({field<std::string>(g, "precision", "gemm"), field<long long>(g, "m", "gemm"),
                       field<long long>(g, "n", "gemm"), field<long long>(g, "k", "gemm"),
                       field<double>(g, "seconds", "gemm"), optional_field(g, "held_out", false)});
  for (const auto& b : optional_field(j, "blocks", json::array()))
    m.blocks.push_back({field<std::string>(b, "block", "blocks"), field<std::string>(b, "pass", "blocks"),
                        field<std::string>(b, "precision", "blocks"), field<long long>(b, "tokens", "blocks"),
                        field<long long>(b, "hidden", "blocks"), optional_field<long long>(b, "ffn_hidden", 0),
                        optional_field<long long>(b, "heads", 0), optional_field<long long>(b, "seq_len", 0),
                        field<double>(b, "seconds", "blocks")});
  for (const auto& b : optional_field(j, "bandwidth", json::array()))
    m.bandwidths.push_back({field<std::string>(b, "kernel", "bandwidth"), field<double>(b, "bytes", "bandwidth"),
                            field<double>(b, "seconds", "bandwidth")});
  for (const auto& c : optional_field(j, "collectives", json::array()))
    m.collectives.push_back({field<std::string>(c, "op", "collectives"), field<int>(c, "ranks", "collectives"),
                             field<double>(c, "bytes", "collectives"), field<double>(c, "seconds", "collectives")});
  for (const auto& o : optional_field(j, "overlap", json::array()))
    m.overlaps.push_back({field<std::string>(o, "victim", "overlap"), field<std::string>(o, "comm_mode", "overlap"),
                          field<int>(o, "comm_ctas", "overlap"), field<int>(o, "sm_count", "overlap"),
                          optional_field(o, "comm_target_bytes_per_s", 0.0), field<double>(o, "alone_s", "overlap"),
                          field<double>(o, "overlapped_s", "overlap"), optional_field(o, "comm_bytes_per_s", 0.0),
                          optional_field(o, "resident", true)});
  return m;
}

} // namespace dcsim::calibration
