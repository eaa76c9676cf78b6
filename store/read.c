/*
 * store/read.c - reading stored scans back: which scans exist, what is
 * known about one (store_scan_info, store_latest_scan, store_list_tags),
 * and every target of one rebuilt into the scanner's struct target_result
 * (store_load_targets; the facts under each target are read by
 * read_facts.c). See store.h and docs/store-schema.md.
 *
 * Pipeline position: store -> [read] -> policy evaluation (tlsaudit
 * check) and reports. It lets a stored scan be evaluated again without
 * touching the network.
 *
 * Invariants:
 * - Read only: nothing here writes to the database.
 * - Every query is a prepared statement with bound parameters; no value is
 *   spliced into SQL text. The statements of one store_load_targets call are
 *   prepared once and reused for every target, then finalized.
 * - store_load_targets reads inside one read transaction, so the targets it
 *   returns are one consistent snapshot even while another process writes;
 *   store_each_target reads the same snapshot one target at a time (its
 *   memory does not grow with the number of targets).
 * - On failure nothing is returned and everything allocated is freed.
 */
#include "store/store.h"
#include "store/store_private.h"
#include "store/read_private.h"

#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "common/util.h"

const char *const store_rd_sql[RD_COUNT] = {
    [RD_TARGETS] = "SELECT " RD_TARGET_COLUMNS " FROM targets WHERE scan_id = ? ORDER BY id",
    [RD_VERSIONS] = "SELECT version, state, reason, suite, suite_name, grp, dh_bits, hrr"
                    " FROM versions WHERE target_id = ?",
    [RD_CHAIN_CERTS] = "SELECT cc.position, cc.days_left, " CERT_COLUMNS " FROM chain_certs cc"
                       " JOIN certificates c ON c.sha256 = cc.sha256"
                       " WHERE cc.target_id = ? ORDER BY cc.position",
    [RD_DEP_CERTS] = "SELECT cc.position, cc.days_left, " CERT_COLUMNS " FROM deployment_certs cc"
                     " JOIN certificates c ON c.sha256 = cc.sha256"
                     " WHERE cc.deployment_id = ? ORDER BY cc.position",
    [RD_CERT_ITEMS] = "SELECT field, value FROM certificate_items WHERE sha256 = ?"
                      " ORDER BY field, position",
    [RD_CHAIN] = "SELECT " CHAIN_COLUMNS " FROM chains WHERE target_id = ?",
    [RD_DEP_CHAIN] = "SELECT " CHAIN_COLUMNS " FROM deployment_chains WHERE deployment_id = ?",
    [RD_DEPLOYMENTS] = "SELECT id, position, label, chain_collected, revoc_collected"
                       " FROM deployments WHERE target_id = ? ORDER BY position",
    [RD_ENUM_VERSIONS] = "SELECT version, state, reason, server_order, incomplete,"
                         " incomplete_reason FROM enum_versions WHERE target_id = ?",
    /* rowid is the insertion order, which is the order of the suites array. */
    [RD_ENUM_SUITES] = "SELECT version, code, server_rank, grp, kx_bits FROM enum_suites"
                       " WHERE target_id = ? ORDER BY version, rowid",
    [RD_ENUM_LISTS] = "SELECT kind, code FROM enum_lists WHERE target_id = ?"
                      " ORDER BY kind, position",
    [RD_ENUM_BEHAVIOUR] = "SELECT probes, secure_renegotiation, extended_master_secret,"
                          " encrypt_then_mac, status_request, session_ticket, heartbeat, alpn,"
                          " anomalies, sigalgs13_tested FROM enum_behaviour WHERE target_id = ?",
    [RD_TAGS] = "SELECT tag FROM target_tags WHERE target_id = ? ORDER BY position",
    [RD_REVOCATIONS] = "SELECT " REVOC_COLUMNS " FROM revocations"
                       " WHERE target_id = ? ORDER BY position",
    [RD_DEP_REVOCATIONS] = "SELECT " REVOC_COLUMNS " FROM deployment_revocations"
                           " WHERE deployment_id = ? ORDER BY position",
    [RD_HTTP] = "SELECT hsts_checked, hsts_error, https_status, hsts_present, hsts_valid,"
                " hsts_max_age, hsts_include_subdomains, hsts_preload, hsts_header,"
                " redirect_checked, redirect_error, http_status, redirects_to_https,"
                " redirect_location FROM http_headers WHERE target_id = ?",
    [RD_STARTTLS] = "SELECT state, detail, greeted, capabilities_read, offered, plain_auth,"
                    " upgraded, capabilities, banner, failure FROM starttls_dialogues"
                    " WHERE target_id = ?",
    [RD_PROBES] = "SELECT position, probe_id, version, suite, state, detail, evidence"
                  " FROM probe_results WHERE target_id = ? ORDER BY position",
    [RD_KEX] = "SELECT position, kind, version, suite, group_code, sha256, bits, generator,"
               " n_seen FROM kex_values WHERE target_id = ? ORDER BY position",
};

