// `sovrisk sweep`: the grid, common random numbers, the paired differences,
// the refusals, and `sovrisk summary` of its file.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cli_support.h"
#include "sovrisk/results_io.h"
#include "sovrisk/sweep.h"
#include "sovrisk/sweep_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using testing::Outcome;
using testing::run_sovrisk;
namespace fs = std::filesystem;

class Sweep : public testing::CommandLineTest {
 protected:
  // Runs `sovrisk sweep` on the small stochastic scenario with `arguments`.
  std::string sweep(const std::string& arguments, const std::string& output = "sweep.h5") {
    const std::string config = write("ok.yaml", testing::stochastic_yaml());
    const Outcome outcome =
        run_sovrisk("sweep " + config + " " + arguments + " -q -o " + file(output));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    return file(output);
  }
};

// A whole dataset of 64-bit integers or of variable-length strings, read
// with HDF5 itself rather than with the reader under test.
std::vector<std::int64_t> integers_in(const std::string& path, const std::string& dataset) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t set = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  std::vector<std::int64_t> values(H5Sget_simple_extent_npoints(space));
  H5Dread(set, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(file);
  return values;
}

std::vector<std::string> strings_in(const std::string& path, const std::string& dataset) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t set = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::vector<char*> texts(H5Sget_simple_extent_npoints(space));
  H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data());
  std::vector<std::string> values;
  for (char* text : texts) {
    values.emplace_back(text);
    H5free_memory(text);
  }
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(file);
  return values;
}

TEST(SweepGrid, ValuesSplitAtCommasOutsideListsMapsAndQuotes) {
  const GridKey grid = parse_grid("spending.seasonality=[1, 2],{a: 1, b: 2},'c,d', 5 ,\"e,f\"");
  EXPECT_EQ(grid.key, "spending.seasonality");
  EXPECT_EQ(grid.values,
            (std::vector<std::string>{"[1, 2]", "{a: 1, b: 2}", "'c,d'", "5", "\"e,f\""}));
}

TEST(SweepGrid, PointsRunRowMajorTheLastKeyFastest) {
  const SweepDesign design = full_grid({{"a", {"1", "2"}}, {"b.c", {"x", "y", "z"}}});
  EXPECT_EQ(design.kind, "grid");
  EXPECT_EQ(design.keys, (std::vector<std::string>{"a", "b.c"}));
  ASSERT_EQ(design.values.size(), 6u);
  EXPECT_EQ(design.values[0], (std::vector<std::string>{"1", "x"}));
  EXPECT_EQ(design.values[2], (std::vector<std::string>{"1", "z"}));
  EXPECT_EQ(design.values[3], (std::vector<std::string>{"2", "x"}));
  EXPECT_EQ(design.labels[4], "a=2, b.c=y");
  const auto overrides = point_overrides(design, 4);
  ASSERT_EQ(overrides.size(), 2u);
  EXPECT_EQ(overrides[1].key_path, "b.c");
  EXPECT_EQ(overrides[1].value, "y");
  EXPECT_EQ(overrides[1].origin, "--grid b.c=y");
}

TEST(SweepGrid, MalformedGridsAreRefused) {
  EXPECT_THROW(parse_grid("novalue"), InputError);
  EXPECT_THROW(parse_grid("a.b=1,,2"), InputError);
  EXPECT_THROW(parse_grid("a.b=1, "), InputError);
  EXPECT_THROW(full_grid({{"a", {"1"}}, {"a", {"2"}}}), InputError);
}

