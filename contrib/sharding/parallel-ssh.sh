#!/bin/bash
# contrib/sharding/parallel-ssh.sh - a tlsaudit scan in N shards over ssh
# with GNU parallel, merged into one database here.
#
#   parallel-ssh.sh TARGETS_FILE CENTRAL.db host1 host2 host3 host4
#
# Every host needs tlsaudit on its PATH (and the policies: shipped ones are
# found by an installed tlsaudit). Each host scans shard {#} of N, sends its
# shard file back (--return) and removes it (--cleanup); the shards are
# then merged. Extra scan options: $TLSAUDIT_SCAN_OPTS.
set -eu
targets=${1:?usage: parallel-ssh.sh TARGETS_FILE CENTRAL_DB HOST...}
central=${2:?usage: parallel-ssh.sh TARGETS_FILE CENTRAL_DB HOST...}
shift 2
[ $# -gt 0 ] || { echo "parallel-ssh.sh: give at least one HOST" >&2; exit 2; }
n=$#
run_id=parallel-$(date -u +%Y%m%dT%H%M%SZ)
logins=$(printf '1/%s,' "$@")
seq "$n" | parallel --sshlogin "${logins%,}" --transferfile "$targets" \
	--return "shard-{}.db" --cleanup \
	"${TLSAUDIT:-tlsaudit} scan -f $(basename "$targets") --shard {}/$n --run-id $run_id \
		--db shard-{}.db --format json -o /dev/null ${TLSAUDIT_SCAN_OPTS-} || [ \$? -ne 2 ]"
shards=()
for k in $(seq "$n"); do shards+=("shard-$k.db"); done
${TLSAUDIT:-tlsaudit} merge --into "$central" "${shards[@]}"
