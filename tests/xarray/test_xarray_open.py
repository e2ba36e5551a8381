#!/usr/bin/env python3
"""Every group of a result file opens in xarray (engine h5netcdf) with named dimensions and
their coordinates, the Python snippets of docs/output.md run as written, and the tables of
`sovrisk export` read into pandas as the same numbers.

Run:  python3 tests/xarray/test_xarray_open.py SOVRISK_BINARY
Needs the Debian packages python3-xarray, python3-h5netcdf, python3-pandas and python3-h5py
(scripts/setup.sh installs them).
"""

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import unittest

try:
    import h5py
    import numpy as np
    import xarray as xr
    import h5netcdf  # noqa: F401  (the engine xarray is asked for)
    import pandas as pd
except ImportError as exc:
    sys.exit(f"test_xarray_open: Python module '{exc.name}' is not available to "
             f"{sys.executable} (Debian: apt-get install python3-xarray python3-h5netcdf "
             "python3-pandas python3-h5py)")

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SOVRISK = None  # the program under test, from the command line
QUANTILES = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95]
SAMPLE_PATHS = 5
PATHS = 1500


def run_sovrisk(config, output, *options):
    subprocess.run([SOVRISK, "run", os.path.join(SOURCE, config), "--paths", str(PATHS),
                    "--sample-paths", str(SAMPLE_PATHS), "-q", "-o", output, *options],
                   check=True, stdout=subprocess.DEVNULL)


def open_group(path, group):
    return xr.open_dataset(path, group=group, engine="h5netcdf")


