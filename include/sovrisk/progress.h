#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

namespace sovrisk {

// Progress of a run on stderr: a bar redrawn in place on a terminal, one line
// per tenth otherwise (logs of batch jobs). Silent for the first second, so
// short runs print nothing.
class ProgressReporter {
 public:
  ProgressReporter(std::ostream& out, std::uint64_t total_paths, bool interactive);

  void update(std::uint64_t paths_done);
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(std::uint64_t paths_done, double seconds);

  std::ostream& out_;
  std::uint64_t total_;
  bool interactive_;
  Clock::time_point started_;
  Clock::time_point last_drawn_;
  int tenths_reported_ = 0;
  bool drawn_ = false;
};

}  // namespace sovrisk
