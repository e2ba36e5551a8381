#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/parameters.h"
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

// A field's value through its row of the schema, of the field's own type.
using Value = std::variant<double, int, std::uint64_t>;

Value value_of(const Parameter& row, Config& config) {
  return std::visit([&](auto field) -> Value { return field(config); }, row.field);
}

std::string yaml_text(const Value& value) {
  std::ostringstream text;
  text << std::setprecision(17);
  std::visit([&](auto number) { text << number; }, value);
  return text.str();
}

const Parameter& row_of(const std::string& key) {
  for (const auto& row : parameters()) {
    if (key == row.key)
      return row;
  }
  throw std::logic_error("no row of the schema for " + key);
}

// A valid value for the schema's row `i`, different from every other row's and
// from every default and initial value, so that a key read into the wrong
// field, or not read, shows. Rows bounded above get a value between a quarter
// and half of their bound (their lower bound is 0 or below). The others get
// 10.25 + i: price_floor's stays below p_ref in baseline.yaml (65), and p_ref's,
// the next row's, above price_floor there (15) and above price_floor's own.
Value distinctive_value(std::size_t i) {
  const Parameter& row = parameters()[i];
  return std::visit(
      [&](auto field) -> Value {
        using Type = std::remove_reference_t<decltype(field(std::declval<Config&>()))>;
        if constexpr (std::is_same_v<Type, double>)
          return std::isfinite(row.rule.high)
                     ? row.rule.high * (0.25 + static_cast<double>(i) / 1000)
                     : 10.25 + i;
        else if (row.rule.high < 1000 + i)  // a calendar month
          return static_cast<Type>(row.rule.high);
        else
          return static_cast<Type>(1000 + i);
      },
      row.field);
}

bool has_key(const YAML::Node& node, const std::string& path) {
  const auto dot = path.find('.');
  if (dot == std::string::npos)
    return node.IsMap() && node[path];
  const YAML::Node child = node[path.substr(0, dot)];
  return child.IsMap() && has_key(child, path.substr(dot + 1));
}

// Removes the key at a dotted path from a YAML tree.
void remove_key(YAML::Node node, const std::string& path) {
  const auto dot = path.find('.');
  if (dot == std::string::npos)
    node.remove(path);
  else
    remove_key(node[path.substr(0, dot)], path.substr(dot + 1));
}

std::string without_key(const std::string& yaml, const std::string& path) {
  YAML::Node root = YAML::Load(yaml);
  remove_key(root, path);
  YAML::Emitter emitter;
  emitter << root;
  return emitter.c_str();
}

// The overrides that set `row` to the value `text` in `yaml`; with, for an
// optional section that holds the row and that `yaml` leaves out, its other
// keys at their defaults, since such a section is given whole.
std::vector<std::string> setting(const std::string& yaml, const Parameter& row,
                                 const std::string& text) {
  std::vector<std::string> assignments = {row.key + ("=" + text)};
  const YAML::Node root = YAML::Load(yaml);
  for (const auto& section : sections()) {
    const std::string prefix = section.path + ".";
    if (!section.optional || std::string(row.key).rfind(prefix, 0) != 0 ||
        has_key(root, section.path)) {
      continue;
    }
    for (const auto& other : parameters()) {
      if (&other != &row && std::string(other.key).rfind(prefix, 0) == 0 && other.default_value)
        assignments.push_back(other.key + ("=" + yaml_text(*other.default_value)));
    }
  }
  return assignments;
}

// A list of model v2 as pairs, which compare.
template <typename Entry>
std::vector<std::pair<int, double>> entries(const std::vector<Entry>& list) {
  std::vector<std::pair<int, double>> out;
  for (const Entry& entry : list) {
    if constexpr (std::is_same_v<Entry, DatedValue>)
      out.emplace_back(entry.from_month, entry.value);
    else
      out.emplace_back(entry.year, entry.value);
  }
  return out;
}

// The fields that keys read by hand set.
auto hand_read_fields(const Config& c) {
  return std::make_tuple(c.scenario.name, c.scenario.description, c.scenario.start_year,
                         c.scenario.start_month, c.spending.seasonality, c.correlation,
                         c.oil_gas.seasonality, c.oil_gas.seasonal, entries(c.key_rate.path),
                         entries(c.market.redemptions), entries(c.budget_rule.base_price),
                         entries(c.budget_rule.other_outflows), entries(c.fiscal.measures),
                         entries(c.treasury.fund_transfers),
                         c.fiscal.on_spending, c.external.opening);
}

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string baseline_yaml() {
  return read_text(std::string(SOVRISK_SOURCE_DIR) + "/tests/data/baseline.yaml");
}

