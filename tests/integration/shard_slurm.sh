#!/usr/bin/env bash
# tests/integration/shard_slurm.sh - the Slurm recipe for real (issue 15):
# a one-node Slurm (munged, slurmctld and slurmd started here, in the lab's
# private network namespace, stopped by PID) runs
# contrib/sharding/slurm-array.sbatch as a 4-task job array against the lab
# servers, then contrib/sharding/slurm-merge.sbatch after it
# (--dependency=afterok). The merged scan must equal a single-machine scan
# of the same targets in every fact and finding.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/merge_lib.sh"
for c in jq sqlite3 munged slurmctld slurmd sbatch squeue; do
	command -v "$c" >/dev/null || {
		echo "$c is needed (apt-get install jq sqlite3 slurm-wlm munge)" >&2
		exit 99
	}
done
lab_init
lab_certs >/dev/null
merge_lab_targets

# --- a one-node Slurm -------------------------------------------------------
# Slurm resolves 127.0.0.1 with AI_ADDRCONFIG, which glibc answers only when
# some IPv4 address other than 127.0.0.1 is configured: give lo 127.0.0.2.
ip addr add 127.0.0.2/32 dev lo 2>/dev/null || true
sd=$LAB_DIR/slurm
mkdir -p "$sd/state" "$sd/spool" "$sd/munge" "$sd/shards"
chmod 700 "$sd/munge"
head -c 1024 /dev/urandom >"$sd/munge/key"
chmod 400 "$sd/munge/key"
munged --key-file="$sd/munge/key" --socket="$sd/munge/sock" --pid-file="$sd/munge/pid" \
	--log-file="$sd/munge/log" --seed-file="$sd/munge/seed" --force
lab_track "$(cat "$sd/munge/pid")"
node=$(hostname -s)
cat >"$sd/slurm.conf" <<EOF
ClusterName=tlsaudit-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$(lab_free_port)
SlurmdPort=$(lab_free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sd/munge/sock
CredType=cred/munge
StateSaveLocation=$sd/state
SlurmdSpoolDir=$sd/spool
SlurmctldPidFile=$sd/slurmctld.pid
SlurmdPidFile=$sd/slurmd.pid
SlurmctldLogFile=$sd/slurmctld.log
SlurmdLogFile=$sd/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=lab Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$sd/slurm.conf
slurmctld -i
slurmd
for f in slurmctld slurmd; do
	for _ in $(seq 50); do [ -s "$sd/$f.pid" ] && break; sleep 0.1; done
	lab_track "$(cat "$sd/$f.pid")"
done
ready=no
for _ in $(seq 100); do
	if sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then
		ready=yes
		break
	fi
	sleep 0.2
done
t_eq "the one-node Slurm is up (node idle)" yes "$ready"
[ "$ready" = yes ] || { tail -20 "$sd/slurmctld.log" "$sd/slurmd.log" >&2; t_done; exit 1; }

# --- the recipe: a 4-task array, then the merge ------------------------------
export TLSAUDIT
export TLSAUDIT_SCAN_OPTS="--ca-file $LAB_CA -j 2 $MERGE_SCAN_OPTS"
contrib=$top_srcdir/contrib/sharding
jid=$(sbatch --parsable --array=1-4 -o "$sd/shard-%a.log" "$contrib/slurm-array.sbatch" \
	"$LAB_DIR/targets" "$sd/shards")
t_match "the array is submitted" '^[0-9]+$' "$jid"
mid=$(sbatch --parsable --dependency="afterok:$jid" -o "$sd/merge.log" \
	"$contrib/slurm-merge.sbatch" "$sd/shards" "$sd/central.db")
t_match "the merge is submitted after it" '^[0-9]+$' "$mid"
done_=no
for _ in $(seq 600); do
	if [ -z "$(squeue -h 2>/dev/null)" ]; then
		done_=yes
		break
	fi
	sleep 0.5
done
t_eq "every job ended within 5 minutes" yes "$done_"
for k in 1 2 3 4; do
	t_eq "task $k wrote shard $k of 4 of run slurm-$jid" "slurm-$jid|$k|4|complete" \
		"$(sqlite3 "$sd/shards/shard-$k.db" 'SELECT run_id, shard_k, shard_n, state FROM scans' 2>&1)"
done
t_match "the merge job merged the four shards" "shard-4.db: 1 scan into scan 1" "$(cat "$sd/merge.log")"
t_eq "one complete scan for the run" "1|complete|run-slurm-$jid" \
	"$(sqlite3 "$sd/central.db" 'SELECT count(*), state, uuid FROM scans')"

# --- the same targets on one machine ------------------------------------------
# shellcheck disable=SC2086 # the options are words
"$TLSAUDIT" scan --db "$LAB_DIR/single.db" $TLSAUDIT_SCAN_OPTS -f "$LAB_DIR/targets" \
	--format json -o /dev/null || [ $? -eq 1 ]
merge_same "Slurm shards merged = single machine" "$LAB_DIR/single.db" "$sd/central.db"
t_done
