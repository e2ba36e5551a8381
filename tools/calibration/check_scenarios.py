#!/usr/bin/env python3
"""Independent NumPy re-implementation of the v1 model (docs/calibration.md,
'The model'), used to check that a calibration gives plausible results before
the C++ engine exists. It follows the spec equation by equation but draws its
own random numbers, so it agrees with sovrisk only statistically.

    /usr/bin/python3 tools/calibration/check_scenarios.py configs/russia-2025.yaml [...] [--paths N]
        [--seed S] [--set key.path=value ...] [--brief]

Needs numpy and PyYAML. Prints event probabilities by calendar year, the median
event months, and the calendar-year means of the main flows, plus the same
flows on the path with every shock switched off ('zero-shock path').
"""
import argparse
import math

import numpy as np
import yaml

D = 1.0 / 12.0


def simulate(cfg, paths, seed, zero_shock=False):
    T = cfg["scenario"]["months"]
    y0, m0 = (int(v) for v in cfg["scenario"]["start"].split("-"))
    o, fx = cfg["oil"], cfg["fx"]
    og, no = cfg["revenue"]["oil_gas"], cfg["revenue"]["non_oil"]
    sp, bk = cfg["spending"], cfg["banks"]
    fund, gdp = cfg["fund"], cfg["gdp"]
    tau = cfg["default"]["gap_threshold"]
    bc = cfg["bank_crisis"]
    season = sp.get("seasonality", [1.0] * 12)
    cf = sp.get("ceasefire", {"month": -1, "hazard_per_year": 0.0, "cut": 0.0})
    L = np.linalg.cholesky(np.array(cfg["correlation"], dtype=float))
    k = 0.0 if zero_shock else 1.0

    rng = np.random.default_rng(seed)
    n = paths
    lp = np.full(n, math.log(o["p0"]))
    lx = np.full(n, math.log(fx["x0"]))
    a = np.zeros(n); b = np.zeros(n); w = np.zeros(n)
    S = np.zeros(n); F = np.full(n, float(fund["liquid0"]))
    cease = np.full(n, -1)
    gaps = np.zeros((12, n))
    ev = {e: np.full(n, -1) for e in ("default", "depletion", "bank_crisis")}
    p_cf = 0.0 if cf["month"] >= 0 else 1 - math.exp(-cf["hazard_per_year"] * D) * 1.0
    if zero_shock:
        p_cf = 0.0
    rec = {v: np.zeros((T, n)) for v in ("P", "X", "G", "I", "Rog", "Rno", "N", "B", "W", "U", "F", "S")}
    for t in range(T):
        eps = rng.standard_normal((n, 4))
        z = eps @ L.T * k
        nj = rng.poisson(o["jump_intensity"] * D, n) if not zero_shock else np.zeros(n, int)
        J = nj * o["jump_mean"] + np.sqrt(nj) * o["jump_volatility"] * rng.standard_normal(n)
        eA = rng.standard_normal(n) * k
        uA = rng.random(n) if not zero_shock else np.ones(n)
        uC = rng.random(n)
        dlp = o["mean_reversion"] * (math.log(o["long_run_mean"]) - lp) * D + o["volatility"] * math.sqrt(D) * z[:, 0] + J
        lp = lp + dlp
        P = np.exp(lp)
        lx = lx + fx["drift"] * D + fx["oil_elasticity"] * dlp + fx["volatility"] * math.sqrt(D) * z[:, 1]
        X = np.exp(lx)
        Rog = og["base_monthly"] * (X / og["x_ref"]) * np.maximum(P - og["price_floor"], 0) / (og["p_ref"] - og["price_floor"])
        a = no["persistence"] * a + no["volatility"] * z[:, 2]
        Rno = no["base_monthly"] * np.exp(no["growth"] * t * D + a)
        if cf["month"] >= 0:
            if t == cf["month"]:
                cease[:] = t
        else:
            cease = np.where((cease < 0) & (uC < p_cf), t, cease)
        c = np.where(cease >= 0, 1 - cf["cut"], 1.0)
        b = sp["persistence"] * b + sp["volatility"] * z[:, 3]
        G = sp["base_monthly"] * np.exp(sp["growth"] * t * D + b) * season[(m0 - 1 + t) % 12] * c
        I = bk["coupon"] / 12 * S
        N = G + I - Rog - Rno
        w = bk["persistence"] * w + bk["volatility"] * eA
        sat = S / bk["saturation"]
        A = bk["absorption_monthly"] * np.exp(w) * np.maximum(0, 1 - sat)
        pfail = np.clip(bk["auction_fail_base"] + bk["auction_fail_slope"] * sat, 0, 1)
        A = np.where(uA < pfail, 0.0, A)
        deficit = N > 0
        B = np.where(deficit, np.minimum(N, A), 0.0)
        S = S + B
        W = np.where(deficit, np.minimum(N - B, np.maximum(F - fund["floor"], 0)), 0.0)
        F = np.where(deficit, F - W, F - N)
        U = np.where(deficit, N - B - W, 0.0)
        Y = gdp["annual0"] * math.exp(gdp["growth"] * t * D)
        gaps[t % 12] = U
        last12 = gaps.sum(axis=0)
        new_def = (U > 0) & (ev["default"] < 0) & (last12 > tau * Y)
        ev["default"] = np.where(new_def, t, ev["default"])
        crisis = new_def & (bc["haircut"] * (bc["holdings0"] + S) > bc["capital"] + F)
        ev["bank_crisis"] = np.where(crisis, t, ev["bank_crisis"])
        ev["depletion"] = np.where((ev["depletion"] < 0) & (F <= fund["floor"]), t, ev["depletion"])
        for v, arr in (("P", P), ("X", X), ("G", G), ("I", I), ("Rog", Rog), ("Rno", Rno), ("N", N),
                       ("B", B), ("W", W), ("U", U), ("F", F), ("S", S)):
            rec[v][t] = arr
    return ev, rec, (y0, m0, T), cease


