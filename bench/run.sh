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
floor=$(/usr/bin/python3 -c "
import json; b = json.load(open('$out/micro.json'))['benchmarks']
print(next(x['items_per_second'] for x in b if x['name'] == 'RandomNumberFloor_median'))")

config=configs/russia-2025.yaml
months=$(build/sovrisk run "$config" --dry-run | sed -n 's/^ *months: *//p' | head -n 1)
echo "paths,threads,wall_seconds,path_months_per_second,peak_rss_mb" > "$out/end_to_end.csv"
for paths in ${SOVRISK_BENCH_PATHS:-100000 1000000 10000000}; do
  for threads in 1 2; do
    log=$(mktemp)
    /usr/bin/time -v build/sovrisk run "$config" --paths "$paths" --threads "$threads" -q \
      -o "$out/bench.h5" > "$log" 2> "$log.time"
    wall=$(sed -n 's/^wrote .*(\([0-9.e+-]*\) s on.*/\1/p' "$log")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log.time")
    echo "$paths,$threads,$wall,$(/usr/bin/python3 -c "print($paths * $months / $wall)"),$(/usr/bin/python3 -c "print(round($rss / 1024, 1))")" \
      >> "$out/end_to_end.csv"
    rm -f "$log" "$log.time"
  done
done
rm -f "$out/bench.h5"

/usr/bin/python3 - "$out" "$floor" <<'PY'
import csv, sys
out, floor = sys.argv[1], float(sys.argv[2])
rows = list(csv.DictReader(open(f"{out}/end_to_end.csv")))
print(f"random-number floor (one thread): {floor / 1e6:.2f} million path-months/s\n")
print("| paths | threads | wall s | million path-months/s | per core | peak RSS MB | time / floor time |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    rate, threads = float(r["path_months_per_second"]), int(r["threads"])
    print(f"| {int(r['paths']):,} | {threads} | {float(r['wall_seconds']):.2f} | {rate / 1e6:.2f} | "
          f"{rate / threads / 1e6:.2f} | {r['peak_rss_mb']} | {floor * threads / rate:.2f} |")
PY
/usr/bin/python3 bench/plot.py "$out/end_to_end.csv" docs/performance.png
