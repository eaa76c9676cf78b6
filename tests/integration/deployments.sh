#!/usr/bin/env bash
# tests/integration/deployments.sh - a server with two certificates (the
# issue's lab case): the lab's dualcert nginx serves a good RSA leaf and an
# EXPIRED ECDSA leaf for one name, and a client gets the one its offer
# selects. tlsaudit must collect both chains (one handshake per
# authentication type), store each with its validation, fail pci-dss-4.0
# and mozilla-intermediate at the default gate (exit 1) with evidence
# naming the ECDSA deployment, list both in the scan JSON and in the report
# read back from the store; a single-certificate server (good-rsa) has
# exactly one deployment and evidence without a deployment name.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies

lab_init
lab_certs >/dev/null
lab_start dualcert >/dev/null
lab_start good-rsa >/dev/null
db=$LAB_DIR/d.db
lab_target dualcert >"$LAB_DIR/targets"
lab_target good-rsa >>"$LAB_DIR/targets"
dport=$(lab_port dualcert)
gport=$(lab_port good-rsa)

t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 -f "$LAB_DIR/targets" \
	--format json -o "$LAB_DIR/scan.json"
scan=$LAB_DIR/scan.json
dual() { jq -c --argjson p "$dport" ".targets[] | select(.port == \$p) | $1" "$scan"; }
good() { jq -c --argjson p "$gport" ".targets[] | select(.port == \$p) | $1" "$scan"; }

# Both chains collected, one per leaf key type, the ECDSA one expired.
t_eq "scan JSON: dualcert has two deployments" 2 "$(dual '.deployments | length')"
t_eq "scan JSON: one RSA and one EC leaf" '["EC","RSA"]' \
	"$(dual '[.deployments[].certificates[0].key.type] | sort')"
t_eq "scan JSON: the labels name the authentication types" '["ECDSA","RSA"]' \
	"$(dual '[.deployments[].label] | sort')"
t_eq "scan JSON: the ECDSA chain is expired, the RSA one trusted" '[[false,true],[true,false]]' \
	"$(dual '[.deployments[] | [.chain.expired, .chain.trusted]] | sort')"
t_eq "scan JSON: deployment 0 is the target's own chain" "$(dual '.certificates')" \
	"$(dual '.deployments[0].certificates')"
t_eq "scan JSON: the two leaves differ" 2 \
	"$(dual '[.deployments[].certificates[0].sha256] | unique | length')"
t_eq "scan JSON: good-rsa has one deployment" 1 "$(good '.deployments | length')"

# Stored: deployment 0 in chain_certs, the other in deployments, each with
# its validation and certificates.
tid=$(sqlite3 "$db" "SELECT id FROM targets WHERE port = $dport")
gid=$(sqlite3 "$db" "SELECT id FROM targets WHERE port = $gport")
t_eq "stored: one further deployment for dualcert" 1 \
	"$(sqlite3 "$db" "SELECT count(*) FROM deployments WHERE target_id = $tid AND position = 1 AND chain_collected = 1")"
t_eq "stored: its chain and validation" "2 1" \
	"$(sqlite3 -separator ' ' "$db" "SELECT (SELECT count(*) FROM deployment_certs dc JOIN deployments d ON d.id = dc.deployment_id WHERE d.target_id = $tid), (SELECT count(*) FROM deployment_chains dc JOIN deployments d ON d.id = dc.deployment_id WHERE d.target_id = $tid)")"
t_eq "stored: the two leaves are an RSA and an EC key" "EC,RSA" \
	"$(sqlite3 "$db" "SELECT group_concat(k, ',') FROM (SELECT c.key_type AS k FROM chain_certs cc JOIN certificates c ON c.sha256 = cc.sha256 WHERE cc.target_id = $tid AND cc.position = 0 UNION ALL SELECT c.key_type FROM deployment_certs dc JOIN deployments d ON d.id = dc.deployment_id JOIN certificates c ON c.sha256 = dc.sha256 WHERE d.target_id = $tid AND dc.position = 0 ORDER BY 1)")"
