/*
 * reports/report_markdown.c - `tlsaudit report --format markdown`: a
 * compact summary of a stored scan for a pull-request comment.
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out.
 *
 * Sections: a heading with the scan and its state; one table row per
 * target (status, versions, suite count, leaf expiry, and per policy run
 * the verdict counts); the worst findings (fail before warn, then by
 * severity, at most MD_WORST); the targets not scanned; with --expiring the
 * certificates expiring within the days asked. Evidence and requirement
 * text is full in the text, JSON and HTML reports; here it is cut at
 * MD_EVIDENCE bytes (on a UTF-8 boundary).
 *
 * Every stored string goes through esc_markdown: HTML-significant
 * characters as references, Markdown punctuation and | backslash-escaped
 * (safe inside a table cell), control bytes and non-UTF-8 as visible \xNN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "reports/escape.h"
#include "reports/grade_view.h"
#include "reports/report.h"

#define MD_WORST 10
#define MD_EVIDENCE 200

/* One finding picked for "worst findings". */
struct md_pick {
    const struct store_run *run;
    const struct store_finding_row *f;
    int verdict;
    int severity;
    size_t order; /* stored order, to keep the sort stable */
};

static int md_pick_cmp(const void *pa, const void *pb)
{
    const struct md_pick *a = pa;
    const struct md_pick *b = pb;
    if (a->verdict != b->verdict) {
        return a->verdict < b->verdict ? -1 : 1; /* VERDICT_FAIL first */
    }
    if (a->severity != b->severity) {
        return a->severity > b->severity ? -1 : 1;
    }
    return a->order < b->order ? -1 : (a->order > b->order);
}

/* md_cut writes at most max bytes of s (whole UTF-8 characters), marking a
 * cut with an ellipsis. */
static void md_cut(FILE *out, const char *s, size_t max)
{
    if (s == NULL) {
        return;
    }
    size_t n = strlen(s);
    if (n <= max) {
        esc_markdown(out, s);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80) {
        max--;
    }
    char *c = malloc(max + 1);
    if (c == NULL) {
        fputs("(out of memory)", out);
        return;
    }
    memcpy(c, s, max);
    c[max] = '\0';
    esc_markdown(out, c);
    fputs(" \xe2\x80\xa6", out);
    free(c);
}

static void md_label(FILE *out, const struct target_result *r)
{
    char label[300];
    esc_markdown(out, report_target_label(r, label, sizeof(label)));
}

static void md_versions(FILE *out, const struct target_result *r)
{
    bool any = false;
    if (fact_collected(&r->enumeration.header)) {
        for (int v = 0; v < TLSV_COUNT; v++) {
            if (r->enumeration.versions[v].state == PROBE_ACCEPTED) {
                fprintf(out, "%s%s", any ? ", " : "", tls_version_name((enum tls_version)v));
                any = true;
            }
        }
    } else {
        for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
            if (r->versions[v].state == PROBE_ACCEPTED) {
                fprintf(out, "%s%s", any ? ", " : "", tls_version_name((enum tls_version)v));
                any = true;
            }
        }
    }
    if (!any) {
        fputs("none", out);
    }
}

static size_t md_n_suites(const struct target_result *r)
{
    size_t n = 0;
    for (int v = 0; v < TLSV_COUNT; v++) {
        n += r->enumeration.versions[v].n_suites;
    }
    return n;
}

/* md_counts writes a target's verdict under a run at the run's gate
 * ("**FAIL**" only where the gate fails) and its verdict counts. */
static void md_counts(FILE *out, enum target_verdict tv, const struct report_counts *k)
{
    if (k->total == 0) {
        fputs("\xe2\x80\x94", out); /* an em dash: not in scope */
        return;
    }
    fputs(tv == TV_NON_COMPLIANT      ? "**FAIL**"
          : tv == TV_NOT_DEMONSTRATED ? "*not demonstrated*"
                                      : "pass",
          out);
    for (int v = 0; v < VERDICT_COUNT; v++) {
        if (k->v[v] > 0) {
            fprintf(out, " %zu&nbsp;%s", k->v[v], verdict_name((enum verdict)v));
        }
    }
}

