// The command line as a user meets it: exit codes, messages, no half-written output.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "cli_support.h"
#include "damaged_files.h"
#include "result_file_edits.h"
#include "sovrisk/job.h"
#include "sovrisk/results_io.h"
#include "sovrisk/version.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using testing::Outcome;
using testing::run_sovrisk;
namespace fs = std::filesystem;

class Cli : public testing::CommandLineTest {};

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// The rows of a CSV table (RFC 4180 quoting), each a map from the header's names.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& csv) {
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted && c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
      fields.back() += c;
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ',') {
      fields.emplace_back();
    } else if (!quoted && c == '\n') {
      lines.push_back(fields);
      fields.assign(1, "");
    } else {
      fields.back() += c;
    }
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t l = 1; l < lines.size(); ++l) {
    EXPECT_EQ(lines[l].size(), lines[0].size()) << csv;
    std::map<std::string, std::string> row;
    for (std::size_t f = 0; f < lines[l].size() && f < lines[0].size(); ++f)
      row[lines[0][f]] = lines[l][f];
    rows.push_back(row);
  }
  return rows;
}

TEST_F(Cli, RunWritesTheResultAndPrintsTheTable) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const Outcome outcome =
      run_sovrisk("run " + config + " --paths 2000 --threads 2 -o " + file("out.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("2027"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("default"), std::string::npos);
  const ResultFile result(file("out.h5"));
  EXPECT_EQ(result.unsigned_attribute("paths"), 2000u);
}

TEST_F(Cli, SetOverridesAreRecordedInTheEffectiveConfig) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  const Outcome outcome =
      run_sovrisk("run " + config + " --set oil.p0=55.5 --seed 99 -o " + file("out.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const ResultFile result(file("out.h5"));
  const Config recorded = testing::config_from(result.string_attribute("config_yaml"));
  EXPECT_EQ(recorded.oil.p0, 55.5);
  EXPECT_EQ(recorded.simulation.seed, 99u);
  EXPECT_EQ(result.unsigned_attribute("seed"), 99u);
}

TEST_F(Cli, ThreadCountDoesNotChangeAnyDataset) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(run_sovrisk("run " + config + " --threads 1 -o " + file("one.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk("run " + config + " --threads 2 -o " + file("two.h5")).exit_code, 0);
  const ResultFile one(file("one.h5")), two(file("two.h5"));
  ASSERT_EQ(one.variables(), two.variables());
  ASSERT_EQ(one.events(), two.events());
  for (const char* group : {"/fan/", "/mean/", "/sample_paths/", "/fan_error_bound/"}) {
    for (const std::string& variable : one.variables()) {
      const std::string name = group + variable;
      EXPECT_EQ(one.doubles(name), two.doubles(name)) << name;
    }
  }
  for (const std::string& event : one.events()) {
    const std::string group = "/" + event + "/";
    EXPECT_EQ(one.integers(group + "month_counts"), two.integers(group + "month_counts"));
    EXPECT_EQ(one.doubles(group + "cumulative_probability"),
              two.doubles(group + "cumulative_probability"));
  }
}

TEST_F(Cli, DryRunPrintsTheEffectiveConfigAndWritesNothing) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  const Outcome outcome =
      run_sovrisk("run " + config + " --dry-run --set oil.p0=51.5 -o " + file("out.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_EQ(testing::config_from(outcome.output).oil.p0, 51.5);
  EXPECT_FALSE(fs::exists(file("out.h5")));
}

TEST_F(Cli, SummaryReprintsTheRunsTableInEveryFormat) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const Outcome run = run_sovrisk("run " + config + " --paths 3000 -o " + file("out.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto table_start = run.output.find("by end");
  const auto table_end = run.output.find("\n\nwrote");
  const std::string table = run.output.substr(table_start, table_end - table_start + 1);
  const Outcome summary = run_sovrisk("summary " + file("out.h5"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_NE(summary.output.find(table), std::string::npos) << summary.output << "\nvs\n" << table;
  EXPECT_NE(summary.output.find("crc64:"), std::string::npos);
  const Outcome csv = run_sovrisk("summary " + file("out.h5") + " --format csv");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 1 + 4 * kModelV1Events)
      << csv.output;
  const Outcome json = run_sovrisk("summary " + file("out.h5") + " --format json");
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(json.output.front(), '{');
  EXPECT_NE(json.output.find("\"default\": {\"probability\": ["), std::string::npos) << json.output;
  EXPECT_EQ(run_sovrisk("summary " + file("out.h5") + " --format xml").exit_code, 2);
  const Outcome missing = run_sovrisk("summary " + file("none.h5"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("none.h5: cannot open the file"), std::string::npos)
      << missing.output;
}

// A file of another sovrisk version, which knows other events: one this build
// does not know, with a label longer than the table's columns, and none of default.
TEST_F(Cli, SummaryAndCompareReadTheEventsTheFileLists) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(run_sovrisk("run " + config + " --paths 3000 -q -o " + file("other.h5")).exit_code, 0);
  fs::copy_file(file("other.h5"), file("usual.h5"));
  const std::string label = "Run on the banks, deposits down 10% a month";
  {
    testing::EditedFile other(file("other.h5"));
    other.copy("/depletion", "/bank_run");
    other.set_text("/bank_run", "label", label);
    other.remove("/default");
    other.set_texts("/", "events", {"depletion", "bank_run", "bank_crisis"});
  }
  const Outcome table = run_sovrisk("summary " + file("other.h5"));
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_EQ(table.output.find("default"), std::string::npos) << table.output;
  std::istringstream lines(table.output.substr(table.output.find("by end")));
  std::string header;
  std::getline(lines, header);
  const auto depletion = header.find("fund depletion [95% CI]");
  const auto bank_run = header.find("run on the banks, deposits down 10% a month [95% CI]");
  const auto crisis = header.find("bank crisis [95% CI]");
  ASSERT_EQ(depletion, 8u) << header;
  ASSERT_NE(bank_run, std::string::npos) << header;
  EXPECT_EQ(crisis, bank_run + label.size() + std::string(" [95% CI]  ").size()) << header;
  int rows = 0;
  for (std::string row; std::getline(lines, row) && !row.empty(); ++rows) {
    // Each estimate, "  3.27% [  3.16%,   3.38%]", starts under its heading.
    for (const auto column : {depletion, bank_run, crisis}) {
      EXPECT_EQ(row.substr(column - 2, 2), "  ") << row;
      EXPECT_EQ(row.substr(column + 6, 3), "% [") << row;
    }
    EXPECT_EQ(row.substr(depletion, 26), row.substr(bank_run, 26)) << row;
  }
  EXPECT_EQ(rows, 4) << table.output;

  const Outcome csv = run_sovrisk("summary " + file("other.h5") + " --format csv");
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 1 + 4 * 3) << csv.output;
  EXPECT_NE(csv.output.find("\n2025,bank_run,"), std::string::npos) << csv.output;
  EXPECT_EQ(csv.output.find(",default,"), std::string::npos) << csv.output;
  const Outcome json = run_sovrisk("summary " + file("other.h5") + " --format json");
  EXPECT_NE(json.output.find("\"bank_run\": {\"probability\": ["), std::string::npos)
      << json.output;

  // compare takes the events both files hold, and names the others.
  const Outcome compared = run_sovrisk("compare " + file("other.h5") + " " + file("usual.h5"));
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  EXPECT_NE(compared.output.find("\nnot compared: only in A: bank_run; only in B: default;\n"),
            std::string::npos)
      << compared.output;
  EXPECT_NE(compared.output.find("\nFund depletion\nby end "), std::string::npos)
      << compared.output;
  EXPECT_NE(compared.output.find("\nBank crisis\nby end "), std::string::npos) << compared.output;
  {
    testing::EditedFile other(file("other.h5"));
    other.set_texts("/", "events", {"bank_run"});
  }
  const Outcome nothing_shared =
      run_sovrisk("compare " + file("other.h5") + " " + file("usual.h5"));
  EXPECT_EQ(nothing_shared.exit_code, 2);
  EXPECT_NE(nothing_shared.output.find("usual.h5: no event in both files; nothing to compare"),
            std::string::npos)
      << nothing_shared.output;
}

// Format 1.0 lists neither variables nor events, nor labels: a file of that
// version reads as one of model v1, with the labels of the registry.
TEST_F(Cli, SummaryOfAFormat10FileIsAsBefore) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(run_sovrisk("run " + config + " --paths 3000 -q -o " + file("new.h5")).exit_code, 0);
  // Format 1.0 is frozen: these are its events for good, whatever the registry holds, and a
  // model-v1 configuration's run reports them still.
  const std::vector<std::string> v1_events = {"default", "depletion", "bank_crisis"};
  ASSERT_EQ(ResultFile(file("new.h5")).events(), v1_events);
  fs::copy_file(file("new.h5"), file("old.h5"));
  {
    testing::EditedFile old(file("old.h5"));
    old.set_text("/", "format_version", "1.0");
    old.remove_attribute("/", "variables");
    old.remove_attribute("/", "events");
    for (const std::string& event : v1_events)
      old.remove_attribute("/" + event, "label");
  }
  for (const char* format : {"table", "csv", "json"}) {
    const Outcome before = run_sovrisk("summary " + file("new.h5") + " --format " + format);
    const Outcome after = run_sovrisk("summary " + file("old.h5") + " --format " + format);
    ASSERT_EQ(after.exit_code, 0) << after.output;
    EXPECT_EQ(after.output, before.output);
  }
  const Outcome compared = run_sovrisk("compare " + file("old.h5") + " " + file("new.h5"));
  EXPECT_EQ(compared.exit_code, 0) << compared.output;
  EXPECT_NE(compared.output.find("+0.00%"), std::string::npos) << compared.output;
}

// A result file whose attributes are of another kind or shape than the
// layout's, as a crafted file could hold them: one message, exit code 2.
TEST_F(Cli, SummaryRefusesACraftedResultFile) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(run_sovrisk("run " + config + " --paths 2000 -q -o " + file("out.h5")).exit_code, 0);
  auto expect_refused = [&](const std::string& mention) {
    const Outcome summary = run_sovrisk("summary " + file("crafted.h5"));
    EXPECT_EQ(summary.exit_code, 2) << summary.output;
    EXPECT_NE(summary.output.find(mention), std::string::npos) << summary.output;
    EXPECT_EQ(std::count(summary.output.begin(), summary.output.end(), '\n'), 1) << summary.output;
  };
  auto crafted = [&] {
    fs::copy_file(file("out.h5"), file("crafted.h5"), fs::copy_options::overwrite_existing);
    return file("crafted.h5");
  };
  const std::vector<std::uint64_t> four = {1, 2, 3, 4};
  testing::replace_root_attribute(crafted(), "seed", H5T_NATIVE_UINT64, {4}, four.data());
  expect_refused("crafted.h5: attribute 'seed' holds 4 values; expected one non-negative integer");
  testing::replace_root_strings(crafted(), "format_version", {"1.1", "1.1", "1.1", "1.1"}, {4});
  expect_refused("crafted.h5: attribute 'format_version' holds 4 values; expected one string");
  const hid_t fixed = testing::string_type(8);
  const char hashes[2][8] = {"crc64:0", "crc64:1"};
  testing::replace_root_attribute(crafted(), "config_hash", fixed, {2}, hashes);
  H5Tclose(fixed);
  expect_refused("crafted.h5: attribute 'config_hash' holds 2 values; expected one string");
  testing::replace_root_strings(crafted(), "scenario", {"test"}, {1});
  const Outcome one_element = run_sovrisk("summary " + file("crafted.h5"));
  EXPECT_EQ(one_element.exit_code, 0) << one_element.output;  // a list of one is one value
  std::vector<const char*> years(3, "2025");
  const hid_t text = testing::string_type();
  testing::replace_dataset(crafted(), "/time/year", text, {3}, years.data());
  H5Tclose(text);
  expect_refused("crafted.h5: dataset '/time/year' holds strings; expected integers");
}

// Numbers no run writes (issue #15 item 7), in a file that is otherwise well
// formed: summary and compare refuse it with one line naming the dataset. The
// edits are unchecksummed, so the file is marked format 1.1, whose datasets
// carry no checksum; the checksum itself is tested below.
TEST_F(Cli, SummaryAndCompareRefuseResultsThatBreakTheInvariants) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(
      run_sovrisk("run " + config + " --paths 2000 --per-path -q -o " + file("out.h5")).exit_code,
      0);
  const std::size_t years = testing::dataset_dims(file("out.h5"), "/time/year")[0];
  const std::size_t months = testing::dataset_dims(file("out.h5"), "/time/month")[0];
  ASSERT_GE(years, 2u);
  auto crafted = [&] {
    fs::copy_file(file("out.h5"), file("crafted.h5"), fs::copy_options::overwrite_existing);
    testing::replace_root_strings(file("crafted.h5"), "format_version", {"1.1"}, {});
    return file("crafted.h5");
  };
  auto doubles = [&](const std::string& dataset, std::vector<double> values) {
    testing::replace_dataset(crafted(), dataset, H5T_NATIVE_DOUBLE, {values.size()}, values.data());
  };
  auto expect_refused = [&](const std::string& mention) {
    for (const std::string command : {"summary " + file("crafted.h5"),
                                      "compare " + file("crafted.h5") + " " + file("out.h5")}) {
      const Outcome outcome = run_sovrisk(command);
      EXPECT_EQ(outcome.exit_code, 2) << command << "\n" << outcome.output;
      EXPECT_NE(outcome.output.find(mention), std::string::npos) << command << "\n"
                                                                 << outcome.output;
      EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1)
          << outcome.output;
    }
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  crafted();
  const Outcome unchanged = run_sovrisk("summary " + file("crafted.h5"));
  EXPECT_EQ(unchanged.exit_code, 0) << unchanged.output;

  doubles("/depletion/stderr", std::vector<double>(years, nan));
  expect_refused(
      "crafted.h5: dataset '/depletion/stderr' holds nan at index 0; expected a "
      "probability in [0, 1]");
  doubles("/default/cumulative_probability", std::vector<double>(years, 1e300));
  expect_refused("dataset '/default/cumulative_probability' holds");
  std::vector<double> decreasing(years, 0.5);
  decreasing[1] = 0.4;
  doubles("/depletion/ci95_high", decreasing);
  expect_refused("dataset '/depletion/ci95_high' decreases at index 1");
  doubles("/depletion/ci95_low", std::vector<double>(years, -0.01));
  expect_refused("dataset '/depletion/ci95_low' holds -0.010000 at index 0");
  doubles("/default/ci95_high", std::vector<double>(years, 0.0));
  expect_refused("/default: the interval [ci95_low, ci95_high] of");
  const double scalar = 0.01;
  testing::replace_dataset(crafted(), "/default/ci95_low", H5T_NATIVE_DOUBLE, {}, &scalar);
  expect_refused("dataset '/default/ci95_low' has shape a single value; expected " +
                 std::to_string(years));
  const std::uint64_t no_paths = 0;
  testing::replace_root_attribute(crafted(), "paths", H5T_NATIVE_UINT64, {}, &no_paths);
  expect_refused("crafted.h5: attribute 'paths' is 0; expected at least one path");
  std::vector<const char*> labels(months - 3, "2025-01");
  const hid_t text = testing::string_type();
  testing::replace_dataset(crafted(), "/time/month", text, {labels.size()}, labels.data());
  H5Tclose(text);
  expect_refused("dataset '/time/month' has " + std::to_string(months - 3) + " values; expected " +
                 std::to_string(months));
  // Two counts of 2^63 - 1 wrap a plain sum to below the paths.
  std::vector<std::int64_t> huge(months, 0);
  huge[0] = huge[1] = std::numeric_limits<std::int64_t>::max();
  testing::replace_dataset(crafted(), "/default/month_counts", H5T_NATIVE_INT64, {months},
                           huge.data());
  expect_refused("dataset '/default/month_counts' counts negative paths or more paths");
}

// Issue #15 item 3: compare derives every length from the checked calendar and
// paths, never from an array's own length.
TEST_F(Cli, CompareChecksThePerPathMonths) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run = "run " + config + " --paths 2000 --per-path -q ";
  ASSERT_EQ(run_sovrisk(run + "-o " + file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--set spending.base_monthly=3450 -o " + file("b.h5")).exit_code, 0);
  auto crafted = [&] {
    fs::copy_file(file("a.h5"), file("crafted.h5"), fs::copy_options::overwrite_existing);
    testing::replace_root_strings(file("crafted.h5"), "format_version", {"1.1"}, {});
    return file("crafted.h5");
  };
  auto expect_refused = [&](const std::string& mention) {
    const Outcome outcome = run_sovrisk("compare " + file("crafted.h5") + " " + file("b.h5"));
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(mention), std::string::npos) << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
  };
  std::vector<std::int32_t> months(1999, -1);
  testing::replace_dataset(crafted(), "/per_path/default_month", H5T_NATIVE_INT32, {months.size()},
                           months.data());
  expect_refused("dataset '/per_path/default_month' has shape 1999; expected 2000");
  testing::replace_dataset(crafted(), "/per_path/default_month", H5T_NATIVE_INT32, {0},
                           months.data());
  expect_refused("dataset '/per_path/default_month' has shape 0; expected 2000");
  months.assign(2000, -1);
  months[7] = 1 << 20;
  testing::replace_dataset(crafted(), "/per_path/default_month", H5T_NATIVE_INT32, {months.size()},
                           months.data());
  expect_refused("dataset '/per_path/default_month' holds month 1048576; expected -1 or a month");
  // A run with --per-path stores every event's months: one missing is damage, not a run
  // without --per-path.
  crafted();
  {
    testing::EditedFile edited(file("crafted.h5"));
    edited.remove("/per_path/depletion_month");
  }
  expect_refused("/per_path/depletion_month");
}

// Runs that reach the year 10000, written by sovrisk itself: one row a year,
// each paired on the per-path months up to that year's end.
TEST_F(Cli, CompareOfRunsPastTheYear9999) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run =
      "run " + config + " --paths 2000 --per-path -q --set scenario.start=9999-06 ";
  ASSERT_EQ(run_sovrisk(run + "-o " + file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--set spending.base_monthly=3450 -o " + file("b.h5")).exit_code, 0);
  const Outcome compared =
      run_sovrisk("compare " + file("a.h5") + " " + file("b.h5") + " --format csv");
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  const ResultFile a(file("a.h5"));
  const auto years = a.integers("/time/year");
  ASSERT_GE(years.size(), 2u);
  EXPECT_EQ(years.front(), 9999);
  // One row of default per year, in order, each with the reference's probabilities.
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& row : csv_rows(compared.output)) {
    if (row.at("event") == "default")
      rows.push_back(row);
  }
  const auto probability = a.doubles("/default/cumulative_probability");
  ASSERT_EQ(rows.size(), years.size()) << compared.output;
  for (std::size_t y = 0; y < years.size(); ++y) {
    EXPECT_EQ(rows[y].at("year"), std::to_string(years[y])) << compared.output;
    char expected[32];
    std::snprintf(expected, sizeof expected, "%.10g", probability[y]);
    EXPECT_EQ(rows[y].at("p_reference"), expected);
    EXPECT_EQ(rows[y].at("method"), "paired-exact");
  }
}

// Format 1.2 checksums every dataset: a damaged one, or one rewritten without
// its checksum, is refused; a file of format 1.1 is not asked for one.
TEST_F(Cli, ResultDatasetsAreChecksummed) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(run_sovrisk("run " + config + " --paths 2000 -q -o " + file("out.h5")).exit_code, 0);
  const Outcome before = run_sovrisk("summary " + file("out.h5"));
  ASSERT_EQ(before.exit_code, 0) << before.output;
  auto crafted = [&] {
    fs::copy_file(file("out.h5"), file("crafted.h5"), fs::copy_options::overwrite_existing);
    return file("crafted.h5");
  };
  testing::damage_chunk(crafted(), "/depletion/stderr", 4);
  const Outcome damaged = run_sovrisk("summary " + file("crafted.h5"));
  EXPECT_EQ(damaged.exit_code, 2) << damaged.output;
  EXPECT_NE(damaged.output.find("crafted.h5: damaged file: dataset '/depletion/stderr'"),
            std::string::npos)
      << damaged.output;
  const auto stderrs = ResultFile(file("out.h5")).doubles("/depletion/stderr");
  testing::replace_dataset(crafted(), "/depletion/stderr", H5T_NATIVE_DOUBLE, {stderrs.size()},
                           stderrs.data());
  const Outcome unchecksummed = run_sovrisk("summary " + file("crafted.h5"));
  EXPECT_EQ(unchecksummed.exit_code, 2) << unchecksummed.output;
  EXPECT_NE(unchecksummed.output.find(
                "crafted.h5: dataset '/depletion/stderr' has no Fletcher-32 checksum"),
            std::string::npos)
      << unchecksummed.output;
  testing::replace_root_strings(file("crafted.h5"), "format_version", {"1.1"}, {});
  const Outcome old = run_sovrisk("summary " + file("crafted.h5"));
  EXPECT_EQ(old.exit_code, 0) << old.output;
  EXPECT_EQ(old.output, before.output);
}

TEST_F(Cli, PairedComparisonIsTighterThanIndependent) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run = "run " + config + " --paths 4000 -q --per-path ";
  ASSERT_EQ(run_sovrisk(run + "-o " + file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--set spending.base_monthly=3450 -o " + file("b.h5")).exit_code, 0);
  ASSERT_EQ(
      run_sovrisk("run " + config +
                  " --paths 4000 -q --seed 1 --set spending.base_monthly=3450 -o " + file("c.h5"))
          .exit_code,
      0);
  const Outcome paired =
      run_sovrisk("compare " + file("a.h5") + " " + file("b.h5") + " --format csv");
  const Outcome independent =
      run_sovrisk("compare " + file("a.h5") + " " + file("c.h5") + " --format csv");
  ASSERT_EQ(paired.exit_code, 0) << paired.output;
  ASSERT_EQ(independent.exit_code, 0) << independent.output;
  // Default by the horizon's last year: the last of its rows.
  const auto last_default = [](const std::string& csv) {
    std::map<std::string, std::string> last;
    for (const auto& row : csv_rows(csv)) {
      if (row.at("event") == "default")
        last = row;
    }
    return last;
  };
  const auto p = last_default(paired.output), q = last_default(independent.output);
  ASSERT_FALSE(p.empty()) << paired.output;
  ASSERT_FALSE(q.empty()) << independent.output;
  const auto number = [](const std::map<std::string, std::string>& row, const char* column) {
    return std::stod(row.at(column));
  };
  EXPECT_EQ(p.at("method"), "paired-exact");
  EXPECT_EQ(q.at("method"), "independent");
  EXPECT_LT(number(p, "difference"), 0);  // B spends less, and defaults less
  EXPECT_LT(number(p, "stderr"), 0.6 * number(q, "stderr"));
  EXPECT_NEAR(number(p, "p_other") - number(p, "p_reference"), number(p, "difference"), 1e-12);
  EXPECT_EQ(run_sovrisk("compare " + file("a.h5")).exit_code, 2);
}

// Issue #14 item 2: every file against the first, or against --reference, on
// every event the files hold; differences are other - reference.
TEST_F(Cli, CompareTakesEveryFileAgainstTheReference) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run = "run " + config + " --paths 2000 --per-path -q ";
  ASSERT_EQ(run_sovrisk(run + "--label base -o " + file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--set spending.base_monthly=3450 --label thrifty -o " + file("b.h5"))
                .exit_code,
            0);
  ASSERT_EQ(run_sovrisk(run + "--seed 7 --label seed7 -o " + file("c.h5")).exit_code, 0);
  const std::string files = file("a.h5") + " " + file("b.h5") + " " + file("c.h5");
  const Outcome first = run_sovrisk("compare " + files + " --format csv");
  const Outcome second = run_sovrisk("compare " + files + " --reference 2 --format csv");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(second.exit_code, 0) << second.output;

  const ResultFile a(file("a.h5")), b(file("b.h5"));
  const std::vector<std::string> events = a.events();
  const std::size_t years = a.integers("/time/year").size();
  const auto rows = csv_rows(first.output), swapped = csv_rows(second.output);
  ASSERT_EQ(rows.size(), 2 * events.size() * years) << first.output;
  ASSERT_EQ(swapped.size(), rows.size()) << second.output;
  std::map<std::string, int> per_event;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool thrifty = i < rows.size() / 2;
    EXPECT_EQ(rows[i].at("reference"), "base");
    EXPECT_EQ(rows[i].at("other"), thrifty ? "thrifty" : "seed7");
    EXPECT_EQ(rows[i].at("method"), thrifty ? "paired-exact" : "independent");
    ++per_event[rows[i].at("event")];
    // The first half, thrifty - base, is base - thrifty in the second file's order.
    if (thrifty) {
      EXPECT_EQ(swapped[i].at("reference"), "thrifty");
      EXPECT_EQ(swapped[i].at("other"), "base");
      EXPECT_EQ(swapped[i].at("event"), rows[i].at("event"));
      EXPECT_EQ(swapped[i].at("year"), rows[i].at("year"));
      EXPECT_EQ(std::stod(swapped[i].at("difference")), -std::stod(rows[i].at("difference")));
      EXPECT_EQ(swapped[i].at("stderr"), rows[i].at("stderr"));
    } else {
      EXPECT_EQ(swapped[i].at("reference"), "thrifty");
      EXPECT_EQ(swapped[i].at("other"), "seed7");
    }
  }
  for (const std::string& event : events)
    EXPECT_EQ(per_event[event], int(2 * years)) << event;
  // The values: base's and thrifty's default by the horizon's last year, as the files hold them.
  const auto& last = rows[years - 1];
  ASSERT_EQ(last.at("event"), events[0]);
  char expected[32];
  std::snprintf(expected, sizeof expected, "%.10g",
                a.doubles("/" + events[0] + "/cumulative_probability").back());
  EXPECT_EQ(last.at("p_reference"), expected);
  std::snprintf(expected, sizeof expected, "%.10g",
                b.doubles("/" + events[0] + "/cumulative_probability").back());
  EXPECT_EQ(last.at("p_other"), expected);

  const Outcome table = run_sovrisk("compare " + files);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("), the reference\nB: thrifty ("), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("\nB - A: paired on common random numbers"), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("\nC - A: independent runs (different seeds)"), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("\nby end       P(A)       P(C)      C - A  [95% CI]\n"),
            std::string::npos)
      << table.output;
  const Outcome json = run_sovrisk("compare " + files + " --reference 3 --format json");
  EXPECT_EQ(json.output.rfind("[{\"reference\": \"seed7\", \"other\": \"base\", ", 0), 0)
      << json.output;

  for (const char* reference : {"0", "4"}) {
    const Outcome refused = run_sovrisk("compare " + files + " --reference " + reference);
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_EQ(refused.output, "sovrisk: error: --reference " + std::string(reference) +
                                  ": expected a file from 1 to 3\n");
  }
}

// Runs of one seed share their random numbers: without per-path months the
// independent-runs interval is only an upper bound, and compare says so.
TEST_F(Cli, CompareCallsTheIntervalOfRunsOfOneSeedConservative) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run = "run " + config + " --paths 4000 -q ";
  const std::string thrifty = "--set spending.base_monthly=3450 ";
  ASSERT_EQ(run_sovrisk(run + "-o " + file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + thrifty + "-o " + file("b.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--per-path -o " + file("pa.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + thrifty + "--per-path -o " + file("pb.h5")).exit_code, 0);

  const Outcome table = run_sovrisk("compare " + file("a.h5") + " " + file("b.h5"));
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find(
                "\nB - A: the same seed, so the runs share their random numbers, but a file lacks "
                "/per_path (run both with --per-path for the exact interval): the interval treats "
                "them as independent and is conservative (too wide) for runs that move "
                "together\n"),
            std::string::npos)
      << table.output;
  // A file with per-path months against one without: still conservative.
  const Outcome mixed =
      run_sovrisk("compare " + file("pa.h5") + " " + file("b.h5") + " --format csv");
  for (const auto& row : csv_rows(mixed.output))
    EXPECT_EQ(row.at("method"), "independent-conservative");

  const auto conservative = csv_rows(
      run_sovrisk("compare " + file("a.h5") + " " + file("b.h5") + " --format csv").output);
  const auto paired = csv_rows(
      run_sovrisk("compare " + file("pa.h5") + " " + file("pb.h5") + " --format csv").output);
  ASSERT_EQ(conservative.size(), paired.size());
  const std::uint64_t n = 4000;
  int wider = 0;
  for (std::size_t i = 0; i < paired.size(); ++i) {
    EXPECT_EQ(conservative[i].at("method"), "independent-conservative");
    EXPECT_EQ(paired[i].at("method"), "paired-exact");
    // The same paths: the same probabilities and difference, another standard error.
    EXPECT_NEAR(std::stod(conservative[i].at("difference")), std::stod(paired[i].at("difference")),
                1e-12);
    const double p = std::stod(conservative[i].at("p_reference"));
    const double q = std::stod(conservative[i].at("p_other"));
    EXPECT_NEAR(std::stod(conservative[i].at("stderr")),
                std::sqrt(p * (1 - p) / n + q * (1 - q) / n), 1e-9);
    EXPECT_LE(std::stod(paired[i].at("stderr")), std::stod(conservative[i].at("stderr")) + 1e-15);
    wider += std::stod(paired[i].at("stderr")) < 0.6 * std::stod(conservative[i].at("stderr"));
  }
  EXPECT_GT(wider, 0);
}

// A 30-month run against a 72-month one, both from March 2025: the years both
// cover, 2027 only to August, when the shorter run ends, and said so.
TEST_F(Cli, CompareOfRunsOfOtherHorizonsMarksTheYearOneEndsIn) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run = "run " + config + " --paths 2000 --per-path -q ";
  ASSERT_EQ(run_sovrisk(run + "--set scenario.months=30 -o " + file("short.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--set scenario.months=72 --set spending.base_monthly=3450 -o " +
                        file("long.h5"))
                .exit_code,
            0);
  const Outcome table = run_sovrisk("compare " + file("short.h5") + " " + file("long.h5"));
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("seed 42, 2025-03 to 2027-08), the reference\n"), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("seed 42, 2025-03 to 2031-02)\n"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("]  (by Aug 2027, A's horizon ends)\n"), std::string::npos)
      << table.output;
  EXPECT_EQ(table.output.find("\n2028 "), std::string::npos) << table.output;
  const Outcome reversed = run_sovrisk("compare " + file("long.h5") + " " + file("short.h5"));
  EXPECT_NE(reversed.output.find("]  (by Aug 2027, B's horizon ends)\n"), std::string::npos)
      << reversed.output;

  const Outcome csv =
      run_sovrisk("compare " + file("short.h5") + " " + file("long.h5") + " --format csv");
  const ResultFile longer(file("long.h5"));
  const auto counts = longer.integers("/default/month_counts");
  const double by_august_2027 =
      std::accumulate(counts.begin(), counts.begin() + 30, 0.0) / 2000;  // months 0 to 29
  int rows_2027 = 0;
  for (const auto& row : csv_rows(csv.output)) {
    EXPECT_NE(row.at("year"), "2028");
    EXPECT_EQ(row.at("method"), "paired-exact");
    EXPECT_EQ(row.at("through"), row.at("year") == "2027" ? "2027-08" : row.at("year") + "-12");
    if (row.at("event") == "default" && row.at("year") == "2027") {
      ++rows_2027;
      EXPECT_EQ(std::stod(row.at("p_other")), by_august_2027);
    }
  }
  EXPECT_EQ(rows_2027, 1) << csv.output;
}

// The row of the year the horizon ends in reads "by" its last month, in run's
// table and summary's, and summary's csv and json give that month.
TEST_F(Cli, RunAndSummaryMarkTheYearTheHorizonEndsIn) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const Outcome run = run_sovrisk("run " + config + " --paths 2000 -o " + file("out.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const Outcome summary = run_sovrisk("summary " + file("out.h5"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  for (const std::string& output : {run.output, summary.output}) {
    const auto row_2027 = output.find("\n2027  "), row_2028 = output.find("\n2028  ");
    ASSERT_NE(row_2028, std::string::npos) << output;
    const std::string rest = output.substr(row_2028 + 1);
    EXPECT_EQ(rest.substr(0, rest.find('\n')).rfind("]  (by Feb 2028, horizon ends)") + 30,
              rest.find('\n'))
        << output;
    EXPECT_EQ(output.find("horizon ends"), output.find("horizon ends", row_2027)) << output;
    EXPECT_EQ(output.find("horizon ends"), output.rfind("horizon ends")) << output;
  }
  const auto csv = csv_rows(run_sovrisk("summary " + file("out.h5") + " --format csv").output);
  ASSERT_FALSE(csv.empty());
  for (const auto& row : csv)
    EXPECT_EQ(row.at("through"), row.at("year") == "2028" ? "2028-02" : row.at("year") + "-12");
  EXPECT_NE(run_sovrisk("summary " + file("out.h5") + " --format json")
                .output.find("\"through\": [\"2025-12\", \"2026-12\", \"2027-12\", \"2028-02\"]"),
            std::string::npos);

  // A horizon that ends in December leaves every row a whole year.
  const Outcome whole =
      run_sovrisk("run " + config + " --paths 2000 --set scenario.months=34 -o " + file("dec.h5"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  EXPECT_EQ(whole.output.find("horizon ends"), std::string::npos) << whole.output;
  EXPECT_NE(whole.output.find("\n2027  "), std::string::npos) << whole.output;
}

TEST_F(Cli, ProgressGoesToStderrOncePerTenthUnlessQuiet) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string options = config + " --set scenario.months=24 --threads 1 --sample-paths 0 ";
  // About six seconds at this program's measured speed, so that the run outlasts the one
  // quiet second (a run under a second prints nothing) even if the machine is six times
  // as loaded while it measures as while the run goes.
  const std::uint64_t paths =
      testing::paths_lasting(6.0, "run " + options + "-q", file("speed.h5"));
  ASSERT_GT(paths, 0u);
  const std::string run = "run " + options + "--paths " + std::to_string(paths) + " ";
  const Outcome loud = run_sovrisk(run + "-o " + file("a.h5"));
  ASSERT_EQ(loud.exit_code, 0) << loud.output;
  int progress_lines = 0;
  std::istringstream lines(loud.output);
  for (std::string line; std::getline(lines, line);)
    progress_lines += line.rfind("progress: ", 0) == 0;
  EXPECT_NE(loud.output.find("progress: 100%"), std::string::npos) << loud.output;
  EXPECT_GE(progress_lines, 1);
  EXPECT_LE(progress_lines, 10);
  const Outcome quiet = run_sovrisk(run + "-q -o " + file("b.h5"));
  EXPECT_EQ(quiet.output.find("progress:"), std::string::npos) << quiet.output;
}

TEST_F(Cli, ValidateAcceptsAGoodConfig) {
  const Outcome outcome = run_sovrisk("validate " + write("ok.yaml", testing::stochastic_yaml()));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
}

TEST_F(Cli, ShippedConfigsAreValid) {
  const fs::path configs = fs::path(SOVRISK_SOURCE_DIR) / "configs";
  ASSERT_TRUE(fs::exists(configs / "russia-2025.yaml"));
  int validated = 0;
  for (const auto& entry : fs::directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml")
      continue;
    const Outcome outcome = run_sovrisk("validate " + entry.path().string());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    ++validated;
  }
  EXPECT_GE(validated, 3);
}

TEST_F(Cli, HelpAndVersion) {
  EXPECT_EQ(run_sovrisk("--version").exit_code, 0);
  const Outcome help = run_sovrisk("run --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--paths"), std::string::npos);
  EXPECT_NE(
      help.output.find("checkpoints (default " + std::to_string(kDefaultCheckpointSeconds) + ")"),
      std::string::npos)
      << help.output;
}

TEST_F(Cli, MissingFile) {
  expect_refused("run " + file("nowhere.yaml"), {"nowhere.yaml", "cannot open"});
}

TEST_F(Cli, YamlSyntaxError) {
  const std::string text =
      replace(testing::deterministic_yaml(), "fund: {liquid0: 3800, floor: 300}",
              "fund: {liquid0: 3800, floor: [300}");
  expect_refused("run " + write("syntax.yaml", text), {"syntax.yaml:21:", "YAML syntax error"});
}

TEST_F(Cli, UnknownKey) {
  const std::string text =
      replace(testing::deterministic_yaml(), "floor: 300}", "floor: 300, flor: 2}");
  expect_refused("run " + write("unknown.yaml", text),
                 {"unknown.yaml:21:", "fund.flor", "unknown key"});
}

// A key with control characters in it (a record separator, at which Python's splitlines
// breaks a line, and an escape, which starts a terminal's control sequence), as a damaged
// file may hold: the message quotes the key with them written as \xHH, one line.
TEST_F(Cli, ControlCharactersInAMessageAreEscaped) {
  const std::string text =
      replace(testing::deterministic_yaml(), "floor: 300}", "floor: 300, fl\x1eo\x1br: 2}");
  expect_refused("run " + write("control.yaml", text),
                 {"control.yaml:21:", "key 'fund.fl\\x1eo\\x1br'", "unknown key"});
  const Outcome outcome = run_sovrisk("validate " + file("control.yaml"));
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(std::count_if(outcome.output.begin(), outcome.output.end(),
                          [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\n'; }),
            0)
      << outcome.output;
}

TEST_F(Cli, MissingKey) {
  const std::string text =
      replace(testing::deterministic_yaml(), "gdp: {annual0: 215000, growth: 0.08}",
              "gdp: {annual0: 215000}");
  expect_refused("run " + write("missing.yaml", text),
                 {"missing.yaml:22:", "gdp.growth", "missing"});
}

TEST_F(Cli, WrongType) {
  const std::string text = replace(testing::deterministic_yaml(), "p0: 60,", "p0: sixty,");
  expect_refused("run " + write("type.yaml", text), {"type.yaml:3:", "oil.p0", "must be a number"});
}

TEST_F(Cli, CorrelationNotPositiveDefinite) {
  std::string text = replace(testing::deterministic_yaml(), "- [1, 0, 0, 0]", "- [1, 0.9, 0.9, 0]");
  text = replace(text, "- [0, 1, 0, 0]", "- [0.9, 1, -0.9, 0]");
  text = replace(text, "- [0, 0, 1, 0]", "- [0.9, -0.9, 1, 0]");
  expect_refused("run " + write("corr.yaml", text),
                 {"corr.yaml:16:", "correlation", "positive definite"});
}

TEST_F(Cli, ProbabilityOutsideTheUnitInterval) {
  const std::string text =
      replace(testing::deterministic_yaml(), "auction_fail_base: 0,", "auction_fail_base: 1.5,");
  expect_refused("run " + write("prob.yaml", text),
                 {"prob.yaml:20:", "banks.auction_fail_base", "[0, 1]"});
}

TEST_F(Cli, NegativeVolatility) {
  const std::string text = replace(testing::deterministic_yaml(), "volatility: 0, oil_elasticity",
                                   "volatility: -0.1, oil_elasticity");
  expect_refused("run " + write("vol.yaml", text),
                 {"vol.yaml:4:", "fx.volatility", "between 0 and 3"});
}

TEST_F(Cli, ZeroPaths) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  const Outcome outcome = run_sovrisk("run " + config + " --paths 0 -o " + file("out.h5"));
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(outcome.output.rfind("--paths: a whole number from 1 to 10^15, got '0'\n", 0), 0)
      << outcome.output;
  EXPECT_FALSE(fs::exists(file("out.h5")));
  const std::string text = replace(testing::deterministic_yaml(), "paths: 3,", "paths: 0,");
  expect_refused("run " + write("zero.yaml", text), {"zero.yaml:2:", "simulation.paths"});
}

TEST_F(Cli, BadSetOverride) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  expect_refused("run " + config + " --set oil.nonsense=3",
                 {"ok.yaml", "--set oil.nonsense=3", "unknown key"});
  expect_refused("run " + config + " --set oil.p0", {"--set oil.p0", "key.path=value"});
}

TEST_F(Cli, BadCommandLine) {
  const Outcome outcome =
      run_sovrisk("run " + write("ok.yaml", testing::deterministic_yaml()) + " --threads 0");
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_EQ(run_sovrisk("frobnicate").exit_code, 2);
  const std::string config = write("ok2.yaml", testing::deterministic_yaml());
  EXPECT_EQ(run_sovrisk("run " + config + " --seed -1 -o " + file("x.h5")).exit_code, 2);
  EXPECT_EQ(run_sovrisk("run " + config + " --paths -5 -o " + file("x.h5")).exit_code, 2);
  EXPECT_FALSE(fs::exists(file("x.h5")));
  const Outcome to_directory = run_sovrisk("run " + config + " -o " + directory_.string());
  EXPECT_EQ(to_directory.exit_code, 2) << to_directory.output;
}

// Issue #14 item 7: every numeric option of run and replay says what it takes,
// in CLI11's format and on one line (the next is CLI11's "Run with --help").
TEST_F(Cli, NumericOptionsSayWhatTheyAccept) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  const std::string source = SOVRISK_SOURCE_DIR;
  const std::string replay = "replay " + source + "/configs/backtest-2022-v1.yaml " + source +
                             "/configs/history-2022-2024.csv ";
  const std::string paths = "a whole number from 1 to 10^15, got ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--paths abc", "--paths: " + paths + "'abc'"},
      {"--paths -5", "--paths: " + paths + "'-5'"},
      {"--paths 1.5", "--paths: " + paths + "'1.5'"},
      {"--paths 2e15", "--paths: " + paths + "'2e15'"},
      {"--paths 1e400", "--paths: " + paths + "'1e400'"},
      {"--seed abc", "--seed: a whole number from 0 to 2^64 - 1, got 'abc'"},
      {"--seed -1", "--seed: a whole number from 0 to 2^64 - 1, got '-1'"},
      {"--seed 18446744073709551616", "--seed: a whole number from 0 to 2^64 - 1, got"},
      {"--threads 0", "--threads: a whole number from 1 to 4096, got '0'"},
      {"--threads two", "--threads: a whole number from 1 to 4096, got 'two'"},
      {"--sample-paths -1", "--sample-paths: a whole number from 0 to 10^15, got '-1'"},
  };
  for (const std::string command : {"run " + config + " ", replay}) {
    for (const auto& [option, message] : cases) {
      const Outcome outcome = run_sovrisk(command + option + " -o " + file("out.h5"));
      EXPECT_EQ(outcome.exit_code, 2) << option << ": " << outcome.output;
      EXPECT_EQ(outcome.output.rfind(message, 0), 0) << option << ": " << outcome.output;
      EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 2)
          << outcome.output;
      EXPECT_EQ(outcome.output.find("179769313486231570814527"), std::string::npos);
    }
  }
  for (const std::string every : {"soon", "-1", "1e999"}) {
    const Outcome outcome = run_sovrisk("run " + config + " --checkpoint-every " + every);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_EQ(outcome.output.rfind(
                  "--checkpoint-every: a number of seconds, 0 or more, got '" + every + "'", 0),
              0)
        << outcome.output;
  }
  EXPECT_FALSE(fs::exists(file("out.h5")));
}

