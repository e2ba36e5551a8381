#include "sovrisk/engine.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "sovrisk/accumulators.h"
#include "sovrisk/priors.h"
#include "sovrisk/streams.h"

namespace sovrisk {
namespace {

// Exactly `threads` threads for what runs in it: an arena of that many, with
// the process-wide limit (the cores, by default) set to match, also above it.
class ThreadArena {
 public:
  explicit ThreadArena(int threads)
      : limit_(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads)),
        arena_(threads) {}
  template <typename Work>
  void run(Work&& work) {
    arena_.execute(std::forward<Work>(work));
  }

 private:
  tbb::global_control limit_;
  tbb::task_arena arena_;
};

struct BlockOutcome {
  BlockSums sums;
  EventCounts events;
};

// Per-thread scratch: the block's state and draws, its reported values of
// every month (a path's condition, default by the horizon or not, is known
// only at the block's end), and the thread's share of the conditional
// histograms (integer counts, so how blocks spread over threads is moot).
// The two conditional histograms together are the fan charts' own: every
// value goes into exactly one of them.
struct Workspace {
  Workspace(int variables, int months, const std::vector<FanAccumulator::Range>& ranges,
            const DefaultDrivers& no_defaults)
      : state(kBlockSize),
        draws(kBlockSize),
        defaulted(variables, months, ranges, kFanBins),
        not_defaulted(variables, months, ranges, kFanBins),
        drivers(no_defaults),
        reported(std::size_t(months) * variables * kBlockSize),
        gathered(kBlockSize) {}
  BlockState state;
  BlockDraws draws;
  BufferedFanAccumulator defaulted;
  BufferedFanAccumulator not_defaulted;
  DefaultDrivers drivers;
  std::vector<double> reported;  // [month][variable][lane]
  std::vector<double> gathered;  // one month of one variable, the lanes of one condition
  std::vector<int> default_lanes, other_lanes;
};

class BlockRunner {
 public:
  // `observed` is null for a plain run, else one entry per month (a replay).
  BlockRunner(const Config& config, std::uint64_t sample_paths,
              const std::vector<MonthObservations>* observed)
      : config_(config),
        model_(config),
        outputs_(output_set(config)),
        streams_(config.simulation.seed, config.oil),
        paths_(config.simulation.paths),
        sample_paths_(sample_paths),
        start_month_(config.scenario.start_month),
        observed_(observed) {
    // Copied for every path of a run with priors (config_of_path); no model
    // reads the recorded text.
    config_.effective_yaml.clear();
  }

  const Model& model() const { return model_; }
  // What the blocks report: nothing is accumulated of the other outputs.
  const OutputSet& outputs() const { return outputs_; }

  // The paths of the blocks before `block` (all of them for the end of the run).
  std::uint64_t paths_before(std::uint64_t block) const {
    return sovrisk::paths_before(block, paths_);
  }

  // The lanes of `block` that hold paths of the run: all but the last block's padding.
  int valid_lanes(std::uint64_t block) const {
    return static_cast<int>(std::min<std::uint64_t>(kBlockSize, paths_ - block * kBlockSize));
  }

  // Adds the first month of each event of the block's valid lanes to `events`.
  void count_events(const BlockState& state, int valid, EventCounts& events) const {
    for (int e = 0; e < outputs_.events; ++e) {
      for (int lane = 0; lane < valid; ++lane) {
        const int month = state.event_month[e][lane];
        if (month != kNoEvent)
          ++events.month_counts[e][month];
      }
    }
  }

  // Simulates every month of one block. `on_month` sees the state after each
  // month and the number of lanes that hold real paths; the lanes beyond
  // (the padding of the last block) are computed but never reported.
  template <typename OnMonth>
  void run(std::uint64_t block, BlockState& state, BlockDraws& draws, OnMonth&& on_month) const {
    const std::uint64_t first_path = block * kBlockSize;
    const int valid = valid_lanes(block);
    if (!config_.priors.empty()) {
      run_with_priors(first_path, valid, state, on_month);
      return;
    }
    model_.reset(state);
    for (int t = 0; t < model_.months(); ++t) {
      // Every month is drawn in full, observed or not, so a path's draws are
      // the same in a run and in any replay of it.
      streams_.fill(first_path, t, draws);
      if (const int kinds = model_.model_v2_draws())
        streams_.fill_model_v2(first_path, t, draws, kinds);
      model_.step(t, draws, state, observed_ ? &(*observed_)[t] : nullptr);
      on_month(t, valid);
    }
  }

