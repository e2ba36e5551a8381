// Partial results and checkpoints in files: a round trip loses nothing, a
// resumed run equals the uninterrupted one, and a damaged file is refused.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "damaged_files.h"
#include "sovrisk/partial_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

namespace fs = std::filesystem;

using PartialIo = testing::ScratchDirectoryTest;

template <typename A>
bool same_bytes(const A& a, const A& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(*a.data()) * a.size()) == 0;
}

void expect_same(const PartialResult& a, const PartialResult& b) {
  EXPECT_EQ(a.blocks(), b.blocks());
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
  for (int v = 0; v < kVariableCount; ++v)
    EXPECT_TRUE(same_bytes(a.sample_paths[v], b.sample_paths[v]));
  for (int e = 0; e < kEventCount; ++e)
    EXPECT_EQ(a.per_path_event_month[e], b.per_path_event_month[e]);
}

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
  const PartialResult read = read_partial(header);
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
  expect_same(read_partial(header), shard);  // no sample paths in these blocks, no per-path months
}

void expect_refused(const std::string& path, const std::string& mention) {
  try {
    read_partial(read_partial_header(path));
    ADD_FAILURE() << path << " was read";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(mention), std::string::npos) << error.what();
  }
}

TEST_F(PartialIo, ADamagedFileIsRefusedNotMisread) {
  const Checkpointed saved;
  write_partial(file("ck.h5"), saved.config, *saved.state, saved.info);
  const auto size = fs::file_size(file("ck.h5"));

  fs::copy_file(file("ck.h5"), file("cut.h5"));
  fs::resize_file(file("cut.h5"), size / 2);
  expect_refused(file("cut.h5"), "truncated");

  for (const char* dataset :
       {"/fan/bin_counts", "/sums/values", "/default/month_counts", "/per_path/default_month"}) {
    SCOPED_TRACE(dataset);
    fs::copy_file(file("ck.h5"), file("bad.h5"), fs::copy_options::overwrite_existing);
    testing::damage_chunk(file("bad.h5"), dataset, 4);
    expect_refused(file("bad.h5"), std::string("dataset '") + dataset + "'");
  }

  std::ofstream(file("text.h5")) << "not HDF5";
  expect_refused(file("text.h5"), "not an HDF5 file");
  expect_refused(file("none.h5"), "cannot open");
}

}  // namespace
}  // namespace sovrisk
