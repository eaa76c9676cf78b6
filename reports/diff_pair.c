/*
 * reports/diff_pair.c - which target of scan A is which target of scan B
 * (reports/diff.h): both scans' targets in identity order
 * (common/model/endpoint.h, then the host's bytes, then the order stored),
 * merged; and diff_compute, the diff of two scans loaded whole.
 *
 * Pipeline position: a diff_source (two sorted arrays here, the store's
 * ORDER BY in reports/diff_stream.c) -> [diff_walk] -> the model
 * (reports/diff.c compares each pair) -> diff_write or a streamed writer.
 *
 * How: the targets of one name (host, port, SNI, protocol) are contiguous
 * in identity order, and two targets pair only when they share the name:
 * first by the whole identity (the k-th of an identity in A with the k-th
 * in B), then a target without an address (its name did not resolve) with
 * an unpaired one of its name. So the walk reads one name's targets of
 * each side at a time (its addresses: a handful) and pairs them: the
 * pairing of the two whole scans, in memory bounded by the largest name.
 *
 * Invariants: deterministic (only the identities' bytes and the order
 * stored decide); a side that does not come in order is an error, never a
 * wrong pairing.
 */
#include <stdlib.h>
#include <string.h>

#include "common/model/endpoint.h"
#include "common/util.h"
#include "reports/diff_private.h"

int diff_key_set(struct diff_key *k, const char *host, uint16_t port, const char *sni,
                 const char *ip, const char *starttls, int64_t tid, size_t idx)
{
    *k = (struct diff_key){.port = port, .tid = tid, .idx = idx, .partner = -1};
    k->host = strdup(host != NULL ? host : "");
    k->sni = sni != NULL ? strdup(sni) : NULL;
    util_copy(k->ip, sizeof(k->ip), ip);
    util_copy(k->starttls, sizeof(k->starttls), starttls);
    if (k->host == NULL || (sni != NULL && k->sni == NULL)) {
        diff_key_cleanup(k);
        return -1;
    }
    return 0;
}

void diff_key_cleanup(struct diff_key *k)
{
    free(k->host);
    free(k->sni);
    k->host = k->sni = NULL;
}

/* key_id returns the identity of k (endpoint_of's normalisation). */
static struct endpoint_id key_id(const struct diff_key *k)
{
    return (struct endpoint_id){
        .host = k->host,
        .port = k->port,
        .sni = k->sni != NULL ? k->sni : "",
        .ip = k->ip,
        .starttls = k->starttls[0] != '\0' ? k->starttls : "none",
    };
}

/* The last two only separate names differing in case and identical
 * duplicates, whose pairing then cannot matter. */
int diff_key_cmp(const struct diff_key *x, const struct diff_key *y)
{
    struct endpoint_id a = key_id(x), b = key_id(y);
    int c = endpoint_cmp(&a, &b);
    if (c == 0) {
        c = strcmp(a.host, b.host);
    }
    if (c == 0) {
        c = x->idx < y->idx ? -1 : x->idx > y->idx;
    }
    return c;
}

static int same_name(const struct diff_key *x, const struct diff_key *y)
{
    struct endpoint_id a = key_id(x), b = key_id(y);
    return endpoint_cmp_but_address(&a, &b);
}

/* pair_targets pairs ka (na, scan A) with kb (nb, scan B), both sorted and
 * of one name: first by the whole identity (a merge), then a target
 * without an address with an unpaired one. */
static void pair_targets(struct diff_key *ka, size_t na, struct diff_key *kb, size_t nb)
{
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        struct endpoint_id x = key_id(&ka[i]), y = key_id(&kb[j]);
        int c = endpoint_cmp(&x, &y);
        if (c == 0) {
            ka[i].partner = (long)j;
            kb[j].partner = (long)i;
        }
        i += c <= 0;
        j += c >= 0;
    }
    for (j = 0; j < nb; j++) {
        for (i = 0; kb[j].partner < 0 && i < na; i++) {
            if (ka[i].partner < 0 && (ka[i].ip[0] == '\0' || kb[j].ip[0] == '\0')) {
                ka[i].partner = (long)j;
                kb[j].partner = (long)i;
            }
        }
    }
}

