/*
 * common/model/grade.c - the SSL Labs-style grade of one target from its
 * stored facts (grade.h). Libc only, below every layer that reads facts.
 *
 * The numbers are the rating guide's (SSL Labs "SSL Server Rating Guide",
 * version 2009, as in ssllabs/research docs/SSL_Server_Rating_Guide.xml):
 * protocol support 30%, key exchange 30%, cipher strength 40%; protocol
 * and cipher take (best + worst) / 2 of their tables; a zero category makes
 * the whole score zero; Table 1 turns the score into A (>= 80), B (>= 65),
 * C (>= 50), D (>= 35), E (>= 20), F. Key exchange takes the weakest
 * handshake the server accepts (the guide gives no combination rule; the
 * DH / ECDH parameters count together with the certificate key, as its
 * note says), EC sizes mapped to RSA-equivalent sizes (NIST SP 800-57 Part
 * 1, Table 2). TLS 1.3 is not in the 2009 protocol table: it scores as
 * TLS 1.2 does.
 *
 * Then the caps of `rules` below, each with the source it comes from; the
 * grade is the worst of the score's letter and every cap. A+ is an A with
 * no cap at all (the "A" caps are what withholds it). T and M replace the
 * letter (the guide's out-of-scope grades); trust_ignored keeps it.
 *
 * Invariant: every rule adds at most one cap, in the table's order.
 */
#include "common/model/grade.h"
#include "common/model/grade_private.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "common/model/registry.h"
#include "common/util.h"

/* ---- the rules ------------------------------------------------------------ */

#define SRC_GUIDE "SSL Labs SSL Server Rating Guide 2009 (ssllabs/research)"
#define SRC_2009C "Rating Guide, changes in 2009c (7 Feb 2013)"
#define SRC_2009E "Rating Guide, changes in 2009e (21 Jan 2014)"
#define SRC_2014 "SSL Labs end-of-year 2014 update (blog.qualys.com, 8 Dec 2014)"
#define SRC_2015 "SSL Labs 1.17 (blog.qualys.com, 21 May 2015)"
#define SRC_2015RC4 "SSL Labs: F for RC4-only servers from October 2015 (blog.qualys.com)"
#define SRC_2009L "Rating Guide 2009l: DROWN (blog.qualys.com, 2016)"
#define SRC_2017 "SSL Labs grading changes January 2017 (1.28.3, blog.qualys.com)"
#define SRC_2018 "SSL Labs grading update March 2018 (1.31.0, blog.qualys.com)"
#define SRC_2020 "SSL Labs grade change for TLS 1.0 and 1.1 (live 31 Jan 2020, blog.qualys.com)"
#define SRC_TESTSSL "testssl.sh's implementation of Rating Guide 2009q"
#define SRC_PRACTICE                                                                               \
    "SSL Labs practice (F for this flaw); not confirmed from the guide's text: tlsaudit's reading"
#define SRC_TLSAUDIT "tlsaudit's approximation (no client simulation)"
#define SRC_READING "tlsaudit's reading; not confirmed from SSL Labs' published text"
#define SRC_HSTS "Rating Guide 2009e (HSTS warning); the 180-day max-age is tlsaudit's reading"

struct rule {
    const char *id;
    enum grade_letter cap;
    const char *reason;
    const char *source;
};

