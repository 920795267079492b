#include "config/profile_loader.hpp"

#include "config/text_file.hpp"
#include "config/yaml_reader.hpp"

namespace dcsim {

// Generated at build time from calibration/profiles/*.yaml (see CMakeLists.txt).
const std::vector<std::pair<std::string, std::string>>& embedded_profiles();

namespace {

const NameTable<Precision> kPrecisions = {
    {"bf16", Precision::Bf16}, {"fp16", Precision::Fp16}, {"fp8", Precision::Fp8}, {"tf32", Precision::Tf32}};

void read_gemm(MapReader gemm, GemmModelParams& out)
{
  if (auto peaks = gemm.child("peak_efficiency")) {
    for (const auto& [name, precision] : kPrecisions)
      if (peaks->has(name))
        out.peak_efficiency[precision] = peaks->number(name, 0.8, 0.01, 1.0);
    if (out.peak_efficiency.empty())
      gemm.error("peak_efficiency", "names no precision; expected a mapping like {bf16: 0.8}");
    peaks->finish();
  } else {
    gemm.error("peak_efficiency", "is missing; expected a mapping like {bf16: 0.8}");
  }
  out.k_half = gemm.number("k_half", out.k_half, 0.0, 1e6);
  out.alignment_elements = static_cast<int>(gemm.integer("alignment_elements", out.alignment_elements));
  out.misaligned_factor = gemm.number("misaligned_factor", out.misaligned_factor, 0.01, 1.0);
  if (auto surfaces = gemm.child("surfaces")) {
    for (const auto& [name, precision] : kPrecisions)
      if (auto s = surfaces->child(name)) {
        const size_t errors = s->context().diagnostics->size();
        GemmSurface surface{s->numbers("m"), s->numbers("n"), s->numbers("k"), s->numbers("efficiency")};
        if (s->context().diagnostics->size() > errors)
          ; // a list that did not read is the error; the grid's shape would only repeat it
        else if (const char* problem = surface.check())
          surfaces->error(name, std::string(problem) + "; expected a complete grid of efficiencies");
        else
          out.surfaces[precision] = std::move(surface);
        s->finish();
      }
    surfaces->finish();
  }
  const YAML::Node tiles = gemm.raw("tiles");
  if (tiles.IsSequence()) {
    for (size_t i = 0; i < tiles.size(); ++i) {
      MapReader tile(tiles[i], gemm.path_of("tiles") + "." + std::to_string(i), gemm.context());
      out.tiles.push_back({static_cast<int>(tile.integer("m")), static_cast<int>(tile.integer("n")),
                           tile.number("efficiency", 1.0, 0.01, 1.0)});
      tile.finish();
    }
  } else {
    gemm.error("tiles", "is missing or not a list; expected a list of {m, n, efficiency}");
  }
  gemm.finish();
}

/// A per-kernel or per-step overhead: microseconds in practice, so more than a second is a unit
/// slip ("5" for "5us") that would stretch every kernel or collective step by seconds.
double overhead_s(MapReader& reader, const std::string& key, double fallback_s)
{
  return reader.quantity_at_most(key, Dimension::Seconds, fallback_s, true, 1.0, "1s",
                                 "a kernel or protocol overhead; did you mean microseconds, e.g. \"5us\"?");
}

void read_communication(MapReader comm, CommunicationParams& out)
{
  out.scale_up_efficiency = comm.number("scale_up_efficiency", out.scale_up_efficiency, 0.01, 1.0);
  out.scale_out_efficiency = comm.number("scale_out_efficiency", out.scale_out_efficiency, 0.01, 1.0);
  out.nvls_efficiency = comm.number("nvls_efficiency", out.nvls_efficiency, 0.0, 1.0);
  out.nvls_base_latency_s = overhead_s(comm, "nvls_base_latency", out.nvls_base_latency_s);
  out.tree_efficiency = comm.number("tree_efficiency", out.tree_efficiency, 0.01, 1.0);
  out.channels = static_cast<int>(comm.integer("channels", out.channels, 1, 64));
  if (auto nccl = comm.child("nccl_nvls_choice")) {
    NcclNvlsModel& m = out.nccl_nvls_choice;
    m.nvlink_bytes_per_s = nccl->quantity("nvlink_bandwidth", Dimension::BytesPerSecond);
    m.efficiency = nccl->number("efficiency", std::nullopt, 0.01, 1.0);
    m.ll_max_bytes_per_s = nccl->quantity("ll_max_bandwidth", Dimension::BytesPerSecond);
    m.ll128_channel_bytes_per_s = nccl->quantity("ll128_channel_bandwidth", Dimension::BytesPerSecond);
    for (double gbps : nccl->numbers("speeds_GBps")) {
      if (!(gbps > 0)) {
        nccl->error("speeds_GBps", "has a speed that is not positive; expected NCCL's channel speeds in GB/s");
        break;
      }
      m.speeds_bytes_per_s.push_back(gbps * 1e9);
    }
    nccl->finish();
  }
  if (auto protocols = comm.child("protocols")) {
    const NameTable<Protocol> names = {{"ll", Protocol::LL}, {"ll128", Protocol::LL128}, {"simple", Protocol::Simple}};
    for (const auto& [name, protocol] : names) {
      auto p = protocols->child(name);
      if (!p)
        continue;
      ProtocolParams& params = out.protocols[static_cast<int>(protocol)];
      params.base_latency_s = overhead_s(*p, "base_latency", params.base_latency_s);
      params.step_latency_s = overhead_s(*p, "step_latency", params.step_latency_s);
      params.network_step_latency_s = overhead_s(*p, "network_step_latency", params.network_step_latency_s);
      params.efficiency = p->number("efficiency", params.efficiency, 0.01, 1.0);
      params.channel_latency_s = overhead_s(*p, "channel_latency", params.channel_latency_s);
      p->finish();
    }
    protocols->finish();
  }
  comm.finish();
}

} // namespace

GpuProfile parse_profile(const std::string& text, const std::string& file, Diagnostics& diagnostics)
{
  GpuProfile profile;
  profile.path = file;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diagnostics.add({file, e.mark.line + 1, e.mark.column + 1}, "", "malformed YAML (" + e.msg + ")");
    return profile;
  }
  MapReader top(root, "", {file, &diagnostics, nullptr});
  profile.name = top.text("profile");
  profile.gpu = top.text("gpu", "");
  profile.source = top.text("source", "");
  if (auto gemm = top.child("gemm"))
    read_gemm(*gemm, profile.gemm);
  else
    top.error("gemm", "is missing; expected the GEMM efficiency parameters");
  profile.memory_bound_efficiency = top.number("memory_bound_efficiency", 0.8, 0.01, 1.0);
  profile.sustained_clock_fraction = top.number("sustained_clock_fraction", 1.0, 0.1, 1.0);
  profile.kernel_overhead_s = overhead_s(top, "kernel_overhead", 3e-6);
  profile.launch_overhead_s = overhead_s(top, "launch_overhead", 0.0);
  if (auto fa = top.child("flash_attention")) {
    profile.flash_attention_forward_efficiency = fa->number("forward_efficiency", 0.5, 0.01, 1.0);
    profile.flash_attention_backward_efficiency = fa->number("backward_efficiency", 0.4, 0.01, 1.0);
    if (fa->has("seq_len") || fa->has("forward") || fa->has("backward")) {
      const size_t errors = fa->context().diagnostics->size();
      FlashAttentionCurve curve{fa->numbers("seq_len"), fa->numbers("forward"), fa->numbers("backward")};
      if (fa->context().diagnostics->size() > errors)
        ; // a list that did not read is the error; the curve's shape would only repeat it
      else if (const char* problem = curve.check())
        fa->error("seq_len", std::string(problem) + "; expected seq_len, forward and backward lists of equal length");
      else
        profile.flash_attention_curve = std::move(curve);
    }
    fa->finish();
  }
  if (auto comm = top.child("communication"))
    read_communication(*comm, profile.communication);
  // Raw data and fit reports written by `dcsim calibrate` are kept in the file for people and
  // tools; the simulator reads only the fitted parameters above.
  top.raw("measurements");
  top.raw("fit");
  top.raw("provenance");
  top.finish();
  return profile;
}

GpuProfile load_profile_file(const std::string& path, Diagnostics& diagnostics)
{
  const std::optional<std::string> text = read_text_file(path);
  if (!text) {
    diagnostics.add({path, 0, 0}, "", "cannot read the profile file; expected a readable YAML file");
    return {};
  }
  return parse_profile(*text, path, diagnostics);
}

std::optional<GpuProfile> builtin_profile(const std::string& name)
{
  for (const auto& [profile_name, text] : embedded_profiles()) {
    if (profile_name != name)
      continue;
    Diagnostics diagnostics;
    GpuProfile profile = parse_profile(text, "calibration/profiles/" + name + ".yaml", diagnostics);
    diagnostics.throw_if_any();
    profile.path = "<builtin " + name + ">";
    return profile;
  }
  return std::nullopt;
}

std::vector<std::string> builtin_profile_names()
{
  std::vector<std::string> names;
  for (const auto& entry : embedded_profiles())
    names.push_back(entry.first);
  return names;
}

} // namespace dcsim
