/*
 * store/handle.c - the store handle: the statement cache and its SQL, the
 * error text, running statements, closing (see store_private.h).
 *
 * Pipeline position: under every other file of store/ (open, migrate,
 * write, findings, cache, read, query, history); nothing above store/
 * sees what is here but store_close and store_errmsg.
 *
 * Invariants:
 * - Every statement that carries data is prepared once (sqlite3_prepare_v2),
 *   cached in the handle, and bound; no value is ever spliced into SQL text.
 *   Only constant SQL (DDL, PRAGMAs, BEGIN/COMMIT) goes through sqlite3_exec.
 * - Every SQLite error is translated here, once, into the handle's error
 *   text (store_sql_err, store_run); the other files add what the failure
 *   was about in front of it (store_prefix_err, store_abort).
 */
#include "store/store.h"
#include "store/store_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const store_stmt_sql[ST_COUNT] = {
    [ST_INSERT_SCAN] =
        "INSERT INTO scans (started_ms, state, tool_version, options, trust_store,"
        " registry_version, pid, hostname, run_id, shard_k, shard_n, uuid)"
        " VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, lower(hex(randomblob(16))))",
    [ST_FINISH_SCAN] = "UPDATE scans SET state = ?, finished_ms = ? WHERE id = ?",
    [ST_RUNNING_SCANS] = "SELECT id, pid FROM scans WHERE state = 'running' AND hostname IS ?",
    [ST_MARK_INCOMPLETE] = "UPDATE scans SET state = 'incomplete', note = ?"
                           " WHERE id = ? AND state = 'running'",
    [ST_INSERT_TARGET] = "INSERT INTO targets (scan_id, host, port, sni, ip, status, error,"
                         " started_ms, finished_ms, chain_collected, revoc_collected,"
                         " probes_state, probes_detail, kex_state, starttls)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_STARTTLS] = "INSERT INTO starttls_dialogues (target_id, state, detail, greeted,"
                           " capabilities_read, offered, plain_auth, upgraded, capabilities,"
                           " banner, failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_VERSION] = "INSERT INTO versions (target_id, version, name, state, reason, suite,"
                          " suite_name, grp, dh_bits, hrr)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_CERT] = "INSERT OR IGNORE INTO certificates (sha256, der, subject, issuer, serial,"
                       " not_before, not_after, key_type, key_bits, curve, sig_alg,"
                       " has_key_usage, ca, path_len, must_staple, n_scts, self_signed)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_CERT_ITEM] = "INSERT INTO certificate_items (sha256, field, position, value)"
                            " VALUES (?, ?, ?, ?)"
                            " ON CONFLICT (sha256, field, position) DO NOTHING",
    [ST_INSERT_CHAIN_CERT] = "INSERT INTO chain_certs (target_id, position, sha256, days_left)"
                             " VALUES (?, ?, ?, ?)",
    [ST_INSERT_CHAIN] = "INSERT INTO chains (target_id, " CHAIN_COLUMNS ")"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_DEPLOYMENT] = "INSERT INTO deployments (target_id, position, label,"
                             " chain_collected, revoc_collected) VALUES (?, ?, ?, ?, ?)",
    [ST_INSERT_DEP_CERT] = "INSERT INTO deployment_certs (deployment_id, position, sha256,"
                           " days_left) VALUES (?, ?, ?, ?)",
    [ST_INSERT_DEP_CHAIN] =
        "INSERT INTO deployment_chains (deployment_id, " CHAIN_COLUMNS ")"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_DEP_REVOCATION] = "INSERT INTO deployment_revocations (deployment_id, " REVOC_COLUMNS
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                             " policy_sha256, policy_path, evaluated_ms, tool_version,"
                             " fail_on, fail_on_inconclusive)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* Inserts nothing unless the target belongs to the run's scan. */
    [ST_INSERT_FINDING] = "INSERT INTO findings (run_id, target_id, rule_id, title, ref, severity,"
                          " verdict, evidence, waiver_reason, waiver_owner, waiver_expires)"
                          " SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM targets"
                          " WHERE id = ? AND scan_id = ?",
    /* Staged findings (findings.c): the TEMP table store_stage_begin makes. */
    [ST_STAGE_FINDING] = "INSERT INTO temp.staged_findings (slot, target_id, rule_id, title, ref,"
                         " severity, verdict, evidence, waiver_reason, waiver_owner,"
                         " waiver_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_STAGE_FOREIGN] = "SELECT f.target_id, f.rule_id FROM temp.staged_findings f"
                         " WHERE f.slot = ?1 AND NOT EXISTS (SELECT 1 FROM main.targets t"
                         " WHERE t.id = f.target_id AND t.scan_id = ?2) LIMIT 1",
    [ST_STAGE_COPY] = "INSERT INTO main.findings (run_id, target_id, rule_id, title, ref, severity,"
                      " verdict, evidence, waiver_reason, waiver_owner, waiver_expires)"
                      " SELECT ?1, target_id, rule_id, title, ref, severity, verdict, evidence,"
                      " waiver_reason, waiver_owner, waiver_expires FROM temp.staged_findings"
                      " WHERE slot = ?2 ORDER BY rowid",
    /* One target's findings of one run (store_query.c; index findings_run). */
    [ST_RUN_TARGET_FINDINGS] = "SELECT target_id, rule_id, title, ref, severity, verdict, evidence,"
                               " waiver_reason, waiver_owner, waiver_expires FROM findings"
                               " WHERE run_id = ? AND target_id = ? ORDER BY id",
    [ST_INSERT_TAG] = "INSERT INTO target_tags (target_id, position, tag) VALUES (?, ?, ?)",
    [ST_INSERT_REVOCATION] = "INSERT INTO revocations (target_id, " REVOC_COLUMNS ")"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_HTTP] = "INSERT INTO http_headers (target_id, hsts_checked, hsts_error,"
                       " https_status, hsts_present, hsts_valid, hsts_max_age,"
                       " hsts_include_subdomains, hsts_preload, hsts_header, redirect_checked,"
                       " redirect_error, http_status, redirects_to_https, redirect_location)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_PROBE_RESULT] = "INSERT INTO probe_results (target_id, position, probe_id, version,"
                               " suite, state, detail, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_INSERT_KEX_VALUE] = "INSERT INTO kex_values (target_id, position, kind, version, suite,"
                            " group_code, sha256, bits, generator, n_seen)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* store_drown_shared_key (cross.c): the scan's targets whose probes ran. */
    [ST_DROWN_TARGETS] = "SELECT id, host, port, ip, kex_state = 'collected',"
                         " (SELECT count(*) FROM kex_values k WHERE k.target_id = targets.id"
                         "  AND k.kind = 'cert_spki'),"
                         " (SELECT count(*) FROM enum_versions v WHERE v.target_id = targets.id"
                         "  AND v.state = 'accepted' AND v.version < 772)"
                         " FROM targets WHERE scan_id = ? AND probes_state = 'collected'"
                         " ORDER BY id",
    /* The endpoints (address, port) whose latest stored row has its values. */
    [ST_DROWN_ENDPOINTS] = "SELECT count(*) FROM (SELECT 1 FROM targets"
                           " WHERE kex_state = 'collected' AND ip IS NOT NULL AND ip <> ''"
                           " GROUP BY ip, port)",
    /* Other endpoints' latest rows that accept SSLv2 and serve one of the
     * target's certificate keys: the set cross.c collects once per call
     * (temp.drown_sslv2: the latest rows accepting SSLv2 and their keys),
     * looked up by the target's keys. */
    [ST_DROWN_PEERS] =
        "SELECT DISTINCT o.id, o.host, o.port, o.ip, o.scan_id, p.sha256"
        " FROM kex_values a"
        " JOIN temp.drown_sslv2 p ON p.sha256 = a.sha256 AND p.target_id <> a.target_id"
        " JOIN targets o ON o.id = p.target_id"
        " WHERE a.target_id = ?1 AND a.kind = 'cert_spki'"
        "  AND NOT (o.ip IS ?2 AND o.port = ?3)"
        " ORDER BY o.id LIMIT 8",
    [ST_PROBE_COUNT] = "SELECT count(*) FROM probe_results WHERE target_id = ?",
    [ST_CACHE_PUT] = "INSERT OR REPLACE INTO fetch_cache (kind, key, data, expires, fetched_ms)"
                     " VALUES (?, ?, ?, ?, ?)",
    [ST_CACHE_LOAD] = "SELECT kind, key, data, expires FROM fetch_cache WHERE expires > ?"
                      " ORDER BY kind, key",
    [ST_CACHE_PURGE] = "DELETE FROM fetch_cache WHERE expires <= ?",
};

void store_fail(struct store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
}

/* store_vprefix puts the text fmt and ap make, then ": ", before s->err. */
static void store_vprefix(struct store *s, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void store_vprefix(struct store *s, const char *fmt, va_list ap)
{
    char tmp[sizeof(s->err)];
    memcpy(tmp, s->err, sizeof(tmp));
    int n = vsnprintf(s->err, sizeof(s->err), fmt, ap);
    if (n >= 0 && (size_t)n < sizeof(s->err)) {
        snprintf(s->err + n, sizeof(s->err) - (size_t)n, ": %s", tmp);
    }
}

void store_prefix_err(struct store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_vprefix(s, fmt, ap);
    va_end(ap);
}

void store_abort(struct store *s, const char *fmt, ...)
{
    va_list ap;
    store_rollback(s);
    va_start(ap, fmt);
    store_vprefix(s, fmt, ap);
    va_end(ap);
}

/* store_sql_err records "context: sqlite message" for the last failure. */
void store_sql_err(struct store *s, const char *context)
{
    store_fail(s, "%s: %s", context, sqlite3_errmsg(s->db));
}

/* store_exec runs constant SQL (no values in it). Returns 0 or -1 with the
 * error recorded under context. */
int store_exec(struct store *s, const char *sql, const char *context)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_sql_err(s, context);
        return -1;
    }
    return 0;
}

