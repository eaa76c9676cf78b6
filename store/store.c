/*
 * store/store.c - the SQLite store: opening, schema migrations, and writing
 * scans and their targets (see store.h and docs/store-schema.md).
 *
 * Pipeline position: scanner -> facts -> [store] -> policy / reports. This is
 * the only file that includes <sqlite3.h>; every SQLite error is translated
 * here, once, into the handle's error text.
 *
 * Invariants:
 * - Every statement that carries data is prepared once (sqlite3_prepare_v2),
 *   cached in the handle, and bound; no value is ever spliced into SQL text.
 *   Only constant SQL (DDL, PRAGMAs, BEGIN/COMMIT) goes through sqlite3_exec.
 * - store_open reads the file's identity (application_id, user_version,
 *   whether it has any schema) before it writes anything, so a file it
 *   refuses (not SQLite, another application's, a newer schema, read-only)
 *   is left byte for byte as it was.
 * - Migrations are an ordered array; step i takes user_version from i to
 *   i + 1 and sets user_version itself. Every pending step runs in ONE
 *   BEGIN IMMEDIATE transaction, so a file is migrated all the way or not
 *   at all: a half-migrated file never exists (and a new file costs one
 *   commit, not one per step).
 * - Opening is two calls: store_open_check only reads (identity, schema
 *   version) and store_prepare does every write of opening (WAL switch,
 *   migrations, abandoned scans). The CLI checks before sending any packet
 *   and prepares while the scan runs; store_open does both.
 * - A brand-new file (zero pages) is switched to WAL with journal_mode
 *   MEMORY for that one write: page 1 is written and synced without a
 *   rollback journal file (see store_set_wal for why a crash there cannot
 *   leave a silently wrong file), and its migration commits under
 *   synchronous NORMAL (see store_prepare). Every commit of scan data,
 *   policy runs or cache entries runs with WAL and synchronous FULL.
 * - store_put_target writes one target and everything under it in one
 *   BEGIN IMMEDIATE ... COMMIT; on any error it rolls back, so a target is
 *   either stored complete or absent. With WAL this is what lets a killed
 *   scan keep every target it finished.
 * - The busy timeout (STORE_BUSY_TIMEOUT_MS) makes a second process wait for
 *   the write lock instead of failing.
 * - store_put_findings writes one policy run and every finding of it in one
 *   BEGIN IMMEDIATE ... COMMIT, and only for targets of the run's scan: a
 *   run is stored whole or not at all.
 * - Other files of store/ (store_read.c) reach the connection and the error
 *   text only through store_db and store_fail (store_private.h).
 */
#include "store/store.h"
#include "store/store_private.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/util.h"
#include "common/model/probe_result.h"
#include "common/model/registry.h"

/* 'TLSA': PRAGMA application_id of every tlsaudit database. */
#define STORE_APPLICATION_ID 0x544c5341
/* How long a writer waits for another process's write lock. */
#define STORE_BUSY_TIMEOUT_MS 30000
/* The pause between two attempts to switch a new file to WAL mode. */
#define STORE_WAL_RETRY_MS 10

/* One forward migration: run on a database at user_version to_version - 1.
 * The SQL is constant and must end by setting PRAGMA user_version to
 * to_version. Append new steps; never edit a step that has shipped. */
struct store_migration {
    int to_version;
    const char *sql;
};

