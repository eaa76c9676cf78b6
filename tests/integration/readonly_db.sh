#!/usr/bin/env bash
# tests/integration/readonly_db.sh - report, history and diff only read:
# archived evidence on a read-only file, directory or mount renders, and
# the database's bytes (sha256) stay as they were.
#
# - chmod 0444 file and a 0555 directory, read as an unprivileged user
#   (setpriv; root ignores file modes);
# - a read-only bind mount (private mount namespace: root ignores it too
#   only for modes, not for EROFS), WAL-mode file without a -wal;
# - the same mount with a schema-1 file (read through an in-memory
#   migration) and with a -wal holding commits (refused, the reason given);
# - on a writable file, a scan left "running" by a process that is gone is
#   not marked incomplete by them (store_open would).
# Targets are a closed port of 127.0.0.1 in the lab's network namespace.
set -eu
. "$top_srcdir/tests/lab/lab.sh"
lab_netns "$0" "$@"
if [ "${READONLY_DB_MNTNS-}" != 1 ]; then
	if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
		READONLY_DB_MNTNS=1 exec unshare -m --propagation private -- "$BASH" "$0" "$@"
	fi
	lab_skip "needs root for a private mount namespace (unshare -m) and setpriv"
fi
. "$top_srcdir/tests/integration/common.sh"
lab_init

closed=$(lab_closed_port)
# A directory every user may enter (LAB_DIR is 0700).
pub=$(mktemp -d /tmp/tlsaudit-ro.XXXXXX)
trap 'umount "$pub/mnt" 2>/dev/null || true; rm -rf "$pub"' EXIT
chmod 0755 "$pub"
seed=$pub/seed.db
t_run 3 "$TLSAUDIT" scan --db "$seed" --timeout 2 "$closed"
t_run 3 "$TLSAUDIT" scan --db "$seed" --timeout 2 --policy pci-dss-4.0 "$closed"
t_eq "the seed is a WAL database" wal "$(sqlite3 "$seed" 'PRAGMA journal_mode')"
t_eq "the seed has no -wal left" no "$([ -e "$seed-wal" ] && echo yes || echo no)"

sum() { sha256sum "$1" | cut -d' ' -f1; }

# reads DB AS...: report (every format), history and diff of DB, run by
# the command prefix AS (empty: this user); each must succeed.
reads() {
	local db=$1 label=$2
	shift 2
	local f
	for f in text json csv junit markdown html sarif; do
		t_run 0 "$@" "$TLSAUDIT" report --db "$db" --format "$f"
	done
	t_match "$label: report shows the scan" "Scan 2 \(complete\)" "$(
		"$@" "$TLSAUDIT" report --db "$db" 2>&1 | head -1
	)"
	t_run 0 "$@" "$TLSAUDIT" history --db "$db" "$closed"
	t_match "$label: history lists both scans" "scan 2" "$T_OUT"
	t_run 0 "$@" "$TLSAUDIT" history --db "$db" --format json "$closed"
	t_run 0 "$@" "$TLSAUDIT" diff --db "$db"
	t_match "$label: diff compares 1 and 2" "scan 1 .* -> scan 2" "$T_OUT"
	t_run 0 "$@" "$TLSAUDIT" diff --db "$db" 1 2 --format json
}

# --- chmod: a read-only file, a read-only directory (unprivileged) -----------
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
mkdir -m 0755 "$pub/file"
cp "$seed" "$pub/file/a.db"
chmod 0444 "$pub/file/a.db"
chmod 0777 "$pub/file" # the directory writable: only the file is read-only
before=$(sum "$pub/file/a.db")
reads "$pub/file/a.db" "0444 file" "${as_nobody[@]}"
t_eq "0444 file: bytes unchanged" "$before" "$(sum "$pub/file/a.db")"

mkdir -m 0755 "$pub/dir"
cp "$seed" "$pub/dir/a.db"
chmod 0444 "$pub/dir/a.db"
chmod 0555 "$pub/dir"
before=$(sum "$pub/dir/a.db")
reads "$pub/dir/a.db" "0555 directory" "${as_nobody[@]}"
t_eq "0555 directory: bytes unchanged" "$before" "$(sum "$pub/dir/a.db")"
t_eq "0555 directory: nothing created next to it" "a.db" "$(ls -A "$pub/dir")"

# --- a read-only mount ---------------------------------------------------------
mkdir "$pub/mnt"
cp "$seed" "$pub/mnt/a.db"
mount --bind -o ro "$pub/mnt" "$pub/mnt"
mount -o remount,bind,ro "$pub/mnt"
if touch "$pub/mnt/probe" 2>/dev/null; then
	t_fail "the bind mount is read-only"
fi
before=$(sum "$pub/mnt/a.db")
reads "$pub/mnt/a.db" "read-only mount"
t_eq "read-only mount: bytes unchanged" "$before" "$(sum "$pub/mnt/a.db")"
t_eq "read-only mount: nothing created next to it" "a.db" "$(ls -A "$pub/mnt")"
umount "$pub/mnt"