static const struct rule rules[R_COUNT] = {
    [R_SSL2] = {"sslv2", GRADE_F, "SSL 2.0 is accepted", SRC_2009C},
    [R_SSL3_ONLY] = {"sslv3_only", GRADE_F, "SSL 3.0 is the only protocol", SRC_2014},
    [R_SSL3_POODLE] = {"sslv3_poodle", GRADE_C, "SSL 3.0 is accepted and vulnerable to POODLE",
                       SRC_2014},
    [R_SSL3] = {"sslv3", GRADE_B, "SSL 3.0 is accepted", SRC_2014},
    [R_TLS10_11] = {"tls10_tls11", GRADE_B, "TLS 1.0 or TLS 1.1 is accepted", SRC_2020},
    [R_NO_TLS12] = {"no_tls12", GRADE_C, "neither TLS 1.2 nor TLS 1.3 is accepted", SRC_2015},
    [R_ANON] = {"anon_kx", GRADE_F,
                "anonymous key exchange (no authentication): key exchange scores 0", SRC_GUIDE},
    [R_WEAK_CIPHER] = {"cipher_below_112", GRADE_F, "a cipher weaker than 112 bits is accepted",
                       SRC_TESTSSL},
    [R_RC4_ONLY] = {"rc4_only", GRADE_F, "RC4 is the only cipher", SRC_2015RC4},
    [R_RC4_MODERN] = {"rc4_modern", GRADE_C,
                      "RC4 is used with TLS 1.1 or later (read from the server's order)", SRC_2015},
    [R_RC4] = {"rc4", GRADE_B, "RC4 is accepted (with older protocols only)", SRC_2015},
    [R_BLOCK64_MODERN] = {"block64_modern", GRADE_C,
                          "a 64-bit block cipher (3DES, SWEET32) is used with TLS 1.1 or later "
                          "(read from the server's order)",
                          SRC_2017},
    [R_NO_FS] = {"no_forward_secrecy", GRADE_B,
                 "no forward secrecy with modern clients (read from the server's order)", SRC_2018},
    [R_NO_FS_TLS12] = {"no_forward_secrecy_tls12", GRADE_A_MINUS,
                       "no forward secrecy for TLS 1.2 clients (TLS 1.3 has it)", SRC_TLSAUDIT},
    [R_NO_AEAD] = {"no_aead", GRADE_B,
                   "no AEAD suite with modern clients (read from the server's order)", SRC_2018},
    [R_NO_AEAD_TLS12] = {"no_aead_tls12", GRADE_A_MINUS,
                         "no AEAD suite for TLS 1.2 clients (TLS 1.3 has them)", SRC_TLSAUDIT},
    [R_DH_1024] = {"dh_below_1024", GRADE_F, "DH parameters weaker than 1024 bits (Logjam)",
                   SRC_2015},
    [R_DH_2048] = {"dh_below_2048", GRADE_B, "weak DH parameters (below 2048 bits)", SRC_2015},
    [R_KEY_1024] = {"key_below_1024", GRADE_F,
                    "a certificate key weaker than 1024 RSA-equivalent bits", SRC_READING},
    [R_KEY_2048] = {"key_below_2048", GRADE_B,
                    "a certificate key weaker than 2048 RSA-equivalent bits", SRC_READING},
    [R_CRIME] = {"crime", GRADE_B, "TLS compression (CRIME)", SRC_2009C},
    [R_INSECURE_RENEG] = {"insecure_renegotiation", GRADE_F,
                          "client-initiated renegotiation without RFC 5746", SRC_2009C},
    [R_HEARTBLEED] = {"heartbleed", GRADE_F, "vulnerable to Heartbleed", SRC_PRACTICE},
    [R_CCS] = {"ccs_injection", GRADE_F, "vulnerable to CCS injection (CVE-2014-0224)",
               SRC_PRACTICE},
    [R_TICKETBLEED] = {"ticketbleed", GRADE_F, "vulnerable to Ticketbleed", SRC_PRACTICE},
    [R_ROBOT] = {"robot", GRADE_F, "vulnerable to ROBOT", SRC_2018},
    [R_DROWN] = {"drown", GRADE_F, "vulnerable to DROWN", SRC_2009L},
    [R_INCOMPLETE] = {"chain_incomplete", GRADE_B,
                      "the served chain is incomplete (trusted only through AIA)", SRC_2014},
    [R_MISMATCH] = {"name_mismatch", GRADE_M, "the certificate does not match the name", SRC_GUIDE},
    [R_UNTRUSTED] = {"not_trusted", GRADE_T, "the chain is not trusted", SRC_GUIDE},
    [R_SELF_SIGNED] = {"self_signed", GRADE_T, "a self-signed certificate", SRC_GUIDE},
    [R_EXPIRED] = {"expired", GRADE_T, "a certificate of the chain has expired", SRC_GUIDE},
    [R_NOT_YET_VALID] = {"not_yet_valid", GRADE_T, "a certificate of the chain is not yet valid",
                         SRC_GUIDE},
    [R_REVOKED] = {"revoked", GRADE_T, "the certificate is revoked", SRC_GUIDE},
    [R_MD5_SIG] = {"insecure_signature", GRADE_T, "an MD5 or MD2 certificate signature", SRC_2009E},
    [R_PLUS_CHAIN] = {"plus_chain_unknown", GRADE_A,
                      "A+ withheld: the certificate chain was not collected", SRC_READING},
    [R_PLUS_HSTS] = {"plus_hsts", GRADE_A,
                     "A+ withheld: no HSTS with a max-age of at least 180 days", SRC_HSTS},
    [R_PLUS_SCSV] = {"plus_fallback_scsv", GRADE_A, "A+ withheld: TLS_FALLBACK_SCSV not shown",
                     SRC_2014},
    [R_PLUS_SHA1] = {"plus_sha1_chain", GRADE_A, "A+ withheld: a SHA-1 signature in the chain",
                     SRC_2014},
};

