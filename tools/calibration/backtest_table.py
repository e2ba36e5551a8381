#!/usr/bin/env python3
"""The tables of docs/validation.md from a backtest result and the csv.

    sovrisk replay configs/backtest-2022-v1.yaml configs/history-2022-2024.csv -o backtest-2022-v1-replay.h5
    /usr/bin/python3 tools/calibration/backtest_table.py backtest-2022-v1-replay.h5 [CSV]   (default: data/russia-fiscal.csv)

prints the tables of the model-v1 backtest (section 1.3); a result of model v2
(configs/backtest-2022.yaml, section 1.6) gets the tables of section 1.6 instead:
the median fund against every observed stock and the two targets, then the flows
of the budget, the cash and the fund per year.

Needs h5py and PyYAML (Debian's python3-h5py and python3-yaml). A stock "on YYYY-MM-01"
is compared with the model's fund at the end of the month before, F_t.
"""
import csv
import os
import re
import sys

import h5py
import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CSV = os.path.join(ROOT, "data", "russia-fiscal.csv")


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    return float(text.lstrip("~"))


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def observed_stocks(rows, months):
    """(date, csv value text, t): every NWF_liquid stock on the first of a month, with the
    model month t whose end it is (None for the stock before month 0)."""
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
        if t is None and not date.startswith(months[0] + "-01"):
            continue
        observed.append((date, r["value"], t))
    return observed


# Targets of the model-v2 backtest (issue #11): the median fund at the last month within
# this share of the last observed stock, every observed stock within this distance (trn).
END_TOLERANCE = 0.15
MONTH_TOLERANCE = 0.6


def model_v2_tables(f, rows, months):
    fan = f["/fan/fund"][()]
    levels = list(f["/fan/fund"].attrs["quantiles"])
    low, median, high = levels.index(0.05), levels.index(0.5), levels.index(0.95)
    bound = f["/fan_error_bound/fund"][()]
    print("| `NWF_liquid` row (stock on) | observed, trn RUB | model median F_t | 5–95 % | F_t at the end of | median − observed | within 0.6? |")
    print("|---|---|---|---|---|---|---|")
    inside = 0
    stocks = [s for s in observed_stocks(rows, months) if s[2] is not None]
    for date, value_text, t in stocks:
        value, middle = number(value_text), fan[t, median] / 1000
        ok = abs(middle - value) <= MONTH_TOLERANCE
        inside += ok
        print(f"| `{date}` | {value_text} | {middle:.3f} | {fan[t, low] / 1000:.2f}–{fan[t, high] / 1000:.2f} | "
              f"{months[t]} | {middle - value:+.3f} | {'yes' if ok else 'no'} |")
    last_value = number(stocks[-1][1])
    end = fan[-1, median] / 1000
    print(f"\nmedian at {months[-1]}: {end:.3f} trn against {last_value} observed: {end / last_value - 1:+.1%} "
          f"(target within ±{END_TOLERANCE:.0%}: [{last_value * (1 - END_TOLERANCE):.3f}, {last_value * (1 + END_TOLERANCE):.3f}]); "
          f"{inside} of {len(stocks)} observed stocks within {MONTH_TOLERANCE} trn; "
          f"quantile error bound at the end {bound[-1]:.1f} RUB bn, {f.attrs['paths']} paths")

    # The budget, the cash and the borrowing are the same on every path (only the gold
    # price is sampled, and the fund never reaches its floor), so path 0 shows them.
    one = {v: f["/sample_paths/" + v][()] for v in ("treasury_cash", "gross_need", "bank_absorbed", "rule_transfer", "debt")}
    for v, values in one.items():
        assert (values == values[0]).all(), f"{v} differs across paths"
    cash, need, borrowed, rule, debt = (one[v][0] for v in ("treasury_cash", "gross_need", "bank_absorbed", "rule_transfer", "debt"))
    treasury = yaml.safe_load(text(f.attrs["config_yaml"]))["treasury"]
    cash0 = float(treasury["cash0"])
    transfer_in = {entry["month"]: float(entry["amount"]) for entry in treasury.get("fund_transfers", [])}
    domestic = {}
    for r in rows:
        m = re.search(r"domestic ([\d.]+)", r["note"]) if r["series"] == "Public_debt" else None
        if m and r["date_or_period"].endswith("-12-31"):
            domestic[r["date_or_period"][:4]] = float(m.group(1))
    print("\n| year | budget's need ΣN (after the rule) | borrowed ΣB | rule: fund paid shortfalls | rule: saved for next May | fund's transfers into the cash ΣT | fund paid the cash's shortfall ΣW | cash at year end | median fund at year end | debt at year end (observed domestic) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    previous_cash = cash0
    for year in sorted({m[:4] for m in months}):
        ts = [t for t, m in enumerate(months) if m.startswith(year)]
        drawn = transferred = 0.0
        for t in ts:
            transfer = transfer_in.get(months[t], 0.0)  # the fund never nears its floor here
            transferred += transfer
            drawn += max(0.0, -(previous_cash + transfer + borrowed[t] - need[t]))
            previous_cash = cash[t]
        paid = sum(max(-rule[t], 0.0) for t in ts)
        saved = sum(max(rule[t], 0.0) for t in ts)
        observed_debt = f" ({domestic[year]:.2f})" if year in domestic else ""
        print(f"| {year} | {sum(need[t] for t in ts):.0f} | {sum(borrowed[t] for t in ts):.0f} | {paid:.0f} | {saved:.0f} | "
              f"{transferred:.0f} | {drawn:.0f} | {cash[ts[-1]]:.0f} | {fan[ts[-1], median]:.0f} | {debt[ts[-1]] / 1000:.2f}{observed_debt} |")


def main():
    result_path = sys.argv[1]
    csv_path = sys.argv[2] if len(sys.argv) > 2 else CSV
    rows = load(csv_path)
    f = h5py.File(result_path, "r")
    months = [text(m) for m in f["/time/month"][()]]
    if "treasury_cash" in [text(v) for v in f.attrs.get("variables", [])]:
        model_v2_tables(f, rows, months)
        return
    paths = {v: f["/sample_paths/" + v][()] for v in ("fund", "need", "bank_absorbed", "unfinanced")}
    for v, values in paths.items():
        assert (values == values[0]).all(), f"{v} differs across paths: the history must observe the budget and banks"
    fund, need, absorbed = paths["fund"][0], paths["need"][0], paths["bank_absorbed"][0]
    liquid0 = fund[0] + need[0] - absorbed[0] if need[0] > 0 else fund[0] + need[0]

    observed = observed_stocks(rows, months)

    print("| `NWF_liquid` row (stock on) | observed, trn RUB | model F_t, trn RUB | F_t at the end of | model − observed | model / observed |")
    print("|---|---|---|---|---|---|")
    for date, value_text, t in observed:
        value = number(value_text)
        simulated = liquid0 / 1000 if t is None else fund[t] / 1000
        end_of = "(start, F_-1)" if t is None else months[t]
        print(f"| `{date}` | {value_text} | {simulated:.3f} | {end_of} | {simulated - value:+.3f} | {simulated / value:.2f} |")

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
