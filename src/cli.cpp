#include "sovrisk/cli.h"

#include <hdf5.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <string_view>
#include <tuple>

#include "sovrisk/calendar.h"
#include "sovrisk/cluster.h"
#include "sovrisk/config.h"
#include "sovrisk/design_job.h"
#include "sovrisk/engine.h"
#include "sovrisk/export.h"
#include "sovrisk/history.h"
#include "sovrisk/job.h"
#include "sovrisk/partial_io.h"
#include "sovrisk/progress.h"
#include "sovrisk/report.h"
#include "sovrisk/results_io.h"
#include "sovrisk/sweep.h"
#include "sovrisk/sweep_io.h"
#include "sovrisk/sweep_report.h"
#include "sovrisk/uncertainty.h"
#include "sovrisk/uncertainty_io.h"
#include "sovrisk/uncertainty_report.h"
#include "sovrisk/version.h"

namespace sovrisk {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
// Stopped by SIGTERM or SIGINT with a checkpoint saved: try again later with
// --resume (EX_TEMPFAIL of <sysexits.h>, which batch systems know as "temporary").
constexpr int kExitInterrupted = 75;

// A message quotes what it read (a key, a value, a file name) as it was; its control
// characters, from a hostile or damaged input, are written as \xHH, so that the
// message stays one line and cannot move a terminal's cursor.
std::string without_control_characters(std::string_view message) {
  std::string shown;
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      shown += c;
      continue;
    }
    constexpr char kHex[] = "0123456789abcdef";
    shown += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
  }
  return shown;
}

struct ConfigArguments {
  std::string path;
  std::vector<std::string> assignments;
  std::optional<std::uint64_t> paths;
  std::optional<std::uint64_t> seed;
  bool strict = false;
  std::optional<std::string> label;  // --label; unset: default_label

  // The scenario's name, and the --set assignments in brackets if any:
  // "russia-2025 [oil.long_run_mean=55, spending.ceasefire.month=12]". --paths
  // and --seed are left out: they change the sample, not the scenario, and
  // summary and compare show both beside the label.
  std::string default_label(const Config& config) const {
    std::string label = config.scenario.name;
    for (std::size_t i = 0; i < assignments.size(); ++i)
      label += (i == 0 ? " [" : ", ") + assignments[i];
    return assignments.empty() ? label : label + "]";
  }

  // The config, its plausibility warnings shown on stderr, or with --strict
  // the first of them as the error.
  // `grid_point`: the overrides of one point of `sovrisk sweep`, applied after
  // the --set ones as further --set would be.
  Config load(const std::vector<Override>& grid_point = {}) const {
    Config config = load_unchecked(grid_point);
    if (strict && !config.warnings.empty())
      throw InputError(config.warnings.front() + " [--strict]");
    for (const std::string& warning : config.warnings)
      std::cerr << "sovrisk: warning: " << without_control_characters(warning) << "\n";
    return config;
  }

 private:
  Config load_unchecked(const std::vector<Override>& grid_point) const {
    std::vector<Override> overrides;
    for (const auto& assignment : assignments)
      overrides.push_back(parse_override(assignment));
    overrides.insert(overrides.end(), grid_point.begin(), grid_point.end());
    if (paths)
      overrides.push_back(
          {"simulation.paths", std::to_string(*paths), "--paths " + std::to_string(*paths)});
    if (seed)
      overrides.push_back(
          {"simulation.seed", std::to_string(*seed), "--seed " + std::to_string(*seed)});
    Config config = load_config(path, overrides);
    config.overrides = assignments;
    config.label = label ? *label : default_label(config);
    return config;
  }
};

void add_config_arguments(CLI::App& command, ConfigArguments& arguments) {
  command.add_option("config", arguments.path, "Scenario file (YAML)")->required();
  command.add_option("--set", arguments.assignments,
                     "Override a config key, e.g. --set oil.volatility=0.4 (repeatable)");
  command.add_flag("--strict", arguments.strict,
                   "Refuse values outside their plausible range instead of warning");
}

// A file a command reads, named in the message of an output that would destroy it.
struct NamedInput {
  std::string what;  // "the config file", "--resume"
  std::string path;
};

// Whether `a` and `b` are one file: the same inode (also through links) if
// both exist, else the same path once resolved.
bool same_file(const std::string& a, const std::string& b) {
  struct stat first {};
  struct stat second {};
  if (stat(a.c_str(), &first) == 0 && stat(b.c_str(), &second) == 0)
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino;
  std::error_code ignored;
  return std::filesystem::weakly_canonical(a, ignored) ==
         std::filesystem::weakly_canonical(b, ignored);
}

// What an existing path is when not a regular file, for messages.
const char* kind_of_file(mode_t mode) {
  return S_ISDIR(mode)    ? "a directory"
         : S_ISCHR(mode)  ? "a character device"
         : S_ISBLK(mode)  ? "a block device"
         : S_ISFIFO(mode) ? "a FIFO"
         : S_ISSOCK(mode) ? "a socket"
                          : "not a regular file";
}

// Refuses, before anything is simulated, an output (`option` names it in the
// message, "-o", "--checkpoint") that cannot be written or whose writing
// would destroy something: one of the command's inputs, or an existing path
// that is not a regular file (the atomic write renames a new file over the
// output, which would replace a device or a FIFO with a regular file).
void check_output(const std::string& option, const std::string& output,
                  const std::vector<NamedInput>& inputs) {
  struct stat existing {};
  if (stat(output.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    throw InputError(option + " " + output + ": is " + kind_of_file(existing.st_mode) +
                     ", not a regular file; sovrisk writes only regular files");
  }
  for (const auto& input : inputs) {
    if (same_file(output, input.path)) {
      throw InputError(option + " " + output + ": the same file as " + input.what + " " +
                       input.path + "; sovrisk would overwrite it");
    }
  }
  const auto slash = output.find_last_of('/');
  const std::string directory = slash == std::string::npos ? "." : output.substr(0, slash + 1);
  if (access(directory.c_str(), W_OK) != 0) {
    const int error = errno;
    throw InputError(option + " " + output + ": " +
                     (error == ENOENT    ? "the directory '" + directory + "' does not exist"
                      : error == ENOTDIR ? "'" + directory + "' is not a directory"
                                         : "cannot write into directory '" + directory + "'"));
  }
}

// Where -q sends what a command would print on stdout: a stream without a
// buffer, which drops it.
std::ostream nowhere(nullptr);

struct RunArguments {
  std::string output;
  RunOptions options;
  bool quiet = false;
  bool force = false;  // start even if the memory estimate exceeds the machine's memory
  bool dry_run = false;
  std::string shard;  // "i/n", empty: the whole run
  std::string checkpoint;
  double checkpoint_every = kDefaultCheckpointSeconds;
  std::string resume;
  // The parametric band (docs/model.md, "Parametric uncertainty"): parameter
  // points drawn from the priors, and paths for each; 0: a plain run.
  std::uint64_t outer = 0;
  std::uint64_t inner = 0;
};

// `text` as a whole number, if it is one: digits, or a decimal or scientific
// notation whose value is whole ("1e6", "2.5e3", "100.0"), computed exactly.
// Nothing if it is not, or exceeds 2^64 - 1.
std::optional<std::uint64_t> exact_whole_number(const std::string& text) {
  static const std::regex notation("([0-9]+)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]{1,3}))?");
  std::smatch parts;
  if (!std::regex_match(text, parts, notation))
    return std::nullopt;
  // The value is digits x 10^shift.
  std::string digits = parts.str(1) + parts.str(2);
  const int shift = (parts[3].matched ? std::stoi(parts.str(3)) : 0) - int(parts.str(2).size());
  if (shift < 0) {
    const std::size_t dropped = std::min<std::size_t>(-shift, digits.size());
    if (digits.find_first_not_of('0', digits.size() - dropped) != std::string::npos)
      return std::nullopt;  // a fraction
    digits.resize(digits.size() - dropped);
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty())
    return 0;
  if (shift > 0)
    digits.append(std::min(shift, 20), '0');  // more than 20 digits overflow anyway
  std::uint64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, value);
  if (error != std::errc() || stop != end)
    return std::nullopt;
  return value;
}

