// Job traces in the Standard Workload Format: fields read, jobs skipped, groups, processors per
// GPU, errors, and a replay that matches the same jobs written as CSV.
#include "config/job_trace_reader.hpp"

#include "sim/scheduler/trace_scenarios.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

namespace dcsim {
namespace {

/// A hand-written log: a header, four jobs (the fourth cancelled before it ran: run time and
/// allocated processors -1), fields as the SWF definition numbers them:
/// job submit wait run alloc cpu mem req_procs req_time req_mem status user group exe queue part prev think
const char* const kLog = "; Version: 2.2\n"
                         "; Computer: hand-written test log\n"
                         "; MaxProcs: 16\n"
                         ";\n"
                         "    1   1000   -1   100   8  -1 -1   8   200 -1 1  3  1 -1  1 -1 -1 -1\n"
                         "    2   1001   -1   100  16  -1 -1  16   100 -1 1  4  1 -1  1 -1 -1 -1\n"
                         "    3   1002   -1    10  -1  -1 -1   4    -1 -1 1  3  2 -1  2 -1 -1 -1\n"
                         "    4   1003   -1    -1  -1  -1 -1   4    60 -1 5  5 -1 -1  2 -1 -1 -1\n";

JobTrace read(const std::string& text, const TraceOptions& options = {}, const std::string& path = "log.txt")
{
  JobTrace trace;
  const std::string problem = read_job_trace(text, path, options, trace);
  INFO(problem);
  REQUIRE(problem.empty());
  return trace;
}

std::string problem_of(const std::string& text, const TraceOptions& options = {})
{
  JobTrace trace;
  return read_job_trace(text, "log.swf", options, trace);
}

TEST_CASE("SWF trace: submit, run time, processors and requested time of each job", "[scheduler][trace]")
{
  TraceOptions by_user;
  by_user.swf_group = SwfGroupField::User;
  const JobTrace t = read(kLog, by_user); // a first line starting with ';' makes it SWF
  CHECK(t.format == TraceFormat::Swf);
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.skipped == 1); // job 4: no run time
  CHECK(t.jobs[0].submit_s == 0); // from the first submission
  CHECK(t.jobs[1].submit_s == 1);
  CHECK(t.jobs[2].submit_s == 2);
  CHECK(t.jobs[0].duration_s == 100);
  CHECK(t.jobs[2].duration_s == 10);
  CHECK(t.jobs[0].gpus == 8);
  CHECK(t.jobs[1].gpus == 16);
  CHECK(t.jobs[2].gpus == 4); // allocated unknown: the requested processors
  CHECK(t.jobs[0].estimate_s == 200);
  CHECK(t.jobs[2].estimate_s < 0); // requested time unknown: the run time is planned with
  CHECK(t.jobs[2].line == 7);
  CHECK(t.groups == std::vector<std::string>{"user3", "user4"});
  CHECK(t.jobs[0].group == 0);
  CHECK(t.jobs[1].group == 1);
  CHECK(t.jobs[2].group == 0);

