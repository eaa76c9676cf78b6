/*
 * store/store_read.c - reading stored scans back: which scans exist, what
 * is known about one, and every target of one rebuilt into the scanner's
 * struct target_result (see store.h and docs/store-schema.md).
 *
 * Pipeline position: store -> [store_read] -> policy evaluation (tlsaudit
 * check) and reports. It lets a stored scan be evaluated again without
 * touching the network.
 *
 * Invariants:
 * - Read only: nothing here writes to the database.
 * - Every query is a prepared statement with bound parameters; no value is
 *   spliced into SQL text. The statements of one store_load_targets call are
 *   prepared once and reused for every target, then finalized.
 * - store_load_targets reads inside one read transaction, so the targets it
 *   returns are one consistent snapshot even while another process writes.
 * - The mapping is the exact inverse of store_put_target: NULL columns go
 *   back to the facts' "absent" values (empty text, 0, -1 for ca/path_len,
 *   TRI_UNKNOWN), lists come back in their stored order, and a name this
 *   build does not know (a status, state or order) is an error, never a
 *   guess.
 * - On failure nothing is returned and everything allocated is freed.
 */
#include "store/store.h"
#include "store/store_private.h"

#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "common/util.h"

/* The statements store_load_targets uses, prepared once per call. */
enum rd_stmt_id {
    RD_TARGETS,
    RD_VERSIONS,
    RD_CHAIN_CERTS,
    RD_CERT_ITEMS,
    RD_CHAIN,
    RD_ENUM_VERSIONS,
    RD_ENUM_SUITES,
    RD_ENUM_LISTS,
    RD_ENUM_BEHAVIOUR,
    RD_TAGS,
    RD_REVOCATIONS,
    RD_HTTP,
    RD_PROBES,
    RD_COUNT
};

static const char *const rd_sql[RD_COUNT] = {
    [RD_TARGETS] = "SELECT id, host, port, sni, ip, status, error, started_ms, finished_ms,"
                   " chain_collected, revoc_collected, probes_state, probes_detail"
                   " FROM targets WHERE scan_id = ? ORDER BY id",
    [RD_VERSIONS] = "SELECT version, state, reason, suite, suite_name, grp, dh_bits, hrr"
                    " FROM versions WHERE target_id = ?",
    [RD_CHAIN_CERTS] = "SELECT cc.position, cc.days_left, c.sha256, c.der, c.subject, c.issuer,"
                       " c.serial, c.not_before, c.not_after, c.key_type, c.key_bits, c.curve,"
                       " c.sig_alg, c.has_key_usage, c.ca, c.path_len, c.must_staple, c.n_scts,"
                       " c.self_signed FROM chain_certs cc"
                       " JOIN certificates c ON c.sha256 = cc.sha256"
                       " WHERE cc.target_id = ? ORDER BY cc.position",
    [RD_CERT_ITEMS] = "SELECT field, value FROM certificate_items WHERE sha256 = ?"
                      " ORDER BY field, position",
    [RD_CHAIN] = "SELECT trusted, verify_status, verify_text, hostname_checked, hostname,"
                 " hostname_match, expired, not_yet_valid, self_signed, incomplete, wrong_order,"
                 " min_days_left, ocsp_staple, ocsp_status, ocsp_detail, aia_attempted,"
                 " aia_completed, aia_trusted, aia_fetched, aia_detail"
                 " FROM chains WHERE target_id = ?",
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
    [RD_REVOCATIONS] = "SELECT position, status, method, url, detail, revoked_at, reason,"
                       " this_update, next_update, from_cache, staple FROM revocations"
                       " WHERE target_id = ? ORDER BY position",
    [RD_HTTP] = "SELECT hsts_checked, hsts_error, https_status, hsts_present, hsts_valid,"
                " hsts_max_age, hsts_include_subdomains, hsts_preload, hsts_header,"
                " redirect_checked, redirect_error, http_status, redirects_to_https,"
                " redirect_location FROM http_headers WHERE target_id = ?",
    [RD_PROBES] = "SELECT position, probe_id, version, suite, state, detail, evidence"
                  " FROM probe_results WHERE target_id = ? ORDER BY position",
};