// A transform that accepts a whole number from `low` to `high` (`range` says so in messages:
// "--paths: a whole number from 1 to 10^15, got 'abc'") and gives it to CLI11
// as digits, so that "1e6" converts.
CLI::Validator whole_number(std::uint64_t low, std::uint64_t high, const std::string& range) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        const std::optional<std::uint64_t> value = exact_whole_number(text);
        if (!value || *value < low || *value > high)
          return "a whole number from " + range + ", got '" + text + "'";
        text = std::to_string(*value);
        return "";
      },
      "from " + range);
}

// Seconds, 0 or more, finite ("--checkpoint-every: a number of seconds, 0 or
// more, got 'soon'").
const CLI::Validator kSeconds(
    [](std::string& text) -> std::string {
      double seconds = 0;
      const char* end = text.data() + text.size();
      const auto [stop, error] = std::from_chars(text.data(), end, seconds);
      if (error != std::errc() || stop != end || !std::isfinite(seconds) || seconds < 0)
        return "a number of seconds, 0 or more, got '" + text + "'";
      return "";
    },
    "seconds >= 0");

// A label names the run on one line of a table or a legend.
const CLI::Validator kOneLine(
    [](std::string& text) -> std::string {
      const bool control = std::any_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      });
      return text.empty() || control ? "one line of text, not empty, without control characters"
                                     : "";
    },
    "one line");

const std::string kMaxPathsText = "10^15";
const std::string kMaxSeedText = "2^64 - 1";

// The options `run` and `replay` share: output, label, overrides of the paths
// and seed, threads, sample paths, quiet.
void add_simulation_options(CLI::App& command, ConfigArguments& config, RunArguments& arguments,
                            const std::string& default_output) {
  command.add_option("-o,--output", arguments.output,
                     "Result file (default: " + default_output +
                         ", or with -2, -3, ... added if that file exists)");
  command
      .add_option("--label", config.label,
                  "Name of the run in summary, compare and figures (default: the scenario's "
                  "name and the --set assignments)")
      ->check(kOneLine);
  // Validators see the text before conversion, so "-1" is refused rather than wrapped.
  command.add_option("--paths", config.paths, "Number of paths (overrides simulation.paths)")
      ->transform(whole_number(1, kMaxPaths, "1 to " + kMaxPathsText));
  command.add_option("--seed", config.seed, "Random seed (overrides simulation.seed)")
      ->transform(
          whole_number(0, std::numeric_limits<std::uint64_t>::max(), "0 to " + kMaxSeedText));
  command.add_option("--threads", arguments.options.threads, "Worker threads (default: all cores)")
      ->transform(whole_number(1, 4096, "1 to 4096"));
  command
      .add_option("--sample-paths", arguments.options.sample_paths,
                  "Number of leading paths stored whole (default 100)")
      ->transform(whole_number(0, kMaxPaths, "0 to " + kMaxPathsText));
  command.add_flag("-q,--quiet", arguments.quiet,
                   "Print nothing but errors and warnings (no table, no progress)");
  command.add_flag("--force", arguments.force,
                   "Start even if the run's memory estimate exceeds the machine's memory");
}

// Digits only, as an unsigned integer that fits.
bool parse_whole_number(std::string_view digits, std::uint64_t& value) {
  const char* end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, value);
  return !digits.empty() && error == std::errc() && stop == end;
}

// "i/n" with 1 <= i <= n.
std::pair<std::uint64_t, std::uint64_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  std::uint64_t shard = 0, shards = 0;
  if (slash != std::string::npos &&
      parse_whole_number(std::string_view(text).substr(0, slash), shard) &&
      parse_whole_number(std::string_view(text).substr(slash + 1), shards) && shard >= 1 &&
      shard <= shards) {
    return {shard, shards};
  }
  throw InputError("--shard " + text + ": expected i/n, the i-th of n shards, 1 <= i <= n");
}

// The opening line of every command that simulates: "sovrisk VERSION: WHAT
// scenario NAME, N paths x T months from YYYY-MM, seed S".
void print_banner(std::ostream& out, const std::string& what, const Config& config) {
  out << "sovrisk " << kVersion << ": " << what << "scenario " << config.scenario.name << ", "
      << config.simulation.paths << " paths x " << config.scenario.months << " months from "
      << month_label(config.scenario.start_year, config.scenario.start_month) << ", seed "
      << config.simulation.seed;
}

// The probability table, the result file, and where it went.
void print_and_write(std::ostream& out, const SimulationResult& result, const Config& config,
                     const std::string& output,
                     const std::optional<ReplayRecord>& replay = std::nullopt) {
  out << "\nCumulative probability by the end of each year (" << result.paths
      << " paths, Wilson 95 % intervals)\n";
  print_probability_table(out, probability_table(result));
  write_results(output, config, result, replay);
  const double path_months = double(result.paths) * config.scenario.months;
  out << "\nwrote " << output << " (" << result.wall_seconds << " s on " << result.threads
      << " threads, " << path_months / result.wall_seconds / 1e6 << " million path-months/s)\n";
}

