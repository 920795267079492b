#include "config/internal/readers.hpp"
#include "config/text_file.hpp"

#include <filesystem>

#include <optional>

namespace dcsim::internal {

namespace {

const NameTable<Precision> kPrecisions = {
    {"bf16", Precision::Bf16}, {"fp16", Precision::Fp16}, {"fp8", Precision::Fp8}};
const NameTable<Recompute> kRecompute = {
    {"none", Recompute::None}, {"selective", Recompute::Selective}, {"full", Recompute::Full}};
// Megatron-Core's spellings (transformer_config.py, recompute_modules).
const NameTable<bool RecomputeModules::*> kRecomputeModules = {
    {"core_attn", &RecomputeModules::core_attention},
    {"layernorm", &RecomputeModules::norms},
    {"mla_up_proj", &RecomputeModules::latent_up_projections},
    {"moe_act", &RecomputeModules::expert_activation}};

/// `recompute_modules: [core_attn, layernorm, ...]`: exactly the listed modules are recomputed.
RecomputeModules read_recompute_modules(MapReader& job)
{
  const YAML::Node list = job.raw("recompute_modules");
  std::string expected;
  for (const auto& [name, member] : kRecomputeModules)
    expected += (expected.empty() ? "" : ", ") + name;
  if (!list.IsSequence() || list.size() == 0) {
    job.error("recompute_modules", "expected a list of modules from " + expected);
    return {};
  }
  RecomputeModules out;
  out.core_attention = false;
  for (const auto& item : list) {
    const std::string word = item.IsScalar() ? item.Scalar() : "";
    bool known = false;
    for (const auto& [name, member] : kRecomputeModules)
      if (name == word) {
        out.*member = true;
        known = true;
      }
    if (!known)
      job.error("recompute_modules", "'" + word + "' is not a module; expected some of " + expected);
  }
  return out;
}
const NameTable<AttentionKernel> kAttention = {{"flash", AttentionKernel::Flash}, {"unfused", AttentionKernel::Unfused}};
const NameTable<FfnKind> kFfn = {{"gelu", FfnKind::Gelu}, {"swiglu", FfnKind::SwiGlu}};
const NameTable<PositionEmbedding> kPositions = {{"learned", PositionEmbedding::Learned},
                                                 {"rope", PositionEmbedding::Rotary}};
const NameTable<PipelineSchedule> kSchedules = {{"1f1b", PipelineSchedule::OneFOneB},
                                                {"gpipe", PipelineSchedule::GPipe},
                                                {"interleaved", PipelineSchedule::Interleaved},
                                                {"zb-h1", PipelineSchedule::ZeroBubbleH1},
                                                {"dualpipev", PipelineSchedule::DualPipeV}};
const NameTable<ContextExchange> kContextExchanges = {{"ring", ContextExchange::Ring},
                                                      {"all_gather", ContextExchange::AllGather},
                                                      {"all_to_all", ContextExchange::AllToAll}};
const NameTable<ExpertDispatch> kExpertDispatch = {{"all_to_all", ExpertDispatch::AllToAll},
                                                   {"hierarchical", ExpertDispatch::Hierarchical}};
const NameTable<MemoryCheck> kMemoryChecks = {{"error", MemoryCheck::Error}, {"warn", MemoryCheck::Warn}};

void read_model_fields(MapReader& m, ModelConfig& out)
{
  out.name = m.text("name", out.name);
  out.hidden = static_cast<int>(m.integer("hidden", out.hidden > 0 ? std::optional<long long>(out.hidden) : std::nullopt));
  out.layers = static_cast<int>(m.integer("layers", out.layers > 0 ? std::optional<long long>(out.layers) : std::nullopt));
  out.heads = static_cast<int>(m.integer("heads", out.heads > 0 ? std::optional<long long>(out.heads) : std::nullopt));
  out.seq_len = static_cast<int>(m.integer("seq_len", out.seq_len > 0 ? std::optional<long long>(out.seq_len) : std::nullopt));
  out.vocab = static_cast<int>(m.integer("vocab", out.vocab > 0 ? std::optional<long long>(out.vocab) : std::nullopt));
  out.ffn = m.choice("ffn", kFfn, out.ffn);
  out.kv_heads = static_cast<int>(m.integer("kv_heads", out.kv_heads > 0 ? out.kv_heads : out.heads));
  // Read twice for a preset with overrides: the second read keeps what the first set unless
  // overridden, the dense layers' MLP (ffn_hidden) and the experts' (expert_ffn_hidden) apart.
  const int previous_dense = out.dense_ffn_hidden > 0 ? out.dense_ffn_hidden : out.ffn_hidden;
  const bool separate_experts = out.dense_ffn_hidden > 0 && out.ffn_hidden != out.dense_ffn_hidden;
  const long long default_ffn = previous_dense > 0 ? previous_dense : 4LL * out.hidden;
  out.dense_ffn_hidden = static_cast<int>(m.integer("ffn_hidden", default_ffn));
  out.position_embedding = m.choice("position_embedding", kPositions,
                                    out.ffn == FfnKind::SwiGlu ? PositionEmbedding::Rotary : out.position_embedding);
  out.tied_embeddings = m.boolean("tied_embeddings", out.tied_embeddings);
  out.experts = static_cast<int>(m.integer("experts", out.experts));
  out.top_k = static_cast<int>(m.integer("top_k", out.top_k));
  if (m.has("expert_ffn_hidden"))
    out.ffn_hidden = static_cast<int>(m.integer("expert_ffn_hidden"));
  else if (!separate_experts)
    out.ffn_hidden = out.dense_ffn_hidden;
  out.first_dense_layers = static_cast<int>(m.integer("first_dense_layers", out.first_dense_layers, 0));
  out.moe_layer_frequency = static_cast<int>(m.integer("moe_layer_frequency", out.moe_layer_frequency, 1, 1000));
  out.mtp_depth = static_cast<int>(m.integer("mtp_depth", out.mtp_depth, 0, 16));
  out.shared_expert_ffn_hidden =
      static_cast<int>(m.integer("shared_expert_ffn_hidden", out.shared_expert_ffn_hidden, 0));
  out.routing_imbalance = m.number("routing_imbalance", out.routing_imbalance, 1.0, 64.0);
  out.routing_nodes = static_cast<int>(m.integer("routing_nodes", out.routing_nodes, 0));
  out.explicit_head_dim = static_cast<int>(m.integer("head_dim", out.explicit_head_dim, 1));
  if (auto mla = m.child("latent_attention")) {
    LatentAttention& l = out.latent_attention;
    l.kv_lora_rank = static_cast<int>(
        mla->integer("kv_lora_rank", l.kv_lora_rank > 0 ? std::optional<long long>(l.kv_lora_rank) : std::nullopt, 1));
    l.q_lora_rank = static_cast<int>(mla->integer("q_lora_rank", l.q_lora_rank, 0));
    l.rope_head_dim = static_cast<int>(mla->integer("rope_head_dim", l.rope_head_dim, 0));
    l.v_head_dim = static_cast<int>(mla->integer("v_head_dim", l.v_head_dim > 0 ? l.v_head_dim : out.head_dim(), 1));
    mla->finish();
  }
}

/// A model preset: a name ("gpt3-175b") or a path to a YAML file of model keys.
bool read_preset(MapReader& where, const std::string& key, const std::string& preset, ModelConfig& out)
{
  std::string path = resolve_path(preset, where.context().file);
  if (path.empty())
    path = resolve_path("models/" + preset + ".yaml", where.context().file);
  if (path.empty()) {
    where.error(key, "model file \"" + preset + "\" not found; expected a file such as models/gpt3-175b.yaml "
                     "or a preset name (a file in models/)");
    return false;
  }
  const std::optional<std::string> text = read_text_file(path);
  if (!text) {
    where.error(key, "model file \"" + path + "\" cannot be read; expected a readable YAML file");
    return false;
  }
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    where.context().diagnostics->add({path, e.mark.line + 1, e.mark.column + 1}, "",
                                     "malformed YAML (" + e.msg + ")");
    return false;
  }
  MapReader model(root, "model", {path, where.context().diagnostics, nullptr});
  out.name = std::filesystem::path(path).stem().string();
  read_model_fields(model, out);
  model.finish();
  return true;
}

ParallelismConfig read_parallelism(MapReader p, int gpus)
{
  ParallelismConfig out;
  out.tensor = static_cast<int>(p.integer("tensor", 1));
  out.pipeline = static_cast<int>(p.integer("pipeline", 1));
  out.context = static_cast<int>(p.integer("context", 1));
  out.expert = static_cast<int>(p.integer("expert", 1));
  const long long inner = static_cast<long long>(out.tensor) * out.pipeline * out.context;
  const long long derived_data = gpus > 0 && gpus % inner == 0 ? gpus / inner : 1;
  out.data = static_cast<int>(p.integer("data", derived_data));
  // The schedule and the chunk count default from each other: a given schedule sets the chunks'
  // default (two for dualpipev), else the chunk count picks 1F1B or interleaved.
  std::optional<PipelineSchedule> schedule;
  if (p.has("schedule"))
    schedule = p.choice("schedule", kSchedules, PipelineSchedule::OneFOneB);
  out.virtual_stages =
      static_cast<int>(p.integer("virtual_stages", schedule == PipelineSchedule::DualPipeV ? 2 : 1));
  out.sequence_parallel = p.boolean("sequence_parallel", out.tensor > 1);
  out.zero = static_cast<int>(p.integer("zero", 0, 0));
  if (out.zero > 3)
    p.error("zero", std::to_string(out.zero) + " is not a ZeRO stage; expected 0, 1, 2 or 3");
  out.schedule = schedule.value_or(out.virtual_stages > 1 ? PipelineSchedule::Interleaved : PipelineSchedule::OneFOneB);
  if (out.schedule == PipelineSchedule::Interleaved && out.virtual_stages == 1)
    p.error("schedule", "interleaved needs virtual_stages > 1; expected virtual_stages >= 2 or schedule: 1f1b");
  if (out.schedule == PipelineSchedule::DualPipeV && out.virtual_stages != 2)
    p.error("virtual_stages", std::to_string(out.virtual_stages) +
                                  " chunks per rank; dualpipev places two per rank in a V, expected 2 (or no virtual_stages)");
  if (out.schedule != PipelineSchedule::Interleaved && out.schedule != PipelineSchedule::DualPipeV && out.virtual_stages > 1)
    p.error("virtual_stages", "virtual stages need the interleaved schedule; expected schedule: interleaved");
  out.scatter_gather = p.boolean("scatter_gather", true);
  out.overlap_grad_reduce = p.boolean("overlap_grad_reduce", true);
  out.overlap_param_gather = p.boolean("overlap_param_gather", true);
  out.tp_comm_overlap = p.boolean("tp_comm_overlap", false);
  out.first_stage_layers = static_cast<int>(p.integer("first_stage_layers", -1, 0));
  out.last_stage_layers = static_cast<int>(p.integer("last_stage_layers", -1, 0));
  out.overlap_comm_sms = static_cast<int>(p.integer("overlap_comm_sms", 20, 0, 1024));
  out.bucket_bytes = p.quantity("bucket_size", Dimension::Bytes, 0.0, true);
  out.context_exchange = p.choice("context_exchange", kContextExchanges, ContextExchange::Ring);
  out.expert_dispatch = p.choice("expert_dispatch", kExpertDispatch, ExpertDispatch::AllToAll);
  out.fp8_dispatch = p.boolean("fp8_dispatch", false);
  p.finish();
  return out;
}

} // namespace

