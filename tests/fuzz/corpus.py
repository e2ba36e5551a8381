"""The hostile-input corpus of issue #15, generated from a seed.

Three families of cases, each a list of commands to run on sovrisk (or on
tools/sovrisk-plot) and what counts as a clean ending:

- config.*: the shipped configs, tests/data/baseline.yaml and tests/data/model-v2.yaml
  (every section of model v2) mutated — keys
  deleted or duplicated, values of the wrong type, huge, negative, NaN, inf,
  empty or 30 000 characters long, broken YAML — through `sovrisk validate`
  and, when valid, a short `sovrisk run`;
- extreme.*: parameter values that pass validation but push the arithmetic
  to its limits (the list of issue #15 item 2, then random keys and values);
- hdf5.*: result, shard and checkpoint files written by the build under test,
  then damaged — attributes replaced with arrays, other types, fixed-length
  strings; datasets of the wrong shape or type, empty, deleted; files
  truncated; bytes flipped — through summary, compare, export, merge, run --resume
  and the plot tool.

Nothing is committed: the corpus is written into a scratch directory from the
seed, so every run of the same seed against the same build tries the same cases.
"""

import copy
import itertools
import os
import random
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import yaml

# A short run: enough paths for the pilot and a few blocks.
RUN_PATHS = 2000


@dataclass
class Command:
    argv: list
    tool: str = "sovrisk"  # or "plot"
    # The same command on the undamaged input: when the damaged one ends
    # with 0, its output (stdout, or the datasets of `output`) must be the same.
    pristine: list = None
    # A result file the command writes: on exit 0 every value in it must be finite.
    output: str = None
    # A value the command draws that cannot be right (NaN probabilities, a
    # negative quantile, ...): exit 0 is a failure even where the output
    # cannot be compared (the plot tool's figures).
    invalid: bool = False
    # Runs only if the command before it ended with 0 (validate, then run).
    after_success: bool = False
    # Text the one-line message of an exit 2 must contain (the line it names).
    message: str = None


@dataclass
class Case:
    category: str
    name: str  # what was done, for the report
    directory: str
    commands: list = field(default_factory=list)


# ---------------------------------------------------------------------------
# Configs


