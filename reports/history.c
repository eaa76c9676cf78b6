/*
 * reports/history.c - the rows of `tlsaudit history TARGET` in text,
 * Markdown or JSON (reports/history.h).
 *
 * Pipeline position: store (store_target_history) -> one row's target at a
 * time with its scan's runs (report_load_heads, store_load_target, in
 * cli/cmd_history.c) -> history_add per row -> out.
 *
 * Memory: text and Markdown rows are written as they come; JSON rows are
 * kept (one small object each) until history_end writes the document.
 */
#include "reports/history.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "config.h"
#include "reports/diff.h"
#include "reports/escape.h"
#include "reports/grade_view.h"
#include "reports/json_private.h"

#define HISTORY_JSON_SCHEMA_VERSION 2
#define HISTORY_MAX_POLICIES 32

/* One row, computed from the scan it belongs to. */
struct hrow {
    const struct report_data *d;
    size_t t;
    const struct target_result *r;
    char versions[64]; /* "TLS1.2,TLS1.3" or "-" */
    size_t n_suites;
    struct diff_policy_counts pols[HISTORY_MAX_POLICIES];
    size_t n_pols;
};

static void hrow_fill(struct hrow *h, const struct report_data *d, size_t t)
{
    memset(h, 0, sizeof(*h));
    h->d = d;
    h->t = t;
    h->r = &d->targets[t];
    size_t n = 0;
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (!diff_version_accepted(h->r, (enum tls_version)v)) {
            continue;
        }
        const char *name = tls_version_name((enum tls_version)v);
        if (n > 0 && n + 1 < sizeof(h->versions)) {
            h->versions[n++] = ',';
        }
        for (const char *p = name; *p != '\0' && n + 1 < sizeof(h->versions); p++) {
            if (*p != ' ') {
                h->versions[n++] = *p;
            }
        }
    }
    h->versions[n] = '\0';
    if (n == 0) {
        util_copy(h->versions, sizeof(h->versions), "-");
    }
    h->n_suites = diff_suite_count(h->r);
    h->n_pols = diff_policy_counts(d, t, h->pols, HISTORY_MAX_POLICIES);
}

static const struct cert_fact *hrow_leaf(const struct hrow *h)
{
    return fact_collected(&h->r->chain_header) && h->r->n_certs > 0 ? &h->r->certs[0] : NULL;
}

/* dep_leaf returns the leaf of deployment i of r (target_deployment) when
 * its chain was collected, else NULL; *label is the deployment's label. */
static const struct cert_fact *dep_leaf(const struct target_result *r, size_t i, const char **label)
{
    struct deployment_view v;
    target_deployment(r, i, &v);
    *label = v.label;
    return fact_collected(&v.chain_header) && v.n_certs > 0 ? &v.certs[0] : NULL;
}

/* history_verdict: one policy's verdict on the row's target at the gate
 * stored with the policy run (diff_policy_counts, report_run_verdict), in
 * the words of `report`'s text: FAIL, NOT DEMONSTRATED, pass. */
static const char *history_verdict(const struct diff_policy_counts *p)
{
    switch (p->verdict) {
    case TV_NON_COMPLIANT:
        return "FAIL";
    case TV_NOT_DEMONSTRATED:
        return "NOT DEMONSTRATED";
    case TV_COMPLIANT:
        return "pass";
    case TV_NOT_EVALUATED:
        break;
    }
    return "not evaluated";
}

/* ---- text and Markdown ---------------------------------------------------- */

