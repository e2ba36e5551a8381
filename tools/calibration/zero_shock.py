#!/usr/bin/env python3
"""The zero-shock path of docs/calibration.md (§2 for model v1, §8.3 for model v2), from the engine.

    /usr/bin/python3 tools/calibration/zero_shock.py [SOVRISK] [CONFIG]

Runs SOVRISK (default build/sovrisk) on CONFIG (default configs/russia-2025-v1.yaml, model
v1's default scenario) with every shock switched off by --set: no oil, FX, revenue, spending
or bank liquidity noise, no oil jumps, no random ceasefire, no failed auction; in a model-v2
config also no key-rate or gold noise and no failed market auction. Every path is then the
same (two are run to check it). Prints the path's calendar-year averages of oil and the
ruble and its flows in RUB trn; S is the new debt banks absorbed since the start. A model-v2
config adds the interest, the gross need (need plus redemptions), and the treasury cash and
debt/GDP at the year's end.
Needs h5py and PyYAML (Debian's python3-h5py and python3-yaml, as tools/sovrisk-plot).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import yaml

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
NO_SHOCKS = [
    "oil.volatility=0", "oil.jump_intensity=0", "fx.volatility=0",
    "revenue.non_oil.volatility=0", "spending.volatility=0",
    "spending.ceasefire.hazard_per_year=0", "banks.volatility=0",
    "banks.auction_fail_base=0", "banks.auction_fail_slope=0",
]
# Model v2's shocks, by the section that has them: set only where the section is given,
# since setting a key of a missing section would create it.
NO_SHOCKS_V2 = {
    "key_rate": ["key_rate.volatility=0"],
    "fund_valuation": ["fund_valuation.gold_volatility=0"],
    "market": ["market.auction_fail_base=0", "market.auction_fail_slope=0"],
}
V2_COLUMNS = ("interest", "gross_need", "treasury_cash", "debt_to_gdp")


def main():
    sovrisk = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "sovrisk")
    config = (sys.argv[2] if len(sys.argv) > 2
              else os.path.join(ROOT, "configs", "russia-2025-v1.yaml"))
    with open(config) as f:
        sections = yaml.safe_load(f)
    settings = NO_SHOCKS + [s for section, extra in NO_SHOCKS_V2.items() if section in sections
                            for s in extra]
    with tempfile.TemporaryDirectory() as scratch:
        result = os.path.join(scratch, "zero-shock.h5")
        overrides = [arg for setting in settings for arg in ("--set", setting)]
        subprocess.run([sovrisk, "run", config, "--paths", "2", "--sample-paths", "2", "-q", "-o", result]
                       + overrides, check=True, stdout=subprocess.DEVNULL)
        with h5py.File(result, "r") as f:
            months = [m.decode() if isinstance(m, bytes) else m for m in f["/time/month"][()]]
            names = ["oil_price", "fx", "need", "bank_absorbed", "fund"]
            names += [v for v in V2_COLUMNS if "/sample_paths/" + v in f]
            path = {}
            for v in names:
                both = f["/sample_paths/" + v][()]
                assert (both[0] == both[1]).all(), f"{v} differs across paths: a shock is still on"
                path[v] = both[0]
    v2 = "interest" in path
    header = "| year | Urals $/bbl | RUB/USD | need N | banks B | fund end | S end |"
    if v2:
        header += " interest | gross need | cash end | debt/GDP end |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    stock = 0.0
    for year in sorted({m[:4] for m in months}):
        idx = [i for i, m in enumerate(months) if m.startswith(year)]
        first, last = (MONTHS[int(months[i][5:7]) - 1] for i in (idx[0], idx[-1]))
        label = year if len(idx) == 12 else f"{year} {first}–{last}"
        banks = sum(path["bank_absorbed"][i] for i in idx) / 1000
        stock += banks
        line = (f"| {label} | {sum(path['oil_price'][i] for i in idx) / len(idx):.1f} "
                f"| {sum(path['fx'][i] for i in idx) / len(idx):.1f} "
                f"| {sum(path['need'][i] for i in idx) / 1000:.2f} | {banks:.2f} "
                f"| {path['fund'][idx[-1]] / 1000:.2f} | {stock:.2f} |")
        if v2:
            line += (f" {sum(path['interest'][i] for i in idx) / 1000:.2f} "
                     f"| {sum(path['gross_need'][i] for i in idx) / 1000:.2f} "
                     f"| {path['treasury_cash'][idx[-1]] / 1000:.2f} "
                     f"| {path['debt_to_gdp'][idx[-1]]:.1f} % |")
        print(line)


if __name__ == "__main__":
    main()
