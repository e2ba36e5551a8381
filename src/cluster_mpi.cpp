// The ranks of an MPI job as a Cluster. Compiled only with SOVRISK_MPI.
#include <mpi.h>

#include <climits>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sovrisk/cluster.h"

namespace sovrisk {
namespace {

// What a process's step came to, in increasing order of gravity.
enum Outcome : int { kContinue = 0, kStop = 1, kInputFailure = 2, kFailure = 3 };

int count_of(std::size_t size) {
  if (size > static_cast<std::size_t>(INT_MAX))
    throw std::length_error("MPI: more than 2^31 - 1 values in one message");
  return static_cast<int>(size);
}

class MpiJob : public Cluster {
 public:
  MpiJob(int& argc, char**& argv) {
    int provided = 0;
    // Only the main thread calls MPI; oneTBB's workers never do.
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    if (provided < MPI_THREAD_FUNNELED) {
      MPI_Finalize();
      throw std::runtime_error("this MPI does not support threads (MPI_THREAD_FUNNELED)");
    }
  }
  ~MpiJob() override { MPI_Finalize(); }
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  bool agree(const std::function<bool()>& step) override {
    int outcome = kContinue;
    std::string message;
    try {
      outcome = step() ? kStop : kContinue;
    } catch (const AgreedError&) {
      throw;  // the others know already: they threw it too
    } catch (const InputError& error) {
      outcome = kInputFailure, message = error.what();
    } catch (const std::exception& error) {
      outcome = kFailure, message = error.what();
    } catch (...) {
      outcome = kFailure, message = "unknown error";
    }
    // The gravest outcome, and the lowest rank that had it.
    struct {
      int outcome;
      int rank;
    } mine{outcome, rank_}, gravest{};
    MPI_Allreduce(&mine, &gravest, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD);
    if (gravest.outcome < kInputFailure)
      return gravest.outcome == kStop;
    int length = count_of(message.size());
    MPI_Bcast(&length, 1, MPI_INT, gravest.rank, MPI_COMM_WORLD);
    message.resize(length);
    MPI_Bcast(message.data(), length, MPI_CHAR, gravest.rank, MPI_COMM_WORLD);
    if (size_ > 1)
      message = "rank " + std::to_string(gravest.rank) + ": " + message;
    if (gravest.outcome == kInputFailure)
      throw AgreedInputError(message);
    throw AgreedFailure(message);
  }

  std::uint64_t max(std::uint64_t value) override {
    std::uint64_t largest = 0;
    MPI_Allreduce(&value, &largest, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return largest;
  }

  std::optional<PartialResult> gather(PartialResult mine) override {
    // Histograms and event counts: sums of integers and exact extremes, so a
    // reduction in any order gives the merge in block order.
    FanAccumulator fan = reduce(mine.fan);
    EventCounts events = reduce(mine.events);

    // The summation tree's nodes, the sample paths and the per-path months are
    // gathered in rank order, which is block order.
    std::vector<std::uint64_t> nodes;
    for (const auto& node : mine.sums.nodes()) {
      nodes.push_back(node.first_block);
      nodes.push_back(static_cast<std::uint64_t>(node.level));
      const Eigen::ArrayXXd& sums = node.value.sums;
      const std::size_t at = nodes.size();
      nodes.resize(at + sums.size());
      std::memcpy(&nodes[at], sums.data(), sums.size() * sizeof(double));
    }
    const auto all_nodes = gather_in_order(nodes, MPI_UINT64_T);
    std::array<std::vector<double>, kVariableCount> sample_paths;
    for (int v = 0; v < kVariableCount; ++v) {
      const RowMajorArray& rows = mine.sample_paths[v];
      sample_paths[v] =
          gather_in_order(std::vector<double>(rows.data(), rows.data() + rows.size()), MPI_DOUBLE);
    }
    std::array<std::vector<std::int32_t>, kEventCount> per_path;
    for (int e = 0; e < kEventCount; ++e)
      per_path[e] = gather_in_order(mine.per_path_event_month[e], MPI_INT32_T);

    if (rank_ != 0)
      return std::nullopt;

    // Rank 0's range is the first, so the merged range starts where it does.
    const int months = fan.months();
    PartialResult merged(mine.first_block, std::move(fan), std::move(events));
    const std::size_t node_size = 2 + std::size_t(kVariableCount) * months;
    for (std::size_t at = 0; at < all_nodes.size(); at += node_size) {
      BlockSums sums(kVariableCount, months);
      std::memcpy(sums.sums.data(), &all_nodes[at + 2], sums.sums.size() * sizeof(double));
      merged.sums.push({all_nodes[at], static_cast<int>(all_nodes[at + 1]), std::move(sums)});
    }
    for (int v = 0; v < kVariableCount; ++v) {
      const auto rows = static_cast<Eigen::Index>(sample_paths[v].size() / months);
      merged.sample_paths[v] =
          Eigen::Map<const RowMajorArray>(sample_paths[v].data(), rows, months);
    }
    merged.per_path_event_month = std::move(per_path);
    return merged;
  }

 private:
  void sum_on_rank_0(std::vector<std::uint64_t>& values) const {
    if (rank_ == 0) {
      MPI_Reduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_UINT64_T, MPI_SUM, 0,
                 MPI_COMM_WORLD);
    } else {
      MPI_Reduce(values.data(), nullptr, count_of(values.size()), MPI_UINT64_T, MPI_SUM, 0,
                 MPI_COMM_WORLD);
    }
  }

