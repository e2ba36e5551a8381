// Statistical validation battery: every stochastic driver of the model
// against its law, closed forms through the whole engine, and the behaviour
// of the reported standard errors and Wilson intervals.
//
// How the tolerances are chosen. Every check compares an estimate with its
// exact value in units of the estimate's standard error (SE), stated next to
// the check. For a statistic that is (close to) normal, 4 SE fails a correct
// implementation with probability 6e-5; statistics with a skewed sampling law
// (variances, chi-square, counts) or checks repeated over many cells get 4.5
// or 5 SE (7e-6 and 6e-7 under normality, margin for the skew). Chi-square and
// Kolmogorov-Smirnov checks use their exact 1e-4 critical values. The seeds
// are fixed, so each check is deterministic; the tolerances say how unlucky a
// seed would have to be for a correct model to fail. The comments name the
// plausible bugs each check catches and by how far they would miss.
//
// Everything that is not under test is switched off (see kQuietScenario), so
// that each driver can be read back exactly from the state or the reports.

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"
#include "sovrisk/statistics.h"
#include "sovrisk/streams.h"

namespace sovrisk {
namespace {

constexpr double kMonth = 1.0 / 12.0;  // Delta, in years

// A scenario in which nothing is random: no volatility, no jumps, no auction
// failure, no ceasefire hazard, identity correlation. Spending is a constant
// 100 a month, there is no revenue, banks can absorb 1000 a month without
// saturating, there is no fund, and any unfinanced gap is a default.
const char* const kQuietScenario = R"(
scenario: {name: stats, start: "2025-01", months: 12}
simulation: {paths: 1000, seed: 1}
oil: {p0: 65, long_run_mean: 65, mean_reversion: 0, volatility: 0, jump_intensity: 0, jump_mean: 0, jump_volatility: 0}
fx: {x0: 90, drift: 0, volatility: 0, oil_elasticity: 0}
revenue:
  oil_gas: {base_monthly: 0, p_ref: 65, x_ref: 90, price_floor: 15}
  non_oil: {base_monthly: 0, growth: 0, persistence: 0, volatility: 0}
spending:
  base_monthly: 100
  growth: 0
  persistence: 0
  volatility: 0
  ceasefire: {month: -1, hazard_per_year: 0, cut: 0}
correlation:
  - [1, 0, 0, 0]
  - [0, 1, 0, 0]
  - [0, 0, 1, 0]
  - [0, 0, 0, 1]
banks: {absorption_monthly: 1000, persistence: 0, volatility: 0, saturation: 1.0e12, auction_fail_base: 0, auction_fail_slope: 0, coupon: 0}
fund: {liquid0: 0, floor: 0}
gdp: {annual0: 1000000, growth: 0}
default: {gap_threshold: 0}
bank_crisis: {haircut: 0, holdings0: 0, capital: 0}
)";

// The quiet scenario with `--set`-style overrides ("oil.volatility=0.35").
Config quiet_config(std::initializer_list<std::string> settings) {
  std::vector<Override> overrides;
  for (const auto& setting : settings)
    overrides.push_back(parse_override(setting));
  return parse_config(kQuietScenario, "test_statistical", overrides);
}

std::vector<double> to_vector(const Eigen::ArrayXd& values) {
  return std::vector<double>(values.data(), values.data() + values.size());
}

// Runs every month of the model over paths 0 .. lanes-1 of the config's seed,
// outside the engine. `before(t, state)` sees the state before month t's step,
// `after(t, state, draws)` the state after it and the draws it consumed.
template <typename Before, typename After>
void run_model(const Config& config, int lanes, Before&& before, After&& after) {
  const Model model(config);
  const PathStreams streams(config.simulation.seed, config.oil);
  BlockState state(lanes);
  BlockDraws draws(lanes);
  model.reset(state);
  for (int t = 0; t < model.months(); ++t) {
    streams.fill(0, t, draws);
    before(t, static_cast<const BlockState&>(state));
    model.step(t, draws, state);
    after(t, static_cast<const BlockState&>(state), static_cast<const BlockDraws&>(draws));
  }
}

SimulationResult run_engine(const Config& config, std::uint64_t sample_paths = 0) {
  RunOptions options;
  options.threads = 2;
  options.sample_paths = sample_paths;
  return simulate(config, options);
}

// Sample mean and variance with their standard errors. The SE of the variance
// uses the sample fourth moment, so it holds for non-normal data (jumps).
struct Moments {
  double n = 0, mean = 0, variance = 0, se_mean = 0, se_variance = 0;
};

Moments moments_of(const std::vector<double>& x) {
  Moments m;
  m.n = static_cast<double>(x.size());
  double sum = 0;
  for (const double v : x)
    sum += v;
  m.mean = sum / m.n;
  double m2 = 0, m4 = 0;
  for (const double v : x) {
    const double d = v - m.mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= m.n;
  m4 /= m.n;
  m.variance = m2 * m.n / (m.n - 1);
  m.se_mean = std::sqrt(m.variance / m.n);
  m.se_variance = std::sqrt(std::max(m4 - m2 * m2, 0.0) / m.n);
  return m;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments ma = moments_of(a), mb = moments_of(b);
  double cross = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    cross += (a[i] - ma.mean) * (b[i] - mb.mean);
  return cross / (ma.n - 1) / std::sqrt(ma.variance * mb.variance);
}

// Least squares y = intercept + slope x, with classical standard errors (for
// homoscedastic innovations) and HC0 sandwich ones (for Bernoulli outcomes).
struct Fit {
  double intercept = 0, slope = 0, residual_variance = 0;
  double se_intercept = 0, se_slope = 0;
  double robust_se_intercept = 0, robust_se_slope = 0;
  double n = 0;
};

Fit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  Fit f;
  f.n = static_cast<double>(x.size());
  double sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    sx += x[i], sy += y[i];
  const double mx = sx / f.n, my = sy / f.n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  double rss = 0, e2 = 0, xe2 = 0, xxe2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = y[i] - f.intercept - f.slope * x[i];
    const double dx = x[i] - mx;
    rss += e * e;
    e2 += e * e;
    xe2 += dx * e * e;
    xxe2 += dx * dx * e * e;
  }
  f.residual_variance = rss / (f.n - 2);
  f.se_slope = std::sqrt(f.residual_variance / sxx);
  f.se_intercept = std::sqrt(f.residual_variance * (1 / f.n + mx * mx / sxx));
  // Sandwich in the centred parametrisation y = alpha + slope (x - mx).
  const double var_alpha = e2 / (f.n * f.n);
  const double var_slope = xxe2 / (sxx * sxx);
  const double cov = xe2 / (f.n * sxx);
  f.robust_se_slope = std::sqrt(var_slope);
  f.robust_se_intercept = std::sqrt(var_alpha + mx * mx * var_slope - 2 * mx * cov);
  return f;
}

