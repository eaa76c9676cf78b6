/*
 * scanner/gnutls/x509_chain.c - trust anchors and chain validation: the
 * GnuTLS X.509 adapter's validating half (x509_facts.c reads the
 * certificates; both implement scanner/x509.h).
 *
 * Sits after the handshake: the served chain (as cert_facts) and the
 * stapled OCSP response become a struct chain_fact.
 *
 * Invariants and decisions:
 * - chain_fact.trusted is true exactly when verify_status is 0: the chain
 *   verifies to a trust anchor, for TLS server use, with every certificate of
 *   the validation path (and the anchor) valid at `now`. The hostname is
 *   NOT part of it: hostname_match is reported separately.
 * - Validity periods are checked against the caller's `now`, never the
 *   clock: GnuTLS verifies with its time checks disabled and the times are
 *   compared here. chain_fact.expired/not_yet_valid cover every served
 *   certificate; only those on the validation path make the chain untrusted
 *   (an extra expired cross-certificate does not break a path that clients
 *   build without it).
 * - No network here: the stapled OCSP response is judged here (ocsp.c);
 *   fetched OCSP responses, CRLs and AIA issuers are scanner/revocation.c's,
 *   which asks x509_anchor_issuer for issuers held only by the trust store.
 */
#include "scanner/x509.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/infile.h"
#include "scanner/gnutls/ocsp.h"
#include "scanner/gnutls/x509_private.h"

/* bytes of a --ca-file: room for every public CA many times over */
#define X509_MAX_CA_FILE (64 * 1024 * 1024)

/* Verification: time checks are done here against the caller's `now`. */
#define X509_VERIFY_FLAGS                                                                          \
    (GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

/* --- trust anchors --------------------------------------------------------- */

int x509_trust_new(const char *ca_file, struct x509_trust **out, char *err, size_t err_len)
{
    struct x509_trust *t = NULL;
    char *ca = NULL;
    size_t ca_len = 0;
    int rc = -1;
    *out = NULL;
    x509_errf(err, err_len, "%s", "");

    if (ca_file != NULL) {
        /* read here, not by GnuTLS: it would wait on a FIFO and read a
         * device such as /dev/zero without end, and say only "error
         * parsing" for a missing or empty file */
        ca = infile_read(ca_file, "CA file", X509_MAX_CA_FILE, &ca_len, err, err_len);
        if (ca == NULL) {
            goto out;
        }
        if (ca_len == 0) {
            x509_errf(err, err_len, "CA file %s is empty", ca_file);
            goto out;
        }
    }

    t = calloc(1, sizeof(*t));
    if (t == NULL || gnutls_x509_trust_list_init(&t->tl, 0) < 0) {
        x509_errf(err, err_len, "out of memory");
        free(t);
        t = NULL;
        goto out;
    }
    if (ca_file == NULL) {
        int r = gnutls_x509_trust_list_add_system_trust(t->tl, 0, 0);
        if (r < 0) {
            x509_errf(err, err_len, "cannot load the system trust store: %s", gnutls_strerror(r));
            goto out;
        }
        if (r == 0) {
            x509_errf(err, err_len, "the system trust store holds no certificate");
            goto out;
        }
    } else {
        gnutls_datum_t d = {(unsigned char *)ca, (unsigned)ca_len};
        int r = gnutls_x509_trust_list_add_trust_mem(t->tl, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (r <= 0) {
            r = gnutls_x509_trust_list_add_trust_mem(t->tl, &d, NULL, GNUTLS_X509_FMT_DER, 0, 0);
        }
        if (r <= 0) {
            x509_errf(err, err_len, "no certificate found in CA file %s (PEM or DER)", ca_file);
            goto out;
        }
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    x509_trust_free(t);
    free(ca);
    return rc;
}

void x509_trust_free(struct x509_trust *t)
{
    if (t == NULL) {
        return;
    }
    if (t->tl != NULL) {
        gnutls_x509_trust_list_deinit(t->tl, 1);
    }
    free(t);
}

/* --- chain validation --------------------------------------------------- */

/* x509_status_words appends the words for the GnuTLS status flags. */
static void x509_status_words(unsigned status, bool incomplete, bool top_self_signed, char *text,
                              size_t text_len)
{
    static const struct x509_flag_word words[] = {
        {GNUTLS_CERT_REVOKED, "revoked"},
        {GNUTLS_CERT_SIGNER_NOT_CA, "issuer is not a CA"},
        {GNUTLS_CERT_INSECURE_ALGORITHM, "insecure algorithm"},
        {GNUTLS_CERT_NOT_ACTIVATED, "not yet valid"},
        {GNUTLS_CERT_EXPIRED, "expired"},
        {GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature"},
        {GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED, "revocation data superseded"},
        {GNUTLS_CERT_UNEXPECTED_OWNER, "hostname mismatch"},
        {GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE, "revocation data issued in the future"},
        {GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "issuer constraints violated"},
        {GNUTLS_CERT_MISMATCH, "certificate mismatch"},
        {GNUTLS_CERT_PURPOSE_MISMATCH, "not valid for TLS server use"},
        {GNUTLS_CERT_MISSING_OCSP_STATUS, "missing OCSP status"},
        {GNUTLS_CERT_INVALID_OCSP_STATUS, "invalid OCSP status"},
        {GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown critical extension"},
    };
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
        x509_text_add(text, text_len,
                      incomplete        ? "issuer not found (incomplete chain)"
                      : top_self_signed ? "self-signed certificate not trusted"
                                        : "issuer not found");
    }
    x509_flag_words(status, words, sizeof(words) / sizeof(words[0]), text, text_len);
}

/* The served chain imported into GnuTLS. crts[i] is NULL when certs[i] is
 * not a certificate. */
struct x509_chain {
    gnutls_x509_crt_t *crts;
    size_t n;
};

static void x509_chain_free(struct x509_chain *c)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->crts[i] != NULL) {
            gnutls_x509_crt_deinit(c->crts[i]);
        }
    }
    free(c->crts);
    c->crts = NULL;
    c->n = 0;
}

/* x509_chain_import imports certs; returns 0, or -1 when out of memory. */
static int x509_chain_import(const struct cert_fact *certs, size_t n, struct x509_chain *c)
{
    c->crts = calloc(n, sizeof(*c->crts));
    c->n = 0;
    if (c->crts == NULL) {
        return -1;
    }
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        gnutls_x509_crt_t crt = NULL;
        if (gnutls_x509_crt_init(&crt) < 0) {
            return -1;
        }
        gnutls_datum_t d = {certs[i].der, (unsigned)certs[i].der_len};
        if (certs[i].der == NULL || certs[i].der_len > UINT_MAX ||
            gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crt);
            crt = NULL;
        }
        c->crts[i] = crt;
    }
    return 0;
}