// A whole number may be written as one in decimal or scientific notation.
TEST_F(Cli, WholeNumbersInScientificNotation) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const Outcome dry = run_sovrisk("run " + config + " --paths 2.5e3 --seed 4.2e1 --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  const Config effective = testing::config_from(dry.output);
  EXPECT_EQ(effective.simulation.paths, 2500u);
  EXPECT_EQ(effective.simulation.seed, 42u);
  const Outcome run = run_sovrisk("run " + config +
                                  " --paths 2e3 --threads 2e0 --sample-paths 1e1 --seed 1000e-3 "
                                  "-q -o " +
                                  file("out.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const ResultFile result(file("out.h5"));
  EXPECT_EQ(result.unsigned_attribute("paths"), 2000u);
  EXPECT_EQ(result.unsigned_attribute("seed"), 1u);
  EXPECT_EQ(result.unsigned_attribute("sample_paths"), 10u);
  EXPECT_EQ(result.unsigned_attribute("threads"), 2u);
  // 10^15 exactly is the most paths; 1e15 names it.
  const Outcome most = run_sovrisk("run " + config + " --paths 1e15 --dry-run");
  ASSERT_EQ(most.exit_code, 0) << most.output;
  EXPECT_EQ(testing::config_from(most.output).simulation.paths, kMaxPaths);
}

TEST_F(Cli, AMisspelledCommandSuggestsTheNearest) {
  const Outcome misspelled = run_sovrisk("sumary " + file("x.h5"));
  EXPECT_EQ(misspelled.exit_code, 2);
  EXPECT_EQ(misspelled.output,
            "sovrisk: error: 'sumary' is not a sovrisk command; did you mean 'summary'? "
            "(commands: run, replay, validate, summary, compare, export, sweep, merge, "
            "sensitivity, report)\n");
  for (const auto& [typed, meant] :
       {std::pair{"comapre", "compare"}, std::pair{"rnu", "run"}, std::pair{"Merge", "merge"}}) {
    const Outcome outcome = run_sovrisk(std::string(typed) + " a.h5 b.h5");
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_NE(outcome.output.find(std::string("did you mean '") + meant + "'?"), std::string::npos)
        << outcome.output;
  }
  const Outcome unknown = run_sovrisk("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.output,
            "sovrisk: error: 'frobnicate' is not a sovrisk command (commands: run, replay, "
            "validate, summary, compare, export, sweep, merge, sensitivity, report)\n");
}

TEST_F(Cli, AMissingOutputDirectoryIsNamedAsMissing) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  const std::string missing = file("nodir") + "/sub/";
  write("plain", "a file");
  for (const auto& [output, message] :
       {std::pair{"-o " + missing + "x.h5", "the directory '" + missing + "' does not exist"},
        std::pair{"--checkpoint " + missing + "ck.h5",
                  "the directory '" + missing + "' does not exist"},
        std::pair{"-o " + file("plain") + "/x.h5",
                  "'" + file("plain") + "/' is not a directory"}}) {
    const Outcome outcome = run_sovrisk("run " + config + " " + output);
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_EQ(outcome.output, "sovrisk: error: " + output + ": " + message + "\n");
  }
  EXPECT_FALSE(fs::exists(file("nodir")));
}

// -q prints nothing but errors and warnings: no banner, table, "wrote" line or
// progress; a run without it prints all of them.
TEST_F(Cli, QuietPrintsNothingButErrorsAndWarnings) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const Outcome quiet = run_sovrisk("run " + config + " --paths 2000 -q -o " + file("a.h5"));
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.output, "");
  EXPECT_TRUE(fs::exists(file("a.h5")));
  const Outcome loud = run_sovrisk("run " + config + " --paths 2000 -o " + file("b.h5"));
  EXPECT_NE(loud.output.find("sovrisk " + std::string(kVersion) + ": scenario test-stochastic"),
            std::string::npos)
      << loud.output;
  EXPECT_NE(loud.output.find("\nwrote " + file("b.h5")), std::string::npos) << loud.output;
  const Outcome shard =
      run_sovrisk("run " + config + " --paths 2000 -q --shard 1/2 -o " + file("p.h5"));
  EXPECT_EQ(shard.exit_code, 0);
  EXPECT_EQ(shard.output, "");
  const std::string source = SOVRISK_SOURCE_DIR;
  const Outcome replay =
      run_sovrisk("replay " + source + "/configs/backtest-2022-v1.yaml " + source +
                  "/configs/history-2022-2024.csv --paths 100 -q -o " + file("r.h5"));
  EXPECT_EQ(replay.exit_code, 0);
  EXPECT_EQ(replay.output, "");
  // An error still shows.
  const Outcome error = run_sovrisk("run " + config + " -q --set oil.p0=-1 -o " + file("c.h5"));
  EXPECT_EQ(error.exit_code, 2);
  EXPECT_EQ(error.output.rfind("sovrisk: error: ", 0), 0) << error.output;
}

