/*
 * reports/names.c - one unique name per target of a loaded scan, for the
 * formats whose consumers key on a name: JUnit (a CI merges or overwrites
 * test suites of one name) and SARIF (a location's name and fingerprint).
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] ->
 * reports/report_junit.c, reports/report_sarif.c; for the streamed ones
 * (report_stream_junit, report_stream_sarif) report_names_scan first reads
 * the target rows once and keeps only the duplicated names, and each
 * target is named as the walk reaches it (report_names_name).
 *
 * Invariant: the names of one scan are pairwise different strings, whatever
 * the targets (one host on several addresses, one address with several SNI
 * names, a target listed twice); see report.h for the steps. The names are
 * plain text: each format escapes them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reports/report.h"

/* name_append adds text to name, keeping room for the last step's
 * " #ID" (at most 22 bytes) even when the name was cut short. */
static void name_append(struct report_name *n, const char *text, bool last)
{
    size_t len = strlen(n->s);
    size_t cap = sizeof(n->s) - (last ? 0 : 24);
    if (last && len > sizeof(n->s) - 24) {
        len = sizeof(n->s) - 24; /* cut: the id still makes it unique */
    }
    if (len < cap) {
        snprintf(n->s + len, cap - len, "%s", text);
    }
}

/* name_base: the label, and " sni=NAME" when the SNI sent is not the host. */
static void name_base(const struct target_result *r, struct report_name *n)
{
    report_target_label(r, n->s, sizeof(n->s) - 24);
    if (r->sni != NULL && r->sni[0] != '\0' && strcasecmp(r->sni, r->host) != 0) {
        char sni[300];
        snprintf(sni, sizeof(sni), " sni=%s", r->sni);
        name_append(n, sni, false);
    }
}

/* name_at: n with step 0's " @ADDRESS". */
static void name_at(const struct target_result *r, struct report_name *n)
{
    char suffix[96];
    const char *ip = r->ip;
    bool v6 = strchr(ip, ':') != NULL;
    snprintf(suffix, sizeof(suffix), " @%s%s%s", v6 ? "[" : "", ip[0] != '\0' ? ip : "no-address",
             v6 ? "]" : "");
    name_append(n, suffix, false);
}

/* name_id: n with step 1's " #TARGET_ID". */
static void name_id(int64_t id, struct report_name *n)
{
    char suffix[32];
    snprintf(suffix, sizeof(suffix), " #%lld", (long long)id);
    name_append(n, suffix, true);
}

static int name_cmp(const void *pa, const void *pb)
{
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* names_is_dup: s is one of the n sorted duplicate names dup. */
static bool names_is_dup(char *const *dup, size_t n, const char *s)
{
    return n > 0 && bsearch(&s, dup, n, sizeof(*dup), name_cmp) != NULL;
}

/* names_dups sorts the n names v (pointers into caller storage) and puts in
 * *out a sorted malloc'ed array of copies of those that occur more than
 * once, each once (NULL when none). Returns 0, or -1 when out of memory. */
static int names_dups(const char **v, size_t n, char ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    qsort(v, n, sizeof(*v), name_cmp);
    for (size_t i = 0; i + 1 < n; i++) {
        if (strcmp(v[i], v[i + 1]) != 0 || (*n_out > 0 && strcmp((*out)[*n_out - 1], v[i]) == 0)) {
            continue;
        }
        char **grown = realloc(*out, (*n_out + 1) * sizeof(**out));
        char *copy = grown != NULL ? strdup(v[i]) : NULL;
        if (grown != NULL) {
            *out = grown;
        }
        if (copy == NULL) {
            return -1;
        }
        (*out)[(*n_out)++] = copy;
    }
    return 0;
}

void report_names_cleanup(struct report_names *n)
{
    for (size_t i = 0; i < n->n_dup_base; i++) {
        free(n->dup_base[i]);
    }
    for (size_t i = 0; i < n->n_dup_at; i++) {
        free(n->dup_at[i]);
    }
    free(n->dup_base);
    free(n->dup_at);
    memset(n, 0, sizeof(*n));
}

void report_names_name(const struct report_names *n, const struct target_result *r, int64_t id,
                       struct report_name *out)
{
    memset(out, 0, sizeof(*out));
    name_base(r, out);
    if (names_is_dup(n->dup_base, n->n_dup_base, out->s)) {
        name_at(r, out);
    }
    if (names_is_dup(n->dup_at, n->n_dup_at, out->s)) {
        name_id(id, out);
    }
}

/* The names of every target: base (step 0's input) and at (the base with
 * " @ADDRESS"), one pair per target, while the duplicates are found. */
struct names_all {
    char **base, **at;
    size_t n, cap;
    bool oom;
};

static int names_add(struct names_all *a, const struct target_result *r)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        char **b = realloc(a->base, cap * sizeof(*b));
        a->base = b != NULL ? b : a->base;
        char **t = b != NULL ? realloc(a->at, cap * sizeof(*t)) : NULL;
        a->at = t != NULL ? t : a->at;
        if (t == NULL) {
            return -1;
        }
        a->cap = cap;
    }
    struct report_name nm = {{0}};
    name_base(r, &nm);
    a->base[a->n] = strdup(nm.s);
    name_at(r, &nm);
    a->at[a->n] = strdup(nm.s);
    a->n++;
    return a->base[a->n - 1] != NULL && a->at[a->n - 1] != NULL ? 0 : -1;
}

