#include "sovrisk/progress.h"

#include <cstdio>
#include <string>

namespace sovrisk {
namespace {

constexpr double kQuietSeconds = 1.0;
constexpr double kRedrawSeconds = 0.2;
constexpr int kBarWidth = 30;

std::string clock_time(double seconds) {
  const auto whole = static_cast<long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", whole / 3600, whole / 60 % 60, whole % 60);
  return text;
}

}  // namespace

ProgressReporter::ProgressReporter(std::ostream& out, std::uint64_t total_paths, bool interactive)
    : out_(out),
      total_(total_paths),
      interactive_(interactive),
      started_(Clock::now()),
      last_drawn_(started_) {}

void ProgressReporter::update(std::uint64_t paths_done) {
  const Clock::time_point now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - started_).count();
  if (seconds < kQuietSeconds)
    return;
  if (interactive_) {
    if (drawn_ && std::chrono::duration<double>(now - last_drawn_).count() < kRedrawSeconds)
      return;
  } else {
    const int tenths = static_cast<int>(10 * paths_done / total_);
    if (tenths <= tenths_reported_)
      return;
    tenths_reported_ = tenths;
  }
  last_drawn_ = now;
  draw(paths_done, seconds);
}

void ProgressReporter::draw(std::uint64_t paths_done, double seconds) {
  const double share = double(paths_done) / double(total_);
  const double rate = paths_done / seconds;
  const double remaining = rate > 0 ? (total_ - paths_done) / rate : 0;
  char status[160];
  std::snprintf(status, sizeof status, "%3.0f%%  %llu/%llu paths  %.3g paths/s  ETA %s",
                100 * share, static_cast<unsigned long long>(paths_done),
                static_cast<unsigned long long>(total_), rate, clock_time(remaining).c_str());
  if (interactive_) {
    const int filled = static_cast<int>(share * kBarWidth);
    out_ << "\r[" << std::string(filled, '#') << std::string(kBarWidth - filled, '.') << "] "
         << status << "\033[K" << std::flush;
  } else {
    out_ << "progress: " << status << "\n" << std::flush;
  }
  drawn_ = true;
}

void ProgressReporter::finish() {
  if (interactive_ && drawn_)
    out_ << "\n" << std::flush;
}

}  // namespace sovrisk
