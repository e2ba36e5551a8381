#include "sovrisk/model.h"
#include "sovrisk/parameters.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sovrisk {

namespace {

constexpr double kMonth = 1.0 / 12.0;  // Delta, in years

// (11) One source's turn in the waterfall: it gives the smaller of its capacity
// and the need still unfinanced. Plain selects on arrays that do not overlap,
// so that the compiler vectorises it; `unfinanced -= given` keeps the sum
// order N - B - W of eq. (11).
void give(int lanes, const double* __restrict need, const double* __restrict capacity,
          double* __restrict unfinanced, double* __restrict given) {
  for (int lane = 0; lane < lanes; ++lane) {
    const double gives = need[lane] > 0.0 ? std::min(unfinanced[lane], capacity[lane]) : 0.0;
    given[lane] = gives;
    unfinanced[lane] -= gives;
  }
}

// (11) What the sources left of a need is the unfinanced gap U; a surplus
// month has none, and saves all of its surplus in the fund (no cap). The fund
// is reported as it ends the month.
void settle(int lanes, const double* __restrict need, double* __restrict unfinanced,
            double* __restrict fund, double* __restrict reported_fund) {
  for (int lane = 0; lane < lanes; ++lane) {
    const double n = need[lane];
    unfinanced[lane] = n > 0.0 ? unfinanced[lane] : 0.0;
    fund[lane] = n > 0.0 ? fund[lane] : fund[lane] - n;
    reported_fund[lane] = fund[lane];
  }
}

// (12) nominal GDP Y_t, annual rate
double nominal_gdp(const GdpConfig& gdp, int t) {
  const double years = t * kMonth;
  return gdp.annual0 * std::exp(gdp.growth * years);
}

// The fund pays `amount` (>= 0) down to its floor and returns what it paid; a
// fund that pays all it can ends exactly at its floor (the rule of FundSource).
double pay_from_fund(double amount, double floor, double& fund) {
  const double available = std::max(fund - floor, 0.0);
  const double paid = std::min(amount, available);
  fund = (available > 0.0 && paid == available) ? floor : fund - paid;
  return paid;
}

// (10) and (11): the banks absorb new debt up to their capacity C, which
// follows their liquidity w, their saturation and the auction's luck; with
// `market`, (V7) the market's capacity instead.
class BankSource final : public FinancingSource {
 public:
  BankSource(const BanksConfig& banks, const MarketConfig& market, const GdpConfig& gdp)
      : banks_(banks), market_(market), gdp_growth_(gdp.growth) {}

  Offer offer(const MonthInputs& month, BlockState& s) const override {
    s.liquidity_state =
        banks_.persistence * s.liquidity_state + banks_.volatility * month.draws.liquidity_shock;
    if (market_.enabled)
      return offer_market(month, s);
    s.capacity = banks_.absorption_monthly * s.liquidity_state.exp() *
                 (1.0 - s.bank_stock / banks_.saturation).max(0.0);
    for (int lane = 0; lane < s.lanes(); ++lane) {
      const double failure = banks_.auction_fail_base +
                             banks_.auction_fail_slope * (s.bank_stock[lane] / banks_.saturation);
      const double probability = std::min(std::max(failure, 0.0), 1.0);
      s.capacity[lane] = month.draws.auction_uniform[lane] < probability ? 0.0 : s.capacity[lane];
    }
    if (month.seen.bank_absorption) {
      // Replay: C_t = observed, and the auction draw goes unused. w_t is set so that (10) without
      // a failure gives C_obs, where it can: a zero observation (placements halted) says
      // nothing about liquidity, and a saturated market has no w that gives C_obs > 0.
      const double observed = *month.seen.bank_absorption;
      for (int lane = 0; lane < s.lanes(); ++lane) {
        const double room =
            banks_.absorption_monthly * std::max(1.0 - s.bank_stock[lane] / banks_.saturation, 0.0);
        if (observed > 0.0 && room > 0.0)
          s.liquidity_state[lane] = std::log(observed / room);
      }
      s.capacity.setConstant(observed);
    }
    return {s.capacity.data(), s.reported[kBankAbsorbed].data()};
  }

  // S_t = S_{t-1} + B_t
  void book(BlockState& s) const override { s.bank_stock += s.reported[kBankAbsorbed]; }

 private:
  // (V7) C_t = c0 e^{g_Y t Delta} e^{w_t} max(1 + xi (i0 - i_t), 0), zero when
  // the auction fails: u_A < pi_t = pi0 + pi1 max(0, b_{t-1} - b-bar), in [0, 1].
  Offer offer_market(const MonthInputs& month, BlockState& s) const {
    const double trend = market_.capacity0 * std::exp(gdp_growth_ * (month.t * kMonth));
    s.capacity = trend * s.liquidity_state.exp() *
                 (1.0 + market_.rate_sensitivity * (market_.reference_rate - s.key_rate)).max(0.0);
    for (int lane = 0; lane < s.lanes(); ++lane) {
      const double failure =
          market_.auction_fail_base +
          market_.auction_fail_slope * std::max(s.debt_to_gdp[lane] - market_.debt_threshold, 0.0);
      const double probability = std::min(std::max(failure, 0.0), 1.0);
      s.capacity[lane] = month.draws.auction_uniform[lane] < probability ? 0.0 : s.capacity[lane];
    }
    if (month.seen.bank_absorption) {
      // Replay, as (10'): C_t = observed, and w_t where it can give it.
      const double observed = *month.seen.bank_absorption;
      for (int lane = 0; lane < s.lanes(); ++lane) {
        const double room = trend * std::max(1.0 + market_.rate_sensitivity *
                                                       (market_.reference_rate - s.key_rate[lane]),
                                             0.0);
        if (observed > 0.0 && room > 0.0)
          s.liquidity_state[lane] = std::log(observed / room);
      }
      s.capacity.setConstant(observed);
    }
    return {s.capacity.data(), s.reported[kBankAbsorbed].data()};
  }