static void put_policies(FILE *out, const struct hrow *h, void (*esc)(FILE *, const char *))
{
    if (h->n_pols == 0) {
        fputs("-", out);
    }
    for (size_t i = 0; i < h->n_pols; i++) {
        const struct diff_policy_counts *p = &h->pols[i];
        fputs(i ? "; " : "", out);
        esc(out, p->policy_id);
        fprintf(out, " %s at --fail-on %s%s (%zu fail, %zu pass", history_verdict(p),
                severity_name(p->gate.fail_on),
                p->gate.fail_on_inconclusive ? " --fail-on-inconclusive" : "", p->n_fail,
                p->n_pass);
        if (p->n_warn > 0) {
            fprintf(out, ", %zu warn", p->n_warn);
        }
        if (p->n_inconclusive > 0) {
            fprintf(out, ", %zu inconclusive", p->n_inconclusive);
        }
        if (p->n_waived > 0) {
            fprintf(out, ", %zu waived", p->n_waived);
        }
        fputs(")", out);
    }
}

/* put_leaves writes every deployment's leaf with a collected chain, as
 * "LABEL:SHA" (first 16 hex digits), then " expires DAY" (text), or, for
 * Markdown, what: 0 the leaves, 1 their expiry dates, in the same order.
 * "-" when there is none. */
static void put_leaves(FILE *out, const struct target_result *r, bool md, int what,
                       void (*esc)(FILE *, const char *))
{
    size_t n = 0;
    for (size_t i = 0; i < target_n_deployments(r); i++) {
        const char *label;
        const struct cert_fact *leaf = dep_leaf(r, i, &label);
        if (leaf == NULL) {
            continue;
        }
        char day[16];
        util_iso_date(leaf->not_after, day, sizeof(day));
        fputs(n++ > 0 ? ", " : "", out);
        if (md && what == 1) {
            fputs(day, out);
            continue;
        }
        esc(out, label);
        fprintf(out, ":%.16s", leaf->sha256);
        if (!md) {
            fprintf(out, " expires %s", day);
        }
    }
    fputs(n == 0 ? "-" : "", out);
}

/* hrow_grade: the row's grade as the summaries write it (approximate:
 * GRADE_LABEL, said once in the header). */
static const char *hrow_grade(const struct hrow *h, char *buf, size_t len)
{
    struct grade g;
    grade_target(h->r, &g);
    return grade_view_letter(&g, buf, len);
}

/* put_row writes one row: a Markdown table row, or a text line whose
 * fields are labelled (they vary in width, so no column can line up). */
static void put_row(FILE *out, const struct hrow *h, bool md)
{
    void (*esc)(FILE *, const char *) = md ? esc_markdown : esc_visible;
    const struct cert_fact *leaf = hrow_leaf(h);
    const char *ip = h->r->ip[0] != '\0' ? h->r->ip : "-";
    const char *sni = h->r->sni != NULL ? h->r->sni : "-";
    char when[32], g[64];
    util_iso_time(h->d->info.started_ms, when, sizeof(when));
    if (md) {
        fprintf(out, "| %s | %lld | %s | %s | ", when, (long long)h->d->info.id, h->d->info.state,
                target_status_name(h->r->status));
        esc(out, ip);
        fputs(" | ", out);
        esc(out, sni);
        if (h->r->starttls[0] != '\0' && strcmp(h->r->starttls, "none") != 0) {
            fputs(" (starttls ", out);
            esc(out, h->r->starttls);
            fputs(")", out);
        }
        fprintf(out, " | %s | %zu | %s | ", h->versions, h->n_suites, hrow_grade(h, g, sizeof(g)));
        put_leaves(out, h->r, true, 0, esc);
        fputs(" | ", out);
        put_leaves(out, h->r, true, 1, esc);
        fputs(" | ", out);
        put_policies(out, h, esc);
        fputs(" |\n", out);
        return;
    }
    fprintf(out, "%s  scan %lld  %s  %s  ", when, (long long)h->d->info.id, h->d->info.state,
            target_status_name(h->r->status));
    esc(out, ip);
    fputs(" SNI ", out);
    esc(out, sni);
    if (h->r->starttls[0] != '\0' && strcmp(h->r->starttls, "none") != 0) {
        fputs(" starttls ", out);
        esc(out, h->r->starttls);
    }
    fprintf(out, "  %s  %zu suites  grade %s  ", h->versions, h->n_suites,
            hrow_grade(h, g, sizeof(g)));
    if (leaf != NULL) {
        fputs("leaf ", out);
        put_leaves(out, h->r, false, 0, esc);
        fputs("  ", out);
    } else {
        fputs("no certificate  ", out);
    }
    put_policies(out, h, esc);
    fputs("\n", out);
}

