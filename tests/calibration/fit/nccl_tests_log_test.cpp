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
