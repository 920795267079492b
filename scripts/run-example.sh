#!/usr/bin/env bash
# One-step quick start: set up, build, and simulate GPT-3 175B on 1,024 H100s.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/dcsim run scenarios/1024gpu.yaml "$@"
