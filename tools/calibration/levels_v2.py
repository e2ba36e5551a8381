#!/usr/bin/env python3
"""Arithmetic behind the model-v2 parameters of configs/russia-2025.yaml.

Reads data/russia-v2.csv ("v2") and data/russia-fiscal.csv ("csv") and prints every
input next to the result, so that docs/calibration.md ("Model v2") can be checked line
by line. Judgement inputs are marked JUDGEMENT. Only figures known by 1 March 2025.
Pure Python:  python3 tools/calibration/levels_v2.py
"""
import csv
import math
import os
import re

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ROWS = {}

# Judgement inputs (argued in docs/calibration.md, "Model v2")
GDP0 = 210500              # gdp.annual0 of the config (model v1's calibration)
GDP_GROWTH = 0.07          # gdp.growth (model v1's calibration)
CASH_WORKING_FLOOR = 1750  # JUDGEMENT: half a month of spending (Jan-2021: 0.85 trn = "two weeks")
FLOATER_SHARE_DOMESTIC = 0.35  # JUDGEMENT: 33.5 % after 2020, floaters "dominate" 2024-25 placements
GOLD_USD_PER_OZ = 2600     # market price at 1 Jan 2025 (note of v2 NWF_gold_share_liquid)
USDRUB_2025_01_01 = 101.6  # CBR rate at 1 Jan 2025 (note of v2 NWF_gold_share_liquid)
ILLIQUID_SELLABLE = 3000   # JUDGEMENT: the Sber stake at its 2020 price (v2 NWF_illiquid_breakdown)


def load(name, tag):
    with open(os.path.join(ROOT, "data", name), newline="") as f:
        for r in csv.DictReader(f):
            ROWS[(tag, r["series"], r["date_or_period"])] = r


def row(tag, series, date):
    """The row's value as a number ('~' stripped)."""
    return float(ROWS[(tag, series, date)]["value"].lstrip("~"))


def note(tag, series, date, pattern):
    """A number quoted in the row's note, found by a regex with one group."""
    text = ROWS[(tag, series, date)]["note"]
    m = re.search(pattern, text)
    assert m, (series, date, pattern, text)
    return float(m.group(1))


def spending():
    print("== spending.base_monthly: NON-INTEREST spending under `market` ==")
    law = note("csv", "FedBudget_revenue_plan", "2025", r"exp ([\d.]+)")
    debt_service = row("csv", "Debt_service_plan", "2025")
    overrun = row("csv", "FedBudget_expenditure", "2024") / 36.66 - 1  # FedBudget_law 2024: 36.66 exp
    non_interest = (law - debt_service) * (1 + 0.5 * overrun)
    jan_feb = 5.34 + 2.7  # v1: rev 5.34 + deficit 2.7 (note and value of FedBudget_deficit 2025-01..02)
    jan_feb_interest = debt_service * 2 / 12  # JUDGEMENT: two twelfths of the year's debt service
    mar_dec = non_interest - (jan_feb - jan_feb_interest)
    seasonality = [1.05, 0.99, 0.93, 1.01, 0.78, 0.71, 0.91, 0.90, 0.99, 0.99, 0.99, 1.75]
    growth = 0.051
    weights = sum(math.exp(growth * t / 12) * seasonality[(2 + t) % 12] for t in range(10))
    print(f"   2025 law spending {law} - debt service {debt_service} (csv Debt_service_plan 2025)"
          f" = {law - debt_service:.4f}")
    print(f"   x (1 + 0.5 x 2024 overrun {overrun:.4f}) = {non_interest:.4f} trn non-interest in 2025")
    print(f"   Jan-Feb actual {jan_feb:.2f} - their interest {jan_feb_interest:.4f} = "
          f"{jan_feb - jan_feb_interest:.4f}; Mar-Dec = {mar_dec:.4f} trn")
    print(f"   / sum_t e^(g_G t/12) s[Mar+t] = {weights:.4f}  ->  base_monthly = "
          f"{mar_dec / weights * 1000:.1f} bn (v1, with interest: 3483)\n")


