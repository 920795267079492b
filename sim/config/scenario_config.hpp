// The validated, typed form of a scenario file. Produced once by load_scenario(); everything
// downstream (platform, workload, engine, reports) reads these structs and never the YAML.
// Quantities are SI base units, named with their unit.
#pragma once

#include "collectives/nccl_settings.hpp"
#include "compute/gpu_profile.hpp"
#include "config/fabric_config.hpp"
#include "config/failure_config.hpp"
#include "config/scenario_error.hpp"
#include "hardware/gpu_spec.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace dcsim {

/// How far a run may go in simulated time: 10 years. The clock is a double; at 10 years (3.2e8 s)
/// it still resolves 60 ns, a tenth of a cable's latency, and beyond it fabric latencies start to
/// round away. Start times past it are refused when read; a run that goes past it is an error.
constexpr double kMaxSimulatedTimeS = 10 * 365.25 * 86400;
/// Why, for the errors that refuse what lies past it.
constexpr const char* kSimulatedTimeLimitWhy = "the simulated clock resolves fabric latencies up to 10 years";

struct LinkConfig {
  double bandwidth_bytes_per_s = 0; ///< per direction
  double latency_s = 0;
};

struct NicConfig {
  int count = 1;                    ///< NICs per node; GPUs are spread evenly over them
  double bandwidth_bytes_per_s = 0; ///< per NIC, per direction
  double latency_s = 0;
};

struct NodeConfig {
  GpuSpec gpu;
  int gpus = 8;
  LinkConfig scale_up; ///< per GPU, per direction, through the node switch (NVSwitch)
  int scale_up_domain_gpus = 0; ///< GPUs sharing one NVLink switch domain; 0 = one node (NVL72: 72)
  NicConfig nics;
};

/// A storage network of its own (`cluster.storage.network`): each node reaches the storage
/// servers through `nics` storage NICs into one non-blocking storage switch, off the compute
/// fabric (DGX SuperPODs cable storage this way). Without it storage hangs off the compute
/// fabric's top tier and checkpoints share the GPUs' NICs with training.
struct StorageNetworkConfig {
  int nics = 0; ///< per node; 0: no storage network of its own
  double nic_bandwidth_bytes_per_s = 0;
  double latency_s = 0;
};

struct StorageConfig {
  int servers = 0;
  double bandwidth_per_server_bytes_per_s = 0;
  StorageNetworkConfig network;
};

struct ClusterConfig {
  int nodes = 1;
  NodeConfig node;
  FabricConfig fabric;
  StorageConfig storage;
  GpuProfile profile; ///< resolved: the `calibration:` file or the GPU's shipped profile

  int total_gpus() const { return nodes * node.gpus; }
  /// Nodes a job of `gpus` GPUs spans (the last one may be partly used).
  int nodes_for(int gpus) const { return (gpus + node.gpus - 1) / node.gpus; }
  /// The node GPU `gpu` (a cluster-wide index) sits on.
  int node_of(int gpu) const { return gpu / node.gpus; }
};

enum class FfnKind { Gelu, SwiGlu };
enum class PositionEmbedding { Learned, Rotary };

/// Multi-head latent attention (DeepSeek-V2/V3; models/transformer/attention_shape.hpp).
struct LatentAttention {
  int q_lora_rank = 0;   ///< query latent; 0: queries projected from the hidden state directly
  int kv_lora_rank = 0;  ///< key/value latent; > 0 turns MLA on
  int rope_head_dim = 0; ///< decoupled rotary part of each query and of the one shared key
  int v_head_dim = 0;    ///< value head size (keys without rope use head_dim)

  bool enabled() const { return kv_lora_rank > 0; }
};

struct ModelConfig {
  std::string name;
  int hidden = 0;
  int layers = 0;
  int heads = 0;
  int kv_heads = 0;     ///< grouped-query attention groups; = heads for multi-head attention
  int seq_len = 0;
  int vocab = 0;
  int ffn_hidden = 0;   ///< MLP inner size (per expert for MoE)
  FfnKind ffn = FfnKind::Gelu;
  PositionEmbedding position_embedding = PositionEmbedding::Learned;
  bool tied_embeddings = false;
  int experts = 1;      ///< mixture of experts: expert MLPs per layer (every layer), 1: dense
  int top_k = 1;        ///< experts each token is routed to
  int shared_expert_ffn_hidden = 0; ///< MoE: MLP size of the shared expert(s) every token also passes (0: none)
  /// MoE: tokens routed to the busiest expert-parallel rank over the mean (1: balanced). The
  /// step waits for that rank's expert GEMMs and for its share of the all-to-alls.
  double routing_imbalance = 1.0;