  // With priors each path has its own parameters, so its own model: the
  // block's paths run one at a time, each in a state of one lane, and the
  // block's state then takes their months one by one, as if run together.
  // Every path computes alone, in any run: the results depend on the paths,
  // not on the blocks, threads or ranks.
  template <typename OnMonth>
  void run_with_priors(std::uint64_t first_path, int valid, BlockState& state,
                       OnMonth&& on_month) const {
    const int months = model_.months();
    const int variables = outputs_.variables;
    std::vector<double> reported(std::size_t(months) * variables * valid);
    BlockState path_state(1);
    BlockDraws path_draws(1);
    for (int lane = 0; lane < valid; ++lane) {
      const std::uint64_t path = first_path + static_cast<std::uint64_t>(lane);
      const Config config = config_of_path(config_, path);
      const Model model(config);
      // The streams depend on the path's parameters only through the jump
      // intensity (their Poisson table): built again only when a prior moves it.
      std::optional<PathStreams> own_streams;
      if (config.oil.jump_intensity != config_.oil.jump_intensity)
        own_streams.emplace(config.simulation.seed, config.oil);
      const PathStreams& streams = own_streams ? *own_streams : streams_;
      model.reset(path_state);
      for (int t = 0; t < months; ++t) {
        streams.fill(path, t, path_draws);
        if (const int kinds = model.model_v2_draws())
          streams.fill_model_v2(path, t, path_draws, kinds);
        model.step(t, path_draws, path_state, observed_ ? &(*observed_)[t] : nullptr);
        for (int v = 0; v < variables; ++v)
          reported[(std::size_t(t) * variables + v) * valid + lane] = path_state.reported[v][0];
      }
      for (int e = 0; e < kEventCount; ++e)
        state.event_month[e][lane] = path_state.event_month[e][0];
    }
    for (int t = 0; t < months; ++t) {
      for (int v = 0; v < variables; ++v)
        std::copy_n(&reported[(std::size_t(t) * variables + v) * valid], valid,
                    state.reported[v].data());
      on_month(t, valid);
    }
  }

  // One block into the thread's histograms and into the range's rows of
  // sample paths and per-path months (disjoint for distinct blocks).
  BlockOutcome accumulate(std::uint64_t block, Workspace& work, PartialResult& range) const {
    const int months = model_.months();
    const int variables = outputs_.variables;
    BlockOutcome outcome{BlockSums(variables, months), EventCounts(outputs_.events, months)};
    const std::uint64_t first_path = block * kBlockSize;
    const std::uint64_t range_first_path = range.first_block * kBlockSize;
    const int sampled = static_cast<int>(
        std::min<std::uint64_t>(kBlockSize, sample_paths_ - std::min(sample_paths_, first_path)));
    run(block, work.state, work.draws, [&](int t, int valid) {
      for (int v = 0; v < variables; ++v) {
        const Eigen::ArrayXd& values = work.state.reported[v];
        std::copy_n(values.data(), valid, reported(work, t, v));
        outcome.sums.sums(v, t) = sum_in_fixed_order(values.data(), valid);
        for (int lane = 0; lane < std::min(sampled, valid); ++lane) {
          range.sample_paths[v](first_path - range_first_path + lane, t) = values[lane];
        }
      }
    });
    const int valid = valid_lanes(block);
    add_conditional(work, valid);
    count_events(work.state, valid, outcome.events);
    for (int e = 0; e < outputs_.events; ++e) {
      if (!range.per_path_event_month[e].empty()) {
        std::copy_n(work.state.event_month[e].data(), valid,
                    &range.per_path_event_month[e][first_path - range_first_path]);
      }
    }
    return outcome;
  }

