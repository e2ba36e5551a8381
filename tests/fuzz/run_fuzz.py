#!/usr/bin/python3
"""Runs the hostile-input corpus (tests/fuzz/corpus.py) against a sovrisk build.

    /usr/bin/python3 tests/fuzz/run_fuzz.py SOVRISK [--plot TOOL] [--seed N] [--work DIR]

Every case must end cleanly (issue #15): each command exits with 0, or with 2
and exactly one line on stderr; no signal, no timeout, no sanitizer report,
no Python traceback. Besides: a damaged input that is accepted (exit 0) must
give the output of the undamaged one, and a result file a run writes must
hold only finite numbers. Prints the cases tried, clean and failing per
category, then each failing case with a command that reproduces it (its
files are kept under the work directory), and exits with 1 if any failed.
Run it against the sanitizer build (tests/sanitize/build_and_test.sh) to
catch memory errors that do not crash.
"""

import argparse
import concurrent.futures
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

SOURCE = Path(__file__).resolve().parents[2]
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                   "runtime error:", "ThreadSanitizer")
TRACEBACK_MARK = "Traceback (most recent call last)"


def command_line(tool, arguments, sovrisk, plot):
    if tool == "plot":
        return ["/usr/bin/python3", plot] + arguments
    return [sovrisk] + arguments


def execute(argv, timeout):
    started = time.monotonic()
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, b"", b"", time.monotonic() - started
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def judge(command, code, stdout, stderr, pristine):
    """Why the ending of `command` is not clean, or None."""
    text = stderr.decode("utf-8", "replace")
    if code is None:
        return "timeout (a hang?)"
    if any(mark in text for mark in SANITIZER_MARKS):
        line = next(l for l in text.splitlines() if any(m in l for m in SANITIZER_MARKS))
        return "sanitizer: " + line.strip()[:200]
    if TRACEBACK_MARK in text:
        return "Python traceback: " + text.strip().splitlines()[-1][:200]
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    if code not in (0, 2):
        return f"exit {code}: " + (text.strip().splitlines() or [""])[-1][:200]
    if code == 2:
        lines = text.splitlines()
        if len(lines) != 1:
            return f"exit 2 with {len(lines)} lines on stderr: " + " | ".join(lines[:3])[:200]
        if command.message and command.message not in lines[0]:
            return f"message does not name '{command.message}': " + lines[0][:200]
        return None
    # Plausibility warnings (docs/config.md) are one line each and allowed.
    unwarned = [line for line in text.strip().splitlines()
                if line and not line.startswith("sovrisk: warning: ")]
    if unwarned:
        return "exit 0 with stderr: " + unwarned[0][:200]
    if command.invalid:
        return "exit 0 on an invalid value"
    if command.output and os.path.exists(command.output):
        bad = corpus.all_finite(command.output)
        if bad:
            return "non-finite values in " + ", ".join(bad[:4])
    if pristine is not None:
        if command.output:
            if pristine.get("digest") is not None and os.path.exists(command.output):
                if corpus.datasets_digest(command.output) != pristine["digest"]:
                    return "damaged input accepted: the output's datasets differ"
        elif stdout != pristine.get("stdout"):
            return "damaged input accepted: the output differs from the undamaged file's"
    return None


def pristine_outcome(command, sovrisk, plot, timeout, cache):
    """What the command gives on the undamaged input: its stdout, and its output's datasets."""
    key = tuple(command.pristine)
    if key not in cache:
        code, stdout, _, _ = execute(command_line(command.tool, command.pristine, sovrisk, plot),
                                     timeout)
        out = command.pristine[command.pristine.index("-o") + 1] \
            if "-o" in command.pristine else None
        digest = corpus.datasets_digest(out) if code == 0 and out and os.path.exists(out) else None
        cache[key] = {"stdout": stdout, "digest": digest}
    return cache[key]


