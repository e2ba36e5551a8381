#include "sovrisk/config.h"
#include "sovrisk/parameters.h"

#include <yaml-cpp/yaml.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/crc.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>
#include <variant>

namespace sovrisk {
namespace {

std::string join_key(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// Walks the YAML tree of one scenario. Every accessor knows the dotted key it
// reads, so every message can name the file, the key and the line.
class ConfigReader {
 public:
  // `key_lines`: the line of each key of the file, by dotted path.
  ConfigReader(std::string source, std::map<std::string, std::string> override_origins,
               std::map<std::string, int> key_lines)
      : source_(std::move(source)),
        override_origins_(std::move(override_origins)),
        key_lines_(std::move(key_lines)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& message) const {
    throw InputError(located(node, key, message));
  }

  // "FILE:LINE: key 'KEY': MESSAGE", or the override that gave the key instead
  // of the line: how every message about a key reads, error or warning.
  std::string located(const YAML::Node& node, const std::string& key,
                      const std::string& message) const {
    std::ostringstream out;
    out << source_;
    const std::string origin = override_origin(key);
    if (!origin.empty()) {
      out << ": " << origin;
    } else if (node.IsDefined() && node.IsNull() && key_lines_.count(key)) {
      // yaml-cpp marks an empty value after it, on the next line.
      out << ":" << key_lines_.at(key);
    } else if (node.IsDefined() && !node.Mark().is_null()) {
      out << ":" << node.Mark().line + 1;
    }
    out << ": key '" << key << "': " << message;
    return out.str();
  }

  // A mapping that holds every key of `required`, and no key outside
  // `required` and `optional`.
  void check_keys(const YAML::Node& map, const std::string& key,
                  const std::set<std::string>& required,
                  const std::set<std::string>& optional = {}) const {
    if (!map.IsMap())
      fail(map, key, "must be a mapping of keys to values");
    for (const auto& entry : map) {
      if (!entry.first.IsScalar())
        fail(entry.first, key, "keys must be plain names");
      const std::string name = entry.first.Scalar();
      if (!required.count(name) && !optional.count(name)) {
        fail(entry.first, join_key(key, name),
             "unknown key (allowed here: " + list(required, optional) + ")");
      }
    }
    for (const auto& name : required) {
      if (!map[name])
        fail(map, join_key(key, name), "is missing");
    }
  }

  double number(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar())
      fail(node, key, "must be a number");
    double value = 0;
    try {
      value = node.as<double>();
    } catch (const YAML::Exception&) {
      fail(node, key, "must be a number, got '" + node.Scalar() + "'");
    }
    if (!std::isfinite(value))
      fail(node, key, "must be a finite number, got '" + node.Scalar() + "'");
    return value;
  }

  long long integer(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar())
      fail(node, key, "must be an integer");
    try {
      return node.as<long long>();
    } catch (const YAML::Exception&) {
      fail(node, key, "must be an integer, got '" + node.Scalar() + "'");
    }
  }

  std::uint64_t unsigned_integer(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar())
      fail(node, key, "must be a non-negative integer");
    if (!node.Scalar().empty() && node.Scalar()[0] == '-') {
      fail(node, key, "must be a non-negative integer, got '" + node.Scalar() + "'");
    }
    try {
      return node.as<std::uint64_t>();
    } catch (const YAML::Exception&) {
      fail(node, key, "must be a non-negative integer, got '" + node.Scalar() + "'");
    }
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar())
      fail(node, key, "must be a string");
    return node.Scalar();
  }

  // `shown` is the value as the message prints it: an integer's own digits,
  // which a double would round (10^15 + 1 printed as "1e+15").
  void check(const Rule& rule, double value, const YAML::Node& node, const std::string& key,
             const std::string& shown = {}) const {
    if ((rule.above_low ? value > rule.low : value >= rule.low) && value <= rule.high)
      return;
    std::ostringstream message;
    message << rule.message << ", got ";
    if (shown.empty())
      message << value;
    else
      message << shown;
    fail(node, key, message.str());
  }

 private:
  // The override that set the key: the one of the longest path that holds it
  // (`--set treasury.cash0=..` rather than `--set treasury={..}`).
  std::string override_origin(const std::string& key) const {
    std::string found, longest;
    for (const auto& [overridden, origin] : override_origins_) {
      const bool holds = key == overridden || key.rfind(overridden + ".", 0) == 0 ||
                         key.rfind(overridden + "[", 0) == 0;
      if (holds && overridden.size() >= longest.size()) {
        longest = overridden;
        found = origin;
      }
    }
    return found;
  }

  static std::string list(const std::set<std::string>& a, const std::set<std::string>& b) {
    std::string out;
    for (const auto* names : {&a, &b}) {
      for (const auto& name : *names)
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
  }

  std::string source_;
  std::map<std::string, std::string> override_origins_;
  std::map<std::string, int> key_lines_;
};

