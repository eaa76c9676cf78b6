/*
 * reports/report_html.c - `tlsaudit report --format html`: one
 * self-contained HTML5 audit report of a stored scan.
 *
 * Pipeline position: store -> report_load (reports/report.c) -> here -> a
 * file the auditor keeps as evidence.
 *
 * Sections, in order: summary (targets, pass/fail per policy, worst
 * findings), per-target detail (versions, suites in server order with
 * their registry attributes, groups, signature schemes, extensions,
 * certificate chain, chain validation, findings and waivers), the
 * certificate inventory (PCI DSS v4.0.1 Req 4.2.1.1), the protocol and
 * cipher-suite inventory (Req 12.3.3), certificates expiring within
 * --expiring DAYS (only when asked) and provenance.
 *
 * Invariants:
 * - Every string from the database goes through esc_html (reports/escape.h):
 *   server data and user data alike. The only markup is written here from
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

#include "common/util.h"
#include "reports/escape.h"
#include "reports/html_css.h"
#include "reports/inventory.h"
#include "reports/report.h"
#include "common/model/registry.h"

/* How many failing findings the summary lists before "and N more". */
#define HTML_WORST_MAX 25

/* A finding of a run, placed: which run, which finding, which target. */
struct html_fref {
    size_t run;
    size_t finding;
    long target; /* index in d->targets, -1 when not a target of the scan */
};

/* Target ids sorted, to place findings without a linear search each. */
struct html_idmap {
    int64_t id;
    size_t index;
};

struct html_ctx {
    FILE *out;
    const struct report_data *d;
    const struct report_options *o;
    struct html_idmap *ids;  /* n_targets, sorted by id */
    struct html_fref *frefs; /* every finding, sorted by (target, run, finding) */
    size_t n_frefs;
    struct inventory inv; /* certificates, versions and suites in use (reports/inventory.h) */
};

/* ---- small writers ------------------------------------------------------ */

/* h writes a string from the database (hostile) as HTML text. */
static void h(struct html_ctx *c, const char *s)
{
    esc_html(c->out, s);
}

/* h_or writes s, or the literal fallback (in muted text) when s is NULL or "". */
static void h_or(struct html_ctx *c, const char *s, const char *fallback)
{
    if (s == NULL || s[0] == '\0') {
        fprintf(c->out, "<span class=\"muted\">%s</span>", fallback);
    } else {
        h(c, s);
    }
}

static void put_ms(struct html_ctx *c, int64_t ms)
{
    char buf[40];
    if (ms <= 0) {
        fputs("<span class=\"muted\">-</span>", c->out);
        return;
    }
    fputs(util_iso_time(ms, buf, sizeof(buf)), c->out);
}

static void put_date(struct html_ctx *c, int64_t secs)
{
    char buf[40];
    if (secs == 0) {
        fputs("<span class=\"muted\">-</span>", c->out);
        return;
    }
    fputs(util_iso_date(secs, buf, sizeof(buf)), c->out);
}

/* The target as "host:port" ([v6]:port), escaped. */
static void put_target_name(struct html_ctx *c, const struct target_result *r)
{
    bool v6 = r->host != NULL && strchr(r->host, ':') != NULL;
    fputs(v6 ? "[" : "", c->out);
    h_or(c, r->host, "(no host)");
    fprintf(c->out, "%s:%u", v6 ? "]" : "", (unsigned)r->port);
}

/* A link to target t's detail, with its name, then its SNI name and the
 * address tested where they differ from the name. */
static void put_target_link(struct html_ctx *c, size_t t)
{
    const struct target_result *r = &c->d->targets[t];
    fprintf(c->out, "<a href=\"#t%zu\">", t);
    put_target_name(c, r);
    fputs("</a>", c->out);
    bool sni =
        r->sni != NULL && r->sni[0] != '\0' && (r->host == NULL || strcmp(r->sni, r->host) != 0);
    bool ip = r->ip[0] != '\0' && (r->host == NULL || strcmp(r->ip, r->host) != 0);
    if (sni || ip) {
        fputs(" <span class=\"muted\">(", c->out);
        if (sni) {
            h(c, r->sni);
        }
        fputs(sni && ip ? ", " : "", c->out);
        if (ip) {
            h(c, r->ip);
        }
        fputs(")</span>", c->out);
    }
}

static const char *const html_severities[] = {"info", "low", "medium", "high", "critical"};
static const char *const html_verdicts[] = {"pass", "fail", "warn", "inconclusive", "waived"};