/* x509_issued_by reports whether c names `by` as its issuer (DN and key
 * identifiers; no signature check). */
static bool x509_issued_by(gnutls_x509_crt_t c, gnutls_x509_crt_t by)
{
    return c != NULL && by != NULL && gnutls_x509_crt_check_issuer(c, by) != 0;
}

/* x509_wrong_order reports whether some certificate is not followed by its
 * issuer although that issuer was served elsewhere in the list (RFC 8446
 * §4.4.2 / RFC 5246 §7.4.2: each certificate certifies the one before). */
static bool x509_wrong_order(const struct x509_chain *c)
{
    for (size_t i = 0; i < c->n; i++) {
        gnutls_x509_crt_t ci = c->crts[i];
        if (ci == NULL || x509_issued_by(ci, ci)) {
            continue;
        }
        if (i + 1 < c->n && x509_issued_by(ci, c->crts[i + 1])) {
            continue;
        }
        for (size_t j = 0; j < c->n; j++) {
            if (j != i && x509_issued_by(ci, c->crts[j])) {
                return true;
            }
        }
    }
    return false;
}

/* The validation path as clients build it: the leaf, then served issuers,
 * until a trust anchor issued (or is) the top certificate. */
struct x509_path {
    size_t idx[X509_MAX_CHAIN]; /* indexes into the served chain */
    size_t n;
    gnutls_x509_crt_t anchor; /* owned copy, NULL when none was found */
    bool top_self_signed;     /* no anchor: the top certificate is self-signed */
};