// Pearson's statistic of `observed` counts against cell probabilities that sum to 1.
double chi_square(const std::vector<double>& observed, const std::vector<double>& probabilities) {
  double n = 0;
  for (const double o : observed)
    n += o;
  double statistic = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double expected = n * probabilities[i];
    statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
  }
  return statistic;
}

// The value a chi-square statistic with `df` degrees of freedom exceeds with probability 1e-4.
double chi_square_critical(int df) {
  return boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), 1e-4));
}

// Geometric first-occurrence law over `months` months, plus a last cell for
// "not by the horizon": P(t) = (1 - q)^t q.
std::vector<double> geometric_cells(double q, int months) {
  std::vector<double> cells;
  for (int t = 0; t < months; ++t)
    cells.push_back(std::pow(1 - q, t) * q);
  cells.push_back(std::pow(1 - q, months));
  return cells;
}

// Kolmogorov-Smirnov distance between a sample and a continuous CDF.
template <typename Cdf>
double ks_distance(std::vector<double> x, Cdf&& cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - i / n, (i + 1) / n - f});
  }
  return d;
}

// sqrt(n) * D exceeds this with probability 1e-4 (Kolmogorov's limit law:
// 2 exp(-2 x^2) = 1e-4).
const double kKsCritical = std::sqrt(-0.5 * std::log(0.5e-4));

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// A textbook Wilson score interval, written independently of statistics.cpp.
struct Interval {
  double low, high;
};
Interval wilson(double successes, double n) {
  const double z = 1.959963984540054;
  const double p = successes / n;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z / (1 + z * z / n) * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

// ---------------------------------------------------------------------------
// The raw draws of PathStreams.

TEST(StatisticalDraws, EveryDrawFollowsItsLawAndIsIndependent) {
  const Config config = quiet_config({"simulation.seed=20250101", "oil.jump_intensity=6"});
  const int lanes = 100000;
  const double n = lanes;
  const PathStreams streams(config.simulation.seed, config.oil);
  BlockDraws month0(lanes), month1(lanes), from_path1(lanes - 1);
  streams.fill(0, 0, month0);
  streams.fill(0, 1, month1);
  streams.fill(1, 0, from_path1);

  auto continuous = [](const BlockDraws& d) {
    std::vector<std::vector<double>> out;
    for (int k = 0; k < kShockCount; ++k)
      out.push_back(to_vector(d.shocks.col(k)));
    out.push_back(to_vector(d.liquidity_shock));
    out.push_back(to_vector(d.auction_uniform));
    out.push_back(to_vector(d.ceasefire_uniform));
    return out;
  };
  const auto draws0 = continuous(month0);
  const auto draws1 = continuous(month1);
  const int normals = kShockCount + 1;

  for (int k = 0; k < normals; ++k) {
    SCOPED_TRACE("normal draw " + std::to_string(k));
    const Moments m = moments_of(draws0[k]);
    EXPECT_LE(std::abs(m.mean), 4 / std::sqrt(n));                              // 4 SE
    EXPECT_LE(std::abs(m.variance - 1), 5 * std::sqrt(2 / n));                  // 5 SE
    EXPECT_LE(std::sqrt(n) * ks_distance(draws0[k], normal_cdf), kKsCritical);  // KS at 1e-4
  }
  for (int k = normals; k < normals + 2; ++k) {
    SCOPED_TRACE("uniform draw " + std::to_string(k));
    const Moments m = moments_of(draws0[k]);
    EXPECT_LE(std::abs(m.mean - 0.5), 4 * std::sqrt(1.0 / 12 / n));  // 4 SE
    EXPECT_LE(
        std::sqrt(n) * ks_distance(draws0[k], [](double u) { return std::clamp(u, 0.0, 1.0); }),
        kKsCritical);  // KS at 1e-4
  }
  // Independence: within a month between kinds of draw, across months for the
  // same path, across neighbouring paths. Each |r| <= 4.5 SE, SE = 1/sqrt(n)
  // (49 checks, 3e-4 in all); a stream keyed without the path or counted
  // without the month gives r = 1.
  for (std::size_t a = 0; a < draws0.size(); ++a) {
    for (std::size_t b = a + 1; b < draws0.size(); ++b) {
      EXPECT_LE(std::abs(correlation(draws0[a], draws0[b])), 4.5 / std::sqrt(n))
          << a << " vs " << b;
    }
    EXPECT_LE(std::abs(correlation(draws0[a], draws1[a])), 4.5 / std::sqrt(n))
        << a << " month 0 vs 1";
    const std::vector<double> head(draws0[a].begin(), draws0[a].end() - 1);
    const std::vector<double> tail(draws0[a].begin() + 1, draws0[a].end());
    EXPECT_LE(std::abs(correlation(head, tail)), 4.5 / std::sqrt(n)) << a << " path i vs i+1";
  }
  // Counter-based: path i's draws do not depend on where its block starts.
  EXPECT_TRUE((from_path1.shocks == month0.shocks.bottomRows(lanes - 1)).all());
  // The jumps of the paths from `first_lane` on, with lanes counted from there.
  auto jumps_from = [](const BlockDraws& d, int first_lane) {
    std::vector<std::pair<int, double>> jumps;
    for (const OilJump& jump : d.oil_jumps) {
      if (jump.lane >= first_lane)
        jumps.emplace_back(jump.lane - first_lane, jump.normal);
    }
    return jumps;
  };
  EXPECT_EQ(jumps_from(from_path1, 0), jumps_from(month0, 1));

  // Jump count ~ Poisson(lambda Delta = 0.5): chi-square over 0, 1, 2, 3, >= 4
  // at its 1e-4 critical value. A count with mean lambda (no Delta) or
  // 1 - exp(-lambda Delta) fails by orders of magnitude.
  const double mean_count = 6 * kMonth;
  const boost::math::poisson_distribution<double> poisson(mean_count);
  std::vector<int> count(lanes, 0);
  for (const OilJump& jump : month0.oil_jumps)
    ++count[jump.lane];
  std::vector<double> observed(5, 0), cells(5, 0);
  for (int lane = 0; lane < lanes; ++lane)
    ++observed[std::min(4, count[lane])];
  for (int k = 0; k < 4; ++k)
    cells[k] = boost::math::pdf(poisson, k);
  cells[4] = boost::math::cdf(boost::math::complement(poisson, 3));
  EXPECT_LE(chi_square(observed, cells), chi_square_critical(4));
}

// ---------------------------------------------------------------------------
// The model's drivers, one at a time, over one large block of lanes.

TEST(StatisticalDrivers, OilLogPriceFollowsTheDiscretisedOu) {
  const double p0 = 100, mean_price = 65, kappa = 0.8, sigma = 0.35;
  const int months = 36, lanes = 20000;
  const Config config = quiet_config({"simulation.seed=7", "scenario.months=36", "oil.p0=100",
                                      "oil.mean_reversion=0.8", "oil.volatility=0.35"});
  const double m = std::log(mean_price), sd = sigma * std::sqrt(kMonth), phi = 1 - kappa * kMonth;

  Eigen::ArrayXd before_log(lanes);
  std::vector<double> first_step, previous, current, standardised;
  std::vector<double> final_price;
  run_model(
      config, lanes, [&](int, const BlockState& s) { before_log = s.log_oil; },
      [&](int t, const BlockState& s, const BlockDraws&) {
        for (int lane = 0; lane < lanes; ++lane) {
          const double increment = s.oil_increment[lane];
          ASSERT_NEAR(s.log_oil[lane] - before_log[lane], increment, 1e-12);
          if (t == 0)
            first_step.push_back(increment);
          previous.push_back(before_log[lane] - m);
          current.push_back(s.log_oil[lane] - m);
          standardised.push_back((increment - kappa * (m - before_log[lane]) * kMonth) / sd);
        }
        if (t == months - 1)
          final_price = to_vector(s.reported[kOilPrice]);
      });

  // One step from ln P0: mean kappa (m - ln P0) Delta = -0.0287, variance
  // sigma^2 Delta. Mean to 4 SE (SE 7e-4: a wrong sign misses by 80 SE, a
  // missing Delta by over 400); variance to 5 SE (SE 1 %: sigma Delta instead
  // of sigma sqrt(Delta) misses by 92 %).
  const Moments one = moments_of(first_step);
  EXPECT_NEAR(one.mean, kappa * (m - std::log(p0)) * kMonth, 4 * one.se_mean);
  EXPECT_NEAR(one.variance, sd * sd, 5 * sd * sd * std::sqrt(2 / one.n));

  // Every month, given ln P_{t-1}: (increment - drift) / (sigma sqrt(Delta))
  // is N(0, 1). Mean to 4 SE, variance to 5 SE (n = 720000).
  const Moments z = moments_of(standardised);
  EXPECT_NEAR(z.mean, 0, 4 / std::sqrt(z.n));
  EXPECT_NEAR(z.variance, 1, 5 * std::sqrt(2 / z.n));

  // Lag-1 regression of ln P_t - m on ln P_{t-1} - m: slope 1 - kappa Delta
  // = 0.9333, intercept 0, residual variance sigma^2 Delta. Slope and
  // intercept to 4 SE (SE of the slope ~4e-4: no mean reversion, slope 1,
  // misses by 150 SE; reversion away from the mean, 1.067, by 300 SE); the
  // residual variance to 5 SE.
  const Fit fit = fit_line(previous, current);
  EXPECT_NEAR(fit.slope, phi, 4 * fit.se_slope);
  EXPECT_NEAR(fit.intercept, 0, 4 * fit.se_intercept);
  EXPECT_NEAR(fit.residual_variance, sd * sd, 5 * sd * sd * std::sqrt(2 / fit.n));

  // The reported price after 36 months is lognormal with the OU moments:
  // E[P_T] = exp(mu_T + v_T / 2). To 4 SE (the SE from the sample).
  const double mu_t = m + (std::log(p0) - m) * std::pow(phi, months);
  const double v_t = sd * sd * (1 - std::pow(phi, 2 * months)) / (1 - phi * phi);
  const Moments price = moments_of(final_price);
  EXPECT_NEAR(price.mean, std::exp(mu_t + v_t / 2), 4 * price.se_mean);
}

TEST(StatisticalDrivers, OilJumpFrequencyAndSize) {
  // Only jumps: lambda = 3 a year, size N(-0.15, 0.1^2).
  const double lambda = 3, jump_mean = -0.15, jump_sd = 0.1;
  const int lanes = 100000;
  const Config config =
      quiet_config({"simulation.seed=11", "scenario.months=4", "oil.jump_intensity=3",
                    "oil.jump_mean=-0.15", "oil.jump_volatility=0.1"});
  std::vector<double> increments;
  double nonzero = 0;
  run_model(
      config, lanes, [](int, const BlockState&) {},
      [&](int, const BlockState& s, const BlockDraws&) {
        for (int lane = 0; lane < lanes; ++lane) {
          increments.push_back(s.oil_increment[lane]);
          nonzero += s.oil_increment[lane] != 0.0;
        }
      });
  const double n = static_cast<double>(increments.size());

  // Share of months with a jump: 1 - exp(-lambda Delta) = 0.2212, to 4 SE
  // (SE 6.6e-4). lambda Delta = 0.25 instead misses by 44 SE; lambda without
  // Delta by more than 1000.
  const double q = 1 - std::exp(-lambda * kMonth);
  EXPECT_NEAR(nonzero / n, q, 4 * std::sqrt(q * (1 - q) / n));

  // Compound Poisson moments: mean lambda Delta mu_J, variance
  // lambda Delta (mu_J^2 + sigma_J^2). Mean to 4 SE, variance to 5 SE (SEs
  // from the sample's own moments).
  const Moments m = moments_of(increments);
  EXPECT_NEAR(m.mean, lambda * kMonth * jump_mean, 4 * m.se_mean);
  EXPECT_NEAR(m.variance, lambda * kMonth * (jump_mean * jump_mean + jump_sd * jump_sd),
              5 * m.se_variance);
}

TEST(StatisticalDrivers, FxPassThroughRecoveredByRegression) {
  // Oil with diffusion and frequent jumps; the exchange rate follows the whole
  // oil increment with elasticity beta = -0.4, plus drift and its own noise.
  const double drift = 0.05, fx_sigma = 0.15, beta = -0.4;
  const int lanes = 100000;
  const Config config = quiet_config(
      {"simulation.seed=13", "scenario.months=2", "oil.mean_reversion=0.8", "oil.volatility=0.35",
       "oil.jump_intensity=6", "oil.jump_mean=-0.15", "oil.jump_volatility=0.1", "fx.drift=0.05",
       "fx.volatility=0.15", "fx.oil_elasticity=-0.4"});
  Eigen::ArrayXd before_oil(lanes), before_fx(lanes);
  std::vector<double> d_oil, d_fx;
  run_model(
      config, lanes,
      [&](int, const BlockState& s) {
        before_oil = s.log_oil;
        before_fx = s.log_fx;
      },
      [&](int, const BlockState& s, const BlockDraws&) {
        for (int lane = 0; lane < lanes; ++lane) {
          d_oil.push_back(s.log_oil[lane] - before_oil[lane]);
          d_fx.push_back(s.log_fx[lane] - before_fx[lane]);
        }
      });
  // Regression of d ln X on d ln P: slope beta, intercept drift Delta,
  // residual variance sigma_X^2 Delta. Slope and intercept to 4 SE (slope SE
  // ~6e-4: a wrong sign misses by 1000 SE; passing through only the diffusion
  // part, slope ~-0.16, by several hundred; a drift without Delta, intercept
  // 0.05, by 450); residual variance to 5 SE (SE 0.3 %).
  const Fit fit = fit_line(d_oil, d_fx);
  EXPECT_NEAR(fit.slope, beta, 4 * fit.se_slope);
  EXPECT_NEAR(fit.intercept, drift * kMonth, 4 * fit.se_intercept);
  const double v = fx_sigma * fx_sigma * kMonth;
  EXPECT_NEAR(fit.residual_variance, v, 5 * v * std::sqrt(2 / fit.n));
}

// Pooled lag-1 regression of an AR(1) x_t = rho x_{t-1} + sigma e_t started
// at x_{-1} = 0, and the closed-form variance of x at the last month.
void expect_ar1(const char* what, const std::vector<double>& previous,
                const std::vector<double>& current, const std::vector<double>& last, double rho,
                double sigma, int months) {
  SCOPED_TRACE(what);
  // Slope and intercept to 4 SE (slope SE ~1e-3 here: the other drivers'
  // persistences, 0.5 / 0.6 / 0.7, miss by ~90 SE); innovation variance and
  // last-month variance to 5 SE (an innovation scaled by sqrt(Delta) misses
  // by 90 %).
  const Fit fit = fit_line(previous, current);
  EXPECT_NEAR(fit.slope, rho, 4 * fit.se_slope);
  EXPECT_NEAR(fit.intercept, 0, 4 * fit.se_intercept);
  EXPECT_NEAR(fit.residual_variance, sigma * sigma, 5 * sigma * sigma * std::sqrt(2 / fit.n));
  const double variance = sigma * sigma * (1 - std::pow(rho, 2 * months)) / (1 - rho * rho);
  const Moments m = moments_of(last);
  EXPECT_NEAR(m.variance, variance, 5 * variance * std::sqrt(2 / m.n));
}

TEST(StatisticalDrivers, NonOilRevenueAndBankLiquidityAreAr1) {
  // Only non-oil revenue earns anything and nothing is spent, so the need is
  // -R^no = -base exp(g t Delta + a_t) and a_t can be read off the report;
  // with no deficit banks absorb nothing, S stays 0, no auction fails and the
  // capacity is A exp(w_t), so w_t can be read off too. Spending's state b_t
  // is read from the block state.
  const double base = 2300, growth = 0.08, a_rho = 0.6, a_sigma = 0.03;
  const double b_rho = 0.5, b_sigma = 0.04, w_rho = 0.7, w_sigma = 0.3, absorption = 250;
  const int months = 12, lanes = 50000;
  const Config config = quiet_config(
      {"simulation.seed=17", "revenue.non_oil.base_monthly=2300", "revenue.non_oil.growth=0.08",
       "revenue.non_oil.persistence=0.6", "revenue.non_oil.volatility=0.03",
       "spending.base_monthly=0", "spending.persistence=0.5", "spending.volatility=0.04",
       "banks.absorption_monthly=250", "banks.persistence=0.7", "banks.volatility=0.3"});

  struct Series {
    std::vector<double> previous, current, last;
    Eigen::ArrayXd state;
  };
  Series a, b, w;
  for (Series* series : {&a, &b, &w})
    series->state = Eigen::ArrayXd::Zero(lanes);
  std::vector<Moments> a_by_month;
  run_model(
      config, lanes, [](int, const BlockState&) {},
      [&](int t, const BlockState& s, const BlockDraws&) {
        const Eigen::ArrayXd need = s.reported[kNeed];
        ASSERT_TRUE((need < 0).all());
        const Eigen::ArrayXd a_now = (-need / base).log() - growth * t * kMonth;
        const Eigen::ArrayXd w_now = (s.capacity / absorption).log();
        const Eigen::ArrayXd b_now = s.spending_state;
        for (auto [series, now] : {std::pair{&a, &a_now}, {&b, &b_now}, {&w, &w_now}}) {
          for (int lane = 0; lane < lanes; ++lane) {
            series->previous.push_back(series->state[lane]);
            series->current.push_back((*now)[lane]);
          }
          series->state = *now;
          if (t == months - 1)
            series->last = to_vector(*now);
        }
        a_by_month.push_back(moments_of(to_vector(a_now)));
      });

  // E[a_t] = 0 in every month once the known trend is taken out: 4.5 SE per
  // month (12 checks, SE ~1.3e-4). Growth indexed one month late
  // (g (t+1) Delta) shifts every month by -0.0067, 50 SE.
  for (int t = 0; t < months; ++t) {
    EXPECT_NEAR(a_by_month[t].mean, 0, 4.5 * a_by_month[t].se_mean) << "month " << t;
  }
  expect_ar1("non-oil revenue a_t (from the need)", a.previous, a.current, a.last, a_rho, a_sigma,
             months);
  expect_ar1("spending b_t (state)", b.previous, b.current, b.last, b_rho, b_sigma, months);
  expect_ar1("bank liquidity w_t (from the capacity)", w.previous, w.current, w.last, w_rho,
             w_sigma, months);
}

TEST(StatisticalDrivers, SpendingIsAr1AroundItsSeasonalTrend) {
  // Only spending, starting in March with a seasonal pattern whose
  // neighbouring months differ: need = G = base exp(g t Delta + b_t) s_{m(t)}.
  const double base = 3500, growth = 0.06, rho = 0.5, sigma = 0.04;
  const std::array<double, 12> season = {1.3, 0.95, 0.9,  1.0, 1.05, 0.95,
                                         1.1, 0.85, 0.95, 1.0, 0.9,  1.2};
  const int months = 12, lanes = 50000, start_month = 3;
  const Config config = quiet_config(
      {"simulation.seed=19", "scenario.start=2025-03", "spending.base_monthly=3500",
       "spending.growth=0.06", "spending.persistence=0.5", "spending.volatility=0.04",
       "spending.seasonality=[1.3, 0.95, 0.9, 1.0, 1.05, 0.95, 1.1, 0.85, 0.95, 1.0, 0.9, 1.2]"});
  std::vector<double> previous, current, last;
  Eigen::ArrayXd state = Eigen::ArrayXd::Zero(lanes);
  std::vector<Moments> by_month;
  run_model(
      config, lanes, [](int, const BlockState&) {},
      [&](int t, const BlockState& s, const BlockDraws&) {
        const double seasonal = season[(start_month - 1 + t) % 12];
        const Eigen::ArrayXd b_now =
            (s.reported[kNeed] / (base * seasonal)).log() - growth * t * kMonth;
        for (int lane = 0; lane < lanes; ++lane) {
          previous.push_back(state[lane]);
          current.push_back(b_now[lane]);
        }
        state = b_now;
        if (t == months - 1)
          last = to_vector(b_now);
        by_month.push_back(moments_of(to_vector(b_now)));
      });
  // E[b_t] = 0 in every month: 4.5 SE per month (SE ~2e-4). A seasonal factor
  // or a start month one month off shifts b_t by |ln(s_m+1 / s_m)| >= 0.048,
  // i.e. >= 250 SE, in most months.
  for (int t = 0; t < months; ++t) {
    EXPECT_NEAR(by_month[t].mean, 0, 4.5 * by_month[t].se_mean) << "month " << t;
  }
  expect_ar1("spending b_t (from the need)", previous, current, last, rho, sigma, months);
}

TEST(StatisticalDrivers, ShockCorrelationMatchesTheConfiguredMatrix) {
  // With no persistence, mean reversion, jumps, drift or pass-through, each
  // correlated shock can be read back from its own series:
  // z_oil = d ln P / (sigma sqrt(Delta)), z_fx = d ln X / (sigma_X sqrt(Delta)),
  // z_no = a_t / sigma_a, z_sp = b_t / sigma_b. The liquidity shock
  // (w_t / sigma_w) must be independent of all four.
  const double r[4][4] = {
      {1, -0.5, 0.3, 0.15}, {-0.5, 1, -0.2, 0.1}, {0.3, -0.2, 1, 0.4}, {0.15, 0.1, 0.4, 1}};
  const double oil_sigma = 0.35, fx_sigma = 0.15, a_sigma = 0.03, b_sigma = 0.04, w_sigma = 0.3;
  const int lanes = 50000;
  const Config config = quiet_config(
      {"simulation.seed=23", "scenario.months=4", "oil.volatility=0.35", "fx.volatility=0.15",
       "revenue.non_oil.volatility=0.03", "spending.volatility=0.04", "banks.volatility=0.3",
       "correlation=[[1, -0.5, 0.3, 0.15], [-0.5, 1, -0.2, 0.1], [0.3, -0.2, 1, 0.4], [0.15, 0.1, "
       "0.4, 1]]"});
  Eigen::ArrayXd before_fx(lanes);
  std::array<std::vector<double>, 5> z;
  run_model(
      config, lanes, [&](int, const BlockState& s) { before_fx = s.log_fx; },
      [&](int, const BlockState& s, const BlockDraws&) {
        for (int lane = 0; lane < lanes; ++lane) {
          z[kOilShock].push_back(s.oil_increment[lane] / (oil_sigma * std::sqrt(kMonth)));
          z[kFxShock].push_back((s.log_fx[lane] - before_fx[lane]) /
                                (fx_sigma * std::sqrt(kMonth)));
          z[kNonOilShock].push_back(s.non_oil_state[lane] / a_sigma);
          z[kSpendingShock].push_back(s.spending_state[lane] / b_sigma);
          z[4].push_back(s.liquidity_state[lane] / w_sigma);
        }
      });
  const double n = static_cast<double>(z[0].size());
  // Unit variances to 5 SE (SE 0.3 %): a missing or doubled sqrt(Delta), or
  // an unnormalised Cholesky row, misses by far more.
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(moments_of(z[i]).variance, 1, 5 * std::sqrt(2 / n)) << "shock " << i;
  }
  // Each correlation to 5 SE, SE = (1 - rho^2) / sqrt(n) ~ 0.002 (16
  // checks). No Cholesky (z = eps) misses rho = -0.5 by 300 SE; L^T in place
  // of L, or two shocks swapped, misses at least one entry by more than 50 SE.
  for (int i = 0; i < 5; ++i) {
    for (int j = i + 1; j < 5; ++j) {
      const double target = j < 4 ? r[i][j] : 0.0;
      EXPECT_NEAR(correlation(z[i], z[j]), target, 5 * (1 - target * target) / std::sqrt(n))
          << "shocks " << i << ", " << j;
    }
  }
}

