/*
 * scanner/probes/cache.c - the scan's cache of reusable probe results (see
 * cache.h): the keys and fingerprints, the entries in a hash table under
 * one mutex, the claim (run, reuse, wait or park), the settle and the
 * forgetting of an endpoint's entries.
 *
 * A key starts with its endpoint (address, port, protocol): an entry's
 * bucket is chosen by the hash of that prefix alone, so that
 * probe_cache_forget walks one bucket.
 *
 * Invariants: an entry is RUNNING with exactly one owner (a context whose
 * claim points at it), DONE with its rows (immutable from then on, so they
 * are copied without the lock), or OPEN (the last run gave no reusable
 * result: the next asker owns it). Parked contexts hang only on RUNNING
 * entries.
 */
#include "scanner/probes/cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/model/probe_result.h"
#include "common/util.h"
#include "scanner/hello.h"

#define PC_BUCKETS 1024
#define PC_KEY_MAX 1024
/* The fingerprint's facts: at most TLSV_COUNT versions of suites and the
 * lists; the registry has fewer than 512 suites, each 13 bytes here. */
#define PC_FACTS_MAX (256 * 1024)

enum pc_state { PC_RUNNING, PC_DONE, PC_OPEN };

struct probe_cache_entry {
    struct probe_cache_entry *next; /* bucket chain */
    uint64_t hash;                  /* of the whole key */
    uint8_t *key;
    size_t key_len;
    size_t ep_len; /* the key's endpoint prefix */
    enum pc_state state;
    struct probe_list rows;    /* PC_DONE: the owner's rows, as it recorded them */
    char from[FACT_TEXT];      /* the owner, for the evidence */
    struct probe_ctx *waiters; /* parked (loop track), in the order they asked */
};

struct probe_cache {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast by every settle */
    struct probe_cache_entry *buckets[PC_BUCKETS];
    size_t n_entries;
};

struct probe_cache *probe_cache_new(void)
{
    struct probe_cache *pc = calloc(1, sizeof(*pc));
    if (pc != NULL) {
        pthread_mutex_init(&pc->lock, NULL);
        pthread_cond_init(&pc->cond, NULL);
    }
    return pc;
}

void probe_cache_free(struct probe_cache *pc)
{
    if (pc == NULL) {
        return;
    }
    for (size_t i = 0; i < PC_BUCKETS; i++) {
        struct probe_cache_entry *e = pc->buckets[i];
        while (e != NULL) {
            struct probe_cache_entry *next = e->next;
            probe_list_cleanup(&e->rows);
            free(e->key);
            free(e);
            e = next;
        }
    }
    pthread_cond_destroy(&pc->cond);
    pthread_mutex_destroy(&pc->lock);
    free(pc);
}

static void put_text(struct wbuf *w, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    (void)wbuf_put_u16(w, (uint16_t)(n > 0xffff ? 0xffff : n));
    (void)wbuf_put_bytes(w, (const uint8_t *)(s != NULL ? s : ""), n > 0xffff ? 0xffff : n);
}

static void put_list16(struct wbuf *w, const uint16_t *v, size_t n)
{
    (void)wbuf_put_u32(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        (void)wbuf_put_u16(w, v[i]);
    }
}

static uint8_t tri(enum fact_tri t)
{
    return (uint8_t)(t + 1);
}

/* The enumeration's facts a loop-track probe builds its hellos from. */
static void facts_enum(struct wbuf *w, const struct enum_facts *e)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct enum_version_fact *f = &e->versions[v];
        (void)wbuf_put_u8(w, (uint8_t)f->state);
        (void)wbuf_put_u8(w, (uint8_t)f->order);
        (void)wbuf_put_u8(w, f->incomplete ? 1 : 0);
        (void)wbuf_put_u32(w, f->echoed_exts);
        (void)wbuf_put_u32(w, (uint32_t)f->n_suites);
        for (size_t i = 0; i < f->n_suites; i++) {
            (void)wbuf_put_u32(w, f->suites[i].code);
            (void)wbuf_put_u32(w, (uint32_t)f->suites[i].server_rank);
            (void)wbuf_put_u16(w, f->suites[i].ec_group);
            (void)wbuf_put_u32(w, (uint32_t)f->suites[i].kx_bits);
        }
    }
    put_list16(w, e->groups12, e->n_groups12);
    put_list16(w, e->groups13, e->n_groups13);
    put_list16(w, e->sigalgs12, e->n_sigalgs12);
    const enum fact_tri tris[] = {e->secure_renegotiation, e->extended_master_secret,
                                  e->encrypt_then_mac,     e->status_request,
                                  e->session_ticket,       e->heartbeat};
    for (size_t i = 0; i < sizeof(tris) / sizeof(tris[0]); i++) {
        (void)wbuf_put_u8(w, tri(tris[i]));
    }
    put_text(w, e->alpn);
    (void)wbuf_put_u8(w, e->unoffered_choice ? 1 : 0);
}

