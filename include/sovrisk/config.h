#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sovrisk/calendar.h"
#include "sovrisk/priors.h"

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
  // (M7) January first; given, the model is v2's
  std::array<double, 12> seasonality{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  bool seasonal = false;
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

// (M8) The state's support to banks in a crisis (replaces eq. 15's fund-only rule)
struct BankSupportConfig {
  bool enabled = false;
  double central_bank_months = 0;  // months of plan D's central-bank capacity
};

struct BankCrisisConfig {
  double haircut = 0, holdings0 = 0, capital = 0;
  BankSupportConfig support;
};

// Model v2 (docs/model.md, "Model v2"). Each mechanism is a section of the
// file; left out, the mechanism is off (`enabled` false) and the model is
// exactly model v1's.

// A value from a month on (or, in a list of one-off amounts, in that month
// only): `from_month` is a month index (0 = scenario.start; negative = before
// the start), given in the file as "YYYY-MM".
struct DatedValue {
  int from_month = 0;
  double value = 0;
};

// A value for one calendar year.
struct YearValue {
  int year = 0;
  double value = 0;
};

// What a list holds at month index `t` (at calendar year `year`): the value of
// its last entry from a month (a year) not after it on; `before` before the
// first entry.
double value_at(const std::vector<DatedValue>& list, int t, double before);
double value_at(const std::vector<YearValue>& list, int year, double before);

// The value of the entry dated exactly month index `t`, 0 if none: a list of
// one-off amounts rather than of values from a month on.
double amount_in(const std::vector<DatedValue>& list, int t);

// (M1) treasury cash
struct TreasuryConfig {
  bool enabled = false;
  double cash0 = 0;   // D_{-1}, RUB bn
  double target = 0;  // delta*, the target balance in months of GDP (D* = delta* Y / 12)
  std::vector<DatedValue> fund_transfers;  // T_t, RUB bn moved from the fund in that month only
};

// (M2) the budget rule
struct BudgetRuleConfig {
  bool enabled = false;
  std::vector<YearValue> base_price;       // P*_y, USD/bbl, by calendar year
  int credit_month = 0;                    // 1..12: the month Q is credited to the fund
  double pending0 = 0;                     // Q_{-1}, RUB bn
  std::vector<DatedValue> other_outflows;  // O_t, RUB bn/month from a month on
};

// (M4) the key rate (V1)
struct KeyRateConfig {
  bool enabled = false;
  std::vector<DatedValue> path;            // i-bar_t, per year, from a month on
  double persistence = 0, volatility = 0;  // rho_i, sigma_i: AR(1) deviation e_t, per month
  double fx_elasticity = 0;                // (M7) kappa_i: ln X per unit of i_t - i_{t-1}
};

// (M4) market capacity, redemptions and the cost of debt (V5-V8)
struct MarketConfig {
  bool enabled = false;
  double capacity0 = 0;                                  // c0, RUB bn/month
  double rate_sensitivity = 0;                           // xi, per unit of key rate
  double reference_rate = 0;                             // i0, per year
  double auction_fail_base = 0, auction_fail_slope = 0;  // pi0, pi1 (per unit of debt/GDP)
  double debt_threshold = 0;                             // b-bar, share of annual GDP
  double debt0 = 0;                                      // debt stock at the start, RUB bn
  std::vector<YearValue> redemptions;        // of the debt at the start, RUB bn per calendar year
  double new_maturity_years = 0;             // n: new debt redeems 1/(12 n) of its stock a month
  double fixed_share = 0, fixed_coupon = 0;  // phi_fix, c_fix (per year)
  double floating_spread = 0;                // s, per year, over the key rate
};

// (M5) revaluation of the liquid fund
struct FundValuationConfig {
  bool enabled = false;
  double gold_share = 0;                       // phi_G
  double gold_drift = 0, gold_volatility = 0;  // log gold price, per year
};

// (M3) fiscal reaction
struct FiscalConfig {
  bool enabled = false;
  std::vector<DatedValue> measures;  // announced, share of GDP from a month on
  double reaction = 0;               // gamma
  double target_deficit = 0;         // d*, share of GDP
  double max_adjustment = 0;         // k_max, share of GDP
  bool on_spending = false;          // cut spending instead of raising non-oil revenue
};

// (M6) plan D: the last resorts before an unfinanced gap
struct PlanDConfig {
  bool enabled = false;
  double illiquid0 = 0, illiquid_monthly = 0;  // L_{-1} and l, RUB bn
  double central_bank_share = 0;               // m: at most m Y / 12 a month
  double fx_pass_through = 0;                  // ln X per unit of M / (Y / 12)
};

// External borrowing reopened
struct ExternalConfig {
  enum class Opening { kMonth, kHazard, kAfterCeasefire };
  bool enabled = false;
  Opening opening = Opening::kMonth;
  int month = 0;                    // kMonth: the month index it opens
  double hazard_per_year = 0;       // kHazard
  int lag_months = 0;               // kAfterCeasefire: months after the ceasefire ...
  double probability = 0;           // ... with this probability
  double capacity_usd_monthly = 0;  // USD bn/month
  double coupon = 0;                // per year, on the external debt
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
  TreasuryConfig treasury;
  BudgetRuleConfig budget_rule;
  KeyRateConfig key_rate;
  MarketConfig market;
  FundValuationConfig fund_valuation;
  FiscalConfig fiscal;
  PlanDConfig plan_d;
  ExternalConfig external;

  // The parameters given as distributions rather than numbers, in schema
  // order; each of their fields above holds the prior's median.
  std::vector<ParameterPrior> priors;

  // Values that are valid but implausible, one located message each
  // (docs/config.md, "Plausible ranges"): the caller shows them, or refuses
  // the config when asked to be strict.
  std::vector<std::string> warnings;

  // The effective configuration (file plus overrides) as YAML text, recorded in
  // every output file so that a result can be reproduced from the file alone.
  std::string effective_yaml;

  // How the run is named in summaries, comparisons and figures, and the `--set`
  // assignments it was given, as given: root `label` and `overrides` of every
  // file (docs/output.md). The command line sets them; neither is part of
  // effective_yaml, so neither changes config_hash. An empty label stands for
  // the scenario's name.
  std::string label;
  std::vector<std::string> overrides;
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

// The calendar of the configuration's horizon (scenario.start_year,
// start_month and months).
Calendar calendar_of(const Config& config);

// Parses "key.path=value" as given to --set; throws InputError when malformed.
Override parse_override(const std::string& assignment);

// Reads, overrides and validates a scenario. Throws InputError naming file, key
// and line on any problem.
Config load_config(const std::string& path, const std::vector<Override>& overrides = {});

// The same from YAML text; `source_name` stands for the file in messages.
Config parse_config(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<Override>& overrides = {});

// The configuration that file `path` records (its attribute
// config_yaml, `yaml`), checked against the config_hash it records beside it
// (`hash`); InputError naming the file if either does not hold.
Config recorded_config(const std::string& path, const std::string& yaml, const std::string& hash);

}  // namespace sovrisk
