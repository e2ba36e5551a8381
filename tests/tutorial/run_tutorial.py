#!/usr/bin/env python3
"""Runs every ```sh block of docs/tutorial.md, in order, as one bash script from the
repository root; checks that every line the tutorial quotes in its ```text blocks was
printed (so its figures stay true) and that the files it names were written."""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXPECTED = [
    "russia-2025.h5",
    "tutorial-out/figures/probabilities.png",
    "tutorial-out/figures/fan_fund.png",
    "tutorial-out/baseline.h5",
    "tutorial-out/ceasefire-2026.h5",
    "tutorial-out/oil/compare_probabilities.png",
    "tutorial-out/oil/compare_fan_fund.png",
    "tutorial-out/oil-banks.h5",
    "tutorial-out/grid/sweep_default_2027.png",
    "tutorial-out/band.h5",
    "tutorial-out/sens.h5",
    "tutorial-out/figures/sens/sensitivity_default_2028.png",
    "tutorial-out/figures/sens/sensitivity_default_years.png",
    "tutorial-out/figures/band/band_default.png",
]


def main():
    text = open(os.path.join(ROOT, "docs", "tutorial.md")).read()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    if not blocks:
        sys.exit("tutorial: no ```sh blocks found in docs/tutorial.md")
    shutil.rmtree(os.path.join(ROOT, "tutorial-out"), ignore_errors=True)
    # The Debian python3 (with h5py and matplotlib) must win over any other on PATH.
    env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
    script = "set -euo pipefail\n" + "\n".join(blocks)
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.exit(f"tutorial: the commands failed with exit code {result.returncode}")
    printed = {line.rstrip() for line in result.stdout.splitlines()}
    quoted = [line.rstrip() for block in re.findall(r"```text\n(.*?)```", text, re.S)
              for line in block.splitlines() if line.strip() and line.strip() != "..."]
    stale = [line for line in quoted if line not in printed]
    if stale:
        sys.exit("tutorial: quoted lines no longer printed:\n" + "\n".join(stale))
    missing = [path for path in EXPECTED if not os.path.getsize(os.path.join(ROOT, path)) > 1000]
    if missing:
        sys.exit(f"tutorial: missing or empty: {', '.join(missing)}")
    print(f"tutorial: {len(blocks)} command blocks ran, {len(quoted)} quoted lines printed, "
          f"{len(EXPECTED)} outputs present")


if __name__ == "__main__":
    main()
