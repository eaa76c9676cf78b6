/*
 * reports/inventory.c - the certificate and protocol/suite inventories of
 * a loaded scan (see inventory.h).
 *
 * Both are built by sorting one flat list of references and cutting it into
 * groups: certificates by (SHA-256, target, position), accepted suites by
 * (version newest first, code, target). Memory: the sorted lists, the group
 * arrays and one target-index buffer, all proportional to the number of
 * served certificates and accepted suites; nothing is copied from the facts.
 */
#include "reports/inventory.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A served certificate, for sorting. */
struct cref {
    const char *sha256;
    struct inventory_place place;
};

/* An accepted (version, suite) of a target, for sorting. */
struct sref {
    enum tls_version version;
    uint32_t code;
    size_t target;
};

static int cmp_size(size_t a, size_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_cref(const void *a, const void *b)
{
    const struct cref *x = a, *y = b;
    int k = strcmp(x->sha256, y->sha256);
    if (k != 0) {
        return k;
    }
    if (x->place.target != y->place.target) {
        return cmp_size(x->place.target, y->place.target);
    }
    return cmp_size(x->place.position, y->place.position);
}

static int cmp_sref(const void *a, const void *b)
{
    const struct sref *x = a, *y = b;
    if (x->version != y->version) {
        return x->version > y->version ? -1 : 1; /* newest version first */
    }
    if (x->code != y->code) {
        return x->code < y->code ? -1 : 1;
    }
    return cmp_size(x->target, y->target);
}

static int build_certs(const struct report_data *d, struct inventory *inv)
{
    size_t n = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        n += d->targets[t].n_certs;
    }
    if (n == 0) {
        return 0;
    }
    struct cref *refs = calloc(n, sizeof(*refs));
    inv->place_buf = calloc(n, sizeof(*inv->place_buf));
    inv->certs = calloc(n, sizeof(*inv->certs));
    if (refs == NULL || inv->place_buf == NULL || inv->certs == NULL) {
        free(refs);
        return -1;
    }
    size_t k = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        for (size_t i = 0; i < d->targets[t].n_certs; i++) {
            refs[k++] = (struct cref){.sha256 = d->targets[t].certs[i].sha256,
                                      .place = {.target = t, .position = i}};
        }
    }
    qsort(refs, n, sizeof(*refs), cmp_cref);
    for (size_t i = 0; i < n; i++) {
        inv->place_buf[i] = refs[i].place;
        if (i == 0 || strcmp(refs[i].sha256, refs[i - 1].sha256) != 0) {
            const struct inventory_place *p = &refs[i].place;
            inv->certs[inv->n_certs++] = (struct inventory_cert){
                .cert = &d->targets[p->target].certs[p->position],
                .places = &inv->place_buf[i],
            };
        }
        inv->certs[inv->n_certs - 1].n_places++;
    }
    free(refs);
    return 0;
}

/* collect_srefs lists every accepted (version, suite, target) of d; the
 * caller frees *out. */
static int collect_srefs(const struct report_data *d, struct sref **out, size_t *n_out)
{
    size_t n = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        const struct target_result *r = &d->targets[t];
        for (int v = 0; fact_collected(&r->enumeration.header) && v < TLSV_COUNT; v++) {
            n += r->enumeration.versions[v].n_suites;
        }
        n += fact_collected(&r->enumeration.header) ? 0 : TLSV_COUNT - TLSV_HS_FIRST;
    }
    struct sref *s = calloc(n ? n : 1, sizeof(*s));
    if (s == NULL) {
        return -1;
    }
    size_t k = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        const struct target_result *r = &d->targets[t];
        if (fact_collected(&r->enumeration.header)) {
            for (int v = 0; v < TLSV_COUNT; v++) {
                const struct enum_version_fact *ev = &r->enumeration.versions[v];
                for (size_t i = 0; i < ev->n_suites; i++) {
                    s[k++] = (struct sref){(enum tls_version)v, ev->suites[i].code, t};
                }
            }
            continue;
        }
        /* No enumeration: what the GnuTLS handshakes negotiated. */
        for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
            if (r->versions[v].state == PROBE_ACCEPTED) {
                s[k++] = (struct sref){(enum tls_version)v, r->versions[v].suite, t};
            }
        }
    }
    qsort(s, k, sizeof(*s), cmp_sref);
    *out = s;
    *n_out = k;
    return 0;
}

static int build_uses(const struct report_data *d, struct inventory *inv)
{
    struct sref *s = NULL;
    size_t n = 0;
    if (collect_srefs(d, &s, &n) != 0) {
        return -1;
    }
    bool *seen = calloc(d->n_targets ? d->n_targets : 1, sizeof(*seen));
    /* a target is listed at most once per suite row and once per version row */
    inv->target_buf = calloc(2 * n + 1, sizeof(*inv->target_buf));
    inv->suites = calloc(n + 1, sizeof(*inv->suites));
    inv->versions = calloc(TLSV_COUNT, sizeof(*inv->versions));
    if (seen == NULL || inv->target_buf == NULL || inv->suites == NULL || inv->versions == NULL) {
        free(s);
        free(seen);
        return -1;
    }
    size_t used = 0;
    for (size_t i = 0; i < n;) {
        /* one version: [i, vend) */
        size_t vend = i;
        while (vend < n && s[vend].version == s[i].version) {
            vend++;
        }
        for (size_t j = i; j < vend;) {
            struct inventory_use *u = &inv->suites[inv->n_suites++];
            *u = (struct inventory_use){
                .version = s[j].version, .suite = s[j].code, .targets = &inv->target_buf[used]};
            size_t code = s[j].code;
            for (; j < vend && s[j].code == code; j++) {
                if (u->n_targets == 0 || u->targets[u->n_targets - 1] != s[j].target) {
                    inv->target_buf[used++] = s[j].target;
                    u->n_targets++;
                }
                seen[s[j].target] = true;
            }
        }
        struct inventory_use *vu = &inv->versions[inv->n_versions++];
        *vu = (struct inventory_use){.version = s[i].version, .targets = &inv->target_buf[used]};
        for (size_t t = 0; t < d->n_targets; t++) {
            if (seen[t]) {
                inv->target_buf[used++] = t;
                vu->n_targets++;
                seen[t] = false;
            }
        }
        i = vend;
    }
    free(s);
    free(seen);
    return 0;
}

int inventory_build(const struct report_data *d, struct inventory *out)
{
    memset(out, 0, sizeof(*out));
    if (build_certs(d, out) != 0 || build_uses(d, out) != 0) {
        inventory_cleanup(out);
        return -1;
    }
    return 0;
}

void inventory_cleanup(struct inventory *inv)
{
    free(inv->certs);
    free(inv->versions);
    free(inv->suites);
    free(inv->place_buf);
    free(inv->target_buf);
    memset(inv, 0, sizeof(*inv));
}
