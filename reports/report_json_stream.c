/*
 * reports/report_json_stream.c - `tlsaudit report --format json` read one
 * target at a time (report_stream_json, report.h): the bytes of
 * report_write_json (reports/report_json.c), in memory flat in the number
 * of targets.
 *
 * Pipeline position: report_load_heads + report_each_target
 * (reports/report.c) -> [this file] -> out.
 *
 * How: one target at a time
 * (report_each_target): each target's object, its verdict and findings
 * under each run are dumped alone to temporary files and freed, the
 * counts and the inventory gathered as they go (the inventory keeps each
 * distinct certificate and, per version and suite, the targets' indexes:
 * small next to the targets), and the document is dumped around them at
 * the end, each array spliced into its hole (reports/json_splice.h); with
 * --expiring, "expiring"'s certificates are gathered by reports/expiry_acc.h
 * and spliced in the same way. Findings come per target, in target order:
 * the order stored, as policy runs store them target by target.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/expiry_acc.h"
#include "reports/inventory.h"
#include "reports/json_private.h"
#include "reports/json_splice.h"
#include "reports/report.h"

/* set takes the reference of v; a NULL v (out of memory) fails. */
static int set(json_t *o, const char *key, json_t *v)
{
    if (v == NULL) {
        return -1;
    }
    return json_object_set_new(o, key, v);
}

/* One distinct certificate or (version, suite) so far. */
struct rj_acc_cert {
    struct cert_fact c; /* sha256, subject, issuer, not_after of its first place */
    struct inventory_place *places;
    size_t n, cap;
};
struct rj_acc_use {
    enum tls_version version;
    uint32_t suite;
    size_t *targets;
    size_t n, cap;
};

struct rj_walk {
    const struct report_data *d;
    struct json_part targets;              /* at depth 2 */
    struct json_part *verdicts, *findings; /* per run, at depth 4 */
    struct report_counts *k;               /* per run, over every target so far */
    int64_t *ids;                          /* targets.id of each target so far */
    size_t n_targets, cap_ids, n_scanned;
    struct rj_acc_cert *certs;
    size_t n_certs, cap_certs;
    struct rj_acc_use *uses; /* versions (suite 0, is_suite false) and suites */
    bool *use_is_suite;
    size_t n_uses, cap_uses;
    bool gate_fails;
    int expiring_days;     /* --expiring DAYS, else -1 */
    struct expiry_acc exp; /* with --expiring: "expiring"'s certificates */
};

static int rj_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return 0;
    }
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need) {
        c *= 2;
    }
    void *q = realloc(*p, c * size);
    if (q == NULL) {
        return -1;
    }
    *p = q;
    *cap = c;
    return 0;
}

/* rj_acc_cert adds the places of one target's certificate x. */
static int rj_acc_cert(struct rj_walk *w, const struct inventory_cert *x, size_t target)
{
    struct rj_acc_cert *a = NULL;
    for (size_t i = 0; i < w->n_certs && a == NULL; i++) {
        a = strcmp(w->certs[i].c.sha256, x->cert->sha256) == 0 ? &w->certs[i] : NULL;
    }
    if (a == NULL) {
        if (rj_grow((void **)&w->certs, &w->cap_certs, w->n_certs + 1, sizeof(*w->certs)) != 0) {
            return -1;
        }
        a = &w->certs[w->n_certs++];
        memset(a, 0, sizeof(*a));
        memcpy(a->c.sha256, x->cert->sha256, sizeof(a->c.sha256));
        a->c.subject = x->cert->subject != NULL ? strdup(x->cert->subject) : NULL;
        a->c.issuer = x->cert->issuer != NULL ? strdup(x->cert->issuer) : NULL;
        a->c.not_after = x->cert->not_after;
        if ((x->cert->subject != NULL && a->c.subject == NULL) ||
            (x->cert->issuer != NULL && a->c.issuer == NULL)) {
            return -1;
        }
    }
    if (rj_grow((void **)&a->places, &a->cap, a->n + x->n_places, sizeof(*a->places)) != 0) {
        return -1;
    }
    for (size_t i = 0; i < x->n_places; i++) {
        a->places[a->n] = x->places[i];
        a->places[a->n++].target = target;
    }
    return 0;
}

/* rj_acc_use adds target to the row of one target's use u. */
static int rj_acc_use(struct rj_walk *w, const struct inventory_use *u, bool suite, size_t target)
{
    struct rj_acc_use *a = NULL;
    for (size_t i = 0; i < w->n_uses && a == NULL; i++) {
        const struct rj_acc_use *b = &w->uses[i];
        a = w->use_is_suite[i] == suite && b->version == u->version && b->suite == u->suite
                ? &w->uses[i]
                : NULL;
    }
    if (a == NULL) {
        size_t cap = w->cap_uses;
        if (rj_grow((void **)&w->uses, &w->cap_uses, w->n_uses + 1, sizeof(*w->uses)) != 0 ||
            rj_grow((void **)&w->use_is_suite, &cap, w->n_uses + 1, sizeof(bool)) != 0) {
            return -1;
        }
        w->use_is_suite[w->n_uses] = suite;
        a = &w->uses[w->n_uses++];
        *a = (struct rj_acc_use){.version = u->version, .suite = u->suite};
    }
    if (rj_grow((void **)&a->targets, &a->cap, a->n + 1, sizeof(*a->targets)) != 0) {
        return -1;
    }
    a->targets[a->n++] = target;
    return 0;
}

