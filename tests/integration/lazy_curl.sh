#!/usr/bin/env bash
# tests/integration/lazy_curl.sh - libcurl is loaded by the first fetch,
# not at start-up (scanner/fetch.c): the program does not link it,
# commands that never fetch (--version, ciphers, scan --offline) never load
# it, a scan that fetches does, and when the library cannot be loaded the
# revocation and HSTS facts say why (inconclusive, never "good") instead of
# the program failing. Real servers: a PKI of the test's own with an
# `openssl ocsp` responder and nginx (CRLs, HTTPS with HSTS) on 127.0.0.1
# ports picked now, inside the lab's network namespace.
#
# Whether libcurl was loaded is read from the dynamic loader's own trace
# (LD_DEBUG=files names every object it maps). The unloadable library is a
# file with the configured soname that is not an ELF object, found first
# through LD_LIBRARY_PATH (the loader's usual search, as for any library).
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 99; }
lab_init

soname=$(sed -n 's/^#define TLSAUDIT_LIBCURL_SONAME "\(.*\)"$/\1/p' "$top_builddir/config.h")
t_match "config.h names the libcurl soname" '^libcurl' "$soname"

if command -v readelf >/dev/null; then
	t_eq "libcurl is not in the program's NEEDED entries" "" \
		"$(readelf -d "$TLSAUDIT" | grep NEEDED | grep -F "[$soname]" || true)"
fi

# loaded OUTPUT: yes when the loader trace OUTPUT mapped libcurl
loaded() { printf '%s\n' "$1" | grep -qF "file=$soname " && echo yes || echo no; }

op=$(lab_free_port)
bp=$(lab_free_port)
hp=$(lab_free_port)
dp=$(lab_free_port)
P=$LAB_DIR/pki
lab_revoc_pki "$P" "$op" "$bp" "$hp" "$dp"
lab_ocsp ocsp "$op" "$P/int-index.txt" "$P/int.crt" "$P/int.crt" "$P/int.key"
lab_http_static crlsrv "$hp" "$P/www"
p=$(lab_free_port)
lab_https https-good "$p" "$P" good \
	'add_header Strict-Transport-Security "max-age=600" always;'
target="127.0.0.1:$p"
args=(--no-enumerate --timeout 5 --ca-file "$P/root.crt" --sni good.lab.test --hsts --format json)

# --- nothing that does not fetch loads libcurl ----------------------------
t_run 0 env LD_DEBUG=files "$TLSAUDIT" --version
t_eq "--version: libcurl not loaded" no "$(loaded "$T_ERR")"
t_run 0 env LD_DEBUG=files "$TLSAUDIT" ciphers 0xC02F
t_eq "ciphers: libcurl not loaded" no "$(loaded "$T_ERR")"
json=$LAB_DIR/offline.json
t_run 0 env LD_DEBUG=files "$TLSAUDIT" scan --db "$LAB_DIR/offline.db" "${args[@]}" -o "$json" \
	--offline "$target"
t_eq "scan --offline: libcurl not loaded" no "$(loaded "$T_ERR")"
t_eq "scan --offline: not checked" not-checked "$(jq -r '.targets[0].revocation[0].status' "$json")"
t_run 0 env LD_DEBUG=files "$TLSAUDIT" report --db "$LAB_DIR/offline.db" --format json
t_eq "report: libcurl not loaded" no "$(loaded "$T_ERR")"

# --- a scan that fetches loads it, once, and works ------------------------
json=$LAB_DIR/online.json
t_run 0 env LD_DEBUG=files "$TLSAUDIT" scan --db "$LAB_DIR/online.db" "${args[@]}" -o "$json" \
	"$target"
t_eq "online scan: libcurl loaded" yes "$(loaded "$T_ERR")"
t_eq "online scan: dlopen()ed once, not needed at start" "1 0" \
	"$(printf '%s\n' "$T_ERR" | grep -cF "file=$soname [0];  dynamically loaded by") $(
		printf '%s\n' "$T_ERR" | grep -cF "file=$soname [0];  needed by" || true)"
t_eq "online scan: OCSP good" "good ocsp" \
	"$(jq -r '.targets[0].revocation[0] | "\(.status) \(.method)"' "$json")"
t_eq "online scan: HSTS read" "true 600" \
	"$(jq -r '.targets[0].http.hsts | "\(.present) \(.max_age)"' "$json")"

# --- libcurl that cannot be loaded: every fetch fails with the reason ------
bad=$LAB_DIR/badlib
mkdir -p "$bad"
echo "not a shared object" >"$bad/$soname"
json=$LAB_DIR/unloadable.json
t_run 0 env LD_LIBRARY_PATH="$bad" "$TLSAUDIT" scan --db "$LAB_DIR/unloadable.db" "${args[@]}" \
	-o "$json" "$target"
t_eq "unloadable: every certificate inconclusive" inconclusive \
	"$(jq -r '[.targets[0].revocation[].status] | unique | join(",")' "$json")"
t_match "unloadable: the reason, naming the library" \
	"libcurl could not be loaded \\($bad/$soname: .*\\); use --offline" \
	"$(jq -r '.targets[0].revocation[0].detail' "$json")"
t_match "unloadable: HSTS check failed with the reason" 'libcurl could not be loaded' \
	"$(jq -r '.targets[0].http.hsts.error' "$json")"
t_eq "unloadable: no HSTS verdict" false "$(jq -r '.targets[0].http.hsts.present' "$json")"
t_eq "unloadable: the handshake facts are still there" true \
	"$(jq -r '.targets[0].chain.trusted' "$json")"

t_done