TEST(StatisticalDrivers, AuctionFailureFrequencyIsTheBaseProbability) {
  // Need 100 a month, no saturation slope, random bank liquidity: a
  // successful auction always absorbs something (A exp(w) > 0), so B = 0 while
  // N > 0 exactly when the auction fails, with probability p_base = 0.1.
  const double p_base = 0.1;
  const int lanes = 50000;
  const Config config =
      quiet_config({"simulation.seed=29", "banks.auction_fail_base=0.1", "banks.persistence=0.7",
                    "banks.volatility=0.3", "banks.saturation=1.0e9"});
  double months_in_deficit = 0, failed = 0;
  run_model(
      config, lanes, [](int, const BlockState&) {},
      [&](int, const BlockState& s, const BlockDraws&) {
        for (int lane = 0; lane < lanes; ++lane) {
          if (s.reported[kNeed][lane] <= 0)
            continue;
          ++months_in_deficit;
          failed += s.reported[kBankAbsorbed][lane] == 0.0;
        }
      });
  ASSERT_EQ(months_in_deficit, 12.0 * lanes);
  // To 4 SE (SE 3.9e-4): failing when u > p (share 0.9) or never misses by
  // more than 250 SE.
  EXPECT_NEAR(failed / months_in_deficit, p_base,
              4 * std::sqrt(p_base * (1 - p_base) / months_in_deficit));
}

