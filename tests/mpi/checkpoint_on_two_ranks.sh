#!/bin/sh
# Checkpoints with MPI (docs/cluster.md): SIGTERM to one of two ranks makes both save
# their share and exit 75; a missing share fails every rank with that rank's message
# and writes nothing; resumed on two ranks, the run equals an uninterrupted one.
#   checkpoint_on_two_ranks.sh "MPIEXEC [FLAGS] NUMPROC_FLAG" SOVRISK COMPARE_RESULTS CONFIG
set -eu
mpiexec=$1 sovrisk=$2 compare=$3 config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; for f in log*; do echo "--- $f"; cat "$f"; done; exit 1; }

# About 4 s of simulation on one thread per rank at this program's measured speed, so
# that the signal after 1 s comes part-way. The speed is the slope of the time (ns) of
# one-thread runs that double in size, once two of them differ by 0.25 s: a run of a
# few paths already takes a tenth of a second or more.
paths=4096 last_paths=0 last_took=0
while :; do
  started=$(date +%s%N)
  "$sovrisk" run "$config" --paths $paths --sample-paths 300 -q --threads 1 -o speed.h5 > log.speed 2>&1 ||
    fail "the timed run failed"
  took=$(($(date +%s%N) - started))
  [ "$last_paths" -gt 0 ] && [ $((took - last_took)) -ge 250000000 ] && break
  last_paths=$paths last_took=$took paths=$((paths * 2))
done
paths=$(((paths - last_paths) * 2 * 4000000000 / (took - last_took)))
# At least four segments of 32 blocks of 1024 paths per rank (checkpoints are saved between
# segments), for a loaded machine on which one segment lasts a second or more.
[ "$paths" -ge $((2 * 4 * 32 * 1024)) ] || paths=$((2 * 4 * 32 * 1024))
run="run $config --paths $paths --sample-paths 300 -q"

$mpiexec 2 "$sovrisk" $run --threads 1 --checkpoint ck.h5 -o out.h5 > log.interrupted 2>&1 &
launcher=$!
ranks=""
for i in $(seq 600); do
  ranks=$(pgrep -P "$launcher" -x sovrisk || true)
  [ "$(echo "$ranks" | wc -w)" -eq 2 ] && break
  sleep 0.05
done
[ "$(echo "$ranks" | wc -w)" -eq 2 ] || fail "two ranks did not start"
# Signalled only once both ranks have started the run (their SIGTERM handler is in place, bit
# 15 of SigCgt), not while they load, which can take seconds on a loaded machine.
catching() { mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2> /dev/null) && [ -n "$mask" ] && [ $((0x$mask >> 14 & 1)) -eq 1 ]; }
for i in $(seq 600); do
  all=1
  for rank in $ranks; do catching "$rank" || all=0; done
  [ "$all" -eq 1 ] && break
  sleep 0.1
done
[ "$all" -eq 1 ] || fail "the ranks did not start the run within 60 s"
sleep 1
kill -TERM $(echo "$ranks" | tail -n 1)
rc=0
wait "$launcher" || rc=$?
[ "$rc" -eq 75 ] || fail "exit code $rc after SIGTERM to one rank, expected 75"
[ -f ck.h5.rank0 ] && [ -f ck.h5.rank1 ] || fail "no checkpoint of each rank"
[ ! -e out.h5 ] || fail "an interrupted run wrote its output"
grep -q "interrupted by" log.interrupted || fail "no word of the interruption"

# A rank without its checkpoint: every rank stops, rank 0 says why, nothing is written.
mv ck.h5.rank1 saved.rank1
rc=0
$mpiexec 2 "$sovrisk" $run --threads 1 --resume ck.h5 -o out.h5 > log.missing 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "exit code $rc with a rank's checkpoint missing, expected 2"
grep -q "sovrisk: error: rank 1: ck.h5.rank1: cannot open the file" log.missing || fail "not the failing rank's message"
[ "$(grep -c "sovrisk: error" log.missing)" -eq 1 ] || fail "the error reported more than once"
[ ! -e out.h5 ] || fail "a failed run wrote its output"
mv saved.rank1 ck.h5.rank1

# Resumed on another number of ranks: refused.
rc=0
$mpiexec 3 "$sovrisk" $run --threads 1 --resume ck.h5 -o out.h5 > log.three 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "exit code $rc resuming on 3 ranks, expected 2"
grep -q "same --shard and number of processes" log.three || fail "no word of the number of processes"

$mpiexec 2 "$sovrisk" $run --threads 1 --checkpoint ck.h5 --resume ck.h5 -o out.h5 > log.resumed 2>&1 ||
  fail "the resumed run failed"
[ ! -e ck.h5.rank0 ] && [ ! -e ck.h5.rank1 ] || fail "checkpoints left after success"
"$sovrisk" $run --threads 2 -o uninterrupted.h5
"$compare" uninterrupted.h5 out.h5