  /// The imbalance that gates a step: experts split over `expert` ranks; on one rank the
  /// grouped GEMMs see all its tokens however they are routed.
  double critical_routing(int expert) const { return moe() && expert > 1 ? routing_imbalance : 1.0; }

  int routing_nodes = 0;      ///< MoE: a token's experts lie on at most this many nodes (DeepSeek-V3: 4); 0: any
  int first_dense_layers = 0; ///< MoE: the first layers have a dense MLP (DeepSeek-V3: 3)
  /// MoE: every this many layers one has experts, the others a dense MLP (Megatron-Core's
  /// --moe-layer-freq: layer i, 0-based, is MoE when i % frequency == 0; Llama 4 Maverick: 2).
  int moe_layer_frequency = 1;
  /// Multi-token prediction modules (DeepSeek-V3: 1), on the last pipeline stage: each joins the
  /// last hidden state with the next token's embedding (two norms, a 2h -> h projection), runs one
  /// more layer like the model's last and the shared output layer and loss again.
  int mtp_depth = 0;
  int dense_ffn_hidden = 0;   ///< their MLP size (the model's ffn_hidden; experts use expert_ffn_hidden)

  bool moe() const { return experts > 1; }
  /// Whether layer `i` (0-based) has experts: past the first dense layers, one in every
  /// moe_layer_frequency (none for a dense model).
  bool is_moe_layer(int i) const { return moe() && i >= first_dense_layers && i % moe_layer_frequency == 0; }
  /// Layers with experts.
  int moe_layers() const { return moe_layers_in(0, layers); }
  /// How many of the `count` layers from `first` (0-based) are mixture-of-experts layers.
  int moe_layers_in(int first, int count) const
  {
    if (!moe())
      return 0;
    // Multiples of the frequency in [max(first, first_dense_layers), first + count).
    const int from = std::max(first, first_dense_layers), to = first + count;
    if (to <= from)
      return 0;
    const int f = moe_layer_frequency;
    return (to - 1) / f - (from + f - 1) / f + 1;
  }
  /// Whether some layers have a dense MLP (first dense layers, or alternation).
  bool has_dense_layers() const { return moe() && moe_layers() < layers; }
  /// The model a dense layer of this one is a layer of: same attention, dense MLP.
  ModelConfig dense_variant() const
  {
    ModelConfig d = *this;
    d.experts = 1, d.top_k = 1, d.shared_expert_ffn_hidden = 0, d.first_dense_layers = 0, d.moe_layer_frequency = 1;
    d.ffn_hidden = dense_ffn_hidden > 0 ? dense_ffn_hidden : ffn_hidden;
    return d;
  }
  int explicit_head_dim = 0; ///< head size when not hidden / heads (0: hidden / heads)
  LatentAttention latent_attention;

  int head_dim() const { return explicit_head_dim > 0 ? explicit_head_dim : hidden / heads; }
  int kv_hidden() const { return kv_heads * head_dim(); }
};

enum class PipelineSchedule { GPipe, OneFOneB, Interleaved, ZeroBubbleH1, DualPipeV };
/// The scenario's name for a schedule ("1f1b", "zb-h1", ...).
std::string schedule_name(PipelineSchedule schedule);

/// How context-parallel ranks, each holding 1/c of every sequence, exchange keys and values for
/// attention. Every variant computes the same attention FLOPs per rank (1/c of the causal work,
/// the sequence split into 2c chunks so that every rank's share of the triangle is equal).
enum class ContextExchange {
  Ring,      ///< ring attention (Megatron-Core's cp_comm_type p2p): c-1 KV hand-offs, overlapped with attention
  AllGather, ///< all-gather K and V before attention, reduce-scatter their gradients (Llama 3)
  AllToAll,  ///< DeepSpeed-Ulysses: all-to-all from sequence- to head-sharded Q, K, V and back
};

