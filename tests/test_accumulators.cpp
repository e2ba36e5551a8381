#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "sovrisk/accumulators.h"

namespace sovrisk {
namespace {

TEST(FanAccumulator, MergeIsExactWhateverTheSplit) {
  std::mt19937_64 generator(3);
  std::lognormal_distribution<double> draw(0, 0.5);
  std::vector<double> values(5000);
  for (auto& value : values)
    value = draw(generator);
  const std::vector<FanAccumulator::Range> ranges = {FanAccumulator::range_for(values)};

  FanAccumulator whole(1, 1, ranges, 512);
  whole.add(0, 0, values.data(), 5000);
  FanAccumulator left(1, 1, ranges, 512), right(1, 1, ranges, 512);
  left.add(0, 0, values.data(), 1234);
  right.add(0, 0, values.data() + 1234, 5000 - 1234);
  right.merge(left);  // the other order on purpose
  for (double level : {0.0, 0.05, 0.5, 0.95, 1.0}) {
    EXPECT_EQ(whole.quantile(0, 0, level), right.quantile(0, 0, level)) << level;
  }
  EXPECT_EQ(whole.count(0, 0), 5000u);
}

TEST(FanAccumulator, PointMassesAtTheExtremesAreExact) {
  // 70 % of the values are exactly 0 (no gap), the rest spread above.
  std::vector<double> values(1000, 0.0);
  for (int i = 700; i < 1000; ++i)
    values[i] = 10.0 + i;
  FanAccumulator fan(1, 1, {FanAccumulator::range_for(values)}, 64);
  fan.add(0, 0, values.data(), 1000);
  EXPECT_EQ(fan.quantile(0, 0, 0.05), 0.0);
  EXPECT_EQ(fan.quantile(0, 0, 0.5), 0.0);
  EXPECT_EQ(fan.quantile(0, 0, 0.69), 0.0);
  EXPECT_EQ(fan.quantile(0, 0, 1.0), 1009.0);
  // Inside the binned range the error is at most one bin width.
  // h = 0.9 * 999 = 899.1 between the order statistics 909 and 910; the
  // documented bound is one bin width plus half their gap.
  const double exact_90 = 909.0 + 0.1 * (910.0 - 909.0);
  EXPECT_NEAR(fan.quantile(0, 0, 0.9), exact_90, fan.bin_width(0, 0) + 0.5);
}

TEST(FanAccumulator, ValuesOutsideThePilotRangeStayWithinTheExtremes) {
  std::vector<double> pilot = {1, 2, 3, 4, 5};
  FanAccumulator fan(1, 1, {FanAccumulator::range_for(pilot)}, 16);
  std::vector<double> values = {-100, 1, 2, 3, 4, 5, 200};
  fan.add(0, 0, values.data(), int(values.size()));
  EXPECT_EQ(fan.quantile(0, 0, 0.0), -100);
  EXPECT_EQ(fan.quantile(0, 0, 1.0), 200);
  // The 5 % quantile (h = 0.3) lies in the underflow bin [min, L) = [-100, 0.7),
  // which holds one value: interpolated at 0.3 + 0.5 of it, -100 + 0.8 * 100.7.
  EXPECT_DOUBLE_EQ(fan.quantile(0, 0, 0.05), -100 + 0.8 * 100.7);
}

// Every double lands in a bin of its cell, whatever the range: -inf in the
// underflow bin, +inf and NaN in the overflow bin, finite values as before.
TEST(FanAccumulator, NonFiniteValuesAndRangesStayInTheirCell) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double nan = std::nan("");
  const std::vector<double> values = {-kInf, -1e308, -1.0, 0.0, 0.5, 1.0, 1e308, kInf, nan};
  const std::vector<FanAccumulator::Range> ranges = {
      {0.0, 1.0}, {-kInf, kInf}, {-kInf, 0.0}, {0.0, kInf}, {-1e308, 1e308}};
  for (const auto& range : ranges) {
    // A cell on each side of the one filled shows any write out of its range.
    const std::vector<FanAccumulator::Range> cells(3, range);
    FanAccumulator fan(1, 3, cells, 8);
    BufferedFanAccumulator buffered(1, 3, cells, 8);
    fan.add(0, 1, values.data(), int(values.size()));
    buffered.add(0, 1, values.data(), int(values.size()));
    const auto& counts = fan.bin_counts();
    std::uint64_t in_cell = 0;
    for (int bin = 10; bin < 20; ++bin)
      in_cell += counts[bin];
    EXPECT_EQ(in_cell, values.size()) << range.low << " " << range.high;
    EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), std::uint64_t(0)), in_cell);
    EXPECT_EQ(buffered.flushed().bin_counts(), counts) << range.low << " " << range.high;
  }
  // A NaN range (a corrupt partial file) never reaches the bins.
  EXPECT_THROW(FanAccumulator(1, 1, {{nan, 1.0}}, 8), std::invalid_argument);
  EXPECT_THROW(FanAccumulator(1, 1, {{0.0, nan}}, 8), std::invalid_argument);
  // In a finite range, -inf underflows, +inf and NaN overflow.
  FanAccumulator fan(1, 1, {{0.0, 1.0}}, 8);
  fan.add(0, 0, values.data(), int(values.size()));
  EXPECT_EQ(fan.bin_counts().front(), 3u);  // -inf, -1e308, -1
  EXPECT_EQ(fan.bin_counts().back(), 4u);   // 1, 1e308, +inf, NaN
}

