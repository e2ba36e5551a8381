// Model v2's financing (docs/model.md, "Model v2"): treasury cash (V9), plan D
// (V10), the bank-crisis rule with the state's support (V12) and the fiscal
// reaction (V4), each month against a hand computation in plain scalars.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <cmath>

#include "hand_waterfall.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"
#include "sovrisk/streams.h"
#include "test_support.h"

namespace sovrisk {
namespace {

// A month of the plan: the need N_t and the banks' capacity C_t, set through a
// replay's observations (spending, revenue, bank absorption).
struct PlannedMonth {
  double need, capacity;
};

MonthObservations observing(const PlannedMonth& month) {
  MonthObservations seen;
  seen.spending = 2000 + month.need;
  seen.oil_gas_revenue = 0;
  seen.non_oil_revenue = 2000;
  seen.bank_absorption = month.capacity;
  return seen;
}


// (V9), (V10) and (11) in plain scalars: the banks lend the need plus what
// refills the cash to its target, the cash pays, and the fund, the illiquid
// assets and the central bank pay what the cash cannot, in that order.
struct HandCash {
  explicit HandCash(const Config& c)
      : c(c), cash(c.treasury.cash0), fund(c.fund.liquid0), illiquid(c.plan_d.illiquid0) {}

  void month(int t, const PlannedMonth& plan) {
    double transfer = 0;  // the scheduled transfer from the fund into the cash, first
    for (const DatedValue& entry : c.treasury.fund_transfers)
      transfer = entry.from_month == t ? entry.value : transfer;
    const double movable = std::max(fund - c.fund.floor, 0.0);
    const double moved = std::min(transfer, movable);
    fund = (movable > 0 && moved == movable) ? c.fund.floor : fund - moved;
    cash += moved;
    // gdp.growth = 0: Y_t = Y_0. Products in the model's order: (share x Y) / 12.
    const double target = c.treasury.target * c.gdp.annual0 / 12;
    const double demand = std::max(plan.need + target - cash, 0.0);
    absorbed = demand > 0 ? std::min(demand, plan.capacity) : 0.0;
    stock += absorbed;
    const double after = cash + (absorbed - plan.need);
    const double shortfall = std::max(-after, 0.0);
    double unfinanced = shortfall;
    const double available = std::max(fund - c.fund.floor, 0.0);
    withdrawn = shortfall > 0 ? std::min(unfinanced, available) : 0.0;
    unfinanced -= withdrawn;
    fund = (available > 0 && withdrawn == available) ? c.fund.floor : fund - withdrawn;
    sold = shortfall > 0 ? std::min(unfinanced, std::min(illiquid, c.plan_d.illiquid_monthly)) : 0.0;
    unfinanced -= sold;
    illiquid -= sold;
    monetised = shortfall > 0 ? std::min(unfinanced, c.plan_d.central_bank_share * c.gdp.annual0 / 12) : 0.0;
    unfinanced -= monetised;
    gap = unfinanced;
    cash = std::max(after, 0.0);
    if (monetised > 0 && monetisation_month == kNoEvent)
      monetisation_month = t;
  }

