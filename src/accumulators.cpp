#include "sovrisk/accumulators.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace sovrisk {
namespace {

// The pilot's 0.5 % and 99.5 % quantiles, widened by this share of their
// distance on each side, bound the bins.
constexpr double kPilotTailLevel = 0.005;
constexpr double kRangeMargin = 0.10;

std::size_t order_index(std::size_t count, double level) {
  return static_cast<std::size_t>(std::floor(level * double(count - 1)));
}

// The order statistics at `level` and 1 - level (level < 0.5) of `values`,
// which it reorders. Both lie near an end, so a partial sort of each tail
// finds them in about one pass each (nth_element would take several).
std::pair<double, double> tail_order_statistics(std::vector<double>& values, double level) {
  const std::size_t n = values.size();
  const std::size_t low = order_index(n, level), high = order_index(n, 1.0 - level);
  const auto lowest = values.begin() + static_cast<std::ptrdiff_t>(low) + 1;
  std::partial_sort(values.begin(), lowest, values.end());
  if (high == low)
    return {values[low], values[low]};
  // Everything from `lowest` on is at least values[low]; the value with
  // n - 1 - high values above it is the high order statistic.
  const auto highest = lowest + static_cast<std::ptrdiff_t>(n - 1 - high) + 1;
  std::partial_sort(lowest, highest, values.end(), std::greater<>());
  return {values[low], *(highest - 1)};
}

}  // namespace

FanAccumulator::FanAccumulator(int series, int months, std::vector<Range> ranges, int bins)
    : series_(series),
      months_(months),
      bins_(bins),
      ranges_(std::move(ranges)),
      cells_(std::size_t(series) * months),
      counts_(std::size_t(series) * months * (bins + 2), 0) {
  if (ranges_.size() != cells_.size())
    throw std::invalid_argument("FanAccumulator: one range per cell");
  for (const auto& range : ranges_) {
    if (!(range.high > range.low))
      throw std::invalid_argument("FanAccumulator: empty range");
  }
}

FanAccumulator::FanAccumulator(int series, int months, std::vector<Range> ranges, int bins,
                               std::vector<Cell> cells, std::vector<std::uint64_t> bin_counts)
    : FanAccumulator(series, months, std::move(ranges), bins) {
  if (cells.size() != cells_.size() || bin_counts.size() != counts_.size()) {
    throw std::invalid_argument("FanAccumulator: state of the wrong size");
  }
  cells_ = std::move(cells);
  counts_ = std::move(bin_counts);
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const Cell& c = cells_[i];
    std::uint64_t binned = 0;
    for (int bin = 0; bin < bins_ + 2; ++bin)
      binned += counts(static_cast<int>(i))[bin];
    const bool extremes_fit = c.total == 0 ? c.at_min == 0 && c.at_max == 0
                                           : c.min <= c.max && c.at_min >= 1 && c.at_max >= 1 &&
                                                 c.at_min <= c.total && c.at_max <= c.total;
    if (binned != c.total || !extremes_fit) {
      throw std::invalid_argument("FanAccumulator: inconsistent state in cell " +
                                  std::to_string(i));
    }
  }
}

FanAccumulator::Range FanAccumulator::range_for(std::vector<double> pilot_values) {
  // Non-finite values have no place among the bins (they go to the under- and
  // overflow bins and are reported when the run ends); the range comes from
  // the others, a default one when there are none.
  pilot_values.erase(std::remove_if(pilot_values.begin(), pilot_values.end(),
                                    [](double x) { return !std::isfinite(x); }),
                     pilot_values.end());
  if (pilot_values.empty())
    return {-1.0, 1.0};
  const auto [low, high] = tail_order_statistics(pilot_values, kPilotTailLevel);
  double margin = kRangeMargin * (high - low);
  // A pilot that saw a single value (no gap on any path, say) still needs bins.
  if (!(margin > 0))
    margin = std::max(1e-3 * std::abs(low), 1e-6);
  // Values near the largest double would widen the range past it; the bins
  // stay finite (and the range non-empty, as the margin is never below an ulp).
  constexpr double kLargest = std::numeric_limits<double>::max();
  return {std::max(low - margin, -kLargest), std::min(high + margin, kLargest)};
}

