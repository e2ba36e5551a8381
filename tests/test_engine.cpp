// Reproducibility and accuracy of the engine: threads, path prefixes, quantiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "partial_comparison.h"
#include "sovrisk/accumulators.h"
#include "sovrisk/engine.h"
#include "sovrisk/streams.h"
#include "test_support.h"

namespace sovrisk {
namespace {

template <typename A>
bool bit_identical(const A& a, const A& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(*a.data()) * a.size()) == 0;
}

void expect_bit_identical(const SimulationResult& a, const SimulationResult& b) {
  ASSERT_EQ(a.outputs, b.outputs);
  for (int e = 0; e < a.outputs.events; ++e) {
    EXPECT_EQ(a.event_month_counts[e], b.event_month_counts[e]);
    EXPECT_EQ(a.per_path_event_month[e], b.per_path_event_month[e]);
  }
  for (int v = 0; v < a.outputs.variables; ++v) {
    EXPECT_TRUE(bit_identical(a.fan[v], b.fan[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.mean[v], b.mean[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.sample_paths[v], b.sample_paths[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.fan_bin_width[v], b.fan_bin_width[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.conditional.fan_default[v], b.conditional.fan_default[v]))
        << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.conditional.fan_no_default[v], b.conditional.fan_no_default[v]))
        << variable_info(v).name;
  }
  EXPECT_EQ(a.conditional.default_paths, b.conditional.default_paths);
  for (int d = 0; d < DefaultDrivers::kCount; ++d)
    EXPECT_TRUE(bit_identical(a.conditional.default_month[d], b.conditional.default_month[d]))
        << DefaultDrivers::kNames[d];
  EXPECT_EQ(a.conditional.calendar_month, b.conditional.calendar_month);
  EXPECT_EQ(a.conditional.depletion_lag, b.conditional.depletion_lag);
  EXPECT_EQ(a.conditional.without_depletion, b.conditional.without_depletion);
}

TEST(Engine, BitIdenticalForAnyThreadCount) {
  // 6000 paths make 6 blocks, the last one partial.
  const Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions one, two, three;
  one.threads = 1;
  two.threads = 2;
  three.threads = 3;  // 6 blocks over 3 threads, more threads than this CI machine's cores
  const SimulationResult a = simulate(config, one);
  const SimulationResult b = simulate(config, two);
  const SimulationResult c = simulate(config, three);
  // The comparison means something only if the run has events and spread.
  ASSERT_GT(a.event_month_counts[kDefault][35] + a.event_month_counts[kDefault][30], 0u);
  expect_bit_identical(a, b);
  expect_bit_identical(a, c);
}

// Parameters past any sensible bound (the config refuses them; the engine must
// not rely on that) drive prices past the range of doubles: the run ends with
// an error naming the variable and the month instead of a crash or a result of
// infinities.
TEST(Engine, NonFiniteValuesAreReportedNotWritten) {
  Config config = testing::config_from(testing::stochastic_yaml());
  config.oil.jump_intensity = 12.0;
  config.oil.jump_mean = 400.0;  // two jumps make exp(800) = inf
  RunOptions options;
  options.threads = 1;
  try {
    simulate(config, options);
    FAIL() << "a run with infinite oil prices was finalized";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("oil_price took non-finite values"), std::string::npos)
        << error.what();
  }
}

TEST(Engine, JumpCountsPastTheEnginesLimitAreRefused) {
  Config config = testing::config_from(testing::stochastic_yaml());
  config.oil.jump_intensity = 1e15;
  EXPECT_THROW(simulate(config, RunOptions{}), std::invalid_argument);
  config.oil.jump_intensity = 12 * PathStreams::kMaxJumpsPerMonth;
  EXPECT_NO_THROW(PathStreams(1, config.oil));
}

TEST(Engine, LeadingPathsDoNotDependOnThePathCount) {
  RunOptions options;
  options.sample_paths = 1500;
  const SimulationResult fewer = simulate(
      testing::config_from(testing::stochastic_yaml(), {"simulation.paths=1500"}), options);
  const SimulationResult more = simulate(
      testing::config_from(testing::stochastic_yaml(), {"simulation.paths=5000"}), options);
  for (int v = 0; v < fewer.outputs.variables; ++v) {
    EXPECT_TRUE(bit_identical(fewer.sample_paths[v], more.sample_paths[v]))
        << variable_info(v).name;
  }
}

TEST(Engine, DifferentSeedsGiveDifferentPaths) {
  RunOptions options;
  const SimulationResult a = simulate(testing::config_from(testing::stochastic_yaml()), options);
  const SimulationResult b =
      simulate(testing::config_from(testing::stochastic_yaml(), {"simulation.seed=43"}), options);
  EXPECT_FALSE(bit_identical(a.sample_paths[kOilPrice], b.sample_paths[kOilPrice]));
}

TEST(Engine, DepletionIsDetectedInTheMonthTheFundReachesANonIntegerFloor) {
  const Config config =
      testing::config_from(testing::stochastic_yaml(),
                           {"simulation.paths=3000", "fund.floor=300.3", "fund.liquid0=3800.7"});
  RunOptions options;
  options.sample_paths = config.simulation.paths;
  const SimulationResult result = simulate(config, options);
  std::vector<std::uint64_t> expected(config.scenario.months, 0);
  for (int p = 0; p < result.sample_paths[kFund].rows(); ++p) {
    for (int t = 0; t < config.scenario.months; ++t) {
      if (result.sample_paths[kFund](p, t) <= config.fund.floor) {
        ++expected[t];
        break;
      }
    }
  }
  EXPECT_EQ(result.event_month_counts[kDepletion], expected);
  // A drained fund sits exactly on the floor, so the floor is a point mass the fan gets exactly.
  const auto& fund = result.sample_paths[kFund];
  EXPECT_GT((fund == config.fund.floor).count(), fund.size() / 10);
}

TEST(Ranges, SplitBlocksCutsContiguousNearEqualParts) {
  const BlockRange all{3, 13};
  std::uint64_t next = all.first;
  for (std::uint64_t part = 0; part < 4; ++part) {
    const BlockRange range = split_blocks(all, part, 4);
    EXPECT_EQ(range.first, next);
    EXPECT_EQ(range.size(), part < 2 ? 3u : 2u);  // 10 blocks: 3, 3, 2, 2
    next = range.end;
  }
  EXPECT_EQ(next, all.end);
  // More parts than blocks: the last ones are empty, still in order.
  EXPECT_EQ(split_blocks({0, 2}, 2, 3), (BlockRange{2, 2}));
  EXPECT_THROW(split_blocks(all, 4, 4), std::invalid_argument);
}

// A run cut into ranges, each simulated on its own and merged in block order.
SimulationResult run_in_ranges(const Config& config, const RunOptions& options,
                               const std::vector<std::uint64_t>& cuts) {
  std::optional<PartialResult> whole;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    PartialResult range =
        simulate_range(config, options, begin_range(config, options, cuts[i]), cuts[i + 1]);
    EXPECT_EQ(range.blocks(), (BlockRange{cuts[i], cuts[i + 1]}));
    if (whole) {
      whole->append(range);
    } else {
      whole = std::move(range);
    }
  }
  return finalize(config, *whole);
}

TEST(Ranges, RangesMergedInBlockOrderEqualTheSingleRun) {
  // 6000 paths: 6 blocks, the last one partial; the sample paths span 3 blocks.
  const Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions options;
  options.sample_paths = 2500;
  options.per_path_events = true;
  options.threads = 2;
  const SimulationResult single = simulate(config, options);
  for (const auto& cuts : std::vector<std::vector<std::uint64_t>>{{0, 6},
                                                                  {0, 3, 6},
                                                                  {0, 2, 4, 6},
                                                                  {0, 1, 5, 6},
                                                                  {0, 4, 5, 6},
                                                                  {0, 1, 2, 3, 4, 5, 6},
                                                                  {0, 0, 3, 3, 6}}) {
    SCOPED_TRACE(::testing::PrintToString(cuts));
    expect_bit_identical(run_in_ranges(config, options, cuts), single);
  }
}

TEST(Ranges, StoppedAfterASegmentAndResumedEqualsTheSingleRun) {
  const Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions options;
  options.sample_paths = 2500;
  options.per_path_events = true;
  const SimulationResult single = simulate(config, options);

  RunOptions stopping = options;
  stopping.segments = 3;
  int segments_seen = 0;
  stopping.after_segment = [&](const PartialResult& done) {
    ++segments_seen;
    EXPECT_EQ(done.end_block(), 2u);                       // the first third of 6 blocks
    EXPECT_EQ(done.fan.count(kFund, 0), 2u * kBlockSize);  // the threads' histograms are folded in
    return false;
  };
  PartialResult part = simulate_range(config, stopping, begin_range(config, options, 0), 6);
  EXPECT_EQ(segments_seen, 1);
  ASSERT_EQ(part.end_block(), 2u);
  EXPECT_EQ(part.sample_paths[kFund].rows(), 2 * kBlockSize);
  EXPECT_EQ(part.per_path_event_month[kDefault].size(), 2u * kBlockSize);

  RunOptions resuming = options;
  resuming.segments = 5;  // more segments than blocks: some are empty
  int resumed_segments = 0;
  resuming.after_segment = [&](const PartialResult&) { return ++resumed_segments > 0; };
  const PartialResult whole = simulate_range(config, resuming, std::move(part), 6);
  EXPECT_EQ(resumed_segments, 5);
  expect_bit_identical(finalize(config, whole), single);
}

TEST(Ranges, FinalizeRefusesLessThanTheWholeRun) {
  const Config config = testing::config_from(testing::stochastic_yaml());
  const RunOptions options;
  EXPECT_THROW(
      finalize(config, simulate_range(config, options, begin_range(config, options, 0), 5)),
      std::invalid_argument);
  PartialResult first = begin_range(config, options, 0);
  EXPECT_THROW(first.append(begin_range(config, options, 1)), std::invalid_argument);
}

// numpy's default quantile: linear interpolation at h = q (n - 1).
// numpy's default sample quantile of sorted values, and the gap between the two
// order statistics it interpolates.
struct ExactQuantile {
  double value, gap;
};
ExactQuantile exact_quantile(const std::vector<double>& sorted, double level) {
  const double h = level * (sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(h));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return {sorted[below] + (h - below) * (sorted[above] - sorted[below]),
          sorted[above] - sorted[below]};
}

// The bound of docs/model.md, "Fan charts": |Q^ - Q| <= w + (x_(ceil h) - x_(floor h)) / 2,
// w the bin width (the file's /fan_error_bound), for every quantile of every series and month.
TEST(Engine, FanQuantilesWithinTheDocumentedBoundOfExactQuantiles) {
  const Config config =
      testing::config_from(testing::stochastic_yaml(), {"simulation.paths=20000"});
  RunOptions options;
  options.sample_paths = config.simulation.paths;  // keep every path to compute exact quantiles
  const SimulationResult result = simulate(config, options);
  int checked_with_spread = 0;
  for (int v = 0; v < result.outputs.variables; ++v) {
    const RowMajorArray& paths = result.sample_paths[v];
    for (int t = 0; t < config.scenario.months; ++t) {
      std::vector<double> values(paths.rows());
      for (int p = 0; p < paths.rows(); ++p)
        values[p] = paths(p, t);
      std::sort(values.begin(), values.end());
      checked_with_spread +=
          exact_quantile(values, 0.95).value > exact_quantile(values, 0.05).value;
      for (std::size_t q = 0; q < kFanLevels.size(); ++q) {
        const ExactQuantile exact = exact_quantile(values, kFanLevels[q]);
        const double bound = result.fan_bin_width[v][t] + 0.5 * exact.gap +
                             1e-12 * std::max(1.0, std::abs(exact.value));
        EXPECT_LE(std::abs(result.fan[v](t, q) - exact.value), bound)
            << variable_info(v).name << " month " << t << " level " << kFanLevels[q];
      }
      EXPECT_NEAR(result.mean[v][t],
                  Eigen::Map<Eigen::ArrayXd>(values.data(), values.size()).mean(),
                  1e-9 * std::max(1.0, std::abs(result.mean[v][t])));
    }
  }
  // Point masses (no gap, nothing absorbed) make some spreads zero; most are not.
  EXPECT_GT(checked_with_spread, result.outputs.variables * config.scenario.months / 2);
}

}  // namespace
}  // namespace sovrisk

