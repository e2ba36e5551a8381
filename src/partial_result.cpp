#include "sovrisk/partial_result.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>

#include "hdf5_support.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"

namespace sovrisk {

using namespace hdf5;

namespace {

// Partial files checksum every dataset and are read back into exact sums.
constexpr Storage kStored{true, true};

[[noreturn]] void damaged(const InputFile& in, const std::string& what) {
  throw InputError(in.path() + ": damaged partial result (" + what + ")");
}

// What only a bug could produce: a statistic whose size is not its range's.
void check_fits(bool fits, const char* what) {
  if (!fits)
    throw std::logic_error(std::string("partial result: ") + what + " do not fit the range");
}

}  // namespace

// Histograms: those of /fan, of the conditional fans and of the drivers at
// the default month, each in its own group.

namespace {

void save_histograms(Writer& out, const std::string& group, const FanAccumulator& fan) {
  const std::size_t count = fan.cells().size();
  std::vector<double> low(count), high(count), min(count), max(count);
  std::vector<std::uint64_t> total(count), at_min(count), at_max(count);
  for (std::size_t i = 0; i < count; ++i) {
    low[i] = fan.ranges()[i].low, high[i] = fan.ranges()[i].high;
    const FanAccumulator::Cell& cell = fan.cells()[i];
    total[i] = cell.total, min[i] = cell.min, max[i] = cell.max, at_min[i] = cell.at_min,
    at_max[i] = cell.at_max;
  }
  const std::vector<hsize_t> per_cell = {hsize_t(fan.series()), hsize_t(fan.months())};
  auto doubles = [&](const std::string& name, const std::vector<double>& values,
                     const std::string& what) {
    out.checksummed(group + "/" + name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, values.data(), per_cell,
                    what);
  };
  auto counts = [&](const std::string& name, const std::vector<std::uint64_t>& values,
                    const std::string& what) {
    out.checksummed(group + "/" + name, H5T_NATIVE_UINT64, H5T_STD_U64LE, values.data(), per_cell,
                    what);
  };
  out.group(group);
  doubles("range_low", low, "Lower end of each histogram's binned range (from the run's pilot)");
  doubles("range_high", high, "Upper end of each histogram's binned range");
  counts("total", total, "Values in each histogram");
  doubles("min", min, "Exact smallest value of each histogram (0 if empty)");
  counts("at_min", at_min, "Values equal to the smallest");
  doubles("max", max, "Exact largest value of each histogram (0 if empty)");
  counts("at_max", at_max, "Values equal to the largest");
  out.checksummed(group + "/bin_counts", H5T_NATIVE_UINT64, H5T_STD_U64LE, fan.bin_counts().data(),
                  {hsize_t(fan.series()), hsize_t(fan.months()), hsize_t(fan.bins() + 2)},
                  "Per histogram: underflow count, the bin counts, overflow count");
}

// The histograms of `group`, `series` x `months` of them, each of which must
// hold `values` values.
FanAccumulator load_histograms(const InputFile& in, const std::string& group, int series,
                               int months, std::uint64_t values) {
  const std::vector<std::size_t> per_cell = {std::size_t(series), std::size_t(months)};
  auto doubles = [&](const char* name) {
    return in.read<double>(group + "/" + name, H5T_NATIVE_DOUBLE, per_cell, kStored);
  };
  auto counts = [&](const char* name) {
    return in.read<std::uint64_t>(group + "/" + name, H5T_NATIVE_UINT64, per_cell, kStored);
  };
  const auto low = doubles("range_low"), high = doubles("range_high"), min = doubles("min"),
             max = doubles("max");
  const auto total = counts("total"), at_min = counts("at_min"), at_max = counts("at_max");
  auto bin_counts = in.read<std::uint64_t>(
      group + "/bin_counts", H5T_NATIVE_UINT64,
      {std::size_t(series), std::size_t(months), std::size_t(kFanBins + 2)}, kStored);
  std::vector<FanAccumulator::Range> ranges;
  std::vector<FanAccumulator::Cell> cells;
  for (std::size_t i = 0; i < total.size(); ++i) {
    ranges.push_back({low[i], high[i]});
    cells.push_back({total[i], min[i], max[i], at_min[i], at_max[i]});
    if (total[i] != values)
      damaged(in, "a histogram of " + group + " holds " + std::to_string(total[i]) +
                      " values, not " + std::to_string(values));
  }
  try {
    return FanAccumulator(series, months, std::move(ranges), kFanBins, std::move(cells),
                          std::move(bin_counts));
  } catch (const std::invalid_argument& error) {
    damaged(in, error.what());
  }
}

void pack_histograms(Packer& out, const FanAccumulator& fan) {
  out.put(fan.series());
  out.put(fan.months());
  out.put(fan.bins());
  out.put_all(fan.ranges());
  out.put_all(fan.cells());
  out.put_all(fan.bin_counts());
}

FanAccumulator unpack_histograms(Unpacker& in) {
  const int series = in.get<int>(), months = in.get<int>(), bins = in.get<int>();
  auto ranges = in.get_all<FanAccumulator::Range>();
  auto cells = in.get_all<FanAccumulator::Cell>();
  auto bin_counts = in.get_all<std::uint64_t>();
  return FanAccumulator(series, months, std::move(ranges), bins, std::move(cells),
                        std::move(bin_counts));
}

bool same_histograms(const FanAccumulator& a, const FanAccumulator& b) {
  if (a.ranges() != b.ranges() || a.bin_counts() != b.bin_counts() ||
      a.cells().size() != b.cells().size())
    return false;
  for (std::size_t i = 0; i < a.cells().size(); ++i) {
    const FanAccumulator::Cell &x = a.cells()[i], &y = b.cells()[i];
    if (x.total != y.total || x.min != y.min || x.max != y.max || x.at_min != y.at_min ||
        x.at_max != y.at_max)
      return false;
  }
  return true;
}

}  // namespace

void FanHistograms::save(Writer& out, const RangeShape& shape) const {
  check_fits(series() == shape.outputs.variables && months() == shape.months, "histograms");
  save_histograms(out, "/fan", *this);
}

void FanHistograms::load(const InputFile& in, const RangeShape& shape) {
  FanAccumulator::operator=(
      load_histograms(in, "/fan", shape.outputs.variables, shape.months, shape.paths));
}

void FanHistograms::pack(Packer& out) const {
  pack_histograms(out, *this);
}

void FanHistograms::unpack(Unpacker& in) {
  FanAccumulator::operator=(unpack_histograms(in));
}

// The conditional fans.

ConditionalFans::ConditionalFans(const FanAccumulator& fan)
    : defaulted(fan.series(), fan.months(), fan.ranges(), fan.bins()),
      not_defaulted(fan.series(), fan.months(), fan.ranges(), fan.bins()) {}

std::uint64_t ConditionalFans::defaulted_paths() const {
  return defaulted.cells().empty() ? 0 : defaulted.cells()[0].total;
}

std::uint64_t ConditionalFans::not_defaulted_paths() const {
  return not_defaulted.cells().empty() ? 0 : not_defaulted.cells()[0].total;
}

void ConditionalFans::append(const ConditionalFans& later) {
  defaulted.merge(later.defaulted);
  not_defaulted.merge(later.not_defaulted);
}

void ConditionalFans::save(Writer& out, const RangeShape& shape) const {
  check_fits(defaulted.series() == shape.outputs.variables && defaulted.months() == shape.months &&
                 not_defaulted.series() == shape.outputs.variables &&
                 not_defaulted.months() == shape.months,
             "conditional histograms");
  out.group("/conditional");
  save_histograms(out, "/conditional/default", defaulted);
  save_histograms(out, "/conditional/no_default", not_defaulted);
}

void ConditionalFans::load(const InputFile& in, const RangeShape& shape) {
  // Every month holds the same paths: as many as the first histogram.
  const auto first = in.read<std::uint64_t>(
      "/conditional/default/total", H5T_NATIVE_UINT64,
      {std::size_t(shape.outputs.variables), std::size_t(shape.months)}, kStored)[0];
  if (first > shape.paths)
    damaged(in, "more paths default than the blocks hold");
  defaulted =
      load_histograms(in, "/conditional/default", shape.outputs.variables, shape.months, first);
  not_defaulted = load_histograms(in, "/conditional/no_default", shape.outputs.variables,
                                  shape.months, shape.paths - first);
}

void ConditionalFans::pack(Packer& out) const {
  pack_histograms(out, defaulted);
  pack_histograms(out, not_defaulted);
}

void ConditionalFans::unpack(Unpacker& in) {
  defaulted = unpack_histograms(in);
  not_defaulted = unpack_histograms(in);
}

// The drivers at the default month.

namespace {

std::vector<FanAccumulator::Range> driver_ranges(const FanAccumulator& fan, int months) {
  const auto spanned = [&](int variable, double scale) {
    double low = fan.ranges()[std::size_t(variable) * months].low;
    double high = fan.ranges()[std::size_t(variable) * months].high;
    for (int t = 1; t < months; ++t) {
      low = std::min(low, fan.ranges()[std::size_t(variable) * months + t].low);
      high = std::max(high, fan.ranges()[std::size_t(variable) * months + t].high);
    }
    constexpr double kLargest = std::numeric_limits<double>::max();
    return FanAccumulator::Range{std::max(scale * low, -kLargest),
                                 std::min(scale * high, kLargest)};
  };
  // The gap sums at most 12 months of the unfinanced gap.
  return {spanned(kOilPrice, 1), spanned(kFx, 1), spanned(kFund, 1), spanned(kUnfinanced, 12)};
}

}  // namespace

DefaultDrivers::DefaultDrivers(const FanAccumulator& fan, int months)
    : values(kCount, 1, driver_ranges(fan, months), fan.bins()),
      calendar_month(12, 0),
      depletion_lag(std::size_t(months), 0) {}

std::uint64_t DefaultDrivers::defaults() const {
  return values.cells().empty() ? 0 : values.cells()[0].total;
}

void DefaultDrivers::merge(const DefaultDrivers& other) {
  if (other.calendar_month.size() != calendar_month.size() ||
      other.depletion_lag.size() != depletion_lag.size())
    throw std::invalid_argument("DefaultDrivers::merge: different months");
  values.merge(other.values);
  for (std::size_t m = 0; m < calendar_month.size(); ++m)
    calendar_month[m] += other.calendar_month[m];
  for (std::size_t lag = 0; lag < depletion_lag.size(); ++lag)
    depletion_lag[lag] += other.depletion_lag[lag];
  without_depletion += other.without_depletion;
}

void DefaultDrivers::clear() {
  values.clear();
  std::fill(calendar_month.begin(), calendar_month.end(), 0);
  std::fill(depletion_lag.begin(), depletion_lag.end(), 0);
  without_depletion = 0;
}

void DefaultDrivers::save(Writer& out, const RangeShape& shape) const {
  check_fits(values.series() == kCount && values.months() == 1 && calendar_month.size() == 12 &&
                 depletion_lag.size() == std::size_t(shape.months),
             "drivers at the default month");
  if (H5Lexists(out.file(), "/conditional", H5P_DEFAULT) <= 0)
    out.group("/conditional");
  save_histograms(out, "/conditional/default_month", values);
  out.checksummed("/conditional/default_month/calendar_month", H5T_NATIVE_UINT64, H5T_STD_U64LE,
                  calendar_month.data(), {12}, "Defaults in January .. December");
  out.checksummed("/conditional/depletion_to_default_lag", H5T_NATIVE_UINT64, H5T_STD_U64LE,
                  depletion_lag.data(), {hsize_t(shape.months)},
                  "Defaults whose month is that of fund depletion plus 0, 1, ... months");
  out.checksummed("/conditional/default_without_depletion", H5T_NATIVE_UINT64, H5T_STD_U64LE,
                  &without_depletion, {1}, "Defaults with no fund depletion by their month");
}

void DefaultDrivers::load(const InputFile& in, const RangeShape& shape) {
  const auto first = in.read<std::uint64_t>("/conditional/default_month/total", H5T_NATIVE_UINT64,
                                            {std::size_t(kCount), 1}, kStored)[0];
  if (first > shape.paths)
    damaged(in, "more defaults than paths");
  values = load_histograms(in, "/conditional/default_month", kCount, 1, first);
  calendar_month = in.read<std::uint64_t>("/conditional/default_month/calendar_month",
                                          H5T_NATIVE_UINT64, {12}, kStored);
  depletion_lag = in.read<std::uint64_t>("/conditional/depletion_to_default_lag", H5T_NATIVE_UINT64,
                                         {std::size_t(shape.months)}, kStored);
  without_depletion = in.read<std::uint64_t>("/conditional/default_without_depletion",
                                             H5T_NATIVE_UINT64, {1}, kStored)[0];
  // Added up without overflow: each count against the defaults left.
  const auto add_up = [&](const std::vector<std::uint64_t>& counts, std::uint64_t start) {
    std::uint64_t sum = start;
    for (const auto count : counts) {
      if (count > first - sum)
        return false;
      sum += count;
    }
    return sum == first;
  };
  if (!add_up(calendar_month, 0))
    damaged(in, "the defaults by calendar month do not add up to the defaults");
  if (without_depletion > first || !add_up(depletion_lag, without_depletion))
    damaged(in, "the defaults by lag from depletion do not add up to the defaults");
}

void DefaultDrivers::pack(Packer& out) const {
  pack_histograms(out, values);
  out.put_all(calendar_month);
  out.put_all(depletion_lag);
  out.put(without_depletion);
}

void DefaultDrivers::unpack(Unpacker& in) {
  values = unpack_histograms(in);
  calendar_month = in.get_all<std::uint64_t>();
  depletion_lag = in.get_all<std::uint64_t>();
  without_depletion = in.get<std::uint64_t>();
}

// The event counts.

void EventMonthCounts::append(const EventMonthCounts& later) {
  if (later.month_counts.size() != month_counts.size() ||
      (!month_counts.empty() && later.month_counts[0].size() != month_counts[0].size())) {
    throw std::invalid_argument("EventMonthCounts::append: different events or months");
  }
  merge(later);
}

void EventMonthCounts::save(Writer& out, const RangeShape& shape) const {
  check_fits(month_counts.size() == std::size_t(shape.outputs.events), "event counts");
  for (int e = 0; e < shape.outputs.events; ++e) {
    check_fits(month_counts[e].size() == std::size_t(shape.months), "event counts");
    const std::string group = std::string("/") + event_name(e);
    out.group(group);
    out.checksummed(group + "/month_counts", H5T_NATIVE_UINT64, H5T_STD_U64LE,
                    month_counts[e].data(), {hsize_t(shape.months)},
                    "Paths of these blocks whose first month of the event is month t");
  }
}

void EventMonthCounts::load(const InputFile& in, const RangeShape& shape) {
  month_counts.assign(shape.outputs.events, {});
  for (int e = 0; e < shape.outputs.events; ++e) {
    month_counts[e] =
        in.read<std::uint64_t>(std::string("/") + event_name(e) + "/month_counts",
                               H5T_NATIVE_UINT64, {std::size_t(shape.months)}, kStored);
    // Added up without overflow: each count against the paths left.
    std::uint64_t with_event = 0;
    for (const auto count : month_counts[e]) {
      if (count > shape.paths - with_event)
        damaged(in, std::string("more ") + event_name(e) + " events than paths");
      with_event += count;
    }
  }
}

void EventMonthCounts::pack(Packer& out) const {
  out.put<std::uint64_t>(month_counts.size());
  for (const auto& counts : month_counts)
    out.put_all(counts);
}

void EventMonthCounts::unpack(Unpacker& in) {
  month_counts.resize(in.get<std::uint64_t>());
  for (auto& counts : month_counts)
    counts = in.get_all<std::uint64_t>();
}

// The pairwise summation's nodes.

void MeanSums::append(const MeanSums& later) {
  for (const auto& node : later.nodes())
    push(node);
}

// Each node holds the sums (variable x month) of the aligned blocks
// first_block .. first_block + 2^level - 1.
void MeanSums::save(Writer& out, const RangeShape& shape) const {
  const int variables = shape.outputs.variables;
  std::vector<std::uint64_t> first_blocks;
  std::vector<std::int32_t> levels;
  std::vector<double> values;
  for (const auto& node : nodes()) {
    check_fits(node.value.sums.rows() == variables && node.value.sums.cols() == shape.months,
               "summation nodes");
    first_blocks.push_back(node.first_block);
    levels.push_back(node.level);
    for (int v = 0; v < variables; ++v) {
      for (int t = 0; t < shape.months; ++t)
        values.push_back(node.value.sums(v, t));
    }
  }
  const hsize_t count = nodes().size();
  out.group("/sums");
  out.checksummed("/sums/first_block", H5T_NATIVE_UINT64, H5T_STD_U64LE, first_blocks.data(),
                  {count}, "First block of each node of the pairwise summation tree");
  out.checksummed("/sums/level", H5T_NATIVE_INT32, H5T_STD_I32LE, levels.data(), {count},
                  "Level of each node: it holds 2^level aligned blocks");
  out.checksummed("/sums/values", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, values.data(),
                  {count, hsize_t(variables), hsize_t(shape.months)},
                  "Sum over the node's paths of each variable in each month");
}

void MeanSums::load(const InputFile& in, const RangeShape& shape) {
  const auto variables = std::size_t(shape.outputs.variables);
  const auto months = std::size_t(shape.months);
  const auto node_shape = dataset_shape(in, in.path(), "/sums/first_block");
  if (node_shape.size() != 1)
    damaged(in, "the summation nodes are not a list");
  const std::size_t count = node_shape[0];
  const auto first_blocks =
      in.read<std::uint64_t>("/sums/first_block", H5T_NATIVE_UINT64, {count}, kStored);
  const auto levels = in.read<std::int32_t>("/sums/level", H5T_NATIVE_INT32, {count}, kStored);
  const auto values =
      in.read<double>("/sums/values", H5T_NATIVE_DOUBLE, {count, variables, months}, kStored);
  for (std::size_t n = 0; n < count; ++n) {
    if (levels[n] < 0 || levels[n] > 62)
      damaged(in, "a summation node of impossible level");
    BlockSums sums(shape.outputs.variables, shape.months);
    for (std::size_t v = 0; v < variables; ++v) {
      for (std::size_t t = 0; t < months; ++t)
        sums.sums(v, t) = values[(n * variables + v) * months + t];
    }
    try {
      push({first_blocks[n], levels[n], std::move(sums)});
    } catch (const std::invalid_argument&) {
      damaged(in, "the summation nodes are out of order");
    }
  }
  if (next_block() != shape.blocks.end)
    damaged(in, "the summation nodes do not cover its blocks");
}

void MeanSums::pack(Packer& out) const {
  out.put<std::uint64_t>(nodes().size());
  for (const auto& node : nodes()) {
    out.put(node.first_block);
    out.put(node.level);
    const Eigen::ArrayXXd& sums = node.value.sums;
    out.put(sums.rows());
    out.put_all(sums.data(), static_cast<std::size_t>(sums.size()));
  }
}

void MeanSums::unpack(Unpacker& in) {
  const auto count = in.get<std::uint64_t>();
  for (std::uint64_t n = 0; n < count; ++n) {
    const auto first_block = in.get<std::uint64_t>();
    const int level = in.get<int>();
    const auto rows = in.get<Eigen::Index>();
    const auto values = in.get_all<double>();
    BlockSums sums;
    sums.sums = Eigen::Map<const Eigen::ArrayXXd>(values.data(), rows,
                                                  rows ? Eigen::Index(values.size()) / rows : 0);
    push({first_block, level, std::move(sums)});
  }
}

// The sample paths.

void SamplePaths::append(const SamplePaths& later) {
  if (later.size() != size())
    throw std::invalid_argument("SamplePaths::append: different variables");
  for (std::size_t v = 0; v < size(); ++v) {
    RowMajorArray& rows = (*this)[v];
    const RowMajorArray& more = later[v];
    const Eigen::Index before = rows.rows();
    rows.conservativeResize(before + more.rows(), more.cols());
    rows.bottomRows(more.rows()) = more;
  }
}

void SamplePaths::save(Writer& out, const RangeShape& shape) const {
  check_fits(size() == std::size_t(shape.outputs.variables), "sample paths");
  out.group("/sample_paths");
  for (int v = 0; v < shape.outputs.variables; ++v) {
    const RowMajorArray& rows = (*this)[v];
    check_fits(std::uint64_t(rows.rows()) == shape.sample_rows &&
                   (rows.rows() == 0 || rows.cols() == shape.months),
               "sample paths");
    out.checksummed(std::string("/sample_paths/") + variable_info(v).name, H5T_NATIVE_DOUBLE,
                    H5T_IEEE_F64LE, rows.data(), {hsize_t(rows.rows()), hsize_t(shape.months)},
                    "The run's sample paths among these blocks' paths, one row per path");
  }
}

void SamplePaths::load(const InputFile& in, const RangeShape& shape) {
  assign(shape.outputs.variables, {});
  for (int v = 0; v < shape.outputs.variables; ++v) {
    const auto flat =
        in.read<double>(std::string("/sample_paths/") + variable_info(v).name, H5T_NATIVE_DOUBLE,
                        {shape.sample_rows, std::size_t(shape.months)}, kStored);
    (*this)[v] =
        Eigen::Map<const RowMajorArray>(flat.data(), Eigen::Index(shape.sample_rows), shape.months);
  }
}

void SamplePaths::pack(Packer& out) const {
  out.put<std::uint64_t>(size());
  for (const RowMajorArray& rows : *this) {
    out.put(rows.cols());
    out.put_all(rows.data(), static_cast<std::size_t>(rows.size()));
  }
}

void SamplePaths::unpack(Unpacker& in) {
  resize(in.get<std::uint64_t>());
  for (RowMajorArray& rows : *this) {
    const auto columns = in.get<Eigen::Index>();
    const auto values = in.get_all<double>();
    rows = Eigen::Map<const RowMajorArray>(
        values.data(), columns ? Eigen::Index(values.size()) / columns : 0, columns);
  }
}

// The per-path event months.

void PerPathEventMonths::append(const PerPathEventMonths& later) {
  if (later.size() != size())
    throw std::invalid_argument("PerPathEventMonths::append: different events");
  for (std::size_t e = 0; e < size(); ++e)
    (*this)[e].insert((*this)[e].end(), later[e].begin(), later[e].end());
}

void PerPathEventMonths::save(Writer& out, const RangeShape& shape) const {
  check_fits(size() == std::size_t(shape.outputs.events), "per-path event months");
  if (!shape.per_path)
    return;
  out.group("/per_path");
  for (int e = 0; e < shape.outputs.events; ++e) {
    const auto& months_of_paths = (*this)[e];
    check_fits(months_of_paths.size() == shape.paths, "per-path event months");
    out.checksummed(std::string("/per_path/") + event_name(e) + "_month", H5T_NATIVE_INT32,
                    H5T_STD_I32LE, months_of_paths.data(), {months_of_paths.size()},
                    "First month of the event on each path of these blocks, -1 if none");
  }
}

void PerPathEventMonths::load(const InputFile& in, const RangeShape& shape) {
  assign(shape.outputs.events, {});
  if (!shape.per_path)
    return;
  for (int e = 0; e < shape.outputs.events; ++e) {
    (*this)[e] = in.read<std::int32_t>(std::string("/per_path/") + event_name(e) + "_month",
                                       H5T_NATIVE_INT32, {shape.paths}, kStored);
    for (const auto month : (*this)[e]) {
      if (month != kNoEvent && (month < 0 || month >= shape.months))
        damaged(in, std::string("a path's ") + event_name(e) + " month outside the horizon");
    }
  }
}

void PerPathEventMonths::pack(Packer& out) const {
  out.put<std::uint64_t>(size());
  for (const auto& months_of_paths : *this)
    out.put_all(months_of_paths);
}

void PerPathEventMonths::unpack(Unpacker& in) {
  resize(in.get<std::uint64_t>());
  for (auto& months_of_paths : *this)
    months_of_paths = in.get_all<std::int32_t>();
}

// All of them.

void PartialResult::append(const PartialResult& later) {
  if (later.first_block != end_block())
    throw std::invalid_argument("PartialResult::append: ranges not adjacent");
  if (later.outputs() != outputs())
    throw std::invalid_argument("PartialResult::append: other outputs");
  std::apply(
      [&](auto&... mine) {
        std::apply([&](const auto&... theirs) { (mine.append(theirs), ...); }, statistics(later));
      },
      statistics(*this));
}

void PartialResult::save(Writer& out, const RangeShape& shape) const {
  check_fits(blocks() == shape.blocks, "blocks");
  std::apply([&](const auto&... statistic) { (statistic.save(out, shape), ...); },
             statistics(*this));
}

PartialResult PartialResult::load(const InputFile& in, const RangeShape& shape) {
  PartialResult partial(shape.blocks.first);
  std::apply([&](auto&... statistic) { (statistic.load(in, shape), ...); }, statistics(partial));
  // The statistics of one range must tell one story: the conditional
  // histograms split /fan's exactly, between the paths that default.
  const std::uint64_t defaults =
      shape.outputs.events > kDefault
          ? std::accumulate(partial.events.month_counts[kDefault].begin(),
                            partial.events.month_counts[kDefault].end(), std::uint64_t(0))
          : 0;
  FanAccumulator split = partial.conditional_fans.defaulted;
  try {
    split.merge(partial.conditional_fans.not_defaulted);
  } catch (const std::invalid_argument&) {
    damaged(in, "the conditional histograms have other ranges than the fan charts");
  }
  if (partial.conditional_fans.defaulted_paths() != defaults ||
      partial.default_drivers.defaults() != defaults || !same_histograms(split, partial.fan))
    damaged(in, "the conditional statistics do not match the fan charts and the default counts");
  const DefaultDrivers expected(partial.fan, shape.months);
  if (partial.default_drivers.values.ranges() != expected.values.ranges())
    damaged(in, "the ranges of the drivers at the default month are not the run's");
  return partial;
}

std::vector<std::byte> PartialResult::pack() const {
  Packer out;
  out.put(first_block);
  std::apply([&](const auto&... statistic) { (statistic.pack(out), ...); }, statistics(*this));
  return std::move(out.bytes());
}

PartialResult PartialResult::unpack(const std::vector<std::byte>& bytes) {
  Unpacker in(bytes);
  PartialResult partial(in.get<std::uint64_t>());
  std::apply([&](auto&... statistic) { (statistic.unpack(in), ...); }, statistics(partial));
  if (!in.done())
    throw std::length_error("PartialResult::unpack: bytes left over");
  const OutputSet outputs = partial.outputs();
  bool same_outputs = partial.sample_paths.size() == std::size_t(outputs.variables) &&
                      partial.per_path_event_month.size() == std::size_t(outputs.events);
  for (const auto& node : partial.sums.nodes())
    same_outputs = same_outputs && node.value.sums.rows() == outputs.variables;
  if (!same_outputs)
    throw std::length_error("PartialResult::unpack: statistics of different outputs");
  return partial;
}

}  // namespace sovrisk