  Config c;
  double cash, fund, illiquid, stock = 0;
  double absorbed = 0, withdrawn = 0, sold = 0, monetised = 0, gap = 0;
  int monetisation_month = kNoEvent;
};

Config cash_config(const std::vector<std::string>& more = {}) {
  std::vector<std::string> overrides = {
      "banks.coupon=0",
      "gdp.growth=0",
      "fund.liquid0=1000",
      "fund.floor=300",
      "default.gap_threshold=0.001",
      "treasury={cash0: 500, target: 0.01}",
      "plan_d={illiquid0: 300, illiquid_monthly: 120, central_bank_share: 0.005}"};
  overrides.insert(overrides.end(), more.begin(), more.end());
  return testing::config_from(testing::deterministic_yaml(), overrides);
}

// Each month takes a branch: the banks refill the cash to its target; a
// surplus stays in the cash (not in the fund); a deficit beyond cash and banks
// drains the fund to its floor, sells the illiquid assets' monthly limit, and
// monetises what the central bank allows, the rest unfinanced; the illiquid
// assets alone cover a month; the banks cover a month in full.
const std::vector<PlannedMonth> kCashPlan = {
    {400, 150}, {-250.5, 100}, {2000, 234.8}, {100, 0}, {50, 1000}};

TEST(FinancingV2, TreasuryCashAndPlanDEqualHandComputationBitForBit) {
  const Config c = cash_config();
  ASSERT_TRUE(c.treasury.enabled);
  ASSERT_TRUE(c.plan_d.enabled);
  const Model model(c);
  BlockState state(1);
  const BlockDraws draws = testing::quiet_draws();
  model.reset(state);
  HandCash hand(c);
  std::vector<double> gaps, cash, monetised;
  for (int t = 0; t < static_cast<int>(kCashPlan.size()); ++t) {
    SCOPED_TRACE("month " + std::to_string(t));
    const MonthObservations seen = observing(kCashPlan[t]);
    model.step(t, draws, state, &seen);
    ASSERT_EQ(state.reported[kNeed][0], kCashPlan[t].need);
    hand.month(t, kCashPlan[t]);
    EXPECT_EQ(state.reported[kBankAbsorbed][0], hand.absorbed);
    EXPECT_EQ(state.bank_stock[0], hand.stock);
    EXPECT_EQ(state.treasury_cash[0], hand.cash);
    EXPECT_EQ(state.fund[0], hand.fund);
    EXPECT_EQ(state.reported[kFund][0], hand.fund);
    EXPECT_EQ(state.illiquid[0], hand.illiquid);
    EXPECT_EQ(state.illiquid_sold[0], hand.sold);
    EXPECT_EQ(state.monetised[0], hand.monetised);
    EXPECT_EQ(state.reported[kUnfinanced][0], hand.gap);
    gaps.push_back(hand.gap);
    cash.push_back(hand.cash);
    monetised.push_back(hand.monetised);
  }
  // The plan does what its comments say.
  const double target = 0.01 * c.gdp.annual0 / 12;
  EXPECT_DOUBLE_EQ(cash[0], target);
  EXPECT_DOUBLE_EQ(cash[1], target + 250.5);
  EXPECT_EQ(hand.fund, c.fund.floor);
  EXPECT_GT(gaps[2], 0);
  EXPECT_EQ(monetised[2], 0.005 * c.gdp.annual0 / 12);
  EXPECT_EQ(gaps[3], 0);
  EXPECT_EQ(monetised[3], 0);
  EXPECT_DOUBLE_EQ(cash[4], target);
  EXPECT_EQ(state.event_month[kDepletion][0], 2);
  EXPECT_EQ(state.event_month[kMonetisation][0], hand.monetisation_month);
  EXPECT_EQ(hand.monetisation_month, 2);
  // The unfinanced 425.95 of month 2 is above 0.001 Y: default, and with the
  // fund at its floor the banks' loss exceeds their capital (eq. 15).
  EXPECT_EQ(state.event_month[kDefault][0], 2);
  EXPECT_EQ(state.event_month[kBankCrisis][0], 2);
}

// (V9) Scheduled transfers from the fund reach the cash before the markets are
// asked: a transfer the cash does not need lowers the month's borrowing; one
// larger than the fund above its floor moves what is there and leaves the fund
// exactly at its floor (depletion); a month without an entry moves nothing.
TEST(FinancingV2, FundTransfersReachTheCashBeforeTheMarketsEqualHandComputation) {
  const Config c = cash_config({"treasury={cash0: 500, target: 0.01, fund_transfers: "
                                "[{month: \"2025-03\", amount: 200.25}, "
                                "{month: \"2025-05\", amount: 5000}]}"});
  ASSERT_EQ(c.treasury.fund_transfers.size(), 2u);
  const std::vector<PlannedMonth> plan = {{1000, 2000}, {300, 1000}, {900, 1000}, {100, 1000}};
  const Model model(c);
  BlockState state(1);
  const BlockDraws draws = testing::quiet_draws();
  model.reset(state);
  HandCash hand(c), without(cash_config());
  for (int t = 0; t < static_cast<int>(plan.size()); ++t) {
    SCOPED_TRACE("month " + std::to_string(t));
    const MonthObservations seen = observing(plan[t]);
    model.step(t, draws, state, &seen);
    hand.month(t, plan[t]);
    without.month(t, plan[t]);
    EXPECT_EQ(state.reported[kBankAbsorbed][0], hand.absorbed);
    EXPECT_EQ(state.treasury_cash[0], hand.cash);
    EXPECT_EQ(state.fund[0], hand.fund);
    EXPECT_EQ(state.reported[kFund][0], hand.fund);
    EXPECT_EQ(state.reported[kUnfinanced][0], hand.gap);
    if (t == 0) {  // the banks lend 200.25 less; the cash ends at its target either way
      EXPECT_EQ(hand.absorbed, without.absorbed - 200.25);
      EXPECT_EQ(hand.fund, c.fund.liquid0 - 200.25);
      EXPECT_DOUBLE_EQ(hand.cash, without.cash);
    }
  }
  EXPECT_EQ(hand.fund, c.fund.floor);
  EXPECT_EQ(state.event_month[kDepletion][0], 2);
  EXPECT_EQ(without.fund, c.fund.liquid0);  // without transfers the cash and banks pay all
}

// (V12): the same default, but the state can still inject its illiquid assets
// and ten months of central-bank financing: 0.3 (15000 + 314) = 4594 < 4000 +
// 300 + 180 + 10 * 89.6, no bank crisis. With the illiquid assets alone
// (no month of central-bank financing) the loss exceeds what is left.
TEST(FinancingV2, StateSupportCanPreventABankCrisisAtDefault) {
  for (const auto& [months, crisis] : {std::pair{10, false}, std::pair{0, true}}) {
    SCOPED_TRACE(std::to_string(months) + " months of support");
    const Config c =
        cash_config({"bank_crisis.support={central_bank_months: " + std::to_string(months) + "}"});
    const Model model(c);
    BlockState state(1);
    model.reset(state);
    const BlockDraws draws = testing::quiet_draws();
    for (int t = 0; t < 3; ++t) {
      const MonthObservations seen = observing(kCashPlan[t]);
      model.step(t, draws, state, &seen);
    }
    ASSERT_EQ(state.event_month[kDefault][0], 2);
    const double loss = c.bank_crisis.haircut * (c.bank_crisis.holdings0 + state.bank_stock[0]);
    const double support =
        state.illiquid[0] + months * c.plan_d.central_bank_share * c.gdp.annual0 / 12;
    EXPECT_EQ(loss > c.bank_crisis.capital + state.fund[0] + support, crisis);
    EXPECT_EQ(state.event_month[kBankCrisis][0], crisis ? 2 : kNoEvent);
  }
}

// Without treasury cash, plan D extends v1's waterfall: banks, fund, illiquid
// assets, central bank; a surplus still flows into the fund.
TEST(FinancingV2, PlanDExtendsTheWaterfallWithoutTreasuryCash) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"banks.coupon=0", "gdp.growth=0", "fund.liquid0=1000", "fund.floor=300",
       "plan_d={illiquid0: 300, illiquid_monthly: 120, central_bank_share: 0.005}"});
  const Model model(c);
  BlockState state(1);
  model.reset(state);
  const BlockDraws draws = testing::quiet_draws();
  MonthObservations seen = observing({-100, 0});
  model.step(0, draws, state, &seen);
  EXPECT_EQ(state.fund[0], 1100);
  seen = observing({1500, 200});
  model.step(1, draws, state, &seen);
  const double central_bank = 0.005 * c.gdp.annual0 / 12;
  EXPECT_EQ(state.reported[kBankAbsorbed][0], 200);
  EXPECT_EQ(state.fund[0], 300);
  EXPECT_EQ(state.illiquid_sold[0], 120);
  EXPECT_EQ(state.monetised[0], central_bank);
  EXPECT_EQ(state.reported[kUnfinanced][0], 1500 - 200 - 800 - 120 - central_bank);
}

