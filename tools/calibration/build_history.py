#!/usr/bin/env python3
"""Builds configs/history-2022-2024.csv, the observed history of the backtest.

Every number is read from the csv (series + date_or_period, or a figure quoted in
a row's note) and the arithmetic is printed, so docs/validation.md can be checked
line by line. Standard library only:

    python3 tools/calibration/build_history.py [CSV] [-o OUT.csv]   (default CSV: data/russia-fiscal.csv)

Method (docs/validation.md, "The history"): the csv has annual budget totals and
a few year-to-date (YTD) figures per year, not a monthly series. For each series
and year, the YTD anchors cut the year into blocks; a single-month row fixes its
month, and the rest of a block is spread over its other months: revenue evenly,
spending in proportion to the seasonal factors of configs/russia-2025-v1.yaml
(themselves derived from the 2023-24 YTD spending rows, docs/calibration.md).
Every month that a row does not give by itself is interpolated in this sense and
is marked so in the `note` column.
"""
import csv
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CSV = os.path.join(ROOT, "data", "russia-fiscal.csv")
DEFAULT_OUT = os.path.join(ROOT, "configs", "history-2022-2024.csv")
SEASONALITY_FROM = os.path.join(ROOT, "configs", "russia-2025-v1.yaml")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ROWS = {}


def load(path):
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            ROWS.setdefault((r["series"], r["date_or_period"]), []).append(r)


def pick(series, date, source=None):
    """The csv row; where two sources give the same series and date, `source`
    (a part of its address) says which one."""
    candidates = [r for r in ROWS[(series, date)] if source is None or source in r["source"]]
    assert len(candidates) == 1, (series, date, source, len(candidates))
    return candidates[0]


def row(series, date, source=None):
    """The row's value as a number ('~' stripped)."""
    return float(pick(series, date, source)["value"].lstrip("~"))


def note(series, date, pattern, source=None):
    """A number quoted in the row's note, found by a regex with one group."""
    text = pick(series, date, source)["note"]
    m = re.search(pattern, text)
    assert m, (series, date, pattern, text)
    return float(m.group(1))


def seasonality():
    """spending.seasonality of configs/russia-2025-v1.yaml, January first."""
    with open(SEASONALITY_FROM) as f:
        m = re.search(r"^\s*seasonality:\s*\[([^\]]*)\]", f.read(), re.M)
    values = [float(v) for v in m.group(1).split(",")]
    assert len(values) == 12
    return values


def block_name(first, last):
    return MONTHS[first - 1] if first == last else f"{MONTHS[first - 1]}-{MONTHS[last - 1]}"


def spread(anchors, fixed=None, weights=None):
    """Monthly flows 1..12 from YTD anchors {last month: YTD} (12 must be one),
    single-month flows {month: flow} and within-block weights (January first).
    Returns (flows, how) with how[m] = 'row' (a single-month figure), 'ytd' (a
    one-month block: the difference of YTD figures) or the block it was spread over."""
    fixed = fixed or {}
    assert 12 in anchors
    flows, how = {}, {}
    previous_month, previous_ytd = 0, 0.0
    for last in sorted(anchors):
        months = list(range(previous_month + 1, last + 1))
        rest = [m for m in months if m not in fixed]
        remaining = anchors[last] - previous_ytd - sum(fixed[m] for m in months if m in fixed)
        total_weight = sum(weights[m - 1] if weights else 1.0 for m in rest)
        for m in months:
            if m in fixed:
                flows[m], how[m] = fixed[m], "row"
            elif len(months) == 1:
                flows[m], how[m] = remaining, "ytd"  # a difference of YTD figures: not interpolated
            else:
                flows[m] = remaining * (weights[m - 1] if weights else 1.0) / total_weight
                how[m] = block_name(months[0], months[-1])
        previous_month, previous_ytd = last, anchors[last]
    return flows, how


def ytd(flows, month):
    return sum(flows[m] for m in range(1, month + 1))


