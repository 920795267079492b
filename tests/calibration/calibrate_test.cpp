// `dcsim calibrate` end to end: the CPU backend's quick sweep, its fit on held-out GEMM shapes,
// a scenario on the resulting profile, nccl-tests ingestion, and bad input. The sweeps time real
// kernels, so they carry the [sweep] tag, which ctest runs alone (tests/CMakeLists.txt).
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "config/scenario_loader.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

using dcsim::test::slurp;

fs::path temp_dir() { return dcsim::test::temp_dir(); }

dcsim::test::CliResult dcsim_cli(const std::string& args) { return dcsim::test::run_cli(args); }

/// A one-node cluster whose "GPU" is the calibrated CPU, with the calibrated profile.
std::string cpu_scenario(const YAML::Node& reference, const std::string& profile)
{
  std::ostringstream s;
  s << "cluster:\n  nodes: 1\n  node:\n    gpu: {peak_bf16: " << reference["peak_flop_per_s"].as<double>()
    << ", hbm_bytes: " << reference["memory_bytes"].as<double>()
    << ", hbm_bandwidth: " << reference["memory_bandwidth_bytes_per_s"].as<double>() << "}\n"
    << "    gpus: 2\n    scale_up: {bandwidth: 20GB/s, latency: 1us}\n"
    << "    nics: {count: 1, bandwidth: 100Gb/s, latency: 2us}\n  fabric: {topology: fat-tree, tiers: 1}\n"
    << "  calibration: " << profile << "\n"
    << "jobs:\n  - name: tiny\n    gpus: 2\n    model: {hidden: 256, layers: 2, heads: 4, seq_len: 128, vocab: 1024}\n"
    << "    parallelism: {tensor: 1, pipeline: 1, data: 2}\n    batch: {global: 8, micro: 1}\n"
    << "    precision: bf16\n    attention: unfused\n    iterations: 1\n";
  return s.str();
}

bool leftovers(const fs::path& dir)
{
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".partial-") != std::string::npos || name.find(".probe-") != std::string::npos ||
        name.find(".cuda-") != std::string::npos)
      return true;
  }
  return false;
}

} // namespace

TEST_CASE("calibrate --backend cpu --quick: fits held-out GEMM shapes within 10%, and a scenario on the profile "
          "reproduces the measured GEMMs",
          "[calibration][sweep]")
{
  const auto profile = temp_dir() / "cpu.yaml";
  const auto sweep = [&] {
    const auto r = dcsim_cli("calibrate --backend cpu --quick --out " + profile.string());
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    std::printf("\n%s", r.out.c_str());
    return YAML::LoadFile(profile.string());
  };
  const auto held_out_error = [](const YAML::Node& f) {
    return f["fit"]["gemm"]["fp32"]["held_out_surface_max_error"].as<double>();
  };
  YAML::Node file = sweep();
  // The sweep times real kernels on a machine other tenants may share; a busy spell during it
  // can put one held-out shape past the bound (seen on the 2-core CI machines), so a failed
  // check is measured once more and both runs are printed. A fit that is wrong fails twice.
  if (held_out_error(file) > 0.10) {
    std::printf("held-out surface error %.1f%%: measuring again\n", 100 * held_out_error(file));
    file = sweep();
  }
  const YAML::Node gemm = file["fit"]["gemm"]["fp32"];
  REQUIRE(gemm["held_out"].size() >= 5);
  CHECK(held_out_error(file) <= 0.10);
  CHECK(file["provenance"]["command"].as<std::string>().find("--backend cpu") != std::string::npos);
  CHECK(file["measurements"]["collectives"].size() > 50);

  // The profile loads in a scenario; its GEMM predictions are the measurements (the surface at
  // its grid points, against the CPU's own peak).
  const auto config = dcsim::test::load_text(cpu_scenario(file["fit"]["reference_device"], profile.string()));
  const dcsim::ComputeCostModel model(config.cluster.node.gpu, config.cluster.profile, dcsim::Precision::Bf16);
  int compared = 0;
  for (const auto& g : file["measurements"]["gemm"]) {
    if (g["held_out"].as<bool>())
      continue;
    const auto m = g["m"].as<long long>(), n = g["n"].as<long long>(), k = g["k"].as<long long>();
    const auto op = dcsim::Op::gemm("probe", m, n, k, 1, 4);
    if (op.bytes / model.memory_bandwidth_bytes_per_s() > 0.5 * g["seconds"].as<double>())
      continue; // memory-bound on this CPU: the roofline's other side
    INFO(m << "x" << n << "x" << k);
    CHECK(model.kernel_seconds(op) == Approx(g["seconds"].as<double>()).epsilon(0.02));
    ++compared;
  }
  CHECK(compared > 50);

  // Different from the shipped default profile on the same hardware, and self-consistent.
  const auto calibrated = dcsim::test::run_config(config);
  const auto shipped = dcsim::test::run_scenario_text(cpu_scenario(file["fit"]["reference_device"], "h100-sxm"));
  const double t_calibrated = calibrated["jobs"][0]["iteration_time_s"].get<double>();
  const double t_shipped = shipped["jobs"][0]["iteration_time_s"].get<double>();
  INFO("iteration: calibrated " << t_calibrated << " s, shipped profile " << t_shipped << " s");
  CHECK(std::fabs(t_calibrated / t_shipped - 1) > 0.01);
  CHECK(dcsim::test::run_config(config)["jobs"][0]["iteration_time_s"].get<double>() == t_calibrated);
}

