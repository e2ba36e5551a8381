#include <gtest/gtest.h>

#include <regex>

#include "sovrisk/config.h"
#include "test_support.h"

namespace sovrisk {
namespace {

std::string message_of(const std::string& yaml, const std::vector<std::string>& assignments = {}) {
  try {
    testing::config_from(yaml, assignments);
  } catch (const InputError& error) {
    return error.what();
  }
  return "accepted";
}

std::string without_line(const std::string& yaml, const std::string& needle) {
  std::string out;
  std::istringstream in(yaml);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos)
      out += line + "\n";
  }
  return out;
}

TEST(Config, ReadsEveryKey) {
  const Config c = testing::config_from(testing::deterministic_yaml());
  EXPECT_EQ(c.scenario.name, "test");
  EXPECT_EQ(c.scenario.start_year, 2025);
  EXPECT_EQ(c.scenario.start_month, 3);
  EXPECT_EQ(c.scenario.months, 36);
  EXPECT_EQ(c.simulation.paths, 3u);
  EXPECT_EQ(c.simulation.seed, 7u);
  EXPECT_EQ(c.oil.long_run_mean, 70);
  EXPECT_EQ(c.oil.jump_mean, -0.2);
  EXPECT_EQ(c.fx.oil_elasticity, -0.5);
  EXPECT_EQ(c.oil_gas.price_floor, 20);
  EXPECT_EQ(c.non_oil.growth, 0.07);
  EXPECT_EQ(c.spending.seasonality[0], 1.4);
  EXPECT_EQ(c.spending.seasonality[11], 1.15);
  EXPECT_EQ(c.spending.ceasefire.month, 28);
  EXPECT_EQ(c.spending.ceasefire.cut, 0.2);
  EXPECT_EQ(c.banks.saturation, 4000);
  EXPECT_EQ(c.banks.coupon, 0.16);
  EXPECT_EQ(c.fund.floor, 300);
  EXPECT_EQ(c.gdp.annual0, 215000);
  EXPECT_EQ(c.default_rule.gap_threshold, 0.004);
  EXPECT_EQ(c.bank_crisis.capital, 4000);
}

TEST(Config, OptionalKeysHaveTheirDefaults) {
  std::string yaml = without_line(testing::deterministic_yaml(), "seasonality");
  yaml = without_line(yaml, "ceasefire");
  const Config c = testing::config_from(yaml);
  for (double factor : c.spending.seasonality)
    EXPECT_EQ(factor, 1.0);
  EXPECT_EQ(c.spending.ceasefire.month, -1);
  EXPECT_EQ(c.spending.ceasefire.hazard_per_year, 0.0);
  EXPECT_TRUE(c.scenario.description.empty());
}

TEST(Config, OverridesReachNestedKeysAndLists) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"spending.ceasefire.cut=0.5", "spending.seasonality=[2,1,1,1,1,1,1,1,1,1,1,1]",
       "simulation.paths=10"});
  EXPECT_EQ(c.spending.ceasefire.cut, 0.5);
  EXPECT_EQ(c.spending.seasonality[0], 2.0);
  EXPECT_EQ(c.simulation.paths, 10u);
  // The effective YAML carries the overrides and reads back to the same config.
  const Config again = testing::config_from(c.effective_yaml);
  EXPECT_EQ(again.effective_yaml, c.effective_yaml);
  EXPECT_EQ(again.spending.ceasefire.cut, 0.5);
}

TEST(Config, MessagesNameFileKeyAndLine) {
  const std::string yaml = testing::deterministic_yaml();
  EXPECT_EQ(message_of(std::regex_replace(yaml, std::regex("seed: 7"), "seed: -7")),
            "test.yaml:2: key 'simulation.seed': must be a non-negative integer, got '-7'");
  EXPECT_EQ(message_of(std::regex_replace(yaml, std::regex("cut: 0.2"), "cut: 1.2")),
            "test.yaml:14: key 'spending.ceasefire.cut': must be a probability in [0, 1], got 1.2");
  EXPECT_EQ(message_of(std::regex_replace(yaml, std::regex("months: 36"), "months: 3.5")),
            "test.yaml:1: key 'scenario.months': must be an integer, got '3.5'");
  EXPECT_EQ(message_of(yaml, {"oil.volatility=-1"}),
            "test.yaml: --set oil.volatility=-1: key 'oil.volatility': must be >= 0, got -1");
  EXPECT_EQ(
      message_of(std::regex_replace(yaml, std::regex("start: \"2025-03\""), "start: \"2025-13\"")),
      "test.yaml:1: key 'scenario.start': must be a month \"YYYY-MM\", got '2025-13'");
  EXPECT_NE(message_of(std::regex_replace(yaml, std::regex("\\[1, 0, 0, 0\\]"), "[1, 0.5, 0, 0]"))
                .find("must be symmetric"),
            std::string::npos);
  EXPECT_NE(message_of(std::regex_replace(yaml, std::regex("\\[0, 0, 0, 1\\]"), "[0, 0, 0, 2]"))
                .find("correlation[3][3]"),
            std::string::npos);
  EXPECT_NE(
      message_of(std::regex_replace(yaml, std::regex("seasonality: \\[1.4, "), "seasonality: ["))
          .find("list of 12 numbers"),
      std::string::npos);
  EXPECT_NE(message_of(std::regex_replace(yaml, std::regex("p_ref: 65"), "p_ref: 10"))
                .find("must be above revenue.oil_gas.price_floor"),
            std::string::npos);
  EXPECT_NE(message_of("just text").find("must hold a YAML mapping"), std::string::npos);
}

TEST(Config, ZeroNoiseIsValid) {
  EXPECT_EQ(message_of(testing::deterministic_yaml()), "accepted");
}

}  // namespace
}  // namespace sovrisk