static const struct store_migration store_migrations[] = {
    {1, "PRAGMA application_id = 1414288193;" /* 0x544c5341 'TLSA' */
        "CREATE TABLE scans ("
        "  id INTEGER PRIMARY KEY,"
        "  started_ms INTEGER NOT NULL,"
        "  finished_ms INTEGER,"
        "  state TEXT NOT NULL DEFAULT 'running'"
        "    CHECK (state IN ('running', 'complete', 'interrupted', 'incomplete')),"
        "  tool_version TEXT,"
        "  options TEXT,"
        "  trust_store TEXT,"
        "  registry_version TEXT,"
        "  pid INTEGER,"
        "  hostname TEXT,"
        "  note TEXT"
        ");"
        "CREATE INDEX scans_state ON scans (state);"
        "CREATE TABLE targets ("
        "  id INTEGER PRIMARY KEY,"
        "  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,"
        "  host TEXT NOT NULL,"
        "  port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
        "  sni TEXT,"
        "  ip TEXT,"
        "  status TEXT NOT NULL,"
        "  error TEXT,"
        "  started_ms INTEGER,"
        "  finished_ms INTEGER,"
        "  chain_collected INTEGER NOT NULL CHECK (chain_collected IN (0, 1))"
        ");"
        "CREATE INDEX targets_scan ON targets (scan_id);"
        "CREATE INDEX targets_host_port ON targets (host, port);"
        "CREATE TABLE versions ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  state TEXT NOT NULL,"
        "  reason TEXT,"
        "  suite INTEGER,"
        "  suite_name TEXT,"
        "  grp TEXT,"
        "  dh_bits INTEGER,"
        "  hrr INTEGER NOT NULL CHECK (hrr IN (0, 1)),"
        "  PRIMARY KEY (target_id, version)"
        ") WITHOUT ROWID;"
        "CREATE TABLE certificates ("
        "  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),"
        "  der BLOB NOT NULL,"
        "  subject TEXT,"
        "  issuer TEXT,"
        "  serial TEXT,"
        "  not_before INTEGER,"
        "  not_after INTEGER,"
        "  key_type TEXT,"
        "  key_bits INTEGER,"
        "  curve TEXT,"
        "  sig_alg TEXT,"
        "  has_key_usage INTEGER NOT NULL CHECK (has_key_usage IN (0, 1)),"
        "  ca INTEGER CHECK (ca IN (0, 1)),"
        "  path_len INTEGER,"
        "  must_staple INTEGER NOT NULL CHECK (must_staple IN (0, 1)),"
        "  n_scts INTEGER NOT NULL,"
        "  self_signed INTEGER NOT NULL CHECK (self_signed IN (0, 1))"
        ") WITHOUT ROWID;"
        "CREATE TABLE certificate_items ("
        "  sha256 TEXT NOT NULL REFERENCES certificates (sha256) ON DELETE CASCADE,"
        "  field TEXT NOT NULL CHECK (field IN ('key_usage', 'eku', 'san', 'ocsp_url',"
        "    'ca_issuer_url', 'crl_url')),"
        "  position INTEGER NOT NULL,"
        "  value TEXT NOT NULL,"
        "  PRIMARY KEY (sha256, field, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX certificate_items_value ON certificate_items (field, value);"
        "CREATE TABLE chain_certs ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  sha256 TEXT NOT NULL REFERENCES certificates (sha256),"
        "  days_left INTEGER,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX chain_certs_sha256 ON chain_certs (sha256);"
        "CREATE TABLE chains ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),"
        "  verify_status INTEGER NOT NULL,"
        "  verify_text TEXT,"
        "  hostname_checked INTEGER NOT NULL CHECK (hostname_checked IN (0, 1)),"
        "  hostname TEXT,"
        "  hostname_match INTEGER NOT NULL CHECK (hostname_match IN (0, 1)),"
        "  expired INTEGER NOT NULL CHECK (expired IN (0, 1)),"
        "  not_yet_valid INTEGER NOT NULL CHECK (not_yet_valid IN (0, 1)),"
        "  self_signed INTEGER NOT NULL CHECK (self_signed IN (0, 1)),"
        "  incomplete INTEGER NOT NULL CHECK (incomplete IN (0, 1)),"
        "  wrong_order INTEGER NOT NULL CHECK (wrong_order IN (0, 1)),"
        "  min_days_left INTEGER,"
        "  ocsp_staple INTEGER NOT NULL CHECK (ocsp_staple IN (0, 1)),"
        "  ocsp_status TEXT NOT NULL,"
        "  ocsp_detail TEXT"
        ");"
        /* Raw-ClientHello enumeration (scanner/enumerate.c). */
        "CREATE TABLE enum_versions ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  state TEXT NOT NULL"
        "    CHECK (state IN ('not-tested', 'accepted', 'refused', 'inconclusive')),"
        "  reason TEXT,"
        "  server_order TEXT NOT NULL CHECK (server_order IN ('unknown', 'server', 'client')),"
        "  incomplete INTEGER NOT NULL CHECK (incomplete IN (0, 1)),"
        "  incomplete_reason TEXT,"
        "  n_suites INTEGER NOT NULL,"
        "  PRIMARY KEY (target_id, version)"
        ");"
        "CREATE TABLE enum_suites ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  version INTEGER NOT NULL,"
        "  code INTEGER NOT NULL,"
        "  name TEXT,"
        "  server_rank INTEGER,"
        "  grp INTEGER,"
        "  kx_bits INTEGER,"
        "  PRIMARY KEY (target_id, version, code)"
        ");"
        "CREATE TABLE enum_lists ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('groups12', 'groups13', 'sigalgs12', 'sigalgs13')),"
        "  position INTEGER NOT NULL,"
        "  code INTEGER NOT NULL,"
        "  PRIMARY KEY (target_id, kind, position)"
        ");"
        "CREATE TABLE enum_behaviour ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  probes INTEGER NOT NULL,"
        "  secure_renegotiation INTEGER,"
        "  extended_master_secret INTEGER,"
        "  encrypt_then_mac INTEGER,"
        "  status_request INTEGER,"
        "  session_ticket INTEGER,"
        "  heartbeat INTEGER,"
        "  alpn TEXT,"
        "  anomalies TEXT,"
        "  sigalgs13_tested INTEGER NOT NULL DEFAULT 0 CHECK (sigalgs13_tested IN (0, 1))"
        ");"
        /* Target tags from the targets file (tags=pan,prod): policy scope. */
        "CREATE TABLE target_tags ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  tag TEXT NOT NULL,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX target_tags_tag ON target_tags (tag);"
        /* Policy evaluations (tlsaudit check, scan --policy) and findings. */
        "CREATE TABLE policy_runs ("
        "  id INTEGER PRIMARY KEY,"
        "  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,"
        "  policy_id TEXT NOT NULL,"
        "  policy_version TEXT,"
        "  policy_sha256 TEXT NOT NULL CHECK (length(policy_sha256) = 64),"
        "  policy_path TEXT,"
        "  evaluated_ms INTEGER NOT NULL,"
        "  tool_version TEXT"
        ");"
        "CREATE INDEX policy_runs_scan ON policy_runs (scan_id);"
        "CREATE TABLE findings ("
        "  id INTEGER PRIMARY KEY,"
        "  run_id INTEGER NOT NULL REFERENCES policy_runs (id) ON DELETE CASCADE,"
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  rule_id TEXT NOT NULL,"
        "  title TEXT,"
        "  ref TEXT,"
        "  severity TEXT NOT NULL"
        "    CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),"
        "  verdict TEXT NOT NULL"
        "    CHECK (verdict IN ('pass', 'fail', 'warn', 'inconclusive', 'waived')),"
        "  evidence TEXT,"
        "  waiver_reason TEXT,"
        "  waiver_owner TEXT,"
        "  waiver_expires TEXT"
        ");"
        "CREATE INDEX findings_run ON findings (run_id, target_id);"
        "CREATE INDEX findings_target ON findings (target_id, rule_id);"
        "PRAGMA user_version = 1;"},
    /* 2: revocation (OCSP/CRL) per served certificate, AIA completion of
     * the chain, HTTP security headers, and the fetch cache. */
    {2, "ALTER TABLE targets ADD COLUMN revoc_collected INTEGER NOT NULL DEFAULT 0"
        "  CHECK (revoc_collected IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_attempted INTEGER NOT NULL DEFAULT 0"
        "  CHECK (aia_attempted IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_completed INTEGER NOT NULL DEFAULT 0"
        "  CHECK (aia_completed IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_trusted INTEGER NOT NULL DEFAULT 0"
        "  CHECK (aia_trusted IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_fetched INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE chains ADD COLUMN aia_detail TEXT;"
        "CREATE TABLE revocations ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('not-checked', 'good', 'revoked', 'unknown',"
        "    'inconclusive')),"
        "  method TEXT,"
        "  url TEXT,"
        "  detail TEXT,"
        "  revoked_at INTEGER,"
        "  reason TEXT,"
        "  this_update INTEGER,"
        "  next_update INTEGER,"
        "  from_cache INTEGER NOT NULL CHECK (from_cache IN (0, 1)),"
        "  staple TEXT,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE TABLE http_headers ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  hsts_checked INTEGER NOT NULL CHECK (hsts_checked IN (0, 1)),"
        "  hsts_error TEXT,"
        "  https_status INTEGER,"
        "  hsts_present INTEGER NOT NULL CHECK (hsts_present IN (0, 1)),"
        "  hsts_valid INTEGER NOT NULL CHECK (hsts_valid IN (0, 1)),"
        "  hsts_max_age INTEGER,"
        "  hsts_include_subdomains INTEGER NOT NULL CHECK (hsts_include_subdomains IN (0, 1)),"
        "  hsts_preload INTEGER NOT NULL CHECK (hsts_preload IN (0, 1)),"
        "  hsts_header TEXT,"
        "  redirect_checked INTEGER NOT NULL CHECK (redirect_checked IN (0, 1)),"
        "  redirect_error TEXT,"
        "  http_status INTEGER,"
        "  redirects_to_https INTEGER NOT NULL CHECK (redirects_to_https IN (0, 1)),"
        "  redirect_location TEXT"
        ");"
        "CREATE TABLE fetch_cache ("
        "  kind TEXT NOT NULL CHECK (kind IN ('ocsp', 'crl', 'cert')),"
        "  key TEXT NOT NULL,"
        "  data BLOB NOT NULL,"
        "  expires INTEGER NOT NULL,"
        "  fetched_ms INTEGER NOT NULL,"
        "  PRIMARY KEY (kind, key)"
        ") WITHOUT ROWID;"
        "PRAGMA user_version = 2;"},
    /* 3: generic per-probe results (common/model/probe_result.h), one row
     * per result, and the header of that collection on each target. A new
     * probe adds rows, never columns: probe_id and state carry no CHECK. */
    {3, "ALTER TABLE targets ADD COLUMN probes_state TEXT NOT NULL DEFAULT 'not-collected';"
        "ALTER TABLE targets ADD COLUMN probes_detail TEXT;"
        "CREATE TABLE probe_results ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  probe_id TEXT NOT NULL,"
        "  version INTEGER,"
        "  suite INTEGER,"
        "  state TEXT NOT NULL,"
        "  detail TEXT,"
        "  evidence TEXT,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX probe_results_probe ON probe_results (probe_id, state);"
        "PRAGMA user_version = 3;"},
};

#define STORE_N_MIGRATIONS (sizeof(store_migrations) / sizeof(store_migrations[0]))

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* The cached statements; store_stmt_sql[i] is the text of statement i. */
enum store_stmt_id {
    ST_INSERT_SCAN,
    ST_FINISH_SCAN,
    ST_RUNNING_SCANS,
    ST_MARK_INCOMPLETE,
    ST_INSERT_TARGET,
    ST_INSERT_VERSION,
    ST_INSERT_CERT,
    ST_INSERT_CERT_ITEM,
    ST_INSERT_CHAIN_CERT,
    ST_INSERT_CHAIN,
    ST_INSERT_ENUM_VERSION,
    ST_INSERT_ENUM_SUITE,
    ST_INSERT_ENUM_LIST,
    ST_INSERT_ENUM_BEHAVIOUR,
    ST_INSERT_POLICY_RUN,
    ST_INSERT_FINDING,
    ST_INSERT_TAG,
    ST_INSERT_REVOCATION,
    ST_INSERT_HTTP,
    ST_INSERT_PROBE_RESULT,
    ST_CACHE_PUT,
    ST_CACHE_LOAD,
    ST_CACHE_PURGE,
    ST_COUNT
};

