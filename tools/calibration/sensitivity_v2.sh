#!/bin/sh
# One-at-a-time sensitivities of the model-v2 default scenario, configs/russia-2025.yaml, run
# by the engine: the table of docs/calibration.md §8.5, printed as Markdown (cumulative
# probabilities in %; "2031" is the end of the run, February 2031). The last column counts the
# paths with a bank crisis and those with a default by 2031 (a bank crisis is judged in the
# default month only, so their ratio is P(bank crisis | default)).
# Usage, from the repository root once the program is built (README.md):
#   sh tools/calibration/sensitivity_v2.sh [PATHS]
# PATHS defaults to 100000, the config's; the seed is the config's, so every row uses the same
# random numbers. $SOVRISK overrides build/sovrisk.
set -eu
sovrisk=${SOVRISK:-build/sovrisk}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
row() {
  label=$1
  shift
  "$sovrisk" run configs/russia-2025.yaml --paths "$paths" -q -o "$scratch/run.h5" "$@" > /dev/null
  "$sovrisk" summary --format csv "$scratch/run.h5" | awk -F, -v label="$label" -v paths="$paths" '
    { p[$2, $1] = 100 * $3 }
    END {
      conditional = sprintf("%.0f / %.0f", p["bank_crisis", 2031] * paths / 100, p["default", 2031] * paths / 100)
      printf "| %s | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f | %s |\n", label, p["depletion", 2025],
             p["depletion", 2026], p["depletion", 2031], p["default", 2031], p["monetisation", 2031],
             p["bank_crisis", 2031], conditional
    }'
}
paths=${1:-100000}
echo "| change | depletion 2025 | depletion 2026 | depletion 2031 | default 2031 | monetisation 2031 | bank crisis 2031 | crisis / default paths |"
echo "|---|---|---|---|---|---|---|---|"
row "baseline"
row "market capacity 340 (2024 plan, 4.07 trn/12)" --set market.capacity0=340
row "no central-bank financing" --set plan_d.central_bank_share=0
row "capacity 340, no central-bank financing" --set market.capacity0=340 --set plan_d.central_bank_share=0
row "no fiscal reaction" --set fiscal.reaction=0
row "pending0 0 (2024's extra revenue not credited)" --set budget_rule.pending0=0
row "no treasury cash (cash0 0)" --set treasury.cash0=0
row "key rate held at 21 %" --set 'key_rate.path=[{from: "2024-10", rate: 0.21}]'
row "fixed coupon 0.10" --set market.fixed_coupon=0.10
row "O&G base 846 (2025-law yield)" --set revenue.oil_gas.base_monthly=846
row "spending law + full 2024 overrun (3389)" --set spending.base_monthly=3389
row "ceasefire hazard 0" --set spending.ceasefire.hazard_per_year=0
row "P̄ 55" --set oil.long_run_mean=55
row "oil crash: Urals 43, x0 106.9 (as oil-crash.yaml)" --set oil.p0=43 --set oil.long_run_mean=43 --set fx.x0=106.9
row "oil crash, capacity 340, no central-bank financing" --set oil.p0=43 --set oil.long_run_mean=43 \
  --set fx.x0=106.9 --set market.capacity0=340 --set plan_d.central_bank_share=0
row "gap_threshold 0.01" --set default.gap_threshold=0.01
