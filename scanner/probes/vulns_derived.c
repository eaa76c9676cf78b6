/*
 * scanner/probes/vulns_derived.c - the derived vulnerability checks
 * (derived track: the facts of both tracks, no connection): POODLE, BEAST,
 * SWEET32, FREAK, Logjam, RC4, NULL/anonymous suites, Lucky 13 and DROWN
 * (SSLv2 on this target), each one probe_result row decided from the
 * enumeration's accepted suites and the registry's typed attributes
 * (SUITE_* bits, never suite names).
 *
 * Invariants: a positive names the suites that make it (evidence, per
 * version); a negative only when every version the check is about was
 * decided by the enumeration (accepted with its suites complete, or
 * refused); anything else is could-not-test with the first undecided
 * version and why. Logjam also looks every DH prime the enumeration saw up
 * in the list of well-known ones (dh_primes.h, by SHA-256); key reuse is in
 * vulns_kex.c, DROWN through another server sharing the key in the store
 * (store_drown_shared_key); Lucky 13's timing is out of scope (info).
 */
#include <stdio.h>
#include <string.h>

#include "common/model/registry.h"
#include "scanner/probes/dh_primes.h"
#include "scanner/probes/registry.h"

/* The versions a suite-attribute check is about. */
#define V_SSL3_TLS12                                                                               \
    (TLSV_BIT(TLSV_SSL3) | TLSV_BIT(TLSV_TLS10) | TLSV_BIT(TLSV_TLS11) | TLSV_BIT(TLSV_TLS12))
#define V_ALL_BUT_TLS13 (TLSV_BIT(TLSV_SSL2) | V_SSL3_TLS12)
#define V_ALL (V_ALL_BUT_TLS13 | TLSV_BIT(TLSV_TLS13))

/* What one walk over the accepted suites found. */
struct vfind {
    size_t hits;                   /* suites the predicate matched */
    char evidence[1024];           /* "TLS 1.0: SUITE, SUITE; TLS 1.1: ..." */
    size_t len;                    /* bytes used in evidence */
    int last_v;                    /* the version last named in evidence, -1 none */
    char undecided[FACT_TEXT];     /* the first version not decided, and why; "" */
    const struct enum_suite *best; /* a matching suite (the first) */
};

typedef bool (*suite_pred)(const struct suite_info *s, const struct enum_suite *es);

/* ev_append adds text to f's evidence; a full buffer ends with "...". */
static void ev_append(struct vfind *f, const char *text)
{
    size_t cap = sizeof(f->evidence);
    size_t n = strlen(text);
    if (f->len + 4 >= cap) {
        return;
    }
    if (f->len + n + 4 >= cap) {
        memcpy(f->evidence + f->len, "...", 4);
        f->len += 3;
        return;
    }
    memcpy(f->evidence + f->len, text, n + 1);
    f->len += n;
}

static void note_hit(struct vfind *f, int v, const struct suite_info *s,
                     const struct enum_suite *es)
{
    char hex[16];
    const char *name = s != NULL ? s->iana_name : NULL;
    if (name == NULL) {
        snprintf(hex, sizeof(hex), "0x%04X", (unsigned)es->code);
        name = hex;
    }
    if (f->last_v != v) {
        ev_append(f, f->len > 0 ? "; " : "");
        ev_append(f, tls_version_name((enum tls_version)v));
        ev_append(f, ": ");
        f->last_v = v;
    } else {
        ev_append(f, ", ");
    }
    ev_append(f, name);
    if (f->hits++ == 0) {
        f->best = es;
    }
}

static void note_undecided(struct vfind *f, int v, const char *what, const char *why)
{
    if (f->undecided[0] == '\0') {
        snprintf(f->undecided, sizeof(f->undecided), "%s %s%s%.160s",
                 tls_version_name((enum tls_version)v), what, why[0] != '\0' ? ": " : "", why);
    }
}

/* vfind_walk: the accepted suites of the versions in vmask that pred
 * matches, and the first version not decided. */
static void vfind_walk(const struct enum_facts *e, unsigned vmask, suite_pred pred, struct vfind *f)
{
    memset(f, 0, sizeof(*f));
    f->last_v = -1;
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct enum_version_fact *vf = &e->versions[v];
        if ((vmask & TLSV_BIT(v)) == 0) {
            continue;
        }
        if (vf->state == PROBE_REFUSED) {
            continue;
        }
        if (vf->state != PROBE_ACCEPTED) {
            note_undecided(f, v, probe_state_name(vf->state), vf->reason);
            continue;
        }
        for (size_t i = 0; i < vf->n_suites; i++) {
            const struct suite_info *s = registry_suite_by_code(vf->suites[i].code);
            if (s != NULL && pred(s, &vf->suites[i])) {
                note_hit(f, v, s, &vf->suites[i]);
            }
        }
        if (vf->incomplete) {
            note_undecided(f, v, "suites incomplete", vf->incomplete_why);
        }
    }
}

