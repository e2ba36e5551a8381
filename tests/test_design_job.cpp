// Designs run as batch jobs (design_job.h, docs/cluster.md "Designs"): shards
// that merge into the whole design and a checkpoint that resumes to it, bit for
// bit, and the refusal of parts that do not make one design.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "damaged_files.h"
#include "result_file_edits.h"
#include "sovrisk/cluster.h"
#include "sovrisk/design_job.h"
#include "sovrisk/job.h"
#include "sovrisk/uncertainty.h"
#include "sovrisk/uncertainty_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

const std::vector<std::string> kPriors = {
    "oil.long_run_mean={prior: uniform, low: 40, high: 90}",
    "default.gap_threshold={prior: uniform, low: 0.005, high: 0.03}"};

// kPriors as --set arguments.
std::string priors_arguments() {
  std::string arguments;
  for (const auto& prior : kPriors)
    arguments += " --set '" + prior + "'";
  return arguments;
}

Config design_config() {
  return testing::config_from(testing::stochastic_yaml(), kPriors);
}

void expect_same(const std::vector<RowMajorArray>& got, const std::vector<RowMajorArray>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t j = 0; j < got.size(); ++j) {
    ASSERT_EQ(got[j].rows(), want[j].rows()) << "point " << j;
    ASSERT_EQ(got[j].cols(), want[j].cols()) << "point " << j;
    EXPECT_TRUE((got[j] == want[j]).all()) << "point " << j;
  }
}

class DesignJobTest : public testing::ScratchDirectoryTest {
 protected:
  // The shards of `design` written to part<i>.h5, listed last first.
  std::vector<std::string> write_shards(const Config& config, const Design& design,
                                        std::uint64_t shards) {
    std::vector<std::string> files;
    for (std::uint64_t shard = shards; shard >= 1; --shard) {
      DesignPlan plan;
      plan.shard = shard;
      plan.shards = shards;
      DesignOutcome outcome = run_design_job(config, design, plan, 1, *testing::one_process());
      EXPECT_FALSE(outcome.interrupted);
      files.push_back(file("part" + std::to_string(shard) + ".h5"));
      write_design_part(files.back(), outcome.part);
    }
    return files;
  }
};

TEST(ShardPoints, TileThePointsInSizesThatDifferByAtMostOne) {
  for (std::uint64_t points : {0, 1, 7, 30, 1000}) {
    for (std::uint64_t shards : {1, 2, 3, 7, 64}) {
      std::uint64_t covered = 0;
      for (std::uint64_t shard = 1; shard <= shards; ++shard) {
        const PointRange range = shard_points(points, shard, shards);
        EXPECT_EQ(range.first, covered);
        EXPECT_LE(range.size(), points / shards + 1);
        EXPECT_GE(range.size(), points / shards);
        covered = range.end;
      }
      EXPECT_EQ(covered, points) << points << " points in " << shards << " shards";
    }
  }
}

// A band's shards, merged in any order, give the probabilities of the whole
// band at every point, bit for bit (the band is a function of them).
TEST_F(DesignJobTest, BandShardsMergeToTheWholeBand) {
  const Config config = design_config();
  const Design design = band_design(config, 23, 300);
  const std::vector<RowMajorArray> whole = probabilities_at_points(
      config, design.points, {0, design.points.size()}, design.inner, 2, *testing::one_process());
  const DesignPart merged = merge_design_parts(write_shards(config, design, 4));
  EXPECT_EQ(merged.range.end, 23u);
  expect_same(merged.probabilities, whole);
}

// A sensitivity design's points (A, B and the k mixed matrices) split across
// shards that cut through the matrices.
TEST_F(DesignJobTest, SensitivityShardsMergeToTheWholeDesign) {
  const Config config = design_config();
  const Design design = sensitivity_design(config, 8, 200, 20);
  ASSERT_EQ(design.points.size(), 8u * 4);
  const std::vector<RowMajorArray> whole = probabilities_at_points(
      config, design.points, {0, design.points.size()}, design.inner, 2, *testing::one_process());
  const DesignPart merged = merge_design_parts(write_shards(config, design, 5));
  expect_same(merged.probabilities, whole);
  EXPECT_EQ(merged.design.kind, Design::Kind::kSensitivity);
  EXPECT_EQ(merged.design.resamples, 20);
}

