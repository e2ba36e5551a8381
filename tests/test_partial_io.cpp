// Partial results and checkpoints in files: a round trip loses nothing, a
// resumed run equals the uninterrupted one, and a damaged file is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "damaged_files.h"
#include "partial_comparison.h"
#include "sovrisk/partial_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

namespace fs = std::filesystem;

using PartialIo = testing::ScratchDirectoryTest;

using testing::expect_same;

struct Checkpointed {
  Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions options;
  PartialInfo info;
  std::optional<PartialResult> state;

  // The first half of blocks 1..5, as a run stopped by a signal leaves it.
  Checkpointed() {
    options.sample_paths = 2500;
    options.per_path_events = true;
    info.checkpoint = true;
    info.range = {1, 5};
    info.sample_paths = options.sample_paths;
    info.per_path = true;
    info.threads = 2;
    info.wall_seconds = 1.5;
    RunOptions stopping = options;
    stopping.segments = 2;
    stopping.after_segment = [](const PartialResult&) { return false; };
    state = simulate_range(config, stopping, begin_range(config, options, 1), 5);
  }
};

TEST_F(PartialIo, ACheckpointRoundTripsAndResumesToTheUninterruptedNumbers) {
  const Checkpointed saved;
  ASSERT_EQ(saved.state->blocks(), (BlockRange{1, 3}));
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);

  const PartialFileHeader header = read_partial_header(file("ck.h5"));
  EXPECT_EQ(header.filetype, kCheckpointFileType);
  EXPECT_TRUE(header.info.checkpoint);
  EXPECT_EQ(header.blocks, (BlockRange{1, 3}));
  EXPECT_EQ(header.info.range, (BlockRange{1, 5}));
  EXPECT_EQ(header.config_hash, config_hash(saved.config));
  EXPECT_EQ(header.config_yaml, saved.config.effective_yaml);
  EXPECT_EQ(header.seed, 42u);
  EXPECT_EQ(header.paths, 6000u);
  EXPECT_EQ(header.info.sample_paths, 2500u);
  EXPECT_EQ(header.info.wall_seconds, 1.5);
  const PartialResult read = read_partial(header, output_set(saved.config));
  expect_same(read, *saved.state);

  // Resumed from the file, the range equals one simulated without a stop.
  const PartialResult resumed = simulate_range(saved.config, saved.options, read, 5);
  const PartialResult straight =
      simulate_range(saved.config, saved.options, begin_range(saved.config, saved.options, 1), 5);
  expect_same(resumed, straight);
}

TEST_F(PartialIo, AShardsResultIsAPartialFile) {
  const Config config = testing::config_from(testing::stochastic_yaml());
  const RunOptions options;
  PartialInfo info;
  info.shard = 2, info.shards = 3, info.range = {2, 4}, info.sample_paths = 100;
  const PartialResult shard = simulate_range(config, options, begin_range(config, options, 2), 4);
  write_partial(file("part.h5"), config, shard, info);
  const PartialFileHeader header = read_partial_header(file("part.h5"));
  EXPECT_EQ(header.filetype, kPartialFileType);
  EXPECT_FALSE(header.info.checkpoint);
  EXPECT_EQ(header.info.shard, 2u);
  EXPECT_EQ(header.info.shards, 3u);
  expect_same(read_partial(header, output_set(config)),
              shard);  // no sample paths in these blocks, no per-path months
}

