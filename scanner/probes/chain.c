/*
 * scanner/probes/chain.c - the "chain" probe (worker track): the
 * certificate facts of the chain versions.c captured (the newest accepted
 * version's), the chain check (trust, name, expiry, order, staple), then
 * revocation: AIA chasing of an incomplete chain, OCSP, else the CRL
 * (scanner/revocation.c), once the scan's gate is open.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

enum probe_step probe_chain_run(struct probe_ctx *c)
{
    struct target_result *r = c->r;
    const struct scan_options *o = c->o;
    struct hs_capture *cap = &c->cap;
    if (!c->have_chain) {
        return PROBE_NEXT;
    }
    int64_t now = util_now_ms() / 1000;
    r->certs = calloc(cap->n_certs ? cap->n_certs : 1, sizeof(*r->certs));
    if (r->certs == NULL) {
        return PROBE_NEXT;
    }
    for (size_t i = 0; i < cap->n_certs; i++) {
        char why[FACT_TEXT];
        cert_fact_init(&r->certs[i]);
        /* A certificate GnuTLS cannot parse is still recorded (DER and
         * hash); the chain check then reports the failure. */
        if (x509_cert_facts(cap->der[i], cap->der_len[i], now, &r->certs[i], why, sizeof(why)) !=
                0 &&
            r->certs[i].subject == NULL) {
            r->certs[i].subject = strdup("(unparsable certificate)");
        }
        r->n_certs++;
    }
    const char *ip = r->sni == NULL ? r->ip : NULL;
    if (x509_chain_check(o->trust, r->certs, r->n_certs, r->sni, ip, cap->ocsp, cap->ocsp_len, now,
                         &r->chain) == 0) {
        fact_mark(&r->chain_header, true);
        /* Fetches run here, in the worker, alongside the enumeration; the
         * fetch cache they use is preloaded by whoever opens o->ready. */
        if (o->revoc != NULL && scan_gate_wait(o->ready) &&
            revocation_check(o->revoc, r, now) != 0) {
            util_copy(r->chain.aia_detail, sizeof(r->chain.aia_detail),
                      "revocation not checked: out of memory");
        }
    }
    return PROBE_NEXT;
}