/* One side of the walk: the name being paired and the key after it. */
struct walk_side {
    struct diff_key *g;
    size_t n, cap;
    struct diff_key head;
    int have; /* 1: head holds the next key; 0: the side is done */
};

/* side_take moves side s's keys of head's name into s->g (the next key
 * read ahead, checked to come after the one before). Returns 0 or -1. */
static int side_take(struct diff_build *c, const struct diff_source *src, int side,
                     struct walk_side *s, const struct diff_key *name)
{
    while (s->have == 1 && same_name(&s->head, name) == 0) {
        if (s->n == s->cap) {
            size_t nc = s->cap ? 2 * s->cap : 8;
            struct diff_key *g = realloc(s->g, nc * sizeof(*g));
            if (g == NULL) {
                c->oom = true;
                return -1;
            }
            s->g = g;
            s->cap = nc;
        }
        s->g[s->n++] = s->head;
        s->have = src->next(src->arg, side, &s->head);
        if (s->have == 1 && diff_key_cmp(&s->g[s->n - 1], &s->head) >= 0) {
            s->have = -1;
            c->disorder = true;
        }
        if (s->have < 0) {
            c->failed = true;
            return -1;
        }
    }
    return 0;
}

/* walk_pairs adds the B targets of one name, each pair compared, then
 * hands A's unpaired ones to only_a (kept by diff_compute for the end). */
static int walk_pairs(struct diff_build *c, const struct diff_source *src, struct walk_side *sa,
                      struct walk_side *sb, struct walk_side *only_a)
{
    for (size_t j = 0; j < sb->n; j++) {
        const struct diff_key *kb = &sb->g[j];
        const struct diff_key *ka = kb->partner >= 0 ? &sa->g[kb->partner] : NULL;
        size_t t;
        if (diff_add_target(c, kb, ka != NULL ? DIFF_IN_BOTH : DIFF_ONLY_B,
                            ka != NULL ? (long)ka->idx : -1, (long)kb->idx, &t) != 0) {
            return -1;
        }
        if (ka != NULL) {
            const struct target_result *ra = NULL, *rb = NULL;
            int rc = src->load(src->arg, 0, ka, &ra) == 0 && src->load(src->arg, 1, kb, &rb) == 0
                         ? 0
                         : -1;
            if (rc == 0) {
                diff_cmp_pair(c, t, ra, ka->tid, rb, kb->tid);
            }
            src->unload(src->arg, 0);
            src->unload(src->arg, 1);
            if (rc != 0) {
                c->failed = true;
                return -1;
            }
        }
        if (diff_target_done(c) != 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < sa->n; i++) {
        struct diff_key *ka = &sa->g[i];
        size_t t;
        if (ka->partner >= 0) {
            continue;
        }
        if (c->emit != NULL) {
            if (diff_add_target(c, ka, DIFF_ONLY_A, (long)ka->idx, -1, &t) != 0 ||
                diff_target_done(c) != 0) {
                return -1;
            }
            continue;
        }
        if (only_a->n == only_a->cap) {
            size_t nc = only_a->cap ? 2 * only_a->cap : 8;
            struct diff_key *g = realloc(only_a->g, nc * sizeof(*g));
            if (g == NULL) {
                c->oom = true;
                return -1;
            }
            only_a->g = g;
            only_a->cap = nc;
        }
        only_a->g[only_a->n++] = *ka; /* moved: its strings go with it */
        ka->host = ka->sni = NULL;
    }
    return 0;
}

static void side_clear(struct walk_side *s)
{
    for (size_t i = 0; i < s->n; i++) {
        diff_key_cleanup(&s->g[i]);
    }
    s->n = 0;
}

int diff_walk(struct diff_build *c, const struct diff_source *src)
{
    struct walk_side s[2] = {{0}}, only_a = {0};
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        s[i].have = src->next(src->arg, i, &s[i].head);
        if (s[i].have < 0) {
            c->failed = true;
            rc = -1;
        }
    }
    while (rc == 0 && (s[0].have == 1 || s[1].have == 1)) {
        struct diff_key name;
        bool from_a = s[0].have == 1 && (s[1].have != 1 || same_name(&s[0].head, &s[1].head) < 0);
        const struct diff_key *h = from_a ? &s[0].head : &s[1].head;
        /* a copy: the head moves on while the name is taken */
        if (diff_key_set(&name, h->host, h->port, h->sni, h->ip, h->starttls, 0, 0) != 0) {
            c->oom = true;
            rc = -1;
            break;
        }
        rc = side_take(c, src, 0, &s[0], &name) == 0 && side_take(c, src, 1, &s[1], &name) == 0
                 ? 0
                 : -1;
        diff_key_cleanup(&name);
        if (rc == 0) {
            pair_targets(s[0].g, s[0].n, s[1].g, s[1].n);
            rc = walk_pairs(c, src, &s[0], &s[1], &only_a);
        }
        side_clear(&s[0]);
        side_clear(&s[1]);
    }
    for (size_t i = 0; rc == 0 && i < only_a.n; i++) {
        size_t t;
        rc = diff_add_target(c, &only_a.g[i], DIFF_ONLY_A, (long)only_a.g[i].idx, -1, &t);
    }
    for (int i = 0; i < 2; i++) {
        if (s[i].have == 1) {
            diff_key_cleanup(&s[i].head);
        }
        free(s[i].g);
    }
    side_clear(&only_a);
    free(only_a.g);
    return rc != 0 || c->oom || c->failed ? -1 : 0;
}

