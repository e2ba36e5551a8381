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

inline void expect_same(const PartialResult& a, const PartialResult& b) {
  EXPECT_EQ(a.blocks(), b.blocks());
  ASSERT_EQ(a.outputs(), b.outputs());
  ASSERT_EQ(a.sample_paths.size(), std::size_t(a.outputs().variables));
  ASSERT_EQ(b.sample_paths.size(), std::size_t(b.outputs().variables));
  ASSERT_EQ(a.per_path_event_month.size(), std::size_t(a.outputs().events));
  ASSERT_EQ(b.per_path_event_month.size(), std::size_t(b.outputs().events));
  EXPECT_EQ(a.fan.ranges(), b.fan.ranges());
  EXPECT_EQ(a.fan.bin_counts(), b.fan.bin_counts());
  ASSERT_EQ(a.fan.cells().size(), b.fan.cells().size());
  for (std::size_t i = 0; i < a.fan.cells().size(); ++i) {
    const auto &x = a.fan.cells()[i], &y = b.fan.cells()[i];
    EXPECT_TRUE(x.total == y.total && x.min == y.min && x.max == y.max && x.at_min == y.at_min &&
                x.at_max == y.at_max);
  }
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
