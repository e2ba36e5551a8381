// Replays of history (docs/replay.md): reading the CSV, the observed drivers in
// the model, the sampled ones continuing from them, and `sovrisk replay`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <map>
#include <sstream>

#include "cli_support.h"
#include "hand_waterfall.h"
#include "result_comparison.h"
#include "sovrisk/accumulators.h"
#include "sovrisk/engine.h"
#include "sovrisk/history.h"
#include "sovrisk/results_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using testing::expect_all_paths;
using testing::expect_event_at;

constexpr double kMonth = 1.0 / 12.0;

ScenarioConfig scenario_2022(int months = 12) {
  ScenarioConfig scenario;
  scenario.name = "history-test";
  scenario.start_year = 2022;
  scenario.start_month = 1;
  scenario.months = months;
  return scenario;
}

// ---------------------------------------------------------------- the CSV

TEST(History, ReadsObservedAndEmptyCellsCommentsAndWindowsLineEnds) {
  const std::string text =
      "# Backtest history, RUB bn\r\n"
      "month, oil_price, fx, oil_gas_revenue, non_oil_revenue, spending, bank_absorption, note\r\n"
      "\r\n"
      "2022-01,72.5,73.65,950,1400,2600,0,first month\r\n"
      "2022-02,,73.65,,1410,2650,,oil and the banks not observed\r\n"
      "2022-04,80,,900,,,120,\r\n"
      "2023-01,50,70,400,1300,3500,0,after a 12-month horizon\r\n";
  const History history = parse_history(text, "h.csv", scenario_2022());
  EXPECT_EQ(history.source, "h.csv");
  EXPECT_EQ(history.text, text);
  EXPECT_EQ(history.rows, 4);
  EXPECT_EQ(history.rows_after_horizon, 1);
  ASSERT_EQ(history.months.size(), 12u);
  const MonthObservations& january = history.months[0];
  EXPECT_EQ(january.oil_price, 72.5);
  EXPECT_EQ(january.fx, 73.65);
  EXPECT_EQ(january.oil_gas_revenue, 950);
  EXPECT_EQ(january.non_oil_revenue, 1400);
  EXPECT_EQ(january.spending, 2600);
  EXPECT_EQ(january.bank_absorption, 0);  // an observed zero is not "not observed"
  const MonthObservations& february = history.months[1];
  EXPECT_FALSE(february.oil_price);
  EXPECT_FALSE(february.oil_gas_revenue);
  EXPECT_FALSE(february.bank_absorption);
  EXPECT_EQ(february.spending, 2650);
  EXPECT_FALSE(history.months[2].any());  // March has no row: nothing observed
  EXPECT_EQ(history.months[3].oil_price, 80);
  EXPECT_EQ(history.months[3].bank_absorption, 120);
  EXPECT_FALSE(history.months[3].fx);
  EXPECT_EQ(observed_months(history, "oil_price"), 2);
  EXPECT_EQ(observed_months(history, "fx"), 2);
  EXPECT_EQ(observed_months(history, "bank_absorption"), 2);
}

TEST(History, AHistoryMayStartAfterTheScenarioAndObserveOneDriver) {
  const History history = parse_history("month,spending\n2022-06,3000\n", "h.csv", scenario_2022());
  EXPECT_EQ(history.rows, 1);
  EXPECT_EQ(history.months[5].spending, 3000);
  EXPECT_EQ(observed_months(history, "spending"), 1);
  EXPECT_EQ(observed_months(history, "oil_price"), 0);
}

TEST(History, ReadsFundFlowsOfEitherSign) {
  const History history = parse_history(
      "month,fund_flow,spending\n2022-01,-250.5,3000\n2022-02,120,\n"
      "2022-03,,2900\n2022-04,0,\n",
      "h.csv", scenario_2022());
  EXPECT_EQ(history.months[0].fund_flow, -250.5);
  EXPECT_EQ(history.months[0].spending, 3000);
  EXPECT_EQ(history.months[1].fund_flow, 120);
  EXPECT_TRUE(history.months[1].any());  // a fund flow alone is an observation
  EXPECT_FALSE(history.months[2].fund_flow);
  EXPECT_EQ(history.months[3].fund_flow, 0);  // an observed zero, as for the drivers
  EXPECT_TRUE(history.months[3].any());
  EXPECT_EQ(observed_months(history, "fund_flow"), 3);
  // The drivers' list, which decides "all paths are the same", leaves it out.
  const auto& drivers = history_driver_columns();
  EXPECT_EQ(std::find(drivers.begin(), drivers.end(), "fund_flow"), drivers.end());
}

TEST(History, AHistoryOfFundFlowsAloneIsAccepted) {
  const History history = parse_history("month,fund_flow\n2022-05,-40\n", "h.csv", scenario_2022());
  EXPECT_EQ(history.months[4].fund_flow, -40);
}

TEST(History, DeviationResetMarksTheLastMonthThatObservesAnything) {
  History history = parse_history(
      "month,spending,fund_flow\n2022-02,3000,\n2022-05,,-10\n2022-07,,\n2023-03,3100,\n", "h.csv",
      scenario_2022());
  // July's row observes nothing and March 2023 lies after the 12-month horizon:
  // May, with its fund flow alone, is the history's last observed month.
  EXPECT_EQ(mark_deviation_reset(history), 4);
  for (int t = 0; t < 12; ++t)
    EXPECT_EQ(history.months[t].reset_deviations, t == 4) << "month " << t;

  History nothing = parse_history("month,spending\n2022-03,\n", "h.csv", scenario_2022());
  EXPECT_EQ(mark_deviation_reset(nothing), -1);
  for (const auto& month : nothing.months)
    EXPECT_FALSE(month.reset_deviations);
}

