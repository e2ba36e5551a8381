#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sovrisk {

// The quantile levels of every fan chart, in output order.
inline constexpr std::array<double, 7> kFanLevels = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

// Per-(series, month) fixed-bin histograms from which quantiles are read
// without storing the paths. Counts are integers and extremes are exact, so
// merging is exact and its order does not matter.
//
// A quantile that falls inside the binned range is off by at most one bin
// width (range / bins); one that falls in a point mass at the smallest or
// largest value (an empty fund, no unfinanced gap) is exact.
class FanAccumulator {
 public:
  struct Range {
    double low;
    double high;
    bool operator==(const Range& other) const { return low == other.low && high == other.high; }
  };

  // What one (series, month) holds besides its bin counts: the number of
  // values and the exact extremes with how many values equal each.
  struct Cell {
    std::uint64_t total = 0;
    double min = 0, max = 0;
    std::uint64_t at_min = 0, at_max = 0;
  };

  // `ranges` holds series-major (series * months + month) binning ranges.
  FanAccumulator(int series, int months, std::vector<Range> ranges, int bins);
  // An accumulator with a given state (a partial-result file, a reduction
  // across processes); throws std::invalid_argument if the state is not one
  // that adding values could have produced (wrong sizes, counts that do not add up).
  FanAccumulator(int series, int months, std::vector<Range> ranges, int bins,
                 std::vector<Cell> cells, std::vector<std::uint64_t> bin_counts);

  // A range from a pilot sample of one series in one month, wide enough that
  // the 5-95 % quantiles of the full run fall inside it.
  static Range range_for(std::vector<double> pilot_values);

  void add(int series, int month, const double* values, int count);
  // Exact, in any order; both must have the same ranges (the same pilot).
  void merge(const FanAccumulator& other);
  // Back to no values, keeping the ranges.
  void clear();

  std::uint64_t count(int series, int month) const { return cells_[cell(series, month)].total; }
  double quantile(int series, int month, double level) const;
  double bin_width(int series, int month) const;

  // The whole state, series-major like the ranges.
  int series() const { return series_; }
  int months() const { return months_; }
  int bins() const { return bins_; }
  const std::vector<Range>& ranges() const { return ranges_; }
  const std::vector<Cell>& cells() const { return cells_; }
  // Per cell: underflow, the bins, overflow.
  const std::vector<std::uint64_t>& bin_counts() const { return counts_; }

 private:
  int cell(int series, int month) const { return series * months_ + month; }
  friend class BufferedFanAccumulator;

  // The extremes and count of `values` (count > 0).
  static Cell describe(const double* values, int count);
  // Adds `batch` (the cell of other values) to `into`.
  static void merge_cell(Cell& into, const Cell& batch);
  // Underflow 0 (also -inf), bins 1 .. bins, overflow bins + 1 (also +inf and
  // NaN), whatever the value and the range. The offset is clamped before the
  // cast with the bound first: std::max(0.0, NaN) and std::min(b, NaN) give the
  // bound, so an infinite or NaN offset never reaches the cast.
  static int bin_of(double x, const Range& range, double per_unit, int bins) {
    int bin = 1 + static_cast<int>(std::min(bins - 1.0, std::max(0.0, (x - range.low) * per_unit)));
    bin = x < range.low ? 0 : bin;
    return x < range.high ? bin : bins + 1;
  }

  std::uint64_t* counts(int cell_index) { return &counts_[std::size_t(cell_index) * (bins_ + 2)]; }
  const std::uint64_t* counts(int cell_index) const {
    return &counts_[std::size_t(cell_index) * (bins_ + 2)];
  }

  int series_, months_, bins_;
  std::vector<Range> ranges_;
  std::vector<Cell> cells_;
  std::vector<std::uint64_t> counts_;  // per cell: underflow, bins, overflow
};

// A FanAccumulator behind 16-bit bin counts: a thread's histograms then take a
// quarter of the memory and stay in the processor's cache. A cell's counts are
// folded into the 64-bit accumulator before they could overflow and by
// flushed(), which is therefore exactly the FanAccumulator of every value added.
class BufferedFanAccumulator {
 public:
  BufferedFanAccumulator(int series, int months, std::vector<FanAccumulator::Range> ranges,
                         int bins);

