/*
 * scanner/probes/sigschemes13.c - the "sigschemes13" probe (worker
 * track): the TLS 1.3 CertificateVerify is encrypted, so the raw prober
 * cannot see its scheme; GnuTLS offers one scheme at a time instead, only
 * where a TLS 1.3 handshake completed at all, and only when the
 * enumeration was asked for (its facts are the enumeration's).
 */
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

enum probe_step probe_sigschemes13_run(struct probe_ctx *c)
{
    struct enum_facts *e = &c->r->enumeration;
    const struct target_addr *a = c->addr;
    bool all_tried = true;
    for (size_t i = 0; i < hs_n_sigschemes13 && !probe_stopping(c->o); i++) {
        enum probe_state st = PROBE_NOT_TESTED;
        int tmo = probe_handshake_timeout(c);
        if (tmo == 0) {
            all_tried = false;
            c->out_of_time = true;
            break;
        }
        if (handshake_sigscheme13((const struct sockaddr *)&a->sa, a->sa_len, &c->hso,
                                  &hs_sigschemes13[i], tmo, &st) == HS_DONE &&
            st == PROBE_ACCEPTED &&
            e->n_sigalgs13 < sizeof(e->sigalgs13) / sizeof(e->sigalgs13[0])) {
            e->sigalgs13[e->n_sigalgs13++] = hs_sigschemes13[i].code;
        }
    }
    fact_mark(&e->sigalgs13_header, all_tried && !probe_stopping(c->o));
    return PROBE_NEXT;
}
