/*
 * scanner/gnutls/ocsp.h - the one OCSP response verifier (RFC 6960), for the
 * response a server staples (x509_chain.c) and the one tlsaudit fetches
 * from the responder (revoc_judge.c).
 *
 * A GnuTLS adapter: the caller passes certificates as GnuTLS handles, gets
 * back a verdict with libc types only. Judged at the caller's "now" (never
 * the system clock): thisUpdate at most OCSP_SKEW seconds in the future,
 * nextUpdate not passed, a delegated responder certificate valid at now.
 */
#ifndef TLSAUDIT_SCANNER_GNUTLS_OCSP_H
#define TLSAUDIT_SCANNER_GNUTLS_OCSP_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/x509.h>

#include "common/model/facts.h"

/* Clock skew tolerated on a thisUpdate in the future (seconds). */
#define OCSP_SKEW 300

enum ocsp_verdict {
    OCSP_GOOD,
    OCSP_REVOKED,
    OCSP_UNKNOWN, /* the responder does not know the certificate */
    OCSP_INVALID, /* unparsable, unsuccessful, not about the certificate, badly
                     signed, stale, from the future, nonce mismatch: no answer */
};

struct ocsp_result {
    enum ocsp_verdict verdict;
    int64_t this_update;    /* Unix seconds; 0 when absent or not reached */
    int64_t next_update;    /* 0 when absent */
    int64_t revoked_at;     /* OCSP_REVOKED */
    char reason[48];        /* OCSP_REVOKED: the RFC 5280 CRLReason name */
    char detail[FACT_TEXT]; /* invalid: why; revoked: "revoked at T (reason)"; else a phrase */
};

struct ocsp_input {
    const unsigned char *resp; /* the DER OCSPResponse */
    size_t resp_len;
    gnutls_x509_crt_t cert;     /* the certificate asked about */
    gnutls_x509_crt_t issuer;   /* its issuer: signs the response or delegates */
    const unsigned char *nonce; /* the request's nonce, or NULL when none was sent */
    size_t nonce_len;
    int64_t now; /* Unix seconds */
};

/* ocsp_judge fills *out for the response in in. Never fails: every problem
 * is an OCSP_INVALID verdict with the reason in out->detail. */
void ocsp_judge(const struct ocsp_input *in, struct ocsp_result *out);

#endif