/// How expert-parallel ranks exchange tokens (models/parallelism/expert_dispatch.hpp).
enum class ExpertDispatch {
  AllToAll,    ///< every routed copy straight to its expert's rank (Megatron-Core's all-to-all dispatcher)
  Hierarchical ///< across nodes once per token and node, then NVLink (DeepSeek-V3's kernels, DeepEP)
};

struct ParallelismConfig {
  int tensor = 1;
  int pipeline = 1;
  int data = 1;
  int context = 1;
  int expert = 1;                  ///< expert parallelism: experts split over this many data-parallel ranks
  int virtual_stages = 1;          ///< model chunks per pipeline rank (interleaved 1F1B when > 1)
  bool sequence_parallel = false;
  int zero = 0;                    ///< 0: replicated; 1: optimizer states sharded (distributed optimizer); 2: + gradients; 3: + weights
  PipelineSchedule schedule = PipelineSchedule::OneFOneB;
  bool scatter_gather = true;      ///< pipeline sends split over the TP ranks (Megatron scatter/gather)
  bool overlap_grad_reduce = true; ///< data-parallel reduction overlapped with the last backward
  bool overlap_param_gather = true;///< ZeRO parameter all-gather overlapped with the next forward
  bool tp_comm_overlap = false;    ///< tensor-parallel collectives overlapped with GEMMs
  double bucket_bytes = 0;         ///< data-parallel gradient bucket; 0 = Megatron's default
  ContextExchange context_exchange = ContextExchange::Ring;
  ExpertDispatch expert_dispatch = ExpertDispatch::AllToAll;
  bool fp8_dispatch = false;       ///< tokens to the experts (and gradients back to them) sent in FP8
  /// Transformer layers of the model's first and last chunks (Megatron-Core's
  /// --decoder-first/last-pipeline-num-layers), to balance the embedding, the output layer and
  /// multi-token prediction; -1: the even split.
  int first_stage_layers = -1;
  int last_stage_layers = -1;
  /// SMs the communication kernels take while they overlap computation (the data-parallel
  /// stream's collectives, DualPipe's exchanges): the kernels beside them run on the rest
  /// (engine/sm_share.hpp). DeepSeek-V3: 20 of 132; NCCL: one block per channel, 16 on an H800 node.
  int overlap_comm_sms = 20;

  long long total() const { return static_cast<long long>(tensor) * pipeline * data * context; }
  /// Ranks holding the same parameters: gradients are reduced, and ZeRO shards, over data x
  /// context (context-parallel ranks see different tokens of the same sequences).
  int data_shards() const { return data * context; }
  /// Ranks holding the same experts: data x context / expert.
  int expert_data_shards() const { return data * context / expert; }
};

enum class Recompute { None, Selective, Full };
/// The scenario's name for a recompute choice ("none", "selective", "full").
std::string recompute_name(Recompute recompute);
enum class AttentionKernel { Flash, Unfused };

struct BatchConfig {
  int global = 1; ///< sequences per iteration
  int micro = 1;  ///< sequences per micro-batch
};

enum class MemoryCheck { Error, Warn };

/// Periodic checkpoints of one job to the cluster's storage servers (contract: jobs[].checkpoint).
/// Synchronous: training stops while the job's nodes write their shares. Asynchronous: training
/// stops only while each GPU copies its share to host memory, the write then shares the fabric
/// with training and the checkpoint counts once it has landed.
struct CheckpointConfig {
  bool enabled = false;
  double interval_s = 0; ///< training time between checkpoints; 0 = Daly's optimum for the job's failure rate
  double bytes = 0;      ///< whole checkpoint; 0 = 14 bytes per parameter (reliability/checkpoint_size.hpp)
  bool async = false;
  /// Device-to-host copy rate of one GPU's share during an asynchronous snapshot; 0: the GPU's
  /// host link.
  double snapshot_bytes_per_s = 0;
};

/// What selective recompute re-runs in the backward instead of keeping it from the forward
/// (Megatron-Core's `recompute_modules`; its default is the attention core alone).
struct RecomputeModules {
  bool core_attention = true;        ///< core_attn: the attention core (unfused: its s x s scores)
  bool norms = false;                ///< layernorm: the norms' outputs, the attention and MLP GEMMs' inputs
  bool latent_up_projections = false; ///< mla_up_proj: MLA's query and key/value up-projections
  bool expert_activation = false;    ///< moe_act: the routed experts' SwiGLU/GELU outputs
};