// Stopped by SIGTERM after its first chunk of points, a band saves them and
// exits; resumed from that checkpoint it finishes with the whole band's numbers.
TEST_F(DesignJobTest, ACheckpointResumesToTheWholeDesign) {
  const Config config = design_config();
  const Design design = band_design(config, 40, 200);
  const std::vector<RowMajorArray> whole = probabilities_at_points(
      config, design.points, {0, design.points.size()}, design.inner, 1, *testing::one_process());
  DesignPlan plan;
  plan.checkpoint = file("checkpoint.h5");
  {
    const StopSignals signals(true);
    std::raise(SIGTERM);
    const DesignOutcome stopped = run_design_job(config, design, plan, 1, *testing::one_process());
    EXPECT_TRUE(stopped.interrupted);
    EXPECT_EQ(stopped.signal, SIGTERM);
  }
  const DesignPart saved = read_design_part(plan.checkpoint);
  EXPECT_TRUE(saved.checkpoint);
  ASSERT_GT(saved.probabilities.size(), 0u);
  ASSERT_LT(saved.probabilities.size(), 40u);
  EXPECT_THROW(merge_design_parts({plan.checkpoint}), InputError);

  plan.resume = plan.checkpoint;
  const StopSignals signals(true);
  const DesignOutcome resumed = run_design_job(config, design, plan, 1, *testing::one_process());
  EXPECT_FALSE(resumed.interrupted);
  expect_same(resumed.part.probabilities, whole);

  // Another design cannot continue it.
  const Design other = band_design(config, 40, 300);
  EXPECT_THROW(run_design_job(config, other, plan, 1, *testing::one_process()), InputError);
}

TEST_F(DesignJobTest, PartsThatDoNotMakeOneDesignAreRefused) {
  const Config config = design_config();
  const std::vector<std::string> parts = write_shards(config, band_design(config, 10, 100), 3);
  // parts: shard 3, 2, 1.
  EXPECT_THROW(merge_design_parts({parts[0], parts[1]}), InputError);  // shard 1 missing
  EXPECT_THROW(merge_design_parts({parts[0], parts[1], parts[2], parts[1]}), InputError);
  const std::vector<std::string> others = [&] {
    const Design design = band_design(config, 10, 150);
    DesignPlan plan;
    plan.shard = 1;
    plan.shards = 3;
    const DesignOutcome outcome = run_design_job(config, design, plan, 1, *testing::one_process());
    write_design_part(file("other.h5"), outcome.part);
    return std::vector<std::string>{file("other.h5")};
  }();
  EXPECT_THROW(merge_design_parts({parts[0], parts[1], others[0]}), InputError);  // other inner
  EXPECT_NO_THROW(merge_design_parts(parts));
  // A part drawn by random stream format 1 (no attribute stream_format).
  testing::delete_root_attribute(parts[2], "stream_format");
  try {
    merge_design_parts(parts);
    ADD_FAILURE() << "a part of stream format 1 was merged";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(parts[2] + ": drawn by random stream format 1"),
              std::string::npos)
        << error.what();
  }
}

