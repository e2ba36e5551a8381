// Priors (docs/config.md, "Priors"): each family's draws follow its law, the
// config refuses priors that could draw an invalid value, every path draws its
// own parameters reproducibly, and the probability of a run with priors is the
// probability integrated over them.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "cli_support.h"
#include "sovrisk/engine.h"
#include "sovrisk/priors.h"
#include "sovrisk/results_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

namespace math = boost::math;

// The Kolmogorov-Smirnov statistic sup |F_n - F| of `values` against `cdf`.
double ks_statistic(std::vector<double> values, const std::function<double(double)>& cdf) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  double largest = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double f = cdf(values[i]);
    largest = std::max({largest, (i + 1) / n - f, f - i / n});
  }
  return largest;
}

// The KS test at level 1e-4: sqrt(n) D exceeds c with probability
// 2 sum (-1)^(k-1) exp(-2 k^2 c^2) ~ 2 exp(-2 c^2) for large n, so
// c = sqrt(ln(2 / 1e-4) / 2) = 2.2263 (the next term is below 1e-17).
constexpr double kKsCritical = 2.2263;
constexpr std::uint64_t kDraws = 20000;

struct FamilyCase {
  std::string name;
  std::string key;    // a real-valued key whose rule holds the prior's support
  std::string prior;  // as the config gives it
  std::function<double(double)> cdf;
};

std::vector<FamilyCase> family_cases() {
  const math::normal_distribution<> normal(0.35, 0.1);
  const math::lognormal_distribution<> lognormal(std::log(65.0), 0.2);
  const math::beta_distribution<> beta(2.0, 5.0);
  const math::triangular_distribution<> triangular(0.1, 0.25, 0.6);
  return {
      {"uniform", "oil.long_run_mean", "{prior: uniform, low: 50, high: 80}",
       [](double x) { return (x - 50) / 30; }},
      {"normal truncated", "oil.volatility", "{prior: normal, mean: 0.35, sd: 0.1, low: 0.2, high: 3}",
       [normal](double x) {
         const double below = math::cdf(normal, 0.2), above = math::cdf(normal, 3.0);
         return (math::cdf(normal, x) - below) / (above - below);
       }},
      {"lognormal", "oil.p0", "{prior: lognormal, median: 65, sigma: 0.2}",
       [lognormal](double x) { return math::cdf(lognormal, x); }},
      {"beta scaled", "banks.volatility", "{prior: beta, a: 2, b: 5, low: 0.1, high: 0.4}",
       [beta](double x) { return math::cdf(beta, (x - 0.1) / 0.3); }},
      {"triangular", "fx.volatility", "{prior: triangular, low: 0.1, mode: 0.25, high: 0.6}",
       [triangular](double x) { return math::cdf(triangular, x); }},
  };
}

TEST(Priors, EachFamilyDrawsItsLawByKolmogorovSmirnovAtOneInTenThousand) {
  for (const FamilyCase& family : family_cases()) {
    SCOPED_TRACE(family.name);
    const Config config = testing::config_from(testing::stochastic_yaml(),
                                               {family.key + "=" + family.prior});
    ASSERT_EQ(config.priors.size(), 1u);
    std::vector<double> values;
    for (std::uint64_t path = 0; path < kDraws; ++path)
      values.push_back(parameters_of_path(config, path)[0]);
    EXPECT_LT(std::sqrt(double(kDraws)) * ks_statistic(values, family.cdf), kKsCritical);
  }
}

// The test above can fail: the same draws against a law moved by a tenth of a
// standard deviation (uniform: 1 of 30) are refused.
TEST(Priors, KolmogorovSmirnovRefusesAShiftedLaw) {
  const Config config =
      testing::config_from(testing::stochastic_yaml(), {"oil.long_run_mean={prior: uniform, low: 50, high: 80}"});
  std::vector<double> values;
  for (std::uint64_t path = 0; path < kDraws; ++path)
    values.push_back(parameters_of_path(config, path)[0]);
  const auto shifted = [](double x) { return std::clamp((x - 51) / 30, 0.0, 1.0); };
  EXPECT_GT(std::sqrt(double(kDraws)) * ks_statistic(values, shifted), kKsCritical);
}