// What MPI does with partial results (src/cluster_mpi.cpp): each range packed
// to bytes and unpacked on another rank, then appended in a binary tree over
// the ranks. The bytes give back the very range, and the tree the numbers of
// the ranges appended one after the other.
TEST_F(PartialIo, PackedRangesAppendedInATreeEqualTheRangesInBlockOrder) {
  const Config config = testing::config_from(testing::stochastic_yaml());
  RunOptions options;
  options.sample_paths = 2500;
  options.per_path_events = true;
  const std::uint64_t cuts[] = {0, 1, 3, 4, 6};
  std::vector<PartialResult> ranges;
  for (int i = 0; i < 4; ++i) {
    ranges.push_back(
        simulate_range(config, options, begin_range(config, options, cuts[i]), cuts[i + 1]));
    expect_same(PartialResult::unpack(ranges.back().pack()), ranges.back());
  }
  PartialResult in_order = ranges[0];
  for (int i = 1; i < 4; ++i)
    in_order.append(ranges[i]);
  PartialResult left = PartialResult::unpack(ranges[0].pack());
  left.append(PartialResult::unpack(ranges[1].pack()));
  PartialResult right = PartialResult::unpack(ranges[2].pack());
  right.append(PartialResult::unpack(ranges[3].pack()));
  left.append(PartialResult::unpack(right.pack()));
  expect_same(left, in_order);
  expect_same(left, simulate_range(config, options, begin_range(config, options, 0), 6));

  std::vector<std::byte> cut = ranges[1].pack();
  cut.pop_back();
  EXPECT_THROW(PartialResult::unpack(cut), std::length_error);
}

// Read by a run of a model-v1 configuration, as the files of these tests are.
void expect_refused(const std::string& path, const std::vector<std::string>& mentions) {
  try {
    read_partial(read_partial_header(path), kModelV1Outputs);
    ADD_FAILURE() << path << " was read";
  } catch (const InputError& error) {
    for (const auto& mention : mentions)
      EXPECT_NE(std::string(error.what()).find(mention), std::string::npos) << error.what();
  }
}

void expect_refused(const std::string& path, const std::string& mention) {
  expect_refused(path, std::vector<std::string>{mention});
}

TEST_F(PartialIo, ADamagedFileIsRefusedNotMisread) {
  const Checkpointed saved;
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);
  const auto size = fs::file_size(file("ck.h5"));

  fs::copy_file(file("ck.h5"), file("cut.h5"));
  fs::resize_file(file("cut.h5"), size / 2);
  expect_refused(file("cut.h5"), "truncated");

  for (const char* dataset :
       {"/fan/bin_counts", "/sums/values", "/default/month_counts", "/per_path/default_month",
        "/conditional/default/bin_counts", "/conditional/default_month/bin_counts"}) {
    SCOPED_TRACE(dataset);
    fs::copy_file(file("ck.h5"), file("bad.h5"), fs::copy_options::overwrite_existing);
    testing::damage_chunk(file("bad.h5"), dataset, 4);
    expect_refused(file("bad.h5"), std::string("dataset '") + dataset + "'");
  }

  std::ofstream(file("text.h5")) << "not HDF5";
  expect_refused(file("text.h5"), "not an HDF5 file");
  expect_refused(file("none.h5"), "cannot open");
}

// Conditional statistics that do not add up, checksums and all (a file
// written by a faulty tool, say), are refused: the calendar months against the
// defaults, the conditional histograms against /fan and the default counts.
TEST_F(PartialIo, ConditionalStatisticsThatDoNotAddUpAreRefused) {
  const Checkpointed saved;
  const std::uint64_t defaults = saved.state->default_drivers.defaults();
  ASSERT_GT(defaults, 0u);
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);
  const std::string crafted = file("crafted.h5");
  auto craft = [&](const std::string& dataset, const std::vector<std::uint64_t>& values,
                   const std::vector<hsize_t>& dims, const std::string& mention) {
    SCOPED_TRACE(dataset);
    fs::copy_file(file("ck.h5"), crafted, fs::copy_options::overwrite_existing);
    testing::replace_dataset(crafted, dataset, H5T_STD_U64LE, dims, values.data(), true);
    expect_refused(crafted, mention);
  };
  std::vector<std::uint64_t> calendar = saved.state->default_drivers.calendar_month;
  calendar[0] += 1;
  craft("/conditional/default_month/calendar_month", calendar, {12}, "do not add up");
  craft("/conditional/default_without_depletion",
        {saved.state->default_drivers.without_depletion + 1}, {1}, "do not add up");
  // One path moved from the no-default histograms to the default ones in
  // every month: each is consistent alone, not with the default counts.
  const int months = saved.config.scenario.months;
  const auto moved = [&](const FanAccumulator& histograms, int change) {
    std::vector<std::uint64_t> totals;
    for (const auto& cell : histograms.cells())
      totals.push_back(cell.total + change);
    return totals;
  };
  craft("/conditional/default/total", moved(saved.state->conditional_fans.defaulted, 1),
        {hsize_t(kModelV1Variables), hsize_t(months)}, "damaged partial result");
  ASSERT_NO_THROW(read_partial(read_partial_header(file("ck.h5")), kModelV1Outputs));
}