// The output: `requested` (-o), else `stem`.h5, or if a file of that name
// exists the first of `stem`-2.h5, `stem`-3.h5, ... that does not, said on
// stderr if `announce`: without -o, no command replaces a file.
std::string output_file(const std::string& requested, const std::string& stem, bool announce,
                        const std::string& extension = ".h5") {
  if (!requested.empty())
    return requested;
  const auto taken = [](const std::string& path) {
    struct stat existing {};
    return lstat(path.c_str(), &existing) == 0;
  };
  const std::string first = stem + extension;
  std::string output = first;
  for (int n = 2; taken(output); ++n)
    output = stem + "-" + std::to_string(n) + extension;
  if (announce && output != first) {
    std::cerr << "sovrisk: warning: " << first << " exists: writing " << output
              << " instead (-o FILE names the output, and replaces it)\n";
  }
  return output;
}

// How a design is split and kept safe: --shard, --checkpoint,
// --checkpoint-every and --resume, as `run` reads them.
struct DesignJobArguments {
  std::string shard;  // "i/n", empty: the whole design
  std::string checkpoint;
  double checkpoint_every = kDefaultCheckpointSeconds;
  std::string resume;
};

void add_design_job_options(CLI::App& command, DesignJobArguments& arguments) {
  command.add_option("--shard", arguments.shard,
                     "Run only shard i of n of the design's points (i/n, 1 <= i <= n) and write "
                     "a part for `sovrisk merge`");
  command.add_option("--checkpoint", arguments.checkpoint,
                     "Save the points done to FILE periodically and on SIGTERM/SIGINT (then "
                     "exit 75)");
  command
      .add_option(
          "--checkpoint-every", arguments.checkpoint_every,
          "Seconds between checkpoints (default " + std::to_string(kDefaultCheckpointSeconds) + ")")
      ->check(kSeconds);
  command.add_option("--resume", arguments.resume,
                     "Continue from a checkpoint FILE of the same design and shard");
}

// The band or sensitivity file of `design` from its probabilities at every
// point, its table printed first unless quiet.
void finish_design(const Config& config, const Design& design,
                   const std::vector<RowMajorArray>& probabilities, const std::string& output,
                   double wall_seconds, int threads, bool quiet) {
  if (design.kind == Design::Kind::kBand) {
    const ParametricBand band = band_of(config, design, probabilities);
    if (!quiet)
      print_band(band);
    write_band(output, config, band, wall_seconds, threads);
  } else {
    const Sensitivity result = sensitivity_of(config, design, probabilities);
    if (!quiet)
      print_sensitivity(result);
    write_sensitivity(output, config, result, wall_seconds, threads);
  }
}

// A design over the priors' parameters (uncertainty.h, design_job.h), on the
// processes of `cluster`: every rank reads the config, makes the design and
// computes its share of the points; rank 0 checks the output, prints the
// banner, and writes the shard's part or the design's file (finish_design),
// and says where it went (quiet: only errors).
int run_design(const std::string& what, const ConfigArguments& arguments,
               const DesignJobArguments& job, const std::string& requested_output, bool quiet,
               int threads, Cluster& cluster,
               const std::function<Design(const Config&)>& make_design) {
  const bool leader = cluster.rank() == 0;
  const bool sharded = !job.shard.empty();
  DesignPlan plan;
  Config config;
  Design design;
  std::string output;
  // Held until this function returns, after the checkpoint is removed.
  std::optional<CheckpointLock> lock;
  cluster.agree([&] {
    if (sharded)
      std::tie(plan.shard, plan.shards) = parse_shard(job.shard);
    plan.checkpoint = job.checkpoint;
    plan.checkpoint_every = job.checkpoint_every;
    plan.resume = job.resume;
    config = arguments.load();
    design = make_design(config);
    if (leader) {
      const std::string stem =
          config.scenario.name +
          (sharded ? "-shard" + std::to_string(plan.shard) + "of" + std::to_string(plan.shards)
           : design.kind == Design::Kind::kBand ? "-band"
                                                : "-sens");
      output = output_file(requested_output, stem, true);
      std::vector<NamedInput> inputs = {{"the config file", arguments.path}};
      if (!plan.resume.empty())
        inputs.push_back({"--resume", plan.resume});
      check_output("-o", output, inputs);
      if (!plan.checkpoint.empty()) {
        check_output("--checkpoint", plan.checkpoint,
                     {inputs.front(), {"the output (-o)", output}});
        lock.emplace(plan.checkpoint);
      }
    }
    return false;
  });
  if (lock && !lock->held()) {
    std::cerr << "sovrisk: warning: " << lock->path()
              << ": the file system does not lock files; nothing keeps another run from saving "
                 "to the same checkpoint\n";
  }
  if (leader && !quiet) {
    std::cout << "sovrisk " << kVersion << ": " << what << " of scenario " << config.scenario.name
              << ", " << config.scenario.months << " months from "
              << month_label(config.scenario.start_year, config.scenario.start_month) << ", seed "
              << config.simulation.seed;
    if (sharded)
      std::cout << ", shard " << plan.shard << "/" << plan.shards;
    if (cluster.size() > 1)
      std::cout << ", " << cluster.size() << " MPI processes";
    if (!plan.resume.empty())
      std::cout << ", resumed from " << plan.resume;
    std::cout << std::endl;
  }
  DesignOutcome outcome = run_design_job(config, design, plan, threads, cluster);
  if (outcome.interrupted) {
    if (leader) {
      const char* by = outcome.signal == SIGTERM  ? "SIGTERM"
                       : outcome.signal == SIGINT ? "SIGINT"
                                                  : "a signal to another rank";
      std::cerr << "sovrisk: interrupted by " << by << "; the points done are saved in "
                << plan.checkpoint << "; continue with --resume " << plan.checkpoint << "\n";
    }
    return kExitInterrupted;
  }
  cluster.agree([&] {
    if (!leader)
      return false;
    const DesignPart& part = outcome.part;
    if (sharded) {
      write_design_part(output, part);
      if (!quiet) {
        std::cout << "wrote " << output << ": shard " << plan.shard << "/" << plan.shards
                  << ", points " << part.range.first << " to " << part.range.end << " of "
                  << design.points.size() << " (" << part.wall_seconds
                  << " s); combine the shards with sovrisk merge\n";
      }
    } else {
      finish_design(config, design, part.probabilities, output, part.wall_seconds, part.threads,
                    quiet);
      if (!quiet)
        std::cout << "wrote " << output << " (" << part.wall_seconds << " s)\n";
    }
    return false;
  });
  // The result supersedes the checkpoint; a batch script may take its
  // absence as the sign that the job is done.
  if (leader && !plan.checkpoint.empty())
    std::remove(plan.checkpoint.c_str());
  return 0;
}