/* HSTS max-age A+ asks for: 180 days, in seconds. */
#define GRADE_HSTS_MIN_AGE (180LL * 86400)

const char *grade_letter_name(enum grade_letter g)
{
    static const char *const names[GRADE_LETTER_COUNT] = {"A+", "A", "A-", "B", "C", "D",
                                                          "E",  "F", "T",  "M", "-"};
    return (unsigned)g < GRADE_LETTER_COUNT ? names[g] : "?";
}

void grade_add_cap(struct grade *g, enum rule_id id, const char *fmt, ...)
{
    for (size_t i = 0; i < g->n_caps; i++) {
        if (strcmp(g->caps[i].id, rules[id].id) == 0) {
            return;
        }
    }
    if (g->n_caps >= GRADE_CAPS_MAX) {
        return;
    }
    struct grade_cap *c = &g->caps[g->n_caps++];
    c->cap = rules[id].cap;
    c->id = rules[id].id;
    c->reason = rules[id].reason;
    c->source = rules[id].source;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(c->evidence, sizeof(c->evidence), fmt, ap);
    va_end(ap);
}

/* ---- certificate caps, per deployment ---------------------------------------- */

static bool weak_signature(const struct cert_fact *c, const char *alg)
{
    return !c->self_signed && strstr(c->sig_alg, alg) != NULL;
}

static void deployment_caps(const struct deployment_view *d, struct grade *g)
{
    const struct chain_fact *ch = d->chain;
    const char *l = d->label;
    if (ch->hostname_checked && !ch->hostname_match) {
        grade_add_cap(g, R_MISMATCH, "%s: does not match %s", l, ch->hostname);
    }
    bool aia_ok = ch->aia_completed && ch->aia_trusted;
    if (ch->self_signed && !ch->trusted) {
        grade_add_cap(g, R_SELF_SIGNED, "%s: the leaf is self-signed", l);
    } else if (!ch->trusted && !aia_ok) {
        grade_add_cap(g, R_UNTRUSTED, "%s: %s", l,
                      ch->verify_text[0] != '\0' ? ch->verify_text : "not trusted");
    } else if (ch->incomplete && !ch->trusted && aia_ok) {
        grade_add_cap(g, R_INCOMPLETE, "%s: %s", l, ch->aia_detail);
    }
    if (ch->expired) {
        grade_add_cap(g, R_EXPIRED, "%s: %lld days left", l, (long long)ch->min_days_left);
    }
    if (ch->not_yet_valid) {
        grade_add_cap(g, R_NOT_YET_VALID, "%s: a certificate before its notBefore", l);
    }
    bool revoked =
        strcmp(ch->ocsp_status, "revoked") == 0 ||
        (fact_collected(&d->revoc_header) && d->n_revoc > 0 && d->revoc[0].status == REVOC_REVOKED);
    if (revoked) {
        grade_add_cap(g, R_REVOKED, "%s: the leaf is revoked", l);
    }
    for (size_t i = 0; i < d->n_certs; i++) {
        const struct cert_fact *c = &d->certs[i];
        if (weak_signature(c, "MD5") || weak_signature(c, "MD2")) {
            grade_add_cap(g, R_MD5_SIG, "%s: certificate %zu signed with %s", l, i, c->sig_alg);
        } else if (weak_signature(c, "SHA1")) {
            grade_add_cap(g, R_PLUS_SHA1, "%s: certificate %zu signed with %s", l, i, c->sig_alg);
        }
    }
}

static void chain_caps(const struct target_result *r, struct grade *g)
{
    bool any = false;
    for (size_t i = 0; i < target_n_deployments(r); i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        /* The chain a client without SNI gets is shown, not graded: every
         * client a grade speaks for sends SNI (SSL Labs grades that one). */
        bool no_sni = d.label != NULL && strcmp(d.label, "no SNI") == 0;
        if (fact_collected(&d.chain_header) && d.n_certs > 0 && !no_sni) {
            any = true;
            deployment_caps(&d, g);
        }
    }
    if (!any) {
        grade_add_cap(g, R_PLUS_CHAIN, "chain: %s",
                      r->chain_header.detail[0] != '\0' ? r->chain_header.detail : "not collected");
    }
}

