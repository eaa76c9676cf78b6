/*
 * store/merge.c - tlsaudit merge: copy the scans of another tlsaudit
 * database (a shard written by `scan --shard K/N`, or any other machine's
 * file) into this one (see store.h, store_merge_file).
 *
 * Pipeline position: cli/cmd_merge.c -> [store_merge_file] -> the central
 * database, which check, report, history and diff then read as usual.
 *
 * How: the source is opened read-only (store_open_readonly: its bytes never
 * change; an older schema is read through a migration in memory). Every
 * target is read back whole, one at a time (store_each_target), and written
 * again (store_put_target_id), so each fact family the store knows is
 * copied by the same code that stores a scan, with new ids, certificates
 * deduplicated by SHA-256 as always. Policy runs follow with their
 * findings, read in the order stored MERGE_BATCH at a time, the target ids
 * mapped by bisection; the fetch cache's unexpired entries are copied too.
 * Memory: one target and one batch of findings at a time, and the id map
 * (two integers per target).
 *
 * Invariants:
 * - One transaction per source file (store_tx_begin): a file is merged
 *   whole or not at all.
 * - Idempotent: a scan is identified by its uuid; one already merged (in
 *   scan_sources) or already present (scans.uuid) is skipped, so merging a
 *   file twice changes nothing.
 * - The shards of one run (same run_id, shard_n) become ONE scan here, with
 *   uuid "run-<run_id>": its targets are the union, its time span theirs,
 *   its state "complete" once every shard 1..N is merged and complete,
 *   "incomplete" (with a note naming what is missing) before. A policy run
 *   of a shard joins the run scan's run of the same policy, file SHA-256
 *   and gate, so `report` sees one run per policy over every target.
 * - A source scan still running is refused (nothing of the file merged).
 * - DROWN across targets (drown_shared_key, store/cross.c) is compared
 *   again for the scan merged into (the last one, for a file of several
 *   scans): a shard only saw the endpoints of its own file.
 */
#include "store/store.h"
#include "store/store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The id map of one source scan's targets: from in ascending order (the
 * order store_each_target reads them in), looked up by bisection. */
struct id_map {
    int64_t *from, *to;
    size_t n, cap;
};

static int64_t map_id(const struct id_map *m, int64_t from)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->from[mid] < from) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < m->n && m->from[lo] == from ? m->to[lo] : -1;
}

/* q_id runs sql (one text parameter) on s and sets *out to the first
 * column of the first row, 0 when there is none. Returns 0 or -1. */
