#!/usr/bin/env python3
"""Arithmetic behind the level parameters of configs/russia-2025-v1.yaml.

Every input is read from the csv (series + date_or_period, or a figure quoted in
a row's note) and printed next to the result, so docs/calibration.md can be
checked line by line. Judgement inputs are marked JUDGEMENT.
Pure Python:  python3 tools/calibration/levels.py [CSV]   (default: data/russia-fiscal.csv)
"""
import csv
import math
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CSV = os.path.join(ROOT, "data", "russia-fiscal.csv")
ROWS = {}


def load(path):
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            ROWS[(r["series"], r["date_or_period"])] = r


def row(series, date):
    """The row's value as a number ('~' stripped)."""
    return float(ROWS[(series, date)]["value"].lstrip("~"))


def note(series, date, pattern):
    """A number quoted in the row's note, found by a regex with one group."""
    text = ROWS[(series, date)]["note"]
    m = re.search(pattern, text)
    assert m, (series, date, pattern, text)
    return float(m.group(1))


# Judgement inputs (argued in docs/calibration.md)
G_GROWTH = None  # computed below from the law's 2025-27 path
N_GROWTH = None
GDP_GROWTH = 0.07          # JUDGEMENT: nominal, see docs
OVERRUN_SHARE = 0.5        # JUDGEMENT: 2025 spending = law + half the 2024 overrun
CENTRE = 3.5 / 12
Y0_USED = 210500           # gdp.annual0 as rounded in the config          # mean of t*Delta over Jan..Dec 2025 when t = 0 is March (t = -2..9)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else CSV
    load(path)
    print(f"csv: {os.path.relpath(path)}\n")

    # ---------------- spending ----------------
    law_exp = {2025: note("FedBudget_revenue_plan", "2025", r"exp ([\d.]+)"),
               2026: note("FedBudget_revenue_plan", "2026", r"exp ([\d.]+)"),
               2027: note("FedBudget_revenue_plan", "2027", r"exp ([\d.]+)")}
    g_G = math.log(law_exp[2027] / law_exp[2025]) / 2
    print("spending.growth g_G = ln(exp 2027 / exp 2025)/2 (FedBudget_revenue_plan 2025, 2027 notes)")
    print(f"   = ln({law_exp[2027]} / {law_exp[2025]})/2 = {g_G:.4f}")
    exp24 = row("FedBudget_expenditure", "2024")
    law24 = float(ROWS[("FedBudget_law", "2024")]["value"].split("/")[1].split()[0])
    overrun = exp24 / law24 - 1
    target25 = law_exp[2025] * (1 + OVERRUN_SHARE * overrun)
    print(f"2024 overrun = FedBudget_expenditure 2024 / FedBudget_law 2024 exp - 1 = {exp24}/{law24} - 1 = {overrun:.4f}")
    print(f"2025 spending target = law {law_exp[2025]} x (1 + {OVERRUN_SHARE} x {overrun:.4f}) = {target25:.3f} trn  [JUDGEMENT: half the 2024 overrun]")
    jan25 = row("FedBudget_expenditure", "2025-01")
    # The Jan-Feb 2025 row is internally inconsistent: rev 5.34 + deficit 2.7 = 8.04,
    # but the note says exp 8.45. The deficit agrees with its own '1.3% GDP' and
    # with Jan (1.706); we take spending = revenue + deficit (JUDGEMENT).
    jf_rev = note("FedBudget_deficit", "2025-01..02", r"rev ([\d.]+)")
    jf_exp_note = note("FedBudget_deficit", "2025-01..02", r"exp ([\d.]+)")
    jf_def = row("FedBudget_deficit", "2025-01..02")
    janfeb25 = jf_rev + jf_def
    feb25 = janfeb25 - jan25
    print(f"Jan-Feb 2025 row: rev {jf_rev} + deficit {jf_def} = {janfeb25:.2f}, but note says exp {jf_exp_note} (inconsistent by {jf_exp_note - janfeb25:.2f}); used {janfeb25:.2f}")
    print(f"Jan 2025 spending {jan25} (FedBudget_expenditure 2025-01) -> Feb {feb25:.3f}")

    # ---------------- seasonality ----------------
    # 2023 cumulative spending: Q1 8.08, Jan-Apr 11.206, H1 14.976, Jan-Aug 19.351, year 32.3538
    q1_23 = note("FedBudget_deficit", "2023-Q1", r"exp ([\d.]+)")
    a4_23 = note("FedBudget_deficit", "2023-01..04", r"exp ([\d.]+)")
    h1_23 = note("FedBudget_deficit", "2023-H1", r"exp ([\d.]+)")
    a8_23 = note("FedBudget_deficit", "2023-01..08", r"exp ([\d.]+)")
    y23 = row("FedBudget_expenditure", "2023")
    # 2024: Jan-Feb ~6.5, Jan-May 15.27, H1 17.7, Jan-Jul 21.109, year 40.2
    jf_24 = note("FedBudget_deficit", "2024-01..02", r"spending ~([\d.]+)")
    a5_24 = note("FedBudget_deficit", "2024-01..05", r"exp ([\d.]+)")
    h1_24 = note("FedBudget_deficit", "2024-H1", r"exp ([\d.]+)")
    a7_24 = note("FedBudget_revenue", "2024-01..07", r"exp ([\d.]+)")
    y24 = exp24

    def blocks(year_total, cuts):
        """cuts: list of (last month 1..12, cumulative spending). Months of a block
        share its spending equally; the last block (which holds December) gives
        its non-December months the annual average (JUDGEMENT) and December the rest."""
        avg = year_total / 12
        f = [0.0] * 12
        prev_m, prev_c = 0, 0.0
        for m, c in cuts:
            for k in range(prev_m, m):
                f[k] = (c - prev_c) / (m - prev_m) / avg
            prev_m, prev_c = m, c
        last = year_total - prev_c
        for k in range(prev_m, 11):
            f[k] = 1.0
        f[11] = (last - (11 - prev_m) * avg) / avg
        return f

    s23 = blocks(y23, [(3, q1_23), (4, a4_23), (6, h1_23), (8, a8_23)])
    s24 = blocks(y24, [(2, jf_24), (5, a5_24), (6, h1_24), (7, a7_24)])
    avg25 = target25 / 12
    s25_jan, s25_feb = jan25 / avg25, feb25 / avg25
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    raw = []
    for k in range(12):
        vals = [s23[k], s24[k]] + ([s25_jan] if k == 0 else [s25_feb] if k == 1 else [])
        raw.append(sum(vals) / len(vals))
    mean = sum(raw) / 12
    season = [v / mean for v in raw]
    print("\nseasonality (factor = month's spending / year's monthly average):")
    print("   month   2023   2024   2025   mean   normalised")
    for k in range(12):
        extra = f"{s25_jan:6.3f}" if k == 0 else f"{s25_feb:6.3f}" if k == 1 else "      "
        print(f"   {names[k]}   {s23[k]:6.3f} {s24[k]:6.3f} {extra} {raw[k]:6.3f}   {season[k]:6.3f}")
    print(f"   raw mean {mean:.4f} -> divided out; rounded: {[round(v, 2) for v in season]}")
    season_r = [round(v, 2) for v in season]
    # make the rounded list average exactly 1 (adjust the largest)
    diff = round(12 - sum(season_r), 2)
    season_r[11] = round(season_r[11] + diff, 2)
    print(f"   used (rounded, Dec adjusted so the mean is 1): {season_r}  sum {sum(season_r):.2f}")

    # spending base: actual Jan-Feb + modelled Mar-Dec = target
    rest = target25 - janfeb25
    weight = sum(math.exp(g_G * t / 12) * season_r[(2 + t) % 12] for t in range(10))
    g0 = rest * 1000 / weight
    print(f"\nspending.base_monthly g0: Mar-Dec 2025 = target {target25:.3f} - Jan-Feb actual {janfeb25} = {rest:.3f} trn")
    print(f"   sum_(t=0..9) exp(g_G t/12) s[Mar+t] = {weight:.4f} -> g0 = {g0:.1f} RUB bn/month")
    for yr in range(2026, 2031):
        tot = sum(g0 * math.exp(g_G * t / 12) * season_r[(2 + t) % 12] for t in range((yr - 2025) * 12 - 2, (yr - 2025) * 12 + 10)) / 1000
        law = law_exp.get(yr)
        print(f"   model {yr} spending (no shocks, no ceasefire) = {tot:.2f} trn" + (f"  (law {law})" if law else ""))

    # ---------------- non-oil revenue ----------------
    no_plan = {2025: note("FedBudget_revenue_plan", "2025", r"non-O&G ([\d.]+)")}
    for yr in (2026, 2027):
        no_plan[yr] = row("FedBudget_revenue_plan", str(yr)) - note("FedBudget_revenue_plan", str(yr), r"O&G ([\d.]+)")
    g_N = math.log(no_plan[2027] / no_plan[2025]) / 2
    r_no = no_plan[2025] * 1000 / 12 * math.exp(-g_N * CENTRE)
    print(f"\nnon-O&G plan: 2025 {no_plan[2025]} (note), 2026 {no_plan[2026]:.4f}, 2027 {no_plan[2027]:.4f} (= revenue - O&G, FedBudget_revenue_plan rows)")
    print(f"   revenue.non_oil.growth g_N = ln({no_plan[2027]:.4f}/{no_plan[2025]})/2 = {g_N:.4f}")
    print(f"   revenue.non_oil.base_monthly = {no_plan[2025]} x 1000/12 x exp(-g_N x 3.5/12) = {r_no:.1f}")
    for yr in (2026, 2027):
        tot = sum(r_no * math.exp(g_N * t / 12) for t in range((yr - 2025) * 12 - 2, (yr - 2025) * 12 + 10)) / 1000
        print(f"   model {yr} non-O&G revenue (no shocks) = {tot:.2f} trn  (plan {no_plan[yr]:.4f})")
    no24, no23 = row("NonOG_revenue", "2024"), row("NonOG_revenue", "2023")
    law24_rev = float(ROWS[("FedBudget_law", "2024")]["value"].split()[0])
    og_plan24 = row("OG_revenue_plan", "2024")
    print(f"   check: 2024 non-O&G outturn {no24} vs law {law24_rev} - O&G plan {og_plan24} = {law24_rev - og_plan24:.3f}: surprise ln = {math.log(no24 / (law24_rev - og_plan24)):.3f}")

    # ---------------- oil & gas revenue ----------------
    og24 = row("OG_revenue", "2024")
    u24 = row("Urals_avg", "2024")
    x24 = row("USDRUB_est_avg", "2024")
    r_og = og24 * 1000 / 12
    print(f"\nrevenue.oil_gas: base_monthly = OG_revenue 2024 {og24} x 1000/12 = {r_og:.1f} at p_ref = Urals_avg 2024 {u24}, x_ref = USDRUB_est_avg 2024 {x24}")
    floor = 15.0
    p0, x0 = row("Urals_avg", "2025-02"), row("USDRUB", "2025-02-11")
    at_start = r_og * (x0 / x24) * (p0 - floor) / (u24 - floor)
    print(f"   at the start (p0 {p0}, x0 {x0}, floor {floor}): {at_start:.1f} bn/month = {at_start * 12 / 1000:.2f} trn/yr")
    og_law25 = note("FedBudget_revenue_plan", "2025", r"O&G ([\d.]+)")
    og_base25 = note("FedBudget_revenue_plan", "2025", r"base ([\d.]+)")
    print(f"   2025 law O&G {og_law25}, of which fiscal-rule base {og_base25} (computed at the rule's base oil price, $60 - not in the csv); ratio {og_law25 / og_base25:.4f}")
    x25f = note("USDRUB_est_avg", "2024", r"forecast 2025 ([\d.]+)")
    model_60 = r_og * (x25f / x24) * (60 - floor) / (u24 - floor) * 12 / 1000
    print(f"   model at $60 and the 2025 forecast rate {x25f}: {model_60:.2f} trn vs law base {og_base25} (ratio {model_60 / og_base25:.3f})")

    # ---------------- fund ----------------
    l_jan = row("NWF_liquid", "2025-01-01")
    jan_fall = note("NWF_liquid", "2025-02-01", r"fell (\d+)bn in Jan") / 1000
    feb_fall = note("NWF_liquid", "2025-02-01", r"(\d+)bn in Feb") / 1000
    liquid0 = (l_jan - jan_fall - feb_fall) * 1000
    print(f"\nfund.liquid0 = NWF_liquid 2025-01-01 {l_jan} - Jan fall {jan_fall} - Feb fall {feb_fall} (NWF_liquid 2025-02-01 note) = {liquid0:.0f} bn (text: '3.4 trn at 1 Mar')")

    # ---------------- GDP ----------------
    debt24 = row("Public_debt", "2024-12-31")
    ratio = note("Public_debt", "2024-12-31", r"([\d.]+)% GDP") / 100
    gdp24 = debt24 / ratio
    y0 = gdp24 * math.exp(GDP_GROWTH * (8.5 / 12))
    print(f"\nGDP 2024 = Public_debt 2024-12-31 {debt24} / {ratio} = {gdp24:.1f} trn (row GDP_nominal 2024 says '>200')")
    print(f"   gdp.annual0 = {gdp24:.1f} x exp({GDP_GROWTH} x 8.5/12) (mid-2024 -> 1 Mar 2025) = {y0:.1f} trn")
    jan_def = row("FedBudget_deficit", "2025-01")
    print(f"   cross-check: FedBudget_deficit 2025-01 {jan_def} = 0.8% GDP -> {jan_def / 0.008:.0f} trn; 2025-01..02 {row('FedBudget_deficit', '2025-01..02')} = 1.3% -> {row('FedBudget_deficit', '2025-01..02') / 0.013:.0f} trn")
    g23 = math.log(row("GDP_nominal", "2023") / row("GDP_nominal", "2022"))
    g24 = math.log(gdp24 / row("GDP_nominal", "2023"))
    print(f"   nominal growth ln: 2023 {g23:.3f}, 2024 {g24:.3f}; used g_Y {GDP_GROWTH} [JUDGEMENT]")

    # ---------------- banks ----------------
    dom23 = note("Public_debt", "2023-12-31", r"domestic ([\d.]+)")
    dom24 = note("Public_debt", "2024-12-31", r"domestic ([\d.]+)")
    dom22 = note("Public_debt", "2022-12-31", r"domestic ([\d.]+)")
    print(f"\nnet domestic debt issuance: 2023 {dom23 - dom22:.3f} trn ({dom23} - {dom22}); 2024 {dom24 - dom23:.3f} trn ({dom24} - {dom23}) -> {1000 * (dom24 - dom23) / 12:.0f} bn/month on average")
    net25 = note("OFZ_gross_placement_law", "2025", r"net ([\d.]+)")
    print(f"   2025 law net OFZ {net25} trn -> {net25 * 1000 / 12:.0f} bn/month on average")
    q3, q4 = row("OFZ_placement_plan_Q3", "2024-Q3"), row("OFZ_placement_plan_Q4", "2024-Q4")
    gross24, net24 = row("OFZ_gross_plan", "2024"), row("OFZ_net_plan_cited", "2024")
    a0 = (q3 + q4) / 6 * (net24 / gross24) * 1000
    print(f"banks.absorption_monthly = (Q3 {q3} + Q4 {q4})/6 months x net/gross {net24}/{gross24} = {a0:.0f} bn/month")
    y_mid = Y0_USED * math.exp(GDP_GROWTH * 3)
    s_max = 0.20 * y_mid - debt24 * 1000
    print(f"banks.saturation = 20% x GDP at t=36 ({Y0_USED:.0f} x exp({GDP_GROWTH} x 3) = {y_mid:.0f}) - Public_debt 2024-12-31 {debt24 * 1000:.0f} = {s_max:.0f}")
    ofz = row("OFZ_market_size", "2024-09-01")
    dom_h1 = note("Public_debt", "2024-07-01", r"internal ([\d.]+)")
    h2 = dom24 - dom_h1
    stock = ofz + h2 * 4 / 6
    share = float(ROWS[("OFZ_bank_share_of_primary", "2024-04")]["value"].lstrip("~")) / 100
    print(f"OFZ stock 2024-09-01 {ofz}; domestic debt grew {h2:.3f} trn in H2 2024 ({dom24} - {dom_h1}); "
          f"4/6 of it after 1 Sep -> OFZ at start ~ {stock:.2f} trn")
    print(f"bank_crisis.holdings0 = {share} (OFZ_bank_share_of_primary, proxy for the stock share) x {stock:.2f} = {share * stock * 1000:.0f} bn")

if __name__ == "__main__":
    main()
