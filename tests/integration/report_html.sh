#!/usr/bin/env bash
# tests/integration/report_html.sh - the HTML audit report, opened in
# headless Chromium (Debian's `chromium`).
#
# 1. A control: Chromium runs an inline script in a page without our
#    Content-Security-Policy and does not with it, so the DOM checks below
#    can see a script that ran (and the CSP is what tlsaudit writes).
# 2. Lab servers (legacy, modern12, expired) and a closed port are scanned,
#    `check --policy pci-dss-4.0` is run, the servers are stopped and
#    `report --format html --expiring 400 -o FILE` is written; Chromium's
#    DOM of it has every section, each target, the legacy server's TLS 1.2
#    suites in its configured order (tests/lab/servers.txt), the policy
#    verdicts stored in the database, and no element or attribute that
#    tlsaudit does not write. A screenshot goes to
#    $top_builddir/report-html.png.
# 3. The hostile fixture of tests/unit/report_html_test (certificate
#    subject, issuer, SANs and evidence holding <script>, <img onerror>,
#    quotes, =HYPERLINK, newline, ESC, invalid UTF-8): in Chromium's DOM no
#    injected element exists and the text shows literally. A screenshot goes
#    to $top_builddir/report-html-hostile.png.
#
# Chromium runs inside the lab's private network namespace (nothing but
# loopback) with background networking, component updates, sync,
# extensions and crash reporting off, HOME and XDG dirs in the lab's
# directory, and a timeout.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
command -v python3 >/dev/null || { echo "python3 is needed (apt-get install python3)" >&2; exit 99; }
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || lab_skip "chromium is not installed (apt-get install chromium)"
export TLSAUDIT_POLICY_DIR=$top_srcdir/policies
DOM_PY=$top_srcdir/tests/integration/html_dom.py

lab_init
lab_certs >/dev/null

# chromium_run ARGS...: headless Chromium with its state in the lab dir.
CHR=$LAB_DIR/chromium
mkdir -p "$CHR/home" "$CHR/config" "$CHR/cache" "$CHR/run"
chmod 700 "$CHR/run"
chromium_run() {
	HOME=$CHR/home XDG_CONFIG_HOME=$CHR/config XDG_CACHE_HOME=$CHR/cache \
		XDG_RUNTIME_DIR=$CHR/run DBUS_SESSION_BUS_ADDRESS=disabled: \
		timeout -k 5 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-extensions --disable-default-apps --disable-breakpad \
		--disable-domain-reliability --no-first-run --no-default-browser-check \
		--metrics-recording-only --no-pings --hide-scrollbars \
		--user-data-dir="$CHR/profile" "$@" 2>>"$CHR/stderr"
}

# dom FILE.html: Chromium's DOM of FILE after loading it, into FILE.dom.
dom() {
	if chromium_run --dump-dom "file://$1" >"$1.dom" && [ -s "$1.dom" ]; then
		t_ok "chromium renders $(basename "$1")"
	else
		t_fail "chromium renders $(basename "$1")" "$(tail -5 "$CHR/stderr")"
	fi
}

# screenshot FILE.html PNG
screenshot() {
	rm -f "$2"
	chromium_run --window-size=1280,4000 --screenshot="$2" "file://$1" >/dev/null || true
	if [ -s "$2" ] && [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '211PNG' ]; then
		t_ok "screenshot $2"
	else
		t_fail "screenshot $2" "$(tail -5 "$CHR/stderr")"
	fi
}

# --- 1. the control: the DOM shows whether a script ran; our CSP stops it -----------
CSP="<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
page='<title>before</title></head><body><p id="x">static</p><script>document.title="RAN";document.getElementById("x").textContent="script ran"</script></body></html>'
printf '<!DOCTYPE html><html><head><meta charset="utf-8">%s\n' "$page" >"$LAB_DIR/control-open.html"
printf '<!DOCTYPE html><html><head><meta charset="utf-8">%s%s\n' "$CSP" "$page" >"$LAB_DIR/control-csp.html"
dom "$LAB_DIR/control-open.html"
dom "$LAB_DIR/control-csp.html"
t_match "control: without a CSP the inline script runs" '<title>RAN</title>' "$(cat "$LAB_DIR/control-open.html.dom")"
t_match "control: with the report's CSP it does not" '<title>before</title>.*static' \
	"$(tr -d '\n' <"$LAB_DIR/control-csp.html.dom")"