/* One store_load_targets call: the connection and its statements. */
struct rd_ctx {
    struct store *s;
    sqlite3 *db;
    sqlite3_stmt *st[RD_COUNT];
};

/* rd_sql_err records "context: sqlite message". */
static void rd_sql_err(struct rd_ctx *c, const char *context)
{
    store_fail(c->s, "%s: %s", context, sqlite3_errmsg(c->db));
}

/* rd_start resets st and binds its one integer parameter. Returns 0 or -1. */
static int rd_start(struct rd_ctx *c, sqlite3_stmt *st, int64_t param, const char *context)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (sqlite3_bind_int64(st, 1, (sqlite3_int64)param) != SQLITE_OK) {
        rd_sql_err(c, context);
        return -1;
    }
    return 0;
}

/* rd_step steps st: 1 for a row, 0 when done, -1 (error recorded). */
static int rd_step(struct rd_ctx *c, sqlite3_stmt *st, const char *context)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    if (rc == SQLITE_DONE) {
        return 0;
    }
    rd_sql_err(c, context);
    return -1;
}

static bool col_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static int64_t col_int(sqlite3_stmt *st, int i)
{
    return (int64_t)sqlite3_column_int64(st, i);
}

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

/* col_text returns column i as text, "" for NULL. */
static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t != NULL ? (const char *)t : "";
}

/* col_buf copies column i into a fixed facts buffer (NULL gives ""). */
static void col_buf(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
    util_copy(buf, cap, col_text(st, i));
}

/* col_dup returns a malloc'ed copy of column i in *out (NULL for NULL).
 * Returns 0 or -1 (out of memory). */
static int col_dup(sqlite3_stmt *st, int i, char **out)
{
    *out = NULL;
    if (col_null(st, i)) {
        return 0;
    }
    const char *t = col_text(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    char *d = malloc(n + 1);
    if (d == NULL) {
        return -1;
    }
    memcpy(d, t, n);
    d[n] = '\0';
    *out = d;
    return 0;
}

static bool parse_status(const char *name, enum target_status *out)
{
    for (int v = TARGET_OK; v <= TARGET_INTERRUPTED; v++) {
        if (strcmp(name, target_status_name((enum target_status)v)) == 0) {
            *out = (enum target_status)v;
            return true;
        }
    }
    return false;
}

static bool parse_state(const char *name, enum probe_state *out)
{
    for (int v = PROBE_NOT_TESTED; v <= PROBE_INCONCLUSIVE; v++) {
        if (strcmp(name, probe_state_name((enum probe_state)v)) == 0) {
            *out = (enum probe_state)v;
            return true;
        }
    }
    return false;
}

static bool parse_order(const char *name, enum enum_order *out)
{
    for (int v = ORDER_UNKNOWN; v <= ORDER_CLIENT; v++) {
        if (strcmp(name, enum_order_name((enum enum_order)v)) == 0) {
            *out = (enum enum_order)v;
            return true;
        }
    }
    return false;
}

/* The tri-state of a nullable 0/1 column (bind_tri in store.c). */
static enum fact_tri col_tri(sqlite3_stmt *st, int i)
{
    if (col_null(st, i)) {
        return TRI_UNKNOWN;
    }
    return col_int(st, i) != 0 ? TRI_YES : TRI_NO;
}

static int rd_versions(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_VERSIONS];
    int rc;
    if (rd_start(c, st, tid, "reading versions") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading versions")) == 1) {
        int64_t wire = col_int(st, 0);
        int v;
        for (v = 0; v < PV_COUNT; v++) {
            if (probe_version_wire((enum probe_version)v) == wire) {
                break;
            }
        }
        if (v == PV_COUNT) {
            store_fail(c->s, "target %lld: unknown version 0x%04llx", (long long)tid,
                       (unsigned long long)wire);
            return -1;
        }
        struct version_fact *f = &r->versions[v];
        if (!parse_state(col_text(st, 1), &f->state)) {
            store_fail(c->s, "target %lld: unknown version state '%s'", (long long)tid,
                       col_text(st, 1));
            return -1;
        }
        col_buf(st, 2, f->reason, sizeof(f->reason));
        f->suite = (uint16_t)col_int(st, 3);
        col_buf(st, 4, f->suite_name, sizeof(f->suite_name));
        col_buf(st, 5, f->group, sizeof(f->group));
        f->dh_bits = (int)col_int(st, 6);
        f->hrr = col_int(st, 7) != 0;
    }
    return rc;
}

