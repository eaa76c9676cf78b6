/*
 * reports/html/writer.c - `tlsaudit report --format html`: one
 * self-contained HTML5 audit report of a stored scan (the entry point,
 * the head and navigation, the small writers and indexes the sections
 * share; see html.h).
 *
 * Sections, in order: summary (summary.c), per-target detail (target.c),
 * the certificate inventory (PCI DSS v4.0.1 Req 4.2.1.1) and the protocol
 * and cipher-suite inventory (Req 12.3.3) from reports/inventory.c,
 * certificates expiring within --expiring DAYS (only when asked;
 * inventories.c), provenance (provenance.c).
 *
 * Invariants:
 * - Every string from the database goes through esc_html (reports/escape.h):
 *   server data and user data alike. The only markup is written from
 *   literals; no attribute value and no id comes from the data (anchors are
 *   "t" + the target's index), and no link points outside the file.
 * - No script, no external asset; a Content-Security-Policy meta tag
 *   (default-src 'none'; style-src 'unsafe-inline') keeps even an escaping
 *   bug from running a script or fetching anything.
 * - The output depends only on the data and the options (o->now_ms is read
 *   only for the --expiring section), so the same scan renders to the same
 *   bytes (golden-file tests).
 * - Memory: a few index arrays proportional to the number of findings,
 *   certificates and accepted suites, freed before returning.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "reports/escape.h"
#include "reports/html/html.h"
#include "reports/html_css.h"

/* ---- small writers ------------------------------------------------------ */

/* h writes a string from the database (hostile) as HTML text. */
void html_text(struct html_ctx *c, const char *s)
{
    esc_html(c->out, s);
}

/* h_or writes s, or the literal fallback (in muted text) when s is NULL or "". */
void html_text_or(struct html_ctx *c, const char *s, const char *fallback)
{
    if (s == NULL || s[0] == '\0') {
        fprintf(c->out, "<span class=\"muted\">%s</span>", fallback);
    } else {
        html_text(c, s);
    }
}

void html_put_ms(struct html_ctx *c, int64_t ms)
{
    char buf[40];
    if (ms <= 0) {
        fputs("<span class=\"muted\">-</span>", c->out);
        return;
    }
    fputs(util_iso_time(ms, buf, sizeof(buf)), c->out);
}

void html_put_date(struct html_ctx *c, int64_t secs)
{
    char buf[40];
    if (secs == 0) {
        fputs("<span class=\"muted\">-</span>", c->out);
        return;
    }
    fputs(util_iso_date(secs, buf, sizeof(buf)), c->out);
}

/* The target as "host:port" ([v6]:port), escaped. */
void html_put_target_name(struct html_ctx *c, const struct target_result *r)
{
    bool v6 = r->host != NULL && strchr(r->host, ':') != NULL;
    fputs(v6 ? "[" : "", c->out);
    html_text_or(c, r->host, "(no host)");
    fprintf(c->out, "%s:%u", v6 ? "]" : "", (unsigned)r->port);
}

/* A link to target t's detail, with its name, then its SNI name and the
 * address tested where they differ from the name. */
void html_put_target_link(struct html_ctx *c, size_t t)
{
    const struct target_result *r = &c->d->targets[t];
    bool linked = c->detail == NULL || c->detail[t]; /* only a target shown in detail */
    if (linked) {
        fprintf(c->out, "<a href=\"#t%zu\">", c->t_base + t);
    }
    html_put_target_name(c, r);
    fputs(linked ? "</a>" : "", c->out);
    bool sni =
        r->sni != NULL && r->sni[0] != '\0' && (r->host == NULL || strcmp(r->sni, r->host) != 0);
    bool ip = r->ip[0] != '\0' && (r->host == NULL || strcmp(r->ip, r->host) != 0);
    bool app = r->starttls[0] != '\0' && strcmp(r->starttls, "none") != 0;
    if (sni || ip || app) {
        fputs(" <span class=\"muted\">(", c->out);
        if (app) {
            html_text(c, r->starttls);
        }
        fputs(app && (sni || ip) ? ", " : "", c->out);
        if (sni) {
            html_text(c, r->sni);
        }
        fputs(sni && ip ? ", " : "", c->out);
        if (ip) {
            html_text(c, r->ip);
        }
        fputs(")</span>", c->out);
    }
}