TEST(StatisticalDrivers, AuctionFailureProbabilityRisesWithSaturation) {
  // p_t = p_base + p_slope S_{t-1} / S_max with S_{t-1} the stock before the
  // month. Need 100 a month, S_max = 2000, at most 11 successes before the last
  // month, so 1 - S/S_max >= 0.45 and the capacity (>= 450) always covers the
  // need: B_t = 0 exactly when the auction fails.
  const double p_base = 0.05, p_slope = 0.6, saturation = 2000;
  const int lanes = 50000;
  const Config config = quiet_config({"simulation.seed=31", "banks.auction_fail_base=0.05",
                                      "banks.auction_fail_slope=0.6", "banks.saturation=2000"});
  Eigen::ArrayXd stock_before(lanes);
  std::vector<double> used, failures;
  double expected = 0, variance = 0;
  run_model(
      config, lanes, [&](int, const BlockState& s) { stock_before = s.bank_stock; },
      [&](int, const BlockState& s, const BlockDraws&) {
        for (int lane = 0; lane < lanes; ++lane) {
          ASSERT_GT(s.reported[kNeed][lane], 0);
          const double share = stock_before[lane] / saturation;
          const double p = p_base + p_slope * share;
          used.push_back(share);
          failures.push_back(s.reported[kBankAbsorbed][lane] == 0.0 ? 1.0 : 0.0);
          expected += p;
          variance += p * (1 - p);
        }
      });
  double observed = 0;
  for (const double f : failures)
    observed += f;
  // Failure count against the sum of the p_t: a martingale, so
  // (observed - expected) / sqrt(sum p(1 - p)) is N(0, 1); to 4 SE (SE ~300
  // failures out of ~115000). Dropping the slope term misses by ~300 SE;
  // counting this month's need in S (p higher by 0.03) by about 60.
  EXPECT_NEAR(observed, expected, 4 * std::sqrt(variance));
  // Linear probability regression of failure on S/S_max: slope p_slope and
  // intercept p_base, each to 4 heteroscedasticity-robust SE (slope SE ~0.003,
  // intercept SE ~8e-4).
  const Fit fit = fit_line(used, failures);
  EXPECT_NEAR(fit.slope, p_slope, 4 * fit.robust_se_slope);
  EXPECT_NEAR(fit.intercept, p_base, 4 * fit.robust_se_intercept);
}

