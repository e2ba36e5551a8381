// The ranks of an MPI job as a Cluster. Compiled only with SOVRISK_MPI.
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <exception>
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

  // A binary tree over the ranks, in rank order: at step s = 1, 2, 4, ...,
  // rank r, a multiple of 2s, appends what rank r + s holds (the ranges of
  // ranks r + s .. r + 2s - 1, combined), which is the range right after its
  // own, and rank r + s, having sent it, is done. Rank 0 thus ends with every
  // range appended in block order, as `merge` appends shards, so the numbers
  // are those of one process; and it holds its own range and one received at
  // a time, not one per rank. A failure on any rank is agreed at the end, once
  // every message has been received, so that no rank waits for a sender or a
  // receiver that gave up.
  std::optional<PartialResult> gather(PartialResult mine) override {
    std::exception_ptr failure;
    // An empty message stands for ranges that could not be sent whole; the
    // rank that failed says why in the agreement.
    bool whole = true;
    for (int step = 1; step < size_; step *= 2) {
      if (rank_ % (2 * step) != 0) {
        send(whole && !failure ? packed(mine, failure) : std::vector<std::byte>{}, rank_ - step);
        break;
      }
      if (rank_ + step < size_) {
        const std::vector<std::byte> later = receive(rank_ + step);
        whole = whole && !later.empty();
        try {
          if (whole && !failure)
            mine.append(PartialResult::unpack(later));
        } catch (...) {
          failure = std::current_exception();
        }
      }
    }
    agree([&] {
      if (failure)
        std::rethrow_exception(failure);
      return false;
    });
    if (rank_ != 0)
      return std::nullopt;
    return mine;
  }

  std::vector<std::vector<std::byte>> gather_bytes(std::vector<std::byte> mine) override {
    if (rank_ != 0) {
      send(mine, 0);
      return {};
    }
    std::vector<std::vector<std::byte>> all;
    all.push_back(std::move(mine));
    for (int from = 1; from < size_; ++from)
      all.push_back(receive(from));
    return all;
  }

 private:
  // MPI counts a message's values in an int: partial results go in pieces of
  // this many bytes, after their length.
  static constexpr std::uint64_t kPieceBytes = std::uint64_t(1) << 30;
  static constexpr int kGatherTag = 1;

  static std::vector<std::byte> packed(const PartialResult& partial, std::exception_ptr& failure) {
    try {
      return partial.pack();
    } catch (...) {
      failure = std::current_exception();
      return {};
    }
  }

  void send(const std::vector<std::byte>& bytes, int to) const {
    const std::uint64_t size = bytes.size();
    MPI_Send(&size, 1, MPI_UINT64_T, to, kGatherTag, MPI_COMM_WORLD);
    for (std::uint64_t at = 0; at < size; at += kPieceBytes) {
      MPI_Send(bytes.data() + at, static_cast<int>(std::min(kPieceBytes, size - at)), MPI_BYTE, to,
               kGatherTag, MPI_COMM_WORLD);
    }
  }

  std::vector<std::byte> receive(int from) const {
    std::uint64_t size = 0;
    MPI_Recv(&size, 1, MPI_UINT64_T, from, kGatherTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::vector<std::byte> bytes(size);
    for (std::uint64_t at = 0; at < size; at += kPieceBytes) {
      MPI_Recv(bytes.data() + at, static_cast<int>(std::min(kPieceBytes, size - at)), MPI_BYTE,
               from, kGatherTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return bytes;
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<Cluster> join_mpi_job(int& argc, char**& argv) {
  return std::make_unique<MpiJob>(argc, argv);
}

}  // namespace sovrisk