# --- 2. a real scan of the lab -------------------------------------------------------
: >"$LAB_DIR/targets"
for s in legacy modern12 expired; do
	lab_start "$s" >/dev/null
	printf '%s tags=lab,%s\n' "$(lab_target "$s")" "$s" >>"$LAB_DIR/targets"
done
closed=$(lab_closed_port)
echo "$closed" >>"$LAB_DIR/targets"
db=$LAB_DIR/report.db
t_run 3 "$TLSAUDIT" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 -f "$LAB_DIR/targets"
lab_stop_all >/dev/null 2>&1 || true
t_run 1 "$TLSAUDIT" check --db "$db" --policy pci-dss-4.0
html=$LAB_DIR/report.html
t_run 0 "$TLSAUDIT" report --db "$db" --format html --expiring 400 -o "$html"
t_eq "report: nothing on stdout with -o" "" "$T_OUT"
dom "$html"
t_eq "report: only elements and attributes tlsaudit writes" ok \
	"$(python3 "$DOM_PY" check "$html.dom" 2>&1 || true)"
for tag in script img iframe object embed link form; do
	t_eq "report: no <$tag>" 0 "$(python3 "$DOM_PY" count "$html.dom" "$tag")"
done
rows=$(python3 "$DOM_PY" rows "$html.dom")
text=$(python3 "$DOM_PY" text "$html.dom")
for id in summary targets cert-inventory protocol-inventory expiring provenance; do
	t_match "report: section $id" "<section id=\"$id\">" "$(cat "$html.dom")"
done
# The summary layout (--summary, the default above 100 targets): only the
# targets that are not compliant (or not scanned) in detail, worst first;
# a compliant target is listed in the summary, not linked.
sum_html=$LAB_DIR/summary.html
t_run 0 "$TLSAUDIT" report --db "$db" --format html --summary -o "$sum_html"
dom "$sum_html"
n_bad=$("$TLSAUDIT" report --db "$db" --format json | jq '[.targets[] as $t
	| select($t.status != "ok" or ([.policy_runs[].verdicts[] | select(.target_id == $t.target_id
	  and .verdict == "non-compliant")] | length > 0))] | length')
t_eq "summary layout: one article per target non-compliant or not scanned" "$n_bad" \
	"$(python3 "$DOM_PY" count "$sum_html.dom" article)"
t_match "summary layout: says what it leaves out" "The summary layout: $n_bad of 4 targets in detail" \
	"$(python3 "$DOM_PY" text "$sum_html.dom")"
t_eq "summary layout: every link points at an article that exists" "" \
	"$(for a in $(grep -o 'href="#t[0-9]*"' "$sum_html" | sort -u | sed 's/href="#\(t[0-9]*\)"/\1/'); do
		grep -q "<article class=\"target\" id=\"$a\">" "$sum_html" || echo "$a"
	done)"
t_match "summary layout: failing findings grouped by rule" "<h3>Failing findings by rule</h3>" "$(cat "$sum_html")"
t_run 2 "$TLSAUDIT" report --db "$db" --format html --detail some
t_match "--detail is checked" "is not 'all' or 'failing'" "$T_ERR"

