#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/statistics.h"
#include "sovrisk/sweep.h"

namespace sovrisk {

inline constexpr const char* kSweepFileType = "sovrisk-sweep";
inline constexpr const char* kSweepFormatVersion = "1.1";

// Writes a sweep file (docs/output.md, "Sweep file") atomically. `configs`
// holds every point's effective configuration, in the order of the design's
// points and of `result.points`.
void write_sweep(const std::string& path, const SweepDesign& design,
                 const std::vector<Config>& configs, const SweepResult& result);

// Whether `path` is an HDF5 file whose `filetype` says it is a sweep file;
// false for anything else, which other readers then name.
bool is_sweep_file(const std::string& path);

// What `sovrisk summary` shows of a sweep file, read and checked.
struct SweepTable {
  std::string path, scenario, version, start, config_hash, created_utc;
  std::uint64_t seed = 0, paths = 0, months = 0;
  double wall_seconds = 0;
  std::string design;  // "grid" or "one-at-a-time"
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;  // [point][key]
  std::vector<std::string> labels;               // [point]
  std::size_t reference = 0;                     // 0-based point
  std::vector<int> years;
  struct Event {
    std::string name, label;
    std::vector<std::vector<ProbabilityEstimate>> probability;  // [point][year]
    std::vector<std::vector<DifferenceEstimate>> difference;    // [point][year]
  };
  std::vector<Event> events;
};

// Reads a sweep file; InputError naming the file and the dataset for one that
// is not a sweep file, of another major format, or of shapes or values that
// no sweep writes.
SweepTable read_sweep(const std::string& path);

}  // namespace sovrisk