TEST(FanAccumulator, RangeForUsesTheFiniteValuesOnly) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const double nan = std::nan("");
  std::vector<double> pilot(1000);
  for (int i = 0; i < 1000; ++i)
    pilot[i] = i;
  const FanAccumulator::Range finite = FanAccumulator::range_for(pilot);
  pilot.insert(pilot.end(), {kInf, -kInf, nan, nan, kInf});
  EXPECT_EQ(FanAccumulator::range_for(pilot), finite);
  EXPECT_EQ(FanAccumulator::range_for({kInf, -kInf, nan}), (FanAccumulator::Range{-1.0, 1.0}));
  // Values at the ends of the doubles keep a finite, non-empty range.
  const double largest = std::numeric_limits<double>::max();
  for (const std::vector<double>& extreme : std::vector<std::vector<double>>{
           {-largest, largest}, {largest, largest}, {-largest, -largest}, {0.0, largest}}) {
    const FanAccumulator::Range range = FanAccumulator::range_for(extreme);
    EXPECT_TRUE(std::isfinite(range.low) && std::isfinite(range.high));
    EXPECT_LT(range.low, range.high);
    EXPECT_NO_THROW(FanAccumulator(1, 1, {range}, 8));
  }
}

// The pilot's 0.5 % and 99.5 % order statistics, widened by 10 % of their
// distance, against a full sort; ties and tiny pilots included.
TEST(FanAccumulator, RangeForWidensThePilotsTailOrderStatistics) {
  std::mt19937_64 generator(5);
  std::normal_distribution<double> draw(0.0, 1.0);
  for (const std::size_t n : {1, 2, 3, 5, 201, 4096}) {
    std::vector<double> values(n);
    for (auto& value : values)
      value = std::round(draw(generator) * 20.0);  // many ties
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const double low = sorted[std::size_t(0.005 * double(n - 1))];
    const double high = sorted[std::size_t(0.995 * double(n - 1))];
    const FanAccumulator::Range range = FanAccumulator::range_for(values);
    if (high > low) {
      EXPECT_EQ(range.low, low - 0.1 * (high - low)) << n;
      EXPECT_EQ(range.high, high + 0.1 * (high - low)) << n;
    } else {  // a single value: a margin of 0.1 % of it
      const double margin = std::max(1e-3 * std::abs(low), 1e-6);
      EXPECT_EQ(range.low, low - margin) << n;
      EXPECT_EQ(range.high, high + margin) << n;
    }
  }
}

// The engine's 16-bit buffer must give exactly the 64-bit accumulator's state,
// also across the folds that keep its counts from overflowing.
TEST(BufferedFanAccumulator, FlushedStateEqualsTheFanAccumulatorOfTheSameValues) {
  std::mt19937_64 generator(11);
  std::normal_distribution<double> draw(0.0, 1.0);
  std::uniform_real_distribution<double> share(0.0, 1.0);
  const std::vector<FanAccumulator::Range> ranges = {{-2.0, 2.0}, {-0.5, 3.0}, {0.0, 1.0}};
  FanAccumulator reference(3, 1, ranges, 256);
  BufferedFanAccumulator buffered(3, 1, ranges, 256);
  // 3000 values per batch: the 22nd batch of a cell overflows 16 bits. Cell 1
  // has point masses at both extremes; one batch is larger than 16 bits alone.
  std::vector<double> batch(70000);
  for (int round = 0; round < 60; ++round) {
    for (int cell = 0; cell < 3; ++cell) {
      const int size = round == 30 && cell == 2 ? 70000 : 3000;
      for (int i = 0; i < size; ++i) {
        const double x = draw(generator), u = share(generator);
        batch[i] = cell == 1 ? (u < 0.4 ? 0.0 : u > 0.9 ? 2.5 : std::clamp(x, 0.0, 2.5)) : x;
      }
      reference.add(cell, 0, batch.data(), size);
      buffered.add(cell, 0, batch.data(), size);
    }
  }
  const FanAccumulator& total = buffered.flushed();
  EXPECT_EQ(total.bin_counts(), reference.bin_counts());
  ASSERT_EQ(total.cells().size(), reference.cells().size());
  for (std::size_t i = 0; i < total.cells().size(); ++i) {
    const FanAccumulator::Cell &mine = total.cells()[i], &theirs = reference.cells()[i];
    EXPECT_EQ(mine.total, theirs.total) << i;
    EXPECT_EQ(mine.min, theirs.min) << i;
    EXPECT_EQ(mine.max, theirs.max) << i;
    EXPECT_EQ(mine.at_min, theirs.at_min) << i;
    EXPECT_EQ(mine.at_max, theirs.at_max) << i;
  }
  EXPECT_EQ(total.count(2, 0), 59u * 3000u + 70000u);
  EXPECT_GT(total.cells()[1].at_min, 60u * 1000u);  // the point mass at 0 counted in one go

  buffered.clear();
  const double one = 0.25;
  buffered.add(0, 0, &one, 1);
  EXPECT_EQ(buffered.flushed().count(0, 0), 1u);
  EXPECT_EQ(buffered.flushed().count(1, 0), 0u);
}