// (V4): announced measures from their month, and each January the rule adds
// gamma times last year's deficit ratio above target, capped at k_max.
TEST(FinancingV2, FiscalReactionEqualsHandComputation) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"scenario.start=2025-11", "banks.coupon=0", "gdp.growth=0", "revenue.non_oil.growth=0",
       "fiscal={reaction: 0.5, target_deficit: 0.01, max_adjustment: 0.02, "
       "measures: [{from: \"2025-12\", share_of_gdp: 0.01}]}"});
  const Model model(c);
  BlockState state(1);
  model.reset(state);
  const BlockDraws draws = testing::quiet_draws();
  const double monthly_gdp = c.gdp.annual0 / 12;
  const double non_oil = c.non_oil.base_monthly;
  double k = 0, deficit = 0, gdp_sum = 0;
  std::vector<double> ks;
  for (int t = 0; t < 26; ++t) {
    SCOPED_TRACE("month " + std::to_string(t));
    if (t % 12 == 2) {  // January
      k = std::min(0.02, k + 0.5 * std::max(deficit / gdp_sum - 0.01, 0.0));
      deficit = gdp_sum = 0;
    }
    ks.push_back(k);
    MonthObservations seen;
    seen.spending = 2000 + 1000 * t;  // deficits that grow
    seen.oil_gas_revenue = 0;
    model.step(t, draws, state, &seen);
    const double measure = t >= 1 ? 0.01 : 0.0;
    const double need = *seen.spending - ((0.0 + non_oil) + (measure + k) * monthly_gdp);
    EXPECT_NEAR(state.reported[kNeed][0], need, 1e-9 * std::abs(need));
    EXPECT_EQ(state.fiscal_adjustment[0], k);
    deficit += need;
    gdp_sum += monthly_gdp;
  }
  // The rule tightened in January 2026 and reached its cap by January 2027.
  EXPECT_GT(ks[2], 0);
  EXPECT_LT(ks[2], 0.02);
  EXPECT_EQ(ks[14], 0.02);
}