static struct strlist *item_list(struct cert_fact *cf, const char *field)
{
    if (strcmp(field, "key_usage") == 0) {
        return &cf->key_usage;
    }
    if (strcmp(field, "eku") == 0) {
        return &cf->eku;
    }
    if (strcmp(field, "san") == 0) {
        return &cf->san;
    }
    if (strcmp(field, "ocsp_url") == 0) {
        return &cf->ocsp_urls;
    }
    if (strcmp(field, "ca_issuer_url") == 0) {
        return &cf->ca_issuer_urls;
    }
    if (strcmp(field, "crl_url") == 0) {
        return &cf->crl_urls;
    }
    return NULL;
}

static int rd_cert_items(struct rd_ctx *c, struct cert_fact *cf)
{
    sqlite3_stmt *st = c->st[RD_CERT_ITEMS];
    int rc;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (sqlite3_bind_text(st, 1, cf->sha256, -1, SQLITE_STATIC) != SQLITE_OK) {
        rd_sql_err(c, "reading certificate items");
        return -1;
    }
    while ((rc = rd_step(c, st, "reading certificate items")) == 1) {
        struct strlist *l = item_list(cf, col_text(st, 0));
        if (l == NULL) {
            store_fail(c->s, "certificate %s: unknown list field '%s'", cf->sha256,
                       col_text(st, 0));
            return -1;
        }
        if (strlist_add_n(l, col_text(st, 1), (size_t)sqlite3_column_bytes(st, 1)) != 0) {
            store_fail(c->s, "reading certificate items: out of memory");
            return -1;
        }
    }
    sqlite3_reset(st); /* drop the borrowed sha256 before cf can move */
    return rc;
}

/* rd_cert fills cf (initialised by the caller) from the current row of
 * RD_CHAIN_CERTS, then its list items. */
static int rd_cert(struct rd_ctx *c, sqlite3_stmt *st, struct cert_fact *cf)
{
    if (store_col_time(c->s, st, 1, STORE_TIME_DAYS, "chain_certs.days_left", &cf->days_left) !=
            0 ||
        store_col_time(c->s, st, 7, STORE_TIME_S, "certificates.not_before", &cf->not_before) !=
            0 ||
        store_col_time(c->s, st, 8, STORE_TIME_S, "certificates.not_after", &cf->not_after) != 0) {
        return -1;
    }
    col_buf(st, 2, cf->sha256, sizeof(cf->sha256));
    size_t der_len = (size_t)sqlite3_column_bytes(st, 3);
    const void *der = sqlite3_column_blob(st, 3);
    if (der_len > 0) {
        cf->der = malloc(der_len);
        if (cf->der == NULL) {
            goto oom;
        }
        memcpy(cf->der, der, der_len);
        cf->der_len = der_len;
    }
    if (col_dup(st, 4, &cf->subject) != 0 || col_dup(st, 5, &cf->issuer) != 0) {
        goto oom;
    }
    col_buf(st, 6, cf->serial, sizeof(cf->serial));
    col_buf(st, 9, cf->key_type, sizeof(cf->key_type));
    cf->key_bits = (int)col_int(st, 10);
    col_buf(st, 11, cf->curve, sizeof(cf->curve));
    col_buf(st, 12, cf->sig_alg, sizeof(cf->sig_alg));
    cf->has_key_usage = col_int(st, 13) != 0;
    cf->ca = col_null(st, 14) ? -1 : (col_int(st, 14) != 0 ? 1 : 0);
    cf->path_len = col_null(st, 15) ? -1 : (int)col_int(st, 15);
    cf->must_staple = col_int(st, 16) != 0;
    cf->n_scts = (int)col_int(st, 17);
    cf->self_signed = col_int(st, 18) != 0;
    return rd_cert_items(c, cf);
oom:
    store_fail(c->s, "reading certificate %zu: out of memory", (size_t)col_int(st, 0));
    return -1;
}

