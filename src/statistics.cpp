#include "sovrisk/statistics.h"

#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace sovrisk {

const double kZ95 = boost::math::quantile(boost::math::normal(), 0.975);

ProbabilityEstimate estimate_probability(std::uint64_t successes, std::uint64_t trials) {
  const double z = kZ95;
  ProbabilityEstimate estimate;
  if (trials == 0)
    return estimate;
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

std::vector<ProbabilityEstimate> cumulative_probability(
    const std::vector<std::uint64_t>& month_counts, std::uint64_t trials,
    const std::vector<int>& period_ends) {
  std::vector<ProbabilityEstimate> out;
  std::uint64_t so_far = 0;
  int month = 0;
  for (const int end : period_ends) {
    for (; month <= end; ++month)
      so_far += month_counts[month];
    out.push_back(estimate_probability(so_far, trials));
  }
  return out;
}

namespace {

DifferenceEstimate with_interval(double difference, double standard_error, bool paired) {
  return {difference, standard_error, difference - kZ95 * standard_error,
          difference + kZ95 * standard_error, paired};
}

}  // namespace

DifferenceEstimate independent_difference(const ProbabilityEstimate& a, std::uint64_t trials_a,
                                          const ProbabilityEstimate& b, std::uint64_t trials_b) {
  const double variance = a.probability * (1 - a.probability) / double(trials_a) +
                          b.probability * (1 - b.probability) / double(trials_b);
  return with_interval(a.probability - b.probability, std::sqrt(variance), false);
}

DifferenceEstimate paired_difference(const std::vector<std::int32_t>& event_month_a,
                                     const std::vector<std::int32_t>& event_month_b, int by_month) {
  std::uint64_t only_a = 0, only_b = 0;
  for (std::size_t i = 0; i < event_month_a.size(); ++i) {
    const bool in_a = event_month_a[i] >= 0 && event_month_a[i] <= by_month;
    const bool in_b = event_month_b[i] >= 0 && event_month_b[i] <= by_month;
    only_a += in_a && !in_b;
    only_b += in_b && !in_a;
  }
  const double n = static_cast<double>(event_month_a.size());
  const double mean = (double(only_a) - double(only_b)) / n;
  const double mean_square = (double(only_a) + double(only_b)) / n;
  return with_interval(mean, std::sqrt((mean_square - mean * mean) / n), true);
}

}  // namespace sovrisk
