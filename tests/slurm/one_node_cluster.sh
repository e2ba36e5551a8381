#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for CI: Debian 12's slurm-wlm (Slurm 22.05) and
# munge, with every file (munge key and socket, slurm.conf, state, spool, logs, pid files) in
# one temporary directory, so nothing under /etc is touched and a real cluster's daemons on
# the same machine (if any) are left alone.
#
#   eval "$(tests/slurm/one_node_cluster.sh start [DIR])"  # prints: export SLURM_CONF=... SOVRISK_SLURM_DIR=...
#   sbatch --wrap hostname ...
#   tests/slurm/one_node_cluster.sh stop [DIR]              # DIR defaults to $SOVRISK_SLURM_DIR
#
#   tests/slurm/one_node_cluster.sh with CMD [ARG]...  # start, run CMD with SLURM_CONF set, stop
#                                                      # (also on failure or Ctrl-C); exits with CMD's code
#
# Must run as root (slurmd runs jobs as their submitter and needs root for that; here every
# daemon and job runs as root). Needs no systemd: the daemons are started directly.
#
# start DIR uses DIR (created if missing; it and its parents must be searchable by all, for
# munged) instead of a new `mktemp -d -t` directory. stop removes the directory, and acts at all,
# only if start left its marker file in it. Ports: 6817 and 6818, or the next free ones.
# start+stop take about 0.3 s + 3.5 s on a 2-core machine (plus about 20 s for apt-get once).
# Environment: SLURM_WAIT_S       (start) seconds to wait for the node to become idle (60)
#              SLURM_CRED_EXPIRE  (start) AuthInfo cred_expire, which is also how long a
#                                 requeued job waits before it may start again (10; Slurm's
#                                 default is 120)
#              SLURM_EXTRA_CONF   (start) lines added to slurm.conf after the node and before
#                                 the partition "debug" (the default), e.g. pre-emption:
#                                 PreemptType=preempt/partition_prio, PreemptMode=REQUEUE,
#                                 PartitionName=DEFAULT GraceTime=60, PartitionName=high
#                                 Nodes=$(hostname -s) PriorityTier=2
set -euo pipefail

me=$(basename "$0")
log() { echo "$me: $*" >&2; }
die() { log "error: $*"; exit 1; }

marker=.sovrisk-one-node-cluster

# --- installation -----------------------------------------------------------------------
# Debian 12: slurmd and slurmctld are in the packages of the same names, sbatch/srun/sinfo/...
# in slurm-client; slurm-wlm depends on all three. munged and munge are in munge.
install_packages() {
  local missing=() p
  for p in slurmd slurmctld slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing slurm-wlm munge (missing: ${missing[*]})"
  # Debian's maintainer scripts start munge/slurmd/slurmctld as system services unless
  # policy-rc.d forbids it; we want only the daemons started below, so forbid it for the
  # length of the install (only if the machine has no policy-rc.d of its own).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && created_policy=1
  fi
  local rc=0
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge; } >&2 || rc=$?
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get failed ($rc)"
}

# --- helpers ----------------------------------------------------------------------------
port_free() {  # true if nothing listens on TCP port $1
  if command -v ss >/dev/null 2>&1; then
    [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
  fi
}
pick_port() {  # first free port from $1 on, skipping $2
  local p=$1
  while ! port_free "$p" || [ "$p" = "${2:-}" ]; do p=$((p + 1)); done
  echo "$p"
}
# pid of our daemon $1 (munged, slurmctld, slurmd): the one in the copy of its pid file if that
# process still runs with our directory on its command line (so a recycled pid is never
# killed), else any process of that name whose command line names our directory (a daemon
# that was started but wrote no pid file in time).
our_pid() {
  local name=$1 pid p
  if [ -s "$dir/$name.pid" ]; then
    pid=$(cat "$dir/$name.pid")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] &&
       tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/"; then
      echo "$pid"; return 0
    fi
  fi
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = "$name" ] || continue
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF "$dir/" && { echo "${p#/proc/}"; return 0; }
  done
  return 1
}
kill_and_wait() {  # NAME... (munged, slurmctld, slurmd): TERM them all, KILL what is left after 10 s
  local name pid pids=() names=() i
  for name in "$@"; do
    pid=$(our_pid "$name") || continue
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid") && names+=("$name")
  done
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      log "killed ${names[$i]} (pid $pid) after 10 s"
    else
      log "stopped ${names[$i]} (pid $pid)"
    fi
  done
}