def label(y0, m0, t):
    m = m0 - 1 + t
    return f"{y0 + m // 12}-{m % 12 + 1:02d}"


def apply_sets(cfg, sets):
    for item in sets or []:
        key, value = item.split("=", 1)
        node = cfg
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = yaml.safe_load(value)
    return cfg


def report(path, paths, seed, sets=None, brief=False):
    cfg = apply_sets(yaml.safe_load(open(path)), sets)
    print(f"===== {path}: {cfg['scenario']['name']} ({paths} paths, seed {seed})")
    if sets:
        print(f"   overrides: {' '.join(sets)}")
    ev, rec, (y0, m0, T), cease = simulate(cfg, paths, seed)
    years = sorted({y0 + (m0 - 1 + t) // 12 for t in range(T)})
    ends = {yr: min(T - 1, (yr - y0) * 12 + 12 - m0) for yr in years}
    print("   P(event by end of year):  " + "  ".join(f"{yr}" for yr in years))
    for e, months in ev.items():
        probs = [np.mean((months >= 0) & (months <= ends[yr])) for yr in years]
        happened = months[months >= 0]
        med = label(y0, m0, int(np.median(happened))) if happened.size else "-"
        q = (label(y0, m0, int(np.quantile(happened, 0.1))), label(y0, m0, int(np.quantile(happened, 0.9)))) if happened.size else ("-", "-")
        print(f"   {e:12s}" + "".join(f"{p:6.3f}" for p in probs) + f"   median month {med}, 10-90% {q[0]}..{q[1]}")
    d, dep = ev["default"], ev["depletion"]
    if brief:
        return
    if np.any(d >= 0):
        print(f"   P(bank crisis | default) = {np.mean(ev['bank_crisis'][d >= 0] >= 0):.3f}; "
              f"P(default | depleted) = {np.mean(d[dep >= 0] >= 0):.3f}; "
              f"median months depletion->default = {np.median(d[(d >= 0)] - dep[d >= 0]):.0f}")
    if cfg["spending"].get("ceasefire", {}).get("month", -1) < 0:
        print(f"   P(ceasefire by horizon end) = {np.mean(cease >= 0):.3f}")
    for tag, r in (("Monte Carlo mean", rec), ("zero-shock path", simulate(cfg, 1, seed, zero_shock=True)[1])):
        print(f"   {tag}, calendar-year sums (RUB trn) / averages:")
        print("      year   oilP(avg)  X(avg)   G      I     Rog    Rno    need   banks  fund-  unfin  F(end)  S(end)")
        for yr in years:
            lo = max(0, (yr - y0) * 12 + 1 - m0)
            hi = ends[yr] + 1
            sl = slice(lo, hi)
            s = lambda v: rec_mean(r, v, sl).sum() / 1000
            print(f"      {yr}{'*' if lo == 0 and m0 > 1 else ' '} {rec_mean(r, 'P', sl).mean():8.1f} {rec_mean(r, 'X', sl).mean():7.1f} "
                  f"{s('G'):6.2f} {s('I'):5.2f} {s('Rog'):6.2f} {s('Rno'):6.2f} {s('N'):6.2f} {s('B'):6.2f} {s('W'):6.2f} {s('U'):6.2f} "
                  f"{r['F'][hi - 1].mean() / 1000:6.2f} {r['S'][hi - 1].mean() / 1000:6.2f}")
    Pm = rec["P"]
    print("   oil price quantiles (10/50/90%) at Dec of each year: " +
          "; ".join(f"{yr}: {np.quantile(Pm[ends[yr]], 0.1):.0f}/{np.quantile(Pm[ends[yr]], 0.5):.0f}/{np.quantile(Pm[ends[yr]], 0.9):.0f}" for yr in years))
    print("   fund quantiles (10/50/90%, RUB trn) at Dec: " +
          "; ".join(f"{yr}: {np.quantile(rec['F'][ends[yr]], 0.1) / 1000:.2f}/{np.quantile(rec['F'][ends[yr]], 0.5) / 1000:.2f}/{np.quantile(rec['F'][ends[yr]], 0.9) / 1000:.2f}" for yr in years))
    print("   (* = partial year: months from the scenario start only)")


def rec_mean(r, v, sl):
    return r[v][sl].mean(axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("configs", nargs="+")
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", help="key.path=value (YAML value), like sovrisk --set")
    ap.add_argument("--brief", action="store_true", help="event probabilities only")
    args = ap.parse_args()
    for c in args.configs:
        report(c, args.paths, args.seed, args.set, args.brief)


if __name__ == "__main__":
    main()