static void x509_path_build(const struct x509_trust *t, const struct x509_chain *c,
                            struct x509_path *p)
{
    bool used[X509_MAX_CHAIN] = {false};
    memset(p, 0, sizeof(*p));
    if (c->n == 0 || c->crts[0] == NULL) {
        return;
    }
    size_t cur = 0;
    used[0] = true;
    p->idx[p->n++] = 0;
    for (;;) {
        gnutls_x509_crt_t crt = c->crts[cur];
        gnutls_x509_crt_t anchor = NULL;
        if (gnutls_x509_trust_list_get_issuer(t->tl, crt, &anchor, GNUTLS_TL_GET_COPY) == 0 &&
            anchor != NULL) {
            p->anchor = anchor;
            return;
        }
        if (x509_issued_by(crt, crt)) {
            p->top_self_signed = x509_crt_self_signed(crt);
            return;
        }
        size_t next = c->n;
        for (size_t j = 0; j < c->n && j < X509_MAX_CHAIN; j++) {
            if (!used[j] && x509_issued_by(crt, c->crts[j])) {
                next = j;
                break;
            }
        }
        if (next == c->n || p->n == X509_MAX_CHAIN) {
            return;
        }
        used[next] = true;
        p->idx[p->n++] = next;
        cur = next;
    }
}

/* x509_time_status returns the GnuTLS flags for crt's validity at now. */
static unsigned x509_time_status(gnutls_x509_crt_t crt, int64_t now)
{
    int64_t nb = 0;
    int64_t na = 0;
    x509_crt_times(crt, &nb, &na);
    unsigned status = 0;
    if (now > na) {
        status |= GNUTLS_CERT_EXPIRED | GNUTLS_CERT_INVALID;
    }
    if (now < nb) {
        status |= GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_INVALID;
    }
    return status;
}

/* x509_check_name fills the hostname fields from the leaf. */
static void x509_check_name(gnutls_x509_crt_t leaf, const char *hostname, const char *ip,
                            struct chain_fact *out)
{
    if (hostname != NULL) {
        out->hostname_checked = true;
        x509_set(out->hostname, sizeof(out->hostname), hostname);
        out->hostname_match =
            leaf != NULL && gnutls_x509_crt_check_hostname2(leaf, hostname, 0) != 0;
        return;
    }
    if (ip == NULL) {
        return;
    }
    out->hostname_checked = true;
    x509_set(out->hostname, sizeof(out->hostname), ip);
    unsigned char raw[16];
    unsigned raw_len = 0;
    if (inet_pton(AF_INET, ip, raw) == 1) {
        raw_len = 4;
    } else if (inet_pton(AF_INET6, ip, raw) == 1) {
        raw_len = 16;
    }
    out->hostname_match =
        leaf != NULL && raw_len > 0 && gnutls_x509_crt_check_ip(leaf, raw, raw_len, 0) != 0;
}

/* x509_fmt_time writes t as "YYYY-MM-DD HH:MM:SS UTC". */
void x509_fmt_time(int64_t t, char *buf, size_t buf_len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, buf_len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        snprintf(buf, buf_len, "%lld", (long long)t);
    }
}

/* x509_crl_reason_name names an RFC 5280 §5.3.1 CRLReason. */
const char *x509_crl_reason_name(unsigned reason)
{
    static const char *const names[] = {
        "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
        "superseded",    "cessationOfOperation", "certificateHold", NULL,
        "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
    };
    if (reason < sizeof(names) / sizeof(names[0]) && names[reason] != NULL) {
        return names[reason];
    }
    return "unknown reason";
}

/* x509_ocsp_issuer returns the issuer of the leaf: a served certificate
 * (borrowed, *owned false) or a trust anchor copy (*owned true), or NULL. */
static gnutls_x509_crt_t x509_ocsp_issuer(const struct x509_trust *t, const struct x509_chain *c,
                                          bool *owned)
{
    *owned = false;
    for (size_t j = 1; j < c->n; j++) {
        if (x509_issued_by(c->crts[0], c->crts[j])) {
            return c->crts[j];
        }
    }
    gnutls_x509_crt_t anchor = NULL;
    if (gnutls_x509_trust_list_get_issuer(t->tl, c->crts[0], &anchor, GNUTLS_TL_GET_COPY) == 0 &&
        anchor != NULL) {
        *owned = true;
        return anchor;
    }
    return NULL;
}

/* x509_ocsp_check judges the stapled OCSP response (RFC 6960) for the leaf
 * with the one verifier (scanner/ocsp.c): parsed, successful, about the
 * leaf, signed by the leaf's issuer (or a responder it delegated to), fresh
 * at now. Fills ocsp_status ("good", "revoked", "unknown", "invalid") and
 * ocsp_detail. */