  BanksConfig banks_;
  MarketConfig market_;
  double gdp_growth_;
};

// (11) the liquid fund pays down to its floor.
class FundSource final : public FinancingSource {
 public:
  explicit FundSource(const FundConfig& fund) : floor_(fund.floor) {}

  Offer offer(const MonthInputs&, BlockState& s) const override {
    available(s.lanes(), floor_, s.fund.data(), s.fund_capacity.data());
    return {s.fund_capacity.data(), s.fund_withdrawn.data()};
  }

  void book(BlockState& s) const override {
    pay(s.lanes(), floor_, s.fund_capacity.data(), s.fund_withdrawn.data(), s.fund.data());
  }

 private:
  static void available(int lanes, double floor, const double* __restrict fund,
                        double* __restrict capacity) {
    for (int lane = 0; lane < lanes; ++lane)
      capacity[lane] = std::max(fund[lane] - floor, 0.0);
  }

  // F_t = F_{t-1} - W_t, except that a fund which pays all it can ends exactly
  // at the floor: F - (F - floor) can round to just above it, which would
  // postpone the depletion (14) by a month.
  static void pay(int lanes, double floor, const double* __restrict capacity,
                  const double* __restrict withdrawn, double* __restrict fund) {
    for (int lane = 0; lane < lanes; ++lane) {
      const double available = capacity[lane], paid = withdrawn[lane];
      const double after = fund[lane] - paid;
      const double paid_all = paid == available ? floor : after;
      fund[lane] = available > 0.0 ? paid_all : after;
    }
  }

  double floor_;
};

// (V10) plan D's first resort: the fund's illiquid assets, at most l a month.
class IlliquidSource final : public FinancingSource {
 public:
  explicit IlliquidSource(const PlanDConfig& plan_d) : monthly_(plan_d.illiquid_monthly) {}

  Offer offer(const MonthInputs&, BlockState& s) const override {
    s.illiquid_capacity = s.illiquid.min(monthly_);
    return {s.illiquid_capacity.data(), s.illiquid_sold.data()};
  }

  // L_t = L_{t-1} - S^L_t
  void book(BlockState& s) const override { s.illiquid -= s.illiquid_sold; }

 private:
  double monthly_;
};

// (V10) plan D's last resort: the central bank finances up to m Y_t / 12 a month.
class CentralBankSource final : public FinancingSource {
 public:
  CentralBankSource(const PlanDConfig& plan_d, const GdpConfig& gdp)
      : share_(plan_d.central_bank_share), gdp_(gdp) {}

  Offer offer(const MonthInputs& month, BlockState& s) const override {
    s.central_bank_capacity.setConstant(share_ * nominal_gdp(gdp_, month.t) / 12.0);
    return {s.central_bank_capacity.data(), s.monetised.data()};
  }

  void book(BlockState&) const override {}  // M_t is what it gave

 private:
  double share_;
  GdpConfig gdp_;
};

// (V2) Foreign lenders, while external borrowing is open: up to a fixed amount
// of dollars a month, at the month's exchange rate.
class ExternalSource final : public FinancingSource {
 public:
  explicit ExternalSource(const ExternalConfig& external)
      : usd_monthly_(external.capacity_usd_monthly) {}

  Offer offer(const MonthInputs& month, BlockState& s) const override {
    const double* fx = s.reported[kFx].data();
    for (int lane = 0; lane < s.lanes(); ++lane) {
      const int opened = s.external_open_month[lane];
      s.external_capacity[lane] =
          opened != kNoEvent && opened <= month.t ? usd_monthly_ * fx[lane] : 0.0;
    }
    return {s.external_capacity.data(), s.external_borrowed.data()};
  }

  void book(BlockState& s) const override { s.external_debt += s.external_borrowed; }

 private:
  double usd_monthly_;
};

}  // namespace

OutputSet output_set(const Config& config) {
  return uses_model_v2(config) ? kAllOutputs : kModelV1Outputs;
}

