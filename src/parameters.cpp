#include "sovrisk/parameters.h"

#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

namespace sovrisk {
namespace {

constexpr double kNoBound = std::numeric_limits<double>::infinity();

constexpr Rule kAny{-kNoBound, kNoBound, false, "", "any"};
constexpr Rule kNonNegative{0, kNoBound, false, "must be >= 0", "≥ 0"};
constexpr Rule kPositive{0, kNoBound, true, "must be > 0", "> 0"};
constexpr Rule kProbability{0, 1, false, "must be a probability in [0, 1]", "in [0, 1]"};
constexpr Rule kPersistence{-1, 1, false, "must be in [-1, 1]", "in [−1, 1]"};
constexpr Rule kMonths{1, 12000, false, "must be between 1 and 12000", "1 ≤ T ≤ 12000"};
constexpr Rule kPaths{1, static_cast<double>(kMaxPaths), false, "must be between 1 and 10^15",
                      "1 ≤ n ≤ 10^15"};
constexpr Rule kAnySeed{0, kNoBound, false, "", "0 … 2⁶⁴−1"};
constexpr Rule kCeasefireMonth{-1, 12000, false, "must be -1 (random) or a month index >= 0",
                               "−1 ≤ m ≤ 12000"};

// Hard bounds that keep the arithmetic finite (issue #15), each far outside any
// plausible value. The budget: over the longest horizon, 12000 months (1000
// years), a 6-sigma excursion of one log driver stays below ln(1e260) = 600, so
// that exp() of it, times an amount of money below 1e15 and summed over 12000
// months, stays far below the largest double (1e308). A bound cannot cover every
// combination of extremes at once; the model guards those.

// ln P and ln X are random walks when nothing reverts them: a 6-sigma move
// over 1000 years is 6 σ √1000 = 190 σ ≤ 600 for σ ≤ 3 per √year.
constexpr Rule kAnnualVolatility{0, 3, false, "must be between 0 and 3", "0 ≤ σ ≤ 3"};
// The AR(1) deviations a, b, w are random walks at persistence 1: 6 σ √12000 =
// 657 σ ≤ 600 for σ ≤ 0.5 per month (1.7 per √year).
constexpr Rule kMonthlyVolatility{0, 0.5, false, "must be between 0 and 0.5", "0 ≤ σ ≤ 0.5"};
// exp(g t Δ) over 1000 years: 0.5 × 1000 = 500 ≤ 600.
constexpr Rule kGrowth{-0.5, 0.5, false, "must be between -0.5 and 0.5", "−0.5 ≤ g ≤ 0.5"};
// (1): ln P moves by -κΔ times its gap to ln P̄ each month; beyond κΔ = 2 the
// gap grows by |1 - κΔ| > 1 a month and diverges.
constexpr Rule kMeanReversion{0, 24, false, "must be between 0 and 24", "0 ≤ κ ≤ 24"};
// Poisson(λΔ) with λΔ ≤ 84 draws a handful of counts and normals; at 1e7 per
// year Boost's sampler crawls, at 1e15 its int count overflows.
constexpr Rule kJumpIntensity{0, 1000, false, "must be between 0 and 1000", "0 ≤ λ ≤ 1000"};
// One jump multiplies the price by at most e^10 (22 000 times), 6 σ_J ≤ 60.
constexpr Rule kJumpMean{-10, 10, false, "must be between -10 and 10", "−10 ≤ μ_J ≤ 10"};
constexpr Rule kJumpVolatility{0, 10, false, "must be between 0 and 10", "0 ≤ σ_J ≤ 10"};
// (3): ln X follows β times ln P's moves; ln P's range at a plausible σ_P
// (0.5: 6 × 0.5 × √1000 = 95) times 5 stays below 600.
constexpr Rule kOilElasticity{-5, 5, false, "must be between -5 and 5", "−5 ≤ β ≤ 5"};
// 1e15 RUB bn is ten million times the world's annual GDP; 12000 months of it
// sum to 1.2e19, which leaves the drivers' factors room up to 1e289.
constexpr double kMaxMoney = 1e15;
constexpr Rule kMoney{0, kMaxMoney, false, "must be between 0 and 10^15", "0 ≤ v ≤ 10^15"};
constexpr Rule kPositiveMoney{0, kMaxMoney, true, "must be > 0 and at most 10^15", "0 < v ≤ 10^15"};

// Model v2.
constexpr Rule kCashTarget{0, 120, false, "must be between 0 and 120", "0 ≤ δ* ≤ 120"};
constexpr Rule kCalendarMonth{1, 12, false, "must be a calendar month, 1 to 12", "1 ≤ m ≤ 12"};
constexpr Rule kExternalMonth{0, 12000, false, "must be a month index between 0 and 12000",
                               "0 ≤ m ≤ 12000"};
constexpr Rule kExternalLag{0, 12000, false, "must be between 0 and 12000", "0 ≤ ℓ_E ≤ 12000"};
constexpr Rule kUnitShare{0, 1, false, "must be between 0 and 1", "0 ≤ v ≤ 1"};
constexpr Rule kReaction{0, 10, false, "must be between 0 and 10", "0 ≤ γ ≤ 10"};
constexpr Rule kShareOfGdpRule{-1, 1, false, "must be between -1 and 1", "−1 ≤ d ≤ 1"};
// One month's central-bank financing moves ln X by at most 10 (e^10).
constexpr Rule kPassThrough{0, 10, false, "must be between 0 and 10", "0 ≤ κ_M ≤ 10"};
constexpr Rule kSupportMonths{0, 1200, false, "must be between 0 and 1200", "0 ≤ n ≤ 1200"};
// Rates per year between -100 % and 1000 %. The debt grows by at most the
// market's capacity a month (V8), a month's interest (V5) is at most
// (10 + 33 + 10) / 12 of it, and the capacity's factor 1 + xi (i0 - i_t) stays
// below 1 + 100 (10 + 1 + 33) (V7), with 33 the key rate's deviation below.
constexpr Rule kKeyRate{-1, 10, false, "must be between -1 and 10", "−1 ≤ i ≤ 10"};
constexpr Rule kSpread{-1, 10, false, "must be between -1 and 10", "−1 ≤ s ≤ 10"};
constexpr Rule kCoupon{0, 10, false, "must be between 0 and 10", "0 ≤ c ≤ 10"};
// (V1) the key rate's deviation is a random walk at persistence 1: 6 σ √12000
// = 657 σ ≤ 33 (3300 % a year) for σ ≤ 0.05 per month. Its move since month
// -1, at most 11 + 33, times |κ_i| ≤ 10 moves ln X by at most 440 ≤ 600.
constexpr Rule kKeyRateVolatility{0, 0.05, false, "must be between 0 and 0.05", "0 ≤ σ_i ≤ 0.05"};
constexpr Rule kKeyRateFxElasticity{-10, 10, false, "must be between -10 and 10", "−10 ≤ κ_i ≤ 10"};
constexpr Rule kRateSensitivity{-100, 100, false, "must be between -100 and 100", "−100 ≤ ξ ≤ 100"};
// (V7) pi is clipped to [0, 1]; 100 fails every auction once the debt ratio is
// one point above its threshold.
constexpr Rule kFailSlope{0, 100, false, "must be between 0 and 100", "0 ≤ π₁ ≤ 100"};
constexpr Rule kDebtRatio{0, 100, false, "must be between 0 and 100", "0 ≤ b̄ ≤ 100"};
// (V6) at least a month: new debt redeems at most all of its stock in a month.
constexpr Rule kMaturity{1.0 / 12, 1000, false, "must be between 1/12 (a month) and 1000",
                         "1/12 ≤ n ≤ 1000"};

// Plausible ranges (issue #14): far from the calibrations of docs/calibration.md
// and wide enough for any commodity exporter, so that a warning means a
// likely typing mistake rather than an unusual scenario.
constexpr const char* kPercentTyped = "a percentage where a fraction is expected?";
constexpr const char* kScaleTyped = "trillions where billions are expected, or the reverse?";
constexpr const char* kPriceUnit = "a price in another unit than USD per barrel?";
constexpr Plausible kPlausibleAnnualVolatility{0.01, 1.5, false, kPercentTyped};
constexpr Plausible kPlausibleMonthlyVolatility{0, 0.35, false, kPercentTyped};
constexpr Plausible kPlausibleGrowth{-0.2, 0.3, false, kPercentTyped};
constexpr Plausible kPlausibleOilPrice{5, 250, false, kPriceUnit};
// Money in shares of a month's GDP: a flow, the banks' monthly lending, a stock.
constexpr Plausible kPlausibleMonthlyFlow{0.002, 1.0, true, kScaleTyped};
constexpr Plausible kPlausibleMonthlyBorrowing{0.0005, 0.5, true, kScaleTyped};
constexpr Plausible kPlausibleStock{0, 36, true, kScaleTyped};
constexpr Plausible kPlausibleThreshold{0.001, 0.2, false, kPercentTyped};

// Units as docs/config.md writes them.
constexpr const char* kUsdPerBarrel = "USD/bbl";
constexpr const char* kRubPerUsd = "RUB/USD";
constexpr const char* kRubBnPerMonth = "RUB bn/month";
constexpr const char* kRubBn = "RUB bn";
constexpr const char* kPerYear = "1/year";
constexpr const char* kLogPerYear = "1/year (log)";
constexpr const char* kLogPerSqrtYear = "1/√year (log)";
constexpr const char* kPerMonth = "per month";
constexpr const char* kLogPerMonth = "log, per month";
constexpr const char* kMonthsOfGdp = "months of GDP (Y/12)";
constexpr const char* kShareOfGdp = "share of annual GDP";

}  // namespace

// Read in this order, section by section; the order of config.md's tables.
const std::vector<Parameter>& parameters() {
  static const std::vector<Parameter> rows = {
      {"scenario.months", &member<&Config::scenario, &ScenarioConfig::months>, "months", kMonths,
       kRequired},

      {"simulation.paths", &member<&Config::simulation, &SimulationConfig::paths>, "paths", kPaths,
       kRequired},
      {"simulation.seed", &member<&Config::simulation, &SimulationConfig::seed>, "", kAnySeed,
       kRequired},

      {"oil.p0", &member<&Config::oil, &OilConfig::p0>, kUsdPerBarrel, kPositive,
       kRequired, kPlausibleOilPrice},
      {"oil.long_run_mean", &member<&Config::oil, &OilConfig::long_run_mean>, kUsdPerBarrel,
       kPositive, kRequired, kPlausibleOilPrice},
      {"oil.mean_reversion", &member<&Config::oil, &OilConfig::mean_reversion>, kPerYear,
       kMeanReversion, kRequired},
      {"oil.volatility", &member<&Config::oil, &OilConfig::volatility>, kLogPerSqrtYear,
       kAnnualVolatility, kRequired, kPlausibleAnnualVolatility},
      {"oil.jump_intensity", &member<&Config::oil, &OilConfig::jump_intensity>, "jumps/year",
       kJumpIntensity, kRequired},
      {"oil.jump_mean", &member<&Config::oil, &OilConfig::jump_mean>, "log price", kJumpMean,
       kRequired},
      {"oil.jump_volatility", &member<&Config::oil, &OilConfig::jump_volatility>, "log price",
       kJumpVolatility, kRequired},

      {"fx.x0", &member<&Config::fx, &FxConfig::x0>, kRubPerUsd, kPositive, kRequired},
      {"fx.drift", &member<&Config::fx, &FxConfig::drift>, kLogPerYear, kGrowth,
       kRequired, kPlausibleGrowth},
      {"fx.volatility", &member<&Config::fx, &FxConfig::volatility>, kLogPerSqrtYear,
       kAnnualVolatility, kRequired, kPlausibleAnnualVolatility},
      {"fx.oil_elasticity", &member<&Config::fx, &FxConfig::oil_elasticity>, "", kOilElasticity,
       kRequired},

      {"revenue.oil_gas.base_monthly",
       &member<&Config::oil_gas, &OilGasRevenueConfig::base_monthly>, kRubBnPerMonth, kMoney,
       kRequired, kPlausibleMonthlyFlow},
      {"revenue.oil_gas.price_floor", &member<&Config::oil_gas, &OilGasRevenueConfig::price_floor>,
       kUsdPerBarrel, kNonNegative, kRequired},
      // Also above price_floor: a check of two keys, in read_config.
      {"revenue.oil_gas.p_ref", &member<&Config::oil_gas, &OilGasRevenueConfig::p_ref>,
       kUsdPerBarrel, kAny, kRequired, kPlausibleOilPrice},
      {"revenue.oil_gas.x_ref", &member<&Config::oil_gas, &OilGasRevenueConfig::x_ref>, kRubPerUsd,
       kPositive, kRequired},

      {"revenue.non_oil.base_monthly",
       &member<&Config::non_oil, &NonOilRevenueConfig::base_monthly>, kRubBnPerMonth, kMoney,
       kRequired, kPlausibleMonthlyFlow},
      {"revenue.non_oil.growth", &member<&Config::non_oil, &NonOilRevenueConfig::growth>,
       kLogPerYear, kGrowth, kRequired, kPlausibleGrowth},
      {"revenue.non_oil.persistence", &member<&Config::non_oil, &NonOilRevenueConfig::persistence>,
       kPerMonth, kPersistence, kRequired},
      {"revenue.non_oil.volatility", &member<&Config::non_oil, &NonOilRevenueConfig::volatility>,
       kLogPerMonth, kMonthlyVolatility, kRequired, kPlausibleMonthlyVolatility},

      {"spending.base_monthly", &member<&Config::spending, &SpendingConfig::base_monthly>,
       kRubBnPerMonth, kMoney, kRequired, kPlausibleMonthlyFlow},
      {"spending.growth", &member<&Config::spending, &SpendingConfig::growth>, kLogPerYear, kGrowth,
       kRequired, kPlausibleGrowth},
      {"spending.persistence", &member<&Config::spending, &SpendingConfig::persistence>, kPerMonth,
       kPersistence, kRequired},
      {"spending.volatility", &member<&Config::spending, &SpendingConfig::volatility>, kLogPerMonth,
       kMonthlyVolatility, kRequired, kPlausibleMonthlyVolatility},

      // The defaults mean no ceasefire.
      {"spending.ceasefire.month",
       &member<&Config::spending, &SpendingConfig::ceasefire, &CeasefireConfig::month>,
       "month index", kCeasefireMonth, -1},
      {"spending.ceasefire.hazard_per_year",
       &member<&Config::spending, &SpendingConfig::ceasefire, &CeasefireConfig::hazard_per_year>,
       kPerYear, kNonNegative, 0},
      {"spending.ceasefire.cut",
       &member<&Config::spending, &SpendingConfig::ceasefire, &CeasefireConfig::cut>,
       "share of spending", kProbability, 0},

      {"banks.absorption_monthly", &member<&Config::banks, &BanksConfig::absorption_monthly>,
       kRubBnPerMonth, kMoney, kRequired, kPlausibleMonthlyBorrowing},
      {"banks.persistence", &member<&Config::banks, &BanksConfig::persistence>, kPerMonth,
       kPersistence, kRequired},
      {"banks.volatility", &member<&Config::banks, &BanksConfig::volatility>, kLogPerMonth,
       kMonthlyVolatility, kRequired, kPlausibleMonthlyVolatility},
      {"banks.saturation", &member<&Config::banks, &BanksConfig::saturation>, kRubBn,
       kPositiveMoney, kRequired},
      {"banks.auction_fail_base", &member<&Config::banks, &BanksConfig::auction_fail_base>,
       "probability per month", kProbability, kRequired},
      {"banks.auction_fail_slope", &member<&Config::banks, &BanksConfig::auction_fail_slope>,
       "probability per unit of S/S̄", kNonNegative, kRequired},
      {"banks.coupon", &member<&Config::banks, &BanksConfig::coupon>, kPerYear, kNonNegative,
       kRequired},

      {"fund.liquid0", &member<&Config::fund, &FundConfig::liquid0>, kRubBn, kMoney,
       kRequired, kPlausibleStock},
      {"fund.floor", &member<&Config::fund, &FundConfig::floor>, kRubBn, kMoney, kRequired},

      {"gdp.annual0", &member<&Config::gdp, &GdpConfig::annual0>, "RUB bn/year", kPositiveMoney,
       kRequired},
      {"gdp.growth", &member<&Config::gdp, &GdpConfig::growth>, kLogPerYear, kGrowth,
       kRequired, kPlausibleGrowth},

      {"default.gap_threshold", &member<&Config::default_rule, &DefaultConfig::gap_threshold>,
       "share of annual GDP", kNonNegative, kRequired, kPlausibleThreshold},

      {"bank_crisis.haircut", &member<&Config::bank_crisis, &BankCrisisConfig::haircut>, "share",
       kProbability, kRequired},
      {"bank_crisis.holdings0", &member<&Config::bank_crisis, &BankCrisisConfig::holdings0>, kRubBn,
       kMoney, kRequired, kPlausibleStock},
      {"bank_crisis.capital", &member<&Config::bank_crisis, &BankCrisisConfig::capital>, kRubBn,
       kMoney, kRequired, kPlausibleStock},
      {"bank_crisis.support.central_bank_months",
       &member<&Config::bank_crisis, &BankCrisisConfig::support,
               &BankSupportConfig::central_bank_months>,
       "months", kSupportMonths, kRequired},

      // Model v2: a section's keys are read only when it is given (mechanisms()).
      {"treasury.cash0", &member<&Config::treasury, &TreasuryConfig::cash0>, kRubBn, kMoney,
       kRequired, kPlausibleStock},
      {"treasury.target", &member<&Config::treasury, &TreasuryConfig::target>, kMonthsOfGdp,
       kCashTarget, kRequired},

      {"budget_rule.credit_month", &member<&Config::budget_rule, &BudgetRuleConfig::credit_month>,
       "calendar month", kCalendarMonth, kRequired},
      {"budget_rule.pending0", &member<&Config::budget_rule, &BudgetRuleConfig::pending0>, kRubBn,
       kMoney, 0},

      {"fiscal.reaction", &member<&Config::fiscal, &FiscalConfig::reaction>, "", kReaction,
       kRequired},
      {"fiscal.target_deficit", &member<&Config::fiscal, &FiscalConfig::target_deficit>,
       kShareOfGdp, kShareOfGdpRule, kRequired},
      {"fiscal.max_adjustment", &member<&Config::fiscal, &FiscalConfig::max_adjustment>,
       kShareOfGdp, kUnitShare, kRequired},

      {"plan_d.illiquid0", &member<&Config::plan_d, &PlanDConfig::illiquid0>, kRubBn, kMoney,
       kRequired, kPlausibleStock},
      {"plan_d.illiquid_monthly", &member<&Config::plan_d, &PlanDConfig::illiquid_monthly>,
       kRubBnPerMonth, kMoney, kRequired},
      {"plan_d.central_bank_share", &member<&Config::plan_d, &PlanDConfig::central_bank_share>,
       kMonthsOfGdp, kUnitShare, kRequired},
      {"plan_d.fx_pass_through", &member<&Config::plan_d, &PlanDConfig::fx_pass_through>,
       "log RUB/USD per unit of M/(Y/12)", kPassThrough, 0},

      {"fund_valuation.gold_share",
       &member<&Config::fund_valuation, &FundValuationConfig::gold_share>, "share of the fund",
       kUnitShare, kRequired},
      {"fund_valuation.gold_drift",
       &member<&Config::fund_valuation, &FundValuationConfig::gold_drift>, kLogPerYear, kGrowth,
       kRequired},
      {"fund_valuation.gold_volatility",
       &member<&Config::fund_valuation, &FundValuationConfig::gold_volatility>, kLogPerSqrtYear,
       kAnnualVolatility, kRequired},

      {"external.month", &member<&Config::external, &ExternalConfig::month>, "month index",
       kExternalMonth, 0},
      {"external.hazard_per_year", &member<&Config::external, &ExternalConfig::hazard_per_year>,
       kPerYear, kNonNegative, 0},
      {"external.lag_months", &member<&Config::external, &ExternalConfig::lag_months>, "months",
       kExternalLag, 0},
      {"external.probability", &member<&Config::external, &ExternalConfig::probability>, "",
       kProbability, 1},
      {"external.capacity_usd_monthly",
       &member<&Config::external, &ExternalConfig::capacity_usd_monthly>, "USD bn/month", kMoney,
       kRequired},
      {"external.coupon", &member<&Config::external, &ExternalConfig::coupon>, kPerYear, kCoupon,
       kRequired},

      {"key_rate.persistence", &member<&Config::key_rate, &KeyRateConfig::persistence>, kPerMonth,
       kPersistence, 0},
      {"key_rate.volatility", &member<&Config::key_rate, &KeyRateConfig::volatility>,
       "1/year, per month", kKeyRateVolatility, 0},
      {"key_rate.fx_elasticity", &member<&Config::key_rate, &KeyRateConfig::fx_elasticity>,
       "log RUB/USD per unit of key rate", kKeyRateFxElasticity, 0},

      {"market.capacity0", &member<&Config::market, &MarketConfig::capacity0>, kRubBnPerMonth,
       kMoney, kRequired, kPlausibleMonthlyBorrowing},
      {"market.rate_sensitivity", &member<&Config::market, &MarketConfig::rate_sensitivity>,
       "per unit of key rate", kRateSensitivity, kRequired},
      {"market.reference_rate", &member<&Config::market, &MarketConfig::reference_rate>, kPerYear,
       kKeyRate, kRequired},
      {"market.auction_fail_base", &member<&Config::market, &MarketConfig::auction_fail_base>,
       "probability per month", kProbability, kRequired},
      {"market.auction_fail_slope", &member<&Config::market, &MarketConfig::auction_fail_slope>,
       "probability per unit of debt/GDP", kFailSlope, kRequired},
      {"market.debt_threshold", &member<&Config::market, &MarketConfig::debt_threshold>,
       kShareOfGdp, kDebtRatio, kRequired},
      {"market.debt0", &member<&Config::market, &MarketConfig::debt0>, kRubBn, kMoney,
       kRequired, kPlausibleStock},
      {"market.new_maturity_years", &member<&Config::market, &MarketConfig::new_maturity_years>,
       "years", kMaturity, kRequired},
      {"market.fixed_share", &member<&Config::market, &MarketConfig::fixed_share>, "share of debt",
       kUnitShare, kRequired},
      {"market.fixed_coupon", &member<&Config::market, &MarketConfig::fixed_coupon>, kPerYear,
       kCoupon, kRequired},
      {"market.floating_spread", &member<&Config::market, &MarketConfig::floating_spread>, kPerYear,
       kSpread, 0},
  };
  return rows;
}

const std::vector<HandReadKey>& hand_read_keys() {
  static const std::vector<HandReadKey> keys = {
      {"scenario.name", true},
      {"scenario.description", false},
      {"scenario.start", true},
      {"spending.seasonality", false},
      {"correlation", true},
      // model v2
      {"treasury.fund_transfers", false},
      {"budget_rule.base_price", true},
      {"budget_rule.other_outflows", false},
      {"fiscal.measures", false},
      {"fiscal.instrument", false},
      {"revenue.oil_gas.seasonality", false},
      {"key_rate.path", true},
      {"market.redemptions", false},
      {"external.opens", true},
  };
  return keys;
}

// The sections of model v2, each switched on by being given.
const std::vector<Mechanism>& mechanisms() {
  static const std::vector<Mechanism> all = {
      {"treasury", &member<&Config::treasury, &TreasuryConfig::enabled>},
      {"budget_rule", &member<&Config::budget_rule, &BudgetRuleConfig::enabled>},
      {"fiscal", &member<&Config::fiscal, &FiscalConfig::enabled>},
      {"plan_d", &member<&Config::plan_d, &PlanDConfig::enabled>},
      {"fund_valuation", &member<&Config::fund_valuation, &FundValuationConfig::enabled>},
      {"external", &member<&Config::external, &ExternalConfig::enabled>},
      {"bank_crisis.support",
       &member<&Config::bank_crisis, &BankCrisisConfig::support, &BankSupportConfig::enabled>},
      {"key_rate", &member<&Config::key_rate, &KeyRateConfig::enabled>},
      {"market", &member<&Config::market, &MarketConfig::enabled>},
  };
  return all;
}

NumberField number_field(const std::string& key) {
  for (const Parameter& row : parameters()) {
    if (row.key == key) {
      if (const NumberField* field = std::get_if<NumberField>(&row.field))
        return *field;
    }
  }
  throw std::invalid_argument("'" + key + "' is not a real-valued parameter of the schema");
}

bool uses_model_v2(const Config& config) {
  Config& readable = const_cast<Config&>(config);  // the fields are only read
  bool any = config.oil_gas.seasonal;
  for (const auto& mechanism : mechanisms())
    any = any || mechanism.enabled(readable);
  return any;
}

namespace {

std::string parent_of(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

std::string name_of(const std::string& key) {
  return key.substr(key.rfind('.') + 1);
}

std::vector<Section> derive_sections() {
  struct Key {
    std::string path;
    bool required;
  };
  std::vector<Key> keys;
  for (const auto& row : parameters())
    keys.push_back({row.key, !row.default_value});
  for (const auto& key : hand_read_keys())
    keys.push_back({key.key, key.required});

  std::vector<Section> out;
  std::map<std::string, std::size_t> index;
  const auto add = [&](const std::string& path) {
    if (index.count(path))
      return;
    index[path] = out.size();
    Section section;
    section.path = path;
    section.optional = true;  // until a required key turns up below it
    out.push_back(std::move(section));
  };
  add("");
  for (const auto& key : keys) {
    for (auto dot = key.path.find('.'); dot != std::string::npos; dot = key.path.find('.', dot + 1))
      add(key.path.substr(0, dot));  // the mappings on the way to the key, outermost first
  }

  for (const auto& mechanism : mechanisms()) {
    const std::string path = mechanism.section;
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1))
      add(path.substr(0, dot));
    add(path);
    Section& own = out.at(index.at(mechanism.section));
    own.switches = true;
    for (auto& section : out) {
      if (section.path == mechanism.section || section.path.rfind(own.path + ".", 0) == 0)
        section.mechanism = &mechanism;
    }
  }

  // A mapping is required when a required key lies anywhere below it, up to
  // the section of a mechanism: that one is optional, whatever it holds.
  for (const auto& key : keys) {
    if (!key.required)
      continue;
    for (std::string path = parent_of(key.path);; path = parent_of(path)) {
      if (out[index[path]].switches)
        break;
      out[index[path]].optional = false;
      if (path.empty())
        break;
    }
  }
  // In an optional mapping every key is required (it is given whole), except
  // in a mechanism's section: there a key with a default may be left out.
  const auto place = [&](const std::string& path, bool required) {
    Section& parent = out[index[parent_of(path)]];
    const bool whole = parent.optional && !parent.switches;
    (required || whole ? parent.required_keys : parent.optional_keys).insert(name_of(path));
  };
  for (const auto& key : keys)
    place(key.path, key.required);
  for (const auto& row : parameters())
    out[index[parent_of(row.key)]].parameters.push_back(&row);
  for (const auto& section : out) {
    if (!section.path.empty())
      place(section.path, !section.optional && !section.switches);
  }
  return out;
}

}  // namespace

const std::vector<Section>& sections() {
  static const std::vector<Section> all = derive_sections();
  return all;
}

}  // namespace sovrisk
