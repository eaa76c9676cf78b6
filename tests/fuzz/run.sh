#!/usr/bin/env bash
# tests/fuzz/run.sh - builds the fuzz targets with clang's libFuzzer (ASan +
# UBSan) and runs each for a while over a copy of its seed corpus.
#
#     tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 60, every target)
#
# Targets (tests/fuzz/fuzz_TARGET.c, seeds in corpus/TARGET/):
#   record      the record reassembler (scanner/wire/)
#   flight      the first-flight driver and its parsers (scanner/wire/)
#   conv        the records after the flight (scanner/probes/conv_read.c)
#   x509        certificate facts from DER (scanner/gnutls/x509_facts.c)
#   revocation  OCSP responses and CRLs as fetched (scanner/gnutls/revoc_judge.c)
#   http        HSTS and Location header values (scanner/http.c)
#   policy      the policy YAML loader (policies/load.c)
#   targets     the targets file parser (scanner/target.c)
#   robot       the ROBOT probe's reader of the server's reaction (scanner/probes/robot_pkcs1.c)
#   starttls    the pre-TLS dialogues and their line engine (scanner/starttls/)
#   starttls_bin  the binary pre-TLS dialogues, bytewise as the reference
#   pg_plain    PostgreSQL's first answer to a StartupMessage without SSLRequest
#
# Needs clang 14 with libclang_rt.fuzzer (Debian: clang-14, libclang-rt-14-dev).
# Seeds: seed_corpus.py (record, flight), seed_starttls.py (starttls_bin, pg_plain),
# seed_inputs.sh (the others; conv's are small hand-made files kept in git); see
# tests/fuzz/README.md.
# Work files go to $FUZZ_WORK (default /tmp/tlsaudit-fuzz): the binaries,
# the grown corpora, and any crash-* / leak-* inputs. A crash makes the
# script exit non-zero; copy the input into corpus/<target>/ once fixed so
# `make check` replays it for good.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
shift || true
targets=${*:-record flight conv x509 revocation http policy targets robot starttls starttls_bin pg_plain}
work=${FUZZ_WORK:-/tmp/tlsaudit-fuzz}
cc=${CC_FUZZ:-clang}
mkdir -p "$work"

awk -f "$top/data/gen-registry.awk" "$top/data/cipher-suites.tsv" "$top/data/groups.tsv" \
	"$top/data/sigschemes.tsv" >"$work/registry_tables.c"

# scanner/fetch.c reads the libcurl soname and the version from config.h;
# libcurl is never loaded here (no target fetches), so any name will do.
printf '#define TLSAUDIT_LIBCURL_SONAME "libcurl.so.4"\n#define PACKAGE_VERSION "fuzz"\n' >"$work/config.h"

flags=(-std=c11 -g -O1 -D_GNU_SOURCE -I"$work" -I"$top" -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
	-DTLSAUDIT_SRC_POLICY_DIR="\"$top/policies\"")
common=("$top/common/bytes.c" "$top/common/infile.c" "$top/common/strlist.c" "$top/common/util.c")
facts=("$top/common/model/facts.c" "$top/common/model/kex.c" "$top/common/model/probe_result.c"
	"$top/common/model/vocab.c" "$top/common/model/version.c")
registry=("$top/common/model/registry.c" "$work/registry_tables.c")
x509=("$top"/scanner/gnutls/x509_*.c "$top/scanner/gnutls/ocsp.c")

# sources TARGET: what fuzz_TARGET links besides itself, and its libraries.
sources() {
	case $1 in
	record | flight) srcs=("$top"/scanner/wire/*.c "${common[@]}" "${registry[@]}") libs=(-lgnutls) ;;
	conv)
		srcs=("$top/scanner/probes/conv_read.c" "$top"/scanner/wire/*.c "${common[@]}" "${registry[@]}")
		libs=(-lgnutls)
		;;
	x509) srcs=("${x509[@]}" "${facts[@]}" "${common[@]}") libs=(-lgnutls) ;;
	revocation)
		srcs=("$top/scanner/revocation.c" "$top/scanner/revoc_cache.c"
			"$top/scanner/gnutls/revoc_judge.c" "${x509[@]}" "$top/scanner/fetch.c" "${facts[@]}"
			"${common[@]}")
		libs=(-lgnutls -ldl)
		;;
	http)
		srcs=("$top/scanner/http.c" "$top/scanner/fetch.c" "${facts[@]}" "${common[@]}")
		libs=(-ldl)
		;;
	policy)
		srcs=("$top/policies/policy.c" "$top/policies/load.c" "$top/policies/eval.c"
			"$top/policies/hash.c" "${facts[@]}" "${common[@]}" "${registry[@]}")
		libs=(-lyaml -lgnutls)
		;;
	targets) srcs=("$top/scanner/target.c" "$top"/scanner/starttls/*.c "${common[@]}") libs=() ;;
	robot)
		srcs=("$top/scanner/probes/robot_pkcs1.c" "$top"/scanner/wire/*.c "${common[@]}"
			"${registry[@]}")
		libs=(-lgnutls)
		;;
	starttls | starttls_bin | pg_plain) srcs=("$top"/scanner/starttls/*.c "${common[@]}") libs=() ;;
	*)
		echo "run.sh: unknown target '$1'" >&2
		exit 2
		;;
	esac
}

status=0
for t in $targets; do
	sources "$t"
	"$cc" "${flags[@]}" -o "$work/fuzz_$t" "$top/tests/fuzz/fuzz_$t.c" "${srcs[@]}" \
		"${libs[@]}" -pthread
	mkdir -p "$work/corpus-$t" "$work/artifacts-$t"
	cp -n "$top/tests/fuzz/corpus/$t/"* "$work/corpus-$t/" 2>/dev/null || true
	dict=()
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=(-dict="$top/tests/fuzz/$t.dict")
	echo "fuzz_$t: ${secs}s"
	if ! "$work/fuzz_$t" -max_total_time="$secs" -max_len=20000 -rss_limit_mb=2048 "${dict[@]}" \
		-print_final_stats=1 -artifact_prefix="$work/artifacts-$t/" "$work/corpus-$t" \
		2>"$work/fuzz_$t.log"; then
		status=1
		echo "fuzz_$t: FAILED, see $work/fuzz_$t.log and $work/artifacts-$t/"
	fi
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' \
		"$work/fuzz_$t.log" || true
	tail -n 3 "$work/fuzz_$t.log"
done
exit "$status"
