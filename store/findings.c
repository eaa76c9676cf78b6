/*
 * store/findings.c - storing a policy run and its findings
 * (store_put_findings); reading them back is store_query.c.
 *
 * Pipeline position: policies/run.c (the policy-run service) -> [here];
 * the runs are read back by store_query.c for reports.
 *
 * Invariants:
 * - store_put_findings writes one policy run and every finding of it in one
 *   BEGIN IMMEDIATE ... COMMIT, and only for targets of the run's scan: a
 *   run is stored whole or not at all.
 * - Optional texts are stored as NULL when absent or empty.
 * - Staged findings (store_stage_*) live in a TEMP table of the connection
 *   (SQLite spills it to a temporary file, so memory stays flat) until
 *   store_stage_commit copies one policy's rows, in the order staged, into
 *   findings with its run row, in one transaction: the same rows, ids in
 *   the same order, as one store_put_findings of them.
 */
#include "store/store.h"
#include "store/store_private.h"

#include <stdbool.h>

/* bind_opt_text binds s, storing NULL for NULL and for "". */
static void bind_opt_text(struct binder *b, const char *s)
{
    bind_text(b, s != NULL && s[0] != '\0' ? s : NULL);
}

/* findings_valid / store_findings_valid check what the schema requires of
 * findings (and of their run) before anything is written. Return true, or
 * false with the reason recorded. */
static bool findings_valid(struct store *s, const char *policy_id,
                           const struct store_finding *findings, size_t n_findings)
{
    for (size_t i = 0; i < n_findings; i++) {
        if (findings[i].rule_id == NULL || findings[i].rule_id[0] == '\0' ||
            findings[i].severity == NULL || findings[i].verdict == NULL) {
            store_fail(s, "storing findings of %s: finding %zu has no rule id, severity or verdict",
                       policy_id, i);
            return false;
        }
    }
    return true;
}

static bool store_findings_valid(struct store *s, const struct store_policy_run *run,
                                 const struct store_finding *findings, size_t n_findings)
{
    if (run->policy_id == NULL || run->policy_id[0] == '\0' || run->policy_sha256 == NULL ||
        !store_valid_sha256(run->policy_sha256, 65)) {
        store_fail(s, "storing findings: the policy run needs an id and a SHA-256");
        return false;
    }
    return findings_valid(s, run->policy_id, findings, n_findings);
}

/* store_put_finding inserts one finding of run run_id, only if its target
 * belongs to scan_id (else an error). Returns 0 or -1. */
static int store_put_finding(struct store *s, int64_t scan_id, int64_t run_id,
                             const struct store_finding *f)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_FINDING);
    if (st == NULL) {
        return -1;
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
        return -1;
    }
    if (sqlite3_changes(s->db) != 1) {
        store_fail(s, "finding %s: target %lld is not a target of scan %lld", f->rule_id,
                   (long long)f->target_id, (long long)scan_id);
        return -1;
    }
    return 0;
}

int store_append_findings(struct store *s, int64_t scan_id, int64_t run_id,
                          const struct store_finding *findings, size_t n_findings)
{
    if (!findings_valid(s, "an existing run", findings, n_findings)) {
        return -1;
    }
    if (!s->in_tx && store_exec(s, "BEGIN IMMEDIATE", "starting a transaction") != 0) {
        return -1;
    }
    for (size_t i = 0; i < n_findings; i++) {
        if (store_put_finding(s, scan_id, run_id, &findings[i]) != 0) {
            goto fail;
        }
    }
    if (store_commit(s, "committing") != 0) {
        goto fail;
    }
    return 0;
fail:
    store_abort(s, "adding findings to policy run %lld of scan %lld", (long long)run_id,
                (long long)scan_id);
    return -1;
}

/* insert_run inserts the policy_runs row of run (a transaction is open)
 * and gives its id. Returns 0 or -1. */
static int insert_run(struct store *s, int64_t scan_id, const struct store_policy_run *run,
                      int64_t *out_id)
{
    struct binder b;
    if (store_begin_insert(s, ST_INSERT_POLICY_RUN, &b) != 0) {
        return -1;
    }
    bind_int64(&b, scan_id);
    bind_text(&b, run->policy_id);
    bind_opt_text(&b, run->policy_version);
    bind_text(&b, run->policy_sha256);
    bind_opt_text(&b, run->policy_path);
    bind_int64(&b, run->evaluated_ms);
    bind_opt_text(&b, run->tool_version);
    bind_text(&b, run->gate != NULL ? severity_name(run->gate->fail_on) : NULL);
    if (run->gate != NULL) {
        bind_int64(&b, run->gate->fail_on_inconclusive ? 1 : 0);
    } else {
        bind_null(&b);
    }
    return store_insert(s, &b, "inserting policy run", out_id);
}

