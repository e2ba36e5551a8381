#include "sovrisk/job.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>

namespace sovrisk {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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

// While alive (and asked to), SIGTERM and SIGINT do not end the process but
// are noted, so that the job stops after the current segment with a
// checkpoint.
class StopSignals {
 public:
  explicit StopSignals(bool catch_them) : active_(catch_them) {
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
  ~StopSignals() {
    if (!active_)
      return;
    sigaction(SIGTERM, &previous_term_, nullptr);
    sigaction(SIGINT, &previous_int_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int received() const { return stop_signal; }

 private:
  bool active_;
  struct sigaction previous_term_ {};
  struct sigaction previous_int_ {};
};

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
    PartialResult saved = read_partial(header);
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
  StopSignals signals(!checkpoint.empty());
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
      return signals.received() != 0 && !finished;
    });
    if (!stop)
      return true;
    cluster_.agree([&] {
      if (!saved_now)
        save(done);
      return false;
    });
    outcome.interrupted = true;
    outcome.signal = signals.received();
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

  MergedRun merged{parse_config(first.config_yaml, first.path), read_partial(parts.front()), 0, 0};
  if (config_hash(merged.config) != first.config_hash) {
    throw InputError(first.path +
                     ": its recorded configuration does not match its config_hash (damaged file?)");
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      try {
        merged.whole.append(read_partial(parts[i]));
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