FanAccumulator::Cell FanAccumulator::describe(const double* values, int count) {
  const Eigen::Map<const Eigen::ArrayXd> batch(values, count);
  Cell c;
  c.total = static_cast<std::uint64_t>(count);
  c.min = batch.minCoeff();
  c.max = batch.maxCoeff();
  c.at_min = static_cast<std::uint64_t>((batch == c.min).count());
  c.at_max = static_cast<std::uint64_t>((batch == c.max).count());
  return c;
}

void FanAccumulator::merge_cell(Cell& into, const Cell& batch) {
  if (batch.total == 0)
    return;
  if (into.total == 0) {
    into = batch;
    return;
  }
  if (batch.min < into.min) {
    into.min = batch.min;
    into.at_min = batch.at_min;
  } else if (batch.min == into.min) {
    into.at_min += batch.at_min;
  }
  if (batch.max > into.max) {
    into.max = batch.max;
    into.at_max = batch.at_max;
  } else if (batch.max == into.max) {
    into.at_max += batch.at_max;
  }
  into.total += batch.total;
}

void FanAccumulator::add(int series, int month, const double* values, int count) {
  if (count == 0)
    return;
  const int index = cell(series, month);
  merge_cell(cells_[index], describe(values, count));
  std::uint64_t* bins = counts(index);
  const Range range = ranges_[index];
  const double per_unit = bins_ / (range.high - range.low);
  for (int i = 0; i < count; ++i)
    ++bins[bin_of(values[i], range, per_unit, bins_)];
}

void FanAccumulator::merge(const FanAccumulator& other) {
  if (other.cells_.size() != cells_.size() || other.bins_ != bins_) {
    throw std::invalid_argument("FanAccumulator::merge: different shapes");
  }
  if (other.ranges_ != ranges_)
    throw std::invalid_argument("FanAccumulator::merge: different ranges");
  for (std::size_t i = 0; i < cells_.size(); ++i)
    merge_cell(cells_[i], other.cells_[i]);
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
}

void FanAccumulator::clear() {
  std::fill(cells_.begin(), cells_.end(), Cell{});
  std::fill(counts_.begin(), counts_.end(), 0);
}

BufferedFanAccumulator::BufferedFanAccumulator(int series, int months,
                                               std::vector<FanAccumulator::Range> ranges, int bins)
    : total_(series, months, std::move(ranges), bins),
      buffered_cells_(total_.cells_.size()),
      buffered_counts_(total_.counts_.size() + kSpareSlots, 0) {}

void BufferedFanAccumulator::add(int series, int month, const double* values, int count) {
  if (count == 0)
    return;
  constexpr auto kBufferLimit = std::numeric_limits<std::uint16_t>::max();
  if (count > kBufferLimit) {
    total_.add(series, month, values, count);
    return;
  }
  const int index = total_.cell(series, month);
  FanAccumulator::Cell& buffered = buffered_cells_[index];
  if (buffered.total + static_cast<std::uint64_t>(count) > kBufferLimit)
    fold(index);
  const FanAccumulator::Cell batch = FanAccumulator::describe(values, count);
  FanAccumulator::merge_cell(buffered, batch);

  // Bin indices first, in a loop the compiler vectorises, then the increments.
  // The extremes are often point masses (an empty fund, no gap): incremented
  // one by one, each would wait for the last, so their lanes count into spare
  // slots past the histograms instead and the batch's tallies go in at once.
  const FanAccumulator::Range range = total_.ranges_[index];
  const int bins = total_.bins_;
  const double per_unit = bins / (range.high - range.low);
  const std::size_t first = std::size_t(index) * (bins + 2);
  const auto spare = static_cast<int>(buffered_counts_.size() - kSpareSlots - first);
  bins_of_batch_.resize(static_cast<std::size_t>(count));
  int* bin = bins_of_batch_.data();
  for (int i = 0; i < count; ++i) {
    const double x = values[i];
    const int inside = FanAccumulator::bin_of(x, range, per_unit, bins);
    const bool extreme = (x == batch.min) | (x == batch.max);
    bin[i] = extreme ? spare + (i & (kSpareSlots - 1)) : inside;
  }
  std::uint16_t* counts = &buffered_counts_[first];
  for (int i = 0; i < count; ++i)
    ++counts[bin[i]];
  counts[FanAccumulator::bin_of(batch.min, range, per_unit, bins)] += batch.at_min;
  if (batch.max != batch.min)
    counts[FanAccumulator::bin_of(batch.max, range, per_unit, bins)] += batch.at_max;
}

