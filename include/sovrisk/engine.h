#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sovrisk/accumulators.h"
#include "sovrisk/calendar.h"
#include "sovrisk/config.h"
#include "sovrisk/model.h"
#include "sovrisk/partial_result.h"

namespace sovrisk {

// Paths are simulated in fixed blocks of this many. The block, not the thread,
// is the unit of work and of summation, so results do not depend on threads.
inline constexpr int kBlockSize = 1024;
// Bins per fan-chart histogram; see FanAccumulator for the error bound.
inline constexpr int kFanBins = 1024;
// The first paths (at most this many) set the histogram ranges.
inline constexpr std::uint64_t kPilotPaths = 4096;

struct RunOptions {
  int threads = 0;                   // 0: all cores
  std::uint64_t sample_paths = 100;  // the first paths kept whole
  // Keep every path's first month of each event, for paired comparisons of
  // runs with common random numbers. Memory then grows with the paths.
  bool per_path_events = false;
  // Called from one thread at a time, in block order, with the paths done so
  // far by this call.
  std::function<void(std::uint64_t paths_done)> progress;
  // A range of blocks runs in segments. Between two segments every block
  // started is finished, so the state of the blocks done is exact and whole:
  // `after_segment` sees it (to save a checkpoint, say) and returns false to
  // stop there. The blocks still to do are cut into `segments` segments of
  // near-equal size (some empty if there are fewer blocks), so that processes
  // sharing a run can meet between the same segments; 0 picks about
  // kSegmentBlocksPerThread blocks per thread for each.
  std::uint64_t segments = 0;
  std::function<bool(const PartialResult& done)> after_segment;
};

// The worker threads a run with these options uses.
int worker_threads(const RunOptions& options);

// Blocks per thread in a segment when RunOptions::segments is 0: enough that
// the threads idle at the end of a segment cost little, few enough that a
// segment lasts well under a second on the default scenario.
inline constexpr std::uint64_t kSegmentBlocksPerThread = 32;

// The segments of `blocks` blocks on `threads` threads when
// RunOptions::segments is 0: about kSegmentBlocksPerThread blocks per thread each.
std::uint64_t default_segments(std::uint64_t blocks, int threads);

// The blocks of a run with this many paths; block k holds paths
// kBlockSize * k .. kBlockSize * (k + 1) - 1.
std::uint64_t block_count(std::uint64_t paths);

// The paths of a run of `paths` paths that lie in its blocks before `block`.
std::uint64_t paths_before(std::uint64_t block, std::uint64_t paths);

// The rows of sample paths that `blocks` hold: the run's first `sample_paths`
// paths that fall in them.
std::uint64_t sample_rows(BlockRange blocks, std::uint64_t paths, std::uint64_t sample_paths);

// Part `index` (0-based) of `count` contiguous parts that cut `blocks` as
// evenly as possible, in order: the first blocks.size() % count parts are one
// block longer. A shard of a run, the share of one MPI rank.
BlockRange split_blocks(BlockRange blocks, std::uint64_t index, std::uint64_t count);

// Nothing done yet of the blocks from `first_block` on: the histogram ranges
// from the run's pilot (the same for every range of a run), empty tallies.
PartialResult begin_range(const Config& config, const RunOptions& options,
                          std::uint64_t first_block);

// Simulates the blocks from state.end_block() to `end_block` on oneTBB
// threads and adds them to `state`. Returns early, after a segment, if
// options.after_segment says so; resuming from the returned state (or from
// one read back from a checkpoint) gives the same numbers as not stopping.
PartialResult simulate_range(const Config& config, const RunOptions& options, PartialResult state,
                             std::uint64_t end_block);

// The statistics of the paths that default by the horizon, and of those that
// do not (docs/output.md: /conditional). A quantile of no path is NaN.
struct ConditionalResult {
  std::uint64_t default_paths = 0;
  std::array<RowMajorArray, kVariableCount> fan_default;     // months x kFanLevels
  std::array<RowMajorArray, kVariableCount> fan_no_default;  // months x kFanLevels
  // Per driver (DefaultDrivers::kNames), its quantiles at the default month.
  std::array<std::array<double, kFanLevels.size()>, DefaultDrivers::kCount> default_month{};
  std::vector<std::uint64_t> calendar_month;  // defaults in January .. December
  std::vector<std::uint64_t> depletion_lag;   // [months from depletion to default]
  std::uint64_t without_depletion = 0;        // defaults with no depletion by then
};

// What a run yields, before any formatting or file. The arrays have a row
// for every registered output, but only those of `outputs` hold anything.
struct SimulationResult {
  Calendar calendar{2000, 1, 1};
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  int threads = 0;
  OutputSet outputs;  // the variables and events the run reports
  std::array<std::vector<std::uint64_t>, kEventCount> event_month_counts;  // [event][month]
  std::array<RowMajorArray, kVariableCount> fan;                           // months x kFanLevels
  std::array<Eigen::ArrayXd, kVariableCount> mean;                         // months
  std::array<RowMajorArray, kVariableCount> sample_paths;                  // K x months
  std::array<Eigen::ArrayXd, kVariableCount> fan_bin_width;  // months: quantile error bound
  std::array<std::vector<std::int32_t>, kEventCount>
      per_path_event_month;  // [event][path], if asked
  ConditionalResult conditional;
  double wall_seconds = 0;
};

// The statistics of a whole run (all its blocks, merged in order) from its
// partial result, for the outputs it holds; `threads` and `wall_seconds` are
// the caller's to fill in.
// Taken by value: a caller done with the partial result moves it in, and its
// sample paths and per-path months are moved rather than copied.
SimulationResult finalize(const Config& config, PartialResult whole_run);

SimulationResult simulate(const Config& config, const RunOptions& options);

// The counts of paths by each event's first month of `points` runs, run k being that of the config
// `config_of_point(k)` with its own paths and seed, on `threads` threads in
// all: each run on one thread, the runs in parallel, with neither fans, means
// nor samples. What a design over parameters needs of each of its points
// (uncertainty.h); each point's counts are those of its run alone.
std::vector<EventCounts> count_events(std::size_t points,
                                      const std::function<Config(std::size_t)>& config_of_point,
                                      int threads);

// A replay (docs/replay.md): month t takes the drivers observed in
// `observed[t]` (one entry per month of the scenario) and samples the others,
// conditional on the last observed values. Paths, draws, statistics and
// reproducibility are those of simulate(); with nothing observed it equals it.
SimulationResult replay(const Config& config, const std::vector<MonthObservations>& observed,
                        const RunOptions& options);

}  // namespace sovrisk