// Cut from spending instead, the same adjustment lowers the need by as much.
TEST(FinancingV2, FiscalInstrumentSpendingCutsSpending) {
  const std::vector<std::string> fiscal = {
      "gdp.growth=0", "fiscal={reaction: 0, target_deficit: 0, max_adjustment: 0, measures: "
                      "[{from: \"2025-03\", share_of_gdp: 0.02}]}"};
  std::vector<std::string> on_spending = fiscal;
  on_spending.push_back("fiscal.instrument=spending");
  const Config by_revenue = testing::config_from(testing::deterministic_yaml(), fiscal);
  const Config by_spending = testing::config_from(testing::deterministic_yaml(), on_spending);
  const Config none = testing::config_from(testing::deterministic_yaml(), {"gdp.growth=0"});
  const BlockDraws draws = testing::quiet_draws();
  double needs[3];
  const Config* configs[] = {&by_revenue, &by_spending, &none};
  for (int i = 0; i < 3; ++i) {
    const Model model(*configs[i]);
    BlockState state(1);
    model.reset(state);
    model.step(0, draws, state);
    needs[i] = state.reported[kNeed][0];
  }
  const double adjustment = 0.02 * none.gdp.annual0 / 12;
  EXPECT_NEAR(needs[0], needs[2] - adjustment, 1e-9 * adjustment);
  EXPECT_NEAR(needs[1], needs[2] - adjustment, 1e-9 * adjustment);
}

// (V3): the budget receives the oil-and-gas revenue at the year's base price;
// the fund saves what lies above it (credited in the credit month of the next
// year), pays what falls short down to its floor, and pays the scheduled
// outflows first. Banks with room for any need keep the waterfall off the fund.
TEST(FinancingV2, BudgetRuleEqualsHandComputation) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"scenario.start=2025-11", "banks.coupon=0", "fund.liquid0=700", "fund.floor=300",
       "budget_rule={base_price: [{year: 2025, price: 60}, {year: 2026, price: 58}], "
       "credit_month: 2, pending0: 100, other_outflows: [{from: \"2026-01\", amount: 30}]}"});
  const Model model(c);
  BlockState state(1);
  model.reset(state);
  const BlockDraws draws = testing::quiet_draws();
  // R^og,b = 900 (X / 90) (P* - 20) / (65 - 20) at X = 90: 800 at $60, 760 at $58.
  struct Expected {
    double oil_gas, base, fund, received;
  };
  const std::vector<Expected> months = {
      {850, 800, 700, 800},   // Nov: 50 above the base, saved for next year
      {700, 800, 600, 800},   // Dec: the fund pays the 100 short
      {760, 760, 570, 760},   // Jan: the base price falls; the outflows begin
      {500, 760, 430, 760},   // Feb: 100 + 50 credited, 30 out, 260 paid
      {400, 760, 300, 500},   // Mar: 30 out, then only 100 of the 360 short: the floor
      {400, 760, 300, 400},   // Apr: nothing left above the floor
  };
  for (int t = 0; t < static_cast<int>(months.size()); ++t) {
    SCOPED_TRACE("month " + std::to_string(t));
    MonthObservations seen;
    seen.fx = 90;
    seen.oil_gas_revenue = months[t].oil_gas;
    seen.non_oil_revenue = 2000;
    seen.spending = 5000;
    seen.bank_absorption = 1e6;
    model.step(t, draws, state, &seen);
    EXPECT_EQ(state.base_oil_gas_revenue[0], months[t].base);
    EXPECT_EQ(state.rule_transfer[0], months[t].oil_gas - months[t].base);
    EXPECT_EQ(state.fund[0], months[t].fund);
    EXPECT_EQ(state.reported[kNeed][0], 5000 - (months[t].received + 2000));
  }
  EXPECT_EQ(state.event_month[kDepletion][0], 4);
  EXPECT_EQ(state.rule_pending[0], 0);
  EXPECT_EQ(state.rule_this_year[0], 0);
}

