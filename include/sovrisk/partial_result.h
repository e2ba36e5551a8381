#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <vector>

#include "sovrisk/accumulators.h"
#include "sovrisk/outputs.h"

namespace sovrisk {

namespace hdf5 {
class Writer;
class InputFile;
}  // namespace hdf5

using RowMajorArray = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The contiguous blocks first .. end - 1.
struct BlockRange {
  std::uint64_t first = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - first; }
  bool operator==(const BlockRange& other) const {
    return first == other.first && end == other.end;
  }
  bool operator!=(const BlockRange& other) const { return !(*this == other); }
};

// What a range of blocks must hold, from its file's root attributes: what a
// statistic checks what it reads against, and what tells it which datasets to write.
struct RangeShape {
  BlockRange blocks;
  int months = 0;
  std::uint64_t paths = 0;        // in the blocks
  std::uint64_t sample_rows = 0;  // the run's sample paths among them
  bool per_path = false;          // the run keeps every path's event months
  OutputSet outputs;              // the run's variables and events
};

// The bytes of a partial result travelling between the processes of one MPI
// job. They run one build on one kind of machine, so values travel as their
// bytes; a length goes before every list.
class Packer {
 public:
  template <typename T>
  void put(const T& value) {
    put_bytes(&value, 1);
  }
  template <typename T>
  void put_all(const T* values, std::size_t count) {
    put<std::uint64_t>(count);
    put_bytes(values, count);
  }
  template <typename T>
  void put_all(const std::vector<T>& values) {
    put_all(values.data(), values.size());
  }
  std::vector<std::byte>& bytes() { return bytes_; }

 private:
  template <typename T>
  void put_bytes(const T* values, std::size_t count) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* from = reinterpret_cast<const std::byte*>(values);
    bytes_.insert(bytes_.end(), from, from + count * sizeof(T));
  }
  std::vector<std::byte> bytes_;
};

class Unpacker {
 public:
  explicit Unpacker(const std::vector<std::byte>& bytes) : bytes_(bytes) {}
  template <typename T>
  T get() {
    T value;
    get_bytes(&value, 1);
    return value;
  }
  template <typename T>
  std::vector<T> get_all() {
    const auto count = get<std::uint64_t>();
    if (count > (bytes_.size() - at_) / sizeof(T))
      throw std::length_error("Unpacker: a list runs past the end of the message");
    std::vector<T> values(count);
    get_bytes(values.data(), values.size());
    return values;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  template <typename T>
  void get_bytes(T* values, std::size_t count) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (count * sizeof(T) > bytes_.size() - at_)
      throw std::length_error("Unpacker: the message ends early");
    if (count == 0)
      return;  // an empty vector's data() may be null, which memcpy must not get
    std::memcpy(values, bytes_.data() + at_, count * sizeof(T));
    at_ += count * sizeof(T);
  }
  const std::vector<std::byte>& bytes_;
  std::size_t at_ = 0;
};

// The statistics a partial result holds, one class each. Every one offers
//   append(later)      adds the adjacent later range's (exact: integer counts,
//                      exact extremes, summation-tree nodes, concatenated rows),
//   save(out, shape)   writes its datasets to a partial result file,
//   load(in, shape)    reads them back into a fresh statistic, refusing with
//                      InputError anything that does not fit `shape`,
//   pack(out), unpack(in)  for MPI (unpack also into a fresh statistic),
// so that PartialResult handles them all alike (partial_result.cpp). A new
// statistic is one such class and its member in PartialResult.

// The fan charts' histograms (docs/output.md: /fan).
class FanHistograms : public FanAccumulator {
 public:
  FanHistograms() : FanAccumulator(0, 0, {}, 0) {}
  explicit FanHistograms(FanAccumulator histograms) : FanAccumulator(std::move(histograms)) {}
  void append(const FanHistograms& later) { merge(later); }
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// Per event, the paths whose first month of it is month t (/<event>/month_counts).
class EventMonthCounts : public EventCounts {
 public:
  EventMonthCounts() = default;
  explicit EventMonthCounts(EventCounts counts) : EventCounts(std::move(counts)) {}
  void append(const EventMonthCounts& later);
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// The nodes of the pairwise summation behind the means (/sums).
class MeanSums : public PairwiseCombiner<BlockSums> {
 public:
  using PairwiseCombiner::PairwiseCombiner;
  void append(const MeanSums& later);
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// The run's sample paths (its first K) that lie in the range, one row per
// path from the range's first path on, per variable of the run; none if the
// range starts at or after path K (/sample_paths).
class SamplePaths : public std::vector<RowMajorArray> {
 public:
  SamplePaths() = default;
  explicit SamplePaths(int variables) : std::vector<RowMajorArray>(variables) {}
  void append(const SamplePaths& later);
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// Every path's first month of each event of the run (kNoEvent if none), from
// the range's first path on; empty unless the run keeps them (/per_path).
class PerPathEventMonths : public std::vector<std::vector<std::int32_t>> {
 public:
  PerPathEventMonths() = default;
  explicit PerPathEventMonths(int events) : std::vector<std::vector<std::int32_t>>(events) {}
  void append(const PerPathEventMonths& later);
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// The fan charts' histograms of the paths that default by the horizon and of
// those that do not, with the ranges of /fan (the pilot's), so that merging
// the two gives /fan exactly (docs/output.md: /conditional/default/fan,
// /conditional/no_default/fan).
class ConditionalFans {
 public:
  ConditionalFans() : defaulted(0, 0, {}, 0), not_defaulted(0, 0, {}, 0) {}
  // Empty histograms with the ranges of `fan`.
  explicit ConditionalFans(const FanAccumulator& fan);
  FanAccumulator defaulted;
  FanAccumulator not_defaulted;
  // The paths of each (the same in every month).
  std::uint64_t defaulted_paths() const;
  std::uint64_t not_defaulted_paths() const;
  void append(const ConditionalFans& later);
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// What the defaulting paths looked like at their default month: the drivers'
// histograms (one cell each, kDefaultDrivers), the calendar month, and the
// lag from fund depletion (docs/output.md: /conditional/default_month,
// /conditional/depletion_to_default_lag).
class DefaultDrivers {
 public:
  // oil price, exchange rate, fund, and the unfinanced gap of the 12 months
  // up to the default month (the sum eq. (13) compares with its threshold).
  static constexpr int kCount = 4;
  static constexpr const char* kNames[kCount] = {"oil_price", "fx", "fund", "gap_12m"};

