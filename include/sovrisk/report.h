#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sovrisk/calendar.h"
#include "sovrisk/engine.h"
#include "sovrisk/results_io.h"
#include "sovrisk/statistics.h"

namespace sovrisk {

// One event's cumulative probability by the end of each calendar year.
struct EventProbabilities {
  std::string name;   // the event's name in result files
  std::string label;  // for headings
  std::vector<ProbabilityEstimate> by_year;
};

// Cumulative event probabilities by calendar year, as printed after a run: a
// column per event, in the order of the registry (outputs.h) or of the file
// read, which may list other events than this build does.
struct ProbabilityTable {
  std::vector<int> years;
  std::vector<EventProbabilities> events;
};

// The calendar a result file covers, from its `start` and `months`, once
// /time/month and /time/year are checked to agree with it (InputError if not).
Calendar checked_calendar(const ResultFile& file);

ProbabilityTable probability_table(const SimulationResult& result);
ProbabilityTable probability_table(const ResultFile& file);

enum class ReportFormat { kTable, kCsv, kJson };

void print_probability_table(std::ostream& out, const ProbabilityTable& table);

// `sovrisk summary`: provenance and the probability table of a result file.
void print_summary(std::ostream& out, const ResultFile& file, ReportFormat format);

// `sovrisk compare`: P_A - P_B of default by year, paired when both files hold
// per-path event months of the same seed, paths and calendar.
void print_comparison(std::ostream& out, const ResultFile& a, const ResultFile& b,
                      ReportFormat format);

}  // namespace sovrisk