def treasury():
    print("== treasury ==")
    cash = row("v2", "Treasury_funds_in_banks", "2025-02-28") * 1000
    print(f"   Treasury cash 28 Feb 2025 {cash:.0f} bn - working floor {CASH_WORKING_FLOOR} (JUDGEMENT)"
          f" = cash0 {cash - CASH_WORKING_FLOOR:.0f}")
    month_gdp = GDP0 / 12
    two_months_spending = 2 * 41.47 / 12 * 1000  # csv FedBudget_expenditure_plan 2025
    target = (two_months_spending - CASH_WORKING_FLOOR) / month_gdp
    print(f"   target: two months of 2025-law spending {two_months_spending:.0f} - floor"
          f" {CASH_WORKING_FLOOR} = {two_months_spending - CASH_WORKING_FLOOR:.0f} bn"
          f" = {target:.3f} months of GDP (Y/12 = {month_gdp:.0f})\n")


def market():
    print("== market ==")
    debt = row("csv", "Public_debt", "2024-12-31") * 1000
    domestic = note("csv", "Public_debt", "2024-12-31", r"domestic ([\d.]+)") * 1000
    floating = FLOATER_SHARE_DOMESTIC * domestic
    fixed_share = 1 - floating / debt
    print(f"   debt0 = Public_debt 2024-12-31 = {debt:.0f} bn (domestic {domestic:.0f})")
    print(f"   floaters {FLOATER_SHARE_DOMESTIC} (JUDGEMENT) x domestic = {floating:.0f} bn ->"
          f" fixed_share = 1 - {floating:.0f}/{debt:.0f} = {fixed_share:.3f}")
    service = row("csv", "Debt_service_plan", "2025") * 1000
    key_rate = row("v2", "KeyRate_decision", "2025-02-14") / 100
    coupon = (service / debt - (1 - fixed_share) * key_rate) / fixed_share
    print(f"   fixed coupon that gives the law's debt service {service:.0f} bn/yr on debt0 at the"
          f" key rate {key_rate}: ({service:.0f}/{debt:.0f} - {1 - fixed_share:.3f} x {key_rate})"
          f" / {fixed_share:.3f} = {coupon:.4f}")
    interest = debt / 12 * (0.71 * 0.07 + 0.29 * key_rate)  # the config's rounded values
    print(f"   with fixed_share 0.71, fixed_coupon 0.07: I_0 = {interest:.1f} bn/month"
          f" = {12 * interest / 1000:.3f} trn/yr")
    q3 = row("csv", "OFZ_placement_plan_Q3", "2024-Q3")
    q4 = row("csv", "OFZ_placement_plan_Q4", "2024-Q4")
    print(f"   capacity0: H2-2024 gross OFZ plans ({q3} + {q4}) trn / 6 = {(q3 + q4) / 6 * 1000:.0f} bn/month")
    red = row("v2", "OFZ_redemptions_law", "2025") * 1000
    print(f"   redemptions 2025 (law) {red:.0f} bn/yr; Mar-Dec simulated: {red * 10 / 12:.0f}")
    y_minus1 = GDP0 * math.exp(-GDP_GROWTH / 12)
    print(f"   b_-1 = {debt:.0f} / {y_minus1:.0f} = {debt / y_minus1:.4f}\n")


def budget_rule():
    print("== budget_rule ==")
    base = row("v2", "BudgetRule_base_oil_price_law", "2027")
    prices = {2024: 60.0}
    for year in range(2027, 2032):
        prices[year] = round(60 * 1.02 ** (year - 2026), 2)
    print(f"   base price: $60 for 2024-26, x1.02 a year from 2027 (v2 row 2027: {base}): {prices}")
    og = row("csv", "OG_revenue", "2024") * 1000
    base_2024 = note("v2", "BudgetRule_base_OG_revenue_plan", "2025", r"2024 est ([\d.]+)") * 1000
    print(f"   pending0 = O&G 2024 {og:.0f} - its base (Sep-2024 estimate) {base_2024:.0f}"
          f" = {og - base_2024:.0f} bn")
    base_2025 = row("v2", "BudgetRule_base_OG_revenue_plan", "2025") * 1000
    model_base = 927.5 * 96.5 / 91.2 * (60 - 15) / (68 - 15) * 12
    print(f"   the model's base revenue at $60 and 96.5 RUB/USD: {model_base:.0f} bn/yr;"
          f" the 2025 law's: {base_2025:.0f}")
    projects = row("v2", "NWF_project_investment_plan", "2025") * 1000
    print(f"   other_outflows 2025: {projects:.0f} / 12 = {projects / 12:.1f} bn/month\n")