// Each bad input is one InputError whose message names the file, the line and the column.
void expect_refused(const std::string& text, const std::vector<std::string>& mentions) {
  try {
    parse_history(text, "h.csv", scenario_2022());
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const InputError& error) {
    const std::string message = error.what();
    for (const auto& mention : mentions) {
      EXPECT_NE(message.find(mention), std::string::npos)
          << "message lacks '" << mention << "': " << message;
    }
  }
}

const std::string kHeader = "month,oil_price,fx,spending\n";

TEST(History, MissingMonthColumn) {
  expect_refused("oil_price,fx\n72,73\n",
                 {"h.csv:1:", "column 'month'", "missing from the header"});
}

TEST(History, UnknownColumn) {
  expect_refused("month,oil_prise\n2022-01,72\n",
                 {"h.csv:1:", "column 'oil_prise'", "unknown column"});
}

TEST(History, NoDriverColumn) {
  expect_refused("month,note\n2022-01,x\n", {"h.csv:1:", "no driver or fund_flow column"});
}

TEST(History, DuplicateColumn) {
  expect_refused("month,fx,fx\n2022-01,73,73\n", {"h.csv:1:", "column 'fx'", "twice"});
}

TEST(History, EmptyFile) {
  expect_refused("# only a comment\n", {"h.csv", "no header"});
}

TEST(History, BadMonth) {
  expect_refused(kHeader + "2022-01,72,73,2600\n2022-13,72,73,2600\n",
                 {"h.csv:3:", "column 'month'", "YYYY-MM", "'2022-13'"});
  expect_refused(kHeader + "Jan 2022,72,73,2600\n", {"h.csv:2:", "column 'month'", "'Jan 2022'"});
}

TEST(History, NonNumericValue) {
  expect_refused(kHeader + "2022-01,72,abc,2600\n",
                 {"h.csv:2:", "column 'fx'", "must be a number", "'abc'"});
  expect_refused(kHeader + "2022-01,72,73,2600bn\n", {"h.csv:2:", "column 'spending'", "'2600bn'"});
  expect_refused(kHeader + "2022-01,nan,73,2600\n", {"h.csv:2:", "column 'oil_price'", "'nan'"});
}

TEST(History, NegativePrice) {
  expect_refused(kHeader + "2022-01,-3,73,2600\n",
                 {"h.csv:2:", "column 'oil_price'", "must be > 0", "-3"});
  expect_refused("month,bank_absorption\n2022-01,-1\n",
                 {"h.csv:2:", "column 'bank_absorption'", ">= 0"});
  expect_refused("month,spending\n2022-01,0\n", {"h.csv:2:", "column 'spending'", "must be > 0"});
}

TEST(History, BadFundFlow) {
  expect_refused("month,spending,fund_flow\n2022-01,3000,-12\n2022-02,3000,12bn\n",
                 {"h.csv:3:", "column 'fund_flow'", "must be a number", "'12bn'"});
  expect_refused("month,fund_flow\n2022-01,-inf\n", {"h.csv:2:", "column 'fund_flow'", "'-inf'"});
}

TEST(History, MonthBeforeTheStart) {
  expect_refused(kHeader + "2021-12,72,73,2600\n",
                 {"h.csv:2:", "column 'month'", "2021-12", "before scenario.start 2022-01"});
}

TEST(History, DuplicateMonth) {
  expect_refused(kHeader + "2022-01,72,73,2600\n2022-02,72,73,2600\n2022-01,70,73,2600\n",
                 {"h.csv:4:", "column 'month'", "2022-01", "line 2"});
}

TEST(History, MonthsOutOfOrder) {
  expect_refused(kHeader + "2022-03,72,73,2600\n2022-02,72,73,2600\n",
                 {"h.csv:3:", "column 'month'", "2022-02 comes after 2022-03", "increase"});
}

TEST(History, QuotedField) {
  expect_refused(kHeader + "2022-01,\"72\",73,2600\n",
                 {"h.csv:2:", "column 'oil_price'", "quoted"});
}

TEST(History, WrongNumberOfFields) {
  expect_refused(kHeader + "2022-01,72,73\n", {"h.csv:2:", "3 fields", "header has 4"});
}

TEST(History, BadRowAfterTheHorizonIsStillRefused) {
  expect_refused(kHeader + "2030-01,72,x,2600\n", {"h.csv:2:", "column 'fx'"});
}

TEST(History, MissingFile) {
  EXPECT_THROW(load_history("/nonexistent/h.csv", scenario_2022()), InputError);
}

// ---------------------------------------------------------- the model

// A month's observed series, one vector per driver (empty = never observed).
struct Series {
  std::vector<double> oil, fx, oil_gas, non_oil, spending, capacity;
  std::map<int, double> fund_flow;  // month -> flow; no column in the file if empty
};

std::string history_csv(const Config& config, const Series& s) {
  std::ostringstream out;
  out.precision(17);
  out << "month,oil_price,fx,oil_gas_revenue,non_oil_revenue,spending,bank_absorption"
      << (s.fund_flow.empty() ? "\n" : ",fund_flow\n");
  auto cell = [&](const std::vector<double>& values, int t) {
    out << ",";
    if (t < static_cast<int>(values.size()))
      out << values[t];
  };
  const Calendar calendar(config.scenario.start_year, config.scenario.start_month,
                          config.scenario.months);
  for (int t = 0; t < config.scenario.months; ++t) {
    out << calendar.label(t);
    for (const auto* values : {&s.oil, &s.fx, &s.oil_gas, &s.non_oil, &s.spending, &s.capacity})
      cell(*values, t);
    if (!s.fund_flow.empty()) {
      out << ",";
      if (const auto flow = s.fund_flow.find(t); flow != s.fund_flow.end())
        out << flow->second;
    }
    out << "\n";
  }
  return out.str();
}