static void put_header(FILE *out, const char *host, uint16_t port, bool md,
                       void (*esc)(FILE *, const char *))
{
    bool v6 = strchr(host, ':') != NULL;
    fputs(md ? "## tlsaudit history: " : "tlsaudit history: ", out);
    fputs(v6 ? "[" : "", out);
    esc(out, host);
    fprintf(out, "%s:%u (oldest first; grades %s)\n\n", v6 ? "]" : "", (unsigned)port, GRADE_LABEL);
    if (md) {
        fputs("| when | scan | state | status | address | SNI | versions | suites | grade | leaves "
              "(deployment:SHA-256) | expires | policies |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|\n",
              out);
    }
}

/* ---- JSON --------------------------------------------------------------------- */

/* jtext: a JSON string for s (json_text_value: valid UTF-8 kept, other
 * bytes as visible \xNN); null for NULL or "". */
static json_t *jtext(const char *s)
{
    return s == NULL || s[0] == '\0' ? json_null() : json_text_value(s);
}

/* jpolicy: one policy's verdict on the row and its counts, in the verdict
 * order of common/model/vocab.h. NULL when out of memory. */
static json_t *jpolicy(const struct diff_policy_counts *p)
{
    const size_t n[VERDICT_COUNT] = {[VERDICT_FAIL] = p->n_fail,
                                     [VERDICT_WARN] = p->n_warn,
                                     [VERDICT_INCONCLUSIVE] = p->n_inconclusive,
                                     [VERDICT_WAIVED] = p->n_waived,
                                     [VERDICT_PASS] = p->n_pass};
    json_t *o =
        json_pack("{s:o, s:s, s:s, s:b}", "policy", jtext(p->policy_id), "verdict",
                  target_verdict_name(p->verdict), "fail_on", severity_name(p->gate.fail_on),
                  "fail_on_inconclusive", p->gate.fail_on_inconclusive);
    for (int v = 0; o != NULL && v < VERDICT_COUNT; v++) {
        if (json_object_set_new(o, verdict_name((enum verdict)v), json_integer((json_int_t)n[v])) !=
            0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

/* jleaves: every deployment's leaf with a collected chain (label, SHA-256,
 * expiry, subject), deployment 0 first. NULL when out of memory. */
static json_t *jleaves(const struct target_result *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < target_n_deployments(r); i++) {
        const char *label;
        const struct cert_fact *leaf = dep_leaf(r, i, &label);
        char day[16];
        if (leaf != NULL &&
            json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:o}", "deployment", jtext(label),
                                               "sha256", leaf->sha256, "not_after",
                                               util_iso_date(leaf->not_after, day, sizeof(day)),
                                               "subject", jtext(leaf->subject))) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static json_t *jrow(const struct hrow *h)
{
    char when[32], day[16];
    const struct cert_fact *leaf = hrow_leaf(h);
    json_t *versions = json_array();
    json_t *pols = json_array();
    json_t *o = json_object();
    int bad = versions == NULL || pols == NULL || o == NULL;
    for (int v = 0; v < TLSV_COUNT && !bad; v++) {
        if (diff_version_accepted(h->r, (enum tls_version)v)) {
            bad |=
                json_array_append_new(versions, json_string(tls_version_name((enum tls_version)v)));
        }
    }
    for (size_t i = 0; i < h->n_pols && !bad; i++) {
        bad |= json_array_append_new(pols, jpolicy(&h->pols[i]));
    }
    if (bad) {
        json_decref(versions);
        json_decref(pols);
        json_decref(o);
        return NULL;
    }
    bad |= json_object_set_new(o, "scan_id", json_integer((json_int_t)h->d->info.id));
    bad |= json_object_set_new(
        o, "started", json_string(util_iso_time(h->d->info.started_ms, when, sizeof(when))));
    bad |= json_object_set_new(o, "scan_state", json_string(h->d->info.state));
    bad |= json_object_set_new(o, "target_id", json_integer((json_int_t)h->d->target_ids[h->t]));
    bad |= json_object_set_new(o, "ip", jtext(h->r->ip));
    bad |= json_object_set_new(o, "sni", jtext(h->r->sni));
    bad |= json_object_set_new(o, "starttls", jtext(h->r->starttls[0] ? h->r->starttls : "none"));
    bad |= json_object_set_new(o, "status", json_string(target_status_name(h->r->status)));
    bad |= json_object_set_new(o, "versions", versions);
    bad |= json_object_set_new(o, "suites", json_integer((json_int_t)h->n_suites));
    if (leaf != NULL) {
        bad |= json_object_set_new(o, "leaf",
                                   json_pack("{s:s, s:s, s:o}", "sha256", leaf->sha256, "not_after",
                                             util_iso_date(leaf->not_after, day, sizeof(day)),
                                             "subject", jtext(leaf->subject)));
        bad |= json_object_set_new(o, "chain_trusted", json_boolean(h->r->chain.trusted));
    } else {
        bad |= json_object_set_new(o, "leaf", json_null());
        bad |= json_object_set_new(o, "chain_trusted", json_null());
    }
    bad |= json_object_set_new(o, "leaves", jleaves(h->r));
    bad |= json_object_set_new(o, "grade", json_grade_value(h->r));
    bad |= json_object_set_new(o, "policies", pols);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

struct history_writer {
    FILE *out;
    enum report_format format;
    char *host;
    uint16_t port;
    json_t *rows; /* JSON only */
};

struct history_writer *history_begin(FILE *out, enum report_format format, const char *host,
                                     uint16_t port)
{
    if (format != REPORT_TEXT && format != REPORT_JSON && format != REPORT_MARKDOWN) {
        return NULL;
    }
    struct history_writer *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return NULL;
    }
    w->out = out;
    w->format = format;
    w->port = port;
    w->host = strdup(host);
    if (w->host == NULL || (format == REPORT_JSON && (w->rows = json_array()) == NULL)) {
        history_free(w);
        return NULL;
    }
    if (format != REPORT_JSON) {
        put_header(out, host, port, format == REPORT_MARKDOWN,
                   format == REPORT_MARKDOWN ? esc_markdown : esc_visible);
    }
    return w;
}

int history_add(struct history_writer *w, const struct report_data *d, size_t t)
{
    struct hrow h;
    hrow_fill(&h, d, t);
    if (w->rows != NULL) {
        return json_array_append_new(w->rows, jrow(&h)) == 0 ? 0 : -1;
    }
    put_row(w->out, &h, w->format == REPORT_MARKDOWN);
    return 0;
}

int history_end(struct history_writer *w)
{
    if (w->rows == NULL) {
        return 0;
    }
    json_t *root =
        json_pack("{s:s, s:i, s:{s:s, s:s}, s:{s:o, s:i}, s:s, s:O}", "schema", "tlsaudit-history",
                  "schema_version", HISTORY_JSON_SCHEMA_VERSION, "tool", "name", PACKAGE_NAME,
                  "version", PACKAGE_VERSION, "target", "host", jtext(w->host), "port",
                  (int)w->port, "order", "oldest_first", "scans", w->rows);
    int rc = root != NULL && json_dumpf(root, w->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
                     fputc('\n', w->out) != EOF
                 ? 0
                 : -1;
    json_decref(root);
    return rc;
}

void history_free(struct history_writer *w)
{
    if (w == NULL) {
        return;
    }
    json_decref(w->rows);
    free(w->host);
    free(w);
}
