// Exact comparison of two partial results, statistic by statistic, for the
// outputs they hold. Used by the tests of partial results and of output sets.
#pragma once

#include <gtest/gtest.h>

#include <cstring>

#include "sovrisk/partial_result.h"

namespace sovrisk::testing {

template <typename A>
bool same_bytes(const A& a, const A& b) {
  // memcmp must not see the null data() of an empty array, even for no bytes.
  return a.size() == b.size() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(*a.data()) * a.size()) == 0);
}

inline void expect_same(const FanAccumulator& a, const FanAccumulator& b) {
  EXPECT_EQ(a.ranges(), b.ranges());
  EXPECT_EQ(a.bin_counts(), b.bin_counts());
  ASSERT_EQ(a.cells().size(), b.cells().size());
  for (std::size_t i = 0; i < a.cells().size(); ++i) {
    const auto &x = a.cells()[i], &y = b.cells()[i];
    EXPECT_TRUE(x.total == y.total && x.min == y.min && x.max == y.max && x.at_min == y.at_min &&
                x.at_max == y.at_max);
  }
}

inline void expect_same(const PartialResult& a, const PartialResult& b) {
  EXPECT_EQ(a.blocks(), b.blocks());
  ASSERT_EQ(a.outputs(), b.outputs());
  ASSERT_EQ(a.sample_paths.size(), std::size_t(a.outputs().variables));
  ASSERT_EQ(b.sample_paths.size(), std::size_t(b.outputs().variables));
  ASSERT_EQ(a.per_path_event_month.size(), std::size_t(a.outputs().events));
  ASSERT_EQ(b.per_path_event_month.size(), std::size_t(b.outputs().events));
  expect_same(a.fan, b.fan);
  expect_same(a.conditional_fans.defaulted, b.conditional_fans.defaulted);
  expect_same(a.conditional_fans.not_defaulted, b.conditional_fans.not_defaulted);
  expect_same(a.default_drivers.values, b.default_drivers.values);
  EXPECT_EQ(a.default_drivers.calendar_month, b.default_drivers.calendar_month);
  EXPECT_EQ(a.default_drivers.depletion_lag, b.default_drivers.depletion_lag);
  EXPECT_EQ(a.default_drivers.without_depletion, b.default_drivers.without_depletion);
  EXPECT_EQ(a.events.month_counts, b.events.month_counts);
  ASSERT_EQ(a.sums.nodes().size(), b.sums.nodes().size());
  for (std::size_t n = 0; n < a.sums.nodes().size(); ++n) {
    EXPECT_EQ(a.sums.nodes()[n].first_block, b.sums.nodes()[n].first_block);
    EXPECT_EQ(a.sums.nodes()[n].level, b.sums.nodes()[n].level);
    EXPECT_TRUE(same_bytes(a.sums.nodes()[n].value.sums, b.sums.nodes()[n].value.sums));
  }
  for (int v = 0; v < a.outputs().variables; ++v)
    EXPECT_TRUE(same_bytes(a.sample_paths[v], b.sample_paths[v])) << variable_info(v).name;
  for (int e = 0; e < a.outputs().events; ++e)
    EXPECT_EQ(a.per_path_event_month[e], b.per_path_event_month[e]) << event_name(e);
}

}  // namespace sovrisk::testing