BlockState::BlockState(int lanes)
    : log_oil(lanes),
      log_fx(lanes),
      non_oil_state(lanes),
      spending_state(lanes),
      liquidity_state(lanes),
      bank_stock(lanes),
      fund(lanes),
      gap_history(lanes, 12),
      ceasefire_month(lanes),
      oil_jump(lanes),
      oil_increment(lanes),
      spending(lanes),
      revenue(lanes),
      capacity(lanes),
      fund_capacity(lanes),
      fund_withdrawn(lanes),
      gap_last_year(lanes),
      key_rate(lanes),
      key_rate_deviation(lanes),
      new_debt(lanes),
      debt(lanes),
      debt_to_gdp(lanes),
      interest(lanes),
      redemption(lanes),
      new_debt_redemption(lanes),
      gross_need(lanes),
      issued(lanes),

      treasury_cash(lanes),
      issuance_demand(lanes),
      cash_shortfall(lanes),
      fiscal_adjustment(lanes),
      deficit_this_year(lanes),
      illiquid(lanes),
      illiquid_capacity(lanes),
      illiquid_sold(lanes),
      central_bank_capacity(lanes),
      monetised(lanes),
      bank_support(lanes),
      base_oil_gas_revenue(lanes),
      rule_transfer(lanes),
      rule_this_year(lanes),
      rule_pending(lanes),
      fx_before(lanes),
      valuation_factor(lanes),
      external_open_month(lanes),
      external_capacity(lanes),
      external_borrowed(lanes),
      external_debt(lanes) {
  for (auto& values : reported)
    values.resize(lanes);
  for (auto& months : event_month)
    months.resize(lanes);
}

Model::Model(const Config& config)
    : months_(config.scenario.months),
      oil_(config.oil),
      fx_(config.fx),
      oil_gas_(config.oil_gas),
      non_oil_(config.non_oil),
      spending_(config.spending),
      banks_(config.banks),
      fund_(config.fund),
      gdp_(config.gdp),
      gap_threshold_(config.default_rule.gap_threshold),
      bank_crisis_(config.bank_crisis),
      start_year_(config.scenario.start_year),
      start_month_(config.scenario.start_month),
      ceasefire_probability_per_month_(
          config.spending.ceasefire.month >= 0
              ? 0.0
              : 1.0 - std::exp(-config.spending.ceasefire.hazard_per_year * kMonth)),
      key_rate_(config.key_rate),
      market_(config.market),

      treasury_(config.treasury),
      budget_rule_(config.budget_rule),
      fiscal_(config.fiscal),
      plan_d_(config.plan_d),
      fund_valuation_(config.fund_valuation),
      external_(config.external),
      reports_model_v2_(uses_model_v2(config)) {
  Eigen::Matrix4d correlation;
  for (int i = 0; i < kShockCount; ++i) {
    for (int j = 0; j < kShockCount; ++j)
      correlation(i, j) = config.correlation[i][j];
  }
  const Eigen::LLT<Eigen::Matrix4d> cholesky(correlation);
  if (cholesky.info() != Eigen::Success) {
    throw std::invalid_argument("correlation matrix is not positive definite");
  }
  shock_cholesky_ = cholesky.matrixL();
  // (11) the waterfall's order, and (V10) plan D's after the fund
  markets_.push_back(std::make_unique<BankSource>(config.banks, config.market, config.gdp));
  if (external_.enabled)
    markets_.push_back(std::make_unique<ExternalSource>(external_));
  reserves_.push_back(std::make_unique<FundSource>(config.fund));
  if (plan_d_.enabled) {
    reserves_.push_back(std::make_unique<IlliquidSource>(plan_d_));
    reserves_.push_back(std::make_unique<CentralBankSource>(plan_d_, gdp_));
  }
  if (key_rate_.enabled)
    key_rate_path_ = key_rate_path(config);
  if (market_.enabled)
    scheduled_redemption_ = scheduled_redemption(config);
}

double Model::gdp(int t) const {
  return nominal_gdp(gdp_, t);
}

// (V1) i-bar_t for t = -1 .. T-1, at index t + 1: the rate of the last entry
// of key_rate.path from a month <= t on, the first entry's before it.
std::vector<double> Model::key_rate_path(const Config& config) {
  std::vector<double> path;
  for (int t = -1; t < config.scenario.months; ++t)
    path.push_back(value_at(config.key_rate.path, t, config.key_rate.path.front().value));
  return path;
}

// (V6) a_t: the existing debt's redemptions of month t's calendar year, a
// twelfth of the year's amount a month (none for a year not listed).
std::vector<double> Model::scheduled_redemption(const Config& config) {
  std::vector<double> monthly;
  const int first = config.scenario.start_year * 12 + config.scenario.start_month - 1;
  for (int t = 0; t < config.scenario.months; ++t) {
    double amount = 0;
    for (const YearValue& entry : config.market.redemptions)
      amount = entry.year == (first + t) / 12 ? entry.value : amount;
    monthly.push_back(amount / 12.0);
  }
  return monthly;
}