static int md_worst(FILE *out, const struct report_data *d)
{
    size_t cap = 0;
    for (size_t i = 0; i < d->n_runs; i++) {
        cap += d->runs[i].n_findings;
    }
    struct md_pick *p = cap ? calloc(cap, sizeof(*p)) : NULL;
    if (cap > 0 && p == NULL) {
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < d->n_runs; i++) {
        for (size_t k = 0; k < d->runs[i].n_findings; k++) {
            const struct store_finding_row *f = &d->runs[i].findings[k];
            int v = report_verdict_parse(f->verdict);
            if (v != VERDICT_FAIL && v != VERDICT_WARN) {
                continue;
            }
            p[n] = (struct md_pick){&d->runs[i], f, v, report_severity_rank(f->severity), n};
            n++;
        }
    }
    if (n == 0) {
        free(p);
        fputs("\nNo failing or warning finding.\n", out);
        return 0;
    }
    qsort(p, n, sizeof(*p), md_pick_cmp);
    fprintf(out, "\n### Worst findings (%zu of %zu)\n\n", n < MD_WORST ? n : (size_t)MD_WORST, n);
    fputs("| verdict | severity | target | policy | rule | requirement | evidence |\n", out);
    fputs("|---|---|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < n && i < MD_WORST; i++) {
        const struct store_finding_row *f = p[i].f;
        long t = report_target_index(d, f->target_id);
        fprintf(out, "| %s | ",
                p[i].verdict != VERDICT_FAIL ? "warn"
                : report_blocks(p[i].run, f) ? "**fail**"
                                             : "fail below the gate");
        esc_markdown(out, f->severity);
        fputs(" | ", out);
        if (t >= 0) {
            md_label(out, &d->targets[t]);
        }
        fputs(" | ", out);
        esc_markdown(out, p[i].run->policy_id);
        fputs(" | ", out);
        esc_markdown(out, f->rule_id);
        fputs(" | ", out);
        md_cut(out, f->ref, MD_EVIDENCE);
        fputs(" | ", out);
        md_cut(out, f->evidence, MD_EVIDENCE);
        fputs(" |\n", out);
    }
    free(p);
    return 0;
}

static int md_expiring(FILE *out, const struct report_data *d, const struct report_options *o)
{
    struct report_expiry *e = NULL;
    size_t n = 0;
    if (report_expiring(d, report_now_ms(o), o->expiring_days, &e, &n) != 0) {
        return -1;
    }
    fprintf(out, "\n### Certificates expiring within %d day%s (%zu)\n\n", o->expiring_days,
            o->expiring_days == 1 ? "" : "s", n);
    if (n > 0) {
        fputs("| target | position | subject | issuer | not after | days left |\n", out);
        fputs("|---|---|---|---|---|---|\n", out);
    }
    for (size_t i = 0; i < n; i++) {
        const struct target_result *r = &d->targets[e[i].target];
        const struct cert_fact *c = e[i].cert;
        char when[40];
        fputs("| ", out);
        md_label(out, r);
        fprintf(out, " | %zu%s", e[i].position, e[i].position == 0 ? " (leaf)" : "");
        if (target_n_deployments(r) > 1) {
            struct deployment_view dv;
            target_deployment(r, e[i].deployment, &dv);
            fputs(", ", out);
            md_cut(out, dv.label, MD_EVIDENCE);
            fputs(" deployment", out);
        }
        fputs(" | ", out);
        md_cut(out, c->subject, MD_EVIDENCE);
        fputs(" | ", out);
        md_cut(out, c->issuer, MD_EVIDENCE);
        fprintf(out, " | %s | %s%lld |\n", util_iso_time(c->not_after * 1000, when, sizeof(when)),
                e[i].expired ? "**expired** " : "", (long long)e[i].days_left);
    }
    free(e);
    return 0;
}

/* md_heading writes the heading: the scan, its state and start, the target
 * counts and the policies evaluated. */
static void md_heading(FILE *out, const struct report_data *d)
{
    const struct store_scan_info *i = &d->info;
    char t1[40];
    fprintf(out, "## tlsaudit scan %lld (%s)\n\n", (long long)i->id, i->state);
    fprintf(out, "Started %s; %zu target%s, %zu scanned, %zu not scanned.",
            util_iso_time(i->started_ms, t1, sizeof(t1)), d->n_targets,
            d->n_targets == 1 ? "" : "s", d->n_targets - i->n_not_scanned, i->n_not_scanned);
    for (size_t r = 0; r < d->n_runs; r++) {
        fprintf(out, "%s", r == 0 ? " Policies: " : ", ");
        esc_markdown(out, d->runs[r].policy_id);
        if (d->runs[r].policy_version != NULL) {
            fputs(" ", out);
            esc_markdown(out, d->runs[r].policy_version);
        }
        char g[64];
        fprintf(out, " (--fail-on %s)", report_gate_text(&d->runs[r].gate, g, sizeof(g)));
        fputs(r + 1 == d->n_runs ? "." : "", out);
    }
}

