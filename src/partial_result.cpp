#include "sovrisk/partial_result.h"

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

// The fan charts' histograms.

void FanHistograms::save(Writer& out, const RangeShape& shape) const {
  check_fits(series() == shape.outputs.variables && months() == shape.months, "histograms");
  const std::size_t count = cells().size();
  std::vector<double> low(count), high(count), min(count), max(count);
  std::vector<std::uint64_t> total(count), at_min(count), at_max(count);
  for (std::size_t i = 0; i < count; ++i) {
    low[i] = ranges()[i].low, high[i] = ranges()[i].high;
    const Cell& cell = cells()[i];
    total[i] = cell.total, min[i] = cell.min, max[i] = cell.max, at_min[i] = cell.at_min,
    at_max[i] = cell.at_max;
  }
  const std::vector<hsize_t> per_cell = {hsize_t(series()), hsize_t(months())};
  auto doubles = [&](const std::string& name, const std::vector<double>& values,
                     const std::string& what) {
    out.checksummed(name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, values.data(), per_cell, what);
  };
  auto counts = [&](const std::string& name, const std::vector<std::uint64_t>& values,
                    const std::string& what) {
    out.checksummed(name, H5T_NATIVE_UINT64, H5T_STD_U64LE, values.data(), per_cell, what);
  };
  out.group("/fan");
  doubles("/fan/range_low", low,
          "Lower end of each histogram's binned range (from the run's pilot)");
  doubles("/fan/range_high", high, "Upper end of each histogram's binned range");
  counts("/fan/total", total, "Values in each histogram");
  doubles("/fan/min", min, "Exact smallest value of each histogram (0 if empty)");
  counts("/fan/at_min", at_min, "Values equal to the smallest");
  doubles("/fan/max", max, "Exact largest value of each histogram (0 if empty)");
  counts("/fan/at_max", at_max, "Values equal to the largest");
  out.checksummed("/fan/bin_counts", H5T_NATIVE_UINT64, H5T_STD_U64LE, bin_counts().data(),
                  {hsize_t(series()), hsize_t(months()), hsize_t(bins() + 2)},
                  "Per histogram: underflow count, the bin counts, overflow count");
}

void FanHistograms::load(const InputFile& in, const RangeShape& shape) {
  const auto variables = std::size_t(shape.outputs.variables);
  const std::vector<std::size_t> per_cell = {variables, std::size_t(shape.months)};
  const auto low = in.read<double>("/fan/range_low", H5T_NATIVE_DOUBLE, per_cell, kStored);
  const auto high = in.read<double>("/fan/range_high", H5T_NATIVE_DOUBLE, per_cell, kStored);
  const auto total = in.read<std::uint64_t>("/fan/total", H5T_NATIVE_UINT64, per_cell, kStored);
  const auto min = in.read<double>("/fan/min", H5T_NATIVE_DOUBLE, per_cell, kStored);
  const auto at_min = in.read<std::uint64_t>("/fan/at_min", H5T_NATIVE_UINT64, per_cell, kStored);
  const auto max = in.read<double>("/fan/max", H5T_NATIVE_DOUBLE, per_cell, kStored);
  const auto at_max = in.read<std::uint64_t>("/fan/at_max", H5T_NATIVE_UINT64, per_cell, kStored);
  auto bin_counts = in.read<std::uint64_t>(
      "/fan/bin_counts", H5T_NATIVE_UINT64,
      {variables, std::size_t(shape.months), std::size_t(kFanBins + 2)}, kStored);
  std::vector<Range> ranges;
  std::vector<Cell> cells;
  for (std::size_t i = 0; i < total.size(); ++i) {
    ranges.push_back({low[i], high[i]});
    cells.push_back({total[i], min[i], max[i], at_min[i], at_max[i]});
    if (total[i] != shape.paths)
      damaged(in, "a histogram does not hold one value per path");
  }
  try {
    FanAccumulator::operator=(FanAccumulator(shape.outputs.variables, shape.months,
                                             std::move(ranges), kFanBins, std::move(cells),
                                             std::move(bin_counts)));
  } catch (const std::invalid_argument& error) {
    damaged(in, error.what());
  }
}

void FanHistograms::pack(Packer& out) const {
  out.put(series());
  out.put(months());
  out.put(bins());
  out.put_all(ranges());
  out.put_all(cells());
  out.put_all(bin_counts());
}

void FanHistograms::unpack(Unpacker& in) {
  const int series = in.get<int>(), months = in.get<int>(), bins = in.get<int>();
  auto ranges = in.get_all<Range>();
  auto cells = in.get_all<Cell>();
  auto bin_counts = in.get_all<std::uint64_t>();
  FanAccumulator::operator=(FanAccumulator(series, months, std::move(ranges), bins,
                                           std::move(cells), std::move(bin_counts)));
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
