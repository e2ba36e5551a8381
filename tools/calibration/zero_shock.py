#!/usr/bin/env python3
"""The zero-shock path of docs/calibration.md §2, from the engine.

    /usr/bin/python3 tools/calibration/zero_shock.py [SOVRISK] [CONFIG]

Runs SOVRISK (default build/sovrisk) on CONFIG (default configs/russia-2025.yaml)
with every shock switched off by --set: no oil, FX, revenue, spending or bank
liquidity noise, no oil jumps, no random ceasefire, no failed auction. Every path
is then the same (two are run to check it). Prints the path's calendar-year
averages of oil and the ruble and its flows in RUB trn; S is the new debt banks
absorbed since the start.
Needs h5py (Debian's python3-h5py, as tools/sovrisk-plot).
"""
import os
import subprocess
import sys
import tempfile

import h5py

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
NO_SHOCKS = [
    "oil.volatility=0", "oil.jump_intensity=0", "fx.volatility=0",
    "revenue.non_oil.volatility=0", "spending.volatility=0",
    "spending.ceasefire.hazard_per_year=0", "banks.volatility=0",
    "banks.auction_fail_base=0", "banks.auction_fail_slope=0",
]


def main():
    sovrisk = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "sovrisk")
    config = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "configs", "russia-2025.yaml")
    with tempfile.TemporaryDirectory() as scratch:
        result = os.path.join(scratch, "zero-shock.h5")
        overrides = [arg for setting in NO_SHOCKS for arg in ("--set", setting)]
        subprocess.run([sovrisk, "run", config, "--paths", "2", "--sample-paths", "2", "-q", "-o", result]
                       + overrides, check=True, stdout=subprocess.DEVNULL)
        with h5py.File(result, "r") as f:
            months = [m.decode() if isinstance(m, bytes) else m for m in f["/time/month"][()]]
            path = {}
            for v in ("oil_price", "fx", "need", "bank_absorbed", "fund"):
                both = f["/sample_paths/" + v][()]
                assert (both[0] == both[1]).all(), f"{v} differs across paths: a shock is still on"
                path[v] = both[0]
    print("| year | Urals $/bbl | RUB/USD | need N | banks B | fund end | S end |")
    print("|---|---|---|---|---|---|---|")
    stock = 0.0
    for year in sorted({m[:4] for m in months}):
        idx = [i for i, m in enumerate(months) if m.startswith(year)]
        first, last = (MONTHS[int(months[i][5:7]) - 1] for i in (idx[0], idx[-1]))
        label = year if len(idx) == 12 else f"{year} {first}–{last}"
        banks = sum(path["bank_absorbed"][i] for i in idx) / 1000
        stock += banks
        print(f"| {label} | {sum(path['oil_price'][i] for i in idx) / len(idx):.1f} "
              f"| {sum(path['fx'][i] for i in idx) / len(idx):.1f} "
              f"| {sum(path['need'][i] for i in idx) / 1000:.2f} | {banks:.2f} "
              f"| {path['fund'][idx[-1]] / 1000:.2f} | {stock:.2f} |")


if __name__ == "__main__":
    main()
