#!/usr/bin/python3
"""Compare the peer's yearly probabilities with sovrisk's.

    /usr/bin/python3 bench/peer/compare.py PEER.json SOVRISK_SUMMARY.json [--max-z 4]

PEER.json is what peer_v1.py prints; SOVRISK_SUMMARY.json is `sovrisk summary FILE.h5
--format json`. For every event and year: both probabilities, the difference and
z = difference / sqrt(se_peer^2 + se_sovrisk^2) (independent runs: different generators).
Exits 1 if any |z| exceeds --max-z.
"""

import argparse
import json
import math
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer")
    parser.add_argument("sovrisk")
    parser.add_argument("--max-z", type=float, default=4.0)
    args = parser.parse_args()
    with open(args.peer) as f:
        peer = json.load(f)
    with open(args.sovrisk) as f:
        ref = json.load(f)
    if peer["years"] != ref["years"]:
        sys.exit(f"years differ: peer {peer['years']}, sovrisk {ref['years']}")
    n_p, n_r = peer["paths"], ref["paths"]
    print(f"peer {n_p} paths, sovrisk {n_r} paths; z = (peer - sovrisk) / combined se")
    print(f"{'event':<12} {'year':>4} {'sovrisk':>9} {'peer':>9} {'diff':>9} {'z':>6}")
    worst = 0.0
    for event, values in peer["events"].items():
        for i, year in enumerate(peer["years"]):
            p = values["probability"][i]
            r = ref[event]["probability"][i]
            se = math.sqrt(p * (1 - p) / n_p + r * (1 - r) / n_r)
            z = (p - r) / se if se > 0 else (0.0 if p == r else math.inf)
            worst = max(worst, abs(z))
            print(f"{event:<12} {year:>4} {100 * r:8.3f}% {100 * p:8.3f}% {100 * (p - r):+8.3f}% "
                  f"{z:+6.2f}")
    print(f"largest |z| = {worst:.2f} (limit {args.max_z})")
    sys.exit(0 if worst <= args.max_z else 1)


if __name__ == "__main__":
    main()
