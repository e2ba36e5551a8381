#!/bin/sh
# The fast test tier under AddressSanitizer and UndefinedBehaviorSanitizer
# (issue #15): a RelWithDebInfo build without MPI or benchmarks, in its own
# build directory, then the tests. Any sanitizer report fails the run (a
# report aborts the process, so the test that caused it fails).
#
#   tests/sanitize/build_and_test.sh SOURCE_DIR BUILD_DIR [JOBS]
#
# Which tests: those labelled `fast` (ctest -L fast) where the label exists;
# else sovrisk_tests without the tests that run the program for seconds on
# the default scenario, which take minutes under the sanitizers. The build's
# sovrisk program also serves tests/fuzz/run_fuzz.py:
#   python3 tests/fuzz/run_fuzz.py BUILD_DIR/sovrisk
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR [JOBS]" >&2
  exit 2
fi
source_dir=$1
build_dir=$2
jobs=${3:-2}

# float-cast-overflow is not part of -fsanitize=undefined in GCC; a double
# out of int's range cast to an index is how histograms were written out of bounds.
sanitizers="-fsanitize=address,undefined,float-cast-overflow"
flags="$sanitizers -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow"
launcher=
if command -v ccache > /dev/null 2>&1; then
  launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"
fi
mkdir -p "$build_dir"
# shellcheck disable=SC2086
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSOVRISK_MPI=OFF -DSOVRISK_BUILD_BENCH=OFF \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitizers" $launcher > "$build_dir/configure.log" 2>&1 ||
  { cat "$build_dir/configure.log"; exit 1; }
cmake --build "$build_dir" -j "$jobs" --target sovrisk sovrisk_tests compare_results

# Leaks are reported too; the first error ends the process with a stack.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

if ctest --test-dir "$build_dir" -N -L fast 2> /dev/null | grep -q "Total Tests: [1-9]"; then
  echo "sanitize: running the tests labelled fast (ctest -L fast)"
  ctest --test-dir "$build_dir" -L fast -j "$jobs" --output-on-failure
else
  # Tests that simulate the default scenario for seconds (a long run to signal,
  # the regression figures, the statistical checks) are left to the normal build.
  filter="-Regression.*:Statistical*:Cli.ProgressGoesToStderr*:Jobs.SigtermSaves*:Jobs.AfterSigkill*:Jobs.TwoRunsCannotShareACheckpoint:Jobs.SigtermBeforeTheConfigIsRead*"
  echo "sanitize: no ctest label 'fast': running sovrisk_tests --gtest_filter=$filter"
  "$build_dir/tests/sovrisk_tests" --gtest_filter="$filter"
fi
