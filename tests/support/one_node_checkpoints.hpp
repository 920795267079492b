// The scenario of the checkpoint tests (tests/sim/engine/job_reliability_test.cpp,
// async_checkpoint_test.cpp): one 8-GPU node writing to one storage server whose 1 GB/s link is
// the narrowest on the way (the NIC carries 25 GB/s), so a checkpoint of S bytes takes
// S / 1 GB/s; the job's own traffic stays on NVLink.
#pragma once

namespace dcsim::test {

inline constexpr const char* kOneNodeCheckpoints = R"(
name: reliability-test
cluster:
  nodes: 1
  node:
    gpu: A100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 300GB/s}
    nics: {count: 1, bandwidth: 200Gb/s}
  storage: {servers: 1, bandwidth_per_server: 1GB/s}
jobs:
  - name: small
    gpus: 8
    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}
    parallelism: {tensor: 1, data: 8}
    batch: {global: 64, micro: 8}
    iterations: 10000
    checkpoint: {interval: 60s, size: 10GB}
)";

} // namespace dcsim::test