t_eq "stored: good-rsa has no further deployment" 0 \
	"$(sqlite3 "$db" "SELECT count(*) FROM deployments WHERE target_id = $gid")"

# Read back from the store: the report lists both.
t_run 0 "$TLSAUDIT" report --db "$db" --format json -o "$LAB_DIR/report.json"
t_eq "report JSON (from the store): the deployments as scanned" \
	"$(jq -c --argjson p "$dport" '.targets[] | select(.port == $p) | .deployments' "$scan")" \
	"$(jq -c --argjson p "$dport" '.targets[] | select(.port == $p) | .deployments' "$LAB_DIR/report.json")"

t_run 0 "$TLSAUDIT" report --db "$db" --format json --expiring 30 -o "$LAB_DIR/exp.json"
t_eq "report --expiring: the expired ECDSA leaf of deployment 1 is listed" 1 \
	"$(jq --argjson p "$dport" '[.expiring.certificates[] | select(.port == $p and .deployment == 1 and .position == 0 and .expired)] | length' "$LAB_DIR/exp.json")"
t_eq "report inventory: both leaves of dualcert are listed" 2 \
	"$(jq --argjson t "$tid" '[.inventory.certificates[] | select(any(.served[]; .target_id == $t and .position == 0))] | length' "$LAB_DIR/exp.json")"

# Policies at the default gate: the expired ECDSA chain fails them.
for p in pci-dss-4.0 mozilla-intermediate; do
	t_run 1 "$TLSAUDIT" check --db "$db" --policy "$p" --format json -o "$LAB_DIR/$p.json"
	f=$LAB_DIR/$p.json
	ev=$(jq -r --argjson p "$dport" '.targets[] | select(.port == $p) | .policies[0].findings[]
		| select(.verdict == "fail" and .severity == "high") | .evidence' "$f")
	t_match "$p: a high failure names the expired ECDSA deployment" \
		'ECDSA deployment: leaf expired' "$ev"
	t_eq "$p: the RSA deployment fails nothing" "" \
		"$(printf '%s\n' "$ev" | grep -E '(^|; )RSA deployment: [^;]*(expired|does not)' || true)"
	t_eq "$p: good-rsa fails no certificate rule" "" \
		"$(jq -r --argjson p "$gport" '.targets[] | select(.port == $p) | .policies[0].findings[]
			| select(.verdict == "fail" and (.evidence // "" | test("expired|trust anchor"))) | .rule_id' "$f")"
	t_eq "$p: good-rsa's evidence names no deployment" 0 \
		"$(jq --argjson p "$gport" '[.targets[] | select(.port == $p) | .policies[0].findings[].evidence // "" | select(test("deployment:"))] | length' "$f")"
done

# The text and CSV reports show each chain under its name.
t_run 0 "$TLSAUDIT" report --db "$db" --format csv -o "$LAB_DIR/r.csv"
t_eq "csv: certificate rows of both deployments" "0,1" \
	"$(python3 -c 'import csv,sys
rows=[r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["record"]=="certificate" and r["port"]==sys.argv[2]]
print(",".join(sorted({r["deployment"] for r in rows})))' "$LAB_DIR/r.csv" "$dport")"
t_run 0 "$TLSAUDIT" report --db "$db" --format html -o "$LAB_DIR/r.html"
t_match "html: the target detail shows both deployments" \
	'Certificate deployment 1 of 2: RSA</h4>.*Certificate deployment 2 of 2: ECDSA</h4>' \
	"$(tr -d '\n' <"$LAB_DIR/r.html")"
t_run 0 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 --no-enumerate --offline \
	--color never "127.0.0.1:$dport" --sni dualcert.lab.test
t_match "text: each deployment has its block" 'Deploy +#1 of 2: (RSA|ECDSA)' "$T_OUT"
t_done