class OpensInXarray(unittest.TestCase):
    """Dimension names, coordinate values and data of each group, against h5py's reading."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        # Model v2 (every event and variable, per-path months) and model v1 (a subset).
        cls.files = {"v2": os.path.join(cls.directory.name, "v2.h5"),
                     "v1": os.path.join(cls.directory.name, "v1.h5")}
        run_sovrisk("configs/russia-2025.yaml", cls.files["v2"], "--per-path",
                    "--set", "oil.long_run_mean={prior: uniform, low: 50, high: 80}",
                    "--set", "fx.volatility={prior: uniform, low: 0.1, high: 0.2}")
        run_sovrisk("tests/data/baseline.yaml", cls.files["v1"])

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def check_file(self, path):
        with h5py.File(path, "r") as f:
            months = list(f["/time/month"].asstr()[:])
            years = f["/time/year"][:]
            events = [str(e) for e in f.attrs["events"]]
            variables = [str(v) for v in f.attrs["variables"]]
            groups = sorted(name for name in f if isinstance(f[name], h5py.Group))
            has_per_path = "per_path" in f
            paths = int(f.attrs["paths"])

            def same(dataset, h5name):
                np.testing.assert_array_equal(dataset.values, f[h5name][()], err_msg=h5name)

            # Every group a reader can open names every dimension (no phony_dim_*).
            for group in groups:
                with open_group(path, group) as ds:
                    for name, size in ds.dims.items():
                        self.assertIn(name, ("month", "year", "quantile", "path", "key", "lag"),
                                      f"{path}: /{group} has dimension {name}")
                        self.assertIn(name, ds.coords, f"/{group}: dimension {name}")
                        self.assertEqual(ds.coords[name].size, size)

            # The conditional groups below /conditional open alone too.
            for condition in ("default", "no_default"):
                group = f"conditional/{condition}/fan"
                with open_group(path, group) as ds:
                    self.assertEqual(list(ds.coords["month"].values), months, group)
                    for variable in variables:
                        self.assertEqual(ds[variable].dims, ("month", "quantile"), group)
                        same(ds[variable], f"/{group}/{variable}")
            with open_group(path, "conditional/default_month") as ds:
                self.assertEqual(ds["calendar_month"].dims, ("month_of_year",))
                np.testing.assert_array_equal(ds.coords["month_of_year"].values, range(1, 13))
                self.assertEqual(ds["gap_12m"].dims, ("quantile",))
                same(ds["calendar_month"], "/conditional/default_month/calendar_month")

            with open_group(path, "time") as ds:
                self.assertEqual(list(ds["month"].values), months)
                np.testing.assert_array_equal(ds["year"].values, years)

            for event in events:
                with open_group(path, event) as ds:
                    self.assertEqual(list(ds.coords["month"].values), months, event)
                    np.testing.assert_array_equal(ds.coords["year"].values, years)
                    for name in ("cumulative_probability", "stderr", "ci95_low", "ci95_high"):
                        self.assertEqual(ds[name].dims, ("year",), f"/{event}/{name}")
                        same(ds[name], f"/{event}/{name}")
                    self.assertEqual(ds["month_counts"].dims, ("month",))
                    same(ds["month_counts"], f"/{event}/month_counts")
                    self.assertEqual(ds.attrs["label"], f[event].attrs["label"])

            with open_group(path, "fan") as ds:
                self.assertEqual(list(ds.coords["month"].values), months)
                self.assertEqual(list(ds.coords["quantile"].values), QUANTILES)
                self.assertEqual(sorted(ds.data_vars), sorted(variables))
                for var in variables:
                    self.assertEqual(ds[var].dims, ("month", "quantile"), var)
                    same(ds[var], f"/fan/{var}")
                    self.assertEqual(ds[var].attrs["units"], f[f"/fan/{var}"].attrs["units"])
            for group in ("fan_error_bound", "mean"):
                with open_group(path, group) as ds:
                    self.assertEqual(list(ds.coords["month"].values), months)
                    self.assertEqual(sorted(ds.data_vars), sorted(variables))
                    for var in variables:
                        self.assertEqual(ds[var].dims, ("month",), f"/{group}/{var}")
                        same(ds[var], f"/{group}/{var}")
            with open_group(path, "sample_paths") as ds:
                self.assertEqual(list(ds.coords["month"].values), months)
                self.assertEqual(list(ds.coords["path"].values), list(range(SAMPLE_PATHS)))
                for var in variables:
                    self.assertEqual(ds[var].dims, ("path", "month"), var)
                    same(ds[var], f"/sample_paths/{var}")
            if has_per_path:
                with open_group(path, "per_path") as ds:
                    self.assertEqual(list(ds.coords["path"].values), list(range(paths)))
                    for event in events:
                        self.assertEqual(ds[f"{event}_month"].dims, ("path",))
                        same(ds[f"{event}_month"], f"/per_path/{event}_month")
            if "priors" in f:
                with open_group(path, "priors") as ds:
                    keys = list(f["/priors/key"].asstr()[:])
                    self.assertEqual(list(ds.coords["key"].values), keys)
                    self.assertEqual(ds["prior"].dims, ("key",))
                    self.assertEqual(list(ds["prior"].values),
                                     list(f["/priors/prior"].asstr()[:]))
                    if "draws" in f["priors"]:
                        self.assertEqual(ds["draws"].dims, ("path", "key"))
                        self.assertEqual(list(ds.coords["path"].values), list(range(paths)))
                        same(ds["draws"], "/priors/draws")
        return groups

    def test_model_v2_file(self):
        groups = self.check_file(self.files["v2"])
        self.assertIn("priors", groups)
        self.assertIn("per_path", groups)
        self.assertIn("market_access", groups)

    def test_model_v1_file(self):
        groups = self.check_file(self.files["v1"])
        self.assertNotIn("per_path", groups)
        self.assertNotIn("market_access", groups)


class ExportReadsIntoPandas(unittest.TestCase):
    """`sovrisk export`'s CSV and JSON, read by pandas, hold xarray's numbers exactly."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.file = os.path.join(cls.directory.name, "v2.h5")
        run_sovrisk("configs/russia-2025.yaml", cls.file)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def tables(self, what):
        """The export of `what` as read from CSV and from JSON, which must be equal."""
        def export(form):
            return subprocess.run([SOVRISK, "export", self.file, "--what", what, "--format", form],
                                  check=True, capture_output=True, text=True).stdout
        csv = pd.read_csv(io.StringIO(export("csv")), float_precision="round_trip")
        json = pd.read_json(io.StringIO(export("json")), orient="records", precise_float=True,
                            dtype=dict(csv.dtypes))
        pd.testing.assert_frame_equal(csv, json, check_exact=True)
        self.assertEqual(set(csv["label"]), {"russia-2025"})
        return csv

    def test_probabilities(self):
        table = self.tables("probabilities")
        for event, rows in table.groupby("event"):
            with open_group(self.file, event) as ds:
                by_year = rows.set_index("year")
                np.testing.assert_array_equal(by_year.index, ds.coords["year"].values)
                for column in ("probability", "stderr", "ci95_low", "ci95_high"):
                    name = "cumulative_probability" if column == "probability" else column
                    np.testing.assert_array_equal(by_year[column], ds[name].values)

    def test_fans_and_means(self):
        fans, means = self.tables("fans"), self.tables("means")
        with open_group(self.file, "fan") as fan, open_group(self.file, "mean") as mean, \
                open_group(self.file, "fan_error_bound") as bound:
            self.assertEqual(sorted(set(fans["variable"])), sorted(fan.data_vars))
            for var, rows in fans.groupby("variable"):
                wide = rows.pivot(index="month", columns="quantile", values="value")
                np.testing.assert_array_equal(wide.loc[fan.coords["month"].values].values,
                                              fan[var].values)
                self.assertEqual(list(wide.columns), QUANTILES)
                first = rows.drop_duplicates("month").set_index("month")
                np.testing.assert_array_equal(first["error_bound"], bound[var].values)
            for var, rows in means.groupby("variable"):
                series = rows.set_index("month")["value"]
                np.testing.assert_array_equal(series.loc[mean.coords["month"].values],
                                              mean[var].values)