def run_case(case, sovrisk, plot, timeout, pristine_cache):
    """[(command index, reason)] of the commands that did not end cleanly."""
    failures = []
    previous_ok = True
    for index, command in enumerate(case.commands):
        if command.after_success and not previous_ok:
            continue
        pristine = None
        if command.pristine is not None:
            pristine = pristine_outcome(command, sovrisk, plot, timeout, pristine_cache)
        code, stdout, stderr, _ = execute(command_line(command.tool, command.argv, sovrisk, plot),
                                          timeout)
        reason = judge(command, code, stdout, stderr, pristine)
        if reason:
            failures.append((index, reason))
        previous_ok = code == 0
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sovrisk", help="the sovrisk program to try (e.g. an ASan build's)")
    parser.add_argument("--plot", default=str(SOURCE / "tools/sovrisk-plot"),
                        help="the plot tool (default: tools/sovrisk-plot); '' leaves it out")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--work", help="scratch directory (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30,
                        help="seconds a command may take before it counts as a hang")
    parser.add_argument("--results", type=int, default=110)
    parser.add_argument("--shards", type=int, default=50)
    parser.add_argument("--checkpoints", type=int, default=50)
    parser.add_argument("--plots", type=int, default=12,
                        help="damaged result files, and as many band and sensitivity files, "
                             "also given to the plot tool")
    parser.add_argument("--designs", type=int, default=20,
                        help="damaged files of each design kind: band, sensitivity, shard, "
                             "checkpoint")
    parser.add_argument("--extremes", type=int, default=40)
    arguments = parser.parse_args()

    sovrisk = os.path.abspath(arguments.sovrisk)
    plot = os.path.abspath(arguments.plot) if arguments.plot else None
    work = Path(arguments.work or tempfile.mkdtemp(prefix="sovrisk-fuzz-"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")

    started = time.monotonic()
    sizes = {"result": arguments.results, "shard": arguments.shards,
             "checkpoint": arguments.checkpoints, "plot": arguments.plots,
             "design": arguments.designs,
             "extreme": arguments.extremes}
    cases = corpus.build(sovrisk, plot, SOURCE, work, arguments.seed, sizes)
    generated = time.monotonic() - started

    pristine_cache = {}
    # The undamaged outputs first, so that the workers share them.
    for case in cases:
        for command in case.commands:
            if command.pristine is not None:
                pristine_outcome(command, sovrisk, plot, arguments.timeout, pristine_cache)
    with concurrent.futures.ThreadPoolExecutor(arguments.jobs) as pool:
        outcomes = list(pool.map(
            lambda case: run_case(case, sovrisk, plot, arguments.timeout, pristine_cache), cases))

    tally = defaultdict(lambda: [0, 0])
    failing = []
    for case, failures in zip(cases, outcomes):
        tally[case.category][0] += 1
        if failures:
            tally[case.category][1] += 1
            failing.append((case, failures))
        else:
            shutil.rmtree(case.directory, ignore_errors=True)
    elapsed = time.monotonic() - started

    print(f"fuzz: seed {arguments.seed}, {sovrisk}, {len(cases)} cases in {elapsed:.0f} s "
          f"(corpus {generated:.0f} s), work directory {work}")
    print(f"{'category':34} {'tried':>6} {'clean':>6} {'failing':>8}")
    families = defaultdict(lambda: [0, 0])
    for category in sorted(tally):
        tried, bad = tally[category]
        families[category.split(".")[0]][0] += tried
        families[category.split(".")[0]][1] += bad
        print(f"{category:34} {tried:6} {tried - bad:6} {bad:8}")
    for family in sorted(families):
        tried, bad = families[family]
        print(f"{'total ' + family:34} {tried:6} {tried - bad:6} {bad:8}")
    print(f"{'total':34} {len(cases):6} {len(cases) - len(failing):6} {len(failing):8}")
    for case, failures in failing:
        print(f"\nFAIL [{case.category}] {case.name}")
        for index, reason in failures:
            command = case.commands[index]
            print(f"  {reason}")
            print("  $ " + shlex.join(command_line(command.tool, command.argv, sovrisk, plot))[:400])
    if not failing and not arguments.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nfuzz: {len(cases) - len(failing)} passed, {len(failing)} failed")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
