#pragma once

namespace sovrisk {

// The `sovrisk` command line. Returns the process exit code (docs/cli.md):
// 0 success, 1 failure while running or writing, 2 bad input, 75 stopped by
// a signal with its checkpoint saved.
int run_command_line(int argc, char** argv);

}  // namespace sovrisk