/* store_rollback ends the open transaction, if SQLite has not already
 * rolled it back itself; the recorded error text is kept. */
void store_rollback(struct store *s)
{
    if (s->in_tx) {
        s->tx_failed = true;
    }
    if (!sqlite3_get_autocommit(s->db)) {
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* store_stmt returns the cached statement id, preparing it on first use,
 * or NULL with the error recorded. The statement is reset and unbound. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt_id id)
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
int store_run(struct store *s, const struct binder *b, const char *context)
{
    int ret = -1;
    if (b->rc != SQLITE_OK) {
        store_fail(s, "%s: binding parameter %d: %s", context, b->idx, sqlite3_errstr(b->rc));
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
int store_pragma_int(struct store *s, const char *sql, int64_t *out)
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

int store_commit(struct store *s, const char *context)
{
    return s->in_tx ? 0 : store_exec(s, "COMMIT", context);
}

int store_tx_begin(struct store *s)
{
    if (s->in_tx) {
        store_fail(s, "a transaction is already open");
        return -1;
    }
    if (store_exec(s, "BEGIN IMMEDIATE", "starting a transaction") != 0) {
        return -1;
    }
    s->in_tx = true;
    s->tx_failed = false;
    return 0;
}

int store_tx_end(struct store *s, bool commit)
{
    bool ok = commit && !s->tx_failed;
    s->in_tx = false;
    if (ok && store_exec(s, "COMMIT", "committing") == 0) {
        return 0;
    }
    store_rollback(s);
    return commit ? -1 : 0;
}

int store_begin_insert(struct store *s, enum store_stmt_id id, struct binder *b)
{
    if (s->in_tx && s->tx_failed) {
        return -1; /* the earlier failure's text is still in s->err */
    }
    if (!s->in_tx && store_exec(s, "BEGIN IMMEDIATE", "starting a transaction") != 0) {
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, id);
    if (st == NULL) {
        return -1;
    }
    binder_start(b, st);
    return 0;
}

int store_insert(struct store *s, const struct binder *b, const char *context, int64_t *out_id)
{
    if (store_run(s, b, context) != 0) {
        return -1;
    }
    *out_id = (int64_t)sqlite3_last_insert_rowid(s->db);
    return 0;
}

sqlite3 *store_db(struct store *s)
{
    return s->db;
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
