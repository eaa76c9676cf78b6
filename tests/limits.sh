#!/usr/bin/env bash
# tests/limits.sh - the size limits of docs/ARCHITECTURE.md as a checked
# property: no production source file (common/ scanner/ store/ policies/
# reports/ cli/) over 800 lines, no function over 80 lines (from the line
# of its name to its closing brace; a function starts at column 0 and ends
# at the first "}" in column 0, the style .clang-format gives). Table
# initialisers are not functions and do not count. Prints each violation
# and "N passed, N failed".
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99
MAX_FILE=800
MAX_FUNC=80
pass=0
fail=0
files=$(find common scanner store policies reports cli -name '*.[ch]' ! -name 'registry_tables.c' | sort)
for f in $files; do
    n=$(wc -l <"$f")
    if [ "$n" -gt "$MAX_FILE" ]; then
        echo "limits: $f has $n lines (at most $MAX_FILE)" >&2
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
long=$(awk -v max="$MAX_FUNC" '
    FNR == 1 { name = ""; start = 0; body = 0 }
    /^[A-Za-z_].*\(/ && !/;[ \t]*$/ && !/=/ { name = $0; start = FNR }
    /^\{/ { if (start) body = start }
    /^}/ {
        if (body && FNR - body + 1 > max)
            printf "%s:%d: %d lines: %s\n", FILENAME, body, FNR - body + 1, name
        body = 0; start = 0
    }' $files)
if [ -n "$long" ]; then
    printf 'limits: function over %d lines: %s\n' "$MAX_FUNC" "$long" | sed '2,$s/^/limits: function over '"$MAX_FUNC"' lines: /' >&2
    fail=$((fail + $(printf '%s\n' "$long" | wc -l)))
else
    pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
