/*
 * common/model/kex.c - the list of key-exchange values by hash
 * (facts.h, struct kex_list): the enumeration adds to it, the store writes
 * and reads it, the derived checks (Logjam's known primes, key reuse) and
 * the store's DROWN comparison read it.
 *
 * Invariant: at most one item per (kind, sha256); at most KEX_VALUES_MAX.
 */
#include "common/model/facts.h"

#include <stdlib.h>
#include <string.h>

const struct kex_value *kex_list_find(const struct kex_list *l, enum kex_kind kind,
                                      const char *sha256)
{
    for (size_t i = 0; i < l->n_items; i++) {
        if (l->items[i].kind == kind && strcmp(l->items[i].sha256, sha256) == 0) {
            return &l->items[i];
        }
    }
    return NULL;
}

int kex_list_add(struct kex_list *l, const struct kex_value *v)
{
    struct kex_value *found = (struct kex_value *)kex_list_find(l, v->kind, v->sha256);
    if (found != NULL) {
        if (found->n_seen < UINT32_MAX) {
            found->n_seen++;
        }
        return 0;
    }
    if (l->n_items >= KEX_VALUES_MAX) {
        l->n_dropped++;
        return -1;
    }
    if (l->n_items == l->cap_items) {
        size_t cap = l->cap_items ? l->cap_items * 2 : 16;
        struct kex_value *n = realloc(l->items, cap * sizeof(*n));
        if (n == NULL) {
            l->n_dropped++;
            return -1;
        }
        l->items = n;
        l->cap_items = cap;
    }
    struct kex_value *d = &l->items[l->n_items++];
    *d = *v;
    d->sha256[sizeof(d->sha256) - 1] = '\0';
    d->n_seen = 1;
    return 0;
}

void kex_list_cleanup(struct kex_list *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}
