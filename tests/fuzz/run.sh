#!/usr/bin/env bash
# tests/fuzz/run.sh - builds the fuzz targets with clang's libFuzzer (ASan +
# UBSan) and runs each for a while over a copy of its seed corpus.
#
#     tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 60, record flight)
#
# Needs clang 14 with libclang_rt.fuzzer (Debian: clang-14, libclang-rt-14-dev).
# Work files go to $FUZZ_WORK (default /tmp/tlsaudit-fuzz): the binaries,
# the grown corpora, and any crash-* / leak-* inputs. A crash makes the
# script exit non-zero; copy the input into corpus/<target>/ once fixed so
# `make check` replays it for good.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
shift || true
targets=${*:-record flight}
work=${FUZZ_WORK:-/tmp/tlsaudit-fuzz}
cc=${CC_FUZZ:-clang}
mkdir -p "$work"

awk -f "$top/data/gen-registry.awk" "$top/data/cipher-suites.tsv" "$top/data/groups.tsv" \
	"$top/data/sigschemes.tsv" >"$work/registry_tables.c"

flags=(-std=c11 -g -O1 -D_GNU_SOURCE -I"$top" -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer)
status=0
for t in $targets; do
	"$cc" "${flags[@]}" -o "$work/fuzz_$t" "$top/tests/fuzz/fuzz_$t.c" "$top/scanner/hello.c" \
		"$top/common/bytes.c" "$top/common/model/registry.c" "$work/registry_tables.c" \
		-lgnutls -pthread
	mkdir -p "$work/corpus-$t" "$work/artifacts-$t"
	cp -n "$top/tests/fuzz/corpus/$t/"* "$work/corpus-$t/" 2>/dev/null || true
	echo "fuzz_$t: ${secs}s"
	if ! "$work/fuzz_$t" -max_total_time="$secs" -max_len=20000 -rss_limit_mb=2048 \
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