// The line of every key in the tree, by dotted path. yaml-cpp keeps a repeated
// key of a mapping, and lookups find the first: refused here, or the second
// would be ignored without a word. `visited` holds the position of each mapping
// and list walked: an alias shares its anchor's node and position, and walking
// it again would expand an alias bomb exponentially.
void collect_key_lines(const YAML::Node& node, const std::string& path, const std::string& source,
                       std::map<std::string, int>& lines, std::set<std::pair<int, int>>& visited) {
  if (!node.IsSequence() && !node.IsMap())
    return;
  if (!visited.emplace(node.Mark().line, node.Mark().column).second)
    return;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      collect_key_lines(node[i], path + "[" + std::to_string(i) + "]", source, lines, visited);
    return;
  }
  std::map<std::string, int> here;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar())
      continue;  // check_keys refuses it with its line
    const std::string key = join_key(path, entry.first.Scalar());
    const int line = entry.first.Mark().line + 1;
    const auto [first, inserted] = here.emplace(key, line);
    if (!inserted) {
      throw InputError(source + ":" + std::to_string(line) + ": key '" + key +
                       "': given twice (first on line " + std::to_string(first->second) + ")");
    }
    lines[key] = line;
    collect_key_lines(entry.second, key, source, lines, visited);
  }
}

void apply_override(YAML::Node& root, const Override& override_value, const std::string& source) {
  YAML::Node value;
  try {
    value = YAML::Load(override_value.value);
  } catch (const YAML::Exception& error) {
    throw InputError(source + ": " + override_value.origin + ": key '" + override_value.key_path +
                     "': value is not valid YAML: " + error.msg);
  }
  std::vector<std::string> parts;
  std::stringstream stream(override_value.key_path);
  for (std::string part; std::getline(stream, part, '.');)
    parts.push_back(part);
  YAML::Node node = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (node[parts[i]] && !node[parts[i]].IsMap()) {
      throw InputError(source + ": " + override_value.origin + ": key '" + override_value.key_path +
                       "': '" + parts[i] + "' is not a mapping");
    }
    // reset() rebinds the handle; plain assignment would overwrite the node.
    node.reset(node[parts[i]]);
  }
  node[parts.back()] = value;
}

std::string last_name(const std::string& key) {
  return key.substr(key.rfind('.') + 1);
}

// The node at a dotted key path; undefined when a mapping on the way is absent.
// Through const nodes only: yaml-cpp's non-const operator[] adds the keys it
// looks up, which would change the recorded configuration.
YAML::Node at(const YAML::Node& root, const std::string& path) {
  const auto dot = path.rfind('.');
  const YAML::Node holder = dot == std::string::npos ? root : at(root, path.substr(0, dot));
  if (path.empty() || !holder)
    return holder;
  return holder[last_name(path)];
}

void read_parameter(NumberField field, const Parameter& row, const YAML::Node& node,
                    const ConfigReader& in, Config& config) {
  const double value = in.number(node, row.key);
  in.check(row.rule, value, node, row.key);
  field(config) = value;
}