/* run_end commits a policy run written since insert_run (ok) and hands
 * its id out, or rolls the whole run back with the reason recorded. */
static int run_end(struct store *s, int64_t scan_id, const struct store_policy_run *run, bool ok,
                   int64_t run_id, int64_t *out_run_id)
{
    if (ok && store_commit(s, "committing") == 0) {
        if (out_run_id != NULL) {
            *out_run_id = run_id;
        }
        return 0;
    }
    store_abort(s, "storing findings of policy %s for scan %lld", run->policy_id,
                (long long)scan_id);
    return -1;
}

int store_put_findings(struct store *s, int64_t scan_id, const struct store_policy_run *run,
                       const struct store_finding *findings, size_t n_findings, int64_t *out_run_id)
{
    int64_t run_id = 0;

    if (!store_findings_valid(s, run, findings, n_findings)) {
        return -1;
    }
    bool ok = insert_run(s, scan_id, run, &run_id) == 0;
    for (size_t i = 0; ok && i < n_findings; i++) {
        ok = store_put_finding(s, scan_id, run_id, &findings[i]) == 0;
    }
    return run_end(s, scan_id, run, ok, run_id, out_run_id);
}

/* ---- staged findings (a policy run evaluated one target at a time) ----- */

int store_stage_begin(struct store *s)
{
    if (s->read_only) {
        store_fail(s, "staging findings: the database is open read-only");
        return -1;
    }
    return store_exec(s,
                      "CREATE TEMP TABLE IF NOT EXISTS staged_findings (slot INTEGER NOT NULL,"
                      " target_id INTEGER NOT NULL, rule_id TEXT NOT NULL, title TEXT, ref TEXT,"
                      " severity TEXT NOT NULL, verdict TEXT NOT NULL, evidence TEXT,"
                      " waiver_reason TEXT, waiver_owner TEXT, waiver_expires TEXT);"
                      "CREATE INDEX IF NOT EXISTS temp.staged_slot ON staged_findings (slot);"
                      "DELETE FROM temp.staged_findings;",
                      "creating the staging table");
}

int store_stage_findings(struct store *s, size_t slot, const struct store_finding *findings,
                         size_t n_findings)
{
    if (!findings_valid(s, "a staged run", findings, n_findings)) {
        return -1;
    }
    for (size_t i = 0; i < n_findings; i++) {
        const struct store_finding *f = &findings[i];
        struct binder b;
        sqlite3_stmt *st = store_stmt(s, ST_STAGE_FINDING);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, (int64_t)slot);
        bind_int64(&b, f->target_id);
        bind_text(&b, f->rule_id);
        bind_opt_text(&b, f->title);
        bind_opt_text(&b, f->ref);
        bind_text(&b, f->severity);
        bind_text(&b, f->verdict);
        bind_opt_text(&b, f->evidence);
        bind_opt_text(&b, f->waiver_reason);
        bind_opt_text(&b, f->waiver_owner);
        bind_opt_text(&b, f->waiver_expires);
        if (store_run(s, &b, "staging a finding") != 0) {
            return -1;
        }
    }
    return 0;
}

/* stage_check: every staged finding of slot names a target of scan_id.
 * Returns 0, or -1 with the first that does not named. */
static int stage_check(struct store *s, int64_t scan_id, size_t slot)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_STAGE_FOREIGN);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, (int64_t)slot);
    bind_int64(&b, scan_id);
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        store_fail(s, "finding %s: target %lld is not a target of scan %lld",
                   (const char *)sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 0),
                   (long long)scan_id);
        ret = -1;
    } else if (rc != SQLITE_DONE || b.rc != SQLITE_OK) {
        store_sql_err(s, "checking the staged findings");
        ret = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

int store_stage_commit(struct store *s, int64_t scan_id, size_t slot,
                       const struct store_policy_run *run, int64_t *out_run_id)
{
    int64_t run_id = 0;
    struct binder b;
    if (!store_findings_valid(s, run, NULL, 0)) {
        return -1;
    }
    bool ok = insert_run(s, scan_id, run, &run_id) == 0 && stage_check(s, scan_id, slot) == 0;
    sqlite3_stmt *st = ok ? store_stmt(s, ST_STAGE_COPY) : NULL;
    ok = st != NULL;
    if (ok) {
        binder_start(&b, st);
        bind_int64(&b, run_id);
        bind_int64(&b, (int64_t)slot);
        ok = store_run(s, &b, "inserting the staged findings") == 0;
    }
    return run_end(s, scan_id, run, ok, run_id, out_run_id);
}

void store_stage_end(struct store *s)
{
    (void)sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.staged_findings", NULL, NULL, NULL);
}
