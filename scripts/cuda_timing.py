"""GPU timing shared by the device scripts (scripts/device_attention*.py)."""
import torch


def time_ms(fn, warmup=5, reps=20, tries=1):
    """Mean milliseconds per call of fn() over `reps` back-to-back calls between CUDA events,
    after `warmup` calls; the best of `tries` such timings."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(tries):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        for _ in range(reps):
            fn()
        stop.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(stop) / reps)
    return best
