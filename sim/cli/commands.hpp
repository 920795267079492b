// The `dcsim` subcommands. Each returns the process exit status: 0 success, 2 invalid input
// (ScenarioError, reported by main), 1 anything else.
#pragma once

#include "engine/collective_request.hpp"
#include "plan/plan_space.hpp"

#include <string>
#include <vector>

namespace dcsim::cli {

struct RunArgs {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string json_path;
  std::string trace_path;
  bool quiet = false;
  bool every_iteration = false; ///< no steady-state fast-forward
  bool every_flow = false;      ///< no solo phases
};

struct TopologyArgs {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string json_path, dot_path, graphml_path;
};

struct CollectiveArgs {
  std::string cluster;
  std::vector<std::string> overrides;
  CollectiveRequestText request;
  std::string json_path;
};

struct CalibrateArgs {
  std::string backend, out, gpu, scale_up_bandwidth, measurements, flash_attention, command_line;
  bool quick = false;
  double sustained_clock_fraction = 1.0;
  std::vector<std::string> nccl_tests_logs;
};

struct PlanArgs {
  std::string scenario;
  std::vector<std::string> overrides;
  int job = 0;
  int top = 10;
  int workers = 1;
  bool quiet = false;
  bool every_plan = false;
  std::string json_path;
  PlanSpaceLists space; ///< as given; empty lists: the defaults
};

int run_command(const RunArgs& args);
int plan_command(const PlanArgs& args);
int calibrate_command(const CalibrateArgs& args);
int collective_command(const CollectiveArgs& args);
int topology_command(const TopologyArgs& args);
int validate_command(const std::string& scenario, const std::vector<std::string>& overrides);
int kernels_command(const std::string& scenario, const std::vector<std::string>& overrides, int job_index);

} // namespace dcsim::cli
