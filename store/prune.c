/*
 * store/prune.c - retention (`tlsaudit prune`): delete old scans with
 * everything under them (targets and every fact, policy runs and their
 * findings: ON DELETE CASCADE), the certificates no remaining scan serves,
 * and the expired fetch-cache entries, then give the freed pages back to
 * the file system.
 *
 * Pipeline position: cli/cmd_prune.c -> [store_prune] -> the database.
 *
 * Invariants:
 * - One write transaction (BEGIN IMMEDIATE) chooses, counts and deletes:
 *   a failure anywhere rolls everything back and the store is as it was;
 *   a dry run counts the same way in a read transaction (it works on a
 *   read-only handle) and writes nothing. Every statement names the scans
 *   by the same condition (PRUNE_SET), so counts and deletions agree.
 * - A scan still running is never deleted; --keep-scans N keeps the N
 *   newest scans (by id) and --keep-days D the scans started within D
 *   days; with both a scan goes only when neither keeps it.
 * - Space: a store created by this version is in auto_vacuum INCREMENTAL
 *   mode (store/open.c) and PRAGMA incremental_vacuum runs inside the
 *   transaction. An older store (auto_vacuum NONE) is converted once,
 *   after the commit, by PRAGMA auto_vacuum = INCREMENTAL and a VACUUM
 *   (a rewrite of the whole file: it needs as much free disk space as the
 *   file); if that fails the deletion stands, the store stays consistent,
 *   and the error says so. The WAL is checkpointed (TRUNCATE) so the file
 *   sizes reported are what is on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_private.h"

/* The scans to delete, in every statement: ?1 the cutoff (Unix ms; a scan
 * started at or after it is kept), ?2 how many of the newest are kept.
 * Every statement binds ?1 ?2 ?3 (?3: now, Unix seconds). */
#define PRUNE_SET                                                                                  \
    "(SELECT id FROM scans WHERE state <> 'running' AND started_ms < ?1"                           \
    " AND id NOT IN (SELECT id FROM scans ORDER BY id DESC LIMIT ?2))"

/* A certificate that nothing served by a scan kept refers to. */
#define PRUNE_CERT_GONE                                                                            \
    " NOT EXISTS (SELECT 1 FROM chain_certs cc JOIN targets t ON t.id = cc.target_id"              \
    "   WHERE cc.sha256 = certificates.sha256 AND t.scan_id NOT IN " PRUNE_SET ")"                 \
    " AND NOT EXISTS (SELECT 1 FROM deployment_certs dc JOIN deployments d"                        \
    "   ON d.id = dc.deployment_id JOIN targets t ON t.id = d.target_id"                           \
    "   WHERE dc.sha256 = certificates.sha256 AND t.scan_id NOT IN " PRUNE_SET ")"

static const char *const prune_count_sql[] = {
    "SELECT count(*) FROM scans WHERE id IN " PRUNE_SET,
    "SELECT count(*) FROM targets WHERE scan_id IN " PRUNE_SET,
    "SELECT count(*) FROM policy_runs WHERE scan_id IN " PRUNE_SET,
    "SELECT count(*) FROM findings WHERE run_id IN (SELECT id FROM policy_runs"
    " WHERE scan_id IN " PRUNE_SET ")",
    "SELECT count(*) FROM certificates WHERE" PRUNE_CERT_GONE,
    "SELECT count(*) FROM fetch_cache WHERE expires < ?3",
};

/* The scans first (chain_certs and deployment_certs reference the
 * certificates without a cascade), then every certificate nothing serves. */
static const char *const prune_delete_sql[] = {
    "DELETE FROM scans WHERE id IN " PRUNE_SET,
    "DELETE FROM certificates WHERE"
    " NOT EXISTS (SELECT 1 FROM chain_certs cc WHERE cc.sha256 = certificates.sha256)"
    " AND NOT EXISTS (SELECT 1 FROM deployment_certs dc WHERE dc.sha256 = certificates.sha256)",
    "DELETE FROM fetch_cache WHERE expires < ?3",
};

/* The values of ?1 ?2 ?3. */
struct prune_params {
    int64_t v[3];
};

/* query_int64 runs sql with p's values bound and gives its first column
 * (0 for a statement without rows). Returns 0 or -1 (error in s, naming
 * what). */
