#include "profile_writer.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace dcsim::calibration {

namespace {

void emit_list(YAML::Emitter& out, const char* key, const std::vector<double>& values)
{
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (double v : values)
    out << v;
  out << YAML::EndSeq;
}

void emit_gemm(YAML::Emitter& out, const GemmModelParams& g)
{
  out << YAML::Key << "gemm" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "peak_efficiency" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [p, e] : g.peak_efficiency)
    out << YAML::Key << precision_name(p) << YAML::Value << e;
  out << YAML::EndMap;
  out << YAML::Key << "k_half" << YAML::Value << g.k_half;
  out << YAML::Key << "tiles" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : g.tiles)
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "m" << YAML::Value << t.m << YAML::Key << "n" << YAML::Value
        << t.n << YAML::Key << "efficiency" << YAML::Value << t.relative_efficiency << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "alignment_elements" << YAML::Value << g.alignment_elements;
  out << YAML::Key << "misaligned_factor" << YAML::Value << g.misaligned_factor;
  if (!g.surfaces.empty()) {
    out << YAML::Key << "surfaces" << YAML::Value << YAML::BeginMap;
    for (const auto& [p, s] : g.surfaces) {
      out << YAML::Key << precision_name(p) << YAML::Value << YAML::BeginMap;
      emit_list(out, "m", s.m);
      emit_list(out, "n", s.n);
      emit_list(out, "k", s.k);
      emit_list(out, "efficiency", s.efficiency);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_communication(YAML::Emitter& out, const CommunicationParams& c)
{
  out << YAML::Key << "communication" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "scale_up_efficiency" << YAML::Value << c.scale_up_efficiency;
  out << YAML::Key << "scale_out_efficiency" << YAML::Value << c.scale_out_efficiency;
  out << YAML::Key << "nvls_efficiency" << YAML::Value << c.nvls_efficiency;
  out << YAML::Key << "nvls_base_latency" << YAML::Value << c.nvls_base_latency_s;
  out << YAML::Key << "tree_efficiency" << YAML::Value << c.tree_efficiency;
  if (c.nccl_nvls_choice.given()) {
    const NcclNvlsModel& m = c.nccl_nvls_choice;
    out << YAML::Key << "nccl_nvls_choice" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "nvlink_bandwidth" << YAML::Value << m.nvlink_bytes_per_s << YAML::Key << "efficiency" << YAML::Value
        << m.efficiency << YAML::Key << "ll_max_bandwidth" << YAML::Value << m.ll_max_bytes_per_s << YAML::Key
        << "ll128_channel_bandwidth" << YAML::Value << m.ll128_channel_bytes_per_s << YAML::Key << "speeds_GBps"
        << YAML::Value << YAML::BeginSeq;
    for (double speed : m.speeds_bytes_per_s)
      out << speed / 1e9;
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::Key << "protocols" << YAML::Value << YAML::BeginMap;
  const char* names[] = {"ll", "ll128", "simple"};
  for (int i = 0; i < kProtocols; ++i) {
    const ProtocolParams& p = c.protocols[i];
    out << YAML::Key << names[i] << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "base_latency"
        << YAML::Value << p.base_latency_s << YAML::Key << "step_latency" << YAML::Value << p.step_latency_s
        << YAML::Key << "network_step_latency" << YAML::Value << p.network_step_latency_s << YAML::Key
        << "efficiency" << YAML::Value << p.efficiency << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
}

/// JSON as YAML: mappings and lists in block style, except a list's rows (small mappings) and
/// lists of numbers, one per line in flow style, so that raw data stays readable.
YAML::Node to_yaml(const nlohmann::json& j, bool row = false)
{
  YAML::Node node;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      node[it.key()] = to_yaml(it.value(), row);
    node.SetStyle(row ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
  } else if (j.is_array()) {
    bool numbers = true;
    for (const auto& item : j) {
      node.push_back(to_yaml(item, true));
      numbers = numbers && item.is_number();
    }
    node.SetStyle(numbers || row ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
  } else if (j.is_string()) {
    node = j.get<std::string>();
  } else if (j.is_boolean()) {
    node = j.get<bool>();
  } else if (j.is_number_integer()) {
    node = j.get<long long>();
  } else if (j.is_number()) {
    char text[32]; // 7 significant digits: measurements are not more precise than that
    std::snprintf(text, sizeof text, "%.7g", j.get<double>());
    node = std::string(text);
  }
  return node;
}

} // namespace

std::string profile_yaml(const GpuProfile& p, const nlohmann::json& measurements, const nlohmann::json& fit,
                         const nlohmann::json& provenance)
{
  YAML::Emitter out;
  out.SetDoublePrecision(6);
  out << YAML::BeginMap;
  out << YAML::Key << "profile" << YAML::Value << p.name;
  out << YAML::Key << "gpu" << YAML::Value << p.gpu;
  out << YAML::Key << "source" << YAML::Value << p.source;
  emit_gemm(out, p.gemm);
  out << YAML::Key << "memory_bound_efficiency" << YAML::Value << p.memory_bound_efficiency;
  out << YAML::Key << "sustained_clock_fraction" << YAML::Value << p.sustained_clock_fraction;
  out << YAML::Key << "kernel_overhead" << YAML::Value << p.kernel_overhead_s;
  out << YAML::Key << "launch_overhead" << YAML::Value << p.launch_overhead_s;
  out << YAML::Key << "flash_attention" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
      << "forward_efficiency" << YAML::Value << p.flash_attention_forward_efficiency << YAML::Key
      << "backward_efficiency" << YAML::Value << p.flash_attention_backward_efficiency;
  if (!p.flash_attention_curve.empty()) {
    const FlashAttentionCurve& c = p.flash_attention_curve;
    out << YAML::Key << "seq_len" << YAML::Value << c.seq_len << YAML::Key << "forward" << YAML::Value << c.forward
        << YAML::Key << "backward" << YAML::Value << c.backward;
  }
  out << YAML::EndMap;
  emit_communication(out, p.communication);
  // The raw data, the fit report and the provenance are kept for people and tools.
  out << YAML::Key << "measurements" << YAML::Value << to_yaml(measurements);
  out << YAML::Key << "fit" << YAML::Value << to_yaml(fit);
  out << YAML::Key << "provenance" << YAML::Value << to_yaml(provenance);
  out << YAML::EndMap;
  return std::string("# Written by dcsim calibrate; format: calibration/README.md\n") + out.c_str() + "\n";
}

void check_writable(const std::string& path)
{
  const std::string probe = path + ".probe-" + std::to_string(::getpid());
  std::ofstream test(probe);
  if (!test)
    throw std::runtime_error(path + ": cannot write the profile (" + std::strerror(errno) +
                             "); expected a path in a writable directory");
  test.close();
  std::remove(probe.c_str());
}

void write_file_atomically(const std::string& path, const std::string& text)
{
  const std::string temporary = path + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw std::runtime_error(path + ": cannot write the profile (" + std::strerror(errno) + ")");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": cannot write the profile (" + reason + ")");
  }
}

} // namespace dcsim::calibration
