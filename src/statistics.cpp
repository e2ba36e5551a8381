#include "sovrisk/statistics.h"

#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace sovrisk {

ProbabilityEstimate estimate_probability(std::uint64_t successes, std::uint64_t trials) {
  static const double z = boost::math::quantile(boost::math::normal(), 0.975);
  ProbabilityEstimate estimate;
  if (trials == 0) return estimate;
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  estimate.probability = p;
  estimate.standard_error = std::sqrt(p * (1 - p) / n);
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half_width = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  // At p = 0 or 1 the bound is exactly 0 or 1; the formula would leave round-off.
  estimate.ci95_low = successes == 0 ? 0.0 : std::max(0.0, centre - half_width);
  estimate.ci95_high = successes == trials ? 1.0 : std::min(1.0, centre + half_width);
  return estimate;
}

std::vector<ProbabilityEstimate> cumulative_probability(const std::vector<std::uint64_t>& month_counts,
                                                        std::uint64_t trials,
                                                        const std::vector<int>& period_ends) {
  std::vector<ProbabilityEstimate> out;
  std::uint64_t so_far = 0;
  int month = 0;
  for (const int end : period_ends) {
    for (; month <= end; ++month) so_far += month_counts[month];
    out.push_back(estimate_probability(so_far, trials));
  }
  return out;
}

}  // namespace sovrisk