/* ---- what A+ asks for --------------------------------------------------------- */

/* http_service: TLS from the first byte (starttls "none"): the service may
 * speak HTTP, so HSTS is asked of it; a STARTTLS or other direct-TLS
 * protocol (smtps, imaps ...) is never asked for an HTTP header. */
static bool http_service(const struct target_result *r)
{
    return r->starttls[0] == '\0' || strcmp(r->starttls, "none") == 0;
}

static void plus_caps(const struct target_result *r, struct grade *g)
{
    const struct http_fact *h = &r->http;
    if (http_service(r)) {
        if (!fact_attempted(&h->hsts)) {
            grade_add_cap(g, R_PLUS_HSTS,
                          "HSTS not requested on port %u (--offline, or not 443 "
                          "without --hsts)",
                          (unsigned)r->port);
        } else if (!fact_collected(&h->hsts)) {
            grade_add_cap(g, R_PLUS_HSTS, "HSTS request failed: %s", h->hsts.detail);
        } else if (!h->hsts_present || !h->hsts_valid) {
            grade_add_cap(g, R_PLUS_HSTS, "%s",
                          h->hsts_present ? "HSTS header invalid" : "no HSTS header");
        } else if (h->hsts_max_age < GRADE_HSTS_MIN_AGE) {
            grade_add_cap(g, R_PLUS_HSTS, "HSTS max-age=%lld", (long long)h->hsts_max_age);
        }
    }
    const struct probe_result *scsv = NULL;
    for (size_t i = 0; i < r->probes.n_items; i++) {
        if (strcmp(r->probes.items[i].id, "fallback_scsv") == 0) {
            scsv = &r->probes.items[i];
            break;
        }
    }
    if (scsv == NULL) {
        grade_add_cap(g, R_PLUS_SCSV, "fallback_scsv: no result");
    } else if (scsv->state != PR_NEGATIVE && scsv->state != PR_NOT_APPLICABLE) {
        grade_add_cap(g, R_PLUS_SCSV, "fallback_scsv %s: %s", probe_result_state_name(scsv->state),
                      scsv->detail);
    }
}

/* ---- the grade ----------------------------------------------------------------- */

static void final_letter(struct grade *g)
{
    enum grade_letter worst = g->score_letter;
    bool t = false, m = false, capped = false;
    for (size_t i = 0; i < g->n_caps; i++) {
        enum grade_letter c = g->caps[i].cap;
        if (c == GRADE_T) {
            t = true;
        } else if (c == GRADE_M) {
            m = true;
        } else {
            capped = true;
            worst = c > worst ? c : worst;
        }
    }
    g->trust_ignored = worst == GRADE_A && !capped ? GRADE_A_PLUS : worst;
    g->letter = m ? GRADE_M : t ? GRADE_T : g->trust_ignored;
}

void grade_target(const struct target_result *r, struct grade *out)
{
    memset(out, 0, sizeof(*out));
    out->letter = out->trust_ignored = out->score_letter = GRADE_NONE;
    if (r->status != TARGET_OK) {
        (void)snprintf(out->why_not, sizeof(out->why_not), "not graded: target %s",
                       target_status_name(r->status));
        return;
    }
    out->graded = true;
    out->from_enumeration = grade_from_enumeration(r);
    struct leaf_bits lb;
    grade_leaf_bits(r, &lb);
    grade_scores(r, &lb, out);
    grade_protocol_caps(r, out);
    grade_cipher_caps(r, out);
    grade_modern_caps(r, out, SUITE_FS, R_NO_FS, R_NO_FS_TLS12);
    grade_modern_caps(r, out, SUITE_AEAD, R_NO_AEAD, R_NO_AEAD_TLS12);
    grade_kex_caps(r, &lb, out);
    grade_probe_caps(r, out);
    chain_caps(r, out);
    plus_caps(r, out);
    final_letter(out);
    const char *why = out->from_enumeration ? ""
                                            : "no enumeration: only the suites the GnuTLS "
                                              "handshakes negotiated were graded";
    if (out->key_exchange < 0) {
        why = "no key-exchange size known (no certificate collected): scored on protocol and "
              "cipher only";
    } else if (why[0] == '\0' && !fact_collected(&r->probes.header)) {
        why = "the vulnerability probes did not run: their caps could not apply";
    }
    (void)snprintf(out->note, sizeof(out->note), "%s", why);
}
