#include "sovrisk/partial_io.h"

#include <limits>
#include <optional>

#include "hdf5_support.h"
#include "run_attributes.h"

namespace sovrisk {

using namespace hdf5;

namespace {

void write_partial_file(Writer& out, const Config& config, const PartialResult& partial,
                        const PartialInfo& info) {
  const hid_t root = out.file();
  const int months = config.scenario.months;
  write_run_attributes(root, config,
                       {info.checkpoint ? kCheckpointFileType : kPartialFileType,
                        kPartialFormatVersion, info.wall_seconds, info.threads, info.sample_paths});
  write_attribute(root, "fan_bins", static_cast<std::int64_t>(kFanBins), H5T_NATIVE_INT64);
  write_attribute(root, "per_path", static_cast<std::int64_t>(info.per_path), H5T_NATIVE_INT64);
  write_attribute(root, "shard", info.shard, H5T_NATIVE_UINT64);
  write_attribute(root, "shards", info.shards, H5T_NATIVE_UINT64);
  write_attribute(root, "rank", static_cast<std::int64_t>(info.rank), H5T_NATIVE_INT64);
  write_attribute(root, "ranks", static_cast<std::int64_t>(info.ranks), H5T_NATIVE_INT64);
  write_attribute(root, "range_first_block", info.range.first, H5T_NATIVE_UINT64);
  write_attribute(root, "range_end_block", info.range.end, H5T_NATIVE_UINT64);
  write_attribute(root, "end_block", partial.end_block(), H5T_NATIVE_UINT64);

  const FanAccumulator& fan = partial.fan;
  const std::size_t cells = fan.cells().size();
  std::vector<double> low(cells), high(cells), min(cells), max(cells);
  std::vector<std::uint64_t> total(cells), at_min(cells), at_max(cells);
  for (std::size_t i = 0; i < cells; ++i) {
    low[i] = fan.ranges()[i].low, high[i] = fan.ranges()[i].high;
    const FanAccumulator::Cell& cell = fan.cells()[i];
    total[i] = cell.total, min[i] = cell.min, max[i] = cell.max, at_min[i] = cell.at_min,
    at_max[i] = cell.at_max;
  }
  const std::vector<hsize_t> per_cell = {hsize_t(kVariableCount), hsize_t(months)};
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
  out.checksummed("/fan/bin_counts", H5T_NATIVE_UINT64, H5T_STD_U64LE, fan.bin_counts().data(),
                  {hsize_t(kVariableCount), hsize_t(months), hsize_t(kFanBins + 2)},
                  "Per histogram: underflow count, the bin counts, overflow count");

  for (int e = 0; e < kEventCount; ++e) {
    const std::string group = std::string("/") + event_name(e);
    out.group(group);
    out.checksummed(group + "/month_counts", H5T_NATIVE_UINT64, H5T_STD_U64LE,
                    partial.events.month_counts[e].data(), {hsize_t(months)},
                    "Paths of these blocks whose first month of the event is month t");
  }

  // The nodes of the pairwise summation, each the sums (variable x month) of
  // the aligned blocks first_block .. first_block + 2^level - 1.
  const auto& nodes = partial.sums.nodes();
  std::vector<std::uint64_t> first_blocks;
  std::vector<std::int32_t> levels;
  std::vector<double> values;
  for (const auto& node : nodes) {
    first_blocks.push_back(node.first_block);
    levels.push_back(node.level);
    for (int v = 0; v < kVariableCount; ++v) {
      for (int t = 0; t < months; ++t)
        values.push_back(node.value.sums(v, t));
    }
  }
  out.group("/sums");
  out.checksummed("/sums/first_block", H5T_NATIVE_UINT64, H5T_STD_U64LE, first_blocks.data(),
                  {nodes.size()}, "First block of each node of the pairwise summation tree");
  out.checksummed("/sums/level", H5T_NATIVE_INT32, H5T_STD_I32LE, levels.data(), {nodes.size()},
                  "Level of each node: it holds 2^level aligned blocks");
  out.checksummed("/sums/values", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, values.data(),
                  {nodes.size(), hsize_t(kVariableCount), hsize_t(months)},
                  "Sum over the node's paths of each variable in each month");

  out.group("/sample_paths");
  for (int v = 0; v < kVariableCount; ++v) {
    const RowMajorArray& rows = partial.sample_paths[v];
    out.checksummed(std::string("/sample_paths/") + variable_info(v).name, H5T_NATIVE_DOUBLE,
                    H5T_IEEE_F64LE, rows.data(), {hsize_t(rows.rows()), hsize_t(months)},
                    "The run's sample paths among these blocks' paths, one row per path");
  }
  if (info.per_path) {
    out.group("/per_path");
    for (int e = 0; e < kEventCount; ++e) {
      const auto& months_of_paths = partial.per_path_event_month[e];
      out.checksummed(std::string("/per_path/") + event_name(e) + "_month", H5T_NATIVE_INT32,
                      H5T_STD_I32LE, months_of_paths.data(), {months_of_paths.size()},
                      "First month of the event on each path of these blocks, -1 if none");
    }
  }
}

[[noreturn]] void damaged(const std::string& path, const std::string& what) {
  throw InputError(path + ": damaged partial result (" + what + ")");
}

}  // namespace

void write_partial(const std::string& path, const Config& config, const PartialResult& partial,
                   const PartialInfo& info) {
  write_atomically(path, [&](Writer& out) { write_partial_file(out, config, partial, info); });
}

PartialFileHeader read_partial_header(const std::string& path) {
  const InputFile file =
      InputFile::open(path, {kPartialFileType, kCheckpointFileType},
                      "sovrisk partial result or checkpoint", kPartialFormatVersion);
  PartialFileHeader header;
  header.path = path;
  header.filetype = file.text("filetype");
  if (file.number("block_size") != kBlockSize || file.number("fan_bins") != kFanBins) {
    throw InputError(path + ": written with " + std::to_string(file.number("block_size")) +
                     "-path blocks and " + std::to_string(file.number("fan_bins")) +
                     " histogram bins; this sovrisk uses " + std::to_string(kBlockSize) + " and " +
                     std::to_string(kFanBins));
  }
  header.config_yaml = file.text("config_yaml");
  header.config_hash = file.text("config_hash");
  header.seed = file.unsigned_number("seed");
  header.paths = file.unsigned_number("paths");
  const std::int64_t months = file.number("months");
  PartialInfo& info = header.info;
  info.checkpoint = header.filetype == kCheckpointFileType;
  info.shard = file.unsigned_number("shard");
  info.shards = file.unsigned_number("shards");
  info.rank = static_cast<int>(file.number("rank"));
  info.ranks = static_cast<int>(file.number("ranks"));
  info.range = {file.unsigned_number("range_first_block"), file.unsigned_number("range_end_block")};
  info.sample_paths = static_cast<std::uint64_t>(file.number("sample_paths"));
  info.per_path = file.number("per_path") != 0;
  info.threads = static_cast<int>(file.number("threads"));
  info.wall_seconds = file.real("wall_seconds");
  header.blocks = {info.range.first, file.unsigned_number("end_block")};
  if (months < 1 || months > std::numeric_limits<int>::max() || header.paths < 1 ||
      header.paths > kMaxPaths || info.shard < 1 || info.shard > info.shards || info.ranks < 1 ||
      info.rank < 0 || info.rank >= info.ranks ||
      !(info.range.first <= header.blocks.end && header.blocks.end <= info.range.end &&
        info.range.end <= block_count(header.paths))) {
    damaged(path, "its root attributes do not fit together");
  }
  header.months = static_cast<int>(months);
  if (!info.checkpoint && header.blocks.end != info.range.end)
    damaged(path, "a shard result with blocks missing");
  return header;
}

PartialResult read_partial(const PartialFileHeader& header) {
  const InputFile file(header.path);
  const std::string& path = header.path;
  const auto months = static_cast<std::size_t>(header.months);
  const std::uint64_t paths_held = paths_before(header.blocks.end, header.paths) -
                                   paths_before(header.blocks.first, header.paths);
  const std::vector<std::size_t> per_cell = {kVariableCount, months};

  const auto low = file.read<double>("/fan/range_low", H5T_NATIVE_DOUBLE, per_cell);
  const auto high = file.read<double>("/fan/range_high", H5T_NATIVE_DOUBLE, per_cell);
  const auto total = file.read<std::uint64_t>("/fan/total", H5T_NATIVE_UINT64, per_cell);
  const auto min = file.read<double>("/fan/min", H5T_NATIVE_DOUBLE, per_cell);
  const auto at_min = file.read<std::uint64_t>("/fan/at_min", H5T_NATIVE_UINT64, per_cell);
  const auto max = file.read<double>("/fan/max", H5T_NATIVE_DOUBLE, per_cell);
  const auto at_max = file.read<std::uint64_t>("/fan/at_max", H5T_NATIVE_UINT64, per_cell);
  auto bin_counts = file.read<std::uint64_t>("/fan/bin_counts", H5T_NATIVE_UINT64,
                                             {kVariableCount, months, kFanBins + 2});
  std::vector<FanAccumulator::Range> ranges;
  std::vector<FanAccumulator::Cell> cells;
  for (std::size_t i = 0; i < total.size(); ++i) {
    ranges.push_back({low[i], high[i]});
    cells.push_back({total[i], min[i], max[i], at_min[i], at_max[i]});
    if (total[i] != paths_held)
      damaged(path, "a histogram does not hold one value per path");
  }
  std::optional<FanAccumulator> fan;
  try {
    fan.emplace(kVariableCount, header.months, std::move(ranges), kFanBins, std::move(cells),
                std::move(bin_counts));
  } catch (const std::invalid_argument& error) {
    damaged(path, error.what());
  }

  EventCounts events(kEventCount, header.months);
  for (int e = 0; e < kEventCount; ++e) {
    events.month_counts[e] = file.read<std::uint64_t>(
        std::string("/") + event_name(e) + "/month_counts", H5T_NATIVE_UINT64, {months});
    std::uint64_t with_event = 0;
    for (const auto count : events.month_counts[e])
      with_event += count;
    if (with_event > paths_held)
      damaged(path, std::string("more ") + event_name(e) + " events than paths");
  }

  PartialResult partial(header.blocks.first, std::move(*fan), std::move(events));
  const auto node_shape = dataset_shape(file, path, "/sums/first_block");
  if (node_shape.size() != 1)
    damaged(path, "the summation nodes are not a list");
  const std::size_t nodes = node_shape[0];
  const auto first_blocks =
      file.read<std::uint64_t>("/sums/first_block", H5T_NATIVE_UINT64, {nodes});
  const auto levels = file.read<std::int32_t>("/sums/level", H5T_NATIVE_INT32, {nodes});
  const auto values =
      file.read<double>("/sums/values", H5T_NATIVE_DOUBLE, {nodes, kVariableCount, months});
  try {
    for (std::size_t n = 0; n < nodes; ++n) {
      if (levels[n] < 0 || levels[n] > 62)
        damaged(path, "a summation node of impossible level");
      BlockSums sums(kVariableCount, header.months);
      for (int v = 0; v < kVariableCount; ++v) {
        for (std::size_t t = 0; t < months; ++t)
          sums.sums(v, t) = values[(n * kVariableCount + v) * months + t];
      }
      partial.sums.push({first_blocks[n], levels[n], std::move(sums)});
    }
  } catch (const std::invalid_argument&) {
    damaged(path, "the summation nodes are out of order");
  }
  if (partial.end_block() != header.blocks.end)
    damaged(path, "the summation nodes do not cover its blocks");

  const std::uint64_t rows = sample_rows(header.blocks, header.paths, header.info.sample_paths);
  for (int v = 0; v < kVariableCount; ++v) {
    const auto flat = file.read<double>(std::string("/sample_paths/") + variable_info(v).name,
                                        H5T_NATIVE_DOUBLE, {rows, months});
    partial.sample_paths[v] = Eigen::Map<const RowMajorArray>(flat.data(), rows, header.months);
  }
  if (header.info.per_path) {
    for (int e = 0; e < kEventCount; ++e) {
      partial.per_path_event_month[e] = file.read<std::int32_t>(
          std::string("/per_path/") + event_name(e) + "_month", H5T_NATIVE_INT32, {paths_held});
    }
  }
  return partial;
}

}  // namespace sovrisk
