#include "sovrisk/job.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>

namespace sovrisk {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

namespace {

volatile std::sig_atomic_t stop_signal = 0;

// Notes the first signal and gives both back their default action, so that a
// second SIGTERM or SIGINT, of either kind, ends the process at once
// (sigaction is async-signal-safe).
extern "C" void note_stop_signal(int signal) {
  stop_signal = signal;
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGTERM, &default_action, nullptr);
  sigaction(SIGINT, &default_action, nullptr);
}

// "5.8 PB", "512 B": a size for messages, in decimal units.
std::string bytes_text(double bytes) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  std::size_t unit = 0;
  while (bytes >= 1000 && unit + 1 < std::size(units)) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

// Where a partial result sits in its run, for messages.
std::string place_text(const PartialInfo& info) {
  std::string text = describe_blocks(info.range) + " (shard " + std::to_string(info.shard) + "/" +
                     std::to_string(info.shards);
  if (info.ranks > 1)
    text += ", rank " + std::to_string(info.rank) + " of " + std::to_string(info.ranks);
  return text + ")";
}

// A checkpoint continues only the run that wrote it, and only the same share of it.
void check_resumable(const PartialFileHeader& header, const Config& config,
                     const PartialInfo& info) {
  const std::string& path = header.path;
  if (!header.info.checkpoint) {
    throw InputError(
        path + ": a shard's result, not a checkpoint; shards are combined with sovrisk merge");
  }
  if (header.paths != config.simulation.paths) {
    throw InputError(path + ": checkpoint of a run of " + std::to_string(header.paths) +
                     " paths; this run has " + std::to_string(config.simulation.paths));
  }
  if (header.seed != config.simulation.seed) {
    throw InputError(path + ": checkpoint of a run with seed " + std::to_string(header.seed) +
                     "; this run has seed " + std::to_string(config.simulation.seed));
  }
  if (header.config_hash != config_hash(config)) {
    throw InputError(path + ": checkpoint of another configuration (config_hash " +
                     header.config_hash + "; this run's is " + config_hash(config) +
                     "): resume with the same config file and --set options");
  }
  if (header.info.range != info.range) {
    throw InputError(path + ": checkpoint of " + place_text(header.info) + "; this process runs " +
                     place_text(info) + ": resume with the same --shard and number of processes");
  }
  if (header.info.sample_paths != info.sample_paths) {
    throw InputError(path + ": checkpoint of a run that keeps " +
                     std::to_string(header.info.sample_paths) + " sample paths; this run keeps " +
                     std::to_string(info.sample_paths) + " (--sample-paths)");
  }
  if (header.info.per_path != info.per_path) {
    throw InputError(path + ": checkpoint of a run " + (header.info.per_path ? "with" : "without") +
                     " --per-path; this run is " + (info.per_path ? "with" : "without") + " it");
  }
}

}  // namespace

std::string describe_blocks(BlockRange blocks) {
  if (blocks.size() == 0)
    return "no blocks";
  if (blocks.size() == 1)
    return "block " + std::to_string(blocks.first);
  return "blocks " + std::to_string(blocks.first) + " to " + std::to_string(blocks.end - 1);
}

std::string describe_paths(BlockRange blocks, std::uint64_t paths) {
  const std::uint64_t first = paths_before(blocks.first, paths),
                      end = paths_before(blocks.end, paths);
  if (first == end)
    return "no paths";
  return "paths " + std::to_string(first) + " to " + std::to_string(end - 1);
}

std::string checkpoint_file(const std::string& path, int rank, int ranks) {
  return ranks > 1 ? path + ".rank" + std::to_string(rank) : path;
}

StopSignals::StopSignals(bool catch_them) : active_(catch_them) {
  if (!active_)
    return;
  stop_signal = 0;
  struct sigaction action {};
  action.sa_handler = note_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, &previous_term_);
  sigaction(SIGINT, &action, &previous_int_);
}

StopSignals::~StopSignals() {
  if (!active_)
    return;
  sigaction(SIGTERM, &previous_term_, nullptr);
  sigaction(SIGINT, &previous_int_, nullptr);
}

int StopSignals::received() {
  return stop_signal;
}