// baseline.yaml with every section of model v2.
std::string model_v2_yaml() {
  return read_text(std::string(SOVRISK_SOURCE_DIR) + "/tests/data/model-v2.yaml");
}

// Whether the row lies in the section of a mechanism of model v2.
bool in_mechanism(const Parameter& row) {
  for (const auto& section : sections()) {
    for (const Parameter* member : section.parameters) {
      if (member == &row)
        return section.mechanism != nullptr;
    }
  }
  return false;
}

// Every key, of the schema and read by hand, given a value of its own: each
// must arrive in its field.
TEST(Config, ReadsEveryKey) {
  std::vector<std::string> assignments;
  for (std::size_t i = 0; i < parameters().size(); ++i)
    assignments.push_back(parameters()[i].key + ("=" + yaml_text(distinctive_value(i))));
  assignments.insert(
      assignments.end(),
      {"scenario.name=every-key", "scenario.description=each key its own value",
       "scenario.start=2031-07",
       "spending.seasonality=[1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09, 1.1, 1.11, "
       "1.12]",
       "correlation=[[1, 0.01, 0.02, 0.03], [0.01, 1, 0.04, 0.05], [0.02, 0.04, 1, 0.06], "
       "[0.03, 0.05, 0.06, 1]]",
       "fiscal.measures=[{from: \"2031-05\", share_of_gdp: -0.01}, {from: \"2031-09\", "
       "share_of_gdp: 0.013}]",
       "fiscal.instrument=spending",
       "budget_rule.base_price=[{year: 2031, price: 61.5}]",
       "budget_rule.other_outflows=[{from: \"2032-01\", amount: 58}]",
       "treasury.fund_transfers=[{month: \"2031-12\", amount: 2400}]",
       "external.opens=hazard",

       "revenue.oil_gas.seasonality=[0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.01, "
       "1.02, 1.03]",
       "key_rate.path=[{from: \"2031-01\", rate: 0.17}, {from: \"2031-07\", rate: 0.155}, "
       "{from: \"2032-02\", rate: -0.005}]",
       "market.redemptions=[{year: 2031, amount: 1200.5}, {year: 2033, amount: 0}]"});
  // Read back from the effective YAML: a file that holds every key.
  Config c = testing::config_from(
      testing::config_from(testing::deterministic_yaml(), assignments).effective_yaml);
  for (std::size_t i = 0; i < parameters().size(); ++i)
    EXPECT_EQ(value_of(parameters()[i], c), distinctive_value(i)) << parameters()[i].key;

  const std::map<std::string, std::function<void()>> hand_read_checks = {
      {"scenario.name", [&] { EXPECT_EQ(c.scenario.name, "every-key"); }},
      {"scenario.description",
       [&] { EXPECT_EQ(c.scenario.description, "each key its own value"); }},
      {"scenario.start",
       [&] {
         EXPECT_EQ(c.scenario.start_year, 2031);
         EXPECT_EQ(c.scenario.start_month, 7);
       }},
      {"spending.seasonality",
       [&] {
         const std::array<double, 12> factors = {1.01, 1.02, 1.03, 1.04, 1.05, 1.06,
                                                 1.07, 1.08, 1.09, 1.1,  1.11, 1.12};
         EXPECT_EQ(c.spending.seasonality, factors);
       }},
      {"correlation",
       [&] {
         const double upper[] = {0.01, 0.02, 0.03, 0.04, 0.05, 0.06};
         for (int i = 0, k = 0; i < kShockCount; ++i) {
           EXPECT_EQ(c.correlation[i][i], 1.0);
           for (int j = i + 1; j < kShockCount; ++j, ++k) {
             EXPECT_EQ(c.correlation[i][j], upper[k]) << i << j;
             EXPECT_EQ(c.correlation[j][i], upper[k]) << j << i;
           }
         }
       }},
      {"fiscal.measures",
       [&] {
         ASSERT_EQ(c.fiscal.measures.size(), 2u);
         EXPECT_EQ(c.fiscal.measures[0].from_month, -2);  // before the start, 2031-07
         EXPECT_EQ(c.fiscal.measures[0].value, -0.01);
         EXPECT_EQ(c.fiscal.measures[1].from_month, 2);
         EXPECT_EQ(c.fiscal.measures[1].value, 0.013);
       }},
      {"fiscal.instrument", [&] { EXPECT_TRUE(c.fiscal.on_spending); }},
      {"external.opens",
       [&] { EXPECT_EQ(c.external.opening, ExternalConfig::Opening::kHazard); }},
      {"budget_rule.base_price",
       [&] {
         ASSERT_EQ(c.budget_rule.base_price.size(), 1u);
         EXPECT_EQ(c.budget_rule.base_price[0].year, 2031);
         EXPECT_EQ(c.budget_rule.base_price[0].value, 61.5);
       }},
      {"budget_rule.other_outflows",
       [&] {
         ASSERT_EQ(c.budget_rule.other_outflows.size(), 1u);
         EXPECT_EQ(c.budget_rule.other_outflows[0].from_month, 6);
         EXPECT_EQ(c.budget_rule.other_outflows[0].value, 58);
       }},
      {"treasury.fund_transfers",
       [&] {
         ASSERT_EQ(c.treasury.fund_transfers.size(), 1u);
         EXPECT_EQ(c.treasury.fund_transfers[0].from_month, 5);
         EXPECT_EQ(c.treasury.fund_transfers[0].value, 2400);
       }},
      {"revenue.oil_gas.seasonality",
       [&] {
         const std::array<double, 12> factors = {0.91, 0.92, 0.93, 0.94, 0.95, 0.96,
                                                 0.97, 0.98, 0.99, 1.01, 1.02, 1.03};
         EXPECT_EQ(c.oil_gas.seasonality, factors);
         EXPECT_TRUE(c.oil_gas.seasonal);
       }},
      {"key_rate.path",
       [&] {  // month indices from the start, 2031-07
         const std::vector<std::pair<int, double>> path = {{-6, 0.17}, {0, 0.155}, {7, -0.005}};
         EXPECT_EQ(entries(c.key_rate.path), path);
       }},
      {"market.redemptions",
       [&] {
         const std::vector<std::pair<int, double>> redemptions = {{2031, 1200.5}, {2033, 0}};
         EXPECT_EQ(entries(c.market.redemptions), redemptions);
       }},
  };
  for (const auto& key : hand_read_keys()) {
    const auto check = hand_read_checks.find(key.key);
    ASSERT_NE(check, hand_read_checks.end()) << key.key << " is read by hand but not checked here";
    check->second();
  }
}

