#!/usr/bin/env bash
# A stand-in for the sovrisk binary with the command line the Slurm examples use, so that
# test_examples.sh can check the scripts themselves (signal, checkpoint, requeue, resume,
# shards, dependency, merge) on any build, even one without --shard, merge, --checkpoint or MPI.
#
#   run CONFIG -o OUT [--paths N] [--threads T] [--shard i/n] [--checkpoint C]
#       [--checkpoint-every S] [--resume C] [-q]
#       "simulates" FAKE_BLOCKS blocks (default 40) of FAKE_STEP_S seconds (0.5) each, or the
#       range of shard i of n (1 <= i <= n, as sovrisk's) of them; on SIGTERM/SIGINT writes
#       its checkpoint (next block) and exits 75. Under srun with several tasks every task
#       runs all the blocks, task 0 (SLURM_PROCID) writes OUT, and task r of several writes
#       the checkpoint C.rank<r> and resumes from it, as sovrisk does.
#       FAKE_RESUME_STEP_S (default FAKE_STEP_S) is the step of a resumed run.
#       Exits 3 if FAKE_FAIL_SHARD equals this shard's i.
#   merge PART... -o OUT   checks the parts cover the blocks exactly once, writes OUT
#   summary FILE [--format F]   prints the result (its text)
# Each invocation appends one line to FAKE_LOG (if set): the time, SLURM_PROCID,
# SLURM_RESTART_COUNT and the arguments.
set -uo pipefail

blocks=${FAKE_BLOCKS:-40}
step_s=${FAKE_STEP_S:-0.5}
rank=${SLURM_PROCID:-0}
ranks=${SLURM_STEP_NUM_TASKS:-1}
rank_file() { if [ "$ranks" -gt 1 ]; then echo "$1.rank$rank"; else echo "$1"; fi; }
note() { [ -n "${FAKE_LOG:-}" ] && echo "$(date +%T) rank=$rank restart=${SLURM_RESTART_COUNT:-0} $*" >> "$FAKE_LOG"; return 0; }

write_result() {  # $1 = file, $2 = config, $3 = paths, $4 = lo, $5 = hi
  local tmp="$1.tmp-$$"
  printf 'fake-sovrisk result\nconfig=%s\npaths=%s\nblocks=%s-%s of %s\n' "$2" "$3" "$4" "$5" "$blocks" > "$tmp"
  mv "$tmp" "$1"
}

cmd=${1:-}; shift || true
case "$cmd" in
  run)
    config="" out="" paths=default shard="" ckpt="" resume="" threads=""
    if [ "${1:-}" = --help ]; then
      echo "fake sovrisk run: CONFIG -o --paths --threads --shard --checkpoint --checkpoint-every --resume"
      exit 0
    fi
    while [ $# -gt 0 ]; do
      case "$1" in
        -o|--output) out=$2; shift 2 ;;
        --paths) paths=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --shard) shard=$2; shift 2 ;;
        --checkpoint) ckpt=$2; shift 2 ;;
        --checkpoint-every) shift 2 ;;
        --resume) resume=$2; shift 2 ;;
        --seed|--set|--sample-paths) shift 2 ;;
        -q|--quiet|--per-path) shift ;;
        -*) echo "fake sovrisk: unknown option $1" >&2; exit 2 ;;
        *) config=$1; shift ;;
      esac
    done
    [ -n "$config" ] && [ -n "$out" ] || { echo "fake sovrisk: run needs CONFIG and -o" >&2; exit 2; }
    note "run config=$config out=$out paths=$paths threads=$threads shard=$shard checkpoint=$ckpt resume=$resume"
    lo=0 hi=$blocks i=0
    if [ -n "$shard" ]; then
      i=${shard%/*}; n=${shard#*/}
      if [ "$i" -lt 1 ] || [ "$i" -gt "$n" ]; then echo "fake sovrisk: --shard $shard: 1 <= i <= n" >&2; exit 2; fi
      lo=$(((i - 1) * blocks / n)); hi=$((i * blocks / n))
      if [ "${FAKE_FAIL_SHARD:-}" = "$i" ]; then echo "fake sovrisk: shard $i fails (FAKE_FAIL_SHARD)" >&2; exit 3; fi
    fi
    next=$lo
    if [ -n "$resume" ]; then
      resume=$(rank_file "$resume")
      [ -f "$resume" ] || { echo "fake sovrisk: no checkpoint $resume" >&2; exit 2; }
      next=$(sed -n 's/^next=//p' "$resume")
      step_s=${FAKE_RESUME_STEP_S:-$step_s}
      echo "fake sovrisk: rank $rank resuming at block $next"
    fi
    on_signal() {
      local file
      file=$(rank_file "$ckpt")
      note "signal: checkpoint at block $next"
      echo "fake sovrisk: rank $rank got a signal at block $next, writing checkpoint $file"
      if [ -n "$ckpt" ]; then
        printf 'next=%s\n' "$next" > "$file.tmp" && mv "$file.tmp" "$file"
      fi
      exit 75
    }
    trap on_signal TERM INT
    while [ "$next" -lt "$hi" ]; do
      sleep "$step_s" & wait $!  # so that the trap runs at once
      next=$((next + 1))
    done
    [ "$rank" = 0 ] && write_result "$out" "$config" "$paths" "$lo" "$hi"
    note "done blocks $lo-$hi"
    echo "fake sovrisk: rank $rank done, blocks $lo-$hi"
    ;;
  merge)
    out="" parts=()
    while [ $# -gt 0 ]; do
      case "$1" in
        -o|--output) out=$2; shift 2 ;;
        *) parts+=("$1"); shift ;;
      esac
    done
    note "merge ${parts[*]} -o $out"
    [ -n "$out" ] && [ ${#parts[@]} -gt 0 ] || { echo "fake sovrisk: merge needs parts and -o" >&2; exit 2; }
    # the parts' ranges, sorted, must tile 0..blocks; config and paths must agree
    header=$(sed -n '2,3p' "${parts[0]}")
    for p in "${parts[@]}"; do
      [ "$(sed -n '2,3p' "$p")" = "$header" ] || { echo "fake sovrisk: $p is of another run" >&2; exit 1; }
    done
    expect=0
    while read -r lo hi; do
      [ "$lo" -eq "$expect" ] || { echo "fake sovrisk: parts not contiguous at block $expect" >&2; exit 1; }
      expect=$hi
    done < <(sed -n 's/^blocks=\([0-9]*\)-\([0-9]*\) of .*/\1 \2/p' "${parts[@]}" | sort -n)
    [ "$expect" -eq "$blocks" ] || { echo "fake sovrisk: parts end at block $expect of $blocks" >&2; exit 1; }
    write_result "$out" "$(sed -n 's/^config=//p' "${parts[0]}")" "$(sed -n 's/^paths=//p' "${parts[0]}")" 0 "$blocks"
    ;;
  summary)
    cat "${1:?summary needs a file}"
    ;;
  --version) echo "sovrisk 0.0.0-fake" ;;
  *) echo "fake sovrisk: unknown command '$cmd'" >&2; exit 2 ;;
esac
