// A collective to simulate as the user typed it (`dcsim collective` flags, or the keywords of
// Python's dcsim.collective), checked once into typed values and run. Both front ends share this,
// so they accept and refuse the same things with the same messages; only the names under which
// the arguments are reported differ ("--op" on the command line, "op" in Python).
#pragma once

#include "config/scenario_config.hpp"
#include "config/scenario_error.hpp"
#include "engine/collective_sweep.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dcsim {

/// The request as text; "" = not given.
struct CollectiveRequestText {
  std::string op;
  int gpus = 0;
  int gpus_per_node = 0;                   ///< ranks placed on each node in turn; 0 = all its GPUs
  std::string bytes, min_bytes, max_bytes; ///< one size, or a sweep (default 8 B to 8 GiB)
  std::string algorithm, protocol;         ///< "" = the tuner chooses
  std::string datatype;                    ///< nccl-tests' -d: "" = float
  std::string step_factor, step_bytes;     ///< nccl-tests' -f / -i: "" = doubling
};

/// How each argument is named in error messages.
struct CollectiveArgumentNames {
  std::string op, gpus, bytes, min_bytes, max_bytes, algorithm, protocol, datatype, step_factor, step_bytes,
      gpus_per_node;
};

struct CollectiveRequest {
  CollectiveKind kind = CollectiveKind::AllReduce;
  int gpus = 0;
  int gpus_per_node = 0; ///< 0 = every GPU of a node (nccl-tests with one process per node's GPUs)
  std::string datatype = "float";
  int element_bytes = 4;
  /// The sizes as nccl-tests runs them: whole elements, and for all-gather, reduce-scatter and
  /// all-to-all a whole number of them per rank (sizes that round to nothing are left out).
  std::vector<double> sizes_bytes;
  CollectiveOverride choice;

  /// nccl-tests' count column: elements per rank for all-gather, reduce-scatter and all-to-all,
  /// of the whole buffer otherwise.
  double count(double bytes) const;
};

/// Checks everything that does not need the cluster; problems go to `diagnostics`.
CollectiveRequest check_collective_request(const CollectiveRequestText& text, const CollectiveArgumentNames& names,
                                           Diagnostics& diagnostics);
/// Checks the GPU count (and GPUs per node) against the cluster's.
void check_collective_gpus(const CollectiveRequest& request, const ClusterConfig& cluster,
                           const CollectiveArgumentNames& names, Diagnostics& diagnostics);
/// Simulates the request (one process: see isolation.hpp). A forced algorithm or protocol that
/// cannot run the call is the caller's mistake: ScenarioError naming that argument.
std::vector<CollectiveMeasurement> run_collective_request(const ClusterConfig& cluster, const CollectiveRequest& request,
                                                          const CollectiveRequestText& text,
                                                          const CollectiveArgumentNames& names);
/// The contract's JSON result of `dcsim collective --json`.
nlohmann::json collective_result_json(const CollectiveRequestText& text, const CollectiveRequest& request,
                                      const std::vector<CollectiveMeasurement>& measurements);

} // namespace dcsim