ModelConfig read_model(MapReader& job)
{
  ModelConfig model;
  const YAML::Node node = job.raw("model");
  if (node.IsScalar()) {
    read_preset(job, "model", node.Scalar(), model);
    return model;
  }
  if (!node.IsDefined() || node.IsNull()) {
    job.error("model", "is missing; expected {hidden, layers, heads, seq_len, vocab} or a model file");
    return model;
  }
  MapReader m(node, job.path_of("model"), job.context());
  if (m.has("preset"))
    read_preset(m, "preset", m.text("preset"), model);
  read_model_fields(m, model);
  m.finish();
  return model;
}

/// jobs[].nccl: {algo, proto}, NCCL_ALGO and NCCL_PROTO as the job's processes would set them.
NcclSettings read_nccl(MapReader& job)
{
  NcclSettings out;
  std::optional<MapReader> nccl = job.child("nccl");
  if (!nccl)
    return out;
  const auto read = [&](const char* key, void (*parse)(const std::string&, NcclSettings&)) {
    if (!nccl->has(key))
      return;
    try {
      parse(nccl->text(key), out);
    } catch (const std::invalid_argument& e) {
      nccl->error(key, e.what());
    }
  };
  read("algo", parse_nccl_algo);
  read("proto", parse_nccl_proto);
  nccl->finish();
  return out;
}

