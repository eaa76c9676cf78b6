/*
 * reports/html/summary.c - the HTML report's summary: targets scanned and
 * not, the target x policy verdict matrix, counts per policy, the worst
 * failing findings.
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
    return html_cmp_fref(x->f, y->f);
}

/* html_put_targets_table_open writes the head of the targets table (its
 * heading alone when the scan has none: false, no rows follow). */
bool html_put_targets_table_open(struct html_ctx *c, size_t n_targets)
{
    const struct report_data *d = c->d;
    fputs("<h3>Targets</h3>\n", c->out);
    if (n_targets == 0) {
        fputs("<p class=\"muted\">This scan has no targets.</p>\n", c->out);
        return false;
    }
    fputs("<table>\n<thead><tr><th>Target</th><th>SNI</th><th>Status</th>"
          "<th>Grade (approximate)</th>",
          c->out);
    for (size_t r = 0; r < d->n_runs; r++) {
        fputs("<th>", c->out);
        html_text_or(c, d->runs[r].policy_id, "?");
        fputs("</th>", c->out);
    }
    fputs("</tr></thead>\n<tbody>\n", c->out);
    return true;
}

/* html_put_target_row writes target t's row: its status, grade and each
 * policy's verdict on it. */
void html_put_target_row(struct html_ctx *c, size_t t)
{
    const struct report_data *d = c->d;
    const struct target_result *tr = &d->targets[t];
    fputs("<tr><td>", c->out);
    html_put_target_link(c, t);
    fputs("</td><td>", c->out);
    html_text_or(c, tr->sni, "-");
    fprintf(c->out, "</td><td><span class=\"badge %s\">%s</span>",
            report_scanned(tr) ? "v-pass" : "v-fail", target_status_name(tr->status));
    if (tr->error[0] != '\0') {
        fputs(" ", c->out);
        html_text(c, tr->error);
    }
    fputs("</td><td>", c->out);
    html_put_grade_badge(c, tr);
    fputs("</td>", c->out);
    for (size_t r = 0; r < d->n_runs; r++) {
        const char *cls;
        const char *v = html_run_target_verdict(c, r, t, &cls);
        fprintf(c->out, "<td><span class=\"badge %s\">%s</span></td>", cls, v);
    }
    fputs("</tr>\n", c->out);
}

/* put_targets_table writes the targets, their status and each policy's
 * verdict on them, worst first, then host, port. */
static void put_targets_table(struct html_ctx *c)
{
    if (!html_put_targets_table_open(c, c->d->n_targets)) {
        return;
    }
    for (size_t i = 0; i < c->d->n_targets; i++) {
        html_put_target_row(c, c->order[i]);
    }
    fputs(HTML_TABLE_END, c->out);
}

/* html_tally_run adds run r's verdicts per target of c and its findings
 * to k. */
void html_tally_run(const struct html_ctx *c, size_t r, struct html_run_tally *k)
{
    const struct report_data *d = c->d;
    const struct store_run *run = &d->runs[r];
    for (size_t t = 0; t < d->n_targets; t++) {
        enum target_verdict v = report_scanned(&d->targets[t])
                                    ? report_run_verdict(run, d->target_ids[t])
                                    : TV_NOT_EVALUATED;
        k->n_pass += v == TV_COMPLIANT;
        k->n_fail += v == TV_NON_COMPLIANT;
        k->n_inc += v == TV_NOT_DEMONSTRATED;
        k->n_na += v == TV_NOT_EVALUATED;
    }
    for (size_t f = 0; f < run->n_findings; f++) {
        const struct store_finding_row *fr = &run->findings[f];
        int vi = report_verdict_parse(fr->verdict);
        if (vi == VERDICT_FAIL) {
            int s = report_severity_rank(fr->severity);
            if (s < 0) {
                k->n_unknown_sev++;
            } else {
                k->sev[s]++;
            }
        } else if (vi == VERDICT_WARN) {
            k->n_warn++;
        } else if (vi == VERDICT_WAIVED) {
            k->n_waived++;
        }
    }
}

/* put_run_row writes the row of policy run r: its result and counts k. */
static void put_run_row(struct html_ctx *c, size_t r, const struct html_run_tally *kp)
{
    const struct store_run *run = &c->d->runs[r];
    struct html_run_tally k = *kp;
    const char *res = k.n_fail > 0   ? "fail"
                      : k.n_inc > 0  ? "not demonstrated"
                      : k.n_pass > 0 ? "pass"
                                     : "not evaluated";
    char gate[64];
    const char *cls = k.n_fail > 0   ? "v-fail"
                      : k.n_inc > 0  ? "v-inconclusive"
                      : k.n_pass > 0 ? "v-pass"
                                     : "v-na";
    fputs("<tr><td>", c->out);
    html_text_or(c, run->policy_id, "?");
    fputs("</td><td>", c->out);
    html_text_or(c, run->policy_version, "-");
    fputs("</td><td>", c->out);
    html_text(c, report_gate_text(&run->gate, gate, sizeof(gate)));
    fprintf(c->out,
            "</td><td><span class=\"badge %s\">%s</span></td><td class=\"num\">%zu</td>"
            "<td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
            "<td>%zu / %zu / %zu / %zu / %zu",
            cls, res, k.n_pass, k.n_fail, k.n_inc, k.n_na, k.sev[4], k.sev[3], k.sev[2], k.sev[1],
            k.sev[0]);
    if (k.n_unknown_sev > 0) {
        fprintf(c->out, " (+%zu of unknown severity)", k.n_unknown_sev);
    }
    fprintf(c->out, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n", k.n_warn,
            k.n_waived);
}

