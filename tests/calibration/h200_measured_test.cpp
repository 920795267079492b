// The profile measured on an H200 (calibration/profiles/h200-measured.yaml, from the raw sweep in
// calibration/measurements/h200-2026-11-30.json and the sustained run beside it): the
// simulator's GEMM times are the measured ones at the grid's shapes (at the sweep's clock), the
// held-out shapes land where the fit report says, 120 s of 8192^3 GEMMs run as the sustained
// fraction says, and refitting the committed raw data gives the committed profile.
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "config/scenario_loader.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <numeric>
#include <string>

namespace {

const char* kScenario = R"(
name: h200-measured
cluster:
  nodes: 1
  node: {gpu: H200-SXM-141GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}
  calibration: PROFILE
)";

dcsim::ScenarioConfig measured_config()
{
  std::string text = kScenario;
  text.replace(text.find("PROFILE"), 7, dcsim::test::repo_path("calibration/profiles/h200-measured.yaml"));
  dcsim::LoadOptions options;
  options.cluster_only = true;
  return dcsim::load_scenario_text(text, "<test>", options);
}

} // namespace

TEST_CASE("calibration: the measured H200 profile predicts its grid GEMMs as measured, held-out shapes as reported",
          "[calibration]")
{
  const auto file = YAML::LoadFile(dcsim::test::repo_path("calibration/profiles/h200-measured.yaml"));
  auto config = measured_config();
  config.cluster.profile.sustained_clock_fraction = 1.0; // the sweep's kernels ran at the burst clock
  const dcsim::ComputeCostModel model(config.cluster.node.gpu, config.cluster.profile, dcsim::Precision::Bf16);
  int grid = 0, held_out = 0;
  double worst_held_out = 0;
  for (const auto& g : file["measurements"]["gemm"]) {
    if (g["precision"].as<std::string>() != "bf16")
      continue;
    const auto m = g["m"].as<long long>(), n = g["n"].as<long long>(), k = g["k"].as<long long>();
    const double measured = g["seconds"].as<double>();
    const double predicted = model.kernel_seconds(dcsim::Op::gemm("probe", m, n, k, 1, 2));
    INFO(m << "x" << n << "x" << k << ": predicted " << predicted << " s, measured " << measured << " s");
    if (g["held_out"].as<bool>()) {
      worst_held_out = std::max(worst_held_out, std::fabs(predicted / measured - 1));
      ++held_out;
    } else {
      // Memory-bound small GEMMs follow the roofline's other side; the rest are the surface.
      if (2.0 * (m * k + k * n + m * n) / model.memory_bandwidth_bytes_per_s() < 0.5 * measured)
        CHECK(predicted == Approx(measured).epsilon(0.02));
      ++grid;
    }
  }
  CHECK(grid == 64);
  CHECK(held_out == 6);
  // The fit report's figure (surface, max over held-out bf16 shapes): 9.4% at 2048 x 8192 x 2048
  // (22.8% at 512 x 2048 x 512 when the surface averaged efficiencies instead of their logs).
  const double reported = file["fit"]["gemm"]["bf16"]["held_out_surface_max_error"].as<double>();
  CHECK(reported == Approx(0.094).margin(0.005));
  CHECK(worst_held_out <= reported + 0.02);
  // Best bf16 GEMM against the dense datasheet peak (989 TFLOP/s): 821.7 TFLOP/s, 83.1%.
  CHECK(file["fit"]["gemm"]["bf16"]["best_flop_per_s"].as<double>() == Approx(821.7e12).epsilon(0.001));
}

TEST_CASE("calibration: the measured H200 profile's sustained fraction is the 120 s GEMM run's throughput, within 1%",
          "[calibration]")
{
  // scripts/device-power.sh on the same machine: 8192^3 bf16 GEMMs back to back for 120 s at
  // the 700 W limit (SM clock ~1,480 of 1,980 MHz) averaged 670.7 TFLOP/s.
  const auto phases = nlohmann::json::parse(
      dcsim::test::slurp(dcsim::test::repo_path("calibration/measurements/h200-2026-11-30-power-phases.json")));
  const auto tflops = phases["phases"]["gemm"]["tflops"].get<std::vector<double>>();
  const double sustained = std::accumulate(tflops.begin(), tflops.end(), 0.0) / tflops.size() * 1e12;
  const auto config = measured_config();
  const dcsim::ComputeCostModel model(config.cluster.node.gpu, config.cluster.profile, dcsim::Precision::Bf16);
  const long long n = 8192;
  const double predicted = 2.0 * n * n * n / model.kernel_seconds(dcsim::Op::gemm("probe", n, n, n, 1, 2));
  INFO("predicted " << predicted / 1e12 << " TFLOP/s, sustained " << sustained / 1e12);
  CHECK(predicted == Approx(sustained).epsilon(0.01));
}

