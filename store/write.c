/*
 * store/write.c - writing a scan: its row (store_scan_begin, finished by
 * store_scan_finish) and each finished target with every fact under it
 * (store_put_target), the inverse of read.c and read_facts.c.
 *
 * Pipeline position: scanner -> facts -> [store] -> policy / reports; the
 * scan session (cli/session.c) calls it as targets finish.
 *
 * Invariants:
 * - store_put_target writes one target and everything under it in one
 *   BEGIN IMMEDIATE ... COMMIT; on any error it rolls back, so a target is
 *   either stored complete or absent. With WAL this is what lets a killed
 *   scan keep every target it finished.
 * - A certificate is stored once, keyed by its SHA-256; a target's chain
 *   refers to it by position.
 * - A list over the model's caps is refused, never cut.
 */
#include "store/store.h"
#include "store/store_private.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/model/probe_result.h"
#include "common/model/registry.h"

int store_scan_begin(struct store *s, const struct scan_meta *meta, int64_t *out_scan_id)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_SCAN);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, meta->started_ms);
    bind_text(&b, meta->tool_version);
    bind_text(&b, meta->options);
    bind_text(&b, meta->trust_store);
    bind_text(&b, meta->registry_version);
    bind_int64(&b, (int64_t)getpid());
    bind_text(&b, s->hostname[0] ? s->hostname : NULL);
    bind_text(&b, meta->run_id);
    if (meta->shard_n > 0) {
        bind_int64(&b, meta->shard_k);
        bind_int64(&b, meta->shard_n);
    } else {
        bind_null(&b);
        bind_null(&b);
    }
    if (store_run(s, &b, "inserting scan") != 0) {
        return -1;
    }
    *out_scan_id = (int64_t)sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_scan_finish(struct store *s, int64_t scan_id, const char *state, int64_t finished_ms)
{
    struct binder b;
    if (state == NULL || (strcmp(state, "complete") != 0 && strcmp(state, "interrupted") != 0)) {
        store_fail(s, "finishing scan %lld: state must be \"complete\" or \"interrupted\"",
                   (long long)scan_id);
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, ST_FINISH_SCAN);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_text(&b, state);
    bind_int64(&b, finished_ms);
    bind_int64(&b, scan_id);
    if (store_run(s, &b, "finishing scan") != 0) {
        return -1;
    }
    if (sqlite3_changes(s->db) != 1) {
        store_fail(s, "finishing scan %lld: no such scan", (long long)scan_id);
        return -1;
    }
    return 0;
}

bool store_valid_sha256(const char *h, size_t cap)
{
    if (strnlen(h, cap) != 64) {
        return false;
    }
    for (size_t i = 0; i < 64; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static int store_put_items(struct store *s, const char *sha256, const char *field,
                           const struct strlist *l)
{
    struct binder b;
    for (size_t i = 0; i < l->n_items; i++) {
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_CERT_ITEM);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_text(&b, sha256);
        bind_text(&b, field);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, l->items[i]);
        if (store_run(s, &b, "inserting certificate list item") != 0) {
            return -1;
        }
    }
    return 0;
}

/* store_put_cert stores c once (keyed by SHA-256) with its list items; a
 * certificate already stored is left as it is, but for its policy OIDs: one
 * stored before schema 6 has none, so they are added (an item already
 * there is kept). */