def seasonality():
    print("== revenue.oil_gas.seasonality (monthly O&G revenue / the year's monthly mean) ==")
    y2023 = [row("csv", "OG_revenue", "2023-01") * 1000, row("csv", "OG_revenue", "2023-02") * 1000]
    y2023 += [row("v2", "OG_revenue", f"2023-{m:02d}") for m in range(3, 13)]
    may_jun = row("v2", "OG_revenue", "2024-05..06")
    y2024 = [note("csv", "FedBudget_deficit", "2024-01", r"O&G ([\d.]+)"),
             row("v2", "OG_revenue", "2024-02"), row("v2", "OG_revenue", "2024-03"),
             row("v2", "OG_revenue", "2024-04"), may_jun / 2, may_jun / 2,
             row("v2", "OG_revenue", "2024-07"), row("v2", "OG_revenue", "2024-08"),
             row("v2", "OG_revenue", "2024-09"), row("v2", "OG_revenue", "2024-10"),
             row("v2", "OG_revenue", "2024-11"), row("v2", "OG_revenue", "2024-12") / 1000]
    print(f"   2023 sum {sum(y2023):.1f} bn (csv OG_revenue 2023: {row('csv', 'OG_revenue', '2023') * 1000:.1f})")
    print(f"   2024 sum {sum(y2024):.3f} trn (csv OG_revenue 2024: {row('csv', 'OG_revenue', '2024')})")
    s23 = [12 * v / sum(y2023) for v in y2023]
    s24 = [12 * v / sum(y2024) for v in y2024]
    mean = [(a + b) / 2 for a, b in zip(s23, s24)]
    total = sum(mean)
    factors = [m * 12 / total for m in mean]
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    for n, a, b, f in zip(names, s23, s24, factors):
        print(f"   {n}: 2023 {a:.3f}  2024 {b:.3f}  mean, normalised {f:.3f}")
    rounded = [round(f, 3) for f in factors]
    print(f"   config (3 decimals) {rounded}, sum {sum(rounded):.3f}\n")


def fund():
    print("== fund_valuation and plan_d ==")
    tonnes = row("v2", "NWF_gold_tonnes", "2025-01-01")
    liquid = row("csv", "NWF_liquid", "2025-01-01")
    gold = tonnes * 1e6 / 31.1035 * GOLD_USD_PER_OZ * USDRUB_2025_01_01 / 1e12
    print(f"   gold {tonnes} t x ${GOLD_USD_PER_OZ}/oz x {USDRUB_2025_01_01} RUB/USD = {gold:.3f} trn"
          f" of liquid {liquid} -> gold_share {gold / liquid:.3f}")
    total = row("csv", "NWF_total", "2025-01-01")
    print(f"   illiquid 1 Jan 2025 = NWF_total {total} - NWF_liquid {liquid} = {total - liquid:.2f} trn;"
          f" sellable (JUDGEMENT, Sber stake) {ILLIQUID_SELLABLE} bn\n")


def banks():
    print("== bank_crisis ==")
    equity_jul = 12 * row("v2", "Bank_profit_month", "2024-07") / 0.246
    equity_aug = 12 * 0.435 / 0.354
    n1 = row("v2", "Bank_N1.0", "2024-05-01")
    equity = (equity_jul + equity_aug) / 2
    print(f"   book equity: 12 x 0.306/0.246 = {equity_jul:.2f}, 12 x 0.435/0.354 = {equity_aug:.2f};"
          f" mean {equity:.2f} trn (v2 Bank_equity_derived)")
    print(f"   capital above the 8 % minimum: {equity:.2f} x ({n1} - 8)/{n1} = {equity * (n1 - 8) / n1:.2f} trn")
    stock = row("csv", "OFZ_market_size", "2024-09-01") + 4 / 6 * (23.742 - 21.46)
    nonres = note("csv", "OFZ_market_size", "2024-09-01", r"non-res ([\d.]+)%") / 100
    bank_of_residents = 1912 / (1912 + 893)  # v2 OFZ_holders_structure 2014-08-01
    share = bank_of_residents * (1 - nonres)
    print(f"   OFZ at the start (v1): {stock:.3f} trn; banks' share of resident holdings (2014)"
          f" {bank_of_residents:.3f} x residents {1 - nonres:.3f} = {share:.3f}"
          f" -> holdings0 {share * stock:.2f} trn\n")


def main():
    load("russia-fiscal.csv", "csv")
    load("russia-v2.csv", "v2")
    spending()
    treasury()
    market()
    budget_rule()
    seasonality()
    fund()
    banks()


if __name__ == "__main__":
    main()