/* vfind_record: one row of probe id from f: hit_state (positive or info)
 * with hit_detail when a suite matched, negative with neg_detail when
 * every version was decided, else could-not-test with the reason. */
static void vfind_record(struct probe_ctx *c, const char *id, enum tls_version version,
                         const struct vfind *f, enum probe_result_state hit_state,
                         const char *hit_detail, const char *neg_detail)
{
    if (f->hits > 0) {
        probe_record(c, id, version, 0, hit_state, hit_detail, f->evidence);
    } else if (f->undecided[0] != '\0') {
        char why[FACT_TEXT];
        snprintf(why, sizeof(why), "not decided: %.200s", f->undecided);
        probe_record(c, id, version, 0, PR_COULD_NOT_TEST, why, NULL);
    } else {
        probe_record(c, id, version, 0, PR_NEGATIVE, neg_detail, NULL);
    }
}

static bool has(const struct suite_info *s, unsigned bits)
{
    return (s->attrs & bits) != 0;
}

static bool p_cbc(const struct suite_info *s, const struct enum_suite *es)
{
    (void)es;
    return has(s, SUITE_CBC);
}

static bool p_block64(const struct suite_info *s, const struct enum_suite *es)
{
    (void)es;
    return has(s, SUITE_BLOCK64);
}

static bool p_rsa_export(const struct suite_info *s, const struct enum_suite *es)
{
    (void)es;
    return has(s, SUITE_EXPORT) && has(s, SUITE_KX_RSA);
}

/* Logjam: DHE EXPORT, or a DHE prime the server sent under 1024 bits. */
static bool p_weak_dhe(const struct suite_info *s, const struct enum_suite *es)
{
    return has(s, SUITE_KX_DHE) &&
           (has(s, SUITE_EXPORT) || (es->kx_bits > 0 && es->kx_bits < 1024));
}

static bool p_rc4(const struct suite_info *s, const struct enum_suite *es)
{
    (void)es;
    return has(s, SUITE_RC4);
}

static bool p_null_anon(const struct suite_info *s, const struct enum_suite *es)
{
    (void)es;
    return has(s, SUITE_NULL_CIPHER | SUITE_ANON);
}

enum probe_step probe_poodle_run(struct probe_ctx *c)
{
    struct vfind f;
    vfind_walk(&c->r->enumeration, TLSV_BIT(TLSV_SSL3), p_cbc, &f);
    vfind_record(c, "poodle", TLSV_SSL3, &f, PR_POSITIVE,
                 "CVE-2014-3566: SSL 3.0 accepted with a CBC suite",
                 f.hits == 0 && c->r->enumeration.versions[TLSV_SSL3].state == PROBE_REFUSED
                     ? "SSL 3.0 refused"
                     : "SSL 3.0 accepted without a CBC suite");
    return PROBE_NEXT;
}

/* The server's first choice under TLS 1.0, in words, when its order is known. */
static void beast_first_choice(const struct enum_version_fact *vf, char *out, size_t out_len)
{
    const struct enum_suite *first = NULL;
    for (size_t i = 0; vf->order == ORDER_SERVER && i < vf->n_suites; i++) {
        if (vf->suites[i].server_rank == 0) {
            first = &vf->suites[i];
        }
    }
    const struct suite_info *s = first != NULL ? registry_suite_by_code(first->code) : NULL;
    if (s == NULL) {
        snprintf(out, out_len, "; the server's order under TLS 1.0 is not known (%s order)",
                 enum_order_name(vf->order));
        return;
    }
    snprintf(out, out_len, "; the server's first choice under TLS 1.0 is %s (%s)", s->iana_name,
             has(s, SUITE_RC4)    ? "RC4: not CBC, but RC4 is broken itself"
             : has(s, SUITE_AEAD) ? "AEAD: not CBC"
             : has(s, SUITE_CBC)  ? "CBC"
                                  : "not CBC");
}

