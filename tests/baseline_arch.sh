#!/bin/sh
# The x86-64 levels give the same numbers (docs/model.md, "Reproducibility"): a program
# built for the baseline x86-64 (SSE2 only), drawing its random numbers with the streams'
# 2-lane kernel, writes the datasets of this build, compiled for the level SOVRISK_ARCH
# chose and drawing with the widest kernel this CPU runs, bit for bit.
#   baseline_arch.sh SOURCE_DIR BUILD_DIR SOVRISK COMPARE_RESULTS [CMAKE_ARGS]...
set -eu
source_dir=$1 build_dir=$2 sovrisk=$3 compare=$4
shift 4

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSOVRISK_ARCH=x86-64 \
  -DSOVRISK_MPI=OFF -DSOVRISK_BUILD_TESTS=OFF -DSOVRISK_BUILD_BENCH=OFF "$@" > "$build_dir.log" 2>&1 &&
  cmake --build "$build_dir" -j"$(nproc)" --target sovrisk >> "$build_dir.log" 2>&1 ||
  { cat "$build_dir.log"; exit 1; }
baseline=$build_dir/sovrisk
# AVX registers in the program's own code would mean the level did not take effect;
# only the streams' 4- and 8-lane kernels (sovrisk::lanes), run where the CPU has
# them, may use them.
if objdump -d -C --no-show-raw-insn "$baseline" |
  awk '/^[0-9a-f]+ <.*>:$/ { kernel = index($0, "sovrisk::lanes::") > 0 } /%[yz]mm/ && !kernel { found = 1 } END { exit !found }'; then
  echo "FAIL: the x86-64 build uses AVX instructions outside the streams' kernels"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for config in russia-2025 oil-crash; do
  run="run $source_dir/configs/$config.yaml --paths 30000 --per-path -q"
  SOVRISK_STREAM_LANES=2 "$baseline" $run -o "$work/baseline.h5" > /dev/null
  "$sovrisk" $run -o "$work/this.h5" > /dev/null
  "$compare" "$work/baseline.h5" "$work/this.h5"
done