void read_parameter(IntegerField field, const Parameter& row, const YAML::Node& node,
                    const ConfigReader& in, Config& config) {
  const long long value = in.integer(node, row.key);
  in.check(row.rule, static_cast<double>(value), node, row.key, std::to_string(value));
  field(config) = static_cast<int>(value);  // the rule bounds it
}

// A prior given where a number is expected (docs/config.md, "Priors"): its
// family's keys, their own rules, and a support inside the parameter's rule.
Prior read_prior(const YAML::Node& node, const Parameter& row, const ConfigReader& in) {
  const std::string key = row.key;
  const auto number = [&](const char* name) { return in.number(node[name], key + "." + name); };
  const auto positive = [&](const char* name) {
    const double value = number(name);
    if (!(value > 0))
      in.fail(node[name], key + "." + name, "must be > 0, got " + in.text(node[name], key));
    return value;
  };
  if (!node["prior"])
    in.fail(node, key + ".prior",
            "is missing: a number, or a prior {prior: uniform, low: .., high: ..} "
            "(uniform, normal, lognormal, beta or triangular)");
  const std::string family = in.text(node["prior"], key + ".prior");
  Prior prior;
  using Family = Prior::Family;
  if (family == "uniform") {
    in.check_keys(node, key, {"prior", "low", "high"});
    prior.family = Family::kUniform;
    prior.low = number("low");
    prior.high = number("high");
  } else if (family == "normal") {
    in.check_keys(node, key, {"prior", "mean", "sd"}, {"low", "high"});
    prior.family = Family::kNormal;
    prior.mean = number("mean");
    prior.sd = positive("sd");
    if (node["low"])
      prior.low = number("low");
    if (node["high"])
      prior.high = number("high");
  } else if (family == "lognormal") {
    in.check_keys(node, key, {"prior", "median", "sigma"});
    prior.family = Family::kLognormal;
    prior.median = positive("median");
    prior.sigma = positive("sigma");
    prior.low = 0;
  } else if (family == "beta") {
    in.check_keys(node, key, {"prior", "a", "b"}, {"low", "high"});
    prior.family = Family::kBeta;
    prior.a = positive("a");
    prior.b = positive("b");
    prior.low = node["low"] ? number("low") : 0.0;
    prior.high = node["high"] ? number("high") : 1.0;
  } else if (family == "triangular") {
    in.check_keys(node, key, {"prior", "low", "mode", "high"});
    prior.family = Family::kTriangular;
    prior.low = number("low");
    prior.mode = number("mode");
    prior.high = number("high");
    if (prior.mode < prior.low || prior.mode > prior.high)
      in.fail(node["mode"], key + ".mode", "must lie between low and high");
  } else {
    in.fail(node["prior"], key + ".prior",
            "must be uniform, normal, lognormal, beta or triangular, got '" + family + "'");
  }
  if (!(prior.low < prior.high))
    in.fail(node, key, std::string("the ") + family + " prior's low must be below its high");

  // Every value the prior can draw must be valid: its support lies inside the
  // rule. A lognormal's support is open at 0, so a rule "> 0" holds it.
  const Rule& rule = row.rule;
  const bool open_low = prior.family == Family::kLognormal;
  const bool low_inside = rule.above_low
                              ? (prior.low > rule.low || (open_low && prior.low == rule.low))
                              : prior.low >= rule.low;
  if (!low_inside || !(prior.high <= rule.high)) {
    std::ostringstream message;
    message << "the " << family << " prior reaches values from " << prior.low << " to "
            << prior.high << ", outside what the key allows (" << rule.message << ")";
    if (prior.family == Family::kNormal)
      message << "; truncate it with low and high";
    in.fail(node, key, message.str());
  }
  return prior;
}

void read_prior(NumberField field, const Parameter& row, const YAML::Node& node,
                const ConfigReader& in, Config& config) {
  const Prior prior = read_prior(node, row, in);
  config.priors.push_back({row.key, prior});
  field(config) = prior.quantile(0.5);
}