void html_put_fref_target(struct html_ctx *c, const struct html_fref *f)
{
    if (f->target >= 0) {
        html_put_target_link(c, (size_t)f->target);
    } else {
        fputs("<span class=\"muted\">(not a target of this scan)</span>", c->out);
    }
}

/* A severity as a classed word; the class is chosen from our own list, the
 * text is escaped (a database could hold anything). */
void html_put_severity(struct html_ctx *c, const char *s)
{
    int k = report_severity_rank(s);
    fprintf(c->out, "<span class=\"sev-%s\">", k < 0 ? "info" : severity_name((enum severity)k));
    html_text_or(c, s, "?");
    fputs("</span>", c->out);
}

void html_put_verdict(struct html_ctx *c, const char *s)
{
    int k = report_verdict_parse(s);
    fprintf(c->out, "<span class=\"badge v-%s\">", k < 0 ? "na" : verdict_name((enum verdict)k));
    html_text_or(c, s, "?");
    fputs("</span>", c->out);
}

void html_put_badge(struct html_ctx *c, const char *cls, const char *literal)
{
    fprintf(c->out, "<span class=\"badge %s\">%s</span>", cls, literal);
}

void html_put_suite_code(struct html_ctx *c, uint32_t code)
{
    if (code > 0xffff) {
        fprintf(c->out, "<span class=\"mono\">0x%06X</span>", (unsigned)code);
    } else {
        fprintf(c->out, "<span class=\"mono\">0x%04X</span>", (unsigned)code);
    }
}

void html_put_suite_name(struct html_ctx *c, uint32_t code)
{
    const struct suite_info *si = registry_suite_by_code(code);
    if (si != NULL) {
        fprintf(c->out, "<span class=\"mono\">%s</span>", si->iana_name);
    } else {
        fputs("<span class=\"muted\">(not in the registry)</span>", c->out);
    }
}

/* ---- indexes -------------------------------------------------------------- */

