#!/usr/bin/env bash
# tests/integration/cli_errors.sh - bad input gives exit 2 with a message
# naming the option or the file and line, and leaves the database as it was.
# Needs no server: every case fails before any connection is made (a plain
# TCP listener on 127.0.0.1 counts connections to prove it for a wrong --db),
# except a database whose writing part fails once the scan has started.
set -eu
. "$top_srcdir/tests/integration/common.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
db=$work/keep.db

# A database holding one finished scan (of a closed port: no server needed).
t_run 3 "$TLSAUDIT" scan --db "$db" --timeout 2 127.0.0.1:1
t_eq "the seed scan is stored" 1 "$(sqlite3 "$db" 'SELECT count(*) FROM scans')"
sum_before=$(sha256sum "$db" | cut -d' ' -f1)

unchanged() {
	t_eq "database unchanged after: $1" "$sum_before" "$(sha256sum "$db" | cut -d' ' -f1)"
}

t_run 2 "$TLSAUDIT" scan --db "$db" --bogus 127.0.0.1:1
t_match "unknown option is named" "unknown option '--bogus'" "$T_ERR"
unchanged "unknown option"

t_run 2 "$TLSAUDIT" scan --db "$db" 127.0.0.1:70000
t_match "port out of range is named" "argument 1: port '70000' is not a number from 1 to 65535" "$T_ERR"
unchanged "bad port"

t_run 2 "$TLSAUDIT" scan --db "$db" '[::1'
t_match "bad IPv6 target" "missing '\]'" "$T_ERR"

printf '# lab\n127.0.0.1:443\n\nbad host name here now\n' >targets.txt
t_run 2 "$TLSAUDIT" scan --db "$db" -f targets.txt
t_match "targets file line is named" "targets.txt:4: too many fields" "$T_ERR"
unchanged "bad targets file"

printf '127.0.0.1:443 sni=\n' >targets2.txt
t_run 2 "$TLSAUDIT" scan --db "$db" -f targets2.txt
t_match "empty sni is named" "targets2.txt:1: sni '' is not a DNS host name" "$T_ERR"

t_run 2 "$TLSAUDIT" scan --db "$db" -f "$work/missing.txt"
t_match "missing targets file is named" "missing.txt: cannot open targets file: No such file" "$T_ERR"

t_run 2 "$TLSAUDIT" scan --db "$db" --ca-file "$work/nope.pem" 127.0.0.1:1
t_match "unreadable CA file is named" "nope.pem" "$T_ERR"
unchanged "bad CA file"

printf 'not a certificate\n' >garbage.pem
t_run 2 "$TLSAUDIT" scan --db "$db" --ca-file garbage.pem 127.0.0.1:1
t_match "CA file without certificates is named" "garbage.pem" "$T_ERR"
unchanged "CA file without certificates"

# Inputs that are not regular files are refused at once: a FIFO used to
# block the open for ever (run under `timeout`, so a regression fails here
# with exit 124 instead of hanging the suite), and /dev/zero as --ca-file
# was read without end. Files over the caps are refused unread.
mkfifo fifo.yaml fifo.txt fifo.pem
t_run 2 timeout 20 "$TLSAUDIT" scan --db "$db" --policy ./fifo.yaml 127.0.0.1:1
t_match "FIFO policy refused" "fifo.yaml: not a regular file" "$T_ERR"
t_run 2 timeout 20 "$TLSAUDIT" policies lint ./fifo.yaml
t_match "FIFO policy refused by lint" "fifo.yaml: not a regular file" "$T_ERR"
t_run 2 timeout 20 "$TLSAUDIT" scan --db "$db" -f fifo.txt
t_match "FIFO targets file refused" "fifo.txt: not a regular file" "$T_ERR"
t_run 2 timeout 20 "$TLSAUDIT" scan --db "$db" --ca-file fifo.pem 127.0.0.1:1
t_match "FIFO CA file refused" "ca-file: fifo.pem: not a regular file" "$T_ERR"
# (a memory limit too, so a regression cannot eat the machine; not under
# ASan, which reserves far more address space than it uses)
vlimit=unlimited
ldd "$TLSAUDIT" 2>/dev/null | grep -q libasan || vlimit=2000000
t_run 2 bash -c 'ulimit -v "$1" && shift && exec timeout 20 "$@"' - "$vlimit" \
	"$TLSAUDIT" scan --db "$db" --ca-file /dev/zero 127.0.0.1:1
