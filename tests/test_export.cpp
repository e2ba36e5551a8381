// `sovrisk export`: tidy CSV and JSON tables that read back to the file's numbers exactly.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "cli_support.h"
#include "result_file_edits.h"
#include "sovrisk/accumulators.h"
#include "sovrisk/results_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using testing::Outcome;
using testing::run_sovrisk;

using Rows = std::vector<std::vector<std::string>>;

// RFC 4180: fields separated by commas, quoted when they hold a comma or a
// quote, a quote inside doubled. Every line one row (no line breaks in fields here).
Rows parse_csv(const std::string& text) {
  Rows rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    rows.push_back(fields);
  }
  return rows;
}

// The JSON array of objects as rows of `columns`, each object's keys checked to be those.
Rows parse_json(const std::string& text, const std::vector<std::string>& columns) {
  const YAML::Node array = YAML::Load(text);
  EXPECT_TRUE(array.IsSequence());
  Rows rows;
  for (const YAML::Node& object : array) {
    EXPECT_EQ(object.size(), columns.size());
    std::vector<std::string> row;
    for (const auto& column : columns)
      row.push_back(object[column].as<std::string>());
    rows.push_back(row);
  }
  return rows;
}

double number(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  EXPECT_TRUE(!text.empty() && *end == '\0') << "'" << text << "' is not a number";
  return value;
}

