/*
 * common/strlist.c - growable list of owned strings (see strlist.h).
 * Invariant: n_items <= cap; items[0..n_items) are non-NULL and owned.
 */
#include "common/strlist.h"

#include <stdlib.h>
#include <string.h>

void strlist_init(struct strlist *l)
{
    l->items = NULL;
    l->n_items = 0;
    l->cap = 0;
}

int strlist_add_n(struct strlist *l, const char *s, size_t s_len)
{
    if (l->n_items == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        char **n = realloc(l->items, ncap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        l->items = n;
        l->cap = ncap;
    }
    char *copy = malloc(s_len + 1);
    if (copy == NULL) {
        return -1;
    }
    memcpy(copy, s, s_len);
    copy[s_len] = '\0';
    l->items[l->n_items++] = copy;
    return 0;
}

int strlist_add(struct strlist *l, const char *s)
{
    return strlist_add_n(l, s, strlen(s));
}

char *strlist_join(const struct strlist *l, const char *sep)
{
    size_t sep_len = strlen(sep);
    size_t total = 1;
    for (size_t i = 0; i < l->n_items; i++) {
        total += strlen(l->items[i]) + (i ? sep_len : 0);
    }
    char *out = malloc(total);
    if (out == NULL) {
        return NULL;
    }
    size_t off = 0;
    for (size_t i = 0; i < l->n_items; i++) {
        if (i) {
            memcpy(out + off, sep, sep_len);
            off += sep_len;
        }
        size_t n = strlen(l->items[i]);
        memcpy(out + off, l->items[i], n);
        off += n;
    }
    out[off] = '\0';
    return out;
}

void strlist_cleanup(struct strlist *l)
{
    for (size_t i = 0; i < l->n_items; i++) {
        free(l->items[i]);
    }
    free(l->items);
    strlist_init(l);
}
