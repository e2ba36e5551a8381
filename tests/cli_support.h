// Running the sovrisk program as a user does, for the command-line tests.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace sovrisk::testing {

namespace fs = std::filesystem;

// The program under test: $SOVRISK_BINARY if set (the build without MPI runs
// these tests against its own program), else the one built with the tests.
inline std::string sovrisk_binary() {
  const char* binary = std::getenv("SOVRISK_BINARY");
  return binary && *binary ? binary : SOVRISK_BINARY;
}

struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr together
};

inline Outcome run_sovrisk(const std::string& arguments) {
  const std::string command = sovrisk_binary() + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  Outcome outcome{-1, ""};
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe))
    outcome.output += buffer.data();
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// sovrisk running in the background, to be signalled; stdout and stderr go to `log`.
inline pid_t start_sovrisk(const std::string& arguments, const std::string& log) {
  const std::string command = "exec " + sovrisk_binary() + " " + arguments + " > " + log + " 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits until process `pid` has a handler for `signal` (Linux: the SigCgt mask
// of /proc/PID/status), so that a test signals a run only once it has started
// and not while it loads, which can take a second on a loaded machine. False
// if that did not happen within `limit`.
inline bool wait_until_catching(pid_t pid, int signal, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const std::string status_file = "/proc/" + std::to_string(pid) + "/status";
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream status(status_file);
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("SigCgt:", 0) == 0 &&
          (std::stoull(line.substr(7), nullptr, 16) >> (signal - 1)) & 1)
        return true;
    }
    usleep(10000);
  }
  return false;
}

// The exit code of a background sovrisk, or 128 + the signal that ended it.
inline int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The number of paths that `run` (a `sovrisk run` command line without --paths
// or -o) simulates in about `seconds` on this machine now, besides its fixed
// start-up cost. Tests that signal a run part-way size it so, rather than by a
// fixed count, so that a faster program or a slower machine does not move the
// signal past the run's end. The speed is the slope of the time of runs that
// double in size, once two of them differ by 0.25 s: a run of a few paths
// already takes a tenth of a second or more. The files go to `output`.
// Returns 0 if the program fails.
inline std::uint64_t paths_lasting(double seconds, const std::string& run,
                                   const std::string& output) {
  std::uint64_t last_paths = 0;
  double last_took = 0;
  for (std::uint64_t paths = 4096; paths < (std::uint64_t{1} << 40); paths *= 2) {
    const auto started = std::chrono::steady_clock::now();
    if (run_sovrisk(run + " --paths " + std::to_string(paths) + " -o " + output).exit_code != 0)
      return 0;
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (last_paths > 0 && took - last_took >= 0.25)
      return static_cast<std::uint64_t>(
          std::ceil(double(paths - last_paths) / (took - last_took) * seconds));
    last_paths = paths;
    last_took = took;
  }
  return 0;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A test with its own directory for configs and outputs.
class CommandLineTest : public ScratchDirectoryTest {
 protected:
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name)) << text;
    return file(name);
  }
  // Runs a bad input and checks the promise: exit 2, one clear message naming
  // what it should, and no output file.
  void expect_refused(const std::string& arguments, const std::vector<std::string>& mentions) {
    const Outcome outcome = run_sovrisk(arguments + " -o " + file("out.h5"));
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    for (const auto& mention : mentions) {
      EXPECT_NE(outcome.output.find(mention), std::string::npos)
          << "message lacks '" << mention << "': " << outcome.output;
    }
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1) << outcome.output;
    EXPECT_FALSE(fs::exists(file("out.h5")));
  }
};

}  // namespace sovrisk::testing