enum probe_step probe_beast_run(struct probe_ctx *c)
{
    const struct enum_version_fact *vf = &c->r->enumeration.versions[TLSV_TLS10];
    struct vfind f;
    vfind_walk(&c->r->enumeration, TLSV_BIT(TLSV_TLS10), p_cbc, &f);
    if (f.hits > 0) {
        char order[FACT_TEXT];
        beast_first_choice(vf, order, sizeof(order));
        ev_append(&f, order);
    }
    vfind_record(
        c, "beast", TLSV_TLS10, &f, PR_POSITIVE, "CVE-2011-3389: TLS 1.0 accepted with CBC suites",
        vf->state == PROBE_REFUSED ? "TLS 1.0 refused" : "TLS 1.0 accepted without a CBC suite");
    return PROBE_NEXT;
}

/* A check that is one suite predicate over some versions and one row. */
struct attr_check {
    const char *id;
    unsigned vmask;
    suite_pred pred;
    enum probe_result_state hit_state;
    const char *hit_detail;
    const char *neg_detail;
};

static const struct attr_check k_sweet32 = {
    "sweet32",
    V_ALL_BUT_TLS13,
    p_block64,
    PR_POSITIVE,
    "CVE-2016-2183: a 64-bit block cipher suite is accepted",
    "no 64-bit block cipher suite accepted"};
static const struct attr_check k_freak = {"freak",
                                          V_SSL3_TLS12,
                                          p_rsa_export,
                                          PR_POSITIVE,
                                          "CVE-2015-0204: an RSA EXPORT suite is accepted",
                                          "no RSA EXPORT suite accepted"};
static const struct attr_check k_rc4 = {"rc4",
                                        V_ALL_BUT_TLS13,
                                        p_rc4,
                                        PR_POSITIVE,
                                        "CVE-2013-2566, CVE-2015-2808: an RC4 suite is accepted",
                                        "no RC4 suite accepted"};
static const struct attr_check k_null_anon = {"null_anon",
                                              V_ALL,
                                              p_null_anon,
                                              PR_POSITIVE,
                                              "a NULL-cipher or anonymous suite is accepted",
                                              "no NULL-cipher or anonymous suite accepted"};
static const struct attr_check k_lucky13 = {
    "lucky13",
    V_SSL3_TLS12,
    p_cbc,
    PR_INFO,
    "CVE-2013-0169: CBC suites in use (information only: whether the implementation's timing "
    "leaks is not tested)",
    "no CBC suite accepted"};

static enum probe_step attr_check_run(struct probe_ctx *c, const struct attr_check *k)
{
    struct vfind f;
    vfind_walk(&c->r->enumeration, k->vmask, k->pred, &f);
    vfind_record(c, k->id, PROBE_NO_VERSION, &f, k->hit_state, k->hit_detail, k->neg_detail);
    return PROBE_NEXT;
}

enum probe_step probe_sweet32_run(struct probe_ctx *c)
{
    return attr_check_run(c, &k_sweet32);
}

enum probe_step probe_freak_run(struct probe_ctx *c)
{
    return attr_check_run(c, &k_freak);
}

enum probe_step probe_rc4_run(struct probe_ctx *c)
{
    return attr_check_run(c, &k_rc4);
}

enum probe_step probe_null_anon_run(struct probe_ctx *c)
{
    return attr_check_run(c, &k_null_anon);
}

enum probe_step probe_lucky13_run(struct probe_ctx *c)
{
    return attr_check_run(c, &k_lucky13);
}

/* The well-known primes among the DH primes the enumeration saw
 * (dh_primes.h): how many, the weakest one (smallest), and evidence naming
 * each with the handshake it first came with. */
struct known_primes {
    size_t n_known, n_primes;
    const struct dh_known_prime *weakest;
    struct vfind ev; /* only its evidence buffer is used */
};

static void known_primes_walk(const struct kex_list *l, struct known_primes *k)
{
    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < l->n_items; i++) {
        const struct kex_value *v = &l->items[i];
        if (v->kind != KEX_DH_PRIME) {
            continue;
        }
        k->n_primes++;
        const struct dh_known_prime *p = dh_known_prime_find(v->sha256);
        if (p == NULL) {
            continue;
        }
        if (k->weakest == NULL || p->bits < k->weakest->bits) {
            k->weakest = p;
        }
        const struct suite_info *s = registry_suite_by_code(v->suite);
        char one[FACT_TEXT];
        snprintf(one, sizeof(one), "%s%s (%u bits, %s) with %s %s", k->n_known ? "; " : "", p->name,
                 p->bits, p->source, tls_version_name(v->version), s != NULL ? s->iana_name : "?");
        ev_append(&k->ev, one);
        k->n_known++;
    }
}

/* Logjam (CVE-2015-4000): a DHE EXPORT suite or a prime under 1024 bits
 * (positive); a well-known prime of 1024 bits or less, which one
 * precomputation serves for every server using it (positive); a well-known
 * larger prime: negative, and a second row (info) naming it; else negative
 * when every version was decided. */