  DefaultDrivers() : values(0, 0, {}, 0) {}
  // Nothing yet, for a run of `months` months whose histogram ranges are those
  // of `fan`: each driver's range spans its variable's ranges over all months
  // (the gap's twelve times the unfinanced gap's), as the default month is any.
  DefaultDrivers(const FanAccumulator& fan, int months);

  FanAccumulator values;                      // kCount series x 1 month
  std::vector<std::uint64_t> calendar_month;  // defaults in January .. December
  std::vector<std::uint64_t> depletion_lag;   // [lag in months]: default - depletion month
  std::uint64_t without_depletion = 0;        // defaults with no depletion by their month

  std::uint64_t defaults() const;
  void merge(const DefaultDrivers& other);
  void append(const DefaultDrivers& later) { merge(later); }
  // Back to no defaults, keeping the ranges.
  void clear();
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  void load(const hdf5::InputFile& in, const RangeShape& shape);
  void pack(Packer& out) const;
  void unpack(Unpacker& in);
};

// What a contiguous range of blocks contributes to a run, in a form that
// merges exactly with the ranges next to it: a shard, an MPI rank's share, the
// blocks done before a checkpoint. Histograms and counts are integers and
// exact extremes; the sums behind the means are the largest aligned subtrees
// of the pairwise summation, so ranges merged in block order give the very
// numbers of a single pass. It holds the run's outputs (OutputSet) and
// nothing of the others.
struct PartialResult {
  // Nothing yet, to be filled by load() or unpack().
  explicit PartialResult(std::uint64_t first_block) : first_block(first_block), sums(first_block) {}
  // No block yet of a run whose variables are the series of `fan` and whose
  // events are those of `events`.
  PartialResult(std::uint64_t first_block, FanAccumulator fan, EventCounts events)
      : first_block(first_block),
        fan(std::move(fan)),
        events(std::move(events)),
        sums(first_block),
        sample_paths(this->fan.series()),
        per_path_event_month(static_cast<int>(this->events.month_counts.size())),
        conditional_fans(this->fan),
        default_drivers(this->fan, this->fan.months()) {}

  std::uint64_t first_block;
  std::uint64_t end_block() const { return sums.next_block(); }
  BlockRange blocks() const { return {first_block, end_block()}; }
  // The run's outputs: the registry's first fan.series() variables and first
  // events.month_counts.size() events (outputs.h).
  OutputSet outputs() const { return {fan.series(), static_cast<int>(events.month_counts.size())}; }

  FanHistograms fan;
  EventMonthCounts events;
  MeanSums sums;
  SamplePaths sample_paths;
  PerPathEventMonths per_path_event_month;
  ConditionalFans conditional_fans;
  DefaultDrivers default_drivers;

  // Adds the range that starts where this one ends; std::invalid_argument if
  // it does not, or if its statistics do not fit these (other outputs,
  // another pilot).
  void append(const PartialResult& later);

  // Every statistic's datasets (docs/output.md, "Partial results and
  // checkpoints"); the range's shape tells which.
  void save(hdf5::Writer& out, const RangeShape& shape) const;
  // The range of `shape` from `in`, every dataset checked against the shape
  // (InputError naming the file and what does not fit).
  static PartialResult load(const hdf5::InputFile& in, const RangeShape& shape);

  // For MPI: everything, as bytes, and back.
  std::vector<std::byte> pack() const;
  static PartialResult unpack(const std::vector<std::byte>& bytes);

 private:
  // The statistics, in the order append, save, load, pack and unpack take them.
  template <typename Self>
  static auto statistics(Self& self) {
    return std::tie(self.fan, self.events, self.sums, self.sample_paths, self.per_path_event_month,
                    self.conditional_fans, self.default_drivers);
  }
};

}  // namespace sovrisk