static int store_put_cert(struct store *s, const struct cert_fact *c)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_CERT);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_buf(&b, c->sha256, sizeof(c->sha256));
    bind_blob(&b, c->der, c->der_len);
    bind_text(&b, c->subject);
    bind_text(&b, c->issuer);
    bind_buf(&b, c->serial, sizeof(c->serial));
    bind_int64(&b, c->not_before);
    bind_int64(&b, c->not_after);
    bind_buf(&b, c->key_type, sizeof(c->key_type));
    bind_int64(&b, c->key_bits);
    bind_buf(&b, c->curve, sizeof(c->curve));
    bind_buf(&b, c->sig_alg, sizeof(c->sig_alg));
    bind_bool(&b, c->has_key_usage);
    if (c->ca < 0) {
        bind_null(&b);
    } else {
        bind_bool(&b, c->ca != 0);
    }
    if (c->path_len < 0) {
        bind_null(&b);
    } else {
        bind_int64(&b, c->path_len);
    }
    bind_bool(&b, c->must_staple);
    bind_int64(&b, c->n_scts);
    bind_bool(&b, c->self_signed);
    if (store_run(s, &b, "inserting certificate") != 0) {
        return -1;
    }
    if (sqlite3_changes(s->db) == 0) {
        /* already stored: the parsed fields come from the same DER */
        return store_put_items(s, c->sha256, "policy_oid", &c->policy_oids);
    }
    if (store_put_items(s, c->sha256, "key_usage", &c->key_usage) != 0 ||
        store_put_items(s, c->sha256, "eku", &c->eku) != 0 ||
        store_put_items(s, c->sha256, "san", &c->san) != 0 ||
        store_put_items(s, c->sha256, "ocsp_url", &c->ocsp_urls) != 0 ||
        store_put_items(s, c->sha256, "ca_issuer_url", &c->ca_issuer_urls) != 0 ||
        store_put_items(s, c->sha256, "crl_url", &c->crl_urls) != 0 ||
        store_put_items(s, c->sha256, "policy_oid", &c->policy_oids) != 0) {
        return -1;
    }
    return 0;
}

/* store_put_tags writes the target's tags in their order (target_tags). */
static int store_put_tags(struct store *s, int64_t target_id, const struct strlist *tags)
{
    struct binder b;
    for (size_t i = 0; i < tags->n_items; i++) {
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_TAG);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, tags->items[i]);
        if (store_run(s, &b, "inserting target tag") != 0) {
            return -1;
        }
    }
    return 0;
}

static int store_put_versions(struct store *s, int64_t target_id, const struct target_result *r)
{
    struct binder b;
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        const struct version_fact *f = &r->versions[v];
        bool accepted = f->state == PROBE_ACCEPTED;
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_VERSION);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, tls_version_wire((enum tls_version)v));
        bind_text(&b, tls_version_name((enum tls_version)v));
        bind_text(&b, probe_state_name(f->state));
        bind_buf(&b, f->reason, sizeof(f->reason));
        if (accepted) {
            bind_int64(&b, f->suite);
            bind_buf(&b, f->suite_name, sizeof(f->suite_name));
        } else {
            bind_null(&b);
            bind_null(&b);
        }
        bind_buf(&b, f->group, sizeof(f->group));
        if (f->dh_bits > 0) {
            bind_int64(&b, f->dh_bits);
        } else {
            bind_null(&b);
        }
        bind_bool(&b, f->hrr);
        if (store_run(s, &b, "inserting version result") != 0) {
            return -1;
        }
    }
    return 0;
}

/* The statements a chain is written with: deployment 0's (keyed by the
 * target) or a further deployment's (keyed by its row). */
struct chain_stmts {
    enum store_stmt_id cert, chain, revoc;
};
static const struct chain_stmts chain_stmts_target = {ST_INSERT_CHAIN_CERT, ST_INSERT_CHAIN,
                                                      ST_INSERT_REVOCATION};
static const struct chain_stmts chain_stmts_deployment = {ST_INSERT_DEP_CERT, ST_INSERT_DEP_CHAIN,
                                                          ST_INSERT_DEP_REVOCATION};

