#pragma once

#include <ostream>

#include "sovrisk/report.h"
#include "sovrisk/uncertainty_io.h"

namespace sovrisk {

// `sovrisk summary` of a band file: provenance, then per event and year the
// probability integrated over the priors with its 95 % interval (±1.959964
// standard errors, clipped to [0, 1]) and the 5, 50 and 95 % points across the
// parameter points. csv is tidy (one row per event and year, led by the
// file's label), json one object.
void print_band_summary(std::ostream& out, const BandTable& table, ReportFormat format);

// `sovrisk summary` of a sensitivity file: provenance, then per event and
// year the variance V, its inner Monte Carlo noise, and each parameter's
// first-order and total Sobol index with their bootstrap intervals, sorted by
// the total index. csv is tidy (one row per event, year and parameter), json
// one object.
void print_sensitivity_summary(std::ostream& out, const SensitivityTable& table,
                               ReportFormat format);

}  // namespace sovrisk