/// jobs[].time_limit and exit_duration (their need for a scheduler is checked with the scenario).
void read_time_limit(MapReader& job, JobConfig& out)
{
  out.time_limit_s = job.quantity_at_most("time_limit", Dimension::Seconds, 0.0, false, kMaxSimulatedTimeS, "10y",
                                          kSimulatedTimeLimitWhy);
  if (!job.has("exit_duration"))
    return;
  if (out.time_limit_s <= 0) {
    job.error("exit_duration", "exits before a time limit, but the job has none; expected time_limit beside it");
    return;
  }
  out.exit_duration_s = job.quantity_at_most("exit_duration", Dimension::Seconds, std::nullopt, false,
                                             kMaxSimulatedTimeS, "10y", kSimulatedTimeLimitWhy);
  if (out.exit_duration_s >= out.time_limit_s)
    job.error("exit_duration", "is not before the time limit; expected less than time_limit, leaving time to save");
}

JobConfig read_job(MapReader& job, int index)
{
  JobConfig out;
  out.name = job.text("name", "job" + std::to_string(index));
  if (out.name.empty())
    job.error("name", "is empty; expected a name for the job's report");
  out.gpus = static_cast<int>(job.integer("gpus"));
  out.model = read_model(job);
  if (auto p = job.child("parallelism"))
    out.parallelism = read_parallelism(*p, out.gpus);
  else
    out.parallelism.data = out.gpus;
  // Megatron pads the vocabulary to a multiple of 128 x tensor (make-vocab-size-divisible-by).
  const int vocab_multiple = 128 * out.parallelism.tensor;
  if (out.model.vocab > 0 && out.model.vocab % vocab_multiple != 0)
    out.model.vocab = (out.model.vocab / vocab_multiple + 1) * vocab_multiple;
  if (auto batch = job.child("batch")) {
    out.batch.global = static_cast<int>(batch->integer("global"));
    out.batch.micro = static_cast<int>(batch->integer("micro", 1));
    batch->finish();
  } else {
    job.error("batch", "is missing; expected {global: sequences per iteration, micro: sequences per micro-batch}");
  }
  out.precision = job.choice("precision", kPrecisions, Precision::Bf16);
  out.recompute = job.choice("recompute", kRecompute, Recompute::None);
  if (job.has("recompute_modules"))
    out.recompute_modules = read_recompute_modules(job);
  out.attention = job.choice("attention", kAttention, AttentionKernel::Flash);
  out.iterations = static_cast<int>(job.integer("iterations", 1));
  out.group = job.text("group", "");
  const bool has_start_time = job.has("start_time");
  out.start_time_s =
      job.quantity_at_most("start_time", Dimension::Seconds, 0.0, true, kMaxSimulatedTimeS, "10y", kSimulatedTimeLimitWhy);
  out.min_gpus = static_cast<int>(job.integer("min_gpus", 0, 1));
  out.grow = job.boolean("grow", false);
  if (out.grow && out.min_gpus <= 0)
    job.error("grow", "restarts a job that started on fewer GPUs on more, but the job has no min_gpus; expected "
                      "min_gpus beside it");
  out.switches = read_switches(job);
  out.nccl = read_nccl(job);
  read_time_limit(job, out);
  out.after = job.text("after", "");
  if (!out.after.empty() && has_start_time)
    job.error("after", "and start_time both say when the job is submitted; expected one of them");
  if (job.has("after_delay")) {
    if (out.after.empty())
      job.error("after_delay", "is a delay after another job's end, but there is no after: NAME; expected after beside it");
    else
      out.after_delay_s = job.quantity_at_most("after_delay", Dimension::Seconds, 0.0, true, kMaxSimulatedTimeS, "10y",
                                               kSimulatedTimeLimitWhy);
  }
  out.gradient_bytes = static_cast<int>(job.integer("gradient_bytes", out.precision == Precision::Fp16 ? 2 : 4));
  if (out.gradient_bytes != 2 && out.gradient_bytes != 4)
    job.error("gradient_bytes", std::to_string(out.gradient_bytes) + " is not a gradient width; expected 2 or 4");
  out.memory_check = job.choice("memory_check", kMemoryChecks, MemoryCheck::Error);
  if (auto checkpoint = job.child("checkpoint")) {
    out.checkpoint = read_checkpoint(*checkpoint);
    checkpoint->finish();
  }
  return out;
}

} // namespace dcsim::internal

namespace dcsim {

std::string schedule_name(PipelineSchedule schedule)
{
  for (const auto& [name, value] : internal::kSchedules)
    if (value == schedule)
      return name;
  return "?";
}

std::string recompute_name(Recompute recompute)
{
  for (const auto& [name, value] : internal::kRecompute)
    if (value == recompute)
      return name;
  return "?";
}

} // namespace dcsim
