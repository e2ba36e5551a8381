#pragma once

#include <cstdint>
#include <vector>

namespace sovrisk {

// The two-sided 95 % quantile of the standard normal, 1.959964 (Boost.Math):
// every normal 95 % interval sovrisk reports uses it.
extern const double kZ95;

// A probability estimated from n independent Bernoulli outcomes.
struct ProbabilityEstimate {
  double probability = 0;
  double standard_error = 0;  // sqrt(p (1 - p) / n)
  double ci95_low = 0;        // Wilson score interval
  double ci95_high = 0;
};

ProbabilityEstimate estimate_probability(std::uint64_t successes, std::uint64_t trials);

// P(event by the end of each period), from the count of first occurrences in
// each month; `period_ends` holds the last month index of each period.
std::vector<ProbabilityEstimate> cumulative_probability(
    const std::vector<std::uint64_t>& month_counts, std::uint64_t trials,
    const std::vector<int>& period_ends);

// The difference P_A - P_B of two probabilities with a normal 95 % interval.
struct DifferenceEstimate {
  double difference = 0;
  double standard_error = 0;
  double ci95_low = 0;
  double ci95_high = 0;
  bool paired = false;
};

// From two independent runs.
DifferenceEstimate independent_difference(const ProbabilityEstimate& a, std::uint64_t trials_a,
                                          const ProbabilityEstimate& b, std::uint64_t trials_b);

// From two runs on common random numbers: path i of A and path i of B share
// their draws, so the variance is that of the per-path difference of the
// indicators "event by month `by_month`" (first-event months, -1 for never).
DifferenceEstimate paired_difference(const std::vector<std::int32_t>& event_month_a,
                                     const std::vector<std::int32_t>& event_month_b, int by_month);

}  // namespace sovrisk