// ---------------------------------------------------------------------------
// Closed forms through the whole engine.

TEST(StatisticalEngine, FirstDefaultMonthIsGeometric) {
  // Only auction failures are random. With no fund and a zero threshold, the
  // first failed auction leaves the whole need unfinanced and is the default:
  // P(default in month t) = (1 - p)^t p. Starting in March, the first calendar
  // year has 10 months.
  const double p = 0.05;
  const int months = 24;
  const std::uint64_t paths = 40000;
  const Config config =
      quiet_config({"simulation.seed=37", "simulation.paths=40000", "scenario.start=2025-03",
                    "scenario.months=24", "banks.auction_fail_base=0.05"});
  const SimulationResult result = run_engine(config);
  const auto& counts = result.event_month_counts[kDefault];
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(months));
  std::vector<double> observed;
  double defaults = 0;
  for (const auto c : counts)
    observed.push_back(static_cast<double>(c)), defaults += c;
  observed.push_back(static_cast<double>(paths) - defaults);
  // Chi-square over the 24 months and "no default", 24 degrees of freedom, at
  // its 1e-4 critical value (58.6). The default recorded a month late (nothing
  // in month 0 where 2000 are expected) gives ~2100, 36 times as much.
  EXPECT_LE(chi_square(observed, geometric_cells(p, months)), chi_square_critical(months));

  // P(default by the end of the first calendar year) = 1 - (1 - p)^10, to 4 SE.
  const auto ends = result.calendar.last_month_of_each_year();
  ASSERT_EQ(ends.front(), 9);
  const auto by_year = cumulative_probability(counts, paths, ends);
  EXPECT_NEAR(by_year.front().probability, 1 - std::pow(1 - p, 10),
              4 * by_year.front().standard_error);
}