template <typename WholeNumberField>
void read_prior(WholeNumberField, const Parameter& row, const YAML::Node& node,
                const ConfigReader& in, Config&) {
  in.fail(node, row.key, "takes a whole number, not a prior (priors are for real-valued keys)");
}

// The smallest and the largest value a key may take: its prior's support, or
// its value.
std::pair<double, double> range_of(const Config& config, const std::string& key, double value) {
  for (const ParameterPrior& entry : config.priors) {
    if (entry.key == key)
      return {entry.prior.low, entry.prior.high};
  }
  return {value, value};
}

void read_parameter(CountField field, const Parameter& row, const YAML::Node& node,
                    const ConfigReader& in, Config& config) {
  const std::uint64_t value = in.unsigned_integer(node, row.key);
  in.check(row.rule, static_cast<double>(value), node, row.key, std::to_string(value));
  field(config) = value;
}

// Plain character checks, not std::regex: libstdc++'s regex_match recurses once
// per character and overflows the stack on a long string.
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_name_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
}

bool is_file_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return is_name_character(c) || c == '.' || c == '-';
  });
}

// Non-empty names of letters, digits and '_', joined by single dots.
bool is_dotted_key(const std::string& key) {
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = std::min(key.find('.', begin), key.size());
    if (end == begin || !std::all_of(key.begin() + begin, key.begin() + end, is_name_character))
      return false;
    if (end == key.size())
      return true;
    begin = end + 1;
  }
}

// "YYYY-MM" as a month count (year * 12 + month - 1); none when malformed.
std::optional<int> month_count(const std::string& text) {
  const bool shaped = text.size() == 7 && text[4] == '-' &&
                      std::all_of(text.begin(), text.begin() + 4, is_digit) && is_digit(text[5]) &&
                      is_digit(text[6]);
  const int month = shaped ? std::stoi(text.substr(5)) : 0;
  if (month < 1 || month > 12)
    return std::nullopt;
  return std::stoi(text.substr(0, 4)) * 12 + month - 1;
}

void read_scenario_text(const YAML::Node& scenario, const ConfigReader& in, ScenarioConfig& out) {
  out.name = in.text(scenario["name"], "scenario.name");
  if (!is_file_name(out.name)) {
    in.fail(
        scenario["name"], "scenario.name",
        "must be a non-empty name of letters, digits, '.', '_' and '-' (it names the output file)");
  }
  if (scenario["description"])
    out.description = in.text(scenario["description"], "scenario.description");
  const std::string start = in.text(scenario["start"], "scenario.start");
  const std::optional<int> months = month_count(start);
  if (!months)
    in.fail(scenario["start"], "scenario.start",
            "must be a month \"YYYY-MM\", got '" + start + "'");
  out.start_year = *months / 12;
  out.start_month = *months % 12 + 1;
}

// `key` names the list: spending.seasonality or revenue.oil_gas.seasonality.
// Returns whether it was given.
bool read_seasonality(const YAML::Node& seasonality, const std::string& key, const ConfigReader& in,
                      std::array<double, 12>& out) {
  if (!seasonality)
    return false;  // the default, twelve 1s
  if (!seasonality.IsSequence() || seasonality.size() != 12)
    in.fail(seasonality, key, "must be a list of 12 numbers, January first");
  for (std::size_t m = 0; m < 12; ++m) {
    const std::string factor_key = key + "[" + std::to_string(m) + "]";
    const double factor = in.number(seasonality[m], factor_key);
    // At most 100: a factor multiplies a month's flow, whose other factors
    // the schema's bounds keep finite (parameters.cpp).
    if (factor < 0 || factor > 100)
      in.fail(seasonality[m], factor_key, "must be between 0 and 100");
    out[m] = factor;
  }
  return true;
}

