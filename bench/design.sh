#!/usr/bin/env bash
# Issue #12's design: the Sobol sensitivity of the default scenario to its eight priors
# (tools/calibration/default-priors.txt), N rows x M inner paths, against the engine's
# throughput on a plain run measured just before, on the same threads: wall time, the
# time that throughput implies, and peak memory, which must not grow with N x M.
# Usage: bash bench/design.sh [OUT_DIR]   (default bench/results)
#   SOVRISK_DESIGN_ROWS (default "256 1024"), SOVRISK_DESIGN_INNER (2000),
#   SOVRISK_DESIGN_THREADS (2)
# Writes OUT_DIR/design.csv and prints a Markdown table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-bench/results}
mkdir -p "$out"
command -v /usr/bin/time > /dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 1; }
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target sovrisk > /dev/null

config=configs/russia-2025.yaml
inner=${SOVRISK_DESIGN_INNER:-2000}
threads=${SOVRISK_DESIGN_THREADS:-2}
priors=()
while IFS= read -r prior; do
  case $prior in '' | '#'*) continue ;; esac
  priors+=(--set "$prior")
done < tools/calibration/default-priors.txt
parameters=$((${#priors[@]} / 2))
months=$(build/sovrisk run "$config" --dry-run | sed -n 's/^ *months: *//p' | head -n 1)

# Seconds of wall time and peak RSS (MB) of a command, from /usr/bin/time -v.
measure() {
  /usr/bin/time -v "$@" > /dev/null 2> "$out/time.log"
  /usr/bin/python3 - "$out/time.log" <<'PY'
import sys
text = open(sys.argv[1]).read()
wall = next(l for l in text.splitlines() if "Elapsed (wall clock)" in l).split(": ")[-1]
rss = next(l for l in text.splitlines() if "Maximum resident set size" in l).split(": ")[-1]
seconds = sum(float(v) * 60 ** i for i, v in enumerate(reversed(wall.split(":"))))
print(f"{seconds} {int(rss) / 1024:.1f}")
PY
}

plain_paths=1000000
read -r plain_wall plain_rss < <(measure build/sovrisk run "$config" --paths "$plain_paths" \
  --threads "$threads" -q -o "$out/design-plain.h5")
plain_rate=$(/usr/bin/python3 -c "print($plain_paths * $months / $plain_wall)")
echo "rows,parameters,inner,threads,points,path_months,wall_seconds,implied_seconds,peak_rss_mb,plain_rate,plain_rss_mb" \
  > "$out/design.csv"
for rows in ${SOVRISK_DESIGN_ROWS:-256 1024}; do
  read -r wall rss < <(measure build/sovrisk sensitivity "$config" "${priors[@]}" -N "$rows" \
    -M "$inner" --threads "$threads" -q -o "$out/design-sens.h5")
  /usr/bin/python3 -c "
points = $rows * ($parameters + 2)
path_months = points * $inner * $months
print(f'$rows,$parameters,$inner,$threads,{points},{path_months},$wall,'
      f'{path_months / $plain_rate:.1f},$rss,$plain_rate,$plain_rss')" >> "$out/design.csv"
done
rm -f "$out/time.log" "$out/design-plain.h5" "$out/design-sens.h5"

/usr/bin/python3 - "$out/design.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"plain run: {float(rows[0]['plain_rate']) / 1e6:.2f} million path-months/s on "
      f"{rows[0]['threads']} threads, {rows[0]['plain_rss_mb']} MB peak RSS")
print("| N | K | M | points | paths | path-months | wall s | implied s | wall / implied | peak RSS MB |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    points, inner = int(r["points"]), int(r["inner"])
    wall, implied = float(r["wall_seconds"]), float(r["implied_seconds"])
    print(f"| {int(r['rows']):,} | {r['parameters']} | {inner:,} | {points:,} | "
          f"{points * inner:.2e} | {int(r['path_months']):.2e} | {wall:.1f} | {implied:.1f} | "
          f"{wall / implied:.2f} | {r['peak_rss_mb']} |")
PY
