#pragma once

#include <ostream>

#include "sovrisk/results_io.h"

namespace sovrisk {

enum class ExportFormat { kCsv, kJson };

// What `sovrisk export` writes (docs/cli.md): each a tidy table, one row per
// observation, led by the file's label.
enum class ExportTable {
  kProbabilities,  // label, event, year, probability, stderr, ci95_low, ci95_high
  kFans,           // label, variable, units, month, quantile, value, error_bound
  kMeans,          // label, variable, units, month, value
  kConditional,    // label, condition, variable, units, month, quantile, value, error_bound
                   // (refused for files written before /conditional)
  kSweep,
};

// Writes `what` of `file` as CSV (a header row, then the rows) or JSON (an
// array of one object per row, the same keys). Numbers are written in the
// shortest form that reads back as the same double. Throws InputError for a
// file that is damaged or lacks the group.
void export_table(std::ostream& out, const ResultFile& file, ExportTable what, ExportFormat format);

}  // namespace sovrisk