// (V11): with no gold noise, F - floor grows each month by (X_t / X_{t-1})
// (phi e^{mu Delta} + 1 - phi); a month with zero need leaves the rest alone.
TEST(FinancingV2, FundRevaluationEqualsHandComputation) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"banks.coupon=0", "fund.liquid0=1000", "fund.floor=300",
       "fund_valuation={gold_share: 0.4, gold_drift: 0.06, gold_volatility: 0.2}"});
  const Model model(c);
  BlockState state(1);
  model.reset(state);
  const BlockDraws draws = testing::quiet_draws();
  const double rates[] = {95, 104.5, 104.5, 83.6};  // X_{-1} = x0 = 95, then observed
  double fund = 1000;
  for (int t = 0; t < 3; ++t) {
    MonthObservations seen = observing({0, 0});
    seen.fx = rates[t + 1];
    model.step(t, draws, state, &seen);
    const double factor =
        (rates[t + 1] / rates[t]) * (0.4 * std::exp(0.06 / 12) + 0.6);  // no gold shock
    fund = 300 + (fund - 300) * factor;
    EXPECT_DOUBLE_EQ(state.fund[0], fund) << "month " << t;
  }
  // A fund at its floor has nothing to revalue.
  BlockState drained(1);
  model.reset(drained);
  drained.fund[0] = 300;
  MonthObservations seen = observing({0, 0});
  seen.fx = 190;
  model.step(0, draws, drained, &seen);
  EXPECT_EQ(drained.fund[0], 300);
}

// The paths of a block, month by month, with the run's real draws (both
// sub-streams), every month's need zero (replay observations), so that only
// the mechanism under test moves anything.
template <typename Check>
void simulate_lanes(const Config& c, int months, Check check_month) {
  const Model model(c);
  const PathStreams streams(c.simulation.seed, c.oil);
  constexpr int kLanes = 4096;
  BlockState state(kLanes);
  BlockDraws draws(kLanes);
  model.reset(state);
  for (int t = 0; t < months; ++t) {
    streams.fill(0, t, draws);
    streams.fill_model_v2(0, t, draws);
    MonthObservations seen = observing({0, 0});
    seen.fx = c.fx.x0;
    model.step(t, draws, state, &seen);
    check_month(t, state);
  }
}

// (V11) the gold price's law: with the fund all in gold and a constant ruble,
// ln((F_t - floor) / (F_{-1} - floor)) = sum of mu Delta + sigma sqrt(Delta) eps,
// normal with mean mu (t+1) Delta and variance sigma^2 (t+1) Delta. 4096 paths,
// mean within 4 standard errors, variance within 4.5.
TEST(FinancingV2, GoldWalkFollowsItsLaw) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"simulation.seed=20251206", "banks.coupon=0", "fund.liquid0=1300", "fund.floor=300",
       "fund_valuation={gold_share: 1, gold_drift: 0.05, gold_volatility: 0.25}"});
  simulate_lanes(c, 24, [&](int t, const BlockState& s) {
    if (t != 11 && t != 23)
      return;
    const Eigen::ArrayXd logs = ((s.fund - 300.0) / 1000.0).log();
    const double n = static_cast<double>(logs.size());
    const double mean = logs.mean();
    const double variance = (logs - mean).square().sum() / (n - 1);
    const double years = (t + 1) / 12.0;
    const double expected_variance = 0.25 * 0.25 * years;
    EXPECT_NEAR(mean, 0.05 * years, 4 * std::sqrt(expected_variance / n)) << "month " << t;
    EXPECT_NEAR(variance, expected_variance, 4.5 * expected_variance * std::sqrt(2 / (n - 1)))
        << "month " << t;
  });
}