/* rj_acc_inventory adds one target's inventory (index t) to w's. */
static int rj_acc_inventory(struct rj_walk *w, const struct report_data *one, size_t t)
{
    struct inventory inv;
    if (inventory_build(one, &inv) != 0) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < inv.n_certs; i++) {
        rc = rj_acc_cert(w, &inv.certs[i], t);
    }
    for (size_t i = 0; rc == 0 && i < inv.n_versions; i++) {
        rc = rj_acc_use(w, &inv.versions[i], false, t);
    }
    for (size_t i = 0; rc == 0 && i < inv.n_suites; i++) {
        rc = rj_acc_use(w, &inv.suites[i], true, t);
    }
    inventory_cleanup(&inv);
    return rc;
}

/* What expiry_acc_add calls: one element of "expiring"'s certificates
 * (the separating commas are expiry_acc_write's). */
static int rj_walk_expiry(FILE *f, const struct report_data *one, const struct report_expiry *e,
                          void *arg)
{
    (void)arg;
    return json_splice_put(f, report_json_expiry(one, e), 3, JSON_ENSURE_ASCII, true);
}

static int rj_walk_target(void *arg, const struct report_data *one)
{
    struct rj_walk *w = arg;
    const struct target_result *r = &one->targets[0];
    int64_t id = one->target_ids[0];
    size_t t = w->n_targets;
    if (rj_grow((void **)&w->ids, &w->cap_ids, t + 1, sizeof(*w->ids)) != 0) {
        return -1;
    }
    w->ids[t] = id;
    json_t *jt = json_target_value(r);
    int rc = set(jt, "target_id", json_integer(id));
    rc |= jt == NULL ? -1 : json_part_add(&w->targets, jt);
    bool scanned = report_scanned(r);
    for (size_t i = 0; rc == 0 && i < one->n_runs; i++) {
        const struct store_run *run = &one->runs[i];
        struct report_counts c;
        report_count(run, -1, &c);
        for (int v = 0; v < VERDICT_COUNT; v++) {
            w->k[i].v[v] += c.v[v];
        }
        w->k[i].total += c.total;
        if (scanned) {
            enum target_verdict v = report_run_verdict(run, id);
            rc |= json_part_add(&w->verdicts[i],
                                json_pack("{s:I, s:s, s:b}", "target_id", (json_int_t)id, "verdict",
                                          target_verdict_name(v), "compliant",
                                          v != TV_NON_COMPLIANT && v != TV_NOT_DEMONSTRATED));
        }
        for (size_t f = 0; rc == 0 && f < run->n_findings; f++) {
            rc |= json_part_add(&w->findings[i], report_json_finding(run, &run->findings[f]));
        }
    }
    rc = rc == 0 ? rj_acc_inventory(w, one, t) : rc;
    if (rc == 0 && w->expiring_days >= 0) {
        rc = expiry_acc_add(&w->exp, one, rj_walk_expiry, NULL);
    }
    w->n_scanned += scanned;
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    w->n_targets++;
    return rc;
}

static int rj_cmp_cert(const void *a, const void *b)
{
    return strcmp(((const struct inventory_cert *)a)->cert->sha256,
                  ((const struct inventory_cert *)b)->cert->sha256);
}

static int rj_cmp_use(const void *a, const void *b)
{
    const struct inventory_use *x = a, *y = b;
    if (x->version != y->version) {
        return x->version > y->version ? -1 : 1; /* newest version first */
    }
    return x->suite < y->suite ? -1 : x->suite > y->suite ? 1 : 0;
}

/* rj_walk_inventory renders the inventory w gathered, ordered as
 * inventory_build orders it, with d's target ids those of the walk. */
static json_t *rj_walk_inventory(struct rj_walk *w)
{
    struct inventory inv = {0};
    inv.certs = calloc(w->n_certs + 1, sizeof(*inv.certs));
    inv.versions = calloc(w->n_uses + 1, sizeof(*inv.versions));
    inv.suites = calloc(w->n_uses + 1, sizeof(*inv.suites));
    json_t *o = NULL;
    if (inv.certs != NULL && inv.versions != NULL && inv.suites != NULL) {
        for (size_t i = 0; i < w->n_certs; i++) {
            inv.certs[inv.n_certs++] = (struct inventory_cert){
                .cert = &w->certs[i].c, .places = w->certs[i].places, .n_places = w->certs[i].n};
        }
        for (size_t i = 0; i < w->n_uses; i++) {
            const struct rj_acc_use *a = &w->uses[i];
            struct inventory_use u = {a->version, a->suite, a->targets, a->n};
            if (w->use_is_suite[i]) {
                inv.suites[inv.n_suites++] = u;
            } else {
                inv.versions[inv.n_versions++] = u;
            }
        }
        qsort(inv.certs, inv.n_certs, sizeof(*inv.certs), rj_cmp_cert);
        qsort(inv.versions, inv.n_versions, sizeof(*inv.versions), rj_cmp_use);
        qsort(inv.suites, inv.n_suites, sizeof(*inv.suites), rj_cmp_use);
        struct report_data ids = *w->d;
        ids.target_ids = w->ids;
        ids.n_targets = w->n_targets;
        o = report_json_inventory(&ids, &inv);
    }
    free(inv.certs);
    free(inv.versions);
    free(inv.suites);
    return o;
}

