/*
 * scanner/gnutls/revoc_judge.c - the GnuTLS side of the revocation checks:
 * the judges of a fetched OCSP response and CRL (revocation.h), the OCSP
 * request, and the certificate operations revocation.c needs on DER bytes
 * (revoc_private.h).
 *
 * Pipeline position: revocation.c fetches (through revoc_cache.c) and hands
 * the bytes here; GnuTLS does every ASN.1 decode and signature check.
 *
 * Decisions:
 * - OCSP (RFC 6960): the one verifier, ocsp.c, judges the response; here it
 *   becomes a revoc_fact.
 * - CRL (RFC 5280 §6.3): verified explicitly against the certificate's
 *   issuer before its contents are believed. (It is never added to a GnuTLS
 *   trust list: GnuTLS silently drops a CRL signed by an intermediate
 *   there.) Its times are judged at `now`, not the clock: a CRL past its
 *   nextUpdate is stale, inconclusive, never "good".
 * - Certificates may come as DER or PEM (what a CA-issuers URL serves).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>

#include "common/util.h"
#include "scanner/gnutls/ocsp.h"
#include "scanner/revoc_private.h"
#include "scanner/x509.h"

/* Clock skew tolerated on a thisUpdate in the future: the OCSP verifier's. */
#define REVOC_SKEW OCSP_SKEW

/* revoc_crt_import returns a certificate from DER (or PEM), or NULL. */
static gnutls_x509_crt_t revoc_crt_import(const unsigned char *der, size_t len)
{
    gnutls_x509_crt_t crt = NULL;
    if (der == NULL || len == 0 || len > UINT_MAX || gnutls_x509_crt_init(&crt) < 0) {
        return NULL;
    }
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)len};
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 &&
        gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
        gnutls_x509_crt_deinit(crt);
        return NULL;
    }
    return crt;
}

/* A certificate and its issuer, imported (either NULL when its bytes are
 * not a certificate). */
struct revoc_pair {
    gnutls_x509_crt_t crt;
    gnutls_x509_crt_t issuer;
};

/* revoc_pair_import imports cert and iss; returns whether both parsed. */
static bool revoc_pair_import(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                              size_t iss_len, struct revoc_pair *p)
{
    p->crt = revoc_crt_import(cert, cert_len);
    p->issuer = revoc_crt_import(iss, iss_len);
    return p->crt != NULL && p->issuer != NULL;
}

static void revoc_pair_free(struct revoc_pair *p)
{
    if (p->crt != NULL) {
        gnutls_x509_crt_deinit(p->crt);
    }
    if (p->issuer != NULL) {
        gnutls_x509_crt_deinit(p->issuer);
    }
}

/* revoc_judge_begin clears out's answer (INCONCLUSIVE, no times) and
 * imports the certificate and its issuer into p. Returns whether both
 * parsed; else out says so. p is freed by the caller either way. */
static bool revoc_judge_begin(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                              size_t iss_len, struct revoc_pair *p, struct revoc_fact *out)
{
    out->status = REVOC_INCONCLUSIVE;
    out->revoked_at = 0;
    out->reason[0] = '\0';
    out->this_update = 0;
    out->next_update = 0;
    if (!revoc_pair_import(cert, cert_len, iss, iss_len, p)) {
        revoc_inconclusive(out, "certificate or issuer not parsable");
        return false;
    }
    return true;
}

bool revoc_is_issuer(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                     size_t iss_len)
{
    struct revoc_pair p;
    bool yes = revoc_pair_import(cert, cert_len, iss, iss_len, &p) &&
               gnutls_x509_crt_check_issuer(p.crt, p.issuer) != 0;
    revoc_pair_free(&p);
    return yes;
}

/* revoc_dup copies a GnuTLS datum into malloc'ed memory (NULL when d holds
 * none or memory ran out). */
static unsigned char *revoc_dup(const gnutls_datum_t *d)
{
    unsigned char *p = d->data != NULL ? malloc(d->size ? d->size : 1) : NULL;
    if (p != NULL) {
        memcpy(p, d->data, d->size);
    }
    return p;
}