/* The years 0000-01-01 to 9999-12-31T23:59:59Z in Unix seconds. */
#define RD_TIME_MIN_S (-62167219200LL)
#define RD_TIME_MAX_S 253402300799LL

int store_col_time(struct store *s, sqlite3_stmt *st, int col, enum store_time_unit unit,
                   const char *what, int64_t *out)
{
    int64_t v = col_int(st, col);
    int64_t lo = RD_TIME_MIN_S;
    int64_t hi = RD_TIME_MAX_S;
    const char *unit_name = "seconds";
    if (unit == STORE_TIME_MS) {
        lo = RD_TIME_MIN_S * 1000;
        hi = RD_TIME_MAX_S * 1000 + 999;
        unit_name = "milliseconds";
    } else if (unit == STORE_TIME_DAYS) {
        hi = (RD_TIME_MAX_S - RD_TIME_MIN_S) / 86400 + 1;
        lo = -hi;
        unit_name = "days";
    }
    if (v < lo || v > hi) {
        store_fail(s,
                   "damaged value in the database: %s = %lld is not a time (%s within the "
                   "years 0000-9999: %lld to %lld)",
                   what, (long long)v, unit_name, (long long)lo, (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

int store_rd_target(struct rd_ctx *c, struct target_result *r, int64_t *out_id)
{
    sqlite3_stmt *st = c->st[RD_TARGETS];
    int64_t tid = col_int(st, 0);
    *out_id = tid;
    if (col_dup(st, 1, &r->host) != 0 || col_dup(st, 3, &r->sni) != 0) {
        store_fail(c->s, "reading target %lld: out of memory", (long long)tid);
        return -1;
    }
    r->port = (uint16_t)col_int(st, 2);
    col_buf(st, 4, r->ip, sizeof(r->ip));
    if (!target_status_parse(col_text(st, 5), &r->status)) {
        store_fail(c->s, "target %lld: unknown status '%s'", (long long)tid, col_text(st, 5));
        return -1;
    }
    col_buf(st, 6, r->error, sizeof(r->error));
    if (store_col_time(c->s, st, 7, STORE_TIME_MS, "targets.started_ms", &r->started_ms) != 0 ||
        store_col_time(c->s, st, 8, STORE_TIME_MS, "targets.finished_ms", &r->finished_ms) != 0) {
        return -1;
    }
    fact_mark(&r->chain_header, col_int(st, 9) != 0);
    fact_mark(&r->revoc_header, col_int(st, 10) != 0);
    if (!fact_state_parse(col_text(st, 11), &r->probes.header.state)) {
        store_fail(c->s, "target %lld: unknown probes_state '%s'", (long long)tid,
                   col_text(st, 11));
        return -1;
    }
    col_buf(st, 12, r->probes.header.detail, sizeof(r->probes.header.detail));
    if (!fact_state_parse(col_text(st, 13), &r->enumeration.kex.header.state)) {
        store_fail(c->s, "target %lld: unknown kex_state '%s'", (long long)tid, col_text(st, 13));
        return -1;
    }
    col_buf(st, 14, r->starttls, sizeof(r->starttls));
    return 0;
}

void store_rd_finalize(struct rd_ctx *c)
{
    for (size_t i = 0; i < RD_COUNT; i++) {
        sqlite3_finalize(c->st[i]);
        c->st[i] = NULL;
    }
}

void store_targets_free(struct target_result *targets, size_t n)
{
    if (targets == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        target_result_cleanup(&targets[i]);
    }
    free(targets);
}

int store_rd_scan_exists(struct store *s, int64_t scan_id, bool *out)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int ret = -1;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM scans WHERE id = ?", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)scan_id) != SQLITE_OK) {
        store_fail(s, "looking up scan %lld: %s", (long long)scan_id, sqlite3_errmsg(db));
        goto out;
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_fail(s, "looking up scan %lld: %s", (long long)scan_id, sqlite3_errmsg(db));
        goto out;
    }
    *out = rc == SQLITE_ROW;
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

int store_scan_exists(struct store *s, int64_t scan_id, bool *out_exists)
{
    return store_rd_scan_exists(s, scan_id, out_exists);
}

int store_latest_scan(struct store *s, int64_t *out_scan_id)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int ret = -1;
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM scans", -1, &st, NULL) != SQLITE_OK) {
        store_fail(s, "finding the latest scan: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_fail(s, "finding the latest scan: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        const char *file = sqlite3_db_filename(db, "main");
        store_fail(s, "no scan in %s", file != NULL && file[0] != '\0' ? file : "the database");
        goto out;
    }
    *out_scan_id = (int64_t)sqlite3_column_int64(st, 0);
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

/* newest_in_state gives the highest scan id whose state is state (0 when
 * none). Returns 0 or -1 (error in s). */
static int newest_in_state(struct store *s, const char *state, int64_t *out_id)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int ret = -1;
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM scans WHERE state = ?1", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        store_fail(s, "finding the latest %s scan: %s", state, sqlite3_errmsg(db));
        goto out;
    }
    *out_id = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

int store_latest_finished_scan(struct store *s, int64_t *out_newest, bool *out_running,
                               int64_t *out_complete)
{
    int64_t running = 0;
    if (store_latest_scan(s, out_newest) != 0 || newest_in_state(s, "running", &running) != 0 ||
        newest_in_state(s, "complete", out_complete) != 0) {
        return -1;
    }
    *out_running = running == *out_newest;
    return 0;
}

void store_scan_info_cleanup(struct store_scan_info *info)
{
    free(info->tool_version);
    free(info->options);
    free(info->trust_store);
    free(info->registry_version);
    free(info->hostname);
    free(info->note);
    free(info->run_id);
    memset(info, 0, sizeof(*info));
}

int store_scan_info(struct store *s, int64_t scan_id, struct store_scan_info *out)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int ret = -1;
    memset(out, 0, sizeof(*out));
    static const char sql[] =
        "SELECT id, started_ms, finished_ms, state, tool_version, options, trust_store,"
        " registry_version, hostname, note,"
        " (SELECT count(*) FROM targets t WHERE t.scan_id = scans.id),"
        " (SELECT count(*) FROM targets t WHERE t.scan_id = scans.id"
        "   AND t.status NOT IN ('ok', 'no-tls')),"
        " uuid, run_id, shard_k, shard_n,"
        " (SELECT count(*) FROM scan_sources x WHERE x.scan_id = scans.id)"
        " FROM scans WHERE id = ?";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)scan_id) != SQLITE_OK) {
        store_fail(s, "reading scan %lld: %s", (long long)scan_id, sqlite3_errmsg(db));
        goto out;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        store_fail(s, "no scan %lld", (long long)scan_id);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        store_fail(s, "reading scan %lld: %s", (long long)scan_id, sqlite3_errmsg(db));
        goto out;
    }
    out->id = col_int(st, 0);
    out->finished_ms = -1;
    if (store_col_time(s, st, 1, STORE_TIME_MS, "scans.started_ms", &out->started_ms) != 0 ||
        (!col_null(st, 2) &&
         store_col_time(s, st, 2, STORE_TIME_MS, "scans.finished_ms", &out->finished_ms) != 0)) {
        goto out;
    }
    col_buf(st, 3, out->state, sizeof(out->state));
    if (col_dup(st, 4, &out->tool_version) != 0 || col_dup(st, 5, &out->options) != 0 ||
        col_dup(st, 6, &out->trust_store) != 0 || col_dup(st, 7, &out->registry_version) != 0 ||
        col_dup(st, 8, &out->hostname) != 0 || col_dup(st, 9, &out->note) != 0) {
        store_fail(s, "reading scan %lld: out of memory", (long long)scan_id);
        goto out;
    }
    out->n_targets = (size_t)col_int(st, 10);
    out->n_not_scanned = (size_t)col_int(st, 11);
    col_buf(st, 12, out->uuid, sizeof(out->uuid));
    if (col_dup(st, 13, &out->run_id) != 0) {
        store_fail(s, "reading scan %lld: out of memory", (long long)scan_id);
        goto out;
    }
    out->shard_k = (int)col_int(st, 14);
    out->shard_n = (int)col_int(st, 15);
    out->n_sources = (size_t)col_int(st, 16);
    ret = 0;
