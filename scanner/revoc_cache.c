/*
 * scanner/revoc_cache.c - the fetch cache of a scan's revocation checks (see
 * revocation.h) and the one fetch it runs on a miss (scanner/fetch.c).
 *
 * Pipeline position: revocation.c asks revoc_get for every OCSP response,
 * CRL and CA-issuer certificate; the CLI preloads entries from the store
 * and drains the verified ones back into it.
 *
 * Invariants:
 * - One entry per (kind, key); a fetch in flight is marked pending and
 *   concurrent askers wait on the condition variable for it, so one URL is
 *   fetched once per scan. At most REVOC_CACHE_MAX entries: beyond it a
 *   fetch is run and not kept.
 * - The cache keeps raw bytes; every use judges them again (signature,
 *   times), so a cached answer is never trusted more than a fresh one. Only
 *   what revocation.c marks verified (revoc_cache_mark_verified, with an
 *   expiry) is drained for the store; a failure is remembered for the scan
 *   only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/fetch.h"
#include "scanner/revoc_private.h"

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

void revoc_cache_mark_verified(struct revoc_cache *c, const char *kind, const char *key,
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

int revoc_get(struct revoc_cache *c, const char *kind, const char *key, const struct revoc_fetch *f,
              int64_t now, unsigned char **out, size_t *out_len, bool *from_cache, char *err,
              size_t err_len)
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