  FanAccumulator reduce(const FanAccumulator& fan) const {
    const auto& cells = fan.cells();
    const std::size_t n = cells.size();
    constexpr double kInfinity = std::numeric_limits<double>::infinity();
    std::vector<std::uint64_t> total(n), at_min(n), at_max(n);
    std::vector<double> min(n), max(n);
    for (std::size_t i = 0; i < n; ++i) {
      total[i] = cells[i].total;
      min[i] = cells[i].total ? cells[i].min : kInfinity;
      max[i] = cells[i].total ? cells[i].max : -kInfinity;
    }
    MPI_Allreduce(MPI_IN_PLACE, min.data(), count_of(n), MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, max.data(), count_of(n), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    // Only the values at the overall extremes count towards them.
    for (std::size_t i = 0; i < n; ++i) {
      at_min[i] = cells[i].total && cells[i].min == min[i] ? cells[i].at_min : 0;
      at_max[i] = cells[i].total && cells[i].max == max[i] ? cells[i].at_max : 0;
    }
    std::vector<std::uint64_t> bin_counts = fan.bin_counts();
    for (auto* values : {&total, &at_min, &at_max, &bin_counts})
      sum_on_rank_0(*values);
    if (rank_ != 0)
      return fan;
    std::vector<FanAccumulator::Cell> merged(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (total[i] > 0)
        merged[i] = {total[i], min[i], max[i], at_min[i], at_max[i]};
    }
    return FanAccumulator(fan.series(), fan.months(), fan.ranges(), fan.bins(), std::move(merged),
                          std::move(bin_counts));
  }

  EventCounts reduce(const EventCounts& events) const {
    std::vector<std::uint64_t> flat;
    for (const auto& months : events.month_counts)
      flat.insert(flat.end(), months.begin(), months.end());
    sum_on_rank_0(flat);
    EventCounts merged = events;
    auto next = flat.begin();
    for (auto& months : merged.month_counts) {
      std::copy_n(next, months.size(), months.begin());
      next += static_cast<std::ptrdiff_t>(months.size());
    }
    return merged;
  }

  // Every rank's values, concatenated in rank order on rank 0.
  template <typename T>
  std::vector<T> gather_in_order(const std::vector<T>& values, MPI_Datatype type) const {
    const int count = count_of(values.size());
    std::vector<int> counts(rank_ == 0 ? size_ : 0), offsets(counts.size());
    MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      offsets[r] = count_of(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    std::vector<T> all(count_of(total));
    MPI_Gatherv(values.data(), count, type, all.data(), counts.data(), offsets.data(), type, 0,
                MPI_COMM_WORLD);
    return all;
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<Cluster> join_mpi_job(int& argc, char**& argv) {
  return std::make_unique<MpiJob>(argc, argv);
}

}  // namespace sovrisk
