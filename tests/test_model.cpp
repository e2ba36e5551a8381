// The model against a hand computation of equations (1)-(15) with all noise
// off, the waterfall of sources month by month, and the random sub-streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
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

// ------------------------------------------------------- the random draws

Config jumpy_config() {
  return testing::config_from(testing::deterministic_yaml(),
                              {"simulation.seed=20250101", "oil.jump_intensity=6",
                               "oil.jump_mean=-0.15", "oil.jump_volatility=0.1"});
}

// The economy sub-stream draws what v1 drew: values of paths 1000 and 1025 in
// month 0, written by the v1 streams. Drawing anything more in it, or moving
// it to another counter, changes them.
TEST(Streams, EconomySubStreamKeepsTheDrawsOfV1) {
  const Config config = jumpy_config();
  const PathStreams streams(config.simulation.seed, config.oil);
  BlockDraws draws(32);
  streams.fill(1000, 0, draws);
  EXPECT_EQ(draws.shocks(0, kOilShock), -0x1.9f804d882ad26p+0);
  EXPECT_EQ(draws.liquidity_shock[0], 0x1.cfbe34af40494p-2);
  EXPECT_EQ(draws.auction_uniform[0], 0x1.771dcc89de6a7p-1);
  EXPECT_EQ(draws.ceasefire_uniform[0], 0x1.e591e27b12fe1p-2);
  EXPECT_EQ(draws.shocks(25, kOilShock), -0x1.26fdef5b62cadp+0);
  EXPECT_EQ(draws.auction_uniform[25], 0x1.73dc15113d205p-3);
  // Path 1025 has several jumps; v1 summed them to this J.
  const Model model(config);
  BlockState state(32);
  model.reset(state);
  model.step(0, draws, state);
  EXPECT_EQ(state.oil_jump[25], -0x1.61490269edb81p-1);
}

// The model's jumps J (eq. 2) equal, bit for bit, the sums the v1 streams
// made: after the month's fixed draws, Boost's Poisson count and that many
// normal_distribution(mu_J, sigma_J) sizes, added in the order drawn.
TEST(Streams, OilJumpsEqualTheV1Composition) {
  const Config config = jumpy_config();
  const int lanes = 4096, month = 5;
  const std::uint64_t first_path = 70000;
  const PathStreams streams(config.simulation.seed, config.oil);
  BlockDraws draws(lanes);
  streams.fill(first_path, month, draws);
  const Model model(config);
  BlockState state(lanes);
  model.reset(state);
  model.step(month, draws, state);
  int lanes_with_several = 0;
  for (int lane = 0; lane < lanes; ++lane) {
    PathStreams::Stream stream = streams.stream(SubStream::kEconomy, first_path + lane, month);
    boost::random::normal_distribution<double> standard_normal;
    boost::random::uniform_01<double> uniform;
    for (int normal = 0; normal < kShockCount + 1; ++normal)
      standard_normal(stream);
    uniform(stream);
    uniform(stream);
    boost::random::poisson_distribution<int, double> count(config.oil.jump_intensity / 12.0);
    boost::random::normal_distribution<double> size(config.oil.jump_mean,
                                                    config.oil.jump_volatility);
    const int jumps = count(stream);
    double jump = 0;
    for (int n = 0; n < jumps; ++n)
      jump += size(stream);
    lanes_with_several += jumps > 1;
    ASSERT_EQ(state.oil_jump[lane], jump) << "lane " << lane;
  }
  EXPECT_GT(lanes_with_several, 100);  // where the order of the sum shows
}

// Each kind of draw has a sub-stream of its own: model v2's (1) draws other
// numbers than the economy's at the same path and month, and than the
// economy's next month; drawing from it leaves the economy's draws as they
// were, and fill_model_v2 draws from it.
TEST(Streams, SubStreamsAreDistinctAndLeaveOneAnotherAlone) {
  const Config config = jumpy_config();
  const PathStreams streams(config.simulation.seed, config.oil);
  const auto next_kind = SubStream::kModelV2;
  ASSERT_EQ(static_cast<std::uint64_t>(next_kind), 1u);
  const int lanes = 1000, month = 3;
  BlockDraws before(lanes), after(lanes);
  streams.fill(0, month, before);
  for (int lane = 0; lane < lanes; ++lane) {
    PathStreams::Stream economy = streams.stream(SubStream::kEconomy, lane, month);
    PathStreams::Stream economy_next_month = streams.stream(SubStream::kEconomy, lane, month + 1);
    PathStreams::Stream other = streams.stream(next_kind, lane, month);
    for (int word = 0; word < 8; ++word) {
      const std::uint64_t drawn = other();
      EXPECT_NE(drawn, economy()) << "lane " << lane << " word " << word;
      EXPECT_NE(drawn, economy_next_month()) << "lane " << lane << " word " << word;
    }
    // fill draws the economy sub-stream.
    boost::random::normal_distribution<double> standard_normal;
    PathStreams::Stream fresh = streams.stream(SubStream::kEconomy, lane, month);
    EXPECT_EQ(before.shocks(lane, kOilShock), standard_normal(fresh));
  }
  streams.fill(0, month, after);
  streams.fill_model_v2(0, month, after);
  for (int lane = 0; lane < lanes; ++lane) {
    PathStreams::Stream model_v2 = streams.stream(SubStream::kModelV2, lane, month);
    boost::random::normal_distribution<double> standard_normal;
    EXPECT_EQ(after.key_rate_shock[lane], standard_normal(model_v2));
  }
  EXPECT_TRUE((after.shocks == before.shocks).all());
  EXPECT_TRUE((after.liquidity_shock == before.liquidity_shock).all());
  EXPECT_TRUE((after.auction_uniform == before.auction_uniform).all());
  EXPECT_TRUE((after.ceasefire_uniform == before.ceasefire_uniform).all());
  ASSERT_EQ(after.oil_jumps.size(), before.oil_jumps.size());
  for (std::size_t j = 0; j < before.oil_jumps.size(); ++j) {
    EXPECT_EQ(after.oil_jumps[j].lane, before.oil_jumps[j].lane);
    EXPECT_EQ(after.oil_jumps[j].normal, before.oil_jumps[j].normal);
  }
}

}  // namespace
}  // namespace sovrisk
