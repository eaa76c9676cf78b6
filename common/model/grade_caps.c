/*
 * common/model/grade_caps.c - the caps of the grade over the accepted
 * protocols and suites, the key-exchange sizes and the probe results
 * (the rules and their sources are grade.c's table).
 */
#include <stdio.h>
#include <string.h>

#include "common/model/grade_private.h"
#include "common/model/probe_result.h"

/* ---- protocol and cipher caps -------------------------------------------------- */

bool grade_probe_positive(const struct target_result *r, const char *id, const char **detail)
{
    for (size_t i = 0; i < r->probes.n_items; i++) {
        const struct probe_result *p = &r->probes.items[i];
        if (p->state == PR_POSITIVE && strcmp(p->id, id) == 0) {
            *detail = p->detail;
            return true;
        }
    }
    return false;
}

void grade_protocol_caps(const struct target_result *r, struct grade *g)
{
    bool tls = false;
    for (int v = TLSV_TLS10; v < TLSV_COUNT; v++) {
        tls = tls || grade_accepted(r, (enum tls_version)v);
    }
    const char *d = NULL;
    if (grade_accepted(r, TLSV_SSL2)) {
        grade_add_cap(g, R_SSL2, "SSL 2.0 accepted");
    }
    if (grade_accepted(r, TLSV_SSL3) && !tls) {
        grade_add_cap(g, R_SSL3_ONLY, "SSL 3.0 accepted, no TLS version");
    } else if (grade_accepted(r, TLSV_SSL3) && grade_probe_positive(r, "poodle", &d)) {
        grade_add_cap(g, R_SSL3_POODLE, "poodle: %s", d);
    } else if (grade_accepted(r, TLSV_SSL3)) {
        grade_add_cap(g, R_SSL3, "SSL 3.0 accepted");
    }
    if (grade_accepted(r, TLSV_TLS10) || grade_accepted(r, TLSV_TLS11)) {
        grade_add_cap(g, R_TLS10_11, "accepted:%s%s",
                      grade_accepted(r, TLSV_TLS10) ? " TLS 1.0" : "",
                      grade_accepted(r, TLSV_TLS11) ? " TLS 1.1" : "");
    }
    if ((tls || grade_accepted(r, TLSV_SSL3)) && !grade_accepted(r, TLSV_TLS12) &&
        !grade_accepted(r, TLSV_TLS13)) {
        grade_add_cap(g, R_NO_TLS12, "highest accepted: %s",
                      grade_accepted(r, TLSV_TLS11)   ? "TLS 1.1"
                      : grade_accepted(r, TLSV_TLS10) ? "TLS 1.0"
                                                      : "SSL 3.0");
    }
}

/* A modern client's view of version v for the suites with attribute bit:
 * whether one is accepted, whether a better one is (with neither bit nor
 * an attribute in `worse`, which a client prefers even less: RC4 beside
 * 3DES), and the server's first choice; SSL Labs' "used with modern
 * clients" read from the server's order. */
struct vview {
    bool any;          /* some suite accepted at v */
    bool has;          /* some accepted suite has bit */
    bool lacks;        /* some accepted suite is better (neither bit nor worse) */
    bool first_has;    /* the server's first choice has bit (rank 0) */
    bool ordered;      /* the server's order is known */
    const char *first; /* its first choice, or an example with bit */
    const char *example;
};

static void vview_of(const struct target_result *r, enum tls_version v, unsigned bit,
                     unsigned worse, struct vview *out)
{
    memset(out, 0, sizeof(*out));
    struct suite_it it = {r, v, 0};
    struct gsuite s;
    while (grade_suite_next(&it, &s) && s.v == v) {
        bool has = (s.s->attrs & bit) != 0;
        out->any = true;
        out->has = out->has || has;
        out->lacks = out->lacks || (s.s->attrs & (bit | worse)) == 0;
        if (has && out->example == NULL) {
            out->example = s.s->iana_name;
        }
        if (s.rank == 0) {
            out->ordered = true;
            out->first_has = has;
            out->first = s.s->iana_name;
        }
    }
}

/* used_modern: a suite with bit is what a TLS 1.1 / 1.2 client gets. */
static bool used_modern(const struct target_result *r, unsigned bit, unsigned worse, char *ev,
                        size_t len)
{
    for (int v = TLSV_TLS11; v <= TLSV_TLS12; v++) {
        struct vview w;
        vview_of(r, (enum tls_version)v, bit, worse, &w);
        if (w.has && (!w.lacks || (w.ordered && w.first_has))) {
            (void)snprintf(ev, len, "%s: %s%s", tls_version_name((enum tls_version)v),
                           w.ordered && w.first_has ? w.first : w.example,
                           w.lacks ? " is what the server picks first"
                                   : " (nothing better accepted)");
            return true;
        }
    }
    return false;
}

