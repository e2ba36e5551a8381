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

// The points of a sweep: for each, the value of each key as `--set KEY=V`
// takes it, and a label for headings and legends.
struct SweepDesign {
  std::string kind;  // kGridDesign or kOneAtATimeDesign: the /sweep attribute `design`
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;  // [point][key]
  std::vector<std::string> labels;               // [point]
};
inline constexpr const char* kGridDesign = "grid";
inline constexpr const char* kOneAtATimeDesign = "one-at-a-time";
// The prior's cumulative probabilities a one-at-a-time sweep puts each key at.
inline constexpr double kOneAtATimeLow = 0.05, kOneAtATimeMedian = 0.5, kOneAtATimeHigh = 0.95;

// The full grid over `keys`, in row-major order (the last key varies
// fastest, as itertools.product), labelled "key1=v1, key2=v2". Throws
// InputError if a key is given twice.
SweepDesign full_grid(const std::vector<GridKey>& keys);

// One key at a time over the priors of `base` (Config::priors, in schema
// order): first every prior at its median, then for each prior its 5 % and
// its 95 % point with the others at their medians; 1 + 2K points, each
// fixing every prior's key to a number. Throws InputError if `base` has no
// prior.
SweepDesign one_at_a_time(const Config& base);

// The overrides of point `point`, one per key in key order, each exactly what
// parse_override makes of `--set KEY=V` but for its origin ("--grid KEY=V",
// "--one-at-a-time KEY=V"), which messages quote.
std::vector<Override> point_overrides(const SweepDesign& design, std::size_t point);

// The shortest decimal text that reads back as exactly `value`.
std::string shortest_text(double value);

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

// Refuses, naming the points, a sweep whose points do not share what common
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