def _leaves(node, prefix=""):
    """Every (dotted key, value) of a config tree down to its scalars and lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, node


def _set(tree, dotted, value):
    keys = dotted.split(".")
    for key in keys[:-1]:
        tree = tree[key]
    tree[keys[-1]] = value


def _delete(tree, dotted):
    keys = dotted.split(".")
    for key in keys[:-1]:
        tree = tree[key]
    del tree[keys[-1]]


def _sections(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict):
            name = f"{prefix}.{key}" if prefix else str(key)
            yield name
            yield from _sections(value, name)


LONG = "x" * 30000
WRONG_TYPES = [[1, 2, 3], {"a": 1}, "text", True, None, [[1, 2], [3, 4]], ""]
BAD_NUMBERS = [1e308, -1e308, 1e-308, 0, -1, float("nan"), float("inf"), float("-inf"), 2**64,
               2**63, 10**15 + 1, -(2**63), 1.5, 123456789012345678901234567890]
BAD_TEXTS = [LONG, "", "2025-13", "0000-00", "9999-12", "-2025-01", "2025-1", "ünïcödé",
             "a/b", "name with spaces", "\t", "1e308"]


def _dump(tree):
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=100000)


@dataclass
class Expect:
    invalid: bool = False  # must be refused: exit 0 is a failure
    message: str = None  # what the message of the refusal must contain


def _text_mutations(text, rng):
    """Mutations of the YAML text itself: what a tree cannot express."""
    lines = text.splitlines()
    names = set()

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                names.add(str(key))
                collect(value)

    collect(yaml.safe_load(text))
    # Lines that start with a key of the config (not text in a folded description).
    keyed = [i for i, line in enumerate(lines)
             if ":" in line and line.split(":", 1)[0].strip() in names]
    mutations = []

    i = rng.choice(keyed)
    line = lines[i]
    key_part = line.split(":", 1)[0]
    dup = lines[: i + 1] + [f"{key_part}: 999"] + lines[i + 1:]
    mutations.append(("duplicate_key", f"line {i + 1} '{key_part.strip()}' repeated with 999",
                      "\n".join(dup) + "\n", Expect(invalid=True)))

    top = [i for i in keyed if not lines[i].startswith(" ")]
    i = rng.choice(top)
    section = lines[i].split(":", 1)[0]
    mutations.append(("duplicate_section", f"section '{section}' repeated at the end",
                      text + f"\n{section}:\n  nothing: 1\n", Expect(invalid=True)))

    i = rng.choice(keyed)
    empty = list(lines)
    empty[i] = lines[i].split(":", 1)[0] + ":"
    # A block scalar's lines (`>-`, `|`) stay behind as plain text, and the
    # parser fails where that text stops being YAML, lines further on.
    block = lines[i].split(":", 1)[1].strip().startswith((">", "|"))
    mutations.append(("empty_value", f"line {i + 1} '{empty[i].strip()}' left empty",
                      "\n".join(empty) + "\n", Expect() if block else Expect(message=f":{i + 1}:")))

    cut = rng.randrange(1, len(text))
    mutations.append(("truncated", f"cut at byte {cut}", text[:cut], Expect()))

    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    mutations.append(("flipped_bytes", "1-8 random bytes replaced", bytes(data), Expect()))

    broken = [
        ("unclosed_bracket", text.replace("]", "", 1)),
        ("tab_indent", text.replace("\n  ", "\n\t", 3)),
        ("colon_soup", text + "\n: : :\n"),
        ("nul_byte", text.replace(":", ":\0", 1)),
        ("invalid_utf8", text.replace(":", ": \xff\xfe", 1).encode("latin-1", "replace")),
        ("deep_nesting", text + "\nextra: " + "[" * 20000 + "]" * 20000 + "\n"),
        ("alias_bomb", text + "\nbomb0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"bomb{k}: &a{k} [*a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1},"
            f" *a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}]\n" for k in range(1, 9))),
        ("long_line_comment", text + "# " + LONG + "\n"),
        ("long_key", text + LONG + ": 1\n"),
        ("empty_file", ""),
        ("only_comment", "# nothing\n"),
        ("scalar_document", "42\n"),
        ("list_document", "- 1\n- 2\n"),
        ("two_documents", text + "\n---\n" + text),
        ("windows_line_ends", text.replace("\n", "\r\n")),
        ("bom", "\ufeff" + text),
    ]
    name, body = rng.choice(broken)
    mutations.append((name, name.replace("_", " "), body, Expect()))
    return mutations


def _tree_mutations(tree, rng):
    leaves = [key for key, _ in _leaves(tree)]
    numeric = [key for key, value in _leaves(tree)
               if isinstance(value, (int, float)) and not isinstance(value, bool)]
    mutations = []

    key = rng.choice(leaves)
    mutated = copy.deepcopy(tree)
    _delete(mutated, key)
    mutations.append(("deleted_key", f"'{key}' deleted", mutated))

    section = rng.choice(list(_sections(tree)))
    mutated = copy.deepcopy(tree)
    _delete(mutated, section)
    mutations.append(("deleted_section", f"section '{section}' deleted", mutated))

    key = rng.choice(leaves)
    value = rng.choice(WRONG_TYPES)
    mutated = copy.deepcopy(tree)
    _set(mutated, key, value)
    mutations.append(("wrong_type", f"'{key}' = {str(value)[:40]!r}", mutated))

    for _ in range(2):
        key = rng.choice(numeric)
        value = rng.choice(BAD_NUMBERS)
        mutated = copy.deepcopy(tree)
        _set(mutated, key, value)
        mutations.append(("bad_number", f"'{key}' = {value!r}", mutated))

    key = rng.choice(["scenario.name", "scenario.start", "scenario.description"])
    value = rng.choice(BAD_TEXTS)
    mutated = copy.deepcopy(tree)
    _set(mutated, key, value)
    mutations.append(("bad_text", f"'{key}' = {value[:20]!r}{'...' if len(value) > 20 else ''}",
                      mutated))

    mutated = copy.deepcopy(tree)
    matrix = mutated["correlation"]
    choice = rng.randrange(4)
    if choice == 0:
        matrix.pop()
    elif choice == 1:
        matrix[1][2] = float("nan")
    elif choice == 2:
        matrix[0][0] = 1e308
    else:
        matrix[2] = matrix[2][:2]
    mutations.append(("bad_matrix", f"correlation damaged ({choice})", mutated))

    mutated = copy.deepcopy(tree)
    seasonality = mutated["spending"].get("seasonality")
    if seasonality is not None:
        mutated["spending"]["seasonality"] = rng.choice(
            [seasonality[:11], seasonality + [1.0], [0.0] * 12, [-1.0] * 12, [1e308] * 12])
        mutations.append(("bad_seasonality", "spending.seasonality damaged", mutated))

    mutated = copy.deepcopy(tree)
    section = rng.choice([key for key, value in tree.items() if isinstance(value, dict)])
    mutated[section]["unknown_key_" + str(rng.randrange(100))] = 1
    mutations.append(("unknown_key", "an unknown key added", mutated))
    return mutations


SET_CASES = [
    ("long_key", "a" * 60000 + "=1"),
    ("long_dotted_key", ".".join(["oil"] * 20000) + "=1"),
    ("long_value", "scenario.name=" + "n" * 60000),
    ("empty_key", "=1"),
    ("double_dot", "oil..p0=1"),
    ("no_value", "oil.p0="),
    ("bracket_value", "oil.p0=["),
    ("index_key", "correlation[0][0]=1"),
    ("nul_in_key", "oil.p0\x01=1"),
    ("yaml_map_value", "oil={p0: 1}"),
    ("nan_value", "oil.p0=.nan"),
    ("huge_paths", "simulation.paths=18446744073709551616"),
    ("negative_seed", "simulation.seed=-1"),
    ("months_huge", "scenario.months=1000000"),
]


def config_cases(source, work, rng):
    sources = sorted((source / "configs").glob("*.yaml")) + [
        source / "tests/data/baseline.yaml", source / "tests/data/model-v2.yaml"]
    cases = []
    for config in sources:
        text = config.read_text()
        tree = yaml.safe_load(text)
        main_configs = ("russia-2025.yaml", "russia-2025-v1.yaml", "baseline.yaml")
        rounds = 3 if config.name in main_configs else 2
        for _ in range(rounds):
            mutations = [(kind, what, _dump(mutated), Expect())
                         for kind, what, mutated in _tree_mutations(tree, rng)]
            mutations += _text_mutations(text, rng)
            for kind, what, body, expect in mutations:
                directory = work / f"config-{len(cases):04d}"
                directory.mkdir(parents=True)
                path = directory / "config.yaml"
                path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8",
                                                                                  "surrogateescape"))
                cases.append(_config_case(f"config.{kind}", f"{config.name}: {what}", directory,
                                          str(path), [], expect))
    cases += _issue_config_cases(source, work, len(cases))
    base = str(source / "tests/data/baseline.yaml")
    for kind, assignment in SET_CASES:
        directory = work / f"config-{len(cases):04d}"
        directory.mkdir(parents=True)
        cases.append(_config_case("config.set_override", f"--set {assignment[:40]!r}",
                                  directory, base, ["--set", assignment]))
    return cases


def _issue_config_cases(source, work, first):
    """The config reproducers of issue #15 (items 4, 8 and 10), one case each, on model
    v1's default scenario, where they were found."""
    text = (source / "configs/russia-2025-v1.yaml").read_text()
    lines = text.splitlines(keepends=True)
    x_ref = next(i for i, line in enumerate(lines) if line.strip().startswith("x_ref:"))
    emptied = list(lines)
    emptied[x_ref] = "    x_ref:\n"
    months = next(i for i, line in enumerate(lines) if line.strip().startswith("months:"))
    repeated = lines[:months + 1] + ["  months: 999\n"] + lines[months + 1:]
    reproducers = [
        ("30 000-character scenario.name",
         text.replace("name: russia-2025-v1", "name: " + "n" * 30000, 1), Expect()),
        ("x_ref: left empty", "".join(emptied), Expect(message=f":{x_ref + 1}:")),
        ("months: 999 after months: 72", "".join(repeated), Expect(invalid=True)),
        ("a second oil: section", text + "oil:\n  p0: 1\n", Expect(invalid=True)),
    ]
    cases = []
    for what, body, expect in reproducers:
        directory = work / f"config-{first + len(cases):04d}"
        directory.mkdir(parents=True)
        path = directory / "config.yaml"
        path.write_text(body)
        cases.append(_config_case("config.issue", f"russia-2025-v1.yaml: {what}", directory,
                                  str(path), [], expect))
    return cases