void grade_cipher_caps(const struct target_result *r, struct grade *g)
{
    struct suite_it it = {r, 0, 0};
    struct gsuite s;
    const char *weak = NULL, *anon = NULL, *rc4 = NULL;
    int weak_bits = 0;
    size_t n = 0, n_rc4 = 0;
    while (grade_suite_next(&it, &s)) {
        n++;
        if (s.s->strength < 112 && (weak == NULL || s.s->strength < weak_bits)) {
            weak = s.s->iana_name;
            weak_bits = s.s->strength;
        }
        if ((s.s->attrs & SUITE_ANON) != 0 && anon == NULL) {
            anon = s.s->iana_name;
        }
        if ((s.s->attrs & SUITE_RC4) != 0) {
            n_rc4++;
            rc4 = rc4 == NULL ? s.s->iana_name : rc4;
        }
    }
    char ev[GRADE_TEXT];
    if (anon != NULL) {
        grade_add_cap(g, R_ANON, "%s accepted", anon);
    }
    if (weak != NULL) {
        grade_add_cap(g, R_WEAK_CIPHER, "%s (%d bits) accepted", weak, weak_bits);
    }
    if (n > 0 && n_rc4 == n) {
        grade_add_cap(g, R_RC4_ONLY, "every accepted suite is RC4 (%zu)", n);
    } else if (used_modern(r, SUITE_RC4, 0, ev, sizeof(ev))) {
        grade_add_cap(g, R_RC4_MODERN, "%s", ev);
    } else if (rc4 != NULL) {
        grade_add_cap(g, R_RC4, "%s accepted", rc4);
    }
    if (used_modern(r, SUITE_BLOCK64, SUITE_RC4, ev, sizeof(ev))) {
        grade_add_cap(g, R_BLOCK64_MODERN, "%s", ev);
    }
}

/* gives: a client at v gets a suite with bit (one is accepted and, when
 * the server orders, its first choice has it). */
static bool gives(const struct vview *w)
{
    return w->has && (!w->ordered || w->first_has);
}

/* modern_caps: forward secrecy or AEAD (bit) for modern clients: B when
 * the best version a client gets lacks it, A- when only TLS 1.2 lacks it
 * beside a TLS 1.3 (which always has both). */
void grade_modern_caps(const struct target_result *r, struct grade *g, unsigned bit,
                       enum rule_id none, enum rule_id tls12)
{
    const char *what = bit == SUITE_FS ? "forward secrecy" : "AEAD";
    struct vview w;
    if (grade_accepted(r, TLSV_TLS13)) {
        vview_of(r, TLSV_TLS12, bit, 0, &w);
        if (w.any && !gives(&w)) {
            grade_add_cap(g, tls12, "TLS 1.2: %s", w.has ? w.first : "no suite with it");
        }
        return;
    }
    for (int v = TLSV_TLS12; v >= TLSV_SSL2; v--) {
        if (!grade_accepted(r, (enum tls_version)v)) {
            continue;
        }
        vview_of(r, (enum tls_version)v, bit, 0, &w);
        if (!w.any || gives(&w)) {
            return; /* handshake-only facts without the suite: nothing to judge */
        }
        if (w.has) {
            grade_add_cap(g, none, "%s: the server's first choice %s has no %s",
                          tls_version_name((enum tls_version)v), w.first, what);
        } else {
            grade_add_cap(g, none, "%s (the highest accepted): no suite with %s",
                          tls_version_name((enum tls_version)v), what);
        }
        return;
    }
}

void grade_kex_caps(const struct target_result *r, const struct leaf_bits *lb, struct grade *g)
{
    struct suite_it it = {r, 0, 0};
    struct gsuite s;
    int dh = 0;
    const char *dh_suite = NULL;
    while (grade_suite_next(&it, &s)) {
        if ((s.s->attrs & SUITE_KX_DHE) != 0 && s.kx_bits > 0 && (dh == 0 || s.kx_bits < dh)) {
            dh = s.kx_bits;
            dh_suite = s.s->iana_name;
        }
    }
    if (dh > 0 && dh < 1024) {
        grade_add_cap(g, R_DH_1024, "DH %d bits with %s", dh, dh_suite);
    } else if (dh > 0 && dh < 2048) {
        grade_add_cap(g, R_DH_2048, "DH %d bits with %s", dh, dh_suite);
    }
    const char *label = lb->all_label != NULL ? lb->all_label : "certificate";
    if (lb->all > 0 && lb->all < 1024) {
        grade_add_cap(g, R_KEY_1024, "%s leaf: %d RSA-equivalent bits", label, lb->all);
    } else if (lb->all > 0 && lb->all < 2048) {
        grade_add_cap(g, R_KEY_2048, "%s leaf: %d RSA-equivalent bits", label, lb->all);
    }
}

void grade_probe_caps(const struct target_result *r, struct grade *g)
{
    static const struct {
        const char *probe;
        enum rule_id rule;
    } map[] = {
        {"compression", R_CRIME},       {"client_renegotiation", R_INSECURE_RENEG},
        {"heartbleed", R_HEARTBLEED},   {"ccs_injection", R_CCS},
        {"ticketbleed", R_TICKETBLEED}, {"robot", R_ROBOT},
        {"drown_sslv2", R_DROWN},       {"drown_shared_key", R_DROWN},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        const char *d = NULL;
        if (grade_probe_positive(r, map[i].probe, &d)) {
            grade_add_cap(g, map[i].rule, "%s: %s", map[i].probe, d);
        }
    }
}
