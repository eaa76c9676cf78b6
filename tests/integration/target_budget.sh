#!/usr/bin/env bash
# tests/integration/target_budget.sh - the per-target time budget (issue 17,
# item 4). A server that trickles valid bytes answers every probe just too
# slowly: without a budget it held a scan for many minutes, one timeout
# after another. The scan must end within the budget it records (the
# target's error says "partial: the target's time budget of S s ran out"),
# plus a slack of two --timeout (the scan's own value, not a guess about
# this machine), and nothing it did not finish may be stored as refused.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/scripted.sh"

# Every registry suite, three versions, every byte 10 ms apart: a ServerHello
# gets through within a timeout, a whole first flight does not.
scripted_start srv --versions tls1.0,tls1.2,tls1.3 --suites ALL \
	--misbehave trickle --trickle-ms 10

# budget_case NAME TIMEOUT ARGS...: scans the server, checks the bound and
# the partial facts.
budget_case() {
	local name=$1 timeout=$2
	shift 2
	local t0 t1 st
	t0=$(date +%s%N)
	set +e
	"$TLSAUDIT" scan --db "$work/$name.db" --offline --timeout "$timeout" --format json "$@" \
		"127.0.0.1:$PORT" >"$work/$name.json" 2>"$work/$name.err"
	st=$?
	set -e
	t1=$(date +%s%N)
	local elapsed_ms=$(((t1 - t0) / 1000000))
	echo "# $name: exit $st after $elapsed_ms ms"
	case $st in 0 | 3) t_ok "$name: exit $st" ;; *) t_fail "$name: exit $st" "$(cat "$work/$name.err")" ;; esac
	local json err budget
	json=$(cat "$work/$name.json")
	err=$(jq -r '.targets[0].error // ""' <<<"$json")
	t_match "$name: the target is recorded partial, with its budget" \
		"^partial: the target's time budget of [0-9]+ s ran out" "$err"
	budget=$(sed -n "s/^partial: the target's time budget of \([0-9]*\) s ran out.*/\1/p" <<<"$err")
	[ -n "$budget" ] || budget=0
	BUDGET=$budget
	local bound_ms=$(((budget + 2 * timeout) * 1000))
	if [ "$budget" -gt 0 ] && [ "$elapsed_ms" -le "$bound_ms" ]; then
		t_ok "$name: ended within the budget ($budget s) + 2 x --timeout: $elapsed_ms ms"
	else
		t_fail "$name: ended within the budget ($budget s) + 2 x --timeout" "took $elapsed_ms ms"
	fi
	# What the budget cut short says so, and is never a refusal.
	t_eq "$name: nothing unfinished stored as refused" "" \
		"$(jq -r '[.targets[0] | (.versions[], .enumeration.versions[]) | select(.state == "refused" and ((.reason // "") | test("budget|timed out"))) | .version] | join(",")' <<<"$json")"
	t_eq "$name: the server's versions are accepted or inconclusive, not refused" "" \
		"$(jq -r '[.targets[0].enumeration.versions[] | select(.version == "TLS 1.0" or .version == "TLS 1.2" or .version == "TLS 1.3") | select(.state == "refused" or .state == "not-tested") | "\(.version)=\(.state)"] | join(",")' <<<"$json")"
	# The budget may cut an enumeration version, a GnuTLS version, or only a
	# group, extension or TLS 1.3 signature-scheme probe: the target's error
	# (above) is where the scan says so. What every version must do is say
	# why it is not decided: none inconclusive, incomplete or not tested
	# without a reason.
	t_eq "$name: every undecided version gives its reason" "" \
		"$(jq -r '[.targets[0] | (.enumeration.versions[] | select((.state == "inconclusive" or .state == "not-tested") and ((.reason // "") == "")) | "enum \(.version)"), (.enumeration.versions[] | select(.incomplete == true and ((.incomplete_reason // "") == "")) | "enum \(.version) incomplete"), (.versions[] | select((.state == "inconclusive" or .state == "not-tested") and ((.reason // "") == "")) | .version)] | join(",")' <<<"$json")"
	local rep
	rep=$("$TLSAUDIT" report --db "$work/$name.db" --latest --format json 2>/dev/null || true)
	t_match "$name: the stored target says partial" "^partial: the target's time budget" \
		"$(jq -r '.targets[0].error // ""' <<<"$rep")"
}

# 1. The default budget: 20 x --timeout.
budget_case default 1
t_eq "default: the budget is 20 x --timeout" 20 "$BUDGET"

# 2. --target-budget sets it.
budget_case option 1 --target-budget 5
t_eq "option: the budget is --target-budget" 5 "$BUDGET"

t_done