// Attributes and datasets of another kind or shape than the layout's, as a
// crafted file could hold them: each is refused, naming the file, the object
// and what was expected, before anything is read into memory.
TEST_F(PartialIo, AttributesAndDatasetsOfTheWrongKindOrShapeAreRefused) {
  const Checkpointed saved;
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);
  const std::string crafted = file("crafted.h5");
  auto craft = [&](const std::function<void()>& change, const std::vector<std::string>& mentions) {
    fs::copy_file(file("ck.h5"), crafted, fs::copy_options::overwrite_existing);
    change();
    expect_refused(crafted, mentions);
  };
  using namespace testing;
  const std::vector<std::uint64_t> four = {1, 2, 3, 4};

  craft(
      [&] {
        replace_root_strings(crafted, "format_version", {"1.1", "1.1", "1.1", "1.1"}, {4});
      },
      {"crafted.h5: attribute 'format_version' holds 4 values; expected one string"});
  craft(
      [&] {
        const hid_t fixed = string_type(16);
        const char hashes[3][16] = {"crc64:0", "crc64:1", "crc64:2"};
        replace_root_attribute(crafted, "config_hash", fixed, {3}, hashes);
        H5Tclose(fixed);
      },
      {"crafted.h5: attribute 'config_hash' holds 3 values; expected one string"});
  craft([&] { replace_root_attribute(crafted, "seed", H5T_NATIVE_UINT64, {4}, four.data()); },
        {"crafted.h5: attribute 'seed' holds 4 values; expected one non-negative integer"});
  craft([&] { replace_root_strings(crafted, "end_block", {"3"}, {}); },
        {"attribute 'end_block' holds strings; expected one non-negative integer"});
  craft([&] { replace_root_strings(crafted, "wall_seconds", {"1.5"}, {}); },
        {"attribute 'wall_seconds' holds strings; expected one number"});
  craft(
      [&] {
        const std::int64_t negative = -5;
        replace_root_attribute(crafted, "paths", H5T_NATIVE_INT64, {}, &negative);
      },
      {"attribute 'paths' is -5; expected one non-negative integer"});
  craft([&] { replace_root_strings(crafted, "variables", {"oil_price"}, {}); },
        {"attribute 'variables' is not a list"});

  // Another list of outputs is another layout, and said so.
  auto fewer = kModelV1Outputs.variable_names();
  fewer.pop_back();
  craft([&] { replace_root_strings(crafted, "variables", fewer, {fewer.size()}); },
        {"crafted.h5: written with output variables [oil_price, fx", "] and events [default, ",
         "merge and resume need the same sovrisk"});

  const auto totals = dataset_dims(file("ck.h5"), "/fan/total");
  std::vector<double> as_reals(totals[0] * totals[1], 2048.0);
  craft([&] { replace_dataset(crafted, "/fan/total", H5T_NATIVE_DOUBLE, totals, as_reals.data()); },
        {"crafted.h5: dataset '/fan/total' holds floating-point numbers; expected integers"});
  const auto nodes = dataset_dims(file("ck.h5"), "/sums/level");
  std::vector<std::int32_t> levels(nodes[0] * 2, 0);
  craft(
      [&] {
        replace_dataset(crafted, "/sums/level", H5T_NATIVE_INT32, {nodes[0], 2}, levels.data());
      },
      {"dataset '/sums/level' has shape " + std::to_string(nodes[0]) + " x 2; expected " +
       std::to_string(nodes[0])});
  craft(
      [&] {
        std::vector<const char*> texts(2500 * 36, "1.0");
        const hid_t text = string_type();
        replace_dataset(crafted, "/sample_paths/fund", text, {2500, 36}, texts.data());
        H5Tclose(text);
      },
      {"dataset '/sample_paths/fund' holds strings; expected floating-point numbers"});

  // Counts that would add up to the paths only by overflowing.
  const auto months = dataset_dims(file("ck.h5"), "/default/month_counts");
  std::vector<std::uint64_t> counts(months[0], 0);
  counts[0] = std::numeric_limits<std::uint64_t>::max();
  counts[1] = 1;
  craft(
      [&] {
        replace_dataset(crafted, "/default/month_counts", H5T_NATIVE_UINT64, months, counts.data(),
                        true);
      },
      {"more default events than paths"});
  counts[0] = counts[1] = (std::uint64_t(1) << 63) - 1;
  craft(
      [&] {
        replace_dataset(crafted, "/default/month_counts", H5T_NATIVE_UINT64, months, counts.data(),
                        true);
      },
      {"more default events than paths"});
  // Rewritten by a tool that drops the checksum or narrows the type: refused
  // before any value is read.
  std::vector<std::uint64_t> zeros(months[0], 0);
  craft(
      [&] {
        replace_dataset(crafted, "/default/month_counts", H5T_NATIVE_UINT64, months, zeros.data());
      },
      {"crafted.h5: dataset '/default/month_counts' has no Fletcher-32 checksum"});
  std::vector<float> narrow(totals[0] * totals[1], 0.0f);
  craft(
      [&] { replace_dataset(crafted, "/fan/min", H5T_NATIVE_FLOAT, totals, narrow.data(), true); },
      {"crafted.h5: dataset '/fan/min' holds 32-bit floating-point numbers; expected 64-bit "
       "floating-point numbers"});
  const auto paths = dataset_dims(file("ck.h5"), "/per_path/depletion_month");
  std::vector<std::int32_t> late(paths[0], 36);
  craft(
      [&] {
        replace_dataset(crafted, "/per_path/depletion_month", H5T_NATIVE_INT32, paths, late.data(),
                        true);
      },
      {"a path's depletion month outside the horizon"});
  std::vector<std::int8_t> small(paths[0], -1);
  craft(
      [&] {
        replace_dataset(crafted, "/per_path/depletion_month", H5T_NATIVE_INT8, paths, small.data(),
                        true);
      },
      {"dataset '/per_path/depletion_month' holds 8-bit signed integers; expected 32-bit signed "
       "integers"});
}