CheckpointLock::CheckpointLock(const std::string& checkpoint) : path_(checkpoint + ".lock") {
  for (;;) {
    descriptor_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor_ < 0) {
      throw InputError(path_ + ": cannot create the lock file of checkpoint " + checkpoint + " (" +
                       std::strerror(errno) + ")");
    }
    if (flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == ENOLCK || error == EOPNOTSUPP || error == ENOSYS)
        return;
      char holder[256] = {};
      const ssize_t length = pread(descriptor_, holder, sizeof holder - 1, 0);
      close(descriptor_);
      descriptor_ = -1;
      std::string who = length > 0 ? std::string(holder, static_cast<std::size_t>(length)) : "";
      who = who.substr(0, who.find('\n'));
      if (error == EWOULDBLOCK) {
        throw InputError(checkpoint + ": the checkpoint of another running sovrisk" +
                         (who.empty() ? "" : " (" + who + ")") + ", which holds " + path_ +
                         ": two runs must not share a checkpoint file");
      }
      throw InputError(path_ + ": cannot lock the lock file of checkpoint " + checkpoint + " (" +
                       std::strerror(error) + ")");
    }
    // Its previous holder may have removed the file between our open and
    // flock: then the lock is on a file no one else will see; take the new one.
    struct stat locked {};
    struct stat named {};
    if (fstat(descriptor_, &locked) == 0 && stat(path_.c_str(), &named) == 0 &&
        locked.st_dev == named.st_dev && locked.st_ino == named.st_ino) {
      break;
    }
    close(descriptor_);
  }
  held_ = true;
  // Who holds it, for the message of a refused run; the lock holds without it.
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string holder = "pid " + std::to_string(getpid()) + " on " + host + "\n";
  [[maybe_unused]] const bool noted =
      ftruncate(descriptor_, 0) == 0 &&
      pwrite(descriptor_, holder.data(), holder.size(), 0) == static_cast<ssize_t>(holder.size());
}

CheckpointLock::~CheckpointLock() {
  if (descriptor_ < 0)
    return;
  // Removed while still locked, so that no other run takes a lock on this
  // file in between (they check that the file they locked is still there).
  if (held_)
    unlink(path_.c_str());
  close(descriptor_);
}

MemoryEstimate estimate_memory(const Config& config, const RunOptions& options, std::uint64_t paths,
                               std::uint64_t sample_rows) {
  const OutputSet outputs = output_set(config);
  const double months = config.scenario.months;
  const double cells = outputs.variables * months;
  const double bins = kFanBins + 2;  // with the underflow and overflow bins
  // A thread's two conditional histograms (default by the horizon or not)
  // count in 16 bits and fold into 64 bits (10 B a bin each) and it keeps its
  // block's values of every month (8 B a lane); the run's own three (the fan
  // charts and the two conditional ones) count in 64 bits; the pilot keeps
  // its values to choose the ranges.
  const double threads = worker_threads(options);
  const double pilot_paths = static_cast<double>(std::min(paths, kPilotPaths));
  MemoryEstimate estimate;
  estimate.sample_paths = static_cast<double>(sample_rows) * cells * sizeof(double);
  estimate.per_path = options.per_path_events
                          ? static_cast<double>(paths) * outputs.events * sizeof(std::int32_t)
                          : 0;
  estimate.histograms = cells * (bins * (2 * 10 * threads + 3 * 8) + pilot_paths * sizeof(double) +
                                 threads * kBlockSize * sizeof(double));
  return estimate;
}

double machine_memory() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

void check_memory(const MemoryEstimate& estimate, bool force) {
  const double available = machine_memory();
  if (force || available <= 0 || estimate.total() <= available)
    return;
  std::string parts;
  auto part = [&](const char* what, double bytes) {
    if (bytes > 0)
      parts += (parts.empty() ? "" : ", ") + std::string(what) + " " + bytes_text(bytes);
  };
  part("sample paths", estimate.sample_paths);
  part("per-path months", estimate.per_path);
  part("histograms", estimate.histograms);
  throw InputError("the run needs about " + bytes_text(estimate.total()) + " of memory (" + parts +
                   "), more than this machine's " + bytes_text(available) +
                   ": keep fewer --sample-paths, leave out --per-path, or split the run with "
                   "--shard; --force starts it anyway");
}