void read_correlation(const YAML::Node& correlation, const ConfigReader& in,
                      std::array<std::array<double, kShockCount>, kShockCount>& out) {
  if (!correlation.IsSequence() || correlation.size() != kShockCount) {
    in.fail(correlation, "correlation", "must be a 4x4 list of lists (oil, fx, non_oil, spending)");
  }
  Eigen::Matrix4d matrix;
  for (int i = 0; i < kShockCount; ++i) {
    const YAML::Node row = correlation[i];
    const std::string row_key = "correlation[" + std::to_string(i) + "]";
    if (!row.IsSequence() || row.size() != kShockCount)
      in.fail(row, row_key, "must be a list of 4 numbers");
    for (int j = 0; j < kShockCount; ++j) {
      const std::string key = row_key + "[" + std::to_string(j) + "]";
      const double value = in.number(row[j], key);
      if (value < -1 || value > 1)
        in.fail(row[j], key, "a correlation must be in [-1, 1]");
      if (i == j && value != 1)
        in.fail(row[j], key, "the diagonal must be 1");
      matrix(i, j) = value;
      out[i][j] = value;
    }
  }
  for (int i = 0; i < kShockCount; ++i) {
    for (int j = 0; j < i; ++j) {
      if (matrix(i, j) != matrix(j, i)) {
        in.fail(correlation[i][j], "correlation",
                "must be symmetric: [" + std::to_string(i) + "][" + std::to_string(j) +
                    "] differs from [" + std::to_string(j) + "][" + std::to_string(i) + "]");
      }
    }
  }
  const Eigen::LLT<Eigen::Matrix4d> cholesky(matrix);
  if (cholesky.info() != Eigen::Success ||
      cholesky.matrixL().toDenseMatrix().diagonal().minCoeff() < 1e-9) {
    in.fail(correlation, "correlation", "must be positive definite");
  }
}

// A list of model v2 (config.md, "Lists"): mappings of a date and a value,
// dates strictly increasing. `date` names the date key: "from" or "month" (a
// month "YYYY-MM") or "year" (an integer). The value obeys `rule`.
struct ListShape {
  const char* date;
  const char* value;
  Rule rule;
};

// `read_date` reads an entry's date into it and returns its order (a month
// count or a year).
template <typename Entry, typename ReadDate>
std::vector<Entry> read_list(const YAML::Node& list, const std::string& key, const ListShape& shape,
                             const ConfigReader& in, ReadDate read_date) {
  if (!list.IsSequence() || list.size() == 0) {
    in.fail(list, key,
            std::string("must be a non-empty list of {") + shape.date + ", " + shape.value + "}");
  }
  std::vector<Entry> entries;
  int last = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string entry_key = key + "[" + std::to_string(i) + "]";
    const std::string date_key = entry_key + "." + shape.date;
    const std::string value_key = entry_key + "." + shape.value;
    in.check_keys(list[i], entry_key, {shape.date, shape.value});
    Entry entry;
    const int order = read_date(list[i][shape.date], date_key, entry);
    if (!entries.empty() && order <= last)
      in.fail(list[i][shape.date], date_key, "must come after the date of the entry before");
    last = order;
    entry.value = in.number(list[i][shape.value], value_key);
    in.check(shape.rule, entry.value, list[i][shape.value], value_key);
    entries.push_back(entry);
  }
  return entries;
}

// Month-dated entries, as month indices of the scenario (0 = scenario.start).
std::vector<DatedValue> read_dated_list(const YAML::Node& list, const std::string& key,
                                        const ListShape& shape, const ScenarioConfig& scenario,
                                        const ConfigReader& in) {
  const int start = scenario.start_year * 12 + scenario.start_month - 1;
  return read_list<DatedValue>(
      list, key, shape, in,
      [&](const YAML::Node& node, const std::string& date_key, DatedValue& entry) {
        const std::string text = in.text(node, date_key);
        const std::optional<int> months = month_count(text);
        if (!months)
          in.fail(node, date_key, "must be a month \"YYYY-MM\", got '" + text + "'");
        entry.from_month = *months - start;
        return *months;
      });
}

