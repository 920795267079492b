// Small scenarios for the scheduler's tests: a trace written to a temporary file and one 8-GPU
// node to replay it on.
#pragma once

#include "support/test_support.hpp"

#include <fstream>
#include <string>

namespace dcsim::test {

inline std::string write_trace(const std::string& name, const std::string& rows)
{
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path) << rows;
  return path;
}

/// One node of 8 H100s with `scheduler` (a flow mapping) as its scheduler section.
inline std::string one_node(const std::string& scheduler)
{
  return "name: quota-test\n"
         "cluster:\n"
         "  nodes: 1\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
         "scheduler: " + scheduler + "\n";
}

/// Two nodes of 8 H100s with `scheduler` as the scheduler section, and one small 8-GPU training
/// job of group a submitted at 10 s (it runs for about a second).
inline std::string two_nodes_and_training_job(const std::string& scheduler)
{
  return "name: quota-training\n"
         "cluster:\n"
         "  nodes: 2\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
         "scheduler: " + scheduler + "\n"
         "jobs:\n"
         "  - name: train\n"
         "    gpus: 8\n"
         "    start_time: 10s\n"
         "    group: a\n"
         "    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}\n"
         "    parallelism: {tensor: 8}\n"
         "    batch: {global: 32, micro: 4}\n"
         "    iterations: 10\n";
}

/// The scheduler JSON's entry for group `name`, or null.
inline const nlohmann::json* group(const nlohmann::json& scheduler, const std::string& name)
{
  for (const auto& g : scheduler["groups"])
    if (g["name"] == name)
      return &g;
  return nullptr;
}

/// Team a: 4 GPUs at 0 s for 100 s, 2 GPUs at 1 s for 50 s; team b: 4 GPUs at 2 s and at 3 s,
/// 10 s each.
inline const char* const kTwoTeams = "submit_time_s,duration_s,gpus,group\n"
                                     "0,100,4,a\n"
                                     "1,50,2,a\n"
                                     "2,10,4,b\n"
                                     "3,10,4,b\n";

/// A jobs section of one small data-parallel training job `w` on 4 one-GPU nodes, submitted at
/// 1 s (about 87 ms an iteration on H100s alone).
inline std::string small_training_job(int iterations)
{
  return "jobs:\n"
         "  - name: w\n"
         "    gpus: 4\n"
         "    start_time: 1s\n"
         "    model: {hidden: 2048, layers: 8, heads: 16, seq_len: 1024, vocab: 32000}\n"
         "    parallelism: {data: 4}\n"
         "    batch: {global: 16, micro: 4}\n"
         "    iterations: " + std::to_string(iterations) + "\n";
}

} // namespace dcsim::test
