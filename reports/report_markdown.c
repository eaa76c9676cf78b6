/*
 * reports/report_markdown.c - `tlsaudit report --format markdown`: a
 * compact summary of a stored scan for a pull-request comment.
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out;
 * report_stream_markdown: report_load_heads + report_each_target -> [this
 * file] -> out, the same bytes one target at a time (the table rows, the
 * not-scanned and grade lines in temporary files, the MD_WORST worst
 * findings so far with their rows rendered, the expiring certificates in
 * reports/expiry_acc.h), written out once every target is counted.
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
#include "reports/expiry_acc.h"
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

/* md_worst_row writes the row of finding f of run (verdict v) on target r
 * (NULL: not a target of the scan). */
static void md_worst_row(FILE *out, const struct store_run *run, const struct store_finding_row *f,
                         int v, const struct target_result *r)
{
    fprintf(out, "| %s | ",
            v != VERDICT_FAIL       ? "warn"
            : report_blocks(run, f) ? "**fail**"
                                    : "fail below the gate");
    esc_markdown(out, f->severity);
    fputs(" | ", out);
    if (r != NULL) {
        md_label(out, r);
    }
    fputs(" | ", out);
    esc_markdown(out, run->policy_id);
    fputs(" | ", out);
    esc_markdown(out, f->rule_id);
    fputs(" | ", out);
    md_cut(out, f->ref, MD_EVIDENCE);
    fputs(" | ", out);
    md_cut(out, f->evidence, MD_EVIDENCE);
    fputs(" |\n", out);
}

/* md_worst_head writes the heading of the worst findings: n of them. */
static void md_worst_head(FILE *out, size_t n)
{
    if (n == 0) {
        fputs("\nNo failing or warning finding.\n", out);
        return;
    }
    fprintf(out, "\n### Worst findings (%zu of %zu)\n\n", n < MD_WORST ? n : (size_t)MD_WORST, n);
    fputs("| verdict | severity | target | policy | rule | requirement | evidence |\n", out);
    fputs("|---|---|---|---|---|---|---|\n", out);
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
    if (n > 0) {
        qsort(p, n, sizeof(*p), md_pick_cmp);
    }
    md_worst_head(out, n);
    for (size_t i = 0; i < n && i < MD_WORST; i++) {
        long t = report_target_index(d, p[i].f->target_id);
        md_worst_row(out, p[i].run, p[i].f, p[i].verdict, t >= 0 ? &d->targets[t] : NULL);
    }
    free(p);
    return 0;
}

/* md_expiry_head writes the heading of the expiring certificates, n. */
static void md_expiry_head(FILE *out, const struct report_options *o, size_t n)
{
    fprintf(out, "\n### Certificates expiring within %d day%s (%zu)\n\n", o->expiring_days,
            o->expiring_days == 1 ? "" : "s", n);
    if (n > 0) {
        fputs("| target | position | subject | issuer | not after | days left |\n", out);
        fputs("|---|---|---|---|---|---|\n", out);
    }
}

/* md_expiry_row writes the row of expiring certificate e of target r. */
static void md_expiry_row(FILE *out, const struct target_result *r, const struct report_expiry *e)
{
    const struct cert_fact *c = e->cert;
    char when[40];
    fputs("| ", out);
    md_label(out, r);
    fprintf(out, " | %zu%s", e->position, e->position == 0 ? " (leaf)" : "");
    if (target_n_deployments(r) > 1) {
        struct deployment_view dv;
        target_deployment(r, e->deployment, &dv);
        fputs(", ", out);
        md_cut(out, dv.label, MD_EVIDENCE);
        fputs(" deployment", out);
    }
    fputs(" | ", out);
    md_cut(out, c->subject, MD_EVIDENCE);
    fputs(" | ", out);
    md_cut(out, c->issuer, MD_EVIDENCE);
    fprintf(out, " | %s | %s%lld |\n", util_iso_time(c->not_after * 1000, when, sizeof(when)),
            e->expired ? "**expired** " : "", (long long)e->days_left);
}

static int md_expiring(FILE *out, const struct report_data *d, const struct report_options *o)
{
    struct report_expiry *e = NULL;
    size_t n = 0;
    if (report_expiring(d, report_now_ms(o), o->expiring_days, &e, &n) != 0) {
        return -1;
    }
    md_expiry_head(out, o, n);
    for (size_t i = 0; i < n; i++) {
        md_expiry_row(out, &d->targets[e[i].target], &e[i]);
    }
    free(e);
    return 0;
}

/* md_heading writes the heading: the scan, its state and start, the target
 * counts and the policies evaluated. */
