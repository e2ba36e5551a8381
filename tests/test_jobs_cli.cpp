// Splitting a run and keeping it safe, from the command line: shards and
// `merge`, checkpoints on SIGTERM and every few seconds, `--resume`; each
// gives the datasets of one uninterrupted run, bit for bit.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <chrono>
#include <fstream>
#include <thread>

#include "cli_support.h"
#include "damaged_files.h"
#include "result_comparison.h"
#include "result_file_edits.h"
#include "sovrisk/engine.h"
#include "sovrisk/job.h"
#include "sovrisk/partial_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using testing::Outcome;
using testing::run_sovrisk;
namespace fs = std::filesystem;

class Jobs : public testing::CommandLineTest {
 protected:
  void expect_same_datasets(const std::string& a, const std::string& b) {
    const ResultFile x(a), y(b);
    EXPECT_EQ(testing::differences(x, y), std::vector<std::string>{}) << a << " vs " << b;
  }
  // A run of the test scenario (6000 paths: 6 blocks, the last partial) that
  // keeps sample paths across three blocks and every path's event months.
  std::string small_run() {
    return "run " + write("ok.yaml", testing::stochastic_yaml()) +
           " -q --per-path --sample-paths 2500 ";
  }
};

TEST_F(Jobs, ShardsMergedInAnyOrderEqualTheRun) {
  const std::string run = small_run();
  ASSERT_EQ(run_sovrisk(run + "-o " + file("run.h5")).exit_code, 0);
  for (int i = 1; i <= 3; ++i) {
    const Outcome shard = run_sovrisk(run + "--shard " + std::to_string(i) + "/3 -o " +
                                      file("part3_" + std::to_string(i) + ".h5"));
    ASSERT_EQ(shard.exit_code, 0) << shard.output;
  }
  const Outcome merged = run_sovrisk("merge " + file("part3_2.h5") + " " + file("part3_3.h5") +
                                     " " + file("part3_1.h5") + " -o " + file("merged3.h5"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("2027"), std::string::npos)
      << merged.output;  // the probability table
  expect_same_datasets(file("merged3.h5"), file("run.h5"));

  // Uneven shards (2, 2, 1, 1 blocks), one thread each.
  std::string parts;
  for (int i = 1; i <= 4; ++i) {
    const std::string part = file("part4_" + std::to_string(i) + ".h5");
    ASSERT_EQ(
        run_sovrisk(run + "--threads 1 --shard " + std::to_string(i) + "/4 -o " + part).exit_code,
        0);
    parts += part + " ";
  }
  ASSERT_EQ(run_sovrisk("merge " + parts + "-o " + file("merged4.h5")).exit_code, 0);
  expect_same_datasets(file("merged4.h5"), file("run.h5"));
  EXPECT_THROW(ResultFile(file("part4_2.h5")),
               InputError);  // a partial result is not a result file
}

TEST_F(Jobs, MergeRefusesPartsThatDoNotMakeTheRun) {
  const std::string run = small_run();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(run_sovrisk(run + "--shard " + std::to_string(i) + "/3 -o " +
                          file("p" + std::to_string(i) + ".h5"))
                  .exit_code,
              0);
  }
  ASSERT_EQ(run_sovrisk(run + "--seed 43 --shard 2/3 -o " + file("other_seed.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--shard 2/2 -o " + file("half.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "-o " + file("result.h5")).exit_code, 0);
  const std::string p1 = file("p1.h5"), p2 = file("p2.h5"), p3 = file("p3.h5");
  expect_refused("merge " + p1 + " " + p3, {"shard 2 of 3 missing"});
  expect_refused("merge " + p1 + " " + p2 + " " + p2 + " " + p3,
                 {"p2.h5 and ", "the same shard (2/3)"});
  expect_refused("merge " + p1 + " " + file("other_seed.h5") + " " + p3,
                 {"other_seed.h5: not a part of the same run", "seed 43"});
  expect_refused("merge " + p1 + " " + p2 + " " + file("half.h5"), {"overlap"});
  expect_refused("merge " + p1 + " " + p2 + " " + p3 + " " + file("result.h5"),
                 {"result.h5: not a sovrisk partial result", "sovrisk-result"});
  expect_refused("merge " + p1 + " " + p2 + " " + file("nowhere.h5"), {"nowhere.h5: cannot open"});
}

TEST_F(Jobs, BadShardIsRefused) {
  const std::string run = "run " + write("ok.yaml", testing::deterministic_yaml());
  expect_refused(run + " --shard 0/3", {"--shard 0/3", "1 <= i <= n"});
  expect_refused(run + " --shard 4/3", {"--shard 4/3"});
  expect_refused(run + " --shard 1", {"--shard 1:"});
}

// The default scenario, `paths` of it.
std::string long_run(std::uint64_t paths) {
  return "run " + std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025.yaml --paths " +
         std::to_string(paths) + " --sample-paths 300 -q ";
}

// The paths for which long_run lasts about 4 s on one thread at this program's
// measured speed, so that a signal after 1 s comes part-way; and at least four
// segments (checkpoints are saved between segments), for a loaded machine on
// which one segment lasts a second or more.
std::uint64_t long_run_paths(const std::string& scratch_file) {
  const std::string timed = "run " + std::string(SOVRISK_SOURCE_DIR) +
                            "/configs/russia-2025.yaml --sample-paths 300 -q --threads 1";
  const std::uint64_t paths = testing::paths_lasting(4.0, timed, scratch_file);
  return paths == 0 ? 0 : std::max(paths, 4 * kSegmentBlocksPerThread * kBlockSize);
}

TEST_F(Jobs, SigtermSavesACheckpointAndTheResumedRunEqualsAnUninterruptedOne) {
  const std::uint64_t paths = long_run_paths(file("speed.h5"));
  ASSERT_GT(paths, 0u);
  const std::string run = long_run(paths), checkpoint = file("ck.h5");
  const pid_t pid = testing::start_sovrisk(
      run + "--threads 1 --checkpoint " + checkpoint + " -o " + file("out.h5"), file("log"));
  EXPECT_TRUE(testing::wait_until_catching(pid, SIGTERM, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(pid, SIGTERM);
  ASSERT_EQ(testing::wait_for(pid), 75) << testing::read_text(file("log"));
  EXPECT_NE(testing::read_text(file("log")).find("interrupted by SIGTERM"), std::string::npos);
  EXPECT_FALSE(fs::exists(file("out.h5")));
  const PartialFileHeader saved = read_partial_header(checkpoint);
  EXPECT_TRUE(saved.info.checkpoint);
  EXPECT_GT(saved.blocks.end, 0u);
  EXPECT_LT(saved.blocks.end, block_count(paths));  // part-way, not done

  // Another thread count on resumption changes nothing.
  const Outcome resumed = run_sovrisk(run + "--threads 2 --checkpoint " + checkpoint +
                                      " --resume " + checkpoint + " -o " + file("out.h5"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_FALSE(fs::exists(checkpoint));  // the result supersedes it
  ASSERT_EQ(run_sovrisk(run + "--threads 2 -o " + file("uninterrupted.h5")).exit_code, 0);
  expect_same_datasets(file("out.h5"), file("uninterrupted.h5"));
}

TEST_F(Jobs, AfterSigkillTheRunResumesFromItsLastPeriodicCheckpoint) {
  const std::uint64_t paths = long_run_paths(file("speed.h5"));
  ASSERT_GT(paths, 0u);
  const std::string run = long_run(paths), checkpoint = file("ck.h5");
  const pid_t pid = testing::start_sovrisk(
      run + "--threads 1 --checkpoint " + checkpoint + " --checkpoint-every 1 -o " + file("out.h5"),
      file("log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  ASSERT_EQ(testing::wait_for(pid), 128 + SIGKILL) << testing::read_text(file("log"));
  EXPECT_FALSE(fs::exists(file("out.h5")));
  EXPECT_LT(read_partial_header(checkpoint).blocks.end, block_count(paths));

  const Outcome resumed =
      run_sovrisk(run + "--threads 2 --resume " + checkpoint + " -o " + file("out.h5"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  ASSERT_EQ(run_sovrisk(run + "--threads 2 -o " + file("uninterrupted.h5")).exit_code, 0);
  expect_same_datasets(file("out.h5"), file("uninterrupted.h5"));
}

// A checkpoint of the first 2 of 6 blocks of the test scenario as
// `sovrisk run CONFIG` (default options; `--label LABEL` if not empty) would save it.
void save_checkpoint(const std::string& config_file, const std::string& path,
                     const std::string& label = "") {
  Config config = load_config(config_file);
  config.label = label;
  RunOptions stopping;
  stopping.segments = 3;
  stopping.after_segment = [](const PartialResult&) { return false; };
  PartialInfo info;
  info.checkpoint = true;
  info.range = {0, 6};
  info.sample_paths = 100;
  write_partial(path, config, simulate_range(config, stopping, begin_range(config, stopping, 0), 6),
                info);
}

TEST_F(Jobs, ResumeTakesOnlyAnUndamagedCheckpointOfTheSameRun) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml()),
                    checkpoint = file("ck.h5");
  save_checkpoint(config, checkpoint);
  const std::string run = "run " + config + " -q ";
  expect_refused(run + "--resume " + checkpoint + " --paths 5000",
                 {"ck.h5: checkpoint of a run of 6000 paths", "5000"});
  expect_refused(run + "--resume " + checkpoint + " --seed 1",
                 {"ck.h5: checkpoint of a run with seed 42", "seed 1"});
  expect_refused(run + "--resume " + checkpoint + " --set oil.volatility=0.3",
                 {"another configuration", "config_hash"});
  expect_refused(run + "--resume " + checkpoint + " --shard 1/2", {"same --shard"});
  expect_refused(run + "--resume " + checkpoint + " --sample-paths 5", {"--sample-paths"});

  fs::copy_file(checkpoint, file("cut.h5"));
  fs::resize_file(file("cut.h5"), fs::file_size(checkpoint) * 2 / 3);
  expect_refused(run + "--resume " + file("cut.h5"), {"cut.h5", "truncated"});
  fs::copy_file(checkpoint, file("bad.h5"));
  testing::damage_chunk(file("bad.h5"), "/fan/bin_counts", 8);
  expect_refused(run + "--resume " + file("bad.h5"), {"bad.h5", "damaged"});
  expect_refused(run + "--resume " + write("text.h5", "text"), {"text.h5: not an HDF5 file"});
  ASSERT_EQ(run_sovrisk(run + "--shard 1/1 -o " + file("part.h5")).exit_code, 0);
  expect_refused(run + "--resume " + file("part.h5"), {"a shard's result, not a checkpoint"});
  expect_refused(run + "--checkpoint " + file("out.h5"), {"the same file as the output"});

  // The good one resumes to the uninterrupted numbers.
  ASSERT_EQ(run_sovrisk(run + "--resume " + checkpoint + " -o " + file("resumed.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "-o " + file("run.h5")).exit_code, 0);
  expect_same_datasets(file("resumed.h5"), file("run.h5"));
}

// Crafted attributes and datasets (testing::replace_*): merge and resume
// refuse them with one message naming the file, the object and what was
// expected, where an unchecked read would write past its buffer.
TEST_F(Jobs, MergeAndResumeRefuseCraftedFiles) {
  using namespace testing;
  const std::string run = small_run();
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(run_sovrisk(run + "--shard " + std::to_string(i) + "/2 -o " +
                          file("p" + std::to_string(i) + ".h5"))
                  .exit_code,
              0);
  }
  const std::string p1 = file("p1.h5"), p2 = file("p2.h5"), crafted = file("crafted.h5");
  auto copy_of_p2 = [&] { fs::copy_file(p2, crafted, fs::copy_options::overwrite_existing); };
  copy_of_p2();
  replace_root_strings(crafted, "format_version", {"1.1", "1.1", "1.1", "1.1"}, {4});
  expect_refused("merge " + p1 + " " + crafted,
                 {"crafted.h5: attribute 'format_version' holds 4 values; expected one string"});
  copy_of_p2();
  const hid_t fixed = string_type(8);
  const char hashes[2][8] = {"crc64:0", "crc64:1"};
  replace_root_attribute(crafted, "config_hash", fixed, {2}, hashes);
  H5Tclose(fixed);
  expect_refused("merge " + p1 + " " + crafted,
                 {"crafted.h5: attribute 'config_hash' holds 2 values; expected one string"});
  copy_of_p2();
  const std::vector<std::uint64_t> four = {1, 2, 3, 4};
  replace_root_attribute(crafted, "seed", H5T_NATIVE_UINT64, {4}, four.data());
  expect_refused("merge " + p1 + " " + crafted, {"crafted.h5: attribute 'seed' holds 4 values"});
  copy_of_p2();
  replace_root_strings(crafted, "events", {"default", "depletion"}, {2});
  expect_refused("merge " + crafted + " " + p1,
                 {"crafted.h5: written with output variables [", "events [default, depletion]",
                  "merge and resume need the same sovrisk"});

  const std::string config = write("ok.yaml", stochastic_yaml()), checkpoint = file("ck.h5");
  save_checkpoint(config, checkpoint);
  fs::copy_file(checkpoint, file("bins.h5"));
  const auto dims = dataset_dims(checkpoint, "/fan/bin_counts");
  std::vector<float> as_reals(dims[0] * dims[1] * dims[2], 0.0f);
  replace_dataset(file("bins.h5"), "/fan/bin_counts", H5T_NATIVE_FLOAT, dims, as_reals.data());
  expect_refused("run " + config + " -q --resume " + file("bins.h5"),
                 {"bins.h5: dataset '/fan/bin_counts' holds floating-point numbers; expected "
                  "integers"});
  fs::copy_file(checkpoint, file("other.h5"));
  replace_root_strings(file("other.h5"), "variables", {"oil_price", "fx"}, {2});
  expect_refused("run " + config + " -q --resume " + file("other.h5"),
                 {"other.h5: written with output variables [oil_price, fx]",
                  "merge and resume need the same sovrisk"});
}

TEST_F(Jobs, OutputsNeverOverwriteTheirInputs) {
  const std::string run = small_run();
  ASSERT_EQ(run_sovrisk(run + "--shard 1/2 -o " + file("p1.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--shard 2/2 -o " + file("p2.h5")).exit_code, 0);
  const std::string part = testing::read_text(file("p1.h5"));
  fs::create_symlink(file("p1.h5"), file("link.h5"));
  for (const auto& output : {file("p1.h5"), file("link.h5")}) {
    const Outcome merged =
        run_sovrisk("merge " + file("p1.h5") + " " + file("p2.h5") + " -o " + output);
    EXPECT_EQ(merged.exit_code, 2) << merged.output;
    EXPECT_NE(merged.output.find("-o " + output + ": the same file as the part " + file("p1.h5")),
              std::string::npos)
        << merged.output;
  }
  EXPECT_EQ(testing::read_text(file("p1.h5")), part);

  const std::string config = write("ck.yaml", testing::stochastic_yaml()),
                    checkpoint = file("ck.h5");
  save_checkpoint(config, checkpoint);
  const std::string saved = testing::read_text(checkpoint);
  const Outcome resumed =
      run_sovrisk("run " + config + " -q --resume " + checkpoint + " -o " + checkpoint);
  EXPECT_EQ(resumed.exit_code, 2) << resumed.output;
  EXPECT_NE(resumed.output.find("the same file as --resume"), std::string::npos) << resumed.output;
  EXPECT_EQ(testing::read_text(checkpoint), saved);
}

// Issue #14 item 1: the label and the overrides go with a run through its
// shards and its checkpoints into the result file.
TEST_F(Jobs, TheLabelGoesWithTheRunThroughShardsAndCheckpoints) {
  const std::string run = small_run() + "--set oil.volatility=0.3 ";
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(run_sovrisk(run + "--shard " + std::to_string(i) + "/2 -o " +
                          file("part" + std::to_string(i) + ".h5"))
                  .exit_code,
              0);
  }
  ASSERT_EQ(
      run_sovrisk("merge " + file("part2.h5") + " " + file("part1.h5") + " -o " + file("merged.h5"))
          .exit_code,
      0);
  const ResultFile merged(file("merged.h5"));
  EXPECT_EQ(merged.label(), "test-stochastic [oil.volatility=0.3]");
  EXPECT_EQ(merged.overrides(), std::vector<std::string>{"oil.volatility=0.3"});
  ASSERT_EQ(
      run_sovrisk(run + "--label 'high volatility' --shard 1/1 -o " + file("whole.h5")).exit_code,
      0);
  ASSERT_EQ(run_sovrisk("merge " + file("whole.h5") + " -o " + file("named.h5")).exit_code, 0);
  EXPECT_EQ(ResultFile(file("named.h5")).label(), "high volatility");

  // A resumed run keeps the label it was started with, unless given another.
  const std::string config = write("ck.yaml", testing::stochastic_yaml());
  save_checkpoint(config, file("ck.h5"), "started so");
  const std::string resume = "run " + config + " -q --resume " + file("ck.h5") + " ";
  fs::copy_file(file("ck.h5"), file("ck2.h5"));
  ASSERT_EQ(run_sovrisk(resume + "-o " + file("resumed.h5")).exit_code, 0);
  EXPECT_EQ(ResultFile(file("resumed.h5")).label(), "started so");
  ASSERT_EQ(run_sovrisk("run " + config + " -q --resume " + file("ck2.h5") +
                        " --label renamed -o " + file("renamed.h5"))
                .exit_code,
            0);
  EXPECT_EQ(ResultFile(file("renamed.h5")).label(), "renamed");
  // A checkpoint without a label (saved before labels were recorded): the run's own.
  save_checkpoint(config, file("old.h5"));
  {
    testing::EditedFile old(file("old.h5"));
    old.remove_attribute("/", "label");
  }
  ASSERT_EQ(
      run_sovrisk("run " + config + " -q --resume " + file("old.h5") + " -o " + file("from-old.h5"))
          .exit_code,
      0);
  EXPECT_EQ(ResultFile(file("from-old.h5")).label(), "test-stochastic");
}

// Whether background process `pid` has ended (left to testing::wait_for to reap).
bool has_ended(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
         info.si_pid == pid;
}

// Waits until `path` exists or `pid` has ended, for at most a minute.
bool wait_for_file(const std::string& path, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(path) && std::chrono::steady_clock::now() < deadline) {
    if (has_ended(pid))
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return fs::exists(path);
}

TEST_F(Jobs, TwoRunsCannotShareACheckpoint) {
  const std::uint64_t paths = long_run_paths(file("speed.h5"));
  ASSERT_GT(paths, 0u);
  const std::string run = long_run(paths), checkpoint = file("ck.h5"), lock = checkpoint + ".lock";
  const pid_t first = testing::start_sovrisk(run + "--threads 1 --checkpoint " + checkpoint +
                                                 " --checkpoint-every 0 -o " + file("first.h5"),
                                             file("log"));
  ASSERT_TRUE(wait_for_file(checkpoint, first)) << testing::read_text(file("log"));
  const Outcome second =
      run_sovrisk(run + "--checkpoint " + checkpoint + " -o " + file("second.h5"));
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find(checkpoint + ": the checkpoint of another running sovrisk (pid " +
                               std::to_string(first) + " on "),
            std::string::npos)
      << second.output;
  EXPECT_EQ(std::count(second.output.begin(), second.output.end(), '\n'), 1);

  // The kernel drops the lock of a process that dies: its lock file, left
  // behind, does not stop the run that resumes its checkpoint.
  kill(first, SIGKILL);
  ASSERT_EQ(testing::wait_for(first), 128 + SIGKILL);
  EXPECT_TRUE(fs::exists(lock));
  const Outcome resumed = run_sovrisk(run + "--threads 2 --checkpoint " + checkpoint +
                                      " --resume " + checkpoint + " -o " + file("first.h5"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_FALSE(fs::exists(checkpoint));
  EXPECT_FALSE(fs::exists(lock));
}

TEST_F(Jobs, SigtermBeforeTheConfigIsReadStillEndsWithACheckpoint) {
  // The config comes through a FIFO: sovrisk waits for it, and gets SIGTERM
  // in the meantime, before its config, its pilot or its first segment.
  const std::string fifo = file("config.yaml"), checkpoint = file("ck.h5");
  // Any run long enough for a few segments: the signal comes before it starts.
  const std::uint64_t paths = 4 * kSegmentBlocksPerThread * kBlockSize;
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const pid_t pid = testing::start_sovrisk("run " + fifo + " --paths " + std::to_string(paths) +
                                               " --sample-paths 300 -q --threads 1 --checkpoint " +
                                               checkpoint + " -o " + file("out.h5"),
                                           file("log"));
  EXPECT_TRUE(testing::wait_until_catching(pid, SIGTERM, std::chrono::seconds(30)))
      << "SIGTERM not caught while the config is read";
  kill(pid, SIGTERM);
  // Non-blocking, so that a process already gone (no reader) does not hang the test.
  int writer = -1;
  while (writer < 0 && !has_ended(pid)) {
    writer = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (writer >= 0) {
    const std::string config =
        testing::read_text(std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025.yaml");
    // A reader that died meanwhile is the test's failure, not the end of the test program.
    const auto previous = signal(SIGPIPE, SIG_IGN);
    EXPECT_EQ(::write(writer, config.data(), config.size()), static_cast<ssize_t>(config.size()));
    signal(SIGPIPE, previous);
    close(writer);
  }
  ASSERT_EQ(testing::wait_for(pid), 75) << testing::read_text(file("log"));
  EXPECT_NE(testing::read_text(file("log")).find("interrupted by SIGTERM"), std::string::npos);
  EXPECT_LT(read_partial_header(checkpoint).blocks.end, block_count(paths));
  EXPECT_FALSE(fs::exists(file("out.h5")));
}

TEST(MemoryEstimate, CountsWhatGrowsWithTheOptions) {
  const Config config = parse_config(testing::stochastic_yaml(), "test.yaml");
  RunOptions options;
  options.threads = 2;
  options.per_path_events = true;
  const MemoryEstimate estimate = estimate_memory(config, options, 1000000, 500);
  const double months = config.scenario.months;
  // A model-v1 configuration: memory for model v1's outputs only.
  EXPECT_EQ(estimate.sample_paths, 500 * months * kModelV1Variables * 8);
  EXPECT_EQ(estimate.per_path, 1000000.0 * kModelV1Events * 4);
  // Two threads' two conditional histograms (16 and 64 bits) and block values,
  // the run's three histograms and the pilot's values.
  EXPECT_EQ(estimate.histograms,
            kModelV1Variables * months *
                ((kFanBins + 2) * (2 * 2 * 10 + 3 * 8) + kPilotPaths * 8.0 + 2 * kBlockSize * 8.0));
  options.per_path_events = false;
  EXPECT_EQ(estimate_memory(config, options, 1000000, 500).per_path, 0);

  MemoryEstimate too_much;
  too_much.per_path = 2 * machine_memory();
  EXPECT_THROW(check_memory(too_much, false), InputError);
  EXPECT_NO_THROW(check_memory(too_much, true));
  EXPECT_NO_THROW(check_memory(estimate, false));
}

}  // namespace
}  // namespace sovrisk
