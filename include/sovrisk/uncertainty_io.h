#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sovrisk {

inline constexpr const char* kBandFileType = "sovrisk-band";
inline constexpr const char* kSensitivityFileType = "sovrisk-sensitivity";
inline constexpr const char* kDesignFormatVersion = "1.1";

// The `filetype` of the HDF5 file at `path`; "" for a file that is not HDF5 or
// has no such attribute, which the result file's reader then names.
std::string file_type_of(const std::string& path);

// The provenance a band file and a sensitivity file share (docs/output.md).
struct DesignProvenance {
  std::string path, label, scenario, version, start, config_hash, created_utc;
  std::uint64_t seed = 0;
  std::uint64_t months = 0;
  double wall_seconds = 0;
};

// What `sovrisk summary` shows of a band file (`sovrisk run --outer --inner`),
// read and checked.
struct BandTable {
  DesignProvenance provenance;
  std::uint64_t outer = 0, inner = 0;
  std::vector<int> years;
  std::vector<std::string> parameters;
  static constexpr std::array<double, 3> kLevels = {0.05, 0.5, 0.95};
  struct Event {
    std::string name, label;
    std::vector<double> integrated, integrated_stderr;  // [year]
    // [level][year], the levels of kLevels, and their distribution-free 95 % intervals.
    std::array<std::vector<double>, 3> quantile, quantile_low, quantile_high;
  };
  std::vector<Event> events;
};

// What `sovrisk summary` shows of a sensitivity file (`sovrisk sensitivity`).
struct SensitivityTable {
  DesignProvenance provenance;
  std::uint64_t rows = 0, inner = 0;
  std::int64_t resamples = 0;
  std::vector<std::string> parameters;
  std::vector<int> years;
  struct Indices {
    // [parameter][year]
    std::vector<std::vector<double>> value, low, high;
  };
  struct Event {
    std::string name, label;
    Indices first_order, total_order;
    std::vector<double> variance, inner_variance;  // [year]
  };
  std::vector<Event> events;

  // The parameters in order of their total index at `year` (an index of
  // `years`), the largest first; ties in the file's order.
  std::vector<std::size_t> ranked(const Event& event, std::size_t year) const;
};

// Read a band or sensitivity file; InputError naming the file and the dataset
// for one of another filetype or major format, or of shapes or values that no
// design writes.
BandTable read_band(const std::string& path);
SensitivityTable read_sensitivity(const std::string& path);

}  // namespace sovrisk