// Two priors draw independent uniforms of one sub-stream, in schema order; a
// config without priors keeps its numbers, and the field holds the median.
TEST(Priors, FieldsHoldTheMedianAndPathsTheirOwnDraws) {
  const Config config = testing::config_from(
      testing::stochastic_yaml(), {"banks.volatility={prior: uniform, low: 0.1, high: 0.5}",
                                   "oil.long_run_mean={prior: triangular, low: 50, mode: 60, high: 80}"});
  ASSERT_EQ(config.priors.size(), 2u);
  EXPECT_EQ(config.priors[0].key, "oil.long_run_mean");  // schema order, not the order given
  EXPECT_EQ(config.priors[1].key, "banks.volatility");
  EXPECT_DOUBLE_EQ(config.banks.volatility, 0.3);
  EXPECT_NEAR(config.oil.long_run_mean, config.priors[0].prior.quantile(0.5), 0.0);
  const Config path = config_of_path(config, 17);
  const std::vector<double> values = parameters_of_path(config, 17);
  EXPECT_EQ(path.oil.long_run_mean, values[0]);
  EXPECT_EQ(path.banks.volatility, values[1]);
  EXPECT_NE(values, parameters_of_path(config, 18));
  EXPECT_EQ(values, parameters_of_path(config, 17));
  double correlation = 0, mean0 = 0, mean1 = 0;
  std::vector<std::vector<double>> draws;
  for (std::uint64_t p = 0; p < kDraws; ++p)
    draws.push_back(parameters_of_path(config, p));
  for (const auto& d : draws) {
    mean0 += d[0] / kDraws;
    mean1 += d[1] / kDraws;
  }
  double var0 = 0, var1 = 0;
  for (const auto& d : draws) {
    correlation += (d[0] - mean0) * (d[1] - mean1);
    var0 += (d[0] - mean0) * (d[0] - mean0);
    var1 += (d[1] - mean1) * (d[1] - mean1);
  }
  // Independent: the sample correlation within 4 standard errors (1/sqrt(n)) of 0.
  EXPECT_LT(std::abs(correlation / std::sqrt(var0 * var1)), 4 / std::sqrt(double(kDraws)));
  EXPECT_EQ(testing::config_from(testing::stochastic_yaml()).priors.size(), 0u);
}

// A prior that could draw a value the key's rule refuses is refused, with the
// file, the line and the key; so are malformed priors and priors on whole numbers.
TEST(Priors, PriorsThatCouldDrawInvalidValuesAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"oil.volatility={prior: normal, mean: 0.3, sd: 0.1}", "truncate it with low and high"},
      {"oil.volatility={prior: uniform, low: -0.1, high: 0.5}", "must be between 0 and 3"},
      {"banks.auction_fail_base={prior: beta, a: 2, b: 3, high: 1.2}", "must be a probability"},
      {"oil.p0={prior: uniform, low: 0, high: 80}", "must be > 0"},
      {"oil.p0={prior: lognormal, median: 65, sigma: -1}", "key 'oil.p0.sigma': must be > 0"},
      {"oil.p0={prior: triangular, low: 50, mode: 90, high: 80}", "must lie between low and high"},
      {"oil.p0={prior: uniform, low: 80, high: 50}", "low must be below its high"},
      {"oil.p0={prior: uniform, low: 50}", "key 'oil.p0.high': is missing"},
      {"oil.p0={prior: uniform, low: 50, high: 80, mode: 60}", "key 'oil.p0.mode': unknown key"},
      {"oil.p0={prior: gamma, low: 50, high: 80}", "must be uniform, normal, lognormal, beta or triangular"},
      {"oil.p0={low: 50, high: 80}", "key 'oil.p0.prior': is missing"},
      {"scenario.months={prior: uniform, low: 10, high: 20}", "takes a whole number, not a prior"},
      {"revenue.oil_gas.p_ref={prior: uniform, low: 10, high: 80}",
       "must be above revenue.oil_gas.price_floor"},
  };
  for (const auto& [assignment, message] : cases) {
    SCOPED_TRACE(assignment);
    try {
      testing::config_from(testing::stochastic_yaml(), {assignment});
      ADD_FAILURE() << "accepted";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
  }
  // In a file: the line of the key.
  std::string yaml = testing::stochastic_yaml();
  const std::string from = "long_run_mean: 65", to = "long_run_mean: {prior: normal, mean: 65, sd: 5}";
  yaml.replace(yaml.find(from), from.size(), to);
  try {
    testing::config_from(yaml);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("test.yaml:3: key 'oil.long_run_mean'"),
              std::string::npos)
        << error.what();
  }
}

bool same_bits(const Eigen::ArrayXd& a, const Eigen::ArrayXd& b) {
  return a.size() == b.size() && std::equal(a.data(), a.data() + a.size(), b.data());
}