t_match "/dev/zero CA file refused" "/dev/zero: not a regular file" "$T_ERR"
truncate -s $((64 * 1024 * 1024 + 1)) big.pem
t_run 2 timeout 20 "$TLSAUDIT" scan --db "$db" --ca-file big.pem 127.0.0.1:1
t_match "CA file over 64 MiB refused" \
	"big.pem: too large \(67108865 bytes\): expected at most 67108864 bytes" "$T_ERR"
: >empty.pem
t_run 2 "$TLSAUDIT" scan --db "$db" --ca-file empty.pem 127.0.0.1:1
t_match "empty CA file named" "CA file empty.pem is empty" "$T_ERR"
printf '127.0.0.1:1\nlab\000host\n' >nul.txt
t_run 2 "$TLSAUDIT" scan --db "$db" -f nul.txt
t_match "NUL byte in targets file named" "nul.txt:2: NUL byte in the line" "$T_ERR"
printf '127.0.0.1:1\n' | t_run 3 "$TLSAUDIT" scan --db "$work/stdin.db" --timeout 2 -f -
t_eq "targets from a pipe on stdin still read" 1 \
	"$(sqlite3 "$work/stdin.db" 'SELECT count(*) FROM targets')"
unchanged "inputs that are not regular files"

t_run 2 "$TLSAUDIT" scan --db "$work/no/such/dir/x.db" 127.0.0.1:1
t_match "unwritable database is named" "no/such/dir/x.db" "$T_ERR"

t_run 2 "$TLSAUDIT" scan --db "$db" --jobs 0 127.0.0.1:1
t_match "--jobs range" "--jobs: '0' is not a number from 1 to 256" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --timeout abc 127.0.0.1:1
t_match "--timeout value" "--timeout: 'abc'" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --format xml 127.0.0.1:1
t_match "--format value" "--format: 'xml' is not one of: text, json" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --sni 'bad name' 127.0.0.1:1
t_match "--sni value" "--sni: 'bad name'" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --timeout
t_match "missing option value" "needs a value" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db"
t_match "no targets" "no targets" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" -o "$work/no/dir/out.txt" 127.0.0.1:1
t_match "unwritable output is named" "no/dir/out.txt" "$T_ERR"
unchanged "all usage errors"

# An invalid policy is refused before anything is scanned or stored.
printf 'id: broken\ntitle: t\nversion: "1"\nrules:\n  - id: r1\n    title: x\n    ref: y\n    severity: high\n    no_such_check: true\n' >broken.yaml
t_run 2 "$TLSAUDIT" scan --db "$db" --policy broken.yaml 127.0.0.1:1
t_match "invalid policy named with line and column" "broken.yaml:9:5: " "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --policy no-such-policy 127.0.0.1:1
t_match "unknown policy named" "no-such-policy" "$T_ERR"
t_run 2 "$TLSAUDIT" scan --db "$db" --fail-on severe 127.0.0.1:1
t_match "--fail-on value" "--fail-on: 'severe'" "$T_ERR"
unchanged "policy errors"

# A database from a newer tlsaudit is refused and left alone.
cp "$db" newer.db
sqlite3 newer.db 'PRAGMA user_version = 999'
newer_sum=$(sha256sum newer.db | cut -d' ' -f1)
t_run 2 "$TLSAUDIT" scan --db newer.db 127.0.0.1:1
t_match "newer schema refused" "newer" "$T_ERR"
t_eq "newer database untouched" "$newer_sum" "$(sha256sum newer.db | cut -d' ' -f1)"

# A file that is not a tlsaudit database is refused and left alone.
sqlite3 other.db 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'
other_sum=$(sha256sum other.db | cut -d' ' -f1)
t_run 2 "$TLSAUDIT" scan --db other.db 127.0.0.1:1
t_match "foreign database refused" "other.db" "$T_ERR"
t_eq "foreign database untouched" "$other_sum" "$(sha256sum other.db | cut -d' ' -f1)"
printf 'plain text, not SQLite at all, long enough to have a header ............\n' >text.db
t_run 2 "$TLSAUDIT" scan --db text.db 127.0.0.1:1
t_match "non-SQLite file refused" "text.db" "$T_ERR"

# A wrong --db is refused before the first packet: a listener that counts
# accepted connections sees none (and does see the scan of a good --db).
cat >listener.py <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("accepted\n")
    c.close()
PY
: >accepted.txt
python3 listener.py port.txt accepted.txt &
listener=$!
trap 'kill "$listener" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s port.txt ] && break; sleep 0.05; done
port=$(cat port.txt)
for bad in newer.db other.db text.db; do
	t_run 2 "$TLSAUDIT" scan --db "$bad" --timeout 2 --offline "127.0.0.1:$port"