int run_band(const ConfigArguments& arguments, const RunArguments& run_arguments,
             Cluster& cluster) {
  if (run_arguments.outer == 0 || run_arguments.inner == 0)
    throw InputError("--outer and --inner: both are needed, each a whole number >= 1");
  const int threads = worker_threads(run_arguments.options);
  const std::string what = "parametric band, " + std::to_string(run_arguments.outer) +
                           " points x " + std::to_string(run_arguments.inner) + " paths,";
  const DesignJobArguments job{run_arguments.shard, run_arguments.checkpoint,
                               run_arguments.checkpoint_every, run_arguments.resume};
  return run_design(what, arguments, job, run_arguments.output, run_arguments.quiet, threads,
                    cluster, [&](const Config& config) {
                      return band_design(config, run_arguments.outer, run_arguments.inner);
                    });
}

struct SensitivityArguments {
  std::string output;
  std::uint64_t rows = 1024;
  std::uint64_t inner = 2000;
  int resamples = 1000;
  int threads = 0;
  bool quiet = false;
  DesignJobArguments job;
};

int run_sensitivity(const ConfigArguments& arguments, const SensitivityArguments& sensitivity,
                    Cluster& cluster) {
  RunOptions options;
  options.threads = sensitivity.threads;
  const int threads = worker_threads(options);
  const std::string what = "Sobol sensitivity, N = " + std::to_string(sensitivity.rows) +
                           " rows x M = " + std::to_string(sensitivity.inner) + " paths,";
  return run_design(what, arguments, sensitivity.job, sensitivity.output, sensitivity.quiet,
                    threads, cluster, [&](const Config& config) {
                      return sensitivity_design(config, sensitivity.rows, sensitivity.inner,
                                                sensitivity.resamples);
                    });
}

// `sovrisk run`: the whole run, or one shard of it, on this process or on the
// ranks of an MPI job, with checkpoints (docs/cluster.md). Rank 0 prints and
// writes; every rank takes part in the decisions, so all exit alike.
int run(const ConfigArguments& arguments, const RunArguments& run_arguments, Cluster& cluster) {
  if (run_arguments.outer > 0 || run_arguments.inner > 0)
    return run_band(arguments, run_arguments, cluster);
  const bool leader = cluster.rank() == 0;
  Config config;
  JobPlan plan;
  cluster.agree([&] {
    config = arguments.load();
    if (!run_arguments.shard.empty())
      std::tie(plan.shard, plan.shards) = parse_shard(run_arguments.shard);
    return false;
  });
  if (run_arguments.dry_run) {
    if (leader)
      std::cout << config.effective_yaml;
    return 0;
  }
  const bool sharded = !run_arguments.shard.empty();
  const std::string output =
      output_file(run_arguments.output,
                  sharded ? config.scenario.name + "-shard" + std::to_string(plan.shard) + "of" +
                                std::to_string(plan.shards)
                          : config.scenario.name,
                  leader);
  std::ostream& out = run_arguments.quiet ? nowhere : std::cout;
  plan.checkpoint = run_arguments.checkpoint;
  plan.checkpoint_every = run_arguments.checkpoint_every;
  plan.resume = run_arguments.resume;
  // Held until this function returns, after the checkpoint is removed.
  std::optional<CheckpointLock> lock;
  cluster.agree([&] {
    const std::string checkpoint =
        plan.checkpoint.empty() ? ""
                                : checkpoint_file(plan.checkpoint, cluster.rank(), cluster.size());
    const std::string resume =
        plan.resume.empty() ? "" : checkpoint_file(plan.resume, cluster.rank(), cluster.size());
    std::vector<NamedInput> inputs = {{"the config file", arguments.path}};
    if (!resume.empty())
      inputs.push_back({"--resume", resume});
    if (leader)
      check_output("-o", output, inputs);
    if (!checkpoint.empty()) {
      // Resuming from the checkpoint it goes on saving to is how a run keeps
      // checkpointing after a resume.
      check_output("--checkpoint", checkpoint, {inputs.front(), {"the output (-o)", output}});
      lock.emplace(checkpoint);
    }
    const BlockRange shard =
        split_blocks({0, block_count(config.simulation.paths)}, plan.shard - 1, plan.shards);
    const RunOptions& options = run_arguments.options;
    check_memory(estimate_memory(config, options,
                                 paths_before(shard.end, config.simulation.paths) -
                                     paths_before(shard.first, config.simulation.paths),
                                 sample_rows(shard, config.simulation.paths, options.sample_paths)),
                 run_arguments.force);
    // A resumed run keeps the label it was started with, unless given another.
    // Rank 0 writes the result, so only its label counts; another rank leaves
    // its checkpoint to the job's checks, which name a wrong number of ranks.
    if (leader && !resume.empty() && !arguments.label) {
      if (std::string label = read_partial_header(resume).label; !label.empty())
        config.label = std::move(label);
    }
    return false;
  });
  if (lock && !lock->held()) {
    std::cerr << "sovrisk: warning: " << lock->path()
              << ": the file system does not lock files; nothing keeps another run from saving "
                 "to the same checkpoint\n";
  }
  Job job(config, run_arguments.options, plan, cluster);
  if (leader) {
    print_banner(out, "", config);
    if (sharded)
      out << ", shard " << plan.shard << "/" << plan.shards;
    if (cluster.size() > 1)
      out << ", " << cluster.size() << " MPI processes";
    if (!plan.resume.empty())
      out << ", resumed from " << plan.resume;
    out << std::endl;
  }
  ProgressReporter progress(std::cerr, job.paths_to_do(), isatty(STDERR_FILENO) == 1);
  std::function<void(std::uint64_t)> report;
  if (leader && !run_arguments.quiet)
    report = [&](std::uint64_t done) { progress.update(done); };
  JobOutcome outcome = job.run(report);
  progress.finish();
  if (outcome.interrupted) {
    if (leader) {
      const int ranks = cluster.size();
      const std::string saved = ranks > 1 ? checkpoint_file(plan.checkpoint, 0, ranks) + " .. " +
                                                checkpoint_file(plan.checkpoint, ranks - 1, ranks) +
                                                " (one per rank)"
                                          : plan.checkpoint;
      const char* by = outcome.signal == SIGTERM  ? "SIGTERM"
                       : outcome.signal == SIGINT ? "SIGINT"
                                                  : "a signal to another rank";
      std::cerr << "sovrisk: interrupted by " << by << "; the paths done are saved in " << saved
                << "; continue with --resume " << plan.checkpoint
                << (ranks > 1 ? " on as many processes\n" : "\n");
    }
    return kExitInterrupted;
  }
  cluster.agree([&] {
    if (!leader)
      return false;
    const PartialResult& shard = *outcome.shard;
    if (sharded) {
      write_partial(output, config, shard, outcome.info);
      out << "\nwrote " << output << ": shard " << plan.shard << "/" << plan.shards << ", "
          << describe_blocks(shard.blocks()) << ", "
          << describe_paths(shard.blocks(), config.simulation.paths) << " ("
          << outcome.info.wall_seconds << " s on " << outcome.info.threads
          << " threads); combine the shards with sovrisk merge\n";
      return false;
    }
    SimulationResult result = finalize(config, std::move(*outcome.shard));
    result.threads = outcome.info.threads;
    result.wall_seconds = outcome.info.wall_seconds;
    print_and_write(out, result, config, output);
    return false;
  });
  // The result supersedes the checkpoint; a batch script may take its
  // presence to mean "resume".
  if (!plan.checkpoint.empty())
    std::remove(checkpoint_file(plan.checkpoint, cluster.rank(), cluster.size()).c_str());
  return 0;
}

