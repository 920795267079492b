#!/bin/bash
# Power and clocks of a lent GPU under sustained load (the `device` tool's `run`):
#
#   run(command="bash scripts/device-power.sh", timeout_s=300)
#
# nvidia-smi samples power, SM and memory clocks, temperature and utilization every 200 ms into
# $OUT/power.csv while scripts/device_power.py runs idle, 120 s of bf16 GEMMs, 20 s of copies and
# idle again ($OUT/phases.json has each phase's times and throughput). About 3 minutes.
set -u
out=${OUT:?run through the device tool, which sets OUT}
nvidia-smi --query-gpu=timestamp,power.draw,power.limit,clocks.sm,clocks.mem,temperature.gpu,utilization.gpu \
  --format=csv,noheader,nounits -lms 200 > "$out/power.csv" 2> "$out/nvidia-smi.stderr" &
smi=$!
python3 scripts/device_power.py
status=$?
kill $smi
nvidia-smi -q -d POWER,CLOCK,PERFORMANCE > "$out/nvidia-smi-q.txt" 2>&1
exit $status
