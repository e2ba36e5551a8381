#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sovrisk {

struct Config;

// A distribution over one real-valued parameter of a scenario (docs/config.md,
// "Priors"). Each path draws its own value, once, by the quantile function at
// a uniform of its own sub-stream, so that one uniform per parameter maps to
// any family (and a Sobol or grid design can ask for any probability point).
struct Prior {
  enum class Family { kUniform, kNormal, kLognormal, kBeta, kTriangular };
  static constexpr double kUnbounded = std::numeric_limits<double>::infinity();

  Family family = Family::kUniform;
  // normal: mean and sd; lognormal: median and sigma; beta: a and b;
  // triangular: mode. Unused ones stay 0.
  double mean = 0, sd = 0, median = 0, sigma = 0, a = 0, b = 0, mode = 0;
  // The support: uniform's and triangular's ends, a truncated normal's, a
  // beta's scale (0 and 1 unless given); a lognormal's is (0, infinity).
  double low = -kUnbounded, high = kUnbounded;

  // The value at cumulative probability p, 0 < p < 1.
  double quantile(double p) const;
  // "uniform", "normal", ...
  const char* family_name() const;
  // The family and its parameters as a config would give them:
  // "uniform {low: 50, high: 80}".
  std::string describe() const;
};

// A prior on the schema key `key` ("oil.long_run_mean").
struct ParameterPrior {
  std::string key;
  Prior prior;
};

// The parameters of path `path`: `base` with the key of each of its priors set
// to the prior's quantile at the path's own uniform (sub-stream kPriors, keyed
// by the seed and the path; one uniform per prior, in the order of
// Config::priors). Without priors, `base` itself.
Config config_of_path(const Config& base, std::uint64_t path);

// The values config_of_path gives path `path`, one per prior, in order.
std::vector<double> parameters_of_path(const Config& base, std::uint64_t path);

// The keys that have priors, in the order of Config::priors.
std::vector<std::string> prior_keys(const Config& config);

}  // namespace sovrisk