/* The GnuTLS handshakes' facts a worker-track probe starts from. */
static void facts_versions(struct wbuf *w, const struct target_result *r)
{
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        (void)wbuf_put_u8(w, (uint8_t)r->versions[v].state);
        (void)wbuf_put_u16(w, r->versions[v].suite);
    }
}

/* The fingerprint of the facts row d of c starts from, in hex. */
static bool fingerprint(const struct probe_ctx *c, const struct probe_def *d, char out[65])
{
    struct wbuf w;
    wbuf_init(&w, PC_FACTS_MAX);
    if (d->track == PROBE_TRACK_LOOP) {
        facts_enum(&w, &c->r->enumeration);
    } else {
        facts_versions(&w, c->r);
    }
    bool ok = wbuf_ok(&w) && hello_sha256_hex(wbuf_data(&w), wbuf_len(&w), out);
    wbuf_cleanup(&w);
    return ok;
}

/* The endpoint part of every key: address, port, protocol. */
static void put_endpoint(struct wbuf *w, const char *ip, uint16_t port, const char *proto)
{
    put_text(w, ip);
    (void)wbuf_put_u16(w, port);
    put_text(w, proto);
}

/* Row d's key for c's unit into w (heap, PC_KEY_MAX): see cache.h; its
 * first *ep_len bytes are the endpoint. */
static bool make_key(const struct probe_ctx *c, const struct probe_def *d, struct wbuf *w,
                     size_t *ep_len)
{
    char fp[65];
    if (!fingerprint(c, d, fp)) {
        return false;
    }
    /* A dialogue built from the target (XMPP's to=) picks the virtual host. */
    bool host_dialogue = c->proto != NULL && c->proto->arg_new != NULL;
    bool by_sni = (d->flags & PROBE_REUSE_SNI) != 0 || host_dialogue;
    put_endpoint(w, c->addr->ip, c->spec->port, c->proto != NULL ? c->proto->name : "");
    *ep_len = wbuf_len(w);
    put_text(w, d->id);
    (void)wbuf_put_u8(w, (uint8_t)d->track);
    (void)wbuf_put_u8(w, by_sni ? 1 : 0);
    if (by_sni) {
        (void)wbuf_put_u8(w, c->r->sni != NULL ? 1 : 0);
        put_text(w, c->r->sni);
    }
    if (host_dialogue) {
        put_text(w, c->spec->host);
    }
    put_text(w, fp);
    return wbuf_ok(w);
}

/* 64-bit FNV-1a. */
static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

/* The entry of key, or a new RUNNING one (NULL: no room); under the lock. */
static struct probe_cache_entry *find_or_add(struct probe_cache *pc, const uint8_t *key,
                                             size_t key_len, size_t ep_len, bool *out_new)
{
    uint64_t h = hash_bytes(key, key_len);
    struct probe_cache_entry **slot = &pc->buckets[hash_bytes(key, ep_len) % PC_BUCKETS];
    for (struct probe_cache_entry *e = *slot; e != NULL; e = e->next) {
        if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
            *out_new = false;
            return e;
        }
    }
    if (pc->n_entries >= PROBE_CACHE_MAX) {
        return NULL;
    }
    struct probe_cache_entry *e = calloc(1, sizeof(*e));
    uint8_t *k = malloc(key_len);
    if (e == NULL || k == NULL) {
        free(e);
        free(k);
        return NULL;
    }
    memcpy(k, key, key_len);
    e->key = k;
    e->key_len = key_len;
    e->ep_len = ep_len;
    e->hash = h;
    e->state = PC_RUNNING;
    e->next = *slot;
    *slot = e;
    pc->n_entries++;
    *out_new = true;
    return e;
}

/* Who c's unit is, for the evidence of whoever reuses its result. */
static void describe(const struct probe_ctx *c, char *buf, size_t len)
{
    bool v6 = strchr(c->spec->host, ':') != NULL;
    snprintf(buf, len, "%s (%s%s%s:%u%s%s, address %s)",
             c->spec->origin != NULL ? c->spec->origin : "another target", v6 ? "[" : "",
             c->spec->host, v6 ? "]" : "", (unsigned)c->spec->port, c->r->sni ? ", sni " : "",
             c->r->sni ? c->r->sni : "", c->addr->ip);
}

/* Copies e's rows (DONE: immutable) into c's list, the evidence saying
 * whose they are. */
static void copy_rows(struct probe_ctx *c, const struct probe_cache_entry *e)
{
    size_t cap = PROBE_EVIDENCE_MAX + 1;
    char *ev = malloc(cap);
    for (size_t i = 0; i < e->rows.n_items; i++) {
        const struct probe_result *p = &e->rows.items[i];
        if (ev != NULL) {
            snprintf(ev, cap, PROBE_CACHE_FROM "%s%s%s", e->from, p->evidence != NULL ? ": " : "",
                     p->evidence != NULL ? p->evidence : "");
        }
        probe_record(c, p->id, p->version, p->suite, p->state, p->detail,
                     ev != NULL ? ev : PROBE_CACHE_FROM "another target");
    }
    free(ev);
}