  // A block's month-t values of variable v in the workspace, lane by lane.
  double* reported(Workspace& work, int t, int v) const {
    return &work.reported[(std::size_t(t) * outputs_.variables + v) * kBlockSize];
  }

  // The block's values into the histograms of their paths' condition, and
  // the defaulting paths' drivers at their default month.
  void add_conditional(Workspace& work, int valid) const {
    const int months = model_.months();
    const int* default_month = work.state.event_month[kDefault].data();
    const int* depletion_month = work.state.event_month[kDepletion].data();
    work.default_lanes.clear();
    work.other_lanes.clear();
    for (int lane = 0; lane < valid; ++lane)
      (default_month[lane] != kNoEvent ? work.default_lanes : work.other_lanes).push_back(lane);
    const int defaults = static_cast<int>(work.default_lanes.size());
    for (int t = 0; t < months; ++t) {
      for (int v = 0; v < outputs_.variables; ++v) {
        const double* values = reported(work, t, v);
        if (defaults == 0 || defaults == valid) {
          (defaults == 0 ? work.not_defaulted : work.defaulted).add(v, t, values, valid);
          continue;
        }
        const auto add_lanes = [&](const std::vector<int>& lanes, BufferedFanAccumulator& fan) {
          const int count = static_cast<int>(lanes.size());
          for (int i = 0; i < count; ++i)
            work.gathered[i] = values[lanes[i]];
          fan.add(v, t, work.gathered.data(), count);
        };
        add_lanes(work.default_lanes, work.defaulted);
        add_lanes(work.other_lanes, work.not_defaulted);
      }
    }
    if (defaults == 0)
      return;
    DefaultDrivers& drivers = work.drivers;
    const int drivers_of_variables[] = {kOilPrice, kFx, kFund};
    for (int d = 0; d < 3; ++d) {
      for (int i = 0; i < defaults; ++i) {
        const int lane = work.default_lanes[i];
        work.gathered[i] = reported(work, default_month[lane], drivers_of_variables[d])[lane];
      }
      drivers.values.add(d, 0, work.gathered.data(), defaults);
    }
    for (int i = 0; i < defaults; ++i) {
      const int lane = work.default_lanes[i];
      const int month = default_month[lane];
      // The gap of eq. (13), summed as Model::record_events sums it: from
      // zero, oldest month first.
      double gap = 0.0;
      for (int m = std::max(0, month - 11); m <= month; ++m)
        gap += reported(work, m, kUnfinanced)[lane];
      work.gathered[i] = gap;
      ++drivers.calendar_month[(start_month_ - 1 + month) % 12];
      const int depleted = depletion_month[lane];
      if (depleted != kNoEvent && depleted <= month)
        ++drivers.depletion_lag[month - depleted];
      else
        ++drivers.without_depletion;
    }
    drivers.values.add(3, 0, work.gathered.data(), defaults);
  }

  // Histogram ranges from the first paths of the run (the same paths whatever
  // the thread count or the range simulated, so the ranges are too). The pilot's
  // blocks run on `threads` threads, each into its own rows of the values.
  std::vector<FanAccumulator::Range> pilot_ranges(int threads) const {
    const int months = model_.months();
    const std::uint64_t pilot_paths = std::min(paths_, kPilotPaths);
    std::vector<std::vector<double>> values(std::size_t(outputs_.variables) * months,
                                            std::vector<double>(pilot_paths));
    std::vector<FanAccumulator::Range> ranges(values.size());
    ThreadArena(threads).run([&] {
      tbb::parallel_for(std::uint64_t(0), block_count(pilot_paths), [&](std::uint64_t block) {
        BlockState state(kBlockSize);
        BlockDraws draws(kBlockSize);
        run(block, state, draws, [&](int t, int valid) {
          for (int v = 0; v < outputs_.variables; ++v) {
            std::copy_n(state.reported[v].data(), valid,
                        &values[std::size_t(v) * months + t][block * kBlockSize]);
          }
        });
      });
      tbb::parallel_for(std::size_t(0), values.size(), [&](std::size_t cell) {
        ranges[cell] = FanAccumulator::range_for(std::move(values[cell]));
      });
    });
    return ranges;
  }

