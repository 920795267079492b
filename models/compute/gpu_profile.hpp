// Achieved-performance parameters of one GPU model: how far from the datasheet real kernels and
// real NCCL collectives get. One profile per GPU under calibration/profiles/, written either from
// published measurements (the shipped ones) or by `dcsim calibrate` on a real node.
//
// The file format is documented in calibration/README.md; sim/config/profile_loader.cpp reads it.
#pragma once

#include "compute/flash_attention_curve.hpp"
#include "compute/gemm_surface.hpp"
#include "hardware/gpu_spec.hpp"

#include <map>
#include <string>
#include <vector>

namespace dcsim {

/// One CTA tile shape cuBLAS may pick, with its main-loop efficiency relative to the best tile.
struct GemmTile {
  int m = 128;
  int n = 128;
  double relative_efficiency = 1.0;
};

/// Parameters of the GEMM efficiency surface (see models/compute/gemm_model.hpp for the formula).
struct GemmModelParams {
  std::map<Precision, double> peak_efficiency; ///< best-shape fraction of the datasheet peak
  double k_half = 256;                         ///< K (elements) at which the main loop reaches half efficiency
  std::vector<GemmTile> tiles;                 ///< candidate tiles, best first
  int alignment_elements = 8;                  ///< dims not a multiple of this run the slow path
  double misaligned_factor = 0.7;              ///< throughput factor of the slow path
  /// Measured surfaces (calibrated profiles); where one exists for a precision it replaces the
  /// tile model for that precision. Efficiency relative to the datasheet peak.
  std::map<Precision, GemmSurface> surfaces;
};

/// NCCL's three protocols trade latency for bandwidth: LL (8-byte stores with flags: lowest
/// latency, a fraction of the bandwidth), LL128 (128-byte lines), Simple (full bandwidth, the
/// highest per-step latency). The tuner picks the fastest for each size.
enum class Protocol { LL, LL128, Simple };
constexpr int kProtocols = 3;

struct ProtocolParams {
  double base_latency_s = 5e-6; ///< once per collective (launch, synchronisation)
  double step_latency_s = 2e-6; ///< per algorithm step, on top of the route's latency
  double network_step_latency_s = 0; ///< added to a step whose edge crosses the network (proxy, NIC)
  double efficiency = 1.0;      ///< payload rate relative to Simple
  /// What each channel an operation runs on adds to its time; with CommunicationParams::channels,
  /// NCCL runs a small operation on fewer channels (collectives/nccl_channels.hpp).
  double channel_latency_s = 0;
};

/// What NCCL's own tuner believes of NVLS and the ring inside one NVLink domain: NCCL picks by its
/// model, not by what is fastest on the hardware (sim/collectives/nccl_nvls_choice.hpp). The
/// constants are NCCL's (src/graph/topo.h, search.cc, tuning.cc); empty: dcsim's prediction decides.
struct NcclNvlsModel {
  double nvlink_bytes_per_s = 0;            ///< NCCL's figure for a GPU's NVLinks to the switch
  double efficiency = 0;                    ///< NCCL's nvlsEfficiency for the architecture
  std::vector<double> speeds_bytes_per_s;   ///< the intra-node channel speeds its search tries
  double ll_max_bytes_per_s = 0;            ///< llMaxBws: LL's bus bandwidth cap on one node
  double ll128_channel_bytes_per_s = 0;     ///< perChMaxRingLL128Bws: LL128's per ring channel
  bool given() const
  {
    return nvlink_bytes_per_s > 0 && efficiency > 0 && !speeds_bytes_per_s.empty() && ll_max_bytes_per_s > 0 &&
           ll128_channel_bytes_per_s > 0;
  }
};

struct CommunicationParams {
  double scale_up_efficiency = 0.82;  ///< NCCL Simple payload rate / link rate inside the NVLink domain
  double scale_out_efficiency = 0.95; ///< the same across the network
  double nvls_efficiency = 0;         ///< in-switch reduction (NVLS) algbw / link rate; 0: not available
  double nvls_base_latency_s = 23e-6; ///< NVLS's latency per call (replaces the protocol's base latency)
  /// Payload rate of NCCL's (double binary) tree relative to the ring's on the same links: its
  /// pipeline of reduce-then-broadcast through chains and tree heads does not keep links as busy.
  double tree_efficiency = 1.0;
  /// The communicator's channels (an HGX A100's NCCL runs 24). 0: every operation runs at the
  /// protocol's full rate, whatever its size.
  int channels = 0;
  NcclNvlsModel nccl_nvls_choice;
  ProtocolParams protocols[kProtocols] = {{5e-6, 1.5e-6, 2e-6, 0.25}, {8e-6, 2.5e-6, 2e-6, 0.8}, {10e-6, 5e-6, 6e-6, 1.0}};

  const ProtocolParams& protocol(Protocol p) const { return protocols[static_cast<int>(p)]; }
};

struct GpuProfile {
  std::string name;   ///< profile name, e.g. "h100-sxm"
  std::string gpu;    ///< GPU this profile was made for (informative)
  std::string source; ///< provenance: papers / measurements / command that produced it
  std::string path;   ///< file it was read from ("<builtin>" for shipped profiles)

  GemmModelParams gemm;
  /// Fraction of the datasheet clock the tensor cores hold under sustained training load on all
  /// GPUs of a node (power and thermal limits); scales GEMM and attention throughput, not HBM.
  double sustained_clock_fraction = 1.0;
  double memory_bound_efficiency = 0.8;     ///< achieved / datasheet HBM bandwidth for streaming kernels
  double kernel_overhead_s = 3e-6;          ///< GPU-side gap per dependent kernel
  /// Host (CPU) time to issue one kernel or collective from the training framework (Python,
  /// dispatcher, launch). A pass takes at least its kernels' total issue time: small models
  /// are CPU-bound.
  double launch_overhead_s = 0;
  double flash_attention_forward_efficiency = 0.5;  ///< of the dense peak
  double flash_attention_backward_efficiency = 0.4;
  /// Measured efficiencies by sequence length (calibrated profiles); when present they replace
  /// the two constants above.
  FlashAttentionCurve flash_attention_curve;
  CommunicationParams communication;
};

} // namespace dcsim