/// `switches: {count, wait}`, Slurm's --switches=count@max-time: a job spanning nodes starts
/// only on nodes under at most `count` leaf blocks, or once `wait_s` has passed since it could
/// first have started on more (scheduler.switches for every job, jobs[].switches for one).
struct SwitchesConfig {
  int count = 0; ///< 0: any nodes
  double wait_s = 0;
  bool set() const { return count > 0; }
};

struct JobConfig {
  std::string name;
  int gpus = 0;
  ModelConfig model;
  ParallelismConfig parallelism;
  BatchConfig batch;
  Precision precision = Precision::Bf16;
  Recompute recompute = Recompute::None;
  RecomputeModules recompute_modules; ///< with recompute: selective
  AttentionKernel attention = AttentionKernel::Flash;
  int iterations = 1;
  double start_time_s = 0;
  /// With a scheduler: submitted `after_delay_s` after the training job named `after` ends
  /// (pretraining, then a long-context phase, then fine-tuning), not at start_time. "" = none.
  std::string after;
  double after_delay_s = 0;
  /// With a scheduler: the job may start on fewer GPUs, down to `min_gpus`, when all of them are
  /// not free (a moldable job, as Slurm's --nodes=MIN-MAX): fewer data-parallel replicas, the
  /// global batch kept. `sizes_gpus`, filled when the scenario is read: every size it can run
  /// at, largest (gpus) first; what the scheduler tries in order.
  int min_gpus = 0;
  std::vector<int> sizes_gpus;
  /// With min_gpus: a job running on fewer GPUs than it asked for stops at an iteration boundary
  /// and restarts larger when the GPUs are free and no job waits (a malleable job).
  bool grow = false;
  SwitchesConfig switches;           ///< with a scheduler: its own (else the scheduler's)
  NcclSettings nccl;                 ///< NCCL_ALGO / NCCL_PROTO (jobs[].nccl); default: unrestricted
  /// With a scheduler: Slurm's --time, counted from each allocation. A run still going then is
  /// killed (the work since its last checkpoint lost) and requeued, to resume from that
  /// checkpoint. 0 = none.
  double time_limit_s = 0;
  /// Megatron's --exit-duration-in-mins (with time_limit): at the first iteration boundary this
  /// long into an allocation the job saves a checkpoint and exits, to be requeued. 0 = none.
  double exit_duration_s = 0;
  std::string group;                 ///< quota group with a scheduler (scheduler.quotas); "" = none
  int gradient_bytes = 4;            ///< bytes per gradient element reduced across data parallel
  MemoryCheck memory_check = MemoryCheck::Error;
  CheckpointConfig checkpoint;

  int micro_batches_per_replica() const
  {
    return static_cast<int>(batch.global / (static_cast<long long>(batch.micro) * parallelism.data));
  }
  /// GPUs of one data-parallel replica (tensor x pipeline x context).
  int gpus_per_replica() const { return static_cast<int>(parallelism.total() / parallelism.data); }
  /// The same job on `data` replicas (a moldable job's smaller size): its GPUs follow, the
  /// global batch stays.
  JobConfig on_replicas(int data) const
  {
    JobConfig out = *this;
    out.gpus = gpus_per_replica() * data;
    out.parallelism.data = data;
    return out;
  }
};

/// A job's extent before it is placed: its GPUs, its nodes, and one switch (the fewest it can
/// span), so that checks made from it never overstate its failure rate.
inline FailureExtent unplaced_extent(const ClusterConfig& cluster, int gpus)
{
  return {gpus, cluster.nodes_for(gpus), 1};
}

/// Electrical power of the cluster's parts (contract: `power`). Zeros are resolved from the GPU's
/// TDP by models/energy/power_model.hpp, which says where each default comes from.
struct PowerConfig {
  double gpu_busy_watts = 0;          ///< running kernels (compute, optimizer); 0 = TDP
  double gpu_memory_bound_watts = 0;  ///< running kernels HBM bandwidth sets (norms, activations, optimizer); 0 = derived
  double gpu_communicating_watts = 0; ///< only communication kernels (exposed comm, pipeline waits); 0 = derived
  double gpu_idle_watts = 0;          ///< nothing to run (bubbles, checkpoints, restarts, no job); 0 = derived
  double node_other_watts = 0;        ///< a node's CPUs, memory, NICs, NVSwitches, fans, PSU losses; 0 = derived
  double switch_watts = -1;           ///< each network switch of the fabric; < 0 = default (0 = not counted)
  double storage_server_watts = -1;   ///< each storage server; < 0 = default
  double pue = 1.0;                   ///< facility energy / IT energy (cooling, power delivery)
};

