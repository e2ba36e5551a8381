#!/usr/bin/env python3
"""Tests of tools/sovrisk-plot on small synthetic result files (HDF5 format 1.1 and 1.0).

Run:  python3 tests/plot/test_sovrisk_plot.py
Set SOVRISK_RESULT=path/to/result.h5 to also plot a real result file of the simulator.
Needs the Debian packages python3-h5py, python3-matplotlib and python3-numpy; the tool is
run with the same interpreter as this test.
"""

import contextlib
import importlib.machinery
import importlib.util
import io
import itertools
import os
import struct
import subprocess
import sys
import tempfile
from statistics import NormalDist
import unittest

try:
    import h5py
    import numpy as np
except ImportError as exc:
    sys.exit(f"test_sovrisk_plot: Python module '{exc.name}' is not available to "
             f"{sys.executable} (Debian: apt-get install python3-h5py python3-numpy)")

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                    "sovrisk-plot")

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
# The synthetic files hold the variables and events of model v1, the only ones a format 1.0
# file can hold; the tool must take whatever a file lists, as the tests with others check.
V1_VARIABLES = {  # name -> (units, label)
    "oil_price": ("USD/bbl", "Oil price"),
    "fx": ("RUB/USD", "Exchange rate"),
    "need": ("RUB bn/month", "Financing need"),
    "bank_absorbed": ("RUB bn/month", "Absorbed by banks"),
    "fund": ("RUB bn", "Fund balance"),
    "unfinanced": ("RUB bn/month", "Unfinanced need"),
}
V1_EVENTS = {"default": "Default", "depletion": "Fund depletion", "bank_crisis": "Bank crisis"}


def single_figures(variables=V1_VARIABLES, events=V1_EVENTS):
    """A fan for each variable, followed by its annual figure if it is a flow (per month)."""
    names = ["probabilities"]
    for var, (units, _) in variables.items():
        names.append(f"fan_{var}")
        if units.endswith("/month"):
            names.append(f"annual_{var}")
    return names + [f"{event}_month_hist" for event in events]


def compare_figures(variables=V1_VARIABLES):
    return ["compare_probabilities"] + [f"compare_fan_{var}" for var in variables]


# What the figures take from a run's configuration: the fund's floor and GDP (model.md (12)).
SYNTHETIC_FLOOR = 5.0
SYNTHETIC_GDP0, SYNTHETIC_GDP_GROWTH = 1200.0, 0.06
SYNTHETIC_CONFIG = (f"fund:\n  liquid0: 40\n  floor: {SYNTHETIC_FLOOR}\n"
                    f"gdp:\n  annual0: {SYNTHETIC_GDP0}\n  growth: {SYNTHETIC_GDP_GROWTH}\n")

SINGLE_FIGURES = single_figures()
COMPARE_FIGURES = compare_figures()

MIN_BYTES = 5000
MIN_PNG_SIDE = 400


# ----------------------------------------------------------------------------------------
# Synthetic result files
# ----------------------------------------------------------------------------------------

def month_strings(start, count):
    year, month = map(int, start.split("-"))
    out = []
    for i in range(count):
        y, m = divmod(month - 1 + i, 12)
        out.append(f"{year + y:04d}-{m + 1:02d}")
    return out


def wilson(p, n, z=1.96):
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def write_result(path, scenario="baseline", seed=7, start="2025-01", months=36,
                 n_paths=400, sample_paths=20, byte_strings=False, format_version="1.1",
                 variables=V1_VARIABLES, events=V1_EVENTS, label=None,
                 config=SYNTHETIC_CONFIG, conditional=False):
    """Write a synthetic sovrisk result file with the documented layout.

    byte_strings=True stores string attributes and /time/month as fixed-length byte
    strings instead of variable-length UTF-8, as some HDF5 writers do. Format 1.1 lists the
    variables and events (root attributes) and labels each; format 1.0 does neither.
    label: the run's root `label`, which files written before it was recorded lack.
    config: the root `config_yaml` after the scenario's name; the keys the figures read.
    conditional: write the group /conditional (format 1.2) from the paths of the event
    `default` (the first event): True, or "none" (no path defaults) or "all" (every path does).
    """
    listed = format_version != "1.0"
    rng = np.random.default_rng(seed)
    month_text = month_strings(start, months)
    month_years = np.array([int(m[:4]) for m in month_text])
    years = np.unique(month_years).astype(np.int32)

    def text(value):
        return np.bytes_(value) if byte_strings else value

    def dataset(name, data, units, description, **attrs):
        ds = f.create_dataset(name, data=data)
        ds.attrs["units"] = text(units)
        ds.attrs["description"] = text(description)
        for key, value in attrs.items():
            ds.attrs[key] = value

    with h5py.File(path, "w") as f:
        root = {"filetype": text("sovrisk-result"), "format_version": text(format_version),
                "sovrisk_version": text("0.1.0"), "scenario": text(scenario),
                "start": text(start), "config_yaml": text(f"scenario: {scenario}\n{config}"),
                "created_utc": text("2025-01-01T00:00:00Z")}
        for key, value in root.items():
            f.attrs[key] = value
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["paths"] = np.uint64(n_paths)
        f.attrs["months"] = np.int64(months)
        f.attrs["wall_seconds"] = np.float64(1.5)
        f.attrs["sample_paths"] = np.int64(sample_paths)
        f.attrs["block_size"] = np.int64(100)
        if label is not None:
            f.attrs["label"] = text(label)
        if listed:
            f.attrs["variables"] = list(variables)
            f.attrs["events"] = list(events)

        month_dtype = "S7" if byte_strings else h5py.string_dtype()
        dataset("/time/month", np.array(month_text, dtype=month_dtype), "YYYY-MM",
                "simulated months")
        dataset("/time/year", years, "year", "calendar years covered")

        for k, (event, label) in enumerate(events.items()):
            # First event month per path, or -1 when the event never happens.
            happens = rng.random(n_paths) < 0.2 + 0.15 * k
            if k == 0 and conditional in ("none", "all"):
                happens[:] = conditional == "all"
            first = np.where(happens, rng.integers(0, months, n_paths), -1)
            if k == 0:
                default_first = first
            counts = np.bincount(first[first >= 0], minlength=months).astype(np.int64)
            by_year = np.array([counts[month_years <= y].sum() for y in years]) / n_paths
            low, high = wilson(by_year, n_paths)
            dataset(f"/{event}/cumulative_probability", by_year, "1", "P(event by year end)")
            dataset(f"/{event}/stderr", np.sqrt(by_year * (1 - by_year) / n_paths), "1",
                    "standard error")
            dataset(f"/{event}/ci95_low", low, "1", "Wilson 95 % interval, lower")
            dataset(f"/{event}/ci95_high", high, "1", "Wilson 95 % interval, upper")
            dataset(f"/{event}/month_counts", counts, "paths", "paths with first event")
            if listed:
                f[f"/{event}"].attrs["label"] = text(label)

        for k, (var, (units, label)) in enumerate(variables.items()):
            level = 10.0 * (k + 1)
            steps = rng.normal(0.0, 0.05, (n_paths, months))
            paths = level * np.exp(np.cumsum(steps, axis=1))
            fan = np.quantile(paths, QUANTILES, axis=0).T
            labelled = {"label": text(label)} if listed else {}
            dataset(f"/fan/{var}", fan, units, f"quantiles of {var}",
                    quantiles=np.array(QUANTILES), **labelled)
            dataset(f"/mean/{var}", paths.mean(axis=0), units, f"mean of {var}", **labelled)
            dataset(f"/sample_paths/{var}", paths[:sample_paths], units,
                    f"sample paths of {var}", **labelled)
            if conditional:
                for condition, rows in (("default", default_first >= 0),
                                        ("no_default", default_first < 0)):
                    group = f.require_group(f"/conditional/{condition}")
                    group.attrs["paths"] = np.uint64(rows.sum())
                    fan = (np.quantile(paths[rows], QUANTILES, axis=0).T if rows.any()
                           else np.full((months, len(QUANTILES)), np.nan))
                    dataset(f"/conditional/{condition}/fan/{var}", fan, units,
                            f"quantiles of {var} given {condition}")

        if conditional:
            defaulted = default_first[default_first >= 0]
            d = len(defaulted)
            drivers = {"oil_price": "USD/bbl", "fx": "RUB/USD", "fund": "RUB bn",
                       "gap_12m": "RUB bn"}
            for k, (driver, units) in enumerate(drivers.items()):
                values = (np.linspace(10, 20, len(QUANTILES)) * (k + 1) if d
                          else np.full(len(QUANTILES), np.nan))
                dataset(f"/conditional/default_month/{driver}", values, units,
                        f"{driver} at the default month")
            scale = f.create_dataset("/conditional/default_month/quantile", data=np.array(QUANTILES))
            scale.make_scale("quantile")
            start_month = int(start[5:7])
            calendar = np.bincount((start_month - 1 + defaulted) % 12, minlength=12)
            dataset("/conditional/default_month/calendar_month", calendar.astype(np.int64),
                    "paths", "defaults by calendar month")
            without = d // 3
            lags = np.bincount(defaulted[without:] % 5, minlength=months)[:months]
            dataset("/conditional/depletion_to_default_lag", lags.astype(np.int64), "paths",
                    "defaults by months from depletion")
            f["/conditional/depletion_to_default_lag"].attrs["without_depletion"] = \
                np.uint64(without)