done
sleep 0.5 # the listener accepts what the kernel queued: give it time to count
t_eq "no connection before a wrong --db is refused" 0 "$(wc -l <accepted.txt)"
# (The listener closes each connection at once: no-tls or a reset, exit 0 or 3.)
set +e
"$TLSAUDIT" scan --db "$work/listener.db" --timeout 1 --offline --no-enumerate "127.0.0.1:$port" \
	>/dev/null 2>&1
st=$?
set -e
t_match "a scan of the listener ends normally" "^(0|3)$" "$st"
for _ in $(seq 40); do [ -s accepted.txt ] && break; sleep 0.05; done
t_match "the listener counts the connections of a real scan" "^[1-9]" "$(wc -l <accepted.txt)"
kill "$listener"
wait "$listener" 2>/dev/null || true

# The writing part of opening the database (WAL, migrations, the scan row)
# runs while the scan already probes. When it fails, the scan stops: exit 2,
# the message names the file and what failed, and nothing stored changes.
# Here: a schema-1 file whose step to 2 meets a table it would create.
cp "$db" half.db
sqlite3 half.db 'DROP TABLE starttls_dialogues; ALTER TABLE targets DROP COLUMN starttls;
	DROP TABLE revocations; DROP TABLE http_headers;
	ALTER TABLE targets DROP COLUMN revoc_collected;
	ALTER TABLE chains DROP COLUMN aia_attempted; ALTER TABLE chains DROP COLUMN aia_completed;
	ALTER TABLE chains DROP COLUMN aia_trusted; ALTER TABLE chains DROP COLUMN aia_fetched;
	ALTER TABLE chains DROP COLUMN aia_detail; PRAGMA user_version = 1'
half_targets=$(sqlite3 half.db 'SELECT count(*) FROM targets')
t_run 2 "$TLSAUDIT" scan --db half.db --timeout 2 --offline 127.0.0.1:1
t_match "failed migration: the message names file and step" \
	"half.db to schema version 2: .*fetch_cache already exists" "$T_ERR"
t_eq "failed migration: one message" 1 "$(printf '%s\n' "$T_ERR" | grep -c .)"
t_eq "failed migration: schema version kept" 1 "$(sqlite3 half.db 'PRAGMA user_version')"
t_eq "failed migration: no scan added" 1 "$(sqlite3 half.db 'SELECT count(*) FROM scans')"
t_eq "failed migration: targets kept" "$half_targets" "$(sqlite3 half.db 'SELECT count(*) FROM targets')"
t_eq "failed migration: file intact" ok "$(sqlite3 half.db 'PRAGMA integrity_check')"

# TLSAUDIT_DB picks the database; --db overrides it.
TLSAUDIT_DB=$work/env.db t_run 3 "$TLSAUDIT" scan --timeout 2 127.0.0.1:1
t_eq "TLSAUDIT_DB is used" 1 "$(sqlite3 "$work/env.db" 'SELECT count(*) FROM scans')"

# Help tells the truth: every option the parser takes is listed.
t_run 0 "$TLSAUDIT" scan --help
for opt in --targets --db --jobs --timeout --ca-file --sni --first-ip --no-enumerate --max-conn \
	--max-conn-total --policy --fail-on --fail-on-inconclusive --format --output --color --help; do
	t_match "scan --help lists $opt" -- "$opt" "$T_OUT"
done
t_run 0 "$TLSAUDIT" check --help
t_match "check --help lists --fail-on-inconclusive" -- "--fail-on-inconclusive" "$T_OUT"
t_run 0 "$TLSAUDIT" report --help
for opt in --run --fail-on --fail-on-inconclusive; do
	t_match "report --help lists $opt" -- "$opt" "$T_OUT"
done
t_run 2 "$TLSAUDIT" report --db "$work/env.db" --run x
t_match "report --run x: the reason" "--run: 'x' is not a policy run id" "$T_ERR"
t_run 2 "$TLSAUDIT" report --db "$work/env.db" --fail-on severe
t_match "report --fail-on severe: the reason" "--fail-on: 'severe' is not one of" "$T_ERR"
t_run 0 "$TLSAUDIT" --help
t_match "--help lists the exit codes" "3  at least one target" "$T_OUT"
t_run 2 "$TLSAUDIT"
t_run 2 "$TLSAUDIT" frobnicate
t_match "unknown command" "unknown command 'frobnicate'" "$T_ERR"
t_run 0 "$TLSAUDIT" version
t_match "version" "^tlsaudit [0-9]" "$T_OUT"

t_done