def build_year(year, og_anchors, og_fixed, revenue_anchors, spending_anchors, deficit_anchors, weights):
    """One year's monthly oil-gas revenue, non-oil revenue and spending, RUB bn.
    Revenue anchors fix non-oil revenue as revenue minus the oil-gas revenue to
    date; deficit anchors without a spending row fix spending as revenue to date
    plus the deficit to date."""
    og, og_how = spread(og_anchors, og_fixed)
    non_oil_anchors = {m: revenue_anchors[m] - ytd(og, m) for m in revenue_anchors}
    non_oil, non_oil_how = spread(non_oil_anchors)
    revenue = {m: og[m] + non_oil[m] for m in og}
    spending_all = dict(spending_anchors)
    for m, deficit in deficit_anchors.items():
        if m not in spending_all:
            spending_all[m] = ytd(revenue, m) + deficit
    spending, spending_how = spread(spending_all, weights=weights)
    print(f"\n{year}: YTD anchors (RUB bn, month: value)")
    print(f"   oil-gas revenue  {fmt(og_anchors)}  single months {fmt(og_fixed)}")
    print(f"   revenue          {fmt(revenue_anchors)}")
    print(f"   non-oil = revenue - oil-gas to date  {fmt(non_oil_anchors)}")
    print(f"   spending (rows)  {fmt(spending_anchors)}")
    print(f"   deficit to date  {fmt(deficit_anchors)}  -> spending = revenue to date + deficit: "
          f"{fmt({m: spending_all[m] for m in deficit_anchors if m not in spending_anchors})}")
    print("   month   oil-gas  non-oil  spending   deficit   (how: oil-gas / non-oil / spending)")
    for m in range(1, 13):
        print(f"   {MONTHS[m - 1]}   {og[m]:8.1f} {non_oil[m]:8.1f} {spending[m]:9.1f} {spending[m] - revenue[m]:9.1f}"
              f"   {og_how[m]} / {non_oil_how[m]} / {spending_how[m]}")
    total_og, total_non_oil, total_spending = ytd(og, 12), ytd(non_oil, 12), ytd(spending, 12)
    print(f"   year    {total_og:8.1f} {total_non_oil:8.1f} {total_spending:9.1f} "
          f"{total_spending - total_og - total_non_oil:9.1f}")
    return {m: {"og": og[m], "non_oil": non_oil[m], "spending": spending[m],
                "how": f"og {og_how[m]}; non-oil {non_oil_how[m]}; spending {spending_how[m]}"}
            for m in range(1, 13)}


def fmt(d):
    return "{" + ", ".join(f"{MONTHS[m - 1]}: {v:.1f}" for m, v in sorted(d.items())) + "}"


