#pragma once

#include <Eigen/Core>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/outputs.h"
#include "sovrisk/streams.h"

namespace sovrisk {

constexpr int kNoEvent = -1;

// The outputs a run of `config` reports: model v1's unless the config uses
// model v2 (parameters.h, uses_model_v2).
OutputSet output_set(const Config& config);

// The state of a block of paths, one entry per lane, structure of arrays so
// that a month's arithmetic runs over contiguous memory.
struct BlockState {
  explicit BlockState(int lanes);

  int lanes() const { return static_cast<int>(log_oil.size()); }

  // Carried from month to month.
  Eigen::ArrayXd log_oil;          // ln P
  Eigen::ArrayXd log_fx;           // ln X
  Eigen::ArrayXd non_oil_state;    // a, AR(1) deviation of non-oil revenue
  Eigen::ArrayXd spending_state;   // b, AR(1) deviation of spending
  Eigen::ArrayXd liquidity_state;  // w, AR(1) bank liquidity
  Eigen::ArrayXd bank_stock;       // S, cumulative new debt banks absorbed
  Eigen::ArrayXd fund;             // F, liquid fund balance
  Eigen::ArrayXXd gap_history;     // U of the last 12 months: column t mod 12, one row per lane
  Eigen::ArrayXi ceasefire_month;  // kNoEvent until the ceasefire

  // Intermediate values of the current month, kept here so a step allocates nothing.
  Eigen::ArrayXd oil_jump;  // J
  Eigen::ArrayXd oil_increment;
  Eigen::ArrayXd spending;        // G
  Eigen::ArrayXd revenue;         // R^og + R^no
  Eigen::ArrayXd capacity;        // C, what the banks can absorb
  Eigen::ArrayXd fund_capacity;   // what the fund can pay, down to its floor
  Eigen::ArrayXd fund_withdrawn;  // W
  Eigen::ArrayXd gap_last_year;   // the sum of U over the last 12 months

  // Model v2's key rate and market (docs/model.md, "Model v2"); a model-v1
  // config leaves them at their reset values.
  Eigen::ArrayXd key_rate;             // i (V1), carried: i_{t-1} until V1 runs
  Eigen::ArrayXd key_rate_deviation;   // e (V1), carried
  double existing_debt = 0;            // E (V6), the same on every lane, carried
  Eigen::ArrayXd new_debt;             // what is left of the debt issued since month 0 (V6, V8)
  Eigen::ArrayXd debt;                 // debt (V8), carried
  Eigen::ArrayXd debt_to_gdp;          // b (V8), carried
  Eigen::ArrayXd interest;             // I (V5)
  Eigen::ArrayXd redemption;           // Red (V6); zero without `market`
  Eigen::ArrayXd new_debt_redemption;  // the part of Red on new debt (V6)
  Eigen::ArrayXd gross_need;           // N + Red (V6), what the sources finance with `market`
  Eigen::ArrayXd issued;               // new debt issued this month (V8)

