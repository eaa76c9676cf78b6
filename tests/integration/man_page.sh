#!/usr/bin/env bash
# tests/integration/man_page.sh - tlsaudit(1), written by `tlsaudit --man
# DATE` from the --help texts and option tables: it renders without a
# warning (mandoc -Tlint, groff -ww, man -l), holds no roff request it did
# not mean to write, says what --help says (every command, every option of
# every command with its help text, every exit code: man_check.py), and the
# tlsaudit.1 that make built and installs is the current one. No network.
set -eu
. "$top_srcdir/tests/integration/common.sh"
command -v groff >/dev/null || { echo "groff is needed (apt-get install groff-base)" >&2; exit 99; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 99; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
page=$tmp/tlsaudit.1

t_run 0 "$TLSAUDIT" --man 2026-01-02
printf '%s\n' "$T_OUT" >"$page"
t_match "the page starts with its title" '^\.\\"' "$(head -c 3 "$page")"
t_match ".TH carries the date and version" \
	"^\\.TH TLSAUDIT 1 \"2026-01-02\" \"tlsaudit [0-9.]+\"" "$(grep '^\.TH' "$page")"
t_run 2 "$TLSAUDIT" --man
t_match "--man without a date says what it expects" "expected the page's date \(YYYY-MM-DD\)" "$T_ERR"
t_run 2 "$TLSAUDIT" --man 02/01/2026
t_match "--man with a bad date names it" "'02/01/2026' is not a date" "$T_ERR"

# --- it renders without a warning -----------------------------------------------
if command -v mandoc >/dev/null; then
	t_eq "mandoc -Tlint -Wall: no message" "" "$(mandoc -Tlint -Wall "$page" 2>&1 || echo "exit $?")"
else
	echo "SKIP mandoc is not installed (apt-get install mandoc): no lint"
fi
t_eq "groff -man -ww: no warning" "" "$(groff -man -Tutf8 -ww -z "$page" 2>&1)"
if command -v man >/dev/null; then
	err=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) || err="exit $?: $err"
	t_eq "man -l: renders without a message" "" "$err"
else
	echo "SKIP man is not installed"
fi

# Every line starting with '.' or '\'' is one of the requests the generator
# writes: text that starts with '.' ("...", ".yaml") must be escaped.
bad=$(grep -nE "^[.']" "$page" |
	grep -vE '^[0-9]+:\.(\\"|TH |SH |SS |TP$|PP$|IP |RS |RE$|nf$|fi$|br$|BR |nh$|hy$|na$|ad$)' || true)
t_eq "no roff request but the generator's own" "" "$bad"
# (mandoc's rule: a longer line is fine when it has no space to break at)
t_eq "no source line over 80 bytes with a space in it, outside examples" "" \
	"$(awk '/^\.nf$/ { nf = 1 } /^\.fi$/ { nf = 0 } !nf && length($0) > 80 && / / { print NR ": " $0 }' "$page")"

# --- it says what --help says -------------------------------------------------------
"$TLSAUDIT" --help >"$tmp/usage.txt"
mkdir "$tmp/help"
cmds=$(awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c && /^  [a-z]/ { print $1 }' "$tmp/usage.txt")
t_match "the usage lists the commands" "scan" "$cmds"
for c in $cmds; do
	# help and version have no help of their own: only their COMMANDS entry.
	"$TLSAUDIT" help "$c" >"$tmp/help/$c.txt" 2>/dev/null || rm -f "$tmp/help/$c.txt"
done
groff -man -Tutf8 -P-cbou "$page" >"$tmp/man.txt" 2>/dev/null
if out=$(python3 "$top_srcdir/tests/integration/man_check.py" "$tmp/man.txt" "$tmp/usage.txt" "$tmp/help"); then
	t_ok "man page = --help: $out"
else
	t_fail "man page = --help" "$out"
fi
# The comparison can fail: a page without one option, or one whose option
# text differs, is caught.
grep -v -- '--first-ip' "$tmp/man.txt" >"$tmp/man-less.txt"
out=$(python3 "$top_srcdir/tests/integration/man_check.py" "$tmp/man-less.txt" "$tmp/usage.txt" "$tmp/help") &&
	t_fail "a page missing scan --first-ip is caught" "$out" ||
	t_match "a page missing scan --first-ip is caught" "scan: option --first-ip has no tag" "$out"
sed 's/the database to merge into/the database to merge to/' "$tmp/man.txt" >"$tmp/man-other.txt"
out=$(python3 "$top_srcdir/tests/integration/man_check.py" "$tmp/man-other.txt" "$tmp/usage.txt" "$tmp/help") &&
	t_fail "a page with another help text is caught" "$out" ||
	t_match "a page with another help text is caught" "merge: --into is not in the man page as in --help" "$out"

# FILES names the policy directory the program searches.
dir=$("$TLSAUDIT" policies --help | awk '/policy directory:$/ { getline; print $1; exit }')
t_match "policies --help names the installed policy directory" "^/.*/policies$" "$dir"
t_match "FILES names the same directory" "^       $dir/\*\.yaml$" "$(grep -F -- "$dir/*.yaml" "$tmp/man.txt")"

# --- the page make built is the current one ------------------------------------------
built=${top_builddir:-.}/tlsaudit.1
if [ -f "$built" ]; then
	date=$(sed -n 's/^\.TH TLSAUDIT 1 "\([^"]*\)".*/\1/p' "$built")
	"$TLSAUDIT" --man "$date" >"$tmp/again.1"
	if cmp -s "$built" "$tmp/again.1"; then
		t_ok "the built tlsaudit.1 is what 'tlsaudit --man $date' writes"
	else
		t_fail "the built tlsaudit.1 is what 'tlsaudit --man $date' writes" \
			"$(diff "$built" "$tmp/again.1" | head -20)"
	fi
else
	t_fail "make built tlsaudit.1" "$built is missing"
fi
t_done
