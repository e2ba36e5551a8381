// Model v2's key rate and market (docs/model.md, "Model v2": V1, V5-V8 and
// M7's terms) against a hand computation month by month, the key rate's AR(1)
// law and its sub-stream, and the contract that what they leave off is v1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hand_waterfall.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"
#include "sovrisk/streams.h"
#include "test_support.h"

namespace sovrisk {
namespace {

constexpr double kMonth = 1.0 / 12.0;  // Delta, in years

// The key rate of the tests: 21 % until 2025-05, 18 % from 2025-06 (month 3
// of a start in 2025-03), 15 % from 2026-01 (month 10).
const char* const kKeyRatePath =
    R"(key_rate.path=[{from: "2025-01", rate: 0.21}, {from: "2025-06", rate: 0.18}, )"
    R"({from: "2026-01", rate: 0.15}])";

double key_rate_path(int t) {
  return t < 3 ? 0.21 : t < 10 ? 0.18 : 0.15;
}

void expect_close(double model, double hand, const char* what) {
  EXPECT_NEAR(model, hand, 1e-11 * std::max(1.0, std::abs(hand))) << what;
}

// deterministic_yaml with the key rate, the market and the oil-and-gas
// seasonality on.
Config market_config() {
  return testing::config_from(
      testing::deterministic_yaml(),
      {"oil.p0=60",
       "revenue.oil_gas.seasonality=[1.2, 0.8, 1.1, 0.9, 1, 1.05, 0.95, 1, 1, 1.3, "
       "0.7, 1]",
       kKeyRatePath, "key_rate.persistence=0.5", "key_rate.volatility=0.01",
       "key_rate.fx_elasticity=-2", "market.capacity0=3000", "market.rate_sensitivity=4",
       "market.reference_rate=0.16", "market.auction_fail_base=0", "market.auction_fail_slope=100",
       "market.debt_threshold=0.17", "market.debt0=34000",
       "market.redemptions=[{year: 2025, amount: 2400}, {year: 2026, amount: 3600}]",
       "market.new_maturity_years=2", "market.fixed_share=0.6", "market.fixed_coupon=0.08",
       "market.floating_spread=0.01"});
}

// Twelve months of V1, M7, V5-V8 with the waterfall (11) and the events
// (12)-(15), by hand in plain scalars, against the model over one lane. Oil
// is observed at its starting price (no oil move), spending and non-oil
// revenue are observed, so that the months take every branch: the market
// lends all it can, or the whole gross need; auctions fail as the debt ratio
// rises above its threshold and succeed as it falls back; a surplus; a year
// whose redemptions differ; an observed capacity (10') that sets w_t; the
// fund drained and a default. The key rate's shocks are set by hand.
TEST(ModelV2, MarketMonthsEqualHandComputation) {
  const Config c = market_config();
  struct Plan {
    double spending, key_rate_shock;
    double observed_capacity;  // < 0: not observed
  };
  const std::vector<Plan> plan = {
      {5200, 0.5, -1},  {5200, -1.0, -1}, {5200, 2.0, -1},  {3500, 0.3, -1},
      {1000, -0.7, -1}, {6000, 1.5, 500}, {6000, 0, -1},    {6000, -2.0, -1},
      {6000, 0.8, -1},  {6000, 1.1, -1},  {6000, -0.4, -1}, {6000, 0.6, -1},
  };
  const Model model(c);
  BlockState state(1);
  BlockDraws draws = testing::quiet_draws();
  model.reset(state);

  testing::HandWaterfall hand(c);
  const double gdp_before = c.gdp.annual0 * std::exp(-c.gdp.growth * kMonth);  // Y_{-1}
  double deviation = 0, key_rate = 0.21, log_fx = std::log(c.fx.x0), liquidity = 0;
  double existing = 34000, fresh = 0, debt = 34000, ratio = 34000 / gdp_before;
  int failed_auctions = 0, surplus_months = 0, capped_months = 0, covered_months = 0;
  for (int t = 0; t < static_cast<int>(plan.size()); ++t) {
    SCOPED_TRACE("month " + std::to_string(t));
    const int calendar_month = (3 - 1 + t) % 12;  // 0 = January
    const bool in_2025 = t < 10;
    // (V1) the key rate, and (M7) its move in ln X before (3)'s own move: the
    // drift alone, as oil does not move and fx has no shock.
    deviation = 0.5 * deviation + 0.01 * plan[t].key_rate_shock;
    const double new_key_rate = key_rate_path(t) + deviation;
    log_fx += -2 * (new_key_rate - key_rate);
    key_rate = new_key_rate;
    log_fx += c.fx.drift * kMonth;
    const double fx = std::exp(log_fx);
    // (4) with (M7) the calendar month's factor; (5') non-oil revenue and (7')
    // spending observed.
    const double oil_gas =
        900 * (fx / 90) * (60.0 - 20) / (65 - 20) * c.oil_gas.seasonality[calendar_month];
    const double revenue = oil_gas + 2000;
    // (V5) interest on the debt at the start of the month
    const double interest = debt / 12 * (0.6 * 0.08 + 0.4 * (key_rate + 0.01));
    // (V6) redemptions: 2400 a year in 2025 and 3600 in 2026, a twelfth a
    // month; the new debt's 1/(12 x 2) of its stock
    const double existing_redeemed = std::min((in_2025 ? 2400.0 : 3600.0) / 12, existing);
    existing -= existing_redeemed;
    const double fresh_redeemed = fresh / 24;
    fresh -= fresh_redeemed;
    const double redemption = existing_redeemed + fresh_redeemed;
    const double need = plan[t].spending + interest - revenue;
    const double gross_need = need + redemption;
    // (V7) capacity, w_t = 0.5 w_{t-1} (no shock), the auction fails when
    // u = 0.5 < pi = 100 max(b_{t-1} - 0.17, 0), at most 1
    liquidity *= 0.5;
    const double trend = 3000 * std::exp(0.08 * t * kMonth);
    const double rate_factor = std::max(1 + 4 * (0.16 - key_rate), 0.0);
    const double failure = std::min(100 * std::max(ratio - 0.17, 0.0), 1.0);
    ASSERT_GT(std::abs(failure - 0.5), 1e-6);  // no tie that round-off could tip
    double capacity = failure > 0.5 ? 0.0 : trend * std::exp(liquidity) * rate_factor;
    if (plan[t].observed_capacity >= 0) {  // (10') for V7
      capacity = plan[t].observed_capacity;
      liquidity = std::log(capacity / (trend * rate_factor));
    } else {
      failed_auctions += failure > 0.5;
    }
    hand.month(t, gross_need, capacity);
    const double issued = hand.absorbed[t];
    surplus_months += gross_need <= 0;
    capped_months += gross_need > 0 && capacity > 0 && issued == capacity;
    covered_months += gross_need > 0 && issued == gross_need;
    // (V8) the debt after the month's financing
    fresh += issued;
    debt = debt - redemption + issued;
    ratio = debt / (c.gdp.annual0 * std::exp(c.gdp.growth * t * kMonth));

    MonthObservations seen;
    seen.oil_price = 60;
    seen.non_oil_revenue = 2000;
    seen.spending = plan[t].spending;
    if (plan[t].observed_capacity >= 0)
      seen.bank_absorption = plan[t].observed_capacity;
    draws.key_rate_shock.setConstant(plan[t].key_rate_shock);
    model.step(t, draws, state, &seen);

    expect_close(state.key_rate_deviation[0], deviation, "key rate deviation e");
    expect_close(state.key_rate[0], key_rate, "key rate i");
    expect_close(state.reported[kFx][0], fx, "fx");
    expect_close(state.interest[0], interest, "interest");
    expect_close(state.redemption[0], redemption, "redemption");
    expect_close(state.existing_debt, existing, "existing debt");
    expect_close(state.reported[kNeed][0], need, "need");
    expect_close(state.gross_need[0], gross_need, "gross need");
    expect_close(state.liquidity_state[0], liquidity, "liquidity w");
    expect_close(state.capacity[0], capacity, "capacity");
    expect_close(state.reported[kBankAbsorbed][0], issued, "absorbed");
    expect_close(state.reported[kFund][0], hand.fund[t], "fund");
    expect_close(state.reported[kUnfinanced][0], hand.unfinanced[t], "unfinanced");
    expect_close(state.new_debt[0], fresh, "new debt");
    expect_close(state.debt[0], debt, "debt");
    expect_close(state.debt[0], state.existing_debt + state.new_debt[0], "debt = E + new");
    expect_close(state.debt_to_gdp[0], ratio, "debt/GDP");
  }
  // The plan takes the branches it is meant to.
  EXPECT_GT(failed_auctions, 0);
  EXPECT_GT(surplus_months, 0);
  EXPECT_GT(capped_months, 0);
  EXPECT_GT(covered_months, 0);
  EXPECT_NE(hand.default_month, kNoEvent);
  EXPECT_EQ(state.event_month[kDefault][0], hand.default_month);
  EXPECT_EQ(state.event_month[kDepletion][0], hand.depletion_month);
  EXPECT_EQ(state.event_month[kBankCrisis][0], hand.crisis_month);
}

// The key rate's deviation e_t = rho e_{t-1} + sigma eps_t (V1), e_{-1} = 0,
// over 20000 independent paths (seed 20250601), against its law: mean 0,
// Var e_t = sigma^2 (1 - rho^{2(t+1)}) / (1 - rho^2), and the correlation of
// e_{t-1} and e_t, rho sqrt(Var e_{t-1} / Var e_t), at months 0 and 39.
// Tolerances: 4 SE for means and the correlation (SE (1 - r^2) / sqrt(n) for
// normal pairs), 4.5 SE for variances (SE from the sample fourth moment).
// A deviation that forgot its persistence would miss the variance by 64 %
// (about 80 SE), one scaled by sqrt(Delta) by 71 %.
TEST(ModelV2, KeyRateDeviationFollowsItsAr1Law) {
  const double rho = 0.8, sigma = 0.01;
  const Config config =
      testing::config_from(testing::deterministic_yaml(),
                           {"simulation.seed=20250601", "scenario.months=40", kKeyRatePath,
                            "key_rate.persistence=0.8", "key_rate.volatility=0.01"});
  const int lanes = 20000;
  const Model model(config);
  ASSERT_GT(model.model_v2_draws(), 0);
  const PathStreams streams(config.simulation.seed, config.oil);
  BlockState state(lanes);
  BlockDraws draws(lanes);
  model.reset(state);
  std::vector<std::vector<double>> deviation(config.scenario.months);
  for (int t = 0; t < config.scenario.months; ++t) {
    streams.fill(0, t, draws);
    streams.fill_model_v2(0, t, draws);
    model.step(t, draws, state);
    deviation[t].assign(state.key_rate_deviation.data(), state.key_rate_deviation.data() + lanes);
    for (int lane = 0; lane < lanes; lane += 997)  // i_t = i-bar_t + e_t
      ASSERT_NEAR(state.key_rate[lane] - key_rate_path(t), deviation[t][lane], 1e-15);
  }
  const auto variance = [&](int t) {
    return sigma * sigma * (1 - std::pow(rho, 2 * (t + 1))) / (1 - rho * rho);
  };
  const double n = lanes;
  for (const int t : {0, 39}) {
    SCOPED_TRACE("month " + std::to_string(t));
    double sum = 0, m2 = 0, m4 = 0;
    for (const double e : deviation[t])
      sum += e;
    const double mean = sum / n;
    for (const double e : deviation[t]) {
      m2 += (e - mean) * (e - mean);
      m4 += std::pow(e - mean, 4);
    }
    m2 /= n, m4 /= n;
    EXPECT_NEAR(mean, 0, 4 * std::sqrt(m2 / n));
    EXPECT_NEAR(m2 * n / (n - 1), variance(t), 4.5 * std::sqrt((m4 - m2 * m2) / n));
    if (t == 0)
      continue;
    double previous_mean = 0, cross = 0, previous_m2 = 0;
    for (const double e : deviation[t - 1])
      previous_mean += e / n;
    for (int lane = 0; lane < lanes; ++lane) {
      const double d = deviation[t - 1][lane] - previous_mean;
      cross += d * (deviation[t][lane] - mean);
      previous_m2 += d * d;
    }
    const double correlation = cross / std::sqrt(previous_m2 * m2 * n);
    const double expected = rho * std::sqrt(variance(t - 1) / variance(t));
    EXPECT_NEAR(correlation, expected, 4 * (1 - expected * expected) / std::sqrt(n));
  }
}

SimulationResult run_with_samples(const Config& config) {
  RunOptions options;
  options.threads = 2;
  options.sample_paths = config.simulation.paths;
  return simulate(config, options);
}

// Through the engine: the key rate draws eps^i_t, model v2's first normal of
// (path, month) (tests/test_streams.cpp checks its counter), and moves ln X by
// kappa_i (i_t - i_{-1}) in all, so that X_t is model v1's times
// exp(kappa_i (i_t - i_{-1})), path by path.
TEST(ModelV2, ExchangeRateFollowsTheKeyRateDrawnFromItsSubStream) {
  const Config v1 = testing::config_from(testing::deterministic_yaml(), {"scenario.months=14"});
  const Config v2 =
      testing::config_from(testing::deterministic_yaml(),
                           {"scenario.months=14", kKeyRatePath, "key_rate.persistence=0.5",
                            "key_rate.volatility=0.01", "key_rate.fx_elasticity=-2"});
  const SimulationResult without = run_with_samples(v1), with = run_with_samples(v2);
  const PathStreams streams(v2.simulation.seed, v2.oil);
  BlockDraws alone(1);
  for (std::uint64_t path = 0; path < v2.simulation.paths; ++path) {
    double deviation = 0;
    for (int t = 0; t < v2.scenario.months; ++t) {
      streams.fill_model_v2(path, t, alone);
      deviation = 0.5 * deviation + 0.01 * alone.key_rate_shock[0];
      const double key_rate = key_rate_path(t) + deviation;
      const double expected = without.sample_paths[kFx](path, t) * std::exp(-2 * (key_rate - 0.21));
      EXPECT_NEAR(with.sample_paths[kFx](path, t), expected, 1e-12 * expected)
          << "path " << path << " month " << t;
    }
  }
  // Paths draw their own shocks: the key rate differs between paths.
  EXPECT_NE(with.sample_paths[kFx](0, 5), with.sample_paths[kFx](1, 5));
}

// A key rate that moves nothing (no fx_elasticity, no market) and oil-and-gas
// factors of 1 leave every number of model v1 as it was, bit for bit, though
// the key rate draws its own sub-stream: v1's draws are not shifted.
TEST(ModelV2, KeyRateThatMovesNothingLeavesModelV1BitForBit) {
  const std::string yaml = testing::stochastic_yaml();
  const Config v1 = testing::config_from(yaml, {"simulation.paths=3000"});
  const Config v2 = testing::config_from(
      yaml, {"simulation.paths=3000", kKeyRatePath, "key_rate.persistence=0.9",
             "key_rate.volatility=0.05",
             "revenue.oil_gas.seasonality=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"});
  ASSERT_GT(Model(v2).model_v2_draws(), 0);
  const SimulationResult a = run_with_samples(v1), b = run_with_samples(v2);
  // Model v1's outputs, which both runs report (the v2 run reports more).
  for (int v = 0; v < kModelV1Variables; ++v) {
    EXPECT_TRUE((a.sample_paths[v] == b.sample_paths[v]).all()) << kVariables[v].name;
    EXPECT_TRUE((a.mean[v] == b.mean[v]).all()) << kVariables[v].name;
    EXPECT_TRUE((a.fan[v] == b.fan[v]).all()) << kVariables[v].name;
  }
  for (int e = 0; e < kModelV1Events; ++e)
    EXPECT_EQ(a.event_month_counts[e], b.event_month_counts[e]) << kEvents[e].name;
}

}  // namespace
}  // namespace sovrisk
