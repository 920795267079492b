#!/bin/bash
# One GPU's training step for the compute model's end-to-end check (the `device` tool's `run`):
#
#   run(command="bash scripts/device-training-step.sh", timeout_s=300)
#   run(command="bash scripts/device-training-step.sh --compile", timeout_s=420)
#
# scripts/device_training_step.py times three GPT shapes' forward + backward and optimizer step
# and keeps one step's kernel table; nvidia-smi samples power and clocks meanwhile. ~2 minutes
# (eager) or ~3-5 (--compile: torch.compile fuses the elementwise kernels first).
set -u
out=${OUT:?run through the device tool, which sets OUT}
nvidia-smi --query-gpu=timestamp,power.draw,clocks.sm,clocks.mem,temperature.gpu \
  --format=csv,noheader,nounits -lms 200 > "$out/power.csv" 2>/dev/null &
smi=$!
timeout 400 python3 scripts/device_training_step.py "$@"
status=$?
kill $smi
exit $status