static int rd_chain(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_CHAIN_CERTS];
    int rc;
    size_t cap = 0;
    if (rd_start(c, st, tid, "reading the chain") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading the chain")) == 1) {
        if (col_int(st, 0) != (int64_t)r->n_certs) {
            store_fail(c->s, "target %lld: chain position %lld missing", (long long)tid,
                       (long long)r->n_certs);
            return -1;
        }
        if (r->n_certs == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            struct cert_fact *n = realloc(r->certs, ncap * sizeof(*n));
            if (n == NULL) {
                store_fail(c->s, "reading the chain: out of memory");
                return -1;
            }
            r->certs = n;
            cap = ncap;
        }
        struct cert_fact *cf = &r->certs[r->n_certs];
        cert_fact_init(cf);
        r->n_certs++; /* counted now, so target_result_cleanup frees a partial one */
        if (rd_cert(c, st, cf) != 0) {
            return -1;
        }
    }
    if (rc != 0) {
        return -1;
    }

    st = c->st[RD_CHAIN];
    if (rd_start(c, st, tid, "reading the chain validation") != 0) {
        return -1;
    }
    rc = rd_step(c, st, "reading the chain validation");
    if (rc <= 0) {
        if (rc == 0) {
            store_fail(c->s, "target %lld: chain collected but no chain validation stored",
                       (long long)tid);
        }
        return -1;
    }
    struct chain_fact *ch = &r->chain;
    ch->trusted = col_int(st, 0) != 0;
    ch->verify_status = (unsigned)col_int(st, 1);
    col_buf(st, 2, ch->verify_text, sizeof(ch->verify_text));
    ch->hostname_checked = col_int(st, 3) != 0;
    col_buf(st, 4, ch->hostname, sizeof(ch->hostname));
    ch->hostname_match = col_int(st, 5) != 0;
    ch->expired = col_int(st, 6) != 0;
    ch->not_yet_valid = col_int(st, 7) != 0;
    ch->self_signed = col_int(st, 8) != 0;
    ch->incomplete = col_int(st, 9) != 0;
    ch->wrong_order = col_int(st, 10) != 0;
    if (store_col_time(c->s, st, 11, STORE_TIME_DAYS, "chains.min_days_left", &ch->min_days_left) !=
        0) {
        return -1;
    }
    ch->ocsp_staple = col_int(st, 12) != 0;
    col_buf(st, 13, ch->ocsp_status, sizeof(ch->ocsp_status));
    col_buf(st, 14, ch->ocsp_detail, sizeof(ch->ocsp_detail));
    ch->aia_attempted = col_int(st, 15) != 0;
    ch->aia_completed = col_int(st, 16) != 0;
    ch->aia_trusted = col_int(st, 17) != 0;
    ch->aia_fetched = (int)col_int(st, 18);
    col_buf(st, 19, ch->aia_detail, sizeof(ch->aia_detail));
    return 0;
}

