#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "sovrisk/calendar.h"
#include "sovrisk/engine.h"
#include "sovrisk/results_io.h"
#include "sovrisk/statistics.h"

namespace YAML {
class Emitter;
}

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
  // "YYYY-MM", the last month of the horizon in each year: December, but for
  // the year in which the horizon ends, whose row is marked as partial.
  std::vector<std::string> through;
  std::vector<EventProbabilities> events;
};

// The calendar a result file covers, from its `start` and `months`, once
// /time/month and /time/year are checked to agree with it (InputError if not).
Calendar checked_calendar(const ResultFile& file);

// A CSV field (RFC 4180): `text`, quoted with its quotes doubled when it holds
// a comma, a quote or a line break; every table sovrisk prints as CSV uses it.
std::string csv_text(const std::string& text);

// Makes `emitter` write JSON: yaml-cpp's flow style with double-quoted strings
// is JSON; numbers with 12 significant digits. Every table sovrisk prints as
// JSON is written so.
void use_json_style(YAML::Emitter& emitter);

ProbabilityTable probability_table(const SimulationResult& result);
ProbabilityTable probability_table(const ResultFile& file);

enum class ReportFormat { kTable, kCsv, kJson };

void print_probability_table(std::ostream& out, const ProbabilityTable& table);

// `sovrisk summary`: provenance and the probability table of a result file.
void print_summary(std::ostream& out, const ResultFile& file, ReportFormat format);

// `sovrisk compare`: for every file but `files[reference]`, and every event
// both it and the reference hold, P_other - P_reference by the end of each
// year both cover (up to the earlier horizon's end in the year one of them
// ends): paired exactly when both hold per-path event months of the same
// seed, paths and start; otherwise from both standard errors, said to be
// conservative when the runs share their random numbers (the same seed).
void print_comparison(std::ostream& out, const std::vector<const ResultFile*>& files,
                      std::size_t reference, ReportFormat format);

}  // namespace sovrisk
