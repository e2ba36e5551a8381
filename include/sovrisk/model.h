#pragma once

#include <Eigen/Core>
#include <array>
#include <string>

#include "sovrisk/config.h"
#include "sovrisk/streams.h"

namespace sovrisk {

// The monthly series the model reports for every path (fan charts, means,
// sample paths), in output order.
enum Variable { kOilPrice, kFx, kNeed, kBankAbsorbed, kFund, kUnfinanced, kVariableCount };

struct VariableInfo {
  const char* name;
  const char* units;
  const char* description;
};
const VariableInfo& variable_info(int variable);

// The events the model detects on each path; each happens at most once.
enum Event { kDefault, kDepletion, kBankCrisis, kEventCount };
const char* event_name(int event);

constexpr int kNoEvent = -1;

// The state of a block of paths, one entry per lane, structure of arrays so
// that a month's arithmetic runs over contiguous memory.
struct BlockState {
  explicit BlockState(int lanes);

  int lanes() const { return static_cast<int>(log_oil.size()); }

  // Carried from month to month.
  Eigen::ArrayXd log_oil;         // ln P
  Eigen::ArrayXd log_fx;          // ln X
  Eigen::ArrayXd non_oil_state;   // a, AR(1) deviation of non-oil revenue
  Eigen::ArrayXd spending_state;  // b, AR(1) deviation of spending
  Eigen::ArrayXd liquidity_state; // w, AR(1) bank liquidity
  Eigen::ArrayXd bank_stock;      // S, cumulative new debt banks absorbed
  Eigen::ArrayXd fund;            // F, liquid fund balance
  Eigen::ArrayXXd gap_history;    // U of the last 12 months: row t mod 12, one column per lane
  Eigen::ArrayXi ceasefire_month; // kNoEvent until the ceasefire

  // Intermediate values of the current month, kept here so a step allocates nothing.
  Eigen::ArrayXd oil_increment;
  Eigen::ArrayXd spending;  // G
  Eigen::ArrayXd revenue;   // R^og + R^no
  Eigen::ArrayXd capacity;  // A
  Eigen::ArrayXd fund_available;   // max(F - floor, 0)
  Eigen::ArrayXd fund_withdrawal;  // W

  // This month's reported values.
  std::array<Eigen::ArrayXd, kVariableCount> reported;

  // First month of each event, kNoEvent until it happens.
  std::array<Eigen::ArrayXi, kEventCount> event_month;
};

// One month of the reference model v1 (docs/model.md) over a block of paths.
// It knows nothing of threads, blocks' places in the run, or files.
class Model {
 public:
  explicit Model(const Config& config);

  int months() const { return months_; }

  void reset(BlockState& state) const;
  void step(int month, const BlockDraws& draws, BlockState& state) const;

 private:
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
  int start_month_;
  double ceasefire_probability_per_month_;
};

}  // namespace sovrisk