// Year-dated entries.
std::vector<YearValue> read_year_list(const YAML::Node& list, const std::string& key,
                                      const ListShape& shape, const ConfigReader& in) {
  return read_list<YearValue>(
      list, key, shape, in,
      [&](const YAML::Node& node, const std::string& date_key, YearValue& entry) {
        const long long year = in.integer(node, date_key);
        in.check({1000, 9999, false, "must be a year between 1000 and 9999", ""},
                 static_cast<double>(year), node, date_key, std::to_string(year));
        entry.year = static_cast<int>(year);
        return entry.year;
      });
}

// What an amount of money may be (parameters.cpp's bound on money).
const Rule kMoneyRule{0, 1e15, false, "must be between 0 and 10^15", ""};

// (V6) The existing debt's redemptions from scenario.start on, the start
// year's from its start month, cannot exceed the debt at the start.
void check_redemptions(const YAML::Node& node, const Config& config, const ConfigReader& in) {
  double scheduled = 0;
  for (const YearValue& entry : config.market.redemptions) {
    const int year = entry.year, start_year = config.scenario.start_year;
    const int months = year < start_year    ? 0
                       : year == start_year ? 13 - config.scenario.start_month
                                            : 12;
    scheduled += entry.value / 12 * months;
  }
  if (scheduled > range_of(config, "market.debt0", config.market.debt0).first) {
    std::ostringstream message;
    message << "redeems " << scheduled << " from scenario.start on, more than market.debt0 ("
            << config.market.debt0 << ")";
    in.fail(node, "market.redemptions", message.str());
  }
}

// The lists and strings of model v2's sections, where given (hand_read_keys).
void read_model_v2_keys(const YAML::Node& root, const ConfigReader& in, Config& config) {
  const Rule money{0, 1e15, false, "must be between 0 and 10^15", ""};
  if (const YAML::Node prices = at(root, "budget_rule.base_price")) {
    config.budget_rule.base_price =
        read_year_list(prices, "budget_rule.base_price",
                       {"year", "price", {0, 1e6, false, "must be between 0 and 10^6", ""}}, in);
  }
  if (const YAML::Node outflows = at(root, "budget_rule.other_outflows")) {
    config.budget_rule.other_outflows = read_dated_list(
        outflows, "budget_rule.other_outflows", {"from", "amount", money}, config.scenario, in);
  }
  if (const YAML::Node transfers = at(root, "treasury.fund_transfers")) {
    config.treasury.fund_transfers = read_dated_list(
        transfers, "treasury.fund_transfers", {"month", "amount", money}, config.scenario, in);
  }
  if (const YAML::Node measures = at(root, "fiscal.measures")) {
    config.fiscal.measures =
        read_dated_list(measures, "fiscal.measures",
                        {"from", "share_of_gdp", {-1, 1, false, "must be between -1 and 1", ""}},
                        config.scenario, in);
  }
  if (const YAML::Node opens = at(root, "external.opens")) {
    const std::string name = in.text(opens, "external.opens");
    using Opening = ExternalConfig::Opening;
    if (name == "month")
      config.external.opening = Opening::kMonth;
    else if (name == "hazard")
      config.external.opening = Opening::kHazard;
    else if (name == "after_ceasefire")
      config.external.opening = Opening::kAfterCeasefire;
    else
      in.fail(opens, "external.opens",
              "must be month, hazard or after_ceasefire, got '" + name + "'");
  }
  if (const YAML::Node instrument = at(root, "fiscal.instrument")) {
    const std::string name = in.text(instrument, "fiscal.instrument");
    if (name != "revenue" && name != "spending")
      in.fail(instrument, "fiscal.instrument", "must be revenue or spending, got '" + name + "'");
    config.fiscal.on_spending = name == "spending";
  }
  config.oil_gas.seasonal =
      read_seasonality(at(root, "revenue.oil_gas.seasonality"), "revenue.oil_gas.seasonality", in,
                       config.oil_gas.seasonality);
  const Rule rate{-1, 10, false, "must be between -1 and 10", ""};  // as market.reference_rate
  if (const YAML::Node path = at(root, "key_rate.path"))
    config.key_rate.path =
        read_dated_list(path, "key_rate.path", {"from", "rate", rate}, config.scenario, in);
  if (const YAML::Node market = at(root, "market")) {
    if (!at(root, "key_rate"))
      in.fail(market, "key_rate", "is missing (the section market needs the key rate)");
    if (const YAML::Node redemptions = at(root, "market.redemptions")) {
      config.market.redemptions =
          read_year_list(redemptions, "market.redemptions", {"year", "amount", kMoneyRule}, in);
      check_redemptions(redemptions, config, in);
    }
  }
}