// (V2) opening with a hazard: P(open by month t) = 1 - e^{-h (t+1) Delta}; after
// the ceasefire: in month ceasefire + lag, with probability p, or never.
// 4096 paths, each within 4 standard errors.
TEST(FinancingV2, ExternalAccessOpensByItsLaw) {
  const Config hazard = testing::config_from(
      testing::deterministic_yaml(),
      {"simulation.seed=11", "external={opens: hazard, hazard_per_year: 0.3, "
                              "capacity_usd_monthly: 1, coupon: 0.06}"});
  simulate_lanes(hazard, 36, [&](int t, const BlockState& s) {
    const double open = (s.external_open_month != kNoEvent).cast<double>().mean();
    const double expected = 1 - std::exp(-0.3 * (t + 1) / 12.0);
    EXPECT_NEAR(open, expected, 4 * std::sqrt(expected * (1 - expected) / 4096) + 1e-12)
        << "month " << t;
  });
  const Config after = testing::config_from(
      testing::deterministic_yaml(),
      {"simulation.seed=12", "spending.ceasefire.month=3",
       "external={opens: after_ceasefire, lag_months: 2, probability: 0.35, "
       "capacity_usd_monthly: 1, coupon: 0.06}"});
  simulate_lanes(after, 12, [&](int t, const BlockState& s) {
    const double open = (s.external_open_month != kNoEvent).cast<double>().mean();
    if (t < 5) {
      EXPECT_EQ(open, 0) << "month " << t;
    } else {
      EXPECT_TRUE(((s.external_open_month == 5) || (s.external_open_month == kNoEvent)).all());
      EXPECT_NEAR(open, 0.35, 4 * std::sqrt(0.35 * 0.65 / 4096)) << "month " << t;
    }
  });
}

// (V2) while open, foreign lenders give after the banks, up to their dollars
// at the month's rate; the coupon on what they lent joins the next month's need.
TEST(FinancingV2, ExternalBorrowingFollowsTheBanks) {
  const Config c = testing::config_from(
      testing::deterministic_yaml(),
      {"banks.coupon=0", "fund.liquid0=1000", "fund.floor=300",
       "external={opens: month, month: 1, capacity_usd_monthly: 2, coupon: 0.06}"});
  const Model model(c);
  BlockState state(1);
  model.reset(state);
  const BlockDraws draws = testing::quiet_draws();
  MonthObservations seen = observing({500, 100});
  seen.fx = 100;
  model.step(0, draws, state, &seen);  // not open yet: the fund pays 400
  EXPECT_EQ(state.external_borrowed[0], 0);
  EXPECT_EQ(state.fund[0], 600);
  model.step(1, draws, state, &seen);  // open: 200 from abroad, 200 from the fund
  EXPECT_EQ(state.external_open_month[0], 1);
  EXPECT_EQ(state.external_borrowed[0], 200);
  EXPECT_EQ(state.external_debt[0], 200);
  EXPECT_EQ(state.fund[0], 400);
  model.step(2, draws, state, &seen);  // the coupon on 200 adds to the need
  EXPECT_EQ(state.reported[kNeed][0], 500 + 0.06 / 12 * 200);
  EXPECT_EQ(state.external_debt[0], 400);
}

// A model-v2 config reports every output: the registry's v2 variables hold
// the model's values (b_t = Debt_t / Y_t in percent; the gross need is the need
// plus redemptions), and its events are counted.
TEST(FinancingV2, AModelV2ConfigReportsEveryOutput) {
  const Config c = testing::config_from(
      read_input_file(std::string(SOVRISK_SOURCE_DIR) + "/tests/data/model-v2.yaml", "config"),
      {"simulation.paths=2000"});
  RunOptions options;
  options.sample_paths = 20;
  const SimulationResult result = simulate(c, options);
  ASSERT_EQ(result.outputs, kAllOutputs);
  for (int path = 0; path < 20; ++path) {
    for (int t = 0; t < c.scenario.months; ++t) {
      const double gdp = c.gdp.annual0 * std::exp(c.gdp.growth * (t / 12.0));
      EXPECT_NEAR(result.sample_paths[kDebtToGdp](path, t),
                  100 * result.sample_paths[kDebt](path, t) / gdp, 1e-9);
      EXPECT_GT(result.sample_paths[kGrossNeed](path, t), result.sample_paths[kNeed](path, t));
      EXPECT_GT(result.sample_paths[kInterest](path, t), 0);
      EXPECT_GE(result.sample_paths[kTreasuryCash](path, t), 0);
      EXPECT_GE(result.sample_paths[kMonetised](path, t), 0);
    }
  }
  std::uint64_t monetised_paths = 0, opened_paths = 0;
  for (auto count : result.event_month_counts[kMonetisation])
    monetised_paths += count;
  for (auto count : result.event_month_counts[kMarketAccess])
    opened_paths += count;
  EXPECT_GT(monetised_paths, 0u);
  EXPECT_GT(opened_paths, 0u);
}

}  // namespace
}  // namespace sovrisk
