#!/usr/bin/env bash
# tests/integration/install.sh - `make install DESTDIR=...` and `make
# uninstall` of this build tree, and the installed tlsaudit at work.
#
# The program compiles in $(pkgdatadir)/policies, which a DESTDIR install
# does not reach. So the test runs in a private mount namespace (unshare -m,
# root) and overlays the staged tree on the nearest existing ancestor of
# $(prefix): there the installed files are where the program looks, nothing
# outside the namespace sees them, and the source tree is still on disk (the
# installed program must not use it). Checks:
#   - what is installed: the program, tlsaudit.1, every shipped policy, the
#     JSON Schema, the docs, each identical to its source;
#   - staged only (not overlaid): the installed program finds no policies
#     and says where it looked; $TLSAUDIT_POLICY_DIR is the override;
#   - overlaid: `policies list` lists the installed policies, `scan --policy
#     pci-dss-4.0` and `check --policy mozilla-intermediate` use them by
#     name against lab servers (the stored policy path is the installed
#     file), `man tlsaudit` finds the page; with the installed policies
#     gone the program says so, though the source tree has them;
#   - `make uninstall` leaves no file behind.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
if [ "${TLSAUDIT_INSTALL_MNTNS-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || lab_skip "needs root for a private mount namespace (unshare -m)"
	command -v unshare >/dev/null || lab_skip "unshare (util-linux) not found"
	why=$(unshare -m --propagation private -- true 2>&1) ||
		lab_skip "cannot create a mount namespace: $why"
	TLSAUDIT_INSTALL_MNTNS=1 exec unshare -m --propagation private -- bash "$0" "$@"
fi
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 99; }
: "${top_builddir:?top_builddir must name the build tree (make check sets it)}"

lab_init
dest=$LAB_DIR/dest

