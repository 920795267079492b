// Every scenario in scenarios/ is documentation and an integration test: it must run, and its
// headline results must not move unnoticed. Golden values live next to each scenario
// (<name>.expected, written by scripts/update-expected.sh after an intended model change).
// Tolerance: 1e-6 relative (results are deterministic; this only absorbs float formatting).
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

TEST_CASE("scenarios: every scenario runs and matches its golden results", "[scenarios]")
{
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dcsim::test::repo_path("scenarios"))) {
    if (entry.path().extension() != ".yaml")
      continue;
    const fs::path golden_path = fs::path(entry.path()).replace_extension(".expected");
    INFO("scenario " << entry.path().filename().string());
    REQUIRE(fs::exists(golden_path));
    const auto golden = nlohmann::json::parse(std::ifstream(golden_path));
    const auto result = dcsim::test::run_scenario("scenarios/" + entry.path().filename().string());
    REQUIRE(result["jobs"].size() == golden["jobs"].size());
    for (size_t j = 0; j < golden["jobs"].size(); ++j)
      for (const auto& [key, value] : golden["jobs"][j].items()) {
        if (key == "name")
          continue;
        INFO("job " << j << " " << key);
        // "energy/facility_j" names a nested value (a JSON pointer below the job).
        const nlohmann::json::json_pointer at("/" + key);
        CHECK(result["jobs"][j][at].get<double>() == Approx(value.get<double>()).epsilon(1e-6));
      }
    if (golden.contains("scheduler"))
      for (const auto& [key, value] : golden["scheduler"].items()) {
        INFO("scheduler " << key);
        CHECK(result["scheduler"][key].get<double>() == Approx(value.get<double>()).epsilon(1e-6));
      }
    ++checked;
  }
  CHECK(checked >= 7);
}
