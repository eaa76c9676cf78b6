/*
 * scanner/revoc_private.h - what the revocation files share; nothing outside
 * them includes it. scanner/revocation.h is the interface.
 *
 * revocation.c (the checks of one target, libc only) uses the cache's fetch
 * (revoc_cache.c) and the GnuTLS side (gnutls/revoc_judge.c: the judges of
 * revocation.h, and the few certificate operations below, all on DER bytes).
 */
#ifndef TLSAUDIT_SCANNER_REVOC_PRIVATE_H
#define TLSAUDIT_SCANNER_REVOC_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "scanner/revocation.h"

/* --- revoc_cache.c ------------------------------------------------------- */

/* A fetch to run on a cache miss. */
struct revoc_fetch {
    const char *url;
    const unsigned char *post;
    size_t post_len;
    const char *content_type;
    size_t max_bytes;
    int timeout_ms;
};

/* revoc_get returns the bytes for (kind, key): from the cache when an
 * unexpired entry exists (*from_cache true), else fetched with f (and
 * kept). A failure remembered from earlier in the scan is not a cached
 * answer: *from_cache stays false and err says it failed earlier. c may be
 * NULL (no cache). Returns 0 with *out (malloc'ed copy), or -1 with err. */
int revoc_get(struct revoc_cache *c, const char *kind, const char *key, const struct revoc_fetch *f,
              int64_t now, unsigned char **out, size_t *out_len, bool *from_cache, char *err,
              size_t err_len);

/* revoc_cache_mark_verified marks (kind, key) for the store until expires
 * (nothing when c is NULL or expires is not after now). */
void revoc_cache_mark_verified(struct revoc_cache *c, const char *kind, const char *key,
                               int64_t expires, int64_t now);

/* --- revocation.c -------------------------------------------------------- */

/* revoc_text writes a formatted phrase into dst, truncating. */
void revoc_text(char *dst, size_t dst_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* revoc_inconclusive sets out->status to REVOC_INCONCLUSIVE and its detail. */
void revoc_inconclusive(struct revoc_fact *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- gnutls/revoc_judge.c (certificates in DER, or PEM) ---------------- */

/* revoc_is_issuer reports whether iss names the subject of cert as issued
 * by it (names and key identifiers; no signature check). */
bool revoc_is_issuer(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                     size_t iss_len);

/* revoc_ocsp_request builds an OCSP request (RFC 6960, SHA-1 CertID, a
 * random nonce) for cert issued by iss. Returns 0 with *out_req and
 * *out_nonce (malloc'ed, caller frees; *out_nonce NULL when the request
 * carries none), or -1 when it cannot be built. */
int revoc_ocsp_request(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                       size_t iss_len, unsigned char **out_req, size_t *out_req_len,
                       unsigned char **out_nonce, size_t *out_nonce_len);

/* revoc_cert_der returns the DER (malloc'ed, caller frees) of the
 * certificate data holds (DER or PEM) and its notAfter, or NULL with err
 * (not a certificate, out of memory). */
unsigned char *revoc_cert_der(const unsigned char *data, size_t len, size_t *out_len,
                              int64_t *out_not_after, char *err, size_t err_len);

#endif
