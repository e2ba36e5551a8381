#!/bin/sh
# A parametric band and a Sobol design on RANKS MPI processes, and a band in shards
# merged, write the datasets of one process, bit for bit: the ranks and the shards
# share the points, and each point's numbers are its own.
#   designs_on_ranks.sh "MPIEXEC [FLAGS] NUMPROC_FLAG" SOVRISK CONFIG RANKS
set -eu
mpiexec=$1 sovrisk=$2 config=$3 ranks=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set -- --set 'oil.long_run_mean={prior: uniform, low: 50, high: 80}' \
  --set 'spending.ceasefire={month: -1, hazard_per_year: {prior: uniform, low: 0, high: 1}, cut: 0.1}'
"$sovrisk" run "$config" --outer 9 --inner 300 --threads 2 -q -o "$work/band-one.h5" "$@"
$mpiexec "$ranks" "$sovrisk" run "$config" --outer 9 --inner 300 --threads 1 -q \
  -o "$work/band-ranks.h5" "$@"
"$sovrisk" sensitivity "$config" -N 5 -M 300 --bootstrap 20 --threads 2 -q \
  -o "$work/sens-one.h5" "$@"
$mpiexec "$ranks" "$sovrisk" sensitivity "$config" -N 5 -M 300 --bootstrap 20 --threads 1 -q \
  -o "$work/sens-ranks.h5" "$@"
# In shards, the first on the ranks with --checkpoint-every 0, so that a checkpoint is
# saved between its chunks (16 points per rank: with 3 ranks, after the first 48 of its 50),
# then merged: the same band again.
"$sovrisk" run "$config" --outer 100 --inner 100 --threads 2 -q -o "$work/shards-one.h5" "$@"
$mpiexec "$ranks" "$sovrisk" run "$config" --outer 100 --inner 100 --threads 1 -q --shard 1/2 \
  --checkpoint "$work/shard1.checkpoint" --checkpoint-every 0 -o "$work/shard1.h5" "$@"
test ! -e "$work/shard1.checkpoint"  # removed once the shard is written
"$sovrisk" run "$config" --outer 100 --inner 100 -q --shard 2/2 -o "$work/shard2.h5" "$@"
"$sovrisk" merge "$work/shard2.h5" "$work/shard1.h5" -o "$work/shards-ranks.h5" > /dev/null
# Every dataset the same bit for bit; the root attributes (threads, wall time, creation
# time) may differ.
/usr/bin/python3 - "$work" "$ranks" <<'PYTHON'
import sys
import h5py
work, ranks = sys.argv[1], sys.argv[2]
for design in ("band", "sens", "shards"):
    with h5py.File(f"{work}/{design}-one.h5", "r") as one, \
            h5py.File(f"{work}/{design}-ranks.h5", "r") as other:
        names = []
        one.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
        assert len(names) > 10, f"{design}: only {names}"
        for name in names:
            a, b = one[name][()], other[name][()]
            text = getattr(a, "dtype", None) is not None and a.dtype.kind == "O"
            same = a.tolist() == b.tolist() if text else a.tobytes() == b.tobytes()
            if not same:
                sys.exit(f"{design}: {name} differs on {ranks} ranks from one process")
        print(f"{design}: {len(names)} datasets the same on {ranks} ranks as on one process")
PYTHON
