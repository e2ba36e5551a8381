// Designs over the parameters with priors (docs/model.md, "Parametric
// uncertainty"): Jansen's Sobol estimators on test functions with known
// indices, a parameter without effect, and the parametric band against plain
// runs at its points.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "sovrisk/cluster.h"
#include "sovrisk/engine.h"
#include "sovrisk/priors.h"
#include "sovrisk/uncertainty.h"
#include "test_support.h"

namespace sovrisk {
namespace {

using Function = double (*)(const std::vector<double>&);

SobolIndices indices_of(Function f, int k, std::uint64_t rows, double low, double high) {
  std::vector<std::vector<double>> a, b;
  saltelli_matrices(rows, k, a, b);
  const auto scaled = [&](std::vector<double> u) {
    for (double& x : u)
      x = low + (high - low) * x;
    return u;
  };
  std::vector<double> fa, fb;
  std::vector<std::vector<double>> fab(k);
  for (std::uint64_t j = 0; j < rows; ++j) {
    fa.push_back(f(scaled(a[j])));
    fb.push_back(f(scaled(b[j])));
    for (int i = 0; i < k; ++i) {
      std::vector<double> mixed = a[j];
      mixed[i] = b[j][i];
      fab[i].push_back(f(scaled(mixed)));
    }
  }
  return jansen_indices(fa, fb, fab, 500, 20250301);
}

double ishigami(const std::vector<double>& x) {
  return std::sin(x[0]) + 7 * std::sin(x[1]) * std::sin(x[1]) +
         0.1 * std::pow(x[2], 4) * std::sin(x[0]);
}

double linear(const std::vector<double>& x) {
  return x[0] + 2 * x[1] + 3 * x[2];
}

void expect_within(const SobolIndices& s, const std::vector<double>& first,
                   const std::vector<double>& total) {
  for (std::size_t i = 0; i < first.size(); ++i) {
    SCOPED_TRACE("parameter " + std::to_string(i));
    const auto p = static_cast<Eigen::Index>(i);
    EXPECT_LE(s.first_low[p], first[i]);
    EXPECT_GE(s.first_high[p], first[i]);
    EXPECT_LE(s.total_low[p], total[i]);
    EXPECT_GE(s.total_high[p], total[i]);
    EXPECT_LT(s.first_high[p] - s.first_low[p], 0.1);  // the intervals say something
    EXPECT_LT(s.total_high[p] - s.total_low[p], 0.1);
  }
}

// Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2,
// S1 = (1 + b pi^4/5)^2 / (2V), S2 = a^2/(8V), S3 = 0, ST1 = S1 + 8 b^2 pi^8/(225 V),
// ST2 = S2, ST3 = 8 b^2 pi^8/(225 V) (Saltelli et al. 2010; Sobol' and Levitan 1999).
TEST(Sobol, IshigamiIndicesLieInTheirBootstrapIntervals) {
  const double a = 7, b = 0.1, pi = M_PI;
  const double v = a * a / 8 + b * std::pow(pi, 4) / 5 + b * b * std::pow(pi, 8) / 18 + 0.5;
  const double s1 = std::pow(1 + b * std::pow(pi, 4) / 5, 2) / (2 * v), s2 = a * a / (8 * v);
  const double interaction = 8 * b * b * std::pow(pi, 8) / (225 * v);
  const SobolIndices s = indices_of(ishigami, 3, 8192, -pi, pi);
  EXPECT_NEAR(s.variance, v, 0.05 * v);
  expect_within(s, {s1, s2, 0}, {s1 + interaction, s2, interaction});
}

// f = x1 + 2 x2 + 3 x3, x uniform: additive, S_i = ST_i = c_i^2 / sum c^2.
TEST(Sobol, LinearModelIndicesLieInTheirBootstrapIntervals) {
  const SobolIndices s = indices_of(linear, 3, 4096, 0, 1);
  expect_within(s, {1.0 / 14, 4.0 / 14, 9.0 / 14}, {1.0 / 14, 4.0 / 14, 9.0 / 14});
}

// The design's uniforms: Sobol points in (0, 1), A and B different.
TEST(Sobol, SaltelliMatricesAreInsideTheUnitCube) {
  std::vector<std::vector<double>> a, b;
  saltelli_matrices(1000, 4, a, b);
  ASSERT_EQ(a.size(), 1000u);
  for (std::size_t j = 0; j < a.size(); ++j) {
    for (int i = 0; i < 4; ++i) {
      EXPECT_GT(a[j][i], 0.0);
      EXPECT_LT(a[j][i], 1.0);
      EXPECT_GT(b[j][i], 0.0);
      EXPECT_LT(b[j][i], 1.0);
    }
    EXPECT_NE(a[j], b[j]);
  }
}

const std::vector<std::string> kPriors = {
    "oil.long_run_mean={prior: uniform, low: 40, high: 90}",
    "spending.ceasefire={month: -1, hazard_per_year: {prior: uniform, low: 0, high: 2}, cut: 0}"};

// A design's probabilities at all its points, on this process.
std::vector<RowMajorArray> at_every_point(const Config& config, const Design& design) {
  return probabilities_at_points(config, design.points, {0, design.points.size()}, design.inner, 2,
                                 *testing::one_process());
}

// A ceasefire that cuts nothing has no effect: with common random numbers every
// path is the same at any hazard, so its total index is 0 (within 0.02).
TEST(Sobol, AParameterWithoutEffectHasATotalIndexNearZero) {
  const Config config = testing::config_from(testing::stochastic_yaml(), kPriors);
  ASSERT_EQ(config.priors.size(), 2u);
  const Design design = sensitivity_design(config, 64, 600, 200);
  const Sensitivity result = sensitivity_of(config, design, at_every_point(config, design));
  ASSERT_EQ(result.parameters[1], "spending.ceasefire.hazard_per_year");
  const std::size_t last_year = result.years.size() - 1;
  const SobolIndices& s = result.indices[kDefault][last_year];
  ASSERT_GT(s.variance, 0);
  EXPECT_GT(s.total_order[0], 0.5);  // the oil price matters
  EXPECT_LT(std::abs(s.total_order[1]), 0.02);
}

// Point j of the band is what path j of a run with the priors draws, and its
// probability is that of a plain run at that point with the inner paths.
TEST(Band, PointsArePlainRunsAndTheIntegratedValueTheirMean) {
  const Config config = testing::config_from(testing::stochastic_yaml(), kPriors);
  const Design design = band_design(config, 40, 700);
  const ParametricBand band = band_of(config, design, at_every_point(config, design));
  ASSERT_EQ(band.points.size(), 40u);
  EXPECT_EQ(band.points[7], parameters_of_path(config, 7));
  const std::size_t y = band.years.size() - 1;
  const auto year = static_cast<Eigen::Index>(y);
  RunOptions options;
  const SimulationResult plain = simulate(config_at_point(config, band.points[7], 700), options);
  std::uint64_t defaults = 0;
  for (auto count : plain.event_month_counts[kDefault])
    defaults += count;
  EXPECT_EQ(band.probability[kDefault](7, year), defaults / 700.0);
  EXPECT_DOUBLE_EQ(band.integrated[kDefault][year], band.probability[kDefault].col(year).mean());
  const auto& q = band.quantile[kDefault];
  EXPECT_LE(q(0, year), q(1, year));
  EXPECT_LE(q(1, year), q(2, year));
  EXPECT_LT(q(0, year), q(2, year));  // the prior spreads the probability
  for (int l = 0; l < 3; ++l) {
    EXPECT_LE(band.quantile_low[kDefault](l, year), q(l, year));
    EXPECT_GE(band.quantile_high[kDefault](l, year), q(l, year));
  }
  // model.md's conservative error: the points' spread over N plus the inner
  // noise p(1-p)/M they share through common random numbers.
  const auto column = band.probability[kDefault].col(year);
  const double mean = band.integrated[kDefault][year];
  const double points = static_cast<double>(column.size());
  const double spread = (column - mean).square().sum() / (points - 1);
  EXPECT_DOUBLE_EQ(band.integrated_stderr[kDefault][year],
                   std::sqrt(spread / points + mean * (1 - mean) / 700));
}

class UncertaintyCli : public testing::ScratchDirectoryTest {};

TEST_F(UncertaintyCli, SensitivityFileHasTheIssuesLayoutAndDesignsNeedPriors) {
  const std::string config = std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025-v1.yaml";
  const std::string priors = " --set '" + kPriors[0] + "' --set '" + kPriors[1] + "'";
  const testing::Outcome outcome = testing::run_sovrisk(
      "sensitivity " + config + priors + " -N 16 -M 300 --bootstrap 50 -q -o " + file("s.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  std::string listing;  // h5ls, as a user looks at the file
  FILE* h5ls = popen(("h5ls -r " + file("s.h5")).c_str(), "r");
  for (char line[512]; std::fgets(line, sizeof line, h5ls);)
    listing += line;
  ASSERT_EQ(pclose(h5ls), 0);
  for (const std::string dataset :
       {"/sobol/parameters", "/sobol/default/first_order", "/sobol/default/total_order",
        "/sobol/default/first_order_ci_low", "/sobol/default/total_order_ci_high",
        "/sobol/default/variance", "/sobol/default/inner_variance"}) {
    EXPECT_NE(listing.find(dataset + " "), std::string::npos) << dataset << "\n" << listing;
  }
  EXPECT_NE(listing.find("/sobol/default/first_order Dataset {2, 7}"), std::string::npos)
      << listing;
  for (const std::string command :
       {"sensitivity " + config, "run " + config + " --outer 4 --inner 10"}) {
    const testing::Outcome refused = testing::run_sovrisk(command + " -q -o " + file("x.h5"));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("needs parameters with priors"), std::string::npos)
        << refused.output;
    EXPECT_FALSE(std::filesystem::exists(file("x.h5")));
  }
}

}  // namespace
}  // namespace sovrisk
