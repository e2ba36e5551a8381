#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"

namespace sovrisk::testing {

// Equations (8)-(15) of docs/model.md in plain scalars, one month at a time:
// the independent reference the model's waterfall and events are checked
// against. The waterfall is written out as its rule, banks then the fund, in
// the arithmetic order of docs/model.md, so that its values equal the model's
// bit for bit. The caller computes the month's need from interest() and its
// own spending and revenue, and the banks' capacity from bank_stock().
class HandWaterfall {
 public:
  explicit HandWaterfall(const Config& config) : c_(config), fund_(config.fund.liquid0) {}

  double bank_stock() const { return stock_; }
  double interest() const { return c_.banks.coupon / 12 * stock_; }

  // A replay's observed fund flow, before the month's waterfall (docs/model.md,
  // "Replay"): an inflow adds to the fund; an outflow leaves it down to its floor,
  // ending exactly there when it takes all the fund can give.
  void fund_flow(double flow) {
    if (flow >= 0) {
      fund_ += flow;
      return;
    }
    const double available = std::max(fund_ - c_.fund.floor, 0.0);
    const double paid = std::min(-flow, available);
    fund_ = (available > 0 && paid == available) ? c_.fund.floor : fund_ - paid;
  }

  void month(int t, double need_t, double capacity) {
    double absorbed_t = 0, withdrawn = 0, gap = 0;
    if (need_t <= 0) {
      fund_ -= need_t;
    } else {
      absorbed_t = std::min(need_t, capacity);
      stock_ += absorbed_t;
      const double available = std::max(fund_ - c_.fund.floor, 0.0);
      withdrawn = std::min(need_t - absorbed_t, available);
      // A fund that pays all it can ends at its floor exactly, not where
      // F - (F - floor) rounds to.
      fund_ = (available > 0 && withdrawn == available) ? c_.fund.floor : fund_ - withdrawn;
      gap = need_t - absorbed_t - withdrawn;
    }
    unfinanced.push_back(gap);
    const double gdp = c_.gdp.annual0 * std::exp(c_.gdp.growth * t / 12.0);
    double last_year = 0;
    for (int s = std::max(0, t - 11); s <= t; ++s)
      last_year += unfinanced[s];
    if (default_month == kNoEvent && gap > 0 && last_year > c_.default_rule.gap_threshold * gdp) {
      default_month = t;
      if (c_.bank_crisis.haircut * (c_.bank_crisis.holdings0 + stock_) >
          c_.bank_crisis.capital + fund_) {
        crisis_month = t;
      }
    }
    if (depletion_month == kNoEvent && fund_ <= c_.fund.floor)
      depletion_month = t;
    need.push_back(need_t);
    absorbed.push_back(absorbed_t);
    fund.push_back(fund_);
  }

  std::vector<double> need, absorbed, fund, unfinanced;  // per month
  int default_month = kNoEvent, depletion_month = kNoEvent, crisis_month = kNoEvent;

 private:
  Config c_;
  double stock_ = 0;
  double fund_;
};

// One lane's draws with every shock at zero and every uniform at 0.5 (no
// auction failure, no random ceasefire or external opening), model v2's
// included: for months whose inputs a test sets by hand.
inline BlockDraws quiet_draws() {
  BlockDraws draws(1);
  draws.shocks.setZero();
  draws.liquidity_shock.setZero();
  draws.auction_uniform.setConstant(0.5);
  draws.ceasefire_uniform.setConstant(0.5);
  draws.key_rate_shock.setZero();
  draws.gold_shock.setZero();
  draws.external_uniform.setConstant(0.5);
  return draws;
}

// Every path of `simulated` (paths x months) equals the hand computation
// month by month, up to round-off (1e-9 relative).
inline void expect_all_paths(const RowMajorArray& simulated, const std::vector<double>& expected,
                             const char* what) {
  ASSERT_EQ(simulated.cols(), static_cast<Eigen::Index>(expected.size()));
  for (int path = 0; path < simulated.rows(); ++path) {
    for (std::size_t t = 0; t < expected.size(); ++t) {
      EXPECT_NEAR(simulated(path, t), expected[t], 1e-9 * std::max(1.0, std::abs(expected[t])))
          << what << " path " << path << " month " << t;
    }
  }
}

// Every one of `paths` paths has its event in `month` (kNoEvent: on none).
inline void expect_event_at(const std::vector<std::uint64_t>& counts, int month,
                            std::uint64_t paths, const char* what) {
  for (std::size_t t = 0; t < counts.size(); ++t) {
    EXPECT_EQ(counts[t], int(t) == month ? paths : 0u) << what << " month " << t;
  }
}

}  // namespace sovrisk::testing
