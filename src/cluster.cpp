#include "sovrisk/cluster.h"

#include <cstdlib>

namespace sovrisk {
namespace {

class SingleProcess : public Cluster {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  bool agree(const std::function<bool()>& step) override { return step(); }
  std::uint64_t max(std::uint64_t value) override { return value; }
  std::optional<PartialResult> gather(PartialResult mine) override { return mine; }
  std::vector<std::vector<std::byte>> gather_bytes(std::vector<std::byte> mine) override {
    return {std::move(mine)};
  }
};

#ifdef SOVRISK_MPI
// Set by mpirun (Open MPI), by PMIx (Open MPI's direct launch, srun --mpi=pmix)
// and by PMI (MPICH's Hydra, srun --mpi=pmi2). Without any of them this is a
// plain process, and initialising MPI (a "singleton") would only cost time.
bool started_by_mpi_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name))
      return true;
  }
  return false;
}
#endif

}  // namespace

std::unique_ptr<Cluster> join_cluster([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef SOVRISK_MPI
  if (started_by_mpi_launcher())
    return join_mpi_job(argc, argv);
#endif
  return std::make_unique<SingleProcess>();
}

}  // namespace sovrisk