/// Money (contract: `cost`), in US dollars. A GPU-hour price is either given (a cloud price,
/// which already includes power: leave electricity at 0) or amortized from the purchase price.
struct CostConfig {
  double usd_per_gpu_hour = 0;    ///< allocation price; from gpu_capex / amortization when those are given
  double usd_per_kwh = 0;         ///< electricity, charged on facility energy (IT x PUE)
  double gpu_capex_usd = 0;       ///< purchase price per GPU, its share of node, network and install
  double switch_capex_usd = 0;    ///< purchase price per network switch (then not in gpu_capex_usd)
  double cable_capex_usd = 0;     ///< per network cable, its two transceivers included
  double amortization_s = 0;      ///< depreciation period of the purchase prices

  bool network_priced() const { return switch_capex_usd > 0 || cable_capex_usd > 0; }
  bool enabled() const { return usd_per_gpu_hour > 0 || usd_per_kwh > 0 || gpu_capex_usd > 0 || network_priced(); }
};

/// How queued jobs get GPUs (sim/scheduler/policies.cpp lists them, one file each).
enum class SchedulingPolicyKind {
  Fifo,
  FirstFit,
  SmallestFirst,
  EasyBackfill,
  LeastAttainedService,
  FairShare,
  Multifactor,
  ConservativeBackfill,
};

/// How a priority order lets later jobs start past one that does not fit.
enum class BackfillKind {
  None,         ///< strictly in order: nothing starts past it (Slurm's sched/builtin)
  Easy,         ///< a reservation for the first job that does not fit only (EASY)
  Conservative, ///< a reservation for every job, in order (Slurm's sched/backfill plans this way)
};

/// Conservative backfilling's planning limits (Slurm's SchedulerParameters of sched/backfill).
struct BackfillPlanConfig {
  /// Jobs planned per decision, in order; later ones wait for the next (bf_max_job_test, 500).
  int depth = 500;
  /// How far ahead reservations are made; a job that cannot start within it gets none, so later
  /// jobs may take what it would need (bf_window, one day in Slurm; unbounded here by default).
  double window_s = std::numeric_limits<double>::infinity();
};

/// Slurm's priority/multifactor plugin (slurm.schedmd.com/priority_multifactor.html): a job's
/// priority is the weighted sum of factors in [0, 1]. Weights default to the plugin
/// documentation's configuration example (age 1000, fair-share 10000, job size 1000).
/// An account of Slurm's association tree above some groups and accounts (multifactor.accounts):
/// Fair Tree ranks the nodes directly under the root first (accounts, and groups in none), then
/// the children of each account within it, and so on down.
struct FairTreeAccount {
  std::string name;
  std::vector<int> groups; ///< indices into SchedulerConfig::groups
  int parent = -1;         ///< index of the account it sits under; -1: the root
};

struct MultifactorConfig {
  double weight_age = 1000;
  double weight_fair_share = 10000;
  double weight_job_size = 1000;
  double max_age_s = 7 * 86400.0; ///< the wait at which the age factor reaches 1 (Slurm's default PriorityMaxAge, 7 days)
  bool favor_small = false;       ///< PriorityFavorSmall: smaller jobs get the larger job size factor
  /// The fair-share factor by Slurm's Fair Tree (its default since 19.05) instead of the classic
  /// 2^(-U/S) (PriorityFlags=NO_FAIR_TREE; fair_share's).
  bool fair_tree = false;
  std::vector<FairTreeAccount> accounts; ///< with fair_tree; groups in none are under the root
  /// Past a job that does not fit: EASY (the default), conservative (Slurm's sched/backfill,
  /// planning every job), or none (sched/builtin, strict order).
  BackfillKind backfill = BackfillKind::Easy;
};

/// Which free nodes a started job gets (sim/scheduler/placements.cpp lists them, one file each).
enum class PlacementKind { Consecutive, TopologyAware, Scattered };

