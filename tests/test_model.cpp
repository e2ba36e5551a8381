// The model against a hand computation of equations (1)-(15) with all noise off.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hand_waterfall.h"
#include "sovrisk/engine.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using testing::expect_all_paths;
using testing::expect_event_at;

struct HandPath : testing::HandWaterfall {
  using HandWaterfall::HandWaterfall;
  std::vector<double> oil, fx;
};

// Equations (2)-(15) of docs/model.md, one month at a time, in plain scalars.
HandPath hand_computed(const Config& c) {
  HandPath path(c);
  double log_p = std::log(c.oil.p0), log_x = std::log(c.fx.x0);
  for (int t = 0; t < c.scenario.months; ++t) {
    const double dt = 1.0 / 12, years = t * dt;
    const double increment = c.oil.mean_reversion * (std::log(c.oil.long_run_mean) - log_p) * dt;
    log_p += increment;
    log_x += c.fx.drift * dt + c.fx.oil_elasticity * increment;
    const double p = std::exp(log_p), x = std::exp(log_x);
    const double oil_gas = c.oil_gas.base_monthly * (x / c.oil_gas.x_ref) *
                           std::max(p - c.oil_gas.price_floor, 0.0) /
                           (c.oil_gas.p_ref - c.oil_gas.price_floor);
    const double non_oil = c.non_oil.base_monthly * std::exp(c.non_oil.growth * years);
    const int ceasefire = c.spending.ceasefire.month;
    const double cut = (ceasefire >= 0 && t >= ceasefire) ? 1 - c.spending.ceasefire.cut : 1.0;
    const double spending = c.spending.base_monthly * std::exp(c.spending.growth * years) *
                            c.spending.seasonality[(c.scenario.start_month - 1 + t) % 12] * cut;
    const double capacity =
        c.banks.absorption_monthly * std::max(0.0, 1 - path.bank_stock() / c.banks.saturation);
    path.month(t, spending + path.interest() - oil_gas - non_oil, capacity);
    path.oil.push_back(p);
    path.fx.push_back(x);
  }
  return path;
}

void check_against_hand(const Config& config) {
  RunOptions options;
  options.sample_paths = config.simulation.paths;
  const SimulationResult result = simulate(config, options);
  const HandPath hand = hand_computed(config);
  expect_all_paths(result.sample_paths[kOilPrice], hand.oil, "oil");
  expect_all_paths(result.sample_paths[kFx], hand.fx, "fx");
  expect_all_paths(result.sample_paths[kNeed], hand.need, "need");
  expect_all_paths(result.sample_paths[kBankAbsorbed], hand.absorbed, "absorbed");
  expect_all_paths(result.sample_paths[kFund], hand.fund, "fund");
  expect_all_paths(result.sample_paths[kUnfinanced], hand.unfinanced, "unfinanced");
  expect_event_at(result.event_month_counts[kDefault], hand.default_month, config.simulation.paths,
                  "default");
  expect_event_at(result.event_month_counts[kDepletion], hand.depletion_month,
                  config.simulation.paths, "depletion");
  expect_event_at(result.event_month_counts[kBankCrisis], hand.crisis_month,
                  config.simulation.paths, "bank crisis");
}

TEST(Model, DeterministicPathEqualsHandComputation) {
  const Config config = testing::config_from(testing::deterministic_yaml());
  const HandPath hand = hand_computed(config);
  // The case must exercise every branch of the waterfall and every event.
  ASSERT_NE(hand.depletion_month, kNoEvent);
  ASSERT_NE(hand.default_month, kNoEvent);
  ASSERT_NE(hand.crisis_month, kNoEvent);
  ASSERT_GT(*std::max_element(hand.absorbed.begin(), hand.absorbed.end()), 0);
  check_against_hand(config);
}

TEST(Model, SurplusMonthsFlowIntoTheFund) {
  const Config config = testing::config_from(
      testing::deterministic_yaml(), {"revenue.oil_gas.base_monthly=2000", "scenario.months=12"});
  const HandPath hand = hand_computed(config);
  ASSERT_LT(*std::min_element(hand.need.begin(), hand.need.end()), 0);
  check_against_hand(config);
}

TEST(Model, NoBankCrisisWhenCapitalCoversTheLoss) {
  const Config config =
      testing::config_from(testing::deterministic_yaml(), {"bank_crisis.capital=100000"});
  const HandPath hand = hand_computed(config);
  ASSERT_NE(hand.default_month, kNoEvent);
  ASSERT_EQ(hand.crisis_month, kNoEvent);
  check_against_hand(config);
}

TEST(Model, FundDepletionAndDefaultAtTheMonthArithmeticPredicts) {
  // Constant need D = 100 with no revenue and no banks: F_t = 1000 - 100 (t + 1)
  // reaches the floor of 100 at t = 8; from t = 9 the whole need is unfinanced,
  // and the 12-month gap exceeds 0.0025 * 120000 = 300 first at t = 12 (400).
  const Config config = testing::config_from(
      testing::deterministic_yaml(),
      {"spending.base_monthly=100", "spending.growth=0",
       "spending.seasonality=[1,1,1,1,1,1,1,1,1,1,1,1]", "spending.ceasefire.month=-1",
       "revenue.oil_gas.base_monthly=0", "revenue.non_oil.base_monthly=0",
       "banks.absorption_monthly=0", "fund.liquid0=1000", "fund.floor=100", "gdp.annual0=120000",
       "gdp.growth=0", "default.gap_threshold=0.0025"});
  RunOptions options;
  const SimulationResult result = simulate(config, options);
  expect_event_at(result.event_month_counts[kDepletion], 8, config.simulation.paths, "depletion");
  expect_event_at(result.event_month_counts[kDefault], 12, config.simulation.paths, "default");
  check_against_hand(config);
}

}  // namespace
}  // namespace sovrisk
