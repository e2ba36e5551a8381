#pragma once

#include <array>
#include <ostream>
#include <vector>

#include "sovrisk/engine.h"
#include "sovrisk/model.h"
#include "sovrisk/statistics.h"

namespace sovrisk {

// Cumulative event probabilities by calendar year, as printed after a run.
struct ProbabilityTable {
  std::vector<int> years;
  std::array<std::vector<ProbabilityEstimate>, kEventCount> by_event;  // [event][year]
};

ProbabilityTable probability_table(const SimulationResult& result);

void print_probability_table(std::ostream& out, const ProbabilityTable& table);

}  // namespace sovrisk