/// A job replayed from a cluster trace: it holds `gpus` GPUs for `duration_s`. Its traffic is not
/// in the trace; scheduler.trace_traffic can say what its multi-node jobs send (TraceTrafficConfig).
struct TraceJob {
  double submit_s = 0;   ///< from the trace's first submission
  double duration_s = 0;
  int gpus = 0;
  int line = 0;          ///< in the trace file, for errors
  int group = -1;        ///< index into SchedulerConfig::groups; -1 when the trace names none
  /// What the user asked for (the trace's estimate_s column, as SWF's requested time): what
  /// EASY backfilling plans with. < 0: none given, the duration is used (exact estimates).
  double estimate_s = -1;
  /// SWF's feedback fields: the job's number (field 1), the number of the job it followed
  /// (field 17; -1: none) and the think time after that job's end (field 18; -1: unknown).
  long long number = -1;
  long long preceding = -1;
  double think_s = -1;
  /// What this job all-reduces, and how often, when its trace says (columns gradient_bytes and
  /// iteration_s): its load on the fabric instead of scheduler.trace_traffic's. < 0: not given.
  double gradient_bytes = -1;
  double iteration_s = -1;
};

/// How a trace file is laid out (`scheduler.trace_format`; sim/config/job_trace_reader.hpp).
enum class TraceFormat { Auto, Csv, Swf };
/// Which field of a Standard Workload Format line names a job's group (`scheduler.trace_group`).
enum class SwfGroupField { None, User, Group, Queue, Partition };

/// How to read the scheduler's trace: its layout and, for SWF, the group field and how many of
/// the log's processors make one GPU (an HPC log replayed on a GPU cluster).
struct TraceOptions {
  TraceFormat format = TraceFormat::Auto;
  SwfGroupField swf_group = SwfGroupField::None;
  int processors_per_gpu = 1;
  /// SWF's feedback (`trace_feedback`): a job that names a preceding job is submitted its think
  /// time after that job ends, not at its logged time (sim/scheduler/cluster_scheduler.hpp).
  bool feedback = false;
};

/// What a trace's multi-node jobs put on the fabric (`scheduler.trace_traffic`): each all-reduces
/// `gradient_bytes` over its GPUs every `iteration_s`, as a steady load for as long as it holds
/// its GPUs (sim/engine/trace_traffic.hpp). Off by default: a trace does not say what its jobs
/// sent.
struct TraceTrafficConfig {
  double gradient_bytes = 0;
  double iteration_s = 0;
  /// `stretch: true`: a loaded job runs as long as its load takes (engine/trace_traffic.hpp).
  bool stretch = false;
  bool enabled() const { return gradient_bytes > 0; }
};

/// GPU quotas per group of jobs (contract: `scheduler.quotas`). A group is a team's share of a
/// shared cluster: Philly's virtual clusters (the trace's `cluster` column), a trace's `group`
/// column, a training job's `group`. A job whose group would go over its quota waits, without
/// holding up other groups.
struct QuotaConfig {
  bool by_demand = false;          ///< `quotas: demand`: each group's share of the trace's GPU-hours
  std::map<std::string, int> gpus; ///< `quotas: {group: GPUs}`; groups not named have no quota
  /// `quota_borrowing: true`: GPUs no job within its quota can use go to jobs over theirs (kept
  /// until those jobs end, unless `preemption` takes them back).
  bool borrowing = false;

  bool enabled() const { return by_demand || !gpus.empty(); }
};

/// Taking lent GPUs back (contract extension: `scheduler.preemption`). A job within its group's
/// quota that finds no room preempts trace jobs running on borrowed GPUs, the most recently
/// started first, as few as make room (the reclaim of Kueue's cohorts or YARN's capacity
/// scheduler). A preempted job queues again with the work it saved and runs the rest later,
/// after a restart. A training job stops at its next iteration boundary, keeping every
/// iteration, and resumes later (after `restart`) on the GPUs it gets then. Policy
/// las preempts by design (jobs of a lower level); these settings give its costs too.
struct PreemptionConfig {
  bool enabled = false;
  double restart_s = 0;             ///< added to each resumed run: container start, checkpoint load
  /// How often a job saves its progress: a preempted run keeps whole intervals of its work and
  /// loses the rest; 0: it saves when preempted and loses nothing (a graceful suspend).
  double checkpoint_interval_s = 0;
};