void Model::reset(BlockState& state) const {
  state.log_oil.setConstant(std::log(oil_.p0));
  state.log_fx.setConstant(std::log(fx_.x0));
  state.non_oil_state.setZero();
  state.spending_state.setZero();
  state.liquidity_state.setZero();
  state.bank_stock.setZero();
  state.fund.setConstant(fund_.liquid0);
  state.gap_history.setZero();
  state.ceasefire_month.setConstant(kNoEvent);
  for (auto& months : state.event_month)
    months.setConstant(kNoEvent);
  state.key_rate.setConstant(key_rate_.enabled ? key_rate_path_.front() : 0.0);  // i_{-1}
  state.key_rate_deviation.setZero();
  state.existing_debt = market_.debt0;
  state.new_debt.setZero();
  state.debt.setConstant(market_.debt0);
  state.debt_to_gdp.setConstant(market_.debt0 / nominal_gdp(gdp_, -1));
  state.interest.setZero();
  state.redemption.setZero();
  state.new_debt_redemption.setZero();
  state.gross_need.setZero();
  state.issued.setZero();
  state.treasury_cash.setConstant(treasury_.cash0);
  state.fiscal_adjustment.setZero();
  state.deficit_this_year.setZero();
  state.gdp_this_year = 0;
  state.illiquid.setConstant(plan_d_.illiquid0);
  state.monetised.setZero();
  state.rule_transfer.setZero();
  state.rule_this_year.setZero();
  state.rule_pending.setConstant(budget_rule_.pending0);
  state.fx_before.setConstant(fx_.x0);
  state.external_open_month.setConstant(kNoEvent);
  state.external_borrowed.setZero();
  state.external_debt.setZero();
}

void Model::step(int t, const BlockDraws& draws, BlockState& s,
                 const MonthObservations* observed) const {
  // A plain run passes no observations; every replay override is then skipped
  // and the month is computed exactly as before replays existed.
  static const MonthObservations kNothingObserved;
  const MonthInputs month{t, draws, observed ? *observed : kNothingObserved};
  if (key_rate_.enabled)
    update_key_rate(month, s);
  if (fiscal_.enabled)
    update_fiscal_reaction(t, s);
  update_drivers(month, s);
  if (external_.enabled)
    update_external_access(month, s);
  if (fund_valuation_.enabled)
    revalue_fund(month, s);
  update_revenue(month, s);
  update_spending(month, s);
  if (fiscal_.enabled)
    apply_fiscal_measures(month, s);
  if (month.seen.fund_flow)
    apply_fund_flow(*month.seen.fund_flow, s);
  if (market_.enabled)
    update_debt_service(t, s);
  update_need(t, s);
  finance(month, s);
  if (reports_model_v2_)
    update_debt(t, s);
  if (plan_d_.enabled)
    pass_monetisation_to_fx(t, s);
  record_events(t, s);
  if (reports_model_v2_)
    report_model_v2(s);
  if (month.seen.reset_deviations) {
    // Replay --reset-deviations: the history ends here; the forecast starts from trend.
    s.non_oil_state.setZero();
    s.spending_state.setZero();
  }
}

// Model v2's variables and its events that are not recorded where they happen.
void Model::report_model_v2(BlockState& s) const {
  s.reported[kDebt] = s.debt;
  s.reported[kDebtToGdp] = 100.0 * s.debt_to_gdp;
  s.reported[kGrossNeed] = s.gross_need;
  s.reported[kInterest] = s.interest;
  s.reported[kTreasuryCash] = s.treasury_cash;
  s.reported[kRuleTransfer] = s.rule_transfer;
  s.reported[kMonetised] = s.monetised;
  s.event_month[kMarketAccess] = s.external_open_month;
}

// (V1) the key rate, and (M7) its move's share of the exchange rate's: ln X_{t-1}
// moves by kappa_i (i_t - i_{t-1}) before (3) adds the month's own move.
void Model::update_key_rate(const MonthInputs& month, BlockState& s) const {
  s.key_rate_deviation = key_rate_.persistence * s.key_rate_deviation +
                         key_rate_.volatility * month.draws.key_rate_shock;
  const double base = key_rate_path_[month.t + 1];
  s.log_fx += key_rate_.fx_elasticity * ((base + s.key_rate_deviation) - s.key_rate);
  s.key_rate = base + s.key_rate_deviation;
}

// (V5) interest on the debt at the start of the month; (V6) its redemptions:
// the existing debt's schedule, and 1/(12 n) of the new debt's stock.
void Model::update_debt_service(int t, BlockState& s) const {
  const double fixed = market_.fixed_share * market_.fixed_coupon;
  const double floating_share = 1.0 - market_.fixed_share;
  s.interest = s.debt / 12.0 * (fixed + floating_share * (s.key_rate + market_.floating_spread));
  // The schedule never redeems more than is left (config.cpp checks its sum;
  // this guards its round-off).
  const double existing = std::min(scheduled_redemption_[t], s.existing_debt);
  s.existing_debt -= existing;
  s.new_debt_redemption = s.new_debt / (12.0 * market_.new_maturity_years);
  s.new_debt -= s.new_debt_redemption;
  s.redemption = existing + s.new_debt_redemption;
}

// (V8) the debt after the month's financing: what the markets lent (finance
// counts it) is new debt H_t, which joins the new-debt stock; b_t = debt_t / Y_t.
void Model::update_debt(int t, BlockState& s) const {
  s.new_debt += s.issued;
  s.debt = s.debt - s.redemption + s.issued;
  s.debt_to_gdp = s.debt / nominal_gdp(gdp_, t);
}