TEST(StatisticalEngine, CeasefireMonthFollowsTheHazard) {
  // Only the ceasefire is random: per month it comes with probability
  // q = 1 - exp(-h Delta), so its month is geometric in q. h = 1.2 a year,
  // q = 0.0952.
  const double hazard = 1.2, q = 1 - std::exp(-hazard * kMonth);
  const int months = 24;
  const Config config =
      quiet_config({"simulation.seed=41", "simulation.paths=20000", "scenario.months=24",
                    "spending.ceasefire.hazard_per_year=1.2", "spending.ceasefire.cut=0.5"});

  // (a) Over one block of 100000 lanes, from BlockState::ceasefire_month.
  // Chi-square, 24 degrees of freedom, at its 1e-4 critical value (58.6).
  // Using h Delta for q (0.1) gives a statistic of ~240; a month late, ~10^4.
  {
    const int lanes = 100000;
    std::vector<double> observed(months + 1, 0);
    run_model(
        config, lanes, [](int, const BlockState&) {},
        [&](int t, const BlockState& s, const BlockDraws&) {
          if (t != months - 1)
            return;
          for (int lane = 0; lane < lanes; ++lane) {
            const int month = s.ceasefire_month[lane];
            ++observed[month == kNoEvent ? months : month];
          }
        });
    EXPECT_LE(chi_square(observed, geometric_cells(q, months)), chi_square_critical(months));
  }

  // (b) Through the engine: the need is spending alone, 100 a month until the
  // ceasefire and 50 from its month on; read the month off the sample paths.
  // Same chi-square test (a month late: ~2100). The step shape is checked
  // exactly: a cut applied a month after the ceasefire fails it.
  {
    const std::uint64_t paths = config.simulation.paths;
    const SimulationResult result = run_engine(config, paths);
    const RowMajorArray& need = result.sample_paths[kNeed];
    ASSERT_EQ(need.rows(), static_cast<Eigen::Index>(paths));
    std::vector<double> observed(months + 1, 0);
    for (Eigen::Index path = 0; path < need.rows(); ++path) {
      int month = months;
      for (int t = 0; t < months; ++t) {
        if (need(path, t) < 75) {
          month = t;
          break;
        }
      }
      for (int t = 0; t < months; ++t) {
        ASSERT_NEAR(need(path, t), t < month ? 100.0 : 50.0, 1e-9)
            << "path " << path << " month " << t;
      }
      ++observed[month];
    }
    EXPECT_LE(chi_square(observed, geometric_cells(q, months)), chi_square_critical(months));
  }
}

