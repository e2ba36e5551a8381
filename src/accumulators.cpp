#include "sovrisk/accumulators.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sovrisk {
namespace {

// The pilot's 0.5 % and 99.5 % quantiles, widened by this share of their
// distance on each side, bound the bins.
constexpr double kPilotTailLevel = 0.005;
constexpr double kRangeMargin = 0.10;

double order_statistic(std::vector<double>& values, double level) {
  const auto index = static_cast<std::size_t>(std::floor(level * double(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + index, values.end());
  return values[index];
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
  if (pilot_values.empty())
    return {-1.0, 1.0};
  const double low = order_statistic(pilot_values, kPilotTailLevel);
  const double high = order_statistic(pilot_values, 1.0 - kPilotTailLevel);
  double margin = kRangeMargin * (high - low);
  // A pilot that saw a single value (no gap on any path, say) still needs bins.
  if (!(margin > 0))
    margin = std::max(1e-3 * std::abs(low), 1e-6);
  return {low - margin, high + margin};
}

void FanAccumulator::add(int series, int month, const double* values, int count) {
  if (count == 0)
    return;
  const int index = cell(series, month);
  const Eigen::Map<const Eigen::ArrayXd> batch(values, count);
  const double batch_min = batch.minCoeff(), batch_max = batch.maxCoeff();
  Cell& c = cells_[index];
  if (c.total == 0 || batch_min < c.min)
    c.min = batch_min, c.at_min = 0;
  if (c.total == 0 || batch_max > c.max)
    c.max = batch_max, c.at_max = 0;
  if (batch_min == c.min)
    c.at_min += (batch == batch_min).count();
  if (batch_max == c.max)
    c.at_max += (batch == batch_max).count();
  c.total += count;

  std::uint64_t* bins = counts(index);
  const Range range = ranges_[index];
  const double per_unit = bins_ / (range.high - range.low);
  for (int i = 0; i < count; ++i) {
    const double x = values[i];
    std::size_t bin;
    if (x < range.low) {
      bin = 0;
    } else if (x >= range.high) {
      bin = bins_ + 1;
    } else {
      bin = 1 +
            std::min<std::size_t>(static_cast<std::size_t>((x - range.low) * per_unit), bins_ - 1);
    }
    ++bins[bin];
  }
}

void FanAccumulator::merge(const FanAccumulator& other) {
  if (other.cells_.size() != cells_.size() || other.bins_ != bins_) {
    throw std::invalid_argument("FanAccumulator::merge: different shapes");
  }
  if (other.ranges_ != ranges_)
    throw std::invalid_argument("FanAccumulator::merge: different ranges");
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    Cell& mine = cells_[i];
    const Cell& theirs = other.cells_[i];
    if (theirs.total == 0)
      continue;
    if (mine.total == 0) {
      mine = theirs;
      continue;
    }
    if (theirs.min < mine.min) {
      mine.min = theirs.min;
      mine.at_min = theirs.at_min;
    } else if (theirs.min == mine.min) {
      mine.at_min += theirs.at_min;
    }
    if (theirs.max > mine.max) {
      mine.max = theirs.max;
      mine.at_max = theirs.at_max;
    } else if (theirs.max == mine.max) {
      mine.at_max += theirs.at_max;
    }
    mine.total += theirs.total;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
}

void FanAccumulator::clear() {
  std::fill(cells_.begin(), cells_.end(), Cell{});
  std::fill(counts_.begin(), counts_.end(), 0);
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

void EventCounts::merge(const EventCounts& other) {
  for (std::size_t event = 0; event < month_counts.size(); ++event) {
    for (std::size_t month = 0; month < month_counts[event].size(); ++month) {
      month_counts[event][month] += other.month_counts[event][month];
    }
  }
}

}  // namespace sovrisk