def main():
    args = sys.argv[1:]
    out = DEFAULT_OUT
    if "-o" in args:
        i = args.index("-o")
        out = args[i + 1]
        del args[i:i + 2]
    path = args[0] if args else CSV
    load(path)
    print(f"csv: {os.path.relpath(path)}")
    T = 1000.0  # trn -> RUB bn
    weights = seasonality()
    print(f"within-block spending weights = spending.seasonality of configs/russia-2025-v1.yaml: {weights}")

    # ---------------- 2022 ----------------
    # Annual: revenue ~28 trn and deficit 3.3 trn (FedBudget_deficit 2022 and its note),
    # so spending = 31.3 trn. Jan deficit 0.125 (FedBudget_deficit 2022-01). The December
    # deficit alone was 3.9 trn (FedBudget_deficit 2022-12), so Jan-Nov = 3.3 - 3.9.
    rev22 = note("FedBudget_deficit", "2022", r"revenue ~([\d.]+)") * T
    def22 = row("FedBudget_deficit", "2022") * T
    dec22 = row("FedBudget_deficit", "2022-12") * T
    y2022 = build_year(
        2022,
        og_anchors={12: row("OG_revenue", "2022") * T},
        og_fixed={2: note("OG_revenue", "2023-02", r"Feb 2022 was ([\d.]+) bn")},
        revenue_anchors={12: rev22},
        spending_anchors={12: rev22 + def22},
        deficit_anchors={1: row("FedBudget_deficit", "2022-01") * T, 11: def22 - dec22},
        weights=weights)

    # ---------------- 2023 ----------------
    exp_a4 = note("FedBudget_deficit", "2023-01..04", r"exp ([\d.]+)") * T
    y2023 = build_year(
        2023,
        og_anchors={1: row("OG_revenue", "2023-01") * T,
                    2: (row("OG_revenue", "2023-01") + row("OG_revenue", "2023-02")) * T,
                    3: note("FedBudget_deficit", "2023-Q1", r"O&G ([\d.]+)") * T,
                    4: note("FedBudget_deficit", "2023-01..04", r"O&G rev ([\d.]+)") * T,
                    6: note("FedBudget_deficit", "2023-H1", r"O&G ([\d.]+)") * T,
                    8: row("OG_revenue", "2023-01..08") * T,
                    12: row("OG_revenue", "2023") * T},
        og_fixed={},
        revenue_anchors={3: note("FedBudget_deficit", "2023-Q1", r"rev ([\d.]+)") * T,
                         4: exp_a4 - row("FedBudget_deficit", "2023-01..04") * T,
                         6: note("FedBudget_deficit", "2023-H1", r"rev ([\d.]+)") * T,
                         8: note("FedBudget_deficit", "2023-01..08", r"rev ([\d.]+)") * T,
                         12: row("FedBudget_revenue", "2023") * T},
        spending_anchors={3: note("FedBudget_deficit", "2023-Q1", r"exp ([\d.]+)") * T,
                          4: exp_a4,
                          6: note("FedBudget_deficit", "2023-H1", r"exp ([\d.]+)") * T,
                          8: note("FedBudget_deficit", "2023-01..08", r"exp ([\d.]+)") * T,
                          12: row("FedBudget_expenditure", "2023") * T},
        deficit_anchors={1: row("FedBudget_deficit", "2023-01") * T},
        weights=weights)
    a8_def_row = row("FedBudget_deficit", "2023-01..08")
    print(f"   check: Jan-Aug 2023 deficit row {a8_def_row} trn, but its note's exp - rev = "
          f"{note('FedBudget_deficit', '2023-01..08', r'exp ([0-9.]+)') - note('FedBudget_deficit', '2023-01..08', r'rev ([0-9.]+)'):.3f}; "
          "the note's revenue and spending are used")

    # ---------------- 2024 ----------------
    # Jan deficit: 0.124 (FedBudget_deficit 2024-01, the revised figure; the 0.308 row is the
    # first estimate, whose note gives Jan O&G revenue 0.675). Jan-Feb: spending ~6.5,
    # deficit ~1.5 (FedBudget_deficit 2024-01..02 and note), so revenue ~5.0.
    jf_exp = note("FedBudget_deficit", "2024-01..02", r"spending ~([\d.]+)") * T
    jf_def = row("FedBudget_deficit", "2024-01..02") * T
    jan24_og = note("FedBudget_deficit", "2024-01", r"O&G ([\d.]+)", source="agenzianova")
    jan24_deficit = row("FedBudget_deficit", "2024-01", source="interfax")
    y2024 = build_year(
        2024,
        og_anchors={1: jan24_og * T,
                    6: note("FedBudget_deficit", "2024-H1", r"O&G ([\d.]+)") * T,
                    7: note("FedBudget_revenue", "2024-01..07", r"O&G ([\d.]+)") * T,
                    12: row("OG_revenue", "2024") * T},
        og_fixed={},
        revenue_anchors={2: jf_exp - jf_def,
                         5: note("FedBudget_deficit", "2024-01..05", r"rev ([\d.]+)") * T,
                         6: note("FedBudget_deficit", "2024-H1", r"rev ([\d.]+)") * T,
                         7: row("FedBudget_revenue", "2024-01..07") * T,
                         12: row("FedBudget_revenue", "2024") * T},
        spending_anchors={2: jf_exp,
                          5: note("FedBudget_deficit", "2024-01..05", r"exp ([\d.]+)") * T,
                          6: note("FedBudget_deficit", "2024-H1", r"exp ([\d.]+)") * T,
                          7: note("FedBudget_revenue", "2024-01..07", r"exp ([\d.]+)") * T,
                          12: row("FedBudget_expenditure", "2024") * T},
        deficit_anchors={1: jan24_deficit * T},
        weights=weights)
    print(f"   check: NonOG_revenue 2024 row {row('NonOG_revenue', '2024')} trn vs FedBudget_revenue 2024 - OG_revenue 2024 = "
          f"{row('FedBudget_revenue', '2024') - row('OG_revenue', '2024'):.3f} (used, so the deficit is 3.5)")

    # ---------------- oil (Urals, USD/bbl) ----------------
    # Monthly rows where there are; a block average where a YTD average and the
    # block's other months pin it; 2024 only has the annual average; empty = no figure.
    h1_22 = note("Urals_avg", "2023-01..06", r"H1 2022: ([\d.]+)")
    feb22 = note("Urals_tax_price", "2023-02", r"Feb 2022: ([\d.]+)")
    jun22 = note("Urals_avg", "2023-06", r"Jun 2022: ([\d.]+)")
    rest22 = (6 * h1_22 - feb22 - jun22) / 4
    print(f"\noil 2022: Jan, Mar, Apr, May = (6 x H1 {h1_22} - Feb {feb22} - Jun {jun22})/4 = {rest22:.2f}"
          f" (the monitoring rows, 15 Mar-14 Apr {note('Urals_avg_monitoring', '2022-04-15..05-14', r'prior month ([0-9.]+)')}"
          f" and 15 Apr-14 May {row('Urals_avg_monitoring', '2022-04-15..05-14')}, are lower: the H1 and Feb rows"
          " do not sit well with them)")
    jan23, feb23 = row("Urals_avg", "2023-01"), row("Urals_tax_price", "2023-02")
    mar_may23 = (5 * row("Urals_avg", "2023-01..05") - jan23 - feb23) / 3
    print(f"oil 2023: Mar-May = (5 x Jan-May {row('Urals_avg', '2023-01..05')} - Jan {jan23} - Feb {feb23})/3 = {mar_may23:.2f}")
    oil = {
        (2022, 1): (rest22, "block"), (2022, 2): (feb22, "row"), (2022, 3): (rest22, "block"),
        (2022, 4): (rest22, "block"), (2022, 5): (rest22, "block"), (2022, 6): (jun22, "row"),
        (2022, 7): (note("Urals_avg", "2023-07", r"Jul 2022: ([\d.]+)"), "row"),
        (2022, 8): (note("Urals_avg", "2023-08", r"Aug 2022: ([\d.]+)"), "row"),
        (2022, 9): (note("Urals_avg", "2023-09", r"Sep 2022: ([\d.]+)"), "row"),
        (2022, 12): (row("Urals_avg", "2022-12"), "row"),
        (2023, 1): (jan23, "row"), (2023, 2): (feb23, "row"),
        (2023, 3): (mar_may23, "block"), (2023, 4): (mar_may23, "block"), (2023, 5): (mar_may23, "block"),
        (2023, 6): (row("Urals_avg", "2023-06"), "row"), (2023, 7): (row("Urals_avg", "2023-07"), "row"),
        (2023, 8): (row("Urals_avg", "2023-08"), "row"), (2023, 9): (row("Urals_avg", "2023-09"), "row"),
        (2023, 12): (row("Urals_avg", "2023-12"), "row"),
    }
    for m in range(1, 13):
        oil[(2024, m)] = (row("Urals_avg", "2024"), "annual")

    # ---------------- exchange rate (RUB/USD): annual averages ----------------
    avg = [float(v) for v in pick("USDRUB_avg", "2021/2022/2023")["value"].split("/")]
    fx = {2022: avg[1], 2023: avg[2], 2024: row("USDRUB_est_avg", "2024")}
    print(f"fx: annual averages 2022 {fx[2022]}, 2023 {fx[2023]} (USDRUB_avg), 2024 {fx[2024]} (USDRUB_est_avg)")

    # ---------------- bank absorption: net domestic borrowing (RUB bn/month) ----------------
    debt22 = note("Public_debt", "2022-12-31", r"domestic ([\d.]+)")
    debt23 = note("Public_debt", "2023-12-31", r"domestic ([\d.]+)")
    debt24 = note("Public_debt", "2024-12-31", r"domestic ([\d.]+)")
    net23, net24 = (debt23 - debt22) * T, (debt24 - debt23) * T
    record22 = row("OFZ_record_day", "2022-11-16") * T
    h1_gross24 = note("OFZ_gross_plan", "2024", r"H1 raised ([\d.]+)")
    q2_24 = row("OFZ_placement_Q2", "2024-Q2")
    gross24 = {1: h1_gross24 - q2_24, 2: q2_24, 3: row("OFZ_placement_plan_Q3", "2024-Q3"),
               4: row("OFZ_placement_plan_Q4", "2024-Q4")}
    scale24 = net24 / (sum(gross24.values()) * T)
    print(f"\nbank absorption (cap C_t):")
    print(f"   2022: Jan no row -> 0; Feb-Sep placements halted (note of OFZ_record_day 2022-11-16) -> 0;"
          f" Nov: the record day {record22:.0f} (OFZ_record_day 2022-11-16, a lower bound for Q4); Oct, Dec: no row -> 0")
    print(f"   2023: net domestic debt {debt23} - {debt22} = {net23:.0f} (notes of Public_debt 2023-12-31, 2022-12-31),"
          f" evenly: {net23 / 12:.1f}/month")
    print(f"   2024: net domestic debt {debt24} - {debt23} = {net24:.0f} (notes of Public_debt 2024-12-31, 2023-12-31),"
          f" over quarters as gross placements Q1 {gross24[1]:.4f} (H1 {h1_gross24} - Q2), Q2 {gross24[2]},"
          f" Q3 plan {gross24[3]}, Q4 plan {gross24[4]} trn x net/gross {scale24:.4f}:")
    bank = {(2022, m): (0.0, "no row") for m in (1, 10, 12)}
    bank.update({(2022, m): (0.0, "halted") for m in range(2, 10)})
    bank[(2022, 11)] = (record22, "record day")
    bank.update({(2023, m): (net23 / 12, "2023 net even") for m in range(1, 13)})
    for q, gross in gross24.items():
        monthly = gross * T * scale24 / 3
        print(f"      Q{q}: {gross * T * scale24:.1f} -> {monthly:.1f}/month")
        bank.update({(2024, m): (monthly, f"2024 net Q{q}") for m in range(3 * q - 2, 3 * q + 1)})
    print(f"   average 2023-24: {(net23 + net24) / 24:.1f}/month (banks.absorption_monthly of configs/backtest-2022.yaml)")

    # ---------------- config values ----------------
    gdp22, gdp23 = row("GDP_nominal", "2022"), row("GDP_nominal", "2023")
    g_y = math.log(gdp23 / gdp22)
    print(f"\nconfig: fund.liquid0 = NWF_liquid 2022-01-01 (approx) = {row('NWF_liquid', '2022-01-01 (approx)') * T:.0f}")
    print(f"config: gdp.growth = ln(GDP_nominal 2023 / 2022) = ln({gdp23}/{gdp22}) = {g_y:.4f};"
          f" gdp.annual0 = {gdp22} x exp(-g x 5.5/12) = {gdp22 * T * math.exp(-g_y * 5.5 / 12):.0f} (2022 average set back to January)")

    # ---------------- write ----------------
    years = {2022: y2022, 2023: y2023, 2024: y2024}
    with open(out, "w") as f:
        f.write("# Observed history 2022-01..2024-12 for the backtest (configs/backtest-2022.yaml), RUB bn per month,\n"
                "# Urals USD/bbl, RUB per USD. Built by tools/calibration/build_history.py from\n"
                "# data/russia-fiscal.csv; method and sources in docs/validation.md.\n"
                "# The note says how each value was obtained: 'row' a monthly figure of the csv; 'ytd' the\n"
                "# difference of two year-to-date figures; a month range (e.g. Feb-Nov) a YTD block spread over\n"
                "# its months (INTERPOLATED); 'block' a block average of Urals; 'annual' an annual average;\n"
                "# an empty cell has no figure and is sampled by the model.\n")
        f.write("month,oil_price,fx,oil_gas_revenue,non_oil_revenue,spending,bank_absorption,note\n")
        for year in (2022, 2023, 2024):
            for m in range(1, 13):
                v = years[year][m]
                price, price_how = oil.get((year, m), (None, "none"))
                capacity, capacity_how = bank[(year, m)]
                note_text = f"oil {price_how}; fx annual; {v['how']}; banks {capacity_how}"
                assert "," not in note_text and '"' not in note_text
                f.write(f"{year}-{m:02d},{'' if price is None else f'{price:.2f}'},{fx[year]:.2f},"
                        f"{v['og']:.1f},{v['non_oil']:.1f},{v['spending']:.1f},{capacity:.1f},{note_text}\n")
    print(f"\nwrote {os.path.relpath(out, os.getcwd())}")


if __name__ == "__main__":
    main()
