#include "sovrisk/report.h"

#include <cstdio>

namespace sovrisk {

ProbabilityTable probability_table(const SimulationResult& result) {
  ProbabilityTable table;
  table.years = result.calendar.years();
  const auto year_ends = result.calendar.last_month_of_each_year();
  for (int e = 0; e < kEventCount; ++e) {
    table.by_event[e] = cumulative_probability(result.event_month_counts[e], result.paths, year_ends);
  }
  return table;
}

void print_probability_table(std::ostream& out, const ProbabilityTable& table) {
  char line[160];
  std::snprintf(line, sizeof line, "%-6s  %-28s%-28s%-28s\n", "by end", "default [95% CI]",
                "fund depletion [95% CI]", "bank crisis [95% CI]");
  out << line;
  for (std::size_t y = 0; y < table.years.size(); ++y) {
    out << (std::snprintf(line, sizeof line, "%-6d", table.years[y]), line);
    for (int e = 0; e < kEventCount; ++e) {
      const ProbabilityEstimate& p = table.by_event[e][y];
      std::snprintf(line, sizeof line, "  %6.2f%% [%6.2f%%, %6.2f%%]", 100 * p.probability,
                    100 * p.ci95_low, 100 * p.ci95_high);
      out << line;
    }
    out << "\n";
  }
}

}  // namespace sovrisk