// `sovrisk merge` of a design's shards (run --outer --inner --shard, or
// sensitivity --shard): the design's file, every dataset bit for bit what one
// process running them all writes.
int merge_design(const std::vector<std::string>& parts, const std::string& requested_output) {
  const DesignPart whole = merge_design_parts(parts);
  const Config& config = whole.config;
  const bool band = whole.design.kind == Design::Kind::kBand;
  const std::string output =
      output_file(requested_output, config.scenario.name + (band ? "-band" : "-sens"), true);
  std::vector<NamedInput> inputs;
  for (const auto& part : parts)
    inputs.push_back({"the part", part});
  check_output("-o", output, inputs);
  const Design design = band ? band_design(config, whole.design.size, whole.design.inner)
                             : sensitivity_design(config, whole.design.size, whole.design.inner,
                                                  whole.design.resamples);
  std::cout << "sovrisk " << kVersion << ": merged " << parts.size() << " shards of the "
            << (band ? "parametric band" : "Sobol sensitivity") << " of scenario "
            << config.scenario.name << ", " << design.points.size() << " points x "
            << whole.design.inner << " paths, seed " << config.simulation.seed << std::endl;
  finish_design(config, design, whole.probabilities, output, whole.wall_seconds, whole.threads,
                false);
  std::cout << "wrote " << output << "\n";
  return 0;
}

// `sovrisk merge`: the shards of one run into its result file, bit for bit
// what one process running them all writes (or a design's, above).
int merge(const std::vector<std::string>& parts, const std::string& requested_output) {
  const std::string type = file_type_of(parts.front());
  if (type == kDesignPartFileType || type == kDesignCheckpointFileType)
    return merge_design(parts, requested_output);
  MergedRun merged = merge_shards(parts);
  const Config& config = merged.config;
  const std::string output = output_file(requested_output, config.scenario.name, true);
  std::vector<NamedInput> inputs;
  for (const auto& part : parts)
    inputs.push_back({"the part", part});
  check_output("-o", output, inputs);
  print_banner(std::cout, "merged " + std::to_string(parts.size()) + " shards of ", config);
  std::cout << std::endl;
  SimulationResult result = finalize(config, std::move(merged.whole));
  result.threads = merged.threads;
  result.wall_seconds = merged.wall_seconds;
  print_and_write(std::cout, result, config, output);
  return 0;
}

// `sovrisk replay`: the run above with the drivers a history observes taken
// from it (docs/replay.md). Same output format, plus the history's text and
// the options that change the numbers.
int replay_history(const ConfigArguments& arguments, const std::string& history_path,
                   RunArguments run_arguments, bool reset_deviations) {
  const Config config = arguments.load();
  History history = load_history(history_path, config.scenario);
  const int reset_month = reset_deviations ? mark_deviation_reset(history) : -1;
  const std::string output =
      output_file(run_arguments.output, config.scenario.name + "-replay", true);
  std::ostream& out = run_arguments.quiet ? nowhere : std::cout;
  check_output("-o", output, {{"the config file", arguments.path}, {"the history", history_path}});
  const RunOptions& options = run_arguments.options;
  check_memory(estimate_memory(config, options, config.simulation.paths,
                               std::min(options.sample_paths, config.simulation.paths)),
               run_arguments.force);
  const int months = config.scenario.months;
  print_banner(out, "replay of ", config);
  out << std::endl;
  out << "history " << history_path << ": " << history.rows << " rows";
  if (history.rows_after_horizon > 0)
    out << " (" << history.rows_after_horizon << " after the horizon, ignored)";
  out << "; months observed of " << months << ":";
  bool everything_observed = true;
  for (const auto& column : history_driver_columns()) {
    const int observed = observed_months(history, column);
    everything_observed = everything_observed && observed == months;
    out << " " << column << " " << observed;
  }
  if (const int flows = observed_months(history, "fund_flow"); flows > 0)
    out << "; fund_flow " << flows;
  out << std::endl;
  // Model v2's own draws (key rate, gold, external access) still make paths differ.
  if (everything_observed && Model(config).model_v2_draws() == 0)
    std::cerr << "sovrisk: warning: every driver is observed in every month: all paths are the "
                 "same\n";
  if (reset_deviations) {
    const Calendar calendar(config.scenario.start_year, config.scenario.start_month, months);
    if (reset_month == months - 1) {
      std::cerr << "sovrisk: warning: --reset-deviations: the history observes the last month, "
                << calendar.label(reset_month) << "; no month follows to start from trend\n";
    } else if (reset_month >= 0) {
      out << "--reset-deviations: spending and non-oil revenue continue from trend after "
          << calendar.label(reset_month) << "\n";
    } else {
      std::cerr << "sovrisk: warning: --reset-deviations: the history observes no month of the "
                   "horizon; nothing to reset\n";
    }
  }
  RunOptions progressing = options;
  ProgressReporter progress(std::cerr, config.simulation.paths, isatty(STDERR_FILENO) == 1);
  if (!run_arguments.quiet)
    progressing.progress = [&](std::uint64_t done) { progress.update(done); };
  const SimulationResult result = replay(config, history.months, progressing);
  progress.finish();
  print_and_write(out, result, config, output,
                  ReplayRecord{history.text, reset_deviations ? "--reset-deviations" : ""});
  return 0;
}

struct SweepArguments {
  std::vector<std::string> grids;
  bool one_at_a_time = false;
  std::size_t reference = 1;  // 1-based, as tables number the points
};

