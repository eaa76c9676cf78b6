/*
 * scanner/probes/deployments.c - the "deployments" probe (worker track,
 * after the chain): a server may hold several certificates (nginx or
 * Apache with an RSA and an ECDSA one; another one for clients without
 * SNI) and serve the one a client's offer selects, so the chain the
 * versions probe saw may hide an expired one ECDSA clients get.
 *
 * One GnuTLS handshake per authentication type (handshake_auth: RSA,
 * ECDSA, EdDSA, DSA, each at the newest accepted version that type can
 * authenticate), and one without SNI when the target has one. A chain
 * whose leaf (SHA-256) was already collected is not kept; each new one is
 * a struct deployment (common/model/facts.h) with the same certificate
 * facts, chain check and revocation as deployment 0 (chain.c). Every
 * handshake takes its timeout from the target's budget; a spent budget
 * stops the walk (out_of_time).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

/* The newest version the GnuTLS handshakes accepted that a can
 * authenticate (a == HS_AUTH_COUNT: any), or TLSV_COUNT when none. */
static enum tls_version newest_accepted(const struct target_result *r, enum hs_auth a)
{
    for (int v = TLSV_TLS13; v >= TLSV_HS_FIRST; v--) {
        if (r->versions[v].state == PROBE_ACCEPTED &&
            (a == HS_AUTH_COUNT || handshake_auth_allows(a, (enum tls_version)v))) {
            return (enum tls_version)v;
        }
    }
    return TLSV_COUNT;
}

/* Whether a chain with this leaf was collected already. */
static bool leaf_seen(const struct target_result *r, const char *sha256)
{
    size_t n = target_n_deployments(r);
    for (size_t i = 0; i < n; i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        if (d.n_certs > 0 && strcmp(d.certs[0].sha256, sha256) == 0) {
            return true;
        }
    }
    return false;
}

/* Runs revocation on d as chain.c does on deployment 0: through a target
 * that borrows r's names and d's chain, whose results move back into d. */
static void deployment_revocation(const struct probe_ctx *c, struct deployment *d, int64_t now)
{
    struct target_result t;
    target_result_init(&t);
    t.sni = c->r->sni;
    memcpy(t.ip, c->r->ip, sizeof(t.ip));
    fact_mark(&t.chain_header, true);
    t.certs = d->certs;
    t.n_certs = d->n_certs;
    t.chain = d->chain;
    probe_chain_revocation(c, &t, now);
    d->chain = t.chain;
    d->revoc = t.revoc;
    d->n_revoc = t.n_revoc;
    fact_mark(&d->revoc_header, fact_collected(&t.revoc_header));
}

/* Keeps the chain in cap as a new deployment named label unless its leaf
 * was collected already (or memory ran out). */
static void keep(struct probe_ctx *c, const char *label, const struct hs_capture *cap)
{
    struct target_result *r = c->r;
    int64_t now = util_now_ms() / 1000;
    struct deployment d;
    deployment_init(&d);
    util_copy(d.label, sizeof(d.label), label);
    if (r->n_deployments >= DEPLOYMENTS_MAX || cap->n_certs == 0 ||
        probe_chain_certs(cap, now, &d.certs, &d.n_certs) != 0 || leaf_seen(r, d.certs[0].sha256)) {
        deployment_cleanup(&d);
        return;
    }
    struct deployment *grown = realloc(r->deployments, (r->n_deployments + 1) * sizeof(*grown));
    if (grown == NULL) {
        deployment_cleanup(&d);
        return;
    }
    r->deployments = grown;
    const char *ip = r->sni == NULL ? r->ip : NULL;
    if (x509_chain_check(c->o->trust, d.certs, d.n_certs, r->sni, ip, cap->ocsp, cap->ocsp_len, now,
                         &d.chain) == 0) {
        fact_mark(&d.chain_header, true);
        deployment_revocation(c, &d, now);
    }
    r->deployments[r->n_deployments++] = d;
}

/* One handshake: authentication type a (HS_AUTH_COUNT: the default offer
 * without SNI). Returns false when the budget or the stop flag ends the walk. */
static bool ask(struct probe_ctx *c, enum hs_auth a)
{
    enum tls_version v = newest_accepted(c->r, a);
    if (v == TLSV_COUNT) {
        return true;
    }
    if (probe_stopping(c->o)) {
        return false;
    }
    int tmo = probe_handshake_timeout(c);
    if (tmo == 0) {
        c->out_of_time = true;
        return false;
    }
    const struct sockaddr *sa = (const struct sockaddr *)&c->addr->sa;
    struct hs_capture cap = {0};
    struct version_fact vf;
    enum hs_result hr;
    if (a == HS_AUTH_COUNT) {
        struct hs_options plain = c->hso;
        plain.sni = NULL;
        hr = handshake_probe(sa, c->addr->sa_len, &plain, v, tmo, &vf, &cap);
    } else {
        hr = handshake_auth(sa, c->addr->sa_len, &c->hso, v, a, tmo, &vf, &cap);
    }
    if (hr == HS_DONE && vf.state == PROBE_ACCEPTED && !probe_stopping(c->o)) {
        keep(c, a == HS_AUTH_COUNT ? "no SNI" : handshake_auth_name(a), &cap);
    }
    hs_capture_cleanup(&cap);
    return true;
}

enum probe_step probe_deployments_run(struct probe_ctx *c)
{
    for (int a = 0; a < HS_AUTH_COUNT; a++) {
        if (!ask(c, (enum hs_auth)a)) {
            return PROBE_NEXT;
        }
    }
    if (c->r->sni != NULL) {
        (void)ask(c, HS_AUTH_COUNT);
    }
    return PROBE_NEXT;
}