descendants() {  # pids of all processes below $1
  local c
  # /proc/PID/stat: "PID (COMM) STATE PPID ..."; COMM may hold spaces and parentheses
  for c in $(cat /proc/[0-9]*/stat 2>/dev/null |
             awk -v p="$1" '{ pid = $1; sub(/.*\) /, ""); split($0, f, " "); if (f[2] == p) print pid }'); do
    echo "$c"; descendants "$c"
  done
}

start_daemon() {  # $1 = slurmctld or slurmd: start it, wait for its pid file, keep a copy
  local i
  "$1" -f "$SLURM_CONF" || { tail -n 20 "$dir/log/$1.log" >&2 2>/dev/null; die "$1 did not start"; }
  # the daemon writes its pid file after forking, so the file can lag the command
  for i in $(seq 100); do [ -s "$dir/run/$1.pid" ] && break; sleep 0.1; done
  [ -s "$dir/run/$1.pid" ] || { tail -n 20 "$dir/log/$1.log" >&2 2>/dev/null; die "$1 wrote no pid file"; }
  cp "$dir/run/$1.pid" "$dir/$1.pid"
}

# --- start ------------------------------------------------------------------------------
start() {
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  install_packages

  dir=${1:-}
  if [ -z "$dir" ]; then dir=$(mktemp -d -t sovrisk-slurm.XXXXXX); else mkdir -p "$dir"; fi
  dir=$(cd "$dir" && pwd -P)
  touch "$dir/$marker"
  trap 'start_failed $?' EXIT
  trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM
  # munged refuses a socket whose directory (and every parent) is not searchable by all.
  chmod 755 "$dir"
  mkdir -p "$dir/run" "$dir/log" "$dir/state" "$dir/spool" "$dir/munge"
  chmod 755 "$dir/run" "$dir/log" "$dir/state" "$dir/spool"
  chmod 700 "$dir/munge"

  local host cpus mem_kb mem_mb ctld_port slurmd_port
  host=$(hostname -s)
  cpus=$(nproc)
  mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  # RealMemory may not exceed what slurmd measures (else the node is drained as invalid):
  # MemTotal in MiB less 5 % and at least 256 MiB.
  mem_mb=$((mem_kb / 1024))
  mem_mb=$((mem_mb - (mem_mb / 20 > 256 ? mem_mb / 20 : 256)))
  ctld_port=$(pick_port 6817)
  slurmd_port=$(pick_port $((ctld_port + 1)) "$ctld_port")

  # munge: own key, socket, pid and log, so a system munged (if any) does not matter.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --socket="$dir/run/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" ||
    { cat "$dir/log/munged.log" >&2 2>/dev/null; die "munged did not start"; }
  cp "$dir/run/munged.pid" "$dir/munged.pid"

  touch "$dir/plugstack.conf"  # empty: not Debian's /etc/slurm/plugstack.conf
  # What Slurm 22.05 needs here (found by running it in this kind of container):
  # - SlurmUser/SlurmdUser root: nothing runs as the slurm user, so no chown of the dirs.
  # - SlurmctldHost=NAME(127.0.0.1), NodeAddr=127.0.0.1: no DNS needed for the host name
  #   (clients without a config also try DNS SRV records, and fail: "fetch_config: DNS SRV
  #   lookup failed"); the clients find this file through SLURM_CONF, and jobs inherit it.
  # - AuthInfo=socket=...: our munged, not /run/munge. cred_expire is also the delay before a
  #   requeued job may start again: 120 s by default, 10 s here so the requeue test is quick.
  # - ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, JobAcctGatherType=none: no
  #   cgroups (no systemd, no delegated cgroup tree here); nothing then loads cgroup.conf.
  # - SlurmdParameters=config_overrides: slurmd measures sockets/cores differently from the
  #   CPUs=N given here ("Node configuration differs from hardware"); without it a node whose
  #   measured resources fall short of the configured ones is drained.
  # - ReturnToService=2: the node registering on start makes it usable at once (not DOWN).
  # - MpiDefault=none: srun --mpi=pmix must be asked for. The mpi/pmix plugin dlopen()s the
  #   unversioned libpmix.so, which is in Debian's libpmix-dev (libopenmpi-dev pulls it in);
  #   without PMIx slurmd logs "can not load PMIx library" (harmless for --mpi=none).
  # - No accounting (no slurmdbd): sacct has nothing; use squeue and scontrol show job (kept
  #   for MinJobAge, 300 s, after the job ends).
  cat > "$dir/slurm.conf" <<EOF
# Written by tests/slurm/one_node_cluster.sh: a one-node cluster for CI.
ClusterName=sovrisk-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/run/munge.socket,cred_expire=${SLURM_CRED_EXPIRE:-10}
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
${SLURM_EXTRA_CONF:-}
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  printf 'export SLURM_CONF=%q\nexport SOVRISK_SLURM_DIR=%q\n' "$SLURM_CONF" "$dir" > "$dir/env"

  start_daemon slurmctld
  start_daemon slurmd

  local state="" wait_s=${SLURM_WAIT_S:-60}
  for i in $(seq $((wait_s * 2))); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  if [ "$state" != idle ]; then
    log "node $host not idle after ${wait_s} s (state '${state}'); logs:"
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    return 1
  fi
  trap - EXIT HUP INT PIPE TERM
  log "cluster up in $dir: node $host, $cpus CPUs, ${mem_mb} MiB, ports $ctld_port/$slurmd_port"
  cat "$dir/env"
}