/* rd_revocations reads one revocation row per served certificate. */
static int rd_revocations(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_REVOCATIONS];
    int rc;
    r->revoc = calloc(r->n_certs ? r->n_certs : 1, sizeof(*r->revoc));
    if (r->revoc == NULL) {
        store_fail(c->s, "reading revocation status: out of memory");
        return -1;
    }
    if (rd_start(c, st, tid, "reading revocation status") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading revocation status")) == 1) {
        if (col_int(st, 0) != (int64_t)r->n_revoc || r->n_revoc >= r->n_certs) {
            store_fail(c->s, "target %lld: revocation position %lld unexpected", (long long)tid,
                       (long long)col_int(st, 0));
            return -1;
        }
        struct revoc_fact *f = &r->revoc[r->n_revoc];
        int status = revoc_status_from_name(col_text(st, 1));
        if (status < 0) {
            store_fail(c->s, "target %lld: unknown revocation status '%s'", (long long)tid,
                       col_text(st, 1));
            return -1;
        }
        f->status = (enum revoc_status)status;
        col_buf(st, 2, f->method, sizeof(f->method));
        col_buf(st, 3, f->url, sizeof(f->url));
        col_buf(st, 4, f->detail, sizeof(f->detail));
        if (store_col_time(c->s, st, 5, STORE_TIME_S, "revocations.revoked_at", &f->revoked_at) !=
                0 ||
            store_col_time(c->s, st, 7, STORE_TIME_S, "revocations.this_update", &f->this_update) !=
                0 ||
            store_col_time(c->s, st, 8, STORE_TIME_S, "revocations.next_update", &f->next_update) !=
                0) {
            return -1;
        }
        col_buf(st, 6, f->reason, sizeof(f->reason));
        f->from_cache = col_int(st, 9) != 0;
        col_buf(st, 10, f->staple, sizeof(f->staple));
        r->n_revoc++;
    }
    if (rc != 0) {
        return -1;
    }
    if (r->n_revoc != r->n_certs) {
        store_fail(c->s, "target %lld: %zu revocation rows for %zu certificates", (long long)tid,
                   r->n_revoc, r->n_certs);
        return -1;
    }
    return 0;
}

/* rd_http reads the HTTP header facts, when any were stored. */
static int wire_index(int64_t code)
{
    for (int v = 0; v < WV_COUNT; v++) {
        if (wire_version_code((enum wire_version)v) == code) {
            return v;
        }
    }
    return -1;
}

/* rd_probe checks and adds one probe_results row (the caps of
 * probe_list_add, read strictly: a damaged row is an error, not cut). */
static int rd_probe(struct rd_ctx *c, sqlite3_stmt *st, int64_t tid, struct target_result *r)
{
    const char *id = col_text(st, 1);
    size_t id_len = (size_t)sqlite3_column_bytes(st, 1);
    int v = col_null(st, 2) ? PROBE_NO_VERSION : wire_index(col_int(st, 2));
    int64_t suite = col_null(st, 3) ? 0 : col_int(st, 3);
    enum probe_result_state state;
    if (col_int(st, 0) != (int64_t)r->probes.n_items || id_len == 0 || id_len >= PROBE_ID_LEN ||
        strlen(id) != id_len || v < 0 || (!col_null(st, 3) && (suite <= 0 || suite > 0xffffff)) ||
        !probe_result_state_parse(col_text(st, 4), &state) ||
        (size_t)sqlite3_column_bytes(st, 5) >= FACT_TEXT ||
        (size_t)sqlite3_column_bytes(st, 6) > PROBE_EVIDENCE_MAX ||
        r->probes.n_items >= PROBE_LIST_MAX) {
        store_fail(c->s,
                   "damaged value in the database: target %lld, probe_results row %lld "
                   "(position, probe id, version, suite, state or a size out of range)",
                   (long long)tid, (long long)col_int(st, 0));
        return -1;
    }
    if (probe_list_add(&r->probes, id, (enum wire_version)v, (uint32_t)suite, state,
                       col_text(st, 5), col_null(st, 6) ? NULL : col_text(st, 6)) != 0) {
        store_fail(c->s, "reading probe results: out of memory");
        return -1;
    }
    return 0;
}

static int rd_probes(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_PROBES];
    int rc;
    if (rd_start(c, st, tid, "reading probe results") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading probe results")) == 1) {
        if (rd_probe(c, st, tid, r) != 0) {
            return -1;
        }
    }
    return rc;
}