static const char *const store_stmt_sql[ST_COUNT] = {
    [ST_INSERT_SCAN] = "INSERT INTO scans (started_ms, state, tool_version, options, trust_store,"
                       " registry_version, pid, hostname) VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
    [ST_FINISH_SCAN] = "UPDATE scans SET state = ?, finished_ms = ? WHERE id = ?",
    [ST_RUNNING_SCANS] = "SELECT id, pid FROM scans WHERE state = 'running' AND hostname IS ?",
    [ST_MARK_INCOMPLETE] = "UPDATE scans SET state = 'incomplete', note = ?"
                           " WHERE id = ? AND state = 'running'",
    [ST_INSERT_TARGET] = "INSERT INTO targets (scan_id, host, port, sni, ip, status, error,"
                         " started_ms, finished_ms, chain_collected, revoc_collected,"
                         " probes_state, probes_detail)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_VERSION] = "INSERT INTO versions (target_id, version, name, state, reason, suite,"
                          " suite_name, grp, dh_bits, hrr)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_CERT] = "INSERT OR IGNORE INTO certificates (sha256, der, subject, issuer, serial,"
                       " not_before, not_after, key_type, key_bits, curve, sig_alg,"
                       " has_key_usage, ca, path_len, must_staple, n_scts, self_signed)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_CERT_ITEM] = "INSERT INTO certificate_items (sha256, field, position, value)"
                            " VALUES (?, ?, ?, ?)",
    [ST_INSERT_CHAIN_CERT] = "INSERT INTO chain_certs (target_id, position, sha256, days_left)"
                             " VALUES (?, ?, ?, ?)",
    [ST_INSERT_CHAIN] = "INSERT INTO chains (target_id, trusted, verify_status, verify_text,"
                        " hostname_checked, hostname, hostname_match, expired, not_yet_valid,"
                        " self_signed, incomplete, wrong_order, min_days_left, ocsp_staple,"
                        " ocsp_status, ocsp_detail, aia_attempted, aia_completed, aia_trusted,"
                        " aia_fetched, aia_detail)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_ENUM_VERSION] = "INSERT INTO enum_versions (target_id, version, name, state, reason,"
                               " server_order, incomplete, incomplete_reason, n_suites)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_ENUM_SUITE] = "INSERT OR IGNORE INTO enum_suites (target_id, version, code, name,"
                             " server_rank, grp, kx_bits) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_ENUM_LIST] = "INSERT INTO enum_lists (target_id, kind, position, code)"
                            " VALUES (?, ?, ?, ?)",
    [ST_INSERT_ENUM_BEHAVIOUR] = "INSERT INTO enum_behaviour (target_id, probes,"
                                 " secure_renegotiation, extended_master_secret,"
                                 " encrypt_then_mac, status_request, session_ticket, heartbeat,"
                                 " alpn, anomalies, sigalgs13_tested)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_POLICY_RUN] = "INSERT INTO policy_runs (scan_id, policy_id, policy_version,"
                             " policy_sha256, policy_path, evaluated_ms, tool_version)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)",
    /* Inserts nothing unless the target belongs to the run's scan. */
    [ST_INSERT_FINDING] = "INSERT INTO findings (run_id, target_id, rule_id, title, ref, severity,"
                          " verdict, evidence, waiver_reason, waiver_owner, waiver_expires)"
                          " SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM targets"
                          " WHERE id = ? AND scan_id = ?",
    [ST_INSERT_TAG] = "INSERT INTO target_tags (target_id, position, tag) VALUES (?, ?, ?)",
    [ST_INSERT_REVOCATION] = "INSERT INTO revocations (target_id, position, status, method, url,"
                             " detail, revoked_at, reason, this_update, next_update, from_cache,"
                             " staple) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_HTTP] = "INSERT INTO http_headers (target_id, hsts_checked, hsts_error,"
                       " https_status, hsts_present, hsts_valid, hsts_max_age,"
                       " hsts_include_subdomains, hsts_preload, hsts_header, redirect_checked,"
                       " redirect_error, http_status, redirects_to_https, redirect_location)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_PROBE_RESULT] = "INSERT INTO probe_results (target_id, position, probe_id, version,"
                               " suite, state, detail, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_CACHE_PUT] = "INSERT OR REPLACE INTO fetch_cache (kind, key, data, expires, fetched_ms)"
                     " VALUES (?, ?, ?, ?, ?)",
    [ST_CACHE_LOAD] = "SELECT kind, key, data, expires FROM fetch_cache WHERE expires > ?"
                      " ORDER BY kind, key",
    [ST_CACHE_PURGE] = "DELETE FROM fetch_cache WHERE expires <= ?",
};

struct store {
    sqlite3 *db;
    char *path;
    bool empty_file;               /* store_open_check saw a file of zero pages (brand new) */
    int64_t checked_version;       /* user_version as store_open_check read it */
    sqlite3_stmt *stmts[ST_COUNT]; /* prepared on first use, finalized by store_close */
    char hostname[256];            /* gethostname(), "" when unknown */
    bool read_only;                /* store_open_readonly: the file is never written */
    char err[1024];
};

/* A cursor over a statement's parameters: each bind_* takes the next one
 * and the first failure sticks, so a caller checks once. */
struct binder {
    sqlite3_stmt *st;
    int idx;
    int rc;
};

static void store_set_err(struct store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void store_set_err(struct store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
}

/* store_sql_err records "context: sqlite message" for the last failure. */
static void store_sql_err(struct store *s, const char *context)
{
    store_set_err(s, "%s: %s", context, sqlite3_errmsg(s->db));
}

static void binder_start(struct binder *b, sqlite3_stmt *st)
{
    b->st = st;
    b->idx = 0;
    b->rc = SQLITE_OK;
}

static void bind_int64(struct binder *b, int64_t v)
{
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_int64(b->st, b->idx, (sqlite3_int64)v);
    }
}

static void bind_bool(struct binder *b, bool v)
{
    bind_int64(b, v ? 1 : 0);
}

static void bind_null(struct binder *b)
{
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_null(b->st, b->idx);
    }
}

/* bind_text binds s, or NULL when s is NULL. The text must outlive the
 * statement's next step (SQLITE_STATIC). */
static void bind_text(struct binder *b, const char *s)
{
    if (s == NULL) {
        bind_null(b);
        return;
    }
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_text64(b->st, b->idx, s, strlen(s), SQLITE_STATIC, SQLITE_UTF8);
    }
}

/* bind_buf binds a fixed-size text field of the facts (never read past
 * cap, even unterminated); an empty field is stored as NULL. */
static void bind_buf(struct binder *b, const char *buf, size_t cap)
{
    size_t n = strnlen(buf, cap);
    if (n == 0) {
        bind_null(b);
        return;
    }
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_text64(b->st, b->idx, buf, n, SQLITE_STATIC, SQLITE_UTF8);
    }
}

static void bind_blob(struct binder *b, const void *data, size_t len)
{
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_blob64(b->st, b->idx, data, len, SQLITE_STATIC);
    }
}

/* store_exec runs constant SQL (no values in it). Returns 0 or -1 with the
 * error recorded under context. */
static int store_exec(struct store *s, const char *sql, const char *context)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_sql_err(s, context);
        return -1;
    }
    return 0;
}

/* store_rollback ends the open transaction, if SQLite has not already
 * rolled it back itself; the recorded error text is kept. */
static void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db)) {
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* store_stmt returns the cached statement id, preparing it on first use,
 * or NULL with the error recorded. The statement is reset and unbound. */
static sqlite3_stmt *store_stmt(struct store *s, enum store_stmt_id id)
{
    if (s->stmts[id] == NULL) {
        if (sqlite3_prepare_v2(s->db, store_stmt_sql[id], -1, &s->stmts[id], NULL) != SQLITE_OK) {
            store_sql_err(s, "preparing a statement");
            sqlite3_finalize(s->stmts[id]);
            s->stmts[id] = NULL;
            return NULL;
        }
    }
    return s->stmts[id];
}

/* store_run steps a bound statement that returns no rows, then resets it.
 * Returns 0, or -1 with "context: ..." recorded (binding errors included). */
static int store_run(struct store *s, const struct binder *b, const char *context)
{
    int ret = -1;
    if (b->rc != SQLITE_OK) {
        store_set_err(s, "%s: binding parameter %d: %s", context, b->idx, sqlite3_errstr(b->rc));
        goto out;
    }
    if (sqlite3_step(b->st) != SQLITE_DONE) {
        store_sql_err(s, context);
        goto out;
    }
    ret = 0;
out:
    sqlite3_reset(b->st);
    sqlite3_clear_bindings(b->st);
    return ret;
}

/* store_pragma_int reads an integer PRAGMA (constant text) into *out.
 * Returns the SQLite result code. */
static int store_pragma_int(struct store *s, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = (int64_t)sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = SQLITE_OK;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* store_check_identity reads, in one read transaction and without writing,
 * what the file is: a SQLite database at all, ours (application_id) or an
 * empty one, and its schema version. Returns 0 and *out_version, or -1. */
static int store_check_identity(struct store *s, int64_t *out_version)
{
    int ret = -1;
    int64_t app_id = 0;
    int64_t version = 0;
    int64_t n_objects = 0;
    int64_t n_pages = -1;
    int rc = sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "PRAGMA application_id", &app_id);
    }
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "PRAGMA user_version", &version);
    }
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "SELECT count(*) FROM sqlite_master", &n_objects);
    }
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "PRAGMA page_count", &n_pages);
    }
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB) {
            store_set_err(s, "%s is not a SQLite database (%s)", s->path, sqlite3_errmsg(s->db));
        } else {
            store_set_err(s, "cannot read database %s: %s", s->path, sqlite3_errmsg(s->db));
        }
        goto out;
    }
    if (app_id != STORE_APPLICATION_ID) {
        if (app_id != 0) {
            store_set_err(s,
                          "%s is not a tlsaudit database: its application_id is 0x%08llx, "
                          "tlsaudit uses 0x%08x",
                          s->path, (unsigned long long)(uint32_t)app_id, STORE_APPLICATION_ID);
            goto out;
        }
        if (version != 0 || n_objects != 0) {
            store_set_err(s,
                          "%s is not a tlsaudit database: it is a SQLite database of another "
                          "application (no tlsaudit application_id, %lld schema objects, "
                          "user_version %lld)",
                          s->path, (long long)n_objects, (long long)version);
            goto out;
        }
    }
    if (version > STORE_SCHEMA_VERSION) {
        store_set_err(s,
                      "%s has schema version %lld, newer than this tlsaudit supports (%d); "
                      "use a newer tlsaudit (the file was not changed)",
                      s->path, (long long)version, STORE_SCHEMA_VERSION);
        goto out;
    }
    *out_version = version;
    s->empty_file = n_pages == 0;
    ret = 0;