// A value outside its key's plausible range (parameters.h): one warning, with
// the plausible range and the likely mistake. For a prior, its support's ends.
// A value of 0 is never warned of.
void check_plausible(const YAML::Node& root, const ConfigReader& in, Config& config) {
  const double monthly_gdp = config.gdp.annual0 / 12;
  for (const Parameter& row : parameters()) {
    const Plausible& plausible = row.plausible;
    const NumberField* field = std::get_if<NumberField>(&row.field);
    const YAML::Node node = at(root, row.key);
    if (!plausible.given() || !field || !node)
      continue;
    std::vector<double> values = {(*field)(config)};
    for (const ParameterPrior& entry : config.priors) {
      if (entry.key == row.key)
        values = {entry.prior.low, entry.prior.high};
    }
    const double scale = plausible.of_monthly_gdp ? monthly_gdp : 1.0;
    for (const double value : values) {
      // 0 switches a driver or a source off (the seed case's deterministic
      // levels): plausible whatever the range of the values that are not 0.
      const bool inside = value >= plausible.low * scale && value <= plausible.high * scale;
      if (!std::isfinite(value) || value == 0 || inside)
        continue;
      std::ostringstream message;
      message << value;
      if (plausible.of_monthly_gdp) {
        message << " is " << 100 * value / monthly_gdp << " % of a month's GDP (gdp.annual0 / 12), "
                << "outside the plausible " << 100 * plausible.low << " % to "
                << 100 * plausible.high << " %";
      } else {
        message << " is outside the plausible range " << plausible.low << " to " << plausible.high;
        if (*row.unit)
          message << " " << row.unit;
      }
      message << " (" << plausible.likely_cause << ")";
      config.warnings.push_back(in.located(node, row.key, message.str()));
      break;
    }
  }
}

// The schema's keys, then those read by hand (parameters.h), then the one rule
// that ties two keys, then the plausible ranges.
Config read_config(const YAML::Node& root, const ConfigReader& in) {
  Config config;
  for (const Section& section : sections()) {
    if (section.mechanism && !at(root, section.mechanism->section))
      continue;  // the mechanism is off: its fields keep their initial values
    if (section.switches)
      section.mechanism->enabled(config) = true;
    const YAML::Node mapping = at(root, section.path);
    if (mapping)
      in.check_keys(mapping, section.path, section.required_keys, section.optional_keys);
    for (const Parameter* row : section.parameters) {
      const YAML::Node value = mapping ? mapping[last_name(row->key)] : mapping;
      std::visit(
          [&](auto field) {
            if (value && value.IsMap()) {
              read_prior(field, *row, value, in, config);
            } else if (value) {
              read_parameter(field, *row, value, in, config);
            } else {
              using Value = std::remove_reference_t<decltype(field(config))>;
              field(config) = static_cast<Value>(row->default_value.value());
            }
          },
          row->field);
    }
  }
  read_scenario_text(at(root, "scenario"), in, config.scenario);
  read_seasonality(at(root, "spending.seasonality"), "spending.seasonality", in,
                   config.spending.seasonality);
  read_correlation(at(root, "correlation"), in, config.correlation);
  read_model_v2_keys(root, in, config);
  // With priors, on every path: the lowest p_ref above the highest floor.
  const double floor =
      range_of(config, "revenue.oil_gas.price_floor", config.oil_gas.price_floor).second;
  in.check({floor, std::numeric_limits<double>::infinity(), true,
            "must be above revenue.oil_gas.price_floor", ""},
           range_of(config, "revenue.oil_gas.p_ref", config.oil_gas.p_ref).first,
           at(root, "revenue.oil_gas.p_ref"), "revenue.oil_gas.p_ref");
  check_plausible(root, in, config);
  return config;
}

}  // namespace

