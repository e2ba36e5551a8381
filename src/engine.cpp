#include "sovrisk/engine.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "sovrisk/accumulators.h"
#include "sovrisk/streams.h"

namespace sovrisk {
namespace {

struct BlockOutcome {
  BlockSums sums;
  EventCounts events;
};

// Per-thread scratch: the block's state and draws, and the thread's share of
// the histograms (integer counts, so how blocks spread over threads is moot).
struct Workspace {
  Workspace(int months, const std::vector<FanAccumulator::Range>& ranges)
      : state(kBlockSize), draws(kBlockSize), fan(kVariableCount, months, ranges, kFanBins) {}
  BlockState state;
  BlockDraws draws;
  FanAccumulator fan;
};

class BlockRunner {
 public:
  // `observed` is null for a plain run, else one entry per month (a replay).
  BlockRunner(const Config& config, std::uint64_t sample_paths, const std::vector<MonthObservations>* observed)
      : model_(config),
        streams_(config.simulation.seed, config.oil),
        paths_(config.simulation.paths),
        sample_paths_(sample_paths),
        observed_(observed) {}

  const Model& model() const { return model_; }

  std::uint64_t block_count() const { return (paths_ + kBlockSize - 1) / kBlockSize; }

  // Simulates every month of one block. `on_month` sees the state after each
  // month and the number of lanes that hold real paths; the lanes beyond
  // (the padding of the last block) are computed but never reported.
  template <typename OnMonth>
  void run(std::uint64_t block, BlockState& state, BlockDraws& draws, OnMonth&& on_month) const {
    const std::uint64_t first_path = block * kBlockSize;
    const int valid = static_cast<int>(std::min<std::uint64_t>(kBlockSize, paths_ - first_path));
    model_.reset(state);
    for (int t = 0; t < model_.months(); ++t) {
      // Every month is drawn in full, observed or not, so a path's draws are
      // the same in a run and in any replay of it.
      streams_.fill(first_path, t, draws);
      model_.step(t, draws, state, observed_ ? &(*observed_)[t] : nullptr);
      on_month(t, valid);
    }
  }

  BlockOutcome accumulate(std::uint64_t block, Workspace& work, SimulationResult& result) const {
    const int months = model_.months();
    BlockOutcome outcome{BlockSums(kVariableCount, months), EventCounts(kEventCount, months)};
    const std::uint64_t first_path = block * kBlockSize;
    const int sampled =
        static_cast<int>(std::min<std::uint64_t>(kBlockSize, sample_paths_ - std::min(sample_paths_, first_path)));
    run(block, work.state, work.draws, [&](int t, int valid) {
      for (int v = 0; v < kVariableCount; ++v) {
        const Eigen::ArrayXd& values = work.state.reported[v];
        work.fan.add(v, t, values.data(), valid);
        outcome.sums.sums(v, t) = values.head(valid).sum();
        for (int lane = 0; lane < std::min(sampled, valid); ++lane) {
          result.sample_paths[v](first_path + lane, t) = values[lane];
        }
      }
    });
    const int valid = static_cast<int>(std::min<std::uint64_t>(kBlockSize, paths_ - first_path));
    for (int e = 0; e < kEventCount; ++e) {
      for (int lane = 0; lane < valid; ++lane) {
        const int month = work.state.event_month[e][lane];
        if (month != kNoEvent) ++outcome.events.month_counts[e][month];
      }
      if (!result.per_path_event_month[e].empty()) {
        std::copy_n(work.state.event_month[e].data(), valid, &result.per_path_event_month[e][first_path]);
      }
    }
    return outcome;
  }

  // Histogram ranges from the first paths of the run (the same paths whatever
  // the thread count, so the ranges are too).
  std::vector<FanAccumulator::Range> pilot_ranges() const {
    const int months = model_.months();
    const std::uint64_t pilot_paths = std::min(paths_, kPilotPaths);
    std::vector<std::vector<double>> values(std::size_t(kVariableCount) * months);
    BlockState state(kBlockSize);
    BlockDraws draws(kBlockSize);
    for (std::uint64_t block = 0; block * kBlockSize < pilot_paths; ++block) {
      run(block, state, draws, [&](int t, int valid) {
        for (int v = 0; v < kVariableCount; ++v) {
          auto& cell = values[std::size_t(v) * months + t];
          cell.insert(cell.end(), state.reported[v].data(), state.reported[v].data() + valid);
        }
      });
    }
    std::vector<FanAccumulator::Range> ranges;
    for (auto& cell : values) ranges.push_back(FanAccumulator::range_for(std::move(cell)));
    return ranges;
  }