out:
    store_rollback(s);
    return ret;
}

/* store_journal_mode runs a journal_mode PRAGMA (constant text) and
 * copies the resulting mode into mode. Returns the SQLite result code. */
static int store_journal_mode(struct store *s, const char *sql, char *mode, size_t mode_len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *m = sqlite3_column_text(st, 0);
            snprintf(mode, mode_len, "%s", m ? (const char *)m : "?");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_ERROR;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* store_set_wal switches the file to WAL mode (persistent in the file).
 * The switch takes a read lock and then upgrades it, and SQLite does not
 * call the busy handler for such an upgrade, so a busy answer (another
 * process opening the same new file) is retried here for as long as the
 * busy timeout.
 *
 * The switch is one write transaction of page 1 (its format bytes), run in
 * the journal mode the connection had before. For a file that had zero
 * pages when store_open_check read it, that mode is set to MEMORY first
 * (OFF is refused under SQLITE_DBCONFIG_DEFENSIVE; SQLite goes from MEMORY
 * to OFF itself for a switch to WAL): page 1 is then written and synced
 * (synchronous stays FULL) with no rollback journal file, which saves
 * creating, syncing and deleting one (4 fdatasync calls, 1 left). Why a crash cannot leave a
 * silently wrong file: the "before" state is an empty file, so there is nothing to roll back to; a
 * brand-new page 1 has non-zero bytes only in its first 108 (the 100-byte
 * header and the empty sqlite_master page header), one disk sector, so
 * after a crash the file is either empty (the next run creates it again),
 * or a valid empty WAL database at schema version 0 (the next run
 * migrates it), or holds no SQLite header ("is not a SQLite database",
 * exit 2 naming the file). No data is written before this sync: the
 * migration and every scan commit come after it, in WAL with synchronous
 * FULL, and SQLite discards a WAL whose database file is empty, which is
 * why page 1 must be durable before the first WAL commit. If another
 * process made the file a WAL database meanwhile, SQLite reads page 1 under
 * the lock, finds it already in WAL format and writes nothing. */
static int store_set_wal(struct store *s)
{
    char mode[32] = "";
    int rc = store_journal_mode(s, "PRAGMA journal_mode", mode, sizeof(mode));
    if (rc == SQLITE_OK && s->empty_file && strcasecmp(mode, "wal") != 0) {
        rc = store_journal_mode(s, "PRAGMA journal_mode = MEMORY", mode, sizeof(mode));
        mode[0] = '\0';
    }
    for (int waited = 0; rc == SQLITE_OK && strcasecmp(mode, "wal") != 0;) {
        rc = store_journal_mode(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
        if ((rc & 0xff) == SQLITE_BUSY && waited < STORE_BUSY_TIMEOUT_MS) {
            waited += sqlite3_sleep(STORE_WAL_RETRY_MS);
            rc = SQLITE_OK;
            mode[0] = '\0';
            continue;
        }
        break;
    }
    if (rc != SQLITE_OK) {
        store_set_err(s, "cannot switch %s to WAL mode: %s", s->path, sqlite3_errmsg(s->db));
        return -1;
    }
    const char *file = sqlite3_db_filename(s->db, "main");
    bool in_memory = file == NULL || file[0] == '\0';
    if (!in_memory && strcasecmp(mode, "wal") != 0) {
        store_set_err(s, "cannot switch %s to WAL mode: journal mode stays \"%s\"", s->path, mode);
        return -1;
    }
    return 0;
}

/* store_migrate applies every migration step above the file's version in
 * ONE BEGIN IMMEDIATE transaction: the file goes to STORE_SCHEMA_VERSION
 * whole or stays as it was. The version is read again inside the
 * transaction (two processes opening a new file at once apply each step
 * once) and before and after each step (a newer schema is refused, a step
 * must set exactly its version). */
static int store_migrate(struct store *s, int64_t version)
{
    char ctx[256];
    if (version >= STORE_SCHEMA_VERSION) {
        return 0;
    }
    snprintf(ctx, sizeof(ctx), "migrating %s to schema version %d", s->path, STORE_SCHEMA_VERSION);
    if (store_exec(s, "BEGIN IMMEDIATE", ctx) != 0) {
        return -1;
    }
    for (size_t i = 0; i < STORE_N_MIGRATIONS; i++) {
        const struct store_migration *m = &store_migrations[i];
        int64_t now = 0;
        snprintf(ctx, sizeof(ctx), "migrating %s to schema version %d", s->path, m->to_version);
        if (store_pragma_int(s, "PRAGMA user_version", &now) != SQLITE_OK) {
            store_sql_err(s, ctx);
            goto fail;
        }
        if (now > STORE_SCHEMA_VERSION) {
            store_set_err(s, "%s has schema version %lld, newer than this tlsaudit supports (%d)",
                          s->path, (long long)now, STORE_SCHEMA_VERSION);
            goto fail;
        }
        if (now >= m->to_version) {
            continue;
        }
        if (now != m->to_version - 1) {
            store_set_err(s, "%s: no migration from schema version %lld", ctx, (long long)now);
            goto fail;
        }
        if (store_exec(s, m->sql, ctx) != 0) {
            goto fail;
        }
        if (store_pragma_int(s, "PRAGMA user_version", &now) != SQLITE_OK || now != m->to_version) {
            store_set_err(s, "%s: the step did not set user_version", ctx);
            goto fail;
        }
    }
    if (store_exec(s, "COMMIT", ctx) != 0) {
        goto fail;
    }
    return 0;
fail:
    store_rollback(s);
    return -1;
}

/* store_mark_abandoned marks "incomplete" every scan still "running" that
 * was started on this host by a process that no longer exists. A scan on
 * another host, or whose process lives (or cannot be signalled: EPERM), is
 * left alone. */
static int store_mark_abandoned(struct store *s)
{
    int ret = -1;
    int64_t *dead = NULL;
    size_t n_dead = 0;
    size_t cap = 0;
    struct binder b;
    char note[512];
    int rc;

    sqlite3_stmt *st = store_stmt(s, ST_RUNNING_SCANS);
    if (st == NULL) {
        goto out;
    }
    binder_start(&b, st);
    bind_text(&b, s->hostname[0] ? s->hostname : NULL); /* as store_scan_begin stores it */
    if (b.rc != SQLITE_OK) {
        store_set_err(s, "finding unfinished scans: %s", sqlite3_errstr(b.rc));
        goto out_reset;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t pid = (int64_t)sqlite3_column_int64(st, 1);
        if (pid <= 0 || pid > INT_MAX) {
            continue; /* kill(0 or -n) would signal process groups */
        }
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
            continue;
        }
        if (n_dead == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            int64_t *n = realloc(dead, ncap * sizeof(*n));
            if (n == NULL) {
                store_set_err(s, "finding unfinished scans: out of memory");
                goto out_reset;
            }
            dead = n;
            cap = ncap;
        }
        dead[n_dead++] = (int64_t)sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE) {
        store_sql_err(s, "finding unfinished scans");
        goto out_reset;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (n_dead == 0) {
        ret = 0;
        goto out;
    }

    if (store_exec(s, "BEGIN IMMEDIATE", "marking unfinished scans") != 0) {
        goto out;
    }
    st = store_stmt(s, ST_MARK_INCOMPLETE);
    if (st == NULL) {
        goto out_rollback;
    }
    snprintf(note, sizeof(note),
             "the process that ran this scan on %s ended before the scan finished; "
             "marked incomplete by pid %ld",
             s->hostname[0] ? s->hostname : "this host", (long)getpid());
    for (size_t i = 0; i < n_dead; i++) {
        binder_start(&b, st);
        bind_text(&b, note);
        bind_int64(&b, dead[i]);
        if (store_run(s, &b, "marking an unfinished scan incomplete") != 0) {
            goto out_rollback;
        }
    }
    if (store_exec(s, "COMMIT", "marking unfinished scans") != 0) {
        goto out_rollback;
    }
    ret = 0;
    goto out;
out_rollback:
    store_rollback(s);
    goto out;
out_reset:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
out:
    free(dead);
    return ret;
}

/* store_alloc makes the handle of a store about to be opened at path.
 * Returns it, or NULL with the reason in err ("no database file name
 * given", out of memory). */
static struct store *store_alloc(const char *path, char *err, size_t err_len)
{
    const char *why = NULL;
    struct store *s = NULL;
    if (path == NULL || path[0] == '\0') {
        why = "no database file name given";
    } else if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL) {
        why = "opening database: out of memory";
        free(s);
        s = NULL;
    }
    if (err != NULL && err_len > 0) {
        snprintf(err, err_len, "%s", why != NULL ? why : "");
    }
    return s;
}

/* store_open_end finishes an open: on ret 0 hands s to *out_store, else
 * copies its error into err and closes it. Returns ret. */
static int store_open_end(struct store *s, int ret, struct store **out_store, char *err,
                          size_t err_len)
{
    if (ret != 0) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s", s->err);
        }
        store_close(s);
        return -1;
    }
    *out_store = s;
    return 0;
}

