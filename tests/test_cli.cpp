// The command line as a user meets it: exit codes, messages, no half-written output.
#include <gtest/gtest.h>

#include <sstream>

#include "cli_support.h"
#include "sovrisk/job.h"
#include "sovrisk/results_io.h"
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
  for (const char* group : {"/fan/", "/mean/", "/sample_paths/", "/fan_error_bound/"}) {
    for (const char* name : {"oil_price", "fx", "need", "bank_absorbed", "fund", "unfinanced"}) {
      EXPECT_EQ(one.doubles(std::string(group) + name), two.doubles(std::string(group) + name))
          << group << name;
    }
  }
  for (const char* event : {"/default/", "/depletion/", "/bank_crisis/"}) {
    EXPECT_EQ(one.integers(std::string(event) + "month_counts"),
              two.integers(std::string(event) + "month_counts"));
    EXPECT_EQ(one.doubles(std::string(event) + "cumulative_probability"),
              two.doubles(std::string(event) + "cumulative_probability"));
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
  const Outcome run = run_sovrisk("run " + config + " --paths 3000 -q -o " + file("out.h5"));
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
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 1 + 4 * 3) << csv.output;
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
  // Last line: the horizon's last year. Columns: year, a, b, difference, stderr, low, high, paired.
  auto last_fields = [](const std::string& csv) {
    std::istringstream in(csv.substr(csv.rfind('\n', csv.size() - 2) + 1));
    std::vector<double> fields;
    for (std::string field; std::getline(in, field, ',');)
      fields.push_back(std::stod(field));
    return fields;
  };
  const auto p = last_fields(paired.output), q = last_fields(independent.output);
  EXPECT_EQ(p[7], 1);
  EXPECT_EQ(q[7], 0);
  EXPECT_GT(p[3], 0);  // more spending, more default: A has less
  EXPECT_LT(p[4], 0.6 * q[4]);
  EXPECT_NEAR(p[1] - p[2], p[3], 1e-12);
  EXPECT_EQ(run_sovrisk("compare " + file("a.h5")).exit_code, 2);
}

TEST_F(Cli, ProgressGoesToStderrOncePerTenthUnlessQuiet) {
  const std::string config = write("ok.yaml", testing::stochastic_yaml());
  const std::string options = config + " --set scenario.months=24 --threads 1 --sample-paths 0 ";
  // About three seconds at this program's measured speed: well past the one quiet second.
  const std::uint64_t paths =
      testing::paths_lasting(3.0, "run " + options + "-q", file("speed.h5"));
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
  expect_refused("run " + write("vol.yaml", text), {"vol.yaml:4:", "fx.volatility", ">= 0"});
}

TEST_F(Cli, ZeroPaths) {
  const std::string config = write("ok.yaml", testing::deterministic_yaml());
  expect_refused("run " + config + " --paths 0",
                 {"ok.yaml", "--paths 0", "simulation.paths", "between 1 and 10^15"});
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

}  // namespace
}  // namespace sovrisk