// `sovrisk sweep`: every point of a grid of --set overrides, or of each
// prior's 5/50/95 % points one at a time, on the same paths (docs/cli.md).
// Every point's config is read and checked before anything is simulated or
// written.
int sweep(const ConfigArguments& arguments, const RunArguments& run_arguments,
          const SweepArguments& sweep_arguments) {
  if (sweep_arguments.grids.empty() == !sweep_arguments.one_at_a_time)
    throw InputError("sweep: give --grid KEY=V1,V2,... (repeatable) or --one-at-a-time, not both");
  SweepDesign design;
  if (sweep_arguments.one_at_a_time) {
    design = one_at_a_time(arguments.load());
  } else {
    std::vector<GridKey> keys;
    for (const std::string& grid : sweep_arguments.grids)
      keys.push_back(parse_grid(grid));
    design = full_grid(keys);
  }
  const std::size_t point_count = design.values.size();
  if (sweep_arguments.reference < 1 || sweep_arguments.reference > point_count) {
    throw InputError("--reference " + std::to_string(sweep_arguments.reference) +
                     ": expected a point from 1 to " + std::to_string(point_count));
  }
  const std::size_t reference = sweep_arguments.reference - 1;
  std::vector<Config> configs;
  for (std::size_t p = 0; p < point_count; ++p)
    configs.push_back(arguments.load(point_overrides(design, p)));
  const std::vector<std::string>& labels = design.labels;
  check_common_paths(configs, labels);
  const Config& config = configs[reference];
  const std::string output =
      output_file(run_arguments.output, config.scenario.name + "-sweep", true);
  check_output("-o", output, {{"the config file", arguments.path}});
  RunOptions options;
  options.per_path_events = true;
  options.sample_paths = 0;
  MemoryEstimate memory = estimate_memory(config, options, config.simulation.paths, 0);
  memory.per_path *= 2;  // the reference's per-path months and the current point's
  check_memory(memory, run_arguments.force);

  std::ostream& out = run_arguments.quiet ? nowhere : std::cout;
  print_banner(out, "sweep of " + std::to_string(point_count) + " points, ", config);
  out << std::endl;
  ProgressReporter progress(std::cerr, point_count * config.simulation.paths,
                            isatty(STDERR_FILENO) == 1);
  std::function<void(std::uint64_t)> report;
  if (!run_arguments.quiet)
    report = [&](std::uint64_t done) { progress.update(done); };
  const SweepResult result = run_sweep(
      configs, reference, run_arguments.options.threads,
      [&](std::size_t p, const SweepPointResult& point) {
        out << "point " << p + 1 << "/" << point_count << "  " << labels[p] << "  ("
            << point.wall_seconds << " s)" << std::endl;
      },
      report);
  progress.finish();
  write_sweep(output, design, configs, result);
  print_sweep_table(out, read_sweep(output));
  out << "\nwrote " << output << " (" << result.wall_seconds << " s on " << result.threads
      << " threads, " << point_count << " points)\n";
  return 0;
}

// `sovrisk report`: one self-contained HTML page of result, sweep, band and
// sensitivity files, drawn by tools/sovrisk-report (Python) with this program's
// summary and compare tables. The files are checked here; the page is written
// to a temporary file beside the output and renamed over it only once complete.
struct ReportArguments {
  std::vector<std::string> files;
  std::string output;
  bool quiet = false;
};

// The tools/ directory of the source tree this program was built from
// (SOVRISK_TOOLS_DIR, set by CMake), unless $SOVRISK_TOOLS_DIR names another.
std::string tools_directory() {
  const char* directory = std::getenv("SOVRISK_TOOLS_DIR");
  return directory && *directory ? directory : SOVRISK_TOOLS_DIR;
}

// python3 as the tools find it: the first on PATH, else Debian's /usr/bin/python3
// (the tools themselves move to that one if the first lacks their modules).
std::string python_program() {
  const char* path = std::getenv("PATH");
  std::string directories = path ? path : "";
  for (std::size_t begin = 0; begin <= directories.size();) {
    const std::size_t end = std::min(directories.find(':', begin), directories.size());
    const std::string directory = directories.substr(begin, end - begin);
    const std::string candidate = (directory.empty() ? "." : directory) + "/python3";
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
    begin = end + 1;
  }
  return "/usr/bin/python3";
}

int make_report(const ReportArguments& arguments) {
  std::vector<NamedInput> inputs;
  for (const std::string& file : arguments.files) {
    struct stat existing {};
    if (stat(file.c_str(), &existing) != 0)
      throw InputError(file + ": no such file");
    if (!S_ISREG(existing.st_mode))
      throw InputError(file + ": is " + kind_of_file(existing.st_mode) + ", not a sovrisk file");
    htri_t hdf5 = -1;
    H5E_BEGIN_TRY {
      hdf5 = H5Fis_hdf5(file.c_str());
    }
    H5E_END_TRY;
    if (hdf5 <= 0)
      throw InputError(file + ": not an HDF5 file, or a damaged one (truncated?)");
    inputs.push_back({"the input file", file});
  }
  std::string stem = std::filesystem::path(arguments.files.front()).stem().string() + "-report";
  const std::string output = output_file(arguments.output, stem, true, ".html");
  check_output("-o", output, inputs);
  const std::string tool = tools_directory() + "/sovrisk-report";
  if (access(tool.c_str(), R_OK) != 0) {
    throw std::runtime_error("cannot find " + tool +
                             " (set SOVRISK_TOOLS_DIR to the directory of tools/sovrisk-report)");
  }
  std::error_code ignored;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ignored).string();
  const std::string python = python_program();
  const std::string temporary = output + ".tmp-" + std::to_string(getpid());
  std::vector<std::string> words = {python, tool};
  words.insert(words.end(), arguments.files.begin(), arguments.files.end());
  for (const std::string& word : {std::string("-o"), temporary, std::string("--sovrisk"),
                                  self.empty() ? std::string("sovrisk") : self,
                                  std::string("--prog"), std::string("sovrisk")})
    words.push_back(word);
  std::vector<char*> argv;
  for (std::string& word : words)
    argv.push_back(word.data());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  std::cout.flush();
  const pid_t child = fork();
  if (child < 0)
    throw std::runtime_error("cannot start " + python + ": " + std::strerror(errno));
  if (child == 0) {
    execv(python.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != 0) {
    std::filesystem::remove(temporary, ignored);
    if (code == 127)
      throw std::runtime_error("cannot run " + python + " " + tool);
    return code == kExitBadInput ? kExitBadInput : kExitFailure;  // the tool said why
  }
  if (std::rename(temporary.c_str(), output.c_str()) != 0) {
    const int error = errno;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error("cannot rename " + temporary + " to " + output + ": " +
                             std::strerror(error));
  }
  if (!arguments.quiet) {
    std::cout << "wrote " << output << " (" << std::filesystem::file_size(output, ignored)
              << " bytes, " << seconds_since(start) << " s)\n";
  }
  return 0;
}

int validate(const ConfigArguments& arguments) {
  const Config config = arguments.load();
  std::cout << arguments.path << ": valid (scenario " << config.scenario.name << ", "
            << config.scenario.months << " months, " << config.simulation.paths << " paths)\n";
  return 0;
}