static int store_put_chain(struct store *s, const struct chain_stmts *sts, int64_t key,
                           const struct deployment_view *d)
{
    struct binder b;
    for (size_t i = 0; i < d->n_certs; i++) {
        const struct cert_fact *c = &d->certs[i];
        if (c->der == NULL || c->der_len == 0 ||
            !store_valid_sha256(c->sha256, sizeof(c->sha256))) {
            store_fail(s, "inserting certificate %zu: no DER or no valid SHA-256", i);
            return -1;
        }
        if (store_put_cert(s, c) != 0) {
            return -1;
        }
        sqlite3_stmt *st = store_stmt(s, sts->cert);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, key);
        bind_int64(&b, (int64_t)i);
        bind_buf(&b, c->sha256, sizeof(c->sha256));
        bind_int64(&b, c->days_left);
        if (store_run(s, &b, "inserting chain certificate") != 0) {
            return -1;
        }
    }

    const struct chain_fact *ch = d->chain;
    sqlite3_stmt *st = store_stmt(s, sts->chain);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, key);
    bind_bool(&b, ch->trusted);
    bind_int64(&b, (int64_t)ch->verify_status);
    bind_buf(&b, ch->verify_text, sizeof(ch->verify_text));
    bind_bool(&b, ch->hostname_checked);
    bind_buf(&b, ch->hostname, sizeof(ch->hostname));
    bind_bool(&b, ch->hostname_match);
    bind_bool(&b, ch->expired);
    bind_bool(&b, ch->not_yet_valid);
    bind_bool(&b, ch->self_signed);
    bind_bool(&b, ch->incomplete);
    bind_bool(&b, ch->wrong_order);
    if (d->n_certs > 0) {
        bind_int64(&b, ch->min_days_left);
    } else {
        bind_null(&b);
    }
    bind_bool(&b, ch->ocsp_staple);
    if (strnlen(ch->ocsp_status, sizeof(ch->ocsp_status)) == 0) {
        bind_text(&b, "none");
    } else {
        bind_buf(&b, ch->ocsp_status, sizeof(ch->ocsp_status));
    }
    bind_buf(&b, ch->ocsp_detail, sizeof(ch->ocsp_detail));
    bind_bool(&b, ch->aia_attempted);
    bind_bool(&b, ch->aia_completed);
    bind_bool(&b, ch->aia_trusted);
    bind_int64(&b, ch->aia_fetched);
    bind_buf(&b, ch->aia_detail, sizeof(ch->aia_detail));
    return store_run(s, &b, "inserting chain validation");
}

static int store_put_revocations(struct store *s, const struct chain_stmts *sts, int64_t key,
                                 const struct deployment_view *d)
{
    struct binder b;
    for (size_t i = 0; i < d->n_revoc; i++) {
        const struct revoc_fact *f = &d->revoc[i];
        sqlite3_stmt *st = store_stmt(s, sts->revoc);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, key);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, revoc_status_name(f->status));
        bind_buf(&b, f->method, sizeof(f->method));
        bind_buf(&b, f->url, sizeof(f->url));
        bind_buf(&b, f->detail, sizeof(f->detail));
        bind_int64(&b, f->revoked_at);
        bind_buf(&b, f->reason, sizeof(f->reason));
        bind_int64(&b, f->this_update);
        bind_int64(&b, f->next_update);
        bind_bool(&b, f->from_cache);
        bind_buf(&b, f->staple, sizeof(f->staple));
        if (store_run(s, &b, "inserting revocation status") != 0) {
            return -1;
        }
    }
    return 0;
}

/* Deployment d's chain and revocation facts under key (deployment 0: the
 * target's id). */
static int store_put_deployment_facts(struct store *s, const struct chain_stmts *sts, int64_t key,
                                      const struct deployment_view *d)
{
    if (fact_collected(&d->chain_header) && store_put_chain(s, sts, key, d) != 0) {
        return -1;
    }
    if (fact_collected(&d->chain_header) && fact_collected(&d->revoc_header) &&
        d->n_revoc == d->n_certs && store_put_revocations(s, sts, key, d) != 0) {
        return -1;
    }
    return 0;
}

/* The further deployments (1 ..), each a deployments row and its facts. */
static int store_put_deployments(struct store *s, int64_t target_id, const struct target_result *r)
{
    size_t n = target_n_deployments(r);
    for (size_t i = 1; i < n; i++) {
        struct deployment_view d;
        struct binder b;
        int64_t dep_id;
        target_deployment(r, i, &d);
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_DEPLOYMENT);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_buf(&b, r->deployments[i - 1].label, sizeof(r->deployments[i - 1].label));
        bind_bool(&b, fact_collected(&d.chain_header));
        bind_bool(&b, fact_collected(&d.chain_header) && fact_collected(&d.revoc_header) &&
                          d.n_revoc == d.n_certs);
        if (store_insert(s, &b, "inserting deployment", &dep_id) != 0 ||
            store_put_deployment_facts(s, &chain_stmts_deployment, dep_id, &d) != 0) {
            return -1;
        }
    }
    return 0;
}