/* store_configure sets what every connection of ours has: extended
 * result codes, the busy timeout, defensive mode, no trusted schema,
 * foreign keys. Returns 0 or -1 (error recorded). */
static int store_configure(struct store *s)
{
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* The file may come from anywhere: no schema tricks, no functions run
     * from its schema. */
    (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    return store_exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys");
}

int store_open_check(const char *path, struct store **out_store, char *err, size_t err_len)
{
    int ret = -1;
    int64_t version = 0;

    *out_store = NULL;
    struct store *s = store_alloc(path, err, err_len);
    if (s == NULL) {
        return -1;
    }
    if (gethostname(s->hostname, sizeof(s->hostname)) != 0) {
        s->hostname[0] = '\0';
    }
    s->hostname[sizeof(s->hostname) - 1] = '\0';

    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        int sys = s->db ? sqlite3_system_errno(s->db) : 0;
        char ebuf[128] = "";
        store_set_err(s, "cannot open database %s: %s%s%s%s", path,
                      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), sys ? " (" : "",
                      sys ? strerror_r(sys, ebuf, sizeof(ebuf)) : "", sys ? ")" : "");
        goto out;
    }
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        store_set_err(s, "cannot write database %s: the file is read-only", path);
        goto out;
    }
    if (store_configure(s) != 0 || store_check_identity(s, &version) != 0) {
        goto out;
    }
    s->checked_version = version;
    ret = 0;
out:
    return store_open_end(s, ret, out_store, err, err_len);
}

/* store_uri writes "file:PATH?PARAMS" into buf with every byte of path
 * but [A-Za-z0-9._~-] percent-encoded (so '?', '#', '%' and a leading
 * "//" in a file name mean nothing to SQLite's URI parser). Returns 0, or
 * -1 when it does not fit. */
static int store_uri(const char *path, const char *params, char *buf, size_t buf_len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    int n = snprintf(buf, buf_len, "file:");
    if (n < 0 || (size_t)n >= buf_len) {
        return -1;
    }
    o = (size_t)n;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '~' || *p == '-';
        if (o + 4 >= buf_len) {
            return -1;
        }
        if (plain) {
            buf[o++] = (char)*p;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 0xf];
        }
    }
    n = snprintf(buf + o, buf_len - o, "?%s", params);
    return n < 0 || (size_t)n >= buf_len - o ? -1 : 0;
}

/* store_ro_connect opens s->path with URI params ("mode=rw" opens it
 * read-write but query_only, "mode=ro..." read-only) and reads its
 * identity (store_check_identity). Returns 0, or the SQLite result code
 * (error recorded). */
static int store_ro_connect(struct store *s, const char *params, int64_t *out_version)
{
    bool rw = strncmp(params, "mode=rw", 7) == 0;
    char uri[PATH_MAX * 3 + 64];
    if (store_uri(s->path, params, uri, sizeof(uri)) != 0) {
        store_set_err(s, "cannot open database %s: the name is too long", s->path);
        return SQLITE_CANTOPEN;
    }
    sqlite3_close(s->db);
    s->db = NULL;
    int rc = sqlite3_open_v2(
        uri, &s->db, (rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK) {
        store_set_err(s, "cannot open database %s: %s", s->path,
                      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return rc;
    }
    if (store_configure(s) != 0 ||
        (rw && store_exec(s, "PRAGMA query_only = 1", "opening read-only") != 0)) {
        return sqlite3_extended_errcode(s->db);
    }
    /* The first read is where a WAL file's missing -shm shows (CANTOPEN);
     * store_check_identity words the other failures. */
    int64_t n_objects = 0;
    rc = store_pragma_int(s, "SELECT count(*) FROM sqlite_master", &n_objects);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOTADB) {
        store_set_err(s, "cannot read database %s: %s", s->path, sqlite3_errmsg(s->db));
        return rc;
    }
    if (store_check_identity(s, out_version) != 0) {
        rc = sqlite3_extended_errcode(s->db);
        return rc != SQLITE_OK ? rc : SQLITE_ERROR;
    }
    return SQLITE_OK;
}

/* store_ro_upgrade gives a read-only handle on a file of an older schema
 * (or an empty file) the current one without writing the file: the file
 * is copied into an in-memory database (SQLite's backup API), migrated
 * there, and that copy, made query_only, is what s reads from then on. */
static int store_ro_upgrade(struct store *s, int64_t version)
{
    sqlite3 *mem = NULL;
    int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(mem, "main", s->db, "main");
        if (b == NULL) {
            rc = sqlite3_errcode(mem);
        } else {
            rc = sqlite3_backup_step(b, -1);
            int frc = sqlite3_backup_finish(b);
            rc = rc == SQLITE_DONE ? frc : rc;
        }
    }
    if (rc != SQLITE_OK) {
        store_set_err(s, "cannot read database %s (schema version %lld) into memory: %s", s->path,
                      (long long)version, mem ? sqlite3_errmsg(mem) : sqlite3_errstr(rc));
        sqlite3_close(mem);
        return -1;
    }
    sqlite3_close(s->db);
    s->db = mem;
    if (store_configure(s) != 0 || store_migrate(s, version) != 0) {
        char tmp[sizeof(s->err)];
        memcpy(tmp, s->err, sizeof(tmp));
        store_set_err(s,
                      "%s has schema version %lld, older than this tlsaudit reads (%d), and "
                      "cannot be read without migrating it: %s",
                      s->path, (long long)version, STORE_SCHEMA_VERSION, tmp);
        return -1;
    }
    return store_exec(s, "PRAGMA query_only = 1", "opening read-only");
}

int store_open_readonly(const char *path, struct store **out_store, char *err, size_t err_len)
{
    int ret = -1;
    int64_t version = 0;

    *out_store = NULL;
    struct store *s = store_alloc(path, err, err_len);
    if (s == NULL) {
        return -1;
    }
    s->read_only = true;
    char wal[PATH_MAX];
    struct stat st;
    int n = snprintf(wal, sizeof(wal), "%s-wal", path);
    bool wal_ok = n > 0 && (size_t)n < sizeof(wal);
    bool wal_empty = wal_ok && (stat(wal, &st) != 0 ? errno == ENOENT : st.st_size == 0);
    char dir[PATH_MAX];
    util_copy(dir, sizeof(dir), path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        util_copy(dir, sizeof(dir), ".");
    } else {
        slash[slash == dir ? 1 : 0] = '\0';
    }
    /* Where the file and its directory may be written, it is opened as any
     * reader of the live database would be, with SQLite's locking (a scan
     * writing it meanwhile is read consistently), but query_only: for a
     * WAL file SQLite makes the -wal and -shm files next to it and, as the
     * last connection, removes them again on close (checkpointing nothing
     * when the -wal was empty; when it held commits, checkpoint-on-close is
     * off, so not even they move into the database file). Elsewhere
     * (mode=ro) it can only read. Either way the database's bytes stay. */
    bool writable = access(path, W_OK) == 0 && access(dir, W_OK) == 0;
    int rc = store_ro_connect(s, writable ? "mode=rw" : "mode=ro", &version);
    if (rc == SQLITE_OK && writable && !wal_empty) {
        (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    }
    if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
        /* A WAL file in a place where the -shm file cannot be created (a
         * read-only directory or mount). If the -wal file is absent or
         * empty, the database file holds every commit and, in a place
         * nobody can write through, cannot change: SQLite may read it as
         * immutable (no locks, no -shm). A -wal holding commits would be
         * ignored that way, so it is an error instead. */
        if (!wal_empty) {
            store_set_err(s,
                          "cannot read database %s: its write-ahead log %s-wal holds commits "
                          "not yet in the database file, and SQLite cannot create the shared "
                          "memory file %s-shm it needs to read them here (read-only "
                          "location); copy the database and its -wal file to a writable "
                          "directory",
                          path, path, path);
            goto out;
        }
        rc = store_ro_connect(s, "mode=ro&immutable=1", &version);
    }
    if (rc != SQLITE_OK) {
        goto out;
    }
    s->checked_version = version;
    if (version < STORE_SCHEMA_VERSION && store_ro_upgrade(s, version) != 0) {
        goto out;
    }
    ret = 0;
out:
    return store_open_end(s, ret, out_store, err, err_len);
}

