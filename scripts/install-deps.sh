#!/usr/bin/env bash
# Installs, from Debian's archive only, every package dcsim needs to build and test.
# Idempotent: packages already present are not reinstalled; safe to run on every build.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libsimgrid-dev libboost-graph-dev libeigen3-dev libyaml-cpp-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev catch2 pybind11-dev libjemalloc-dev
  python3 python3-dev python3-pytest python3-numpy python3-pandas python3-yaml
  python3-matplotlib python3-dask python3-distributed python3-tqdm
  python3-cloudpickle python3-nbclient python3-nbformat python3-ipykernel
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