// Issue #14 item 1: a run is named by its label, the scenario's name and the
// --set assignments unless --label names it, in the file, summary and compare.
TEST_F(Cli, TheLabelNamesTheRunInTheFileSummaryAndCompare) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string run = "run " + config + " --paths 2000 --per-path -q ";
  ASSERT_EQ(run_sovrisk(run + "-o " + file("base.h5")).exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + "--set oil.long_run_mean=55 --set 'spending.base_monthly=3450' -o " +
                        file("set.h5"))
                .exit_code,
            0);
  ASSERT_EQ(run_sovrisk(run + "--set oil.long_run_mean=55 --label 'cheap oil' --seed 3 -o " +
                        file("named.h5"))
                .exit_code,
            0);
  const ResultFile base(file("base.h5")), set(file("set.h5")), named(file("named.h5"));
  EXPECT_EQ(base.label(), "test-stochastic");
  EXPECT_EQ(base.overrides(), std::vector<std::string>{});
  EXPECT_EQ(set.label(), "test-stochastic [oil.long_run_mean=55, spending.base_monthly=3450]");
  EXPECT_EQ(set.overrides(),
            (std::vector<std::string>{"oil.long_run_mean=55", "spending.base_monthly=3450"}));
  EXPECT_EQ(named.label(), "cheap oil");
  EXPECT_EQ(named.overrides(), std::vector<std::string>{"oil.long_run_mean=55"});
  EXPECT_EQ(set.string_attribute("scenario"), "test-stochastic");

  const Outcome summary = run_sovrisk("summary " + file("set.h5"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_EQ(summary.output.rfind(
                "label        test-stochastic [oil.long_run_mean=55, spending.base_monthly=3450]\n"
                "scenario     test-stochastic\n"
                "overrides    oil.long_run_mean=55\n"
                "             spending.base_monthly=3450\n",
                0),
            0)
      << summary.output;
  EXPECT_NE(run_sovrisk("summary " + file("base.h5")).output.find("\noverrides    none\n"),
            std::string::npos);
  const Outcome json = run_sovrisk("summary " + file("named.h5") + " --format json");
  EXPECT_EQ(json.output.rfind("{\"label\": \"cheap oil\", \"scenario\": \"test-stochastic\", "
                              "\"overrides\": [\"oil.long_run_mean=55\"], ",
                              0),
            0)
      << json.output;

  const Outcome compared = run_sovrisk("compare " + file("set.h5") + " " + file("base.h5"));
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  EXPECT_EQ(compared.output.rfind(
                "A: test-stochastic [oil.long_run_mean=55, spending.base_monthly=3450] (2000 "
                "paths, seed 42, 2025-03 to 2028-02), the reference\n"
                "B: test-stochastic (2000 paths, seed 42, 2025-03 to 2028-02)\n",
                0),
            0)
      << compared.output;
  const Outcome compared_json =
      run_sovrisk("compare " + file("named.h5") + " " + file("base.h5") + " --format json");
  EXPECT_EQ(compared_json.output.rfind(
                "[{\"reference\": \"cheap oil\", \"other\": \"test-stochastic\", ", 0),
            0)
      << compared_json.output;

  // A label is one line of text.
  for (const std::string label : {"''", "\"$(printf 'two\\tcolumns')\""}) {
    const Outcome refused = run_sovrisk(run + "--label " + label + " -o " + file("bad.h5"));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_EQ(refused.output.rfind(
                  "--label: one line of text, not empty, without control characters\n", 0),
              0)
        << refused.output;
  }
  EXPECT_FALSE(fs::exists(file("bad.h5")));
}

// Files written before the label and the overrides were recorded: named by
// their scenario, their overrides "not recorded".
TEST_F(Cli, AFileWithoutALabelIsNamedByItsScenario) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  ASSERT_EQ(run_sovrisk("run " + config + " --paths 2000 -q --set oil.long_run_mean=55 -o " +
                        file("old.h5"))
                .exit_code,
            0);
  {
    testing::EditedFile old(file("old.h5"));
    old.remove_attribute("/", "label");
    old.remove_attribute("/", "overrides");
  }
  EXPECT_EQ(ResultFile(file("old.h5")).label(), "test-stochastic");
  EXPECT_EQ(ResultFile(file("old.h5")).overrides(), std::nullopt);
  const Outcome summary = run_sovrisk("summary " + file("old.h5"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_EQ(summary.output.rfind("label        test-stochastic\nscenario     test-stochastic\n"
                                 "overrides    not recorded\n",
                                 0),
            0)
      << summary.output;
  const Outcome json = run_sovrisk("summary " + file("old.h5") + " --format json");
  EXPECT_NE(json.output.find("\"overrides\": ~"), std::string::npos) << json.output;
  const Outcome compared = run_sovrisk("compare " + file("old.h5") + " " + file("old.h5"));
  EXPECT_EQ(compared.output.rfind("A: test-stochastic (2000 paths", 0), 0) << compared.output;
}

// Without -o, no command replaces a file: it writes NAME-2.h5, NAME-3.h5, ...
// and says so on stderr, even with -q.
TEST_F(Cli, WithoutOutputARunNeverReplacesAFile) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  struct InDirectory {
    fs::path previous = fs::current_path();
    explicit InDirectory(const fs::path& directory) { fs::current_path(directory); }
    ~InDirectory() { fs::current_path(previous); }
  } in_scratch(directory_);
  write("test-stochastic.h5", "precious");
  const std::string run = "run " + config + " --paths 2000 -q";
  const Outcome second = run_sovrisk(run);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output,
            "sovrisk: warning: test-stochastic.h5 exists: writing test-stochastic-2.h5 instead "
            "(-o FILE names the output, and replaces it)\n");
  EXPECT_EQ(testing::read_text(file("test-stochastic.h5")), "precious");
  EXPECT_EQ(ResultFile(file("test-stochastic-2.h5")).unsigned_attribute("paths"), 2000u);
  const Outcome third = run_sovrisk(run + " --set oil.long_run_mean=55");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("writing test-stochastic-3.h5 instead"), std::string::npos)
      << third.output;
  EXPECT_EQ(ResultFile(file("test-stochastic-3.h5")).label(),
            "test-stochastic [oil.long_run_mean=55]");
  // The shards' and merge's default names too.
  write("test-stochastic-shard1of2.h5", "precious");
  ASSERT_EQ(run_sovrisk(run + " --shard 1/2").exit_code, 0);
  ASSERT_EQ(run_sovrisk(run + " --shard 2/2").exit_code, 0);
  EXPECT_EQ(testing::read_text(file("test-stochastic-shard1of2.h5")), "precious");
  const Outcome merged = run_sovrisk("merge " + file("test-stochastic-shard1of2-2.h5") + " " +
                                     file("test-stochastic-shard2of2.h5"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("writing test-stochastic-4.h5 instead"), std::string::npos)
      << merged.output;
  EXPECT_TRUE(fs::exists(file("test-stochastic-4.h5")));
  // -o replaces a file, as before.
  ASSERT_EQ(run_sovrisk(run + " -o test-stochastic.h5").exit_code, 0);
  EXPECT_EQ(ResultFile(file("test-stochastic.h5")).unsigned_attribute("paths"), 2000u);
}

