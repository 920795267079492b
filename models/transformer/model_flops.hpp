// FLOP and parameter counts of a dense decoder transformer.
//
// Model FLOPs follow Narayanan et al. 2021 (SC21), eq. 3 without the recompute term, generalised
// to grouped-query attention, SwiGLU and any ffn size: per token and layer the forward pass does
// 2*(h*(h + 2 h_kv) + h*h + n_up*h*f + f*h) GEMM FLOPs plus 4*s*h for attention (full s^2, as
// Megatron counts it), and the LM head 2*h*V; backward is twice the forward. For a GPT with
// f = 4h this is exactly 72 B s l h^2 (1 + s/(6h) + V/(12 l h)).
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

/// Forward FLOPs of one layer for one token (weights GEMMs + attention).
double layer_forward_flops_per_token(const ModelConfig& model);
/// The same over all layers (mixture-of-experts models: dense first layers, then MoE ones).
double layers_forward_flops_per_token(const ModelConfig& model);
/// Forward FLOPs of the attention core alone (recomputed under selective recompute), per token.
double attention_forward_flops_per_token(const ModelConfig& model);
/// Model FLOPs of one training iteration over `sequences` sequences (no recomputation).
double model_flops_per_iteration(const ModelConfig& model, double sequences);
/// Model FLOPs plus the FLOPs recomputation adds (hardware FLOPs, for HFU).
double hardware_flops_per_iteration(const ModelConfig& model, double sequences, Recompute recompute,
                                    const RecomputeModules& modules = {});
/// SC21's published counting: 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) (recompute forward included).
double sc21_flops_per_iteration(const ModelConfig& model, double sequences);

/// Parameters of one transformer layer (weights, biases, norms).
double layer_parameters(const ModelConfig& model);
/// The part of layer_parameters in expert MLPs (0 for a dense model): what expert parallelism
/// splits and what only the expert-data-parallel ranks reduce.
double layer_expert_parameters(const ModelConfig& model);
/// Input embedding parameters (token + learned positions).
double embedding_parameters(const ModelConfig& model);
/// Output layer parameters (0 when tied to the input embedding) plus the final norm.
double head_parameters(const ModelConfig& model);
/// One multi-token-prediction module's own parameters: a layer like the model's last, the 2h -> h
/// projection and three norms (the embedding and output layer are the model's, shared).
double mtp_module_parameters(const ModelConfig& model);
/// Everything trained, multi-token-prediction modules included.
double total_parameters(const ModelConfig& model);

} // namespace dcsim
