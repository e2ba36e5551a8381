#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sovrisk/cluster.h"
#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/partial_io.h"

namespace sovrisk {

using Clock = std::chrono::steady_clock;

// Seconds of wall time since `start`: what the files' wall_seconds record.
double seconds_since(Clock::time_point start);

// Seconds between periodic checkpoints unless `--checkpoint-every` says otherwise
// (docs/cli.md): a job killed without warning loses at most five minutes of work.
constexpr int kDefaultCheckpointSeconds = 300;

// How one `sovrisk run` is split and kept safe (docs/cluster.md): which shard
// of the run's blocks it simulates, and where it saves and resumes its state.
struct JobPlan {
  std::uint64_t shard = 1;   // shard i (1-based) ...
  std::uint64_t shards = 1;  // ... of n contiguous ranges of the run's blocks; 1/1: the whole run
  // Where to save the state of the blocks done: every `checkpoint_every`
  // seconds and on SIGTERM or SIGINT (as a StopSignals the caller installs
  // notes them); empty: no checkpoints. With several processes, rank r saves
  // to checkpoint_file(checkpoint, r, ranks).
  std::string checkpoint;
  double checkpoint_every = kDefaultCheckpointSeconds;
  // A checkpoint to continue from (per rank, like `checkpoint`); empty: start afresh.
  std::string resume;
};

// "blocks 3 to 9", "block 3", "no blocks"; and the paths in them of a run of
// `paths` paths, "paths 3072 to 10239", for messages.
std::string describe_blocks(BlockRange blocks);
std::string describe_paths(BlockRange blocks, std::uint64_t paths);

// The checkpoint file of rank `rank` of `ranks`: `path` itself for a single
// process, else `path.rank<r>`.
std::string checkpoint_file(const std::string& path, int rank, int ranks);

// While alive (and asked to), SIGTERM and SIGINT do not end the process but
// are noted, so that a checkpointing job stops after its current segment with
// a checkpoint (Job::run). The command line installs it before anything slow
// (MPI start-up, reading the config, the pilot), so that an early signal is
// not lost. The first signal gives both their default action back, so a
// second one ends the process at once.
class StopSignals {
 public:
  explicit StopSignals(bool catch_them);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal noted since the last StopSignals was installed, 0 if none.
  static int received();

 private:
  bool active_;
  struct sigaction previous_term_ {};
  struct sigaction previous_int_ {};
};

// Holds `<checkpoint>.lock` locked with flock() while alive, so that two runs
// never save to the same checkpoint: the second is refused with an InputError
// naming the holder. The kernel releases a flock when its holder ends, however
// it ends (a crash, SIGKILL), so no stale lock survives a process: a leftover
// lock file is simply taken over (docs/cluster.md).
class CheckpointLock {
 public:
  explicit CheckpointLock(const std::string& checkpoint);
  ~CheckpointLock();  // removes the lock file, then unlocks
  CheckpointLock(const CheckpointLock&) = delete;
  CheckpointLock& operator=(const CheckpointLock&) = delete;

  const std::string& path() const { return path_; }
  // False where the file system does not lock (flock fails with ENOLCK,
  // EOPNOTSUPP or ENOSYS): the run goes on unprotected.
  bool held() const { return held_; }

 private:
  std::string path_;
  int descriptor_ = -1;
  bool held_ = false;
};

// The memory a run of `paths` paths (of `config`'s, with `options`) holds at
// its largest, roughly, in bytes (docs/cli.md, --force): what grows with the
// options, not the program and its libraries.
struct MemoryEstimate {
  double sample_paths = 0;  // rows x months x variables x 8 B
  double per_path = 0;      // paths x events x 4 B (--per-path)
  double histograms = 0;    // each thread's, the run's, and the pilot's values
  double total() const { return sample_paths + per_path + histograms; }
};
MemoryEstimate estimate_memory(const Config& config, const RunOptions& options, std::uint64_t paths,
                               std::uint64_t sample_rows);

// The physical memory of this machine, in bytes.
double machine_memory();

// Refuses, with an InputError giving the estimate and the machine's memory, a
// run whose estimate exceeds the machine's memory; `force` lets it start anyway.
void check_memory(const MemoryEstimate& estimate, bool force);

// What a job ends with on one process.
struct JobOutcome {
  // On rank 0 of a finished job: the shard's partial result, every block.
  std::optional<PartialResult> shard;
  // Stopped by a signal: every process saved its checkpoint.
  bool interrupted = false;
  int signal = 0;  // which one (SIGTERM, SIGINT)
  // Finished: how the shard's result was made; interrupted: this process's
  // checkpoint. The wall time includes the time before a resume.
  PartialInfo info;
};

// The plan's shard of `config`'s run on the processes of `cluster`, each on
// its own contiguous range of the shard's blocks, with checkpoints and
// resumption. Errors (a checkpoint that does not belong to this run, a
// failure on any process) are agreed: every process throws the same error.
class Job {
 public:
  // Gets this process's range ready: afresh, or from its checkpoint.
  Job(const Config& config, const RunOptions& options, JobPlan plan, Cluster& cluster);

  // The paths still to simulate: this process's, times the processes (exact
  // for one process, an estimate for several).
  std::uint64_t paths_to_do() const;

  // Simulates the rest. `progress`, if set, is called from one thread at a
  // time with the paths done so far, on the scale of paths_to_do().
  JobOutcome run(const std::function<void(std::uint64_t paths_done)>& progress);

 private:
  const Config& config_;
  RunOptions options_;
  JobPlan plan_;
  Cluster& cluster_;
  std::chrono::steady_clock::time_point started_;
  BlockRange shard_;
  PartialInfo info_;  // this process's range, as its checkpoint records it
  std::optional<PartialResult> state_;
  double earlier_seconds_ = 0;  // spent before the checkpoint resumed from
};

// The parts of one run (shard results, in any order) merged in block order:
// refuses, with an InputError naming the files, parts of different runs,
// duplicated or overlapping parts, and a missing shard.
struct MergedRun {
  Config config;  // the run's, from the parts' recorded configuration
  PartialResult whole;
  int threads = 0;          // the most any part used
  double wall_seconds = 0;  // the parts' wall times added up
};
MergedRun merge_shards(const std::vector<std::string>& files);

}  // namespace sovrisk