// One key changed: its field changes, and no other. A key of model v2 is
// changed in the file that gives every section of model v2.
TEST(Config, EachKeySetsItsOwnFieldOnly) {
  for (std::size_t i = 0; i < parameters().size(); ++i) {
    const Parameter& row = parameters()[i];
    SCOPED_TRACE(row.key);
    const std::string yaml = in_mechanism(row) ? model_v2_yaml() : baseline_yaml();
    Config before = testing::config_from(yaml);
    const Value value = distinctive_value(i);
    ASSERT_NE(value_of(row, before), value);
    Config after = testing::config_from(yaml, setting(yaml, row, yaml_text(value)));
    for (const auto& other : parameters()) {
      if (&other == &row)
        EXPECT_EQ(value_of(other, after), value);
      else
        EXPECT_EQ(value_of(other, after), value_of(other, before)) << other.key << " changed too";
    }
    EXPECT_EQ(hand_read_fields(after), hand_read_fields(before));
  }
}

// Each rule holds where it says: a value on a closed bound is accepted, one
// outside (or on an open bound) refused with the rule's message. A key of
// model v2 is probed in the file with every section of model v2, without the
// redemptions, whose check against market.debt0 has a test of its own.
TEST(Config, EveryRuleIsEnforced) {
  const std::string model_v2 = without_key(model_v2_yaml(), "market.redemptions");
  for (const auto& row : parameters()) {
    if (*row.rule.message == '\0')
      continue;  // nothing to refuse beyond the type
    const bool integer = !std::holds_alternative<NumberField>(row.field);
    const double step = integer ? 1 : 0.5;
    const std::string yaml = in_mechanism(row) ? model_v2 : testing::stochastic_yaml();
    const auto probe = [&](double value, bool valid) {
      const std::string text =
          integer ? std::to_string(static_cast<long long>(value)) : yaml_text(value);
      const std::string message = message_of(yaml, setting(yaml, row, text));
      if (valid) {
        EXPECT_EQ(message, "accepted") << row.key << "=" << text;
      } else {
        EXPECT_EQ(message.rfind("test.yaml: --set " + (row.key + ("=" + text)) + ": key '" +
                                    row.key + "': " + row.rule.message + ", got ",
                                0),
                  0u)
            << message;
      }
    };
    if (std::isfinite(row.rule.low)) {
      probe(row.rule.low, !row.rule.above_low);
      probe(row.rule.low - step, false);
    }
    if (std::isfinite(row.rule.high)) {
      probe(row.rule.high, true);
      probe(row.rule.high + step, false);
    }
  }
}