start_failed() {  # EXIT trap while starting: stop what was started, remove the directory
  trap - EXIT
  [ "$1" -eq 0 ] && return 0
  log "start failed ($1); stopping what was started"
  (stop "$dir") || true
  exit "$1"
}

# --- stop -------------------------------------------------------------------------------
stop() {
  dir=${1:-${SOVRISK_SLURM_DIR:-}}
  [ -n "$dir" ] || { [ -n "${SLURM_CONF:-}" ] && dir=$(dirname "$SLURM_CONF"); }
  [ -n "$dir" ] && [ -e "$dir/$marker" ] || die "no cluster directory of this script given (argument or SOVRISK_SLURM_DIR)"
  dir=$(cd "$dir" && pwd -P)
  export SLURM_CONF=$dir/slurm.conf

  # Cancel what is left, so slurmd's step daemons end their jobs before slurmd goes.
  if our_pid slurmctld >/dev/null; then
    local jobs
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [ -n "${jobs// /}" ]; then
      log "cancelling jobs $jobs"
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null || true
      for _ in $(seq 30); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  kill_and_wait slurmd slurmctld
  # Step daemons of this cluster that outlived slurmd (say it died; their environment names
  # our slurm.conf), and the job processes under them.
  local p
  for p in $(grep -lx slurmstepd /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3); do
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$dir/slurm.conf"; then
      log "killing leftover slurmstepd $p and its descendants"
      # shellcheck disable=SC2046
      kill -KILL "$p" $(descendants "$p") 2>/dev/null || true
    fi
  done
  kill_and_wait munged
  rm -rf "$dir"
  log "cluster stopped, $dir removed"
}

# --- with -------------------------------------------------------------------------------
with() {
  [ $# -gt 0 ] || die "with: no command"
  local envfile rc=0
  envfile=$(start)  # on failure start has cleaned up, and set -e exits with its code
  eval "$envfile"
  trap 'stop "$SOVRISK_SLURM_DIR"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$@" || rc=$?
  exit "$rc"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  with) shift; with "$@" ;;
  *) echo "usage: $me start | stop [DIR] | with CMD [ARG]..." >&2; exit 2 ;;
esac
