// Bad input never crashes or hangs: the shipped scenarios and profiles, each mutated (a key
// deleted, a value replaced by one of the wrong kind, size or unit), go through `dcsim run`, which
// must either run (exit 0) or refuse with exit 2 and only "file:line:col: ..." lines (or lines
// that point at the --set that caused them); tests/sim/cli checks the wording of each error. A seeded generator picks the
// mutations, so a failure names a mutant that can be rebuilt. The campaign that found the bugs
// this guards (a missing `model` or `gpu` made yaml-cpp throw, a profile without the job's
// precision threw from the cost model) ran ~1,300 mutants; this runs 210 (~20 s on 2 cores); with
// the old MapReader::raw it fails on mutant 31.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

/// splitmix64: the same sequence on every platform (std distributions are not).
struct Random {
  std::uint64_t state;
  std::uint64_t next()
  {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

/// Values of the wrong kind, sign, size or unit for almost any key.
const std::vector<std::string> kWrongValues = {
    "-1",   "0",    "1e30",  "abc", "''",     "~",    "[]",  "{}",     "1e400",       "nan", "inf", "-5GB/s",
    "3.5",  "1099511627776", "true", "0s", "1e-30s", "[1, 2]", "{x: 1}", "100%", "2147483648", "1PB", "-0.0", "65536"};

/// One step into a YAML tree: a key of a mapping or an index of a sequence.
struct Step {
  std::string key;
  size_t index = 0;
  bool is_key = true;
};
using Path = std::vector<Step>;

void collect_paths(const YAML::Node& node, Path& prefix, std::vector<Path>& out)
{
  if (node.IsMap()) {
    for (const auto& kv : node) {
      prefix.push_back({kv.first.as<std::string>(), 0, true});
      out.push_back(prefix);
      collect_paths(kv.second, prefix, out);
      prefix.pop_back();
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      prefix.push_back({"", i, false});
      out.push_back(prefix);
      collect_paths(node[i], prefix, out);
      prefix.pop_back();
    }
  }
}

YAML::Node parent_of(YAML::Node root, const Path& path)
{
  YAML::Node node = root;
  for (size_t i = 0; i + 1 < path.size(); ++i)
    node.reset(path[i].is_key ? node[path[i].key] : node[path[i].index]);
  return node;
}

/// Deletes a mapping key (one time in four) or replaces the value at a random path.
std::string mutate(YAML::Node root, Random& random)
{
  std::vector<Path> paths;
  Path prefix;
  collect_paths(root, prefix, paths);
  const Path& path = paths[random.below(paths.size())];
  YAML::Node parent = parent_of(root, path);
  const Step& last = path.back();
  std::string where;
  for (const auto& s : path)
    where += (where.empty() ? "" : ".") + (s.is_key ? s.key : std::to_string(s.index));
  if (last.is_key && random.below(4) == 0) {
    parent.remove(last.key);
    return "delete " + where;
  }
  const std::string& value = kWrongValues[random.below(kWrongValues.size())];
  if (last.is_key)
    parent[last.key] = YAML::Load(value);
  else
    parent[last.index] = YAML::Load(value);
  return "set " + where + " = " + value;
}

struct Outcome {
  int status = -1;
  std::string err;
};

Outcome run_dcsim(const std::string& args)
{
  const std::string err = dcsim::test::temp_dir() + "/mutant_stderr.txt";
  // `timeout` turns a hang into exit 124 instead of a stuck test.
  const int raw = std::system(("timeout 120 " + std::string(DCSIM_BINARY) + " " + args + " >/dev/null 2>" + err).c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, dcsim::test::slurp(err)};
}

/// Exit 0, or exit 2 with every line pointing at `file`, `scenario` or a --set.
void check_outcome(const Outcome& r, const std::string& file, const std::string& scenario, const std::string& what)
{
  INFO("mutant " << file << " (" << what << ")\nstderr: " << r.err);
  REQUIRE((r.status == 0 || r.status == 2));
  if (r.status == 0)
    return;
  const std::regex located("^(" + dcsim::test::regex_escape(file) + "|" + dcsim::test::regex_escape(scenario) +
                           R"():\d+:\d+: .+|^--set .+)");
  std::istringstream lines(r.err);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    CHECK(std::regex_match(line, located));
  }
  CHECK(count >= 1);
}

std::string write_mutant(const YAML::Node& doc, const std::string& name)
{
  const std::string path = dcsim::test::temp_dir() + "/" + name;
  YAML::Emitter out;
  out << doc;
  std::ofstream(path) << out.c_str() << "\n";
  return path;
}

} // namespace

TEST_CASE("config: mutated scenarios run or fail with file:line errors, never crash or hang", "[config][slow]")
{
  // Small, quick scenarios of different sections (fabrics, failures, scheduler, MoE, power).
  const std::vector<std::string> scenarios = {"scenarios/1024gpu.yaml",      "scenarios/fabric-torus.yaml",
                                              "scenarios/moe-experts.yaml",  "scenarios/long-context.yaml",
                                              "scenarios/energy-cost.yaml",  "scenarios/zero-sharding.yaml",
                                              "scenarios/shared-cluster.yaml"};
  Random random{20261129};
  for (int i = 0; i < 150; ++i) {
    const std::string source = scenarios[random.below(scenarios.size())];
    YAML::Node doc = YAML::LoadFile(dcsim::test::repo_path(source));
    std::string what = mutate(doc, random);
    if (random.below(2) == 0)
      what += "; " + mutate(doc, random);
    const std::string path = write_mutant(doc, "mutant_" + std::to_string(i) + ".yaml");
    check_outcome(run_dcsim("run " + path + " --quiet"), path, path, source + ": " + what);
  }
}

TEST_CASE("config: mutated profiles and model files give file:line errors, never crash or hang", "[config][slow]")
{
  const std::string scenario = dcsim::test::repo_path("scenarios/1024gpu.yaml");
  const std::vector<std::pair<std::string, std::string>> files = {
      {"calibration/profiles/h100-sxm.yaml", "cluster.calibration"},
      {"calibration/profiles/a100-azure-ndv4.yaml", "cluster.calibration"},
      {"models/gpt3-175b.yaml", "jobs.0.model"},
      {"models/llama3-8b.yaml", "jobs.0.model"}};
  Random random{11292026};
  for (int i = 0; i < 60; ++i) {
    const auto& [source, key] = files[random.below(files.size())];
    YAML::Node doc = YAML::LoadFile(dcsim::test::repo_path(source));
    const std::string what = mutate(doc, random);
    const std::string path = write_mutant(doc, "mutant_file_" + std::to_string(i) + ".yaml");
    check_outcome(run_dcsim("run " + scenario + " --quiet --set " + key + "=" + path + " --set jobs.0.iterations=2"),
                  path, scenario, source + ": " + what);
  }
}