static int rd_http(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_HTTP];
    if (rd_start(c, st, tid, "reading HTTP headers") != 0) {
        return -1;
    }
    int rc = rd_step(c, st, "reading HTTP headers");
    if (rc <= 0) {
        return rc;
    }
    struct http_fact *h = &r->http;
    h->hsts_checked = col_int(st, 0) != 0;
    col_buf(st, 1, h->hsts_error, sizeof(h->hsts_error));
    h->https_status = (long)col_int(st, 2);
    h->hsts_present = col_int(st, 3) != 0;
    h->hsts_valid = col_int(st, 4) != 0;
    h->hsts_max_age = col_int(st, 5);
    h->hsts_include_subdomains = col_int(st, 6) != 0;
    h->hsts_preload = col_int(st, 7) != 0;
    col_buf(st, 8, h->hsts_header, sizeof(h->hsts_header));
    h->redirect_checked = col_int(st, 9) != 0;
    col_buf(st, 10, h->redirect_error, sizeof(h->redirect_error));
    h->http_status = (long)col_int(st, 11);
    h->redirects_to_https = col_int(st, 12) != 0;
    col_buf(st, 13, h->redirect_location, sizeof(h->redirect_location));
    return 0;
}

/* push_u16 appends v to a malloc'ed array; returns 0 or -1. */
static int push_u16(uint16_t **arr, size_t *n, uint16_t v)
{
    uint16_t *a = realloc(*arr, (*n + 1) * sizeof(*a));
    if (a == NULL) {
        return -1;
    }
    a[(*n)++] = v;
    *arr = a;
    return 0;
}

static int rd_enum_suites(struct rd_ctx *c, int64_t tid, struct enum_facts *e)
{
    sqlite3_stmt *st = c->st[RD_ENUM_SUITES];
    size_t cap[WV_COUNT] = {0};
    int rc;
    if (rd_start(c, st, tid, "reading enumerated suites") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading enumerated suites")) == 1) {
        int v = wire_index(col_int(st, 0));
        if (v < 0) {
            store_fail(c->s, "target %lld: enumerated suite under unknown version %lld",
                       (long long)tid, (long long)col_int(st, 0));
            return -1;
        }
        struct enum_version_fact *f = &e->versions[v];
        if (f->n_suites == cap[v]) {
            size_t ncap = cap[v] ? cap[v] * 2 : 16;
            struct enum_suite *n = realloc(f->suites, ncap * sizeof(*n));
            if (n == NULL) {
                store_fail(c->s, "reading enumerated suites: out of memory");
                return -1;
            }
            f->suites = n;
            cap[v] = ncap;
        }
        struct enum_suite *es = &f->suites[f->n_suites++];
        es->code = (uint32_t)col_int(st, 1);
        es->server_rank = col_null(st, 2) ? -1 : (int)col_int(st, 2);
        es->ec_group = col_null(st, 3) ? 0 : (uint16_t)col_int(st, 3);
        es->kx_bits = col_null(st, 4) ? 0 : (int)col_int(st, 4);
    }
    return rc;
}

static int rd_enum_lists(struct rd_ctx *c, int64_t tid, struct enum_facts *e)
{
    sqlite3_stmt *st = c->st[RD_ENUM_LISTS];
    int rc;
    if (rd_start(c, st, tid, "reading enumerated lists") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading enumerated lists")) == 1) {
        const char *kind = col_text(st, 0);
        uint16_t code = (uint16_t)col_int(st, 1);
        int prc;
        if (strcmp(kind, "groups12") == 0) {
            prc = push_u16(&e->groups12, &e->n_groups12, code);
        } else if (strcmp(kind, "groups13") == 0) {
            prc = push_u16(&e->groups13, &e->n_groups13, code);
        } else if (strcmp(kind, "sigalgs12") == 0) {
            prc = push_u16(&e->sigalgs12, &e->n_sigalgs12, code);
        } else if (strcmp(kind, "sigalgs13") == 0) {
            prc = -1;
            if (e->n_sigalgs13 < sizeof(e->sigalgs13) / sizeof(e->sigalgs13[0])) {
                e->sigalgs13[e->n_sigalgs13++] = code;
                prc = 0;
            }
        } else {
            store_fail(c->s, "target %lld: unknown enumerated list '%s'", (long long)tid, kind);
            return -1;
        }
        if (prc != 0) {
            store_fail(c->s, "target %lld: reading enumerated list %s: out of memory or too long",
                       (long long)tid, kind);
            return -1;
        }
    }
    return rc;
}

/* rd_enumeration fills r->enumeration when the target has enumeration rows
 * (enum_behaviour is written whenever the enumeration was collected). */