/* ---- two scans loaded whole ------------------------------------------- */

/* Each side's keys, sorted, handed out in order (each key's strings go
 * with it). */
struct mem_source {
    const struct report_data *d[2];
    struct diff_key *keys[2];
    size_t pos[2];
};

static int mem_next(void *arg, int side, struct diff_key *out)
{
    struct mem_source *m = arg;
    if (m->pos[side] == m->d[side]->n_targets) {
        return 0;
    }
    struct diff_key *k = &m->keys[side][m->pos[side]++];
    *out = *k;
    k->host = k->sni = NULL;
    return 1;
}

static int mem_load(void *arg, int side, const struct diff_key *k, const struct target_result **out)
{
    struct mem_source *m = arg;
    *out = &m->d[side]->targets[k->idx];
    return 0;
}

static void mem_unload(void *arg, int side)
{
    (void)arg;
    (void)side;
}

static int mem_cmp(const void *x, const void *y)
{
    return diff_key_cmp(x, y);
}

static void mem_free_keys(struct diff_key *keys, size_t n)
{
    for (size_t i = 0; keys != NULL && i < n; i++) {
        diff_key_cleanup(&keys[i]);
    }
    free(keys);
}

/* mem_sorted returns the keys of d's targets in identity order (NULL when
 * out of memory). */
static struct diff_key *mem_sorted(const struct report_data *d)
{
    size_t n = d->n_targets;
    struct diff_key *keys = calloc(n ? n : 1, sizeof(*keys));
    for (size_t i = 0; keys != NULL && i < n; i++) {
        const struct target_result *r = &d->targets[i];
        if (diff_key_set(&keys[i], r->host, r->port, r->sni, r->ip, r->starttls, d->target_ids[i],
                         i) != 0) {
            mem_free_keys(keys, i);
            return NULL;
        }
    }
    if (keys != NULL) {
        qsort(keys, n, sizeof(*keys), mem_cmp);
    }
    return keys;
}

struct diff *diff_compute(const struct report_data *a, const struct report_data *b)
{
    struct diff *d = calloc(1, sizeof(*d));
    struct mem_source m = {.d = {a, b}, .keys = {mem_sorted(a), mem_sorted(b)}};
    struct diff_source src = {mem_next, mem_load, mem_unload, &m};
    struct diff_build c = {.d = d, .a = a, .b = b};
    if (d == NULL || m.keys[0] == NULL || m.keys[1] == NULL) {
        mem_free_keys(m.keys[0], a->n_targets);
        mem_free_keys(m.keys[1], b->n_targets);
        free(d);
        return NULL;
    }
    diff_head_init(&c, d);
    int rc = diff_walk(&c, &src);
    mem_free_keys(m.keys[0], a->n_targets);
    mem_free_keys(m.keys[1], b->n_targets);
    if (rc != 0) {
        diff_free(d);
        return NULL;
    }
    return d;
}
