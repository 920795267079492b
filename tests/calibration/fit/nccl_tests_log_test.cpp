// Reading nccl-tests logs: the Echo Azure logs (one process, and mpirun --tag-output), and errors.
#include "fit/nccl_tests_log.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

TEST_CASE("calibration::read_nccl_tests_log: rows, sizes, times and the rank count", "[calibration]")
{
  const auto two = dcsim::calibration::read_nccl_tests_log(
      dcsim::test::reference_path("collectives/echo_azure_ndv4_a100/nccl_allreduce_2gpu.log"));
  REQUIRE(two.size() == 28); // 8 B .. 1 GiB
  CHECK(two.front().op == "allreduce");
  CHECK(two.front().ranks == 2);
  CHECK(two.front().bytes == 8);
  CHECK(two.front().seconds == Approx(8.65e-6));
  CHECK(two.back().bytes == 1073741824.0);
  CHECK(two.back().seconds == Approx(5203.1e-6));
  const auto sixteen = dcsim::calibration::read_nccl_tests_log(
      dcsim::test::reference_path("collectives/echo_azure_ndv4_a100/nccl_allreduce_16gpu.log"));
  CHECK(sixteen.front().ranks == 16);
  CHECK(sixteen.back().bytes == 17179869184.0);
}

TEST_CASE("calibration::read_nccl_tests_log: bad logs name the file and line", "[calibration]")
{
  const auto dir = std::filesystem::temp_directory_path() / "dcsim-nccl-log-test";
  std::filesystem::create_directories(dir);
  const auto bad = dir / "all_reduce_bad.log";
  std::ofstream(bad) << "#   Rank  0 Pid 1 on host device 0\n#   Rank  1 Pid 1 on host device 1\n  1024  256  float\n";
  CHECK_THROWS_WITH(dcsim::calibration::read_nccl_tests_log(bad.string()),
                    Catch::Contains("all_reduce_bad.log:3: a result row with fewer than 5 columns"));
  const auto unnamed = dir / "results.log";
  std::ofstream(unnamed) << "nothing\n";
  CHECK_THROWS_WITH(dcsim::calibration::read_nccl_tests_log(unnamed.string()),
                    Catch::Contains("cannot tell the operation"));
  CHECK_THROWS_WITH(dcsim::calibration::read_nccl_tests_log((dir / "missing_allreduce.log").string()),
                    Catch::Contains("cannot read"));
}

TEST_CASE("calibration::read_nccl_tests_log: newer logs' root column is not read as the time", "[calibration]")
{
  // nccl-tests 2.13+ print "redop root time"; the reader took the root (-1) as the time: -1 us.
  const auto dir = std::filesystem::temp_directory_path() / "dcsim-nccl-log-test";
  std::filesystem::create_directories(dir);
  const auto log = dir / "all_reduce_root.log";
  std::ofstream(log)
      << "#  Rank  0 Group  0 Pid  7 on node device  0 [0x1b] NVIDIA H100\n"
         "#  Rank  1 Group  0 Pid  7 on node device  1 [0x2b] NVIDIA H100\n"
         "#                                                              out-of-place                       in-place\n"
         "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong\n"
         "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)\n"
         "     1048576        262144     float     sum      -1    21.50   48.77   48.77      0    21.10   49.70   49.70      0\n"
         "  1073741824     268435456     float     sum      -1   5301.2  202.55  202.55      0   5290.0  202.98  202.98      0\n";
  const auto rows = dcsim::calibration::read_nccl_tests_log(log.string());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].bytes == 1048576);
  CHECK(rows[0].seconds == Approx(21.50e-6));
  CHECK(rows[1].seconds == Approx(5301.2e-6));
  CHECK(rows[0].ranks == 2);
  const auto bad = dir / "all_reduce_na.log";
  std::ofstream(bad) << "#  Rank  0 Pid 1 on host device 0\n"
                        "#       size         count      type   redop    root     time   algbw   busbw\n"
                        "        1024           256     float     sum      -1      N/A     0.0     0.0\n";
  CHECK_THROWS_WITH(dcsim::calibration::read_nccl_tests_log(bad.string()),
                    Catch::Contains("all_reduce_na.log:3: \"N/A\" is not a time"));
}
