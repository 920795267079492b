// scheduler.trace_feedback: an SWF job that names a preceding job is submitted its think time
// after that job ends (the log's feedback fields), not at its logged time. Worked by hand.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace dcsim {
namespace {

// job submit wait run alloc cpu mem req_procs req_time req_mem status user group exe queue part prev think
const char* const kSession = "; a user's session: job 2 follows job 1 after 20 s, job 3 follows job 2 at once\n"
                             "1   0 -1 100 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1 -1 -1\n"
                             "2   5 -1  10 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1  1 20\n"
                             "3  50 -1  10 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1  2  0\n"
                             "4  60 -1  10 4 -1 -1 4 -1 -1 1 2 1 -1 1 -1 -1 -1\n";

TEST_CASE("SWF feedback: a job follows the one it depends on after its think time (worked by hand)",
          "[scheduler][trace]")
{
  // One node of 8 GPUs, FIFO. As logged: job 1 runs 0-100 s, job 2 (submitted at 5 s) 100-110,
  // job 3 (50 s) 110-120, job 4 (60 s, 4 GPUs; FIFO keeps it behind job 3) 120-130: waits 0, 95,
  // 60, 60. With feedback: job 2 is submitted 20 s after job 1 ends (120 s) and job 3 when job 2
  // ends (130 s); job 4 starts when job 1 ends: waits 0, 0, 0, 40; the last end at 140 s.
  const std::string log = test::write_trace("session.swf", kSession);
  const std::string scheduler = "{policy: fifo, trace: " + log;
  const auto open_loop = test::run_scenario_text(test::one_node(scheduler + "}") + "output: {job_table: true}\n");
  const auto closed = test::run_scenario_text(test::one_node(scheduler + ", trace_feedback: true}") +
                                              "output: {job_table: true}\n");
  const auto& a = open_loop["scheduler"];
  const auto& b = closed["scheduler"];
  CHECK(a["job_table"]["queue_s"] == std::vector<double>{0, 95, 60, 60});
  CHECK(a["makespan_s"].get<double>() == Approx(130));
  CHECK(b["job_table"]["queue_s"] == std::vector<double>{0, 0, 0, 40});
  CHECK(b["job_table"]["submit_s"] == std::vector<double>{0, 120, 130, 60});
  CHECK(b["job_table"]["end_s"] == std::vector<double>{100, 130, 140, 110});
  CHECK(b["mean_queue_s"].get<double>() == Approx(10));
  CHECK(b["makespan_s"].get<double>() == Approx(140));
}

TEST_CASE("SWF feedback: a preceding job that is not replayed leaves the logged time; errors", "[scheduler][trace]")
{
  // Job 2 follows job 1, which needs 16 GPUs on an 8-GPU node (rejected): job 2 keeps its 5 s.
  const std::string log = test::write_trace("orphan.swf", "1 0 -1 100 16 -1 -1 16 -1 -1 1 1 1 -1 1 -1 -1 -1\n"
                                                          "2 5 -1 10 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1 1 20\n");
  const auto r = test::run_scenario_text(test::one_node("{policy: fifo, trace: " + log + ", trace_feedback: true}") +
                                         "output: {job_table: true}\n")["scheduler"];
  CHECK(r["rejected_jobs"] == 1);
  CHECK(r["job_table"]["submit_s"] == std::vector<double>{5});
  const std::string csv = test::write_trace("feedback.csv", "submit_time_s,duration_s,gpus\n0,5,1\n");
  CHECK_THAT(test::load_error(test::one_node("{trace: " + csv + ", trace_feedback: true}")),
             Catch::Contains("scheduler.trace_feedback: applies to Standard Workload Format traces"));
  // Two think times of 2e8 s put the third job past the simulator's 10 years (3.16e8 s): refused
  // when read, naming its line, rather than after a run that could never end.
  const std::string far = test::write_trace("far.swf", "1 0 -1 100 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1 -1 -1\n"
                                                       "2 5 -1 10 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1 1 2e8\n"
                                                       "3 6 -1 10 8 -1 -1 8 -1 -1 1 1 1 -1 1 -1 2 2e8\n");
  CHECK_THAT(test::load_error(test::one_node("{trace: " + far + ", trace_feedback: true}")),
             Catch::Contains("scheduler.trace_feedback: " + far + " line 3: the jobs it follows (field 17) and their "
                             "think times (field 18) put its submission past 10 years"));
  CHECK(test::load_error(test::one_node("{trace: " + far + "}")).empty()); // without feedback: the logged times
}

} // namespace
} // namespace dcsim
