#!/bin/bash
# Issue 5's GPU run as one command for a lent GPU machine (the `device` tool's `run`):
#
#   run(command="bash scripts/device-calibrate.sh", carry=["build/dcsim-calibrate-cuda"], timeout_s=560)
#
# Only the benchmarks run there: they need the NVIDIA driver and /usr/local/cuda (cuBLAS, NCCL),
# nothing else, so the binary is built here (any machine with nvcc: `ninja -C build`) and
# carried. The raw measurements come back under $OUT and are fitted here, on the CPU:
#
#   build/dcsim calibrate --measurements FILES_AT/h200-raw.json --gpu H200-SXM-141GB \
#       --out calibration/profiles/h200-measured.yaml
#
# which is what `dcsim calibrate --backend cuda` does in one process on a GPU node with the
# whole toolchain. The full sweep must finish within 8 minutes (issue 5); the timeout leaves the
# device session room for a rerun.
set -u
out=${OUT:?run through the device tool, which sets OUT}
bin=${BIN:-build/dcsim-calibrate-cuda}
export LD_LIBRARY_PATH=/usr/local/cuda/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
{ nvidia-smi; nvidia-smi -q | head -80; } > "$out/nvidia-smi.txt" 2>&1
# A library the image keeps elsewhere (e.g. NCCL inside a Python package): find its folder.
for lib in $(ldd "$bin" 2>/dev/null | awk '/not found/ {print $1}'); do
  dir=$(find /usr /opt -name "$lib" -print -quit 2>/dev/null | xargs -r dirname)
  [ -n "$dir" ] && export LD_LIBRARY_PATH=$dir:$LD_LIBRARY_PATH && echo "found $lib in $dir"
done
ldd "$bin" > "$out/ldd.txt" 2>&1
start=$(date +%s)
timeout 500 "$bin" --out "$out/h200-raw.json" > "$out/calibrate-cuda.stdout" 2> "$out/calibrate-cuda.stderr"
status=$?
echo "dcsim-calibrate-cuda exit $status after $(($(date +%s) - start)) s" | tee "$out/status.txt"
tail -5 "$out/calibrate-cuda.stderr"
exit $status
