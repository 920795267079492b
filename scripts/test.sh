#!/usr/bin/env bash
# One-step test: set up, build, and run the whole test suite (C++ unit, integration and
# validation tests through ctest; Python tests through pytest when the module is built).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
if ls build/python/dcsim/_core*.so >/dev/null 2>&1; then
  PYTHONPATH=build/python /usr/bin/python3 -m pytest -q python/tests
fi