// The financing waterfall (8)-(15) of docs/model.md driven by observed series.
testing::HandWaterfall hand_waterfall(const Config& c, const Series& h) {
  testing::HandWaterfall path(c);
  for (int t = 0; t < c.scenario.months; ++t) {
    if (const auto flow = h.fund_flow.find(t); flow != h.fund_flow.end())
      path.fund_flow(flow->second);
    path.month(t, h.spending[t] + path.interest() - (h.oil_gas[t] + h.non_oil[t]), h.capacity[t]);
  }
  return path;
}

// Every driver observed in each of 24 months: a surplus month, bank absorption up
// to its cap, a halt in placements, the fund drained, and a default with a crisis.
Series full_series(int months) {
  Series s;
  for (int t = 0; t < months; ++t) {
    s.oil.push_back(60 + 3 * std::sin(t));
    s.fx.push_back(90 + t);
    s.oil_gas.push_back(900 - 10 * t);
    s.non_oil.push_back(2200 + 5 * t);
    s.spending.push_back(t == 2 ? 2500 : 3600 + 40 * t);
    s.capacity.push_back(t >= 6 && t < 9 ? 0 : 250);
  }
  return s;
}

TEST(Replay, EveryDriverObservedGivesTheHandComputedWaterfallOnEveryPath) {
  // All noise on, ceasefire and auction failures included: observing every driver
  // leaves nothing for them to move.
  const Config config = testing::config_from(testing::stochastic_yaml(),
                                             {"scenario.months=24", "simulation.paths=1500",
                                              "fund.liquid0=6000", "bank_crisis.capital=2000"});
  const Series series = full_series(config.scenario.months);
  const History history = parse_history(history_csv(config, series), "full.csv", config.scenario);
  RunOptions options;
  options.sample_paths = config.simulation.paths;
  const SimulationResult result = replay(config, history.months, options);
  const testing::HandWaterfall hand = hand_waterfall(config, series);
  // The case must exercise every branch of the waterfall and every event.
  ASSERT_LT(*std::min_element(hand.need.begin(), hand.need.end()), 0);
  ASSERT_GT(*std::max_element(hand.absorbed.begin(), hand.absorbed.end()), 0);
  ASSERT_NE(hand.depletion_month, kNoEvent);
  ASSERT_NE(hand.default_month, kNoEvent);
  ASSERT_NE(hand.crisis_month, kNoEvent);
  expect_all_paths(result.sample_paths[kOilPrice], series.oil, "oil");
  expect_all_paths(result.sample_paths[kFx], series.fx, "fx");
  expect_all_paths(result.sample_paths[kNeed], hand.need, "need");
  expect_all_paths(result.sample_paths[kBankAbsorbed], hand.absorbed, "absorbed");
  expect_all_paths(result.sample_paths[kFund], hand.fund, "fund");
  expect_all_paths(result.sample_paths[kUnfinanced], hand.unfinanced, "unfinanced");
  const std::uint64_t paths = config.simulation.paths;
  expect_event_at(result.event_month_counts[kDefault], hand.default_month, paths, "default");
  expect_event_at(result.event_month_counts[kDepletion], hand.depletion_month, paths, "depletion");
  expect_event_at(result.event_month_counts[kBankCrisis], hand.crisis_month, paths, "bank crisis");
}

TEST(Replay, EveryDriverObservedMakesAllPathsIdentical) {
  const Config config = testing::config_from(testing::stochastic_yaml(),
                                             {"scenario.months=24", "simulation.paths=1100"});
  const History history =
      parse_history(history_csv(config, full_series(24)), "full.csv", config.scenario);
  RunOptions options;
  options.sample_paths = config.simulation.paths;
  const SimulationResult result = replay(config, history.months, options);
  for (int v = 0; v < result.outputs.variables; ++v) {
    const RowMajorArray& paths = result.sample_paths[v];
    for (int p = 1; p < paths.rows(); ++p) {
      ASSERT_TRUE((paths.row(p) == paths.row(0)).all()) << variable_info(v).name << " path " << p;
    }
    for (int t = 0; t < config.scenario.months; ++t) {
      EXPECT_EQ(result.fan[v](t, 0), result.fan[v](t, kFanLevels.size() - 1))
          << variable_info(v).name;
    }
  }
}

template <typename A>
bool bit_identical(const A& a, const A& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(*a.data()) * a.size()) == 0;
}

