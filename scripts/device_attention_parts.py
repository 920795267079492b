#!/usr/bin/env python3
"""Kernel by kernel, the unfused attention forward that calibration/cuda/blocks_bench.cu times as a
whole (bf16; 4 sequences of 2,048 tokens, hidden 5,120, 40 heads of 128), through PyTorch's
kernels (cuBLAS for the GEMMs, as there): where the calibrated model's 19% miss on that block
sits. Each kernel: the fastest mean of 20 launches over 5 tries, after warm-up, in us. Writes
$OUT/attention_parts.json.

    run(command="python3 scripts/device_attention_parts.py", timeout_s=180)
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

from cuda_timing import time_ms


def time_us(fn):
    return 1000 * time_ms(fn, warmup=3, reps=20, tries=5)


def main():
    seqs, s, h, a = 4, 2048, 5120, 40
    d, t = h // a, seqs * s
    bf = dict(device="cuda", dtype=torch.bfloat16)
    x = torch.randn(t, h, **bf)
    w_qkv = torch.randn(h, 3 * h, **bf) * 0.02
    w_o = torch.randn(h, h, **bf) * 0.02
    ln = F.layer_norm(x, (h,))
    qkv = ln @ w_qkv
    q, k, v = (p.reshape(seqs, s, a, d).transpose(1, 2).contiguous().reshape(seqs * a, s, d)
               for p in qkv.split(h, dim=1))
    scores = torch.bmm(q, k.transpose(1, 2))
    mask = torch.ones(s, s, device="cuda", dtype=torch.bool).triu(1)
    probs = torch.softmax(scores.masked_fill(mask, float("-inf")) * (1.0 / d ** 0.5), dim=-1)
    ctx = torch.bmm(probs, v)
    merged = ctx.reshape(seqs, a, s, d).transpose(1, 2).contiguous().reshape(t, h)
    parts = {
        "input_norm": lambda: F.layer_norm(x, (h,)),
        "qkv": lambda: ln @ w_qkv,
        "split_heads": lambda: qkv[:, :h].reshape(seqs, s, a, d).transpose(1, 2).contiguous(),
        "attention_scores": lambda: torch.bmm(q, k.transpose(1, 2)),
        "softmax": lambda: torch.softmax(scores, dim=-1),
        "scale_mask": lambda: scores.masked_fill(mask, float("-inf")) * (1.0 / d ** 0.5),
        "attention_context": lambda: torch.bmm(probs, v),
        "merge_heads": lambda: ctx.reshape(seqs, a, s, d).transpose(1, 2).contiguous(),
        "attention_out": lambda: merged @ w_o,
        "attention_residual": lambda: merged + x,
    }
    result = {name: time_us(fn) for name, fn in parts.items()}
    result["split_heads"] *= 3  # q, k and v
    for name, us in result.items():
        print("%-20s %9.1f us" % (name, us))
    with open(os.path.join(os.environ["OUT"], "attention_parts.json"), "w") as f:
        json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "microseconds": result}, f,
                  indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