void BufferedFanAccumulator::fold(int cell_index) {
  FanAccumulator::Cell& buffered = buffered_cells_[cell_index];
  if (buffered.total == 0)
    return;
  FanAccumulator::merge_cell(total_.cells_[cell_index], buffered);
  buffered = FanAccumulator::Cell{};
  const int width = total_.bins_ + 2;
  std::uint16_t* from = &buffered_counts_[std::size_t(cell_index) * width];
  std::uint64_t* to = total_.counts(cell_index);
  for (int bin = 0; bin < width; ++bin)
    to[bin] += from[bin];
  std::fill(from, from + width, 0);
}

const FanAccumulator& BufferedFanAccumulator::flushed() {
  for (int i = 0; i < static_cast<int>(buffered_cells_.size()); ++i)
    fold(i);
  return total_;
}

void BufferedFanAccumulator::clear() {
  total_.clear();
  std::fill(buffered_cells_.begin(), buffered_cells_.end(), FanAccumulator::Cell{});
  std::fill(buffered_counts_.begin(), buffered_counts_.end(), 0);
}

double FanAccumulator::bin_width(int series, int month) const {
  const Range& range = ranges_[cell(series, month)];
  return (range.high - range.low) / bins_;
}

double FanAccumulator::quantile(int series, int month, double level) const {
  const int index = cell(series, month);
  const Cell& c = cells_[index];
  if (c.total == 0)
    return std::nan("");
  // Sample quantile with linear interpolation between order statistics
  // (numpy's default): position h among the sorted values x_0 .. x_{n-1}.
  const double n = static_cast<double>(c.total);
  const double h = level * (n - 1);
  if (std::ceil(h) < static_cast<double>(c.at_min))
    return c.min;
  if (std::floor(h) >= n - static_cast<double>(c.at_max))
    return c.max;

  const Range& range = ranges_[index];
  const double width = (range.high - range.low) / bins_;
  const double rank = h + 0.5;  // the centre of value h's unit of mass in count space
  const std::uint64_t* bins = counts(index);
  double below = 0;
  for (int bin = 0; bin < bins_ + 2; ++bin) {
    const auto in_bin = static_cast<double>(bins[bin]);
    if (below + in_bin > rank) {
      double from, to;
      if (bin == 0) {
        from = c.min, to = range.low;
      } else if (bin == bins_ + 1) {
        from = range.high, to = c.max;
      } else {
        from = range.low + (bin - 1) * width, to = from + width;
      }
      const double x = from + (rank - below) / in_bin * (to - from);
      return std::clamp(x, c.min, c.max);
    }
    below += in_bin;
  }
  return c.max;
}

double sum_in_fixed_order(const double* x, int count) {
  if (count == 0)
    return 0.0;
  if (count == 1)
    return x[0];
  const int pairs_end = count / 2 * 2, quads_end = count / 4 * 4;
  double even = x[0], odd = x[1];
  if (pairs_end > 2) {
    double even_high = x[2], odd_high = x[3];
    for (int i = 4; i < quads_end; i += 4) {
      even += x[i];
      odd += x[i + 1];
      even_high += x[i + 2];
      odd_high += x[i + 3];
    }
    even += even_high;
    odd += odd_high;
    if (pairs_end > quads_end) {
      even += x[quads_end];
      odd += x[quads_end + 1];
    }
  }
  double sum = even + odd;
  for (int i = pairs_end; i < count; ++i)
    sum += x[i];
  return sum;
}

void EventCounts::merge(const EventCounts& other) {
  for (std::size_t event = 0; event < month_counts.size(); ++event) {
    for (std::size_t month = 0; month < month_counts[event].size(); ++month) {
      month_counts[event][month] += other.month_counts[event][month];
    }
  }
}

}  // namespace sovrisk