static int store_put_http(struct store *s, int64_t target_id, const struct http_fact *h)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_HTTP);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, target_id);
    bind_bool(&b, fact_attempted(&h->hsts));
    bind_buf(&b, h->hsts.detail, sizeof(h->hsts.detail));
    bind_int64(&b, h->https_status);
    bind_bool(&b, h->hsts_present);
    bind_bool(&b, h->hsts_valid);
    bind_int64(&b, h->hsts_max_age);
    bind_bool(&b, h->hsts_include_subdomains);
    bind_bool(&b, h->hsts_preload);
    bind_buf(&b, h->hsts_header, sizeof(h->hsts_header));
    bind_bool(&b, fact_attempted(&h->redirect));
    bind_buf(&b, h->redirect.detail, sizeof(h->redirect.detail));
    bind_int64(&b, h->http_status);
    bind_bool(&b, h->redirects_to_https);
    bind_buf(&b, h->redirect_location, sizeof(h->redirect_location));
    return store_run(s, &b, "inserting HTTP headers");
}

static void bind_tri(struct binder *b, enum fact_tri t)
{
    if (t == TRI_UNKNOWN) {
        bind_null(b);
    } else {
        bind_bool(b, t == TRI_YES);
    }
}

static int store_put_enum_list(struct store *s, int64_t target_id, const char *kind,
                               const uint16_t *codes, size_t n)
{
    struct binder b;
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_ENUM_LIST);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_text(&b, kind);
        bind_int64(&b, (int64_t)i);
        bind_int64(&b, codes[i]);
        if (store_run(s, &b, "inserting enumerated list entry") != 0) {
            return -1;
        }
    }
    return 0;
}

/* The enumeration facts of one target (enum_* tables). */
static int store_put_enumeration(struct store *s, int64_t target_id, const struct enum_facts *e)
{
    struct binder b;
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct enum_version_fact *f = &e->versions[v];
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_ENUM_VERSION);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, tls_version_wire((enum tls_version)v));
        bind_text(&b, tls_version_name((enum tls_version)v));
        bind_text(&b, probe_state_name(f->state));
        bind_buf(&b, f->reason, sizeof(f->reason));
        bind_text(&b, enum_order_name(f->order));
        bind_bool(&b, f->incomplete);
        bind_buf(&b, f->incomplete_why, sizeof(f->incomplete_why));
        bind_int64(&b, (int64_t)f->n_suites);
        if (store_run(s, &b, "inserting enumerated version") != 0) {
            return -1;
        }
        for (size_t i = 0; i < f->n_suites; i++) {
            const struct enum_suite *es = &f->suites[i];
            const struct suite_info *si = registry_suite_by_code(es->code);
            st = store_stmt(s, ST_INSERT_ENUM_SUITE);
            if (st == NULL) {
                return -1;
            }
            binder_start(&b, st);
            bind_int64(&b, target_id);
            bind_int64(&b, tls_version_wire((enum tls_version)v));
            bind_int64(&b, es->code);
            bind_text(&b, si ? si->iana_name : NULL);
            if (es->server_rank >= 0) {
                bind_int64(&b, es->server_rank);
            } else {
                bind_null(&b);
            }
            if (es->ec_group != 0) {
                bind_int64(&b, es->ec_group);
            } else {
                bind_null(&b);
            }
            if (es->kx_bits > 0) {
                bind_int64(&b, es->kx_bits);
            } else {
                bind_null(&b);
            }
            if (store_run(s, &b, "inserting enumerated suite") != 0) {
                return -1;
            }
        }
    }
    if (store_put_enum_list(s, target_id, "groups12", e->groups12, e->n_groups12) != 0 ||
        store_put_enum_list(s, target_id, "groups13", e->groups13, e->n_groups13) != 0 ||
        store_put_enum_list(s, target_id, "sigalgs12", e->sigalgs12, e->n_sigalgs12) != 0 ||
        store_put_enum_list(s, target_id, "sigalgs13", e->sigalgs13, e->n_sigalgs13) != 0) {
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_ENUM_BEHAVIOUR);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, target_id);
    bind_int64(&b, (int64_t)e->n_probes);
    bind_tri(&b, e->secure_renegotiation);
    bind_tri(&b, e->extended_master_secret);
    bind_tri(&b, e->encrypt_then_mac);
    bind_tri(&b, e->status_request);
    bind_tri(&b, e->session_ticket);
    bind_tri(&b, e->heartbeat);
    bind_buf(&b, e->alpn, sizeof(e->alpn));
    bind_buf(&b, e->anomalies, sizeof(e->anomalies));
    bind_bool(&b, fact_collected(&e->sigalgs13_header));
    return store_run(s, &b, "inserting enumeration behaviour");
}