// uniform [50, 80]: 5 % at 51.5, median 65, 95 % at 78.5; the beta(2, 2)
// scaled to [0, 0.4] is symmetric: median 0.2.
TEST(SweepOneAtATime, EachPriorAtItsFivePercentAndNinetyFivePercentPoints) {
  const Config base = testing::config_from(
      testing::stochastic_yaml(), {"oil.long_run_mean={prior: uniform, low: 50, high: 80}",
                                   "banks.auction_fail_base={prior: beta, a: 2, b: 2, low: 0, "
                                   "high: 0.4}"});
  const SweepDesign design = one_at_a_time(base);
  EXPECT_EQ(design.kind, "one-at-a-time");
  ASSERT_EQ(design.keys.size(), 2u);
  const std::size_t oil = design.keys[0] == "oil.long_run_mean" ? 0 : 1, banks = 1 - oil;
  EXPECT_EQ(design.keys[banks], "banks.auction_fail_base");
  ASSERT_EQ(design.values.size(), 5u);
  EXPECT_EQ(design.values[0][oil], "65");
  EXPECT_EQ(std::stod(design.values[0][banks]), base.priors[banks].prior.quantile(0.5));
  EXPECT_NEAR(std::stod(design.values[0][banks]), 0.2, 1e-12);
  EXPECT_EQ(design.values[1 + 2 * oil][oil], shortest_text(50 + 0.05 * 30));
  EXPECT_NEAR(std::stod(design.values[1 + 2 * oil][oil]), 51.5, 1e-12);
  EXPECT_NEAR(std::stod(design.values[2 + 2 * oil][oil]), 78.5, 1e-12);
  EXPECT_EQ(design.values[1 + 2 * oil][banks], design.values[0][banks]);
  EXPECT_EQ(design.labels[0], "every prior at its median");
  EXPECT_NE(design.labels[2 + 2 * oil].find("(its 95 % point)"), std::string::npos);
  EXPECT_EQ(point_overrides(design, 0)[oil].origin, "--one-at-a-time oil.long_run_mean=65");
  EXPECT_THROW(one_at_a_time(testing::config_from(testing::stochastic_yaml())), InputError);
}

TEST(SweepOneAtATime, ShortestTextReadsBackExactly) {
  for (const double value : {65.0, 51.5, 0.1, 1.0 / 3, 1e-300, 78.50000000000001}) {
    EXPECT_EQ(std::stod(shortest_text(value)), value) << shortest_text(value);
  }
  EXPECT_EQ(shortest_text(0.1), "0.1");
  EXPECT_EQ(shortest_text(65), "65");
}