// (1)-(3), the states of (5) and (7), and (6).
void Model::update_drivers(const MonthInputs& month, BlockState& s) const {
  const MonthObservations& seen = month.seen;
  const double sqrt_month = std::sqrt(kMonth);
  const auto& eps = month.draws.shocks;
  const Eigen::Matrix4d& L = shock_cholesky_;
  // (1) z = L eps, written out so each z_i sums its terms in a fixed order.
  const auto z_oil = L(0, 0) * eps.col(kOilShock);
  const auto z_fx = L(1, 0) * eps.col(kOilShock) + L(1, 1) * eps.col(kFxShock);
  const auto z_non_oil =
      L(2, 0) * eps.col(kOilShock) + L(2, 1) * eps.col(kFxShock) + L(2, 2) * eps.col(kNonOilShock);
  const auto z_spending = L(3, 0) * eps.col(kOilShock) + L(3, 1) * eps.col(kFxShock) +
                          L(3, 2) * eps.col(kNonOilShock) + L(3, 3) * eps.col(kSpendingShock);

  // (2) the jump J of each lane: its jumps mu_J + sigma_J xi, summed in the order drawn.
  s.oil_jump.setZero();
  for (const OilJump& jump : month.draws.oil_jumps)
    s.oil_jump[jump.lane] += jump.normal * oil_.jump_volatility + oil_.jump_mean;
  // (2) oil price
  if (seen.oil_price) {
    // Replay: ln P_t = ln(observed). The increment is the one history took, so an
    // unobserved ruble in (3) still answers to the observed oil move.
    const double log_observed = std::log(*seen.oil_price);
    s.oil_increment = log_observed - s.log_oil;
    s.log_oil.setConstant(log_observed);
  } else {
    s.oil_increment = oil_.mean_reversion * (std::log(oil_.long_run_mean) - s.log_oil) * kMonth +
                      oil_.volatility * sqrt_month * z_oil + s.oil_jump;
    s.log_oil += s.oil_increment;
  }
  auto& oil_price = s.reported[kOilPrice];
  oil_price = s.log_oil.exp();
  // exp(ln x) can miss x by an ulp; the waterfall should see the observation itself.
  if (seen.oil_price)
    oil_price.setConstant(*seen.oil_price);

  // (3) exchange rate
  if (seen.fx) {
    s.log_fx.setConstant(std::log(*seen.fx));  // Replay: ln X_t = ln(observed)
  } else {
    s.log_fx += fx_.drift * kMonth + fx_.oil_elasticity * s.oil_increment +
                fx_.volatility * sqrt_month * z_fx;
  }
  auto& fx = s.reported[kFx];
  fx = s.log_fx.exp();
  if (seen.fx)
    fx.setConstant(*seen.fx);

  // (5) non-oil revenue state; (7) spending state
  s.non_oil_state = non_oil_.persistence * s.non_oil_state + non_oil_.volatility * z_non_oil;
  s.spending_state = spending_.persistence * s.spending_state + spending_.volatility * z_spending;

  // (6) ceasefire
  if (spending_.ceasefire.month >= 0) {
    if (month.t == spending_.ceasefire.month)
      s.ceasefire_month.setConstant(month.t);
  } else {
    const double* uniform = month.draws.ceasefire_uniform.data();
    const int t = month.t;
    for (int lane = 0; lane < s.lanes(); ++lane) {
      const int now = uniform[lane] < ceasefire_probability_per_month_ ? t : kNoEvent;
      s.ceasefire_month[lane] = s.ceasefire_month[lane] == kNoEvent ? now : s.ceasefire_month[lane];
    }
  }
}

// (4) oil and gas revenue plus (5) non-oil revenue. Replay: an observed part
// replaces its equation. R^og has no state of its own (it follows P and X);
// for R^no, a_t = ln(R^no_obs / (r_no e^{g_N t Delta})).
// Here and in (7), each statement holds one exponential and only double
// arithmetic, so that Eigen evaluates it in SIMD packets; a mixed int/double
// expression would fall back to scalar std::exp.
void Model::update_revenue(const MonthInputs& month, BlockState& s) const {
  const MonthObservations& seen = month.seen;
  const double years = month.t * kMonth;
  if (seen.oil_gas_revenue) {
    s.revenue.setConstant(*seen.oil_gas_revenue);
  } else {
    const double price_span = oil_gas_.p_ref - oil_gas_.price_floor;
    s.revenue = oil_gas_.base_monthly * (s.reported[kFx] / oil_gas_.x_ref) *
                (s.reported[kOilPrice] - oil_gas_.price_floor).max(0.0) / price_span;
    if (oil_gas_.seasonal)  // (M7) the calendar month's factor
      s.revenue *= oil_gas_.seasonality[(start_month_ - 1 + month.t) % 12];
  }
  if (budget_rule_.enabled)
    apply_budget_rule(month, s);  // on R^og alone, before R^no joins it
  if (seen.non_oil_revenue) {
    const double trend = non_oil_.base_monthly * std::exp(non_oil_.growth * years);
    if (trend > 0.0)
      s.non_oil_state.setConstant(std::log(*seen.non_oil_revenue / trend));
    s.revenue += *seen.non_oil_revenue;
  } else {
    s.revenue += non_oil_.base_monthly * (non_oil_.growth * years + s.non_oil_state).exp();
  }
}