// The edits (insertions, deletions, substitutions, swaps of neighbours) that
// turn `a` into `b`: the optimal string alignment distance.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = a[i - 1] == b[j - 1];
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// If the command line starts with a word that is no subcommand (CLI11 would
// say only that one is required), the message that says so and suggests the
// nearest, within two edits; else "".
std::string unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-' || !app.get_subcommands().empty())
    return "";
  const std::string word = argv[1];
  std::string names, nearest;
  std::size_t nearest_distance = 3;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::string& name = command->get_name();
    names += (names.empty() ? "" : ", ") + name;
    const std::size_t distance = edit_distance(word, name);
    if (distance < nearest_distance && distance < name.size()) {
      nearest = name;
      nearest_distance = distance;
    }
  }
  return "'" + without_control_characters(word) + "' is not a sovrisk command" +
         (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") + " (commands: " + names +
         ")";
}

}  // namespace

int run_command_line(int argc, char** argv) {
  // HDF5 1.10 crashes at exit (in H5F__close_cb) tearing down a file whose
  // close failed, as on a full disk: the process would end with SIGSEGV
  // instead of exit code 1. Every file sovrisk opens is closed before it
  // returns, so the library has nothing to clean up at exit.
  H5dont_atexit();
  CLI::App app{
      "sovrisk: Monte Carlo simulation of sovereign-default risk for a commodity exporter"};
  app.set_version_flag("--version", std::string("sovrisk ") + kVersion);
  app.require_subcommand(1);

  const std::map<std::string, ReportFormat> formats = {
      {"table", ReportFormat::kTable}, {"csv", ReportFormat::kCsv}, {"json", ReportFormat::kJson}};

  ConfigArguments run_config;
  RunArguments run_arguments;
  CLI::App* run_command =
      app.add_subcommand("run", "Simulate a scenario and write an HDF5 result file");
  add_config_arguments(*run_command, run_config);
  add_simulation_options(*run_command, run_config, run_arguments, "<scenario name>.h5");
  run_command->add_flag("--per-path", run_arguments.options.per_path_events,
                        "Store every path's first event months (for paired `sovrisk compare`)");
  run_command->add_flag("--dry-run", run_arguments.dry_run, "Print the effective config and exit");
  run_command->add_option(
      "--shard", run_arguments.shard,
      "Simulate only shard i of n (i/n, 1 <= i <= n) and write a partial result for "
      "`sovrisk merge`");
  run_command->add_option(
      "--checkpoint", run_arguments.checkpoint,
      "Save the state to FILE periodically and on SIGTERM/SIGINT (then exit 75)");
  run_command
      ->add_option(
          "--checkpoint-every", run_arguments.checkpoint_every,
          "Seconds between checkpoints (default " + std::to_string(kDefaultCheckpointSeconds) + ")")
      ->check(kSeconds);
  run_command->add_option("--resume", run_arguments.resume,
                          "Continue from a checkpoint FILE of the same run");
  run_command
      ->add_option("--outer", run_arguments.outer,
                   "Parametric band: parameter points drawn from the priors (with --inner)")
      ->transform(whole_number(1, kMaxPaths, "1 to " + kMaxPathsText));
  run_command
      ->add_option("--inner", run_arguments.inner,
                   "Parametric band: paths at each point, the same at every point")
      ->transform(whole_number(1, kMaxPaths, "1 to " + kMaxPathsText));

  ConfigArguments replay_config;
  RunArguments replay_arguments;
  std::string history_path;
  CLI::App* replay_command = app.add_subcommand(
      "replay",
      "Replay a history: take the drivers it observes, sample the rest, write an HDF5 result file");
  add_config_arguments(*replay_command, replay_config);
  replay_command
      ->add_option("history", history_path, "History of observed drivers (CSV, docs/replay.md)")
      ->required();
  add_simulation_options(*replay_command, replay_config, replay_arguments,
                         "<scenario name>-replay.h5");
  bool reset_deviations = false;
  replay_command->add_flag("--reset-deviations", reset_deviations,
                           "After the history's last observed month, set the deviations of "
                           "spending and non-oil revenue to 0, so the forecast starts from trend");

  ConfigArguments validate_config;
  CLI::App* validate_command = app.add_subcommand("validate", "Check a scenario file and exit");
  add_config_arguments(*validate_command, validate_config);

  std::string summary_file;
  ReportFormat summary_format = ReportFormat::kTable;
  CLI::App* summary_command =
      app.add_subcommand("summary", "Print the provenance and probabilities of a result file");
  summary_command
      ->add_option("file", summary_file, "Result, sweep, band or sensitivity file (HDF5)")
      ->required();
  summary_command->add_option("--format", summary_format, "table, csv or json (default table)")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));

  std::vector<std::string> compare_files;
  std::size_t compare_reference = 1;
  ReportFormat compare_format = ReportFormat::kTable;
  CLI::App* compare_command = app.add_subcommand(
      "compare",
      "Difference in each event's probability by year between result files and a reference");
  compare_command->add_option("files", compare_files, "Result files A B [C ...]")
      ->required()
      ->expected(2, -1);
  compare_command
      ->add_option("--reference", compare_reference,
                   "The file the others are compared with, numbered from 1 (default 1)")
      ->check(CLI::NonNegativeNumber);
  compare_command->add_option("--format", compare_format, "table, csv or json (default table)")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));

  std::string export_file;
  ExportFormat export_format = ExportFormat::kCsv;
  ExportTable export_what = ExportTable::kProbabilities;
  CLI::App* export_command = app.add_subcommand(
      "export", "Write a result file's probabilities, fans or means as a tidy CSV or JSON table");
  export_command->add_option("file", export_file, "Result file (HDF5)")->required();
  export_command->add_option("--format", export_format, "csv or json (default csv)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, ExportFormat>{{"csv", ExportFormat::kCsv},
                                              {"json", ExportFormat::kJson}},
          CLI::ignore_case));
  export_command
      ->add_option("--what", export_what,
                   "probabilities, fans, means, conditional or sweep (default probabilities)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, ExportTable>{{"probabilities", ExportTable::kProbabilities},
                                             {"fans", ExportTable::kFans},
                                             {"means", ExportTable::kMeans},
                                             {"conditional", ExportTable::kConditional},
                                             {"sweep", ExportTable::kSweep}},
          CLI::ignore_case));

  ConfigArguments sweep_config;
  RunArguments sweep_run_arguments;
  SweepArguments sweep_arguments;
  CLI::App* sweep_command = app.add_subcommand(
      "sweep", "Run a scenario at every point of a grid of config values, on the same paths");
  add_config_arguments(*sweep_command, sweep_config);
  sweep_command->add_option("--grid", sweep_arguments.grids,
                            "A key and its values, e.g. --grid oil.long_run_mean=50,65,80 "
                            "(repeatable: the full grid)");
  sweep_command->add_flag("--one-at-a-time", sweep_arguments.one_at_a_time,
                          "Each prior's 5 % and 95 % points, the other priors at their medians");
  // Validators see the text before conversion, so "-1" is refused rather than
  // wrapped; 0 and points beyond the grid are refused once the grid is known.
  sweep_command
      ->add_option("--reference", sweep_arguments.reference,
                   "The point differences are taken from, numbered from 1 (default 1)")
      ->check(CLI::NonNegativeNumber);
  add_simulation_options(*sweep_command, sweep_config, sweep_run_arguments,
                         "<scenario name>-sweep.h5");
  // A sweep stores probabilities only, no paths.
  sweep_command->remove_option(sweep_command->get_option("--sample-paths"));

  std::vector<std::string> merge_files;
  std::string merge_output;
  CLI::App* merge_command = app.add_subcommand(
      "merge",
      "Merge the shards of one run or design (--shard i/n) into its result, band or sensitivity "
      "file");
  merge_command
      ->add_option("parts", merge_files, "Partial result files, one per shard, in any order")
      ->required();
  merge_command->add_option("-o,--output", merge_output,
                            "Result file (default: <scenario name>.h5)");

  ConfigArguments sensitivity_config;
  SensitivityArguments sensitivity_arguments;
  CLI::App* sensitivity_command = app.add_subcommand(
      "sensitivity", "Sobol indices of the event probabilities to the parameters with priors");
  add_config_arguments(*sensitivity_command, sensitivity_config);
  sensitivity_command->add_option("-o,--output", sensitivity_arguments.output,
                                  "Sensitivity file (default: <scenario name>-sens.h5)");
  sensitivity_command
      ->add_option("-N,--rows", sensitivity_arguments.rows,
                   "Rows of the Saltelli design (default 1024)")
      ->transform(whole_number(1, kMaxPaths, "1 to " + kMaxPathsText));
  sensitivity_command
      ->add_option("-M,--inner", sensitivity_arguments.inner,
                   "Paths at each parameter point (default 2000)")
      ->transform(whole_number(1, kMaxPaths, "1 to " + kMaxPathsText));
  sensitivity_command
      ->add_option("--bootstrap", sensitivity_arguments.resamples,
                   "Bootstrap resamples for the intervals (default 1000)")
      ->transform(whole_number(0, 1000000, "0 to 10^6"));
  sensitivity_command
      ->add_option("--threads", sensitivity_arguments.threads,
                   "Worker threads (default: all cores)")
      ->transform(whole_number(1, 4096, "1 to 4096"));
  sensitivity_command->add_flag("-q,--quiet", sensitivity_arguments.quiet,
                                "Print nothing but errors");
  add_design_job_options(*sensitivity_command, sensitivity_arguments.job);

  ReportArguments report_arguments;
  CLI::App* report_command = app.add_subcommand(
      "report", "Write one self-contained HTML page of result, sweep, band and sensitivity files");
  report_command->add_option("files", report_arguments.files, "sovrisk files (HDF5)")->required();
  report_command->add_option("-o,--output", report_arguments.output,
                             "HTML file (default: <first file's name>-report.html, or with -2, "
                             "-3, ... added if that file exists)");
  report_command->add_flag("-q,--quiet", report_arguments.quiet, "Print nothing but errors");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    if (const std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
      std::cerr << "sovrisk: error: " << unknown << "\n";
      return kExitBadInput;
    }
    app.exit(error);
    return kExitBadInput;
  }

  // Before anything slow (MPI start-up, the config, the pilot): a signal
  // that comes early still ends a checkpointing run with its checkpoint.
  StopSignals stop_signals(
      (run_command->parsed() && !run_arguments.checkpoint.empty()) ||
      (sensitivity_command->parsed() && !sensitivity_arguments.job.checkpoint.empty()));
  // Only `run` and `sensitivity` share their work with other processes.
  std::unique_ptr<Cluster> cluster;
  try {
    if (run_command->parsed()) {
      if (run_arguments.outer > 0 || run_arguments.inner > 0) {
        // A band keeps only each point's probabilities, of --inner paths.
        for (const char* option : {"--paths", "--sample-paths", "--per-path", "--dry-run"}) {
          if (run_command->count(option) > 0) {
            throw InputError(std::string(option) +
                             ": not with --outer and --inner (a band runs --inner paths at each "
                             "point and keeps only their probabilities)");
          }
        }
      }
      cluster = join_cluster(argc, argv);
      return run(run_config, run_arguments, *cluster);
    }
    if (sensitivity_command->parsed()) {
      cluster = join_cluster(argc, argv);
      return run_sensitivity(sensitivity_config, sensitivity_arguments, *cluster);
    }
    if (merge_command->parsed())
      return merge(merge_files, merge_output);
    if (report_command->parsed())
      return make_report(report_arguments);
    if (replay_command->parsed())
      return replay_history(replay_config, history_path, replay_arguments, reset_deviations);
    if (validate_command->parsed())
      return validate(validate_config);
    if (sweep_command->parsed())
      return sweep(sweep_config, sweep_run_arguments, sweep_arguments);
    if (summary_command->parsed()) {
      const std::string type = file_type_of(summary_file);
      if (type == kBandFileType) {
        print_band_summary(std::cout, read_band(summary_file), summary_format);
        return 0;
      }
      if (type == kSensitivityFileType) {
        print_sensitivity_summary(std::cout, read_sensitivity(summary_file), summary_format);
        return 0;
      }
      if (is_sweep_file(summary_file)) {
        print_sweep_summary(std::cout, read_sweep(summary_file), summary_format);
        return 0;
      }
      print_summary(std::cout, ResultFile(summary_file), summary_format);
      return 0;
    }
    if (export_command->parsed()) {
      export_table(std::cout, ResultFile(export_file), export_what, export_format);
      return 0;
    }
    if (compare_reference < 1 || compare_reference > compare_files.size()) {
      throw InputError("--reference " + std::to_string(compare_reference) +
                       ": expected a file from 1 to " + std::to_string(compare_files.size()));
    }
    // A deque builds each file in place: a ResultFile is not copied or moved.
    std::deque<ResultFile> compared;
    std::vector<const ResultFile*> compared_files;
    for (const std::string& path : compare_files)
      compared_files.push_back(&compared.emplace_back(path));
    print_comparison(std::cout, compared_files, compare_reference - 1, compare_format);
    return 0;
  } catch (const std::exception& error) {
    // An error every process knows of is reported once, by rank 0.
    const bool report =
        !cluster || cluster->rank() == 0 || !dynamic_cast<const AgreedError*>(&error);
    const bool input = dynamic_cast<const InputError*>(&error) != nullptr;
    if (report)
      std::cerr << (input ? "sovrisk: error: " : "sovrisk: failed: ")
                << without_control_characters(error.what()) << "\n";
    return input ? kExitBadInput : kExitFailure;
  }
}

}  // namespace sovrisk
