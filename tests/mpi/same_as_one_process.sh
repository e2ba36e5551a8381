#!/bin/sh
# One run on RANKS MPI processes writes the datasets of one process, bit for bit.
#   same_as_one_process.sh "MPIEXEC [FLAGS] NUMPROC_FLAG" SOVRISK COMPARE_RESULTS CONFIG RANKS
set -eu
mpiexec=$1 sovrisk=$2 compare=$3 config=$4 ranks=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Sample paths across the first three blocks and per-path months: every kind of dataset.
# Not -q: the banner names the processes.
run="run $config --per-path --sample-paths 2500"
"$sovrisk" $run --threads 2 -q -o "$work/one.h5"
$mpiexec "$ranks" "$sovrisk" $run --threads 1 -o "$work/ranks.h5" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
grep -q "$ranks MPI processes" "$work/log" || [ "$ranks" -eq 1 ] || { echo "not run on $ranks processes:"; cat "$work/log"; exit 1; }
"$compare" "$work/one.h5" "$work/ranks.h5"