// (7) spending, with (6) the ceasefire cut
void Model::update_spending(const MonthInputs& month, BlockState& s) const {
  const double years = month.t * kMonth;
  const double seasonal = spending_.seasonality[(start_month_ - 1 + month.t) % 12];
  s.spending =
      spending_.base_monthly * (spending_.growth * years + s.spending_state).exp() * seasonal;
  const double after_cut = 1.0 - spending_.ceasefire.cut;
  for (int lane = 0; lane < s.lanes(); ++lane) {
    const double cut = s.spending[lane] * after_cut;
    s.spending[lane] = s.ceasefire_month[lane] == kNoEvent ? s.spending[lane] : cut;
  }
  if (month.seen.spending) {
    // Replay: G_t = observed, and b_t = ln(G_obs / (g0 e^{g_G t Delta} s_m c_t)) so that
    // later months continue from the observed level. Where that trend is zero (a zero
    // seasonal factor, a full ceasefire cut) no b_t gives G_obs; b_t keeps its draw.
    const double observed = *month.seen.spending;
    const double trend = spending_.base_monthly * std::exp(spending_.growth * years) * seasonal;
    for (int lane = 0; lane < s.lanes(); ++lane) {
      const double cut = s.ceasefire_month[lane] == kNoEvent ? 1.0 : after_cut;
      if (trend * cut > 0.0)
        s.spending_state[lane] = std::log(observed / (trend * cut));
    }
    s.spending.setConstant(observed);
  }
}

// Replay: an observed flow E into (+) or out of (-) the liquid fund that is not
// deficit financing, before the waterfall. An outflow leaves the fund down to its
// floor by the floor rule of (11), as the budget rule's scheduled outflows do; what
// the model's fund cannot pay does not happen (history's fund was larger).
void Model::apply_fund_flow(double flow, BlockState& s) const {
  if (flow >= 0.0) {
    s.fund += flow;
    return;
  }
  for (int lane = 0; lane < s.lanes(); ++lane)
    pay_from_fund(-flow, fund_.floor, s.fund[lane]);
}

// (9) N = G + I - R^og - R^no, with (8) I = coupon / 12 * S. Model v2: (V5)'s
// I under `market`, plus (V2)'s coupon on the external debt; the gross need
// N + Red of (V6); the calendar year's sums of (V4).
void Model::update_need(int t, BlockState& s) const {
  if (!reports_model_v2_) {
    s.reported[kNeed] = s.spending + banks_.coupon / 12.0 * s.bank_stock - s.revenue;
    return;
  }
  if (!market_.enabled)
    s.interest = banks_.coupon / 12.0 * s.bank_stock;
  if (external_.enabled)
    s.interest += external_.coupon / 12.0 * s.external_debt;
  s.reported[kNeed] = s.spending + s.interest - s.revenue;
  s.gross_need = s.reported[kNeed] + s.redemption;
  if (fiscal_.enabled) {
    s.deficit_this_year += s.reported[kNeed];
    s.gdp_this_year += gdp(t) / 12.0;
  }
}

// (10)-(11) the financing waterfall: each source in turn gives what it can of
// the need the sources before it left; what none could give is unfinanced.
void Model::finance(const MonthInputs& month, BlockState& s) const {
  if (treasury_.enabled) {
    finance_from_cash(month, s);
    return;
  }
  const int lanes = s.lanes();
  // (V6) with `market` the sources finance the gross need, redemptions included
  const double* need = (reports_model_v2_ ? s.gross_need : s.reported[kNeed]).data();
  double* unfinanced = s.reported[kUnfinanced].data();
  std::copy_n(need, lanes, unfinanced);
  // (V8) model v2 counts what the markets lent: the month's new debt
  if (reports_model_v2_)
    s.issued.setZero();
  ask(markets_, month, need, unfinanced, s, reports_model_v2_ ? &s.issued : nullptr);
  ask(reserves_, month, need, unfinanced, s, nullptr);
  settle(lanes, need, unfinanced, s.fund.data(), s.reported[kFund].data());
}

// (11) Each source in turn gives what it can of what the sources before it
// left of `need` in `unfinanced`, and books it; `lent`, if given, adds up what
// they gave.
void Model::ask(const std::vector<std::unique_ptr<const FinancingSource>>& sources,
                const MonthInputs& month, const double* need, double* unfinanced, BlockState& s,
                Eigen::ArrayXd* lent) const {
  const int lanes = s.lanes();
  for (const auto& source : sources) {
    const FinancingSource::Offer offer = source->offer(month, s);
    give(lanes, need, offer.capacity, unfinanced, offer.given);
    source->book(s);
    if (lent)
      *lent += Eigen::Map<const Eigen::ArrayXd>(offer.given, lanes);
  }
}

