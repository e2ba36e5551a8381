// `sovrisk summary` of band and sensitivity files (src/uncertainty_io.cpp,
// src/uncertainty_report.cpp): the numbers it prints are the file's datasets,
// the parameters ranked by their total index; a damaged or foreign file is
// refused with one line naming it and the dataset.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.h"
#include "damaged_files.h"
#include "test_support.h"

namespace sovrisk {
namespace {

const std::string kPriors =
    " --set 'oil.long_run_mean={prior: uniform, low: 40, high: 90}'"
    " --set 'spending.base_monthly={prior: uniform, low: 3286, high: 3680}'"
    " --set 'default.gap_threshold={prior: uniform, low: 0.01, high: 0.03}'";

std::string config_path() {
  return std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025-v1.yaml";
}

// A float64 dataset of `path`, row-major, read with HDF5 alone.
std::vector<double> doubles(const std::string& path, const std::string& dataset) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t set = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(file);
  return values;
}

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');)
      fields.push_back(cell);
    rows.push_back(fields);
  }
  return rows;
}

// %.10g as printed, against the file's double.
void expect_printed(const std::string& printed, double value, const std::string& what) {
  EXPECT_NEAR(std::stod(printed), value, 1e-9 * std::max(1.0, std::abs(value)))
      << what << ": printed " << printed;
}

class UncertaintySummary : public testing::ScratchDirectoryTest {
 protected:
  void expect_refused(const std::string& path, const std::vector<std::string>& mentions) {
    const testing::Outcome outcome = testing::run_sovrisk("summary " + path);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
    for (const std::string& mention : mentions)
      EXPECT_NE(outcome.output.find(mention), std::string::npos) << outcome.output;
  }
};

