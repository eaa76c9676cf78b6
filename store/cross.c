/*
 * store/cross.c - checks across the targets of the store, run once a scan's
 * targets are all stored: DROWN through another endpoint that serves the
 * same certificate key with SSLv2 (store_drown_shared_key, store.h).
 *
 * Pipeline position: store (every target of the scan written by
 * store_put_target) -> [this file] -> one probe_results row per target,
 * appended after its others; read back like every probe result.
 *
 * Why here: one target's derived checks (scanner/probes/) see only that
 * target, and the other targets of a scan are still being probed when it
 * ends; the store holds every endpoint this tool has scanned. What it
 * compares is the leaf SPKIs the enumeration saw (kex_values 'cert_spki')
 * and SSLv2 acceptance (enum_versions), of each other endpoint's latest
 * stored row (this scan's when it has one): an endpoint never scanned into
 * this database is not seen, and the detail says so.
 *
 * Invariants: one transaction; a row only for targets whose probes ran
 * (probes_state 'collected'), at the next position, within the model's cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "common/util.h"
#include "store/store.h"
#include "store/store_private.h"

#define DROWN_ID "drown_shared_key"

struct cross_target {
    int64_t id;
    char host[256];
    int64_t port;
    char ip[64];
    bool kex_collected;
    int64_t n_spki;
    int64_t n_below13; /* versions up to TLS 1.2 the enumeration accepted */
};

static void copy_col(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    util_copy(buf, cap, t != NULL ? (const char *)t : "");
}

/* The scan's targets whose probes ran, in *out (caller frees). */
static int cross_targets(struct store *s, int64_t scan_id, struct cross_target **out, size_t *n)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_DROWN_TARGETS);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, scan_id);
    int rc = b.rc;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct cross_target *p = realloc(*out, nc * sizeof(*p));
            if (p == NULL) {
                store_fail(s, "DROWN across targets: out of memory");
                sqlite3_reset(st);
                return -1;
            }
            *out = p;
            cap = nc;
        }
        struct cross_target *t = &(*out)[(*n)++];
        t->id = sqlite3_column_int64(st, 0);
        copy_col(st, 1, t->host, sizeof(t->host));
        t->port = sqlite3_column_int64(st, 2);
        copy_col(st, 3, t->ip, sizeof(t->ip));
        t->kex_collected = sqlite3_column_int64(st, 4) != 0;
        t->n_spki = sqlite3_column_int64(st, 5);
        t->n_below13 = sqlite3_column_int64(st, 6);
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_sql_err(s, "DROWN across targets: reading the scan's targets");
        return -1;
    }
    return 0;
}

/* One integer from a statement that takes at most one int64 parameter. */
static int cross_count(struct store *s, enum store_stmt_id id, int64_t param, bool has_param,
                       int64_t *out)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, id);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    if (has_param) {
        bind_int64(&b, param);
    }
    int rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        store_sql_err(s, "DROWN across targets: counting");
        return -1;
    }
    return 0;
}

/* The peers of t that accept SSLv2 with one of its keys: their number
 * (at most the statement's LIMIT) and, in evidence, who they are. */
static int cross_peers(struct store *s, const struct cross_target *t, char *evidence, size_t cap,
                       char *first, size_t first_cap, int *n_peers)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_DROWN_PEERS);
    size_t len = 0;
    *n_peers = 0;
    evidence[0] = '\0';
    first[0] = '\0';
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, t->id);
    bind_text(&b, t->ip);
    bind_int64(&b, t->port);
    int rc = b.rc;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char host[256], ip[64], sha[65], one[512];
        copy_col(st, 1, host, sizeof(host));
        copy_col(st, 3, ip, sizeof(ip));
        copy_col(st, 5, sha, sizeof(sha));
        bool v6 = strchr(host, ':') != NULL;
        int w = snprintf(one, sizeof(one),
                         "%s%s%s%s:%lld [%s] (scan %lld) accepts SSLv2 with key "
                         "SPKI SHA-256 %s",
                         len ? "; " : "", v6 ? "[" : "", host, v6 ? "]" : "",
                         (long long)sqlite3_column_int64(st, 2), ip,
                         (long long)sqlite3_column_int64(st, 4), sha);
        if (*n_peers == 0) {
            snprintf(first, first_cap, "%s%s%s:%lld [%s]", v6 ? "[" : "", host, v6 ? "]" : "",
                     (long long)sqlite3_column_int64(st, 2), ip);
        }
        if (w > 0 && len + (size_t)w < cap) {
            memcpy(evidence + len, one, (size_t)w + 1);
            len += (size_t)w;
        }
        (*n_peers)++;
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_sql_err(s, "DROWN across targets: looking for peers");
        return -1;
    }
    return 0;
}