  // Model v2's financing, budget rule and fiscal reaction; likewise.
  Eigen::ArrayXd treasury_cash;     // D (V9), carried
  Eigen::ArrayXd issuance_demand;   // max(0, N + Red + D* - D_{t-1}) (V9)
  Eigen::ArrayXd cash_shortfall;    // what the cash cannot pay, max(0, -D~) (V9)
  Eigen::ArrayXd fiscal_adjustment; // k_y (V4), carried
  Eigen::ArrayXd deficit_this_year; // the sum of N over this calendar year's months, carried
  double gdp_this_year = 0;         // the sum of Y/12 over the same months, carried
  Eigen::ArrayXd illiquid;          // L (V10), carried
  Eigen::ArrayXd illiquid_capacity; // min(L, l)
  Eigen::ArrayXd illiquid_sold;     // S^L
  Eigen::ArrayXd central_bank_capacity;  // m Y / 12
  Eigen::ArrayXd monetised;              // M (V10)
  Eigen::ArrayXd bank_support;           // what the state can inject besides the fund (V12)
  Eigen::ArrayXd base_oil_gas_revenue;   // R^og,b at the base price (V3)
  Eigen::ArrayXd rule_transfer;          // Phi = R^og - R^og,b (V3)
  Eigen::ArrayXd rule_this_year;         // the sum of Phi > 0 this calendar year (V3), carried
  Eigen::ArrayXd rule_pending;           // Q, last years' sums not yet credited (V3), carried
  Eigen::ArrayXd fx_before;              // X_{t-1}, for the fund's revaluation (V11), carried
  Eigen::ArrayXd valuation_factor;       // the month's revaluation of F above its floor (V11)
  Eigen::ArrayXi external_open_month;    // kNoEvent until external borrowing opens (V2), carried
  Eigen::ArrayXd external_capacity;      // what foreign lenders give this month, RUB bn (V2)
  Eigen::ArrayXd external_borrowed;      // E, what they gave (V2)
  Eigen::ArrayXd external_debt;          // the external debt, RUB bn at issue (V2), carried

  // This month's reported values.
  std::array<Eigen::ArrayXd, kVariableCount> reported;

  // First month of each event, kNoEvent until it happens.
  std::array<Eigen::ArrayXi, kEventCount> event_month;
};

// The drivers observed in one month of a replay (docs/model.md, "Replay"): an
// observed value replaces the simulated one on every lane of the block, and the
// driver's state is set so that later unobserved months continue from it.
// An empty optional means "not observed": the model samples that driver.
struct MonthObservations {
  std::optional<double> oil_price;        // P_t, USD/bbl
  std::optional<double> fx;               // X_t, RUB per USD
  std::optional<double> oil_gas_revenue;  // R^og_t, RUB bn/month
  std::optional<double> non_oil_revenue;  // R^no_t, RUB bn/month
  std::optional<double> spending;         // G_t, RUB bn/month
  std::optional<double> bank_absorption;  // C_t, the banks' capacity this month, RUB bn/month
  // E_t, RUB bn: a flow into (+) or out of (-) the liquid fund that is not deficit
  // financing (budget-rule purchases and sales, investments, revaluation).
  std::optional<double> fund_flow;
  // Not an observation: `replay --reset-deviations` sets it on the last month the
  // history observes, at whose end a and b go to 0, so the forecast starts from trend.
  bool reset_deviations = false;

  bool any() const {
    return oil_price || fx || oil_gas_revenue || non_oil_revenue || spending || bank_absorption ||
           fund_flow;
  }
};

// What one month's step reads besides the state.
struct MonthInputs {
  int t;                          // the month
  const BlockDraws& draws;        // its draws
  const MonthObservations& seen;  // a replay's observations; none in a plain run
};

// A source of the financing waterfall (docs/model.md, eq. 11). Each month the
// sources are asked in the waterfall's order: a source offers its capacity,
// what it can give this month; it gives the smaller of that and the need the
// sources before it left unfinanced, then books what it gave. A new way of
// financing the state is one more source in the list Model builds.
class FinancingSource {
 public:
  // Lane arrays of the block's state, one entry per path.
  struct Offer {
    const double* capacity;  // this month's capacity, >= 0
    double* given;           // where the waterfall writes what the source gives
  };

  virtual ~FinancingSource() = default;
  // Works out this month's capacity on every lane.
  virtual Offer offer(const MonthInputs& month, BlockState& state) const = 0;
  // Books what the source gave: at most its capacity, 0 on lanes without a need.
  virtual void book(BlockState& state) const = 0;
};

// One month of the reference model v1 (docs/model.md) over a block of paths.
// It knows nothing of threads, blocks' places in the run, or files.
class Model {
 public:
  explicit Model(const Config& config);