TEST_CASE("calibrate --nccl-tests: the Echo logs set the protocol parameters, and the profile reproduces them",
          "[calibration]")
{
  const auto profile = temp_dir() / "echo.yaml";
  const std::string logs = dcsim::test::reference_path("collectives/echo_azure_ndv4_a100/");
  const auto r = dcsim_cli("calibrate --nccl-tests " + logs + "nccl_allreduce_2gpu.log " + logs + "nccl_allreduce_4gpu.log " +
                       logs + "nccl_allreduce_8gpu.log --gpu A100-SXM-40GB --scale-up-bandwidth 300GB/s --out " +
                       profile.string());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const YAML::Node comm = YAML::LoadFile(profile.string())["communication"];
  // Simple on 8 GPUs: busbw 231 GB/s of 300 at 1 GiB (measured), less the size-range fit's
  // intercept effects: the efficiency lands between 0.7 and 0.8.
  CHECK(comm["scale_up_efficiency"].as<double>() > 0.70);
  CHECK(comm["scale_up_efficiency"].as<double>() < 0.80);
  CHECK(comm["protocols"]["ll"]["efficiency"].as<double>() < comm["protocols"]["ll128"]["efficiency"].as<double>());
  // The fitted profile predicts the 8-GPU log's large messages within 10%.
  const auto json = temp_dir() / "collective.json";
  std::ofstream(temp_dir() / "node.yaml")
      << "cluster:\n  nodes: 1\n  node:\n    gpu: A100-SXM-40GB\n    gpus: 8\n    scale_up: {bandwidth: 300GB/s, "
         "latency: 1us}\n    nics: {count: 8, bandwidth: 200Gb/s, latency: 2us}\n  fabric: {topology: fat-tree, "
         "tiers: 1}\n  calibration: "
      << profile.string() << "\n";
  REQUIRE(dcsim_cli("collective --cluster " + (temp_dir() / "node.yaml").string() +
                " --op allreduce --gpus 8 --min-bytes 64MiB --max-bytes 1GiB --json " + json.string())
              .status == 0);
  std::ifstream in(json);
  const auto result = nlohmann::json::parse(in);
  const double measured_1g_s = 8139.2e-6; // the 8-GPU log's last row
  CHECK(result["results"].back()["time_s"].get<double>() == Approx(measured_1g_s).epsilon(0.10));
}

