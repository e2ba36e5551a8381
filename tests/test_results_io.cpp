// The HDF5 result file: every dataset survives a round trip; foreign files are refused.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "result_file_edits.h"
#include "sovrisk/accumulators.h"
#include "sovrisk/results_io.h"
#include "sovrisk/statistics.h"
#include "test_support.h"

namespace sovrisk {
namespace {

namespace fs = std::filesystem;

using ResultsIo = testing::ScratchDirectoryTest;

template <typename A>
std::vector<double> flat(const A& array) {
  return std::vector<double>(array.data(), array.data() + array.size());
}

TEST_F(ResultsIo, EveryDatasetRoundTrips) {
  const Config config = testing::config_from(testing::stochastic_yaml(), {"simulation.paths=1500"});
  RunOptions options;
  options.sample_paths = 20;
  const SimulationResult result = simulate(config, options);
  const std::string path = file("out.h5");
  write_results(path, config, result);

  const ResultFile in(path);
  EXPECT_EQ(in.string_attribute("filetype"), "sovrisk-result");
  EXPECT_EQ(in.string_attribute("format_version"), kResultFormatVersion);
  EXPECT_EQ(in.unsigned_attribute("seed"), 42u);
  EXPECT_EQ(in.unsigned_attribute("paths"), 1500u);
  EXPECT_EQ(in.unsigned_attribute("months"), 36u);
  EXPECT_EQ(in.string_attribute("start"), "2025-03");
  EXPECT_EQ(in.string_attribute("scenario"), "test-stochastic");
  EXPECT_EQ(in.string_attribute("config_yaml"), config.effective_yaml);
  EXPECT_EQ(testing::config_from(in.string_attribute("config_yaml")).effective_yaml,
            config.effective_yaml);
  EXPECT_FALSE(in.string_attribute("created_utc").empty());
  EXPECT_EQ(in.double_attribute("wall_seconds"), result.wall_seconds);

  EXPECT_EQ(in.strings("/time/month"), result.calendar.labels());
  const std::vector<std::int64_t> years = in.integers("/time/year");
  EXPECT_EQ(years, std::vector<std::int64_t>({2025, 2026, 2027, 2028}));

  // A model-v1 configuration: model v1's outputs, and nothing of the others.
  ASSERT_EQ(result.outputs, kModelV1Outputs);
  const auto year_ends = result.calendar.last_month_of_each_year();
  for (int e = 0; e < kModelV1Events; ++e) {
    const std::string group = std::string("/") + event_name(e);
    const auto expected =
        cumulative_probability(result.event_month_counts[e], result.paths, year_ends);
    const auto probability = in.doubles(group + "/cumulative_probability");
    const auto error = in.doubles(group + "/stderr");
    const auto low = in.doubles(group + "/ci95_low");
    const auto high = in.doubles(group + "/ci95_high");
    ASSERT_EQ(probability.size(), expected.size());
    for (std::size_t y = 0; y < expected.size(); ++y) {
      EXPECT_EQ(probability[y], expected[y].probability);
      EXPECT_EQ(error[y], expected[y].standard_error);
      EXPECT_EQ(low[y], expected[y].ci95_low);
      EXPECT_EQ(high[y], expected[y].ci95_high);
    }
    const auto counts = in.integers(group + "/month_counts");
    EXPECT_EQ(std::vector<std::uint64_t>(counts.begin(), counts.end()),
              result.event_month_counts[e]);
    EXPECT_EQ(in.dataset_string_attribute(group + "/cumulative_probability", "units"), "1");
    EXPECT_EQ(in.event_label(event_name(e)), event_info(e).label);
  }
  EXPECT_EQ(in.events(), kModelV1Outputs.event_names());
  EXPECT_EQ(in.variables(), kModelV1Outputs.variable_names());
  for (int e = kModelV1Events; e < kEventCount; ++e)
    EXPECT_FALSE(in.has(std::string("/") + event_name(e))) << event_name(e);
  for (int v = kModelV1Variables; v < kVariableCount; ++v) {
    for (const char* group : {"/fan/", "/fan_error_bound/", "/mean/", "/sample_paths/"})
      EXPECT_FALSE(in.has(group + std::string(variable_info(v).name))) << variable_info(v).name;
  }
  for (int v = 0; v < kModelV1Variables; ++v) {
    const std::string name = variable_info(v).name;
    EXPECT_EQ(in.shape("/fan/" + name), std::vector<std::size_t>({36, kFanLevels.size()}));
    EXPECT_EQ(in.doubles("/fan/" + name), flat(result.fan[v])) << name;
    EXPECT_EQ(in.doubles("/fan_error_bound/" + name), flat(result.fan_bin_width[v])) << name;
    EXPECT_EQ(in.doubles("/mean/" + name), flat(result.mean[v])) << name;
    EXPECT_EQ(in.shape("/sample_paths/" + name), std::vector<std::size_t>({20, 36}));
    EXPECT_EQ(in.doubles("/sample_paths/" + name), flat(result.sample_paths[v])) << name;
    EXPECT_EQ(in.dataset_string_attribute("/mean/" + name, "units"), variable_info(v).units);
    for (const char* group : {"/fan/", "/fan_error_bound/", "/mean/", "/sample_paths/"})
      EXPECT_EQ(in.dataset_string_attribute(group + name, "label"), variable_info(v).label);
    EXPECT_FALSE(in.dataset_string_attribute("/fan/" + name, "description").empty());
  }
  // Nothing but the result is left in the directory.
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 1);
}

// The name of the dimension scale attached to dimension `dimension` of `dataset`, "" if none.
std::string scale_name(hid_t file, const std::string& dataset, unsigned dimension) {
  const hid_t set = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  std::string name;
  H5DSiterate_scales(
      set, dimension, nullptr,
      [](hid_t, unsigned, hid_t scale, void* found) -> herr_t {
        char text[64] = "";
        H5DSget_scale_name(scale, text, sizeof text);
        *static_cast<std::string*>(found) = text;
        return 1;
      },
      &name);
  H5Dclose(set);
  return name;
}

// Every dataset names its dimensions with a scale of its own group (docs/output.md,
// "Dimensions and coordinates"), whose values are the coordinates.
TEST_F(ResultsIo, EveryDatasetNamesItsDimensions) {
  // More paths than a chunk of /per_path/path holds (65536), which is written a chunk at a time.
  const Config config =
      testing::config_from(testing::stochastic_yaml(), {"simulation.paths=70000"});
  RunOptions options;
  options.sample_paths = 4;
  options.per_path_events = true;
  const SimulationResult result = simulate(config, options);
  write_results(file("out.h5"), config, result);
  const ResultFile in(file("out.h5"));
  const hid_t h5 = H5Fopen(file("out.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const auto expect_dimensions = [&](const std::string& dataset,
                                     const std::vector<std::string>& names) {
    ASSERT_EQ(in.shape(dataset).size(), names.size()) << dataset;
    const std::string group = dataset.substr(0, dataset.rfind('/'));
    for (unsigned d = 0; d < names.size(); ++d) {
      EXPECT_EQ(scale_name(h5, dataset, d), names[d]) << dataset << " dimension " << d;
      EXPECT_EQ(in.shape(group + "/" + names[d]), std::vector<std::size_t>{in.shape(dataset)[d]})
          << dataset;
    }
  };
  for (const std::string& event : in.events()) {
    for (const char* name : {"cumulative_probability", "stderr", "ci95_low", "ci95_high"})
      expect_dimensions("/" + event + "/" + name, {"year"});
    expect_dimensions("/" + event + "/month_counts", {"month"});
    EXPECT_EQ(in.strings("/" + event + "/month"), result.calendar.labels());
    EXPECT_EQ(in.integers("/" + event + "/year"), in.integers("/time/year"));
    expect_dimensions("/per_path/" + event + "_month", {"path"});
  }
  for (const std::string& variable : in.variables()) {
    expect_dimensions("/fan/" + variable, {"month", "quantile"});
    expect_dimensions("/fan_error_bound/" + variable, {"month"});
    expect_dimensions("/mean/" + variable, {"month"});
    expect_dimensions("/sample_paths/" + variable, {"path", "month"});
  }
  H5Fclose(h5);
  EXPECT_EQ(in.doubles("/fan/quantile"), std::vector<double>(kFanLevels.begin(), kFanLevels.end()));
  EXPECT_EQ(in.integers("/sample_paths/path"), std::vector<std::int64_t>({0, 1, 2, 3}));
  const auto every_path = in.integers("/per_path/path");
  ASSERT_EQ(every_path.size(), 70000u);
  for (std::size_t i = 0; i < every_path.size(); ++i)
    ASSERT_EQ(every_path[i], static_cast<std::int64_t>(i));
  for (const char* group : {"/time", "/fan", "/mean", "/sample_paths"})
    EXPECT_EQ(in.strings(std::string(group) + "/month"), result.calendar.labels()) << group;
}

TEST_F(ResultsIo, ZeroSamplePathsWriteAnEmptyDataset) {
  const Config config = testing::config_from(testing::deterministic_yaml());
  RunOptions options;
  options.sample_paths = 0;
  write_results(file("empty.h5"), config, simulate(config, options));
  const ResultFile in(file("empty.h5"));
  EXPECT_EQ(in.shape("/sample_paths/fund"), std::vector<std::size_t>({0, 36}));
}

TEST_F(ResultsIo, AFormat10FileHoldsTheListsOfModelV1) {
  const Config config = testing::config_from(testing::deterministic_yaml());
  write_results(file("old.h5"), config, simulate(config, RunOptions{}));
  {
    testing::EditedFile old(file("old.h5"));
    old.set_text("/", "format_version", "1.0");
    old.remove_attribute("/", "variables");
    old.remove_attribute("/", "events");
    for (int e = 0; e < kModelV1Events; ++e)
      old.remove_attribute(std::string("/") + event_name(e), "label");
    old.copy("/default", "/unregistered");
  }
  const ResultFile in(file("old.h5"));
  // Format 1.0 is frozen: these are its lists for good, whatever the registry holds.
  EXPECT_EQ(in.variables(), std::vector<std::string>({"oil_price", "fx", "need", "bank_absorbed",
                                                      "fund", "unfinanced"}));
  EXPECT_EQ(in.events(), std::vector<std::string>({"default", "depletion", "bank_crisis"}));
  EXPECT_EQ(in.event_label("depletion"), event_info(kDepletion).label);
  EXPECT_EQ(in.event_label("unregistered"), "unregistered");
  EXPECT_THROW(in.event_label("absent"), InputError);
}

TEST_F(ResultsIo, RefusesFilesThatAreNotSovriskResults) {
  EXPECT_THROW(ResultFile(file("missing.h5")), InputError);
  std::ofstream(file("text.h5")) << "not hdf5\n";
  try {
    ResultFile in(file("text.h5"));
    FAIL() << "a text file was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("text.h5: not an HDF5 file"), std::string::npos)
        << error.what();
  }
  const hid_t foreign =
      H5Fcreate(file("foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(foreign);
  try {
    ResultFile in(file("foreign.h5"));
    FAIL() << "an HDF5 file without filetype was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("not a sovrisk result file"), std::string::npos)
        << error.what();
  }
}

TEST_F(ResultsIo, RewritingReplacesTheFileWhole) {
  const Config config = testing::config_from(testing::deterministic_yaml());
  RunOptions options;
  write_results(file("out.h5"), config, simulate(config, options));
  const Config longer = testing::config_from(testing::deterministic_yaml(), {"scenario.months=48"});
  write_results(file("out.h5"), longer, simulate(longer, options));
  EXPECT_EQ(ResultFile(file("out.h5")).unsigned_attribute("months"), 48u);
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 1);
}

// The cells of the rows of the table in `doc` whose heading row begins with
// `heading` ("| variable |"), backquotes removed; fails if there is no such table.
std::vector<std::vector<std::string>> table_rows(const std::string& doc,
                                                 const std::string& heading) {
  std::ifstream in(doc);
  EXPECT_TRUE(in) << doc;
  std::vector<std::vector<std::string>> rows;
  bool in_table = false;
  for (std::string line; std::getline(in, line);) {
    if (!in_table) {
      in_table = line.rfind(heading, 0) == 0;
      if (in_table)
        std::getline(in, line);  // the |---| line under the heading
      continue;
    }
    if (line.empty() || line[0] != '|')
      return rows;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) {
      cell.erase(std::remove(cell.begin(), cell.end(), '`'), cell.end());
      const auto first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last + 1 - first));
    }
    rows.push_back(cells);
  }
  if (!in_table)
    ADD_FAILURE() << doc << " has no table headed '" << heading << "'";
  return rows;
}

// Adding a variable or an event without documenting it, or the reverse, fails here.
TEST(OutputDoc, TablesMatchTheRegistry) {
  const std::string doc = std::string(SOVRISK_SOURCE_DIR) + "/docs/output.md";
  std::vector<std::string> documented, registered;
  for (const auto& cells : table_rows(doc, "| variable | units | label |"))
    documented.push_back(cells.at(0) + " | " + cells.at(1) + " | " + cells.at(2));
  for (const VariableInfo& variable : kVariables) {
    registered.push_back(std::string(variable.name) + " | " + variable.units + " | " +
                         variable.label);
  }
  EXPECT_EQ(documented, registered) << "the variables of " << doc << " and outputs.h";

  documented.clear();
  registered.clear();
  for (const auto& cells : table_rows(doc, "| event | label |"))
    documented.push_back(cells.at(0) + " | " + cells.at(1));
  for (const EventInfo& event : kEvents)
    registered.push_back(std::string(event.name) + " | " + event.label);
  EXPECT_EQ(documented, registered) << "the events of " << doc << " and outputs.h";
}

}  // namespace
}  // namespace sovrisk
