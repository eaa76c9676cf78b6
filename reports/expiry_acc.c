/*
 * reports/expiry_acc.c - the --expiring list gathered during a walk
 * (reports/expiry_acc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "reports/expiry_acc.h"

/* Where one certificate's text is, and its sort key. */
struct expiry_key {
    int64_t not_after;
    size_t target, deployment, position;
    long off;
    size_t len;
};

int expiry_acc_init(struct expiry_acc *a, int64_t now_ms, int days)
{
    memset(a, 0, sizeof(*a));
    a->now_ms = now_ms;
    a->days = days;
    a->f = tmpfile();
    return a->f != NULL ? 0 : -1;
}

static int expiry_grow(struct expiry_acc *a, size_t more)
{
    if (a->n + more <= a->cap) {
        return 0;
    }
    size_t cap = a->cap ? a->cap * 2 : 64;
    while (cap < a->n + more) {
        cap *= 2;
    }
    struct expiry_key *k = realloc(a->keys, cap * sizeof(*k));
    if (k == NULL) {
        return -1;
    }
    a->keys = k;
    a->cap = cap;
    return 0;
}

int expiry_acc_add(struct expiry_acc *a, const struct report_data *one, expiry_render_fn fn,
                   void *arg)
{
    struct report_expiry *e = NULL;
    size_t n = 0;
    size_t t = a->n_targets++;
    if (report_expiring(one, a->now_ms, a->days, &e, &n) != 0 || expiry_grow(a, n) != 0) {
        free(e);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long off = ftell(a->f);
        rc = off < 0 || fn(a->f, one, &e[i], arg) != 0 || ferror(a->f) ? -1 : 0;
        long end = rc == 0 ? ftell(a->f) : -1;
        rc = end < off ? -1 : rc;
        a->keys[a->n++] = (struct expiry_key){.not_after = e[i].not_after,
                                              .target = t,
                                              .deployment = e[i].deployment,
                                              .position = e[i].position,
                                              .off = off,
                                              .len = (size_t)(end - off)};
    }
    free(e);
    return rc;
}

/* The order of report_expiring (reports/report.c, report_expiry_cmp). */
static int expiry_key_cmp(const void *pa, const void *pb)
{
    const struct expiry_key *a = pa;
    const struct expiry_key *b = pb;
    if (a->not_after != b->not_after) {
        return a->not_after < b->not_after ? -1 : 1;
    }
    if (a->target != b->target) {
        return a->target < b->target ? -1 : 1;
    }
    if (a->deployment != b->deployment) {
        return a->deployment < b->deployment ? -1 : 1;
    }
    return a->position < b->position ? -1 : (a->position > b->position);
}

int expiry_acc_write(struct expiry_acc *a, FILE *out, const char *sep)
{
    if (a->n == 0) {
        return 0;
    }
    qsort(a->keys, a->n, sizeof(*a->keys), expiry_key_cmp);
    if (fflush(a->f) != 0) {
        return -1;
    }
    char buf[4096];
    for (size_t i = 0; i < a->n; i++) {
        const struct expiry_key *k = &a->keys[i];
        if ((i > 0 && sep[0] != '\0' && fputs(sep, out) < 0) ||
            fseek(a->f, k->off, SEEK_SET) != 0) {
            return -1;
        }
        for (size_t left = k->len; left > 0;) {
            size_t want = left < sizeof(buf) ? left : sizeof(buf);
            if (fread(buf, 1, want, a->f) != want || fwrite(buf, 1, want, out) != want) {
                return -1;
            }
            left -= want;
        }
    }
    return 0;
}

void expiry_acc_cleanup(struct expiry_acc *a)
{
    if (a->f != NULL) {
        fclose(a->f);
    }
    free(a->keys);
    memset(a, 0, sizeof(*a));
}