namespace sovrisk {
namespace {

// The conditional statistics split the run exactly: the two conditional
// histograms add up to the fan charts' own, bin by bin and month by month, and
// the counts at the default month add up to the defaults.
TEST(Conditional, HistogramsAndCountsSplitTheRunExactly) {
  const Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions options;
  options.threads = 2;
  options.per_path_events = true;
  const PartialResult whole = simulate_range(config, options, begin_range(config, options, 0),
                                             block_count(config.simulation.paths));
  const ConditionalFans& split = whole.conditional_fans;
  std::uint64_t defaults = 0, with_depletion = 0;
  std::vector<std::uint64_t> lags(config.scenario.months, 0), calendar(12, 0);
  const auto& default_month = whole.per_path_event_month[kDefault];
  const auto& depletion_month = whole.per_path_event_month[kDepletion];
  for (std::size_t path = 0; path < default_month.size(); ++path) {
    const int month = default_month[path];
    if (month == kNoEvent)
      continue;
    ++defaults;
    ++calendar[(config.scenario.start_month - 1 + month) % 12];
    if (depletion_month[path] != kNoEvent && depletion_month[path] <= month) {
      ++with_depletion;
      ++lags[month - depletion_month[path]];
    }
  }
  // Meaningful only with both conditions, and defaults both with and without depletion.
  ASSERT_GT(defaults, 0u);
  ASSERT_LT(defaults, config.simulation.paths);
  EXPECT_EQ(split.defaulted_paths(), defaults);
  EXPECT_EQ(split.not_defaulted_paths(), config.simulation.paths - defaults);
  FanAccumulator merged = split.defaulted;
  merged.merge(split.not_defaulted);
  testing::expect_same(merged, whole.fan);

  const DefaultDrivers& drivers = whole.default_drivers;
  EXPECT_EQ(drivers.defaults(), defaults);
  EXPECT_EQ(drivers.calendar_month, calendar);
  EXPECT_EQ(drivers.depletion_lag, lags);
  EXPECT_EQ(drivers.without_depletion, defaults - with_depletion);

  // Paths that default ran their fund down: its median lies below that of the
  // others from the middle of the horizon on.
  const SimulationResult result = finalize(config, whole);
  const int last = config.scenario.months - 1;
  const std::size_t median = 3;
  EXPECT_LT(result.conditional.fan_default[kFund](last, median),
            result.conditional.fan_no_default[kFund](last, median));
  // Every default had a 12-month gap above the threshold of eq. (13) and an
  // unfinanced gap that month, so the gap's smallest quantile is positive.
  EXPECT_GT(result.conditional.default_month[3][0], 0.0);
}

}  // namespace
}  // namespace sovrisk
