#!/usr/bin/env python3
"""Plots wall time and peak memory against paths from bench/run.sh's end_to_end.csv."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(csv_path, png_path):
    rows = list(csv.DictReader(open(csv_path)))
    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(10, 4), dpi=120)
    for threads in sorted({int(r["threads"]) for r in rows}):
        mine = [r for r in rows if int(r["threads"]) == threads]
        paths = [int(r["paths"]) for r in mine]
        time_axis.plot(paths, [float(r["wall_seconds"]) for r in mine], "o-", label=f"{threads} thread(s)")
        memory_axis.plot(paths, [float(r["peak_rss_mb"]) for r in mine], "o-", label=f"{threads} thread(s)")
    for axis, label in ((time_axis, "wall time [s]"), (memory_axis, "peak resident memory [MB]")):
        axis.set_xscale("log")
        axis.set_xlabel("paths (72 months each)")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
        axis.legend()
    time_axis.set_yscale("log")
    memory_axis.set_ylim(0, 1.25 * max(float(r["peak_rss_mb"]) for r in rows))
    figure.suptitle("sovrisk run configs/russia-2025-v1.yaml")
    figure.tight_layout()
    figure.savefig(png_path)
    print(png_path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
