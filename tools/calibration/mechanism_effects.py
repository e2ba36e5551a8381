#!/usr/bin/env python3
"""The effect of each model-v2 mechanism alone, with common random numbers.

    /usr/bin/python3 tools/calibration/mechanism_effects.py V1_CONFIG V2_CONFIG \
        [--sovrisk build/sovrisk] [--paths N] [--year Y]

For each mechanism section that V2_CONFIG gives (docs/config.md, "Model v2
sections"), runs V1_CONFIG with that section added (and what it needs: `market`
takes `key_rate` with it), then V2_CONFIG whole, all at V1_CONFIG's seed with
--per-path, and compares each with V1_CONFIG by `sovrisk compare`: the paths
share the economy's draws (sub-stream 0), so the interval of a difference is
the paired one, from per-path disagreements. Where V2_CONFIG also changes a
model-v1 key (spending without interest, once `market` pays the interest), the
`market` row and the "all of v2" row take it and the other rows do not; the
keys are listed. Prints a markdown table: P(default by the end of year Y)
and the paired difference to v1, and the same for fund depletion.
Needs PyYAML and h5py (Debian's python3-yaml, python3-h5py).
"""
import argparse
import copy
import csv
import io
import os
import subprocess
import sys
import tempfile

import h5py
import yaml

# The mechanism sections, in the order of docs/model.md, with what each needs.
MECHANISMS = [
    ("key_rate", ["key_rate"]),
    ("market", ["key_rate", "market"]),
    ("revenue.oil_gas.seasonality", ["revenue.oil_gas.seasonality"]),
    ("budget_rule", ["budget_rule"]),
    ("fiscal", ["fiscal"]),
    ("treasury", ["treasury"]),
    ("fund_valuation", ["fund_valuation"]),
    ("external", ["external"]),
    ("plan_d", ["plan_d"]),
    ("bank_crisis.support", ["plan_d", "bank_crisis.support"]),
]


def lookup(tree, path):
    for part in path.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def assign(tree, path, value):
    parts = path.split(".")
    for part in parts[:-1]:
        tree = tree.setdefault(part, {})
    tree[parts[-1]] = copy.deepcopy(value)


def v1_keys_changed(v1, v2, prefix=""):
    """The model-v1 keys whose values V2 changes."""
    changed = []
    for key, value in v1.items():
        path = prefix + key
        if isinstance(value, dict):
            changed += v1_keys_changed(value, v2.get(key, {}) or {}, path + ".")
        elif key in v2 and v2[key] != value:
            changed.append(path)
    return changed


def run(sovrisk, config_path, output, paths):
    subprocess.run([sovrisk, "run", config_path, "--paths", str(paths), "--per-path", "-q",
                    "-o", output], check=True, stdout=subprocess.DEVNULL)


def event_by_year(result, event, year):
    with h5py.File(result, "r") as f:
        years = list(f["time/year"][:])
        return float(f[event]["cumulative_probability"][years.index(year)])


def default_difference(sovrisk, a, b, year):
    out = subprocess.run([sovrisk, "compare", a, b, "--format", "csv"], check=True,
                         capture_output=True, text=True).stdout
    for row in csv.DictReader(io.StringIO(out)):
        if row["event"] == "default" and int(row["year"]) == year:
            return float(row["difference"]), float(row["ci95_low"]), float(row["ci95_high"])
    raise SystemExit(f"compare has no row for {year}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("v1_config")
    parser.add_argument("v2_config")
    parser.add_argument("--sovrisk", default="build/sovrisk")
    parser.add_argument("--paths", type=int, default=100000)
    parser.add_argument("--year", type=int, default=2031)
    arguments = parser.parse_args()
    with open(arguments.v1_config) as f:
        v1 = yaml.safe_load(f)
    with open(arguments.v2_config) as f:
        v2 = yaml.safe_load(f)
    v2["simulation"]["seed"] = v1["simulation"]["seed"]

    with tempfile.TemporaryDirectory() as work:
        def result_of(name, tree):
            config = os.path.join(work, name + ".yaml")
            with open(config, "w") as f:
                yaml.safe_dump(tree, f, sort_keys=False)
            output = os.path.join(work, name + ".h5")
            run(arguments.sovrisk, config, output, arguments.paths)
            return output

        baseline = result_of("v1", v1)
        changed = [key for key in v1_keys_changed(v1, v2)
                   if not key.startswith(("scenario.", "simulation."))]
        rows = []
        for name, sections in MECHANISMS:
            if lookup(v2, name) is None:
                continue
            variant = copy.deepcopy(v1)
            for section in sections:
                assign(variant, section, lookup(v2, section))
            if name == "market":
                for key in changed:
                    assign(variant, key, lookup(v2, key))
            rows.append((name + " alone", result_of(name.replace(".", "_"), variant)))
        rows.append(("all of v2", result_of("v2", v2)))

        year = arguments.year
        print(f"P(default by end-{year}) and P(fund depletion by end-{year}), "
              f"{arguments.paths} paths, seed {v1['simulation']['seed']}; "
              "difference = variant - v1, paired 95 % interval\n")
        print("| config | P(default) | difference [95 % CI] | P(depletion) | difference |")
        print("|---|---:|---:|---:|---:|")
        base_default = event_by_year(baseline, "default", year)
        base_depletion = event_by_year(baseline, "depletion", year)
        print(f"| v1 | {100 * base_default:.2f} % | – | {100 * base_depletion:.2f} % | – |")
        for name, result in rows:
            difference, low, high = default_difference(arguments.sovrisk, baseline, result, year)
            depletion = event_by_year(result, "depletion", year)
            # compare reports other - reference: variant - v1.
            print(f"| {name} | {100 * event_by_year(result, 'default', year):.2f} % | "
                  f"{100 * difference:+.2f} [{100 * low:+.2f}, {100 * high:+.2f}] | "
                  f"{100 * depletion:.2f} % | {100 * (depletion - base_depletion):+.2f} |")
        if changed:
            print("\nModel-v1 keys that the v2 config changes (in the market and 'all of v2' "
                  "rows): " + ", ".join(changed))


if __name__ == "__main__":
    sys.exit(main())