/// Cluster scheduling (contract: `scheduler`). Without it every job starts at its start_time on
/// GPUs of its own; with it, jobs (the training jobs, submitted at their start_time, and the
/// trace's) queue for GPUs and start when the policy lets them, on the nodes `placement` picks.
struct SchedulerConfig {
  bool enabled = false;
  SchedulingPolicyKind policy = SchedulingPolicyKind::Fifo;
  PlacementKind placement = PlacementKind::Consecutive;
  std::string trace_path;          ///< "" = no trace
  TraceOptions trace_options;
  std::vector<TraceJob> trace_jobs; ///< in submission order
  /// SWF lines that could not be replayed (run time or processor count unknown), not in trace_jobs.
  int trace_skipped_jobs = 0;
  TraceTrafficConfig trace_traffic;
  SwitchesConfig switches; ///< every job's that gives none of its own
  std::vector<std::string> groups;  ///< group names: the trace's by first appearance, then the jobs' 
  QuotaConfig quotas;
  PreemptionConfig preemption;
  /// policy las: GPU-time (GPU-seconds) a job must attain to fall to each next priority level,
  /// increasing. One threshold of one GPU-hour (two levels) is the example of Tiresias'
  /// simulator (SymbioticLab/Tiresias, simulator/README.md: queue_limit = [3600]).
  std::vector<double> las_thresholds_gpu_s = {3600};
  /// policy las: a preempted job waiting this many times as long as it has run since it last
  /// started from the top level goes back to the top (Tiresias' starvation knob, the
  /// solve_starvation of its simulator, tried there at 1, 2, 4, 8); 0: never.
  double las_promote_knob = 0;
  /// policy fair_share: how fast a group's past usage is forgotten. Slurm's default
  /// PriorityDecayHalfLife, 7 days.
  double fair_share_half_life_s = 7 * 86400.0;
  MultifactorConfig multifactor; ///< policy multifactor
  BackfillPlanConfig backfill;   ///< conservative backfilling (policy conservative_backfill, or multifactor's)
  /// Slurm's bf_interval: backfilling runs at most this often; decisions in between take the
  /// queue strictly in the policy's order (Slurm's main scheduler). 0: every decision backfills.
  double backfill_interval_s = 0;
  /// Whether the policy backfills past a job that does not fit.
  bool backfills() const
  {
    return policy == SchedulingPolicyKind::EasyBackfill || policy == SchedulingPolicyKind::ConservativeBackfill ||
           (policy == SchedulingPolicyKind::Multifactor && multifactor.backfill != BackfillKind::None);
  }
  /// Whether the policy plans conservatively (and `backfill` applies).
  bool plans_conservatively() const
  {
    return policy == SchedulingPolicyKind::ConservativeBackfill ||
           (policy == SchedulingPolicyKind::Multifactor && multifactor.backfill == BackfillKind::Conservative);
  }
  /// Whether the scheduler tracks each group's decayed usage (fair_share, or multifactor with a
  /// fair-share weight).
  bool tracks_usage() const
  {
    return policy == SchedulingPolicyKind::FairShare ||
           (policy == SchedulingPolicyKind::Multifactor && multifactor.weight_fair_share > 0);
  }
};

/// Slow nodes (contract: `stragglers`): their GPUs take `slowdown` times as long for every
/// kernel (thermal or power throttling, a degraded HBM stack, a noisy neighbour on the host).
/// Synchronous training waits for them: every job's pipeline rank with a GPU on one runs at its pace.
struct StragglerConfig {
  std::vector<int> nodes; ///< sorted node indices (given, or drawn from the seed)
  double slowdown = 1.0;
};

/// Where `dcsim run` writes its results (contract: `output`); its --json, --trace and --quiet
/// flags take precedence. Paths are relative to the working directory, like the flags'.
struct OutputConfig {
  std::string json_path;  ///< "" = no JSON file
  std::string trace_path; ///< "" = no Chrome trace
  bool quiet = false;     ///< no text summary
  bool job_table = false; ///< with a scheduler: every job's submit, start, end and wait in the JSON
  bool network_timeline = false; ///< each fabric tier's utilization over time in the JSON (network.timeline)
};

struct ScenarioConfig {
  std::string name;
  std::uint64_t seed = 1;
  std::string source_file;
  ClusterConfig cluster;
  FailureConfig failures;
  PowerConfig power;
  CostConfig cost;
  SchedulerConfig scheduler;
  StragglerConfig stragglers;
  OutputConfig output;
  std::vector<JobConfig> jobs;
};

} // namespace dcsim
