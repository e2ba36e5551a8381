#!/usr/bin/python3
"""The peer a researcher would write instead of sovrisk: model v1 in Python + numba.

Model v1 exactly as docs/model.md and src/model.cpp define it (equations (1)-(15)), for
configs without model-v2 sections. One @numba.njit loop over paths and, inside it, over
months; single-threaded. The random numbers come from numba's own generator (seeded with
--seed), not sovrisk's Philox streams, so results agree with sovrisk only statistically.
Each (path, month) draws what sovrisk's economy sub-stream draws, in the same order:
4 standard normals (oil, fx, non_oil, spending; correlated by the Cholesky factor of
`correlation`), the liquidity normal, the auction uniform, the ceasefire uniform, and,
when oil.jump_intensity > 0, a Poisson count of jumps with one standard normal per jump.

Usage:
    /usr/bin/python3 bench/peer/peer_v1.py --config configs/russia-2025-v1.yaml \
        --paths 200000 --seed 20250301

Prints one JSON object: paths, months, compile_seconds (the first call: JIT compilation
plus a tiny run), run_seconds (a second call, already compiled, with --paths paths),
path_months_per_second, and per event the probability of the event by the end of each
calendar year the horizon touches (with its binomial standard error).
"""

import argparse
import json
import math
import sys
import time

import numba
import numpy as np
import yaml

MONTH = 1.0 / 12.0  # Delta, in years
NO_EVENT = -1
EVENTS = ("default", "depletion", "bank_crisis")  # sovrisk's order of model v1's events

# Sections and keys that make a config a model-v2 config (docs/config.md, "Model v2
# sections"); this peer implements model v1 only and refuses them.
MODEL_V2_SECTIONS = ("key_rate", "market", "treasury", "budget_rule", "fiscal", "plan_d",
                     "fund_valuation", "external")