out:
    sqlite3_finalize(st);
    if (ret != 0) {
        store_scan_info_cleanup(out);
    }
    return ret;
}

/* The targets read so far, with their ids (parallel arrays). */
struct rd_targets {
    struct target_result *targets;
    int64_t *ids;
    size_t n;
    size_t cap;
};

/* rd_begin starts store_load_targets' read transaction (*in_txn set once
 * it is open), checks scan_id exists and prepares every statement.
 * Returns 0 or -1 (error recorded). */
static int rd_begin(struct rd_ctx *c, int64_t scan_id, bool *in_txn)
{
    bool exists = false;
    if (sqlite3_exec(c->db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK) {
        rd_sql_err(c, "starting a read transaction");
        return -1;
    }
    *in_txn = true;
    if (store_rd_scan_exists(c->s, scan_id, &exists) != 0) {
        return -1;
    }
    if (!exists) {
        store_fail(c->s, "no scan %lld", (long long)scan_id);
        return -1;
    }
    for (size_t i = 0; i < RD_COUNT; i++) {
        if (sqlite3_prepare_v2(c->db, store_rd_sql[i], -1, &c->st[i], NULL) != SQLITE_OK) {
            rd_sql_err(c, "preparing a statement");
            return -1;
        }
    }
    return 0;
}

/* rd_grow makes room for one more target in t. Returns 0 or -1 (out of
 * memory, recorded). */
static int rd_grow(struct rd_ctx *c, struct rd_targets *t)
{
    if (t->n < t->cap) {
        return 0;
    }
    size_t ncap = t->cap ? t->cap * 2 : 16;
    struct target_result *nt = realloc(t->targets, ncap * sizeof(*nt));
    if (nt == NULL) {
        store_fail(c->s, "reading targets: out of memory");
        return -1;
    }
    t->targets = nt;
    int64_t *ni = realloc(t->ids, ncap * sizeof(*ni));
    if (ni == NULL) {
        store_fail(c->s, "reading targets: out of memory");
        return -1;
    }
    t->ids = ni;
    t->cap = ncap;
    return 0;
}

/* rd_targets reads every target row of scan_id into t, then what is
 * under each: the target rows first (one statement stepping), then the
 * facts per target with the other statements. Returns 0 or -1. */
static int rd_targets(struct rd_ctx *c, int64_t scan_id, struct rd_targets *t)
{
    int rc;
    sqlite3_stmt *st = c->st[RD_TARGETS];
    if (rd_start(c, st, scan_id, "reading targets") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading targets")) == 1) {
        if (rd_grow(c, t) != 0) {
            return -1;
        }
        target_result_init(&t->targets[t->n]);
        t->n++;
        if (store_rd_target(c, &t->targets[t->n - 1], &t->ids[t->n - 1]) != 0) {
            return -1;
        }
    }
    if (rc != 0) {
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (store_rd_target_rows(c, t->ids[i], &t->targets[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

int store_load_targets(struct store *s, int64_t scan_id, struct target_result **out,
                       int64_t **out_ids, size_t *n_out)
{
    struct rd_ctx c = {.s = s, .db = store_db(s)};
    struct rd_targets t = {0};
    bool in_txn = false;

    *out = NULL;
    *n_out = 0;
    if (out_ids != NULL) {
        *out_ids = NULL;
    }
    int ret = rd_begin(&c, scan_id, &in_txn) == 0 && rd_targets(&c, scan_id, &t) == 0 ? 0 : -1;
    store_rd_finalize(&c);
    if (in_txn) {
        (void)sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
    }
    if (ret != 0) {
        store_targets_free(t.targets, t.n);
        free(t.ids);
        return -1;
    }
    *out = t.targets;
    *n_out = t.n;
    if (out_ids != NULL) {
        *out_ids = t.ids;
    } else {
        free(t.ids);
    }
    return 0;
}

/* rd_each reads the target rows of scan_id one at a time, each with the
 * facts under it unless rows_only, and hands it to fn; the target is freed
 * before the next is read. Returns 0, -1 (error recorded) or fn's non-zero
 * return. */
static int rd_each(struct rd_ctx *c, int64_t scan_id, bool rows_only, store_target_fn fn, void *arg)
{
    int rc;
    sqlite3_stmt *st = c->st[RD_TARGETS];
    if (rd_start(c, st, scan_id, "reading targets") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading targets")) == 1) {
        struct target_result r;
        int64_t id = 0;
        target_result_init(&r);
        int ret =
            store_rd_target(c, &r, &id) == 0 && (rows_only || store_rd_target_rows(c, id, &r) == 0)
                ? 0
                : -1;
        if (ret == 0) {
            ret = fn(arg, &r, id);
        }
        target_result_cleanup(&r);
        if (ret != 0) {
            return ret;
        }
    }
    return rc != 0 ? -1 : 0;
}

static int rd_walk(struct store *s, int64_t scan_id, bool rows_only, store_target_fn fn, void *arg)
{
    struct rd_ctx c = {.s = s, .db = store_db(s)};
    bool in_txn = false;
    int ret = rd_begin(&c, scan_id, &in_txn);
    if (ret == 0) {
        ret = rd_each(&c, scan_id, rows_only, fn, arg);
    }
    store_rd_finalize(&c);
    if (in_txn) {
        (void)sqlite3_exec(c.db, ret == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    }
    return ret;
}

int store_each_target(struct store *s, int64_t scan_id, store_target_fn fn, void *arg)
{
    return rd_walk(s, scan_id, false, fn, arg);
}

int store_each_target_row(struct store *s, int64_t scan_id, store_target_fn fn, void *arg)
{
    return rd_walk(s, scan_id, true, fn, arg);
}

int store_list_tags(struct store *s, int64_t scan_id, struct strlist *out)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    struct strlist got;
    int ret = -1;
    int rc;
    strlist_init(&got);
    static const char sql[] = "SELECT DISTINCT g.tag FROM target_tags g"
                              " JOIN targets t ON t.id = g.target_id"
                              " WHERE t.scan_id = ? ORDER BY g.tag";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)scan_id) != SQLITE_OK) {
        store_fail(s, "listing the tags of scan %lld: %s", (long long)scan_id, sqlite3_errmsg(db));
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (strlist_add_n(&got, col_text(st, 0), (size_t)sqlite3_column_bytes(st, 0)) != 0) {
            store_fail(s, "listing the tags of scan %lld: out of memory", (long long)scan_id);
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        store_fail(s, "listing the tags of scan %lld: %s", (long long)scan_id, sqlite3_errmsg(db));
        goto out;
    }
    size_t n_before = out->n_items;
    for (size_t i = 0; i < got.n_items; i++) {
        if (strlist_add(out, got.items[i]) != 0) {
            store_fail(s, "listing the tags of scan %lld: out of memory", (long long)scan_id);
            while (out->n_items > n_before) { /* leave out as it was */
                free(out->items[--out->n_items]);
            }
            goto out;
        }
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    strlist_cleanup(&got);
    return ret;
}