// The promise of common random numbers: a point is the plain run with its
// --set, to the last bit.
TEST_F(Sweep, AGridPointIsBitIdenticalToThePlainRunWithItsSet) {
  const std::string swept =
      sweep("--paths 3000 --grid oil.long_run_mean=55,65 --grid banks.absorption_monthly=200,300");
  const std::string config = file("ok.yaml");
  const Outcome run = run_sovrisk("run " + config +
                                  " --paths 3000 --set oil.long_run_mean=65 --set "
                                  "banks.absorption_monthly=200 -q -o " +
                                  file("run.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const ResultFile plain(file("run.h5"));
  const SweepTable table = read_sweep(swept);
  const std::size_t point = 2;  // (65, 200)
  ASSERT_EQ(table.values[point], (std::vector<std::string>{"65", "200"}));
  EXPECT_EQ(strings_in(swept, "/sweep/config_hash")[point], plain.string_attribute("config_hash"));
  ASSERT_EQ(table.events.size(), plain.events().size());
  const std::size_t years = table.years.size();
  const auto months = plain.unsigned_attribute("months");
  for (const SweepTable::Event& event : table.events) {
    const std::string group = "/" + event.name;
    std::vector<double> p, se, low, high;
    for (const ProbabilityEstimate& estimate : event.probability[point]) {
      p.push_back(estimate.probability);
      se.push_back(estimate.standard_error);
      low.push_back(estimate.ci95_low);
      high.push_back(estimate.ci95_high);
    }
    EXPECT_EQ(p, plain.doubles(group + "/cumulative_probability")) << event.name;
    EXPECT_EQ(se, plain.doubles(group + "/stderr")) << event.name;
    EXPECT_EQ(low, plain.doubles(group + "/ci95_low")) << event.name;
    EXPECT_EQ(high, plain.doubles(group + "/ci95_high")) << event.name;
    const auto counts = integers_in(swept, "/sweep/" + event.name + "/month_counts");
    ASSERT_EQ(counts.size(), 4 * months);
    EXPECT_EQ(std::vector<std::int64_t>(counts.begin() + point * months,
                                        counts.begin() + (point + 1) * months),
              plain.integers(group + "/month_counts"))
        << event.name;
    EXPECT_EQ(event.probability[point].size(), years);
  }
  // The default is rare enough here that a grid this coarse must move it.
  const auto& by_year = table.events[0].probability;
  EXPECT_NE(by_year[0].back().probability, by_year[3].back().probability);
}

TEST_F(Sweep, ATwoByTwoGridHasFourPointsInOrderAndDifferencesFromItsReference) {
  const std::string swept = sweep(
      "--paths 2000 --grid oil.long_run_mean=50,80 --grid banks.absorption_monthly=150,350 "
      "--reference 3");
  const SweepTable table = read_sweep(swept);
  EXPECT_EQ(table.keys,
            (std::vector<std::string>{"oil.long_run_mean", "banks.absorption_monthly"}));
  EXPECT_EQ(table.values, (std::vector<std::vector<std::string>>{
                              {"50", "150"}, {"50", "350"}, {"80", "150"}, {"80", "350"}}));
  EXPECT_EQ(table.labels[1], "oil.long_run_mean=50, banks.absorption_monthly=350");
  EXPECT_EQ(table.reference, 2u);
  EXPECT_EQ(table.paths, 2000u);
  for (const SweepTable::Event& event : table.events) {
    for (std::size_t p = 0; p < 4; ++p) {
      for (std::size_t y = 0; y < table.years.size(); ++y) {
        const DifferenceEstimate& d = event.difference[p][y];
        // The paired mean difference has the same numerator as the
        // difference of the two probabilities: only round-off parts them.
        EXPECT_NEAR(d.difference,
                    event.probability[p][y].probability - event.probability[2][y].probability,
                    1e-15)
            << event.name << " point " << p << " year " << y;
        EXPECT_LE(d.ci95_low, d.difference);
        EXPECT_GE(d.ci95_high, d.difference);
        if (p == 2)
          EXPECT_EQ(d.ci95_high - d.ci95_low, 0.0);
      }
    }
  }
}

// Jumps that never happen (intensity 0) make their mean a key with no effect:
// every path has the same event months at both points.
TEST_F(Sweep, AKeyWithNoEffectGivesAnExactlyZeroDifferenceAndInterval) {
  const std::string swept =
      sweep("--paths 2000 --set oil.jump_intensity=0 --grid oil.jump_mean=-0.1,-0.4");
  const SweepTable table = read_sweep(swept);
  ASSERT_EQ(table.values.size(), 2u);
  bool some_event = false;
  for (const SweepTable::Event& event : table.events) {
    for (std::size_t y = 0; y < table.years.size(); ++y) {
      const DifferenceEstimate& d = event.difference[1][y];
      EXPECT_EQ(d.difference, 0.0);
      EXPECT_EQ(d.standard_error, 0.0);
      EXPECT_EQ(d.ci95_low, 0.0);
      EXPECT_EQ(d.ci95_high, 0.0);
      EXPECT_EQ(event.probability[1][y].probability, event.probability[0][y].probability);
      some_event = some_event || event.probability[1][y].probability > 0;
    }
  }
  EXPECT_TRUE(some_event) << "a test of zero differences needs events";
}

// Each point of a one-at-a-time sweep is the run with every prior's key set
// to the point's numbers.
TEST_F(Sweep, OneAtATimePointsAreTheRunsWithThePriorsFixed) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string prior = " --set 'oil.long_run_mean={prior: uniform, low: 50, high: 80}'";
  const Outcome swept = run_sovrisk("sweep " + config + prior +
                                    " --paths 2000 --one-at-a-time -q -o " + file("oat.h5"));
  ASSERT_EQ(swept.exit_code, 0) << swept.output;
  const SweepTable table = read_sweep(file("oat.h5"));
  EXPECT_EQ(table.design, "one-at-a-time");
  EXPECT_EQ(table.values, (std::vector<std::vector<std::string>>{{"65"}, {"51.5"}, {"78.5"}}));
  const Outcome run =
      run_sovrisk("run " + config + prior + " --set oil.long_run_mean=78.5 --paths 2000 -q -o " +
                  file("run.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const ResultFile plain(file("run.h5"));
  std::vector<double> p;
  for (const ProbabilityEstimate& estimate : table.events[0].probability[2])
    p.push_back(estimate.probability);
  EXPECT_EQ(p, plain.doubles("/default/cumulative_probability"));
  EXPECT_EQ(strings_in(file("oat.h5"), "/sweep/config_hash")[2],
            plain.string_attribute("config_hash"));
  testing::CommandLineTest::expect_refused("sweep " + config + " --one-at-a-time",
                                           {"--one-at-a-time", "no prior"});
  expect_refused("sweep " + config + prior + " --one-at-a-time --grid oil.p0=50,60", {"not both"});
  expect_refused("sweep " + config, {"--grid", "--one-at-a-time"});
}

TEST_F(Sweep, ABadKeyOrValueIsRefusedInOneLineNamingItAndWritesNothing) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  expect_refused("sweep " + config + " --grid oil.long_run_mean=50,abc",
                 {"oil.long_run_mean", "abc", "--grid"});
  expect_refused("sweep " + config + " --grid oil.long_run_meen=50,60", {"long_run_meen"});
  expect_refused("sweep " + config + " --grid oil.long_run_mean", {"--grid", "oil.long_run_mean"});
  expect_refused("sweep " + config + " --grid oil.long_run_mean=50,,60", {"oil.long_run_mean"});
  expect_refused("sweep " + config + " --grid simulation.seed=1,2", {"seed", "point 2"});
  expect_refused("sweep " + config + " --grid scenario.months=24,36", {"horizon"});
  expect_refused("sweep " + config + " --grid oil.p0=50,60 --reference 3", {"--reference 3"});
  expect_refused("sweep " + config + " --grid oil.p0=50 --grid oil.p0=60", {"oil.p0", "twice"});
}

TEST_F(Sweep, SummaryPrintsATidyCsvWithAColumnPerKey) {
  const std::string swept =
      sweep("--paths 2000 --grid oil.long_run_mean=50,80 --grid banks.absorption_monthly=1,2,3");
  const Outcome csv = run_sovrisk("summary " + swept + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  std::istringstream lines(csv.output);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header,
            "point,oil.long_run_mean,banks.absorption_monthly,event,year,probability,stderr,"
            "ci95_low,ci95_high,difference,difference_stderr,difference_ci95_low,"
            "difference_ci95_high");
  const SweepTable table = read_sweep(swept);
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 12) << line;
  }
  EXPECT_EQ(rows, 6 * table.events.size() * table.years.size());
  EXPECT_NE(csv.output.find("\n6,80,3,default,"), std::string::npos) << csv.output;

  const Outcome summary = run_sovrisk("summary " + swept);
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_NE(summary.output.find("6 points over oil.long_run_mean banks.absorption_monthly"),
            std::string::npos)
      << summary.output;
  const Outcome json = run_sovrisk("summary " + swept + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"reference_point\": 1"), std::string::npos) << json.output;
}