// Records the order of merges to check the shape of the summation tree.
struct Trace {
  std::string text;
  void merge(const Trace& later) { text = "(" + text + "+" + later.text + ")"; }
};

TEST(PairwiseCombiner, SumsPairsOfAlignedBlocksInOrder) {
  PairwiseCombiner<Trace> combiner;
  for (int block = 0; block < 7; ++block)
    combiner.push({std::to_string(block)});
  EXPECT_EQ(combiner.total()->text, "(((0+1)+(2+3))+((4+5)+6))");
  PairwiseCombiner<Trace> single;
  single.push({"0"});
  EXPECT_EQ(single.total()->text, "0");
  EXPECT_FALSE(PairwiseCombiner<Trace>().total().has_value());
}

TEST(PairwiseCombiner, RangesCombinedInOrderGiveTheSingleRunTree) {
  for (const std::vector<std::uint64_t>& cuts : std::vector<std::vector<std::uint64_t>>{
           {0, 3, 8, 13}, {0, 1, 2, 13}, {0, 5, 6, 7, 13}, {0, 13}}) {
    PairwiseCombiner<Trace> single;
    for (int block = 0; block < 13; ++block)
      single.push({std::to_string(block)});
    PairwiseCombiner<Trace> global;
    for (std::size_t range = 0; range + 1 < cuts.size(); ++range) {
      PairwiseCombiner<Trace> part(cuts[range]);
      for (auto block = cuts[range]; block < cuts[range + 1]; ++block)
        part.push({std::to_string(block)});
      for (const auto& node : part.nodes())
        global.push(node);
    }
    EXPECT_EQ(global.total()->text, single.total()->text) << cuts.size();
  }
  PairwiseCombiner<Trace> combiner(3);
  EXPECT_THROW(combiner.push(PairwiseCombiner<Trace>::Node{4, 0, {"4"}}), std::invalid_argument);
  EXPECT_THROW(combiner.push(PairwiseCombiner<Trace>::Node{3, 1, {"3"}}), std::invalid_argument);
}

}  // namespace
}  // namespace sovrisk

// 1e16 + 1 rounds back to 1e16, so the order of the additions shows in the
// result. Each case also states what the nearby orders would give, so that the
// test tells them apart.
TEST(SumInFixedOrder, FollowsEigensSse2Order) {
  // n = 7: lanes (x0 + x2) + x4 = 2 and (x1 + x3) + x5 = 1e16 (the 1 is lost), then x6.
  // Adding the leftover pair after the lanes gives 1e16; left to right, 1e16.
  const double seven[] = {1, 1e16, 0, 0, 1, 1, 0};
  EXPECT_EQ(sovrisk::sum_in_fixed_order(seven, 7), 1e16 + 2);
  // n = 11: one whole group after the first, a leftover pair and a last value.
  // Leftovers after the lanes: 8; (s0 + s1) + (s2 + s3): 10; two lanes only: 14;
  // left to right: 10.
  const double eleven[] = {2, -1e16, 1, 2, 1e16, 1, 2, 0, 1e16, -1e16, 2};
  EXPECT_EQ(sovrisk::sum_in_fixed_order(eleven, 11), 6.0);
  EXPECT_EQ(sovrisk::sum_in_fixed_order(seven, 2), 1e16 + 1);
  EXPECT_EQ(sovrisk::sum_in_fixed_order(seven, 1), 1.0);
  EXPECT_EQ(sovrisk::sum_in_fixed_order(seven, 0), 0.0);
}