class Export : public testing::CommandLineTest {
 protected:
  void SetUp() override {
    CommandLineTest::SetUp();
    const std::string config = write("cfg.yaml", testing::stochastic_yaml());
    const Outcome run = run_sovrisk("run " + config + " --paths 1500 -q -o " + file("out.h5"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }

  // The rows of `sovrisk export out.h5 --what WHAT` in both formats, which must agree;
  // the header (CSV) must be `columns`.
  Rows exported(const std::string& what, const std::vector<std::string>& columns) {
    const Outcome csv = run_sovrisk("export " + file("out.h5") + " --what " + what);
    EXPECT_EQ(csv.exit_code, 0) << csv.output;
    Rows rows = parse_csv(csv.output);
    EXPECT_FALSE(rows.empty());
    if (rows.empty())
      return rows;
    EXPECT_EQ(rows.front(), columns);
    rows.erase(rows.begin());
    const Outcome json = run_sovrisk("export " + file("out.h5") + " --format json --what " + what);
    EXPECT_EQ(json.exit_code, 0) << json.output;
    const Rows from_json = parse_json(json.output, columns);
    EXPECT_EQ(from_json.size(), rows.size());
    // Numbers are the same text in both (the shortest that reads back exactly).
    EXPECT_EQ(from_json, rows) << what;
    return rows;
  }
};

TEST_F(Export, ProbabilitiesOneRowPerEventAndYear) {
  const Rows rows = exported("probabilities", {"label", "event", "year", "probability", "stderr",
                                               "ci95_low", "ci95_high"});
  const ResultFile in(file("out.h5"));
  const auto years = in.integers("/time/year");
  ASSERT_EQ(rows.size(), in.events().size() * years.size());
  std::size_t r = 0;
  for (const std::string& event : in.events()) {
    const auto probability = in.doubles("/" + event + "/cumulative_probability");
    const auto error = in.doubles("/" + event + "/stderr");
    const auto low = in.doubles("/" + event + "/ci95_low");
    const auto high = in.doubles("/" + event + "/ci95_high");
    for (std::size_t y = 0; y < years.size(); ++y, ++r) {
      EXPECT_EQ(rows[r][0], "test-stochastic");
      EXPECT_EQ(rows[r][1], event);
      EXPECT_EQ(rows[r][2], std::to_string(years[y]));
      // Exactly the stored doubles: the shortest text that reads back as each.
      EXPECT_EQ(number(rows[r][3]), probability[y]) << event << " " << years[y];
      EXPECT_EQ(number(rows[r][4]), error[y]);
      EXPECT_EQ(number(rows[r][5]), low[y]);
      EXPECT_EQ(number(rows[r][6]), high[y]);
    }
  }
}

TEST_F(Export, FansAndMeansOneRowPerVariableMonthAndQuantile) {
  const ResultFile in(file("out.h5"));
  const auto months = in.strings("/time/month");
  const auto variables = in.variables();
  const Rows fans =
      exported("fans", {"label", "variable", "units", "month", "quantile", "value", "error_bound"});
  ASSERT_EQ(fans.size(), variables.size() * months.size() * kFanLevels.size());
  const Rows means = exported("means", {"label", "variable", "units", "month", "value"});
  ASSERT_EQ(means.size(), variables.size() * months.size());
  std::size_t f = 0, m = 0;
  for (const std::string& variable : variables) {
    const auto fan = in.doubles("/fan/" + variable);
    const auto bound = in.doubles("/fan_error_bound/" + variable);
    const auto mean = in.doubles("/mean/" + variable);
    const std::string units = in.dataset_string_attribute("/fan/" + variable, "units");
    for (std::size_t t = 0; t < months.size(); ++t, ++m) {
      for (std::size_t q = 0; q < kFanLevels.size(); ++q, ++f) {
        const std::vector<std::string>& row = fans[f];
        EXPECT_EQ(row[1], variable);
        EXPECT_EQ(row[2], units);
        EXPECT_EQ(row[3], months[t]);
        EXPECT_EQ(number(row[4]), kFanLevels[q]);
        EXPECT_EQ(number(row[5]), fan[t * kFanLevels.size() + q]) << variable << " " << t;
        EXPECT_EQ(number(row[6]), bound[t]);
      }
      EXPECT_EQ(means[m][1], variable);
      EXPECT_EQ(means[m][3], months[t]);
      EXPECT_EQ(number(means[m][4]), mean[t]) << variable << " " << t;
    }
  }
}

TEST_F(Export, ConditionalFansOneRowPerConditionVariableMonthAndQuantile) {
  const ResultFile in(file("out.h5"));
  const auto months = in.strings("/time/month");
  const auto variables = in.variables();
  const Rows rows = exported("conditional", {"label", "condition", "variable", "units", "month",
                                             "quantile", "value", "error_bound"});
  ASSERT_EQ(rows.size(), 2 * variables.size() * months.size() * kFanLevels.size());
  std::size_t r = 0;
  for (const std::string condition : {"default", "no_default"}) {
    for (const std::string& variable : variables) {
      const auto fan = in.doubles("/conditional/" + condition + "/fan/" + variable);
      const auto bound = in.doubles("/fan_error_bound/" + variable);
      for (std::size_t t = 0; t < months.size(); ++t) {
        for (std::size_t q = 0; q < kFanLevels.size(); ++q, ++r) {
          const std::vector<std::string>& row = rows[r];
          EXPECT_EQ(row[1], condition);
          EXPECT_EQ(row[2], variable);
          EXPECT_EQ(row[4], months[t]);
          EXPECT_EQ(number(row[5]), kFanLevels[q]);
          const double value = fan[t * kFanLevels.size() + q];
          if (std::isnan(value))
            EXPECT_EQ(row[6], "") << condition << " " << variable << " " << t;
          else
            EXPECT_EQ(number(row[6]), value) << condition << " " << variable << " " << t;
          EXPECT_EQ(number(row[7]), bound[t]);
        }
      }
    }
  }
}

TEST_F(Export, TheLabelAttributeNamesTheRunWhereTheFileHasOne) {
  const std::string label = "Base case, \"no ceasefire\"";
  testing::EditedFile(file("out.h5")).set_text("/", "label", label);
  for (const char* what : {"probabilities", "fans", "means"}) {
    const Outcome csv = run_sovrisk("export " + file("out.h5") + " --what " + what);
    ASSERT_EQ(csv.exit_code, 0) << csv.output;
    const Rows rows = parse_csv(csv.output);
    ASSERT_GT(rows.size(), 1u);
    for (std::size_t r = 1; r < rows.size(); ++r)
      ASSERT_EQ(rows[r][0], label) << what << " row " << r;
  }
  const Outcome json = run_sovrisk("export " + file("out.h5") + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(YAML::Load(json.output)[0]["label"].as<std::string>(), label);
}

TEST_F(Export, RefusesWhatTheFileDoesNotHold) {
  // A file written before /conditional.
  EXPECT_EQ(run_sovrisk("export " + file("out.h5") + " --what conditional").exit_code, 0);
  testing::EditedFile(file("out.h5")).remove("/conditional");
  for (const char* group : {"sweep", "conditional"}) {
    const Outcome refused =
        run_sovrisk("export " + file("out.h5") + " --what " + std::string(group));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_EQ(refused.output,
              "sovrisk: error: " + file("out.h5") + " holds no /" + group + " group\n");
  }
  EXPECT_EQ(run_sovrisk("export " + file("out.h5") + " --what everything").exit_code, 2);
  EXPECT_EQ(run_sovrisk("export " + file("out.h5") + " --format xml").exit_code, 2);
  // A damaged file: one line, and no half table before it.
  testing::EditedFile(file("out.h5")).remove("/mean/fund");
  const Outcome damaged = run_sovrisk("export " + file("out.h5") + " --what means");
  EXPECT_EQ(damaged.exit_code, 2) << damaged.output;
  EXPECT_EQ(damaged.output,
            "sovrisk: error: " + file("out.h5") + ": dataset '/mean/fund' is missing\n");
}

}  // namespace
}  // namespace sovrisk