int revoc_ocsp_request(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                       size_t iss_len, unsigned char **out_req, size_t *out_req_len,
                       unsigned char **out_nonce, size_t *out_nonce_len)
{
    gnutls_ocsp_req_t req = NULL;
    gnutls_datum_t req_der = {NULL, 0};
    gnutls_datum_t nonce = {NULL, 0};
    struct revoc_pair p;
    int rc = -1;
    *out_req = NULL;
    *out_nonce = NULL;
    *out_req_len = 0;
    *out_nonce_len = 0;
    if (!revoc_pair_import(cert, cert_len, iss, iss_len, &p) || gnutls_ocsp_req_init(&req) < 0) {
        req = NULL;
        goto out;
    }
    if (gnutls_ocsp_req_add_cert(req, GNUTLS_DIG_SHA1, p.issuer, p.crt) < 0 ||
        gnutls_ocsp_req_randomize_nonce(req) < 0 || gnutls_ocsp_req_export(req, &req_der) < 0) {
        goto out;
    }
    unsigned critical = 0;
    if (gnutls_ocsp_req_get_nonce(req, &critical, &nonce) < 0) {
        nonce.data = NULL;
        nonce.size = 0;
    }
    *out_req = revoc_dup(&req_der);
    *out_nonce = revoc_dup(&nonce);
    if (*out_req == NULL || (nonce.data != NULL && *out_nonce == NULL)) {
        free(*out_req);
        free(*out_nonce);
        *out_req = NULL;
        *out_nonce = NULL;
        goto out;
    }
    *out_req_len = req_der.size;
    *out_nonce_len = *out_nonce != NULL ? nonce.size : 0;
    rc = 0;
out:
    gnutls_free(nonce.data);
    gnutls_free(req_der.data);
    if (req != NULL) {
        gnutls_ocsp_req_deinit(req);
    }
    revoc_pair_free(&p);
    return rc;
}

unsigned char *revoc_cert_der(const unsigned char *data, size_t len, size_t *out_len,
                              int64_t *out_not_after, char *err, size_t err_len)
{
    gnutls_x509_crt_t crt = revoc_crt_import(data, len);
    if (crt == NULL) {
        snprintf(err, err_len, "not a certificate (DER or PEM; PKCS#7 bundles are not read)");
        return NULL;
    }
    gnutls_datum_t der = {NULL, 0};
    unsigned char *out = NULL;
    if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) == 0 &&
        (out = malloc(der.size)) != NULL) {
        memcpy(out, der.data, der.size);
        *out_len = der.size;
        *out_not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
    } else {
        snprintf(err, err_len, "out of memory");
    }
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(crt);
    return out;
}

void revoc_judge_ocsp(const unsigned char *resp_der, size_t resp_len, const unsigned char *cert,
                      size_t cert_len, const unsigned char *issuer_der, size_t issuer_len,
                      const unsigned char *nonce, size_t nonce_len, int64_t now,
                      struct revoc_fact *out)
{
    struct revoc_pair p;
    if (revoc_judge_begin(cert, cert_len, issuer_der, issuer_len, &p, out)) {
        struct ocsp_input in = {.resp = resp_der,
                                .resp_len = resp_len,
                                .cert = p.crt,
                                .issuer = p.issuer,
                                .nonce = nonce,
                                .nonce_len = nonce_len,
                                .now = now};
        struct ocsp_result res;
        ocsp_judge(&in, &res);
        out->this_update = res.this_update;
        out->next_update = res.next_update;
        switch (res.verdict) {
        case OCSP_GOOD:
            out->status = REVOC_GOOD;
            revoc_text(out->detail, sizeof(out->detail), "OCSP: good");
            break;
        case OCSP_REVOKED:
            out->status = REVOC_REVOKED;
            out->revoked_at = res.revoked_at;
            util_copy(out->reason, sizeof(out->reason), res.reason);
            revoc_text(out->detail, sizeof(out->detail), "OCSP: %s", res.detail);
            break;
        case OCSP_UNKNOWN:
            out->status = REVOC_UNKNOWN;
            revoc_text(out->detail, sizeof(out->detail), "OCSP: unknown (%s)", res.detail);
            break;
        case OCSP_INVALID:
            revoc_inconclusive(out, "%s", res.detail);
            break;
        }
    }
    revoc_pair_free(&p);
}

/* revoc_serial returns the serial of crt without leading zero bytes in buf. */
static size_t revoc_serial(gnutls_x509_crt_t crt, unsigned char *buf, size_t buf_len,
                           const unsigned char **start)
{
    size_t size = buf_len;
    if (gnutls_x509_crt_get_serial(crt, buf, &size) < 0) {
        return 0;
    }
    const unsigned char *p = buf;
    while (size > 1 && p[0] == 0) {
        p++;
        size--;
    }
    *start = p;
    return size;
}

/* revoc_crl_load parses crl_der (DER, else PEM) and verifies it against
 * issuer. Returns the CRL (caller deinits), or NULL with out inconclusive
 * and the reason. */