TEST(Replay, NothingObservedIsBitIdenticalToARun) {
  const Config config = testing::config_from(testing::stochastic_yaml(), {"simulation.paths=2500"});
  // A history whose rows leave every driver empty, as a file would give it.
  std::string text =
      "month,oil_price,fx,oil_gas_revenue,non_oil_revenue,spending,bank_absorption\n";
  const Calendar calendar(2025, 3, config.scenario.months);
  for (int t = 0; t < config.scenario.months; ++t)
    text += calendar.label(t) + ",,,,,,\n";
  const History history = parse_history(text, "empty.csv", config.scenario);
  RunOptions options;
  options.sample_paths = 300;
  const SimulationResult run = simulate(config, options);
  const SimulationResult replayed = replay(config, history.months, options);
  ASSERT_EQ(run.outputs, replayed.outputs);
  for (int e = 0; e < run.outputs.events; ++e)
    EXPECT_EQ(run.event_month_counts[e], replayed.event_month_counts[e]);
  for (int v = 0; v < run.outputs.variables; ++v) {
    EXPECT_TRUE(bit_identical(run.fan[v], replayed.fan[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(run.mean[v], replayed.mean[v])) << variable_info(v).name;
    EXPECT_TRUE(bit_identical(run.sample_paths[v], replayed.sample_paths[v]))
        << variable_info(v).name;
  }
}

TEST(Replay, ObservedDriversDoNotShiftTheDrawsOfTheOthers) {
  // Spending and the banks do not feed back into oil or the ruble, so observing them
  // must leave those paths bit for bit as in a plain run: the draws are not shifted.
  const Config config = testing::config_from(testing::stochastic_yaml(), {"simulation.paths=1200"});
  std::vector<MonthObservations> observed(config.scenario.months);
  for (auto& month : observed) {
    month.spending = 3400;
    month.bank_absorption = 100;
  }
  RunOptions options;
  options.sample_paths = 200;
  const SimulationResult run = simulate(config, options);
  const SimulationResult replayed = replay(config, observed, options);
  EXPECT_TRUE(bit_identical(run.sample_paths[kOilPrice], replayed.sample_paths[kOilPrice]));
  EXPECT_TRUE(bit_identical(run.sample_paths[kFx], replayed.sample_paths[kFx]));
  EXPECT_FALSE(bit_identical(run.sample_paths[kFund], replayed.sample_paths[kFund]));
}

TEST(Replay, UnobservedDriversAreSampledAndOilContinuesFromItsLastObservation) {
  // Oil observed in months 0..5 only; everything else sampled.
  const Config config = testing::config_from(testing::stochastic_yaml(),
                                             {"scenario.months=12", "simulation.paths=1000"});
  const int last_observed = 5;
  std::vector<MonthObservations> observed(config.scenario.months);
  for (int t = 0; t <= last_observed; ++t)
    observed[t].oil_price = 70.0 + t;
  RunOptions options;
  options.sample_paths = config.simulation.paths;
  const SimulationResult result = replay(config, observed, options);
  const RowMajorArray& oil = result.sample_paths[kOilPrice];
  const RowMajorArray& need = result.sample_paths[kNeed];
  for (int t = 0; t < config.scenario.months; ++t) {
    const double oil_spread = oil.col(t).maxCoeff() - oil.col(t).minCoeff();
    if (t <= last_observed) {
      EXPECT_EQ(oil_spread, 0) << "month " << t;
      EXPECT_EQ(oil(0, t), 70.0 + t);
    } else {
      EXPECT_GT(oil_spread, 1) << "month " << t;
    }
    EXPECT_GT(need.col(t).maxCoeff() - need.col(t).minCoeff(), 10)
        << "month " << t;  // spending, revenue sampled
  }
  // The month after the last observation starts from it: its median is near the
  // observed 75 pulled a month towards the long-run mean 65, not near p0 = 65.
  // The median's SE is about 1.25 * 0.35 / sqrt(12 * 1000) = 0.4 %; the 3 %
  // tolerance (about 7 SE) leaves room for the jumps the expected value ignores,
  // while 65 lies 12 % (about 30 SE) away. It does not tell 75 from 74.3.
  std::vector<double> next(oil.rows());
  for (int p = 0; p < oil.rows(); ++p)
    next[p] = oil(p, last_observed + 1);
  std::nth_element(next.begin(), next.begin() + next.size() / 2, next.end());
  const double expected = std::exp(std::log(75.0) + 0.8 * (std::log(65.0) - std::log(75.0)) / 12);
  EXPECT_NEAR(next[next.size() / 2], expected, 0.03 * expected);
}

// With all noise off, every state continues deterministically from the month
// last observed: the rules of docs/model.md, "Replay", one driver at a time.
TEST(Replay, StatesContinueDeterministicallyFromTheLastObservation) {
  const Config c = testing::config_from(testing::deterministic_yaml(), {"scenario.months=12"});
  const Model model(c);
  const int lanes = 4;
  BlockState state(lanes);
  BlockDraws draws(lanes);
  draws.shocks.setZero();
  draws.liquidity_shock.setZero();
  draws.auction_uniform.setConstant(0.5);
  draws.ceasefire_uniform.setConstant(0.5);
  model.reset(state);
  const int k = 4;  // last observed month
  const double observed_oil = 80, observed_fx = 100, observed_non_oil = 2500,
               observed_spending = 4000;
  const double observed_capacity = 180;
  double log_p = std::log(c.oil.p0), log_x = std::log(c.fx.x0), a = 0, b = 0, w = 0;
  for (int t = 0; t < 8; ++t) {
    MonthObservations seen;
    seen.oil_gas_revenue = 0;  // always observed at zero, so the revenue is R^no alone
    if (t <= k) {
      seen.oil_price = observed_oil + t;
      seen.fx = observed_fx - t;
      seen.non_oil_revenue = observed_non_oil + 10 * t;
      seen.spending = observed_spending + 20 * t;
      seen.bank_absorption = observed_capacity;
    }
    const double stock_before = state.bank_stock[0];
    model.step(t, draws, state, &seen);
    const double years = t * kMonth;
    const double seasonal = c.spending.seasonality[(c.scenario.start_month - 1 + t) % 12];
    const double non_oil_trend = c.non_oil.base_monthly * std::exp(c.non_oil.growth * years);
    const double spending_trend =
        c.spending.base_monthly * std::exp(c.spending.growth * years) * seasonal;
    const double room =
        c.banks.absorption_monthly * std::max(1 - stock_before / c.banks.saturation, 0.0);
    if (t <= k) {
      // Observed: the value itself, and the state that (2)-(10) would need to give it.
      log_p = std::log(*seen.oil_price);
      log_x = std::log(*seen.fx);
      a = std::log(*seen.non_oil_revenue / non_oil_trend);
      b = std::log(*seen.spending / spending_trend);
      w = std::log(*seen.bank_absorption / room);
    } else {
      // Unobserved with zero noise: mean reversion, drift and AR(1) decay from there.
      const double increment =
          c.oil.mean_reversion * (std::log(c.oil.long_run_mean) - log_p) * kMonth;
      log_p += increment;
      log_x += c.fx.drift * kMonth + c.fx.oil_elasticity * increment;
      a = c.non_oil.persistence * a;
      b = c.spending.persistence * b;
      w = c.banks.persistence * w;
    }
    for (int lane = 0; lane < lanes; ++lane) {
      EXPECT_NEAR(state.reported[kOilPrice][lane], std::exp(log_p), 1e-9 * std::exp(log_p))
          << "month " << t;
      EXPECT_NEAR(state.reported[kFx][lane], std::exp(log_x), 1e-9 * std::exp(log_x))
          << "month " << t;
      EXPECT_NEAR(state.non_oil_state[lane], a, 1e-12) << "month " << t;
      EXPECT_NEAR(state.spending_state[lane], b, 1e-12) << "month " << t;
      EXPECT_NEAR(state.liquidity_state[lane], w, 1e-12) << "month " << t;
      EXPECT_NEAR(state.revenue[lane], non_oil_trend * std::exp(a), 1e-9 * non_oil_trend)
          << "month " << t;
      EXPECT_NEAR(state.spending[lane], spending_trend * std::exp(b), 1e-9 * spending_trend)
          << "month " << t;
      EXPECT_NEAR(state.capacity[lane], room * std::exp(w), 1e-9 * std::max(1.0, room))
          << "month " << t;
    }
    if (t <= k) {
      // The observation itself reaches the waterfall, not its round trip through a log.
      EXPECT_EQ(state.reported[kOilPrice][0], *seen.oil_price);
      EXPECT_EQ(state.reported[kFx][0], *seen.fx);
      EXPECT_EQ(state.spending[0], *seen.spending);
      EXPECT_EQ(state.revenue[0], *seen.non_oil_revenue);
      EXPECT_EQ(state.capacity[0], *seen.bank_absorption);
    }
  }
}

TEST(Replay, ObservedZeroCapacityHaltsBorrowingAndKeepsTheLiquidityState) {
  const Config c = testing::config_from(testing::deterministic_yaml(), {"banks.volatility=0.3"});
  const Model model(c);
  BlockState state(2);
  BlockDraws draws(2);
  draws.shocks.setZero();
  draws.liquidity_shock.setConstant(0.4);
  draws.auction_uniform.setConstant(0.5);
  draws.ceasefire_uniform.setConstant(0.5);
  model.reset(state);
  MonthObservations halted;
  halted.bank_absorption = 0;
  model.step(0, draws, state, &halted);
  EXPECT_EQ(state.reported[kBankAbsorbed][0], 0);
  EXPECT_GT(state.reported[kNeed][0], 0);
  // A halt says nothing about liquidity: w_0 keeps its draw, rho * 0 + sigma * eps.
  EXPECT_EQ(state.liquidity_state[0], c.banks.persistence * 0.0 + c.banks.volatility * 0.4);
}

// One month of the deterministic scenario with every driver observed, so that
// the need is N = 2500 - 2000 = 500 (no interest in month 0) and the banks take
// B = 200 of it: the fund pays W = 300 unless the flow left it less.
struct FundFlowMonth {
  explicit FundFlowMonth(const Config& config) : model(config), state(2), draws(2) {
    draws.shocks.setZero();
    draws.liquidity_shock.setZero();
    draws.auction_uniform.setConstant(0.5);
    draws.ceasefire_uniform.setConstant(0.5);
    model.reset(state);
  }
  void step(std::optional<double> flow) {
    MonthObservations seen;
    seen.oil_price = 70;
    seen.fx = 90;
    seen.oil_gas_revenue = 0;
    seen.non_oil_revenue = 2000;
    seen.spending = 2500;
    seen.bank_absorption = 200;
    seen.fund_flow = flow;
    model.step(0, draws, state, &seen);
  }
  Model model;
  BlockState state;
  BlockDraws draws;
};

TEST(Replay, FundFlowMovesTheFundByExactlyTheFlowBeforeTheWaterfall) {
  // F_{-1} = 3800, floor 300.
  const Config c = testing::config_from(testing::deterministic_yaml());
  const std::vector<std::pair<std::optional<double>, double>> cases = {
      {std::nullopt, 3800 - 300},  // no flow: the fund pays W = 300
      {1000, 3800 + 1000 - 300},   // an inflow, then W
      {-1000, 3800 - 1000 - 300},  // an outflow, then W
      {0, 3800 - 300},             // an observed zero moves nothing
  };
  for (const auto& [flow, fund] : cases) {
    FundFlowMonth month(c);
    month.step(flow);
    for (int lane = 0; lane < 2; ++lane) {
      EXPECT_EQ(month.state.reported[kFund][lane], fund) << "flow " << flow.value_or(-0.5);
      EXPECT_EQ(month.state.fund_withdrawn[lane], 300);
      EXPECT_EQ(month.state.reported[kUnfinanced][lane], 0);
      EXPECT_EQ(month.state.reported[kNeed][lane], 500);  // a flow is not deficit financing
    }
    EXPECT_EQ(month.state.event_month[kDepletion][0], kNoEvent);
  }
}

TEST(Replay, AnOutflowLargerThanTheFundTakesItToItsFloor) {
  // 5000 out of a fund of 3800 with a floor of 300: it gives the 3500 above the
  // floor and ends there exactly; the rest of the outflow does not happen. The
  // month's need then finds the fund empty: 300 unfinanced, and (14) depletion.
  const Config c = testing::config_from(testing::deterministic_yaml());
  FundFlowMonth month(c);
  month.step(-5000);
  for (int lane = 0; lane < 2; ++lane) {
    EXPECT_EQ(month.state.reported[kFund][lane], 300);
    EXPECT_EQ(month.state.fund_withdrawn[lane], 0);
    EXPECT_EQ(month.state.reported[kUnfinanced][lane], 300);
    EXPECT_EQ(month.state.event_month[kDepletion][lane], 0);
  }
  // With a floor of 0 it stops at 0: a fund is never negative.
  FundFlowMonth at_zero(testing::config_from(testing::deterministic_yaml(), {"fund.floor=0"}));
  at_zero.step(-5000);
  EXPECT_EQ(at_zero.state.reported[kFund][0], 0);
  EXPECT_EQ(at_zero.state.reported[kUnfinanced][0], 300);
}

TEST(Replay, FundFlowsInAFullReplayGiveTheHandComputedWaterfall) {
  const Config config = testing::config_from(testing::stochastic_yaml(),
                                             {"scenario.months=24", "simulation.paths=1100",
                                              "fund.liquid0=6000", "bank_crisis.capital=2000"});
  Series series = full_series(config.scenario.months);
  // An inflow, an outflow, a surplus month's flow (month 2) and, from month 10,
  // an outflow far beyond what is left, then an inflow into the drained fund.
  series.fund_flow = {{1, 700.25}, {2, -150}, {4, -400}, {10, -1e6}, {14, 3000}};
  const History history = parse_history(history_csv(config, series), "flows.csv", config.scenario);
  RunOptions options;
  options.sample_paths = config.simulation.paths;
  const SimulationResult result = replay(config, history.months, options);
  const testing::HandWaterfall hand = hand_waterfall(config, series);
  ASSERT_LT(hand.need[2], 0);
  ASSERT_EQ(hand.fund[10], config.fund.floor);  // the large outflow drained it
  ASSERT_GT(hand.fund[14], config.fund.floor);  // and the inflow refilled it
  expect_all_paths(result.sample_paths[kNeed], hand.need, "need");
  expect_all_paths(result.sample_paths[kBankAbsorbed], hand.absorbed, "absorbed");
  expect_all_paths(result.sample_paths[kFund], hand.fund, "fund");
  expect_all_paths(result.sample_paths[kUnfinanced], hand.unfinanced, "unfinanced");
  const std::uint64_t paths = config.simulation.paths;
  expect_event_at(result.event_month_counts[kDefault], hand.default_month, paths, "default");
  expect_event_at(result.event_month_counts[kDepletion], hand.depletion_month, paths, "depletion");
  expect_event_at(result.event_month_counts[kBankCrisis], hand.crisis_month, paths, "bank crisis");
}

// --reset-deviations with all noise off: the month after the history's last one
// is on trend, a = b = 0, where without the reset it continues from the observed
// deviations (a_{k+1} = rho_a a_k, b_{k+1} = rho_b b_k).
TEST(Replay, ResetDeviationsPutsTheFirstForecastMonthOnTrend) {
  const Config c = testing::config_from(testing::deterministic_yaml(), {"scenario.months=12"});
  const int k = 4;  // the history's last month
  for (const bool reset : {false, true}) {
    std::vector<MonthObservations> observed(c.scenario.months);
    for (int t = 0; t < c.scenario.months; ++t) {
      observed[t].oil_gas_revenue = 0;  // every month, so the revenue is R^no alone
      if (t <= k) {
        observed[t].non_oil_revenue = 2600 + 10 * t;
        observed[t].spending = 4200 + 20 * t;
      }
    }
    // The marker as mark_deviation_reset sets it: month 11's oil-gas observation
    // would make that the last observed month, so it is set by hand on month k.
    observed[k].reset_deviations = reset;
    const Model model(c);
    BlockState state(3);
    BlockDraws draws(3);
    draws.shocks.setZero();
    draws.liquidity_shock.setZero();
    draws.auction_uniform.setConstant(0.5);
    draws.ceasefire_uniform.setConstant(0.5);
    model.reset(state);
    for (int t = 0; t <= k; ++t)
      model.step(t, draws, state, &observed[t]);
    // Month k itself reports the observations either way.
    EXPECT_EQ(state.spending[0], *observed[k].spending);
    EXPECT_EQ(state.revenue[0], *observed[k].non_oil_revenue);
    const double years_k = k * kMonth, years = (k + 1) * kMonth;
    const double seasonal_k = c.spending.seasonality[(c.scenario.start_month - 1 + k) % 12];
    const double seasonal = c.spending.seasonality[(c.scenario.start_month - 1 + k + 1) % 12];
    const double spending_trend =
        c.spending.base_monthly * std::exp(c.spending.growth * years) * seasonal;
    const double non_oil_trend = c.non_oil.base_monthly * std::exp(c.non_oil.growth * years);
    const double b_k =
        std::log(*observed[k].spending /
                 (c.spending.base_monthly * std::exp(c.spending.growth * years_k) * seasonal_k));
    const double a_k = std::log(*observed[k].non_oil_revenue /
                                (c.non_oil.base_monthly * std::exp(c.non_oil.growth * years_k)));
    ASSERT_GT(std::abs(b_k), 0.05);  // the history ends well off trend
    ASSERT_GT(std::abs(a_k), 0.05);
    model.step(k + 1, draws, state, &observed[k + 1]);
    const double b = reset ? 0.0 : c.spending.persistence * b_k;
    const double a = reset ? 0.0 : c.non_oil.persistence * a_k;
    for (int lane = 0; lane < 3; ++lane) {
      EXPECT_NEAR(state.spending_state[lane], b, 1e-12) << "reset " << reset;
      EXPECT_NEAR(state.non_oil_state[lane], a, 1e-12) << "reset " << reset;
      EXPECT_NEAR(state.spending[lane], spending_trend * std::exp(b), 1e-12 * spending_trend)
          << "reset " << reset;
      EXPECT_NEAR(state.revenue[lane], non_oil_trend * std::exp(a), 1e-12 * non_oil_trend)
          << "reset " << reset;
    }
    if (reset) {
      // On trend: G = g0 e^{g_G t Delta} s_m, to the last bits of exp.
      EXPECT_DOUBLE_EQ(state.spending[0], spending_trend);
      EXPECT_DOUBLE_EQ(state.revenue[0], non_oil_trend);
    } else {
      EXPECT_GT(std::abs(state.spending[0] / spending_trend - 1), 0.02);
    }
  }
}

TEST(Replay, ObservationsMustCoverTheHorizon) {
  const Config config = testing::config_from(testing::deterministic_yaml());
  EXPECT_THROW(replay(config, std::vector<MonthObservations>(3), RunOptions{}),
               std::invalid_argument);
}

// ------------------------------------------------------- the command line

namespace fs = std::filesystem;

using testing::Outcome;
using testing::read_text;
using testing::run_sovrisk;
using ReplayCli = testing::CommandLineTest;

// The model-v1 backtest (docs/validation.md, sections 1.1-1.5) and, on the same history,
// the model-v2 one (section 1.6).
const std::string kBacktestConfig =
    std::string(SOVRISK_SOURCE_DIR) + "/configs/backtest-2022-v1.yaml";
const std::string kBacktestV2Config =
    std::string(SOVRISK_SOURCE_DIR) + "/configs/backtest-2022.yaml";
const std::string kBacktestHistory =
    std::string(SOVRISK_SOURCE_DIR) + "/configs/history-2022-2024.csv";

TEST_F(ReplayCli, BacktestWritesAResultWithTheHistoryInIt) {
  const Outcome outcome = run_sovrisk("replay " + kBacktestConfig + " " + kBacktestHistory +
                                      " --paths 1000 --threads 2 -o " + file("backtest.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("history"), std::string::npos) << outcome.output;
  const ResultFile result(file("backtest.h5"));
  EXPECT_EQ(result.unsigned_attribute("paths"), 1000u);
  EXPECT_EQ(result.string_attribute("start"), "2022-01");
  EXPECT_EQ(result.string_attribute("history_csv"), read_text(kBacktestHistory));
  // Budget and banks are observed in every month, so the fund is one path.
  const auto fund = result.doubles("/sample_paths/fund");
  const auto shape = result.shape("/sample_paths/fund");
  ASSERT_EQ(shape.size(), 2u);
  for (std::size_t p = 1; p < shape[0]; ++p) {
    for (std::size_t t = 0; t < shape[1]; ++t)
      ASSERT_EQ(fund[p * shape[1] + t], fund[t]) << p << " " << t;
  }
}

// The model-v2 backtest as docs/validation.md (section 1.6) reports it, replayed with the
// config's seed and its 20000 paths (fewer leave the verdict on 1 May 2024, 0.07 trn
// inside the 0.6 trn threshold, to chance). Only the gold walk (V11) is sampled, so the
// borrowing is the history's on every path, and the median fund must be the table's
// within 4 standard errors of a sample median (1.2533 sigma / sqrt(n), sigma read from
// the interquartile range as IQR / 1.349) plus one bin width of each run's quantile. The
// table's verdicts on issue #11's targets (every observed stock within 0.6 trn of the
// median; the median at 2024-12 within 15 % of 3.81 trn) follow from it, each farther
// from its threshold than that tolerance: the end is met, 7 of the 14 stocks are, and a
// change that moves a verdict must update validation.md and this table.
TEST_F(ReplayCli, ModelV2BacktestIsTheOneValidationReports) {
  const Outcome outcome = run_sovrisk("replay " + kBacktestV2Config + " " + kBacktestHistory +
                                      " --paths 20000 --threads 2 -q -o " + file("v2.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const ResultFile result(file("v2.h5"));
  const std::size_t months = 36, levels = kFanLevels.size();
  ASSERT_EQ(result.shape("/fan/fund"), (std::vector<std::size_t>{months, levels}));
  const auto level = [&](const std::vector<double>& fan, int t, double q) {
    const auto column = std::find(kFanLevels.begin(), kFanLevels.end(), q) - kFanLevels.begin();
    return fan[t * levels + column];
  };

  // The cash target keeps the demand above the capacity, the fund's year-end transfers
  // into the cash included, so the market lends all the history's net borrowing every month; the debt grows by it (new debt amortises over
  // 1000 years: at most 36/12000 of it is redeemed within the horizon).
  const Config config = load_config(kBacktestV2Config);
  const History history = load_history(kBacktestHistory, config.scenario);
  const auto borrowed = result.doubles("/fan/bank_absorbed");
  const auto debt = result.doubles("/fan/debt");
  double net_borrowing = 0;
  for (int t = 0; t < int(months); ++t) {
    ASSERT_TRUE(history.months[t].bank_absorption) << t;
    EXPECT_EQ(level(borrowed, t, 0.05), *history.months[t].bank_absorption) << t;
    EXPECT_EQ(level(borrowed, t, 0.95), *history.months[t].bank_absorption) << t;
    net_borrowing += *history.months[t].bank_absorption;
  }
  EXPECT_NEAR(level(debt, months - 1, 0.5), config.market.debt0 + net_borrowing,
              net_borrowing * 36.0 / 12000.0);

  struct Stock {
    int t;              // the month whose end the stock is (a stock on 1 Aug 2022: July)
    double observed;    // trn RUB, data/russia-fiscal.csv NWF_liquid
    double documented;  // the median of validation.md's table, trn RUB
  };
  const Stock stocks[] = {{6, 8.7, 10.304},   {11, 6.1, 8.090},   {15, 6.82, 7.660},
                          {18, 7.183, 7.508}, {19, 7.252, 7.542}, {22, 6.747, 7.621},
                          {23, 5.012, 4.749}, {24, 4.9, 4.872},   {27, 5.172, 4.645},
                          {28, 5.046, 6.029}, {30, 4.666, 5.895}, {31, 4.854, 5.823},
                          {34, 5.8, 5.607},   {35, 3.81, 4.237}};
  const auto fund = result.doubles("/fan/fund");
  const auto bound = result.doubles("/fan_error_bound/fund");
  // trn: the 20000-path run's widest bin (5.6 bn, at 2024-12) and the table's rounding
  const double paths = 20000, documented_bin = 0.0065;
  const double month_target = 0.6, end_target = 0.15;
  const auto tolerance_at = [&](int t) {  // trn
    const double sigma = (level(fund, t, 0.75) - level(fund, t, 0.25)) / 1000 / 1.349;
    return 4 * 1.2533 * sigma / std::sqrt(paths) + bound[t] / 1000 + documented_bin;
  };
  int within = 0;
  for (const Stock& stock : stocks) {
    const double median = level(fund, stock.t, 0.5) / 1000;
    const double tolerance = tolerance_at(stock.t);
    EXPECT_NEAR(median, stock.documented, tolerance) << "month " << stock.t;
    const double miss = std::abs(median - stock.observed);
    EXPECT_GT(std::abs(miss - month_target), tolerance) << "month " << stock.t;
    within += miss <= month_target;
    EXPECT_EQ(miss <= month_target, std::abs(stock.documented - stock.observed) <= month_target)
        << "month " << stock.t;
  }
  EXPECT_EQ(within, 7);  // Aug and Sep 2023, Jan, Feb and May 2024, Dec 2024, Jan 2025
  const Stock& last = stocks[std::size(stocks) - 1];  // 1 Jan 2025: the end of 2024-12
  EXPECT_LT(std::abs(level(fund, last.t, 0.5) / 1000 - last.observed) / last.observed,
            end_target - tolerance_at(last.t) / last.observed);  // +11 %
}

TEST_F(ReplayCli, FullyObservedHistoryIsAnnouncedAsOnePath) {
  const std::string config = write("c.yaml", testing::stochastic_yaml());
  const Config parsed = testing::config_from(testing::stochastic_yaml());
  const std::string history =
      write("h.csv", history_csv(parsed, full_series(parsed.scenario.months)));
  const Outcome outcome =
      run_sovrisk("replay " + config + " " + history + " --paths 50 -q -o " + file("o.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  // A warning, on stderr, which -q leaves.
  EXPECT_EQ(outcome.output,
            "sovrisk: warning: every driver is observed in every month: all paths are the same\n");
  // A model-v2 mechanism that draws (the gold price) still makes the paths differ.
  const Outcome gold = run_sovrisk(
      "replay " + config + " " + history + " --paths 50 -q -o " + file("gold.h5") +
      " --set 'fund_valuation={gold_share: 0.4, gold_drift: 0, gold_volatility: 0.2}'");
  ASSERT_EQ(gold.exit_code, 0) << gold.output;
  EXPECT_EQ(gold.output.find("all paths are the same"), std::string::npos) << gold.output;
}

// The options are recorded, so config_yaml, history_csv and replay_options
// reproduce the result from the file alone (docs/replay.md, "Output").
TEST_F(ReplayCli, ResetDeviationsIsRecordedAndReproducesFromTheFile) {
  const std::string config = write("c.yaml", testing::stochastic_yaml());
  const std::string history = write("h.csv",
                                    "month,non_oil_revenue,spending,fund_flow\n2025-03,2600,4200,\n"
                                    "2025-04,2650,4300,-150\n2025-05,2700,4400,\n");
  const std::string common = "replay " + config + " " + history + " --paths 300 -o ";
  const Outcome plain = run_sovrisk(common + file("plain.h5"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("fund_flow 1"), std::string::npos) << plain.output;
  const Outcome reset = run_sovrisk(common + file("reset.h5") + " --reset-deviations");
  ASSERT_EQ(reset.exit_code, 0) << reset.output;
  EXPECT_NE(reset.output.find("from trend after 2025-05"), std::string::npos) << reset.output;

  const ResultFile plain_file(file("plain.h5")), reset_file(file("reset.h5"));
  EXPECT_EQ(plain_file.string_attribute("replay_options"), "");
  EXPECT_EQ(reset_file.string_attribute("replay_options"), "--reset-deviations");
  EXPECT_FALSE(testing::differences(plain_file, reset_file).empty());

  // Again from what the file holds.
  const std::string again_config = write("again.yaml", reset_file.string_attribute("config_yaml"));
  const std::string again_history = write("again.csv", reset_file.string_attribute("history_csv"));
  const Outcome again =
      run_sovrisk("replay " + again_config + " " + again_history + " " +
                  reset_file.string_attribute("replay_options") + " -q -o " + file("again.h5"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(testing::differences(reset_file, ResultFile(file("again.h5"))),
            std::vector<std::string>{});
}

TEST_F(ReplayCli, BadHistoryExitsTwoNamingTheFileAndLine) {
  const std::string history = write("bad.csv", "month,oil_price\n2022-01,72\n2022-02,seventy\n");
  const Outcome outcome = run_sovrisk("replay " + kBacktestConfig + " " + history +
                                      " --paths 10 -q -o " + file("o.h5"));
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("bad.csv:3:"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("column 'oil_price'"), std::string::npos) << outcome.output;
  EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
  EXPECT_FALSE(fs::exists(file("o.h5")));
}

TEST_F(ReplayCli, MissingHistoryFileExitsTwo) {
  const Outcome outcome = run_sovrisk("replay " + kBacktestConfig + " " + file("none.csv") + " -q");
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("none.csv: cannot open"), std::string::npos) << outcome.output;
}

}  // namespace
}  // namespace sovrisk