static int rd_enumeration(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    struct enum_facts *e = &r->enumeration;
    sqlite3_stmt *st = c->st[RD_ENUM_BEHAVIOUR];
    if (rd_start(c, st, tid, "reading enumeration behaviour") != 0) {
        return -1;
    }
    int rc = rd_step(c, st, "reading enumeration behaviour");
    if (rc <= 0) {
        return rc; /* 0: not collected */
    }
    e->collected = true;
    e->n_probes = (unsigned long)col_int(st, 0);
    e->secure_renegotiation = col_tri(st, 1);
    e->extended_master_secret = col_tri(st, 2);
    e->encrypt_then_mac = col_tri(st, 3);
    e->status_request = col_tri(st, 4);
    e->session_ticket = col_tri(st, 5);
    e->heartbeat = col_tri(st, 6);
    col_buf(st, 7, e->alpn, sizeof(e->alpn));
    col_buf(st, 8, e->anomalies, sizeof(e->anomalies));
    e->sigalgs13_tested = col_int(st, 9) != 0;
    /* The scanner records an anomaly's text whenever it sets the flag. */
    e->unoffered_choice = e->anomalies[0] != '\0';

    st = c->st[RD_ENUM_VERSIONS];
    if (rd_start(c, st, tid, "reading enumerated versions") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading enumerated versions")) == 1) {
        int v = wire_index(col_int(st, 0));
        if (v < 0) {
            store_fail(c->s, "target %lld: unknown enumerated version %lld", (long long)tid,
                       (long long)col_int(st, 0));
            return -1;
        }
        struct enum_version_fact *f = &e->versions[v];
        if (!parse_state(col_text(st, 1), &f->state) || !parse_order(col_text(st, 3), &f->order)) {
            store_fail(c->s, "target %lld: unknown enumeration state '%s' or order '%s'",
                       (long long)tid, col_text(st, 1), col_text(st, 3));
            return -1;
        }
        col_buf(st, 2, f->reason, sizeof(f->reason));
        f->incomplete = col_int(st, 4) != 0;
        col_buf(st, 5, f->incomplete_why, sizeof(f->incomplete_why));
    }
    if (rc != 0) {
        return -1;
    }
    if (rd_enum_suites(c, tid, e) != 0 || rd_enum_lists(c, tid, e) != 0) {
        return -1;
    }
    /* Rows an older tlsaudit wrote with accepted suites under a version it
     * left "not-tested" read back as accepted (and incomplete). */
    enum_facts_settle(e);
    return 0;
}

/* rd_target fills r (initialised by the caller) from the current row of
 * RD_TARGETS and everything stored under it. */
static int rd_target(struct rd_ctx *c, struct target_result *r, int64_t *out_id)
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
    if (!parse_status(col_text(st, 5), &r->status)) {
        store_fail(c->s, "target %lld: unknown status '%s'", (long long)tid, col_text(st, 5));
        return -1;
    }
    col_buf(st, 6, r->error, sizeof(r->error));
    if (store_col_time(c->s, st, 7, STORE_TIME_MS, "targets.started_ms", &r->started_ms) != 0 ||
        store_col_time(c->s, st, 8, STORE_TIME_MS, "targets.finished_ms", &r->finished_ms) != 0) {
        return -1;
    }
    r->chain_collected = col_int(st, 9) != 0;
    r->revoc_collected = col_int(st, 10) != 0;
    if (!fact_state_parse(col_text(st, 11), &r->probes.header.state)) {
        store_fail(c->s, "target %lld: unknown probes_state '%s'", (long long)tid,
                   col_text(st, 11));
        return -1;
    }
    col_buf(st, 12, r->probes.header.detail, sizeof(r->probes.header.detail));
    return 0;
}

static int rd_tags(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_TAGS];
    int rc;
    if (rd_start(c, st, tid, "reading target tags") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading target tags")) == 1) {
        if (strlist_add_n(&r->tags, col_text(st, 0), (size_t)sqlite3_column_bytes(st, 0)) != 0) {
            store_fail(c->s, "reading target tags: out of memory");
            return -1;
        }
    }
    return rc;
}

