/*
 * store/read_walk.c - two stored scans read side by side in endpoint order
 * (store_walk_open, store_walk_next, store_walk_load; store.h), so that
 * `tlsaudit diff` pairs their targets as a merge join, one target at a
 * time, instead of loading both scans whole.
 *
 * Pipeline position: store -> [store_walk_*] -> reports/diff_stream.c.
 *
 * Invariants:
 * - One read transaction from open to close: both scans, and every target
 *   and finding read meanwhile, come from one snapshot.
 * - The order is SQLite's ORDER BY over the normalised identity columns,
 *   the same as common/model/endpoint.h's endpoint_cmp over
 *   endpoint_of's fields: NOCASE folds ASCII letters only, as strcasecmp
 *   does in the C locale, and BINARY is strcmp for text without NUL bytes
 *   (the caller checks the order it gets, so a mismatch is an error, never
 *   a wrong pairing). The sort is SQLite's (in memory up to its cache, then
 *   its temporary files): nothing here grows with the number of targets.
 * - Read only; every value is bound, nothing spliced into SQL.
 */
#include "store/store.h"
#include "store/store_private.h"
#include "store/read_private.h"

#include <stdlib.h>
#include <string.h>

/* The keys of one scan in endpoint order; index is the place in the order
 * stored (ORDER BY id, as RD_TARGETS). */
static const char wk_keys_sql[] =
    "SELECT id, host, port, sni, ip, starttls, idx FROM"
    " (SELECT id, host, port, sni, ip, starttls, row_number() OVER (ORDER BY id) - 1 AS idx"
    " FROM targets WHERE scan_id = ?)"
    " ORDER BY coalesce(host, '') COLLATE NOCASE, port, coalesce(sni, ''),"
    " CASE WHEN coalesce(starttls, '') = '' THEN 'none' ELSE starttls END, coalesce(ip, ''),"
    " coalesce(host, ''), id";

static const char wk_target_sql[] = "SELECT " RD_TARGET_COLUMNS " FROM targets WHERE id = ?";

struct store_walk {
    struct rd_ctx c;       /* st[RD_TARGETS] selects one target by id */
    sqlite3_stmt *keys[2]; /* one per side */
    bool in_txn;
};

int store_walk_open(struct store *s, const int64_t scans[2], struct store_walk **out)
{
    struct store_walk *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (w == NULL) {
        store_fail(s, "reading two scans: out of memory");
        return -1;
    }
    w->c = (struct rd_ctx){.s = s, .db = store_db(s)};
    if (sqlite3_exec(w->c.db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK) {
        rd_sql_err(&w->c, "starting a read transaction");
        store_walk_close(w);
        return -1;
    }
    w->in_txn = true;
    for (int i = 0; i < 2; i++) {
        bool exists = false;
        if (store_rd_scan_exists(s, scans[i], &exists) != 0) {
            store_walk_close(w);
            return -1;
        }
        if (!exists) {
            store_fail(s, "no scan %lld", (long long)scans[i]);
            store_walk_close(w);
            return -1;
        }
        if (sqlite3_prepare_v2(w->c.db, wk_keys_sql, -1, &w->keys[i], NULL) != SQLITE_OK ||
            rd_start(&w->c, w->keys[i], scans[i], "reading targets") != 0) {
            rd_sql_err(&w->c, "preparing a statement");
            store_walk_close(w);
            return -1;
        }
    }
    for (size_t i = 0; i < RD_COUNT; i++) {
        const char *sql = i == RD_TARGETS ? wk_target_sql : store_rd_sql[i];
        if (sqlite3_prepare_v2(w->c.db, sql, -1, &w->c.st[i], NULL) != SQLITE_OK) {
            rd_sql_err(&w->c, "preparing a statement");
            store_walk_close(w);
            return -1;
        }
    }
    *out = w;
    return 0;
}

int store_walk_next(struct store_walk *w, int side, struct store_target_key *out)
{
    sqlite3_stmt *st = w->keys[side != 0];
    int rc = rd_step(&w->c, st, "reading targets");
    if (rc != 1) {
        return rc;
    }
    int64_t port = col_int(st, 2);
    if (port < 0 || port > 65535) {
        store_fail(w->c.s, "damaged value in the database: target %lld has port %lld",
                   (long long)col_int(st, 0), (long long)port);
        return -1;
    }
    *out = (struct store_target_key){
        .id = col_int(st, 0),
        .index = (size_t)col_int(st, 6),
        .host = col_text(st, 1),
        .port = (uint16_t)port,
        .sni = col_null(st, 3) ? NULL : col_text(st, 3),
    };
    col_buf(st, 4, out->ip, sizeof(out->ip));
    col_buf(st, 5, out->starttls, sizeof(out->starttls));
    return 1;
}

int store_walk_load(struct store_walk *w, int64_t target_id, struct target_result *r)
{
    sqlite3_stmt *st = w->c.st[RD_TARGETS];
    int64_t id = 0;
    if (rd_start(&w->c, st, target_id, "reading a target") != 0) {
        return -1;
    }
    int rc = rd_step(&w->c, st, "reading a target");
    if (rc == 0) {
        store_fail(w->c.s, "no target %lld", (long long)target_id);
    }
    if (rc != 1 || store_rd_target(&w->c, r, &id) != 0) {
        return -1;
    }
    return store_rd_target_rows(&w->c, id, r);
}

void store_walk_close(struct store_walk *w)
{
    if (w == NULL) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        sqlite3_finalize(w->keys[i]);
    }
    store_rd_finalize(&w->c);
    if (w->in_txn) {
        (void)sqlite3_exec(w->c.db, "COMMIT", NULL, NULL, NULL);
    }
    free(w);
}

int store_load_target(struct store *s, int64_t target_id, struct target_result *r)
{
    struct rd_ctx c = {.s = s, .db = store_db(s)};
    bool in_txn = sqlite3_exec(c.db, "BEGIN DEFERRED", NULL, NULL, NULL) == SQLITE_OK;
    int ret = in_txn ? 0 : -1;
    if (!in_txn) {
        rd_sql_err(&c, "starting a read transaction");
    }
    for (size_t i = 0; ret == 0 && i < RD_COUNT; i++) {
        const char *sql = i == RD_TARGETS ? wk_target_sql : store_rd_sql[i];
        if (sqlite3_prepare_v2(c.db, sql, -1, &c.st[i], NULL) != SQLITE_OK) {
            rd_sql_err(&c, "preparing a statement");
            ret = -1;
        }
    }
    int64_t id = 0;
    if (ret == 0 && rd_start(&c, c.st[RD_TARGETS], target_id, "reading a target") != 0) {
        ret = -1;
    }
    if (ret == 0) {
        int rc = rd_step(&c, c.st[RD_TARGETS], "reading a target");
        ret = rc == 1 ? 0 : rc == 0 ? 1 : -1;
    }
    if (ret == 0 && (store_rd_target(&c, r, &id) != 0 || store_rd_target_rows(&c, id, r) != 0)) {
        ret = -1;
    }
    store_rd_finalize(&c);
    if (in_txn) {
        (void)sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
    }
    return ret;
}
