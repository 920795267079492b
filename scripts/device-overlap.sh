#!/bin/bash
# Computation beside communication kernels on a lent GPU (the `device` tool's `run`):
#
#   run(command="bash scripts/device-overlap.sh", carry=["build/dcsim-calibrate-cuda"], timeout_s=240)
#
# Runs only the overlap benchmark of dcsim-calibrate-cuda (calibration/cuda/overlap_bench.cu):
# two bf16 GEMMs and a triad, each alone and beside a communication-like kernel holding 8-66 SMs
# (spinning, copying 20 GB/s per block, copying flat out). Raw JSON to $OUT/overlap-raw.json, a table to
# stdout; about 30 s. The binary is built here (nvcc, no GPU needed) and carried.
set -u
out=${OUT:?run through the device tool, which sets OUT}
bin=${BIN:-build/dcsim-calibrate-cuda}
export LD_LIBRARY_PATH=/usr/local/cuda/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
for lib in $(ldd "$bin" 2>/dev/null | awk '/not found/ {print $1}'); do
  dir=$(find /usr /opt -name "$lib" -print -quit 2>/dev/null | xargs -r dirname)
  [ -n "$dir" ] && export LD_LIBRARY_PATH=$dir:$LD_LIBRARY_PATH && echo "found $lib in $dir"
done
nvidia-smi > "$out/nvidia-smi.txt" 2>&1
nvidia-smi --query-gpu=timestamp,power.draw,clocks.sm,clocks.mem,temperature.gpu \
  --format=csv,noheader,nounits -lms 200 > "$out/power.csv" 2>/dev/null &
smi=$!
start=$(date +%s)
timeout 180 "$bin" --only overlap --out "$out/overlap-raw.json" 2> "$out/overlap.stderr"
status=$?
kill $smi
echo "dcsim-calibrate-cuda --only overlap: exit $status after $(($(date +%s) - start)) s" | tee "$out/status.txt"
tail -3 "$out/overlap.stderr"
[ $status -eq 0 ] && python3 - "$out/overlap-raw.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for o in m["overlap"]:
    sms, c = o["sm_count"], o["comm_ctas"]
    print(f'{o["victim"]:28s} {o["comm_mode"]:10s} ctas {c:3d}  alone {o["alone_s"]*1e3:8.3f} ms  '
          f'slowdown {o["overlapped_s"]/o["alone_s"]:.3f} (SM share {sms/(sms-c):.3f})  '
          f'comm {o["comm_bytes_per_s"]/1e9:7.1f} GB/s{"" if o["resident"] else "  NOT RESIDENT"}')
PY
exit $status