static void x509_ocsp_check(const struct x509_trust *t, const struct x509_chain *c,
                            const unsigned char *ocsp, size_t ocsp_len, int64_t now,
                            struct chain_fact *out)
{
    static const char *const names[] = {[OCSP_GOOD] = "good",
                                        [OCSP_REVOKED] = "revoked",
                                        [OCSP_UNKNOWN] = "unknown",
                                        [OCSP_INVALID] = "invalid"};
    bool issuer_owned = false;
    gnutls_x509_crt_t leaf = c->n > 0 ? c->crts[0] : NULL;
    gnutls_x509_crt_t issuer = leaf != NULL ? x509_ocsp_issuer(t, c, &issuer_owned) : NULL;
    struct ocsp_input in = {
        .resp = ocsp, .resp_len = ocsp_len, .cert = leaf, .issuer = issuer, .now = now};
    struct ocsp_result res;
    ocsp_judge(&in, &res);
    out->ocsp_staple = true;
    x509_set(out->ocsp_status, sizeof(out->ocsp_status), names[res.verdict]);
    x509_set(out->ocsp_detail, sizeof(out->ocsp_detail),
             res.verdict == OCSP_GOOD ? "" : res.detail);
    if (issuer_owned) {
        gnutls_x509_crt_deinit(issuer);
    }
}

/* x509_served_facts fills the facts over every served certificate
 * (expired, not_yet_valid, min_days_left). Returns how many of them are
 * certificates; *first_bad is the index of the first that is not (c->n
 * when all are). */
static size_t x509_served_facts(const struct x509_chain *c, int64_t now, struct chain_fact *out,
                                size_t *first_bad)
{
    bool have_days = false;
    size_t n_good = 0;
    *first_bad = c->n;
    for (size_t i = 0; i < c->n; i++) {
        gnutls_x509_crt_t crt = c->crts[i];
        if (crt == NULL) {
            if (*first_bad == c->n) {
                *first_bad = i;
            }
            continue;
        }
        n_good++;
        unsigned ts = x509_time_status(crt, now);
        out->expired |= (ts & GNUTLS_CERT_EXPIRED) != 0;
        out->not_yet_valid |= (ts & GNUTLS_CERT_NOT_ACTIVATED) != 0;
        int64_t nb = 0;
        int64_t na = 0;
        x509_crt_times(crt, &nb, &na);
        int64_t days = x509_days_left(na, now);
        if (!have_days || days < out->min_days_left) {
            out->min_days_left = days;
            have_days = true;
        }
    }
    return n_good;
}

/* x509_verify_path has GnuTLS verify (and, as clients do, sort) the n_good
 * certificates of c (whose leaf is one), with its times disabled, then
 * checks the validity at now of the path clients build (*path, its anchor
 * owned by the caller) and of its anchor. ORs the GnuTLS status flags into
 * *status; why gets the reason the flags do not give. Returns 0, or -1
 * when out of memory. */
static int x509_verify_path(const struct x509_trust *t, const struct x509_chain *c, size_t n_good,
                            size_t first_bad, int64_t now, struct x509_path *path, unsigned *status,
                            char *why, size_t why_len)
{
    if (first_bad != c->n) {
        *status |= GNUTLS_CERT_INVALID;
        snprintf(why, why_len, "served certificate #%zu of %zu is not a certificate", first_bad + 1,
                 c->n);
    }
    gnutls_x509_crt_t *vlist = calloc(n_good, sizeof(*vlist));
    if (vlist == NULL) {
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->crts[i] != NULL) {
            vlist[m++] = c->crts[i];
        }
    }
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                     (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0};
    unsigned vstatus = 0;
    int r = gnutls_x509_trust_list_verify_crt2(t->tl, vlist, (unsigned)m, &purpose, 1,
                                               X509_VERIFY_FLAGS, &vstatus, NULL);
    free(vlist);
    if (r == GNUTLS_E_MEMORY_ERROR) {
        return -1;
    }
    if (r < 0) {
        *status |= GNUTLS_CERT_INVALID;
        snprintf(why, why_len, "verification failed: %s", gnutls_strerror(r));
    } else {
        *status |= vstatus;
    }

    /* Validity of the path clients build, and of its anchor. */
    x509_path_build(t, c, path);
    for (size_t k = 0; k < path->n; k++) {
        *status |= x509_time_status(c->crts[path->idx[k]], now);
    }
    if (path->anchor != NULL) {
        unsigned as = x509_time_status(path->anchor, now);
        if (as != 0) {
            *status |= as;
            x509_text_add(why, why_len,
                          (as & GNUTLS_CERT_EXPIRED) ? "trust anchor expired"
                                                     : "trust anchor not yet valid");
        }
    }
    return 0;
}