// (V9) With treasury cash the markets lend what the month needs plus what
// refills the cash to its target, the cash pays the month, and the reserves
// pay only what the cash cannot: a surplus stays in the cash. A scheduled
// transfer from the fund (a decision, not a need: history's year-end sales)
// reaches the cash first, so it lowers what the markets are asked for.
void Model::finance_from_cash(const MonthInputs& month, BlockState& s) const {
  const int lanes = s.lanes();
  const double transfer = amount_in(treasury_.fund_transfers, month.t);
  if (transfer > 0.0) {
    for (int lane = 0; lane < lanes; ++lane)
      s.treasury_cash[lane] += pay_from_fund(transfer, fund_.floor, s.fund[lane]);
  }
  const double target = treasury_.target * gdp(month.t) / 12.0;
  s.issuance_demand = (s.gross_need + target - s.treasury_cash).max(0.0);
  double* unfinanced = s.reported[kUnfinanced].data();
  std::copy_n(s.issuance_demand.data(), lanes, unfinanced);
  s.issued.setZero();
  ask(markets_, month, s.issuance_demand.data(), unfinanced, s, &s.issued);
  // D~_t = D_{t-1} + B_t - (N_t + Red_t); what falls below zero is the shortfall.
  s.treasury_cash += s.issued - s.gross_need;
  s.cash_shortfall = (-s.treasury_cash).max(0.0);
  std::copy_n(s.cash_shortfall.data(), lanes, unfinanced);
  ask(reserves_, month, s.cash_shortfall.data(), unfinanced, s, nullptr);
  s.treasury_cash = s.treasury_cash.max(0.0);
  s.reported[kFund] = s.fund;
}

// (V2) External borrowing opens at a fixed month, with a hazard, or with a
// probability at a lag after the ceasefire; once open it stays open.
void Model::update_external_access(const MonthInputs& month, BlockState& s) const {
  using Opening = ExternalConfig::Opening;
  const double hazard = 1.0 - std::exp(-external_.hazard_per_year * kMonth);
  const double* uniform = month.draws.external_uniform.data();
  for (int lane = 0; lane < s.lanes(); ++lane) {
    if (s.external_open_month[lane] != kNoEvent)
      continue;
    bool opens = false;
    switch (external_.opening) {
      case Opening::kMonth:
        opens = month.t >= external_.month;
        break;
      case Opening::kHazard:
        opens = uniform[lane] < hazard;
        break;
      case Opening::kAfterCeasefire: {
        const int ceasefire = s.ceasefire_month[lane];
        opens = ceasefire != kNoEvent && month.t == ceasefire + external_.lag_months &&
                uniform[lane] < external_.probability;
        break;
      }
    }
    if (opens)
      s.external_open_month[lane] = month.t;
  }
}

// (V11) The liquid fund above its floor is held in gold (share phi_G) and in
// foreign currency: both move with the ruble, gold also with its dollar price.
// The shares are kept each month.
void Model::revalue_fund(const MonthInputs& month, BlockState& s) const {
  const double drift = fund_valuation_.gold_drift * kMonth;
  const double volatility = fund_valuation_.gold_volatility * std::sqrt(kMonth);
  const double gold = fund_valuation_.gold_share;
  s.valuation_factor = (s.reported[kFx] / s.fx_before) *
                       (gold * (drift + volatility * month.draws.gold_shock).exp() + (1.0 - gold));
  const double floor = fund_.floor;
  s.fund = (s.fund > floor).select(floor + (s.fund - floor) * s.valuation_factor, s.fund);
  s.fx_before = s.reported[kFx];
}

// (V3) The budget rule. The budget receives the oil-and-gas revenue at the
// calendar year's base price; what lies above it is saved for the fund and
// credited in the credit month of the next year; a shortfall below it is paid
// by the fund down to its floor, and what the fund cannot pay is missing from
// the revenue (so it adds to the need). Scheduled outflows leave the fund
// first. `s.revenue` holds R^og_t on entry and what the budget receives on exit.
void Model::apply_budget_rule(const MonthInputs& month, BlockState& s) const {
  const int months_since_january = start_month_ - 1 + month.t;
  const int calendar_month = months_since_january % 12 + 1;
  const int year = start_year_ + months_since_january / 12;
  if (calendar_month == 1 && month.t > 0) {
    s.rule_pending += s.rule_this_year;
    s.rule_this_year.setZero();
  }
  if (calendar_month == budget_rule_.credit_month) {
    s.fund += s.rule_pending;
    s.rule_pending.setZero();
  }
  const double outflow = value_at(budget_rule_.other_outflows, month.t, 0.0);
  const double base_price =
      value_at(budget_rule_.base_price, year, budget_rule_.base_price.front().value);

  const double price_span = oil_gas_.p_ref - oil_gas_.price_floor;
  s.base_oil_gas_revenue = oil_gas_.base_monthly * (s.reported[kFx] / oil_gas_.x_ref) *
                           std::max(base_price - oil_gas_.price_floor, 0.0) / price_span;
  if (oil_gas_.seasonal)  // (M7) the same calendar month's factor as R^og
    s.base_oil_gas_revenue *= oil_gas_.seasonality[calendar_month - 1];
  s.rule_transfer = s.revenue - s.base_oil_gas_revenue;
  if (outflow > 0.0) {
    for (int lane = 0; lane < s.lanes(); ++lane)
      pay_from_fund(outflow, fund_.floor, s.fund[lane]);
  }
  // As whole arrays, so that the lanes vectorise: a saving pays nothing from the
  // fund, a shortfall saves nothing; the fund pays by pay_from_fund's floor rule.
  const double floor = fund_.floor;
  const auto saving = s.rule_transfer >= 0.0;
  const Eigen::ArrayXd available = (s.fund - floor).max(0.0);
  const Eigen::ArrayXd paid = saving.select(0.0, (-s.rule_transfer).min(available));
  s.fund = ((available > 0.0) && (paid == available)).select(floor, s.fund - paid);
  s.rule_this_year += saving.select(s.rule_transfer, 0.0);
  s.revenue = saving.select(s.base_oil_gas_revenue, s.revenue + paid);
}