// Format 1.1 added the lists; a 1.0 file holds the outputs of model v1 and is
// read as such (this build's are still those), a 2.0 file is refused.
TEST_F(PartialIo, Format10FilesAreReadAndAnotherMajorVersionIsRefused) {
  const Checkpointed saved;
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);
  fs::copy_file(file("ck.h5"), file("old.h5"));
  testing::delete_root_attribute(file("old.h5"), "variables");
  testing::delete_root_attribute(file("old.h5"), "events");
  testing::replace_root_strings(file("old.h5"), "format_version", {"1.0"}, {});
  expect_same(read_partial(read_partial_header(file("old.h5")), kModelV1Outputs), *saved.state);

  fs::copy_file(file("ck.h5"), file("new.h5"));
  testing::replace_root_strings(file("new.h5"), "format_version", {"2.0"}, {});
  expect_refused(file("new.h5"), "format version 2.0 is not readable by this sovrisk (reads 1.3)");
}

// A part or checkpoint drawn by other random streams (a file without the
// attribute stream_format was drawn by format 1) is never merged or resumed.
TEST_F(PartialIo, PartsOfAnotherStreamFormatAreRefused) {
  const Checkpointed saved;
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);
  EXPECT_EQ(read_partial_header(file("ck.h5")).format_version, kPartialFormatVersion);
  fs::copy_file(file("ck.h5"), file("format1.h5"));
  testing::delete_root_attribute(file("format1.h5"), "stream_format");
  expect_refused(file("format1.h5"),
                 "drawn by random stream format 1; this sovrisk draws format 2, and a run never "
                 "mixes them");
}

}  // namespace
}  // namespace sovrisk