// ---------------------------------------------------------------------------
// Convergence of the estimates and their reported errors.

// The geometric default case of FirstDefaultMonthIsGeometric over one
// calendar year (January start): P(default by the end of year 1) = 1 - (1 - p)^12.
constexpr double kAuctionFail = 0.03;
const double kDefaultByYear = 1 - std::pow(1 - kAuctionFail, 12);  // 0.306

ProbabilityEstimate default_by_first_year(std::uint64_t paths, std::uint64_t seed) {
  const Config config =
      quiet_config({"simulation.seed=" + std::to_string(seed),
                    "simulation.paths=" + std::to_string(paths), "banks.auction_fail_base=0.03"});
  const SimulationResult result = run_engine(config);
  return cumulative_probability(result.event_month_counts[kDefault], paths,
                                result.calendar.last_month_of_each_year())
      .front();
}

TEST(StatisticalConvergence, StandardErrorShrinksAsOneOverRootN) {
  const double pi = kDefaultByYear;
  const std::uint64_t sizes[3] = {2500, 10000, 40000};
  ProbabilityEstimate estimate[3];
  for (int i = 0; i < 3; ++i)
    estimate[i] = default_by_first_year(sizes[i], 101 + i);

  for (int i = 0; i < 3; ++i) {
    const double n = static_cast<double>(sizes[i]);
    const double se_true = std::sqrt(pi * (1 - pi) / n);
    // Each estimate to 4 SE of the truth.
    EXPECT_NEAR(estimate[i].probability, pi, 4 * se_true) << sizes[i] << " paths";
    // The reported SE is sqrt(p(1 - p)/n) at the estimate; by the delta method
    // its own sampling SD is |1 - 2 pi| / (2 n). To 5 of those SDs.
    EXPECT_NEAR(estimate[i].standard_error, se_true, 5 * std::abs(1 - 2 * pi) / (2 * n))
        << sizes[i] << " paths";
  }
  for (int i = 0; i + 1 < 3; ++i) {
    // Four times the paths halves the SE. The ratio's relative SD, by the
    // delta method over the two independent runs, is
    // |1 - 2 pi| / (2 sqrt(pi (1 - pi))) * sqrt(1/n_i + 1/n_{i+1}) (0.94 % for
    // 2500 vs 10000); the ratio to 5 of those SDs of 2 (about +-0.09). An SE
    // that shrinks as 1/n (ratio 4) or not at all (ratio 1) fails.
    const double n1 = static_cast<double>(sizes[i]), n2 = static_cast<double>(sizes[i + 1]);
    const double relative_sd =
        std::abs(1 - 2 * pi) / (2 * std::sqrt(pi * (1 - pi))) * std::sqrt(1 / n1 + 1 / n2);
    EXPECT_NEAR(estimate[i].standard_error / estimate[i + 1].standard_error, 2, 5 * 2 * relative_sd)
        << sizes[i] << " vs " << sizes[i + 1] << " paths";
    // The estimates agree within their errors: 4 combined SE.
    for (int j = i + 1; j < 3; ++j) {
      EXPECT_NEAR(estimate[i].probability, estimate[j].probability,
                  4 * std::hypot(estimate[i].standard_error, estimate[j].standard_error));
    }
  }
}

