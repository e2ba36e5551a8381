#!/usr/bin/env bash
# Installs what sovrisk needs from Debian 12's packages (only what is missing)
# and builds it into build/. Sourced by run.sh and check.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  g++ make cmake
  libeigen3-dev libboost-random-dev librandom123-dev libtbb-dev libhdf5-dev
  libyaml-cpp-dev libcli11-dev libgtest-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin procps
  hdf5-tools python3 python3-numpy python3-h5py python3-matplotlib python3-yaml
  python3-xarray python3-h5netcdf python3-pandas chromium
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "sovrisk setup: installing ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