/* The generic probe results of one target (probe_results), in order. A
 * list over the model's caps (count, id, evidence) is refused, never cut. */
static int store_put_probes(struct store *s, int64_t target_id, const struct probe_list *l)
{
    struct binder b;
    if ((unsigned)l->header.state >= FACT_STATE_COUNT || l->n_items > PROBE_LIST_MAX) {
        store_fail(s, "probe results: %zu results or a bad header state", l->n_items);
        return -1;
    }
    for (size_t i = 0; i < l->n_items; i++) {
        const struct probe_result *p = &l->items[i];
        size_t id_len = strnlen(p->id, sizeof(p->id));
        if (id_len == 0 || id_len == sizeof(p->id) || (unsigned)p->state >= PR_STATE_COUNT ||
            (unsigned)p->version > PROBE_NO_VERSION ||
            (p->evidence != NULL &&
             strnlen(p->evidence, PROBE_EVIDENCE_MAX + 1) > PROBE_EVIDENCE_MAX)) {
            store_fail(s, "probe result %zu: bad id, state, version or evidence size", i);
            return -1;
        }
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_PROBE_RESULT);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_buf(&b, p->id, sizeof(p->id));
        if (p->version == PROBE_NO_VERSION) {
            bind_null(&b);
        } else {
            bind_int64(&b, tls_version_wire(p->version));
        }
        if (p->suite != 0) {
            bind_int64(&b, p->suite);
        } else {
            bind_null(&b);
        }
        bind_text(&b, probe_result_state_name(p->state));
        bind_buf(&b, p->detail, sizeof(p->detail));
        bind_text(&b, p->evidence);
        if (store_run(s, &b, "inserting probe result") != 0) {
            return -1;
        }
    }
    return 0;
}

/* The key-exchange values of one target (kex_values), in order. A list
 * over the model's cap, a bad kind or a hash that is not 64 hex digits is
 * refused, never cut. */
static int store_put_kex(struct store *s, int64_t target_id, const struct kex_list *l)
{
    struct binder b;
    if ((unsigned)l->header.state >= FACT_STATE_COUNT || l->n_items > KEX_VALUES_MAX) {
        store_fail(s, "key-exchange values: %zu values or a bad header state", l->n_items);
        return -1;
    }
    for (size_t i = 0; i < l->n_items; i++) {
        const struct kex_value *v = &l->items[i];
        if ((unsigned)v->kind >= KEX_KIND_COUNT || (unsigned)v->version >= TLSV_COUNT ||
            strnlen(v->sha256, sizeof(v->sha256)) != 64 || v->n_seen == 0) {
            store_fail(s, "key-exchange value %zu: bad kind, version, hash or count", i);
            return -1;
        }
        sqlite3_stmt *st = store_stmt(s, ST_INSERT_KEX_VALUE);
        if (st == NULL) {
            return -1;
        }
        binder_start(&b, st);
        bind_int64(&b, target_id);
        bind_int64(&b, (int64_t)i);
        bind_text(&b, kex_kind_name(v->kind));
        bind_int64(&b, tls_version_wire(v->version));
        if (v->suite != 0) {
            bind_int64(&b, v->suite);
        } else {
            bind_null(&b);
        }
        if (v->group != 0) {
            bind_int64(&b, v->group);
        } else {
            bind_null(&b);
        }
        bind_buf(&b, v->sha256, sizeof(v->sha256));
        if (v->kind == KEX_DH_PRIME) {
            bind_int64(&b, v->bits);
        } else {
            bind_null(&b);
        }
        if (v->kind == KEX_DH_PRIME && v->generator <= INT64_MAX) {
            bind_int64(&b, (int64_t)v->generator);
        } else {
            bind_null(&b);
        }
        bind_int64(&b, v->n_seen);
        if (store_run(s, &b, "inserting key-exchange value") != 0) {
            return -1;
        }
    }
    return 0;
}

