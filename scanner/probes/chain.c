/*
 * scanner/probes/chain.c - the "chain" probe (worker track): the
 * certificate facts of the chain versions.c captured (the newest accepted
 * version's), the chain check (trust, name, expiry, order, staple), then
 * revocation: AIA chasing of an incomplete chain, OCSP, else the CRL
 * (scanner/revocation.c), once the scan's gate is open. The certificate
 * facts of a capture are shared with deployments.c (probe_chain_certs).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

int probe_chain_certs(const struct hs_capture *cap, int64_t now, struct cert_fact **out_certs,
                      size_t *out_n)
{
    *out_n = 0;
    *out_certs = calloc(cap->n_certs ? cap->n_certs : 1, sizeof(**out_certs));
    if (*out_certs == NULL) {
        return -1;
    }
    for (size_t i = 0; i < cap->n_certs; i++) {
        char why[FACT_TEXT];
        struct cert_fact *cf = &(*out_certs)[i];
        cert_fact_init(cf);
        /* A certificate GnuTLS cannot parse is still recorded (DER and
         * hash); the chain check then reports the failure. */
        if (x509_cert_facts(cap->der[i], cap->der_len[i], now, cf, why, sizeof(why)) != 0 &&
            cf->subject == NULL) {
            cf->subject = strdup("(unparsable certificate)");
        }
        (*out_n)++;
    }
    return 0;
}

void probe_chain_revocation(const struct probe_ctx *c, struct target_result *r, int64_t now)
{
    const struct scan_options *o = c->o;
    /* Fetches run here, in the worker, alongside the enumeration; the
     * fetch cache they use is preloaded by whoever opens o->ready. */
    if (o->revoc != NULL && scan_gate_wait(o->ready) && revocation_check(o->revoc, r, now) != 0) {
        util_copy(r->chain.aia_detail, sizeof(r->chain.aia_detail),
                  "revocation not checked: out of memory");
    }
}

enum probe_step probe_chain_run(struct probe_ctx *c)
{
    struct target_result *r = c->r;
    const struct scan_options *o = c->o;
    struct hs_capture *cap = &c->cap;
    if (!c->have_chain) {
        return PROBE_NEXT;
    }
    int64_t now = util_now_ms() / 1000;
    if (probe_chain_certs(cap, now, &r->certs, &r->n_certs) != 0) {
        return PROBE_NEXT;
    }
    const char *ip = r->sni == NULL ? r->ip : NULL;
    if (x509_chain_check(o->trust, r->certs, r->n_certs, r->sni, ip, cap->ocsp, cap->ocsp_len, now,
                         &r->chain) == 0) {
        fact_mark(&r->chain_header, true);
        probe_chain_revocation(c, r, now);
    }
    return PROBE_NEXT;
}
