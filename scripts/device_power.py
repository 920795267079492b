#!/usr/bin/env python3
"""Power, clock and throughput of an H200 under sustained load, for the energy model's states and
the profiles' sustained_clock_fraction (docs/validation.md). Run on a lent GPU machine through
scripts/device-power.sh, which logs nvidia-smi beside it. Phases, each timed and written to
$OUT/phases.json: idle (10 s), bf16 GEMMs 8192^3 back to back (120 s, TFLOP/s per 5 s window),
device-to-device copies of 4 GiB (20 s, GB/s per window), idle again (10 s)."""
import json
import os
import sys
import threading
import time

import torch


def sample_nvml(path, stop):
    """Power (W), SM clock (MHz) and temperature every 200 ms with epoch times, through NVML
    (nvidia-ml-py); nothing when it is missing (power.csv from nvidia-smi remains)."""
    try:
        import pynvml
        pynvml.nvmlInit()
        h = pynvml.nvmlDeviceGetHandleByIndex(0)
    except Exception as e:  # noqa: BLE001 -- any failure leaves nvidia-smi's log
        print("no NVML sampling:", e)
        return
    with open(path, "w") as f:
        f.write("time_s,power_w,sm_mhz,mem_mhz,temp_c\n")
        while not stop.is_set():
            f.write("%.3f,%.1f,%d,%d,%d\n" % (time.time(), pynvml.nvmlDeviceGetPowerUsage(h) / 1000.0,
                                              pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_SM),
                                              pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_MEM),
                                              pynvml.nvmlDeviceGetTemperature(h, pynvml.NVML_TEMPERATURE_GPU)))
            time.sleep(0.2)


def windows(step, seconds, window_s=5.0):
    """Runs step() until `seconds` pass; returns (start, end, units) per window of ~window_s."""
    out = []
    end = time.time() + seconds
    while time.time() < end:
        torch.cuda.synchronize()
        t0, units = time.time(), 0
        while time.time() - t0 < window_s:
            units += step()
            torch.cuda.synchronize()
        out.append((t0, time.time(), units))
    return out


def main():
    out_dir = os.environ["OUT"]
    dev = torch.device("cuda")
    stop = threading.Event()
    sampler = threading.Thread(target=sample_nvml, args=(os.path.join(out_dir, "power_nvml.csv"), stop))
    sampler.start()
    phases = {"clock_note": "epoch seconds; nvidia-smi's power.csv uses local time " + time.strftime("%Z")}
    t = time.time()
    time.sleep(10)
    phases["idle_before"] = {"start": t, "end": time.time()}

    n = 8192
    a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    c = torch.empty(n, n, device=dev, dtype=torch.bfloat16)

    def gemms():
        for _ in range(20):
            torch.matmul(a, b, out=c)
        return 20 * 2.0 * n ** 3

    gemms()
    w = windows(gemms, 120)
    phases["gemm"] = {"start": w[0][0], "end": w[-1][1],
                      "tflops": [u / (e - s) / 1e12 for s, e, u in w], "windows": [[s, e] for s, e, _ in w]}
    del a, b, c

    x = torch.empty(4 << 30, device=dev, dtype=torch.uint8)
    y = torch.empty_like(x)

    def copies():
        for _ in range(10):
            y.copy_(x)
        return 10 * 2.0 * x.numel()  # bytes read and written

    copies()
    w = windows(copies, 20)
    phases["copy"] = {"start": w[0][0], "end": w[-1][1],
                      "gb_per_s": [u / (e - s) / 1e9 for s, e, u in w], "windows": [[s, e] for s, e, _ in w]}
    del x, y
    torch.cuda.empty_cache()
    t = time.time()
    time.sleep(10)
    phases["idle_after"] = {"start": t, "end": time.time()}
    stop.set()
    sampler.join()
    with open(os.path.join(out_dir, "phases.json"), "w") as f:
        json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "phases": phases}, f, indent=1)
    print("gemm TFLOP/s first/last window: %.0f / %.0f" % (phases["gemm"]["tflops"][0], phases["gemm"]["tflops"][-1]))
    print("copy GB/s: %.0f" % max(phases["copy"]["gb_per_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
