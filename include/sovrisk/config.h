#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sovrisk {

// A problem with the user's input, already worded for the user: it names the
// file, the key and the line, so the command line prints it as it is.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The whole text of an input file; InputError naming the file if it cannot be
// opened or read. `what` says what the file is ("config", "history").
std::string read_input_file(const std::string& path, const std::string& what);

struct ScenarioConfig {
  std::string name;
  std::string description;
  int start_year = 0;
  int start_month = 0;  // 1..12
  int months = 0;
};

// Far beyond any run's reach, and far below where block arithmetic could overflow.
inline constexpr std::uint64_t kMaxPaths = 1'000'000'000'000'000;

struct SimulationConfig {
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
};

struct OilConfig {
  double p0 = 0, long_run_mean = 0, mean_reversion = 0, volatility = 0;
  double jump_intensity = 0, jump_mean = 0, jump_volatility = 0;
};

struct FxConfig {
  double x0 = 0, drift = 0, volatility = 0, oil_elasticity = 0;
};

struct OilGasRevenueConfig {
  double base_monthly = 0, p_ref = 0, x_ref = 0, price_floor = 0;
};

struct NonOilRevenueConfig {
  double base_monthly = 0, growth = 0, persistence = 0, volatility = 0;
};

struct CeasefireConfig {
  int month = -1;  // >= 0: fixed month index; -1: random with the hazard below
  double hazard_per_year = 0;
  double cut = 0;
};

struct SpendingConfig {
  double base_monthly = 0, growth = 0, persistence = 0, volatility = 0;
  std::array<double, 12> seasonality{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  CeasefireConfig ceasefire;
};

struct BanksConfig {
  double absorption_monthly = 0, persistence = 0, volatility = 0, saturation = 0;
  double auction_fail_base = 0, auction_fail_slope = 0, coupon = 0;
};

struct FundConfig {
  double liquid0 = 0, floor = 0;
};

struct GdpConfig {
  double annual0 = 0, growth = 0;
};

struct DefaultConfig {
  double gap_threshold = 0;
};

struct BankCrisisConfig {
  double haircut = 0, holdings0 = 0, capital = 0;
};

// Order of the correlated shocks in `correlation` and in the model.
enum Shock { kOilShock = 0, kFxShock = 1, kNonOilShock = 2, kSpendingShock = 3, kShockCount = 4 };

struct Config {
  ScenarioConfig scenario;
  SimulationConfig simulation;
  OilConfig oil;
  FxConfig fx;
  OilGasRevenueConfig oil_gas;
  NonOilRevenueConfig non_oil;
  SpendingConfig spending;
  std::array<std::array<double, kShockCount>, kShockCount> correlation{};
  BanksConfig banks;
  FundConfig fund;
  GdpConfig gdp;
  DefaultConfig default_rule;
  BankCrisisConfig bank_crisis;

  // The effective configuration (file plus overrides) as YAML text, recorded in
  // every output file so that a result can be reproduced from the file alone.
  std::string effective_yaml;
};

// One `--set key.path=value` override, or a command-line option that stands
// for one (`--paths`, `--seed`).
struct Override {
  std::string key_path;
  std::string value;
  std::string origin;  // how the user gave it, for error messages
};

// Identifies an effective configuration: "crc64:" and 16 hex digits of the
// CRC-64/ECMA-182 of Config::effective_yaml. It tells runs apart; it is no
// protection against deliberate collisions.
std::string config_hash(const Config& config);

// Parses "key.path=value" as given to --set; throws InputError when malformed.
Override parse_override(const std::string& assignment);

// Reads, overrides and validates a scenario. Throws InputError naming file, key
// and line on any problem.
Config load_config(const std::string& path, const std::vector<Override>& overrides = {});

// The same from YAML text; `source_name` stands for the file in messages.
Config parse_config(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<Override>& overrides = {});

}  // namespace sovrisk
