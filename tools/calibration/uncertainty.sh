#!/bin/sh
# The default scenario, configs/russia-2025.yaml, with uniform priors over the ranges of the
# one-at-a-time sensitivities of docs/calibration.md §8.5 (and §4 for the ceasefire hazard and
# the default threshold; tools/calibration/default-priors.txt): the probability integrated
# over the priors, the parametric band and the Sobol indices of docs/calibration.md §9.
# Usage, from the repository root once the program is built (README.md):
#   sh tools/calibration/uncertainty.sh [PATHS] [OUTER] [INNER] [ROWS]
# defaults 100000 paths for the integrated run, a band of 200 points x 2000 paths, and a
# Sobol design of 256 rows x 2000 paths. $SOVRISK overrides build/sovrisk; files go to $OUT
# (default: the current directory).
set -eu
sovrisk=${SOVRISK:-build/sovrisk}
out=${OUT:-.}
paths=${1:-100000}
outer=${2:-200}
inner=${3:-2000}
rows=${4:-256}
# One --set per line of tools/calibration/default-priors.txt, comments and blank lines skipped.
set --
while IFS= read -r prior; do
  case $prior in '' | '#'*) continue ;; esac
  set -- "$@" --set "$prior"
done < tools/calibration/default-priors.txt
"$sovrisk" run configs/russia-2025.yaml --paths "$paths" -o "$out/russia-2025-priors.h5" "$@"
"$sovrisk" run configs/russia-2025.yaml --outer "$outer" --inner "$inner" \
  -o "$out/russia-2025-band.h5" "$@"
"$sovrisk" sensitivity configs/russia-2025.yaml -N "$rows" -M "$inner" \
  -o "$out/russia-2025-sens.h5" "$@"