# Printed (A4, as an auditor prints it): no page holds a section heading
# alone (the targets' heading and the first target share a page), and a
# hex code or fingerprint never wraps mid-token unless it cannot fit.
if command -v pdftotext >/dev/null; then
	chromium_run --print-to-pdf="$LAB_DIR/report.pdf" "file://$html" >/dev/null || true
	pages=$(pdfinfo "$LAB_DIR/report.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
	lonely=""
	for p in $(seq 1 "${pages:-0}"); do
		body=$(pdftotext -layout -f "$p" -l "$p" "$LAB_DIR/report.pdf" - |
			grep -v -e 'tlsaudit report: scan' -e '^ *file://' -e '^ *[0-9]*/[0-9]* *$' \
				-e '^[0-9/]*, [0-9:]* [AP]M' | grep -c '[^[:space:]]' || true)
		[ "$body" -gt 1 ] || lonely="$lonely $p"
	done
	t_match "print: the report prints to PDF" '^[0-9]+$' "${pages:-none}"
	t_eq "print: no page holds only a heading (pages of $pages)" "" "$lonely"
else
	t_fail "print: pdftotext is not installed (apt-get install poppler-utils)"
fi
t_eq "CSS: codes wrap only where they must (no word-break:break-all)" "" \
	"$(grep -o 'word-break:break-all' "$html" || true)"
t_match "report: the CSP survives in the DOM" "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" \
	"$(cat "$html.dom")"

# Each target: its row in the summary, with its SNI and status.
for s in legacy modern12 expired; do
	port=$(lab_port "$s")
	t_match "summary: $s listed as scanned" \
		"^summary	[^	]*	127\.0\.0\.1:$port \($s\.lab\.test\)	$s\.lab\.test	ok	" "$rows"
done
t_match "summary: the closed port is not scanned" \
	"^summary	[^	]*	$(echo "$closed" | sed 's/\./\\./g')	-	unreachable .*	not scanned$" "$rows"
t_match "summary: 4 targets, 3 scanned, 1 not" "4 targets: 3 scanned, 1 not scanned" "$text"

# The legacy server's TLS 1.2 suites in the order it is configured with.
# (the summary lists the worst targets first: find legacy's article by its SNI)
legacy_idx=$(printf '%s\n' "$rows" |
	awk -F'\t' '$1 == "targets" && $3 == "SNI" && $4 == "legacy.lab.test" { print substr($2, 2); exit }')
want_order=$(lab_expect legacy suites.TLS1.2 | tr ',' '\n' | head -8 | tr '\n' ' ')
got_order=$(printf '%s\n' "$rows" | awk -F'\t' -v a="t$legacy_idx" '
	$1 == "targets" && $2 == a && $3 ~ /^[0-9]+$/ && $4 ~ /^0x/ {
		if ($3 == 1) n++      # each version table restarts at 1; TLS 1.2 comes first
		if (n == 1) printf "%s ", $4
	}' | tr ' ' '\n' | head -8 | tr '\n' ' ')
t_eq "legacy: TLS 1.2 suites in server order (first 8)" "$want_order" "$got_order"
t_match "legacy: suites carry their attributes" \
	"^targets	t$legacy_idx	1	0xC030	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384	ECDHE	RSA	AES	256	GCM	AEAD	yes	yes	no	" "$rows"
t_match "legacy: TLS 1.0 accepted" "^targets	t$legacy_idx	TLS 1\.0	accepted	" "$rows"

# Verdicts per policy at the gate stored with the run (check's default,
# --fail-on high): the targets with a failing finding at or above it.
fail_targets=$(sqlite3 "$db" "SELECT count(DISTINCT target_id) FROM findings WHERE verdict = 'fail' AND severity IN ('high', 'critical')")
t_match "policy row: pci-dss-4.0 fails on $fail_targets targets at its gate" \
	"^summary	[^	]*	pci-dss-4\.0	[^	]*	high	fail	[0-9]+	$fail_targets	" "$rows"
t_eq "legacy fails pci-dss-4.0 in the target table" fail \
	"$(printf '%s\n' "$rows" | awk -F'\t' -v p="127.0.0.1:$(lab_port legacy) " '$1 == "summary" && index($3, p) == 1 { print $NF }')"
n_fail=$(sqlite3 "$db" "SELECT count(*) FROM findings WHERE verdict = 'fail'")
shown=$(printf '%s\n' "$rows" | awk -F'\t' '$1 == "targets" && ($3 == "fail" || $3 == "fail below the gate")' | wc -l)
t_eq "every failing finding is shown under its target" "$n_fail" "$shown"
n_below=$(sqlite3 "$db" "SELECT count(*) FROM findings WHERE verdict = 'fail' AND severity NOT IN ('high', 'critical')")
t_eq "a failing finding below the gate says so" "$n_below" \
	"$(printf '%s\n' "$rows" | awk -F'\t' '$1 == "targets" && $3 == "fail below the gate"' | wc -l)"
t_match "a finding carries its requirement" "	fail	(critical|high|medium|low|info)	[^	]+	PCI DSS v4\.0\.1 Req [0-9.]+" "$rows"

# Inventories and expiry.
n_certs=$(sqlite3 "$db" "SELECT count(DISTINCT sha256) FROM chain_certs")
t_match "certificate inventory: every distinct certificate" \
	"Every certificate served by a scanned target, once per SHA-256 fingerprint: $n_certs distinct" "$text"
t_match "certificate inventory: the expired leaf with its negative days" \
	"^cert-inventory		CN=expired\.lab\.test[^	]*	CN=tlsaudit lab intermediate[^	]*	RSA 2048 bits	[^	]+	[0-9-]+	-[0-9]+	" "$rows"
t_match "protocol inventory: TLS 1.0 on the legacy server only" \
	"^protocol-inventory		TLS 1\.0	1: 127\.0\.0\.1:$(lab_port legacy) " "$rows"
t_match "expiring: the expired leaf is listed" "^expiring		[0-9-]+	-[0-9]+	CN=expired\.lab\.test" "$rows"
t_match "provenance: the trust store" "^provenance		Trust store	$LAB_CA$" "$rows"
t_match "provenance: the database" "^provenance		Database	$db$" "$rows"
t_match "provenance: the policy hash" \
	"^provenance		pci-dss-4\.0	[0-9.]+	[^	]*	$(sqlite3 "$db" 'SELECT policy_sha256 FROM policy_runs LIMIT 1')	" "$rows"
screenshot "$html" "$top_builddir/report-html.png"

# The streamed renderer (report_stream_html: without --expiring) gives the
# whole-scan renderer's bytes on this real scan, in both layouts
# (make_fixture renders the newest scan both ways); and `scan --format
# html`, which streams too, the bytes `report` gives of the same scan.
mk=$top_builddir/tests/report/make_fixture
if [ -x "$mk" ]; then
	for f in html html-summary; do
		"$mk" render "$db" "$f" >"$LAB_DIR/whole-$f.html" 2>&1
		"$mk" render "$db" "$f-stream" >"$LAB_DIR/stream-$f.html" 2>&1
		if [ -s "$LAB_DIR/whole-$f.html" ] && cmp -s "$LAB_DIR/whole-$f.html" "$LAB_DIR/stream-$f.html"; then
			t_ok "streamed $f: the whole-scan renderer's bytes"
		else
			t_fail "streamed $f: the whole-scan renderer's bytes" \
				"$(diff "$LAB_DIR/whole-$f.html" "$LAB_DIR/stream-$f.html" | head -20)"
		fi
	done
fi
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 5 --format html -o "$LAB_DIR/scan.html" "$closed"
t_run 0 "$TLSAUDIT" report --db "$db" --latest --format html -o "$LAB_DIR/scan-report.html"
t_eq "scan --format html: the bytes report gives of that scan" same \
	"$(cmp -s "$LAB_DIR/scan.html" "$LAB_DIR/scan-report.html" && [ -s "$LAB_DIR/scan.html" ] && echo same)"

# --- 3. hostile strings ---------------------------------------------------------------
fixture_bin=$top_builddir/tests/unit/report_html_test
if [ -x "$fixture_bin" ]; then
	hostile=$LAB_DIR/hostile.html
	"$fixture_bin" --write "$hostile"
	dom "$hostile"
	t_eq "hostile: only elements and attributes tlsaudit writes" ok \
		"$(python3 "$DOM_PY" check "$hostile.dom" 2>&1 || true)"
	for tag in script img iframe; do
		t_eq "hostile: no <$tag> in the DOM" 0 "$(python3 "$DOM_PY" count "$hostile.dom" "$tag")"
	done
	t_match "hostile: no script changed the title" '<title>tlsaudit report: scan 7</title>' "$(cat "$hostile.dom")"
	htext=$(python3 "$DOM_PY" text "$hostile.dom")
	t_match "hostile: subject shown literally" \
		'CN=<script>alert\(1\)</script>,O==HYPERLINK\("http://evil\.example/","click"\)' "$htext"
	t_match "hostile: issuer with newline, ESC and invalid UTF-8 made visible" \
		'CN=<img src=x onerror=alert\(2\)>,O=line1\\x0aline2\\x1b\[31mred\\xff\\xfe\\xc0\\xaf' "$htext"
	t_match "hostile: SAN shown literally" 'DNS:</td></tr></table><iframe src=x></iframe>' "$htext"
	t_match "hostile: evidence shown literally" 'RC4 accepted: <script>alert\(1\)</script>' "$htext"
	t_match "hostile: quotes shown literally" "stopped by SIGINT \"dq\" 'sq'" "$htext"
	screenshot "$hostile" "$top_builddir/report-html-hostile.png"
	t_eq "hostile: every URL list is its own row, never 'nonenone'" "" \
		"$(grep -o 'none</span><span class="muted">none' "$hostile" || true)"
else
	t_fail "hostile fixture: $fixture_bin is not built (needs the Check library)"
fi
t_done
