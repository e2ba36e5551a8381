#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sovrisk/calendar.h"
#include "sovrisk/config.h"
#include "sovrisk/model.h"

namespace sovrisk {

// Paths are simulated in fixed blocks of this many. The block, not the thread,
// is the unit of work and of summation, so results do not depend on threads.
inline constexpr int kBlockSize = 1024;
// Bins per fan-chart histogram; see FanAccumulator for the error bound.
inline constexpr int kFanBins = 1024;
// The first paths (at most this many) set the histogram ranges.
inline constexpr std::uint64_t kPilotPaths = 4096;

struct RunOptions {
  int threads = 0;                  // 0: all cores
  std::uint64_t sample_paths = 100; // the first paths kept whole
  // Keep every path's first month of each event, for paired comparisons of
  // runs with common random numbers. Memory then grows with the paths.
  bool per_path_events = false;
  // Called from one thread at a time, in block order, with the paths done so far.
  std::function<void(std::uint64_t paths_done)> progress;
};

using RowMajorArray = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// What a run yields, before any formatting or file.
struct SimulationResult {
  Calendar calendar{2000, 1, 1};
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  int threads = 0;
  std::array<std::vector<std::uint64_t>, kEventCount> event_month_counts;  // [event][month]
  std::array<RowMajorArray, kVariableCount> fan;                           // months x kFanLevels
  std::array<Eigen::ArrayXd, kVariableCount> mean;                         // months
  std::array<RowMajorArray, kVariableCount> sample_paths;                  // K x months
  std::array<Eigen::ArrayXd, kVariableCount> fan_bin_width;                // months: quantile error bound
  std::array<std::vector<std::int32_t>, kEventCount> per_path_event_month;  // [event][path], if asked
  double wall_seconds = 0;
};

SimulationResult simulate(const Config& config, const RunOptions& options);

// A replay (docs/replay.md): month t takes the drivers observed in
// `observed[t]` (one entry per month of the scenario) and samples the others,
// conditional on the last observed values. Paths, draws, statistics and
// reproducibility are those of simulate(); with nothing observed it equals it.
SimulationResult replay(const Config& config, const std::vector<MonthObservations>& observed,
                        const RunOptions& options);

}  // namespace sovrisk