int store_put_target(struct store *s, int64_t scan_id, const struct target_result *r)
{
    int64_t id;
    return store_put_target_id(s, scan_id, r, &id);
}

int store_put_target_id(struct store *s, int64_t scan_id, const struct target_result *r,
                        int64_t *out_id)
{
    struct binder b;
    int64_t target_id;

    if (r->host == NULL) {
        store_fail(s, "storing target: no host");
        return -1;
    }
    if (store_begin_insert(s, ST_INSERT_TARGET, &b) != 0) {
        goto fail;
    }
    bind_int64(&b, scan_id);
    bind_text(&b, r->host);
    bind_int64(&b, r->port);
    bind_text(&b, r->sni);
    bind_buf(&b, r->ip, sizeof(r->ip));
    bind_text(&b, target_status_name(r->status));
    bind_buf(&b, r->error, sizeof(r->error));
    bind_int64(&b, r->started_ms);
    bind_int64(&b, r->finished_ms);
    bind_bool(&b, fact_collected(&r->chain_header));
    bind_bool(&b, fact_collected(&r->revoc_header) && r->n_revoc == r->n_certs);
    bind_text(&b, fact_state_name(r->probes.header.state));
    bind_buf(&b, r->probes.header.detail, sizeof(r->probes.header.detail));
    bind_text(&b, fact_state_name(r->enumeration.kex.header.state));
    bind_buf(&b, r->starttls[0] ? r->starttls : "none", sizeof(r->starttls));
    if (store_insert(s, &b, "inserting target row", &target_id) != 0) {
        goto fail;
    }
    if (store_put_tags(s, target_id, &r->tags) != 0) {
        goto fail;
    }
    if (store_put_versions(s, target_id, r) != 0) {
        goto fail;
    }
    struct deployment_view d0;
    target_deployment(r, 0, &d0);
    if (store_put_deployment_facts(s, &chain_stmts_target, target_id, &d0) != 0 ||
        store_put_deployments(s, target_id, r) != 0) {
        goto fail;
    }
    if (fact_collected(&r->enumeration.header) &&
        store_put_enumeration(s, target_id, &r->enumeration) != 0) {
        goto fail;
    }
    if (fact_attempted(&r->dialogue.header) &&
        store_put_starttls(s, target_id, &r->dialogue) != 0) {
        goto fail;
    }
    if ((fact_attempted(&r->http.hsts) || fact_attempted(&r->http.redirect)) &&
        store_put_http(s, target_id, &r->http) != 0) {
        goto fail;
    }
    if (store_put_probes(s, target_id, &r->probes) != 0 ||
        store_put_kex(s, target_id, &r->enumeration.kex) != 0) {
        goto fail;
    }
    if (store_commit(s, "committing") != 0) {
        goto fail;
    }
    *out_id = target_id;
    return 0;
fail:
    /* Name the target in the message; the SQLite text was recorded first. */
    store_abort(s, "storing target %s%s%s:%u", strchr(r->host, ':') ? "[" : "", r->host,
                strchr(r->host, ':') ? "]" : "", (unsigned)r->port);
    return -1;
}
