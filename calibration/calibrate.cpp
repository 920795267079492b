#include "calibrate.hpp"

#include "config/profile_loader.hpp"
#include "config/scenario_error.hpp"
#include "config/text_file.hpp"
#include "config/yaml_reader.hpp"
#include "cpu/cpu_backend.hpp"
#include "fit/block_check.hpp"
#include "fit/collective_fit.hpp"
#include "fit/flash_attention_fit.hpp"
#include "fit/gemm_fit.hpp"
#include "fit/nccl_tests_log.hpp"
#include "hardware/gpu_catalog.hpp"
#include "profile_writer.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace dcsim::calibration {

namespace {

std::string executable_directory()
{
  char buffer[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0)
    return ".";
  const std::string path(buffer, static_cast<size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

Measurements read_measurements(const std::string& path)
{
  std::ifstream in(path);
  if (!in)
    throw CalibrationError(path + ": cannot read the measurements; expected a JSON file from dcsim calibrate", true);
  try {
    return measurements_from_json(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw CalibrationError(path + ": " + e.what() + "; expected measurements JSON from dcsim calibrate", true);
  }
}

/// The CUDA backend is a separate executable (built by nvcc next to dcsim) writing JSON.
Measurements run_cuda_backend(const CalibrateOptions& options)
{
  const std::string exe = executable_directory() + "/dcsim-calibrate-cuda";
  if (::access(exe.c_str(), X_OK) != 0)
    throw CalibrationError("--backend cuda: the CUDA backend was not built (no nvcc when dcsim was configured); "
                           "expected a build on a machine with the CUDA toolkit, or --backend cpu",
                           false);
  const std::string json_path = options.out_path + ".cuda-" + std::to_string(::getpid()) + ".json";
  const std::string err_path = json_path + ".err";
  const std::string command =
      "'" + exe + "' --out '" + json_path + "'" + (options.quick ? " --quick" : "") + " 2>'" + err_path + "'";
  const int status = std::system(command.c_str());
  const std::string errors = read_text_file(err_path).value_or("");
  std::remove(err_path.c_str());
  if (status != 0) {
    std::remove(json_path.c_str());
    throw CalibrationError("--backend cuda: " + (errors.empty() ? std::string("the CUDA backend failed") : errors),
                           false);
  }
  Measurements m = read_measurements(json_path);
  std::remove(json_path.c_str());
  return m;
}

Measurements gather(const CalibrateOptions& options)
{
  Measurements m;
  if (!options.measurements_path.empty())
    m = read_measurements(options.measurements_path);
  else if (options.backend == "cpu")
    m = run_cpu_benchmarks({options.quick, 0});
  else if (options.backend == "cuda")
    m = run_cuda_backend(options);
  else {
    m.device.backend = "nccl-tests";
    m.device.name = "nccl-tests logs";
  }
  for (const auto& log : options.nccl_tests_logs) {
    try {
      const auto samples = read_nccl_tests_log(log);
      m.collectives.insert(m.collectives.end(), samples.begin(), samples.end());
    } catch (const std::invalid_argument& e) {
      throw CalibrationError(e.what(), true);
    }
  }
  return m;
}

/// What can be checked before minutes of benchmarks: the named GPU and the logs to ingest.
void check_inputs(const CalibrateOptions& options)
{
  if (!options.gpu.empty() && options.backend == "cpu")
    throw CalibrationError("--gpu: the cpu backend measures this machine's CPU; expected no --gpu (it names the "
                           "GPU of the cuda backend or of nccl-tests logs)",
                           true);
  if (!options.gpu.empty() && !find_gpu(options.gpu)) {
    std::string names;
    for (const auto& n : gpu_names())
      names += (names.empty() ? "" : ", ") + n;
    throw CalibrationError("--gpu: unknown GPU \"" + options.gpu + "\"; expected one of " + names, true);
  }
  if (!(options.sustained_clock_fraction >= 0.1 && options.sustained_clock_fraction <= 1.0))
    throw CalibrationError("--sustained-clock-fraction: " + plain_number(options.sustained_clock_fraction) +
                               " is not a fraction of the sweep's throughput; expected a number in [0.1, 1]",
                           true);
  for (const auto& log : options.nccl_tests_logs)
    if (!std::ifstream(log).good() || std::filesystem::is_directory(log))
      throw CalibrationError("--nccl-tests: cannot read \"" + log + "\"; expected an nccl-tests output file", true);
  const std::string& attention = options.flash_attention_path;
  if (!attention.empty() && (!std::ifstream(attention).good() || std::filesystem::is_directory(attention)))
    throw CalibrationError("--flash-attention: cannot read \"" + attention +
                               "\"; expected the JSON scripts/device_attention.py writes",
                           true);
}


/// The catalog GPU the measurements are fractions of: named, or recognised in the device name.
std::optional<GpuSpec> catalog_gpu(const CalibrateOptions& options, const Measurements& m)
{
  if (!options.gpu.empty())
    return find_gpu(options.gpu); // known: check_inputs
  std::optional<GpuSpec> best;
  // The family as a whole word of the device name ("NVIDIA GB200" is not a B200), and the form
  // factor agreeing ("NVIDIA H100 PCIe" is the PCIe part, "NVIDIA H100 80GB HBM3" the SXM one).
  std::string words = " ";
  for (char c : m.device.name)
    words += std::isalnum(static_cast<unsigned char>(c)) ? c : ' ';
  words += " ";
  const bool device_pcie = words.find(" PCIe ") != std::string::npos;
  for (const auto& name : gpu_names()) {
    const std::string family = name.substr(0, name.find('-')); // "H200", "A100", "B200"
    if (words.find(" " + family + " ") == std::string::npos ||
        (name.find("PCIe") != std::string::npos) != device_pcie)
      continue;
    auto gpu = find_gpu(name);
    if (!best || std::fabs(gpu->hbm_bytes - m.device.memory_bytes) < std::fabs(best->hbm_bytes - m.device.memory_bytes))
      best = gpu;
  }
  return best;
}

/// The CPU as a "GPU": its best measured GEMM rate and stream bandwidth are its peaks.
GpuSpec cpu_spec(const Measurements& m)
{
  GpuSpec spec;
  spec.name = "CPU: " + m.device.name;
  double best_flops = 0, best_bandwidth = 0;
  for (const auto& g : m.gemms)
    best_flops = std::max(best_flops, g.flop_per_s());
  for (const auto& b : m.bandwidths)
    if (b.kernel == "triad")
      best_bandwidth = std::max(best_bandwidth, b.bytes / b.seconds);
  spec.peak_bf16_flop_per_s = spec.peak_fp16_flop_per_s = spec.peak_tf32_flop_per_s = best_flops;
  spec.hbm_bandwidth_bytes_per_s = best_bandwidth;
  spec.hbm_bytes = double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGESIZE));
  return spec;
}

std::optional<Precision> precision_of(const std::string& name)
{
  static const std::map<std::string, Precision> names = {
      {"bf16", Precision::Bf16}, {"fp16", Precision::Fp16}, {"tf32", Precision::Tf32}, {"fp8", Precision::Fp8}};
  const auto it = names.find(name);
  return it == names.end() ? std::nullopt : std::optional<Precision>(it->second);
}

std::string percent(double fraction)
{
  char s[32];
  std::snprintf(s, sizeof s, "%+.1f%%", 100 * fraction);
  return s;
}

struct Fitted {
  GpuProfile profile;
  nlohmann::json report;
  std::vector<std::string> lines;
};

void fit_compute(const Measurements& m, const GpuSpec& spec, bool cpu, Fitted& f)
{
  std::map<std::string, bool> measured;
  for (const auto& g : m.gemms)
    measured[g.precision] = true;
  for (const auto& [name, present] : measured) {
    // The CPU computes every training precision in fp32; a GPU measures each one.
    const std::vector<Precision> targets =
        cpu ? std::vector<Precision>{Precision::Bf16, Precision::Fp16, Precision::Tf32}
            : (precision_of(name) ? std::vector<Precision>{*precision_of(name)} : std::vector<Precision>{});
    if (targets.empty())
      continue;
    const double peak = spec.peak_flop_per_s(targets.front());
    GemmFit fit;
    try {
      fit = fit_gemm(m.gemms, name, peak, spec.sm_count, f.profile.gemm.tiles);
    } catch (const std::invalid_argument& e) {
      throw CalibrationError(std::string("GEMM fit: ") + e.what(), false);
    }
    for (Precision p : targets) {
      f.profile.gemm.surfaces[p] = fit.surface;
      f.profile.gemm.peak_efficiency[p] = fit.peak_efficiency;
    }
    f.profile.gemm.k_half = fit.k_half;
    double best = 0;
    for (const auto& g : m.gemms)
      if (g.precision == name)
        best = std::max(best, g.flop_per_s());
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : fit.held_out)
      checks.push_back({{"m", c.m}, {"n", c.n}, {"k", c.k}, {"measured_s", c.measured_s},
                        {"surface_s", c.surface_s}, {"parametric_s", c.parametric_s}});
    f.report["gemm"][name] = {{"best_flop_per_s", best},
                              {"reference_peak_flop_per_s", peak},
                              {"peak_efficiency", fit.peak_efficiency},
                              {"k_half", fit.k_half},
                              {"held_out", checks},
                              {"held_out_surface_max_error", fit.surface_max_error},
                              {"held_out_surface_median_error", fit.surface_median_error},
                              {"held_out_parametric_max_error", fit.parametric_max_error},
                              {"held_out_parametric_median_error", fit.parametric_median_error}};
    char line[256];
    std::snprintf(line, sizeof line,
                  "GEMM %s: best %.1f GFLOP/s = %.1f%% of %.1f GFLOP/s; held-out shapes (%zu): surface max %.1f%% "
                  "(median %.1f%%), parametric max %.1f%%",
                  name.c_str(), best / 1e9, 100 * best / peak, peak / 1e9, fit.held_out.size(),
                  100 * fit.surface_max_error, 100 * fit.surface_median_error, 100 * fit.parametric_max_error);
    f.lines.push_back(line);
  }
  for (const auto& b : m.bandwidths)
    if (b.kernel == "triad") {
      f.profile.memory_bound_efficiency = std::clamp(b.bytes / b.seconds / spec.hbm_bandwidth_bytes_per_s, 0.01, 1.0);
      f.lines.push_back("memory-bound: " + std::to_string(b.bytes / b.seconds / 1e9) + " GB/s = " +
                        percent(f.profile.memory_bound_efficiency - 1) + " from the reference bandwidth");
    }
  if (m.launch_overhead_s > 0)
    f.profile.kernel_overhead_s = m.launch_overhead_s;
  f.profile.sustained_clock_fraction = 1.0; // the measurements are at the clock they ran at
}

void check_model_on_blocks(const Measurements& m, const GpuSpec& spec, bool cpu, Fitted& f)
{
  if (m.blocks.empty())
    return;
  const Precision precision = cpu ? Precision::Bf16 : *precision_of(m.blocks.front().precision);
  const ComputeCostModel model(spec, f.profile, precision);
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : check_blocks(m.blocks, model, cpu ? 4.0 : 2.0)) {
    rows.push_back({{"block", c.block}, {"pass", c.pass}, {"measured_s", c.measured_s}, {"predicted_s", c.predicted_s}});
    char line[160];
    std::snprintf(line, sizeof line, "%s %s: predicted %.3f ms, measured %.3f ms (%s)", c.block.c_str(),
                  c.pass.c_str(), c.predicted_s * 1e3, c.measured_s * 1e3, percent(c.error()).c_str());
    f.lines.push_back(line);
  }
  f.report["blocks"] = rows;
}