 private:
  Model model_;
  PathStreams streams_;
  std::uint64_t paths_;
  std::uint64_t sample_paths_;
  const std::vector<MonthObservations>* observed_;
};

SimulationResult run_paths(const Config& config, const RunOptions& options,
                           const std::vector<MonthObservations>* observed) {
  const auto started = std::chrono::steady_clock::now();
  const int months = config.scenario.months;
  const std::uint64_t paths = config.simulation.paths;
  const std::uint64_t sample_paths = std::min(options.sample_paths, paths);

  SimulationResult result;
  result.calendar = Calendar(config.scenario.start_year, config.scenario.start_month, months);
  result.paths = paths;
  result.seed = config.simulation.seed;
  result.threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  for (int v = 0; v < kVariableCount; ++v) result.sample_paths[v] = RowMajorArray::Zero(sample_paths, months);
  if (options.per_path_events) {
    for (auto& months_of_paths : result.per_path_event_month) months_of_paths.assign(paths, kNoEvent);
  }

  const BlockRunner runner(config, sample_paths, observed);
  const auto ranges = runner.pilot_ranges();

  tbb::global_control thread_limit(tbb::global_control::max_allowed_parallelism, result.threads);
  tbb::enumerable_thread_specific<Workspace> workspaces([&] { return Workspace(months, ranges); });
  PairwiseCombiner<BlockSums> sums;
  EventCounts events(kEventCount, months);
  std::uint64_t next_block = 0, blocks_done = 0;
  tbb::parallel_pipeline(
      4 * static_cast<std::size_t>(result.threads),
      tbb::make_filter<void, std::uint64_t>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& control) -> std::uint64_t {
            if (next_block == runner.block_count()) {
              control.stop();
              return 0;
            }
            return next_block++;
          }) &
          tbb::make_filter<std::uint64_t, BlockOutcome>(
              tbb::filter_mode::parallel,
              [&](std::uint64_t block) { return runner.accumulate(block, workspaces.local(), result); }) &
          tbb::make_filter<BlockOutcome, void>(tbb::filter_mode::serial_in_order,
                                               [&](BlockOutcome outcome) {
                                                 sums.push(std::move(outcome.sums));
                                                 events.merge(outcome.events);
                                                 ++blocks_done;
                                                 if (options.progress) {
                                                   options.progress(std::min(paths, blocks_done * kBlockSize));
                                                 }
                                               }));

  FanAccumulator fan(kVariableCount, months, ranges, kFanBins);
  for (const auto& work : workspaces) fan.merge(work.fan);
  const Eigen::ArrayXXd total = sums.total()->sums;
  for (int v = 0; v < kVariableCount; ++v) {
    result.mean[v] = total.row(v).transpose() / static_cast<double>(paths);
    result.fan[v].resize(months, kFanLevels.size());
    result.fan_bin_width[v].resize(months);
    for (int t = 0; t < months; ++t) {
      for (std::size_t q = 0; q < kFanLevels.size(); ++q) result.fan[v](t, q) = fan.quantile(v, t, kFanLevels[q]);
      result.fan_bin_width[v][t] = fan.bin_width(v, t);
    }
  }
  for (int e = 0; e < kEventCount; ++e) result.event_month_counts[e] = events.month_counts[e];
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

SimulationResult simulate(const Config& config, const RunOptions& options) {
  return run_paths(config, options, nullptr);
}

SimulationResult replay(const Config& config, const std::vector<MonthObservations>& observed,
                        const RunOptions& options) {
  if (observed.size() != static_cast<std::size_t>(config.scenario.months)) {
    throw std::invalid_argument("replay: " + std::to_string(observed.size()) + " months of observations for a " +
                                std::to_string(config.scenario.months) + "-month scenario");
  }
  return run_paths(config, options, &observed);
}

}  // namespace sovrisk
