#pragma once

#include <ostream>

#include "sovrisk/report.h"
#include "sovrisk/sweep_io.h"

namespace sovrisk {

// The probabilities of a sweep, as `sovrisk sweep` prints them after the
// grid and `sovrisk summary` of its file: for each event, one row per point
// and year, with its Wilson interval and its paired difference from the
// reference point. Points are numbered from 1.
void print_sweep_table(std::ostream& out, const SweepTable& table);

// `sovrisk summary` of a sweep file: provenance and the table above; csv is
// tidy (one row per point, event and year, a column per key), json one object.
void print_sweep_summary(std::ostream& out, const SweepTable& table, ReportFormat format);

}  // namespace sovrisk