# --------------------------------------------------------------------------------------
# The model: one path at a time, month by month.
# --------------------------------------------------------------------------------------
@numba.njit(cache=False)
def simulate(n_paths, seed, months, start_month, chol, par, seasonality, counts):
    """Simulate n_paths paths of `months` months; add each event's first month to counts.

    counts[e, t]: number of paths whose first month of event e (0 default, 1 depletion,
    2 bank crisis) is t. par: the scalar parameters, in the order of `pack_parameters`.
    """
    np.random.seed(seed)
    (p0, p_bar, kappa, sigma_p, lam, mu_j, sigma_j,
     x0, mu_x, sigma_x, beta,
     r_og, p_ref, x_ref, p_floor,
     r_no, g_no, rho_a, sigma_a,
     g_bar, g_g, rho_b, sigma_b,
     m_c, h_c, cut,
     a_bar, rho_w, sigma_w, s_bar, pi0, pi1, coupon,
     f0, f_floor,
     y0, g_y,
     tau,
     eta, h0, capital) = (par[0], par[1], par[2], par[3], par[4], par[5], par[6],
                          par[7], par[8], par[9], par[10],
                          par[11], par[12], par[13], par[14],
                          par[15], par[16], par[17], par[18],
                          par[19], par[20], par[21], par[22],
                          par[23], par[24], par[25],
                          par[26], par[27], par[28], par[29], par[30], par[31], par[32],
                          par[33], par[34],
                          par[35], par[36],
                          par[37],
                          par[38], par[39], par[40])
    ceasefire_fixed = int(m_c)
    sqrt_month = math.sqrt(MONTH)
    log_p_bar = math.log(p_bar)
    jumps_per_month = lam / 12.0
    # (6) random mode: a constant hazard h_C per year
    p_ceasefire = 0.0 if ceasefire_fixed >= 0 else 1.0 - math.exp(-h_c * MONTH)
    price_span = p_ref - p_floor
    gap_history = np.zeros(12)

    for path in range(n_paths):
        # initial values, index -1 (Model::reset)
        log_p = math.log(p0)
        log_x = math.log(x0)
        a = 0.0
        b = 0.0
        w = 0.0
        stock = 0.0          # S: new debt the banks absorbed since month 0
        fund = f0            # F: liquid fund
        ceasefire = NO_EVENT
        default_month = NO_EVENT
        depletion_month = NO_EVENT
        crisis_month = NO_EVENT
        for k in range(12):
            gap_history[k] = 0.0

        for t in range(months):
            # ---- the month's draws, in sovrisk's order (src/streams.cpp) ----
            e1 = np.random.standard_normal()
            e2 = np.random.standard_normal()
            e3 = np.random.standard_normal()
            e4 = np.random.standard_normal()
            eps_liquidity = np.random.standard_normal()
            u_auction = np.random.random()
            u_ceasefire = np.random.random()
            jump = 0.0
            if jumps_per_month > 0.0:
                n_jumps = np.random.poisson(jumps_per_month)
                for _ in range(n_jumps):
                    jump += np.random.standard_normal() * sigma_j + mu_j

            # (1) correlated shocks z = L eps
            z1 = chol[0, 0] * e1
            z2 = chol[1, 0] * e1 + chol[1, 1] * e2
            z3 = chol[2, 0] * e1 + chol[2, 1] * e2 + chol[2, 2] * e3
            z4 = chol[3, 0] * e1 + chol[3, 1] * e2 + chol[3, 2] * e3 + chol[3, 3] * e4

            # (2) oil: log mean reversion plus compound-Poisson jumps
            delta = kappa * (log_p_bar - log_p) * MONTH + sigma_p * sqrt_month * z1 + jump
            log_p += delta
            price = math.exp(log_p)
            # (3) exchange rate, driven by the whole oil increment
            log_x += mu_x * MONTH + beta * delta + sigma_x * sqrt_month * z2
            fx = math.exp(log_x)
            # (5), (7) AR(1) states
            a = rho_a * a + sigma_a * z3
            b = rho_b * b + sigma_b * z4
            # (6) ceasefire: fixed month, or a hazard; once on it stays on
            if ceasefire == NO_EVENT:
                if ceasefire_fixed >= 0:
                    if t == ceasefire_fixed:
                        ceasefire = t
                elif u_ceasefire < p_ceasefire:
                    ceasefire = t

            years = t * MONTH
            # (4) + (5) revenue
            revenue = r_og * (fx / x_ref) * max(price - p_floor, 0.0) / price_span
            revenue += r_no * math.exp(g_no * years + a)
            # (7) spending, seasonality by calendar month, cut from the ceasefire on
            spending = g_bar * math.exp(g_g * years + b) * seasonality[(start_month - 1 + t) % 12]
            if ceasefire != NO_EVENT:
                spending = spending * (1.0 - cut)
            # (8)-(9) need, with interest on S_{t-1}
            need = spending + coupon / 12.0 * stock - revenue

            # (10) the banks' capacity, from S_{t-1}; w is updated every month
            w = rho_w * w + sigma_w * eps_liquidity
            q = stock / s_bar
            capacity = a_bar * math.exp(w) * max(1.0 - q, 0.0)
            fail = min(max(pi0 + pi1 * q, 0.0), 1.0)
            if u_auction < fail:
                capacity = 0.0

            # (11) waterfall: banks, then the fund down to its floor, then the gap
            available = max(fund - f_floor, 0.0)
            if need > 0.0:
                banks = min(need, capacity)
                unfinanced = need - banks
                withdrawn = min(unfinanced, available)
                unfinanced -= withdrawn
                stock += banks
                if available > 0.0 and withdrawn == available:
                    fund = f_floor         # the floor rule: drained exactly to the floor
                else:
                    fund = fund - withdrawn
            else:
                unfinanced = 0.0
                fund = fund - need         # the whole surplus is saved, no cap

            # (14) depletion
            if depletion_month == NO_EVENT and fund <= f_floor:
                depletion_month = t
            # (12) GDP; (13) default; (15) bank crisis in the default month
            gdp = y0 * math.exp(g_y * years)
            gap_history[t % 12] = unfinanced
            gap = 0.0
            for m in range(max(0, t - 11), t + 1):
                gap += gap_history[m % 12]
            if default_month == NO_EVENT and unfinanced > 0.0 and gap > tau * gdp:
                default_month = t
                if eta * (h0 + stock) > capital + fund:
                    crisis_month = t

        if default_month != NO_EVENT:
            counts[0, default_month] += 1
        if depletion_month != NO_EVENT:
            counts[1, depletion_month] += 1
        if crisis_month != NO_EVENT:
            counts[2, crisis_month] += 1