TEST(StatisticalConvergence, WilsonIntervalsCoverAtTheNominalRate) {
  // 200 independent runs (seeds 1000..1199) of 1000 paths each; count how
  // many reported 95 % intervals contain the true P(default by year 1).
  const double pi = kDefaultByYear;
  const int runs = 200;
  const double paths = 1000;

  // The exact coverage of a 95 % Wilson interval at n = 1000, p = pi, from
  // the binomial law (an independent implementation of the interval):
  // about 0.95, not exactly, as the count is discrete.
  const boost::math::binomial_distribution<double> outcomes(paths, pi);
  double coverage = 0;
  for (int k = 0; k <= static_cast<int>(paths); ++k) {
    const Interval ci = wilson(k, paths);
    if (ci.low <= pi && pi <= ci.high)
      coverage += boost::math::pdf(outcomes, k);
  }
  ASSERT_NEAR(coverage, 0.95, 0.01);

  int covered = 0;
  std::vector<double> estimates;
  for (int run = 0; run < runs; ++run) {
    const ProbabilityEstimate e =
        default_by_first_year(static_cast<std::uint64_t>(paths), 1000 + run);
    // The reported interval is the Wilson interval of the reported estimate.
    const Interval ci = wilson(std::round(e.probability * paths), paths);
    EXPECT_NEAR(e.ci95_low, ci.low, 1e-12);
    EXPECT_NEAR(e.ci95_high, ci.high, 1e-12);
    covered += e.ci95_low <= pi && pi <= e.ci95_high;
    estimates.push_back(e.probability);
  }
  // The count of covering intervals is Binomial(200, coverage = 0.9495):
  // accept the central range that holds all but 1e-4 of it (5e-5 in each
  // tail): 176 .. 199, i.e. about 190 -14/+9, ~4 SD. With 200 runs this
  // catches gross errors only: intervals half as wide (coverage ~0.68), or
  // runs that share their paths (0 or 200 covering). A subtler error in the
  // interval (z for 90 %) is caught above by the exact comparison with the
  // formula, not by the count.
  const boost::math::binomial_distribution<double> count_law(runs, coverage);
  int low = 0, high = runs;
  while (boost::math::cdf(count_law, low) <= 5e-5)
    ++low;  // P(count < low) <= 5e-5
  while (boost::math::cdf(boost::math::complement(count_law, high - 1)) <= 5e-5)
    --high;  // P(count > high) <= 5e-5
  EXPECT_GE(covered, low);
  EXPECT_LE(covered, high);
  // The runs are independent: their estimates spread like Binomial(1000, pi) / 1000.
  const Moments spread = moments_of(estimates);
  const double variance = pi * (1 - pi) / paths;
  EXPECT_NEAR(spread.variance, variance, 5 * variance * std::sqrt(2.0 / (runs - 1)));  // 5 SE
}

}  // namespace
}  // namespace sovrisk
