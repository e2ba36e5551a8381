// The root attributes that every sovrisk file has (docs/output.md): what it
// is, which build wrote it, the run it belongs to, and how it was computed.
// Written by one function for the result, partial result and checkpoint files
// so that they carry the same names and values. Private to src/.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "hdf5_support.h"
#include "sovrisk/calendar.h"
#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/outputs.h"
#include "sovrisk/streams.h"
#include "sovrisk/version.h"

namespace sovrisk {

inline std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

struct RunAttributes {
  std::string filetype, format_version;
  double wall_seconds = 0;
  int threads = 0;
  std::uint64_t sample_paths = 0;
  OutputSet outputs;  // what the file holds, which it lists
};

inline void write_run_attributes(hid_t root, const Config& config, const RunAttributes& run) {
  using hdf5::write_attribute;
  write_attribute(root, "filetype", run.filetype);
  write_attribute(root, "format_version", run.format_version);
  write_attribute(root, "sovrisk_version", std::string(kVersion));
  write_attribute(root, "seed", config.simulation.seed, H5T_NATIVE_UINT64);
  write_attribute(root, "paths", config.simulation.paths, H5T_NATIVE_UINT64);
  write_attribute(root, "months", static_cast<std::int64_t>(config.scenario.months),
                  H5T_NATIVE_INT64);
  write_attribute(root, "scenario", config.scenario.name);
  write_attribute(root, "label", config.label.empty() ? config.scenario.name : config.label);
  write_attribute(root, "overrides", config.overrides);
  write_attribute(root, "config_yaml", config.effective_yaml);
  write_attribute(root, "config_hash", config_hash(config));
  write_attribute(root, "created_utc", utc_now());
  write_attribute(root, "wall_seconds", run.wall_seconds, H5T_NATIVE_DOUBLE);
  write_attribute(root, "threads", static_cast<std::int64_t>(run.threads), H5T_NATIVE_INT64);
  write_attribute(root, "block_size", static_cast<std::int64_t>(kBlockSize), H5T_NATIVE_INT64);
  write_attribute(root, "stream_format", static_cast<std::int64_t>(kStreamFormat),
                  H5T_NATIVE_INT64);
  write_attribute(root, "sample_paths", static_cast<std::int64_t>(run.sample_paths),
                  H5T_NATIVE_INT64);
  write_attribute(root, "variables", run.outputs.variable_names());
  write_attribute(root, "events", run.outputs.event_names());
}

// Root attributes of a design's file (a band, a sensitivity, a part of
// either): what it is and the run it comes from.
inline void write_design_attributes(hid_t root, const Config& config, const std::string& filetype,
                                    const std::string& format_version, const OutputSet& outputs,
                                    double wall_seconds, int threads) {
  hdf5::write_attribute(root, "filetype", filetype);
  hdf5::write_attribute(root, "format_version", format_version);
  hdf5::write_attribute(root, "sovrisk_version", std::string(kVersion));
  hdf5::write_attribute(root, "seed", config.simulation.seed, H5T_NATIVE_UINT64);
  hdf5::write_attribute(root, "months", static_cast<std::int64_t>(config.scenario.months),
                        H5T_NATIVE_INT64);
  hdf5::write_attribute(root, "start", calendar_of(config).label(0));
  hdf5::write_attribute(root, "scenario", config.scenario.name);
  hdf5::write_attribute(root, "config_yaml", config.effective_yaml);
  hdf5::write_attribute(root, "config_hash", config_hash(config));
  hdf5::write_attribute(root, "stream_format", static_cast<std::int64_t>(kStreamFormat),
                        H5T_NATIVE_INT64);
  hdf5::write_attribute(root, "created_utc", utc_now());
  hdf5::write_attribute(root, "wall_seconds", wall_seconds, H5T_NATIVE_DOUBLE);
  hdf5::write_attribute(root, "threads", static_cast<std::int64_t>(threads), H5T_NATIVE_INT64);
  hdf5::write_attribute(root, "events", outputs.event_names());
}

// The variables and events a file lists, in output order. Format 1.0 files
// (result, partial and checkpoint alike) do not list them: they hold those of
// model v1, for good, whatever the registry holds now.
struct OutputLists {
  std::vector<std::string> variables, events;
};
inline OutputLists listed_outputs(const hdf5::InputFile& file) {
  if (file.text("format_version") == "1.0") {
    return {kModelV1Outputs.variable_names(), kModelV1Outputs.event_names()};
  }
  return {file.texts("variables"), file.texts("events")};
}

// The random streams that drew a file's numbers (kStreamFormat); files written
// before the attribute was recorded were drawn by format 1.
inline int recorded_stream_format(const hdf5::InputFile& file) {
  return file.has_attribute("stream_format") ? static_cast<int>(file.number("stream_format")) : 1;
}

// Refuses a part or checkpoint drawn by other streams than this build's: merged
// or continued here, it would mix two stream formats in one result.
inline void require_this_stream_format(const hdf5::InputFile& file) {
  const int format = recorded_stream_format(file);
  if (format != kStreamFormat) {
    throw InputError(file.path() + ": drawn by random stream format " + std::to_string(format) +
                     "; this sovrisk draws format " + std::to_string(kStreamFormat) +
                     ", and a run never mixes them: merge or resume it with the sovrisk that "
                     "wrote it (its attribute sovrisk_version)");
  }
}

// The run's label, and the `--set` assignments it was given: files written
// before they were recorded are labelled by their scenario's name and list no
// overrides (nullopt: not recorded).
inline std::string recorded_label(const hdf5::InputFile& file) {
  return file.text(file.has_attribute("label") ? "label" : "scenario");
}
inline std::optional<std::vector<std::string>> recorded_overrides(const hdf5::InputFile& file) {
  if (!file.has_attribute("overrides"))
    return std::nullopt;
  return file.texts("overrides");
}

}  // namespace sovrisk
