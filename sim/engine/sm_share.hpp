// A GPU's streaming multiprocessors shared between its computation and the communication kernels
// running beside it. NCCL runs one thread block per channel for a collective's whole duration
// (16 on an 8-GPU H800 node, NCCL_DEBUG in NVIDIA/nccl issue #892), so while the data-parallel
// stream's collective is in flight the computation advances on the other SMs. Measured on an
// H200 (calibration/measurements/h200-2026-11-30-overlap.json; docs/validation.md): a bf16 GEMM
// beside C blocks of a communication-like kernel took sms / (sms - C) of its time alone (C = 8
// to 66 of 132), within 4.7% / 9.1% (median, two shapes) and 17% at worst.
//
// In SimGrid terms the GPU's host is shared by weight: the computation's Exec weighs sms - C and
// each collective in flight holds an Exec of weight C for as long as it runs, so the computation
// gets (sms - C) / sms of the host while one runs and all of it otherwise.
#pragma once

#include <simgrid/s4u/Exec.hpp>

namespace dcsim {

struct SmShare {
  double compute_weight = 1; ///< the GPU's SMs less those the communication kernels hold
  double comm_weight = 0;    ///< SMs one collective's kernels hold; 0: communication takes none

  /// `comm_sms` of `sm_count` (at least 1 SM stays with the computation).
  static SmShare of(int sm_count, int comm_sms);
};

/// Starts `seconds` of kernels (their time on the whole GPU) on the calling actor's host.
simgrid::s4u::ExecPtr start_kernels(double seconds, const SmShare& share);
/// Runs `seconds` of kernels on the calling actor's host; returns, when they are done, the time
/// they took (more than `seconds` when collectives held SMs meanwhile).
double run_kernels(double seconds, const SmShare& share);

/// The SMs a collective's kernels hold on the calling actor's host, from construction until
/// release() or destruction.
class HeldSms {
public:
  explicit HeldSms(const SmShare& share);
  ~HeldSms();
  HeldSms(const HeldSms&) = delete;
  HeldSms& operator=(const HeldSms&) = delete;
  void release();

private:
  simgrid::s4u::ExecPtr exec_;
};

} // namespace dcsim
