#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/engine.h"

namespace sovrisk {

// Marks an error that every process of a run already knows of: Cluster::agree
// threw it on each of them, so none may wait for the others over it again.
class AgreedError {
 public:
  virtual ~AgreedError() = default;
};
class AgreedInputError : public InputError, public AgreedError {
 public:
  using InputError::InputError;
};
class AgreedFailure : public std::runtime_error, public AgreedError {
 public:
  using std::runtime_error::runtime_error;
};

// The processes that share one run (docs/cluster.md): this process alone, or
// the ranks of the MPI job that started it. Rank r simulates the r-th of
// `size()` contiguous ranges of the run's blocks; every process calls the
// collective functions below in the same order.
class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Every process runs its own `step` at the same point of the run, and they
  // agree on the outcome: if `step` throws on any process, every process
  // throws the error of the lowest failing rank (as an AgreedInputError if it
  // was an InputError, else an AgreedFailure; the message names the rank when
  // there are several); otherwise it returns whether `step` returned true on
  // any process.
  virtual bool agree(const std::function<bool()>& step) = 0;

  // The largest of the processes' values.
  virtual std::uint64_t max(std::uint64_t value) = 0;

  // The partial results of consecutive ranges, one per process in rank order,
  // merged on rank 0 (bit for bit what one process running them all gives);
  // the other ranks get nothing. A failure on any process is agreed, as by agree().
  virtual std::optional<PartialResult> gather(PartialResult mine) = 0;
  // Each process's bytes, in rank order, on rank 0; the other ranks get
  // nothing. For results that are not partial results (a design's points).
  virtual std::vector<std::vector<std::byte>> gather_bytes(std::vector<std::byte> mine) = 0;
};

// The processes this one runs with: the ranks of its MPI job if sovrisk was
// built with SOVRISK_MPI and an MPI launcher (mpirun, or srun with PMI or
// PMIx) started it, else this process alone. MPI is initialised here and
// finalised when the returned object goes.
std::unique_ptr<Cluster> join_cluster(int& argc, char**& argv);

// The ranks of the MPI job that started this process (src/cluster_mpi.cpp,
// compiled only with SOVRISK_MPI).
std::unique_ptr<Cluster> join_mpi_job(int& argc, char**& argv);

}  // namespace sovrisk
