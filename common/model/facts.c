/*
 * common/model/facts.c - version names and the lifetimes of the fact
 * structures (facts.h); the state names are in vocab.c.
 */
#include "common/model/facts.h"
#include "common/model/probe_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void enum_facts_init(struct enum_facts *e)
{
    memset(e, 0, sizeof(*e));
    e->secure_renegotiation = TRI_UNKNOWN;
    e->extended_master_secret = TRI_UNKNOWN;
    e->encrypt_then_mac = TRI_UNKNOWN;
    e->status_request = TRI_UNKNOWN;
    e->session_ticket = TRI_UNKNOWN;
    e->heartbeat = TRI_UNKNOWN;
}

void enum_facts_cleanup(struct enum_facts *e)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        free(e->versions[v].suites);
    }
    free(e->groups12);
    free(e->groups13);
    free(e->sigalgs12);
    kex_list_cleanup(&e->kex);
    enum_facts_init(e);
}

void cert_fact_init(struct cert_fact *c)
{
    memset(c, 0, sizeof(*c));
    strlist_init(&c->key_usage);
    strlist_init(&c->eku);
    strlist_init(&c->san);
    strlist_init(&c->ocsp_urls);
    strlist_init(&c->ca_issuer_urls);
    strlist_init(&c->crl_urls);
    strlist_init(&c->policy_oids);
    c->ca = -1;
    c->path_len = -1;
}

void cert_fact_cleanup(struct cert_fact *c)
{
    free(c->der);
    free(c->subject);
    free(c->issuer);
    strlist_cleanup(&c->key_usage);
    strlist_cleanup(&c->eku);
    strlist_cleanup(&c->san);
    strlist_cleanup(&c->ocsp_urls);
    strlist_cleanup(&c->ca_issuer_urls);
    strlist_cleanup(&c->crl_urls);
    strlist_cleanup(&c->policy_oids);
    cert_fact_init(c);
}

void enum_facts_settle(struct enum_facts *e)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        struct enum_version_fact *f = &e->versions[v];
        if (f->n_suites == 0 || f->state == PROBE_ACCEPTED) {
            continue;
        }
        if (f->incomplete_why[0] == '\0') {
            snprintf(f->incomplete_why, sizeof(f->incomplete_why),
                     "%zu suite%s accepted but the version was left %s%s%s", f->n_suites,
                     f->n_suites == 1 ? "" : "s", probe_state_name(f->state),
                     f->reason[0] != '\0' ? ": " : "", f->reason);
        }
        f->state = PROBE_ACCEPTED;
        f->reason[0] = '\0';
        f->incomplete = true;
    }
}

void target_result_init(struct target_result *r)
{
    memset(r, 0, sizeof(*r));
    strlist_init(&r->tags);
    enum_facts_init(&r->enumeration);
    memcpy(r->chain.ocsp_status, "none", sizeof("none"));
    memcpy(r->starttls, "none", sizeof("none"));
    r->http.hsts_max_age = -1;
}

void target_result_cleanup(struct target_result *r)
{
    free(r->host);
    free(r->sni);
    for (size_t i = 0; i < r->n_certs; i++) {
        cert_fact_cleanup(&r->certs[i]);
    }
    free(r->certs);
    free(r->revoc);
    strlist_cleanup(&r->tags);
    enum_facts_cleanup(&r->enumeration);
    probe_list_cleanup(&r->probes);
    for (size_t i = 0; i < r->n_deployments; i++) {
        deployment_cleanup(&r->deployments[i]);
    }
    free(r->deployments);
    target_result_init(r);
}

void fact_set_result(struct fact_header *h, const char *error)
{
    if (error == NULL || error[0] == '\0') {
        h->state = FACT_COLLECTED;
        h->detail[0] = '\0';
        return;
    }
    h->state = FACT_COULD_NOT_TEST;
    snprintf(h->detail, sizeof(h->detail), "%s", error);
}

void deployment_init(struct deployment *d)
{
    memset(d, 0, sizeof(*d));
    memcpy(d->chain.ocsp_status, "none", sizeof("none"));
}

void deployment_cleanup(struct deployment *d)
{
    for (size_t i = 0; i < d->n_certs; i++) {
        cert_fact_cleanup(&d->certs[i]);
    }
    free(d->certs);
    free(d->revoc);
    deployment_init(d);
}

const char *deployment_key_label(const char *key_type)
{
    static const char *const names[][2] = {
        {"RSA", "RSA"}, {"EC", "ECDSA"}, {"Ed25519", "EdDSA"}, {"Ed448", "EdDSA"}, {"DSA", "DSA"}};
    for (size_t i = 0; key_type != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(key_type, names[i][0]) == 0) {
            return names[i][1];
        }
    }
    return "certificate";
}

size_t target_n_deployments(const struct target_result *r)
{
    return 1 + r->n_deployments;
}

void target_deployment(const struct target_result *r, size_t i, struct deployment_view *out)
{
    if (i == 0 || i > r->n_deployments) {
        out->label = deployment_key_label(r->n_certs > 0 ? r->certs[0].key_type : NULL);
        fact_mark(&out->chain_header, fact_collected(&r->chain_header));
        out->certs = r->certs;
        out->n_certs = r->n_certs;
        out->chain = &r->chain;
        fact_mark(&out->revoc_header, fact_collected(&r->revoc_header));
        out->revoc = r->revoc;
        out->n_revoc = r->n_revoc;
        return;
    }
    const struct deployment *d = &r->deployments[i - 1];
    out->label = d->label;
    fact_mark(&out->chain_header, fact_collected(&d->chain_header));
    out->certs = d->certs;
    out->n_certs = d->n_certs;
    out->chain = &d->chain;
    fact_mark(&out->revoc_header, fact_collected(&d->revoc_header));
    out->revoc = d->revoc;
    out->n_revoc = d->n_revoc;
}
