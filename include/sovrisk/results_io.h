#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/engine.h"

namespace sovrisk {

inline constexpr const char* kResultFileType = "sovrisk-result";
// 1.1 added the root lists `variables` and `events` and the `label` attributes;
// 1.2 a Fletcher-32 checksum on every dataset, which readers require from 1.2 on.
inline constexpr const char* kResultFormatVersion = "1.3";

// What a replay records besides a run's attributes, so that the file alone
// reproduces it (docs/replay.md, "Output").
struct ReplayRecord {
  std::string history_csv;  // the history file's text, byte for byte: root `history_csv`
  // The replay's options that change its numbers, as on the command line ("" or
  // "--reset-deviations"): root `replay_options`.
  std::string options;
};

// Writes the documented layout (docs/output.md) to `path` atomically: into a
// temporary file beside it, renamed over `path` only once complete. A replay
// passes its record.
void write_results(const std::string& path, const Config& config, const SimulationResult& result,
                   const std::optional<ReplayRecord>& replay = std::nullopt);

// Read access to a result file, refusing files that are not sovrisk results
// of a format this version reads. Errors throw InputError naming the file.
namespace hdf5 {
class InputFile;
}

class ResultFile {
 public:
  explicit ResultFile(const std::string& path);
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  std::string string_attribute(const std::string& name) const;
  bool has_attribute(const std::string& name) const;
  // The variables and events the file holds, in output order (format 1.0
  // files, which do not list them, hold the three events and six variables of
  // model v1).
  std::vector<std::string> variables() const;
  std::vector<std::string> events() const;
  // The `label` attribute of an event's group (format 1.0 files have none:
  // then the registry's label of a registered name, else the name).
  std::string event_label(const std::string& event) const;
  // The run's label (root `label`; in files written before it was recorded, the
  // scenario's name) and the `--set` assignments it was given (root
  // `overrides`; nullopt in files written before they were recorded).
  std::string label() const;
  std::optional<std::vector<std::string>> overrides() const;
  const std::string& path() const;
  std::uint64_t unsigned_attribute(const std::string& name) const;
  double double_attribute(const std::string& name) const;
  std::string dataset_string_attribute(const std::string& dataset, const std::string& name) const;

  bool has(const std::string& dataset) const;
  std::vector<std::size_t> shape(const std::string& dataset) const;
  std::vector<double> doubles(const std::string& dataset) const;
  std::vector<std::int64_t> integers(const std::string& dataset) const;
  std::vector<std::string> strings(const std::string& dataset) const;
  // A dataset that must have exactly `shape`: InputError naming the file and
  // dataset otherwise, before anything is read.
  std::vector<double> doubles(const std::string& dataset,
                              const std::vector<std::size_t>& shape) const;
  std::vector<std::int64_t> integers(const std::string& dataset,
                                     const std::vector<std::size_t>& shape) const;

 private:
  std::unique_ptr<hdf5::InputFile> file_;
  // Whether the file's format version checksums every dataset (1.2 on).
  bool checksummed_ = false;
};

}  // namespace sovrisk
