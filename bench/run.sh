#!/usr/bin/env bash
# End-to-end benchmark of the default scenario: wall time, throughput and peak
# memory against paths and threads, and the ratio to the random-number floor.
# Usage: bash bench/run.sh [OUT_DIR]   (default bench/results)
# Writes OUT_DIR/end_to_end.csv, OUT_DIR/micro.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-bench/results}
mkdir -p "$out"
command -v /usr/bin/time > /dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 1; }
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target sovrisk sovrisk_bench > /dev/null

build/bench/sovrisk_bench --benchmark_format=json --benchmark_out="$out/micro.json" \
  --benchmark_out_format=json --benchmark_repetitions=3 --benchmark_report_aggregates_only=true > /dev/null

# The floor in million path-months/s on one core, measured anew for every row of the
# table: the machine's speed drifts (other tenants, clocks), and the ratio is only
# meaningful between a run and a floor measured under the same conditions.
floor_now() {
  build/bench/sovrisk_bench --benchmark_filter='^RandomNumberFloor$' --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_format=json 2> /dev/null |
    /usr/bin/python3 -c "
import json, sys
b = json.load(sys.stdin)['benchmarks']
print(next(x['items_per_second'] for x in b if x['name'] == 'RandomNumberFloor_median'))"
}

config=configs/russia-2025-v1.yaml  # model v1's default scenario: docs/performance.md's workload
months=$(build/sovrisk run "$config" --dry-run | sed -n 's/^ *months: *//p' | head -n 1)
# Each run is repeated (SOVRISK_BENCH_REPEATS, default 5 below 10^6 paths, 3 below 10^7,
# once from 10^7) and the fastest kept: short runs on a shared machine otherwise
# measure its other jobs. process_seconds is the whole process (reading the config,
# the run, writing the file).
echo "paths,threads,wall_seconds,path_months_per_second,peak_rss_mb,process_seconds,floor_per_second" \
  > "$out/end_to_end.csv"
for paths in ${SOVRISK_BENCH_PATHS:-100000 1000000 10000000}; do
  for threads in 1 2; do
    if [ "$paths" -lt 1000000 ]; then repeats=5; elif [ "$paths" -lt 10000000 ]; then repeats=3; else repeats=1; fi
    repeats=${SOVRISK_BENCH_REPEATS:-$repeats}
    floor=$(floor_now)
    best="" best_wall=""
    for _ in $(seq "$repeats"); do
      log=$(mktemp)
      # Not -q: the wall time is read from the "wrote" line.
      /usr/bin/time -v build/sovrisk run "$config" --paths "$paths" --threads "$threads" \
        -o "$out/bench.h5" > "$log" 2> "$log.time"
      wall=$(sed -n 's/^wrote .*(\([0-9.e+-]*\) s on.*/\1/p' "$log")
      rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log.time")
      process=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log.time")
      row=$(/usr/bin/python3 -c "
p = [float(x) for x in '$process'.split(':')]
process = sum(v * 60 ** i for i, v in enumerate(reversed(p)))
print(f'$paths,$threads,$wall,{$paths * $months / $wall},{round($rss / 1024, 1)},{process},$floor')")
      if [ -z "$best" ] || /usr/bin/python3 -c "import sys; sys.exit(not $wall < $best_wall)"; then
        best=$row
        best_wall=$wall
      fi
      rm -f "$log" "$log.time"
    done
    echo "$best" >> "$out/end_to_end.csv"
  done
done
rm -f "$out/bench.h5"

/usr/bin/python3 - "$out" <<'PY'
import csv, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/end_to_end.csv")))
print("| paths | threads | wall s | million path-months/s | per core | peak RSS MB | floor M/s | time / floor time | outside the run |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    rate, threads = float(r["path_months_per_second"]), int(r["threads"])
    wall, process = float(r["wall_seconds"]), float(r["process_seconds"])
    floor = float(r["floor_per_second"])
    print(f"| {int(r['paths']):,} | {threads} | {wall:.2f} | {rate / 1e6:.2f} | "
          f"{rate / threads / 1e6:.2f} | {r['peak_rss_mb']} | {floor / 1e6:.2f} | "
          f"{floor * threads / rate:.2f} | "
          f"{max(process - wall, 0):.2f} s ({max(process - wall, 0) / process:.1%}) |")
PY
/usr/bin/python3 bench/plot.py "$out/end_to_end.csv" docs/performance.png

# Side by side on one core: the floors of stream format 2 and of format 1 (kept as a
# benchmark, bench/streams_format1.h), this run at 10^6 paths, the v2 default scenario, and
# the peer a researcher would write instead (bench/peer/, numba), as ratios.
peer_paths=${SOVRISK_BENCH_PEER_PATHS:-1000000}
one_core() {  # million path-months/s of `sovrisk run CONFIG` at $peer_paths paths, 1 thread
  local run_months wall
  run_months=$(build/sovrisk run "$1" --dry-run | sed -n 's/^ *months: *//p' | head -n 1)
  wall=$(build/sovrisk run "$1" --paths "$peer_paths" --threads 1 -o "$out/bench.h5" 2> /dev/null |
    sed -n 's/^wrote .*(\([0-9.e+-]*\) s on.*/\1/p')
  /usr/bin/python3 -c "print($peer_paths * $run_months / $wall / 1e6)"
}
v1_rate=$(one_core "$config")
v2_rate=$(one_core configs/russia-2025.yaml)
rm -f "$out/bench.h5"
if /usr/bin/python3 -c "import numba, numpy, yaml" 2> /dev/null; then
  /usr/bin/python3 bench/peer/peer_v1.py --config "$config" --paths "$peer_paths" > "$out/peer.json"
  peer_rate=$(/usr/bin/python3 -c "import json; print(json.load(open('$out/peer.json'))['path_months_per_second'] / 1e6)")
else
  echo "bench: no numba for the peer (apt-get install python3-numba python3-yaml); its row is left out"
  peer_rate=""
fi
/usr/bin/python3 - "$out/micro.json" "$v1_rate" "$v2_rate" "$peer_rate" <<'PY'
import json, sys
micro = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
def rate(name):
    return micro[name + "_median"]["items_per_second"] / 1e6
v1, v2 = float(sys.argv[2]), float(sys.argv[3])
rows = [("random-number floor, stream format 2", rate("RandomNumberFloor")),
        ("random-number floor, stream format 1 (before)", rate("RandomNumberFloorFormat1")),
        ("sovrisk run, v1 default scenario (russia-2025-v1)", v1),
        ("sovrisk run, v2 default scenario (russia-2025)", v2)]
if sys.argv[4]:
    rows.append(("peer: model v1 in Python + numba (bench/peer)", float(sys.argv[4])))
print()
print("| one core | million path-months/s | sovrisk v1 run / this |")
print("|---|---:|---:|")
for name, r in rows:
    print(f"| {name} | {r:.2f} | {v1 / r:.2f} |")
print()
print("| streams' kernel | million normals/s |")
print("|---|---:|")
for width in (2, 4, 8):
    b = micro.get(f"StreamKernelNormals/{width}_median")
    if b and "error_occurred" not in b:
        print(f"| Philox4x32-10 + Box-Muller, {width} lanes | {b['items_per_second'] / 1e6:.1f} |")
print(f"| Philox4x64-10 + Boost ziggurat (format 1) | {rate('ZigguratNormals'):.1f} |")
PY
