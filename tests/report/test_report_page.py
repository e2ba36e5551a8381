#!/usr/bin/env python3
"""`sovrisk report` opened in headless Chromium (check_page.py), and the checker itself shown
to fail on broken pages.

    SOVRISK_BINARY=build/sovrisk test_report_page.py ReportPageTest      (report.chromium)
    test_report_page.py CheckerTest                                      (report.checker_catches_broken_pages)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_page  # noqa: E402

CONFIG = os.path.join(HERE, "..", "data", "baseline.yaml")
# A one-pixel PNG.
PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
GOOD_BODY = ("<h1>A page</h1><p>" + "Some text. " * 200 + "</p>"
             f'<img alt="dot" width="200" height="100" src="data:image/png;base64,{PIXEL}">'
             '<svg width="100" height="50"><rect width="100" height="50" fill="#2166ac"/></svg>')


def page(directory, name, body):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>")
    return path


class CheckerTest(unittest.TestCase):
    """Each broken page fails the check for its reason; the good one passes."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="sovrisk-check-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.directory, ignore_errors=True)

    def expect(self, body, reason):
        problems, _ = check_page.check(page(self.directory, "p.html", body))
        if reason is None:
            self.assertEqual(problems, [])
        else:
            self.assertTrue(any(reason in p for p in problems), problems)

    def test_good_page_passes(self):
        self.expect(GOOD_BODY, None)

    def test_broken_image(self):
        self.expect(GOOD_BODY + '<img alt="gone" src="data:image/png;base64,AAAA">', "broken image")

    def test_missing_local_image(self):
        self.expect(GOOD_BODY + '<img alt="gone" src="no-such-figure.png">', "broken image")

    def test_exception(self):
        self.expect(GOOD_BODY + "<script>throw new Error('boom');</script>", "JavaScript exception")

    def test_console_error(self):
        self.expect(GOOD_BODY + "<script>console.error('bad');</script>", "console error")

    def test_network_request(self):
        self.expect(GOOD_BODY + '<link rel="stylesheet" href="http://127.0.0.1:9/style.css">',
                    "network request")

    def test_empty_svg(self):
        self.expect(GOOD_BODY + "<svg width='10' height='10'></svg>", "empty inline <svg>")

    def test_blank_page(self):
        self.expect("", "blank page")


class ReportPageTest(unittest.TestCase):
    """A report of two runs (one with --set: the comparison), a sweep and a band file."""

    def test_report_of_runs_and_a_sweep(self):
        binary = os.environ["SOVRISK_BINARY"]
        directory = tempfile.mkdtemp(prefix="sovrisk-report-")
        self.addCleanup(shutil.rmtree, directory, True)
        a, b, sweep, band, out = (os.path.join(directory, n) for n in
                                  ("a.h5", "b.h5", "sweep.h5", "band.h5", "report.html"))

        def sovrisk(*arguments):
            return subprocess.run([binary, *arguments], check=True, capture_output=True,
                                  text=True).stdout

        sovrisk("run", CONFIG, "--paths", "3000", "--per-path", "-q", "-o", a)
        sovrisk("run", CONFIG, "--paths", "3000", "--per-path", "-q", "--set",
                "oil.long_run_mean=55", "-o", b)
        sovrisk("sweep", CONFIG, "--paths", "1000", "-q", "--grid", "oil.long_run_mean=50,70",
                "-o", sweep)
        # A band file: its table and figures where this version's summary and
        # sovrisk-plot draw them, else a note; never a failed report.
        sovrisk("run", CONFIG, "--outer", "8", "--inner", "200", "-q", "--set",
                "oil.long_run_mean={prior: uniform, low: 55, high: 73}", "-o", band)
        self.assertEqual(sovrisk("report", a, b, sweep, band, "-o", out, "-q"), "")
        problems, state = check_page.check(out)
        self.assertEqual(problems, [])
        with open(out, encoding="utf-8") as f:
            text = f.read()
        # Every figure of each file and of the comparison is there.
        self.assertGreaterEqual(len(state["images"]), 2 * 11 + 1 + 7)
        for heading in ("4. band.h5", "sovrisk-band", "Provenance", "no_default paths",
                        "Fan charts", "Comparison", "Sweep", "horizon ends",
                        "oil.long_run_mean=55", "config_hash", "created_utc"):
            self.assertIn(heading, text)
        # The numbers are the CLI's, with the partial year marked as summary marks it.
        summary = json.loads(sovrisk("summary", b, "--format", "json"))
        d = summary["depletion"]
        self.assertIn(f"{100 * d['probability'][-1]:.2f}% [{100 * d['ci95_low'][-1]:.2f}%, "
                      f"{100 * d['ci95_high'][-1]:.2f}%]", text)
        last = summary["through"][-1]
        self.assertIn(f"(by Feb {last[:4]}, horizon ends)", text)


if __name__ == "__main__":
    unittest.main()
