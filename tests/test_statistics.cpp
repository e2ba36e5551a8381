#include <gtest/gtest.h>

#include <cmath>

#include "sovrisk/statistics.h"

namespace sovrisk {
namespace {

TEST(Statistics, WilsonIntervalMatchesPublishedValues) {
  // Wilson (1927) interval for 50 of 100 with z = 1.959964: [0.4038, 0.5962].
  const ProbabilityEstimate half = estimate_probability(50, 100);
  EXPECT_DOUBLE_EQ(half.probability, 0.5);
  EXPECT_NEAR(half.standard_error, 0.05, 1e-15);
  EXPECT_NEAR(half.ci95_low, 0.403832, 1e-6);
  EXPECT_NEAR(half.ci95_high, 0.596168, 1e-6);
  // No event in 1000 trials: the interval still has width, [0, 0.00383].
  const ProbabilityEstimate none = estimate_probability(0, 1000);
  EXPECT_EQ(none.probability, 0.0);
  EXPECT_EQ(none.ci95_low, 0.0);
  EXPECT_NEAR(none.ci95_high, 0.0038267, 1e-6);
}

TEST(Statistics, CumulativeProbabilityCountsUpToTheEndOfEachPeriod) {
  const std::vector<std::uint64_t> counts = {1, 0, 2, 0, 0, 3};
  const auto by_period = cumulative_probability(counts, 10, {1, 4, 5});
  ASSERT_EQ(by_period.size(), 3u);
  EXPECT_DOUBLE_EQ(by_period[0].probability, 0.1);
  EXPECT_DOUBLE_EQ(by_period[1].probability, 0.3);
  EXPECT_DOUBLE_EQ(by_period[2].probability, 0.6);
}

TEST(Statistics, PairedDifferenceUsesPerPathDisagreements) {
  // 10 paths: both default by month 5 on 3, only A on 2, only B on 1, neither on 4.
  const std::vector<std::int32_t> a = {1, 2, 3, 4, 5, -1, -1, -1, 9, -1};
  const std::vector<std::int32_t> b = {1, 2, 3, -1, -1, 0, -1, -1, -1, 7};
  const DifferenceEstimate d = paired_difference(a, b, 5);
  EXPECT_TRUE(d.paired);
  EXPECT_DOUBLE_EQ(d.difference, 0.1);
  // var of d_i in {1, 1, -1, 0 x7}: E[d^2] - E[d]^2 = 0.3 - 0.01
  EXPECT_DOUBLE_EQ(d.standard_error, std::sqrt(0.29 / 10));
  EXPECT_NEAR(d.ci95_high - d.difference, 1.959964 * d.standard_error, 1e-6);
  const DifferenceEstimate same = paired_difference(a, a, 5);
  EXPECT_EQ(same.difference, 0.0);
  EXPECT_EQ(same.standard_error, 0.0);
}

TEST(Statistics, IndependentDifferenceAddsVariances) {
  const DifferenceEstimate d = independent_difference(estimate_probability(30, 100), 100,
                                                      estimate_probability(20, 100), 100);
  EXPECT_FALSE(d.paired);
  EXPECT_NEAR(d.difference, 0.1, 1e-15);
  EXPECT_NEAR(d.standard_error, std::sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100), 1e-15);
}

}  // namespace
}  // namespace sovrisk
