/*
 * reports/names.c - one unique name per target of a loaded scan, for the
 * formats whose consumers key on a name: JUnit (a CI merges or overwrites
 * test suites of one name) and SARIF (a location's name and fingerprint).
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] ->
 * reports/report_junit.c, reports/report_sarif.c.
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

struct name_ref {
    const char *s;
    size_t i;
};

static int name_ref_cmp(const void *pa, const void *pb)
{
    const struct name_ref *a = pa;
    const struct name_ref *b = pb;
    int c = strcmp(a->s, b->s);
    if (c != 0) {
        return c;
    }
    return a->i < b->i ? -1 : (a->i > b->i);
}

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

/* names_step appends the step's suffix to every name that another name
 * equals. Returns false when out of memory. */
static bool names_step(const struct report_data *d, struct report_name *names, int step)
{
    size_t n = d->n_targets;
    struct name_ref *refs = calloc(n, sizeof(*refs));
    bool *dup = calloc(n, sizeof(*dup));
    if (refs == NULL || dup == NULL) {
        free(refs);
        free(dup);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        refs[i] = (struct name_ref){.s = names[i].s, .i = i};
    }
    qsort(refs, n, sizeof(*refs), name_ref_cmp);
    for (size_t i = 0; i + 1 < n; i++) {
        if (strcmp(refs[i].s, refs[i + 1].s) == 0) {
            dup[refs[i].i] = true;
            dup[refs[i + 1].i] = true;
        }
    }
    free(refs);
    for (size_t i = 0; i < n; i++) {
        char suffix[96];
        if (!dup[i]) {
            continue;
        }
        if (step == 0) {
            const char *ip = d->targets[i].ip;
            bool v6 = strchr(ip, ':') != NULL;
            snprintf(suffix, sizeof(suffix), " @%s%s%s", v6 ? "[" : "",
                     ip[0] != '\0' ? ip : "no-address", v6 ? "]" : "");
        } else {
            snprintf(suffix, sizeof(suffix), " #%lld", (long long)d->target_ids[i]);
        }
        name_append(&names[i], suffix, step == 1);
    }
    free(dup);
    return true;
}

struct report_name *report_endpoint_names(const struct report_data *d)
{
    if (d->n_targets == 0) {
        return NULL;
    }
    struct report_name *names = calloc(d->n_targets, sizeof(*names));
    if (names == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < d->n_targets; i++) {
        const struct target_result *r = &d->targets[i];
        report_target_label(r, names[i].s, sizeof(names[i].s) - 24);
        if (r->sni != NULL && r->sni[0] != '\0' && strcasecmp(r->sni, r->host) != 0) {
            char sni[300];
            snprintf(sni, sizeof(sni), " sni=%s", r->sni);
            name_append(&names[i], sni, false);
        }
    }
    if (!names_step(d, names, 0) || !names_step(d, names, 1)) {
        free(names);
        return NULL;
    }
    return names;
}