static int names_row(void *arg, struct target_result *r, int64_t id)
{
    (void)id;
    struct names_all *a = arg;
    if (names_add(a, r) != 0) {
        a->oom = true;
        return 1;
    }
    return 0;
}

/* names_resolve finds the duplicates of a's names into out. */
static int names_resolve(struct names_all *a, struct report_names *out)
{
    const char **v = calloc(a->n ? a->n : 1, sizeof(*v));
    int rc = v == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        v[i] = a->base[i];
    }
    rc = rc == 0 ? names_dups(v, a->n, &out->dup_base, &out->n_dup_base) : -1;
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        bool dup = names_is_dup(out->dup_base, out->n_dup_base, a->base[i]);
        v[i] = dup ? a->at[i] : a->base[i];
    }
    rc = rc == 0 ? names_dups(v, a->n, &out->dup_at, &out->n_dup_at) : -1;
    free(v);
    return rc;
}

static void names_all_free(struct names_all *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->base[i]);
        free(a->at[i]);
    }
    free(a->base);
    free(a->at);
}

int report_names_scan(struct store *s, int64_t scan_id, struct report_names *out, char *err,
                      size_t err_len)
{
    struct names_all a = {0};
    memset(out, 0, sizeof(*out));
    int rc = store_each_target_row(s, scan_id, names_row, &a);
    if (rc != 0 && !a.oom) {
        snprintf(err, err_len, "%s", store_errmsg(s));
    }
    if (rc == 0 && names_resolve(&a, out) != 0) {
        a.oom = true;
        rc = -1;
    }
    if (a.oom) {
        snprintf(err, err_len, "naming the targets: out of memory");
    }
    names_all_free(&a);
    if (rc != 0) {
        report_names_cleanup(out);
        return -1;
    }
    return 0;
}

struct report_name *report_endpoint_names(const struct report_data *d)
{
    if (d->n_targets == 0) {
        return NULL;
    }
    struct names_all a = {0};
    struct report_names dups = {0};
    struct report_name *names = calloc(d->n_targets, sizeof(*names));
    int rc = names == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < d->n_targets; i++) {
        rc = names_add(&a, &d->targets[i]);
    }
    rc = rc == 0 ? names_resolve(&a, &dups) : -1;
    for (size_t i = 0; rc == 0 && i < d->n_targets; i++) {
        report_names_name(&dups, &d->targets[i], d->target_ids[i], &names[i]);
    }
    names_all_free(&a);
    report_names_cleanup(&dups);
    if (rc != 0) {
        free(names);
        return NULL;
    }
    return names;
}
