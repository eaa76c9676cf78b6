/*
 * scanner/revocation.h - revocation (OCSP, CRL) and missing-intermediate
 * (AIA) checks of a served chain, with a fetch cache shared by the scan.
 *
 * Pipeline position: a GnuTLS worker of scanner/scan.c calls
 * revocation_check right after x509_chain_check, so the fetches of one
 * target overlap with the enumeration and the other workers' handshakes.
 * Fetches go through scanner/fetch.c (libcurl); ASN.1 is GnuTLS's.
 *
 * Results (target_result.revoc[], chain.aia_*) never say "good" without a
 * verified, fresh answer: a responder that is down, slow, answers garbage,
 * signs with the wrong key or is stale gives REVOC_INCONCLUSIVE with the
 * reason; --offline gives REVOC_NOT_CHECKED.
 *
 * The cache (struct revoc_cache) holds fetched OCSP responses, CRLs and
 * CA-issuer certificates for the whole scan, keyed by kind and URL (OCSP:
 * URL and certificate), so many targets sharing one CA fetch its CRL once;
 * concurrent requests for one key wait for the first fetch. Failures are
 * remembered for the scan only. Entries verified with a known expiry
 * (nextUpdate, notAfter) are handed to the store by revoc_cache_drain and
 * come back through revoc_cache_preload on the next scan.
 *
 * Ownership: revoc_cache_new/revoc_cache_free; thread-safe.
 */
#ifndef TLSAUDIT_SCANNER_REVOCATION_H
#define TLSAUDIT_SCANNER_REVOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "scanner/x509.h"

/* Cache kinds. */
#define REVOC_KIND_OCSP "ocsp"
#define REVOC_KIND_CRL "crl"
#define REVOC_KIND_CERT "cert"

struct revoc_cache;

/* revoc_cache_new returns an empty cache, or NULL when out of memory. */
struct revoc_cache *revoc_cache_new(void);
/* revoc_cache_free frees c; accepts NULL. */
void revoc_cache_free(struct revoc_cache *c);

/* revoc_cache_preload adds an entry read back from the store; it is used
 * until expires (Unix seconds) and never drained again. Returns 0 or -1. */
__attribute__((warn_unused_result)) int revoc_cache_preload(struct revoc_cache *c, const char *kind,
                                                            const char *key,
                                                            const unsigned char *data, size_t len,
                                                            int64_t expires);

/* revoc_cache_drain calls fn once for every entry fetched and verified
 * since the last drain (fn's data is only valid during the call). Stops
 * and returns -1 when fn does; 0 otherwise. */
typedef int (*revoc_cache_put_fn)(void *arg, const char *kind, const char *key,
                                  const unsigned char *data, size_t len, int64_t expires);
__attribute__((warn_unused_result)) int revoc_cache_drain(struct revoc_cache *c,
                                                          revoc_cache_put_fn fn, void *arg);

/* revoc_cache_n_fetches returns how many network fetches went through c. */
unsigned long revoc_cache_n_fetches(struct revoc_cache *c);

struct revoc_options {
    bool offline;                   /* no fetch at all: everything "not checked" */
    int timeout_ms;                 /* per fetch */
    const struct x509_trust *trust; /* anchors: issuers, and AIA completion */
    struct revoc_cache *cache;      /* shared by the scan's workers; NULL: none */
};

/* revocation_check fills r->revoc (one per served certificate) and the
 * chain's aia_* facts from r->certs and r->chain (x509_chain_check's
 * output), at now (Unix seconds). Returns 0, or -1 when memory ran out (r
 * then has no revocation facts). */
__attribute__((warn_unused_result)) int revocation_check(const struct revoc_options *o,
                                                         struct target_result *r, int64_t now);

/* revoc_judge_ocsp judges one OCSP response (DER) about cert, issued by
 * issuer (both DER): parsed, successful, about cert, signed by issuer or a
 * responder it delegated to, thisUpdate not in the future, nextUpdate not
 * passed, and, when nonce is not NULL, the response's nonce (if any) equal
 * to it. Fills status (GOOD/REVOKED/UNKNOWN, else INCONCLUSIVE), detail,
 * revoked_at, reason, this_update, next_update of out. Exposed for tests. */
void revoc_judge_ocsp(const unsigned char *resp, size_t resp_len, const unsigned char *cert,
                      size_t cert_len, const unsigned char *issuer, size_t issuer_len,
                      const unsigned char *nonce, size_t nonce_len, int64_t now,
                      struct revoc_fact *out);

/* revoc_judge_crl judges one CRL (DER or PEM) for cert, issued by issuer:
 * the CRL is verified against issuer before anything in it is believed,
 * then its times and the certificate's serial number. Fills out as
 * revoc_judge_ocsp does (GOOD, REVOKED or INCONCLUSIVE). Exposed for tests. */
void revoc_judge_crl(const unsigned char *crl, size_t crl_len, const unsigned char *cert,
                     size_t cert_len, const unsigned char *issuer, size_t issuer_len, int64_t now,
                     struct revoc_fact *out);

#endif