// Reproducibility holds with priors: any thread count gives the same bits, and
// the first paths of a longer run are the same paths.
TEST(Priors, RunsWithPriorsAreBitIdenticalForAnyThreadCountAndPrefix) {
  Config config = testing::config_from(
      testing::stochastic_yaml(),
      {"oil.long_run_mean={prior: uniform, low: 50, high: 80}",
       "spending.growth={prior: normal, mean: 0.06, sd: 0.02, low: 0, high: 0.12}"});
  config.simulation.paths = 2500;
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  one.per_path_events = two.per_path_events = true;
  const SimulationResult a = simulate(config, one);
  const SimulationResult b = simulate(config, two);
  ASSERT_GT(a.event_month_counts[kDefault][35], 0u);
  for (int v = 0; v < a.outputs.variables; ++v) {
    EXPECT_TRUE(same_bits(a.mean[v], b.mean[v])) << v;
    EXPECT_TRUE(a.fan[v].isApprox(b.fan[v], 0.0)) << v;
  }
  EXPECT_EQ(a.per_path_event_month[kDefault], b.per_path_event_month[kDefault]);
  config.simulation.paths = 1200;
  const SimulationResult shorter = simulate(config, one);
  EXPECT_TRUE(std::equal(shorter.per_path_event_month[kDefault].begin(),
                         shorter.per_path_event_month[kDefault].end(),
                         a.per_path_event_month[kDefault].begin()));
}

// The probability of a run with a prior is the prior's average of the
// probability at fixed parameters: against the midpoint rule over 32
// equal-probability strata of the prior (32 runs of 3000 paths, common random
// numbers), within 4 standard errors of the difference. The strata's
// quadrature error is below 10^-4 for a probability this smooth in theta.
TEST(Priors, ProbabilityIsIntegratedOverThePrior) {
  const std::string prior = "{prior: uniform, low: 50, high: 80}";
  Config integrated = testing::config_from(testing::stochastic_yaml(),
                                           {"oil.long_run_mean=" + prior});
  integrated.simulation.paths = 40000;
  RunOptions options;
  const SimulationResult with_prior = simulate(integrated, options);
  const int horizon = integrated.scenario.months - 1;
  const auto by_end = [&](const SimulationResult& result) {
    double events = 0;
    for (int t = 0; t <= horizon; ++t)
      events += result.event_month_counts[kDefault][t];
    return events / result.paths;
  };
  const double p = by_end(with_prior);
  constexpr int kStrata = 32;
  double average = 0, variance_of_average = 0, lowest = 1, highest = 0;
  for (int k = 0; k < kStrata; ++k) {
    Config fixed = testing::config_from(testing::stochastic_yaml());
    fixed.oil.long_run_mean = integrated.priors[0].prior.quantile((k + 0.5) / kStrata);
    fixed.simulation.paths = 3000;
    const double q = by_end(simulate(fixed, options));
    lowest = std::min(lowest, q);
    highest = std::max(highest, q);
    average += q / kStrata;
    variance_of_average += q * (1 - q) / 3000 / (kStrata * kStrata);
  }
  ASSERT_GT(highest - lowest, 0.05);  // the prior matters, so the test means something
  const double error = std::sqrt(p * (1 - p) / 40000 + variance_of_average);
  EXPECT_NEAR(p, average, 4 * error) << "lowest " << lowest << " highest " << highest;
}

class PriorsCli : public testing::ScratchDirectoryTest {};

// The result file names each prior, and with --per-path every path's draw,
// which are those config_of_path gives.
TEST_F(PriorsCli, ResultFileRecordsThePriorsAndEachPathsDraws) {
  const std::string config = std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025-v1.yaml";
  const testing::Outcome outcome =
      testing::run_sovrisk("run " + config +
                           " --paths 1500 --per-path -q --set 'oil.long_run_mean={prior: uniform, "
                           "low: 50, high: 80}' --set 'banks.volatility={prior: beta, a: 2, b: 5, "
                           "high: 0.2}' -o " + file("p.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const ResultFile result(file("p.h5"));
  EXPECT_EQ(result.strings("/priors/key"),
            (std::vector<std::string>{"oil.long_run_mean", "banks.volatility"}));
  EXPECT_EQ(result.strings("/priors/prior"),
            (std::vector<std::string>{"uniform {low: 50, high: 80}",
                                      "beta {a: 2, b: 5, low: 0, high: 0.2}"}));
  const std::vector<double> draws = result.doubles("/priors/draws");
  ASSERT_EQ(draws.size(), 3000u);
  Config parsed = load_config(config, {parse_override("oil.long_run_mean={prior: uniform, low: 50, high: 80}"),
                                       parse_override("banks.volatility={prior: beta, a: 2, b: 5, high: 0.2}")});
  for (std::uint64_t path : {0u, 777u, 1499u}) {
    const std::vector<double> values = parameters_of_path(parsed, path);
    EXPECT_EQ(draws[path * 2], values[0]);
    EXPECT_EQ(draws[path * 2 + 1], values[1]);
  }
}

}  // namespace
}  // namespace sovrisk