# --------------------------------------------------------------------------------------
# The config
# --------------------------------------------------------------------------------------
def number(section, key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{section}.{key}: not a number: {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{section}.{key}: not finite")
    return result


def load_config(path):
    with open(path) as f:
        cfg = yaml.safe_load(f)
    v2 = [s for s in MODEL_V2_SECTIONS if s in cfg]
    if "seasonality" in cfg["revenue"]["oil_gas"]:
        v2.append("revenue.oil_gas.seasonality")
    if "support" in cfg["bank_crisis"]:
        v2.append("bank_crisis.support")
    if "priors" in cfg:
        v2.append("priors")
    if v2:
        raise SystemExit(f"peer_v1: {path} is not a model-v1 config (has {', '.join(v2)})")

    def get(section, key, default=None):
        node = cfg
        for part in section.split("."):
            node = node[part]
        if key not in node:
            if default is None:
                raise SystemExit(f"peer_v1: {section}.{key} is missing")
            return default
        value = node[key]
        if isinstance(value, dict):
            raise SystemExit(f"peer_v1: {section}.{key} is a prior; priors are not supported")
        return number(section, key, value)

    start = str(cfg["scenario"]["start"])
    start_year, start_month = int(start[:4]), int(start[5:7])
    months = int(cfg["scenario"]["months"])
    ceasefire = cfg["spending"].get("ceasefire")
    if ceasefire is None:
        m_c, h_c, cut = -1.0, 0.0, 0.0  # no ceasefire section: never a ceasefire
    else:
        m_c = float(int(ceasefire["month"]))
        h_c = number("spending.ceasefire", "hazard_per_year", ceasefire["hazard_per_year"])
        cut = number("spending.ceasefire", "cut", ceasefire["cut"])
    par = np.array([
        get("oil", "p0"), get("oil", "long_run_mean"), get("oil", "mean_reversion"),
        get("oil", "volatility"), get("oil", "jump_intensity"), get("oil", "jump_mean"),
        get("oil", "jump_volatility"),
        get("fx", "x0"), get("fx", "drift"), get("fx", "volatility"), get("fx", "oil_elasticity"),
        get("revenue.oil_gas", "base_monthly"), get("revenue.oil_gas", "p_ref"),
        get("revenue.oil_gas", "x_ref"), get("revenue.oil_gas", "price_floor"),
        get("revenue.non_oil", "base_monthly"), get("revenue.non_oil", "growth"),
        get("revenue.non_oil", "persistence"), get("revenue.non_oil", "volatility"),
        get("spending", "base_monthly"), get("spending", "growth"),
        get("spending", "persistence"), get("spending", "volatility"),
        m_c, h_c, cut,
        get("banks", "absorption_monthly"), get("banks", "persistence"),
        get("banks", "volatility"), get("banks", "saturation"),
        get("banks", "auction_fail_base"), get("banks", "auction_fail_slope"),
        get("banks", "coupon"),
        get("fund", "liquid0"), get("fund", "floor"),
        get("gdp", "annual0"), get("gdp", "growth"),
        get("default", "gap_threshold"),
        get("bank_crisis", "haircut"), get("bank_crisis", "holdings0"),
        get("bank_crisis", "capital"),
    ], dtype=np.float64)
    seasonality = np.array([float(v) for v in cfg["spending"].get("seasonality", [1.0] * 12)])
    if seasonality.shape != (12,):
        raise SystemExit("peer_v1: spending.seasonality must have 12 entries")
    correlation = np.array(cfg["correlation"], dtype=np.float64)
    if correlation.shape != (4, 4):
        raise SystemExit("peer_v1: correlation must be 4x4")
    chol = np.ascontiguousarray(np.linalg.cholesky(correlation))  # lower, Sigma = L L^T
    return dict(months=months, start_year=start_year, start_month=start_month, par=par,
                seasonality=seasonality, chol=chol,
                paths=int(cfg["simulation"]["paths"]), seed=int(cfg["simulation"]["seed"]))


def yearly(counts, n, start_year, start_month, months):
    """P(event by the end of each calendar year), as sovrisk's statistics compute it."""
    last_month_of_year = {}
    for t in range(months):
        last_month_of_year[start_year + (start_month - 1 + t) // 12] = t
    years = sorted(last_month_of_year)
    cumulative = np.cumsum(counts, axis=1)
    out = {}
    for e, name in enumerate(EVENTS):
        p = [float(cumulative[e, last_month_of_year[y]]) / n for y in years]
        out[name] = {"probability": p,
                     "stderr": [math.sqrt(x * (1.0 - x) / n) for x in p]}
    return years, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--paths", type=int, help="default: simulation.paths of the config")
    parser.add_argument("--seed", type=int, help="default: simulation.seed of the config")
    args = parser.parse_args(argv)
    c = load_config(args.config)
    n = args.paths if args.paths is not None else c["paths"]
    seed = args.seed if args.seed is not None else c["seed"]
    if n < 1:
        raise SystemExit("peer_v1: --paths must be >= 1")
    seed32 = seed % (2 ** 32)  # numba's np.random.seed takes a 32-bit seed
    months = c["months"]

    def call(paths):
        counts = np.zeros((len(EVENTS), months), dtype=np.int64)
        start = time.perf_counter()
        simulate(paths, seed32, months, c["start_month"], c["chol"], c["par"],
                 c["seasonality"], counts)
        return counts, time.perf_counter() - start

    _, compile_seconds = call(16)           # first call: JIT compilation (+ 16 paths)
    counts, run_seconds = call(n)           # second call: compiled, timed
    years, events = yearly(counts, n, c["start_year"], c["start_month"], months)
    result = {
        "model": "v1",
        "config": args.config,
        "paths": n,
        "months": months,
        "seed": seed,
        "numba": numba.__version__,
        "numpy": np.__version__,
        "compile_seconds": round(compile_seconds, 4),
        "run_seconds": round(run_seconds, 4),
        "path_months_per_second": n * months / run_seconds,
        "years": years,
        "events": events,
        "month_counts": {name: counts[e].tolist() for e, name in enumerate(EVENTS)},
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