// (V4) Each January, the rule tightens by gamma times last calendar year's
// deficit ratio above target, up to k_max. The year's sums restart.
void Model::update_fiscal_reaction(int t, BlockState& s) const {
  const bool january = (start_month_ - 1 + t) % 12 == 0;
  if (!january || s.gdp_this_year <= 0.0)
    return;
  const double gdp_last_year = s.gdp_this_year;
  s.fiscal_adjustment =
      (s.fiscal_adjustment +
       fiscal_.reaction * (s.deficit_this_year / gdp_last_year - fiscal_.target_deficit).max(0.0))
          .min(fiscal_.max_adjustment);
  s.deficit_this_year.setZero();
  s.gdp_this_year = 0;
}

// (V4) The announced measure m_t and the rule's k_y, times Y_t / 12: added to
// non-oil revenue, or cut from spending. An observed revenue or spending
// (replay) already holds them.
void Model::apply_fiscal_measures(const MonthInputs& month, BlockState& s) const {
  const double measure = value_at(fiscal_.measures, month.t, 0.0);
  const double monthly_gdp = gdp(month.t) / 12.0;
  if (fiscal_.on_spending) {
    if (!month.seen.spending)
      s.spending -= (measure + s.fiscal_adjustment) * monthly_gdp;
  } else if (!month.seen.non_oil_revenue) {
    s.revenue += (measure + s.fiscal_adjustment) * monthly_gdp;
  }
}

// (V10) Central-bank financing weakens the currency from the next month on.
void Model::pass_monetisation_to_fx(int t, BlockState& s) const {
  s.log_fx += plan_d_.fx_pass_through * s.monetised / (gdp(t) / 12.0);
}

// (12)-(15)
void Model::record_events(int t, BlockState& s) const {
  // (14) fund depletion
  int* depletion_month = s.event_month[kDepletion].data();
  const double* fund = s.fund.data();
  for (int lane = 0; lane < s.lanes(); ++lane) {
    const int month = fund[lane] <= fund_.floor ? t : kNoEvent;
    depletion_month[lane] = depletion_month[lane] == kNoEvent ? month : depletion_month[lane];
  }

  const double gdp = this->gdp(t);
  // (V12) what the state can still inject besides the fund: plan D's illiquid
  // assets and n_M months of its central-bank capacity
  s.bank_support.setZero();
  if (bank_crisis_.support.enabled && plan_d_.enabled) {
    s.bank_support =
        s.illiquid + bank_crisis_.support.central_bank_months * plan_d_.central_bank_share * gdp / 12.0;
  }
  const double* support = s.bank_support.data();

  // (13) default and (15) bank crisis, judged at the default month. The gap of
  // the last 12 months sums from the oldest month on, for every lane at once.
  s.gap_history.col(t % 12) = s.reported[kUnfinanced];
  s.gap_last_year.setZero();
  for (int month = std::max(0, t - 11); month <= t; ++month)
    s.gap_last_year += s.gap_history.col(month % 12);
  const double* gap_last_year = s.gap_last_year.data();
  const double* unfinanced = s.reported[kUnfinanced].data();
  const double* bank_stock = s.bank_stock.data();
  int* default_month = s.event_month[kDefault].data();
  int* crisis_month = s.event_month[kBankCrisis].data();
  const double default_threshold = gap_threshold_ * gdp;
  for (int lane = 0; lane < s.lanes(); ++lane) {
    const bool crisis = bank_crisis_.haircut * (bank_crisis_.holdings0 + bank_stock[lane]) >
                        bank_crisis_.capital + fund[lane] + support[lane];
    const bool defaults = gap_last_year[lane] > default_threshold;
    const int default_now = unfinanced[lane] > 0.0 ? (defaults ? t : kNoEvent) : kNoEvent;
    const int crisis_now = crisis ? default_now : kNoEvent;
    const bool first = default_month[lane] == kNoEvent;
    default_month[lane] = first ? default_now : default_month[lane];
    crisis_month[lane] = first ? crisis_now : crisis_month[lane];
  }
  if (plan_d_.enabled)
    record_monetisation(t, s);
}

// (V10) monetisation: the first month the central bank finances the state
void Model::record_monetisation(int t, BlockState& s) const {
  int* monetisation_month = s.event_month[kMonetisation].data();
  const double* monetised = s.monetised.data();
  for (int lane = 0; lane < s.lanes(); ++lane) {
    const int month = monetised[lane] > 0.0 ? t : kNoEvent;
    monetisation_month[lane] = monetisation_month[lane] == kNoEvent ? month : monetisation_month[lane];
  }
}

}  // namespace sovrisk