class DesignFilesOpen(unittest.TestCase):
    """The band and sensitivity files' event groups open with named dimensions too."""

    PRIORS = ["--set", "oil.long_run_mean={prior: uniform, low: 55, high: 75}",
              "--set", "default.gap_threshold={prior: uniform, low: 0.01, high: 0.03}"]

    def test_band_and_sensitivity(self):
        config = os.path.join(SOURCE, "configs", "russia-2025-v1.yaml")
        with tempfile.TemporaryDirectory() as directory:
            band, sens = os.path.join(directory, "band.h5"), os.path.join(directory, "sens.h5")
            subprocess.run([SOVRISK, "run", config, "--outer", "12", "--inner", "200", "-q",
                            "-o", band, *self.PRIORS], check=True)
            subprocess.run([SOVRISK, "sensitivity", config, "-N", "8", "-M", "200", "-q",
                            "--bootstrap", "20", "-o", sens, *self.PRIORS], check=True)
            with open_group(band, "band/default") as group, h5py.File(band, "r") as raw:
                self.assertEqual(dict(group.dims), {"point": 12, "year": 7, "level": 3})
                self.assertEqual(list(group.coords["year"].values), list(range(2025, 2032)))
                self.assertEqual(list(group.coords["level"].values), [0.05, 0.5, 0.95])
                self.assertEqual(group["conditional"].dims, ("point", "year"))
                self.assertEqual(group["quantile"].dims, ("level", "year"))
                np.testing.assert_array_equal(group["integrated"].values,
                                              raw["/band/default/integrated"][()])
            with open_group(sens, "sobol/default") as group:
                self.assertEqual(group["total_order"].dims, ("parameter", "year"))
                self.assertEqual(list(group.coords["parameter"].values),
                                 ["oil.long_run_mean", "default.gap_threshold"])
                self.assertEqual(group["variance"].dims, ("year",))


def python_snippets(markdown):
    """The ```python blocks of a Markdown file, in order."""
    with open(markdown, encoding="utf-8") as text:
        return re.findall(r"^```python\n(.*?)^```", text.read(), flags=re.S | re.M)


class DocumentedSnippetsRun(unittest.TestCase):
    """docs/output.md's snippets, exactly as written, on the files they name."""

    def test_output_md(self):
        snippets = python_snippets(os.path.join(SOURCE, "docs", "output.md"))
        self.assertGreaterEqual(len(snippets), 2, "the h5py and the pandas/xarray snippets")
        with tempfile.TemporaryDirectory() as directory:
            run_sovrisk("configs/russia-2025.yaml", os.path.join(directory, "russia-2025.h5"))
            # the sweep file of output.md's sweep snippet
            subprocess.run([SOVRISK, "sweep", os.path.join(SOURCE, "configs/russia-2025.yaml"),
                            "--paths", str(PATHS), "--grid", "oil.long_run_mean=55,70", "-q",
                            "-o", os.path.join(directory, "grid.h5")],
                           check=True, stdout=subprocess.DEVNULL)
            here = os.getcwd()
            os.chdir(directory)
            try:
                for snippet in snippets:
                    with self.subTest(snippet=snippet.splitlines()[0]), \
                            contextlib.redirect_stdout(io.StringIO()):
                        exec(compile(snippet, "docs/output.md", "exec"), {})
            finally:
                os.chdir(here)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test_xarray_open.py SOVRISK_BINARY [unittest options]")
    SOVRISK = sys.argv.pop(1)
    unittest.main()