  int months() const { return months_; }
  // How many kinds of model v2's draws a month needs (PathStreams::fill_model_v2,
  // ModelV2Draw): up to the last one a mechanism of the config reads; 0 for none.
  int model_v2_draws() const {
    if (external_.enabled && external_.opening != ExternalConfig::Opening::kMonth)
      return PathStreams::kExternalDraw;
    if (fund_valuation_.enabled)
      return PathStreams::kGoldDraw;
    return key_rate_.enabled ? PathStreams::kKeyRateDraw : 0;
  }

  void reset(BlockState& state) const;
  // `observed` (a replay's month) may be null: then the month is simulated
  // exactly as in a plain run. The draws are consumed either way.
  void step(int month, const BlockDraws& draws, BlockState& state,
            const MonthObservations* observed = nullptr) const;

 private:
  // The parts of a step, in the order step runs them.
  void update_drivers(const MonthInputs& month, BlockState& state) const;
  void update_revenue(const MonthInputs& month, BlockState& state) const;
  void update_spending(const MonthInputs& month, BlockState& state) const;
  void apply_fund_flow(double flow, BlockState& state) const;
  void update_need(int t, BlockState& state) const;
  void finance(const MonthInputs& month, BlockState& state) const;
  void record_events(int t, BlockState& state) const;
  // Model v2's parts, each run only when its section is given.
  void update_key_rate(const MonthInputs& month, BlockState& state) const;  // V1
  void update_debt_service(int t, BlockState& state) const;                 // V5, V6
  void update_debt(int t, BlockState& state) const;                         // V8
  static std::vector<double> key_rate_path(const Config& config);
  static std::vector<double> scheduled_redemption(const Config& config);
  void update_external_access(const MonthInputs& month, BlockState& state) const;
  void revalue_fund(const MonthInputs& month, BlockState& state) const;
  void apply_budget_rule(const MonthInputs& month, BlockState& state) const;
  void update_fiscal_reaction(int t, BlockState& state) const;
  void apply_fiscal_measures(const MonthInputs& month, BlockState& state) const;
  void finance_from_cash(const MonthInputs& month, BlockState& state) const;
  void ask(const std::vector<std::unique_ptr<const FinancingSource>>& sources,
           const MonthInputs& month, const double* need, double* unfinanced, BlockState& state,
           Eigen::ArrayXd* lent) const;
  void pass_monetisation_to_fx(int t, BlockState& state) const;
  void record_monetisation(int t, BlockState& state) const;
  void report_model_v2(BlockState& state) const;
  double gdp(int t) const;  // Y_t (12), annual rate

  int months_;
  Eigen::Matrix4d shock_cholesky_;
  OilConfig oil_;
  FxConfig fx_;
  OilGasRevenueConfig oil_gas_;
  NonOilRevenueConfig non_oil_;
  SpendingConfig spending_;
  BanksConfig banks_;
  FundConfig fund_;
  GdpConfig gdp_;
  double gap_threshold_;
  BankCrisisConfig bank_crisis_;
  int start_year_;
  int start_month_;
  double ceasefire_probability_per_month_;
  KeyRateConfig key_rate_;
  MarketConfig market_;
  std::vector<double> key_rate_path_;         // i-bar_t of V1 at index t + 1, t = -1 .. T-1
  std::vector<double> scheduled_redemption_;  // a_t of V6, the existing debt's, by month
  TreasuryConfig treasury_;
  BudgetRuleConfig budget_rule_;
  FiscalConfig fiscal_;
  PlanDConfig plan_d_;
  FundValuationConfig fund_valuation_;
  ExternalConfig external_;
  bool reports_model_v2_;  // uses_model_v2: the config's outputs are kAllOutputs
  // (11) the waterfall, in order: the markets, which lend, then the reserves
  // (the fund, plan D), which pay what the markets and the cash could not.
  std::vector<std::unique_ptr<const FinancingSource>> markets_;
  std::vector<std::unique_ptr<const FinancingSource>> reserves_;
};

}  // namespace sovrisk