/* html_put_policies_table writes pass/fail per policy, k[r] run r's
 * counts over every target. */
void html_put_policies_table(struct html_ctx *c, const struct html_run_tally *k)
{
    fputs("<h3>Policies</h3>\n", c->out);
    if (c->d->n_runs == 0) {
        fputs("<p class=\"muted\">No policy was evaluated over this scan (run "
              "<code>tlsaudit check --policy P</code>).</p>\n",
              c->out);
        return;
    }
    fputs("<p class=\"muted\">A policy fails on a target when one of its findings there is "
          "<em>fail</em> at or above the run's <code>--fail-on</code> (its gate, stored with "
          "the run); it is <em>not demonstrated</em> when none fails there but one at or above "
          "it is <em>inconclusive</em>, and passes otherwise. The exit code of the run said "
          "the same.</p>\n"
          "<table>\n<thead><tr><th>Policy</th><th>Version</th><th>Gate</th><th>Result</th>"
          "<th class=\"num\">Targets pass</th><th class=\"num\">fail</th>"
          "<th class=\"num\">not demonstrated</th><th class=\"num\">not evaluated</th>"
          "<th>Findings failing (critical/high/medium/low/info)</th>"
          "<th class=\"num\">warn</th><th class=\"num\">waived</th></tr></thead>\n<tbody>\n",
          c->out);
    for (size_t r = 0; r < c->d->n_runs; r++) {
        put_run_row(c, r, &k[r]);
    }
    fputs(HTML_TABLE_END, c->out);
}

/* html_put_worst_row writes failing finding f of the worst-findings table. */
void html_put_worst_row(struct html_ctx *c, const struct html_fref *f)
{
    const struct store_finding_row *fr = html_fref_row(c, f);
    fputs("<tr><td>", c->out);
    html_put_severity(c, fr->severity);
    fputs("</td><td class=\"nowrap\">", c->out);
    html_put_fref_target(c, f);
    fputs("</td><td>", c->out);
    html_text_or(c, c->d->runs[f->run].policy_id, "?");
    fputs("</td><td class=\"rule\"><span class=\"mono\">", c->out);
    html_text_or(c, fr->rule_id, "?");
    fputs("</span><br>", c->out);
    html_text(c, fr->title);
    fputs("</td><td class=\"ref\">", c->out);
    html_text_or(c, fr->ref, "-");
    fputs("</td><td>", c->out);
    html_text_or(c, fr->evidence, "-");
    fputs("</td></tr>\n", c->out);
}

bool html_put_worst_open(struct html_ctx *c, size_t n_fail)
{
    fputs("<h3>Worst findings</h3>\n", c->out);
    if (n_fail == 0) {
        fprintf(c->out, "<p class=\"muted\">%s</p>\n",
                c->d->n_runs == 0 ? "No policy was evaluated." : "No finding fails.");
        return false;
    }
    fputs("<table>\n<thead><tr><th>Severity</th><th>Target</th><th>Policy</th><th>Rule</th>"
          "<th>Requirement</th><th>Evidence</th></tr></thead>\n<tbody>\n",
          c->out);
    return true;
}

void html_put_worst_close(struct html_ctx *c, size_t n_fail)
{
    fputs(HTML_TABLE_END, c->out);
    if (n_fail > HTML_WORST_MAX) {
        fprintf(c->out,
                "<p class=\"muted\">and %zu more failing findings: see each target "
                "below.</p>\n",
                n_fail - HTML_WORST_MAX);
    }
}

/* put_worst writes the failing findings, worst first, at most
 * HTML_WORST_MAX. Returns 0, or -1 when out of memory. */
static int put_worst(struct html_ctx *c)
{
    size_t n_fail = 0;
    for (size_t i = 0; i < c->n_frefs; i++) {
        const char *v = html_fref_row(c, &c->frefs[i])->verdict;
        n_fail += verdict_is(v, VERDICT_FAIL);
    }
    if (!html_put_worst_open(c, n_fail)) {
        return 0;
    }
    struct html_worst *worst = calloc(n_fail, sizeof(*worst));
    if (worst == NULL) {
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < c->n_frefs; i++) {
        const struct store_finding_row *fr = html_fref_row(c, &c->frefs[i]);
        if (verdict_is(fr->verdict, VERDICT_FAIL)) {
            worst[k++] =
                (struct html_worst){.sev = report_severity_rank(fr->severity), .f = &c->frefs[i]};
        }
    }
    qsort(worst, n_fail, sizeof(*worst), cmp_worst);
    for (size_t i = 0; i < n_fail && i < HTML_WORST_MAX; i++) {
        html_put_worst_row(c, worst[i].f);
    }
    html_put_worst_close(c, n_fail);
    free(worst);
    return 0;
}