/* x509_verdict sets incomplete, verify_status, trusted and verify_text
 * from the status flags, the path and the reason why. */
static void x509_verdict(unsigned status, bool have_leaf, const struct x509_path *path,
                         const char *why, struct chain_fact *out)
{
    out->incomplete = have_leaf && (status & GNUTLS_CERT_SIGNER_NOT_FOUND) != 0 &&
                      path->anchor == NULL && !path->top_self_signed;
    out->verify_status = status;
    out->trusted = status == 0;
    x509_status_words(status, out->incomplete, path->top_self_signed, out->verify_text,
                      sizeof(out->verify_text));
    if (why[0] != '\0') {
        x509_text_add(out->verify_text, sizeof(out->verify_text), why);
    }
    if (status != 0 && out->verify_text[0] == '\0') {
        x509_set(out->verify_text, sizeof(out->verify_text), "not trusted");
    }
}

int x509_chain_check(const struct x509_trust *t, const struct cert_fact *certs, size_t n_certs,
                     const char *hostname, const char *ip, const unsigned char *ocsp,
                     size_t ocsp_len, int64_t now, struct chain_fact *out)
{
    struct x509_chain chain = {NULL, 0};
    struct x509_path path;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&path, 0, sizeof(path));
    x509_set(out->ocsp_status, sizeof(out->ocsp_status), "none");
    if (n_certs > X509_MAX_CHAIN) {
        n_certs = X509_MAX_CHAIN;
    }
    if (n_certs == 0) {
        out->verify_status = GNUTLS_CERT_INVALID;
        x509_set(out->verify_text, sizeof(out->verify_text), "no certificate");
        x509_check_name(NULL, hostname, ip, out);
        if (ocsp != NULL) {
            x509_ocsp_check(t, &chain, ocsp, ocsp_len, now, out);
        }
        rc = 0;
        goto out;
    }
    if (x509_chain_import(certs, n_certs, &chain) != 0) {
        goto out;
    }
    size_t first_bad = n_certs;
    size_t n_good = x509_served_facts(&chain, now, out, &first_bad);
    gnutls_x509_crt_t leaf = chain.crts[0];
    x509_check_name(leaf, hostname, ip, out);
    out->self_signed = leaf != NULL && x509_crt_self_signed(leaf);
    out->wrong_order = x509_wrong_order(&chain);

    unsigned status = 0;
    char why[FACT_TEXT] = "";
    if (leaf == NULL) {
        status |= GNUTLS_CERT_INVALID;
        snprintf(why, sizeof(why), "the leaf is not a certificate");
    } else if (x509_verify_path(t, &chain, n_good, first_bad, now, &path, &status, why,
                                sizeof(why)) != 0) {
        goto out;
    }
    x509_verdict(status, leaf != NULL, &path, why, out);
    if (ocsp != NULL) {
        x509_ocsp_check(t, &chain, ocsp, ocsp_len, now, out);
    }
    rc = 0;
out:
    if (path.anchor != NULL) {
        gnutls_x509_crt_deinit(path.anchor);
    }
    x509_chain_free(&chain);
    return rc;
}

int x509_anchor_issuer(const struct x509_trust *t, const unsigned char *der, size_t der_len,
                       unsigned char **out_der, size_t *out_len)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_crt_t anchor = NULL;
    gnutls_datum_t out = {NULL, 0};
    int rc = -1;
    *out_der = NULL;
    *out_len = 0;
    if (der_len == 0 || der_len > UINT_MAX || gnutls_x509_crt_init(&crt) < 0) {
        return -1;
    }
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)der_len};
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
        goto out;
    }
    if (gnutls_x509_trust_list_get_issuer(t->tl, crt, &anchor, GNUTLS_TL_GET_COPY) != 0 ||
        anchor == NULL) {
        rc = 0;
        goto out;
    }
    if (!x509_issued_by(crt, anchor)) {
        rc = 0;
        goto out;
    }
    if (gnutls_x509_crt_export2(anchor, GNUTLS_X509_FMT_DER, &out) < 0) {
        goto out;
    }
    *out_der = malloc(out.size ? out.size : 1);
    if (*out_der == NULL) {
        goto out;
    }
    memcpy(*out_der, out.data, out.size);
    *out_len = out.size;
    rc = 1;
out:
    gnutls_free(out.data);
    if (anchor != NULL) {
        gnutls_x509_crt_deinit(anchor);
    }
    gnutls_x509_crt_deinit(crt);
    return rc;
}