TEST_CASE("calibrate: bad input fails clearly and leaves no partial profile", "[calibration]")
{
  const auto dir = temp_dir();
  SECTION("unwritable output path")
  {
    const auto r = dcsim_cli("calibrate --backend cpu --quick --out /nonexistent-dir/profile.yaml");
    CHECK(r.status != 0);
    CHECK(r.err.find("/nonexistent-dir/profile.yaml: cannot write the profile") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  SECTION("no GPU or driver, or no CUDA backend")
  {
    const auto out = dir / "cuda.yaml";
    const auto r = dcsim_cli("calibrate --backend cuda --quick --out " + out.string());
    if (r.status == 0) {
      SUCCEED("a GPU is present here");
      return;
    }
    CHECK(r.status != 0);
    INFO(r.err);
    CHECK((r.err.find("no usable NVIDIA GPU") != std::string::npos ||
           r.err.find("the CUDA backend was not built") != std::string::npos));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("unknown backend, unknown GPU, unreadable log")
  {
    CHECK(dcsim_cli("calibrate --backend tpu --out " + (dir / "x.yaml").string()).err.find("expected cpu or cuda") !=
          std::string::npos);
    CHECK(dcsim_cli("calibrate --nccl-tests x_allreduce.log --out " + (dir / "x.yaml").string()).status == 2);
    const auto r = dcsim_cli("calibrate --nccl-tests " +
                         dcsim::test::reference_path("collectives/echo_azure_ndv4_a100/nccl_allreduce_2gpu.log") +
                         " --gpu Z100 --out " + (dir / "x.yaml").string());
    CHECK(r.status == 2);
    CHECK(r.err.find("--gpu: unknown GPU \"Z100\"") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "x.yaml"));
  }
  SECTION("a missing log or a GPU name the cpu backend cannot use, refused before the benchmarks run")
  {
    // Without --quick the CPU sweep takes minutes; these must fail before it starts, so the
    // output shows no benchmark line.
    auto r = dcsim_cli("calibrate --backend cpu --nccl-tests /nonexistent.log --out " + (dir / "x.yaml").string());
    CHECK(r.status == 2);
    CHECK(r.err.find("--nccl-tests: cannot read \"/nonexistent.log\"") != std::string::npos);
    CHECK(r.out.empty());
    r = dcsim_cli("calibrate --backend cpu --sustained-clock-fraction 1.5 --out " + (dir / "x.yaml").string());
    CHECK(r.status == 2);
    CHECK(r.err.find("--sustained-clock-fraction: 1.5 is not a fraction") != std::string::npos);
    CHECK(r.out.empty());
    r = dcsim_cli("calibrate --backend cpu --flash-attention /nonexistent.json --out " + (dir / "x.yaml").string());
    CHECK(r.status == 2);
    CHECK(r.err.find("--flash-attention: cannot read \"/nonexistent.json\"") != std::string::npos);
    CHECK(r.out.empty());
    r = dcsim_cli("calibrate --backend cpu --gpu H100-SXM-80GB --out " + (dir / "x.yaml").string());
    CHECK(r.status == 2);
    CHECK(r.err.find("--gpu: the cpu backend measures this machine's CPU") != std::string::npos);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(dir / "x.yaml"));
  }
  CHECK_FALSE(leftovers(dir));
}

TEST_CASE("scripts/device-calibrate.sh: runs the CUDA benchmarks into $OUT, or says there is no GPU", "[calibration]")
{
  const fs::path bin = fs::path(DCSIM_BINARY).parent_path() / "dcsim-calibrate-cuda";
  if (!fs::exists(bin)) {
    SUCCEED("no nvcc when this build was configured: the CUDA backend was not built");
    return;
  }
  const fs::path out = temp_dir() / "device-out";
  fs::create_directories(out);
  const std::string command = "cd " + dcsim::test::repo_path(".") + " && OUT=" + out.string() + " BIN=" +
                              bin.string() + " bash scripts/device-calibrate.sh >" + (out / "log.txt").string() +
                              " 2>&1";
  const int raw = std::system(command.c_str());
  const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  INFO(slurp((out / "log.txt").string()));
  // Without a GPU the benchmarks exit 3 with their one-line reason; with one they write the JSON.
  CHECK((status == 0 || status == 3));
  CHECK(slurp((out / "status.txt").string()).find("dcsim-calibrate-cuda exit " + std::to_string(status)) !=
        std::string::npos);
  if (status == 3)
    CHECK(slurp((out / "calibrate-cuda.stderr").string()).find("no usable NVIDIA GPU") != std::string::npos);
  else
    CHECK(fs::file_size(out / "h200-raw.json") > 0);
}