static int q_id(struct store *s, const char *sql, const char *text, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        store_sql_err(s, "looking up merged scans");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* exec_bound runs sql with the given text (NULL: SQL NULL) and integer
 * parameters, texts first. Returns 0 or -1. */
static int exec_bound(struct store *s, const char *sql, const char *const *texts, size_t n_texts,
                      const int64_t *ints, size_t n_ints, const char *context)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    int idx = 1;
    for (size_t i = 0; rc == SQLITE_OK && i < n_texts; i++) {
        rc = texts[i] != NULL ? sqlite3_bind_text(st, idx++, texts[i], -1, SQLITE_TRANSIENT)
                              : sqlite3_bind_null(st, idx++);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < n_ints; i++) {
        rc = sqlite3_bind_int64(st, idx++, ints[i]);
    }
    if (rc == SQLITE_OK && sqlite3_step(st) != SQLITE_DONE) {
        rc = SQLITE_ERROR;
    }
    if (rc != SQLITE_OK) {
        store_sql_err(s, context);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* dest_scan finds or makes the scan of central that source scan si goes
 * into: the run scan of a shard (made by its first shard), or a new scan
 * with the source's own uuid. */
static int dest_scan(struct store *c, const struct store_scan_info *si, int64_t *out)
{
    bool shard = si->run_id != NULL && si->shard_n > 0;
    char uuid[sizeof(si->uuid) + 256];
    snprintf(uuid, sizeof(uuid), "%s%s", shard ? "run-" : "", shard ? si->run_id : si->uuid);
    if (q_id(c, "SELECT id FROM scans WHERE uuid = ?", uuid, out) != 0) {
        return -1;
    }
    if (*out != 0) {
        int64_t n = 0;
        if (q_id(c, "SELECT coalesce(shard_n, 0) FROM scans WHERE uuid = ?", uuid, &n) != 0) {
            return -1;
        }
        if (n != si->shard_n) {
            store_fail(c,
                       "scan %s is shard %d of %d of run '%s', but this database holds that "
                       "run in %lld shards",
                       si->uuid, si->shard_k, si->shard_n, si->run_id, (long long)n);
            return -1;
        }
        return 0;
    }
    struct scan_meta meta = {.started_ms = si->started_ms,
                             .tool_version = si->tool_version,
                             .options = si->options,
                             .trust_store = si->trust_store,
                             .registry_version = si->registry_version,
                             .run_id = shard ? si->run_id : NULL,
                             .shard_k = 0,
                             .shard_n = shard ? si->shard_n : 0};
    if (store_scan_begin(c, &meta, out) != 0) {
        return -1;
    }
    const char *t[] = {uuid, shard ? NULL : si->hostname}; /* a run's hosts: scan_sources */
    int64_t id = *out;
    return exec_bound(c, "UPDATE scans SET uuid = ?, hostname = ?, pid = NULL WHERE id = ?", t, 2,
                      &id, 1, "naming the merged scan");
}

/* One copy_targets walk. */
struct copy_walk {
    struct store *c;
    int64_t dest;
    struct id_map *m;
};

static int copy_one(void *arg, struct target_result *r, int64_t id)
{
    struct copy_walk *w = arg;
    struct id_map *m = w->m;
    if (m->n > 0 && id <= m->from[m->n - 1]) {
        store_fail(w->c, "merging: the source's targets did not come in id order");
        return -1;
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 256;
        int64_t *f = realloc(m->from, nc * sizeof(*f));
        if (f != NULL) {
            m->from = f;
        }
        int64_t *t = f != NULL ? realloc(m->to, nc * sizeof(*t)) : NULL;
        if (t == NULL) {
            store_fail(w->c, "merging: out of memory");
            return -1;
        }
        m->to = t;
        m->cap = nc;
    }
    m->from[m->n] = id;
    if (store_put_target_id(w->c, w->dest, r, &m->to[m->n]) != 0) {
        return -1;
    }
    m->n++;
    return 0;
}

/* copy_targets copies every target of source scan sid into dest, one at a
 * time (store_each_target: memory flat in the number of targets); the ids
 * go into *m. */
static int copy_targets(struct store *src, int64_t sid, struct store *c, int64_t dest,
                        struct id_map *m)
{
    struct copy_walk w = {.c = c, .dest = dest, .m = m};
    int rc = store_each_target(src, sid, copy_one, &w);
    if (rc < 0) {
        store_fail(c, "reading scan %lld of the source: %s", (long long)sid, store_errmsg(src));
    }
    return rc != 0 ? -1 : 0;
}

/* same_run finds the policy run of dest that run r joins (same policy,
 * file SHA-256 and gate), 0 when there is none. */
static int same_run(struct store *c, int64_t dest, const struct store_run *r, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(c->db,
                                "SELECT id FROM policy_runs WHERE scan_id = ? AND policy_id = ?"
                                " AND policy_sha256 IS ? AND coalesce(fail_on, 'high') = ?"
                                " AND coalesce(fail_on_inconclusive, 0) = ? ORDER BY id LIMIT 1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        (void)sqlite3_bind_int64(st, 1, dest);
        (void)sqlite3_bind_text(st, 2, r->policy_id, -1, SQLITE_TRANSIENT);
        (void)sqlite3_bind_text(st, 3, r->policy_sha256, -1, SQLITE_TRANSIENT);
        (void)sqlite3_bind_text(st, 4, severity_name(r->gate.fail_on), -1, SQLITE_STATIC);
        rc = sqlite3_bind_int(st, 5, r->gate.fail_on_inconclusive ? 1 : 0);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
        }
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        store_sql_err(c, "looking up a policy run");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* The findings of one run copied per batch. */
#define MERGE_BATCH 1024

/* One batch of findings read from the source (copies of its strings). */
struct batch {
    struct store_finding f[MERGE_BATCH];
    size_t n;
};

/* copy_findings appends the findings of source run r, in the order stored,
 * to run run_id of dest, MERGE_BATCH at a time, their targets mapped by m.
 * Returns 0 or -1. */
static int copy_findings(struct store *src, const struct store_run *r, struct store *c,
                         int64_t dest, int64_t run_id, const struct id_map *m)
{
    static const char sql[] = "SELECT target_id, rule_id, title, ref, severity, verdict, evidence,"
                              " waiver_reason, waiver_owner, waiver_expires FROM findings"
                              " WHERE run_id = ? ORDER BY id";
    sqlite3_stmt *st = NULL;
    struct batch *b = calloc(1, sizeof(*b));
    int rc = b == NULL ? SQLITE_NOMEM : sqlite3_prepare_v2(src->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 1, r->id);
    }
    int ret = 0;
    while (rc == SQLITE_OK && ret == 0) {
        b->n = 0;
        while (b->n < MERGE_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct store_finding *f = &b->f[b->n++];
            const char *col[9];
            for (int i = 0; i < 9; i++) {
                const unsigned char *t = sqlite3_column_text(st, i + 1);
                col[i] = t != NULL ? strdup((const char *)t) : NULL;
            }
            *f = (struct store_finding){.target_id = map_id(m, sqlite3_column_int64(st, 0)),
                                        .rule_id = col[0],
                                        .title = col[1],
                                        .ref = col[2],
                                        .severity = col[3],
                                        .verdict = col[4],
                                        .evidence = col[5],
                                        .waiver_reason = col[6],
                                        .waiver_owner = col[7],
                                        .waiver_expires = col[8]};
        }
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        bool done = b->n < MERGE_BATCH;
        if (rc == SQLITE_OK && b->n > 0) {
            ret = store_append_findings(c, dest, run_id, b->f, b->n);
        }
        for (size_t i = 0; i < b->n; i++) {
            const struct store_finding *f = &b->f[i];
            const char *own[] = {f->rule_id,       f->title,        f->ref,
                                 f->severity,      f->verdict,      f->evidence,
                                 f->waiver_reason, f->waiver_owner, f->waiver_expires};
            for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
                free((char *)own[k]);
            }
        }
        if (done) {
            break;
        }
    }
    if (rc != SQLITE_OK) {
        store_fail(c, "reading the findings of the source's policy run %lld: %s", (long long)r->id,
                   b == NULL ? "out of memory" : sqlite3_errmsg(src->db));
        ret = -1;
    }
    sqlite3_finalize(st);
    free(b);
    return ret;
}

/* copy_run copies policy run r (findings' targets mapped by m) into dest:
 * into the run it joins when there is one, else as a new run. */
static int copy_run(struct store *src, struct store *c, int64_t dest, const struct store_run *r,
                    const struct id_map *m)
{
    int64_t joined = 0;
    int rc = same_run(c, dest, r, &joined);
    if (rc == 0 && joined == 0) {
        struct store_policy_run run = {.policy_id = r->policy_id,
                                       .policy_version = r->policy_version,
                                       .policy_sha256 = r->policy_sha256,
                                       .policy_path = r->policy_path,
                                       .evaluated_ms = r->evaluated_ms,
                                       .tool_version = r->tool_version,
                                       .gate = r->gate_stored ? &r->gate : NULL};
        rc = store_put_findings(c, dest, &run, NULL, 0, &joined);
    }
    return rc == 0 ? copy_findings(src, r, c, dest, joined, m) : rc;
}

static int copy_runs(struct store *src, int64_t sid, struct store *c, int64_t dest,
                     const struct id_map *m, size_t *n_runs)
{
    struct store_run *runs = NULL;
    size_t n = 0;
    if (store_load_run_heads(src, sid, &runs, &n) != 0) {
        store_fail(c, "reading the policy runs of scan %lld of the source: %s", (long long)sid,
                   store_errmsg(src));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = copy_run(src, c, dest, &runs[i], m);
    }
    *n_runs += n;
    store_runs_free(runs, n);
    return rc;
}

/* settle_run_scan sets the span and state of run scan dest from what has
 * been merged into it so far. */
static int settle_run_scan(struct store *c, int64_t dest)
{
    int64_t id[] = {dest, dest, dest, dest, dest};
    return exec_bound(
        c,
        "UPDATE scans SET"
        " started_ms = (SELECT min(started_ms) FROM scan_sources WHERE scan_id = ?),"
        " finished_ms = (SELECT max(finished_ms) FROM scan_sources WHERE scan_id = ?),"
        " state = CASE WHEN (SELECT count(DISTINCT shard_k) FROM scan_sources WHERE scan_id = ?1"
        "   AND state = 'complete') = shard_n THEN 'complete' ELSE 'incomplete' END,"
        " note = (SELECT printf('merged %d of %d shards of run %s (%d complete)', count(*),"
        "   scans.shard_n, scans.run_id, sum(state = 'complete')) FROM scan_sources"
        "   WHERE scan_id = ?4)"
        " WHERE id = ?5",
        NULL, 0, id, 5, "settling the merged run");
}

/* settle_whole_scan gives dest the source scan's own state and end. */
static int settle_whole_scan(struct store *c, int64_t dest, const struct store_scan_info *si)
{
    const char *t[] = {si->state, si->note};
    int64_t v[] = {si->finished_ms, dest};
    return exec_bound(c,
                      "UPDATE scans SET state = ?, note = ?,"
                      " finished_ms = CASE WHEN ?3 < 0 THEN NULL ELSE ?3 END WHERE id = ?4",
                      t, 2, v, 2, "settling the merged scan");
}

static int record_source(struct store *c, int64_t dest, const struct store_scan_info *si,
                         const char *path, int64_t now_ms)
{
    bool shard = si->run_id != NULL && si->shard_n > 0;
    const char *t[] = {si->uuid, si->hostname, si->state, path};
    int64_t v[] = {dest,           shard ? si->shard_k : 0, shard ? si->shard_n : 0,
                   si->started_ms, si->finished_ms,         (int64_t)si->n_targets,
                   now_ms};
    return exec_bound(
        c,
        "INSERT INTO scan_sources (source_uuid, hostname, state, source_path, scan_id, shard_k,"
        " shard_n, started_ms, finished_ms, n_targets, merged_ms)"
        " VALUES (?, ?, ?, ?, ?, nullif(?, 0), nullif(?, 0), ?, nullif(?, -1), ?, ?)",
        t, 4, v, 7, "recording the merged scan");
}

/* merge_scan merges source scan sid; *skipped when it was merged before. */
static int merge_scan(struct store *src, int64_t sid, struct store *c, const char *path,
                      int64_t now_ms, struct store_merge_stats *st)
{
    struct store_scan_info si;
    if (store_scan_info(src, sid, &si) != 0) {
        store_fail(c, "%s", store_errmsg(src));
        return -1;
    }
    int rc = -1;
    int64_t seen = 0, present = 0, dest = 0;
    struct id_map m = {0};
    bool shard = si.run_id != NULL && si.shard_n > 0;
    if (strcmp(si.state, "running") == 0) {
        store_fail(c, "scan %lld (%s) is still running: merge it once it has finished",
                   (long long)sid, si.uuid);
        goto out;
    }
    if (q_id(c, "SELECT scan_id FROM scan_sources WHERE source_uuid = ?", si.uuid, &seen) != 0 ||
        q_id(c, "SELECT id FROM scans WHERE uuid = ?", si.uuid, &present) != 0) {
        goto out;
    }
    if (seen != 0 || present != 0) {
        st->n_skipped++;
        rc = 0;
        goto out;
    }
    rc = dest_scan(c, &si, &dest);
    rc = rc == 0 ? copy_targets(src, sid, c, dest, &m) : rc;
    rc = rc == 0 ? copy_runs(src, sid, c, dest, &m, &st->n_runs) : rc;
    rc = rc == 0 ? record_source(c, dest, &si, path, now_ms) : rc;
    rc = rc == 0 ? (shard ? settle_run_scan(c, dest) : settle_whole_scan(c, dest, &si)) : rc;
    if (rc == 0) {
        st->n_scans++;
        st->n_targets += m.n;
        st->last_dest = dest;
    }
out:
    free(m.from);
    free(m.to);
    store_scan_info_cleanup(&si);
    return rc;
}

static int copy_cache(struct store *src, struct store *c, int64_t now_ms, size_t *n_copied)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(src->db,
                                "SELECT kind, key, data, expires FROM fetch_cache"
                                " WHERE expires > ? ORDER BY kind, key",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 1, now_ms);
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        const unsigned char *data = sqlite3_column_blob(st, 2);
        int len = sqlite3_column_bytes(st, 2);
        rc = SQLITE_OK;
        if (kind == NULL || key == NULL || data == NULL || len <= 0) {
            continue; /* the reader skips such a row too */
        }
        if (store_cache_put(c, kind, key, data, (size_t)len, sqlite3_column_int64(st, 3)) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
        (*n_copied)++;
    }
    if (rc != SQLITE_DONE) {
        store_fail(c, "reading the source's fetch cache: %s", sqlite3_errmsg(src->db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

int store_scan_ids(struct store *s, int64_t **out, size_t *n_out)
{
    sqlite3_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *n_out = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id FROM scans ORDER BY id", -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            int64_t *grown = realloc(ids, ncap * sizeof(*grown));
            if (grown == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            ids = grown;
            cap = ncap;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_fail(s, "listing the scans: %s", sqlite3_errstr(rc));
        free(ids);
        return -1;
    }
    *out = ids;
    *n_out = n;
    return 0;
}

/* drop_cross_rows deletes the drown_shared_key rows of dest's targets: a
 * shard compared its targets only with the endpoints in its own file, so
 * the rows are computed again over the merged database (redo_cross).
 * *not_run gets a not-run row's detail (malloc'ed) when a source had left
 * the check out (--no-vulns), else NULL. */
static int drop_cross_rows(struct store *c, int64_t dest, char **not_run)
{
    sqlite3_stmt *st = NULL;
    *not_run = NULL;
    int rc =
        sqlite3_prepare_v2(c->db,
                           "SELECT detail FROM probe_results WHERE probe_id = 'drown_shared_key'"
                           " AND state = 'not-run' AND target_id IN"
                           " (SELECT id FROM targets WHERE scan_id = ?) LIMIT 1",
                           -1, &st, NULL);
    if (rc == SQLITE_OK) {
        (void)sqlite3_bind_int64(st, 1, dest);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL) {
            *not_run = strdup((const char *)sqlite3_column_text(st, 0));
        }
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        store_sql_err(c, "reading the DROWN rows of the merged scan");
        return -1;
    }
    return exec_bound(c,
                      "DELETE FROM probe_results WHERE probe_id = 'drown_shared_key' AND target_id"
                      " IN (SELECT id FROM targets WHERE scan_id = ?)",
                      NULL, 0, &dest, 1, "dropping the DROWN rows of the merged scan");
}

/* same_file: the two paths name one file (merging a file into itself). */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int store_merge_file(struct store *c, const char *path, int64_t now_ms,
                     struct store_merge_stats *st)
{
    memset(st, 0, sizeof(*st));
    if (same_file(c->path, path)) {
        store_fail(c, "%s is the database merged into", path);
        return -1;
    }
    struct store *src = NULL;
    char err[1024];
    if (store_open_readonly(path, &src, err, sizeof(err)) != 0) {
        store_fail(c, "%s", err);
        return -1;
    }
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = store_scan_ids(src, &ids, &n);
    if (rc != 0) {
        store_fail(c, "%s: %s", path, store_errmsg(src));
    }
    if (rc == 0 && store_tx_begin(c) != 0) {
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = merge_scan(src, ids[i], c, path, now_ms, st);
    }
    if (rc == 0 && st->n_scans > 0) {
        rc = copy_cache(src, c, now_ms, &st->n_cache);
    }
    char *not_run = NULL;
    if (rc == 0 && st->n_scans > 0) {
        rc = drop_cross_rows(c, st->last_dest, &not_run);
    }
    if (c->in_tx) {
        char why[sizeof(c->err)];
        snprintf(why, sizeof(why), "%s", c->err);
        int end = store_tx_end(c, rc == 0);
        if (rc != 0) {
            store_fail(c, "%s: %s (nothing of it was merged)", path, why);
        } else if (end != 0) {
            rc = -1;
        }
    }
    /* DROWN across targets, over every endpoint the database now holds
     * (its own transaction, as after a scan). */
    if (rc == 0 && st->n_scans > 0 && store_drown_shared_key(c, st->last_dest, not_run) != 0) {
        char why[sizeof(c->err)];
        snprintf(why, sizeof(why), "%s", c->err);
        store_fail(c, "%s: merged, but DROWN across targets could not be compared again: %s", path,
                   why);
        rc = -1;
    }
    free(not_run);
    free(ids);
    store_close(src);
    return rc;
}