enum probe_cache_claim probe_cache_claim(struct probe_ctx *c, const struct probe_def *d, bool block)
{
    struct probe_cache *pc = c->cache;
    if (pc == NULL || (d->flags & (PROBE_REUSE_ADDR | PROBE_REUSE_SNI)) == 0) {
        return PROBE_CACHE_OFF;
    }
    struct wbuf key;
    wbuf_init(&key, PC_KEY_MAX);
    enum probe_cache_claim out = PROBE_CACHE_OFF;
    size_t ep_len = 0;
    if (!make_key(c, d, &key, &ep_len)) {
        goto out;
    }
    pthread_mutex_lock(&pc->lock);
    bool is_new = false;
    struct probe_cache_entry *e = find_or_add(pc, wbuf_data(&key), wbuf_len(&key), ep_len, &is_new);
    while (e != NULL && !is_new && e->state == PC_RUNNING && block) {
        pthread_cond_wait(&pc->cond, &pc->lock);
    }
    if (e == NULL) {
        out = PROBE_CACHE_OFF;
    } else if (is_new || e->state == PC_OPEN) {
        e->state = PC_RUNNING;
        describe(c, e->from, sizeof(e->from));
        c->claim = e;
        c->claim_first = c->rows->n_items;
        out = PROBE_CACHE_OWNER;
    } else if (e->state == PC_DONE) {
        out = PROBE_CACHE_REUSED;
    } else {
        struct probe_ctx **tail = &e->waiters;
        while (*tail != NULL) {
            tail = &(*tail)->wait_next;
        }
        c->wait_next = NULL;
        *tail = c;
        out = PROBE_CACHE_WAIT;
    }
    pthread_mutex_unlock(&pc->lock);
    if (out == PROBE_CACHE_REUSED) {
        copy_rows(c, e);
    }
out:
    wbuf_cleanup(&key);
    return out;
}

/* Whether rows [first, n) of l are a result another unit may take. */
static bool reusable(const struct probe_list *l, size_t first)
{
    if (first >= l->n_items) {
        return false;
    }
    for (size_t i = first; i < l->n_items; i++) {
        enum probe_result_state st = l->items[i].state;
        if (st == PR_COULD_NOT_TEST || st == PR_NOT_RUN) {
            return false;
        }
    }
    return true;
}

/* Keeps rows [first, n) of l in e; false when memory ran out. */
static bool keep_rows(struct probe_cache_entry *e, const struct probe_list *l, size_t first)
{
    for (size_t i = first; i < l->n_items; i++) {
        const struct probe_result *p = &l->items[i];
        if (probe_list_add(&e->rows, p->id, p->version, p->suite, p->state, p->detail,
                           p->evidence) != 0) {
            probe_list_cleanup(&e->rows);
            return false;
        }
    }
    return true;
}

void probe_cache_settle(struct probe_ctx *c, void (*resume)(struct probe_ctx *waiter))
{
    struct probe_cache_entry *e = c->claim;
    if (e == NULL) {
        return;
    }
    c->claim = NULL;
    struct probe_cache *pc = c->cache;
    /* Only the owner writes e while it runs: the rows are kept unlocked. */
    bool keep = reusable(c->rows, c->claim_first) && keep_rows(e, c->rows, c->claim_first);
    pthread_mutex_lock(&pc->lock);
    e->state = keep ? PC_DONE : PC_OPEN;
    struct probe_ctx *w = e->waiters;
    e->waiters = NULL;
    pthread_cond_broadcast(&pc->cond);
    pthread_mutex_unlock(&pc->lock);
    while (w != NULL) {
        struct probe_ctx *next = w->wait_next; /* resume may end w's unit */
        w->wait_next = NULL;
        resume(w);
        w = next;
    }
}

void probe_cache_forget(struct probe_cache *pc, const char *ip, uint16_t port, const char *proto)
{
    if (pc == NULL) {
        return;
    }
    struct wbuf ep;
    wbuf_init(&ep, PC_KEY_MAX);
    put_endpoint(&ep, ip, port, proto != NULL ? proto : "");
    if (!wbuf_ok(&ep)) {
        wbuf_cleanup(&ep);
        return; /* kept: freed with the cache */
    }
    const uint8_t *k = wbuf_data(&ep);
    size_t n = wbuf_len(&ep);
    pthread_mutex_lock(&pc->lock);
    struct probe_cache_entry **link = &pc->buckets[hash_bytes(k, n) % PC_BUCKETS];
    while (*link != NULL) {
        struct probe_cache_entry *e = *link;
        /* Only settled entries go: a RUNNING one has an owner (and maybe
         * waiters), which the caller says cannot be. */
        if (e->ep_len == n && memcmp(e->key, k, n) == 0 && e->state != PC_RUNNING) {
            *link = e->next;
            probe_list_cleanup(&e->rows);
            free(e->key);
            free(e);
            pc->n_entries--;
        } else {
            link = &e->next;
        }
    }
    pthread_mutex_unlock(&pc->lock);
    wbuf_cleanup(&ep);
}