static gnutls_x509_crl_t revoc_crl_load(const unsigned char *crl_der, size_t crl_len,
                                        gnutls_x509_crt_t issuer, struct revoc_fact *out)
{
    gnutls_x509_crl_t crl = NULL;
    if (crl_len == 0 || crl_len > UINT_MAX || gnutls_x509_crl_init(&crl) < 0) {
        revoc_inconclusive(out, "cannot parse the CRL");
        return NULL;
    }
    gnutls_datum_t d = {(unsigned char *)crl_der, (unsigned)crl_len};
    int r = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER);
    if (r < 0) {
        r = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM);
    }
    if (r < 0) {
        revoc_inconclusive(out, "cannot parse the CRL: %s", gnutls_strerror(r));
        goto fail;
    }
    if (gnutls_x509_crl_check_issuer(crl, issuer) == 0) {
        revoc_inconclusive(out, "the CRL is not issued by the certificate's issuer");
        goto fail;
    }
    unsigned verify = 0;
    r = gnutls_x509_crl_verify(crl, &issuer, 1, 0, &verify);
    /* GnuTLS also judges the CRL's times against the clock; they are
     * judged by revoc_crl_current against `now`, with a clearer reason. */
    unsigned time_flags =
        GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED | GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE;
    if ((verify & time_flags) != 0) {
        verify &= ~time_flags;
        if (verify == GNUTLS_CERT_INVALID) {
            verify = 0; /* INVALID only accompanied the time flags */
        }
    }
    if (r < 0 || verify != 0) {
        revoc_inconclusive(out, "bad CRL signature (%s)",
                           r < 0 ? gnutls_strerror(r) : "does not verify with the issuer's key");
        goto fail;
    }
    return crl;
fail:
    gnutls_x509_crl_deinit(crl);
    return NULL;
}

/* revoc_crl_current records the CRL's thisUpdate and nextUpdate in out and
 * reports whether it is current at now (else out is inconclusive). */
static bool revoc_crl_current(gnutls_x509_crl_t crl, int64_t now, struct revoc_fact *out)
{
    char when[40];
    time_t this_update = gnutls_x509_crl_get_this_update(crl);
    time_t next_update = gnutls_x509_crl_get_next_update(crl);
    out->this_update = this_update == (time_t)-1 ? 0 : (int64_t)this_update;
    out->next_update = next_update == (time_t)-1 ? 0 : (int64_t)next_update;
    if (this_update == (time_t)-1 || (int64_t)this_update > now + REVOC_SKEW) {
        x509_fmt_time((int64_t)this_update, when, sizeof(when));
        revoc_inconclusive(out, "CRL thisUpdate %s is in the future", when);
        return false;
    }
    if (next_update != (time_t)-1 && (int64_t)next_update < now) {
        x509_fmt_time((int64_t)next_update, when, sizeof(when));
        revoc_inconclusive(out, "stale CRL: nextUpdate %s has passed", when);
        return false;
    }
    return true;
}

/* revoc_crl_lookup looks for crt's serial number among the CRL's entries:
 * REVOKED (with the time), GOOD, or INCONCLUSIVE when an entry or the
 * serial is unreadable. */
static void revoc_crl_lookup(gnutls_x509_crl_t crl, gnutls_x509_crt_t crt, struct revoc_fact *out)
{
    gnutls_x509_crl_iter_t iter = NULL;
    unsigned char want_buf[64];
    const unsigned char *want = NULL;
    size_t want_len = revoc_serial(crt, want_buf, sizeof(want_buf), &want);
    if (want_len == 0) {
        revoc_inconclusive(out, "the certificate's serial number is unreadable");
        return;
    }
    for (;;) {
        unsigned char sbuf[64];
        size_t slen = sizeof(sbuf);
        time_t at = -1;
        int r = gnutls_x509_crl_iter_crt_serial(crl, &iter, sbuf, &slen, &at);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            break;
        }
        if (r < 0) {
            revoc_inconclusive(out, "unreadable CRL entry: %s", gnutls_strerror(r));
            goto out;
        }
        const unsigned char *s = sbuf;
        while (slen > 1 && s[0] == 0) {
            s++;
            slen--;
        }
        if (slen == want_len && memcmp(s, want, slen) == 0) {
            char when[40];
            out->status = REVOC_REVOKED;
            out->revoked_at = (int64_t)at;
            x509_fmt_time((int64_t)at, when, sizeof(when));
            revoc_text(out->detail, sizeof(out->detail), "CRL: revoked at %s", when);
            goto out;
        }
    }
    out->status = REVOC_GOOD;
    revoc_text(out->detail, sizeof(out->detail), "CRL: not listed");
out:
    if (iter != NULL) {
        gnutls_x509_crl_iter_deinit(iter);
    }
}

void revoc_judge_crl(const unsigned char *crl_der, size_t crl_len, const unsigned char *cert,
                     size_t cert_len, const unsigned char *issuer_der, size_t issuer_len,
                     int64_t now, struct revoc_fact *out)
{
    gnutls_x509_crl_t crl = NULL;
    struct revoc_pair p;
    if (revoc_judge_begin(cert, cert_len, issuer_der, issuer_len, &p, out) &&
        (crl = revoc_crl_load(crl_der, crl_len, p.issuer, out)) != NULL &&
        revoc_crl_current(crl, now, out)) {
        revoc_crl_lookup(crl, p.crt, out);
    }
    if (crl != NULL) {
        gnutls_x509_crl_deinit(crl);
    }
    revoc_pair_free(&p);
}
