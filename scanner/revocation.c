/*
 * scanner/revocation.c - OCSP, CRL and AIA checks of a served chain (see
 * revocation.h): the checks of one target.
 *
 * Pipeline position: scan worker -> x509_chain_check -> [revocation_check]
 * -> target_result -> store. Every fetch goes through the scan's cache
 * (revoc_cache.c, libcurl by scanner/fetch.c); every ASN.1 decode and
 * signature check is GnuTLS's, in gnutls/revoc_judge.c: this file sees
 * certificates and answers as bytes only.
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
 * - CRL (RFC 5280 §6.3) when OCSP is absent or gave no answer: verified
 *   against the certificate's issuer before its contents are believed
 *   (revoc_judge_crl); a stale CRL is inconclusive, never "good".
 * - The issuer of a served certificate is looked for among the served
 *   certificates, then the AIA-fetched ones, then the trust anchors.
 * - AIA (RFC 5280 §4.2.2.1): only when x509_chain_check found the served
 *   chain incomplete; up to REVOC_AIA_MAX_DEPTH issuers are fetched
 *   (DER or PEM, at most REVOC_CERT_MAX_BYTES each) walking up from the
 *   top of what was served, then the chain is checked again with them.
 *   chain.incomplete keeps saying what the server sent.
 * - A cached answer is judged again at every use (signature, times). Only
 *   a response that judged good/revoked/unknown with a nextUpdate (or a
 *   certificate, until its notAfter) is marked for the store.
 */
#include "scanner/revocation.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/revoc_private.h"

/* URLs of one kind tried per certificate. */
#define REVOC_MAX_URLS 2
/* Issuers fetched through AIA per target. */
#define REVOC_AIA_MAX_DEPTH 4
/* Size caps of what a responder or server may send. */
#define REVOC_OCSP_MAX_BYTES (64 * 1024)
#define REVOC_CRL_MAX_BYTES (8 * 1024 * 1024)
#define REVOC_CERT_MAX_BYTES (64 * 1024)

/* --- texts --------------------------------------------------------------- */

void revoc_text(char *dst, size_t dst_len, const char *fmt, ...)
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

void revoc_inconclusive(struct revoc_fact *out, const char *fmt, ...)
{
    out->status = REVOC_INCONCLUSIVE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
    va_end(ap);
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
    int64_t not_after = 0;
    unsigned char *out = revoc_cert_der(data, len, out_len, &not_after, err, err_len);
    free(data);
    if (out != NULL) {
        revoc_cache_mark_verified(o->cache, REVOC_KIND_CERT, url, not_after, now);
    }
    return out;
}

/* revoc_pool_top returns the top of what the pool holds above the leaf:
 * the walk up from it through the issuers available. */
static size_t revoc_pool_top(const struct revoc_pool *p)
{
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
    return top;
}

/* revoc_aia_next fetches the issuer of pool entry top (served when top <
 * r->n_certs, else fetched at step depth - 1) from the CA-issuers URLs it
 * names. Returns its DER (malloc'ed) and *got_len, or NULL with the reason
 * added to the chain's aia_detail. */
static unsigned char *revoc_aia_next(const struct revoc_options *o, struct target_result *r,
                                     const struct revoc_pool *p, size_t top, int depth, int64_t now,
                                     size_t *got_len)
{
    struct chain_fact *ch = &r->chain;
    struct cert_fact fetched_fact;
    cert_fact_init(&fetched_fact);
    const struct strlist *urls = NULL;
    unsigned char *got = NULL;
    char why[FACT_TEXT] = "";
    if (top < r->n_certs) {
        urls = &r->certs[top].ca_issuer_urls;
    } else if (x509_cert_facts(p->der[top], p->len[top], now, &fetched_fact, why, sizeof(why)) ==
               0) {
        urls = &fetched_fact.ca_issuer_urls;
    } else {
        goto out;
    }
    if (urls->n_items == 0) {
        revoc_add(ch->aia_detail, sizeof(ch->aia_detail), "%s names no CA issuers URL",
                  depth == 0 && top == 0 ? "the leaf" : "the top certificate");
        goto out;
    }
    for (size_t u = 0; u < urls->n_items && u < REVOC_MAX_URLS && got == NULL; u++) {
        bool cached = false;
        char err[FACT_TEXT] = "";
        got = revoc_fetch_cert(o, urls->items[u], now, got_len, &cached, err, sizeof(err));
        if (got == NULL) {
            revoc_add(ch->aia_detail, sizeof(ch->aia_detail), "%s: %s", urls->items[u], err);
        } else if (!revoc_is_issuer(p->der[top], p->len[top], got, *got_len)) {
            revoc_add(ch->aia_detail, sizeof(ch->aia_detail),
                      "%s: the certificate there did not issue the one that names it",
                      urls->items[u]);
            free(got);
            got = NULL;
        }
    }
out:
    cert_fact_cleanup(&fetched_fact);
    return got;
}