/* md_target_row writes the table row of target t: status, versions, suite
 * count, leaf expiry and each policy run's counts. */
static void md_target_row(FILE *out, const struct report_data *d, size_t t)
{
    const struct target_result *r = &d->targets[t];
    fputs("| ", out);
    md_label(out, r);
    fprintf(out, " | %s | ", target_status_name(r->status));
    md_versions(out, r);
    fputs(" | ", out);
    if (fact_collected(&r->enumeration.header)) {
        fprintf(out, "%zu", md_n_suites(r));
    } else {
        fputs("\xe2\x80\x94", out);
    }
    fputs(" | ", out);
    if (r->n_certs > 0 && r->certs[0].not_after != 0) {
        char d1[40];
        util_iso_time(r->certs[0].not_after * 1000, d1, sizeof(d1));
        d1[10] = '\0'; /* the date is enough here */
        fprintf(out, "%s", d1);
    } else {
        fputs("\xe2\x80\x94", out);
    }
    fputs(" |", out);
    for (size_t k = 0; k < d->n_runs; k++) {
        struct report_counts c;
        report_count(&d->runs[k], d->target_ids[t], &c);
        fputs(" ", out);
        md_counts(out, report_run_verdict(&d->runs[k], d->target_ids[t]), &c);
        fputs(" |", out);
    }
    fputs("\n", out);
}

/* md_targets writes the table of targets, one column per policy run. */
static void md_targets(FILE *out, const struct report_data *d)
{
    fputs("\n\n| target | status | versions | suites | leaf expires |", out);
    for (size_t r = 0; r < d->n_runs; r++) {
        fputs(" ", out);
        esc_markdown(out, d->runs[r].policy_id);
        fputs(" |", out);
    }
    fputs("\n|---|---|---|---|---|", out);
    for (size_t r = 0; r < d->n_runs; r++) {
        fputs("---|", out);
    }
    fputs("\n", out);
    for (size_t t = 0; t < d->n_targets; t++) {
        md_target_row(out, d, t);
    }
}

/* md_grades lists every scanned target's grade, its scores and its caps
 * (approximate: GRADE_LABEL heads the list). */
static void md_grades(FILE *out, const struct report_data *d)
{
    fprintf(out, "\n### Grades, %s\n\n", GRADE_LABEL);
    for (size_t t = 0; t < d->n_targets; t++) {
        struct grade g;
        grade_target(&d->targets[t], &g);
        if (!g.graded) {
            continue;
        }
        char letter[64], scores[96];
        fputs("- ", out);
        md_label(out, &d->targets[t]);
        fprintf(out, ": **%s** (%s)", grade_view_letter(&g, letter, sizeof(letter)),
                grade_view_scores(&g, scores, sizeof(scores)));
        for (size_t i = 0; i < g.n_caps; i++) {
            fprintf(out, "%s%s `%s`: ", i ? "; " : "; caps: ", grade_letter_name(g.caps[i].cap),
                    g.caps[i].id);
            md_cut(out, g.caps[i].evidence, MD_EVIDENCE);
        }
        fputs("\n", out);
    }
}

/* md_not_scanned lists the targets not scanned with their status and
 * error (nothing when every target was scanned). */
static void md_not_scanned(FILE *out, const struct report_data *d)
{
    if (d->info.n_not_scanned == 0) {
        return;
    }
    fputs("\n### Not scanned\n\n", out);
    for (size_t t = 0; t < d->n_targets; t++) {
        const struct target_result *r = &d->targets[t];
        if (report_scanned(r)) {
            continue;
        }
        fputs("- ", out);
        md_label(out, r);
        fprintf(out, ": %s", target_status_name(r->status));
        if (r->error[0] != '\0') {
            fputs(": ", out);
            md_cut(out, r->error, MD_EVIDENCE);
        }
        fputs("\n", out);
    }
}

int report_write_markdown(FILE *out, const struct report_data *d, const struct report_options *o,
                          char *err, size_t err_len)
{
    md_heading(out, d);
    md_targets(out, d);
    if (md_worst(out, d) != 0) {
        snprintf(err, err_len, "out of memory sorting the findings");
        return -1;
    }
    md_not_scanned(out, d);
    md_grades(out, d);
    if (o->expiring_days >= 0 && md_expiring(out, d, o) != 0) {
        snprintf(err, err_len, "out of memory listing expiring certificates");
        return -1;
    }
    return 0;
}