TEST(Config, SchemaIsWellFormed) {
  std::set<std::string> keys;
  for (const auto& row : parameters()) {
    EXPECT_TRUE(keys.insert(row.key).second) << row.key << " twice";
    if (std::holds_alternative<IntegerField>(row.field)) {
      EXPECT_GE(row.rule.low, std::numeric_limits<int>::min()) << row.key;
      EXPECT_LE(row.rule.high, std::numeric_limits<int>::max()) << row.key;
    }
    if (row.default_value) {
      const double value = *row.default_value;
      EXPECT_TRUE((row.rule.above_low ? value > row.rule.low : value >= row.rule.low) &&
                  value <= row.rule.high)
          << row.key << "'s default breaks its rule";
    }
  }
  for (const auto& key : hand_read_keys())
    EXPECT_TRUE(keys.insert(key.key).second) << key.key << " twice";
}

// A key with a default takes it when left out, alone in a required section or
// a mechanism's section, with its section where the section is optional; an
// optional section given in part is refused.
TEST(Config, OptionalKeysHaveTheirDefaults) {
  for (const auto& section : sections()) {
    for (const Parameter* row : section.parameters) {
      if (!row->default_value)
        continue;
      SCOPED_TRACE(row->key);
      // In a mechanism's section, given, the key alone is left out.
      Config c = testing::config_from(
          section.mechanism
              ? without_key(model_v2_yaml(), row->key)
              : without_key(baseline_yaml(), section.optional ? section.path : row->key));
      std::visit(
          [&](auto field) {
            using Type = std::remove_reference_t<decltype(field(c))>;
            EXPECT_EQ(field(c), static_cast<Type>(*row->default_value));
          },
          row->field);
      if (section.optional && !section.mechanism && section.parameters.size() > 1) {
        std::vector<std::string> others;
        for (const Parameter* other : section.parameters) {
          if (other != row)
            others.push_back(other->key + ("=" + yaml_text(*other->default_value)));
        }
        EXPECT_EQ(message_of(without_key(baseline_yaml(), section.path), others),
                  "test.yaml: key '" + std::string(row->key) + "': is missing");
      }
    }
  }
  const Config c = testing::config_from(
      without_key(without_key(baseline_yaml(), "spending.seasonality"), "scenario.description"));
  for (double factor : c.spending.seasonality)
    EXPECT_EQ(factor, 1.0);
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
  EXPECT_EQ(
      message_of(yaml, {"oil.volatility=-1"}),
      "test.yaml: --set oil.volatility=-1: key 'oil.volatility': must be between 0 and 3, got -1");
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

// Model v1's default scenario: the messages below quote its line numbers.
std::string shipped_yaml() {
  return read_text(std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025-v1.yaml");
}

std::string shipped_message(const std::string& yaml,
                            const std::vector<std::string>& assignments = {}) {
  try {
    std::vector<Override> overrides;
    for (const auto& assignment : assignments)
      overrides.push_back(parse_override(assignment));
    parse_config(yaml, "configs/russia-2025-v1.yaml", overrides);
  } catch (const InputError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(Config, RepeatedKeysAreRefusedWithBothLines) {
  const std::string yaml = shipped_yaml();
  EXPECT_EQ(
      shipped_message(
          std::regex_replace(yaml, std::regex("  months: 72\n"), "  months: 72\n  months: 999\n")),
      "configs/russia-2025-v1.yaml:12: key 'scenario.months': given twice (first on line 11)");
  const auto lines = std::count(yaml.begin(), yaml.end(), '\n');
  EXPECT_EQ(shipped_message(yaml + "oil:\n  p0: 5\n"),
            "configs/russia-2025-v1.yaml:" + std::to_string(lines + 1) +
                ": key 'oil': given twice (first on line 15)");
  EXPECT_EQ(message_of("a: {b: 1, b: 2}"), "test.yaml:1: key 'a.b': given twice (first on line 1)");
}

// The walk that finds repeated keys visits an aliased node once: 2^60 paths
// through these lists would never end.
TEST(Config, AliasBombIsWalkedOnce) {
  std::string yaml = "bomb0: &b0 [x, x]\n";
  for (int level = 1; level <= 60; ++level) {
    const std::string previous = "*b" + std::to_string(level - 1);
    yaml += "bomb" + std::to_string(level) + ": &b" + std::to_string(level) + " [" + previous +
            ", " + previous + "]\n";
  }
  EXPECT_EQ(message_of(yaml).rfind("test.yaml:1: key 'bomb0': unknown key", 0), 0u);
}

// yaml-cpp marks an empty value on the line after it; the message names the key's.
TEST(Config, EmptyValueNamesTheLineOfItsKey) {
  const std::string yaml = shipped_yaml();
  ASSERT_NE(yaml.find("    x_ref: 91.2"), std::string::npos);
  EXPECT_EQ(
      shipped_message(std::regex_replace(yaml, std::regex("    x_ref: 91.2[^\n]*"), "    x_ref:")),
      "configs/russia-2025-v1.yaml:32: key 'revenue.oil_gas.x_ref': must be a number");
}

// std::regex_match recursed once per character: these overflowed the stack.
TEST(Config, LongStringsAreCheckedWithoutRecursion) {
  const std::string yaml = shipped_yaml();
  const std::string long_name(30000, 'n');
  EXPECT_EQ(shipped_message(yaml, {"scenario.name=" + long_name}), "accepted");
  EXPECT_EQ(shipped_message(yaml, {"scenario.name=" + long_name + "!"}),
            "configs/russia-2025-v1.yaml: --set scenario.name=" + long_name +
                "!: key 'scenario.name': must be a non-empty name of letters, digits, '.', '_' and "
                "'-' (it names the output file)");
  EXPECT_NE(shipped_message(yaml, {"scenario.start=" + std::string(30000, '2')})
                .find("key 'scenario.start': must be a month"),
            std::string::npos);
  const std::string long_key(60000, 'k');
  EXPECT_NE(shipped_message(yaml, {"scenario." + long_key + "=1"}).find("unknown key"),
            std::string::npos);
  EXPECT_EQ(shipped_message(yaml, {long_key + "-=1"}),
            "--set " + long_key + "-=1: '" + long_key + "-' is not a dotted key path");
  for (const std::string key : {"a..b", ".a", "a.", "a b", "a[0]"})
    EXPECT_EQ(shipped_message(yaml, {key + "=1"}),
              "--set " + key + "=1: '" + key + "' is not a dotted key path");
}

// Valid but absurd values overflowed the model's arithmetic (issue #15): each is
// refused naming its key.
TEST(Config, HardBoundsRefuseValuesThatOverflow) {
  const std::string yaml = shipped_yaml();
  for (const std::string assignment :
       {"oil.jump_mean=400", "oil.jump_volatility=1000", "fx.volatility=200",
        "revenue.non_oil.volatility=100", "spending.volatility=100", "fx.oil_elasticity=1000",
        "fx.volatility=100", "oil.volatility=200", "fund.liquid0=1e308", "oil.volatility=1000",
        "spending.growth=1000", "oil.jump_intensity=1e15", "oil.jump_intensity=1e7",
        "revenue.non_oil.growth=9223372036854775808", "oil.mean_reversion=1000"}) {
    const std::string key = assignment.substr(0, assignment.find('='));
    EXPECT_EQ(shipped_message(yaml, {assignment})
                  .rfind("configs/russia-2025-v1.yaml: --set " + assignment + ": key '" + key +
                             "': must be ",
                         0),
              0u)
        << shipped_message(yaml, {assignment});
  }
  const std::string seasonality = "spending.seasonality=[1,1,1,1,1,1,1,1,1,1,1,";
  EXPECT_EQ(shipped_message(yaml, {seasonality + "100]"}), "accepted");
  EXPECT_EQ(shipped_message(yaml, {seasonality + "100.5]"}),
            "configs/russia-2025-v1.yaml: --set " + seasonality +
                "100.5]: key 'spending.seasonality[11]': must be between 0 and 100");
}

TEST(Config, IntegersAreQuotedExactly) {
  EXPECT_EQ(shipped_message(std::regex_replace(shipped_yaml(), std::regex("  paths: [0-9]+"),
                                               "  paths: 1000000000000001")),
            "configs/russia-2025-v1.yaml:13: key 'simulation.paths': must be between 1 and 10^15, "
            "got 1000000000000001");
}

// One row of a table of docs/config.md.
struct DocumentedKey {
  std::string type, unit, rule, default_text;
};

std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line.substr(1));  // after the leading '|'
  for (std::string cell; std::getline(stream, cell, '|');) {
    const auto first = cell.find_first_not_of(' ');
    const auto last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
  }
  return cells;
}

// The rows of the tables under the headings that name a section (## `oil`), by
// dotted key. Every such table has the same columns.
struct Documentation {
  std::map<std::string, DocumentedKey> keys;
  std::set<std::string> headings;  // the sections named by headings
};

Documentation read_documentation() {
  const std::vector<std::string> columns = {"key", "type", "unit", "symbol", "rule", "default"};
  Documentation doc;
  std::istringstream page(read_text(std::string(SOVRISK_SOURCE_DIR) + "/docs/config.md"));
  std::string section;
  int line_number = 0;
  for (std::string line; std::getline(page, line);) {
    ++line_number;
    std::smatch match;
    if (!line.empty() && line[0] == '#') {
      section = std::regex_match(line, match, std::regex("#+ `([a-z_.]+)`")) ? match.str(1) : "";
      if (!section.empty())
        doc.headings.insert(section);
      continue;
    }
    if (section.empty() || line.empty() || line[0] != '|')
      continue;
    const std::vector<std::string> cells = table_cells(line);
    if (cells[0] == "key") {
      EXPECT_EQ(cells, columns) << "config.md:" << line_number;
    } else if (cells[0].rfind("---", 0) != 0) {
      const bool named = std::regex_match(cells[0], match, std::regex("`([a-z_0-9]+)`"));
      if (!named || cells.size() != columns.size()) {
        ADD_FAILURE() << "config.md:" << line_number << ": not a row of a key: " << line;
        continue;
      }
      const std::string key = section + "." + std::string(match[1]);
      EXPECT_TRUE(
          doc.keys.emplace(key, DocumentedKey{cells[1], cells[2], cells[4], cells[5]}).second)
          << "config.md:" << line_number << ": " << key << " documented twice";
    }
  }
  return doc;
}

std::string type_name(const Parameter& row) {
  if (std::holds_alternative<NumberField>(row.field))
    return "number";
  return std::holds_alternative<IntegerField>(row.field) ? "integer" : "non-negative integer";
}

// docs/config.md documents each key of the schema as the schema declares it,
// and no key the schema does not know.
TEST(Config, DocumentationMatchesSchema) {
  const Documentation documentation = read_documentation();
  const std::map<std::string, DocumentedKey>& documented = documentation.keys;
  for (const auto& row : parameters()) {
    SCOPED_TRACE(row.key);
    const auto doc = documented.find(row.key);
    if (doc == documented.end()) {
      ADD_FAILURE() << "not documented";
      continue;
    }
    EXPECT_EQ(doc->second.type, type_name(row));
    EXPECT_EQ(doc->second.unit, *row.unit ? row.unit : "–");  // config.md's dash for none
    EXPECT_EQ(doc->second.rule.rfind(row.rule.text, 0), 0u)
        << "the rule '" << doc->second.rule << "' does not begin with '" << row.rule.text << "'";
    if (!row.default_value) {
      EXPECT_EQ(doc->second.default_text, "required");
    } else {
      std::size_t end = 0;
      const double value = std::stod(doc->second.default_text, &end);
      EXPECT_EQ(end, doc->second.default_text.size()) << doc->second.default_text;
      EXPECT_EQ(value, *row.default_value);
    }
  }
  for (const auto& key : hand_read_keys()) {
    const auto doc = documented.find(key.key);
    if (doc != documented.end())
      EXPECT_EQ(doc->second.default_text == "required", key.required) << key.key;
    else  // a section of its own, without a table (correlation)
      EXPECT_TRUE(documentation.headings.count(key.key)) << key.key << " is not documented";
  }
  for (const auto& section : sections()) {
    if (!section.path.empty())  // the file itself
      EXPECT_TRUE(documentation.headings.count(section.path)) << section.path << " has no heading";
  }
  for (const auto& [key, doc] : documented) {
    bool known = false;
    for (const auto& row : parameters())
      known = known || key == row.key;
    for (const auto& hand_read : hand_read_keys())
      known = known || key == hand_read.key;
    for (const auto& section : sections()) {
      if (key == section.path) {
        known = true;
        EXPECT_EQ(doc.default_text == "required", !section.optional) << key;
      }
    }
    EXPECT_TRUE(known) << "config.md documents " << key << ", which the schema does not know";
  }
}

// The 1-based line of the first line of `text` that holds `fragment`.
int line_of(const std::string& text, const std::string& fragment) {
  const auto at = text.find(fragment);
  EXPECT_NE(at, std::string::npos) << fragment;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

// `text` with its first `from` replaced by `to`.
std::string replaced(const std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.substr(0, at) + to + text.substr(at + from.size());
}

// Model v2's lists (key_rate.path, market.redemptions and the oil-and-gas
// seasonality): a bad entry is refused naming the file, its line and its key.
TEST(Config, ModelV2ListsAreRefusedNamingFileLineAndKey) {
  const std::string yaml = model_v2_yaml();
  ASSERT_EQ(message_of(yaml), "accepted");
  const auto refused = [&](const std::string& from, const std::string& to, const std::string& key,
                           const std::string& message) {
    const std::string changed = replaced(yaml, from, to);
    EXPECT_EQ(message_of(changed), "test.yaml:" + std::to_string(line_of(changed, to)) + ": key '" +
                                       key + "': " + message);
  };
  refused(R"({from: "2025-06", rate: 0.20})", R"({from: "2025-06", rate: 10.5})",
          "key_rate.path[1].rate", "must be between -1 and 10, got 10.5");
  refused(R"({from: "2025-09", rate: 0.17})", R"({from: "2025-13", rate: 0.17})",
          "key_rate.path[2].from", "must be a month \"YYYY-MM\", got '2025-13'");
  refused(R"({from: "2025-09", rate: 0.17})", R"({from: "2025-06", rate: 0.17})",
          "key_rate.path[2].from", "must come after the date of the entry before");
  refused(R"({from: "2026-01", rate: 0.14})", R"({from: "2026-01", level: 0.14})",
          "key_rate.path[3].level", "unknown key (allowed here: from, rate)");
  refused("{year: 2026, amount: 2600}", "{year: 2026.5, amount: 2600}",
          "market.redemptions[1].year", "must be an integer, got '2026.5'");
  refused("{year: 2027, amount: 2700}", "{year: 2027, amount: -2700}",
          "market.redemptions[2].amount", "must be between 0 and 10^15, got -2700");
  refused("{year: 2028, amount: 2500}", "{year: 2027, amount: 2500}", "market.redemptions[3].year",
          "must come after the date of the entry before");
  refused("seasonality: [1.1, 0.9,", "seasonality: [1.1, 100.5,", "revenue.oil_gas.seasonality[1]",
          "must be between 0 and 100");

  EXPECT_EQ(message_of(yaml, {"key_rate.path=[]"}),
            "test.yaml: --set key_rate.path=[]: key 'key_rate.path': must be a non-empty list of "
            "{from, rate}");
  EXPECT_EQ(message_of(yaml, {"revenue.oil_gas.seasonality=[1, 1]"}),
            "test.yaml: --set revenue.oil_gas.seasonality=[1, 1]: key "
            "'revenue.oil_gas.seasonality': must be a list of 12 numbers, January first");
  // A missing list names the line where its section's mapping starts.
  const std::string no_path = std::regex_replace(yaml, std::regex("  path:\n(    - .*\n)+"), "");
  EXPECT_EQ(message_of(no_path),
            "test.yaml:" + std::to_string(line_of(no_path, "  persistence: 0.9")) +
                ": key 'key_rate.path': is missing");
}

// `market` needs `key_rate`, and the existing debt's redemptions from the start
// on cannot exceed it: each refused in one line naming the key.
TEST(Config, MarketNeedsTheKeyRateAndTheDebtItRedeems) {
  const std::string yaml = model_v2_yaml();
  const std::string no_key_rate = std::regex_replace(yaml, std::regex("key_rate:\n(  .*\n)+"), "");
  EXPECT_EQ(message_of(no_key_rate),
            "test.yaml:" + std::to_string(line_of(no_key_rate, "  capacity0:")) +
                ": key 'key_rate': is missing (the section market needs the key rate)");
  // From 2025-03 on: 10/12 of 2025's 2400, then 2600, 2700 and 2500; a year
  // before the start redeems nothing from it.
  const std::string earlier =
      replaced(yaml, "    - {year: 2025,", "    - {year: 2024, amount: 1e9}\n    - {year: 2025,");
  EXPECT_EQ(message_of(earlier, {"market.debt0=9800"}), "accepted");
  const std::string refusal = message_of(earlier, {"market.debt0=9799.5"});
  EXPECT_EQ(refusal, "test.yaml:" + std::to_string(line_of(earlier, "    - {year: 2024")) +
                         ": key 'market.redemptions': redeems 9800 from scenario.start on, more "
                         "than market.debt0 (9799.5)");
}

// The sections of the key rate and the market switch their mechanisms on, and
// so does the oil-and-gas seasonality; each makes the config one of model v2.
TEST(Config, KeyRateMarketAndOilGasSeasonalityMakeAModelV2Config) {
  const Config v1 = testing::config_from(baseline_yaml());
  EXPECT_FALSE(uses_model_v2(v1));
  EXPECT_FALSE(v1.key_rate.enabled || v1.market.enabled || v1.oil_gas.seasonal);
  const Config key_rate =
      testing::config_from(baseline_yaml(), {R"(key_rate.path=[{from: "2025-01", rate: 0.2}])"});
  EXPECT_TRUE(uses_model_v2(key_rate));
  EXPECT_TRUE(key_rate.key_rate.enabled);
  EXPECT_FALSE(key_rate.market.enabled);
  EXPECT_EQ(key_rate.key_rate.persistence, 0);  // the defaults
  EXPECT_EQ(key_rate.key_rate.volatility, 0);
  EXPECT_EQ(key_rate.key_rate.fx_elasticity, 0);
  const Config seasonal = testing::config_from(
      baseline_yaml(), {"revenue.oil_gas.seasonality=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"});
  EXPECT_TRUE(uses_model_v2(seasonal));
  EXPECT_TRUE(seasonal.oil_gas.seasonal);
  const Config both = testing::config_from(model_v2_yaml());
  EXPECT_TRUE(both.key_rate.enabled && both.market.enabled && both.oil_gas.seasonal);
  // A key with a default in a mechanism's section may be left out.
  EXPECT_EQ(both.market.floating_spread, 0.005);
  EXPECT_EQ(testing::config_from(without_key(model_v2_yaml(), "market.floating_spread"))
                .market.floating_spread,
            0);
}

// Every source of randomness of the model can be switched off with a 0: each
// alone in a scenario where all are on, and all at once in the scenario the
// engine tests use for hand-computed paths.
TEST(Config, ZeroNoiseIsValid) {
  Config deterministic = testing::config_from(testing::deterministic_yaml());
  Config stochastic = testing::config_from(testing::stochastic_yaml());
  for (const std::string key :
       {"oil.volatility", "oil.jump_intensity", "oil.jump_volatility", "fx.volatility",
        "revenue.non_oil.volatility", "spending.volatility", "spending.ceasefire.hazard_per_year",
        "banks.volatility", "banks.auction_fail_base", "banks.auction_fail_slope"}) {
    const Parameter& row = row_of(key);
    EXPECT_EQ(value_of(row, deterministic), Value(0.0)) << key;
    EXPECT_NE(value_of(row, stochastic), Value(0.0)) << key;
    Config alone = testing::config_from(testing::stochastic_yaml(), {key + "=0"});
    EXPECT_EQ(value_of(row, alone), Value(0.0)) << key;
  }
}

}  // namespace
}  // namespace sovrisk