int store_prepare(struct store *s)
{
    if (s->read_only) {
        store_set_err(s, "%s was opened read-only", s->path);
        return -1;
    }
    /* From here on the file is ours (or new) and may be written. */
    if (store_set_wal(s) != 0) {
        return -1;
    }
    /* A brand-new file's migration commit holds no scan data, so it need
     * not be durable at once: under synchronous NORMAL the WAL keeps it
     * atomic (a commit frame whose checksums fail is dropped at recovery),
     * and a crash before the next sync leaves the valid empty database of
     * store_set_wal, which the next run migrates again. The first commit
     * of scan data (synchronous FULL again) syncs the WAL and with it the
     * migration frames before it. Saves the commit's sync (SQLite still
     * syncs the new WAL's header once). */
    char ctx[256];
    snprintf(ctx, sizeof(ctx), "opening %s", s->path);
    int64_t sync_level = 0;
    bool relaxed = s->empty_file &&
                   store_pragma_int(s, "PRAGMA synchronous", &sync_level) == SQLITE_OK &&
                   sync_level == 2; /* FULL, the default, is what is put back */
    if (relaxed && store_exec(s, "PRAGMA synchronous = NORMAL", ctx) != 0) {
        return -1;
    }
    int mrc = store_migrate(s, s->checked_version);
    if (relaxed && store_exec(s, "PRAGMA synchronous = FULL", ctx) != 0) {
        return -1;
    }
    if (mrc != 0) {
        return -1;
    }
    if (store_mark_abandoned(s) != 0) {
        char tmp[sizeof(s->err)];
        memcpy(tmp, s->err, sizeof(tmp));
        store_set_err(s, "%s: %s", s->path, tmp);
        return -1;
    }
    return 0;
}

int store_open(const char *path, struct store **out_store, char *err, size_t err_len)
{
    struct store *s = NULL;
    if (store_open_check(path, &s, err, err_len) != 0) {
        *out_store = NULL;
        return -1;
    }
    if (store_prepare(s) != 0) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s", s->err);
        }
        store_close(s);
        *out_store = NULL;
        return -1;
    }
    *out_store = s;
    return 0;
}

void store_close(struct store *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->stmts[i]);
    }
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

const char *store_errmsg(const struct store *s)
{
    if (s == NULL) {
        return "no store";
    }
    return s->err;
}

int store_scan_begin(struct store *s, const struct scan_meta *meta, int64_t *out_scan_id)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_SCAN);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, meta->started_ms);
    bind_text(&b, meta->tool_version);
    bind_text(&b, meta->options);
    bind_text(&b, meta->trust_store);
    bind_text(&b, meta->registry_version);
    bind_int64(&b, (int64_t)getpid());
    bind_text(&b, s->hostname[0] ? s->hostname : NULL);
    if (store_run(s, &b, "inserting scan") != 0) {
        return -1;
    }
    *out_scan_id = (int64_t)sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_scan_finish(struct store *s, int64_t scan_id, const char *state, int64_t finished_ms)
{
    struct binder b;
    if (state == NULL || (strcmp(state, "complete") != 0 && strcmp(state, "interrupted") != 0)) {
        store_set_err(s, "finishing scan %lld: state must be \"complete\" or \"interrupted\"",
                      (long long)scan_id);
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, ST_FINISH_SCAN);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_text(&b, state);
    bind_int64(&b, finished_ms);
    bind_int64(&b, scan_id);
    if (store_run(s, &b, "finishing scan") != 0) {
        return -1;
    }
    if (sqlite3_changes(s->db) != 1) {
        store_set_err(s, "finishing scan %lld: no such scan", (long long)scan_id);
        return -1;
    }
    return 0;
}

/* store_valid_sha256 tells whether h is 64 lowercase hex digits. */
static bool store_valid_sha256(const char *h, size_t cap)
{
    if (strnlen(h, cap) != 64) {
        return false;
    }
    for (size_t i = 0; i < 64; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static int store_put_items(struct store *s, const char *sha256, const char *field,
                           const struct strlist *l)
{
    struct binder b;
    for (size_t i = 0; i < l->n_items; i++) {
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_CERT_ITEM);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_text(&b, sha256);
        bind_text(&b, field);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, l->items[i]);
        if (store_run(s, &b, "inserting certificate list item") != 0) {
            return -1;
        }
    }
    return 0;
}

/* store_put_cert stores c once (keyed by SHA-256) with its list items; a
 * certificate already stored is left as it is. */
static int store_put_cert(struct store *s, const struct cert_fact *c)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_CERT);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_buf(&b, c->sha256, sizeof(c->sha256));
    bind_blob(&b, c->der, c->der_len);
    bind_text(&b, c->subject);
    bind_text(&b, c->issuer);
    bind_buf(&b, c->serial, sizeof(c->serial));
    bind_int64(&b, c->not_before);
    bind_int64(&b, c->not_after);
    bind_buf(&b, c->key_type, sizeof(c->key_type));
    bind_int64(&b, c->key_bits);
    bind_buf(&b, c->curve, sizeof(c->curve));
    bind_buf(&b, c->sig_alg, sizeof(c->sig_alg));
    bind_bool(&b, c->has_key_usage);
    if (c->ca < 0) {
        bind_null(&b);
    } else {
        bind_bool(&b, c->ca != 0);
    }
    if (c->path_len < 0) {
        bind_null(&b);
    } else {
        bind_int64(&b, c->path_len);
    }
    bind_bool(&b, c->must_staple);
    bind_int64(&b, c->n_scts);
    bind_bool(&b, c->self_signed);
    if (store_run(s, &b, "inserting certificate") != 0) {
        return -1;
    }
    if (sqlite3_changes(s->db) == 0) {
        return 0; /* already stored: the parsed fields come from the same DER */
    }
    if (store_put_items(s, c->sha256, "key_usage", &c->key_usage) != 0 ||
        store_put_items(s, c->sha256, "eku", &c->eku) != 0 ||
        store_put_items(s, c->sha256, "san", &c->san) != 0 ||
        store_put_items(s, c->sha256, "ocsp_url", &c->ocsp_urls) != 0 ||
        store_put_items(s, c->sha256, "ca_issuer_url", &c->ca_issuer_urls) != 0 ||
        store_put_items(s, c->sha256, "crl_url", &c->crl_urls) != 0) {
        return -1;
    }
    return 0;
}

/* store_put_tags writes the target's tags in their order (target_tags). */
static int store_put_tags(struct store *s, int64_t target_id, const struct strlist *tags)
{
    struct binder b;
    for (size_t i = 0; i < tags->n_items; i++) {
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_TAG);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, tags->items[i]);
        if (store_run(s, &b, "inserting target tag") != 0) {
            return -1;
        }
    }
    return 0;
}

static int store_put_versions(struct store *s, int64_t target_id, const struct target_result *r)
{
    struct binder b;
    for (int v = 0; v < PV_COUNT; v++) {
        const struct version_fact *f = &r->versions[v];
        bool accepted = f->state == PROBE_ACCEPTED;
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_VERSION);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, probe_version_wire((enum probe_version)v));
        bind_text(&b, probe_version_name((enum probe_version)v));
        bind_text(&b, probe_state_name(f->state));
        bind_buf(&b, f->reason, sizeof(f->reason));
        if (accepted) {
            bind_int64(&b, f->suite);
            bind_buf(&b, f->suite_name, sizeof(f->suite_name));
        } else {
            bind_null(&b);
            bind_null(&b);
        }
        bind_buf(&b, f->group, sizeof(f->group));
        if (f->dh_bits > 0) {
            bind_int64(&b, f->dh_bits);
        } else {
            bind_null(&b);
        }
        bind_bool(&b, f->hrr);
        if (store_run(s, &b, "inserting version result") != 0) {
            return -1;
        }
    }
    return 0;
}