/* sev_rank: 0 (info) .. 4 (critical), -1 for anything else. */
static int sev_rank(const char *s)
{
    for (int i = 0; s != NULL && i < 5; i++) {
        if (strcmp(s, html_severities[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int verdict_index(const char *s)
{
    for (int i = 0; s != NULL && i < 5; i++) {
        if (strcmp(s, html_verdicts[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* A severity as a classed word; the class is chosen from our own list, the
 * text is escaped (a database could hold anything). */
static void put_severity(struct html_ctx *c, const char *s)
{
    int k = sev_rank(s);
    fprintf(c->out, "<span class=\"sev-%s\">", k < 0 ? "info" : html_severities[k]);
    h_or(c, s, "?");
    fputs("</span>", c->out);
}

static void put_verdict(struct html_ctx *c, const char *s)
{
    int k = verdict_index(s);
    fprintf(c->out, "<span class=\"badge v-%s\">", k < 0 ? "na" : html_verdicts[k]);
    h_or(c, s, "?");
    fputs("</span>", c->out);
}

static void put_badge(struct html_ctx *c, const char *cls, const char *literal)
{
    fprintf(c->out, "<span class=\"badge %s\">%s</span>", cls, literal);
}

static bool target_scanned(const struct target_result *r)
{
    return r->status == TARGET_OK || r->status == TARGET_NO_TLS;
}

static void put_suite_code(struct html_ctx *c, uint32_t code)
{
    if (code > 0xffff) {
        fprintf(c->out, "<span class=\"mono\">0x%06X</span>", (unsigned)code);
    } else {
        fprintf(c->out, "<span class=\"mono\">0x%04X</span>", (unsigned)code);
    }
}

static void put_suite_name(struct html_ctx *c, uint32_t code)
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

static int cmp_fref(const void *a, const void *b)
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

static int ctx_build(struct html_ctx *c)
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
        qsort(c->frefs, c->n_frefs, sizeof(*c->frefs), cmp_fref);
    }

    return inventory_build(d, &c->inv);
}

static void ctx_free(struct html_ctx *c)
{
    free(c->ids);
    free(c->frefs);
    inventory_cleanup(&c->inv);
}

/* The findings of target t (index), as a range of c->frefs. */
static void target_findings(const struct html_ctx *c, long t, size_t *first, size_t *end)
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

static const struct store_finding_row *fref_row(const struct html_ctx *c, const struct html_fref *f)
{
    return &c->d->runs[f->run].findings[f->finding];
}

/* Verdict of run r on target t: "fail" when any finding fails, else
 * "inconclusive" when any is, else "pass"; "not evaluated" without findings;
 * "not scanned" when the target was not scanned. Literal text. */
static const char *run_target_verdict(const struct html_ctx *c, size_t r, size_t t,
                                      const char **cls)
{
    size_t first, end;
    bool any = false, fail = false, inc = false;
    if (!target_scanned(&c->d->targets[t])) {
        *cls = "v-na";
        return "not scanned";
    }
    target_findings(c, (long)t, &first, &end);
    for (size_t i = first; i < end; i++) {
        if (c->frefs[i].run != r) {
            continue;
        }
        any = true;
        const char *v = fref_row(c, &c->frefs[i])->verdict;
        fail = fail || (v != NULL && strcmp(v, "fail") == 0);
        inc = inc || (v != NULL && strcmp(v, "inconclusive") == 0);
    }
    if (!any) {
        *cls = "v-na";
        return "not evaluated";
    }
    if (fail) {
        *cls = "v-fail";
        return "fail";
    }
    if (inc) {
        *cls = "v-inconclusive";
        return "inconclusive";
    }
    *cls = "v-pass";
    return "pass";
}

/* ---- head, header, navigation -------------------------------------------- */

static void put_head(struct html_ctx *c)
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
    put_ms(c, in->started_ms);
    fputs(" to ", c->out);
    put_ms(c, in->finished_ms);
    fputs(" &middot; state <strong>", c->out);
    h_or(c, in->state, "unknown");
    fputs("</strong> &middot; scanned from ", c->out);
    h_or(c, in->hostname, "(unknown host)");
    fputs(" by tlsaudit ", c->out);
    h_or(c, in->tool_version, "(version not recorded)");
    fputs("</p>\n", c->out);
    if (strcmp(in->state, "complete") != 0) {
        fputs("<p class=\"banner\">This scan did not complete (state ", c->out);
        h_or(c, in->state, "unknown");
        fputs("): the report holds only the targets it finished", c->out);
        if (in->note != NULL && in->note[0] != '\0') {
            fputs(" &mdash; ", c->out);
            h(c, in->note);
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

/* ---- summary --------------------------------------------------------------- */

/* A failing finding with its severity rank, for the summary. */
struct html_worst {
    int sev;
    const struct html_fref *f;
};

static int cmp_worst(const void *a, const void *b)
{
    const struct html_worst *x = a, *y = b;
    /* Higher severity first, then target, run and finding order. */
    if (x->sev != y->sev) {
        return x->sev > y->sev ? -1 : 1;
    }
    return cmp_fref(x->f, y->f);
}

static int put_summary(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    size_t scanned = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        scanned += target_scanned(&d->targets[t]);
    }
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", c->out);
    fprintf(c->out,
            "<p><strong>%zu</strong> target%s: <strong>%zu</strong> scanned, "
            "<strong>%zu</strong> not scanned. <strong>%zu</strong> polic%s evaluated.</p>\n",
            d->n_targets, d->n_targets == 1 ? "" : "s", scanned, d->n_targets - scanned, d->n_runs,
            d->n_runs == 1 ? "y" : "ies");

    /* Targets and their status. */
    fputs("<h3>Targets</h3>\n", c->out);
    if (d->n_targets == 0) {
        fputs("<p class=\"muted\">This scan has no targets.</p>\n", c->out);
    } else {
        fputs("<table>\n<thead><tr><th>Target</th><th>SNI</th><th>Status</th>", c->out);
        for (size_t r = 0; r < d->n_runs; r++) {
            fputs("<th>", c->out);
            h_or(c, d->runs[r].policy_id, "?");
            fputs("</th>", c->out);
        }
        fputs("</tr></thead>\n<tbody>\n", c->out);
        for (size_t t = 0; t < d->n_targets; t++) {
            const struct target_result *tr = &d->targets[t];
            fputs("<tr><td>", c->out);
            put_target_link(c, t);
            fputs("</td><td>", c->out);
            h_or(c, tr->sni, "-");
            fprintf(c->out, "</td><td><span class=\"badge %s\">%s</span>",
                    target_scanned(tr) ? "v-pass" : "v-fail", target_status_name(tr->status));
            if (tr->error[0] != '\0') {
                fputs(" ", c->out);
                h(c, tr->error);
            }
            fputs("</td>", c->out);
            for (size_t r = 0; r < d->n_runs; r++) {
                const char *cls;
                const char *v = run_target_verdict(c, r, t, &cls);
                fprintf(c->out, "<td><span class=\"badge %s\">%s</span></td>", cls, v);
            }
            fputs("</tr>\n", c->out);
        }
        fputs("</tbody>\n</table>\n", c->out);
    }

    /* Pass/fail per policy. */
    fputs("<h3>Policies</h3>\n", c->out);
    if (d->n_runs == 0) {
        fputs("<p class=\"muted\">No policy was evaluated over this scan (run "
              "<code>tlsaudit check --policy P</code>).</p>\n",
              c->out);
    } else {
        fputs("<p class=\"muted\">A policy fails on a target when any of its findings there is "
              "<em>fail</em>, whatever its severity (the <code>--fail-on</code> threshold of a "
              "check is not stored).</p>\n"
              "<table>\n<thead><tr><th>Policy</th><th>Version</th><th>Result</th>"
              "<th class=\"num\">Targets pass</th><th class=\"num\">fail</th>"
              "<th class=\"num\">inconclusive</th><th class=\"num\">not evaluated</th>"
              "<th>Findings failing (critical/high/medium/low/info)</th>"
              "<th class=\"num\">warn</th><th class=\"num\">waived</th></tr></thead>\n<tbody>\n",
              c->out);
        for (size_t r = 0; r < d->n_runs; r++) {
            const struct store_run *run = &d->runs[r];
            size_t n_pass = 0, n_fail = 0, n_inc = 0, n_na = 0;
            size_t sev[5] = {0}, n_warn = 0, n_waived = 0, n_unknown_sev = 0;
            for (size_t t = 0; t < d->n_targets; t++) {
                const char *cls;
                const char *v = run_target_verdict(c, r, t, &cls);
                if (strcmp(v, "pass") == 0) {
                    n_pass++;
                } else if (strcmp(v, "fail") == 0) {
                    n_fail++;
                } else if (strcmp(v, "inconclusive") == 0) {
                    n_inc++;
                } else {
                    n_na++;
                }
            }
            for (size_t f = 0; f < run->n_findings; f++) {
                const struct store_finding_row *fr = &run->findings[f];
                int vi = verdict_index(fr->verdict);
                if (vi == 1) {
                    int s = sev_rank(fr->severity);
                    if (s < 0) {
                        n_unknown_sev++;
                    } else {
                        sev[s]++;
                    }
                } else if (vi == 2) {
                    n_warn++;
                } else if (vi == 4) {
                    n_waived++;
                }
            }
            const char *res = n_fail > 0   ? "fail"
                              : n_inc > 0  ? "inconclusive"
                              : n_pass > 0 ? "pass"
                                           : "not evaluated";
            const char *cls = n_fail > 0   ? "v-fail"
                              : n_inc > 0  ? "v-inconclusive"
                              : n_pass > 0 ? "v-pass"
                                           : "v-na";
            fputs("<tr><td>", c->out);
            h_or(c, run->policy_id, "?");
            fputs("</td><td>", c->out);
            h_or(c, run->policy_version, "-");
            fprintf(c->out,
                    "</td><td><span class=\"badge %s\">%s</span></td><td class=\"num\">%zu</td>"
                    "<td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                    "<td>%zu / %zu / %zu / %zu / %zu",
                    cls, res, n_pass, n_fail, n_inc, n_na, sev[4], sev[3], sev[2], sev[1], sev[0]);
            if (n_unknown_sev > 0) {
                fprintf(c->out, " (+%zu of unknown severity)", n_unknown_sev);
            }
            fprintf(c->out, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
                    n_warn, n_waived);
        }
        fputs("</tbody>\n</table>\n", c->out);
    }

    /* The worst findings. */
    fputs("<h3>Worst findings</h3>\n", c->out);
    size_t n_fail = 0;
    for (size_t i = 0; i < c->n_frefs; i++) {
        const char *v = fref_row(c, &c->frefs[i])->verdict;
        n_fail += v != NULL && strcmp(v, "fail") == 0;
    }
    if (n_fail == 0) {
        fprintf(c->out, "<p class=\"muted\">%s</p>\n",
                d->n_runs == 0 ? "No policy was evaluated." : "No finding fails.");
    } else {
        struct html_worst *worst = calloc(n_fail, sizeof(*worst));
        if (worst == NULL) {
            return -1;
        }
        size_t k = 0;
        for (size_t i = 0; i < c->n_frefs; i++) {
            const struct store_finding_row *fr = fref_row(c, &c->frefs[i]);
            if (fr->verdict != NULL && strcmp(fr->verdict, "fail") == 0) {
                worst[k++] = (struct html_worst){.sev = sev_rank(fr->severity), .f = &c->frefs[i]};
            }
        }
        qsort(worst, n_fail, sizeof(*worst), cmp_worst);
        fputs("<table>\n<thead><tr><th>Severity</th><th>Target</th><th>Policy</th><th>Rule</th>"
              "<th>Requirement</th><th>Evidence</th></tr></thead>\n<tbody>\n",
              c->out);
        for (size_t i = 0; i < n_fail && i < HTML_WORST_MAX; i++) {
            const struct store_finding_row *fr = fref_row(c, worst[i].f);
            fputs("<tr><td>", c->out);
            put_severity(c, fr->severity);
            fputs("</td><td class=\"nowrap\">", c->out);
            if (worst[i].f->target >= 0) {
                put_target_link(c, (size_t)worst[i].f->target);
            } else {
                fputs("<span class=\"muted\">(not a target of this scan)</span>", c->out);
            }
            fputs("</td><td>", c->out);
            h_or(c, d->runs[worst[i].f->run].policy_id, "?");
            fputs("</td><td class=\"rule\"><span class=\"mono\">", c->out);
            h_or(c, fr->rule_id, "?");
            fputs("</span><br>", c->out);
            h(c, fr->title);
            fputs("</td><td class=\"ref\">", c->out);
            h_or(c, fr->ref, "-");
            fputs("</td><td>", c->out);
            h_or(c, fr->evidence, "-");
            fputs("</td></tr>\n", c->out);
        }
        fputs("</tbody>\n</table>\n", c->out);
        if (n_fail > HTML_WORST_MAX) {
            fprintf(c->out,
                    "<p class=\"muted\">and %zu more failing findings: see each target "
                    "below.</p>\n",
                    n_fail - HTML_WORST_MAX);
        }
        free(worst);
    }
    fputs("</section>\n", c->out);
    return 0;
}

/* ---- per-target detail --------------------------------------------------------- */

static const char *state_class(enum probe_state s)
{
    switch (s) {
    case PROBE_ACCEPTED:
        return "v-pass";
    case PROBE_REFUSED:
        return "v-na";
    case PROBE_INCONCLUSIVE:
        return "v-inconclusive";
    case PROBE_NOT_TESTED:
        break;
    }
    return "v-na";
}

static void put_versions(struct html_ctx *c, const struct target_result *r)
{
    const struct enum_facts *e = &r->enumeration;
    fputs("<h4>Protocol versions</h4>\n", c->out);
    fputs("<table>\n<thead><tr><th>Version</th><th>Enumeration (raw ClientHellos)</th>"
          "<th class=\"num\">Suites</th><th>Order</th><th>Handshake (GnuTLS)</th></tr></thead>\n"
          "<tbody>\n",
          c->out);
    for (int v = WV_COUNT - 1; v >= 0; v--) {
        fprintf(c->out, "<tr><td class=\"nowrap\">%s</td><td>",
                wire_version_name((enum wire_version)v));
        const struct enum_version_fact *ev = &e->versions[v];
        if (!e->collected) {
            fputs("<span class=\"muted\">not collected</span></td><td></td><td></td>", c->out);
        } else {
            fprintf(c->out, "<span class=\"badge %s\">%s</span>", state_class(ev->state),
                    probe_state_name(ev->state));
            if (ev->reason[0] != '\0') {
                fputs(" ", c->out);
                h(c, ev->reason);
            }
            if (ev->incomplete) {
                fputs("<br><span class=\"v-warn\">incomplete: ", c->out);
                h_or(c, ev->incomplete_why, "some probes ended without clear evidence");
                fputs("</span>", c->out);
            }
            fprintf(c->out, "</td><td class=\"num\">%zu</td><td>%s</td>", ev->n_suites,
                    ev->n_suites > 0 ? enum_order_name(ev->order) : "");
        }
        fputs("<td>", c->out);
        enum probe_version pv;
        if (wire_version_pv((enum wire_version)v, &pv)) {
            const struct version_fact *vf = &r->versions[pv];
            fprintf(c->out, "<span class=\"badge %s\">%s</span>", state_class(vf->state),
                    probe_state_name(vf->state));
            if (vf->state == PROBE_ACCEPTED) {
                fputs(" <span class=\"mono\">", c->out);
                h(c, vf->suite_name);
                fprintf(c->out, "</span> (0x%04X)", (unsigned)vf->suite);
                if (vf->group[0] != '\0') {
                    fputs(", group ", c->out);
                    h(c, vf->group);
                }
                if (vf->dh_bits > 0) {
                    fprintf(c->out, ", DH %d bits", vf->dh_bits);
                }
                if (vf->hrr) {
                    fputs(", HelloRetryRequest", c->out);
                }
            }
            if (vf->reason[0] != '\0') {
                fputs(" ", c->out);
                h(c, vf->reason);
            }
        } else {
            fputs("<span class=\"muted\">not probed</span>", c->out);
        }
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n", c->out);
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void put_suites(struct html_ctx *c, const struct target_result *r)
{
    const struct enum_facts *e = &r->enumeration;
    fputs("<h4>Cipher suites</h4>\n", c->out);
    if (!e->collected) {
        fputs("<p class=\"muted\">The enumeration was not collected for this target: only the "
              "suites negotiated by the handshakes above are known.</p>\n",
              c->out);
        return;
    }
    bool any = false;
    for (int v = WV_COUNT - 1; v >= 0; v--) {
        const struct enum_version_fact *ev = &e->versions[v];
        if (ev->n_suites == 0) {
            continue;
        }
        any = true;
        fprintf(c->out, "<p><strong>%s</strong>: %zu suite%s, ",
                wire_version_name((enum wire_version)v), ev->n_suites,
                ev->n_suites == 1 ? "" : "s");
        switch (ev->order) {
        case ORDER_SERVER:
            fputs("in the server's order of preference", c->out);
            break;
        case ORDER_CLIENT:
            fputs("the server follows the client's order (listed by code)", c->out);
            break;
        case ORDER_UNKNOWN:
            fputs("order unknown", c->out);
            break;
        }
        fputs(".</p>\n<table>\n<thead><tr><th class=\"num\">#</th><th>Code</th><th>Name "
              "(IANA)</th><th>Kx</th><th>Auth</th><th>Cipher</th><th class=\"num\">Bits</th>"
              "<th>Mode</th><th>MAC</th><th>AEAD</th><th>FS</th><th>Export</th>"
              "<th>Kx group / size</th><th>IANA rec.</th></tr></thead>\n<tbody>\n",
              c->out);
        for (size_t i = 0; i < ev->n_suites; i++) {
            const struct enum_suite *es = &ev->suites[i];
            const struct suite_info *si = registry_suite_by_code(es->code);
            if (es->server_rank >= 0) {
                fprintf(c->out, "<tr><td class=\"num\">%d</td><td>", es->server_rank + 1);
            } else {
                fputs("<tr><td class=\"num\">-</td><td>", c->out);
            }
            put_suite_code(c, es->code);
            fputs("</td><td>", c->out);
            put_suite_name(c, es->code);
            if (si != NULL) {
                fprintf(c->out,
                        "</td><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%d</td>"
                        "<td>%s</td><td>%s</td><td>%s</td><td>%s</td>",
                        si->kx, si->auth, si->cipher, si->bits, si->mode, si->mac, yes_no(si->aead),
                        si->pfs ? "yes" : "<span class=\"v-warn\">no</span>");
                fprintf(c->out, "<td>%s</td>",
                        si->export_grade ? "<span class=\"v-fail\">export</span>" : "no");
            } else {
                fputs("</td><td colspan=\"9\" class=\"muted\"></td>", c->out);
            }
            fputs("<td>", c->out);
            const struct group_info *g = es->ec_group ? registry_group_by_code(es->ec_group) : NULL;
            if (g != NULL) {
                fputs(g->name, c->out);
            } else if (es->ec_group != 0) {
                fprintf(c->out, "0x%04X", (unsigned)es->ec_group);
            }
            if (es->kx_bits > 0) {
                fprintf(c->out, "%s%d bits", es->ec_group ? ", " : "", es->kx_bits);
            }
            fprintf(c->out, "</td><td>%c</td></tr>\n", si != NULL ? si->recommended : '?');
        }
        fputs("</tbody>\n</table>\n", c->out);
    }
    if (!any) {
        fputs("<p class=\"muted\">No suite was accepted.</p>\n", c->out);
    }
}

static void put_code_list(struct html_ctx *c, const uint16_t *codes, size_t n, bool groups)
{
    if (n == 0) {
        fputs("<span class=\"muted\">none</span>", c->out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", c->out);
        const char *name = NULL;
        if (groups) {
            const struct group_info *g = registry_group_by_code(codes[i]);
            name = g ? g->name : NULL;
        } else {
            const struct sigscheme_info *s = registry_sigscheme_by_code(codes[i]);
            name = s ? s->name : NULL;
        }
        if (name != NULL) {
            fprintf(c->out, "<span class=\"mono\">%s</span>", name);
        } else {
            fprintf(c->out, "<span class=\"mono\">0x%04X</span>", (unsigned)codes[i]);
        }
    }
}

static const char *tri_text(enum fact_tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static void put_groups_sigs_exts(struct html_ctx *c, const struct target_result *r)
{
    const struct enum_facts *e = &r->enumeration;
    if (!e->collected) {
        return;
    }
    fputs("<h4>Key-exchange groups and signature schemes</h4>\n<table class=\"kv\">\n", c->out);
    fputs("<tr><th>Groups, TLS 1.2 and below</th><td>", c->out);
    put_code_list(c, e->groups12, e->n_groups12, true);
    fputs(" <span class=\"muted\">(in the order the server chose them)</span></td></tr>\n"
          "<tr><th>Groups, TLS 1.3</th><td>",
          c->out);
    put_code_list(c, e->groups13, e->n_groups13, true);
    fputs(" <span class=\"muted\">(server's order)</span></td></tr>\n"
          "<tr><th>Signature schemes, TLS 1.2</th><td>",
          c->out);
    put_code_list(c, e->sigalgs12, e->n_sigalgs12, false);
    fputs("</td></tr>\n<tr><th>Signature schemes, TLS 1.3</th><td>", c->out);
    if (e->sigalgs13_tested) {
        put_code_list(c, e->sigalgs13, e->n_sigalgs13, false);
        fputs(" <span class=\"muted\">(registry order, not preference)</span>", c->out);
    } else {
        fputs("<span class=\"muted\">not tested</span>", c->out);
    }
    fputs("</td></tr>\n</table>\n", c->out);

    fputs("<h4>Extensions and behaviour</h4>\n<table class=\"kv\">\n", c->out);
    fprintf(c->out,
            "<tr><th>Secure renegotiation (RFC 5746)</th><td>%s</td></tr>\n"
            "<tr><th>Extended master secret (RFC 7627)</th><td>%s</td></tr>\n"
            "<tr><th>Encrypt-then-MAC (RFC 7366)</th><td>%s</td></tr>\n"
            "<tr><th>OCSP status_request</th><td>%s</td></tr>\n"
            "<tr><th>Session ticket (RFC 5077)</th><td>%s</td></tr>\n"
            "<tr><th>Heartbeat (RFC 6520)</th><td>%s</td></tr>\n",
            tri_text(e->secure_renegotiation), tri_text(e->extended_master_secret),
            tri_text(e->encrypt_then_mac), tri_text(e->status_request), tri_text(e->session_ticket),
            tri_text(e->heartbeat));
    fputs("<tr><th>ALPN (of h2, http/1.1)</th><td>", c->out);
    h_or(c, e->alpn, "none");
    fputs("</td></tr>\n<tr><th>Anomalies</th><td>", c->out);
    h_or(c, e->anomalies, "none");
    fprintf(c->out, "</td></tr>\n<tr><th>Connections used</th><td>%lu</td></tr>\n</table>\n",
            e->n_probes);
}

static void put_list(struct html_ctx *c, const struct strlist *l)
{
    if (l->n_items == 0) {
        fputs("<span class=\"muted\">none</span>", c->out);
        return;
    }
    fputs("<ul class=\"plain\">", c->out);
    for (size_t i = 0; i < l->n_items; i++) {
        fputs("<li>", c->out);
        h(c, l->items[i]);
        fputs("</li>", c->out);
    }
    fputs("</ul>", c->out);
}

static void put_key(struct html_ctx *c, const struct cert_fact *cf)
{
    h_or(c, cf->key_type, "?");
    if (cf->key_bits > 0) {
        fprintf(c->out, " %d bits", cf->key_bits);
    }
    if (cf->curve[0] != '\0') {
        fputs(" ", c->out);
        h(c, cf->curve);
    }
}

static void put_cert(struct html_ctx *c, size_t pos, const struct cert_fact *cf)
{
    fprintf(c->out, "<table class=\"kv\">\n<tr><th>#%zu %s</th><td><strong>", pos,
            pos == 0 ? "leaf" : "chain");
    h_or(c, cf->subject, "(unparsable certificate)");
    fputs("</strong></td></tr>\n<tr><th>Issuer</th><td>", c->out);
    h_or(c, cf->issuer, "-");
    fputs("</td></tr>\n<tr><th>Subject alternative names</th><td>", c->out);
    put_list(c, &cf->san);
    fputs("</td></tr>\n<tr><th>Key</th><td>", c->out);
    put_key(c, cf);
    fputs("</td></tr>\n<tr><th>Signature</th><td>", c->out);
    h_or(c, cf->sig_alg, "-");
    fputs("</td></tr>\n<tr><th>Validity</th><td>", c->out);
    put_date(c, cf->not_before);
    fputs(" to ", c->out);
    put_date(c, cf->not_after);
    fprintf(c->out, " <span class=\"%s\">(%lld days left at scan time)</span>",
            cf->days_left < 0    ? "v-fail"
            : cf->days_left < 30 ? "v-warn"
                                 : "muted",
            (long long)cf->days_left);
    fputs("</td></tr>\n<tr><th>SHA-256 fingerprint</th><td class=\"mono\">", c->out);
    h(c, cf->sha256);
    fputs("</td></tr>\n<tr><th>Serial</th><td class=\"mono\">", c->out);
    h(c, cf->serial);
    fputs("</td></tr>\n<tr><th>Key usage / EKU</th><td>", c->out);
    if (cf->has_key_usage) {
        for (size_t i = 0; i < cf->key_usage.n_items; i++) {
            fputs(i ? ", " : "", c->out);
            h(c, cf->key_usage.items[i]);
        }
    } else {
        fputs("<span class=\"muted\">no key usage</span>", c->out);
    }
    fputs(" / ", c->out);
    for (size_t i = 0; i < cf->eku.n_items; i++) {
        fputs(i ? ", " : "", c->out);
        h(c, cf->eku.items[i]);
    }
    if (cf->eku.n_items == 0) {
        fputs("<span class=\"muted\">no EKU</span>", c->out);
    }
    fputs("</td></tr>\n<tr><th>Basic constraints</th><td>", c->out);
    fputs(cf->ca < 0 ? "absent" : cf->ca ? "CA" : "not a CA", c->out);
    if (cf->path_len >= 0) {
        fprintf(c->out, ", path length %d", cf->path_len);
    }
    fprintf(c->out, "%s</td></tr>\n", cf->self_signed ? ", self-signed" : "");
    fputs("<tr><th>OCSP / CA issuers / CRL</th><td>", c->out);
    put_list(c, &cf->ocsp_urls);
    put_list(c, &cf->ca_issuer_urls);
    put_list(c, &cf->crl_urls);
    fprintf(c->out, "</td></tr>\n<tr><th>Must-staple / SCTs</th><td>%s / %d</td></tr>\n</table>\n",
            yes_no(cf->must_staple), cf->n_scts);
}

/* put_revoc writes the revocation status of certificate i, when collected. */
static void put_revoc(struct html_ctx *c, const struct target_result *r, size_t i)
{
    if (!r->revoc_collected || r->revoc == NULL || i >= r->n_revoc) {
        return;
    }
    const struct revoc_fact *rf = &r->revoc[i];
    const char *cls = rf->status == REVOC_GOOD      ? "v-pass"
                      : rf->status == REVOC_REVOKED ? "v-fail"
                                                    : "v-warn";
    fputs("<table class=\"kv\">\n<tr><th>Revocation</th><td>", c->out);
    put_badge(c, cls, revoc_status_name(rf->status));
    if (rf->method[0] != '\0') {
        fputs(" via ", c->out);
        h(c, rf->method);
    }
    if (rf->status == REVOC_REVOKED && rf->revoked_at > 0) {
        fputs(" at ", c->out);
        put_date(c, rf->revoked_at);
        if (rf->reason[0] != '\0') {
            fputs(" (", c->out);
            h(c, rf->reason);
            fputs(")", c->out);
        }
    }
    if (rf->from_cache) {
        fputs(" <span class=\"muted\">(cached answer)</span>", c->out);
    }
    if (rf->staple[0] != '\0') {
        fputs("; stapled response ", c->out);
        h(c, rf->staple);
    }
    if (rf->detail[0] != '\0') {
        fputs("<br><span class=\"muted\">", c->out);
        h(c, rf->detail);
        fputs("</span>", c->out);
    }
    fputs("</td></tr>\n</table>\n", c->out);
}

/* put_http writes the HSTS and port-80 redirect facts, when checked. */
static void put_http(struct html_ctx *c, const struct target_result *r)
{
    const struct http_fact *hf = &r->http;
    if (!hf->hsts_checked && !hf->redirect_checked) {
        return;
    }
    fputs("<h4>HTTP security headers</h4>\n<table class=\"kv\">\n", c->out);
    if (hf->hsts_checked) {
        fputs("<tr><th>Strict-Transport-Security</th><td>", c->out);
        if (hf->hsts_error[0] != '\0') {
            put_badge(c, "v-warn", "not checked");
            fputs(" ", c->out);
            h(c, hf->hsts_error);
        } else if (!hf->hsts_present) {
            put_badge(c, "v-fail", "absent");
        } else {
            put_badge(c, hf->hsts_valid ? "v-pass" : "v-fail",
                      hf->hsts_valid ? "present" : "invalid");
            fprintf(c->out, " max-age %lld%s%s <span class=\"mono\">", (long long)hf->hsts_max_age,
                    hf->hsts_include_subdomains ? ", includeSubDomains" : "",
                    hf->hsts_preload ? ", preload" : "");
            h(c, hf->hsts_header);
            fputs("</span>", c->out);
        }
        fputs("</td></tr>\n", c->out);
    }
    if (hf->redirect_checked) {
        fputs("<tr><th>HTTP (port 80) redirect</th><td>", c->out);
        if (hf->redirect_error[0] != '\0') {
            put_badge(c, "v-warn", "not checked");
            fputs(" ", c->out);
            h(c, hf->redirect_error);
        } else {
            put_badge(c, hf->redirects_to_https ? "v-pass" : "v-fail",
                      hf->redirects_to_https ? "redirects to HTTPS" : "no HTTPS redirect");
            fprintf(c->out, " status %ld ", hf->http_status);
            h(c, hf->redirect_location);
        }
        fputs("</td></tr>\n", c->out);
    }
    fputs("</table>\n", c->out);
}

static void put_chain(struct html_ctx *c, const struct target_result *r)
{
    fputs("<h4>Certificate chain</h4>\n", c->out);
    if (!r->chain_collected && r->n_certs == 0) {
        fputs("<p class=\"muted\">No certificate was collected.</p>\n", c->out);
        return;
    }
    fprintf(c->out, "<p>%zu certificate%s served, leaf first.</p>\n", r->n_certs,
            r->n_certs == 1 ? "" : "s");
    for (size_t i = 0; i < r->n_certs; i++) {
        put_cert(c, i, &r->certs[i]);
        put_revoc(c, r, i);
    }
    if (!r->chain_collected) {
        return;
    }
    const struct chain_fact *ch = &r->chain;
    fputs("<h4>Chain validation</h4>\n<table class=\"kv\">\n<tr><th>Trusted</th><td>", c->out);
    put_badge(c, ch->trusted ? "v-pass" : "v-fail", ch->trusted ? "trusted" : "not trusted");
    if (ch->verify_text[0] != '\0') {
        fputs(" ", c->out);
        h(c, ch->verify_text);
    }
    fputs("</td></tr>\n<tr><th>Host name</th><td>", c->out);
    if (ch->hostname_checked) {
        put_badge(c, ch->hostname_match ? "v-pass" : "v-fail",
                  ch->hostname_match ? "matches" : "does not match");
        fputs(" ", c->out);
        h(c, ch->hostname);
    } else {
        fputs("<span class=\"muted\">not checked (no name)</span>", c->out);
    }
    fputs("</td></tr>\n<tr><th>Problems</th><td>", c->out);
    struct {
        bool on;
        const char *what;
    } p[] = {
        {ch->expired, "expired"},
        {ch->not_yet_valid, "not yet valid"},
        {ch->self_signed, "self-signed leaf"},
        {ch->incomplete, "incomplete chain"},
        {ch->wrong_order, "wrong order"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
        if (p[i].on) {
            fputs(n++ ? " " : "", c->out);
            put_badge(c, "v-fail", p[i].what);
        }
    }
    if (n == 0) {
        fputs("none", c->out);
    }
    fprintf(c->out, "</td></tr>\n<tr><th>Fewest days left</th><td>%lld</td></tr>\n",
            (long long)ch->min_days_left);
    fputs("<tr><th>OCSP staple</th><td>", c->out);
    if (ch->ocsp_staple) {
        h_or(c, ch->ocsp_status, "?");
        if (ch->ocsp_detail[0] != '\0') {
            fputs(": ", c->out);
            h(c, ch->ocsp_detail);
        }
    } else {
        fputs("none", c->out);
    }
    fputs("</td></tr>\n<tr><th>Completed through AIA</th><td>", c->out);
    if (ch->aia_attempted) {
        put_badge(c, ch->aia_completed && ch->aia_trusted ? "v-pass" : "v-fail",
                  !ch->aia_completed ? "not completed"
                  : ch->aia_trusted  ? "completed, trusted"
                                     : "completed, not trusted");
        fprintf(c->out, " %d fetched ", ch->aia_fetched);
        h(c, ch->aia_detail);
    } else {
        fputs("<span class=\"muted\">not needed or not tried</span>", c->out);
    }
    fputs("</td></tr>\n</table>\n", c->out);
    put_http(c, r);
}

static void put_findings(struct html_ctx *c, size_t t)
{
    const struct report_data *d = c->d;
    size_t first, end;
    target_findings(c, (long)t, &first, &end);
    fputs("<h4>Findings</h4>\n", c->out);
    if (d->n_runs == 0) {
        fputs("<p class=\"muted\">No policy was evaluated.</p>\n", c->out);
        return;
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        const char *cls;
        const char *v = run_target_verdict(c, r, t, &cls);
        fputs("<p><strong>", c->out);
        h_or(c, d->runs[r].policy_id, "?");
        fputs("</strong> ", c->out);
        h(c, d->runs[r].policy_version);
        fprintf(c->out, ": <span class=\"badge %s\">%s</span></p>\n", cls, v);
        bool head = false;
        for (size_t i = first; i < end; i++) {
            if (c->frefs[i].run != r) {
                continue;
            }
            const struct store_finding_row *fr = fref_row(c, &c->frefs[i]);
            if (!head) {
                fputs("<table>\n<thead><tr><th>Verdict</th><th>Severity</th><th>Rule</th>"
                      "<th>Requirement</th><th>Evidence</th></tr></thead>\n<tbody>\n",
                      c->out);
                head = true;
            }
            fputs("<tr><td>", c->out);
            put_verdict(c, fr->verdict);
            fputs("</td><td>", c->out);
            put_severity(c, fr->severity);
            fputs("</td><td class=\"rule\"><span class=\"mono\">", c->out);
            h_or(c, fr->rule_id, "?");
            fputs("</span><br>", c->out);
            h(c, fr->title);
            fputs("</td><td class=\"ref\">", c->out);
            h_or(c, fr->ref, "-");
            fputs("</td><td>", c->out);
            h_or(c, fr->evidence, "-");
            if (verdict_index(fr->verdict) == 4 || fr->waiver_reason != NULL) {
                fputs("<br><strong>Waived:</strong> ", c->out);
                h_or(c, fr->waiver_reason, "(no justification stored)");
                fputs("<br>owner ", c->out);
                h_or(c, fr->waiver_owner, "(none)");
                fputs(", expires ", c->out);
                h_or(c, fr->waiver_expires, "(never)");
            }
            fputs("</td></tr>\n", c->out);
        }
        if (head) {
            fputs("</tbody>\n</table>\n", c->out);
        }
    }
}

static void put_targets(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    fputs("<section id=\"targets\">\n<h2>Targets in detail</h2>\n", c->out);
    if (d->n_targets == 0) {
        fputs("<p class=\"muted\">This scan has no targets.</p>\n", c->out);
    }
    for (size_t t = 0; t < d->n_targets; t++) {
        const struct target_result *r = &d->targets[t];
        fprintf(c->out, "<article class=\"target\" id=\"t%zu\">\n<h3>", t);
        put_target_name(c, r);
        fputs("</h3>\n<table class=\"kv\">\n<tr><th>Address tested</th><td>", c->out);
        h_or(c, r->ip, "(none: not connected)");
        fputs("</td></tr>\n<tr><th>SNI</th><td>", c->out);
        h_or(c, r->sni, "(none sent)");
        fputs("</td></tr>\n<tr><th>Tags</th><td>", c->out);
        for (size_t i = 0; i < r->tags.n_items; i++) {
            fputs(i ? ", " : "", c->out);
            h(c, r->tags.items[i]);
        }
        if (r->tags.n_items == 0) {
            fputs("<span class=\"muted\">none</span>", c->out);
        }
        fputs("</td></tr>\n<tr><th>Status</th><td>", c->out);
        put_badge(c, target_scanned(r) ? "v-pass" : "v-fail", target_status_name(r->status));
        if (r->error[0] != '\0') {
            fputs(" ", c->out);
            h(c, r->error);
        }
        fputs("</td></tr>\n<tr><th>Scanned</th><td>", c->out);
        put_ms(c, r->started_ms);
        fputs(" to ", c->out);
        put_ms(c, r->finished_ms);
        fputs("</td></tr>\n</table>\n", c->out);
        if (!target_scanned(r)) {
            fputs("<p class=\"v-fail\">This target was not scanned: no protocol, suite or "
                  "certificate facts, and no policy was evaluated on it.</p>\n",
                  c->out);
        } else {
            put_versions(c, r);
            put_suites(c, r);
            put_groups_sigs_exts(c, r);
            put_chain(c, r);
        }
        put_findings(c, t);
        fputs("</article>\n", c->out);
    }
    fputs("</section>\n", c->out);
}

/* ---- inventories ------------------------------------------------------------------ */

/* Where a certificate is served: every (target, position) of x. */
static void put_cert_where(struct html_ctx *c, const struct inventory_cert *x)
{
    fputs("<ul class=\"plain\">", c->out);
    for (size_t i = 0; i < x->n_places; i++) {
        fputs("<li>", c->out);
        put_target_link(c, x->places[i].target);
        fprintf(c->out, " <span class=\"muted\">#%zu%s</span></li>", x->places[i].position,
                x->places[i].position == 0 ? " leaf" : "");
    }
    fputs("</ul>", c->out);
}

static void put_cert_inventory(struct html_ctx *c)
{
    size_t n_unique = c->inv.n_certs;
    fputs("<section id=\"cert-inventory\">\n<h2>Certificate inventory</h2>\n", c->out);
    fprintf(c->out,
            "<p>PCI DSS v4.0.1 Req 4.2.1.1: an inventory of the trusted keys and certificates "
            "in use. Every certificate served by a scanned target, once per SHA-256 "
            "fingerprint: <strong>%zu</strong> distinct certificate%s.</p>\n",
            n_unique, n_unique == 1 ? "" : "s");
    if (n_unique == 0) {
        fputs("<p class=\"muted\">No certificate was collected.</p>\n</section>\n", c->out);
        return;
    }
    fputs("<table>\n<thead><tr><th>Subject</th><th>Issuer</th><th>Key</th><th>Signature</th>"
          "<th>Expires</th><th class=\"num\">Days left at scan</th><th>SHA-256</th>"
          "<th>Where (target, position)</th></tr></thead>\n<tbody>\n",
          c->out);
    for (size_t i = 0; i < c->inv.n_certs; i++) {
        const struct cert_fact *cf = c->inv.certs[i].cert;
        fputs("<tr><td>", c->out);
        h_or(c, cf->subject, "(unparsable certificate)");
        fputs("</td><td>", c->out);
        h_or(c, cf->issuer, "-");
        fputs("</td><td class=\"nowrap\">", c->out);
        put_key(c, cf);
        fputs("</td><td>", c->out);
        h_or(c, cf->sig_alg, "-");
        fputs("</td><td class=\"nowrap\">", c->out);
        put_date(c, cf->not_after);
        fprintf(c->out, "</td><td class=\"num%s\">%lld</td><td class=\"mono\">",
                cf->days_left < 0 ? " v-fail" : "", (long long)cf->days_left);
        h(c, cf->sha256);
        fputs("</td><td>", c->out);
        put_cert_where(c, &c->inv.certs[i]);
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n</section>\n", c->out);
}

/* The targets of u: their number, then a link to each. */
static void put_use_targets(struct html_ctx *c, const struct inventory_use *u)
{
    fprintf(c->out, "%zu: ", u->n_targets);
    for (size_t k = 0; k < u->n_targets; k++) {
        fputs(k ? ", " : "", c->out);
        put_target_link(c, u->targets[k]);
    }
}

static void put_protocol_inventory(struct html_ctx *c)
{
    fputs("<section id=\"protocol-inventory\">\n<h2>Protocol and cipher-suite inventory</h2>\n"
          "<p>PCI DSS v4.0.1 Req 12.3.3: the cryptographic cipher suites and protocols in use, "
          "and where. From the enumeration of each scanned target (for a target without one, "
          "the suites its handshakes negotiated).</p>\n",
          c->out);
    if (c->inv.n_versions == 0) {
        fputs("<p class=\"muted\">No protocol version was accepted by any target.</p>\n"
              "</section>\n",
              c->out);
        return;
    }
    fputs("<h3>Protocol versions in use</h3>\n<table>\n<thead><tr><th>Version</th>"
          "<th>Targets accepting it</th></tr></thead>\n<tbody>\n",
          c->out);
    for (size_t i = 0; i < c->inv.n_versions; i++) {
        const struct inventory_use *u = &c->inv.versions[i];
        fprintf(c->out, "<tr><td class=\"nowrap\">%s</td><td>", wire_version_name(u->version));
        put_use_targets(c, u);
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n", c->out);

    fputs("<h3>Cipher suites in use</h3>\n<table>\n<thead><tr><th>Version</th><th>Code</th>"
          "<th>Name (IANA)</th><th>Kx / Auth</th><th>Cipher</th><th>MAC</th><th>FS</th>"
          "<th>Where</th></tr></thead>\n<tbody>\n",
          c->out);
    for (size_t i = 0; i < c->inv.n_suites; i++) {
        const struct inventory_use *u = &c->inv.suites[i];
        const struct suite_info *si = registry_suite_by_code(u->suite);
        fprintf(c->out, "<tr><td class=\"nowrap\">%s</td><td>", wire_version_name(u->version));
        put_suite_code(c, u->suite);
        fputs("</td><td>", c->out);
        put_suite_name(c, u->suite);
        if (si != NULL) {
            fprintf(c->out, "</td><td>%s / %s</td><td>%s %d %s%s</td><td>%s</td><td>%s</td><td>",
                    si->kx, si->auth, si->cipher, si->bits, si->mode,
                    si->export_grade ? " <span class=\"v-fail\">export</span>" : "", si->mac,
                    si->pfs ? "yes" : "<span class=\"v-warn\">no</span>");
        } else {
            fputs("</td><td></td><td></td><td></td><td></td><td>", c->out);
        }
        put_use_targets(c, u);
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n</section>\n", c->out);
}

/* ---- expiring certificates ------------------------------------------------------- */

struct html_expiring {
    size_t cert; /* index in c->inv.certs */
    int64_t not_after;
};

static int cmp_expiring(const void *a, const void *b)
{
    const struct html_expiring *x = a, *y = b;
    if (x->not_after != y->not_after) {
        return x->not_after < y->not_after ? -1 : 1;
    }
    return x->cert < y->cert ? -1 : x->cert > y->cert ? 1 : 0;
}

/* Whole days from now_ms to not_after (seconds), rounded down. */
static int64_t days_until(int64_t now_ms, int64_t not_after)
{
    int64_t diff = not_after * 1000 - now_ms;
    int64_t q = diff / 86400000;
    if (diff % 86400000 != 0 && diff < 0) {
        q--;
    }
    return q;
}

static int put_expiring(struct html_ctx *c)
{
    int64_t now = c->o->now_ms > 0 ? c->o->now_ms : util_now_ms();
    int days = c->o->expiring_days;
    size_t n = 0, cap = 0;
    struct html_expiring *list = NULL;
    for (size_t i = 0; i < c->inv.n_certs; i++) {
        const struct cert_fact *cf = c->inv.certs[i].cert;
        if (cf->not_after != 0 && days_until(now, cf->not_after) <= days) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct html_expiring *p = realloc(list, ncap * sizeof(*p));
                if (p == NULL) {
                    free(list);
                    return -1;
                }
                list = p;
                cap = ncap;
            }
            list[n++] = (struct html_expiring){.cert = i, .not_after = cf->not_after};
        }
    }
    if (n > 1) {
        qsort(list, n, sizeof(*list), cmp_expiring);
    }
    fputs("<section id=\"expiring\">\n<h2>Expiring certificates</h2>\n", c->out);
    fprintf(c->out,
            "<p>Every certificate of any served chain (intermediates and roots too) that "
            "expires within <strong>%d</strong> day%s of ",
            days, days == 1 ? "" : "s");
    put_ms(c, now);
    fprintf(c->out, ", or has expired: <strong>%zu</strong>.</p>\n", n);
    if (n > 0) {
        fputs("<table>\n<thead><tr><th>Expires</th><th class=\"num\">Days left</th>"
              "<th>Subject</th><th>Issuer</th><th>SHA-256</th><th>Where</th></tr></thead>\n"
              "<tbody>\n",
              c->out);
        for (size_t k = 0; k < n; k++) {
            const struct cert_fact *cf = c->inv.certs[list[k].cert].cert;
            int64_t left = days_until(now, cf->not_after);
            fputs("<tr><td class=\"nowrap\">", c->out);
            put_date(c, cf->not_after);
            fprintf(c->out, "</td><td class=\"num %s\">%lld</td><td>",
                    left < 0 ? "v-fail" : "v-warn", (long long)left);
            h_or(c, cf->subject, "(unparsable certificate)");
            fputs("</td><td>", c->out);
            h_or(c, cf->issuer, "-");
            fputs("</td><td class=\"mono\">", c->out);
            h(c, cf->sha256);
            fputs("</td><td>", c->out);
            put_cert_where(c, &c->inv.certs[list[k].cert]);
            fputs("</td></tr>\n", c->out);
        }
        fputs("</tbody>\n</table>\n", c->out);
    }
    fputs("</section>\n", c->out);
    free(list);
    return 0;
}

/* ---- provenance ------------------------------------------------------------------- */

static void put_provenance(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    const struct store_scan_info *in = &d->info;
    fputs("<section id=\"provenance\">\n<h2>Provenance</h2>\n<table class=\"kv\">\n", c->out);
    fprintf(c->out, "<tr><th>Scan</th><td>%lld</td></tr>\n<tr><th>State</th><td>",
            (long long)in->id);
    h_or(c, in->state, "unknown");
    if (in->note != NULL && in->note[0] != '\0') {
        fputs(" (", c->out);
        h(c, in->note);
        fputs(")", c->out);
    }
    fputs("</td></tr>\n<tr><th>Started</th><td>", c->out);
    put_ms(c, in->started_ms);
    fputs("</td></tr>\n<tr><th>Finished</th><td>", c->out);
    put_ms(c, in->finished_ms);
    fputs("</td></tr>\n<tr><th>tlsaudit version</th><td>", c->out);
    h_or(c, in->tool_version, "not recorded");
    fputs("</td></tr>\n<tr><th>Cipher-suite registry</th><td>", c->out);
    h_or(c, in->registry_version, "not recorded");
    fputs("</td></tr>\n<tr><th>Trust store</th><td>", c->out);
    h_or(c, in->trust_store, "not recorded");
    fputs("</td></tr>\n<tr><th>Command line</th><td class=\"mono\">", c->out);
    h_or(c, in->options, "not recorded");
    fputs("</td></tr>\n<tr><th>Scanning host</th><td>", c->out);
    h_or(c, in->hostname, "not recorded");
    fputs("</td></tr>\n<tr><th>Database</th><td class=\"mono\">", c->out);
    h_or(c, d->db_path, "-");
    fputs("</td></tr>\n</table>\n", c->out);

    fputs("<h3>Policies evaluated</h3>\n", c->out);
    if (d->n_runs == 0) {
        fputs("<p class=\"muted\">none</p>\n", c->out);
    } else {
        fputs("<table>\n<thead><tr><th>Policy</th><th>Version</th><th>File</th>"
              "<th>SHA-256 of the policy files</th><th>Evaluated</th><th>by tlsaudit</th>"
              "</tr></thead>\n<tbody>\n",
              c->out);
        for (size_t r = 0; r < d->n_runs; r++) {
            const struct store_run *run = &d->runs[r];
            fputs("<tr><td>", c->out);
            h_or(c, run->policy_id, "?");
            fputs("</td><td>", c->out);
            h_or(c, run->policy_version, "-");
            fputs("</td><td class=\"mono\">", c->out);
            h_or(c, run->policy_path, "-");
            fputs("</td><td class=\"mono\">", c->out);
            h_or(c, run->policy_sha256, "-");
            fputs("</td><td class=\"nowrap\">", c->out);
            put_ms(c, run->evaluated_ms);
            fputs("</td><td>", c->out);
            h_or(c, run->tool_version, "-");
            fputs("</td></tr>\n", c->out);
        }
        fputs("</tbody>\n</table>\n", c->out);
    }

    fputs("<h3>Addresses tested</h3>\n", c->out);
    if (d->n_targets == 0) {
        fputs("<p class=\"muted\">none</p>\n", c->out);
    } else {
        fputs("<table>\n<thead><tr><th>Target</th><th>Address</th><th>Port</th><th>SNI</th>"
              "<th>Status</th><th>Started</th><th>Finished</th></tr></thead>\n<tbody>\n",
              c->out);
        for (size_t t = 0; t < d->n_targets; t++) {
            const struct target_result *r = &d->targets[t];
            fputs("<tr><td>", c->out);
            fprintf(c->out, "<a href=\"#t%zu\">", t);
            h_or(c, r->host, "(no host)");
            fputs("</a></td><td class=\"mono\">", c->out);
            h_or(c, r->ip, "(not connected)");
            fprintf(c->out, "</td><td>%u</td><td>", (unsigned)r->port);
            h_or(c, r->sni, "-");
            fprintf(c->out, "</td><td>%s</td><td class=\"nowrap\">", target_status_name(r->status));
            put_ms(c, r->started_ms);
            fputs("</td><td class=\"nowrap\">", c->out);
            put_ms(c, r->finished_ms);
            fputs("</td></tr>\n", c->out);
        }
        fputs("</tbody>\n</table>\n", c->out);
    }
    fputs("</section>\n", c->out);
}

/* ---- entry point ------------------------------------------------------------------- */

int report_write_html(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len)
{
    struct html_ctx c = {.out = out, .d = d, .o = o};
    int rc = -1;
    if (ctx_build(&c) != 0) {
        goto oom;
    }
    put_head(&c);
    if (put_summary(&c) != 0) {
        goto oom;
    }
    put_targets(&c);
    put_cert_inventory(&c);
    put_protocol_inventory(&c);
    if (o->expiring_days >= 0 && put_expiring(&c) != 0) {
        goto oom;
    }
    put_provenance(&c);
    fputs("<footer>Written by tlsaudit from the stored scan; every value that came from a "
          "server or a file is shown as text.</footer>\n</body>\n</html>\n",
          out);
    rc = 0;
    goto out;
oom:
    snprintf(err, err_len, "out of memory while writing the HTML report");
out:
    ctx_free(&c);
    return rc;
}
