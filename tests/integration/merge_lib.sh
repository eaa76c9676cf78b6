# tests/integration/merge_lib.sh - what the sharding tests share (bash;
# source it after common.sh): the lab targets, the scan options, and the
# check that a merged scan equals a single-machine scan of the same targets.

MERGE_SERVERS="good-rsa good-ecdsa expired selfsigned wronghost legacy gnutls-legacy tls13-only dualcert"
# The scan options of every scan the comparison covers (no fetches, so the
# facts depend on the servers only).
MERGE_SCAN_OPTS="--timeout 10 --offline --policy pci-dss-4.0 --policy mozilla-intermediate"

# merge_lab_targets: starts MERGE_SERVERS and writes $LAB_DIR/targets.
merge_lab_targets() {
	local s
	: >"$LAB_DIR/targets"
	for s in $MERGE_SERVERS; do
		lab_start "$s" >/dev/null
		lab_target "$s" >>"$LAB_DIR/targets"
	done
}

# merge_same NAME SINGLE_DB CENTRAL_DB [SCAN_ID]: the newest scan of
# SINGLE_DB and scan SCAN_ID (default: the newest) of CENTRAL_DB have the
# same facts for every target (report JSON; ids and times aside), the same
# runs and counts per policy, the same summary, and the same finding per
# (policy, endpoint, rule).
merge_same() {
	local name=$1 single=$2 central=$3 pick=${4:---latest}
	[ "$pick" = --latest ] || pick="--scan $pick"
	# (the DH/ECDH public values are fresh in every handshake: two scans of
	# one server share its primes and certificate keys, not those)
	local norm='{targets: [.targets[] | del(.target_id, .started, .finished)
	    | if .enumeration.kex_values? then .enumeration.kex_values |= map(select(.kind != "dh_public" and .kind != "ecdh_public")) else . end]
	    | sort_by(.host, .port, .sni),
	  runs: [.policy_runs[] | {policy, version, sha256, fail_on, counts}] | sort_by(.policy),
	  summary: .summary}'
	local fkeys='([.targets[] | {(.target_id | tostring): "\(.host):\(.port) \(.sni)"}] | add) as $ep
	  | [.policy_runs[] as $r | $r.findings[] | "\($r.policy) \($ep[.target_id | tostring]) \(.rule_id) \(.severity) \(.verdict) \(.evidence)"] | sort | .[]'
	"$TLSAUDIT" report --db "$single" --latest --format json -o "$LAB_DIR/single.json"
	# shellcheck disable=SC2086 # pick is one or two words
	"$TLSAUDIT" report --db "$central" $pick --format json -o "$LAB_DIR/merged.json"
	jq -S "$norm" "$LAB_DIR/single.json" >"$LAB_DIR/single.norm"
	jq -S "$norm" "$LAB_DIR/merged.json" >"$LAB_DIR/merged.norm"
	if diff -u "$LAB_DIR/single.norm" "$LAB_DIR/merged.norm" >"$LAB_DIR/norm.diff"; then
		t_ok "$name: every target's facts, the runs per policy and the summary"
	else
		t_fail "$name: every target's facts, the runs per policy and the summary" \
			"$(head -40 "$LAB_DIR/norm.diff")"
	fi
	t_eq "$name: every finding per endpoint and rule" "$(jq -r "$fkeys" "$LAB_DIR/single.json")" \
		"$(jq -r "$fkeys" "$LAB_DIR/merged.json")"
	t_eq "$name: $(jq '.targets | length' "$LAB_DIR/single.json") targets compared" \
		"$(wc -l <"$LAB_DIR/targets")" "$(jq '.targets | length' "$LAB_DIR/merged.json")"
}