Job::Job(const Config& config, const RunOptions& options, JobPlan plan, Cluster& cluster)
    : config_(config),
      options_(options),
      plan_(std::move(plan)),
      cluster_(cluster),
      started_(Clock::now()) {
  const std::uint64_t paths = config.simulation.paths;
  shard_ = split_blocks({0, block_count(paths)}, plan_.shard - 1, plan_.shards);
  info_.checkpoint = true;
  info_.shard = plan_.shard;
  info_.shards = plan_.shards;
  info_.rank = cluster.rank();
  info_.ranks = cluster.size();
  info_.range = split_blocks(shard_, cluster.rank(), cluster.size());
  info_.sample_paths = std::min(options.sample_paths, paths);
  info_.per_path = options.per_path_events;
  info_.threads = worker_threads(options);
  cluster.agree([&] {
    state_ = begin_range(config, options, info_.range.first);
    if (plan_.resume.empty())
      return false;
    const PartialFileHeader header =
        read_partial_header(checkpoint_file(plan_.resume, info_.rank, info_.ranks));
    check_resumable(header, config, info_);
    PartialResult saved = read_partial(header, output_set(config));
    // Same configuration, so the same pilot, unless another build wrote it.
    if (saved.fan.ranges() != state_->fan.ranges()) {
      throw InputError(header.path +
                       ": its histogram ranges differ from this run's pilot: written by another "
                       "build of sovrisk (docs/model.md, Reproducibility)");
    }
    state_ = std::move(saved);
    earlier_seconds_ = header.info.wall_seconds;
    return false;
  });
}

std::uint64_t Job::paths_to_do() const {
  const std::uint64_t paths = config_.simulation.paths;
  return (paths_before(info_.range.end, paths) - paths_before(state_->end_block(), paths)) *
         static_cast<std::uint64_t>(cluster_.size());
}

JobOutcome Job::run(const std::function<void(std::uint64_t paths_done)>& progress) {
  const std::string checkpoint =
      plan_.checkpoint.empty() ? "" : checkpoint_file(plan_.checkpoint, info_.rank, info_.ranks);
  auto save = [&](const PartialResult& done) {
    info_.wall_seconds = earlier_seconds_ + seconds_since(started_);
    write_partial(checkpoint, config_, done, info_);
  };

  RunOptions run_options = options_;
  // The processes meet between segments, so they all run as many.
  run_options.segments =
      cluster_.max(default_segments(info_.range.end - state_->end_block(), info_.threads));
  if (progress) {
    const auto scale = static_cast<std::uint64_t>(cluster_.size());
    run_options.progress = [&progress, scale](std::uint64_t done) { progress(done * scale); };
  }
  JobOutcome outcome;
  auto last_saved = Clock::now();
  run_options.after_segment = [&](const PartialResult& done) {
    // A process whose blocks are all done neither saves nor asks to stop;
    // when every process is done the job simply finishes.
    const bool finished = done.end_block() == info_.range.end;
    bool saved_now = false;
    const bool stop = cluster_.agree([&] {
      if (!checkpoint.empty() && !finished && seconds_since(last_saved) >= plan_.checkpoint_every) {
        save(done);
        last_saved = Clock::now();
        saved_now = true;
      }
      return StopSignals::received() != 0 && !finished;
    });
    if (!stop)
      return true;
    cluster_.agree([&] {
      if (!saved_now)
        save(done);
      return false;
    });
    outcome.interrupted = true;
    outcome.signal = StopSignals::received();
    return false;
  };
  cluster_.agree([&] {
    state_ = simulate_range(config_, run_options, std::move(*state_), info_.range.end);
    return false;
  });
  outcome.info = info_;
  if (outcome.interrupted)
    return outcome;

  outcome.shard = cluster_.gather(std::move(*state_));
  outcome.info.checkpoint = false;
  outcome.info.rank = 0;
  outcome.info.range = shard_;
  outcome.info.wall_seconds = earlier_seconds_ + seconds_since(started_);
  return outcome;
}