# submake ARGS...: make in the build tree, not as a part of the make check
# that runs this test (its jobserver and flags).
submake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" "$@"
}
# mkvar NAME: the value of make variable NAME, expanded.
mkvar() {
	printf 'h16-print:\n\t@echo $(%s)\n' "$1" |
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" -f Makefile -f - h16-print
}
prefix=$(mkvar prefix)
bindir=$(mkvar bindir)
mandir=$(mkvar mandir)
pkgdatadir=$(mkvar pkgdatadir)
docdir=$(mkvar docdir)
case $prefix in
/*) ;;
*) lab_skip "prefix '$prefix' is not an absolute path" ;;
esac

t_run 0 submake install DESTDIR="$dest"
# --- what is installed ------------------------------------------------------------
same() { # NAME INSTALLED SOURCE
	if [ -f "$2" ] && cmp -s "$2" "$3"; then t_ok "installed: $1"; else t_fail "installed: $1" "$2 is missing or differs from $3"; fi
}
[ -x "$dest$bindir/tlsaudit" ] && t_ok "installed: $bindir/tlsaudit" || t_fail "installed: $bindir/tlsaudit"
same "tlsaudit.1" "$dest$mandir/man1/tlsaudit.1" "$top_builddir/tlsaudit.1"
n_src=0
for f in "$top_srcdir"/policies/*.yaml; do
	n_src=$((n_src + 1))
	same "policy $(basename "$f")" "$dest$pkgdatadir/policies/$(basename "$f")" "$f"
done
t_eq "installed: every shipped policy and nothing else" "$n_src" \
	"$(find "$dest$pkgdatadir/policies" -type f | wc -l)"
same "the JSON Schema" "$dest$pkgdatadir/schema/tlsaudit-v1.schema.json" \
	"$top_srcdir/docs/schema/tlsaudit-v1.schema.json"
for f in README.md docs/ARCHITECTURE.md docs/policy-language.md docs/json-output.md; do
	same "doc $f" "$dest$docdir/$(basename "$f")" "$top_srcdir/$f"
done

# --- staged only: no policies where the program looks ---------------------------------
staged=$dest$bindir/tlsaudit
if [ -e "$pkgdatadir/policies" ]; then
	echo "SKIP $pkgdatadir/policies exists on this machine: the staged program would find those"
else
	t_run 2 "$staged" policies list
	t_match "no policies installed: policies list names the directory and why" \
		"no shipped policies found \(searched: $pkgdatadir/policies \(No such file or directory\)\); set TLSAUDIT_POLICY_DIR" "$T_ERR"
	t_run 2 "$staged" policies show pci-dss-4.0
	t_match "no policies installed: a shipped name says where it looked" \
		"policy 'pci-dss-4.0' not found: no shipped policies are installed \(searched: $pkgdatadir/policies \(No such file or directory\)\)" "$T_ERR"
	t_run 2 env TLSAUDIT_POLICY_DIR="$LAB_DIR/nowhere" "$staged" policies list
	t_match "a missing \$TLSAUDIT_POLICY_DIR is named" \
		"\\\$TLSAUDIT_POLICY_DIR $LAB_DIR/nowhere \(No such file or directory\)" "$T_ERR"
fi
t_run 0 env TLSAUDIT_POLICY_DIR="$dest$pkgdatadir/policies" "$staged" policies list
t_eq "the override: \$TLSAUDIT_POLICY_DIR lists the staged policies" "$n_src" \
	"$(printf '%s\n' "$T_OUT" | tail -n +2 | wc -l)"

# --- overlaid: the installed program at work -------------------------------------------
# The nearest existing ancestor of the prefix gets the staged tree on top.
top=$prefix
while [ ! -d "$top" ]; do top=$(dirname "$top"); done
[ "$top" != / ] || lab_skip "no existing ancestor of $prefix but /: cannot overlay it"
why=$(mount -t overlay overlay -o "lowerdir=$dest$top:$top" "$top" 2>&1) ||
	lab_skip "cannot mount an overlay on $top: $why"
# (No trap: the mount goes with the namespace, when this test exits.)
mounted=$top
inst=$bindir/tlsaudit
t_run 0 "$inst" version
t_run 0 "$inst" policies list
want=$(cd "$top_srcdir/policies" && ls *.yaml | sed 's/\.yaml$//' | sort)
t_eq "installed: policies list names every installed policy" "$want" \
	"$(printf '%s\n' "$T_OUT" | tail -n +2 | awk '{ print $1 }' | sort)"
t_run 0 "$inst" policies --help
t_match "policies --help names the installed directory" "^  $pkgdatadir/policies$" \
	"$(printf '%s\n' "$T_OUT" | grep -F "  $pkgdatadir/policies")"

lab_certs >/dev/null
lab_start legacy >/dev/null
lab_start modern12 >/dev/null
lab_target legacy >"$LAB_DIR/legacy.targets"
lab_target modern12 >"$LAB_DIR/modern12.targets"
db=$LAB_DIR/inst.db
t_run 1 "$inst" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 --policy pci-dss-4.0 \
	-f "$LAB_DIR/legacy.targets"
t_match "installed: legacy fails pci-dss-4.0 (TLS 1.0)" "FAIL" "$T_OUT"
t_eq "installed: the policy run read the installed file" "$pkgdatadir/policies/pci-dss-4.0.yaml" \
	"$(sqlite3 "$db" 'SELECT policy_path FROM policy_runs ORDER BY id DESC LIMIT 1')"
t_run 0 "$inst" scan --db "$db" --ca-file "$LAB_CA" --timeout 10 -f "$LAB_DIR/modern12.targets"
t_run 0 "$inst" check --db "$db" --policy mozilla-intermediate
t_eq "installed: check used the installed mozilla-intermediate" \
	"$pkgdatadir/policies/mozilla-intermediate.yaml" \
	"$(sqlite3 "$db" 'SELECT policy_path FROM policy_runs ORDER BY id DESC LIMIT 1')"
lab_stop_all >/dev/null 2>&1 || true

if command -v man >/dev/null; then
	t_eq "man finds the installed page" "$mandir/man1/tlsaudit.1" "$(MANPATH=$mandir man -w tlsaudit 2>&1)"
	err=$(MANPATH=$mandir MANWIDTH=80 man tlsaudit 2>&1 >/dev/null) || err="exit $?: $err"
	t_eq "man tlsaudit renders without a message" "" "$err"
else
	echo "SKIP man is not installed"
fi

# Without its installed policies the program says so, though the source
# tree still has them.
umount "$mounted"
mv "$dest$pkgdatadir/policies" "$dest$pkgdatadir/policies.away"
mount -t overlay overlay -o "lowerdir=$dest$top:$top" "$top"
if [ -e "$pkgdatadir/policies" ]; then
	echo "SKIP $pkgdatadir/policies exists under the overlay: cannot test its absence"
else
	t_run 2 "$inst" check --db "$db" --policy pci-dss-4.0
	t_match "installed, policies removed: check says where it looked" \
		"no shipped policies are installed \(searched: $pkgdatadir/policies \(No such file or directory\)\)" "$T_ERR"
fi
umount "$mounted"
mv "$dest$pkgdatadir/policies.away" "$dest$pkgdatadir/policies"

# --- make uninstall -------------------------------------------------------------
t_run 0 submake uninstall DESTDIR="$dest"
t_eq "make uninstall leaves no file" "" "$(find "$dest" -type f -o -type l)"
t_done