double value_at(const std::vector<DatedValue>& list, int t, double before) {
  double value = before;
  for (const DatedValue& entry : list)  // dates increase (read_dated_list)
    value = entry.from_month <= t ? entry.value : value;
  return value;
}

double amount_in(const std::vector<DatedValue>& list, int t) {
  for (const DatedValue& entry : list)
    if (entry.from_month == t)
      return entry.value;
  return 0.0;
}

double value_at(const std::vector<YearValue>& list, int year, double before) {
  double value = before;
  for (const YearValue& entry : list)
    value = entry.year <= year ? entry.value : value;
  return value;
}

Override parse_override(const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InputError("--set " + assignment + ": expected key.path=value");
  }
  const std::string key = assignment.substr(0, equals);
  if (!is_dotted_key(key)) {
    throw InputError("--set " + assignment + ": '" + key + "' is not a dotted key path");
  }
  return {key, assignment.substr(equals + 1), "--set " + assignment};
}

Config parse_config(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<Override>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& error) {
    throw InputError(source_name + ":" + std::to_string(error.mark.line + 1) + ":" +
                     std::to_string(error.mark.column + 1) + ": YAML syntax error: " + error.msg);
  }
  if (!root.IsMap()) {
    throw InputError(source_name +
                     ": the file must hold a YAML mapping of sections (scenario, simulation, ...)");
  }
  std::map<std::string, int> key_lines;
  std::set<std::pair<int, int>> visited;
  collect_key_lines(root, "", source_name, key_lines, visited);
  std::map<std::string, std::string> origins;
  for (const auto& override_value : overrides) {
    apply_override(root, override_value, source_name);
    origins[override_value.key_path] = override_value.origin;
  }
  Config config = read_config(root, ConfigReader(source_name, origins, key_lines));
  YAML::Emitter emitter;
  emitter << root;
  config.effective_yaml = std::string(emitter.c_str()) + "\n";
  return config;
}

Calendar calendar_of(const Config& config) {
  return Calendar(config.scenario.start_year, config.scenario.start_month, config.scenario.months);
}

std::string config_hash(const Config& config) {
  boost::crc_optimal<64, 0x42F0E1EBA9EA3693ULL, 0, 0, false, false> crc;
  crc.process_bytes(config.effective_yaml.data(), config.effective_yaml.size());
  char text[32];
  std::snprintf(text, sizeof text, "crc64:%016llx",
                static_cast<unsigned long long>(crc.checksum()));
  return text;
}

std::string read_input_file(const std::string& path, const std::string& what) {
  // A directory opens as a stream on Linux and then reads as empty.
  if (std::filesystem::is_directory(path))
    throw InputError(path + ": is a directory, not a " + what + " file");
  std::ifstream file(path);
  if (!file)
    throw InputError(path + ": cannot open the " + what + " file");
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

Config load_config(const std::string& path, const std::vector<Override>& overrides) {
  return parse_config(read_input_file(path, "config"), path, overrides);
}

Config recorded_config(const std::string& path, const std::string& yaml, const std::string& hash) {
  Config config = parse_config(yaml, path + " (its attribute config_yaml)");
  if (config_hash(config) != hash) {
    throw InputError(path +
                     ": its recorded configuration does not match its config_hash (damaged file?)");
  }
  return config;
}

}  // namespace sovrisk
