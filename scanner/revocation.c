/*
 * scanner/revocation.c - OCSP, CRL and AIA checks of a served chain (see
 * revocation.h).
 *
 * Pipeline position: scan worker -> x509_chain_check -> [revocation_check]
 * -> target_result -> store. GnuTLS does every ASN.1 decode and signature
 * check; libcurl (through scanner/fetch.c) every transfer.
 *
 * Decisions:
 * - OCSP first (RFC 6960): a request for the certificate and its issuer
 *   with a random nonce, POSTed to each OCSP URL (at most
 *   REVOC_MAX_URLS). The response must be successful, about that
 *   certificate, signed by the issuer or a responder it delegated to,
 *   with thisUpdate not in the future and nextUpdate not passed; a nonce
 *   in the response must equal ours (a responder may leave it out). Good,
 *   revoked and unknown are answers; anything else is "inconclusive" with
 *   the reason, and the CRL is tried next.
 * - CRL (RFC 5280 §6.3) when OCSP is absent or gave no answer: the CRL
 *   is verified explicitly against the certificate's issuer before its
 *   contents are believed. (It is never added to a GnuTLS trust list:
 *   GnuTLS silently drops a CRL signed by an intermediate there.) A CRL
 *   past its nextUpdate is stale: inconclusive, never "good".
 * - The issuer of a served certificate is looked for among the served
 *   certificates, then the AIA-fetched ones, then the trust anchors.
 * - AIA (RFC 5280 §4.2.2.1): only when x509_chain_check found the served
 *   chain incomplete; up to REVOC_AIA_MAX_DEPTH issuers are fetched
 *   (DER or PEM, at most REVOC_CERT_MAX_BYTES each) walking up from the
 *   top of what was served, then the chain is checked again with them.
 *   chain.incomplete keeps saying what the server sent.
 * - The cache keeps raw bytes; every use judges them again (signature,
 *   times), so a cached answer is never trusted more than a fresh one.
 *   Only a response that judged good/revoked/unknown with a nextUpdate
 *   (or a certificate, until its notAfter) is marked for the store.
 */
#include "scanner/revocation.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>

#include "common/util.h"
#include "scanner/fetch.h"
#include "scanner/ocsp.h"

/* URLs of one kind tried per certificate. */
#define REVOC_MAX_URLS 2
/* Issuers fetched through AIA per target. */
#define REVOC_AIA_MAX_DEPTH 4
/* Size caps of what a responder or server may send. */
#define REVOC_OCSP_MAX_BYTES (64 * 1024)
#define REVOC_CRL_MAX_BYTES (8 * 1024 * 1024)
#define REVOC_CERT_MAX_BYTES (64 * 1024)
/* Clock skew tolerated on a thisUpdate in the future: the OCSP verifier's. */
#define REVOC_SKEW OCSP_SKEW
/* Entries the in-memory cache holds at most (beyond it: fetch, do not keep). */
#define REVOC_CACHE_MAX 20000

/* --- the cache ------------------------------------------------------------ */

struct revoc_entry {
    struct revoc_entry *next;
    char *kind;
    char *key;
    unsigned char *data; /* NULL when the fetch failed (err) */
    size_t len;
    char err[FACT_TEXT];
    int64_t expires; /* 0: this scan only */
    bool pending;    /* a fetch is in flight */
    bool preloaded;  /* came from the store */
    bool to_store;   /* verified with an expiry, not yet drained */
};

struct revoc_cache {
    pthread_mutex_t lock;
    pthread_cond_t done;
    struct revoc_entry *head;
    size_t n_entries;
    unsigned long n_fetches;
};

struct revoc_cache *revoc_cache_new(void)
{
    struct revoc_cache *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->done, NULL);
    return c;
}

static void revoc_entry_free(struct revoc_entry *e)
{
    free(e->kind);
    free(e->key);
    free(e->data);
    free(e);
}