static void md_heading(FILE *out, const struct report_data *d, size_t n_targets)
{
    const struct store_scan_info *i = &d->info;
    char t1[40];
    fprintf(out, "## tlsaudit scan %lld (%s)\n\n", (long long)i->id, i->state);
    fprintf(out, "Started %s; %zu target%s, %zu scanned, %zu not scanned.",
            util_iso_time(i->started_ms, t1, sizeof(t1)), n_targets, n_targets == 1 ? "" : "s",
            n_targets - i->n_not_scanned, i->n_not_scanned);
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

/* md_targets_head writes the head of the table of targets, one column
 * per policy run. */
static void md_targets_head(FILE *out, const struct report_data *d)
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
}

/* md_grade_line writes target r's line of the grades: its grade, its
 * scores and its caps (nothing when it was not graded). */
static void md_grade_line(FILE *out, const struct target_result *r)
{
    struct grade g;
    grade_target(r, &g);
    if (!g.graded) {
        return;
    }
    char letter[64], scores[96];
    fputs("- ", out);
    md_label(out, r);
    fprintf(out, ": **%s** (%s)", grade_view_letter(&g, letter, sizeof(letter)),
            grade_view_scores(&g, scores, sizeof(scores)));
    for (size_t i = 0; i < g.n_caps; i++) {
        fprintf(out, "%s%s `%s`: ", i ? "; " : "; caps: ", grade_letter_name(g.caps[i].cap),
                g.caps[i].id);
        md_cut(out, g.caps[i].evidence, MD_EVIDENCE);
    }
    fputs("\n", out);
}

static void md_grades_head(FILE *out)
{
    fprintf(out, "\n### Grades, %s\n\n", GRADE_LABEL);
}

/* md_not_scanned_line writes target r's line of the targets not scanned,
 * with its status and error (nothing when it was scanned). */