# A schema-1 file (as an older tlsaudit left it) on the read-only mount.
cp "$seed" "$pub/mnt/v1.db"
sqlite3 "$pub/mnt/v1.db" "DROP TABLE scan_sources; DROP INDEX scans_uuid; DROP INDEX scans_run_id;
	ALTER TABLE scans DROP COLUMN uuid; ALTER TABLE scans DROP COLUMN run_id;
	ALTER TABLE scans DROP COLUMN shard_k; ALTER TABLE scans DROP COLUMN shard_n;
	DROP TABLE kex_values; ALTER TABLE targets DROP COLUMN kex_state;
	DROP TABLE starttls_dialogues; ALTER TABLE targets DROP COLUMN starttls;
	DROP TABLE deployment_revocations; DROP TABLE deployment_chains;
	DROP TABLE deployment_certs; DROP TABLE deployments; DROP TABLE probe_results; ALTER TABLE targets DROP COLUMN probes_state;
	ALTER TABLE targets DROP COLUMN probes_detail; DROP TABLE revocations; DROP TABLE http_headers; DROP TABLE fetch_cache;
	ALTER TABLE targets DROP COLUMN revoc_collected; ALTER TABLE chains DROP COLUMN aia_attempted;
	ALTER TABLE chains DROP COLUMN aia_completed; ALTER TABLE chains DROP COLUMN aia_trusted;
	ALTER TABLE chains DROP COLUMN aia_fetched; ALTER TABLE chains DROP COLUMN aia_detail;
	ALTER TABLE policy_runs DROP COLUMN fail_on; ALTER TABLE policy_runs DROP COLUMN fail_on_inconclusive;
	CREATE TABLE old_items (sha256 TEXT NOT NULL REFERENCES certificates (sha256) ON DELETE CASCADE,
	  field TEXT NOT NULL CHECK (field IN ('key_usage', 'eku', 'san', 'ocsp_url', 'ca_issuer_url', 'crl_url')),
	  position INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (sha256, field, position)) WITHOUT ROWID;
	INSERT INTO old_items SELECT * FROM certificate_items; DROP TABLE certificate_items;
	ALTER TABLE old_items RENAME TO certificate_items; CREATE INDEX certificate_items_value ON certificate_items (field, value);
	PRAGMA user_version = 1;" >/dev/null
# A -wal holding a commit: the files copied while a writer keeps them.
cp "$seed" "$pub/wal.db"
python3 - "$pub/wal.db" "$pub/mnt" <<'EOF'
import shutil, sqlite3, sys
db, dest = sys.argv[1], sys.argv[2]
keep = sqlite3.connect(db)  # keeps the -wal from being checkpointed away
keep.execute("SELECT count(*) FROM scans").fetchone()
w = sqlite3.connect(db)
w.execute("UPDATE scans SET note = 'committed into the -wal only' WHERE id = 2")
w.commit()
for suffix in ("", "-wal"):
    shutil.copy(db + suffix, dest + "/wal.db" + suffix)
EOF
rm -f "$pub/mnt/wal.db-shm"
mount --bind -o ro "$pub/mnt" "$pub/mnt"
mount -o remount,bind,ro "$pub/mnt"
before=$(sum "$pub/mnt/v1.db")
t_run 0 "$TLSAUDIT" report --db "$pub/mnt/v1.db"
t_match "schema 1 on a read-only mount: report reads it" "Scan 2 \(complete\)" "$T_OUT"
t_run 0 "$TLSAUDIT" diff --db "$pub/mnt/v1.db"
t_eq "schema 1 on a read-only mount: bytes unchanged" "$before" "$(sum "$pub/mnt/v1.db")"
t_eq "schema 1 on a read-only mount: still schema 1" 1 "$(sqlite3 "file:$pub/mnt/v1.db?immutable=1" 'PRAGMA user_version')"
t_run 2 "$TLSAUDIT" report --db "$pub/mnt/wal.db"
t_match "a -wal with commits on a read-only mount: refused with the reason" \
	"wal.db-wal holds commits not yet in the database file.*copy the database and its -wal file" "$T_ERR"
umount "$pub/mnt"

# --- a writable file: nothing is marked, migrated or switched ---------------------
w=$pub/live.db
cp "$seed" "$w"
sqlite3 "$w" "UPDATE scans SET state = 'running', finished_ms = NULL, pid = 2147483646 WHERE id = 1" >/dev/null
before=$(sum "$w")
reads "$w" "writable file"
t_eq "writable file: the dead scan is still running" running "$(sqlite3 "$w" 'SELECT state FROM scans WHERE id = 1')"
t_eq "writable file: bytes unchanged" "$before" "$(sum "$w")"
t_eq "writable file: no -wal or -shm left beside it" "live.db" "$(cd "$pub" && ls -A | grep '^live')"

t_done