  // Rows for the sample paths and per-path months of the range's blocks up
  // to `end_block`, so that the blocks can write theirs in place.
  void make_room(PartialResult& range, std::uint64_t end_block, bool per_path) const {
    const std::uint64_t first_path = paths_before(range.first_block);
    const auto rows = static_cast<Eigen::Index>(
        sample_rows({range.first_block, end_block}, paths_, sample_paths_));
    for (auto& samples : range.sample_paths)
      samples.conservativeResize(rows, model_.months());
    if (per_path) {
      for (auto& months : range.per_path_event_month)
        months.resize(paths_before(end_block) - first_path, kNoEvent);
    }
  }

 private:
  Config config_;  // the run's parameters, for the paths' own with priors
  Model model_;
  OutputSet outputs_;
  PathStreams streams_;
  std::uint64_t paths_;
  std::uint64_t sample_paths_;
  int start_month_;  // 1 .. 12, the calendar month of month 0
  const std::vector<MonthObservations>* observed_;
};

PartialResult begin(const BlockRunner& runner, const RunOptions& options,
                    std::uint64_t first_block) {
  const int months = runner.model().months();
  const OutputSet& outputs = runner.outputs();
  PartialResult range(first_block,
                      FanAccumulator(outputs.variables, months,
                                     runner.pilot_ranges(worker_threads(options)), kFanBins),
                      EventCounts(outputs.events, months));
  runner.make_room(range, first_block, options.per_path_events);
  return range;
}

PartialResult run_blocks(const BlockRunner& runner, const RunOptions& options, PartialResult state,
                         std::uint64_t end_block) {
  if (end_block < state.end_block())
    throw std::invalid_argument("simulate_range: the range ends before its state");
  if (state.outputs() != runner.outputs())
    throw std::invalid_argument("simulate_range: the state holds other outputs than the run");
  const int months = runner.model().months();
  const int threads = worker_threads(options);
  const std::uint64_t start_block = state.end_block();
  const std::uint64_t segments =
      options.segments > 0 ? options.segments : default_segments(end_block - start_block, threads);

  ThreadArena arena(threads);
  const auto& ranges = state.fan.ranges();
  const int variables = runner.outputs().variables;
  const DefaultDrivers no_defaults(state.fan, months);
  tbb::enumerable_thread_specific<Workspace> workspaces(
      [&] { return Workspace(variables, months, ranges, no_defaults); });
  for (std::uint64_t segment = 0; segment < segments; ++segment) {
    const BlockRange blocks = split_blocks({start_block, end_block}, segment, segments);
    const std::uint64_t segment_end = blocks.end;
    runner.make_room(state, segment_end, options.per_path_events);
    std::uint64_t next_block = blocks.first;
    arena.run([&] {
      tbb::parallel_pipeline(
          4 * static_cast<std::size_t>(threads),
          tbb::make_filter<void, std::uint64_t>(tbb::filter_mode::serial_in_order,
                                                [&](tbb::flow_control& control) -> std::uint64_t {
                                                  if (next_block == segment_end) {
                                                    control.stop();
                                                    return 0;
                                                  }
                                                  return next_block++;
                                                }) &
              tbb::make_filter<std::uint64_t, BlockOutcome>(tbb::filter_mode::parallel,
                                                            [&](std::uint64_t block) {
                                                              return runner.accumulate(
                                                                  block, workspaces.local(), state);
                                                            }) &
              tbb::make_filter<BlockOutcome, void>(
                  tbb::filter_mode::serial_in_order, [&](BlockOutcome outcome) {
                    state.sums.push(std::move(outcome.sums));
                    state.events.merge(outcome.events);
                    if (options.progress) {
                      options.progress(runner.paths_before(state.end_block()) -
                                       runner.paths_before(start_block));
                    }
                  }));
    });
    // Every block of the segment is done, so the threads' histograms hold
    // exactly the segment: fold them into the state.
    for (auto& work : workspaces) {
      const FanAccumulator& defaulted = work.defaulted.flushed();
      state.fan.merge(defaulted);
      state.conditional_fans.defaulted.merge(defaulted);
      work.defaulted.clear();
      const FanAccumulator& not_defaulted = work.not_defaulted.flushed();
      state.fan.merge(not_defaulted);
      state.conditional_fans.not_defaulted.merge(not_defaulted);
      work.not_defaulted.clear();
      state.default_drivers.merge(work.drivers);
      work.drivers.clear();
    }
    if (options.after_segment && !options.after_segment(state))
      break;
  }
  return state;
}

SimulationResult run_paths(const Config& config, const RunOptions& options,
                           const std::vector<MonthObservations>* observed) {
  const auto started = std::chrono::steady_clock::now();
  const BlockRunner runner(config, std::min(options.sample_paths, config.simulation.paths),
                           observed);
  const std::uint64_t blocks = block_count(config.simulation.paths);
  PartialResult whole = run_blocks(runner, options, begin(runner, options, 0), blocks);
  if (whole.end_block() != blocks)
    throw std::logic_error("a run stopped before its end has no result");
  SimulationResult result = finalize(config, std::move(whole));
  result.threads = worker_threads(options);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

int worker_threads(const RunOptions& options) {
  return options.threads > 0 ? options.threads : tbb::info::default_concurrency();
}

std::uint64_t default_segments(std::uint64_t blocks, int threads) {
  const std::uint64_t per_segment = kSegmentBlocksPerThread * static_cast<std::uint64_t>(threads);
  return std::max<std::uint64_t>(1, (blocks + per_segment - 1) / per_segment);
}

std::uint64_t paths_before(std::uint64_t block, std::uint64_t paths) {
  return std::min<std::uint64_t>(paths, block * kBlockSize);
}

std::uint64_t sample_rows(BlockRange blocks, std::uint64_t paths, std::uint64_t sample_paths) {
  const std::uint64_t first = paths_before(blocks.first, paths);
  const std::uint64_t end = std::min(sample_paths, paths_before(blocks.end, paths));
  return end - std::min(end, first);
}

std::uint64_t block_count(std::uint64_t paths) {
  return (paths + kBlockSize - 1) / kBlockSize;
}

BlockRange split_blocks(BlockRange blocks, std::uint64_t index, std::uint64_t count) {
  if (count == 0 || index >= count)
    throw std::invalid_argument("split_blocks: part out of range");
  const std::uint64_t size = blocks.size() / count, longer = blocks.size() % count;
  const std::uint64_t first = blocks.first + index * size + std::min(index, longer);
  return {first, first + size + (index < longer ? 1 : 0)};
}

PartialResult begin_range(const Config& config, const RunOptions& options,
                          std::uint64_t first_block) {
  const BlockRunner runner(config, std::min(options.sample_paths, config.simulation.paths),
                           nullptr);
  return begin(runner, options, first_block);
}

PartialResult simulate_range(const Config& config, const RunOptions& options, PartialResult state,
                             std::uint64_t end_block) {
  const BlockRunner runner(config, std::min(options.sample_paths, config.simulation.paths),
                           nullptr);
  return run_blocks(runner, options, std::move(state), end_block);
}

namespace {

// A variable that took a non-finite value (or values whose sum overflows) has
// a non-finite mean, as the value enters its sum; a result with it would mean
// nothing, so none is written and the first month it shows names the cause.
void refuse_non_finite(int variable, const SimulationResult& result) {
  const Eigen::ArrayXd& mean = result.mean[variable];
  const auto& fan = result.fan[variable];
  for (Eigen::Index t = 0; t < mean.size(); ++t) {
    if (std::isfinite(mean[t]) && fan.row(t).isFinite().all())
      continue;
    throw std::runtime_error(
        std::string(kVariables[variable].name) + " took non-finite values (mean " +
        std::to_string(mean[t]) + ") from month " + result.calendar.label(static_cast<int>(t)) +
        " on: the parameters take the model beyond the range of doubles; no result written");
  }
}

}  // namespace

SimulationResult finalize(const Config& config, PartialResult whole_run) {
  const int months = config.scenario.months;
  const std::uint64_t paths = config.simulation.paths;
  if (whole_run.blocks() != BlockRange{0, block_count(paths)}) {
    throw std::invalid_argument("finalize: the partial result is not the whole run");
  }
  SimulationResult result;
  result.calendar = Calendar(config.scenario.start_year, config.scenario.start_month, months);
  result.paths = paths;
  result.seed = config.simulation.seed;
  result.outputs = whole_run.outputs();
  const FanAccumulator& fan = whole_run.fan;
  const Eigen::ArrayXXd total = whole_run.sums.total()->sums;
  for (int v = 0; v < result.outputs.variables; ++v) {
    result.mean[v] = total.row(v).transpose() / static_cast<double>(paths);
    result.fan[v].resize(months, kFanLevels.size());
    result.fan_bin_width[v].resize(months);
    for (int t = 0; t < months; ++t) {
      for (std::size_t q = 0; q < kFanLevels.size(); ++q)
        result.fan[v](t, q) = fan.quantile(v, t, kFanLevels[q]);
      result.fan_bin_width[v][t] = fan.bin_width(v, t);
    }
    refuse_non_finite(v, result);
    result.sample_paths[v] = std::move(whole_run.sample_paths[v]);
  }
  ConditionalResult& conditional = result.conditional;
  const ConditionalFans& conditional_fans = whole_run.conditional_fans;
  conditional.default_paths = conditional_fans.defaulted_paths();
  const auto quantiles = [&](const FanAccumulator& histograms, int v) {
    RowMajorArray fan(months, kFanLevels.size());
    for (int t = 0; t < months; ++t) {
      for (std::size_t q = 0; q < kFanLevels.size(); ++q)
        fan(t, q) = histograms.quantile(v, t, kFanLevels[q]);
    }
    return fan;
  };
  for (int v = 0; v < result.outputs.variables; ++v) {
    conditional.fan_default[v] = quantiles(conditional_fans.defaulted, v);
    conditional.fan_no_default[v] = quantiles(conditional_fans.not_defaulted, v);
  }
  const DefaultDrivers& drivers = whole_run.default_drivers;
  for (int d = 0; d < DefaultDrivers::kCount; ++d) {
    for (std::size_t q = 0; q < kFanLevels.size(); ++q)
      conditional.default_month[d][q] = drivers.values.quantile(d, 0, kFanLevels[q]);
  }
  conditional.calendar_month = drivers.calendar_month;
  conditional.depletion_lag = drivers.depletion_lag;
  conditional.without_depletion = drivers.without_depletion;
  for (int e = 0; e < result.outputs.events; ++e) {
    result.event_month_counts[e] = whole_run.events.month_counts[e];
    result.per_path_event_month[e] = std::move(whole_run.per_path_event_month[e]);
  }
  return result;
}

std::vector<EventCounts> count_events(std::size_t points,
                                      const std::function<Config(std::size_t)>& config_of_point,
                                      int threads) {
  std::vector<EventCounts> counts(points);
  ThreadArena(threads).run([&] {
    tbb::parallel_for(std::size_t(0), points, [&](std::size_t point) {
      const Config config = config_of_point(point);
      const BlockRunner runner(config, 0, nullptr);
      const std::uint64_t paths = config.simulation.paths;
      EventCounts events(runner.outputs().events, runner.model().months());
      BlockState state(kBlockSize);
      BlockDraws draws(kBlockSize);
      for (std::uint64_t block = 0; block < block_count(paths); ++block) {
        runner.run(block, state, draws, [](int, int) {});
        runner.count_events(state, runner.valid_lanes(block), events);
      }
      counts[point] = std::move(events);
    });
  });
  return counts;
}

SimulationResult simulate(const Config& config, const RunOptions& options) {
  return run_paths(config, options, nullptr);
}

SimulationResult replay(const Config& config, const std::vector<MonthObservations>& observed,
                        const RunOptions& options) {
  if (observed.size() != static_cast<std::size_t>(config.scenario.months)) {
    throw std::invalid_argument("replay: " + std::to_string(observed.size()) +
                                " months of observations for a " +
                                std::to_string(config.scenario.months) + "-month scenario");
  }
  return run_paths(config, options, &observed);
}

}  // namespace sovrisk