// The first cell of every row of the tables headed "| sweep dataset |" in
// docs/output.md, backquotes removed.
std::vector<std::string> documented_sweep_datasets() {
  std::ifstream in(std::string(SOVRISK_SOURCE_DIR) + "/docs/output.md");
  std::vector<std::string> names;
  bool in_table = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| sweep dataset |", 0) == 0) {
      std::getline(in, line);  // the |---| line under the heading
      in_table = true;
      continue;
    }
    in_table = in_table && !line.empty() && line[0] == '|';
    if (!in_table)
      continue;
    std::string cell = line.substr(1, line.find('|', 1) - 1);
    cell.erase(std::remove(cell.begin(), cell.end(), '`'), cell.end());
    cell.erase(std::remove(cell.begin(), cell.end(), ' '), cell.end());
    names.push_back(cell);
  }
  return names;
}

// Every dataset under `group` of an HDF5 file, depth first, sorted.
std::vector<std::string> datasets_under(const std::string& path, const std::string& group) {
  std::vector<std::string> names;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Ovisit_by_name(
      file, group.c_str(), H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t, const char* name, const H5O_info_t* info, void* out) -> herr_t {
        if (info->type == H5O_TYPE_DATASET)
          static_cast<std::vector<std::string>*>(out)->push_back(name);
        return 0;
      },
      &names, H5P_DEFAULT);
  H5Fclose(file);
  for (auto& name : names)
    name = group + "/" + name;
  std::sort(names.begin(), names.end());
  return names;
}

// Adding a dataset to the sweep file without documenting it, or the reverse, fails here.
TEST_F(Sweep, OutputDocSweepTablesMatchTheFile) {
  const std::string swept = sweep("--paths 1000 --grid oil.p0=60,70");
  const SweepTable table = read_sweep(swept);
  std::vector<std::string> documented;
  for (const std::string& name : documented_sweep_datasets()) {
    if (name.find("<event>") == std::string::npos) {
      documented.push_back(name);
      continue;
    }
    for (const SweepTable::Event& event : table.events)
      documented.push_back(name.substr(0, name.find("<event>")) + event.name +
                           name.substr(name.find("<event>") + 7));
  }
  std::sort(documented.begin(), documented.end());
  EXPECT_EQ(documented, datasets_under(swept, "/sweep"));
}

}  // namespace
}  // namespace sovrisk
