#!/usr/bin/env python3
"""The tables of docs/validation.md from a backtest result and the csv.

    sovrisk replay configs/backtest-2022-v1.yaml configs/history-2022-2024.csv -o backtest-2022-v1-replay.h5
    /usr/bin/python3 tools/calibration/backtest_table.py backtest-2022-v1-replay.h5 [CSV]   (default: data/russia-fiscal.csv)

Needs h5py (Debian's python3-h5py, as tools/sovrisk-plot). A stock "on YYYY-MM-01"
is compared with the model's fund at the end of the month before, F_t.
"""
import csv
import os
import re
import sys

import h5py

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CSV = os.path.join(ROOT, "data", "russia-fiscal.csv")


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    return float(text.lstrip("~"))


def main():
    result_path = sys.argv[1]
    csv_path = sys.argv[2] if len(sys.argv) > 2 else CSV
    rows = load(csv_path)
    f = h5py.File(result_path, "r")
    months = [m.decode() if isinstance(m, bytes) else m for m in f["/time/month"][()]]
    paths = {v: f["/sample_paths/" + v][()] for v in ("fund", "need", "bank_absorbed", "unfinanced")}
    for v, values in paths.items():
        assert (values == values[0]).all(), f"{v} differs across paths: the history must observe the budget and banks"
    fund, need, absorbed = paths["fund"][0], paths["need"][0], paths["bank_absorbed"][0]
    liquid0 = fund[0] + need[0] - absorbed[0] if need[0] > 0 else fund[0] + need[0]

    # Observed liquid NWF: stocks on the first of a month, in trn RUB.
    observed = []
    for r in rows:
        if r["series"] != "NWF_liquid":
            continue
        date = r["date_or_period"]
        m = re.match(r"(\d{4})-(\d{2})-01", date)
        if not m:
            continue
        year, month = int(m.group(1)), int(m.group(2))
        previous = f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"
        t = months.index(previous) if previous in months else None
        observed.append((date, r["value"], t))

    print("| `NWF_liquid` row (stock on) | observed, trn RUB | model F_t, trn RUB | F_t at the end of | model − observed | model / observed |")
    print("|---|---|---|---|---|---|")
    for date, text, t in observed:
        if t is None and not date.startswith(months[0] + "-01"):
            continue
        value = number(text)
        simulated = liquid0 / 1000 if t is None else fund[t] / 1000
        end_of = "(start, F_-1)" if t is None else months[t]
        print(f"| `{date}` | {text} | {simulated:.3f} | {end_of} | {simulated - value:+.3f} | {simulated / value:.2f} |")

    # The flows the model moved, per calendar year (RUB bn).
    print("\n| year | net need ΣN | need in deficit months | surplus in surplus months (saved to F) | banks' capacity ΣC | absorbed ΣB | capacity unused | fund withdrawals ΣW | F at year end |")
    print("|---|---|---|---|---|---|---|---|---|")
    history_text = f.attrs["history_csv"]
    history_text = history_text.decode() if isinstance(history_text, bytes) else history_text
    lines = [line for line in history_text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    capacity = {r["month"].strip(): float(r["bank_absorption"] or 0)
                for r in csv.DictReader(lines, skipinitialspace=True)}
    totals = [0.0] * 6
    for year in sorted({m[:4] for m in months}):
        ts = [t for t, m in enumerate(months) if m.startswith(year)]
        deficit = sum(need[t] for t in ts)
        positive = sum(need[t] for t in ts if need[t] > 0)
        surplus = -sum(need[t] for t in ts if need[t] <= 0)
        cap = sum(capacity.get(months[t], 0.0) for t in ts)
        used = sum(absorbed[t] for t in ts)
        withdrawn = sum(need[t] - absorbed[t] for t in ts if need[t] > 0)
        for i, v in enumerate((deficit, positive, surplus, cap, used, withdrawn)):
            totals[i] += v
        print(f"| {year} | {deficit:.0f} | {positive:.0f} | {surplus:.0f} | {cap:.0f} | {used:.0f} | {cap - used:.0f} | "
              f"{withdrawn:.0f} | {fund[ts[-1]]:.0f} |")
    d, p, s, c, u, w = totals
    print(f"| 2022–24 | {d:.0f} | {p:.0f} | {s:.0f} | {c:.0f} | {u:.0f} | {c - u:.0f} | {w:.0f} | {fund[-1]:.0f} |")
    print(f"\nif every ruble of net borrowing had financed the deficit: F at the end = {liquid0:.0f} - ({d:.0f} - {c:.0f})"
          f" = {liquid0 - (d - c):.0f} RUB bn")

    # Valuation: liquid NWF rows with both a RUB and a USD figure.
    print("\n| stock on | trn RUB | bn USD | implied RUB/USD | change, trn RUB | of which revaluation (USD_prev x change of rate) | of which flows at the new rate |")
    print("|---|---|---|---|---|---|---|")
    pairs = []
    for r in rows:
        if r["series"] != "NWF_liquid" or not re.match(r"\d{4}-\d{2}-01$", r["date_or_period"]):
            continue
        m = re.search(r"\$([\d.]+)bn", r["note"]) or re.search(r"=\$([\d.]+)bn", r["note"])
        if m:
            rub, usd = number(r["value"]), float(m.group(1))
            pairs.append((r["date_or_period"], rub, usd, rub * 1000 / usd))
    reval_total = flow_total = 0.0
    previous = None
    for date, rub, usd, rate in pairs:
        if previous is None or previous[0] < "2023-05-01":
            change = reval = flow = None
        else:
            _, prev_rub, prev_usd, prev_rate = previous
            change, reval, flow = rub - prev_rub, prev_usd * (rate - prev_rate) / 1000, (usd - prev_usd) * rate / 1000
            reval_total += reval
            flow_total += flow
        cells = ["", "", ""] if change is None else [f"{change:+.3f}", f"{reval:+.3f}", f"{flow:+.3f}"]
        print(f"| {date} | {rub:.3f} | {usd:.2f} | {rate:.2f} | " + " | ".join(cells) + " |")
        previous = (date, rub, usd, rate)
    print(f"| 2023-05-01 → 2025-01-01 | | | | {pairs[-1][1] - 6.82:+.3f} | {reval_total:+.3f} | {flow_total:+.3f} |")


if __name__ == "__main__":
    main()
