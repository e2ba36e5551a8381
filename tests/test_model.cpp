// The model against a hand computation of equations (1)-(15) with all noise
// off, the waterfall of sources month by month, and the random sub-streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hand_waterfall.h"
#include "sovrisk/engine.h"
#include "sovrisk/streams.h"
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

// The waterfall's sources (banks, then the fund down to its floor, then the
// unfinanced gap) month by month against the hand computation, bit for bit.
// A replay's observations set each month's need N = G - R (no coupon) and the
// banks' capacity, so that the months take every branch: banks in part and in
// full, a surplus saved, the fund drained to a floor that F - (F - floor)
// would miss, a drained fund, a need of exactly zero.
TEST(Model, WaterfallOfSourcesEqualsHandComputationBitForBit) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(), {"banks.coupon=0", "fund.liquid0=1000.1", "fund.floor=300.3"});
  struct Plan {
    double need, capacity;
  };
  const std::vector<Plan> plan = {
      {400, 150},       // the banks give all they can, the fund the rest
      {-250.5, 100},    // a surplus, saved in the fund
      {3981.7, 234.8},  // the fund pays all it can, down to its floor; the rest is unfinanced
      {100, 0},         // a drained fund: all of it unfinanced
      {-50, 300},       // a surplus refills the fund
      {80, 30},         // the fund pays exactly what it holds above the floor
      {0, 100},         // no need: nothing moves
      {60, 500},        // the banks give it all
  };
  const Model model(c);
  BlockState state(1);
  const BlockDraws draws = testing::quiet_draws();
  model.reset(state);
  testing::HandWaterfall hand(c);
  for (int t = 0; t < static_cast<int>(plan.size()); ++t) {
    SCOPED_TRACE("month " + std::to_string(t));
    MonthObservations seen;
    seen.spending = 2000 + plan[t].need;
    seen.oil_gas_revenue = 0;
    seen.non_oil_revenue = 2000;
    seen.bank_absorption = plan[t].capacity;
    const double fund_before = state.fund[0];
    model.step(t, draws, state, &seen);
    ASSERT_EQ(state.reported[kNeed][0], plan[t].need);
    hand.month(t, plan[t].need, plan[t].capacity);
    EXPECT_EQ(state.reported[kBankAbsorbed][0], hand.absorbed[t]);
    EXPECT_EQ(state.bank_stock[0], hand.bank_stock());
    EXPECT_EQ(state.reported[kFund][0], hand.fund[t]);
    EXPECT_EQ(state.fund[0], hand.fund[t]);
    EXPECT_EQ(state.reported[kUnfinanced][0], hand.unfinanced[t]);
    if (t == 2) {
      // The fund pays all it can; without the floor rule it would end a rounding above it.
      ASSERT_GT(fund_before - (fund_before - c.fund.floor), c.fund.floor);
      EXPECT_EQ(state.fund[0], c.fund.floor);
    }
  }
  // The plan does what its comments say.
  EXPECT_EQ(hand.fund[0], c.fund.liquid0 - 250);
  EXPECT_EQ(hand.fund[1], hand.fund[0] + 250.5);
  EXPECT_GT(hand.unfinanced[2], 0);
  EXPECT_EQ(hand.unfinanced[3], 100);
  EXPECT_EQ(hand.fund[5], c.fund.floor);
  EXPECT_EQ(hand.fund[6], hand.fund[5]);
  EXPECT_EQ(hand.absorbed[7], 60);
  EXPECT_EQ(hand.depletion_month, 2);
  EXPECT_EQ(state.event_month[kDepletion][0], hand.depletion_month);
  EXPECT_EQ(state.event_month[kDefault][0], hand.default_month);
  EXPECT_EQ(state.event_month[kBankCrisis][0], hand.crisis_month);
}

}  // namespace
}  // namespace sovrisk