/* revoc_aia_recheck checks the served chain plus the fetched issuers again
 * and records the outcome in the chain's aia_* facts. Returns 0, or -1
 * when memory ran out. */
static int revoc_aia_recheck(const struct revoc_options *o, struct target_result *r,
                             const struct revoc_pool *p, int64_t now)
{
    struct chain_fact *ch = &r->chain;
    int rc = -1;
    size_t n_all = r->n_certs + (size_t)ch->aia_fetched;
    struct cert_fact *all = calloc(n_all, sizeof(*all));
    if (all == NULL) {
        return -1;
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
    for (size_t i = 0; i < n_all; i++) {
        cert_fact_cleanup(&all[i]);
    }
    free(all);
    return rc;
}

/* revoc_chase_aia fetches missing issuers into the pool and checks the
 * completed chain again. Returns 0, or -1 when memory ran out. */
static int revoc_chase_aia(const struct revoc_options *o, struct target_result *r,
                           struct revoc_pool *p, int64_t now)
{
    struct chain_fact *ch = &r->chain;
    ch->aia_attempted = true;
    size_t top = revoc_pool_top(p);
    for (int depth = 0; depth < REVOC_AIA_MAX_DEPTH && p->n < 64; depth++) {
        size_t got_len = 0;
        unsigned char *got = revoc_aia_next(o, r, p, top, depth, now, &got_len);
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
        return 0;
    }
    return revoc_aia_recheck(o, r, p, now);
}

/* revoc_check_ocsp tries one OCSP URL for cert (with its issuer) into out. */
static void revoc_check_ocsp(const struct revoc_options *o, const char *url,
                             const struct cert_fact *cert, const unsigned char *iss, size_t iss_len,
                             int64_t now, struct revoc_fact *out)
{
    unsigned char *req = NULL;
    size_t req_len = 0;
    unsigned char *nonce = NULL;
    size_t nonce_len = 0;
    unsigned char *resp = NULL;
    size_t resp_len = 0;

    util_copy(out->method, sizeof(out->method), "ocsp");
    util_copy(out->url, sizeof(out->url), url);
    out->from_cache = false;
    if (revoc_ocsp_request(cert->der, cert->der_len, iss, iss_len, &req, &req_len, &nonce,
                           &nonce_len) != 0) {
        revoc_inconclusive(out, "cannot build the OCSP request");
        goto out;
    }
    struct revoc_fetch f = {.url = url,
                            .post = req,
                            .post_len = req_len,
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
    revoc_judge_ocsp(resp, resp_len, cert->der, cert->der_len, iss, iss_len, cached ? NULL : nonce,
                     cached ? 0 : nonce_len, now, out);
    if (out->status != REVOC_INCONCLUSIVE && out->next_update > 0) {
        revoc_cache_mark_verified(o->cache, REVOC_KIND_OCSP, key, out->next_update, now);
    }
out:
    free(resp);
    free(nonce);
    free(req);
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
    fact_mark(&r->revoc_header, false);
    if (!fact_collected(&r->chain_header) || r->n_certs == 0) {
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
    fact_mark(&r->revoc_header, true);
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
