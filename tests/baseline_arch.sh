#!/bin/sh
# The x86-64 levels give the same numbers (docs/model.md, "Reproducibility"): a program
# built for the baseline x86-64 (SSE2 only) writes the datasets of this build, compiled
# for the level SOVRISK_ARCH chose, bit for bit.
#   baseline_arch.sh SOURCE_DIR BUILD_DIR SOVRISK COMPARE_RESULTS [CMAKE_ARGS]...
set -eu
source_dir=$1 build_dir=$2 sovrisk=$3 compare=$4
shift 4

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSOVRISK_ARCH=x86-64 \
  -DSOVRISK_MPI=OFF -DSOVRISK_BUILD_TESTS=OFF -DSOVRISK_BUILD_BENCH=OFF "$@" > "$build_dir.log" 2>&1 &&
  cmake --build "$build_dir" -j"$(nproc)" --target sovrisk >> "$build_dir.log" 2>&1 ||
  { cat "$build_dir.log"; exit 1; }
baseline=$build_dir/sovrisk
# AVX registers in the program's own code would mean the level did not take effect.
if objdump -d --no-show-raw-insn "$baseline" | grep -q '%ymm'; then
  echo "FAIL: the x86-64 build uses AVX instructions"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for config in russia-2025 oil-crash; do
  run="run $source_dir/configs/$config.yaml --paths 30000 --per-path -q"
  "$baseline" $run -o "$work/baseline.h5" > /dev/null
  "$sovrisk" $run -o "$work/this.h5" > /dev/null
  "$compare" "$work/baseline.h5" "$work/this.h5"
done
