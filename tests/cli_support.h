// Running the sovrisk program as a user does, for the command-line tests.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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

// The exit code of a background sovrisk, or 128 + the signal that ended it.
inline int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
