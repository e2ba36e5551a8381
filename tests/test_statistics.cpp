#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sovrisk