/* A failing finding placed by (run, rule id), for the grouping by rule. */
struct html_by_rule {
    int sev;          /* report_severity_rank: the worst rules first */
    const char *rule; /* the row's rule id, "" when missing */
    const struct html_fref *f;
};

static int cmp_by_rule(const void *a, const void *b)
{
    const struct html_by_rule *x = a, *y = b;
    if (x->sev != y->sev) {
        return x->sev > y->sev ? -1 : 1;
    }
    if (x->f->run != y->f->run) {
        return x->f->run < y->f->run ? -1 : 1;
    }
    int c = strcmp(x->rule, y->rule);
    return c != 0 ? c : html_cmp_fref(x->f, y->f);
}

static bool same_rule(const struct html_by_rule *x, const struct html_by_rule *y)
{
    return x->sev == y->sev && x->f->run == y->f->run && strcmp(x->rule, y->rule) == 0;
}

void html_put_by_rule_open(struct html_ctx *c)
{
    fputs("<h3>Failing findings by rule</h3>\n<table>\n<thead><tr><th>Severity</th>"
          "<th>Policy</th><th>Rule</th><th>Requirement</th><th class=\"num\">Targets</th>"
          "<th>Failing on</th></tr></thead>\n<tbody>\n",
          c->out);
}

/* html_put_rule_head writes the start of the row of f's rule (of f's run),
 * up to the number of targets it fails on. */
void html_put_rule_head(struct html_ctx *c, const struct html_fref *f)
{
    const struct store_finding_row *fr = html_fref_row(c, f);
    fputs("<tr><td>", c->out);
    html_put_severity(c, fr->severity);
    fputs("</td><td>", c->out);
    html_text_or(c, c->d->runs[f->run].policy_id, "?");
    fputs("</td><td class=\"rule\"><span class=\"mono\">", c->out);
    html_text_or(c, fr->rule_id, "?");
    fputs("</span><br>", c->out);
    html_text(c, fr->title);
    fputs("</td><td class=\"ref\">", c->out);
    html_text_or(c, fr->ref, "-");
}

/* put_rule_group writes one rule's row: it and every target it fails on
 * (g[0..n), one rule of one run). */
static void put_rule_group(struct html_ctx *c, const struct html_by_rule *g, size_t n)
{
    html_put_rule_head(c, g[0].f);
    fprintf(c->out, HTML_RULE_COUNT, n);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", c->out);
        html_put_fref_target(c, g[i].f);
    }
    fputs("</td></tr>\n", c->out);
}

/* put_by_rule writes the failing findings grouped by rule, each with every
 * target it fails on: what a fleet's owners act on. Returns 0, or -1 when
 * out of memory. */
static int put_by_rule(struct html_ctx *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_frefs; i++) {
        n += verdict_is(html_fref_row(c, &c->frefs[i])->verdict, VERDICT_FAIL);
    }
    if (n == 0) {
        return 0;
    }
    struct html_by_rule *g = calloc(n, sizeof(*g));
    if (g == NULL) {
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < c->n_frefs; i++) {
        const struct store_finding_row *fr = html_fref_row(c, &c->frefs[i]);
        if (verdict_is(fr->verdict, VERDICT_FAIL)) {
            g[k++] = (struct html_by_rule){.sev = report_severity_rank(fr->severity),
                                           .rule = fr->rule_id != NULL ? fr->rule_id : "",
                                           .f = &c->frefs[i]};
        }
    }
    qsort(g, n, sizeof(*g), cmp_by_rule);
    html_put_by_rule_open(c);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_rule(&g[i], &g[j])) {
            j++;
        }
        put_rule_group(c, g + i, j - i);
        i = j;
    }
    fputs(HTML_TABLE_END, c->out);
    free(g);
    return 0;
}

/* html_put_summary_open writes the section's head and its counts. */
void html_put_summary_open(struct html_ctx *c, size_t n_targets, size_t scanned)
{
    size_t n_runs = c->d->n_runs;
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", c->out);
    fprintf(c->out,
            "<p><strong>%zu</strong> target%s: <strong>%zu</strong> scanned, "
            "<strong>%zu</strong> not scanned. <strong>%zu</strong> polic%s evaluated.</p>\n",
            n_targets, n_targets == 1 ? "" : "s", scanned, n_targets - scanned, n_runs,
            n_runs == 1 ? "y" : "ies");
}

int html_put_summary(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    size_t scanned = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        scanned += report_scanned(&d->targets[t]);
    }
    struct html_run_tally *k = calloc(d->n_runs ? d->n_runs : 1, sizeof(*k));
    if (k == NULL) {
        return -1;
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        html_tally_run(c, r, &k[r]);
    }
    html_put_summary_open(c, d->n_targets, scanned);
    put_targets_table(c);
    html_put_policies_table(c, k);
    free(k);
    if (put_worst(c) != 0 || put_by_rule(c) != 0) {
        return -1;
    }
    fputs("</section>\n", c->out);
    return 0;
}