TEST_F(Cli, ABadRunLeavesAnExistingOutputUntouched) {
  write("out.h5", "precious");
  const std::string text = replace(testing::deterministic_yaml(), "p0: 60,", "p0: -60,");
  const Outcome outcome = run_sovrisk("run " + write("bad.yaml", text) + " -o " + file("out.h5"));
  EXPECT_EQ(outcome.exit_code, 2);
  std::ifstream in(file("out.h5"));
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "precious");
}

TEST_F(Cli, AnOutputThatIsAnInputIsRefused) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  fs::create_symlink(config, file("link.yaml"));
  const std::string config_text = testing::read_text(config);
  for (const auto& [input, output] :
       {std::pair{config, config}, std::pair{file("link.yaml"), config},
        std::pair{config, file("link.yaml")}}) {
    const Outcome outcome = run_sovrisk("run " + input + " -o " + output);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("-o " + output + ": the same file as the config file " + input),
              std::string::npos)
        << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1);
  }
  expect_refused("run " + config + " --checkpoint " + config,
                 {"--checkpoint " + config, "the same file as the config file"});
  EXPECT_EQ(testing::read_text(config), config_text);
  EXPECT_TRUE(fs::is_symlink(file("link.yaml")));
}

TEST_F(Cli, AnOutputThatIsNotARegularFileIsRefused) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  ASSERT_EQ(mkfifo(file("fifo").c_str(), 0600), 0);
  std::vector<std::pair<std::string, std::string>> cases = {{file("fifo"), "a FIFO"},
                                                            {directory_.string(), "a directory"}};
  // A device of its own, not /dev/null: a program with the bug would replace it.
  if (mknod(file("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0)
    cases.push_back({file("null"), "a character device"});
  else
    std::cerr << "not root: the character-device case is left out\n";
  for (const auto& [output, kind] : cases) {
    const Outcome outcome = run_sovrisk("run " + config + " -o " + output);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("-o " + output + ": is " + kind + ", not a regular file"),
              std::string::npos)
        << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1);
  }
  EXPECT_TRUE(fs::is_fifo(file("fifo")));
  EXPECT_TRUE(!fs::exists(file("null")) || fs::is_character_file(file("null")));
}