TEST_CASE("calibration: refitting the committed H200 raw sweep gives the committed profile", "[calibration]")
{
  const std::string out = dcsim::test::temp_dir() + "/h200-refit.yaml";
  const auto r = dcsim::test::run_cli("calibrate --measurements " +
                                      dcsim::test::repo_path("calibration/measurements/h200-2026-11-30.json") +
                                      " --gpu H200-SXM-141GB --flash-attention " +
                                      dcsim::test::repo_path("calibration/measurements/h200-2026-11-30-attention.json") +
                                      " --sustained-clock-fraction 0.899 --out " + out);
  REQUIRE(r.status == 0);
  const auto refit = YAML::LoadFile(out), committed = YAML::LoadFile(dcsim::test::repo_path("calibration/profiles/h200-measured.yaml"));
  for (const char* precision : {"bf16", "fp16", "fp8", "tf32"})
    CHECK(refit["gemm"]["peak_efficiency"][precision].as<double>() ==
          Approx(committed["gemm"]["peak_efficiency"][precision].as<double>()).epsilon(1e-6));
  CHECK(refit["memory_bound_efficiency"].as<double>() == Approx(committed["memory_bound_efficiency"].as<double>()).epsilon(1e-6));
  CHECK(refit["sustained_clock_fraction"].as<double>() == committed["sustained_clock_fraction"].as<double>());
  for (const char* pass : {"forward", "backward"})
    for (size_t i = 0; i < committed["flash_attention"][pass].size(); ++i)
      CHECK(refit["flash_attention"][pass][i].as<double>() ==
            Approx(committed["flash_attention"][pass][i].as<double>()).epsilon(1e-6));
  CHECK(refit["flash_attention"]["seq_len"].size() == 4);
  for (size_t i = 0; i < committed["fit"]["blocks"].size(); ++i)
    CHECK(refit["fit"]["blocks"][i]["predicted_s"].as<double>() ==
          Approx(committed["fit"]["blocks"][i]["predicted_s"].as<double>()).epsilon(1e-6));
}

TEST_CASE("calibration: without --gpu the device's name picks the catalog part (family word, form factor)",
          "[calibration]")
{
  // The committed H200 sweep under other device names: the fit's reference part follows the
  // name ("NVIDIA GB200" is not a B200; "NVIDIA H100 PCIe" is not the SXM part).
  const std::string raw = dcsim::test::slurp(dcsim::test::repo_path("calibration/measurements/h200-2026-11-30.json"));
  const auto fitted_gpu = [&](const std::string& device, const std::string& memory) {
    std::string text = raw;
    text.replace(text.find("\"NVIDIA H200\""), 13, "\"" + device + "\"");
    text.replace(text.find("150109880320.0"), 14, memory);
    const std::string in = dcsim::test::temp_dir() + "/renamed-" + std::to_string(std::hash<std::string>{}(device)) + ".json";
    std::ofstream(in) << text;
    const std::string out = in + ".yaml";
    const auto r = dcsim::test::run_cli("calibrate --measurements " + in + " --out " + out);
    REQUIRE(r.status == 0);
    return YAML::LoadFile(out)["gpu"].as<std::string>();
  };
  CHECK(fitted_gpu("NVIDIA H200", "150109880320.0") == "H200-SXM-141GB");
  CHECK(fitted_gpu("NVIDIA H100 80GB HBM3", "85520809984.0") == "H100-SXM-80GB");
  CHECK(fitted_gpu("NVIDIA H100 PCIe", "85520809984.0") == "H100-PCIe-80GB");
  CHECK(fitted_gpu("NVIDIA GB200", "199568408576.0") == "GB200");
  CHECK(fitted_gpu("NVIDIA B200", "191537539072.0") == "B200");
}

TEST_CASE("calibration: --flash-attention takes FlashAttention-2's rows over the bf16 peak; bad files are one line, exit 2",
          "[calibration]")
{
  const std::string sweep = dcsim::test::repo_path("calibration/measurements/h200-2026-11-30.json");
  const std::string dir = dcsim::test::temp_dir();
  const auto calibrate = [&](const std::string& attention_json) {
    const std::string in = dir + "/attention-" + std::to_string(std::hash<std::string>{}(attention_json)) + ".json";
    std::ofstream(in) << attention_json;
    return dcsim::test::run_cli("calibrate --measurements " + sweep + " --gpu H200-SXM-141GB --flash-attention " + in +
                                " --out " + in + ".yaml");
  };
  // 989 TFLOP/s is the H200's dense bf16 peak (catalog): 494.5 is half of it.
  const auto good = calibrate(R"({"rows": [
      {"backend": "CUDNN_ATTENTION", "seq": 2048, "forward_tflops": 900, "backward_tflops": 900},
      {"backend": "FLASH_ATTENTION", "seq": 4096, "forward_tflops": 494.5, "backward_tflops": 296.7},
      {"backend": "FLASH_ATTENTION", "seq": 2048, "forward_tflops": 296.7, "backward_tflops": 197.8},
      {"backend": "FLASH_ATTENTION", "seq": 65536, "error": "out of memory"}]})");
  REQUIRE(good.status == 0);
  INFO(good.out);
  CHECK(good.out.find("flash attention (FlashAttention-2, of the bf16 peak): seq 2048 0.3/0.2 seq 4096 0.5/0.3") !=
        std::string::npos);
  const auto bad = [&](const std::string& json, const std::string& message) {
    const auto r = calibrate(json);
    CHECK(r.status == 2);
    INFO(r.err);
    CHECK(r.err.find("--flash-attention: ") != std::string::npos);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  };
  bad("{not json", "parse error");
  bad(R"({"rows": []})", "no FLASH_ATTENTION rows");
  bad(R"({"rows": [{"backend": "FLASH_ATTENTION", "seq": 2048, "forward_tflops": 300}]})",
      "has no number \"backward_tflops\"");
  bad(R"({"rows": [{"backend": "FLASH_ATTENTION", "seq": 2048, "forward_tflops": 300, "backward_tflops": 200},
                   {"backend": "FLASH_ATTENTION", "seq": 2048, "forward_tflops": 310, "backward_tflops": 210}]})",
      "two FLASH_ATTENTION rows for sequence length 2048");
  bad(R"({"rows": [{"backend": "FLASH_ATTENTION", "seq": 2048, "forward_tflops": 3000, "backward_tflops": 200}]})",
      "efficiencies in (0, 1]");
}
