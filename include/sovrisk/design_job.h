#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sovrisk/cluster.h"
#include "sovrisk/config.h"
#include "sovrisk/job.h"
#include "sovrisk/uncertainty.h"

namespace sovrisk {

// A design (uncertainty.h) run as a batch job (docs/cluster.md, "Designs"):
// in shards that `sovrisk merge` joins, and with checkpoints that --resume
// continues. Both keep P(event by year | point) of the points done in a
// design part file (docs/output.md, "Parts of a design"); the filetype tells
// a finished shard from a checkpoint. Every point's probabilities are its own,
// so the design's file is the same, bit for bit in every dataset, however its
// points were split, stopped and resumed.
inline constexpr const char* kDesignPartFileType = "sovrisk-design-part";
inline constexpr const char* kDesignCheckpointFileType = "sovrisk-design-checkpoint";
inline constexpr const char* kDesignPartFormatVersion = "1.1";

struct DesignPlan {
  std::uint64_t shard = 1, shards = 1;  // shard i (1-based) of n contiguous ranges of the points
  // Where rank 0 saves the points done, every `checkpoint_every` seconds and
  // on SIGTERM or SIGINT (noted by a StopSignals); empty: no checkpoints.
  std::string checkpoint;
  double checkpoint_every = kDefaultCheckpointSeconds;
  std::string resume;  // a checkpoint of the same design and shard; empty: start afresh
};

// A design part file's contents, checked.
struct DesignPart {
  std::string path;
  bool checkpoint = false;  // points may remain, versus a finished shard
  Config config;            // the design's configuration, as recorded
  // Its kind and size, without points: they follow from `config` and the size
  // (band_design, sensitivity_design), and only merge and resume need them.
  Design design;
  std::uint64_t shard = 1, shards = 1;
  PointRange range;  // the points of the shard
  // P(event by year | point) of the points range.first .. range.first + size - 1.
  std::vector<RowMajorArray> probabilities;
  int threads = 0;
  double wall_seconds = 0;
};

void write_design_part(const std::string& path, const DesignPart& part);

// InputError naming the file for one of another filetype or major format, a
// recorded configuration that does not match its hash, a design or shard that
// is not the configuration's, or probabilities of the wrong shape or outside
// [0, 1] (every dataset is checksummed).
DesignPart read_design_part(const std::string& path);

struct DesignOutcome {
  bool interrupted = false;  // by a signal, with a checkpoint saved
  int signal = 0;
  // On rank 0 once finished: the shard's points and their probabilities.
  DesignPart part;
};

// The points of `plan`'s shard of `design` on the processes of `cluster`,
// each on `threads` threads, saving and resuming as `plan` says. Rank 0 saves
// the checkpoint, one file whatever the number of processes; every process
// takes part in the decisions, so all stop alike.
DesignOutcome run_design_job(const Config& config, const Design& design, const DesignPlan& plan,
                             int threads, Cluster& cluster);

// The finished shards of one design, each once, in any order, as one part
// holding every point.
DesignPart merge_design_parts(const std::vector<std::string>& files);

}  // namespace sovrisk