/* The row for t: its state, detail and evidence. */
static int cross_decide(struct store *s, const struct cross_target *t, int64_t n_endpoints,
                        const char *not_run, enum probe_result_state *state, char *detail,
                        char *evidence, size_t ev_cap)
{
    char first[400];
    int n_peers = 0;
    evidence[0] = '\0';
    if (not_run != NULL) {
        *state = PR_NOT_RUN;
        snprintf(detail, FACT_TEXT, "%s", not_run);
        return 0;
    }
    if (!t->kex_collected) {
        *state = PR_COULD_NOT_TEST;
        snprintf(detail, FACT_TEXT, "the enumeration's certificate keys were not collected");
        return 0;
    }
    if (t->n_spki == 0 && t->n_below13 == 0) {
        /* The certificate is encrypted under TLS 1.3, and DROWN decrypts
         * RSA key exchange, which TLS 1.3 does not have. */
        *state = PR_NOT_APPLICABLE;
        snprintf(detail, FACT_TEXT,
                 "no version up to TLS 1.2 accepted: DROWN needs RSA key exchange");
        return 0;
    }
    if (t->n_spki == 0) {
        *state = PR_COULD_NOT_TEST;
        snprintf(detail, FACT_TEXT, "no certificate key seen by the enumeration");
        return 0;
    }
    if (cross_peers(s, t, evidence, ev_cap, first, sizeof(first), &n_peers) != 0) {
        return -1;
    }
    if (n_peers > 0) {
        char text[600];
        *state = PR_POSITIVE;
        snprintf(text, sizeof(text),
                 "CVE-2016-0800 (DROWN): %s%s serves this target's certificate key and accepts "
                 "SSLv2",
                 first, n_peers > 1 ? " and others" : "");
        util_copy(detail, FACT_TEXT, text);
        return 0;
    }
    *state = PR_NEGATIVE;
    snprintf(detail, FACT_TEXT,
             "no other scanned endpoint with this key accepts SSLv2 (%lld endpoints compared; "
             "only endpoints in this database are seen)",
             (long long)(n_endpoints > 0 ? n_endpoints - 1 : 0));
    return 0;
}

/* Appends the row to t's probe results, at the next position. */
static int cross_put(struct store *s, const struct cross_target *t, enum probe_result_state state,
                     const char *detail, const char *evidence)
{
    int64_t pos = 0;
    if (cross_count(s, ST_PROBE_COUNT, t->id, true, &pos) != 0) {
        return -1;
    }
    if (pos >= PROBE_LIST_MAX) {
        return 0; /* the list is full: the reader's cap holds */
    }
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_PROBE_RESULT);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, t->id);
    bind_int64(&b, pos);
    bind_text(&b, DROWN_ID);
    bind_null(&b);
    bind_null(&b);
    bind_text(&b, probe_result_state_name(state));
    bind_text(&b, detail);
    bind_text(&b, evidence[0] ? evidence : NULL);
    return store_run(s, &b, "inserting the DROWN row");
}

/* The endpoints' latest rows that accept SSLv2, with their certificate
 * keys, collected once per store_drown_shared_key (ST_DROWN_PEERS looks the
 * target's keys up in it): comparing each target with every row serving
 * its key was quadratic in a fleet that shares one certificate. */
static const char cross_sslv2_sql[] =
    "DROP TABLE IF EXISTS temp.drown_sslv2;"
    "CREATE TEMP TABLE drown_sslv2 AS SELECT DISTINCT k.sha256 AS sha256, o.id AS target_id"
    " FROM enum_versions v JOIN targets o ON o.id = v.target_id"
    " JOIN kex_values k ON k.target_id = o.id AND k.kind = 'cert_spki'"
    " WHERE v.version = 2 AND v.state = 'accepted'"
    "  AND o.id = (SELECT max(t.id) FROM targets t WHERE t.ip = o.ip AND t.port = o.port"
    "   AND t.kex_state = 'collected');"
    "CREATE INDEX temp.drown_sslv2_sha256 ON drown_sslv2 (sha256);";

int store_drown_shared_key(struct store *s, int64_t scan_id, const char *not_run)
{
    struct cross_target *ts = NULL;
    size_t n = 0;
    int64_t n_endpoints = 0;
    char detail[FACT_TEXT], evidence[PROBE_EVIDENCE_MAX];
    if (store_exec(s, "BEGIN IMMEDIATE", "DROWN across targets: beginning") != 0) {
        return -1;
    }
    if (cross_targets(s, scan_id, &ts, &n) != 0 ||
        cross_count(s, ST_DROWN_ENDPOINTS, 0, false, &n_endpoints) != 0 ||
        store_exec(s, cross_sslv2_sql, "DROWN across targets: the endpoints accepting SSLv2") !=
            0) {
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        enum probe_result_state state;
        if (cross_decide(s, &ts[i], n_endpoints, not_run, &state, detail, evidence,
                         sizeof(evidence)) != 0 ||
            cross_put(s, &ts[i], state, detail, evidence) != 0) {
            goto fail;
        }
    }
    free(ts);
    (void)store_exec(s, "DROP TABLE temp.drown_sslv2", "DROWN across targets: dropping");
    if (store_exec(s, "COMMIT", "DROWN across targets: committing") != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
fail:
    free(ts);
    store_abort(s, "DROWN across targets of scan %lld", (long long)scan_id);
    (void)sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.drown_sslv2", NULL, NULL, NULL);
    return -1;
}