void fit_communication(const Measurements& m, const CalibrateOptions& options, Fitted& f)
{
  if (m.collectives.empty())
    return;
  const auto fits = fit_collectives(m.collectives);
  nlohmann::json rows = nlohmann::json::array();
  double worst = 0;
  for (const auto& a : fits) {
    rows.push_back({{"op", a.op}, {"ranks", a.ranks}, {"min_bytes", a.min_bytes},
                    {"max_bytes", a.max_bytes > 1e299 ? -1.0 : a.max_bytes}, {"alpha_s", a.alpha_s},
                    {"beta_s_per_byte", a.beta_s_per_byte}, {"points", a.points},
                    {"fit_max_error", a.fit_max_error}, {"held_out_max_error", a.held_out_max_error}});
    worst = std::max(worst, a.held_out_max_error);
  }
  f.report["collectives"] = rows;
  f.lines.push_back("collectives: " + std::to_string(fits.size()) + " alpha-beta lines (op x GPUs x size range); " +
                    "worst held-out size " + percent(worst));
  for (const auto& line : apply_all_reduce_fit(fits, options.scale_up_bytes_per_s, 1e-6, f.profile.communication))
    f.lines.push_back("  all-reduce -> " + line);
}

nlohmann::json provenance(const Measurements& m, const CalibrateOptions& options)
{
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {{"device", m.device.name},       {"backend", m.device.backend},
          {"devices_used", m.device.count}, {"driver", m.device.driver_version},
          {"runtime", m.device.runtime_version}, {"nccl", m.device.nccl_version},
          {"library", m.device.library_version}, {"date", date},
          {"command", options.command_line}, {"nccl_tests_logs", options.nccl_tests_logs}};
}

