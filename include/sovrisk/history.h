#pragma once

#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/model.h"

namespace sovrisk {

// A history of observed drivers for `sovrisk replay`, read from a CSV file
// (docs/replay.md) and aligned with a scenario's months.
struct History {
  std::string source;  // the file as named in messages
  std::string text;    // the CSV as read, recorded in the result file
  // One entry per scenario month t = 0 .. T-1; a month without a row observes nothing.
  std::vector<MonthObservations> months;
  int rows = 0;                // data rows in the file
  int rows_after_horizon = 0;  // rows for months after the last one simulated, ignored
};

// The driver columns a history may have, in the model's order, as named in the
// header; besides them a history has `month` and may have `fund_flow` (added to
// the fund, not a driver) and `note` (ignored).
const std::vector<std::string>& history_driver_columns();

// How many months of the horizon observe the column `column` (a driver or `fund_flow`).
int observed_months(const History& history, const std::string& column);

// For `replay --reset-deviations` (docs/replay.md): marks the last month of the
// horizon that observes anything, at whose end the model sets the deviations of
// non-oil revenue and spending to 0. Returns that month, or -1 if none observes anything.
int mark_deviation_reset(History& history);

// Reads and validates a history against the scenario it will be replayed in.
// Throws InputError naming the file, the line and the column on any problem.
History load_history(const std::string& path, const ScenarioConfig& scenario);

// The same from CSV text; `source_name` stands for the file in messages.
History parse_history(const std::string& csv_text, const std::string& source_name,
                      const ScenarioConfig& scenario);

}  // namespace sovrisk