def _config_case(category, name, directory, config, extra, expect=None):
    expect = expect or Expect()
    output = str(directory / "out.h5")
    return Case(category, name, str(directory), [
        Command(["validate", config] + extra, invalid=expect.invalid, message=expect.message),
        Command(["run", config, "--paths", str(RUN_PATHS), "--threads", "2", "-q", "-o", output]
                + extra, output=output, after_success=True),
    ])


# Issue #15 item 2: values that passed validation and crashed, hung or wrote
# non-finite numbers.
ISSUE_EXTREMES = [
    "oil.jump_mean=400", "oil.jump_volatility=1000", "fx.volatility=200",
    "revenue.non_oil.volatility=100", "spending.volatility=100", "fx.oil_elasticity=1000",
    "fx.volatility=100", "oil.volatility=200", "fund.liquid0=1e308", "oil.volatility=1000",
    "spending.growth=1000", "oil.jump_intensity=1e15", "oil.jump_intensity=1e7",
]
EXTREME_VALUES = [1e3, 1e6, 1e15, 1e300, -1e300, 1e-300, -1e3, 700, -700, 0]


def extreme_cases(source, work, rng, count):
    config = source / "configs/russia-2025-v1.yaml"  # model v1's default scenario (issue #15)
    tree = yaml.safe_load(config.read_text())
    numeric = [key for key, value in _leaves(tree)
               if isinstance(value, (int, float)) and not isinstance(value, bool)
               and not key.startswith("simulation.") and key != "scenario.months"]
    assignments = list(ISSUE_EXTREMES)
    while len(assignments) < count:
        assignments.append(f"{rng.choice(numeric)}={rng.choice(EXTREME_VALUES)!r}")
    cases = []
    for assignment in assignments:
        directory = work / f"extreme-{len(cases):04d}"
        directory.mkdir(parents=True)
        category = "extreme.issue" if assignment in ISSUE_EXTREMES else "extreme.random"
        cases.append(_config_case(category, f"russia-2025-v1 --set {assignment}", directory,
                                  str(config), ["--set", assignment]))
    return cases


# ---------------------------------------------------------------------------
# HDF5 files


