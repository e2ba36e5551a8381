#!/bin/sh
# One-at-a-time sensitivities of model v1's default scenario, configs/russia-2025-v1.yaml, run
# by the engine: the table of docs/calibration.md §4, printed as Markdown (cumulative
# probabilities in %). Model v2's default scenario: sensitivity_v2.sh.
# Usage, from the repository root once the program is built (README.md):
#   sh tools/calibration/sensitivity.sh [PATHS]
# PATHS defaults to the config's (100000); the seed is the config's, so every row uses the same
# random numbers and the baseline row is the run of §2. $SOVRISK overrides build/sovrisk.
set -eu
sovrisk=${SOVRISK:-build/sovrisk}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
row() {
  label=$1
  shift
  "$sovrisk" run configs/russia-2025-v1.yaml ${paths:+--paths "$paths"} -q -o "$scratch/run.h5" "$@" > /dev/null
  "$sovrisk" summary --format csv "$scratch/run.h5" | awk -F, -v label="$label" '
    $2 == "depletion" { depletion[$1] = 100 * $3 }
    $2 == "default" { default[$1] = 100 * $3 }
    END {
      printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", label, depletion[2025], depletion[2026],
             depletion[2031], default[2026], default[2031]
    }'
}
paths=${1:-}
echo "| change | depletion 2025 | depletion 2026 | depletion 2031 | default 2026 | default 2031 |"
echo "|---|---|---|---|---|---|"
row "baseline"
row "ceasefire hazard 0" --set spending.ceasefire.hazard_per_year=0
row "ceasefire hazard 0.5" --set spending.ceasefire.hazard_per_year=0.5
row "gap_threshold 0.01" --set default.gap_threshold=0.01
row "gap_threshold 0.03" --set default.gap_threshold=0.03
row "absorption 245 (2024 average)" --set banks.absorption_monthly=245
row "absorption 520 (Q4-2024 plan)" --set banks.absorption_monthly=520
row "saturation 15000" --set banks.saturation=15000
row "spending at the 2025 law (g₀ 3286)" --set spending.base_monthly=3286
row "spending law + full 2024 overrun (g₀ 3680)" --set spending.base_monthly=3680
row "σ_G 0.025, σ_N 0.02" --set spending.volatility=0.025 --set revenue.non_oil.volatility=0.02
row "κ 0.25" --set oil.mean_reversion=0.25
row "κ 1.87 (the raw fit)" --set oil.mean_reversion=1.87
row "σ_P 0.30" --set oil.volatility=0.30
row "no oil jumps" --set oil.jump_intensity=0
row "P̄ 58" --set oil.long_run_mean=58
row "β −0.6" --set fx.oil_elasticity=-0.6
row "fx drift 0.03" --set fx.drift=0.03
row "O&G price floor 0" --set revenue.oil_gas.price_floor=0
row "O&G base 846 (2025-law yield)" --set revenue.oil_gas.base_monthly=846
row "no seasonality" --set "spending.seasonality=[1,1,1,1,1,1,1,1,1,1,1,1]"
row "x0 = 88.5 (late-Feb ruble, outside the csv)" --set fx.x0=88.5