std::string stem(const std::string& path)
{
  std::string name = path.substr(path.find_last_of('/') + 1);
  return name.substr(0, name.find('.'));
}

/// The measured FlashAttention curve replaces the shipped profile's constants.
void fit_attention(const CalibrateOptions& options, const GpuSpec& spec, Fitted& f)
{
  if (options.flash_attention_path.empty())
    return;
  const std::string& path = options.flash_attention_path;
  std::ifstream in(path); // readable: check_inputs
  try {
    f.profile.flash_attention_curve = fit_flash_attention(nlohmann::json::parse(in), spec.peak_bf16_flop_per_s);
  } catch (const std::exception& e) { // malformed JSON or rows
    throw CalibrationError("--flash-attention: " + path + ": " + e.what(), true);
  }
  const FlashAttentionCurve& c = f.profile.flash_attention_curve;
  std::string line = "flash attention (FlashAttention-2, of the bf16 peak):";
  for (size_t i = 0; i < c.seq_len.size(); ++i)
    line += " seq " + std::to_string(long(c.seq_len[i])) + " " + plain_number(c.forward[i]) + "/" +
            plain_number(c.backward[i]);
  f.lines.push_back(line + " (forward/backward)");
  f.report["flash_attention"] = {{"seq_len", c.seq_len}, {"forward", c.forward}, {"backward", c.backward}};
}

} // namespace