static int query_int64(struct store *s, const char *sql, const struct prune_params *p, int64_t *out,
                       const char *what)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    int n = rc == SQLITE_OK ? sqlite3_bind_parameter_count(st) : 0;
    for (int i = 0; rc == SQLITE_OK && i < n && i < 3; i++) {
        rc = sqlite3_bind_int64(st, i + 1, p->v[i]);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        rc = SQLITE_OK;
    } else {
        store_fail(s, "%s: %s", what, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* file_bytes gives page_count x page_size. */
static int file_bytes(struct store *s, int64_t *out)
{
    int64_t pages = 0, size = 0;
    if (store_pragma_int(s, "PRAGMA page_count", &pages) != SQLITE_OK ||
        store_pragma_int(s, "PRAGMA page_size", &size) != SQLITE_OK) {
        store_sql_err(s, "reading the database size");
        return -1;
    }
    *out = pages * size;
    return 0;
}

/* list_scans puts the chosen scans (id, start, state, targets) into r. */
static int list_scans(struct store *s, const struct prune_params *pp, struct store_prune_result *r)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT s.id, s.started_ms, s.state,"
                                " (SELECT count(*) FROM targets t WHERE t.scan_id = s.id)"
                                " FROM scans s WHERE s.id IN " PRUNE_SET " ORDER BY s.id",
                                -1, &st, NULL);
    for (int i = 0; rc == SQLITE_OK && i < 2; i++) {
        rc = sqlite3_bind_int64(st, i + 1, pp->v[i]);
    }
    size_t cap = r->n_counts[STORE_PRUNE_SCANS] > 0 ? (size_t)r->n_counts[STORE_PRUNE_SCANS] : 1;
    r->scans = rc == SQLITE_OK ? calloc(cap, sizeof(*r->scans)) : NULL;
    if (rc == SQLITE_OK && r->scans == NULL) {
        store_fail(s, "listing the scans to delete: out of memory");
        sqlite3_finalize(st);
        return -1;
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW && r->n_scans < cap) {
        struct store_prune_scan *p = &r->scans[r->n_scans++];
        p->id = sqlite3_column_int64(st, 0);
        p->started_ms = sqlite3_column_int64(st, 1);
        const unsigned char *state = sqlite3_column_text(st, 2);
        snprintf(p->state, sizeof(p->state), "%s", state != NULL ? (const char *)state : "");
        p->n_targets = sqlite3_column_int64(st, 3);
        rc = SQLITE_OK;
    }
    int ok = rc == SQLITE_DONE || rc == SQLITE_OK || rc == SQLITE_ROW;
    if (!ok) {
        store_fail(s, "listing the scans to delete: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* count fills r's counts and list. */
static int count(struct store *s, const struct prune_params *p, struct store_prune_result *r)
{
    static const char *const what[STORE_PRUNE_COUNT] = {
        "counting scans",    "counting targets",      "counting policy runs",
        "counting findings", "counting certificates", "counting expired fetch-cache entries"};
    for (int i = 0; i < STORE_PRUNE_COUNT; i++) {
        if (query_int64(s, prune_count_sql[i], p, &r->n_counts[i], what[i]) != 0) {
            return -1;
        }
    }
    return list_scans(s, p, r);
}

/* reclaim_converting gives the freed pages of a store without auto-vacuum
 * back after the commit, switching it to incremental mode on the way (the
 * VACUUM rewrites the file; only it can change the mode of a file that has
 * tables). */
static int reclaim_converting(struct store *s, struct store_prune_result *r)
{
    if (store_exec(s, "PRAGMA auto_vacuum = INCREMENTAL", "switching to incremental vacuum") != 0 ||
        store_exec(s, "VACUUM", "VACUUM (the deleted scans stay deleted)") != 0) {
        return -1;
    }
    r->converted = true;
    return 0;
}

int store_prune(struct store *s, const struct store_prune_options *o, struct store_prune_result *r)
{
    struct prune_params p = {{
        o->keep_days >= 0 ? o->now_ms - (int64_t)o->keep_days * 86400000 : INT64_MAX,
        o->keep_scans > 0 ? o->keep_scans : 0,
        o->now_ms / 1000,
    }};
    int64_t mode = 0, ignored = 0;
    memset(r, 0, sizeof(*r));
    if (file_bytes(s, &r->bytes_before) != 0 ||
        store_pragma_int(s, "PRAGMA auto_vacuum", &mode) != SQLITE_OK) {
        store_sql_err(s, "reading the database's vacuum mode");
        return -1;
    }
    r->incremental = mode == 2;
    /* A dry run only reads (a read-only handle does): one snapshot. */
    if (store_exec(s, o->dry_run ? "BEGIN" : "BEGIN IMMEDIATE", "starting the prune") != 0) {
        return -1;
    }
    if (count(s, &p, r) != 0) {
        goto fail;
    }
    if (o->dry_run) {
        store_rollback(s);
        r->bytes_after = r->bytes_before;
        return 0;
    }
    for (size_t i = 0; i < sizeof(prune_delete_sql) / sizeof(prune_delete_sql[0]); i++) {
        if (query_int64(s, prune_delete_sql[i], &p, &ignored, "deleting the old scans") != 0) {
            goto fail;
        }
    }
    if ((r->incremental &&
         store_exec(s, "PRAGMA incremental_vacuum", "reclaiming the freed pages") != 0) ||
        store_exec(s, "COMMIT", "committing the prune") != 0) {
        goto fail;
    }
    if (!r->incremental && r->n_counts[STORE_PRUNE_SCANS] > 0 && reclaim_converting(s, r) != 0) {
        store_prefix_err(s, "the scans were deleted, the space not reclaimed");
        return -1;
    }
    (void)store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing");
    return file_bytes(s, &r->bytes_after);
fail:
    store_rollback(s);
    return -1;
}

void store_prune_result_cleanup(struct store_prune_result *r)
{
    free(r->scans);
    memset(r, 0, sizeof(*r));
}
