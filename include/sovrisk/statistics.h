#pragma once

#include <cstdint>
#include <vector>

namespace sovrisk {

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
std::vector<ProbabilityEstimate> cumulative_probability(const std::vector<std::uint64_t>& month_counts,
                                                        std::uint64_t trials,
                                                        const std::vector<int>& period_ends);

}  // namespace sovrisk