  TraceOptions by_queue;
  by_queue.swf_group = SwfGroupField::Queue;
  CHECK(read(kLog, by_queue).groups == std::vector<std::string>{"queue1", "queue2"});
  CHECK(read(kLog).groups.empty()); // trace_group: none
  CHECK(read(kLog).jobs[0].group == -1);
}

TEST_CASE("SWF trace: processors per GPU round up; the format from the name or the first line", "[scheduler][trace]")
{
  TraceOptions four;
  four.processors_per_gpu = 4;
  const JobTrace t = read(kLog, four);
  CHECK(t.jobs[0].gpus == 2);
  CHECK(t.jobs[1].gpus == 4);
  CHECK(t.jobs[2].gpus == 1);
  TraceOptions three;
  three.processors_per_gpu = 3;
  CHECK(read(kLog, three).jobs[0].gpus == 3); // 8 processors: ceil(8 / 3)

  const std::string no_header = "1 0 -1 50 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n";
  CHECK(detect_trace_format(no_header, "cluster.SWF") == TraceFormat::Swf);
  CHECK(detect_trace_format(no_header, "cluster.csv") == TraceFormat::Csv);
  CHECK(detect_trace_format("\n  ; comment\n" + no_header, "x") == TraceFormat::Swf);
  TraceOptions swf;
  swf.format = TraceFormat::Swf;
  CHECK(read(no_header, swf).jobs.at(0).duration_s == 50);
  CHECK(read("submit_time_s,duration_s,gpus\n0,5,1\n").format == TraceFormat::Csv);
}

TEST_CASE("SWF trace: a malformed line is one error naming its line and field", "[scheduler][trace]")
{
  CHECK(problem_of("; h\n1 0 -1 50 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1\n") ==
        "line 2: has 17 fields; expected the Standard Workload Format's 18 numbers, or a comment starting with ';'");
  CHECK_THAT(problem_of("1 0 -1 50 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1 7\n"), Catch::Contains("has more than 18 fields"));
  CHECK(problem_of("1 0 -1 5x0 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n") ==
        "line 1: field 4 (run time) \"5x0\" is not a number; expected a number, or -1 when unknown");
  CHECK(problem_of("1 0 -1 50 2.5 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n").rfind("line 1: the processor count", 0) == 0);
  CHECK_THAT(problem_of("1 0 -1 4e9 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n"),
             Catch::Contains("line 1: field 4 (run time) \"4000000000\" is more than 10 years"));
  CHECK(problem_of("; only a header\n1 0 -1 -1 -1 -1 -1 -1 -1 -1 5 1 1 -1 1 -1 -1 -1\n") ==
        "has no jobs with a known run time and processor count (1 without); expected one line of 18 numbers per "
        "job after the ';' header");
  CHECK_THAT(problem_of("; only a header\n"), Catch::StartsWith("has no jobs; expected"));
}

TEST_CASE("SWF trace: the scheduler replays it as it replays the same jobs in CSV (EASY, worked by hand)",
          "[scheduler][trace]")
{
  // Two nodes of 8 GPUs. Job 1 (8 GPUs, 100 s, asked for 200 s) starts at 0; job 2 (16 GPUs)
  // waits for it: EASY reserves both nodes from 200 s (job 1's estimate); job 3 (4 GPUs, 10 s,
  // no estimate: its run time) fits on the free node and ends before the reservation, so it
  // starts at once. Job 1 ends at 100 s and job 2 starts then. Waits 0, 99, 0.
  const std::string swf = test::write_trace("easy.swf", kLog);
  const std::string csv = test::write_trace("easy-as.csv", "submit_time_s,duration_s,gpus,estimate_s\n"
                                                           "1000,100,8,200\n1001,100,16,100\n1002,10,4,10\n");
  const auto scenario = [](const std::string& trace) {
    return "name: swf\n"
           "cluster:\n"
           "  nodes: 2\n"
           "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
           "scheduler: {policy: easy_backfill, trace: " + trace + "}\n"
           "output: {job_table: true}\n";
  };
  const auto from_swf = test::run_scenario_text(scenario(swf))["scheduler"];
  const auto from_csv = test::run_scenario_text(scenario(csv))["scheduler"];
  CHECK(from_swf["trace_jobs"] == 3);
  CHECK(from_swf["trace_skipped_jobs"] == 1);
  CHECK(from_csv["trace_skipped_jobs"] == 0);
  CHECK(from_swf["mean_queue_s"].get<double>() == Approx(99.0 / 3));
  CHECK(from_swf["job_table"]["queue_s"] == from_csv["job_table"]["queue_s"]);
  CHECK(from_swf["job_table"]["end_s"] == from_csv["job_table"]["end_s"]);
  CHECK(from_swf["makespan_s"] == from_csv["makespan_s"]);
}

TEST_CASE("SWF trace: scenario keys, and errors naming them", "[scheduler][trace]")
{
  const std::string swf = test::write_trace("keys.swf", kLog);
  const std::string csv = test::write_trace("keys.csv", "submit_time_s,duration_s,gpus\n0,5,1\n");
  const auto error = [](const std::string& scheduler) { return test::load_error(test::one_node(scheduler)); };
  const ScenarioConfig grouped =
      test::load_text(test::one_node("{trace: " + swf + ", trace_group: user, trace_processors_per_gpu: 2, "
                                     "quotas: {user3: 4}}"));
  CHECK(grouped.scheduler.trace_options.swf_group == SwfGroupField::User);
  CHECK(grouped.scheduler.trace_jobs.at(0).gpus == 4);
  CHECK(grouped.scheduler.trace_skipped_jobs == 1);
  CHECK(grouped.scheduler.quotas.gpus.at("user3") == 4);
  CHECK_THAT(error("{trace: " + csv + ", trace_group: user}"),
             Catch::Contains("scheduler.trace_group: applies to Standard Workload Format traces, and " + csv +
                             " is read as CSV; expected a .swf file, or trace_format: swf"));
  CHECK_THAT(error("{trace: " + swf + ", trace_processors_per_gpu: 0}"),
             Catch::Contains("scheduler.trace_processors_per_gpu: 0 is out of range"));
  CHECK_THAT(error("{trace: " + swf + ", trace_group: users}"), Catch::Contains("scheduler.trace_group: unknown value \"users\" (did you mean \"user\"?); expected none, user, group, queue or partition"));
  CHECK_THAT(error("{trace: " + swf + ", trace_format: json}"), Catch::Contains("scheduler.trace_format: unknown value \"json\""));
  CHECK_THAT(error("{policy: fifo, trace_group: user}"),
             Catch::Contains("scheduler.trace_group: describes a trace but none is given"));
  CHECK_THAT(error("{trace: " + csv + ", trace_format: swf}"), Catch::Contains("line 1: field 1 (job number) \"submit_time_s,duration_s,gpus\" is not a number"));
  CHECK_THAT(error("{trace: " + swf + ", trace_format: csv}"), Catch::Contains("has neither layout"));
}

} // namespace
} // namespace dcsim
