#!/usr/bin/env python3
"""Fit the oil block of sovrisk (eq. 2) to the monthly Urals rows of the csv.

    ln P_t = ln P_{t-1} + kappa (ln Pbar - ln P_{t-1}) D + sigma sqrt(D) z,   D = 1/12

Data: every monthly Urals average for 2022-2023 that the csv gives, either as a
row (series Urals_avg / Urals_tax_price, date YYYY-MM) or as a same-month-last-
year figure quoted in a row's note. Gaps (months the csv does not give) are
bridged with the gap length h in years. Euler discretisation over a gap h:

    dx = kappa mu h - kappa x h + sigma sqrt(h) e

Dividing by sqrt(h) gives an ordinary least-squares problem
    dx/sqrt(h) = a sqrt(h) + b x sqrt(h) + sigma e,   b = -kappa, a = kappa mu,
with homoskedastic e. sigma is the residual standard deviation (n - 2 dof).
A second, model-free estimate of sigma uses the one-month increments only.

Pure Python (no numpy) so that it runs with any python3:
    python3 tools/calibration/fit_urals.py [CSV]   (default: data/russia-fiscal.csv)
"""
import csv
import math
import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CSV = os.path.join(ROOT, "data", "russia-fiscal.csv")

# (month, USD/bbl, where the csv gives it). 'row' = the row's value;
# 'note of <series> <date>' = quoted in that row's note as the year-earlier month.
OBS = [
    ("2022-02", 77.16, "note of Urals_tax_price 2023-02 ('Feb 2022: 77.16')"),
    ("2022-06", 87.25, "note of Urals_avg 2023-06 ('Jun 2022: 87.25')"),
    ("2022-07", 78.41, "note of Urals_avg 2023-07 ('Jul 2022: 78.41')"),
    ("2022-08", 74.73, "note of Urals_avg 2023-08 ('Aug 2022: 74.73')"),
    ("2022-09", 68.25, "note of Urals_avg 2023-09 ('Sep 2022: 68.25')"),
    ("2022-12", 50.47, "row Urals_avg 2022-12"),
    ("2023-01", 49.48, "row Urals_avg 2023-01 (= Urals_tax_price 2023-01)"),
    ("2023-02", 49.56, "row Urals_tax_price 2023-02"),
    ("2023-06", 55.28, "row Urals_avg 2023-06"),
    ("2023-07", 64.37, "row Urals_avg 2023-07"),
    ("2023-08", 74.00, "row Urals_avg 2023-08"),
    ("2023-09", 83.08, "row Urals_avg 2023-09"),
    ("2023-12", 64.23, "row Urals_avg 2023-12 (approx: date inferred by the source)"),
]
# Monthly rows outside 2022-2023, used only in the sensitivity line.
OBS_2025 = [
    ("2025-01", 67.66, "row Urals_avg 2025-01"),
    ("2025-02", 61.69, "row Urals_avg 2025-02"),
]


def month_index(ym):
    y, m = ym.split("-")
    return int(y) * 12 + int(m) - 1


def check_against_csv(path):
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows[(r["series"], r["date_or_period"])] = r
    for ym, value, where in OBS + OBS_2025:
        if where.startswith("row "):
            series = where.split()[1]
            r = rows[(series, ym)]
            v = float(r["value"].lstrip("~"))
            assert abs(v - value) < 1e-9, (series, ym, v, value)
        else:
            series, date = where.split()[2:4]
            note = rows[(series, date)]["note"]
            assert ("%.2f" % value) in note, (series, date, note)


def ols2(y, x1, x2):
    """y = a x1 + b x2 + e; returns a, b, residual sd, se(a), se(b), cov(a,b)."""
    s11 = sum(u * u for u in x1)
    s22 = sum(v * v for v in x2)
    s12 = sum(u * v for u, v in zip(x1, x2))
    s1y = sum(u * w for u, w in zip(x1, y))
    s2y = sum(v * w for v, w in zip(x2, y))
    det = s11 * s22 - s12 * s12
    a = (s22 * s1y - s12 * s2y) / det
    b = (s11 * s2y - s12 * s1y) / det
    res = [w - a * u - b * v for u, v, w in zip(x1, x2, y)]
    n = len(y)
    s2 = sum(e * e for e in res) / (n - 2)
    return a, b, math.sqrt(s2), math.sqrt(s2 * s22 / det), math.sqrt(s2 * s11 / det), -s2 * s12 / det


