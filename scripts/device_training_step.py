#!/usr/bin/env python3
"""One GPU's training step, measured, for the simulator's compute model end to end
(docs/validation.md "A training step on one H200"). A GPT written plainly in PyTorch, laid out
as Megatron's: pre-norm layers with fused QKV, FlashAttention-2 (PyTorch's SDPA kernel, the
profiles' flash_attention efficiencies), bias-dropout-add residuals (p = 0.1), GELU MLP of 4h,
tied embeddings, fp32 cross-entropy; bf16 weights and gradients with fp32 master weights and
fused AdamW (Megatron's mixed precision). Eager mode, as the profiles' launch_overhead assumes.

Per shape: forward + backward and the optimizer step timed separately with CUDA events (mean of
20 steps after 3), one step under torch.profiler (kernel table), and for the first shape 40 s of
steps back to back (the clock at the power limit). Writes $OUT/training_step.json and
$OUT/profile_<shape>.txt. With --compile the model runs through torch.compile (Inductor fuses
the norms, dropouts, GELU and residual adds, as Megatron's fused kernels do; GEMMs stay cuBLAS,
attention FlashAttention-2): $OUT/training_step_compiled.json, $OUT/profile_compiled_<shape>.txt.

    run(command="bash scripts/device-training-step.sh", timeout_s=300)
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel

SHAPES = [  # name, hidden, heads, layers, seq, micro-batch, vocab
    ("h4096_s4096_b2", 4096, 32, 8, 4096, 2, 32000),
    ("h2048_s2048_b4", 2048, 16, 8, 2048, 4, 32000),
    ("h8192_s2048_b2", 8192, 64, 4, 2048, 2, 32000),
]


class Layer(nn.Module):
    def __init__(self, h, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(h), nn.LayerNorm(h)
        self.qkv, self.proj = nn.Linear(h, 3 * h), nn.Linear(h, h)
        self.fc1, self.fc2 = nn.Linear(h, 4 * h), nn.Linear(4 * h, h)

    def forward(self, x):  # [b, s, h]
        b, s, h = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, s, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, s, h)
        x = x + F.dropout(self.proj(a), 0.1, self.training)
        return x + F.dropout(self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh")), 0.1, self.training)


class Gpt(nn.Module):
    def __init__(self, h, heads, layers, seq, vocab):
        super().__init__()
        self.embed, self.pos = nn.Embedding(vocab, h), nn.Embedding(seq, h)
        self.layers = nn.ModuleList(Layer(h, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(h)

    def forward(self, tokens, targets):
        x = F.dropout(self.embed(tokens) + self.pos.weight[: tokens.shape[1]], 0.1, self.training)
        for layer in self.layers:
            x = layer(x)
        logits = self.ln(x) @ self.embed.weight.t()  # tied output layer
        return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), targets.view(-1))


def run_shape(name, h, heads, layers, seq, b, vocab, sustain_s, out, compiled=False):
    torch.manual_seed(0)
    model = Gpt(h, heads, layers, seq, vocab).cuda().to(torch.bfloat16)
    params = [p for p in model.parameters()]
    run = torch.compile(model) if compiled else model
    master = [p.detach().float().clone().requires_grad_(True) for p in params]
    opt = torch.optim.AdamW(master, lr=1e-5, fused=True)
    tokens = torch.randint(0, vocab, (b, seq), device="cuda")
    targets = torch.randint(0, vocab, (b, seq), device="cuda")

    def forward_backward():
        for p in params:
            p.grad = None
        run(tokens, targets).backward()

    def optimizer_step():
        for m, p in zip(master, params):
            m.grad = p.grad.float()
        opt.step()
        with torch.no_grad():
            for p, m in zip(params, master):
                p.copy_(m)

    events = lambda: (torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        for _ in range(3):
            forward_backward()
            optimizer_step()
        fb, op = [], []
        for _ in range(20):
            (a, z), (c, d) = events(), events()
            a.record(); forward_backward(); z.record()
            c.record(); optimizer_step(); d.record()
            torch.cuda.synchronize()
            fb.append(a.elapsed_time(z)); op.append(c.elapsed_time(d))
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
            forward_backward(); optimizer_step(); torch.cuda.synchronize()
        table = None
        for key in ("device_time_total", "cuda_time_total", "self_cuda_time_total"):
            try:
                table = prof.key_averages().table(sort_by=key, row_limit=60)
                break
            except Exception:  # the sort key's name changed across PyTorch versions
                continue
        with open(os.path.join(out, "profile_%s%s.txt" % ("compiled_" if compiled else "", name)), "w") as f:
            f.write(table or "no kernel table")
        sustained = []
        t_end = time.time() + sustain_s
        while time.time() < t_end:
            (a, z) = events()
            a.record(); forward_backward(); optimizer_step(); z.record()
            torch.cuda.synchronize()
            sustained.append((time.time(), a.elapsed_time(z)))
    row = {"shape": name, "hidden": h, "heads": heads, "layers": layers, "seq_len": seq, "micro_batch": b,
           "vocab": vocab, "parameters": sum(p.numel() for p in params),
           "forward_backward_ms": sum(fb) / len(fb), "forward_backward_min_ms": min(fb),
           "optimizer_ms": sum(op) / len(op), "sustained": sustained,
           "max_memory_bytes": torch.cuda.max_memory_allocated()}
    print({k: v for k, v in row.items() if k != "sustained"}, "sustained steps", len(sustained), flush=True)
    if compiled:
        row["compiled"] = True
    del model, run, params, master, opt
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    return row


def main():
    out = os.environ["OUT"]
    compiled = "--compile" in sys.argv[1:]
    info = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0)}
    name = "training_step_compiled.json" if compiled else "training_step.json"
    rows = []
    for i, shape in enumerate(SHAPES):
        try:
            rows.append(run_shape(*shape, sustain_s=(20 if compiled else 40) if i == 0 else 0, out=out,
                                  compiled=compiled))
        except Exception as e:  # e.g. no compiler for Inductor: keep the other shapes
            rows.append({"shape": shape[0], "error": repr(e)[:500]})
            print(rows[-1], flush=True)
            torch.cuda.empty_cache()
        with open(os.path.join(out, name), "w") as f:  # after every shape: a timeout keeps what ran
            json.dump({"info": info, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