class BaseFiles:
    """The undamaged files, written by the build under test."""

    def __init__(self, sovrisk, source, work):
        self.directory = work / "base"
        self.directory.mkdir(parents=True)
        self.config = str(source / "tests/data/baseline.yaml")
        d = self.directory
        self.result = str(d / "result.h5")
        self.other = str(d / "other.h5")
        self.shards = [str(d / "shard1.h5"), str(d / "shard2.h5")]
        self.checkpoint = str(d / "checkpoint.h5")
        common = ["--paths", "3000", "--sample-paths", "50", "--per-path", "-q"]
        self._run(sovrisk, ["run", self.config] + common + ["-o", self.result])
        # Same seed and paths, another volatility: a paired comparison.
        self._run(sovrisk, ["run", self.config] + common +
                  ["--set", "oil.volatility=0.4", "-o", self.other])
        for i, shard in enumerate(self.shards, 1):
            self._run(sovrisk, ["run", self.config] + common + ["--shard", f"{i}/2", "-o", shard])
        self.resume_options = ["--paths", "40000", "--threads", "1", "--sample-paths", "50",
                               "--per-path", "-q"]
        # 40 blocks on one thread: two segments, 32 and 8 blocks.
        self._checkpoint(sovrisk, ["run", self.config] + self.resume_options, self.checkpoint)
        # Designs over two priors: a band, a Sobol design, a band in two shards,
        # and a band's checkpoint (40 points on one thread: chunks of 16 points).
        priors = ["--set", "oil.long_run_mean={prior: uniform, low: 40, high: 90}",
                  "--set", "default.gap_threshold={prior: uniform, low: 0.005, high: 0.03}"]
        self.band = str(d / "band.h5")
        self.sensitivity = str(d / "sensitivity.h5")
        self.band_run = ["run", self.config] + priors + ["--outer", "40", "--inner", "200", "-q"]
        self._run(sovrisk, self.band_run + ["-o", self.band])
        self._run(sovrisk, ["sensitivity", self.config] + priors +
                  ["-N", "8", "-M", "200", "--bootstrap", "20", "-q", "-o", self.sensitivity])
        self.design_shards = [str(d / "design-shard1.h5"), str(d / "design-shard2.h5")]
        for i, shard in enumerate(self.design_shards, 1):
            self._run(sovrisk, self.band_run + ["--shard", f"{i}/2", "-o", shard])
        self.design_checkpoint = str(d / "design-checkpoint.h5")
        self.band_resume_run = ["run", self.config] + priors + [
            "--outer", "40", "--inner", "2000", "--threads", "1", "-q"]
        self._checkpoint(sovrisk, self.band_resume_run, self.design_checkpoint)

    @staticmethod
    def _run(sovrisk, arguments):
        subprocess.run([sovrisk] + arguments, check=True, stdout=subprocess.DEVNULL)

    def _checkpoint(self, sovrisk, run, checkpoint):
        # A SIGTERM as soon as the program catches it stops the run after its
        # first segment (of blocks, or of a design's points).
        process = subprocess.Popen(
            [sovrisk] + run + ["--checkpoint", checkpoint, "--checkpoint-every", "1000",
                               "-o", str(self.directory / "unused.h5")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if _catches_sigterm(process.pid):
                process.send_signal(signal.SIGTERM)
                break
            time.sleep(0.002)
        if process.wait() != 75 or not os.path.exists(checkpoint):
            raise RuntimeError("could not make a checkpoint to damage: " + shlex.join(run))


def _catches_sigterm(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return (int(line.split()[1], 16) >> (signal.SIGTERM - 1)) & 1
    except OSError:
        pass
    return False


def _objects(path):
    """The datasets, groups and attributes of a file: [(kind, object name, attribute)]."""
    found = []
    with h5py.File(path, "r") as f:
        for name in f.attrs:
            found.append(("attribute", "/", name))

        def visit(name, item):
            if isinstance(item, h5py.Dataset):
                found.append(("dataset", "/" + name, None))
            else:
                found.append(("group", "/" + name, None))
            for attribute in item.attrs:
                found.append(("attribute", "/" + name, attribute))

        f.visititems(visit)
    return found


def _string_dtype():
    return h5py.string_dtype()


def _as_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return " ".join(_as_text(v) for v in value.flat)
    return str(value)


def _attribute_mutation(f, owner, name, rng):
    """Replaces attribute `name` of f[owner]; returns (kind, invalid)."""
    attrs = f[owner].attrs
    value = attrs[name]
    numeric = isinstance(value, (np.integer, np.floating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind in "iuf")
    text = _as_text(value)
    kinds = ["array4", "fixed_string", "fixed_string_array", "other_type", "small_int", "float",
             "delete", "empty_array", "huge", "negative", "nan"]
    kind = rng.choice(kinds)
    del attrs[name]
    if kind == "array4":
        if numeric:
            base = np.asarray(value).ravel()[:1]
            attrs.create(name, np.repeat(base, 4))
        else:
            attrs.create(name, np.array([text] * 4, dtype=object), dtype=_string_dtype())
    elif kind == "fixed_string":
        attrs.create(name, np.bytes_(text.encode()[:200] or b"x"))
    elif kind == "fixed_string_array":
        attrs.create(name, np.array([text.encode()[:50] or b"x"] * 3))
    elif kind == "other_type":
        if numeric:
            attrs.create(name, str(value), dtype=_string_dtype())
        else:
            attrs.create(name, np.int64(7))
    elif kind == "small_int":
        attrs.create(name, np.uint8(3))
    elif kind == "float":
        attrs.create(name, np.float64(2.5))
    elif kind == "delete":
        pass
    elif kind == "empty_array":
        attrs.create(name, np.zeros(0, dtype=np.float64))
    elif kind == "huge":
        attrs.create(name, np.uint64(2**64 - 1) if numeric else np.int64(2**63 - 1))
    elif kind == "negative":
        attrs.create(name, np.int64(-5))
    elif kind == "nan":
        attrs.create(name, np.float64("nan"))
    invalid = kind in ("huge", "negative", "nan", "array4", "empty_array") and (
        name == "quantiles" or (owner == "/" and name in ("paths", "months")) or
        (owner.startswith("/conditional/") and name == "paths"))
    # A design's sizes are whole numbers >= 1.
    if kind in ("negative", "nan") and ((owner == "/" and name in ("outer", "inner")) or
                                        (owner == "/sobol" and name in ("N", "M"))):
        invalid = True
    return f"attribute {owner}:{name} {kind}", invalid


def _replace_dataset(f, name, data):
    attributes = dict(f[name].attrs)
    del f[name]
    dataset = f.create_dataset(name, data=data)
    for key, value in attributes.items():
        dataset.attrs[key] = value


def _dataset_mutation(f, name, rng):
    data = f[name][()]
    kinds = ["drop_row", "extra_row", "transpose", "float32", "int8", "uint64", "string",
             "empty", "scalar", "delete", "nan", "huge", "negative", "decreasing"]
    kind = rng.choice(kinds)
    shaped = np.atleast_1d(data)
    numeric = shaped.dtype.kind in "iuf"
    invalid = False
    if kind == "drop_row":
        _replace_dataset(f, name, shaped[:-1])
    elif kind == "extra_row":
        _replace_dataset(f, name, np.concatenate([shaped, shaped[-1:]]))
    elif kind == "transpose":
        _replace_dataset(f, name, shaped.T.copy() if shaped.ndim == 2 else shaped[::-1].copy())
    elif kind in ("float32", "int8", "uint64") and numeric:
        with np.errstate(all="ignore"):
            _replace_dataset(f, name, shaped.astype({"float32": np.float32, "int8": np.int8,
                                                     "uint64": np.uint64}[kind]))
    elif kind == "string" or not numeric:
        _replace_dataset(f, name, np.array([_as_text(v) for v in shaped.flat], dtype=object)
                         .reshape(shaped.shape).astype(_string_dtype()))
        kind = "string"
    elif kind == "empty":
        _replace_dataset(f, name, np.zeros((0,) + shaped.shape[1:], dtype=shaped.dtype))
    elif kind == "scalar":
        _replace_dataset(f, name, shaped.flat[0])
    elif kind == "delete":
        del f[name]
    elif kind == "nan":
        _replace_dataset(f, name, np.full(shaped.shape, np.nan))
        invalid = True
    elif kind == "huge":
        _replace_dataset(f, name, np.full(shaped.shape, 2**63 - 1, dtype=np.int64))
        invalid = True
    elif kind == "negative":
        _replace_dataset(f, name, -np.abs(shaped.astype(np.float64)) - 1)
        invalid = True
    elif kind == "decreasing":
        _replace_dataset(f, name, np.sort(shaped.ravel())[::-1].reshape(shaped.shape).copy())
        invalid = "probability" in name or "ci95" in name
    return f"dataset {name} {kind}", _impossible(f, name, kind, invalid)


# What the plot tool reads of a band and a sensitivity file (docs/plotting.md).
BAND_DRAWN = ("integrated", "integrated_stderr", "quantile", "quantile_ci_low",
              "quantile_ci_high")
SOBOL_INDICES = ("first_order", "first_order_ci_low", "first_order_ci_high", "total_order",
                 "total_order_ci_low", "total_order_ci_high")


def _impossible(f, name, kind, invalid):
    """Whether dataset `name`, written as `kind`, holds what no run writes where the plot
    tool reads it (`invalid`: a value that cannot be a probability, a count or a calendar)."""
    leaf = name.rsplit("/", 1)[1]
    if name.startswith("/conditional/"):
        return _conditional_impossible(f, name, kind)
    if name.startswith("/band/"):
        return kind in ("nan", "huge", "negative") and leaf in BAND_DRAWN
    if name.startswith("/sobol/"):
        if leaf in ("variance", "inner_variance"):
            return kind in ("nan", "huge", "negative")
        # An index estimate may be negative or above 1; never NaN.
        return kind == "nan" and leaf in SOBOL_INDICES
    # An event's group names its years and months as coordinates for xarray; the
    # plot tool takes the calendar from /time alone.
    if leaf in ("year", "month") and name.startswith(("/default/", "/depletion/",
                                                      "/bank_crisis/")):
        return False
    # A variable's values may be negative (the need in a surplus month) or huge and
    # still be what the model reported: the plot tool draws them. Only the events'
    # probabilities and counts, and the calendar, have values that cannot be.
    if kind in ("huge", "negative") and name.startswith(("/fan", "/mean", "/sample_paths")):
        return False
    # Only what the plot tool draws counts (docs/plotting.md).
    return invalid and plotted(name)


def _conditional_impossible(f, name, kind):
    """The conditional statistics (docs/output.md): fans and drivers are the model's values
    (any finite number; NaN exactly where no path meets the condition), the calendar
    months and lags are counts of paths. Coordinates are not read."""
    if kind not in ("nan", "huge", "negative"):
        return False
    parts = name.split("/")  # "", "conditional", ...
    if len(parts) == 5 and parts[3] == "fan" and parts[4] not in ("month", "quantile"):
        if int(f["/conditional/" + parts[2]].attrs["paths"]) == 0:
            return kind == "huge"  # all NaN; -|NaN| - 1 is NaN still
        return kind == "nan"
    if len(parts) == 4 and parts[2] == "default_month":
        if parts[3] == "calendar_month":
            return True
        if parts[3] in ("month_of_year", "quantile"):
            return False
        return kind == "nan" and int(f["/conditional/default"].attrs["paths"]) > 0
    return name == "/conditional/depletion_to_default_lag"


# What tools/sovrisk-plot reads: a damaged value there that it draws with exit 0 is a failure.
PLOTTED = ("/time", "/default", "/depletion", "/bank_crisis", "/fan", "/mean", "/sample_paths",
           "/conditional")


def plotted(name):
    return any(name == group or name.startswith(group + "/") for group in PLOTTED)


def damage(pristine, damaged, rng, objects, flips=True):
    """Copies `pristine` to `damaged` with one damage; returns (category, what, invalid).
    Without `flips`, no bits are flipped (see design_hdf5_cases)."""
    data = Path(pristine).read_bytes()
    family = rng.choices(["attribute", "dataset", "truncate", "flip", "group"],
                         weights=[35, 35, 10, 15 if flips else 0, 5])[0]
    if family == "truncate":
        cut = rng.randrange(0, len(data))
        Path(damaged).write_bytes(data[:cut])
        return "truncated", f"cut at byte {cut} of {len(data)}", True
    if family == "flip":
        flipped = bytearray(data)
        offsets = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 4)))
        for offset in offsets:
            flipped[offset] ^= 1 << rng.randrange(8)
        Path(damaged).write_bytes(bytes(flipped))
        return "flipped_bits", f"bits flipped at bytes {offsets}", False
    Path(damaged).write_bytes(data)
    candidates = [o for o in objects if o[0] == family]
    kind, owner, name = rng.choice(candidates)
    with h5py.File(damaged, "r+") as f:
        if family == "attribute":
            what, invalid = _attribute_mutation(f, owner, name, rng)
        elif family == "dataset":
            what, invalid = _dataset_mutation(f, owner, rng)
        else:
            del f[owner]
            # A file without conditional statistics, or without the drivers at the
            # default month, is valid (written before them, or with no default).
            optional = owner in ("/conditional", "/conditional/default_month")
            what = f"group {owner} deleted"
            invalid = not optional and (plotted(owner) or owner.startswith(("/band", "/sobol")))
    return family, what, invalid


def _edit(pristine, damaged, edit):
    Path(damaged).write_bytes(Path(pristine).read_bytes())
    with h5py.File(damaged, "r+") as f:
        edit(f)


def _checksummed(f, name, data):
    """Rewrites dataset `name` as the partial files store it, with a valid Fletcher-32 checksum."""
    attributes = dict(f[name].attrs)
    del f[name]
    dataset = f.create_dataset(name, data=data, chunks=True, fletcher32=True, compression="gzip")
    for key, value in attributes.items():
        dataset.attrs[key] = value


def issue_hdf5_cases(base, plot, new_case):
    """The damaged files of issue #15 (items 1, 3, 7, 11), one case each."""
    cases = []

    def replace_attribute(name, value, dtype=None):
        def edit(f):
            del f.attrs[name]
            f.attrs.create(name, value, dtype=dtype)
        return edit

    def set_dataset(name, make):
        def edit(f):
            _replace_dataset(f, name, make(f[name][()]))
        return edit

    def two_huge_month_counts(f):
        counts = f["/default/month_counts"][()]
        counts[0] = counts[1] = 2**63 - 1
        _checksummed(f, "/default/month_counts", counts)

    shard_edits = [
        ("format_version as 4 strings", replace_attribute(
            "format_version", np.array(["1.0"] * 4, dtype=object), _string_dtype())),
        ("config_hash as fixed-length strings", replace_attribute(
            "config_hash", np.array([b"0123456789abcdef"] * 4))),
        ("two month_counts of 2^63-1, checksum valid", two_huge_month_counts),
    ]
    for what, edit in shard_edits:
        directory = new_case("issue")
        damaged = str(directory / "shard1.h5")
        _edit(base.shards[0], damaged, edit)
        cases.append(Case("hdf5.issue", f"shard 1/2: {what}", str(directory), [
            Command(["merge", damaged, base.shards[1], "-o", str(directory / "merged.h5")],
                    output=str(directory / "merged.h5"))]))

    def quantiles_of_wrong_shape(f):
        f["/fan/fx"].attrs["quantiles"] = np.array([[0.05, 0.5], [0.5, 0.95]])

    result_edits = [
        ("seed as 4 x uint64", replace_attribute("seed", np.array([42] * 4, dtype=np.uint64)),
         False),
        ("paths = 0", replace_attribute("paths", np.uint64(0)), True),
        ("NaN probabilities", set_dataset("/default/cumulative_probability",
                                          lambda p: np.full(p.shape, np.nan)), True),
        ("quantiles attribute of the wrong shape", quantiles_of_wrong_shape, True),
        ("/per_path/default_month one too short", set_dataset(
            "/per_path/default_month", lambda m: m[:-1]), False),
        ("/per_path/default_month empty", set_dataset(
            "/per_path/default_month", lambda m: m[:0]), False),
        ("/time/month of another length", set_dataset("/time/month", lambda m: m[:-3]), True),
    ]
    for what, edit, drawn in result_edits:
        directory = new_case("issue")
        damaged = str(directory / "result.h5")
        _edit(base.result, damaged, edit)
        commands = [Command(["summary", damaged], pristine=["summary", base.result]),
                    Command(["compare", damaged, base.other],
                            pristine=["compare", base.result, base.other])]
        if plot:
            commands.append(Command([damaged, "--out", str(directory / "plots")], tool="plot",
                                    invalid=drawn))
        cases.append(Case("hdf5.issue", f"result file: {what}", str(directory), commands))

    data = Path(base.result).read_bytes()
    for k in range(4):
        directory = new_case("issue")
        damaged = directory / "result.h5"
        flipped = bytearray(data)
        offset = (k + 1) * len(data) // 5
        flipped[offset] ^= 0x10
        damaged.write_bytes(bytes(flipped))
        commands = [Command(["summary", str(damaged)], pristine=["summary", base.result])]
        if plot:
            commands.append(Command([str(damaged), "--out", str(directory / "plots")],
                                    tool="plot"))
        cases.append(Case("hdf5.issue", f"result file: one bit flipped at byte {offset}",
                          str(directory), commands))
    return cases


def design_hdf5_cases(base, plot, rng, counts, new_case):
    """Damaged band and sensitivity files (summary, the plot tool), a band's damaged
    shard (merge) and checkpoint (resume)."""
    cases = []
    files = {"band": base.band, "sensitivity": base.sensitivity,
             "design_shard": base.design_shards[0], "design_checkpoint": base.design_checkpoint}
    objects = {kind: _objects(path) for kind, path in files.items()}
    for kind in ("band", "sensitivity", "design_shard", "design_checkpoint"):
        plots_left = counts["plot"]  # of each kind the plot tool reads
        for _ in range(counts["design"]):
            directory = new_case(kind)
            damaged = str(directory / Path(files[kind]).name)
            # No bit flips: HDF5 1.10 itself can crash or hang on a flipped bit in
            # the global heap that holds variable-length strings (no checksum
            # covers it), and in these small files a flip lands there often
            # (docs/validation.md, "Known limits"). Result files keep theirs.
            family, what, invalid = damage(files[kind], damaged, rng, objects[kind],
                                           flips=False)
            if kind in ("band", "sensitivity"):
                # Provenance that is only shown, rewritten as another number, is
                # still a valid file: summary shows the new number.
                shown = what.startswith(("attribute /:wall_seconds", "attribute /:threads")) \
                    and what.endswith((" small_int", " float"))
                summary = None if shown else ["summary", files[kind]]
                commands = [
                    Command(["summary", damaged], pristine=summary),
                    Command(["summary", damaged, "--format", "csv"],
                            pristine=summary and summary + ["--format", "csv"])]
                if plot and plots_left > 0:
                    plots_left -= 1
                    commands.append(Command([damaged, "--out", str(directory / "plots")],
                                            tool="plot", invalid=invalid))
            elif kind == "design_shard":
                output = str(directory / "merged.h5")
                commands = [Command(
                    ["merge", damaged, base.design_shards[1], "-o", output], output=output,
                    pristine=["merge", base.design_shards[0], base.design_shards[1], "-o",
                              str(base.directory / "design-merged-pristine.h5")])]
            else:
                output = str(directory / "resumed.h5")
                commands = [Command(
                    base.band_resume_run + ["--resume", damaged, "-o", output], output=output,
                    pristine=base.band_resume_run + [
                        "--resume", base.design_checkpoint, "-o",
                        str(base.directory / "design-resumed-pristine.h5")])]
            cases.append(Case(f"hdf5.{kind}.{family}", f"{kind}: {what}", str(directory),
                              commands))
    return cases


def hdf5_cases(sovrisk, plot, source, work, rng, counts):
    base = BaseFiles(sovrisk, source, work)
    cases = []

    numbers = itertools.count()

    def new_case(kind):
        directory = work / f"hdf5-{kind}-{next(numbers):04d}"
        directory.mkdir(parents=True)
        return directory

    objects = {path: _objects(path) for path in
               [base.result, base.shards[0], base.checkpoint]}
    plots_left = counts["plot"]
    for _ in range(counts["result"]):
        directory = new_case("result")
        damaged = str(directory / "result.h5")
        family, what, invalid = damage(base.result, damaged, rng, objects[base.result])
        # A result file without /per_path is a run without --per-path: valid,
        # and compared as independent runs.
        valid = what == "group /per_path deleted"
        # Provenance that is only shown (the wall time, the threads) rewritten as
        # another number is still a valid file: summary shows the new number.
        shown = what.startswith(("attribute /:wall_seconds", "attribute /:threads")) and \
            what.endswith((" small_int", " float"))
        summary = None if shown else ["summary", base.result]
        commands = [
            Command(["summary", damaged], pristine=summary),
            Command(["summary", damaged, "--format", "json"],
                    pristine=summary and summary + ["--format", "json"]),
            Command(["compare", damaged, base.other],
                    pristine=None if valid else ["compare", base.result, base.other]),
            Command(["export", damaged, "--format", "json"],
                    pristine=["export", base.result, "--format", "json"]),
            # The fans as stored, units included (attributes carry no checksum): only
            # a clean ending is asked of it.
            Command(["export", damaged, "--what", "fans"]),
        ]
        if plot and plots_left > 0:
            plots_left -= 1
            commands.append(Command([damaged, "--out", str(directory / "plots")], tool="plot",
                                    invalid=invalid))
        cases.append(Case(f"hdf5.result.{family}", f"result file: {what}", str(directory),
                          commands))
    for _ in range(counts["shard"]):
        directory = new_case("shard")
        damaged = str(directory / "shard1.h5")
        family, what, invalid = damage(base.shards[0], damaged, rng, objects[base.shards[0]])
        output = str(directory / "merged.h5")
        pristine_output = str(base.directory / "merged-pristine.h5")
        cases.append(Case(f"hdf5.shard.{family}", f"shard 1/2: {what}", str(directory), [
            Command(["merge", damaged, base.shards[1], "-o", output],
                    pristine=["merge", base.shards[0], base.shards[1], "-o", pristine_output],
                    output=output)]))
    for _ in range(counts["checkpoint"]):
        directory = new_case("checkpoint")
        damaged = str(directory / "checkpoint.h5")
        family, what, invalid = damage(base.checkpoint, damaged, rng, objects[base.checkpoint])
        output = str(directory / "resumed.h5")
        pristine_output = str(base.directory / "resumed-pristine.h5")
        run = ["run", base.config] + base.resume_options
        cases.append(Case(f"hdf5.checkpoint.{family}", f"checkpoint: {what}", str(directory), [
            Command(run + ["--resume", damaged, "-o", output],
                    pristine=run + ["--resume", base.checkpoint, "-o", pristine_output],
                    output=output)]))
    cases += design_hdf5_cases(base, plot, rng, counts, new_case)
    cases += issue_hdf5_cases(base, plot, new_case)
    # compare trusts array lengths (issue #15 item 3): files sovrisk wrote itself.
    directory = new_case("compare")
    late = [str(directory / "late_a.h5"), str(directory / "late_b.h5")]
    for i, path in enumerate(late):
        subprocess.run([sovrisk, "run", base.config, "--paths", "2000", "--per-path", "-q",
                        "--set", "scenario.start=9999-06", "--set", f"oil.volatility=0.{3 + i}",
                        "-o", path], check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if all(os.path.exists(p) for p in late):
        cases.append(Case("hdf5.compare.own_files", "compare of two runs starting 9999-06",
                          str(directory), [Command(["compare"] + late)]))
    return cases


def build(sovrisk, plot, source, work, seed, sizes):
    """Every case of the corpus for `seed`, its files written under `work`."""
    rng = random.Random(seed)
    cases = config_cases(source, work, rng)
    cases += extreme_cases(source, work, rng, sizes["extreme"])
    cases += hdf5_cases(sovrisk, plot, source, work, rng, sizes)
    return cases


def all_finite(path):
    """The names of the datasets of result file `path` holding a non-finite number."""
    bad = []
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and item.dtype.kind == "f":
                values = item[()]
                # A conditional fan of a condition no path meets is NaN by
                # definition (docs/output.md); never infinite.
                allowed = np.isnan(values) if name.startswith("conditional/") else False
                if not np.all(np.isfinite(values) | allowed):
                    bad.append("/" + name)
        f.visititems(visit)
    return bad


def datasets_digest(path):
    """Every dataset of a file, by name: what two runs must agree on bit for bit."""
    digest = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset):
                values = np.asarray(item[()])
                # Strings by their text: an object array's bytes are pointers.
                digest[name] = (repr(values.tolist()).encode() if values.dtype.kind in "OSU"
                                else values.tobytes())
        f.visititems(visit)
    return digest
