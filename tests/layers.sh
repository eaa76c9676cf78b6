#!/usr/bin/env bash
# tests/layers.sh - the direction of dependencies as a checked property.
#
# Every production source file may include the project's headers only from
# its own layer and the layers below it, and a third-party library's headers
# only in that library's adapter files (docs/ARCHITECTURE.md, "Layers"):
#
#   common <- common/model <- scanner
#   common/model <- store <- policies <- reports <- cli
#
# The unit tests back this up at link time: each links only its layer's
# libraries (Makefile.am, *_UNIT_LIBS). Prints one line per violation and
# "N passed, N failed".
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99

pass=0
fail=0

# allowed DIR: the include prefixes ("common/", "scanner/" ...) a file in DIR may use.
allowed() {
    case $1 in
    common/model) echo "common/" ;; # common/model/ is below everything but common/
    common) echo "common/bytes common/infile common/strlist common/util" ;;
    scanner) echo "common/ scanner/" ;;
    store) echo "common/ store/" ;;
    policies) echo "common/ store/ policies/" ;;
    reports) echo "common/ store/ policies/ reports/" ;;
    cli) echo "common/ scanner/ store/ policies/ reports/ cli/" ;;
    esac
}

# third-party header -> the files that may include it.
declare -A adapters=(
    [gnutls/]="scanner/handshake.c scanner/handshake_private.h scanner/hs_session.c scanner/wire/client_hello.c scanner/wire/digest.c scanner/gnutls/x509_private.h scanner/gnutls/x509_util.c scanner/gnutls/x509_facts.c scanner/gnutls/x509_chain.c scanner/gnutls/x509_rsa.c scanner/gnutls/revoc_judge.c scanner/gnutls/ocsp.c scanner/gnutls/ocsp.h"
    [curl/]="scanner/fetch.c"
    [gmp.h]="scanner/rsa_raw.c"
    [sqlite3.h]="store/store_private.h"
    [yaml.h]="policies/load.c policies/load_node.c policies/load_yaml.h"
    [jansson.h]="reports/diff_json.c reports/json_private.h reports/json_splice.h reports/report_json.c reports/report_json_stream.c reports/json.c reports/check_report.c reports/history.c reports/report_sarif.c reports/sarif_private.h reports/report_sarif_stream.c reports/simulate_out.c"
)

# Inside the scanner layer, the modules below the scan driver see only what
# they build on (docs/ARCHITECTURE.md): the wire code and the conversation
# loop know nothing of each other, of GnuTLS's adapter or of the scan.
# module DIR: the project include prefixes a file in DIR may use, or "".
module() {
    case $1 in
    scanner/wire) echo "common/ scanner/hello.h scanner/wire/" ;;
    scanner/net) echo "common/ scanner/net/" ;;
    scanner/starttls) echo "common/ scanner/net/dialogue.h scanner/starttls/" ;;
    scanner/gnutls) echo "common/ scanner/x509.h scanner/revoc_private.h scanner/revocation.h scanner/gnutls/" ;;
    scanner/starttls) echo "common/ scanner/net/dialogue.h scanner/starttls/" ;;
    scanner/enum) echo "common/ scanner/hello.h scanner/net/loop.h scanner/net/dialogue.h scanner/enumerate.h scanner/enum/" ;;
    esac
}

check_module() {
    local f=$1 dir=${1%/*} allow inc a ok
    allow=$(module "$dir")
    [ -n "$allow" ] || return 0
    while IFS= read -r inc; do
        ok=0
        for a in $allow; do
            case $inc in "$a"*) ok=1 ;; esac
        done
        if [ $ok = 1 ]; then
            pass=$((pass + 1))
        else
            echo "layers: $f includes \"$inc\": $dir/ may include only: $allow" >&2
            fail=$((fail + 1))
        fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep / || true)
}

check_file() {
    local f=$1 dir ok inc a
    dir=${f%%/*} # a sub-folder (reports/html/) belongs to its layer
    case $f in common/model/*) dir=common/model ;; esac
    local allow
    allow=$(allowed "$dir")
    if [ -z "$allow" ]; then
        echo "layers: $f is in no known layer (add its folder to tests/layers.sh)" >&2
        fail=$((fail + 1))
        return
    fi
    while IFS= read -r inc; do
        ok=0
        for a in $allow; do
            case $inc in "$a"*) ok=1 ;; esac
        done
        # common/ itself must not include common/model/
        if [ "$dir" = common ] && [ "${inc#common/model/}" != "$inc" ]; then
            ok=0
        fi
        if [ $ok = 1 ]; then
            pass=$((pass + 1))
        else
            echo "layers: $f includes \"$inc\": $dir/ may include only: $allow" >&2
            fail=$((fail + 1))
        fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep / || true)
    local lib users
    for lib in "${!adapters[@]}"; do
        if grep -q "^#include <$lib" "$f"; then
            users=" ${adapters[$lib]} "
            if [ "${users#* "$f" }" != "$users" ]; then
                pass=$((pass + 1))
            else
                echo "layers: $f includes <$lib...>: only ${adapters[$lib]} may" >&2
                fail=$((fail + 1))
            fi
        fi
    done
}

n_files=0
for f in $(find common scanner store policies reports cli -name '*.[ch]' | sort); do
    n_files=$((n_files + 1))
    check_file "$f"
    check_module "$f"
done
if [ "$n_files" -lt 20 ]; then
    echo "layers: only $n_files source files found under $top" >&2
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