def write_sweep(path, axes, start="2025-03", months=34, n_paths=500, reference=0,
                events=V1_EVENTS, seed=3, design="grid"):
    """Write a synthetic sweep file (filetype sovrisk-sweep) over the grid of `axes`
    ({key: [value texts]}, the points row-major, the last key fastest), with the cumulative
    probability of event k at point p and year y rising in all three. With
    design="one-at-a-time", `axes` gives each key's [median, 5 %, 95 %] values instead."""
    keys = list(axes)
    if design == "grid":
        points = [list(point) for point in itertools.product(*axes.values())]
    else:
        medians = [values[0] for values in axes.values()]
        points = [medians]
        for k, values in enumerate(axes.values()):
            for value in values[1:]:
                points.append(medians[:k] + [value] + medians[k + 1:])
    month_text = month_strings(start, months)
    years = np.unique([int(m[:4]) for m in month_text]).astype(np.int32)
    with h5py.File(path, "w") as f:
        for key, value in {"filetype": "sovrisk-sweep", "format_version": "1.0",
                           "sovrisk_version": "0.1.0", "scenario": "grid", "start": start,
                           "created_utc": "2025-01-01T00:00:00Z"}.items():
            f.attrs[key] = value
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["paths"] = np.uint64(n_paths)
        f.attrs["months"] = np.int64(months)
        f.attrs["events"] = list(events)
        f.create_dataset("/time/month", data=np.array(month_text, dtype=h5py.string_dtype()))
        f.create_dataset("/time/year", data=years)
        sweep = f.create_group("/sweep")
        sweep.attrs["points"] = np.uint64(len(points))
        sweep.attrs["reference"] = np.int64(reference)
        sweep.attrs["design"] = design
        f.create_dataset("/sweep/keys", data=np.array(keys, dtype=h5py.string_dtype()))
        f.create_dataset("/sweep/values", data=np.array(points, dtype=h5py.string_dtype()))
        for k, (event, label) in enumerate(events.items()):
            p = np.array([[(0.01 + 0.02 * i + 0.05 * y + 0.01 * k) for y in range(len(years))]
                          for i in range(len(points))])
            low, high = wilson(p, n_paths)
            group = f.create_group(f"/sweep/{event}")
            group.attrs["label"] = label
            for name, data in (("cumulative_probability", p), ("ci95_low", low),
                               ("ci95_high", high)):
                group.create_dataset(name, data=data).attrs["units"] = "1"
    return years, points


DESIGN_ROOT = {"format_version": "1.0", "sovrisk_version": "0.1.0", "scenario": "priors",
               "start": "2025-03", "created_utc": "2025-01-01T00:00:00Z",
               "config_hash": "crc64:0000000000000000", "config_yaml": "scenario: priors\n"}


def write_design_root(f, filetype, years, events):
    for key, value in dict(DESIGN_ROOT, filetype=filetype).items():
        f.attrs[key] = value
    f.attrs["seed"] = np.uint64(5)
    f.attrs["months"] = np.int64(12 * len(years) - 2)
    f.attrs["wall_seconds"] = np.float64(2.5)
    f.attrs["threads"] = np.int64(2)
    f.attrs["events"] = list(events)


def write_band(path, years=(2025, 2026, 2027, 2028), outer=40, inner=300, events=V1_EVENTS):
    """A synthetic band file (filetype sovrisk-band, docs/output.md "Band files")."""
    rng = np.random.default_rng(11)
    years = np.array(years, dtype=np.int32)
    with h5py.File(path, "w") as f:
        write_design_root(f, "sovrisk-band", years, events)
        f.attrs["outer"] = np.uint64(outer)
        f.attrs["inner"] = np.uint64(inner)
        f.create_dataset("/band/year", data=years)
        f.create_dataset("/band/level", data=np.array([0.05, 0.5, 0.95]))
        f.create_dataset("/band/parameters", data=np.array(["a", "b"], dtype=h5py.string_dtype()))
        f.create_dataset("/band/points", data=rng.random((outer, 2)))
        for k, event in enumerate(events):
            p = np.sort(rng.random((outer, len(years))) * (0.1 + 0.1 * k), axis=1)
            group = f"/band/{event}"
            f.create_dataset(f"{group}/conditional", data=p)
            f.create_dataset(f"{group}/integrated", data=p.mean(axis=0))
            f.create_dataset(f"{group}/integrated_stderr", data=p.std(axis=0) / np.sqrt(outer))
            q = np.quantile(p, [0.05, 0.5, 0.95], axis=0)
            f.create_dataset(f"{group}/quantile", data=q)
            f.create_dataset(f"{group}/quantile_ci_low", data=q * 0.8)
            f.create_dataset(f"{group}/quantile_ci_high", data=np.minimum(q * 1.2, 1))
            f.create_dataset(f"{group}/quantile_inner_stderr", data=np.sqrt(q * (1 - q) / inner))
    return years


def write_sensitivity(path, parameters=("oil.long_run_mean", "spending.base_monthly",
                                        "banks.absorption_monthly", "default.gap_threshold"),
                      years=(2025, 2026, 2027, 2028), events=V1_EVENTS):
    """A synthetic sensitivity file (filetype sovrisk-sensitivity): parameter i's total index
    in year y is shuffled so that the file's order is not the sorted one; the bootstrap
    intervals need not hold the estimate (percentile bootstrap)."""
    rng = np.random.default_rng(13)
    years = np.array(years, dtype=np.int32)
    k, y = len(parameters), len(years)
    with h5py.File(path, "w") as f:
        write_design_root(f, "sovrisk-sensitivity", years, events)
        sobol = f.create_group("/sobol")
        for key, value in (("N", 64), ("M", 500), ("bootstrap_resamples", 100), ("seed", 5)):
            sobol.attrs[key] = np.uint64(value)
        sobol.attrs["estimator"] = "Jansen"
        f.create_dataset("/sobol/parameters",
                         data=np.array(parameters, dtype=h5py.string_dtype()))
        f.create_dataset("/sobol/year", data=years)
        for event in events:
            group = f"/sobol/{event}"
            total = rng.permutation(k)[:, None] * 0.1 + 0.05 + 0.01 * np.arange(y)[None, :]
            first = total * 0.8 - 0.02
            for name, data in (("first_order", first), ("total_order", total)):
                f.create_dataset(f"{group}/{name}", data=data)
                f.create_dataset(f"{group}/{name}_ci_low", data=data - 0.05 - 0.01 * rng.random((k, y)))
                f.create_dataset(f"{group}/{name}_ci_high", data=data + 0.04 + 0.01 * rng.random((k, y)))
            f.create_dataset(f"{group}/variance", data=0.01 + 0.002 * np.arange(y))
            f.create_dataset(f"{group}/inner_variance", data=np.full(y, 0.001))
    return years, list(parameters)