enum probe_step probe_logjam_run(struct probe_ctx *c)
{
    struct vfind f;
    struct known_primes k;
    const struct kex_list *l = &c->r->enumeration.kex;
    vfind_walk(&c->r->enumeration, V_SSL3_TLS12, p_weak_dhe, &f);
    known_primes_walk(l, &k);
    char hit[FACT_TEXT];
    if (f.hits == 0 && k.weakest != NULL && k.weakest->bits <= 1024) {
        snprintf(hit, sizeof(hit),
                 "CVE-2015-4000: a well-known %u-bit DH prime is in use (%s): one precomputation "
                 "breaks every server that uses it",
                 k.weakest->bits, k.weakest->source);
        probe_record(c, "logjam", PROBE_NO_VERSION, 0, PR_POSITIVE, hit, k.ev.evidence);
        return PROBE_NEXT;
    }
    if (f.hits == 0 && f.undecided[0] == '\0' && k.weakest != NULL) {
        /* Two rows: the answer (negative: a policy passes it) and the
         * observation (info), which alone would leave a rule inconclusive. */
        snprintf(hit, sizeof(hit),
                 "no DHE EXPORT suite, no DH prime under 1024 bits and no well-known prime of "
                 "1024 bits or less accepted (%zu distinct primes compared with %zu well-known "
                 "ones)",
                 k.n_primes, dh_known_primes_count);
        probe_record(c, "logjam", PROBE_NO_VERSION, 0, PR_NEGATIVE, hit, NULL);
        snprintf(hit, sizeof(hit), "well-known prime (%s): larger than 1024 bits, not weak",
                 k.weakest->source);
        probe_record(c, "logjam", PROBE_NO_VERSION, 0, PR_INFO, hit, k.ev.evidence);
        return PROBE_NEXT;
    }
    snprintf(hit, sizeof(hit),
             "CVE-2015-4000: a DHE EXPORT suite or a DH prime under 1024 bits is accepted "
             "(first: %d bits)",
             f.best != NULL ? f.best->kx_bits : 0);
    if (f.hits > 0 && k.n_known > 0) {
        ev_append(&f, "; well-known primes: ");
        ev_append(&f, k.ev.evidence);
    }
    char neg[FACT_TEXT];
    if (fact_collected(&l->header)) {
        snprintf(neg, sizeof(neg),
                 "no DHE EXPORT suite, no DH prime under 1024 bits and no well-known prime "
                 "accepted (%zu distinct primes compared with %zu well-known ones)",
                 k.n_primes, dh_known_primes_count);
    } else {
        snprintf(neg, sizeof(neg),
                 "no DHE EXPORT suite and no DH prime under 1024 bits "
                 "accepted (the primes were not collected)");
    }
    vfind_record(c, "logjam", PROBE_NO_VERSION, &f, PR_POSITIVE, hit, neg);
    return PROBE_NEXT;
}

/* DROWN on this target: SSLv2 accepted at all (any cipher kind). */
enum probe_step probe_drown_sslv2_run(struct probe_ctx *c)
{
    const struct enum_version_fact *vf = &c->r->enumeration.versions[TLSV_SSL2];
    if (vf->state == PROBE_ACCEPTED) {
        struct vfind f;
        memset(&f, 0, sizeof(f));
        f.last_v = -1;
        for (size_t i = 0; i < vf->n_suites; i++) {
            note_hit(&f, TLSV_SSL2, registry_suite_by_code(vf->suites[i].code), &vf->suites[i]);
        }
        probe_record(c, "drown_sslv2", TLSV_SSL2, 0, PR_POSITIVE,
                     "CVE-2016-0800: SSLv2 accepted on this target (another endpoint sharing "
                     "the key: drown_shared_key)",
                     f.len > 0 ? f.evidence : NULL);
    } else if (vf->state == PROBE_REFUSED) {
        probe_record(c, "drown_sslv2", TLSV_SSL2, 0, PR_NEGATIVE,
                     "SSLv2 refused on this target (another endpoint sharing the key: "
                     "drown_shared_key)",
                     NULL);
    } else {
        char why[FACT_TEXT];
        snprintf(why, sizeof(why), "not decided: SSL 2.0 %s%s%.160s", probe_state_name(vf->state),
                 vf->reason[0] != '\0' ? ": " : "", vf->reason);
        probe_record(c, "drown_sslv2", TLSV_SSL2, 0, PR_COULD_NOT_TEST, why, NULL);
    }
    return PROBE_NEXT;
}