MergedRun merge_shards(const std::vector<std::string>& files) {
  std::vector<PartialFileHeader> parts;
  for (const auto& file : files) {
    parts.push_back(read_partial_header(file));
    if (parts.back().info.checkpoint) {
      throw InputError(
          file + ": a checkpoint, not a shard's result; continue it with sovrisk run --resume");
    }
  }
  const PartialFileHeader& first = parts.front();
  for (const auto& part : parts) {
    auto differs = [&](const std::string& what, const std::string& mine,
                       const std::string& theirs) {
      throw InputError(part.path + ": not a part of the same run as " + first.path + " (" + what +
                       " " + mine + ", not " + theirs + ")");
    };
    if (part.paths != first.paths)
      differs("paths", std::to_string(part.paths), std::to_string(first.paths));
    if (part.seed != first.seed)
      differs("seed", std::to_string(part.seed), std::to_string(first.seed));
    if (part.config_hash != first.config_hash)
      differs("config_hash", part.config_hash, first.config_hash);
    if (part.info.sample_paths != first.info.sample_paths) {
      differs("sample paths", std::to_string(part.info.sample_paths),
              std::to_string(first.info.sample_paths));
    }
    if (part.info.per_path != first.info.per_path) {
      differs("per-path months", part.info.per_path ? "kept" : "not kept",
              first.info.per_path ? "kept" : "not kept");
    }
  }

  // Shards of one split: each exactly once.
  const bool one_split = std::all_of(
      parts.begin(), parts.end(),
      [&](const PartialFileHeader& part) { return part.info.shards == first.info.shards; });
  if (one_split) {
    std::map<std::uint64_t, const PartialFileHeader*> by_shard;
    for (const auto& part : parts) {
      const auto [known, fresh] = by_shard.emplace(part.info.shard, &part);
      if (!fresh) {
        throw InputError(known->second->path + " and " + part.path + " are the same shard (" +
                         std::to_string(part.info.shard) + "/" + std::to_string(part.info.shards) +
                         ")");
      }
    }
    std::string missing;
    for (std::uint64_t shard = 1; shard <= first.info.shards; ++shard) {
      if (!by_shard.count(shard))
        missing += (missing.empty() ? "" : ", ") + std::to_string(shard);
    }
    if (!missing.empty()) {
      throw InputError("shard " + missing + " of " + std::to_string(first.info.shards) +
                       " missing: the parts cover only part of the run");
    }
  }
  // Whatever the split, the parts must tile the run's blocks.
  std::stable_sort(parts.begin(), parts.end(),
                   [](const PartialFileHeader& a, const PartialFileHeader& b) {
                     return a.blocks.first < b.blocks.first ||
                            (a.blocks.first == b.blocks.first && a.blocks.end < b.blocks.end);
                   });
  std::uint64_t covered = 0;
  const PartialFileHeader* previous = nullptr;
  for (const auto& part : parts) {
    if (part.blocks.first < covered) {
      throw InputError(previous->path + " (" + describe_blocks(previous->blocks) + ") and " +
                       part.path + " (" + describe_blocks(part.blocks) + ") overlap");
    }
    if (part.blocks.first > covered) {
      throw InputError(describe_blocks({covered, part.blocks.first}) +
                       " in no part: a shard is missing");
    }
    covered = part.blocks.end;
    previous = &part;
  }
  if (covered != block_count(first.paths)) {
    throw InputError(describe_blocks({covered, block_count(first.paths)}) +
                     " in no part: a shard is missing");
  }

  Config config = recorded_config(first.path, first.config_yaml, first.config_hash);
  // The parts of one run share its label, unless run with different --label:
  // the part of its first blocks (the first once sorted) names the whole.
  config.label = parts.front().label;
  config.overrides = parts.front().overrides;
  const OutputSet outputs = output_set(config);
  MergedRun merged{std::move(config), read_partial(parts.front(), outputs), 0, 0};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      try {
        merged.whole.append(read_partial(parts[i], outputs));
      } catch (const std::invalid_argument&) {
        throw InputError(parts[i].path + ": its histogram ranges differ from " +
                         parts.front().path + "'s: written by another build of sovrisk");
      }
    }
    merged.threads = std::max(merged.threads, parts[i].info.threads);
    merged.wall_seconds += parts[i].info.wall_seconds;
  }
  return merged;
}

}  // namespace sovrisk
