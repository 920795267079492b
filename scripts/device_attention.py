#!/usr/bin/env python3
"""Causal attention throughput on a lent GPU through PyTorch's fused kernels, for the profiles'
flash_attention efficiencies (docs/validation.md): bf16, 32 heads of 128, 32,768 tokens per
call at sequence lengths 2K-16K, forward and backward, with PyTorch's FlashAttention-2 kernel
and with cuDNN's. FLOPs as dcsim counts them (models/transformer/layer_ops.cpp): forward
2 s^2 d per head (causal half of 4 s^2 d), backward 2.5x that. Writes $OUT/attention.json.

    run(command="python3 scripts/device_attention.py", timeout_s=240)
"""
import json
import os
import sys

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
import torch.nn.functional as F

from cuda_timing import time_ms


def main():
    heads, d, tokens = 32, 128, 32768
    rows = []
    for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION):
        for s in (2048, 4096, 8192, 16384):
            b = tokens // s
            q, k, v = (torch.randn(b, heads, s, d, device="cuda", dtype=torch.bfloat16, requires_grad=True)
                       for _ in range(3))
            grad = torch.randn(b, heads, s, d, device="cuda", dtype=torch.bfloat16)
            try:
                with sdpa_kernel(backend):
                    fwd = time_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
                    both = time_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True).backward(grad))
            except RuntimeError as e:
                rows.append({"backend": backend.name, "seq": s, "error": str(e)[:200]})
                continue
            flops = 2.0 * s * s * d * heads * b
            rows.append({"backend": backend.name, "seq": s, "batch": b, "forward_ms": fwd, "backward_ms": both - fwd,
                         "forward_tflops": flops / fwd / 1e9, "backward_tflops": 2.5 * flops / (both - fwd) / 1e9})
            print(rows[-1])
            del q, k, v, grad
    with open(os.path.join(os.environ["OUT"], "attention.json"), "w") as f:
        json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
                   "cudnn": torch.backends.cudnn.version(), "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
