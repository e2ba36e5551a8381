#!/usr/bin/env bash
# Submits examples/slurm/mpi.sbatch and examples/slurm/array.sbatch for real to a one-node
# Slurm cluster started on this machine (one_node_cluster.sh), waits for them and checks what
# they wrote. Run as root:
#
#   bash tests/slurm/test_examples.sh [SOVRISK]      # SOVRISK: the binary (default build/sovrisk)
#
# Three parts:
#   cluster   sbatch, a job array, srun -n 2: the harness itself works
#   scripts   both example scripts with tests/slurm/fake_sovrisk.sh as SOVRISK: the signal
#             that --signal=TERM@120 sends at the time limit reaches every rank under srun, the
#             checkpoint, the requeue and the resume; the same on pre-emption by a job of a
#             higher partition; a user's scancel does not requeue; the array's shards, the
#             dependent merge, and a failed shard cancelling the merge
#   sovrisk   both scripts with the real binary on tests/data/baseline.yaml: the merged array
#             result and the MPI result (also one interrupted and resumed) must hold the same
#             datasets, bit for bit, as a plain one-process `sovrisk run` (h5diff), and print
#             the same `sovrisk summary --format csv`. A part the binary cannot do yet (no
#             --shard, merge or --checkpoint) is skipped, and fails with SLURM_TEST_STRICT=1.
# An MPI build (linked to libmpi) runs with 2 ranks x 1 thread (srun --mpi=pmix), any other
# build with 1 rank x 2 threads (srun --mpi=none).
#
# Environment: SLURM_TEST_PATHS       paths of the runs compared (20000)
#              SLURM_TEST_CKPT_PATHS  paths of the interrupted run (2000000, about 10 s here: long enough to
#                                     be interrupted after a third of it)
#              SLURM_TEST_TIMEOUT_S   limit for each wait for jobs (300)
#              SLURM_TEST_STRICT=1    count skipped parts as failures
#              SLURM_TEST_KEEP=1      keep the work directory (job logs, results)
# Ends with "slurm examples: N passed, N failed, N skipped" and exits 1 if anything failed,
# 77 (nothing run) if not root.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
SOVRISK_BIN=$(readlink -f "${1:-${SOVRISK:-$root/build/sovrisk}}")
CONFIG_FILE=$root/tests/data/baseline.yaml
PATHS_N=${SLURM_TEST_PATHS:-20000}
CKPT_PATHS_N=${SLURM_TEST_CKPT_PATHS:-2000000}
TIMEOUT_S=${SLURM_TEST_TIMEOUT_S:-300}
FAKE=$here/fake_sovrisk.sh
MPI_SBATCH=$root/examples/slurm/mpi.sbatch
ARRAY_SBATCH=$root/examples/slurm/array.sbatch
# Variables the example scripts read: none may leak in from the caller's environment.
unset CONFIG OUT PATHS SOVRISK CKPT CKPT_EVERY SRUN_MPI MAX_REQUEUES SHARDS PARTS

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() {
  if [ "${SLURM_TEST_STRICT:-0}" = 1 ]; then fail "$* (skipped, SLURM_TEST_STRICT=1)"
  else skipped=$((skipped + 1)); echo "SKIP: $*"; fi
}
check() {  # check "what" command...: pass if the command succeeds
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

if [ "$(id -u)" -ne 0 ]; then  # exit 77: ctest's SKIP_RETURN_CODE
  echo "SKIP: test_examples.sh must run as root (it starts slurmctld and slurmd as root)"
  echo "slurm examples: 0 passed, 0 failed, 1 skipped"
  exit 77
fi

work=$(mktemp -d -t sovrisk-slurm-test.XXXXXX)
chmod 755 "$work"
cluster_started=0
finish() {
  local rc=$?
  if [ "$cluster_started" = 1 ]; then
    bash "$here/one_node_cluster.sh" stop "$work/cluster" || echo "FAIL: stopping the cluster" >&2
  fi
  if [ "${SLURM_TEST_KEEP:-0}" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
  echo "slurm examples: $passed passed, $failed failed, $skipped skipped"
  if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then exit 1; fi
  exit 0
}
trap finish EXIT
trap 'echo "interrupted"; exit 130' INT
trap 'echo "terminated"; exit 143' TERM

# --- what the binary can do -------------------------------------------------------------
have_binary=0 have_shard=0 have_merge=0 have_ckpt=0 is_mpi=0
if [ -x "$SOVRISK_BIN" ]; then
  have_binary=1
  run_help=$("$SOVRISK_BIN" run --help 2>&1 || true)
  grep -q -- '--shard' <<< "$run_help" && have_shard=1
  grep -q -- '--checkpoint' <<< "$run_help" && grep -q -- '--resume' <<< "$run_help" && have_ckpt=1
  # (`sovrisk merge --help` of a build without merge prints the main help with exit 0)
  "$SOVRISK_BIN" --help 2>&1 | grep -qE '^ +merge ' && have_merge=1
  ldd "$SOVRISK_BIN" 2>/dev/null | grep -q 'libmpi' && is_mpi=1
fi
echo "sovrisk binary: $SOVRISK_BIN (exists $have_binary, --shard $have_shard, merge $have_merge, --checkpoint/--resume $have_ckpt, MPI $is_mpi)"

# Slurm's mpi/pmix plugin dlopen()s the unversioned libpmix.so, which Debian ships in
# libpmix-dev (libopenmpi-dev pulls it in); without it `srun --mpi=pmix` cannot start.
if [ "$is_mpi" = 1 ] && ! dpkg-query -W -f='${Status}' libpmix-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "installing libpmix-dev for srun --mpi=pmix"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libpmix-dev; } > "$work/apt.log" 2>&1 ||
    { cat "$work/apt.log"; echo "FAIL: apt-get install libpmix-dev"; exit 1; }
fi

# --- cluster ----------------------------------------------------------------------------
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
t0=$(date +%s.%N)
# Partition "high" pre-empts jobs of the default partition "debug": they are requeued, after
# SIGTERM to their tasks and GraceTime seconds to end.
SLURM_EXTRA_CONF="PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
PartitionName=DEFAULT GraceTime=60
PartitionName=high Nodes=$(hostname -s) PriorityTier=2"
export SLURM_EXTRA_CONF
if ! envfile=$(bash "$here/one_node_cluster.sh" start "$work/cluster"); then
  fail "cluster start"
  exit 1
fi
cluster_started=1
eval "$envfile"
echo "cluster started in $(elapsed "$t0") s"
cd "$work" || exit 1

# job_field ID FIELD: a field of `scontrol show job -o` (first line; a job array prints one per task)
job_field() { scontrol show job -o "$1" 2>/dev/null | head -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# wait_jobs ID...: until none of the jobs is pending, running or completing; 1 after TIMEOUT_S
wait_jobs() {
  local ids end
  ids=$(IFS=,; echo "$*")
  end=$(($(date +%s) + TIMEOUT_S))
  while [ -n "$(squeue -h -j "$ids" -o %i 2>/dev/null)" ]; do
    if [ "$(date +%s)" -ge "$end" ]; then
      echo "jobs $ids still queued after ${TIMEOUT_S} s:"; squeue -j "$ids"
      scancel "${@}" 2>/dev/null
      return 1
    fi
    sleep 1
  done
}
# wait_for CONDITION-COMMAND...: poll until it succeeds; 1 after TIMEOUT_S
wait_for() {
  local end=$(($(date +%s) + TIMEOUT_S))
  until "$@"; do
    [ "$(date +%s)" -ge "$end" ] && return 1
    sleep 0.5
  done
}
# states of all tasks of a job (array) as "STATE:EXIT" words, sorted
job_states() { scontrol show job -o "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).* ExitCode=\([0-9:]*\).*/\1:\2/p' | sort | tr '\n' ' '; }
show_log() { echo "--- $1"; sed 's/^/    /' "$1" 2>/dev/null | tail -n "${2:-40}"; }

host=$(hostname -s)

# --- part 1: the cluster ----------------------------------------------------------------
echo "== cluster"
mkdir -p c && cd c || exit 1
j1=$(sbatch --parsable -o hostname.out --wrap 'hostname -s')
j2=$(sbatch --parsable --array=0-2 -o 'array_%a.out' --wrap 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT"')
j3=$(sbatch --parsable -n 2 -o srun.out --wrap 'srun -n 2 --mpi=none bash -c "echo rank \$SLURM_PROCID of \$SLURM_NTASKS"')
if wait_jobs "$j1" "$j2" "$j3"; then
  check "sbatch --wrap hostname ran on $host" [ "$(cat hostname.out 2>/dev/null)" = "$host" ]
  check "job array 0-2: three tasks, each its index" \
    [ "$(cat array_0.out array_1.out array_2.out 2>/dev/null | tr '\n' ';')" = "task 0 of 3;task 1 of 3;task 2 of 3;" ]
  check "srun -n 2: ranks 0 and 1" [ "$(sort srun.out 2>/dev/null | tr '\n' ';')" = "rank 0 of 2;rank 1 of 2;" ]
else
  fail "cluster jobs did not finish"
fi
cd "$work" || exit 1

# --- part 2: the example scripts, with the stand-in binary ------------------------------
echo "== example scripts with tests/slurm/fake_sovrisk.sh"

# 2a. mpi.sbatch: --time=2 puts the job within the 120 s of --signal=TERM@120 from its start,
# so slurmctld signals it at its next time-limit check (every 30 s). Once the job was
# requeued its limit is raised, so the resumed run is not signalled again.
mkdir -p m && cd m || exit 1
failed_before=$failed  # logs below are shown only for this section's failures
export FAKE_LOG=$work/m/fake.log
j=$(CONFIG=scenario.yaml OUT=fake.h5 PATHS=1000 SOVRISK=$FAKE SRUN_MPI=none \
    FAKE_BLOCKS=120 FAKE_STEP_S=0.5 FAKE_RESUME_STEP_S=0.02 \
    sbatch --parsable --ntasks=2 --cpus-per-task=1 --time=2 -o mpi.out "$MPI_SBATCH")
echo "mpi.sbatch (fake) is job $j"
restarted() { [ "$(job_field "$j" Restarts)" -ge 1 ] 2>/dev/null; }
if wait_for restarted; then
  scontrol update JobId="$j" TimeLimit=10
  pass "mpi.sbatch: requeued after the time-limit signal (--signal=TERM@120)"
else
  fail "mpi.sbatch: not requeued within ${TIMEOUT_S} s"
fi
if wait_jobs "$j"; then
  st=$(job_states "$j")
  check "mpi.sbatch: job COMPLETED with exit 0 after the requeue (got $st)" [ "$st" = "COMPLETED:0:0 " ]
  check "mpi.sbatch: both ranks got SIGTERM from --signal (no B:) and wrote their checkpoints" \
    bash -c 'grep -q "rank 0 got a signal.*fake.ckpt.h5.rank0$" mpi.out && grep -q "rank 1 got a signal.*fake.ckpt.h5.rank1$" mpi.out'
  check "mpi.sbatch: first run without --resume, with --threads 1 = --cpus-per-task" \
    grep -q 'rank=0 restart=0 run config=scenario.yaml out=fake.h5 paths=1000 threads=1 shard= checkpoint=fake.ckpt.h5 resume=$' fake.log
  check "mpi.sbatch: requeued run resumed from the checkpoint" \
    grep -q 'rank=0 restart=1 run .*checkpoint=fake.ckpt.h5 resume=fake.ckpt.h5$' fake.log
  check "mpi.sbatch: --open-mode=append kept both runs' output" \
    bash -c 'grep -q "restart 0:" mpi.out && grep -q "restart 1:" mpi.out'
  FAKE_BLOCKS=120 FAKE_STEP_S=0 FAKE_LOG='' "$FAKE" run scenario.yaml --paths 1000 -o expected.h5 > /dev/null
  check "mpi.sbatch: result is that of an uninterrupted run" cmp -s fake.h5 expected.h5
  check "mpi.sbatch: checkpoints removed after success" bash -c '! ls fake.ckpt.h5* 2> /dev/null'
else
  fail "mpi.sbatch (fake) did not finish"
fi
[ "$failed" -eq "$failed_before" ] || { show_log mpi.out; show_log fake.log; }
cd "$work" || exit 1

# 2b. A user's scancel signals the batch shell too: it dies, and the job is not requeued.
mkdir -p mc && cd mc || exit 1
export FAKE_LOG=$work/mc/fake.log
j=$(CONFIG=scenario.yaml OUT=fake.h5 SOVRISK=$FAKE SRUN_MPI=none FAKE_BLOCKS=600 \
    sbatch --parsable --ntasks=1 --cpus-per-task=1 -o mpi.out "$MPI_SBATCH")
if wait_for grep -q ' run ' fake.log 2> /dev/null; then
  sleep 1
  scancel "$j"
  wait_jobs "$j"
  st=$(job_states "$j")
  cancelled_once() { [ "${st%%:*}" = CANCELLED ] && [ "$(job_field "$j" Restarts)" = 0 ]; }
  check "mpi.sbatch: scancel ends the job without a requeue (got $st, restarts $(job_field "$j" Restarts))" cancelled_once
else
  fail "mpi.sbatch (fake, scancel) did not start"
fi
cd "$work" || exit 1

# 2c. Pre-emption: a job of partition "high" needs the node; the mpi.sbatch job's ranks get
# SIGTERM (GraceTime=60), checkpoint, exit 75, and the script requeues the job.
mkdir -p mp && cd mp || exit 1
failed_before=$failed  # logs below are shown only for this section's failures
export FAKE_LOG=$work/mp/fake.log
j=$(CONFIG=scenario.yaml OUT=fake.h5 PATHS=1000 SOVRISK=$FAKE SRUN_MPI=none \
    FAKE_BLOCKS=240 FAKE_STEP_S=0.5 FAKE_RESUME_STEP_S=0.02 \
    sbatch --parsable --ntasks="$(nproc)" --cpus-per-task=1 -o mpi.out "$MPI_SBATCH")
if wait_for grep -q 'rank=0 restart=0 run ' fake.log 2> /dev/null; then
  sleep 1
  h=$(sbatch --parsable --partition=high --ntasks="$(nproc)" -o high.out --wrap 'echo high ran')
  wait_jobs "$j" "$h"
  st=$(job_states "$j")
  check "mpi.sbatch: pre-empted job COMPLETED after a requeue (got $st, restarts $(job_field "$j" Restarts))" \
    bash -c "[ '$st' = 'COMPLETED:0:0 ' ] && [ '$(job_field "$j" Restarts)' -ge 1 ]"
  check "mpi.sbatch: pre-empted ranks got SIGTERM and checkpointed, the high job ran" \
    bash -c 'grep -q "rank 0 got a signal" mpi.out && grep -q "restart 1:.*--resume" mpi.out && grep -qx "high ran" high.out'
  FAKE_BLOCKS=240 FAKE_STEP_S=0 FAKE_LOG='' "$FAKE" run scenario.yaml --paths 1000 -o expected.h5 > /dev/null
  check "mpi.sbatch: pre-empted and resumed, result is that of an uninterrupted run" cmp -s fake.h5 expected.h5
else
  fail "mpi.sbatch (fake, pre-emption) did not start"
fi
[ "$failed" -eq "$failed_before" ] || { show_log mpi.out; show_log fake.log; }
cd "$work" || exit 1

# 2d. array.sbatch run with bash: submits the array and the merge depending on it.
mkdir -p a && cd a || exit 1
failed_before=$failed  # logs below are shown only for this section's failures
export FAKE_LOG=$work/a/fake.log
sub=$(CONFIG=scenario.yaml OUT=merged.h5 PATHS=1000 SOVRISK=$FAKE SHARDS=3 FAKE_BLOCKS=40 FAKE_STEP_S=0.05 \
      bash "$ARRAY_SBATCH" --cpus-per-task=1)
echo "$sub"
aj=$(sed -n 's/^ARRAY_JOB_ID=\([0-9]*\) MERGE_JOB_ID=\([0-9]*\)$/\1/p' <<< "$sub")
mj=$(sed -n 's/^ARRAY_JOB_ID=\([0-9]*\) MERGE_JOB_ID=\([0-9]*\)$/\2/p' <<< "$sub")
if [ -n "$aj" ] && [ -n "$mj" ] && wait_jobs "$aj" "$mj"; then
  check "array.sbatch: 3 array tasks COMPLETED" [ "$(job_states "$aj")" = "COMPLETED:0:0 COMPLETED:0:0 COMPLETED:0:0 " ]
  check "array.sbatch: merge job COMPLETED" [ "$(job_states "$mj")" = "COMPLETED:0:0 " ]
  check "array.sbatch: merge started after every task ended (afterok)" \
    bash -c '[ "$(grep -n " merge " fake.log | cut -d: -f1)" -gt "$(grep -n "done blocks" fake.log | tail -1 | cut -d: -f1)" ]'
  check "array.sbatch: shards 1/3, 2/3, 3/3 with --threads 1" \
    bash -c 'for i in 1 2 3; do grep -q "threads=1 shard=$i/3 " fake.log || exit 1; done'
  FAKE_BLOCKS=40 FAKE_STEP_S=0 FAKE_LOG='' "$FAKE" run scenario.yaml --paths 1000 -o expected.h5 > /dev/null
  check "array.sbatch: merged result is that of one run" cmp -s merged.h5 expected.h5
  check "array.sbatch: parts directory removed after the merge" [ ! -e merged.parts ]
else
  fail "array.sbatch (fake) did not finish (array $aj, merge $mj)"
fi
[ "$failed" -eq "$failed_before" ] || { show_log fake.log; for f in ./*.out; do show_log "$f" 10; done; }
cd "$work" || exit 1

# 2e. A failed shard: the merge job must be cancelled (--kill-on-invalid-dep), not pend for ever.
mkdir -p af && cd af || exit 1
export FAKE_LOG=$work/af/fake.log
sub=$(CONFIG=scenario.yaml OUT=merged.h5 SOVRISK=$FAKE SHARDS=3 FAKE_BLOCKS=6 FAKE_STEP_S=0.05 FAKE_FAIL_SHARD=1 \
      bash "$ARRAY_SBATCH" --cpus-per-task=1)
aj=$(sed -n 's/^ARRAY_JOB_ID=\([0-9]*\) MERGE_JOB_ID=\([0-9]*\)$/\1/p' <<< "$sub")
mj=$(sed -n 's/^ARRAY_JOB_ID=\([0-9]*\) MERGE_JOB_ID=\([0-9]*\)$/\2/p' <<< "$sub")
if [ -n "$aj" ] && [ -n "$mj" ] && wait_jobs "$aj" "$mj"; then
  st=$(job_states "$mj")
  merge_cancelled() { [ "${st%%:*}" = CANCELLED ] && [ ! -e merged.h5 ]; }
  check "array.sbatch: a failed shard cancels the merge (merge $st, reason $(job_field "$mj" Reason))" merge_cancelled
else
  fail "array.sbatch (fake, failed shard): jobs did not end (array $aj, merge $mj)"
fi
cd "$work" || exit 1
unset FAKE_LOG

# --- part 3: the real binary ------------------------------------------------------------
echo "== example scripts with $SOVRISK_BIN"
if [ "$is_mpi" = 1 ]; then ranks=2 cpt=1 srun_mpi=pmix; else ranks=1 cpt=2 srun_mpi=none; fi

# same_result A B: same datasets (and their attributes) bit for bit, same root attributes
# except those that tell how the file was made (created_utc, wall_seconds, threads, ...),
# same `summary --format csv`
same_result() {
  local a=$1 b=$2 attr ok=0
  if ! h5diff --exclude-attribute / "$a" "$b" > h5diff.out 2>&1; then
    echo "h5diff $a $b:"; head -20 h5diff.out; ok=1
  fi
  for attr in filetype format_version sovrisk_version seed paths months start scenario config_hash block_size sample_paths; do
    if [ "$(h5dump -a "/$attr" "$a" 2>&1 | tail -n +2)" != "$(h5dump -a "/$attr" "$b" 2>&1 | tail -n +2)" ]; then
      echo "root attribute $attr differs"; ok=1
    fi
  done
  if ! diff <("$SOVRISK_BIN" summary "$a" --format csv) <("$SOVRISK_BIN" summary "$b" --format csv) > summary.diff; then
    echo "summary --format csv differs:"; head -10 summary.diff; ok=1
  fi
  return $ok
}

if [ "$have_binary" = 0 ]; then
  skip "sovrisk: no binary at $SOVRISK_BIN (build it first)"
else
  mkdir -p r && cd r || exit 1
  "$SOVRISK_BIN" run "$CONFIG_FILE" --paths "$PATHS_N" --threads 2 -q -o reference.h5 > reference.out 2>&1 ||
    { fail "sovrisk: plain reference run"; show_log reference.out; }

  # 3a. job array + merge
  if [ "$have_shard" = 1 ] && [ "$have_merge" = 1 ]; then
    sub=$(CONFIG=$CONFIG_FILE OUT=array.h5 PATHS=$PATHS_N SOVRISK=$SOVRISK_BIN SHARDS=3 \
          bash "$ARRAY_SBATCH" --cpus-per-task=1)
    aj=$(sed -n 's/^ARRAY_JOB_ID=\([0-9]*\) MERGE_JOB_ID=\([0-9]*\)$/\1/p' <<< "$sub")
    mj=$(sed -n 's/^ARRAY_JOB_ID=\([0-9]*\) MERGE_JOB_ID=\([0-9]*\)$/\2/p' <<< "$sub")
    if [ -n "$aj" ] && [ -n "$mj" ] && wait_jobs "$aj" "$mj" && [ "$(job_states "$mj")" = "COMPLETED:0:0 " ]; then
      check "sovrisk array.sbatch (3 shards + merge): same result as one run" same_result array.h5 reference.h5
    else
      fail "sovrisk array.sbatch: array $(job_states "$aj"), merge $(job_states "$mj")"
      for f in ./sovrisk-*.out; do show_log "$f" 15; done
    fi
  else
    skip "sovrisk array.sbatch: the binary has no run --shard or no merge yet"
  fi

  # 3b. MPI run, uninterrupted
  if [ "$have_ckpt" = 1 ]; then
    j=$(CONFIG=$CONFIG_FILE OUT=mpi.h5 PATHS=$PATHS_N SOVRISK=$SOVRISK_BIN SRUN_MPI=$srun_mpi \
        sbatch --parsable --ntasks=$ranks --cpus-per-task=$cpt -o mpi.out "$MPI_SBATCH")
    if wait_jobs "$j" && [ "$(job_states "$j")" = "COMPLETED:0:0 " ]; then
      check "sovrisk mpi.sbatch ($ranks ranks x $cpt threads): same result as one run" same_result mpi.h5 reference.h5
    else
      fail "sovrisk mpi.sbatch: $(job_states "$j")"; show_log mpi.out
    fi

    # 3c. MPI run interrupted by SIGTERM to its step (what --signal=TERM@120 sends, shown
    # with the fake binary above), requeued, resumed
    t0=$(date +%s.%N)
    "$SOVRISK_BIN" run "$CONFIG_FILE" --paths "$CKPT_PATHS_N" --threads 2 -q -o reference_ckpt.h5 > reference_ckpt.out 2>&1 ||
      { fail "sovrisk: plain reference run ($CKPT_PATHS_N paths)"; show_log reference_ckpt.out; }
    run_s=$(elapsed "$t0")
    delay=$(awk -v t="$run_s" 'BEGIN { printf "%.1f", t / 3 }')
    echo "reference run of $CKPT_PATHS_N paths: $run_s s; signalling the job's step $delay s after it starts"
    j=$(CONFIG=$CONFIG_FILE OUT=ckpt.h5 PATHS=$CKPT_PATHS_N SOVRISK=$SOVRISK_BIN SRUN_MPI=$srun_mpi CKPT_EVERY=5 \
        sbatch --parsable --ntasks=$ranks --cpus-per-task=$cpt -o ckpt.out "$MPI_SBATCH")
    step_running() { [ -n "$(squeue -h -s -j "$j" -o %i 2>/dev/null | grep -E "^$j\.0$")" ]; }
    if wait_for step_running; then
      sleep "$delay"
      scancel --signal=TERM "$j"  # signals the job's steps, not the batch shell
      wait_jobs "$j"
      st=$(job_states "$j")
      if [ "$st" = "COMPLETED:0:0 " ] && [ "$(job_field "$j" Restarts)" -ge 1 ]; then
        pass "sovrisk mpi.sbatch: checkpointed on SIGTERM, requeued, resumed"
        check "sovrisk mpi.sbatch: resumed run passed --resume" grep -q -- '--resume ckpt.ckpt.h5' ckpt.out
        check "sovrisk mpi.sbatch: interrupted and resumed run, same result as one run" same_result ckpt.h5 reference_ckpt.h5
        check "sovrisk mpi.sbatch: checkpoints removed after success" bash -c '! ls ckpt.ckpt.h5* 2> /dev/null'
      else
        fail "sovrisk mpi.sbatch interrupted: $st, restarts $(job_field "$j" Restarts) (finished before the signal? raise SLURM_TEST_CKPT_PATHS)"
        show_log ckpt.out
      fi
    else
      fail "sovrisk mpi.sbatch interrupted: the step did not start"; show_log ckpt.out
    fi
  else
    skip "sovrisk mpi.sbatch: the binary has no run --checkpoint/--resume yet"
  fi
  cd "$work" || exit 1
fi
