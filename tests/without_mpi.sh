#!/bin/sh
# sovrisk without MPI, in a build with it: CMake configured with -DSOVRISK_MPI=OFF leaves
# out the MPI code, and the program built from the same objects without it (what that
# configuration builds) links no MPI, writes the datasets of the MPI build bit for bit,
# and passes the command-line tests.
#   without_mpi.sh SOURCE_DIR CONFIGURE_DIR SOVRISK_WITHOUT_MPI SOVRISK_WITH_MPI SOVRISK_TESTS COMPARE_RESULTS [CMAKE_ARGS]...
set -eu
source_dir=$1 configure_dir=$2 without_mpi=$3 with_mpi=$4 tests=$5 compare=$6
shift 6

cmake -S "$source_dir" -B "$configure_dir" -DSOVRISK_MPI=OFF -DSOVRISK_BUILD_TESTS=OFF \
  -DSOVRISK_BUILD_BENCH=OFF "$@" > "$configure_dir.log" 2>&1 || { cat "$configure_dir.log"; exit 1; }
if grep -rqs -e cluster_mpi -e libmpi "$configure_dir/CMakeFiles/sovrisk_lib.dir" "$configure_dir/CMakeFiles/sovrisk.dir"; then
  echo "FAIL: configured with SOVRISK_MPI=OFF, the build still compiles or links MPI"
  exit 1
fi

if ldd "$without_mpi" | grep -q libmpi; then echo "FAIL: $without_mpi is linked with MPI"; exit 1; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run="run $source_dir/tests/data/baseline.yaml --per-path"
"$without_mpi" $run -q -o "$work/without.h5"
"$with_mpi" $run -q -o "$work/with.h5"
"$compare" "$work/with.h5" "$work/without.h5"
# Even when started by an MPI launcher it is one process.
# Not -q: the banner would say "N MPI processes".
OMPI_COMM_WORLD_SIZE=2 "$without_mpi" $run --shard 1/1 -o "$work/shard.h5" > "$work/log"
grep -q "shard 1/1" "$work/log" || { echo "FAIL: no banner to check"; exit 1; }
if grep -q "MPI processes" "$work/log"; then echo "FAIL: the build without MPI ran on MPI processes"; exit 1; fi

SOVRISK_BINARY=$without_mpi "$tests" --gtest_brief=1 --gtest_filter='Cli.*:Jobs.*-Jobs.AfterSigkill*'
