// DualPipeV on a mixture of experts (scenarios/moe-experts.yaml, Mixtral 8x7B on 64 H100s with
// expert parallelism 8): in its steady state a forward and another chunk's backward run as a
// pair, their expert all-to-alls beside the pair's kernels, which lose the SMs the exchanges hold
// (parallelism.overlap_comm_sms) for as long as the exchanges run.
#include "support/test_support.hpp"

#include "parallelism/pipeline_schedule.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

nlohmann::json dual_pipe(std::vector<std::string> more = {})
{
  more.insert(more.begin(), {"jobs.0.parallelism.schedule=dualpipev", "jobs.0.parallelism.virtual_stages=2"});
  return dcsim::test::run_scenario("scenarios/moe-experts.yaml", more)["jobs"][0];
}

double iteration(const nlohmann::json& job) { return job["iteration_time_s"].get<double>(); }
double exposed(const nlohmann::json& job) { return job["breakdown_s"]["exposed_comm"].get<double>(); }

} // namespace

TEST_CASE("DualPipeV hides the expert all-to-alls that 1F1B exposes")
{
  const auto one_f_one_b = dcsim::test::run_scenario(
      "scenarios/moe-experts.yaml",
      {"jobs.0.parallelism.virtual_stages=1"})["jobs"][0];
  const auto pairs = dual_pipe();
  INFO("exposed communication: 1F1B " << exposed(one_f_one_b) << " s, DualPipeV " << exposed(pairs) << " s");
  CHECK(exposed(pairs) < 0.6 * exposed(one_f_one_b));
  CHECK(iteration(pairs) < iteration(one_f_one_b));
}

TEST_CASE("DualPipeV: the SMs the exchanges hold slow the pair's kernels, more SMs more so")
{
  const double none = iteration(dual_pipe({"jobs.0.parallelism.overlap_comm_sms=0"}));
  const double deepseek = iteration(dual_pipe()); // 20 SMs, DeepSeek-V3's
  const double most = iteration(dual_pipe({"jobs.0.parallelism.overlap_comm_sms=66"}));
  INFO("0 SMs " << none << " s, 20 SMs " << deepseek << " s, 66 SMs " << most << " s");
  CHECK(none < deepseek);
  CHECK(deepseek < most);
  // Half the SMs: the kernels run at half rate while the exchanges run, so the stretch is at most
  // the exchanges' own time, which the 1F1B run exposes in full on its slowest rank (88 ms there).
  CHECK(most - none < 0.2);
}

TEST_CASE("DualPipeV: too few micro-batches or another chunk count is one error naming the key")
{
  const std::string scenario = dcsim::test::slurp(dcsim::test::repo_path("scenarios/moe-experts.yaml"));
  // 4 pipeline ranks need at least 8 micro-batches per replica; 16 replicas of 64: global 64 is 4.
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.schedule=dualpipev", "jobs.0.parallelism.virtual_stages=2",
                                           "jobs.0.batch.global=64"})
            .find("jobs.0.batch.global: 4 micro-batches per replica are fewer than dualpipev needs; expected at least "
                  "2 x pipeline = 8") != std::string::npos);
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.schedule=dualpipev"})
            .find("jobs.0.parallelism.virtual_stages: 8 chunks per rank; dualpipev places two per rank in a V, "
                  "expected 2") != std::string::npos);
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.overlap_comm_sms=132"})
            .find("jobs.0.parallelism.overlap_comm_sms: 132 SMs for the communication kernels leave none of the H100-SXM-80GB's 132 "
                  "for computing; expected fewer than 132") != std::string::npos);
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.schedule=zb-h1"})
            .find("jobs.0.parallelism.virtual_stages: virtual stages need the interleaved schedule") != std::string::npos);
}

TEST_CASE("first_stage_layers / last_stage_layers: bad splits are one error naming the key")
{
  const std::string scenario = dcsim::test::slurp(dcsim::test::repo_path("scenarios/moe-experts.yaml"));
  // Mixtral's 32 layers in 4 x 8 = 32 chunks: fixing the last at 2 leaves 30 for 31 chunks.
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.last_stage_layers=2"})
            .find("jobs.0.parallelism.last_stage_layers: 2 layers on the first and last chunks leave 30 of 32 for "
                  "31 chunks between them; expected at least one layer each") != std::string::npos);
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.first_stage_layers=-1"})
            .find("jobs.0.parallelism.first_stage_layers: -1 is out of range") != std::string::npos);
  CHECK(dcsim::test::load_error(scenario, {"jobs.0.parallelism.virtual_stages=1", "jobs.0.parallelism.last_stage_layers=2"})
            .empty());
}

TEST_CASE("DualPipeV: --trace shows every rank's forwards, backwards and deferred weight gradients")
{
  const std::string trace = dcsim::test::temp_dir() + "/dualpipev.trace.json";
  const auto r = dcsim::test::run_cli("run " + dcsim::test::repo_path("scenarios/moe-experts.yaml") +
                                      " --quiet --set jobs.0.parallelism.schedule=dualpipev"
                                      " --set jobs.0.parallelism.virtual_stages=2 --set jobs.0.iterations=1"
                                      " --trace " + trace);
  REQUIRE(r.status == 0);
  // Mixtral's 4 pipeline ranks, 2 chunks each, 16 micro-batches per replica (256 / 16 replicas):
  // every rank runs 32 forwards and 32 backwards; each backward that defers its weight gradients
  // adds a weight-gradient event.
  int forwards = 0, backwards = 0, weights = 0;
  const auto events = nlohmann::json::parse(dcsim::test::slurp(trace)); // kept: range-for would not extend it
  for (const auto& e : events["traceEvents"]) {
    const std::string name = e["name"];
    forwards += name == "forward";
    backwards += name == "backward";
    weights += name == "weight_gradient";
  }
  CHECK(forwards == 4 * 32);
  CHECK(backwards >= 4 * 32); // a backward reducing gradients bucket by bucket is traced in parts
  CHECK(weights > 0);
  int deferred = 0;
  for (int rank = 0; rank < 4; ++rank)
    for (const auto& s : dcsim::pipeline_steps(dcsim::PipelineSchedule::DualPipeV, rank, 4, 2, 16))
      deferred += s.defers_weights;
  CHECK(weights >= deferred); // the last of a chunk's, reducing gradients bucket by bucket, is traced in parts
}