  void add(int series, int month, const double* values, int count);
  // Every value added since clear().
  const FanAccumulator& flushed();
  void clear();

 private:
  void fold(int cell_index);

  // Scratch counters after the last cell (see add()); a power of two.
  static constexpr int kSpareSlots = 16;

  FanAccumulator total_;
  std::vector<FanAccumulator::Cell> buffered_cells_;
  std::vector<std::uint16_t> buffered_counts_;  // per cell: underflow, bins, overflow; spares
  std::vector<int> bins_of_batch_;
};

// What one block of paths contributes that is not an exact integer: the
// sums behind the means. Merged with PairwiseCombiner so that the result
// depends only on the block sequence, not on who computed which block.
struct BlockSums {
  BlockSums() = default;
  BlockSums(int series, int months) : sums(Eigen::ArrayXXd::Zero(series, months)) {}
  Eigen::ArrayXXd sums;  // series x months

  void merge(const BlockSums& later) { sums += later.sums; }
};

// The sum of `count` values in one fixed order, whatever SIMD width the
// compiler uses, that of Eigen's SSE2 reduction: four interleaved partial sums
// s_j = x_j + x_{j+4} + ... over the whole groups of four, folded into two
// lanes (s0 + s2, s1 + s3), a leftover pair added lane by lane, the two lanes
// added, then a last odd value. An AVX build thus sums a block exactly as a
// baseline x86-64 build does.
double sum_in_fixed_order(const double* values, int count);

// Integer tallies of a block: first-event months per event.
struct EventCounts {
  EventCounts() = default;
  EventCounts(int events, int months)
      : month_counts(events, std::vector<std::uint64_t>(months, 0)) {}
  std::vector<std::vector<std::uint64_t>> month_counts;  // [event][month]

  void merge(const EventCounts& other);
};

// Combines a sequence of block results by pairwise summation over the block
// index: block 2k is merged with 2k+1, then pairs of pairs, like a binary
// counter. The tree depends only on the block sequence, so the floating-point
// result is the same whichever thread or process computed each block, and the
// round-off grows with log(blocks) instead of blocks.
//
// A combiner may start at any block (a shard, an MPI rank): it then keeps the
// largest aligned subtrees of its range as nodes. Pushing every node of every
// range, in block order, into a combiner that starts at block 0 builds exactly
// the tree of a single pass over all blocks.
template <typename Value>
class PairwiseCombiner {
 public:
  // The merge of blocks first_block .. first_block + 2^level - 1.
  struct Node {
    std::uint64_t first_block;
    int level;
    Value value;
    std::uint64_t end_block() const { return first_block + (std::uint64_t(1) << level); }
  };

  explicit PairwiseCombiner(std::uint64_t first_block = 0) : next_block_(first_block) {}

  std::uint64_t next_block() const { return next_block_; }
  const std::vector<Node>& nodes() const { return nodes_; }

  // Adds the result of block next_block().
  void push(Value value) { push(Node{next_block_, 0, std::move(value)}); }

  // Adds a node that starts at next_block() and is aligned to its size.
  void push(Node node) {
    const std::uint64_t size = std::uint64_t(1) << node.level;
    if (node.first_block != next_block_ || node.first_block % size != 0) {
      throw std::invalid_argument("PairwiseCombiner: node out of order or not aligned");
    }
    next_block_ = node.end_block();
    // Merge with the left neighbour while it is the other half of an aligned pair.
    while (!nodes_.empty() && nodes_.back().level == node.level &&
           nodes_.back().end_block() == node.first_block &&
           nodes_.back().first_block % (std::uint64_t(2) << node.level) == 0) {
      Node left = std::move(nodes_.back());
      nodes_.pop_back();
      left.value.merge(node.value);
      left.level += 1;
      node = std::move(left);
    }
    nodes_.push_back(std::move(node));
  }

  // The combination of everything pushed; earlier blocks stay on the left.
  std::optional<Value> total() const {
    std::optional<Value> result;
    for (auto node = nodes_.rbegin(); node != nodes_.rend(); ++node) {
      if (!result) {
        result = node->value;
      } else {
        Value combined = node->value;
        combined.merge(*result);
        result = std::move(combined);
      }
    }
    return result;
  }

 private:
  std::uint64_t next_block_;
  std::vector<Node> nodes_;  // in block order, so in decreasing level
};

}  // namespace sovrisk
