#include "sovrisk/config.h"

#include <yaml-cpp/yaml.h>

#include <Eigen/Cholesky>
#include <boost/crc.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace sovrisk {
namespace {

std::string join_key(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// Walks the YAML tree of one scenario. Every accessor knows the dotted key it
// reads, so every message can name the file, the key and the line.
class ConfigReader {
 public:
  ConfigReader(std::string source, std::map<std::string, std::string> override_origins)
      : source_(std::move(source)), override_origins_(std::move(override_origins)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& message) const {
    std::ostringstream out;
    out << source_;
    const std::string origin = override_origin(key);
    if (!origin.empty()) {
      out << ": " << origin;
    } else if (node.IsDefined() && !node.Mark().is_null()) {
      out << ":" << node.Mark().line + 1;
    }
    out << ": key '" << key << "': " << message;
    throw InputError(out.str());
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

  double number(const YAML::Node& map, const std::string& map_key, const std::string& name) const {
    const std::string key = join_key(map_key, name);
    return number_at(map[name], key);
  }

  double number_at(const YAML::Node& node, const std::string& key) const {
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

  long long integer(const YAML::Node& map, const std::string& map_key,
                    const std::string& name) const {
    const std::string key = join_key(map_key, name);
    const YAML::Node node = map[name];
    if (!node.IsScalar())
      fail(node, key, "must be an integer");
    try {
      return node.as<long long>();
    } catch (const YAML::Exception&) {
      fail(node, key, "must be an integer, got '" + node.Scalar() + "'");
    }
  }

  std::uint64_t unsigned_integer(const YAML::Node& map, const std::string& map_key,
                                 const std::string& name) const {
    const std::string key = join_key(map_key, name);
    const YAML::Node node = map[name];
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

  std::string text(const YAML::Node& map, const std::string& map_key,
                   const std::string& name) const {
    const std::string key = join_key(map_key, name);
    const YAML::Node node = map[name];
    if (!node.IsScalar())
      fail(node, key, "must be a string");
    return node.Scalar();
  }

  // Range checks on a number already read; `name` is the key inside `map`.
  void require(bool ok, const YAML::Node& map, const std::string& map_key, const std::string& name,
               const std::string& rule, double value) const {
    if (ok)
      return;
    std::ostringstream message;
    message << rule << ", got " << value;
    fail(map[name], join_key(map_key, name), message.str());
  }

 private:
  std::string override_origin(const std::string& key) const {
    for (const auto& [overridden, origin] : override_origins_) {
      if (key == overridden || key.rfind(overridden + ".", 0) == 0 ||
          key.rfind(overridden + "[", 0) == 0) {
        return origin;
      }
    }
    return {};
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
};

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

Config read_config(const YAML::Node& root, const ConfigReader& in) {
  Config config;
  in.check_keys(root, "",
                {"scenario", "simulation", "oil", "fx", "revenue", "spending", "correlation",
                 "banks", "fund", "gdp", "default", "bank_crisis"});

  const YAML::Node scenario = root["scenario"];
  in.check_keys(scenario, "scenario", {"name", "start", "months"}, {"description"});
  config.scenario.name = in.text(scenario, "scenario", "name");
  if (config.scenario.name.empty() ||
      !std::regex_match(config.scenario.name, std::regex("[A-Za-z0-9._-]+"))) {
    in.fail(
        scenario["name"], "scenario.name",
        "must be a non-empty name of letters, digits, '.', '_' and '-' (it names the output file)");
  }
  if (scenario["description"]) {
    config.scenario.description = in.text(scenario, "scenario", "description");
  }
  const std::string start = in.text(scenario, "scenario", "start");
  std::smatch match;
  if (!std::regex_match(start, match, std::regex("([0-9]{4})-([0-9]{2})")) ||
      std::stoi(match[2]) < 1 || std::stoi(match[2]) > 12) {
    in.fail(scenario["start"], "scenario.start",
            "must be a month \"YYYY-MM\", got '" + start + "'");
  }
  config.scenario.start_year = std::stoi(match[1]);
  config.scenario.start_month = std::stoi(match[2]);
  const long long months = in.integer(scenario, "scenario", "months");
  in.require(months >= 1 && months <= 12000, scenario, "scenario", "months",
             "must be between 1 and 12000", static_cast<double>(months));
  config.scenario.months = static_cast<int>(months);

  const YAML::Node simulation = root["simulation"];
  in.check_keys(simulation, "simulation", {"paths", "seed"});
  config.simulation.paths = in.unsigned_integer(simulation, "simulation", "paths");
  in.require(config.simulation.paths >= 1 && config.simulation.paths <= kMaxPaths, simulation,
             "simulation", "paths", "must be between 1 and 10^15",
             static_cast<double>(config.simulation.paths));
  config.simulation.seed = in.unsigned_integer(simulation, "simulation", "seed");

  auto non_negative = [&](const YAML::Node& map, const std::string& map_key, const char* name) {
    const double value = in.number(map, map_key, name);
    in.require(value >= 0, map, map_key, name, "must be >= 0", value);
    return value;
  };
  auto positive = [&](const YAML::Node& map, const std::string& map_key, const char* name) {
    const double value = in.number(map, map_key, name);
    in.require(value > 0, map, map_key, name, "must be > 0", value);
    return value;
  };
  auto probability = [&](const YAML::Node& map, const std::string& map_key, const char* name) {
    const double value = in.number(map, map_key, name);
    in.require(value >= 0 && value <= 1, map, map_key, name, "must be a probability in [0, 1]",
               value);
    return value;
  };
  auto persistence = [&](const YAML::Node& map, const std::string& map_key, const char* name) {
    const double value = in.number(map, map_key, name);
    in.require(value >= -1 && value <= 1, map, map_key, name, "must be in [-1, 1]", value);
    return value;
  };

  const YAML::Node oil = root["oil"];
  in.check_keys(oil, "oil",
                {"p0", "long_run_mean", "mean_reversion", "volatility", "jump_intensity",
                 "jump_mean", "jump_volatility"});
  config.oil.p0 = positive(oil, "oil", "p0");
  config.oil.long_run_mean = positive(oil, "oil", "long_run_mean");
  config.oil.mean_reversion = non_negative(oil, "oil", "mean_reversion");
  config.oil.volatility = non_negative(oil, "oil", "volatility");
  config.oil.jump_intensity = non_negative(oil, "oil", "jump_intensity");
  config.oil.jump_mean = in.number(oil, "oil", "jump_mean");
  config.oil.jump_volatility = non_negative(oil, "oil", "jump_volatility");

  const YAML::Node fx = root["fx"];
  in.check_keys(fx, "fx", {"x0", "drift", "volatility", "oil_elasticity"});
  config.fx.x0 = positive(fx, "fx", "x0");
  config.fx.drift = in.number(fx, "fx", "drift");
  config.fx.volatility = non_negative(fx, "fx", "volatility");
  config.fx.oil_elasticity = in.number(fx, "fx", "oil_elasticity");

  const YAML::Node revenue = root["revenue"];
  in.check_keys(revenue, "revenue", {"oil_gas", "non_oil"});
  const YAML::Node oil_gas = revenue["oil_gas"];
  in.check_keys(oil_gas, "revenue.oil_gas", {"base_monthly", "p_ref", "x_ref", "price_floor"});
  config.oil_gas.base_monthly = non_negative(oil_gas, "revenue.oil_gas", "base_monthly");
  config.oil_gas.price_floor = non_negative(oil_gas, "revenue.oil_gas", "price_floor");
  config.oil_gas.p_ref = in.number(oil_gas, "revenue.oil_gas", "p_ref");
  in.require(config.oil_gas.p_ref > config.oil_gas.price_floor, oil_gas, "revenue.oil_gas", "p_ref",
             "must be above revenue.oil_gas.price_floor", config.oil_gas.p_ref);
  config.oil_gas.x_ref = positive(oil_gas, "revenue.oil_gas", "x_ref");

  const YAML::Node non_oil = revenue["non_oil"];
  in.check_keys(non_oil, "revenue.non_oil",
                {"base_monthly", "growth", "persistence", "volatility"});
  config.non_oil.base_monthly = non_negative(non_oil, "revenue.non_oil", "base_monthly");
  config.non_oil.growth = in.number(non_oil, "revenue.non_oil", "growth");
  config.non_oil.persistence = persistence(non_oil, "revenue.non_oil", "persistence");
  config.non_oil.volatility = non_negative(non_oil, "revenue.non_oil", "volatility");

  const YAML::Node spending = root["spending"];
  in.check_keys(spending, "spending", {"base_monthly", "growth", "persistence", "volatility"},
                {"seasonality", "ceasefire"});
  config.spending.base_monthly = non_negative(spending, "spending", "base_monthly");
  config.spending.growth = in.number(spending, "spending", "growth");
  config.spending.persistence = persistence(spending, "spending", "persistence");
  config.spending.volatility = non_negative(spending, "spending", "volatility");
  if (const YAML::Node seasonality = spending["seasonality"]) {
    if (!seasonality.IsSequence() || seasonality.size() != 12) {
      in.fail(seasonality, "spending.seasonality", "must be a list of 12 numbers, January first");
    }
    for (std::size_t m = 0; m < 12; ++m) {
      const std::string key = "spending.seasonality[" + std::to_string(m) + "]";
      const double factor = in.number_at(seasonality[m], key);
      if (factor < 0)
        in.fail(seasonality[m], key, "must be >= 0");
      config.spending.seasonality[m] = factor;
    }
  }
  if (const YAML::Node ceasefire = spending["ceasefire"]) {
    in.check_keys(ceasefire, "spending.ceasefire", {"month", "hazard_per_year", "cut"});
    const long long month = in.integer(ceasefire, "spending.ceasefire", "month");
    in.require(month >= -1 && month <= 12000, ceasefire, "spending.ceasefire", "month",
               "must be -1 (random) or a month index >= 0", static_cast<double>(month));
    config.spending.ceasefire.month = static_cast<int>(month);
    config.spending.ceasefire.hazard_per_year =
        non_negative(ceasefire, "spending.ceasefire", "hazard_per_year");
    config.spending.ceasefire.cut = probability(ceasefire, "spending.ceasefire", "cut");
  }

  const YAML::Node correlation = root["correlation"];
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
      const double value = in.number_at(row[j], key);
      if (value < -1 || value > 1)
        in.fail(row[j], key, "a correlation must be in [-1, 1]");
      if (i == j && value != 1)
        in.fail(row[j], key, "the diagonal must be 1");
      matrix(i, j) = value;
      config.correlation[i][j] = value;
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

  const YAML::Node banks = root["banks"];
  in.check_keys(banks, "banks",
                {"absorption_monthly", "persistence", "volatility", "saturation",
                 "auction_fail_base", "auction_fail_slope", "coupon"});
  config.banks.absorption_monthly = non_negative(banks, "banks", "absorption_monthly");
  config.banks.persistence = persistence(banks, "banks", "persistence");
  config.banks.volatility = non_negative(banks, "banks", "volatility");
  config.banks.saturation = positive(banks, "banks", "saturation");
  config.banks.auction_fail_base = probability(banks, "banks", "auction_fail_base");
  config.banks.auction_fail_slope = non_negative(banks, "banks", "auction_fail_slope");
  config.banks.coupon = non_negative(banks, "banks", "coupon");

  const YAML::Node fund = root["fund"];
  in.check_keys(fund, "fund", {"liquid0", "floor"});
  config.fund.liquid0 = non_negative(fund, "fund", "liquid0");
  config.fund.floor = non_negative(fund, "fund", "floor");

  const YAML::Node gdp = root["gdp"];
  in.check_keys(gdp, "gdp", {"annual0", "growth"});
  config.gdp.annual0 = positive(gdp, "gdp", "annual0");
  config.gdp.growth = in.number(gdp, "gdp", "growth");

  const YAML::Node default_rule = root["default"];
  in.check_keys(default_rule, "default", {"gap_threshold"});
  config.default_rule.gap_threshold = non_negative(default_rule, "default", "gap_threshold");

  const YAML::Node bank_crisis = root["bank_crisis"];
  in.check_keys(bank_crisis, "bank_crisis", {"haircut", "holdings0", "capital"});
  config.bank_crisis.haircut = probability(bank_crisis, "bank_crisis", "haircut");
  config.bank_crisis.holdings0 = non_negative(bank_crisis, "bank_crisis", "holdings0");
  config.bank_crisis.capital = non_negative(bank_crisis, "bank_crisis", "capital");
  return config;
}

}  // namespace

Override parse_override(const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InputError("--set " + assignment + ": expected key.path=value");
  }
  const std::string key = assignment.substr(0, equals);
  if (!std::regex_match(key, std::regex("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*"))) {
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
  std::map<std::string, std::string> origins;
  for (const auto& override_value : overrides) {
    apply_override(root, override_value, source_name);
    origins[override_value.key_path] = override_value.origin;
  }
  Config config = read_config(root, ConfigReader(source_name, origins));
  YAML::Emitter emitter;
  emitter << root;
  config.effective_yaml = std::string(emitter.c_str()) + "\n";
  return config;
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

}  // namespace sovrisk
