// A job's per-pass work: what selective recompute's modules add to the backward.
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "parallelism/job_workload.hpp"
#include "transformer/model_flops.hpp"

#include <catch2/catch.hpp>

namespace {

// Four DeepSeek-V3 layers (latent attention, 256 experts, all MoE) on 4 pipeline ranks of one GPU.
const char* kScenario = R"(
cluster:
  nodes: 1
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 1us}, nics: {count: 8, bandwidth: 400Gb/s}}
jobs:
  - name: slice
    gpus: 4
    model: {preset: deepseek-v3, layers: 4, first_dense_layers: 0}
    parallelism: {tensor: 1, pipeline: 4, data: 1}
    batch: {global: 4, micro: 1}
    recompute: selective
    memory_check: warn
)";

dcsim::PassWork backward(const std::vector<std::string>& overrides)
{
  const auto config = dcsim::test::load_text(kScenario, overrides);
  const auto& job = config.jobs[0];
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  return dcsim::build_job_workload(job, cost).chunks[1].backward; // one layer, no embedding or head
}

} // namespace

TEST_CASE("parallelism::job_workload: recompute modules re-run their kernels in the backward", "[models]")
{
  const auto core = backward({});
  const auto up = backward({"jobs.0.recompute_modules=[core_attn, mla_up_proj]"});
  // mla_up_proj: the query and key/value up-projections once more, 4,096 tokens.
  const double tokens = 4096;
  CHECK(up.flops - core.flops == Approx(tokens * 2 * (1536.0 * 128 * 192 + 512.0 * 128 * 256)).epsilon(1e-9));
  CHECK(up.gpu_s > core.gpu_s);
  // layernorm and moe_act are memory-bound: time, no FLOPs.
  for (const char* module : {"layernorm", "moe_act"}) {
    const auto more = backward({std::string("jobs.0.recompute_modules=[core_attn, ") + module + "]"});
    INFO(module);
    CHECK(more.flops == Approx(core.flops).epsilon(1e-12));
    CHECK(more.gpu_s > core.gpu_s);
  }
  // Without core_attn the attention core is not re-run: its forward FLOPs leave the backward.
  const auto none = backward({"jobs.0.recompute_modules=[layernorm]"});
  const double core_flops = tokens * 2 * tokens * 128 * (192 + 128) / 2; // causal flash: half the square
  CHECK(core.flops - none.flops == Approx(core_flops).epsilon(0.01));
}

TEST_CASE("parallelism::job_workload: memory-bound kernel time is counted apart (it draws less power)", "[models]")
{
  const auto core = backward({});
  CHECK(core.memory_bound_s > 0);
  CHECK(core.memory_bound_s < core.gpu_s);
  // Recomputing the norms adds only memory-bound kernels: all of the added time is memory-bound.
  const auto norms = backward({"jobs.0.recompute_modules=[core_attn, layernorm]"});
  CHECK(norms.memory_bound_s - core.memory_bound_s == Approx(norms.gpu_s - core.gpu_s).epsilon(1e-9));
  // Recomputing the attention core adds a FlashAttention kernel, compute-bound: none of it is.
  const auto no_core = backward({"jobs.0.recompute_modules=[layernorm]"});
  CHECK(norms.gpu_s > no_core.gpu_s);
  CHECK(norms.memory_bound_s == Approx(no_core.memory_bound_s).epsilon(1e-12));
  // A rank's share is its passes' memory-bound time over their time (one chunk per rank here).
  const auto config = dcsim::test::load_text(kScenario);
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, config.jobs[0].precision);
  const auto w = dcsim::build_job_workload(config.jobs[0], cost);
  const auto& c = w.chunks[1];
  CHECK(dcsim::memory_bound_share(w, 1) ==
        Approx((c.forward.memory_bound_s + c.backward.memory_bound_s) / (c.forward.gpu_s + c.backward.gpu_s))
            .epsilon(1e-12));
}

TEST_CASE("parallelism::job_workload: recompute_modules errors name the key and what was expected", "[models]")
{
  const auto error = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_error(kScenario, overrides);
  };
  CHECK(error({"jobs.0.recompute_modules=[core_attn, layernorm, mla_up_proj, moe_act]"}).empty());
  CHECK(error({"jobs.0.recompute_modules=[core_attn, mlp_norm]"}) ==
        "--set jobs.0.recompute_modules=[core_attn, mlp_norm]: jobs.0.recompute_modules: 'mlp_norm' is not a module; "
        "expected some of core_attn, layernorm, mla_up_proj, moe_act");
  CHECK(error({"jobs.0.recompute_modules=[]"}).find("expected a list of modules from core_attn") != std::string::npos);
  CHECK(error({"jobs.0.recompute=full", "jobs.0.recompute_modules=[layernorm]"})
            .find("jobs.0.recompute_modules: modules are what selective recompute re-runs; expected recompute: "
                  "selective") != std::string::npos);
  CHECK(error({"jobs.0.model={preset: llama3-8b, layers: 4}", "jobs.0.recompute_modules=[mla_up_proj]"})
            .find("expected model.latent_attention or no mla_up_proj") != std::string::npos);
  CHECK(error({"jobs.0.model={preset: llama3-8b, layers: 4}", "jobs.0.recompute_modules=[moe_act]"})
            .find("expected model.experts > 1 or no moe_act") != std::string::npos);
}

TEST_CASE("parallelism::job_workload: a multi-token-prediction module adds a layer and the output pass to the last chunk",
          "[models]")
{
  const auto work = [](const std::vector<std::string>& overrides) {
    const auto config = dcsim::test::load_text(kScenario, overrides);
    const auto& job = config.jobs[0];
    const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
    return dcsim::build_job_workload(job, cost);
  };
  const auto plain = work({});
  const auto mtp = work({"jobs.0.model.mtp_depth=1"});
  const auto& last = plain.chunks[3];  // one MoE layer, the final norm, head and loss
  const auto& layer = plain.chunks[1]; // one MoE layer
  const auto& with = mtp.chunks[3];
  // The module's own kernels (next-token embedding, two norms, the [T, 2h] x [2h, h] projection)
  // come on top of one more layer and one more head pass.
  const double head_forward = last.forward.flops - layer.forward.flops;
  const double join_forward = 2.0 * 4096 * 7168 * (2 * 7168);
  CHECK(with.forward.flops == Approx(last.forward.flops + layer.forward.flops + head_forward + join_forward).epsilon(1e-9));
  CHECK(with.parameters_per_gpu - last.parameters_per_gpu ==
        Approx(dcsim::mtp_module_parameters(dcsim::test::load_text(kScenario).jobs[0].model)).epsilon(1e-9));
  for (int c = 0; c < 3; ++c) // the other chunks are untouched
    CHECK(mtp.chunks[c].forward.flops == plain.chunks[c].forward.flops);
}