# ----------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------

def load_tool():
    loader = importlib.machinery.SourceFileLoader("sovrisk_plot", TOOL)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


# The tool is imported once and its main() called for each case, as the script would call
# it: a fresh interpreter per case spent most of this test's time importing matplotlib.
# test_default_out_dir_is_plots_in_cwd runs the script itself.
PLOT_TOOL = load_tool()


def run_tool(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = PLOT_TOOL.main(list(args)) or 0
        except SystemExit as stop:
            # As the interpreter reports sys.exit(): a text is printed and means 1.
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
                code = 1
            else:
                code = stop.code or 0
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def png_size(path):
    with open(path, "rb") as f:
        header = f.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG file")
    return struct.unpack(">II", header[16:24])


class SovriskPlotTest(unittest.TestCase):

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sovrisk-plot-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def result(self, name, **kwargs):
        path = os.path.join(self.tmp, name)
        write_result(path, **kwargs)
        return path

    def plot(self, *args):
        proc = run_tool(*args)
        self.assertEqual(proc.returncode, 0, f"sovrisk-plot {' '.join(args)} failed:\n"
                                             f"{proc.stderr}")
        self.assertEqual(proc.stderr, "")
        return proc.stdout.splitlines()

    def assert_figures(self, written, out_dir, names, fmt):
        expected = [os.path.join(out_dir, f"{name}.{fmt}") for name in names]
        self.assertEqual(written, expected)
        self.assertEqual(sorted(os.listdir(out_dir)), sorted(os.path.basename(p) for p in expected))
        for path in expected:
            self.assertGreater(os.path.getsize(path), MIN_BYTES, path)
            with open(path, "rb") as f:
                head = f.read(256)
            if fmt == "png":
                width, height = png_size(path)
                self.assertGreaterEqual(min(width, height), MIN_PNG_SIDE, path)
            elif fmt == "svg":
                self.assertIn(b"<svg", head, path)
            elif fmt == "pdf":
                self.assertTrue(head.startswith(b"%PDF-"), path)

    def svg(self, out_dir, name):
        with open(os.path.join(out_dir, f"{name}.svg")) as f:
            return f.read()

    def assert_error(self, args, path, *phrases):
        proc = run_tool(*args)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertNotIn("Traceback", proc.stderr)
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertTrue(lines[0].startswith(f"sovrisk-plot: error: {path}: "), lines[0])
        for phrase in phrases:
            self.assertIn(phrase, lines[0])

    # --- plotting ---------------------------------------------------------------------

    def test_tool_is_executable_script(self):
        self.assertTrue(os.access(TOOL, os.X_OK), TOOL)
        with open(TOOL) as f:
            self.assertEqual(f.readline().strip(), "#!/usr/bin/env python3")

    def test_help(self):
        proc = run_tool("--help")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("usage: sovrisk-plot", proc.stdout)
        self.assertIn("--compare", proc.stdout)

    def test_single_png(self):
        out = os.path.join(self.tmp, "png")
        written = self.plot(self.result("run.h5"), "--out", out)
        self.assert_figures(written, out, SINGLE_FIGURES, "png")

    def test_default_out_dir_is_plots_in_cwd(self):
        path = self.result("run.h5", months=14)
        proc = subprocess.run([sys.executable, TOOL, path], capture_output=True, text=True,
                              cwd=self.tmp, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        written = proc.stdout.splitlines()
        self.assertEqual(written, [os.path.join("plots", f"{name}.png") for name in SINGLE_FIGURES])
        self.assert_figures([os.path.join(self.tmp, p) for p in written],
                            os.path.join(self.tmp, "plots"), SINGLE_FIGURES, "png")

    def test_svg_and_pdf(self):
        path = self.result("run.h5", scenario="oil-shock", seed=11)
        for fmt in ("svg", "pdf"):
            with self.subTest(fmt=fmt):
                out = os.path.join(self.tmp, fmt)
                written = self.plot(path, "--out", out, "--format", fmt)
                self.assert_figures(written, out, SINGLE_FIGURES, fmt)
        # SVG text stays text: axis label carries the units, title the run.
        with open(os.path.join(self.tmp, "svg", "fan_oil_price.svg")) as f:
            svg = f.read()
        for text in ("USD/bbl", "oil-shock", "seed 11", "400 paths", "median", "mean"):
            self.assertIn(text, svg)

    def test_byte_strings_and_no_sample_paths(self):
        path = self.result("run.h5", byte_strings=True, sample_paths=0, start="2024-07")
        out = os.path.join(self.tmp, "out")
        self.assert_figures(self.plot(path, "--out", out), out, SINGLE_FIGURES, "png")

    def test_minor_format_version_is_accepted(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            f.attrs["format_version"] = "1.3"
        out = os.path.join(self.tmp, "out")
        self.assert_figures(self.plot(path, "--out", out), out, SINGLE_FIGURES, "png")

    def test_compare(self):
        a = self.result("a.h5", scenario="baseline", seed=1)
        b = self.result("b.h5", scenario="oil-shock", seed=2, start="2025-07", months=30,
                        byte_strings=True)
        for fmt in ("png", "svg"):
            with self.subTest(fmt=fmt):
                out = os.path.join(self.tmp, f"cmp-{fmt}")
                written = self.plot("--compare", a, b, "--out", out, "--format", fmt)
                self.assert_figures(written, out, COMPARE_FIGURES, fmt)
        with open(os.path.join(self.tmp, "cmp-svg", "compare_probabilities.svg")) as f:
            svg = f.read()
        self.assertIn("baseline", svg)
        self.assertIn("oil-shock", svg)

    def test_the_label_names_the_run(self):
        """Two runs of one scenario, one with an override: each is named by its label in the
        legends and titles (issue #14 item 1), without file names; a file without a label
        (written before it was recorded) by its scenario's name."""
        a = self.result("a.h5", seed=1, label="baseline [oil.long_run_mean=55]")
        b = self.result("b.h5", seed=1)
        out = os.path.join(self.tmp, "cmp")
        self.plot("--compare", a, b, "--out", out, "--format", "svg")
        with open(os.path.join(out, "compare_probabilities.svg")) as f:
            svg = f.read()
        self.assertIn("baseline [oil.long_run_mean=55]", svg)
        self.assertIn("baseline", svg.replace("baseline [oil.long_run_mean=55]", ""))
        self.assertNotIn("a.h5", svg)
        self.assertNotIn("b.h5", svg)
        single = os.path.join(self.tmp, "single")
        self.plot(a, "--out", single, "--format", "svg")
        with open(os.path.join(single, "fan_fund.svg")) as f:
            self.assertIn("baseline [oil.long_run_mean=55], seed 1", f.read())

    def test_compare_without_common_dates_and_same_scenario(self):
        a = self.result("a.h5", start="2020-01", months=12, seed=1)
        b = self.result("b.h5", start="2030-01", months=24, seed=2)
        c = self.result("c.h5", start="2025-06", months=3, seed=3, sample_paths=0)
        out = os.path.join(self.tmp, "cmp")
        written = self.plot("--compare", a, b, c, "--out", out)
        self.assert_figures(written, out, COMPARE_FIGURES, "png")

    # --- options and what the figures hold (issue #14 item 5) ---------------------------

    def drawn(self, inspect, *args):
        """Plot; return {figure name: inspect(fig)}, taken before each figure is saved."""
        return self.capture_figures(inspect, *args)[1]

    def test_paper_style_titles_name_no_seed_and_figures_are_one_column(self):
        path = self.result("run.h5", scenario="oil-shock", seed=11)
        out = os.path.join(self.tmp, "paper")
        written = self.plot(path, "--style", "paper", "--out", out, "--format", "svg")
        self.assert_figures(written, out, SINGLE_FIGURES, "svg")
        titles = self.drawn(lambda fig: [ax.get_title() for ax in fig.axes] + [
            fig._suptitle.get_text() if fig._suptitle else ""], path, "--style", "paper",
            "--out", out)
        self.assertEqual(titles["fan_fund"][0], "Fund balance: quantile fan")
        for name, texts in titles.items():
            for text in texts:
                self.assertNotIn("seed", text, name)
                self.assertNotIn("paths", text, name)
                self.assertNotIn("oil-shock", text, name)
        # One column of a two-column paper: 3.5 x 2.6 in at 300 dpi; no sample paths drawn.
        self.assertEqual(png_size(os.path.join(out, "fan_fund.png")), (1050, 780))
        sample_lines = self.drawn(lambda fig: sum(line.get_gid() == "sample_path"
                                                  for line in fig.axes[0].lines),
                                  path, "--style", "paper", "--only", "fan_fx", "--out", out)
        self.assertEqual(sample_lines, {"fan_fx": 0})
        # The default style keeps the run under the title, and the legend is inside the axes.
        inside = self.drawn(lambda fig: (fig.axes[0].get_title(),
                                         fig.axes[0].get_legend().get_bbox_to_anchor().bounds
                                         == fig.axes[0].bbox.bounds),
                            path, "--only", "fan_fund", "--out", out)
        self.assertEqual(inside["fan_fund"], ("Fund balance: quantile fan\n"
                                              "oil-shock, seed 11, 400 paths", True))

    def test_size_is_honoured_in_pixels(self):
        path = self.result("run.h5")
        for style, dpi in (("default", 150), ("paper", 300)):
            with self.subTest(style=style):
                out = os.path.join(self.tmp, style)
                self.plot(path, "--style", style, "--size", "4,3", "--only", "fan_fx",
                          "probabilities", "--out", out)
                for name in ("fan_fx", "probabilities"):
                    self.assertEqual(png_size(os.path.join(out, f"{name}.png")),
                                     (4 * dpi, 3 * dpi))
        self.plot(path, "--size", "6x2.5", "--only", "annual_need", "--out", self.tmp)
        self.assertEqual(png_size(os.path.join(self.tmp, "annual_need.png")), (900, 375))
        proc = run_tool(path, "--size", "6", "--out", self.tmp)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("WIDTH,HEIGHT", proc.stderr)

    def test_only_draws_exactly_the_named_figures(self):
        path = self.result("run.h5")
        out = os.path.join(self.tmp, "only")
        written = self.plot(path, "--only", "default_month_hist", "fan_fund", "--out", out)
        # In the tool's order, whatever the order named.
        self.assertEqual(written, [os.path.join(out, "fan_fund.png"),
                                   os.path.join(out, "default_month_hist.png")])
        self.assertEqual(sorted(os.listdir(out)), ["default_month_hist.png", "fan_fund.png"])
        written = self.plot(path, "--only", "annual_*", "--out", out)
        self.assertEqual([os.path.basename(p) for p in written],
                         ["annual_need.png", "annual_bank_absorbed.png",
                          "annual_unfinanced.png"])
        other = os.path.join(self.tmp, "none")
        self.assert_error([path, "--only", "fan_gdp", "--out", other], path,
                          "--only fan_gdp: no such figure", "fan_fund")
        self.assertFalse(os.path.exists(other))

    def test_title_replaces_every_title(self):
        path = self.result("run.h5")
        titles = self.drawn(lambda fig: (fig.axes[0].get_title(),
                                         fig._suptitle.get_text() if fig._suptitle else None),
                            path, "--title", "Figure 3: the fund", "--only", "fan_fund",
                            "annual_need", "--out", self.tmp)
        self.assertEqual(titles, {"fan_fund": ("Figure 3: the fund", None),
                                  "annual_need": ("", "Figure 3: the fund")})
        titles = self.drawn(lambda fig: fig.axes[0].get_title(), path, "--title", "",
                            "--only", "fan_fund", "--out", self.tmp)
        self.assertEqual(titles, {"fan_fund": ""})

    def test_fund_fan_marks_the_floor_and_the_month_half_the_paths_reach_it(self):
        path = self.result("run.h5", start="2025-03", months=24, n_paths=400)
        counts = np.zeros(24, dtype=np.int64)
        counts[[2, 5, 9, 15]] = [50, 100, 60, 40]  # 150 of 400 by month 8, 210 by month 9 (2025-12)
        with h5py.File(path, "a") as f:
            f["/depletion/month_counts"][:] = counts

        def marks(fig):
            ax = fig.axes[0]
            lines = {line.get_gid(): line for line in ax.lines}
            return (list(lines["floor"].get_ydata()),
                    [PLOT_TOOL.mdates.num2date(x).date() if not hasattr(x, "year") else x
                     for x in lines["half_reached"].get_xdata()],
                    [text.get_text() for text in ax.get_legend().get_texts()])

        floor, half, legend = self.drawn(marks, path, "--only", "fan_fund",
                                         "--out", self.tmp)["fan_fund"]
        self.assertEqual(floor, [SYNTHETIC_FLOOR, SYNTHETIC_FLOOR])
        self.assertEqual(half, [PLOT_TOOL.dt.date(2025, 12, 1)] * 2)
        self.assertIn("floor 5 RUB bn", legend)
        self.assertIn("fund depletion: half of paths by 2025-12", legend)
        # Fewer than half: no line, the share in the legend; no floor without the config key.
        with h5py.File(path, "a") as f:
            f["/depletion/month_counts"][:] = counts // 2
            f.attrs["config_yaml"] = "scenario: baseline\n"
        gids, legend = self.drawn(lambda fig: ([line.get_gid() for line in fig.axes[0].lines],
                                               [text.get_text() for text in
                                                fig.axes[0].get_legend().get_texts()]),
                                  path, "--only", "fan_fund", "--out", self.tmp)["fan_fund"]
        self.assertNotIn("floor", gids)
        self.assertNotIn("half_reached", gids)
        self.assertIn("fund depletion: 31% of paths in horizon", legend)  # 125 of 400

    def test_annual_sums_are_sums_of_the_means_and_shares_of_gdp(self):
        variables = dict(V1_VARIABLES, exports=("USD bn/month", "Exports"))
        path = self.result("run.h5", start="2025-03", months=24, variables=variables)
        with h5py.File(path, "r") as f:
            mean = f["/mean/need"][()]
            samples = f["/sample_paths/need"][()]
        years = np.array([2025] * 10 + [2026] * 12 + [2027] * 2)
        mean_sums = np.array([mean[years == y].sum() for y in (2025, 2026, 2027)])
        gdp = SYNTHETIC_GDP0 * np.exp(SYNTHETIC_GDP_GROWTH * np.arange(24) / 12) / 12
        gdp_sums = np.array([gdp[years == y].sum() for y in (2025, 2026, 2027)])
        sample_medians = np.array([np.median(samples[:, years == y].sum(axis=1))
                                   for y in (2025, 2026, 2027)])

        def panels(fig):
            return [([bar.get_height() for bar in ax.containers[0]],
                     [line.get_ydata()[0] for line in ax.lines
                      if line.get_gid() == "sample_median"],
                     [tick.get_text() for tick in ax.get_xticklabels()]) for ax in fig.axes]

        seen = self.drawn(panels, path, "--only", "annual_need", "annual_exports",
                          "--out", self.tmp)
        (sums, medians, ticks), (shares, share_medians, _) = seen["annual_need"]
        np.testing.assert_allclose(sums, mean_sums, rtol=1e-12)
        np.testing.assert_allclose(shares, mean_sums / gdp_sums, rtol=1e-12)
        np.testing.assert_allclose(medians, sample_medians, rtol=1e-12)
        np.testing.assert_allclose(share_medians, sample_medians / gdp_sums, rtol=1e-12)
        self.assertEqual(ticks, ["2025\nMar–Dec", "2026", "2027\nJan–Feb"])
        # A flow in other money than GDP's gets its sums only.
        self.assertEqual(len(seen["annual_exports"]), 1)

    def test_compare_draws_distinct_lines_and_outlined_bands(self):
        runs = [self.result(f"{name}.h5", scenario=name, seed=i + 1)
                for i, name in enumerate(("base", "oil", "peace"))]

        def content(fig):
            ax = fig.axes[0]
            medians = [line for line in ax.lines if line.get_gid() == "median"]
            return (len(medians), sum(line.get_gid() == "band_edge" for line in ax.lines),
                    sum(c.get_gid() == "band" for c in ax.collections),
                    [(line.get_color(), line.get_linestyle()) for line in medians])

        seen = self.drawn(content, "--compare", *runs, "--only", "compare_fan_fund",
                          "--out", self.tmp)
        medians, edges, bands, styles = seen["compare_fan_fund"]
        self.assertEqual((medians, edges, bands), (3, 6, 3))
        self.assertEqual(len({color for color, _ in styles}), 3)
        self.assertEqual(len({style for _, style in styles}), 3)
        for color, _ in styles:
            self.assertIn(color, PLOT_TOOL.PALETTE)  # Okabe-Ito

    # --- the variables and events a file lists ------------------------------------------

    def test_variables_events_and_labels_come_from_the_file(self):
        variables = dict(V1_VARIABLES, fund=("RUB bn", "Liquid fund (NWF)"),
                         debt_proxy=("RUB bn", "Bank-held debt"))
        events = dict(V1_EVENTS, bank_run="Run on the banks")
        path = self.result("new.h5", scenario="newer", variables=variables, events=events)
        out = os.path.join(self.tmp, "new")
        written = self.plot(path, "--out", out, "--format", "svg")
        self.assert_figures(written, out, single_figures(variables, events), "svg")
        extra = self.svg(out, "fan_debt_proxy")
        for text in ("Bank-held debt: quantile fan", "Bank-held debt [RUB bn]", "newer"):
            self.assertIn(text, extra)
        fund = self.svg(out, "fan_fund")
        self.assertIn("Liquid fund (NWF): quantile fan", fund)
        self.assertNotIn("Fund balance", fund)
        probabilities = self.svg(out, "probabilities")
        for label in events.values():
            self.assertIn(label, probabilities)
        self.assertIn("Run on the banks: month of the event", self.svg(out, "bank_run_month_hist"))

    def test_format_1_0_file_has_the_v1_variables_and_events(self):
        path = self.result("old.h5", format_version="1.0")
        with h5py.File(path, "r") as f:
            self.assertNotIn("variables", f.attrs)
            self.assertNotIn("label", f["/fan/oil_price"].attrs)
        out = os.path.join(self.tmp, "old")
        self.assert_figures(self.plot(path, "--out", out, "--format", "svg"), out,
                            SINGLE_FIGURES, "svg")
        self.assertIn("Oil price [USD/bbl]", self.svg(out, "fan_oil_price"))
        self.assertIn("Fund depletion", self.svg(out, "probabilities"))

    def test_compare_draws_each_variable_for_the_runs_that_hold_it(self):
        variables = dict(V1_VARIABLES, debt_proxy=("RUB bn", "Bank-held debt"))
        new = self.result("new.h5", scenario="newer", variables=variables)
        old = self.result("old.h5", scenario="older", format_version="1.0")
        out = os.path.join(self.tmp, "cmp")
        written = self.plot("--compare", old, new, "--out", out, "--format", "svg")
        self.assert_figures(written, out, compare_figures(variables), "svg")
        extra = self.svg(out, "compare_fan_debt_proxy")
        self.assertIn("newer", extra)
        self.assertNotIn("older", extra)
        fund = self.svg(out, "compare_fan_fund")
        self.assertIn("newer", fund)
        self.assertIn("older", fund)

    def test_compare_needs_the_compared_event_in_every_file(self):
        with_default = self.result("a.h5")
        without = self.result("b.h5", events={"depletion": "Fund depletion"})
        self.assert_error(["--compare", with_default, without, "--out", self.tmp], without,
                          "holds no event 'default'")

    def test_list_that_is_not_a_list(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            f.attrs["events"] = "default"
        self.assert_error([path, "--out", self.tmp], path, "'events'", "not a list")

    def test_listed_event_without_its_group(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            f.attrs["events"] = ["default", "bank_run"]
        self.assert_error([path, "--out", self.tmp], path, "missing dataset",
                          "/bank_run/cumulative_probability")

    # --- bad input --------------------------------------------------------------------

    def test_missing_dataset(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            del f["/fan/fx"]
        self.assert_error([path, "--out", self.tmp], path, "missing dataset", "/fan/fx")

    def test_wrong_shape(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            del f["/default/month_counts"]
            f["/default/month_counts"] = np.zeros(5, dtype=np.int64)
        self.assert_error([path, "--out", self.tmp], path, "/default/month_counts", "shape")

    def test_probabilities_that_no_run_writes(self):
        cases = [
            ("/default/cumulative_probability", lambda p: np.full(p.shape, np.nan), "[0, 1]"),
            ("/depletion/ci95_low", lambda p: p - 1.0, "[0, 1]"),
            ("/default/cumulative_probability", lambda p: p[::-1] + 0.01, "decreases"),
            ("/default/ci95_high", lambda p: np.zeros(p.shape), "outside [ci95_low, ci95_high]"),
        ]
        for name, change, phrase in cases:
            with self.subTest(name=name, phrase=phrase):
                path = self.result("run.h5")
                with h5py.File(path, "a") as f:
                    data = change(f[name][()])
                    del f[name]
                    f[name] = data
                self.assert_error([path, "--out", self.tmp], path, name.split("/")[1], phrase)

    def test_quantiles_of_the_wrong_shape(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            f["/fan/fx"].attrs["quantiles"] = np.array([[0.05, 0.5], [0.5, 0.95]])
        self.assert_error([path, "--out", self.tmp], path, "/fan/fx", "quantiles")

    def test_a_damaged_checksummed_dataset(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            data = f["/default/cumulative_probability"][()]
            del f["/default/cumulative_probability"]
            f.create_dataset("/default/cumulative_probability", data=data, chunks=data.shape,
                             fletcher32=True)
            chunk = f["/default/cumulative_probability"].id.get_chunk_info(0)
        with open(path, "r+b") as f:
            f.seek(chunk.byte_offset + 3)
            byte = f.read(1)[0]
            f.seek(chunk.byte_offset + 3)
            f.write(bytes([byte ^ 0x10]))
        self.assert_error([path, "--out", self.tmp], path, "cannot read HDF5 file")

    def test_wrong_filetype(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            f.attrs["filetype"] = "something-else"
        self.assert_error([path, "--out", self.tmp], path, "filetype", "something-else")

    def test_wrong_major_version(self):
        path = self.result("run.h5")
        with h5py.File(path, "a") as f:
            f.attrs["format_version"] = "2.0"
        self.assert_error([path, "--out", self.tmp], path, "format_version", "2.0")

    def test_not_hdf5(self):
        path = os.path.join(self.tmp, "notes.h5")
        with open(path, "w") as f:
            f.write("this is not HDF5\n" * 100)
        self.assert_error([path, "--out", self.tmp], path, "not an HDF5 file")

    def test_nonexistent_file(self):
        path = os.path.join(self.tmp, "missing.h5")
        self.assert_error([path, "--out", self.tmp], path, "no such file")

    def test_compare_names_the_bad_file(self):
        good = self.result("good.h5")
        bad = self.result("bad.h5")
        with h5py.File(bad, "a") as f:
            del f["/depletion/ci95_high"]
        self.assert_error(["--compare", good, bad, "--out", self.tmp], bad,
                          "missing dataset", "/depletion/ci95_high")

    def test_usage_errors(self):
        path = self.result("run.h5")
        for args in (["--compare", path], [path, path], [path, "--format", "gif"]):
            with self.subTest(args=args):
                proc = run_tool(*args)
                self.assertEqual(proc.returncode, 2)
                self.assertIn("sovrisk-plot: error:", proc.stderr)

    # --- sweep files ------------------------------------------------------------------

    def plot_capturing(self, *args):
        """Plot, and return for each figure written its name and what its first axes hold:
        the number of lines, the data of the image (None without one), the x tick labels."""
        def inspect(fig):
            ax = fig.axes[0]
            image = ax.images[0].get_array() if ax.images else None
            ticks = [tick.get_text() for tick in ax.get_xticklabels()]
            return len(ax.lines), None if image is None else np.asarray(image), ticks

        written, seen = self.capture_figures(inspect, *args)
        return written, [(name,) + held for name, held in seen.items()]

    def sweep(self, name, axes, **kwargs):
        path = os.path.join(self.tmp, name)
        years, points = write_sweep(path, axes, **kwargs)
        return path, years, points

    def test_sweep_over_one_key_draws_a_line_per_year(self):
        path, years, _ = self.sweep("one.h5", {"oil.long_run_mean": ["50", "65", "80", "95"]})
        out = os.path.join(self.tmp, "one")
        written, drawn = self.plot_capturing(path, "--out", out, "--format", "svg")
        self.assert_figures(written, out, ["sweep_default"], "svg")
        self.assertEqual(drawn[0][1], len(years))
        self.assertIn("oil.long_run_mean", self.svg(out, "sweep_default"))
        self.assertIn(f"by end of {years[-1]}", self.svg(out, "sweep_default"))
        out = os.path.join(self.tmp, "chosen")
        written, drawn = self.plot_capturing(path, "--out", out, "--year", str(years[1]),
                                             "--year", str(years[2]), "--event", "depletion")
        self.assertEqual([(name, lines) for name, lines, _, _ in drawn], [("sweep_depletion", 2)])

    def test_sweep_over_categories_draws_them_in_grid_order(self):
        path, years, _ = self.sweep("cat.h5", {"scenario.name": ["low", "high", "mid"]})
        out = os.path.join(self.tmp, "cat")
        written, drawn = self.plot_capturing(path, "--out", out, "--format", "svg")
        self.assertEqual(drawn[0][1], len(years))
        self.assertEqual(drawn[0][3], ["low", "high", "mid"])

    def test_sweep_over_two_keys_draws_a_heat_map_of_the_grid(self):
        axes = {"oil.long_run_mean": ["50", "65", "80"], "banks.absorption_monthly": ["200", "300"]}
        path, years, points = self.sweep("two.h5", axes)
        out = os.path.join(self.tmp, "two")
        written, drawn = self.plot_capturing(path, "--out", out)
        self.assert_figures(written, out, [f"sweep_default_{years[-1]}"], "png")
        name, _, image, ticks = drawn[0]
        self.assertEqual(ticks, axes["banks.absorption_monthly"])
        self.assertEqual(image.shape, (3, 2))
        with h5py.File(path, "r") as f:
            expected = f["/sweep/default/cumulative_probability"][:, -1].reshape(3, 2)
        np.testing.assert_array_equal(image, expected)
        written, drawn = self.plot_capturing(path, "--out", out, "--year", str(years[0]),
                                             "--year", str(years[1]))
        self.assertEqual([name for name, _, _, _ in drawn],
                         [f"sweep_default_{years[0]}", f"sweep_default_{years[1]}"])

    def test_one_at_a_time_sweep_draws_a_tornado_of_each_prior(self):
        axes = {"oil.long_run_mean": ["65", "51.5", "78.5"],
                "banks.absorption_monthly": ["420", "300", "540"],
                "fx.drift": ["0.04", "0.03", "0.05"]}
        path, years, points = self.sweep("oat.h5", axes, design="one-at-a-time")
        self.assertEqual(len(points), 7)
        out = os.path.join(self.tmp, "oat")
        drawn = []
        original = PLOT_TOOL.save

        def capture(fig, out_dir, name, fmt):
            ax = fig.axes[0]
            drawn.append((name, [(bar.get_x(), bar.get_width()) for bar in ax.patches],
                          [tick.get_text() for tick in ax.get_yticklabels()]))
            return original(fig, out_dir, name, fmt)

        PLOT_TOOL.save = capture
        try:
            written = self.plot(path, "--out", out, "--year", str(years[1]))
        finally:
            PLOT_TOOL.save = original
        self.assert_figures(written, out, [f"sweep_default_{years[1]}"], "png")
        name, bars, keys = drawn[0]
        with h5py.File(path, "r") as f:
            p = f["/sweep/default/cumulative_probability"][:, 1]
        self.assertEqual(len(bars), 2 * len(axes))
        # Every bar starts at the all-medians probability and ends at a point's.
        for left, _ in bars:
            self.assertEqual(left, p[0])
        np.testing.assert_allclose(sorted(left + width for left, width in bars), sorted(p[1:]),
                                   rtol=1e-12)
        self.assertEqual(sorted(keys), sorted(axes))

    def test_sweep_errors(self):
        path, years, _ = self.sweep("two.h5", {"a": ["1", "2"], "b": ["x", "y"]})
        self.assert_error([path, "--year", "1999", "--out", self.tmp], path, "no year 1999")
        self.assert_error([path, "--event", "bank_run", "--out", self.tmp], path,
                          "no event 'bank_run'")
        three, _, _ = self.sweep("three.h5", {"a": ["1"], "b": ["2"], "c": ["3", "4"]})
        self.assert_error([three, "--out", self.tmp], three, "3 keys")
        with h5py.File(path, "a") as f:
            values = f["/sweep/values"][:]
            values[[0, 1]] = values[[1, 0]]
            f["/sweep/values"][:] = values
        self.assert_error([path, "--out", self.tmp], path, "not a full grid")
        result = self.result("run.h5")
        self.assert_error([result, "--year", "2025", "--out", self.tmp], result,
                          "sweep, sensitivity and band files only")
        self.assert_error(["--compare", path, result, "--out", self.tmp], path,
                          "not a sovrisk result file")

    # --- band, sensitivity and conditional figures -------------------------------------

    def capture_figures(self, inspect, *args):
        """Plot; return (paths written, {figure name: inspect(fig)}) taken before saving."""
        seen = {}
        original = PLOT_TOOL.save

        def capture(fig, out_dir, name, fmt):
            seen[name] = inspect(fig)
            return original(fig, out_dir, name, fmt)

        PLOT_TOOL.save = capture
        try:
            written = self.plot(*args)
        finally:
            PLOT_TOOL.save = original
        return written, seen

    def test_sensitivity_bars_are_the_files_indices_sorted_by_total(self):
        path = os.path.join(self.tmp, "sens.h5")
        years, parameters = write_sensitivity(path)
        out = os.path.join(self.tmp, "sens")

        def bars(fig):
            ax = fig.axes[0]
            by_gid = {}
            for patch in ax.patches:
                by_gid.setdefault(patch.get_gid(), []).append(
                    (patch.get_y() + patch.get_height() / 2, patch.get_width()))
            intervals = {c.get_gid(): [(seg[0][1], seg[0][0], seg[1][0])
                                       for seg in c.get_segments()]
                         for c in ax.collections
                         if c.get_gid() and hasattr(c, "get_segments")}
            return (by_gid, intervals, [t.get_text() for t in ax.get_yticklabels()],
                    ax.get_xlabel())

        written, seen = self.capture_figures(bars, path, "--out", out, "--year", "2027")
        self.assert_figures(written, out, ["sensitivity_default_2027", "sensitivity_default_years"],
                            "png")
        by_gid, intervals, ticks, xlabel = seen["sensitivity_default_2027"]
        column = list(years).index(2027)
        with h5py.File(path, "r") as f:
            data = {name: f[f"/sobol/default/{name}"][:, column] for name in (
                "first_order", "first_order_ci_low", "first_order_ci_high", "total_order",
                "total_order_ci_low", "total_order_ci_high")}
            variance = f["/sobol/default/variance"][column]
            inner = f["/sobol/default/inner_variance"][column]
        k = len(parameters)
        self.assertEqual(len(by_gid["first_order"]), k)
        self.assertEqual(len(by_gid["total_order"]), k)
        # Rows from the bottom up: the smallest total index first, the largest on top.
        order = np.argsort(data["total_order"])
        self.assertEqual(ticks, [parameters[i] for i in order])
        total_bars = sorted(by_gid["total_order"])
        np.testing.assert_array_equal([w for _, w in total_bars], data["total_order"][order])
        self.assertTrue(np.all(np.diff([w for _, w in total_bars]) >= 0))
        np.testing.assert_array_equal([w for _, w in sorted(by_gid["first_order"])],
                                      data["first_order"][order])
        for name in ("first_order", "total_order"):
            segments = sorted(intervals[f"{name}_ci"])
            np.testing.assert_allclose([lo for _, lo, _ in segments],
                                       data[f"{name}_ci_low"][order], rtol=1e-12)
            np.testing.assert_allclose([hi for _, _, hi in segments],
                                       data[f"{name}_ci_high"][order], rtol=1e-12)
        self.assertIn(f"{inner / variance:.0%}", xlabel)
        self.assertIn("inner Monte Carlo noise", xlabel)

    def test_sensitivity_over_the_years_draws_at_most_six_parameters(self):
        names = tuple(f"key.{i}" for i in range(8))
        path = os.path.join(self.tmp, "sens8.h5")
        years, parameters = write_sensitivity(path, parameters=names)
        out = os.path.join(self.tmp, "sens8")
        written, seen = self.capture_figures(
            lambda fig: ([line.get_label() for line in fig.axes[0].lines
                          if line.get_gid() == "total_order"],
                         [line.get_ydata() for line in fig.axes[0].lines
                          if line.get_gid() == "total_order"], fig.axes[0].get_title()),
            path, "--out", out, "--event", "depletion", "--only", "*_years")
        labels, ydata, title = seen["sensitivity_depletion_years"]
        with h5py.File(path, "r") as f:
            total = f["/sobol/depletion/total_order"][:]
        largest = sorted(np.argsort(-total.max(axis=1))[:6])
        self.assertEqual(labels, [parameters[i] for i in largest])
        for i, y in zip(largest, ydata):
            np.testing.assert_array_equal(y, total[i])
        self.assertIn("6 of 8 parameters", title)

    def test_band_draws_the_integrated_probability_and_the_quantiles(self):
        path = os.path.join(self.tmp, "band.h5")
        years = write_band(path)
        out = os.path.join(self.tmp, "band")

        def inspect(fig):
            ax = fig.axes[0]
            lines = {line.get_gid(): line.get_ydata() for line in ax.lines if line.get_gid()}
            band = [c for c in ax.collections if c.get_gid() == "band"]
            return lines, band, [c for c in ax.containers]

        written, seen = self.capture_figures(inspect, path, "--out", out, "--format", "svg")
        self.assert_figures(written, out, [f"band_{e}" for e in V1_EVENTS], "svg")
        with h5py.File(path, "r") as f:
            q = f["/band/depletion/quantile"][:]
            integrated = f["/band/depletion/integrated"][:]
            stderr = f["/band/depletion/integrated_stderr"][:]
            low, high = f["/band/depletion/quantile_ci_low"][:], f["/band/depletion/quantile_ci_high"][:]
        lines, band, containers = seen["band_depletion"]
        np.testing.assert_array_equal(lines["median"], q[1])
        np.testing.assert_array_equal(np.asarray(lines["integrated"]), integrated)
        self.assertEqual(len(band), 1)
        # The error bars: 3 quantiles' intervals, then the integrated ±1.96 s.e.
        ends = []
        for container in containers:
            segments = container.lines[2][0].get_segments()
            ends.append(np.array([[seg[0][1], seg[1][1]] for seg in segments]))
        for level in range(3):
            np.testing.assert_allclose(ends[level][:, 0], low[level], rtol=1e-12)
            np.testing.assert_allclose(ends[level][:, 1], high[level], rtol=1e-12)
        z95 = NormalDist().inv_cdf(0.975)  # Phi^-1(0.975), as docs/model.md
        np.testing.assert_allclose(ends[3][:, 0], np.clip(integrated - z95 * stderr, 0, 1),
                                   rtol=1e-12)
        np.testing.assert_allclose(ends[3][:, 1], integrated + z95 * stderr, rtol=1e-12)
        self.assertIn("40 parameter points", self.svg(out, "band_default"))
        # --event picks one; --year does not apply.
        written = self.plot(path, "--out", os.path.join(self.tmp, "one"), "--event", "default")
        self.assertEqual([os.path.basename(p) for p in written], ["band_default.png"])
        self.assert_error([path, "--year", str(years[0]), "--out", self.tmp], path,
                          "--year applies to sweep and sensitivity files only")
        self.assert_error([path, "--event", "bank_run", "--out", self.tmp], path,
                          "no event 'bank_run'")

    def test_conditional_figures_draw_the_files_statistics(self):
        path = self.result("cond.h5", conditional=True, format_version="1.2")
        out = os.path.join(self.tmp, "cond")

        def inspect(fig):
            ax = fig.axes[0]
            return ([(line.get_color(), line.get_ydata(), line.get_label()) for line in ax.lines
                     if line.get_gid() == "median"],
                    [patch.get_height() for patch in ax.patches
                     if patch.get_gid() in ("calendar_month", "lag")],
                    [text.get_text() for text in ax.get_legend().get_texts()]
                    if ax.get_legend() else [], len(fig.axes),
                    [a.get_title() for a in fig.axes])

        written, seen = self.capture_figures(inspect, path, "--out", out)
        conditional = [f"conditional_fan_{var}" for var in V1_VARIABLES] + [
            "conditional_default_month", "conditional_calendar_month", "conditional_lag"]
        self.assert_figures(written, out, SINGLE_FIGURES + conditional, "png")
        with h5py.File(path, "r") as f:
            d = int(f["/conditional/default"].attrs["paths"])
            n_d = int(f["/conditional/no_default"].attrs["paths"])
            medians = {c: f[f"/conditional/{c}/fan/fund"][:, 3] for c in ("default", "no_default")}
            calendar = f["/conditional/default_month/calendar_month"][:]
            lag = f["/conditional/depletion_to_default_lag"][:]
            without = int(f["/conditional/depletion_to_default_lag"].attrs["without_depletion"])
        lines, _, legend_texts, _, _ = seen["conditional_fan_fund"]
        self.assertEqual(len(lines), 2)
        self.assertNotEqual(lines[0][0], lines[1][0])
        self.assertIn(lines[0][0], PLOT_TOOL.PALETTE)
        self.assertIn(lines[1][0], PLOT_TOOL.PALETTE)
        np.testing.assert_array_equal(lines[0][1], medians["default"])
        np.testing.assert_array_equal(lines[1][1], medians["no_default"])
        self.assertIn(f"d = {d:,}", lines[0][2])
        self.assertIn(f"n − d = {n_d:,}", lines[1][2])
        _, bars, _, _, _ = seen["conditional_calendar_month"]
        self.assertEqual(len(bars), 12)
        np.testing.assert_array_equal(bars, calendar)
        self.assertEqual(sum(bars), d)
        _, bars, legend_texts, _, _ = seen["conditional_lag"]
        np.testing.assert_array_equal(bars, lag)
        self.assertTrue(any(f"{without:,} defaulting paths without depletion" in text
                            for text in legend_texts), legend_texts)
        _, _, _, panels, titles = seen["conditional_default_month"]
        self.assertEqual(panels, 4)
        self.assertEqual(titles[:3], ["Oil price", "Exchange rate", "Fund balance"])

    def test_conditional_without_defaults_draws_the_other_condition_only(self):
        path = self.result("none.h5", conditional="none", format_version="1.2")
        out = os.path.join(self.tmp, "none")
        written, seen = self.capture_figures(
            lambda fig: ([line.get_ydata() for line in fig.axes[0].lines
                          if line.get_gid() == "median"],
                         [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
                         if fig.axes[0].get_legend() else []), path, "--out", out)
        self.assert_figures(written, out, SINGLE_FIGURES + [
            f"conditional_fan_{var}" for var in V1_VARIABLES], "png")
        medians, texts = seen["conditional_fan_oil_price"]
        self.assertEqual(len(medians), 1)
        self.assertTrue(any("d = 0 paths" in text and "not drawn" in text for text in texts),
                        texts)

    def test_a_file_without_conditional_has_no_conditional_figures(self):
        out = os.path.join(self.tmp, "plain")
        written = self.plot(self.result("plain.h5", format_version="1.2"), "--out", out)
        self.assertFalse([p for p in written if "conditional" in p])

    def test_malformed_design_and_conditional_files(self):
        band = os.path.join(self.tmp, "band.h5")
        write_band(band)
        with h5py.File(band, "a") as f:
            del f["/band/depletion/quantile_ci_high"]
        self.assert_error([band, "--out", self.tmp], band,
                          "missing dataset '/band/depletion/quantile_ci_high'")
        sens = os.path.join(self.tmp, "sens.h5")
        write_sensitivity(sens)
        with h5py.File(sens, "a") as f:
            data = f["/sobol/default/total_order"][:]
            del f["/sobol/default/total_order"]
            f["/sobol/default/total_order"] = data[:, :2]
        self.assert_error([sens, "--out", self.tmp], sens, "'/sobol/default/total_order'",
                          "shape")
        write_sensitivity(sens)
        with h5py.File(sens, "a") as f:
            f["/sobol/default/first_order"][0, 0] = np.nan
        self.assert_error([sens, "--out", self.tmp], sens, "'/sobol/default/first_order'")
        for edit, phrase in (
                (lambda f: f["/conditional/default_month/calendar_month"].__setitem__(0, -3),
                 "calendar_month"),
                (lambda f: f["/conditional/default/fan/fx"].__setitem__((0, 0), np.inf),
                 "/conditional/default/fan/fx"),
                (lambda f: f["/conditional/no_default"].attrs.__setitem__("paths", 1),
                 "/conditional")):
            path = self.result("bad.h5", conditional=True, format_version="1.2")
            with h5py.File(path, "a") as f:
                edit(f)
            self.assert_error([path, "--out", self.tmp], path, phrase)

    @unittest.skipUnless(os.environ.get("SOVRISK_BAND"), "SOVRISK_BAND is not set")
    def test_real_band(self):
        path = os.environ["SOVRISK_BAND"]
        with h5py.File(path, "r") as f:
            events = [str(name) for name in f.attrs["events"]]
            q = f["/band/default/quantile"][:]
        out = os.path.join(self.tmp, "real-band")
        written, seen = self.capture_figures(
            lambda fig: {line.get_gid(): line.get_ydata() for line in fig.axes[0].lines
                         if line.get_gid()}, path, "--out", out)
        self.assert_figures(written, out, [f"band_{event}" for event in events], "png")
        np.testing.assert_array_equal(seen["band_default"]["median"], q[1])

    @unittest.skipUnless(os.environ.get("SOVRISK_SENSITIVITY"), "SOVRISK_SENSITIVITY is not set")
    def test_real_sensitivity(self):
        path = os.environ["SOVRISK_SENSITIVITY"]
        with h5py.File(path, "r") as f:
            years = [int(y) for y in f["/sobol/year"][:]]
            total = f["/sobol/default/total_order"][:, 0]
            k = len(f["/sobol/parameters"])
        out = os.path.join(self.tmp, "real-sens")
        written, seen = self.capture_figures(
            lambda fig: sorted((p.get_y(), p.get_width()) for p in fig.axes[0].patches
                               if p.get_gid() == "total_order"),
            path, "--out", out, "--year", str(years[0]))
        self.assert_figures(written, out, [f"sensitivity_default_{years[0]}",
                                           "sensitivity_default_years"], "png")
        bars = seen[f"sensitivity_default_{years[0]}"]
        self.assertEqual(len(bars), k)
        np.testing.assert_array_equal([w for _, w in bars], np.sort(total))

    @unittest.skipUnless(os.environ.get("SOVRISK_SWEEP"), "SOVRISK_SWEEP is not set")
    def test_real_sweep(self):
        path = os.environ["SOVRISK_SWEEP"]
        with h5py.File(path, "r") as f:
            shape = (len(np.unique(f["/sweep/values"][:, 0])),
                     len(np.unique(f["/sweep/values"][:, 1])))
            last_year = int(f["/time/year"][-1])
            expected = f["/sweep/default/cumulative_probability"][:, -1].reshape(shape)
        out = os.path.join(self.tmp, "real-sweep")
        written, drawn = self.plot_capturing(path, "--out", out)
        self.assert_figures(written, out, [f"sweep_default_{last_year}"], "png")
        np.testing.assert_array_equal(drawn[0][2], expected)

    # --- real simulator output --------------------------------------------------------

    @unittest.skipUnless(os.environ.get("SOVRISK_RESULT"), "SOVRISK_RESULT is not set")
    def test_real_result(self):
        path = os.environ["SOVRISK_RESULT"]
        with h5py.File(path, "r") as f:
            names = [str(name) for name in f.attrs.get("variables", list(V1_VARIABLES))]
            variables = {var: (f[f"/fan/{var}"].attrs["units"], var) for var in names}
            events = [str(name) for name in f.attrs.get("events", list(V1_EVENTS))]
            conditional = []
            if "/conditional" in f:
                conditional = [f"conditional_fan_{var}" for var in variables]
                if int(f["/conditional/default"].attrs["paths"]) > 0:
                    conditional += ["conditional_default_month", "conditional_calendar_month",
                                    "conditional_lag"]
        out = os.path.join(self.tmp, "real")
        self.assert_figures(self.plot(path, "--out", out), out,
                            single_figures(variables, events) + conditional, "png")


if __name__ == "__main__":
    unittest.main()