static int cmp_idmap(const void *a, const void *b)
{
    const struct html_idmap *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

static long ctx_target_of(const struct html_ctx *c, int64_t tid)
{
    size_t lo = 0, hi = c->d->n_targets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ids[mid].id == tid) {
            return (long)c->ids[mid].index;
        }
        if (c->ids[mid].id < tid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -1;
}

static int cmp_size(size_t a, size_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

int html_cmp_fref(const void *a, const void *b)
{
    const struct html_fref *x = a, *y = b;
    if (x->target != y->target) {
        return x->target < y->target ? -1 : 1;
    }
    if (x->run != y->run) {
        return cmp_size(x->run, y->run);
    }
    return cmp_size(x->finding, y->finding);
}

/* ctx_verdicts fills c->tv from the findings, each run at its gate, in one
 * pass (report_run_verdict per cell would be quadratic at fleet size). */
static int ctx_verdicts(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    size_t n = d->n_runs * d->n_targets;
    if (n == 0) {
        return 0;
    }
    c->tv = calloc(n, sizeof(*c->tv)); /* TV_NOT_EVALUATED */
    if (c->tv == NULL) {
        return -1;
    }
    for (size_t i = 0; i < c->n_frefs; i++) {
        const struct html_fref *f = &c->frefs[i];
        const struct store_finding_row *row = html_fref_row(c, f);
        enum verdict v;
        enum severity sev;
        if (f->target < 0 || row->verdict == NULL || row->severity == NULL ||
            !verdict_parse(row->verdict, &v) || !severity_parse(row->severity, &sev)) {
            continue;
        }
        enum target_verdict *cell = &c->tv[f->run * d->n_targets + (size_t)f->target];
        *cell = gate_step(*cell, &d->runs[f->run].gate, v, sev);
    }
    return 0;
}

/* How bad target t is, for the report's order: not scanned 4, else its
 * worst verdict over the runs (non-compliant 3 .. not evaluated 0). */
int html_target_rank(const struct html_ctx *c, size_t t)
{
    const struct report_data *d = c->d;
    if (!report_scanned(&d->targets[t])) {
        return 4;
    }
    int rank = 0;
    for (size_t r = 0; r < d->n_runs; r++) {
        enum target_verdict v = c->tv[r * d->n_targets + t];
        int k = v == TV_NON_COMPLIANT ? 3 : v == TV_NOT_DEMONSTRATED ? 2 : v == TV_COMPLIANT;
        rank = k > rank ? k : rank;
    }
    return rank;
}

struct order_key {
    int rank;
    size_t t;
    const struct target_result *r;
};

static int cmp_order(const void *a, const void *b)
{
    const struct order_key *x = a, *y = b;
    if (x->rank != y->rank) {
        return x->rank > y->rank ? -1 : 1;
    }
    int h = strcmp(x->r->host != NULL ? x->r->host : "", y->r->host != NULL ? y->r->host : "");
    if (h != 0) {
        return h;
    }
    if (x->r->port != y->r->port) {
        return x->r->port < y->r->port ? -1 : 1;
    }
    return cmp_size(x->t, y->t);
}

/* ctx_order sorts the targets (c->order) and chooses those shown in
 * detail: every one, or (the summary layout) those that fail: not
 * compliant under some policy, or not scanned. */
static int ctx_order(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    size_t n = d->n_targets;
    size_t n_all = c->n_scan > 0 ? c->n_scan : n; /* a streamed view: the scan's count */
    c->summary = c->o->detail == REPORT_DETAIL_FAILING ||
                 (c->o->detail == REPORT_DETAIL_AUTO && n_all > REPORT_DETAIL_AUTO_MAX);
    if (n == 0) {
        return 0;
    }
    struct order_key *k = calloc(n, sizeof(*k));
    c->order = calloc(n, sizeof(*c->order));
    c->detail = calloc(n, sizeof(*c->detail));
    if (k == NULL || c->order == NULL || c->detail == NULL) {
        free(k);
        return -1;
    }
    for (size_t t = 0; t < n; t++) {
        k[t] = (struct order_key){.rank = html_target_rank(c, t), .t = t, .r = &d->targets[t]};
    }
    qsort(k, n, sizeof(*k), cmp_order);
    for (size_t i = 0; i < n; i++) {
        c->order[i] = k[i].t;
        c->detail[k[i].t] = !c->summary || k[i].rank >= 3;
        c->n_detail += c->detail[k[i].t];
    }
    free(k);
    return 0;
}

int html_ctx_build(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    size_t n_findings = 0;

    if (d->n_targets > 0) {
        c->ids = calloc(d->n_targets, sizeof(*c->ids));
        if (c->ids == NULL) {
            return -1;
        }
    }
    for (size_t t = 0; t < d->n_targets; t++) {
        c->ids[t] = (struct html_idmap){.id = d->target_ids[t], .index = t};
    }
    if (d->n_targets > 1) {
        qsort(c->ids, d->n_targets, sizeof(*c->ids), cmp_idmap);
    }

    for (size_t r = 0; r < d->n_runs; r++) {
        n_findings += d->runs[r].n_findings;
    }
    if (n_findings > 0) {
        c->frefs = calloc(n_findings, sizeof(*c->frefs));
        if (c->frefs == NULL) {
            return -1;
        }
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        for (size_t f = 0; f < d->runs[r].n_findings; f++) {
            c->frefs[c->n_frefs++] = (struct html_fref){
                .run = r,
                .finding = f,
                .target = ctx_target_of(c, d->runs[r].findings[f].target_id),
            };
        }
    }
    if (c->n_frefs > 1) {
        qsort(c->frefs, c->n_frefs, sizeof(*c->frefs), html_cmp_fref);
    }
    if (ctx_verdicts(c) != 0 || ctx_order(c) != 0) {
        return -1;
    }
    return inventory_build(d, &c->inv);
}

void html_ctx_free(struct html_ctx *c)
{
    free(c->ids);
    free(c->frefs);
    free(c->tv);
    free(c->order);
    free(c->detail);
    inventory_cleanup(&c->inv);
}

/* The findings of target t (index), as a range of c->frefs. */
void html_target_findings(const struct html_ctx *c, long t, size_t *first, size_t *end)
{
    size_t lo = 0, hi = c->n_frefs;
    while (lo < hi) { /* first fref with target >= t */
        size_t mid = lo + (hi - lo) / 2;
        if (c->frefs[mid].target < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *first = lo;
    while (lo < c->n_frefs && c->frefs[lo].target == t) {
        lo++;
    }
    *end = lo;
}

const struct store_finding_row *html_fref_row(const struct html_ctx *c, const struct html_fref *f)
{
    return &c->d->runs[f->run].findings[f->finding];
}

/* Verdict of run r on target t: "fail" when any finding fails, else
 * "inconclusive" when any is, else "pass"; "not evaluated" without findings;
 * "not scanned" when the target was not scanned. Literal text. */
const char *html_run_target_verdict(const struct html_ctx *c, size_t r, size_t t, const char **cls)
{
    if (!report_scanned(&c->d->targets[t])) {
        *cls = "v-na";
        return "not scanned";
    }
    enum target_verdict v = c->tv[r * c->d->n_targets + t];
    switch (v) {
    case TV_NON_COMPLIANT:
        *cls = "v-fail";
        break;
    case TV_NOT_DEMONSTRATED:
        *cls = "v-inconclusive";
        break;
    case TV_COMPLIANT:
        *cls = "v-pass";
        break;
    default:
        *cls = "v-na";
        return target_verdict_label(TV_NOT_EVALUATED);
    }
    return target_verdict_label(v);
}

/* ---- head, header, navigation -------------------------------------------- */

void html_put_head(struct html_ctx *c)
{
    const struct store_scan_info *in = &c->d->info;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n",
          c->out);
    fprintf(c->out, "<title>tlsaudit report: scan %lld</title>\n", (long long)in->id);
    fprintf(c->out, "<style>\n%s</style>\n</head>\n<body>\n", html_css);
    fprintf(c->out, "<header>\n<h1>TLS audit report: scan %lld</h1>\n", (long long)in->id);
    fputs("<p>", c->out);
    html_put_ms(c, in->started_ms);
    fputs(" to ", c->out);
    html_put_ms(c, in->finished_ms);
    fputs(" &middot; state <strong>", c->out);
    html_text_or(c, in->state, "unknown");
    fputs("</strong> &middot; scanned from ", c->out);
    html_text_or(c, in->hostname, "(unknown host)");
    fputs(" by tlsaudit ", c->out);
    html_text_or(c, in->tool_version, "(version not recorded)");
    fputs("</p>\n", c->out);
    if (strcmp(in->state, "complete") != 0) {
        fputs("<p class=\"banner\">This scan did not complete (state ", c->out);
        html_text_or(c, in->state, "unknown");
        fputs("): the report holds only the targets it finished", c->out);
        if (in->note != NULL && in->note[0] != '\0') {
            fputs(" &mdash; ", c->out);
            html_text(c, in->note);
        }
        fputs(".</p>\n", c->out);
    }
    fputs("<nav><ol>\n<li><a href=\"#summary\">Summary</a></li>\n"
          "<li><a href=\"#targets\">Targets in detail</a></li>\n"
          "<li><a href=\"#cert-inventory\">Certificate inventory (PCI DSS 4.2.1.1)</a></li>\n"
          "<li><a href=\"#protocol-inventory\">Protocol and cipher-suite inventory (PCI DSS "
          "12.3.3)</a></li>\n",
          c->out);
    if (c->o->expiring_days >= 0) {
        fputs("<li><a href=\"#expiring\">Expiring certificates</a></li>\n", c->out);
    }
    fputs("<li><a href=\"#provenance\">Provenance</a></li>\n</ol></nav>\n</header>\n", c->out);
}

void html_put_footer(struct html_ctx *c)
{
    fputs("<footer>Written by tlsaudit from the stored scan; every value that came from a "
          "server or a file is shown as text.</footer>\n</body>\n</html>\n",
          c->out);
}

/* ---- entry point ------------------------------------------------------------------- */

int report_write_html(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len)
{
    struct html_ctx c = {.out = out, .d = d, .o = o};
    int rc = -1;
    if (html_ctx_build(&c) != 0) {
        goto oom;
    }
    html_put_head(&c);
    if (html_put_summary(&c) != 0) {
        goto oom;
    }
    html_put_targets(&c);
    html_put_cert_inventory(&c);
    html_put_protocol_inventory(&c);
    if (o->expiring_days >= 0 && html_put_expiring(&c) != 0) {
        goto oom;
    }
    html_put_provenance(&c);
    html_put_footer(&c);
    rc = 0;
    goto out;
oom:
    snprintf(err, err_len, "out of memory while writing the HTML report");
out:
    html_ctx_free(&c);
    return rc;
}
