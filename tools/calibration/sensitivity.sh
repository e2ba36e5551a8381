#!/bin/sh
# One-at-a-time sensitivities of configs/russia-2025.yaml with the NumPy re-implementation.
# Usage: sh tools/calibration/sensitivity.sh [paths]   (from the repository root; needs numpy + PyYAML)
PY=${PYTHON:-/usr/bin/python3}
N=${1:-40000}
run() { $PY tools/calibration/check_scenarios.py configs/russia-2025.yaml --paths "$N" --seed 7 --brief "$@"; }
run
run --set spending.ceasefire.hazard_per_year=0
run --set spending.ceasefire.hazard_per_year=0.5
run --set default.gap_threshold=0.01
run --set default.gap_threshold=0.03
run --set banks.absorption_monthly=245
run --set banks.absorption_monthly=520
run --set banks.saturation=15000
run --set spending.base_monthly=3286
run --set spending.base_monthly=3680
run --set spending.volatility=0.025 --set revenue.non_oil.volatility=0.02
run --set oil.mean_reversion=0.25
run --set oil.mean_reversion=1.87
run --set oil.volatility=0.30
run --set oil.jump_intensity=0
run --set oil.long_run_mean=58
run --set fx.oil_elasticity=-0.6
run --set fx.drift=0.03
run --set revenue.oil_gas.price_floor=0
run --set revenue.oil_gas.base_monthly=846
run --set "spending.seasonality=[1,1,1,1,1,1,1,1,1,1,1,1]"
run --set fx.x0=88.5
