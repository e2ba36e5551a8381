#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sovrisk/calendar.h"
#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/outputs.h"
#include "sovrisk/statistics.h"

namespace sovrisk {

// One `--grid KEY=V1,V2,...` of `sovrisk sweep`: a config key and the values
// it takes, each as `--set KEY=V` would give it (parsed as YAML).
struct GridKey {
  std::string key;
  std::vector<std::string> values;
};

// Parses "key.path=v1,v2,..." as given to --grid. The values are split at the
// commas that lie outside brackets, braces and quotes, so a YAML list or map
// is one value. Throws InputError on a malformed text or an empty value.
GridKey parse_grid(const std::string& text);

// The points of the full grid over `keys`, in row-major order (the last key
// varies fastest, as itertools.product): point p holds, for each key, the
// index of its value. Throws InputError if a key is given twice.
std::vector<std::vector<std::size_t>> grid_points(const std::vector<GridKey>& keys);

// The overrides of one point, one `--grid KEY=V` per key in key order, each
// exactly what parse_override makes of `--set KEY=V` but for its origin.
std::vector<Override> point_overrides(const std::vector<GridKey>& keys,
                                      const std::vector<std::size_t>& point);

// "key1=v1, key2=v2": a point as headings and figure labels name it.
std::string point_label(const std::vector<GridKey>& keys, const std::vector<std::size_t>& point);

// One point of a sweep: an event's cumulative probability by the end of each
// calendar year and its paired difference from the reference point.
struct SweepPointResult {
  std::array<std::vector<std::uint64_t>, kEventCount> event_month_counts;  // [event][month]
  std::array<std::vector<ProbabilityEstimate>, kEventCount> probability;   // [event][year]
  std::array<std::vector<DifferenceEstimate>, kEventCount> difference;     // [event][year]
  double wall_seconds = 0;
};

struct SweepResult {
  Calendar calendar{2000, 1, 1};
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  int threads = 0;
  OutputSet outputs;
  std::size_t reference = 0;  // the point differences are taken from
  std::vector<SweepPointResult> points;
  double wall_seconds = 0;
};

// Refuses, naming the points, a grid whose points do not share what common
// random numbers need: the seed, the paths, the calendar and the events
// reported (a key such as simulation.seed or scenario.months would change
// them). `labels` names the points in the message.
void check_common_paths(const std::vector<Config>& points, const std::vector<std::string>& labels);

// Simulates every point (`configs`, one per point, checked by
// check_common_paths) on the same paths, the reference first, and pairs each
// with the reference path by path: only the reference's and the current
// point's per-path event months are held at a time. `after_point` (may be
// empty) sees each point's index and result once it is done; `progress`
// (may be empty) the paths done so far over all points.
SweepResult run_sweep(const std::vector<Config>& configs, std::size_t reference, int threads,
                      const std::function<void(std::size_t, const SweepPointResult&)>& after_point,
                      const std::function<void(std::uint64_t)>& progress);

}  // namespace sovrisk
