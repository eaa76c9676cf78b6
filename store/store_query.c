/*
 * store/store_query.c - reading policy runs and their findings back, for
 * reports (`tlsaudit report`, history, diff).
 *
 * Pipeline position: store (findings written by store_put_findings) ->
 * [this file] -> reports/.
 *
 * Invariants:
 * - One read transaction per call, so a report sees one consistent state
 *   of a database another process may be writing.
 * - Every string is copied out of SQLite; nothing returned points into a
 *   statement.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_private.h"

void store_run_cleanup(struct store_run *r)
{
    free(r->policy_id);
    free(r->policy_version);
    free(r->policy_sha256);
    free(r->policy_path);
    free(r->tool_version);
    store_run_drop_findings(r);
    memset(r, 0, sizeof(*r));
}

void store_runs_free(struct store_run *runs, size_t n)
{
    if (runs == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        store_run_cleanup(&runs[i]);
    }
    free(runs);
}

/* q_dup returns a copy of column i, NULL for SQL NULL; *oom on failure. */
static char *q_dup(sqlite3_stmt *st, int i, bool *oom)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        return NULL;
    }
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    char *d = malloc(n + 1);
    if (d == NULL) {
        *oom = true;
        return NULL;
    }
    if (n > 0) {
        memcpy(d, t, n);
    }
    d[n] = '\0';
    return d;
}

/* q_grow makes room for one more element of size sz in *arr. */
static int q_grow(void **arr, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap) {
        return 0;
    }
    size_t nc = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, nc * sz);
    if (p == NULL) {
        return -1;
    }
    *arr = p;
    *cap = nc;
    return 0;
}

/* q_gate reads the run's gate from columns i (fail_on) and i + 1
 * (fail_on_inconclusive); a run stored before schema 4 has neither and
 * keeps the default gate. */
static void q_gate(sqlite3_stmt *st, int i, struct store_run *r)
{
    r->gate = GATE_DEFAULT;
    r->gate_stored = false;
    const char *name = (const char *)sqlite3_column_text(st, i);
    if (name != NULL && severity_parse(name, &r->gate.fail_on)) {
        r->gate_stored = true;
        r->gate.fail_on_inconclusive = sqlite3_column_int(st, i + 1) != 0;
    }
}