static void md_not_scanned_line(FILE *out, const struct target_result *r)
{
    if (report_scanned(r)) {
        return;
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

/* The section of the targets not scanned is there only when some are. */
static void md_not_scanned_head(FILE *out, const struct report_data *d)
{
    if (d->info.n_not_scanned != 0) {
        fputs("\n### Not scanned\n\n", out);
    }
}

int report_write_markdown(FILE *out, const struct report_data *d, const struct report_options *o,
                          char *err, size_t err_len)
{
    md_heading(out, d, d->n_targets);
    md_targets_head(out, d);
    for (size_t t = 0; t < d->n_targets; t++) {
        md_target_row(out, d, t);
    }
    if (md_worst(out, d) != 0) {
        snprintf(err, err_len, "out of memory sorting the findings");
        return -1;
    }
    md_not_scanned_head(out, d);
    for (size_t t = 0; t < d->n_targets && d->info.n_not_scanned != 0; t++) {
        md_not_scanned_line(out, &d->targets[t]);
    }
    md_grades_head(out);
    for (size_t t = 0; t < d->n_targets; t++) {
        md_grade_line(out, &d->targets[t]);
    }
    if (o->expiring_days >= 0 && md_expiring(out, d, o) != 0) {
        snprintf(err, err_len, "out of memory listing expiring certificates");
        return -1;
    }
    return 0;
}

/* One of the worst findings so far in a report_stream_markdown walk, its
 * row rendered; run and seq (its place among run's findings) stand for the
 * stored order md_pick_cmp ends on. */
struct md_top {
    int verdict, severity;
    size_t run, seq;
    char *row;
};

static int md_top_cmp(const struct md_top *a, const struct md_top *b)
{
    if (a->verdict != b->verdict) {
        return a->verdict < b->verdict ? -1 : 1;
    }
    if (a->severity != b->severity) {
        return a->severity > b->severity ? -1 : 1;
    }
    if (a->run != b->run) {
        return a->run < b->run ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* One report_stream_markdown walk: each part of the report in a temporary
 * file of its own, the MD_WORST worst findings so far in top. */
struct md_walk {
    FILE *rows, *not_scanned, *grades;
    const struct report_options *o;
    struct md_top top[MD_WORST];
    size_t n_top;
    size_t n_worst; /* failing or warning findings so far */
    size_t *seq;    /* per run: its findings so far */
    size_t n_targets;
    bool gate_fails;
    struct expiry_acc exp; /* with --expiring */
};

/* md_walk_pick keeps finding f of run r (of one) among the worst when it
 * is one of the MD_WORST worst so far. */
static int md_walk_pick(struct md_walk *w, const struct report_data *one, size_t r,
                        const struct store_finding_row *f)
{
    struct md_top p = {report_verdict_parse(f->verdict), report_severity_rank(f->severity), r,
                       w->seq[r]++, NULL};
    if (p.verdict != VERDICT_FAIL && p.verdict != VERDICT_WARN) {
        return 0;
    }
    w->n_worst++;
    if (w->n_top == MD_WORST && md_top_cmp(&p, &w->top[MD_WORST - 1]) > 0) {
        return 0;
    }
    size_t len = 0;
    FILE *m = open_memstream(&p.row, &len);
    if (m == NULL) {
        return -1;
    }
    md_worst_row(m, &one->runs[r], f, p.verdict, &one->targets[0]);
    if (fclose(m) != 0) {
        free(p.row);
        return -1;
    }
    size_t at = w->n_top;
    while (at > 0 && md_top_cmp(&p, &w->top[at - 1]) < 0) {
        at--;
    }
    if (w->n_top == MD_WORST) {
        free(w->top[MD_WORST - 1].row);
        w->n_top--;
    }
    memmove(&w->top[at + 1], &w->top[at], (w->n_top - at) * sizeof(w->top[0]));
    w->top[at] = p;
    w->n_top++;
    return 0;
}

/* What expiry_acc_add calls: one row of the expiring certificates. */
static int md_walk_expiry(FILE *f, const struct report_data *one, const struct report_expiry *e,
                          void *arg)
{
    (void)arg;
    md_expiry_row(f, &one->targets[e->target], e);
    return 0;
}

static int md_walk_target(void *arg, const struct report_data *one)
{
    struct md_walk *w = arg;
    md_target_row(w->rows, one, 0);
    md_not_scanned_line(w->not_scanned, &one->targets[0]);
    md_grade_line(w->grades, &one->targets[0]);
    for (size_t i = 0; i < one->n_runs; i++) {
        for (size_t k = 0; k < one->runs[i].n_findings; k++) {
            if (md_walk_pick(w, one, i, &one->runs[i].findings[k]) != 0) {
                return -1;
            }
        }
    }
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    w->n_targets++;
    if (w->o->expiring_days >= 0 && expiry_acc_add(&w->exp, one, md_walk_expiry, NULL) != 0) {
        return -1;
    }
    return ferror(w->rows) || ferror(w->not_scanned) || ferror(w->grades) ? -1 : 0;
}

/* md_stream_finish writes the report around the parts w gathered. */
static int md_stream_finish(FILE *out, const struct report_data *d, struct md_walk *w)
{
    md_heading(out, d, w->n_targets);
    md_targets_head(out, d);
    int rc = util_copy_back(out, w->rows);
    md_worst_head(out, w->n_worst);
    for (size_t i = 0; i < w->n_top; i++) {
        rc |= fputs(w->top[i].row, out) < 0 ? -1 : 0;
    }
    md_not_scanned_head(out, d);
    if (d->info.n_not_scanned != 0) {
        rc |= util_copy_back(out, w->not_scanned);
    }
    md_grades_head(out);
    rc |= util_copy_back(out, w->grades);
    if (w->o->expiring_days >= 0) {
        md_expiry_head(out, w->o, w->exp.n);
        rc |= expiry_acc_write(&w->exp, out, "");
    }
    return rc;
}

int report_stream_markdown(FILE *out, struct store *s, struct report_data *d,
                           const struct report_options *o, bool *gate_fails, char *err,
                           size_t err_len)
{
    struct md_walk w = {.o = o};
    int ret = -1;
    if (err_len > 0) {
        err[0] = '\0';
    }
    w.seq = calloc(d->n_runs ? d->n_runs : 1, sizeof(*w.seq));
    w.rows = tmpfile();
    w.not_scanned = tmpfile();
    w.grades = tmpfile();
    if (w.seq == NULL || w.rows == NULL || w.not_scanned == NULL || w.grades == NULL ||
        (o->expiring_days >= 0 && expiry_acc_init(&w.exp, report_now_ms(o), o->expiring_days))) {
        snprintf(err, err_len, "out of memory or no temporary file for the Markdown report");
        goto out;
    }
    if (report_each_target(s, d, md_walk_target, &w, err, err_len) != 0) {
        if (err[0] == '\0') {
            snprintf(err, err_len,
                     "out of memory or a temporary file failed in the Markdown "
                     "report");
        }
        goto out;
    }
    if (md_stream_finish(out, d, &w) != 0) {
        snprintf(err, err_len, "reading back the Markdown report's temporary files failed");
        goto out;
    }
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    if (w.rows != NULL) {
        fclose(w.rows);
    }
    if (w.not_scanned != NULL) {
        fclose(w.not_scanned);
    }
    if (w.grades != NULL) {
        fclose(w.grades);
    }
    for (size_t i = 0; i < w.n_top; i++) {
        free(w.top[i].row);
    }
    expiry_acc_cleanup(&w.exp);
    free(w.seq);
    return ret;
}