static int store_put_chain(struct store *s, int64_t target_id, const struct target_result *r)
{
    struct binder b;
    for (size_t i = 0; i < r->n_certs; i++) {
        const struct cert_fact *c = &r->certs[i];
        if (c->der == NULL || c->der_len == 0 ||
            !store_valid_sha256(c->sha256, sizeof(c->sha256))) {
            store_set_err(s, "inserting certificate %zu: no DER or no valid SHA-256", i);
            return -1;
        }
        if (store_put_cert(s, c) != 0) {
            return -1;
        }
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_CHAIN_CERT);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_buf(&b, c->sha256, sizeof(c->sha256));
        bind_int64(&b, c->days_left);
        if (store_run(s, &b, "inserting chain certificate") != 0) {
            return -1;
        }
    }

    const struct chain_fact *ch = &r->chain;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_CHAIN);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, target_id);
    bind_bool(&b, ch->trusted);
    bind_int64(&b, (int64_t)ch->verify_status);
    bind_buf(&b, ch->verify_text, sizeof(ch->verify_text));
    bind_bool(&b, ch->hostname_checked);
    bind_buf(&b, ch->hostname, sizeof(ch->hostname));
    bind_bool(&b, ch->hostname_match);
    bind_bool(&b, ch->expired);
    bind_bool(&b, ch->not_yet_valid);
    bind_bool(&b, ch->self_signed);
    bind_bool(&b, ch->incomplete);
    bind_bool(&b, ch->wrong_order);
    if (r->n_certs > 0) {
        bind_int64(&b, ch->min_days_left);
    } else {
        bind_null(&b);
    }
    bind_bool(&b, ch->ocsp_staple);
    if (strnlen(ch->ocsp_status, sizeof(ch->ocsp_status)) == 0) {
        bind_text(&b, "none");
    } else {
        bind_buf(&b, ch->ocsp_status, sizeof(ch->ocsp_status));
    }
    bind_buf(&b, ch->ocsp_detail, sizeof(ch->ocsp_detail));
    bind_bool(&b, ch->aia_attempted);
    bind_bool(&b, ch->aia_completed);
    bind_bool(&b, ch->aia_trusted);
    bind_int64(&b, ch->aia_fetched);
    bind_buf(&b, ch->aia_detail, sizeof(ch->aia_detail));
    return store_run(s, &b, "inserting chain validation");
}

static int store_put_revocations(struct store *s, int64_t target_id, const struct target_result *r)
{
    struct binder b;
    for (size_t i = 0; i < r->n_revoc; i++) {
        const struct revoc_fact *f = &r->revoc[i];
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_REVOCATION);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, revoc_status_name(f->status));
        bind_buf(&b, f->method, sizeof(f->method));
        bind_buf(&b, f->url, sizeof(f->url));
        bind_buf(&b, f->detail, sizeof(f->detail));
        bind_int64(&b, f->revoked_at);
        bind_buf(&b, f->reason, sizeof(f->reason));
        bind_int64(&b, f->this_update);
        bind_int64(&b, f->next_update);
        bind_bool(&b, f->from_cache);
        bind_buf(&b, f->staple, sizeof(f->staple));
        if (store_run(s, &b, "inserting revocation status") != 0) {
            return -1;
        }
    }
    return 0;
}

static int store_put_http(struct store *s, int64_t target_id, const struct http_fact *h)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_HTTP);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, target_id);
    bind_bool(&b, h->hsts_checked);
    bind_buf(&b, h->hsts_error, sizeof(h->hsts_error));
    bind_int64(&b, h->https_status);
    bind_bool(&b, h->hsts_present);
    bind_bool(&b, h->hsts_valid);
    bind_int64(&b, h->hsts_max_age);
    bind_bool(&b, h->hsts_include_subdomains);
    bind_bool(&b, h->hsts_preload);
    bind_buf(&b, h->hsts_header, sizeof(h->hsts_header));
    bind_bool(&b, h->redirect_checked);
    bind_buf(&b, h->redirect_error, sizeof(h->redirect_error));
    bind_int64(&b, h->http_status);
    bind_bool(&b, h->redirects_to_https);
    bind_buf(&b, h->redirect_location, sizeof(h->redirect_location));
    return store_run(s, &b, "inserting HTTP headers");
}

static void bind_tri(struct binder *b, enum fact_tri t)
{
    if (t == TRI_UNKNOWN) {
        bind_null(b);
    } else {
        bind_bool(b, t == TRI_YES);
    }
}

static int store_put_enum_list(struct store *s, int64_t target_id, const char *kind,
                               const uint16_t *codes, size_t n)
{
    struct binder b;
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_ENUM_LIST);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_text(&b, kind);
        bind_int64(&b, (int64_t)i);
        bind_int64(&b, codes[i]);
        if (store_run(s, &b, "inserting enumerated list entry") != 0) {
            return -1;
        }
    }
    return 0;
}

/* The enumeration facts of one target (enum_* tables). */
static int store_put_enumeration(struct store *s, int64_t target_id, const struct enum_facts *e)
{
    struct binder b;
    for (int v = 0; v < WV_COUNT; v++) {
        const struct enum_version_fact *f = &e->versions[v];
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_ENUM_VERSION);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, wire_version_code((enum wire_version)v));
        bind_text(&b, wire_version_name((enum wire_version)v));
        bind_text(&b, probe_state_name(f->state));
        bind_buf(&b, f->reason, sizeof(f->reason));
        bind_text(&b, enum_order_name(f->order));
        bind_bool(&b, f->incomplete);
        bind_buf(&b, f->incomplete_why, sizeof(f->incomplete_why));
        bind_int64(&b, (int64_t)f->n_suites);
        if (store_run(s, &b, "inserting enumerated version") != 0) {
            return -1;
        }
        for (size_t i = 0; i < f->n_suites; i++) {
            const struct enum_suite *es = &f->suites[i];
            const struct suite_info *si = registry_suite_by_code(es->code);
            st = store_stmt(s, ST_INSERT_ENUM_SUITE);
            if (st == NULL) {
                return -1;
            }
            binder_start(&b, st);
            bind_int64(&b, target_id);
            bind_int64(&b, wire_version_code((enum wire_version)v));
            bind_int64(&b, es->code);
            bind_text(&b, si ? si->iana_name : NULL);
            if (es->server_rank >= 0) {
                bind_int64(&b, es->server_rank);
            } else {
                bind_null(&b);
            }
            if (es->ec_group != 0) {
                bind_int64(&b, es->ec_group);
            } else {
                bind_null(&b);
            }
            if (es->kx_bits > 0) {
                bind_int64(&b, es->kx_bits);
            } else {
                bind_null(&b);
            }
            if (store_run(s, &b, "inserting enumerated suite") != 0) {
                return -1;
            }
        }
    }
    if (store_put_enum_list(s, target_id, "groups12", e->groups12, e->n_groups12) != 0 ||
        store_put_enum_list(s, target_id, "groups13", e->groups13, e->n_groups13) != 0 ||
        store_put_enum_list(s, target_id, "sigalgs12", e->sigalgs12, e->n_sigalgs12) != 0 ||
        store_put_enum_list(s, target_id, "sigalgs13", e->sigalgs13, e->n_sigalgs13) != 0) {
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_ENUM_BEHAVIOUR);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, target_id);
    bind_int64(&b, (int64_t)e->n_probes);
    bind_tri(&b, e->secure_renegotiation);
    bind_tri(&b, e->extended_master_secret);
    bind_tri(&b, e->encrypt_then_mac);
    bind_tri(&b, e->status_request);
    bind_tri(&b, e->session_ticket);
    bind_tri(&b, e->heartbeat);
    bind_buf(&b, e->alpn, sizeof(e->alpn));
    bind_buf(&b, e->anomalies, sizeof(e->anomalies));
    bind_bool(&b, e->sigalgs13_tested);
    return store_run(s, &b, "inserting enumeration behaviour");
}

/* The generic probe results of one target (probe_results), in order. A
 * list over the model's caps (count, id, evidence) is refused, never cut. */
