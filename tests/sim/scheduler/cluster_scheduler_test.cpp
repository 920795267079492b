// The cluster scheduler against queueing theory: 1-GPU jobs with Poisson arrivals and
// exponential durations on c GPUs under FIFO are an M/M/c queue (Erlang C gives the mean wait);
// jobs that each need the whole cluster are an M/M/1 queue. Also the allocator and the policies'
// orders on a hand-made trace.
#include "scheduler/gpu_allocator.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <string>

using namespace dcsim;

namespace {

/// A trace of `jobs` jobs of `gpus` GPUs: Poisson arrivals at `rate` per second, exponential
/// durations of mean `mean_s`.
std::string poisson_trace(const std::string& name, int jobs, double rate, double mean_s, int gpus, unsigned seed)
{
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> gap(rate), duration(1.0 / mean_s);
  const std::string path = test::temp_dir() + "/" + name;
  std::ofstream out(path);
  out << "submit_time_s,duration_s,gpus\n";
  double t = 0;
  for (int i = 0; i < jobs; ++i) {
    t += gap(rng);
    out.precision(17);
    out << t << "," << duration(rng) << "," << gpus << "\n";
  }
  return path;
}

std::string cluster_with_trace(int nodes, const std::string& policy, const std::string& trace)
{
  return "name: scheduler-test\n"
         "cluster:\n"
         "  nodes: " + std::to_string(nodes) + "\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
         "scheduler: {policy: " + policy + ", trace: " + trace + "}\n";
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu.
double erlang_c(int c, double a)
{
  double term = 1, sum = 1; // a^k / k!, summed for k < c
  for (int k = 1; k < c; ++k) {
    term *= a / k;
    sum += term;
  }
  const double last = term * a / c; // a^c / c!
  const double rho = a / c;
  return last / (1 - rho) / (sum + last / (1 - rho));
}

} // namespace

TEST_CASE("scheduler: FIFO 1-GPU jobs on 32 GPUs wait as Erlang C predicts (M/M/32 at 80% load), within 5%")
{
  const int c = 32;
  const double mean_s = 3600, rho = 0.8, rate = rho * c / mean_s;
  const double expected = erlang_c(c, rho * c) * mean_s / (c * (1 - rho)); // W_q = C / (c mu - lambda)
  double sum = 0;
  const int seeds = 3;
  for (int seed = 1; seed <= seeds; ++seed) {
    const std::string trace = poisson_trace("mmc" + std::to_string(seed) + ".csv", 60000, rate, mean_s, 1, seed);
    const auto s = test::run_scenario_text(cluster_with_trace(4, "fifo", trace))["scheduler"];
    INFO(s.dump());
    CHECK(s["jobs"].get<int>() == 60000);
    CHECK(s["gpu_utilization"].get<double>() == Approx(rho).epsilon(0.03));
    sum += s["mean_queue_s"].get<double>();
  }
  INFO("mean wait " << sum / seeds << " s, Erlang C " << expected << " s");
  CHECK(sum / seeds == Approx(expected).epsilon(0.05));
}

TEST_CASE("scheduler: jobs that each need the whole cluster queue as M/M/1, within 5%")
{
  const double mean_s = 600, rho = 0.7, rate = rho / mean_s;
  const double expected = rho / (1 / mean_s - rate); // W_q = rho / (mu - lambda)
  double sum = 0;
  for (int seed = 1; seed <= 3; ++seed) {
    const std::string trace = poisson_trace("mm1" + std::to_string(seed) + ".csv", 40000, rate, mean_s, 16, seed);
    sum += test::run_scenario_text(cluster_with_trace(2, "first_fit", trace))["scheduler"]["mean_queue_s"].get<double>();
  }
  INFO("mean wait " << sum / 3 << " s, M/M/1 " << expected << " s");
  CHECK(sum / 3 == Approx(expected).epsilon(0.05));
}

namespace {

std::string written_trace(const std::string& name, const std::string& rows)
{
  const std::string path = test::temp_dir() + "/" + name;
  std::ofstream(path) << "submit_time_s,duration_s,gpus\n" << rows;
  return path;
}

double mean_queue(int nodes, const std::string& policy, const std::string& trace)
{
  return test::run_scenario_text(cluster_with_trace(nodes, policy, trace))["scheduler"]["mean_queue_s"].get<double>();
}

} // namespace

TEST_CASE("scheduler: policies on a hand-made trace (2 nodes of 8 GPUs), waits worked by hand")
{
  // A holds node 0; B needs both nodes; C needs one GPU. FIFO keeps C behind B (starts at 200);
  // first fit lets C start at once on node 1.
  const std::string overtaking = written_trace("overtake.csv", "0,100,8\n1,100,16\n2,10,1\n");
  CHECK(mean_queue(2, "fifo", overtaking) == Approx((0 + 99 + 198) / 3.0));
  CHECK(mean_queue(2, "first_fit", overtaking) == Approx((0 + 99 + 0) / 3.0));
  // At 100 s B (both nodes), C and D (a node each) wait. FIFO and first fit start B, then C and
  // D together at 150 s; smallest first starts C and D at once and B after them, at 110 s.
  const std::string packing = written_trace("pack.csv", "0,100,16\n1,50,16\n2,10,8\n3,10,8\n");
  CHECK(mean_queue(2, "fifo", packing) == Approx((0 + 99 + 148 + 147) / 4.0));
  CHECK(mean_queue(2, "first_fit", packing) == Approx((0 + 99 + 148 + 147) / 4.0));
  CHECK(mean_queue(2, "smallest_first", packing) == Approx((0 + 109 + 98 + 97) / 4.0));
  // Bounded slowdown, (wait + run) / max(run, 10 s): FIFO's C waits 198 s for a 10 s run.
  const auto fifo = test::run_scenario_text(cluster_with_trace(2, "fifo", overtaking))["scheduler"];
  CHECK(fifo["mean_bounded_slowdown"].get<double>() == Approx((1 + 199.0 / 100 + 208.0 / 10) / 3).epsilon(1e-9));
  const auto fit = test::run_scenario_text(cluster_with_trace(2, "first_fit", overtaking))["scheduler"];
  CHECK(fit["mean_bounded_slowdown"].get<double>() == Approx((1 + 199.0 / 100 + 1) / 3).epsilon(1e-9));
}

TEST_CASE("scheduler: EASY backfilling lets short jobs jump ahead without delaying the oldest one (worked by hand)")
{
  // A holds node 0 until 100 s; B needs both nodes, so its reservation is at 100 s with no GPUs
  // to spare. C (50 s) ends by then: it backfills at once. D (200 s) would not end by then: it
  // waits, and B starts at 100 s as reserved. First fit lets D run at 52 s and B waits to 252 s.
  const std::string trace = written_trace("easy.csv", "0,100,8\n1,50,16\n2,50,8\n3,200,8\n");
  CHECK(mean_queue(2, "easy_backfill", trace) == Approx((0 + 99 + 0 + 147) / 4.0));
  CHECK(mean_queue(2, "fifo", trace) == Approx((0 + 99 + 148 + 147) / 4.0));
  CHECK(mean_queue(2, "first_fit", trace) == Approx((0 + 251 + 0 + 49) / 4.0));
  const auto s = test::run_scenario_text(cluster_with_trace(2, "easy_backfill", trace))["scheduler"];
  CHECK(s["max_queue_s"].get<double>() == Approx(147));
  // Placement, 3 nodes: A holds node 0 to 100 s, E node 1 to 300 s. B needs two consecutive
  // whole nodes: both pairs free up at 300 s, so it reserves the lower, nodes 0-1. F (1 GPU,
  // 500 s) would not end by then, so it may only start outside them: on node 2, at once.
  const std::string placed = written_trace("easy_placed.csv", "0,100,8\n0,300,8\n1,50,16\n2,500,1\n");
  CHECK(mean_queue(3, "easy_backfill", placed) == Approx((0 + 0 + 299 + 0) / 4.0));
}

TEST_CASE("scheduler: EASY plans with the trace's estimates when it gives them (worked by hand)")
{
  // The EASY trace above with users' estimates (SWF's requested time): C asks for 150 s though
  // it runs 50. Planned to end at 152 s it would delay B's reservation at 100 s, so it waits as
  // under FIFO: waits 0, 99, 148, 147. Estimates equal to the durations give EASY's 61.5 s back.
  const auto estimated = [](const std::string& name, const std::string& c_estimate) {
    const std::string path = test::temp_dir() + "/" + name;
    std::ofstream(path) << "submit_time_s,duration_s,gpus,estimate_s\n0,100,8,100\n1,50,16,50\n2,50,8," << c_estimate
                        << "\n3,200,8,200\n";
    return path;
  };
  CHECK(mean_queue(2, "easy_backfill", estimated("easy_over.csv", "150")) == Approx((0 + 99 + 148 + 147) / 4.0));
  CHECK(mean_queue(2, "easy_backfill", estimated("easy_exact.csv", "50")) == Approx((0 + 99 + 0 + 147) / 4.0));
  const std::string bad = test::temp_dir() + "/easy_bad.csv";
  std::ofstream(bad) << "submit_time_s,duration_s,gpus,estimate_s\n0,100,8,soon\n";
  CHECK_THAT(test::load_error(cluster_with_trace(2, "easy_backfill", bad)),
             Catch::Contains("line 2: estimate \"soon\" is not a duration"));
}

TEST_CASE("scheduler: a training job waits for the trace's GPUs, and fast-forwarding does not change the result")
{
  // Trace: X holds both nodes for 1000 s; Y (one node, 500 s) arrives at 1500 s. Training job t1
  // (one node) is submitted at 10 s and waits for X; t2 arrives at 1200 s and starts at once on
  // node 1; Y then waits for t1 to end.
  const std::string trace = written_trace("mixed.csv", "0,1000,16\n1500,500,8\n");
  const std::string job = "    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}\n"
                          "    parallelism: {tensor: 8}\n"
                          "    batch: {global: 32, micro: 4}\n"
                          "    iterations: 3000\n";
  const std::string text = cluster_with_trace(2, "fifo", trace) + "jobs:\n  - name: t1\n    gpus: 8\n    start_time: 10s\n" +
                           job + "  - name: t2\n    gpus: 8\n    start_time: 1200s\n" + job;
  const auto fast = test::run_config(test::load_text(text), true);
  const auto slow = test::run_config(test::load_text(text), false);
  const auto& t1 = fast["jobs"][0];
  const auto& t2 = fast["jobs"][1];
  INFO(fast["scheduler"].dump() << "\n" << t1.dump().substr(0, 400));
  CHECK(t1["queue_s"].get<double>() == Approx(990));
  CHECK(t1["start_time_s"].get<double>() == Approx(1000));
  CHECK(t2["queue_s"].get<double>() == Approx(0).margin(1e-9));
  CHECK(t1["first_gpu"].get<int>() != t2["first_gpu"].get<int>());
  CHECK(t1["simulated_iterations"].get<int>() < 100); // steady iterations were skipped
  for (int j = 0; j < 2; ++j)
    CHECK(fast["jobs"][j]["end_time_s"].get<double>() ==
          Approx(slow["jobs"][j]["end_time_s"].get<double>()).epsilon(1e-3));
  CHECK(fast["scheduler"]["mean_queue_s"].get<double>() ==
        Approx(slow["scheduler"]["mean_queue_s"].get<double>()).epsilon(1e-3));
  CHECK(fast["scheduler"]["jobs"].get<int>() == 4);
}

TEST_CASE("scheduler: --trace shows a training job's wait for GPUs")
{
  const std::string trace = written_trace("wait.csv", "0,100,16\n");
  const std::string text = cluster_with_trace(2, "fifo", trace) +
                           "jobs:\n  - name: t\n    gpus: 8\n    start_time: 10s\n"
                           "    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}\n"
                           "    parallelism: {tensor: 8}\n    batch: {global: 32, micro: 4}\n    iterations: 2\n";
  const std::string scenario = test::temp_dir() + "/wait.yaml";
  std::ofstream(scenario) << text;
  const std::string out = test::temp_dir() + "/wait.trace.json";
  REQUIRE(test::run_cli("run " + scenario + " --quiet --trace " + out).status == 0);
  const auto events = nlohmann::json::parse(test::slurp(out))["traceEvents"];
  bool found = false;
  for (const auto& e : events)
    if (e["name"] == "waiting for GPUs") {
      found = true;
      CHECK(e["ts"].get<double>() == Approx(10e6));
      CHECK(e["dur"].get<double>() == Approx(90e6));
    }
  CHECK(found);
}

namespace {
/// First GPU of an allocation, -1 when there was none.
int first(const std::optional<Placement>& p) { return p ? p->first_gpu() : -1; }
Placement gpus(int first_gpu, int count) { return Placement::consecutive(first_gpu, count, 8); }
} // namespace

TEST_CASE("scheduler: the allocator gives consecutive GPUs inside a node or whole consecutive nodes")
{
  GpuAllocator a(3, 8);
  CHECK(first(a.allocate(3)) == 0);
  const std::optional<Placement> whole = a.allocate(8);
  CHECK(first(whole) == 8);   // node 0 has 5 left: the next whole node
  CHECK(first(a.allocate(5)) == 3);   // fills node 0
  CHECK(first(a.allocate(12)) == -1); // two whole free nodes needed, one left
  a.release(*whole);
  const std::optional<Placement> two = a.allocate(12);
  CHECK(first(two) == 8);  // nodes 1 and 2, the last in part
  CHECK(two->node_ranges() == "1-2");
  CHECK(two->gpu(11) == 19);
  CHECK(a.free_gpus() == 4);
  CHECK(first(a.allocate(4)) == 20);
  CHECK(first(a.allocate(1)) == -1);
  CHECK(first(a.allocate(25)) == -1);
  // Leaving a reservation alone: the lowest range that does not overlap it.
  GpuAllocator b(3, 8);
  const Placement node0 = gpus(0, 8), node0_and_half = gpus(0, 12);
  CHECK(first(b.allocate(2, &node0)) == 8);            // node 0 reserved: GPUs 8-9
  CHECK(first(b.allocate(8, &node0)) == 16);           // the only whole free node left
  CHECK(first(b.allocate(8, &node0)) == -1);           // node 0 is free but reserved
  CHECK(first(b.allocate(4, &node0_and_half)) == 12);  // node 0 and GPUs 10-11 reserved, 8-9 taken
  CHECK(first(b.allocate(12)) == -1);                  // no two whole free nodes
}
