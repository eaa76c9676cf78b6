/*
 * store/read_facts.c - the facts under one stored target read back: tags,
 * versions, the certificate chain and its validation, revocation, HTTP
 * headers, the generic probe results and the enumeration (called by
 * read.c's store_load_targets, with its statements).
 *
 * Pipeline position: store -> [read] -> policy evaluation and reports.
 *
 * Invariants:
 * - The mapping is the exact inverse of store_put_target (write.c): NULL
 *   columns go back to the facts' "absent" values (empty text, 0, -1 for
 *   ca/path_len, TRI_UNKNOWN), lists come back in their stored order, and
 *   a name this build does not know (a status, state or order) is an
 *   error, never a guess.
 * - Read only; every statement was prepared by the caller and is stepped
 *   here once per target.
 */
#include "store/store.h"
#include "store/store_private.h"
#include "store/read_private.h"

#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "common/util.h"

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
        for (v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
            if (tls_version_wire((enum tls_version)v) == wire) {
                break;
            }
        }
        if (v == TLSV_COUNT) {
            store_fail(c->s, "target %lld: unknown version 0x%04llx", (long long)tid,
                       (unsigned long long)wire);
            return -1;
        }
        struct version_fact *f = &r->versions[v];
        if (!probe_state_parse(col_text(st, 1), &f->state)) {
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
    if (strcmp(field, "policy_oid") == 0) {
        return &cf->policy_oids;
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

/* Where one deployment's facts are read into (deployment 0: the target's
 * own fields) and with which statements. */
struct rd_dep {
    sqlite3_stmt *certs_st, *chain_st, *revoc_st;
    int64_t key; /* the target's id or the deployment's */
    struct cert_fact **certs;
    size_t *n_certs;
    struct chain_fact *chain;
    struct revoc_fact **revoc;
    size_t *n_revoc;
};

static int rd_chain(struct rd_ctx *c, int64_t tid, const struct rd_dep *d)
{
    sqlite3_stmt *st = d->certs_st;
    int rc;
    size_t cap = 0;
    if (rd_start(c, st, d->key, "reading the chain") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading the chain")) == 1) {
        if (col_int(st, 0) != (int64_t)*d->n_certs) {
            store_fail(c->s, "target %lld: chain position %lld missing", (long long)tid,
                       (long long)*d->n_certs);
            return -1;
        }
        if (*d->n_certs == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            struct cert_fact *n = realloc(*d->certs, ncap * sizeof(*n));
            if (n == NULL) {
                store_fail(c->s, "reading the chain: out of memory");
                return -1;
            }
            *d->certs = n;
            cap = ncap;
        }
        struct cert_fact *cf = &(*d->certs)[*d->n_certs];
        cert_fact_init(cf);
        (*d->n_certs)++; /* counted now, so target_result_cleanup frees a partial one */
        if (rd_cert(c, st, cf) != 0) {
            return -1;
        }
    }
    if (rc != 0) {
        return -1;
    }

    st = d->chain_st;
    if (rd_start(c, st, d->key, "reading the chain validation") != 0) {
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
    struct chain_fact *ch = d->chain;
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
static int rd_revocations(struct rd_ctx *c, int64_t tid, const struct rd_dep *d)
{
    sqlite3_stmt *st = d->revoc_st;
    int rc;
    size_t n_certs = *d->n_certs;
    *d->revoc = calloc(n_certs ? n_certs : 1, sizeof(**d->revoc));
    if (*d->revoc == NULL) {
        store_fail(c->s, "reading revocation status: out of memory");
        return -1;
    }
    if (rd_start(c, st, d->key, "reading revocation status") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading revocation status")) == 1) {
        if (col_int(st, 0) != (int64_t)*d->n_revoc || *d->n_revoc >= n_certs) {
            store_fail(c->s, "target %lld: revocation position %lld unexpected", (long long)tid,
                       (long long)col_int(st, 0));
            return -1;
        }
        struct revoc_fact *f = &(*d->revoc)[*d->n_revoc];
        if (!revoc_status_parse(col_text(st, 1), &f->status)) {
            store_fail(c->s, "target %lld: unknown revocation status '%s'", (long long)tid,
                       col_text(st, 1));
            return -1;
        }
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
        (*d->n_revoc)++;
    }
    if (rc != 0) {
        return -1;
    }
    if (*d->n_revoc != n_certs) {
        store_fail(c->s, "target %lld: %zu revocation rows for %zu certificates", (long long)tid,
                   *d->n_revoc, n_certs);
        return -1;
    }
    return 0;
}

/* rd_deployments reads the further deployments (deployments rows, then
 * each one's chain and revocation rows). */
static int rd_deployments(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_DEPLOYMENTS];
    int64_t ids[DEPLOYMENTS_MAX];
    int rc;
    if (rd_start(c, st, tid, "reading deployments") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading deployments")) == 1) {
        size_t n = r->n_deployments;
        if (n >= DEPLOYMENTS_MAX || col_int(st, 1) != (int64_t)n + 1) {
            store_fail(c->s, "target %lld: deployment %lld unexpected", (long long)tid,
                       (long long)col_int(st, 1));
            return -1;
        }
        struct deployment *grown = realloc(r->deployments, (n + 1) * sizeof(*grown));
        if (grown == NULL) {
            store_fail(c->s, "reading deployments: out of memory");
            return -1;
        }
        r->deployments = grown;
        deployment_init(&grown[n]);
        r->n_deployments++;
        ids[n] = col_int(st, 0);
        col_buf(st, 2, grown[n].label, sizeof(grown[n].label));
        fact_mark(&grown[n].chain_header, col_int(st, 3) != 0);
        fact_mark(&grown[n].revoc_header,
                  col_int(st, 4) != 0 && fact_collected(&grown[n].chain_header));
    }
    if (rc != 0) {
        return -1;
    }
    for (size_t i = 0; i < r->n_deployments; i++) {
        struct deployment *dp = &r->deployments[i];
        const struct rd_dep d = {c->st[RD_DEP_CERTS],
                                 c->st[RD_DEP_CHAIN],
                                 c->st[RD_DEP_REVOCATIONS],
                                 ids[i],
                                 &dp->certs,
                                 &dp->n_certs,
                                 &dp->chain,
                                 &dp->revoc,
                                 &dp->n_revoc};
        if ((fact_collected(&dp->chain_header) && rd_chain(c, tid, &d) != 0) ||
            (fact_collected(&dp->revoc_header) && rd_revocations(c, tid, &d) != 0)) {
            return -1;
        }
    }
    return 0;
}

/* rd_http reads the HTTP header facts, when any were stored. */
static int wire_index(int64_t code)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (tls_version_wire((enum tls_version)v) == code) {
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
    if (probe_list_add(&r->probes, id, (enum tls_version)v, (uint32_t)suite, state, col_text(st, 5),
                       col_null(st, 6) ? NULL : col_text(st, 6)) != 0) {
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

/* rd_kex_row checks and adds one kex_values row (read strictly: a damaged
 * row is an error, never cut or guessed). */
static int rd_kex_row(struct rd_ctx *c, sqlite3_stmt *st, int64_t tid, struct kex_list *l)
{
    struct kex_value v = {.kind = KEX_DH_PRIME};
    int wv = wire_index(col_int(st, 2));
    int64_t suite = col_null(st, 3) ? 0 : col_int(st, 3);
    int64_t group = col_null(st, 4) ? 0 : col_int(st, 4);
    int64_t bits = col_null(st, 6) ? 0 : col_int(st, 6);
    if (col_int(st, 0) != (int64_t)l->n_items || l->n_items >= KEX_VALUES_MAX ||
        !kex_kind_parse(col_text(st, 1), &v.kind) || wv < 0 || suite < 0 || suite > 0xffffff ||
        group < 0 || group > 0xffff || bits < 0 || bits > 1 << 20 ||
        sqlite3_column_bytes(st, 5) != 64 || col_int(st, 8) < 1 || col_int(st, 8) > UINT32_MAX) {
        store_fail(c->s,
                   "damaged value in the database: target %lld, kex_values row %lld "
                   "(position, kind, version, suite, group, hash or count out of range)",
                   (long long)tid, (long long)col_int(st, 0));
        return -1;
    }
    v.version = (enum tls_version)wv;
    v.suite = (uint32_t)suite;
    v.group = (uint16_t)group;
    v.bits = (unsigned)bits;
    v.generator =
        col_null(st, 7) ? (v.kind == KEX_DH_PRIME ? UINT64_MAX : 0) : (uint64_t)col_int(st, 7);
    col_buf(st, 5, v.sha256, sizeof(v.sha256));
    size_t before = l->n_items;
    if (kex_list_add(l, &v) != 0 || l->n_items != before + 1) {
        store_fail(c->s, "target %lld: kex_values row %lld: out of memory or a duplicate",
                   (long long)tid, (long long)col_int(st, 0));
        return -1;
    }
    l->items[before].n_seen = (unsigned)col_int(st, 8);
    return 0;
}

/* rd_kex reads the key-exchange values when the target's kex_state says
 * they were collected. */
static int rd_kex(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    struct kex_list *l = &r->enumeration.kex;
    sqlite3_stmt *st = c->st[RD_KEX];
    int rc;
    if (!fact_collected(&l->header)) {
        return 0;
    }
    if (rd_start(c, st, tid, "reading key-exchange values") != 0) {
        return -1;
    }
    while ((rc = rd_step(c, st, "reading key-exchange values")) == 1) {
        if (rd_kex_row(c, st, tid, l) != 0) {
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
    char error[FACT_TEXT];
    col_buf(st, 1, error, sizeof(error));
    if (col_int(st, 0) != 0) {
        fact_set_result(&h->hsts, error);
    }
    h->https_status = (long)col_int(st, 2);
    h->hsts_present = col_int(st, 3) != 0;
    h->hsts_valid = col_int(st, 4) != 0;
    h->hsts_max_age = col_int(st, 5);
    h->hsts_include_subdomains = col_int(st, 6) != 0;
    h->hsts_preload = col_int(st, 7) != 0;
    col_buf(st, 8, h->hsts_header, sizeof(h->hsts_header));
    col_buf(st, 10, error, sizeof(error));
    if (col_int(st, 9) != 0) {
        fact_set_result(&h->redirect, error);
    }
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
    size_t cap[TLSV_COUNT] = {0};
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
    fact_mark(&e->header, true);
    e->n_probes = (unsigned long)col_int(st, 0);
    e->secure_renegotiation = col_tri(st, 1);
    e->extended_master_secret = col_tri(st, 2);
    e->encrypt_then_mac = col_tri(st, 3);
    e->status_request = col_tri(st, 4);
    e->session_ticket = col_tri(st, 5);
    e->heartbeat = col_tri(st, 6);
    col_buf(st, 7, e->alpn, sizeof(e->alpn));
    col_buf(st, 8, e->anomalies, sizeof(e->anomalies));
    fact_mark(&e->sigalgs13_header, col_int(st, 9) != 0);
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
        if (!probe_state_parse(col_text(st, 1), &f->state) ||
            !enum_order_parse(col_text(st, 3), &f->order)) {
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

/* store_rd_target_rows fills the facts under a target from the other tables
 * (the targets statement is finished first: each reader steps its own). */
int store_rd_target_rows(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    if (rd_tags(c, tid, r) != 0 || rd_versions(c, tid, r) != 0) {
        return -1;
    }
    const struct rd_dep d0 = {c->st[RD_CHAIN_CERTS],
                              c->st[RD_CHAIN],
                              c->st[RD_REVOCATIONS],
                              tid,
                              &r->certs,
                              &r->n_certs,
                              &r->chain,
                              &r->revoc,
                              &r->n_revoc};
    if (fact_collected(&r->chain_header) && rd_chain(c, tid, &d0) != 0) {
        return -1;
    }
    if (fact_collected(&r->chain_header) && fact_collected(&r->revoc_header) &&
        rd_revocations(c, tid, &d0) != 0) {
        return -1;
    }
    fact_mark(&r->revoc_header,
              fact_collected(&r->revoc_header) && fact_collected(&r->chain_header));
    if (rd_deployments(c, tid, r) != 0) {
        return -1;
    }
    if (rd_http(c, tid, r) != 0 || rd_starttls(c, tid, r) != 0 || rd_probes(c, tid, r) != 0) {
        return -1;
    }
    if (rd_enumeration(c, tid, r) != 0) {
        return -1;
    }
    return rd_kex(c, tid, r);
}