static int store_put_probes(struct store *s, int64_t target_id, const struct probe_list *l)
{
    struct binder b;
    if ((unsigned)l->header.state >= FACT_STATE_COUNT || l->n_items > PROBE_LIST_MAX) {
        store_set_err(s, "probe results: %zu results or a bad header state", l->n_items);
        return -1;
    }
    for (size_t i = 0; i < l->n_items; i++) {
        const struct probe_result *p = &l->items[i];
        size_t id_len = strnlen(p->id, sizeof(p->id));
        if (id_len == 0 || id_len == sizeof(p->id) || (unsigned)p->state >= PR_STATE_COUNT ||
            (unsigned)p->version > PROBE_NO_VERSION ||
            (p->evidence != NULL &&
             strnlen(p->evidence, PROBE_EVIDENCE_MAX + 1) > PROBE_EVIDENCE_MAX)) {
            store_set_err(s, "probe result %zu: bad id, state, version or evidence size", i);
            return -1;
        }
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_PROBE_RESULT);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_buf(&b, p->id, sizeof(p->id));
        if (p->version == PROBE_NO_VERSION) {
            bind_null(&b);
        } else {
            bind_int64(&b, wire_version_code(p->version));
        }
        if (p->suite != 0) {
            bind_int64(&b, p->suite);
        } else {
            bind_null(&b);
        }
        bind_text(&b, probe_result_state_name(p->state));
        bind_buf(&b, p->detail, sizeof(p->detail));
        bind_text(&b, p->evidence);
        if (store_run(s, &b, "inserting probe result") != 0) {
            return -1;
        }
    }
    return 0;
}

int store_put_target(struct store *s, int64_t scan_id, const struct target_result *r)
{
    struct binder b;
    int64_t target_id;
    char tmp[sizeof(s->err)];

    if (r->host == NULL) {
        store_set_err(s, "storing target: no host");
        return -1;
    }
    if (store_exec(s, "BEGIN IMMEDIATE", "starting a transaction") != 0) {
        goto fail;
    }
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_TARGET);
    if (st == NULL) {
        goto fail;
    }
    binder_start(&b, st);
    bind_int64(&b, scan_id);
    bind_text(&b, r->host);
    bind_int64(&b, r->port);
    bind_text(&b, r->sni);
    bind_buf(&b, r->ip, sizeof(r->ip));
    bind_text(&b, target_status_name(r->status));
    bind_buf(&b, r->error, sizeof(r->error));
    bind_int64(&b, r->started_ms);
    bind_int64(&b, r->finished_ms);
    bind_bool(&b, r->chain_collected);
    bind_bool(&b, r->revoc_collected && r->n_revoc == r->n_certs);
    bind_text(&b, fact_state_name(r->probes.header.state));
    bind_buf(&b, r->probes.header.detail, sizeof(r->probes.header.detail));
    if (store_run(s, &b, "inserting target row") != 0) {
        goto fail;
    }
    target_id = (int64_t)sqlite3_last_insert_rowid(s->db);
    if (store_put_tags(s, target_id, &r->tags) != 0) {
        goto fail;
    }
    if (store_put_versions(s, target_id, r) != 0) {
        goto fail;
    }
    if (r->chain_collected && store_put_chain(s, target_id, r) != 0) {
        goto fail;
    }
    if (r->enumeration.collected && store_put_enumeration(s, target_id, &r->enumeration) != 0) {
        goto fail;
    }
    if (r->revoc_collected && r->n_revoc == r->n_certs &&
        store_put_revocations(s, target_id, r) != 0) {
        goto fail;
    }
    if ((r->http.hsts_checked || r->http.redirect_checked) &&
        store_put_http(s, target_id, &r->http) != 0) {
        goto fail;
    }
    if (store_put_probes(s, target_id, &r->probes) != 0) {
        goto fail;
    }
    if (store_exec(s, "COMMIT", "committing") != 0) {
        goto fail;
    }
    return 0;
fail:
    store_rollback(s);
    /* Name the target in the message; the SQLite text was recorded first. */
    memcpy(tmp, s->err, sizeof(tmp));
    bool v6 = strchr(r->host, ':') != NULL;
    store_set_err(s, "storing target %s%s%s:%u: %s", v6 ? "[" : "", r->host, v6 ? "]" : "",
                  (unsigned)r->port, tmp);
    return -1;
}

sqlite3 *store_db(struct store *s)
{
    return s->db;
}

void store_fail(struct store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
}

/* bind_opt_text binds s, storing NULL for NULL and for "". */
static void bind_opt_text(struct binder *b, const char *s)
{
    bind_text(b, s != NULL && s[0] != '\0' ? s : NULL);
}

int store_put_findings(struct store *s, int64_t scan_id, const struct store_policy_run *run,
                       const struct store_finding *findings, size_t n_findings, int64_t *out_run_id)
{
    struct binder b;
    int64_t run_id;
    char tmp[sizeof(s->err)];

    if (run->policy_id == NULL || run->policy_id[0] == '\0' || run->policy_sha256 == NULL ||
        !store_valid_sha256(run->policy_sha256, 65)) {
        store_set_err(s, "storing findings: the policy run needs an id and a SHA-256");
        return -1;
    }
    for (size_t i = 0; i < n_findings; i++) {
        if (findings[i].rule_id == NULL || findings[i].rule_id[0] == '\0' ||
            findings[i].severity == NULL || findings[i].verdict == NULL) {
            store_set_err(s,
                          "storing findings of %s: finding %zu has no rule id, severity or verdict",
                          run->policy_id, i);
            return -1;
        }
    }
    if (store_exec(s, "BEGIN IMMEDIATE", "starting a transaction") != 0) {
        goto fail;
    }
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_POLICY_RUN);
    if (st == NULL) {
        goto fail;
    }
    binder_start(&b, st);
    bind_int64(&b, scan_id);
    bind_text(&b, run->policy_id);
    bind_opt_text(&b, run->policy_version);
    bind_text(&b, run->policy_sha256);
    bind_opt_text(&b, run->policy_path);
    bind_int64(&b, run->evaluated_ms);
    bind_opt_text(&b, run->tool_version);
    if (store_run(s, &b, "inserting policy run") != 0) {
        goto fail;
    }
    run_id = (int64_t)sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n_findings; i++) {
        const struct store_finding *f = &findings[i];
        st = store_stmt(s, ST_INSERT_FINDING);
        if (st == NULL) {
            goto fail;
        }
        binder_start(&b, st);
        bind_int64(&b, run_id);
        bind_text(&b, f->rule_id);
        bind_opt_text(&b, f->title);
        bind_opt_text(&b, f->ref);
        bind_text(&b, f->severity);
        bind_text(&b, f->verdict);
        bind_opt_text(&b, f->evidence);
        bind_opt_text(&b, f->waiver_reason);
        bind_opt_text(&b, f->waiver_owner);
        bind_opt_text(&b, f->waiver_expires);
        bind_int64(&b, f->target_id);
        bind_int64(&b, scan_id);
        if (store_run(s, &b, "inserting finding") != 0) {
            goto fail;
        }
        if (sqlite3_changes(s->db) != 1) {
            store_set_err(s, "finding %s: target %lld is not a target of scan %lld", f->rule_id,
                          (long long)f->target_id, (long long)scan_id);
            goto fail;
        }
    }
    if (store_exec(s, "COMMIT", "committing") != 0) {
        goto fail;
    }
    if (out_run_id != NULL) {
        *out_run_id = run_id;
    }
    return 0;
fail:
    store_rollback(s);
    memcpy(tmp, s->err, sizeof(tmp));
    store_set_err(s, "storing findings of policy %s for scan %lld: %s", run->policy_id,
                  (long long)scan_id, tmp);
    return -1;
}

int store_cache_put(struct store *s, const char *kind, const char *key, const unsigned char *data,
                    size_t len, int64_t expires)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_CACHE_PUT);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_text(&b, kind);
    bind_text(&b, key);
    bind_blob(&b, data, len);
    bind_int64(&b, expires);
    bind_int64(&b, util_now_ms());
    return store_run(s, &b, "storing a fetched OCSP response / CRL / certificate");
}

int store_cache_load(struct store *s, int64_t now, store_cache_fn fn, void *arg)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_CACHE_PURGE);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, now);
    if (store_run(s, &b, "dropping expired cache entries") != 0) {
        return -1;
    }
    st = store_stmt(s, ST_CACHE_LOAD);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, now);
    if (b.rc != SQLITE_OK) {
        store_sql_err(s, "reading the fetch cache");
        sqlite3_reset(st);
        return -1;
    }
    int rc = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        const unsigned char *data = sqlite3_column_blob(st, 2);
        int len = sqlite3_column_bytes(st, 2);
        int64_t expires = sqlite3_column_int64(st, 3);
        if (kind == NULL || key == NULL || data == NULL || len <= 0) {
            continue;
        }
        if (fn(arg, kind, key, data, (size_t)len, expires) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        store_sql_err(s, "reading the fetch cache");
        rc = -1;
    }
    sqlite3_reset(st);
    return rc;
}