TEST_F(UncertaintySummary, BandSummaryPrintsTheFilesDatasets) {
  // Phi^-1(0.975), docs/model.md's z.
  const double z95 = boost::math::quantile(boost::math::normal(), 0.975);
  const std::string band = file("band.h5");
  const testing::Outcome run = testing::run_sovrisk("run " + config_path() + kPriors +
                                                    " --outer 12 --inner 200 -q -o " + band);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  const testing::Outcome csv = testing::run_sovrisk("summary " + band + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  const auto rows = csv_rows(csv.output);
  ASSERT_FALSE(rows.empty());
  const std::vector<std::string> header = rows[0];
  ASSERT_EQ(header.size(), 16u) << csv.output;
  EXPECT_EQ(header[0], "label");
  EXPECT_EQ(header[3], "integrated");
  EXPECT_EQ(header[7], "quantile_05");
  const std::vector<double> years = doubles(band, "/band/year");
  const std::size_t y_count = years.size();
  ASSERT_EQ(rows.size(), 1 + 3 * y_count) << csv.output;  // model v1: three events
  std::size_t row = 1;
  for (const std::string event : {"default", "depletion", "bank_crisis"}) {
    const std::string group = "/band/" + event;
    const auto integrated = doubles(band, group + "/integrated");
    const auto stderr_of = doubles(band, group + "/integrated_stderr");
    const auto q = doubles(band, group + "/quantile");
    const auto low = doubles(band, group + "/quantile_ci_low");
    const auto high = doubles(band, group + "/quantile_ci_high");
    for (std::size_t y = 0; y < y_count; ++y, ++row) {
      const auto& r = rows[row];
      ASSERT_EQ(r.size(), header.size());
      EXPECT_EQ(r[0], "russia-2025-v1");
      EXPECT_EQ(r[1], event);
      EXPECT_EQ(std::stoi(r[2]), static_cast<int>(years[y]));
      expect_printed(r[3], integrated[y], group + " integrated");
      expect_printed(r[4], stderr_of[y], group + " integrated_stderr");
      expect_printed(r[5], std::max(0.0, integrated[y] - z95 * stderr_of[y]), "low");
      expect_printed(r[6], std::min(1.0, integrated[y] + z95 * stderr_of[y]), "high");
      for (std::size_t l = 0; l < 3; ++l) {
        expect_printed(r[7 + 3 * l], q[l * y_count + y], group + " quantile");
        expect_printed(r[8 + 3 * l], low[l * y_count + y], group + " quantile_ci_low");
        expect_printed(r[9 + 3 * l], high[l * y_count + y], group + " quantile_ci_high");
      }
    }
  }

  const testing::Outcome json = testing::run_sovrisk("summary " + band + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const YAML::Node parsed = YAML::Load(json.output);
  EXPECT_EQ(parsed["outer"].as<int>(), 12);
  EXPECT_EQ(parsed["inner"].as<int>(), 200);
  const auto integrated = doubles(band, "/band/default/integrated");
  for (std::size_t y = 0; y < y_count; ++y)
    EXPECT_NEAR(parsed["default"]["integrated"][y].as<double>(), integrated[y], 1e-11);

  const testing::Outcome table = testing::run_sovrisk("summary " + band);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("12 parameter points of 200 paths over oil.long_run_mean"),
            std::string::npos)
      << table.output;
  char integrated_text[32];
  std::snprintf(integrated_text, sizeof integrated_text, "%6.2f%%", 100 * integrated.back());
  EXPECT_NE(
      table.output.find(std::to_string(static_cast<int>(years.back())) + "  " + integrated_text),
      std::string::npos)
      << table.output;

  // A quantile of another shape, then one of NaN: refused, naming the dataset.
  std::vector<double> two_rows(2 * y_count, 0.1);
  testing::replace_dataset(band, "/band/default/quantile", H5T_NATIVE_DOUBLE, {2, y_count},
                           two_rows.data());
  expect_refused(band, {band + ": ", "/band/default/quantile", "shape"});
  std::vector<double> nan(3 * y_count, std::numeric_limits<double>::quiet_NaN());
  testing::replace_dataset(band, "/band/default/quantile", H5T_NATIVE_DOUBLE, {3, y_count},
                           nan.data());
  expect_refused(band, {band + ": ", "/band/default/quantile"});
}

TEST_F(UncertaintySummary, SensitivitySummaryRanksTheParametersByTheFilesTotalIndex) {
  const std::string sens = file("sens.h5");
  const testing::Outcome run = testing::run_sovrisk("sensitivity " + config_path() + kPriors +
                                                    " -N 8 -M 200 --bootstrap 20 -q -o " + sens);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<std::string> parameters = {"oil.long_run_mean", "spending.base_monthly",
                                               "default.gap_threshold"};
  const std::vector<double> years = doubles(sens, "/sobol/year");
  const std::size_t y_count = years.size(), k = parameters.size();

  const testing::Outcome csv = testing::run_sovrisk("summary " + sens + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  const auto rows = csv_rows(csv.output);
  ASSERT_EQ(rows.size(), 1 + 3 * y_count * k) << csv.output;
  EXPECT_EQ(rows[0][4], "parameter");
  EXPECT_EQ(rows[0][8], "total_order");
  std::size_t row = 1;
  for (const std::string event : {"default", "depletion", "bank_crisis"}) {
    const std::string group = "/sobol/" + event;
    std::map<std::string, std::vector<double>> data;
    for (const std::string name : {"first_order", "first_order_ci_low", "first_order_ci_high",
                                   "total_order", "total_order_ci_low", "total_order_ci_high"})
      data[name] = doubles(sens, group + "/" + name);
    const auto variance = doubles(sens, group + "/variance");
    const auto inner = doubles(sens, group + "/inner_variance");
    for (std::size_t y = 0; y < y_count; ++y) {
      double previous = std::numeric_limits<double>::infinity();
      for (std::size_t rank = 1; rank <= k; ++rank, ++row) {
        const auto& r = rows[row];
        ASSERT_EQ(r.size(), 13u);
        EXPECT_EQ(r[1], event);
        EXPECT_EQ(std::stoi(r[2]), static_cast<int>(years[y]));
        EXPECT_EQ(std::stoul(r[3]), rank);
        const auto found = std::find(parameters.begin(), parameters.end(), r[4]);
        ASSERT_NE(found, parameters.end()) << r[4];
        const std::size_t i = static_cast<std::size_t>(found - parameters.begin());
        const std::size_t at = i * y_count + y;
        std::size_t column = 5;
        for (const std::string name : {"first_order", "first_order_ci_low", "first_order_ci_high",
                                       "total_order", "total_order_ci_low", "total_order_ci_high"})
          expect_printed(r[column++], data[name][at], group + "/" + name);
        expect_printed(r[11], variance[y], group + "/variance");
        expect_printed(r[12], inner[y], group + "/inner_variance");
        EXPECT_LE(data["total_order"][at], previous);  // sorted, the largest first
        previous = data["total_order"][at];
      }
    }
  }

  const testing::Outcome table = testing::run_sovrisk("summary " + sens);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("Default by end " + std::to_string(static_cast<int>(years.back()))),
            std::string::npos)
      << table.output;
  const testing::Outcome json = testing::run_sovrisk("summary " + sens + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const YAML::Node parsed = YAML::Load(json.output);
  EXPECT_EQ(parsed["N"].as<int>(), 8);
  const auto total = doubles(sens, "/sobol/default/total_order");
  EXPECT_NEAR(parsed["default"]["total_order"][1][0].as<double>(), total[y_count], 1e-11);

  std::vector<double> nan(y_count, std::numeric_limits<double>::quiet_NaN());
  testing::replace_dataset(sens, "/sobol/default/variance", H5T_NATIVE_DOUBLE, {y_count},
                           nan.data());
  expect_refused(sens, {sens + ": ", "/sobol/default/variance"});
  std::vector<double> one_row(y_count, 0.5);
  testing::replace_dataset(sens, "/sobol/depletion/first_order", H5T_NATIVE_DOUBLE, {1, y_count},
                           one_row.data());
  expect_refused(sens, {sens + ": "});
}

// What a checksum cannot cover: a dataset rewritten by another tool, attributes
// and the list of parameters (text). Each is checked against the rest of the file.
TEST_F(UncertaintySummary, RewrittenDatasetsHorizonsAndParameterListsAreRefused) {
  const std::string band = file("band.h5");
  const testing::Outcome run = testing::run_sovrisk("run " + config_path() + kPriors +
                                                    " --outer 6 --inner 100 -q -o " + band);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string pristine = testing::read_text(band);
  const auto fresh = [&] { std::ofstream(band, std::ios::binary) << pristine; };

  // The same numbers, without the checksum they were written with.
  const auto dims = testing::dataset_dims(band, "/band/default/integrated");
  const std::vector<double> integrated = doubles(band, "/band/default/integrated");
  testing::replace_dataset(band, "/band/default/integrated", H5T_NATIVE_DOUBLE, dims,
                           integrated.data());
  expect_refused(band, {band, "/band/default/integrated", "Fletcher-32"});

  fresh();
  const std::int64_t months = 3;
  testing::replace_root_attribute(band, "months", H5T_NATIVE_INT64, {}, &months);
  expect_refused(band, {band, "not those of 3 months from 2025-03"});
  // A horizon too long for the calendar's arithmetic (it overflowed before
  // the bound) and a start that is no month.
  fresh();
  const std::int64_t endless = std::numeric_limits<std::int64_t>::max();
  testing::replace_root_attribute(band, "months", H5T_NATIVE_INT64, {}, &endless);
  expect_refused(band, {band, "attribute 'months' is 9223372036854775807; expected 1 to"});
  fresh();
  testing::replace_root_strings(band, "start", {"2025-13"}, {});
  expect_refused(band, {band, "attribute 'start' is '2025-13'; expected a month YYYY-MM"});

  fresh();
  const std::vector<const char*> reordered = {"spending.base_monthly", "oil.long_run_mean",
                                              "default.gap_threshold"};
  const hid_t text = testing::string_type();
  testing::replace_dataset(band, "/band/parameters", text, {3}, reordered.data());
  H5Tclose(text);
  expect_refused(band, {band, "'/band/parameters' does not list the keys with priors"});

  fresh();
  const testing::Outcome summary = testing::run_sovrisk("summary " + band);
  EXPECT_EQ(summary.exit_code, 0) << summary.output;
}

TEST_F(UncertaintySummary, ForeignFilesAreRefusedWithOneLine) {
  std::ofstream(file("notes.h5")) << "not hdf5\n";
  expect_refused(file("notes.h5"), {file("notes.h5") + ": "});
}

}  // namespace
}  // namespace sovrisk
