#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/engine.h"

namespace sovrisk {

// Partial results in HDF5 files (docs/output.md, "Partial results and
// checkpoints"): a shard's share of a run, which `sovrisk merge` combines with
// the other shards, and a checkpoint, the blocks done so far that `sovrisk run
// --resume` continues. Both have the same layout; the filetype tells them apart.
inline constexpr const char* kPartialFileType = "sovrisk-partial";
inline constexpr const char* kCheckpointFileType = "sovrisk-checkpoint";
// 1.1 added the root lists `variables` and `events`; a 1.0 file holds those of
// model v1 (docs/output.md).
inline constexpr const char* kPartialFormatVersion = "1.3";

// Where a partial result belongs in its run, and how it was made.
struct PartialInfo {
  bool checkpoint = false;         // blocks may remain, versus a finished shard
  std::uint64_t shard = 1;         // shard i (1-based) ...
  std::uint64_t shards = 1;        // ... of n; 1/1 for a whole run
  int rank = 0;                    // the MPI rank that wrote it ...
  int ranks = 1;                   // ... of how many
  BlockRange range;                // the blocks the writer covers once finished
  std::uint64_t sample_paths = 0;  // K, the run's paths kept whole
  bool per_path = false;           // the run keeps per-path event months
  int threads = 0;
  double wall_seconds = 0;  // of the simulation so far
};

// Writes `partial` (the blocks range.first .. partial.end_block() - 1 of
// `config`'s run) atomically, like write_results.
void write_partial(const std::string& path, const Config& config, const PartialResult& partial,
                   const PartialInfo& info);

// A partial result file's root attributes, checked: a partial result or a
// checkpoint of a format, block size and bin count this sovrisk reads, whose
// blocks make sense. Problems throw InputError naming the file.
struct PartialFileHeader {
  std::string path;
  std::string filetype;
  std::string format_version;
  std::vector<std::string> variables, events;  // the outputs it holds, as it lists them
  PartialInfo info;
  BlockRange blocks;  // the blocks it holds, from info.range.first on
  std::string config_yaml;
  std::string config_hash;
  // The run's label and --set assignments (Config::label, Config::overrides);
  // empty in files written before they were recorded.
  std::string label;
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
  std::uint64_t paths = 0;
  int months = 0;
};

PartialFileHeader read_partial_header(const std::string& path);

// The partial result the file of `header` holds (PartialResult::load), for
// the run that merges or resumes it, which reports `outputs` (output_set of
// its configuration): a file that lists other outputs holds another layout,
// and is refused, saying so. Every dataset is checksummed and checked against
// the header (types, shapes, histograms and counts that add up to the paths
// held, a summation tree that covers the blocks), so a damaged or crafted
// file throws InputError rather than giving wrong numbers.
PartialResult read_partial(const PartialFileHeader& header, const OutputSet& outputs);

}  // namespace sovrisk