TEST_F(Cli, PathsBeyondTheLimitAreNamedExactly) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  const Outcome outcome = run_sovrisk("run " + config + " --paths 1000000000000001");
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.output.find("from 1 to 10^15, got '1000000000000001'"), std::string::npos)
      << outcome.output;
  EXPECT_EQ(outcome.output.find("e+"), std::string::npos);
}

TEST_F(Cli, ARunThatCannotFitInMemoryIsRefusedUnlessForced) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  expect_refused("run " + config + " --paths 1000000000000 --sample-paths 1000000000000",
                 {"needs about", "sample paths", "PB", "more than this machine's", "--force"});
  expect_refused("run " + config + " --paths 1000000000000000 --per-path",
                 {"needs about", "per-path months 12.0 PB", "--force"});
  expect_refused("run " + config + " --paths 1000000000000000 --per-path --shard 1/1000",
                 {"per-path months 12.0 TB"});  // a shard holds only its paths
  const std::string source = SOVRISK_SOURCE_DIR;
  expect_refused("replay " + source + "/configs/backtest-2022-v1.yaml " + source +
                     "/configs/history-2022-2024.csv --paths 1000000000000 --sample-paths "
                     "1000000000000",
                 {"needs about", "sample paths"});
  // --force goes on, to the next check: here a checkpoint that is not there.
  expect_refused("run " + config + " --paths 1000000000000000 --per-path --force --resume " +
                     file("nowhere.h5"),
                 {"nowhere.h5: cannot open"});
}