std::string calibrate(const CalibrateOptions& options)
{
  if (options.backend != "cpu" && options.backend != "cuda" && !options.backend.empty())
    throw CalibrationError("--backend: unknown backend \"" + options.backend + "\"; expected cpu or cuda", true);
  if (options.backend.empty() && options.measurements_path.empty() && options.nccl_tests_logs.empty())
    throw CalibrationError("--backend: missing; expected cpu or cuda (or --measurements / --nccl-tests)", true);
  if (options.out_path.empty())
    throw CalibrationError("--out: missing; expected the profile file to write", true);
  try {
    check_writable(options.out_path);
  } catch (const std::runtime_error& e) {
    throw CalibrationError(e.what(), false);
  }

  check_inputs(options);
  const Measurements m = gather(options);
  const bool cpu = m.device.backend == "cpu";
  std::optional<GpuSpec> spec = cpu ? std::optional<GpuSpec>(cpu_spec(m)) : catalog_gpu(options, m);
  if (!spec)
    throw CalibrationError("cannot tell which catalog GPU \"" + m.device.name +
                               "\" is; expected --gpu with a catalog name",
                           true);
  const std::string base_name = cpu ? "h100-sxm" : spec->default_profile;
  Fitted f;
  f.profile = *builtin_profile(base_name);
  f.profile.name = stem(options.out_path);
  f.profile.gpu = spec->name;
  f.lines.push_back("device: " + m.device.name + " (" + m.device.backend + "), reference " + spec->name);
  fit_compute(m, *spec, cpu, f);
  check_model_on_blocks(m, *spec, cpu, f);
  fit_communication(m, options, f);
  fit_attention(options, *spec, f);
  const bool attention = !f.profile.flash_attention_curve.empty();
  f.profile.source = "dcsim calibrate on " + m.device.name + " (" + m.device.backend + " backend); parameters " +
                     "not measured (" + (attention ? "" : "FlashAttention, ") +
                     "network, NVLS, tree, tiles) from the shipped profile " + base_name +
                     (attention ? "; FlashAttention by sequence length from " + options.flash_attention_path : "");
  // After the blocks check: those blocks ran at the sweep's clock too.
  f.profile.sustained_clock_fraction = options.sustained_clock_fraction;
  if (options.sustained_clock_fraction < 1.0)
    f.lines.push_back("sustained: " + plain_number(options.sustained_clock_fraction) +
                      " of the sweep's compute throughput (--sustained-clock-fraction)");
  if (cpu)
    f.report["reference_device"] = {{"peak_flop_per_s", spec->peak_bf16_flop_per_s},
                                    {"memory_bandwidth_bytes_per_s", spec->hbm_bandwidth_bytes_per_s},
                                    {"memory_bytes", spec->hbm_bytes}};
  const std::string text = profile_yaml(f.profile, to_json(m), f.report, provenance(m, options));
  {
    // The profile must load as written.
    Diagnostics diagnostics;
    parse_profile(text, options.out_path, diagnostics);
    try {
      diagnostics.throw_if_any();
    } catch (const ScenarioError& e) {
      throw CalibrationError(std::string("internal error: the written profile does not load: ") + e.what(), false);
    }
  }
  try {
    write_file_atomically(options.out_path, text);
  } catch (const std::runtime_error& e) {
    throw CalibrationError(e.what(), false);
  }
  std::string report;
  for (const auto& line : f.lines)
    report += line + "\n";
  return report + "wrote " + options.out_path + "\n";
}

} // namespace dcsim::calibration