// A damaged or crafted part is refused with the file named, never read as numbers.
TEST_F(DesignJobTest, ADamagedPartIsRefused) {
  const Config config = design_config();
  const std::vector<std::string> parts = write_shards(config, band_design(config, 6, 100), 3);
  const auto refusal = [](const std::string& path) {
    try {
      read_design_part(path);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("not refused");
  };
  {
    testing::EditedFile edit(parts[0]);
    edit.set_text("/", "design", "histogram");
  }
  EXPECT_NE(refusal(parts[0]).find("attribute 'design'"), std::string::npos) << refusal(parts[0]);
  {
    // A probability above 1 (HDF5 recomputes the checksum of what it writes).
    const hid_t file = H5Fopen(parts[1].c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t set = H5Dopen2(file, "/design/probability", H5P_DEFAULT);
    const hid_t space = H5Dget_space(set);
    std::vector<double> values(H5Sget_simple_extent_npoints(space));
    H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    values[4] = 1.5;
    H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Sclose(space);
    H5Dclose(set);
    H5Fclose(file);
  }
  EXPECT_NE(refusal(parts[1]).find("expected a number in [0, 1]"), std::string::npos)
      << refusal(parts[1]);
  {
    // Another configuration than its config_hash says (another seed).
    std::vector<std::string> priors = kPriors;
    priors.push_back("simulation.seed=7");
    testing::EditedFile edit(parts[2]);
    edit.set_text("/", "config_yaml",
                  testing::config_from(testing::stochastic_yaml(), priors).effective_yaml);
  }
  EXPECT_NE(refusal(parts[2]).find(parts[2] + ": its recorded configuration does not match its "
                                              "config_hash"),
            std::string::npos)
      << refusal(parts[2]);
}

// The command line end to end: `run --outer --inner --shard` and `sensitivity
// --shard`, merged by `sovrisk merge`, give the file of the whole design.
class DesignShardCommandTest : public testing::CommandLineTest {
 protected:
  // `design` (a command line without -o) run whole into whole.h5, and in
  // `shards` shards into p1.h5, p2.h5, ...
  void run_whole_and_in_shards(const std::string& design, int shards) {
    const auto whole = testing::run_sovrisk(design + " -o " + file("whole.h5"));
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    for (int shard = 1; shard <= shards; ++shard) {
      const std::string part = file("p" + std::to_string(shard) + ".h5");
      const auto outcome = testing::run_sovrisk(design + " --shard " + std::to_string(shard) + "/" +
                                                std::to_string(shards) + " -o " + part);
      ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
    }
  }
};

TEST_F(DesignShardCommandTest, ShardsOfABandMergeIntoTheBandFile) {
  const std::string config = write("config.yaml", testing::stochastic_yaml());
  const std::string priors = priors_arguments();
  const std::string band = "run " + config + priors + " --outer 12 --inner 100 -q";
  run_whole_and_in_shards(band, 2);
  const auto merged = testing::run_sovrisk("merge " + file("p2.h5") + " " + file("p1.h5") + " -o " +
                                           file("merged.h5"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("merged 2 shards of the parametric band"), std::string::npos)
      << merged.output;
  const BandTable whole = read_band(file("whole.h5")), joined = read_band(file("merged.h5"));
  ASSERT_EQ(whole.events.size(), joined.events.size());
  for (std::size_t e = 0; e < whole.events.size(); ++e) {
    EXPECT_EQ(whole.events[e].integrated, joined.events[e].integrated);
    EXPECT_EQ(whole.events[e].quantile, joined.events[e].quantile);
  }
  // A band has no per-path records or sample paths to keep.
  const auto refused = testing::run_sovrisk(band + " --per-path -o " + file("x.h5"));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("--per-path: not with --outer"), std::string::npos)
      << refused.output;
}

TEST_F(DesignShardCommandTest, ShardsOfASensitivityMergeIntoTheSensitivityFile) {
  const std::string config = write("config.yaml", testing::stochastic_yaml());
  const std::string priors = priors_arguments();
  const std::string sensitivity =
      "sensitivity " + config + priors + " -N 8 -M 100 --bootstrap 20 -q";
  run_whole_and_in_shards(sensitivity, 3);
  const auto merged = testing::run_sovrisk("merge " + file("p1.h5") + " " + file("p3.h5") + " " +
                                           file("p2.h5") + " -o " + file("merged.h5"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  const SensitivityTable whole = read_sensitivity(file("whole.h5"));
  const SensitivityTable joined = read_sensitivity(file("merged.h5"));
  ASSERT_EQ(whole.events.size(), joined.events.size());
  for (std::size_t e = 0; e < whole.events.size(); ++e) {
    EXPECT_EQ(whole.events[e].total_order.value, joined.events[e].total_order.value);
    EXPECT_EQ(whole.events[e].first_order.low, joined.events[e].first_order.low);
    EXPECT_EQ(whole.events[e].variance, joined.events[e].variance);
  }
}

}  // namespace
}  // namespace sovrisk