def fit(obs, label):
    pts = [(month_index(ym), math.log(p)) for ym, p, _ in obs]
    pts.sort()
    y, x1, x2, one_month, gaps = [], [], [], [], []
    for (m0, l0), (m1, l1) in zip(pts, pts[1:]):
        h = (m1 - m0) / 12.0
        r = math.sqrt(h)
        y.append((l1 - l0) / r)
        x1.append(r)
        x2.append(l0 * r)
        if m1 - m0 == 1:
            one_month.append(l1 - l0)
        else:
            gaps.append(m1 - m0)
    a, b, sigma, se_a, se_b, cov_ab = ols2(y, x1, x2)
    kappa = -b
    mu = a / kappa
    # delta method for ln Pbar = -a/b
    g_a, g_b = -1.0 / b, a / (b * b)
    se_mu = math.sqrt(g_a * g_a * se_a * se_a + g_b * g_b * se_b * se_b + 2 * g_a * g_b * cov_ab)
    n1 = len(one_month)
    mean1 = sum(one_month) / n1
    sd1 = math.sqrt(sum((d - mean1) ** 2 for d in one_month) / (n1 - 1))
    print(f"== {label}: {len(pts)} monthly levels, {len(y)} increments "
          f"({n1} of one month; gaps bridged: {sorted(set(gaps))} months)")
    print(f"   kappa (1/yr)        = {kappa:7.3f}   (se {se_b:.3f}; half-life {math.log(2) / kappa:.2f} yr)"
          if kappa > 0 else f"   kappa (1/yr)        = {kappa:7.3f}   (se {se_b:.3f}; no mean reversion)")
    print(f"   Pbar (USD/bbl)      = {math.exp(mu):7.2f}   (ln Pbar {mu:.3f}, se {se_mu:.3f})")
    print(f"   sigma (1/sqrt(yr))  = {sigma:7.3f}   (regression residual sd)")
    print(f"   one-month increments: {', '.join('%+.3f' % d for d in one_month)}")
    print(f"   sd of one-month log increments = {sd1:.4f} -> annualised {sd1 * math.sqrt(12):.3f}")
    return kappa, math.exp(mu), sigma, sd1 * math.sqrt(12)


def small_sample_check(obs, kappa_hat, sigma, pbar, reps=4000, seed=20250301):
    """How informative is kappa_hat? Simulate the exact OU (monthly) on the same
    observation months for several true kappas, re-estimate with the same
    estimator, and report the spread of the estimates."""
    import random
    rng = random.Random(seed)
    months = sorted(month_index(ym) for ym, _, _ in obs)
    first, last = months[0], months[-1]
    keep = set(months)
    mu = math.log(pbar)
    print(f"== small-sample check: same {len(months)} observation months, sigma {sigma:.2f}, "
          f"{reps} replications per true kappa")
    for k_true in (0.0, 0.25, 0.5, 1.0, 2.0):
        est = []
        phi = math.exp(-k_true / 12.0)
        sd_step = sigma * math.sqrt((1 - phi * phi) / (2 * k_true)) if k_true > 0 else sigma / math.sqrt(12)
        for _ in range(reps):
            x = mu + (rng.gauss(0, sigma / math.sqrt(2 * k_true)) if k_true > 0 else 0.0)
            path = {}
            for m in range(first, last + 1):
                if m > first:
                    x = mu + phi * (x - mu) + sd_step * rng.gauss(0, 1)
                if m in keep:
                    path[m] = x
            y, x1, x2 = [], [], []
            for m0, m1 in zip(months, months[1:]):
                r = math.sqrt((m1 - m0) / 12.0)
                y.append((path[m1] - path[m0]) / r)
                x1.append(r)
                x2.append(path[m0] * r)
            est.append(-ols2(y, x1, x2)[1])
        est.sort()
        q = lambda p: est[int(p * (reps - 1))]
        share = sum(1 for e in est if e >= kappa_hat) / reps
        print(f"   true kappa {k_true:4.2f}: median estimate {q(0.5):5.2f}, 5-95% [{q(0.05):5.2f}, {q(0.95):5.2f}], "
              f"P(estimate >= {kappa_hat:.2f}) = {share:.2f}")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else CSV
    check_against_csv(path)
    print(f"values checked against {os.path.relpath(path)}")
    print("observations:")
    for ym, p, where in OBS + OBS_2025:
        print(f"   {ym}  {p:6.2f}  {where}")
    kappa, pbar, sigma, _ = fit(OBS, "Urals 2022-2023 (main fit)")
    fit(OBS + OBS_2025, "sensitivity: 2022-2023 plus Jan-Feb 2025 (bridges the 2024 gap)")
    small_sample_check(OBS, kappa, sigma, pbar)


if __name__ == "__main__":
    main()