static int q_runs(struct store *s, sqlite3 *db, int64_t scan_id, struct store_run **out,
                  size_t *n_out, size_t *cap)
{
    static const char sql[] = "SELECT id, policy_id, policy_version, policy_sha256, policy_path,"
                              " evaluated_ms, tool_version, fail_on, fail_on_inconclusive"
                              " FROM policy_runs"
                              " WHERE scan_id = ? ORDER BY id";
    sqlite3_stmt *st = NULL;
    int ret = -1;
    bool oom = false;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)scan_id) != SQLITE_OK) {
        store_fail(s, "reading policy runs: %s", sqlite3_errmsg(db));
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (q_grow((void **)out, *n_out, cap, sizeof(**out)) != 0) {
            store_fail(s, "reading policy runs: out of memory");
            goto out;
        }
        struct store_run *r = &(*out)[*n_out];
        memset(r, 0, sizeof(*r));
        (*n_out)++;
        r->id = (int64_t)sqlite3_column_int64(st, 0);
        r->policy_id = q_dup(st, 1, &oom);
        r->policy_version = q_dup(st, 2, &oom);
        r->policy_sha256 = q_dup(st, 3, &oom);
        r->policy_path = q_dup(st, 4, &oom);
        if (store_col_time(s, st, 5, STORE_TIME_MS, "policy_runs.evaluated_ms", &r->evaluated_ms) !=
            0) {
            goto out;
        }
        r->tool_version = q_dup(st, 6, &oom);
        q_gate(st, 7, r);
        if (oom) {
            store_fail(s, "reading policy runs: out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        store_fail(s, "reading policy runs: %s", sqlite3_errmsg(db));
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

/* q_rows appends the findings st (bound, not stepped) returns to r, then
 * resets st. Returns 0 or -1 (recorded). */
static int q_rows(struct store *s, sqlite3_stmt *st, struct store_run *r, size_t *cap)
{
    int rc;
    int ret = -1;
    bool oom = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (q_grow((void **)&r->findings, r->n_findings, cap, sizeof(*r->findings)) != 0) {
            store_fail(s, "reading findings: out of memory");
            goto out;
        }
        struct store_finding_row *f = &r->findings[r->n_findings];
        memset(f, 0, sizeof(*f));
        r->n_findings++;
        f->target_id = (int64_t)sqlite3_column_int64(st, 0);
        f->rule_id = q_dup(st, 1, &oom);
        f->title = q_dup(st, 2, &oom);
        f->ref = q_dup(st, 3, &oom);
        f->severity = q_dup(st, 4, &oom);
        f->verdict = q_dup(st, 5, &oom);
        f->evidence = q_dup(st, 6, &oom);
        f->waiver_reason = q_dup(st, 7, &oom);
        f->waiver_owner = q_dup(st, 8, &oom);
        f->waiver_expires = q_dup(st, 9, &oom);
        if (oom) {
            store_fail(s, "reading findings: out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        store_fail(s, "reading findings: %s", sqlite3_errmsg(store_db(s)));
        goto out;
    }
    ret = 0;
out:
    sqlite3_reset(st);
    return ret;
}

static int q_findings(struct store *s, sqlite3 *db, struct store_run *r)
{
    static const char sql[] = "SELECT target_id, rule_id, title, ref, severity, verdict, evidence,"
                              " waiver_reason, waiver_owner, waiver_expires FROM findings"
                              " WHERE run_id = ? ORDER BY id";
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int ret = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)r->id) != SQLITE_OK) {
        store_fail(s, "reading findings: %s", sqlite3_errmsg(db));
        goto out;
    }
    ret = q_rows(s, st, r, &cap);
out:
    sqlite3_finalize(st);
    return ret;
}

void store_run_drop_findings(struct store_run *r)
{
    for (size_t k = 0; k < r->n_findings; k++) {
        struct store_finding_row *f = &r->findings[k];
        free(f->rule_id);
        free(f->title);
        free(f->ref);
        free(f->severity);
        free(f->verdict);
        free(f->evidence);
        free(f->waiver_reason);
        free(f->waiver_owner);
        free(f->waiver_expires);
    }
    free(r->findings);
    r->findings = NULL;
    r->n_findings = 0;
}

int store_load_target_findings(struct store *s, struct store_run *r, int64_t target_id)
{
    store_run_drop_findings(r);
    sqlite3_stmt *st = store_stmt(s, ST_RUN_TARGET_FINDINGS);
    size_t cap = 0;
    if (st == NULL) {
        return -1;
    }
    if (sqlite3_bind_int64(st, 1, (sqlite3_int64)r->id) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, (sqlite3_int64)target_id) != SQLITE_OK) {
        store_fail(s, "reading findings: %s", sqlite3_errmsg(store_db(s)));
        sqlite3_reset(st);
        return -1;
    }
    int ret = q_rows(s, st, r, &cap);
    sqlite3_clear_bindings(st);
    if (ret != 0) {
        store_run_drop_findings(r);
    }
    return ret;
}

int store_load_run_rules(struct store *s, struct store_run *r)
{
    /* The first finding of each rule: the lowest id of its rows (index
     * findings_run narrows to the run; the grouping is one pass). */
    static const char sql[] =
        "SELECT target_id, rule_id, title, ref, severity, verdict, evidence, waiver_reason,"
        " waiver_owner, waiver_expires FROM findings WHERE id IN (SELECT min(id) FROM findings"
        " WHERE run_id = ? AND rule_id IS NOT NULL GROUP BY rule_id) ORDER BY id";
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int ret = -1;
    store_run_drop_findings(r);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)r->id) != SQLITE_OK) {
        store_fail(s, "reading the rules of policy run %lld: %s", (long long)r->id,
                   sqlite3_errmsg(db));
    } else {
        ret = q_rows(s, st, r, &cap);
    }
    sqlite3_finalize(st);
    if (ret != 0) {
        store_run_drop_findings(r);
    }
    return ret;
}

/* q_load reads the runs of scan_id, with their findings when findings. */
static int q_load(struct store *s, int64_t scan_id, bool findings, struct store_run **out,
                  size_t *n_out)
{
    sqlite3 *db = store_db(s);
    struct store_run *runs = NULL;
    size_t n = 0;
    size_t cap = 0;
    int ret = -1;
    *out = NULL;
    *n_out = 0;
    if (sqlite3_exec(db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK) {
        store_fail(s, "starting a read transaction: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (q_runs(s, db, scan_id, &runs, &n, &cap) != 0) {
        goto out;
    }
    for (size_t i = 0; findings && i < n; i++) {
        if (q_findings(s, db, &runs[i]) != 0) {
            goto out;
        }
    }
    ret = 0;
out:
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (ret != 0) {
        store_runs_free(runs, n);
        return -1;
    }
    *out = runs;
    *n_out = n;
    return 0;
}

int store_load_runs(struct store *s, int64_t scan_id, struct store_run **out, size_t *n_out)
{
    return q_load(s, scan_id, true, out, n_out);
}

int store_load_run_heads(struct store *s, int64_t scan_id, struct store_run **out, size_t *n_out)
{
    return q_load(s, scan_id, false, out, n_out);
}
