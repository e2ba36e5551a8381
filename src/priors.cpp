#include "sovrisk/priors.h"

#include <array>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <charconv>
#include <sstream>
#include <stdexcept>

#include "sovrisk/config.h"
#include "sovrisk/parameters.h"
#include "sovrisk/streams.h"

namespace sovrisk {

double Prior::quantile(double p) const {
  namespace math = boost::math;
  switch (family) {
    case Family::kUniform:
      return math::quantile(math::uniform_distribution<>(low, high), p);
    case Family::kNormal: {
      // Truncated to [low, high] by drawing its cdf between the ends'.
      const math::normal_distribution<> normal(mean, sd);
      const double below = low == -kUnbounded ? 0.0 : math::cdf(normal, low);
      const double above = high == kUnbounded ? 1.0 : math::cdf(normal, high);
      return math::quantile(normal, below + p * (above - below));
    }
    case Family::kLognormal:
      return math::quantile(math::lognormal_distribution<>(std::log(median), sigma), p);
    case Family::kBeta:
      return low + (high - low) * math::quantile(math::beta_distribution<>(a, b), p);
    case Family::kTriangular:
      return math::quantile(math::triangular_distribution<>(low, mode, high), p);
  }
  throw std::logic_error("Prior::quantile: unknown family");
}

const char* Prior::family_name() const {
  switch (family) {
    case Family::kUniform:
      return "uniform";
    case Family::kNormal:
      return "normal";
    case Family::kLognormal:
      return "lognormal";
    case Family::kBeta:
      return "beta";
    case Family::kTriangular:
      return "triangular";
  }
  return "";
}

namespace {

// The shortest text that reads back as the same double.
std::string shortest(double value) {
  std::array<char, 32> text;
  const auto end = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
  return std::string(text.data(), end);
}

}  // namespace

std::string Prior::describe() const {
  std::ostringstream out;
  out << family_name() << " {";
  const auto bounds = [&] {
    if (low != -kUnbounded)
      out << ", low: " << shortest(low);
    if (high != kUnbounded)
      out << ", high: " << shortest(high);
  };
  switch (family) {
    case Family::kUniform:
      out << "low: " << shortest(low) << ", high: " << shortest(high);
      break;
    case Family::kNormal:
      out << "mean: " << shortest(mean) << ", sd: " << shortest(sd);
      bounds();
      break;
    case Family::kLognormal:
      out << "median: " << shortest(median) << ", sigma: " << shortest(sigma);
      break;
    case Family::kBeta:
      out << "a: " << shortest(a) << ", b: " << shortest(b);
      bounds();
      break;
    case Family::kTriangular:
      out << "low: " << shortest(low) << ", mode: " << shortest(mode)
          << ", high: " << shortest(high);
      break;
  }
  out << "}";
  return out.str();
}

std::vector<double> parameters_of_path(const Config& base, std::uint64_t path) {
  const std::vector<double> uniforms =
      PathStreams::prior_uniforms(base.simulation.seed, path, base.priors.size());
  std::vector<double> values;
  for (std::size_t k = 0; k < base.priors.size(); ++k)
    values.push_back(base.priors[k].prior.quantile(uniforms[k]));
  return values;
}

Config config_of_path(const Config& base, std::uint64_t path) {
  Config config = base;
  if (base.priors.empty())
    return config;
  const std::vector<double> values = parameters_of_path(base, path);
  for (std::size_t k = 0; k < base.priors.size(); ++k)
    number_field(base.priors[k].key)(config) = values[k];
  return config;
}

std::vector<std::string> prior_keys(const Config& config) {
  std::vector<std::string> keys;
  for (const ParameterPrior& entry : config.priors)
    keys.push_back(entry.key);
  return keys;
}

}  // namespace sovrisk
