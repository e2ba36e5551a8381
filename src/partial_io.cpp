#include "sovrisk/partial_io.h"

#include <limits>
#include <utility>

#include "hdf5_support.h"
#include "run_attributes.h"

namespace sovrisk {

using namespace hdf5;

namespace {

// What the blocks `blocks` of a run of `paths` paths and `months` months,
// which reports `outputs`, hold.
RangeShape range_shape(std::uint64_t paths, int months, BlockRange blocks,
                       std::uint64_t sample_paths, bool per_path, const OutputSet& outputs) {
  return {blocks,
          months,
          paths_before(blocks.end, paths) - paths_before(blocks.first, paths),
          sample_rows(blocks, paths, sample_paths),
          per_path,
          outputs};
}

std::string list_text(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return "[" + text + "]";
}

[[noreturn]] void damaged(const std::string& path, const std::string& what) {
  throw InputError(path + ": damaged partial result (" + what + ")");
}

}  // namespace

void write_partial(const std::string& path, const Config& config, const PartialResult& partial,
                   const PartialInfo& info) {
  write_atomically(path, [&](Writer& out) {
    const hid_t root = out.file();
    write_run_attributes(
        root, config,
        {info.checkpoint ? kCheckpointFileType : kPartialFileType, kPartialFormatVersion,
         info.wall_seconds, info.threads, info.sample_paths, partial.outputs()});
    write_attribute(root, "fan_bins", static_cast<std::int64_t>(kFanBins), H5T_NATIVE_INT64);
    write_attribute(root, "per_path", static_cast<std::int64_t>(info.per_path), H5T_NATIVE_INT64);
    write_attribute(root, "shard", info.shard, H5T_NATIVE_UINT64);
    write_attribute(root, "shards", info.shards, H5T_NATIVE_UINT64);
    write_attribute(root, "rank", static_cast<std::int64_t>(info.rank), H5T_NATIVE_INT64);
    write_attribute(root, "ranks", static_cast<std::int64_t>(info.ranks), H5T_NATIVE_INT64);
    write_attribute(root, "range_first_block", info.range.first, H5T_NATIVE_UINT64);
    write_attribute(root, "range_end_block", info.range.end, H5T_NATIVE_UINT64);
    write_attribute(root, "end_block", partial.end_block(), H5T_NATIVE_UINT64);
    partial.save(out, range_shape(config.simulation.paths, config.scenario.months, partial.blocks(),
                                  info.sample_paths, info.per_path, partial.outputs()));
  });
}

PartialFileHeader read_partial_header(const std::string& path) {
  const InputFile file =
      InputFile::open(path, {kPartialFileType, kCheckpointFileType},
                      "sovrisk partial result or checkpoint", kPartialFormatVersion);
  PartialFileHeader header;
  header.path = path;
  header.filetype = file.text("filetype");
  header.format_version = file.text("format_version");
  require_this_stream_format(file);
  OutputLists listed = listed_outputs(file);
  header.variables = std::move(listed.variables);
  header.events = std::move(listed.events);
  if (file.number("block_size") != kBlockSize || file.number("fan_bins") != kFanBins) {
    throw InputError(path + ": written with " + std::to_string(file.number("block_size")) +
                     "-path blocks and " + std::to_string(file.number("fan_bins")) +
                     " histogram bins; this sovrisk uses " + std::to_string(kBlockSize) + " and " +
                     std::to_string(kFanBins));
  }
  header.config_yaml = file.text("config_yaml");
  header.config_hash = file.text("config_hash");
  header.label = file.has_attribute("label") ? file.text("label") : "";
  header.overrides = recorded_overrides(file).value_or(std::vector<std::string>{});
  header.seed = file.unsigned_number("seed");
  header.paths = file.unsigned_number("paths");
  const std::int64_t months = file.number("months");
  PartialInfo& info = header.info;
  info.checkpoint = header.filetype == kCheckpointFileType;
  info.shard = file.unsigned_number("shard");
  info.shards = file.unsigned_number("shards");
  const std::int64_t rank = file.number("rank"), ranks = file.number("ranks");
  info.range = {file.unsigned_number("range_first_block"), file.unsigned_number("range_end_block")};
  const std::int64_t sample_paths = file.number("sample_paths"), threads = file.number("threads");
  info.per_path = file.number("per_path") != 0;
  info.wall_seconds = file.real("wall_seconds");
  header.blocks = {info.range.first, file.unsigned_number("end_block")};
  constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
  if (months < 1 || months > kIntMax || header.paths < 1 || header.paths > kMaxPaths ||
      info.shard < 1 || info.shard > info.shards || ranks < 1 || ranks > kIntMax || rank < 0 ||
      rank >= ranks || sample_paths < 0 || std::uint64_t(sample_paths) > header.paths ||
      threads < 0 || threads > kIntMax ||
      !(info.range.first <= header.blocks.end && header.blocks.end <= info.range.end &&
        info.range.end <= block_count(header.paths))) {
    damaged(path, "its root attributes do not fit together");
  }
  header.months = static_cast<int>(months);
  info.rank = static_cast<int>(rank);
  info.ranks = static_cast<int>(ranks);
  info.sample_paths = static_cast<std::uint64_t>(sample_paths);
  info.threads = static_cast<int>(threads);
  if (!info.checkpoint && header.blocks.end != info.range.end)
    damaged(path, "a shard result with blocks missing");
  return header;
}

PartialResult read_partial(const PartialFileHeader& header, const OutputSet& outputs) {
  // Other outputs are another layout: say so, rather than that a dataset is missing.
  const auto variables = outputs.variable_names(), events = outputs.event_names();
  if (header.variables != variables || header.events != events) {
    throw InputError(header.path + ": written with output variables " +
                     list_text(header.variables) + " and events " + list_text(header.events) +
                     "; this sovrisk has " + list_text(variables) + " and " + list_text(events) +
                     ": merge and resume need the same sovrisk");
  }
  return PartialResult::load(InputFile(header.path),
                             range_shape(header.paths, header.months, header.blocks,
                                         header.info.sample_paths, header.info.per_path, outputs));
}

}  // namespace sovrisk