// sovrisk with every file it writes limited to `bytes` (RLIMIT_FSIZE, with
// SIGXFSZ ignored, so that a write beyond fails with EFBIG): a full disk
// without mounting one. Returns the exit code; stderr goes to `errors`.
int run_with_file_size_limit(const std::string& arguments, rlim_t bytes,
                             const std::string& errors) {
  const std::string command =
      "exec " + testing::sovrisk_binary() + " " + arguments + " > /dev/null 2> " + errors;
  const pid_t pid = fork();
  if (pid == 0) {
    const rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    signal(SIGXFSZ, SIG_IGN);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return testing::wait_for(pid);
}

// Every command that writes, on a full disk: exit 1 with one message, no
// output and no temporary file left, an existing output untouched.
class FullDisk : public testing::CommandLineTest {
 protected:
  void expect_failures(const std::string& full_directory,
                       const std::function<int(const std::string&)>& run) {
    const std::string config = write("ok.yaml", testing::stochastic_yaml());
    ASSERT_EQ(run_sovrisk("run " + config + " -q --shard 1/2 -o " + file("p1.h5")).exit_code, 0);
    ASSERT_EQ(run_sovrisk("run " + config + " -q --shard 2/2 -o " + file("p2.h5")).exit_code, 0);
    const std::string output = full_directory + "/out.h5";
    const std::vector<std::string> commands = {
        "run " + config + " -q -o " + output, "run " + config + " -q --shard 1/2 -o " + output,
        "run " + config + " -q --paths 100000 --threads 1 --checkpoint " + full_directory +
            "/ck.h5 --checkpoint-every 0 -o " + file("unwritten.h5"),
        "merge " + file("p1.h5") + " " + file("p2.h5") + " -o " + output};
    for (const auto& command : commands) {
      std::ofstream(output) << "precious";
      EXPECT_EQ(run(command), 1) << command;
      const std::string errors = testing::read_text(file("errors"));
      EXPECT_EQ(errors.rfind("sovrisk: failed: HDF5: cannot ", 0), 0) << command << ": " << errors;
      EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 1) << command << ": " << errors;
      EXPECT_EQ(testing::read_text(output), "precious") << command;
      for (const auto& entry : fs::directory_iterator(full_directory)) {
        const std::string name = entry.path().filename().string();
        EXPECT_TRUE(name == "out.h5" || name == "filler") << command << " left " << name;
      }
      EXPECT_FALSE(fs::exists(file("unwritten.h5")));
    }
  }
};

TEST_F(FullDisk, WritesThatFailEndWithExitCode1) {
  fs::create_directories(file("full"));
  expect_failures(file("full"), [&](const std::string& command) {
    return run_with_file_size_limit(command, 100000, file("errors"));
  });
}

// The same on a real full file system (ENOSPC rather than EFBIG): a 2 MB
// tmpfs, which only root can mount.
TEST_F(FullDisk, WritesThatFailOnAFullTmpfsEndWithExitCode1) {
  const std::string full = file("tmpfs");
  fs::create_directories(full);
  if (mount("tmpfs", full.c_str(), "tmpfs", 0, "size=2m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "; needs root): FullDisk.WritesThatFailEndWithExitCode1 covers the same path";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{full};
  {
    // Leaves about 100 kB, less than any file written here needs.
    std::ofstream filler(full + "/filler", std::ios::binary);
    const std::string chunk(1024, '\0');
    for (int kb = 0; kb < 2048 - 100; ++kb)
      filler << chunk;
  }
  expect_failures(full, [&](const std::string& command) {
    const int status = std::system(
        (testing::sovrisk_binary() + " " + command + " > /dev/null 2> " + file("errors")).c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  });
}

}  // namespace
}  // namespace sovrisk