static void rj_walk_cleanup(struct rj_walk *w)
{
    for (size_t i = 0; i < w->d->n_runs && w->verdicts != NULL && w->findings != NULL; i++) {
        json_part_close(&w->verdicts[i]);
        json_part_close(&w->findings[i]);
    }
    json_part_close(&w->targets);
    for (size_t i = 0; i < w->n_certs; i++) {
        free(w->certs[i].c.subject);
        free(w->certs[i].c.issuer);
        free(w->certs[i].places);
    }
    for (size_t i = 0; i < w->n_uses; i++) {
        free(w->uses[i].targets);
    }
    free(w->certs);
    free(w->uses);
    free(w->use_is_suite);
    free(w->ids);
    free(w->k);
    free(w->verdicts);
    free(w->findings);
    expiry_acc_cleanup(&w->exp);
}

/* rj_stream_finish builds the document around w's parts and writes it. */
static int rj_stream_finish(FILE *out, struct rj_walk *w, int64_t now_ms)
{
    const struct report_data *d = w->d;
    json_t *runs = json_array();
    int rc = runs == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < d->n_runs; i++) {
        json_t *jr = report_json_run(&d->runs[i], &w->k[i], json_splice_hole(), json_splice_hole());
        rc |= jr == NULL ? -1 : json_array_append_new(runs, jr);
    }
    json_t *root = NULL;
    if (rc == 0) {
        json_t *exp = w->expiring_days < 0
                          ? json_null()
                          : report_json_expiring(w->expiring_days, json_splice_hole());
        root = report_json_root(d, now_ms, json_splice_hole(), runs, exp, rj_walk_inventory(w),
                                w->n_targets, w->n_scanned);
    } else {
        json_decref(runs);
    }
    struct json_splice s;
    rc = json_splice_begin(&s, out, root, JSON_ENSURE_ASCII);
    json_decref(root);
    rc = rc == 0 ? json_splice_part(&s, "targets", &w->targets) : -1;
    for (size_t i = 0; rc == 0 && i < d->n_runs; i++) {
        rc |= json_splice_part(&s, "verdicts", &w->verdicts[i]);
        rc |= rc == 0 ? json_splice_part(&s, "findings", &w->findings[i]) : -1;
    }
    if (rc == 0 && w->expiring_days >= 0) {
        rc = json_splice_open(&s, "certificates", 2) == 0 &&
                     expiry_acc_write(&w->exp, s.out, ",") == 0 &&
                     json_splice_close(&s, 2, w->exp.n) == 0
                 ? 0
                 : -1;
    }
    return json_splice_finish(&s, rc);
}

int report_stream_json(FILE *out, struct store *s, struct report_data *d,
                       const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    size_t n = d->n_runs ? d->n_runs : 1;
    struct rj_walk w = {.d = d, .expiring_days = o->expiring_days};
    int64_t now_ms = report_now_ms(o);
    if (err_len > 0) {
        err[0] = '\0';
    }
    int ret = -1;
    w.k = calloc(n, sizeof(*w.k));
    w.verdicts = calloc(n, sizeof(*w.verdicts));
    w.findings = calloc(n, sizeof(*w.findings));
    bool ok = w.k != NULL && w.verdicts != NULL && w.findings != NULL;
    ok = ok && (o->expiring_days < 0 || expiry_acc_init(&w.exp, now_ms, o->expiring_days) == 0);
    ok = ok && json_part_open(&w.targets, 2, JSON_ENSURE_ASCII) == 0;
    for (size_t i = 0; ok && i < d->n_runs; i++) {
        ok = json_part_open(&w.verdicts[i], 4, JSON_ENSURE_ASCII) == 0 &&
             json_part_open(&w.findings[i], 4, JSON_ENSURE_ASCII) == 0;
    }
    if (!ok) {
        snprintf(err, err_len, "out of memory or no temporary file for the JSON report");
        goto out;
    }
    if (report_each_target(s, d, rj_walk_target, &w, err, err_len) != 0) {
        /* a database error is in err already; fn's own failure is not */
        if (err[0] == '\0') {
            snprintf(err, err_len, "out of memory or a temporary file failed in the JSON report");
        }
        goto out;
    }
    if (rj_stream_finish(out, &w, now_ms) != 0) {
        snprintf(err, err_len, "writing the JSON report failed");
        goto out;
    }
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    rj_walk_cleanup(&w);
    return ret;
}
