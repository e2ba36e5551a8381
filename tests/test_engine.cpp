// Reproducibility and accuracy of the engine: threads, path prefixes, quantiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sovrisk/accumulators.h"
#include "sovrisk/engine.h"
#include "test_support.h"

namespace sovrisk {
namespace {

template <typename A>
bool bit_identical(const A& a, const A& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(*a.data()) * a.size()) == 0;
}

void expect_bit_identical(const SimulationResult& a, const SimulationResult& b) {
  for (int e = 0; e < kEventCount; ++e) EXPECT_EQ(a.event_month_counts[e], b.event_month_counts[e]);
  for (int v = 0; v < kVariableCount; ++v) {
    EXPECT_TRUE(bit_identical(a.fan[v], b.fan[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.mean[v], b.mean[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(a.sample_paths[v], b.sample_paths[v])) << variable_info(v).name;
  }
}

TEST(Engine, BitIdenticalForAnyThreadCount) {
  // 6000 paths make 6 blocks, the last one partial.
  const Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions one, two, all;
  one.threads = 1;
  two.threads = 2;
  const SimulationResult a = simulate(config, one);
  const SimulationResult b = simulate(config, two);
  const SimulationResult c = simulate(config, all);
  // The comparison means something only if the run has events and spread.
  ASSERT_GT(a.event_month_counts[kDefault][35] + a.event_month_counts[kDefault][30], 0u);
  expect_bit_identical(a, b);
  expect_bit_identical(a, c);
}

TEST(Engine, LeadingPathsDoNotDependOnThePathCount) {
  RunOptions options;
  options.sample_paths = 1500;
  const SimulationResult fewer =
      simulate(testing::config_from(testing::stochastic_yaml(), {"simulation.paths=1500"}), options);
  const SimulationResult more =
      simulate(testing::config_from(testing::stochastic_yaml(), {"simulation.paths=5000"}), options);
  for (int v = 0; v < kVariableCount; ++v) {
    EXPECT_TRUE(bit_identical(fewer.sample_paths[v], more.sample_paths[v])) << variable_info(v).name;
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
  const Config config = testing::config_from(
      testing::stochastic_yaml(), {"simulation.paths=3000", "fund.floor=300.3", "fund.liquid0=3800.7"});
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

// numpy's default quantile: linear interpolation at h = q (n - 1).
double exact_quantile(std::vector<double> values, double level) {
  std::sort(values.begin(), values.end());
  const double h = level * (values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(h));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (h - below) * (values[above] - values[below]);
}

TEST(Engine, FanQuantilesWithinOnePercentOfTheSpreadOfExactQuantiles) {
  const Config config = testing::config_from(testing::stochastic_yaml(), {"simulation.paths=20000"});
  RunOptions options;
  options.sample_paths = config.simulation.paths;  // keep every path to compute exact quantiles
  const SimulationResult result = simulate(config, options);
  int checked_with_spread = 0;
  for (int v = 0; v < kVariableCount; ++v) {
    const RowMajorArray& paths = result.sample_paths[v];
    for (int t = 0; t < config.scenario.months; ++t) {
      std::vector<double> values(paths.rows());
      for (int p = 0; p < paths.rows(); ++p) values[p] = paths(p, t);
      const double spread = exact_quantile(values, 0.95) - exact_quantile(values, 0.05);
      checked_with_spread += spread > 0;
      for (std::size_t q = 0; q < kFanLevels.size(); ++q) {
        const double exact = exact_quantile(values, kFanLevels[q]);
        EXPECT_LE(std::abs(result.fan[v](t, q) - exact), 0.01 * spread)
            << variable_info(v).name << " month " << t << " level " << kFanLevels[q];
      }
      EXPECT_NEAR(result.mean[v][t], Eigen::Map<Eigen::ArrayXd>(values.data(), values.size()).mean(),
                  1e-9 * std::max(1.0, std::abs(result.mean[v][t])));
    }
  }
  // Point masses (no gap, nothing absorbed) make some spreads zero; most are not.
  EXPECT_GT(checked_with_spread, kVariableCount * config.scenario.months / 2);
}

}  // namespace
}  // namespace sovrisk