/* rd_target_rows fills the facts under a target from the other tables
 * (the targets statement is finished first: each reader steps its own). */
static int rd_target_rows(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    if (rd_tags(c, tid, r) != 0 || rd_versions(c, tid, r) != 0) {
        return -1;
    }
    if (r->chain_collected && rd_chain(c, tid, r) != 0) {
        return -1;
    }
    if (r->chain_collected && r->revoc_collected && rd_revocations(c, tid, r) != 0) {
        return -1;
    }
    r->revoc_collected = r->revoc_collected && r->chain_collected;
    if (rd_http(c, tid, r) != 0 || rd_probes(c, tid, r) != 0) {
        return -1;
    }
    return rd_enumeration(c, tid, r);
}

static void rd_finalize(struct rd_ctx *c)
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

/* rd_scan_exists looks scan_id up; returns 0 and *out, or -1. */
static int rd_scan_exists(struct store *s, int64_t scan_id, bool *out)
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
    return rd_scan_exists(s, scan_id, out_exists);
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

void store_scan_info_cleanup(struct store_scan_info *info)
{
    free(info->tool_version);
    free(info->options);
    free(info->trust_store);
    free(info->registry_version);
    free(info->hostname);
    free(info->note);
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
        "   AND t.status NOT IN ('ok', 'no-tls'))"
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
    ret = 0;
out:
    sqlite3_finalize(st);
    if (ret != 0) {
        store_scan_info_cleanup(out);
    }
    return ret;
}

int store_load_targets(struct store *s, int64_t scan_id, struct target_result **out,
                       int64_t **out_ids, size_t *n_out)
{
    struct rd_ctx c = {.s = s, .db = store_db(s)};
    struct target_result *targets = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    size_t cap = 0;
    bool in_txn = false;
    bool exists = false;
    int ret = -1;
    int rc;

    *out = NULL;
    *n_out = 0;
    if (out_ids != NULL) {
        *out_ids = NULL;
    }
    if (sqlite3_exec(c.db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK) {
        rd_sql_err(&c, "starting a read transaction");
        goto out;
    }
    in_txn = true;
    if (rd_scan_exists(s, scan_id, &exists) != 0) {
        goto out;
    }
    if (!exists) {
        store_fail(s, "no scan %lld", (long long)scan_id);
        goto out;
    }
    for (size_t i = 0; i < RD_COUNT; i++) {
        if (sqlite3_prepare_v2(c.db, rd_sql[i], -1, &c.st[i], NULL) != SQLITE_OK) {
            rd_sql_err(&c, "preparing a statement");
            goto out;
        }
    }
    /* First the target rows (one statement stepping), then what is under
     * each: the facts are read per target with the other statements. */
    sqlite3_stmt *st = c.st[RD_TARGETS];
    if (rd_start(&c, st, scan_id, "reading targets") != 0) {
        goto out;
    }
    while ((rc = rd_step(&c, st, "reading targets")) == 1) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct target_result *nt = realloc(targets, ncap * sizeof(*nt));
            if (nt == NULL) {
                store_fail(s, "reading targets: out of memory");
                goto out;
            }
            targets = nt;
            int64_t *ni = realloc(ids, ncap * sizeof(*ni));
            if (ni == NULL) {
                store_fail(s, "reading targets: out of memory");
                goto out;
            }
            ids = ni;
            cap = ncap;
        }
        target_result_init(&targets[n]);
        n++;
        if (rd_target(&c, &targets[n - 1], &ids[n - 1]) != 0) {
            goto out;
        }
    }
    if (rc != 0) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (rd_target_rows(&c, ids[i], &targets[i]) != 0) {
            goto out;
        }
    }
    ret = 0;
out:
    rd_finalize(&c);
    if (in_txn) {
        (void)sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
    }
    if (ret != 0) {
        store_targets_free(targets, n);
        free(ids);
        return -1;
    }
    *out = targets;
    *n_out = n;
    if (out_ids != NULL) {
        *out_ids = ids;
    } else {
        free(ids);
    }
    return 0;
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