void revoc_cache_free(struct revoc_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (struct revoc_entry *e = c->head; e != NULL;) {
        struct revoc_entry *n = e->next;
        revoc_entry_free(e);
        e = n;
    }
    pthread_cond_destroy(&c->done);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* revoc_cache_find returns the entry for (kind, key), or NULL. Locked. */
static struct revoc_entry *revoc_cache_find(struct revoc_cache *c, const char *kind,
                                            const char *key)
{
    for (struct revoc_entry *e = c->head; e != NULL; e = e->next) {
        if (strcmp(e->kind, kind) == 0 && strcmp(e->key, key) == 0) {
            return e;
        }
    }
    return NULL;
}

/* revoc_cache_add inserts an empty entry. Locked. NULL when full or OOM. */
static struct revoc_entry *revoc_cache_add(struct revoc_cache *c, const char *kind, const char *key)
{
    if (c->n_entries >= REVOC_CACHE_MAX) {
        return NULL;
    }
    struct revoc_entry *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    e->kind = strdup(kind);
    e->key = strdup(key);
    if (e->kind == NULL || e->key == NULL) {
        revoc_entry_free(e);
        return NULL;
    }
    e->next = c->head;
    c->head = e;
    c->n_entries++;
    return e;
}

int revoc_cache_preload(struct revoc_cache *c, const char *kind, const char *key,
                        const unsigned char *data, size_t len, int64_t expires)
{
    int rc = -1;
    pthread_mutex_lock(&c->lock);
    struct revoc_entry *e = revoc_cache_find(c, kind, key);
    if (e == NULL) {
        e = revoc_cache_add(c, kind, key);
    }
    if (e != NULL && !e->pending) {
        unsigned char *copy = malloc(len ? len : 1);
        if (copy != NULL) {
            memcpy(copy, data, len);
            free(e->data);
            e->data = copy;
            e->len = len;
            e->err[0] = '\0';
            e->expires = expires;
            e->preloaded = true;
            e->to_store = false;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int revoc_cache_drain(struct revoc_cache *c, revoc_cache_put_fn fn, void *arg)
{
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    for (struct revoc_entry *e = c->head; e != NULL && rc == 0; e = e->next) {
        if (e->to_store && !e->pending && e->data != NULL) {
            if (fn(arg, e->kind, e->key, e->data, e->len, e->expires) != 0) {
                rc = -1;
                break;
            }
            e->to_store = false;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

unsigned long revoc_cache_n_fetches(struct revoc_cache *c)
{
    pthread_mutex_lock(&c->lock);
    unsigned long n = c->n_fetches;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* revoc_cache_mark_verified marks (kind, key) for the store until expires. */
static void revoc_cache_mark_verified(struct revoc_cache *c, const char *kind, const char *key,
                                      int64_t expires, int64_t now)
{
    if (c == NULL || expires <= now) {
        return;
    }
    pthread_mutex_lock(&c->lock);
    struct revoc_entry *e = revoc_cache_find(c, kind, key);
    if (e != NULL && e->data != NULL && !e->preloaded && e->expires != expires) {
        e->expires = expires;
        e->to_store = true;
    }
    pthread_mutex_unlock(&c->lock);
}

/* A fetch to run on a cache miss. */
struct revoc_fetch {
    const char *url;
    const unsigned char *post;
    size_t post_len;
    const char *content_type;
    size_t max_bytes;
    int timeout_ms;
};

/* revoc_do_fetch runs f. Returns 0 with *out (malloc'ed), or -1 with err. */
static int revoc_do_fetch(const struct revoc_fetch *f, unsigned char **out, size_t *out_len,
                          char *err, size_t err_len)
{
    struct fetch_request req = {
        .url = f->url,
        .post = f->post,
        .post_len = f->post_len,
        .content_type = f->content_type,
        .timeout_ms = f->timeout_ms,
        .max_bytes = f->max_bytes,
    };
    struct fetch_response resp;
    int rc = -1;
    *out = NULL;
    *out_len = 0;
    if (fetch_http(&req, &resp, err, err_len) != 0) {
        goto out;
    }
    if (resp.status != 200) {
        snprintf(err, err_len, "HTTP status %ld", resp.status);
        goto out;
    }
    if (resp.body_len == 0) {
        snprintf(err, err_len, "empty response");
        goto out;
    }
    *out = resp.body;
    *out_len = resp.body_len;
    resp.body = NULL;
    rc = 0;
out:
    fetch_response_cleanup(&resp);
    return rc;
}

/* revoc_get returns the bytes for (kind, key): from the cache when an
 * unexpired entry exists (*from_cache true), else fetched with f (and
 * kept). A failure remembered from earlier in the scan is not a cached
 * answer: *from_cache stays false and err says it failed earlier. Returns
 * 0 with *out (malloc'ed copy), or -1 with err. */
static int revoc_get(struct revoc_cache *c, const char *kind, const char *key,
                     const struct revoc_fetch *f, int64_t now, unsigned char **out, size_t *out_len,
                     bool *from_cache, char *err, size_t err_len)
{
    *from_cache = false;
    if (c == NULL) {
        return revoc_do_fetch(f, out, out_len, err, err_len);
    }
    pthread_mutex_lock(&c->lock);
    struct revoc_entry *e;
    for (;;) {
        e = revoc_cache_find(c, kind, key);
        if (e == NULL || !e->pending) {
            break;
        }
        pthread_cond_wait(&c->done, &c->lock);
    }
    if (e != NULL && (e->expires == 0 || e->expires > now || e->data == NULL)) {
        int rc = -1;
        if (e->data == NULL) {
            static const char earlier[] = "failed earlier in this scan: ";
            if (util_copy(err, err_len, earlier) && err_len > sizeof(earlier) - 1) {
                (void)util_copy(err + sizeof(earlier) - 1, err_len - (sizeof(earlier) - 1), e->err);
            }
        } else if ((*out = malloc(e->len)) == NULL) {
            snprintf(err, err_len, "out of memory");
        } else {
            memcpy(*out, e->data, e->len);
            *out_len = e->len;
            rc = 0;
        }
        *from_cache = e->data != NULL;
        pthread_mutex_unlock(&c->lock);
        return rc;
    }
    if (e == NULL) {
        e = revoc_cache_add(c, kind, key);
    } else {
        /* Expired: fetch again in place. */
        free(e->data);
        e->data = NULL;
        e->preloaded = false;
        e->to_store = false;
        e->expires = 0;
    }
    if (e != NULL) {
        e->pending = true;
    }
    c->n_fetches++;
    pthread_mutex_unlock(&c->lock);

    unsigned char *data = NULL;
    size_t len = 0;
    int rc = revoc_do_fetch(f, &data, &len, err, err_len);

    pthread_mutex_lock(&c->lock);
    if (e != NULL) {
        e->pending = false;
        if (rc == 0) {
            e->data = malloc(len);
            if (e->data != NULL) {
                memcpy(e->data, data, len);
                e->len = len;
            } else {
                snprintf(e->err, sizeof(e->err), "out of memory");
            }
        } else {
            snprintf(e->err, sizeof(e->err), "%s", err);
        }
        pthread_cond_broadcast(&c->done);
    }
    pthread_mutex_unlock(&c->lock);
    *out = data;
    *out_len = len;
    return rc;
}

/* --- GnuTLS helpers ----------------------------------------------------- */

static void revoc_text(char *dst, size_t dst_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void revoc_text(char *dst, size_t dst_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, dst_len, fmt, ap);
    va_end(ap);
}

static void revoc_add(char *dst, size_t dst_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* revoc_add appends "; " and a phrase to dst, truncating. */
static void revoc_add(char *dst, size_t dst_len, const char *fmt, ...)
{
    size_t used = strnlen(dst, dst_len);
    if (used > 0 && used + 2 < dst_len) {
        memcpy(dst + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= dst_len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst + used, dst_len - used, fmt, ap);
    va_end(ap);
}

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

static void revoc_inconclusive(struct revoc_fact *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void revoc_inconclusive(struct revoc_fact *out, const char *fmt, ...)
{
    out->status = REVOC_INCONCLUSIVE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
    va_end(ap);
}

void revoc_judge_ocsp(const unsigned char *resp_der, size_t resp_len, const unsigned char *cert,
                      size_t cert_len, const unsigned char *issuer_der, size_t issuer_len,
                      const unsigned char *nonce, size_t nonce_len, int64_t now,
                      struct revoc_fact *out)
{
    gnutls_x509_crt_t crt = revoc_crt_import(cert, cert_len);
    gnutls_x509_crt_t issuer = revoc_crt_import(issuer_der, issuer_len);
    out->status = REVOC_INCONCLUSIVE;
    out->revoked_at = 0;
    out->reason[0] = '\0';
    out->this_update = 0;
    out->next_update = 0;
    if (crt == NULL || issuer == NULL) {
        revoc_inconclusive(out, "certificate or issuer not parsable");
    } else {
        struct ocsp_input in = {.resp = resp_der,
                                .resp_len = resp_len,
                                .cert = crt,
                                .issuer = issuer,
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
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    if (issuer != NULL) {
        gnutls_x509_crt_deinit(issuer);
    }
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

void revoc_judge_crl(const unsigned char *crl_der, size_t crl_len, const unsigned char *cert,
                     size_t cert_len, const unsigned char *issuer_der, size_t issuer_len,
                     int64_t now, struct revoc_fact *out)
{
    gnutls_x509_crl_t crl = NULL;
    gnutls_x509_crl_iter_t iter = NULL;
    gnutls_x509_crt_t crt = revoc_crt_import(cert, cert_len);
    gnutls_x509_crt_t issuer = revoc_crt_import(issuer_der, issuer_len);
    char when[40];

    out->status = REVOC_INCONCLUSIVE;
    out->revoked_at = 0;
    out->reason[0] = '\0';
    out->this_update = 0;
    out->next_update = 0;
    if (crt == NULL || issuer == NULL) {
        revoc_inconclusive(out, "certificate or issuer not parsable");
        goto out;
    }
    if (crl_len == 0 || crl_len > UINT_MAX || gnutls_x509_crl_init(&crl) < 0) {
        crl = NULL;
        revoc_inconclusive(out, "cannot parse the CRL");
        goto out;
    }
    gnutls_datum_t d = {(unsigned char *)crl_der, (unsigned)crl_len};
    int r = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER);
    if (r < 0) {
        r = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM);
    }
    if (r < 0) {
        revoc_inconclusive(out, "cannot parse the CRL: %s", gnutls_strerror(r));
        goto out;
    }
    if (gnutls_x509_crl_check_issuer(crl, issuer) == 0) {
        revoc_inconclusive(out, "the CRL is not issued by the certificate's issuer");
        goto out;
    }
    unsigned verify = 0;
    r = gnutls_x509_crl_verify(crl, &issuer, 1, 0, &verify);
    /* GnuTLS also judges the CRL's times against the clock; they are
     * judged below against `now`, with a clearer reason. */
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
        goto out;
    }
    time_t this_update = gnutls_x509_crl_get_this_update(crl);
    time_t next_update = gnutls_x509_crl_get_next_update(crl);
    out->this_update = this_update == (time_t)-1 ? 0 : (int64_t)this_update;
    out->next_update = next_update == (time_t)-1 ? 0 : (int64_t)next_update;
    if (this_update == (time_t)-1 || (int64_t)this_update > now + REVOC_SKEW) {
        x509_fmt_time((int64_t)this_update, when, sizeof(when));
        revoc_inconclusive(out, "CRL thisUpdate %s is in the future", when);
        goto out;
    }
    if (next_update != (time_t)-1 && (int64_t)next_update < now) {
        x509_fmt_time((int64_t)next_update, when, sizeof(when));
        revoc_inconclusive(out, "stale CRL: nextUpdate %s has passed", when);
        goto out;
    }
    unsigned char want_buf[64];
    const unsigned char *want = NULL;
    size_t want_len = revoc_serial(crt, want_buf, sizeof(want_buf), &want);
    if (want_len == 0) {
        revoc_inconclusive(out, "the certificate's serial number is unreadable");
        goto out;
    }
    for (;;) {
        unsigned char sbuf[64];
        size_t slen = sizeof(sbuf);
        time_t at = -1;
        r = gnutls_x509_crl_iter_crt_serial(crl, &iter, sbuf, &slen, &at);
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
    if (crl != NULL) {
        gnutls_x509_crl_deinit(crl);
    }
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    if (issuer != NULL) {
        gnutls_x509_crt_deinit(issuer);
    }
}

/* --- one target ------------------------------------------------------- */

/* The certificates an issuer may be taken from: served, then fetched. */
struct revoc_pool {
    const unsigned char *der[64];
    size_t len[64];
    size_t n;
    unsigned char *owned[REVOC_AIA_MAX_DEPTH]; /* fetched through AIA */
    size_t n_owned;
};

/* revoc_is_issuer reports whether issuer_der names the subject of cert_der
 * as issued by it (names and key identifiers). */
static bool revoc_is_issuer(const unsigned char *cert, size_t cert_len, const unsigned char *iss,
                            size_t iss_len)
{
    gnutls_x509_crt_t c = revoc_crt_import(cert, cert_len);
    gnutls_x509_crt_t i = revoc_crt_import(iss, iss_len);
    bool yes = c != NULL && i != NULL && gnutls_x509_crt_check_issuer(c, i) != 0;
    if (c != NULL) {
        gnutls_x509_crt_deinit(c);
    }
    if (i != NULL) {
        gnutls_x509_crt_deinit(i);
    }
    return yes;
}

/* revoc_find_issuer returns the issuer of pool entry k from the pool (not
 * itself), or -1. */
static int revoc_find_issuer(const struct revoc_pool *p, size_t k)
{
    for (size_t j = 0; j < p->n; j++) {
        if (j != k && revoc_is_issuer(p->der[k], p->len[k], p->der[j], p->len[j])) {
            return (int)j;
        }
    }
    return -1;
}

/* revoc_fetch_cert fetches one CA-issuer URL through the cache. Returns
 * the DER (malloc'ed) or NULL with err. */
static unsigned char *revoc_fetch_cert(const struct revoc_options *o, const char *url, int64_t now,
                                       size_t *out_len, bool *from_cache, char *err, size_t err_len)
{
    struct revoc_fetch f = {
        .url = url, .max_bytes = REVOC_CERT_MAX_BYTES, .timeout_ms = o->timeout_ms};
    unsigned char *data = NULL;
    size_t len = 0;
    if (revoc_get(o->cache, REVOC_KIND_CERT, url, &f, now, &data, &len, from_cache, err, err_len) !=
        0) {
        return NULL;
    }
    gnutls_x509_crt_t crt = revoc_crt_import(data, len);
    free(data);
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
        time_t na = gnutls_x509_crt_get_expiration_time(crt);
        revoc_cache_mark_verified(o->cache, REVOC_KIND_CERT, url, (int64_t)na, now);
    } else {
        snprintf(err, err_len, "out of memory");
    }
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(crt);
    return out;
}

/* revoc_chase_aia fetches missing issuers into the pool and checks the
 * completed chain again. Returns 0, or -1 when memory ran out. */
static int revoc_chase_aia(const struct revoc_options *o, struct target_result *r,
                           struct revoc_pool *p, int64_t now)
{
    struct chain_fact *ch = &r->chain;
    struct cert_fact *all = NULL;
    size_t n_all = 0;
    int rc = -1;

    ch->aia_attempted = true;
    /* Walk up from the leaf through what is available. */
    size_t top = 0;
    bool seen[64] = {false};
    for (;;) {
        seen[top] = true;
        int up = revoc_find_issuer(p, top);
        if (up < 0 || seen[up]) {
            break;
        }
        top = (size_t)up;
    }
    for (int depth = 0; depth < REVOC_AIA_MAX_DEPTH && p->n < 64; depth++) {
        const struct cert_fact *tc = top < r->n_certs ? &r->certs[top] : NULL;
        struct cert_fact fetched_fact;
        cert_fact_init(&fetched_fact);
        const struct strlist *urls = NULL;
        char why[FACT_TEXT] = "";
        if (tc != NULL) {
            urls = &tc->ca_issuer_urls;
        } else {
            if (x509_cert_facts(p->der[top], p->len[top], now, &fetched_fact, why, sizeof(why)) !=
                0) {
                cert_fact_cleanup(&fetched_fact);
                break;
            }
            urls = &fetched_fact.ca_issuer_urls;
        }
        if (urls->n_items == 0) {
            revoc_add(ch->aia_detail, sizeof(ch->aia_detail), "%s names no CA issuers URL",
                      depth == 0 && top == 0 ? "the leaf" : "the top certificate");
            cert_fact_cleanup(&fetched_fact);
            break;
        }
        unsigned char *got = NULL;
        size_t got_len = 0;
        for (size_t u = 0; u < urls->n_items && u < REVOC_MAX_URLS && got == NULL; u++) {
            bool cached = false;
            char err[FACT_TEXT] = "";
            got = revoc_fetch_cert(o, urls->items[u], now, &got_len, &cached, err, sizeof(err));
            if (got == NULL) {
                revoc_add(ch->aia_detail, sizeof(ch->aia_detail), "%s: %s", urls->items[u], err);
            } else if (!revoc_is_issuer(p->der[top], p->len[top], got, got_len)) {
                revoc_add(ch->aia_detail, sizeof(ch->aia_detail),
                          "%s: the certificate there did not issue the one that names it",
                          urls->items[u]);
                free(got);
                got = NULL;
            }
        }
        cert_fact_cleanup(&fetched_fact);
        if (got == NULL) {
            break;
        }
        p->owned[p->n_owned++] = got;
        p->der[p->n] = got;
        p->len[p->n] = got_len;
        top = p->n++;
        ch->aia_fetched++;
        /* Stop once the fetched certificate is anchored or self-signed. */
        unsigned char *anchor = NULL;
        size_t anchor_len = 0;
        int a = x509_anchor_issuer(o->trust, got, got_len, &anchor, &anchor_len);
        free(anchor);
        if (a != 0 || revoc_is_issuer(got, got_len, got, got_len)) {
            break;
        }
    }

    if (ch->aia_fetched == 0) {
        rc = 0;
        goto out;
    }
    /* Check the served chain plus what was fetched. */
    n_all = r->n_certs + (size_t)ch->aia_fetched;
    all = calloc(n_all, sizeof(*all));
    if (all == NULL) {
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        char why[FACT_TEXT];
        cert_fact_init(&all[m]);
        if (x509_cert_facts(p->der[i], p->len[i], now, &all[m], why, sizeof(why)) != 0 &&
            all[m].der == NULL) {
            goto out;
        }
        m++;
    }
    struct chain_fact done;
    const char *ip = r->sni == NULL ? r->ip : NULL;
    if (x509_chain_check(o->trust, all, m, r->sni, ip, NULL, 0, now, &done) != 0) {
        goto out;
    }
    ch->aia_completed = !done.incomplete;
    ch->aia_trusted = done.trusted;
    revoc_add(ch->aia_detail, sizeof(ch->aia_detail), "%d issuer%s fetched; completed chain %s%s%s",
              ch->aia_fetched, ch->aia_fetched == 1 ? "" : "s",
              done.trusted ? "trusted" : "not trusted", done.trusted ? "" : ": ",
              done.trusted ? "" : done.verify_text);
    rc = 0;
out:
    for (size_t i = 0; all != NULL && i < n_all; i++) {
        cert_fact_cleanup(&all[i]);
    }
    free(all);
    return rc;
}

/* revoc_check_ocsp tries one OCSP URL for cert (with its issuer) into out. */
static void revoc_check_ocsp(const struct revoc_options *o, const char *url,
                             const struct cert_fact *cert, const unsigned char *iss, size_t iss_len,
                             int64_t now, struct revoc_fact *out)
{
    gnutls_ocsp_req_t req = NULL;
    gnutls_datum_t req_der = {NULL, 0};
    gnutls_datum_t nonce = {NULL, 0};
    gnutls_x509_crt_t crt = revoc_crt_import(cert->der, cert->der_len);
    gnutls_x509_crt_t issuer = revoc_crt_import(iss, iss_len);
    unsigned char *resp = NULL;
    size_t resp_len = 0;

    util_copy(out->method, sizeof(out->method), "ocsp");
    util_copy(out->url, sizeof(out->url), url);
    out->from_cache = false;
    if (crt == NULL || issuer == NULL || gnutls_ocsp_req_init(&req) < 0) {
        req = NULL;
        revoc_inconclusive(out, "cannot build the OCSP request");
        goto out;
    }
    if (gnutls_ocsp_req_add_cert(req, GNUTLS_DIG_SHA1, issuer, crt) < 0 ||
        gnutls_ocsp_req_randomize_nonce(req) < 0 || gnutls_ocsp_req_export(req, &req_der) < 0) {
        revoc_inconclusive(out, "cannot build the OCSP request");
        goto out;
    }
    unsigned critical = 0;
    if (gnutls_ocsp_req_get_nonce(req, &critical, &nonce) < 0) {
        nonce.data = NULL;
        nonce.size = 0;
    }
    struct revoc_fetch f = {.url = url,
                            .post = req_der.data,
                            .post_len = req_der.size,
                            .content_type = "application/ocsp-request",
                            .max_bytes = REVOC_OCSP_MAX_BYTES,
                            .timeout_ms = o->timeout_ms};
    char key[FACT_TEXT + 80];
    snprintf(key, sizeof(key), "%s %s", url, cert->sha256);
    char err[FACT_TEXT] = "";
    bool cached = false;
    if (revoc_get(o->cache, REVOC_KIND_OCSP, key, &f, now, &resp, &resp_len, &cached, err,
                  sizeof(err)) != 0) {
        revoc_inconclusive(out, "responder unreachable or unusable: %s", err);
        out->from_cache = cached;
        goto out;
    }
    out->from_cache = cached;
    /* The nonce binds only a fresh answer to this request. */
    revoc_judge_ocsp(resp, resp_len, cert->der, cert->der_len, iss, iss_len,
                     cached ? NULL : nonce.data, cached ? 0 : nonce.size, now, out);
    if (out->status != REVOC_INCONCLUSIVE && out->next_update > 0) {
        revoc_cache_mark_verified(o->cache, REVOC_KIND_OCSP, key, out->next_update, now);
    }
out:
    free(resp);
    gnutls_free(nonce.data);
    gnutls_free(req_der.data);
    if (req != NULL) {
        gnutls_ocsp_req_deinit(req);
    }
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    if (issuer != NULL) {
        gnutls_x509_crt_deinit(issuer);
    }
}

/* revoc_check_crl tries one CRL URL for cert into out. */
static void revoc_check_crl(const struct revoc_options *o, const char *url,
                            const struct cert_fact *cert, const unsigned char *iss, size_t iss_len,
                            int64_t now, struct revoc_fact *out)
{
    util_copy(out->method, sizeof(out->method), "crl");
    util_copy(out->url, sizeof(out->url), url);
    struct revoc_fetch f = {
        .url = url, .max_bytes = REVOC_CRL_MAX_BYTES, .timeout_ms = o->timeout_ms};
    unsigned char *crl = NULL;
    size_t crl_len = 0;
    char err[FACT_TEXT] = "";
    bool cached = false;
    if (revoc_get(o->cache, REVOC_KIND_CRL, url, &f, now, &crl, &crl_len, &cached, err,
                  sizeof(err)) != 0) {
        revoc_inconclusive(out, "CRL not fetched: %s", err);
        out->from_cache = cached;
        return;
    }
    out->from_cache = cached;
    revoc_judge_crl(crl, crl_len, cert->der, cert->der_len, iss, iss_len, now, out);
    if (out->status != REVOC_INCONCLUSIVE && out->next_update > 0) {
        revoc_cache_mark_verified(o->cache, REVOC_KIND_CRL, url, out->next_update, now);
    }
    free(crl);
}

/* revoc_check_one decides certs[i] into out. */
static void revoc_check_one(const struct revoc_options *o, const struct target_result *r,
                            const struct revoc_pool *p, size_t i, int64_t now,
                            struct revoc_fact *out)
{
    const struct cert_fact *c = &r->certs[i];
    if (c->der == NULL || c->subject == NULL || c->serial[0] == '\0') {
        revoc_text(out->detail, sizeof(out->detail), "not checked: unparsable certificate");
        return;
    }
    if (c->self_signed) {
        revoc_text(out->detail, sizeof(out->detail), "not checked: self-signed");
        return;
    }
    if (c->ocsp_urls.n_items == 0 && c->crl_urls.n_items == 0) {
        revoc_text(out->detail, sizeof(out->detail), "not checked: no OCSP or CRL URL");
        return;
    }
    if (o->offline) {
        revoc_text(out->detail, sizeof(out->detail), "not checked: --offline");
        return;
    }
    /* The issuer: served / fetched, else a trust anchor. */
    unsigned char *anchor = NULL;
    size_t anchor_len = 0;
    const unsigned char *iss = NULL;
    size_t iss_len = 0;
    int k = revoc_find_issuer(p, i);
    if (k >= 0) {
        iss = p->der[k];
        iss_len = p->len[k];
    } else if (x509_anchor_issuer(o->trust, c->der, c->der_len, &anchor, &anchor_len) == 1) {
        iss = anchor;
        iss_len = anchor_len;
    }
    if (iss == NULL) {
        revoc_inconclusive(out, "issuer not available: cannot verify a revocation answer");
        return;
    }
    char trail[FACT_TEXT] = "";
    struct revoc_fact attempt;
    memset(&attempt, 0, sizeof(attempt));
    for (size_t u = 0; u < c->ocsp_urls.n_items && u < REVOC_MAX_URLS; u++) {
        memset(&attempt, 0, sizeof(attempt));
        revoc_check_ocsp(o, c->ocsp_urls.items[u], c, iss, iss_len, now, &attempt);
        if (attempt.status != REVOC_INCONCLUSIVE) {
            *out = attempt;
            goto out;
        }
        revoc_add(trail, sizeof(trail), "OCSP %s: %s", attempt.url, attempt.detail);
    }
    for (size_t u = 0; u < c->crl_urls.n_items && u < REVOC_MAX_URLS; u++) {
        memset(&attempt, 0, sizeof(attempt));
        revoc_check_crl(o, c->crl_urls.items[u], c, iss, iss_len, now, &attempt);
        if (attempt.status != REVOC_INCONCLUSIVE) {
            char decided[FACT_TEXT];
            util_copy(decided, sizeof(decided), attempt.detail);
            *out = attempt;
            if (trail[0] != '\0') {
                revoc_text(out->detail, sizeof(out->detail), "%s (after %s)", decided, trail);
            }
            goto out;
        }
        revoc_add(trail, sizeof(trail), "CRL %s: %s", attempt.url, attempt.detail);
    }
    /* Nothing answered: inconclusive, naming the last source tried. */
    *out = attempt;
    out->status = REVOC_INCONCLUSIVE;
    util_copy(out->detail, sizeof(out->detail), trail);
out:
    free(anchor);
}

int revocation_check(const struct revoc_options *o, struct target_result *r, int64_t now)
{
    struct revoc_pool pool;
    memset(&pool, 0, sizeof(pool));
    free(r->revoc);
    r->revoc = NULL;
    r->n_revoc = 0;
    r->revoc_collected = false;
    if (!r->chain_collected || r->n_certs == 0) {
        return 0;
    }
    for (size_t i = 0; i < r->n_certs && pool.n < 64 - REVOC_AIA_MAX_DEPTH; i++) {
        pool.der[pool.n] = r->certs[i].der;
        pool.len[pool.n] = r->certs[i].der_len;
        pool.n++;
    }
    r->revoc = calloc(r->n_certs, sizeof(*r->revoc));
    if (r->revoc == NULL) {
        return -1;
    }
    r->n_revoc = r->n_certs;
    int rc = 0;
    if (r->chain.incomplete) {
        if (o->offline) {
            r->chain.aia_attempted = false;
            util_copy(r->chain.aia_detail, sizeof(r->chain.aia_detail), "not checked: --offline");
        } else if (revoc_chase_aia(o, r, &pool, now) != 0) {
            rc = -1;
            goto out;
        }
    }
    for (size_t i = 0; i < r->n_certs; i++) {
        revoc_check_one(o, r, &pool, i, now, &r->revoc[i]);
    }
    /* The stapled response, judged by x509_chain_check, against the fetched one. */
    const char *st = r->chain.ocsp_status;
    enum revoc_status fetched = r->revoc[0].status;
    if (r->chain.ocsp_staple &&
        (strcmp(st, "good") == 0 || strcmp(st, "revoked") == 0 || strcmp(st, "unknown") == 0) &&
        (fetched == REVOC_GOOD || fetched == REVOC_REVOKED || fetched == REVOC_UNKNOWN)) {
        util_copy(r->revoc[0].staple, sizeof(r->revoc[0].staple),
                  strcmp(st, revoc_status_name(fetched)) == 0 ? "agrees" : "disagrees");
    }
    r->revoc_collected = true;
out:
    for (size_t i = 0; i < pool.n_owned; i++) {
        free(pool.owned[i]);
    }
    if (rc != 0) {
        free(r->revoc);
        r->revoc = NULL;
        r->n_revoc = 0;
    }
    return rc;
}
