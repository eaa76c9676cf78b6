/*
 * reports/report_text.c - `tlsaudit report --format text`: the terminal
 * view of a stored scan.
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out.
 *
 * Layout: the scan's provenance; per target the summary `tlsaudit scan`
 * prints (reports/text.c, text_print_target), then per stored policy run
 * its verdict counts on that target and every finding that is not a pass
 * (verdict, severity, rule, requirement, evidence; a waived one with its
 * justification, owner and expiry); a summary per policy; with --expiring
 * the certificates that expire within the days asked.
 *
 * report_stream_text renders the same bytes one target at a time
 * (report_each_target: the target and its findings read, written to a
 * temporary file, freed), the provenance and summary around them once
 * every target is counted, the expiry section from reports/expiry_acc.h:
 * memory flat in the number of targets.
 *
 * Every stored string goes through esc_visible: control bytes (ESC, CR,
 * LF inside a value, C1) and bytes that are not UTF-8 are shown as \xNN,
 * so nothing stored can drive the terminal. Colour only when o->color.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "reports/escape.h"
#include "reports/expiry_acc.h"
#include "reports/report.h"
#include "reports/text.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"

static const char *rt_col(const struct report_options *o, const char *code)
{
    return o->color ? code : "";
}

static const char *rt_target_color(enum target_verdict v)
{
    return v == TV_NON_COMPLIANT ? C_RED : v == TV_NOT_DEMONSTRATED ? C_YELLOW : C_GREEN;
}

static const char *rt_verdict_color(int v)
{
    switch (v) {
    case VERDICT_FAIL:
        return C_RED;
    case VERDICT_WARN:
    case VERDICT_INCONCLUSIVE:
        return C_YELLOW;
    case VERDICT_PASS:
        return C_GREEN;
    default:
        return "";
    }
}

static void rt_counts(FILE *out, const struct report_counts *k)
{
    for (int v = 0; v < VERDICT_COUNT; v++) {
        fprintf(out, "%s%zu %s", v ? ", " : "", k->v[v], verdict_name((enum verdict)v));
    }
}

static void rt_provenance(FILE *out, const struct report_data *d, size_t n_targets)
{
    const struct store_scan_info *i = &d->info;
    char t1[40];
    char t2[40];
    fprintf(out, "%s", "Scan ");
    fprintf(out, "%lld (%s): started %s", (long long)i->id, i->state,
            util_iso_time(i->started_ms, t1, sizeof(t1)));
    if (i->finished_ms >= 0) {
        fprintf(out, ", finished %s", util_iso_time(i->finished_ms, t2, sizeof(t2)));
    }
    fprintf(out, "; %zu target%s, %zu not scanned\n", n_targets, n_targets == 1 ? "" : "s",
            i->n_not_scanned);
    fprintf(out, "  database ");
    esc_visible(out, d->db_path);
    fprintf(out, ", scanned by tlsaudit ");
    esc_visible(out, i->tool_version ? i->tool_version : "?");
    fprintf(out, " on ");
    esc_visible(out, i->hostname ? i->hostname : "?");
    fprintf(out, "\n  registry ");
    esc_visible(out, i->registry_version ? i->registry_version : "?");
    fprintf(out, ", trust store ");
    esc_visible(out, i->trust_store ? i->trust_store : "?");
    fprintf(out, "\n");
    if (i->options != NULL) {
        fprintf(out, "  command: ");
        esc_visible(out, i->options);
        fprintf(out, "\n");
    }
    if (i->note != NULL) {
        fprintf(out, "  note: ");
        esc_visible(out, i->note);
        fprintf(out, "\n");
    }
    if (i->run_id != NULL) {
        fprintf(out, "  run ");
        esc_visible(out, i->run_id);
        if (i->shard_k > 0) {
            fprintf(out, ": shard %d of %d", i->shard_k, i->shard_n);
        } else {
            fprintf(out, ": %d shards, %zu merged", i->shard_n, i->n_sources);
        }
        fprintf(out, "\n");
    } else if (i->n_sources > 0) {
        fprintf(out, "  merged from another database\n");
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        const struct store_run *run = &d->runs[r];
        fprintf(out, "  policy ");
        esc_visible(out, run->policy_id);
        fprintf(out, " version ");
        esc_visible(out, run->policy_version ? run->policy_version : "?");
        fprintf(out, " (run %lld, evaluated %s, sha256 ", (long long)run->id,
                util_iso_time(run->evaluated_ms, t1, sizeof(t1)));
        esc_visible(out, run->policy_sha256 ? run->policy_sha256 : "?");
        char g[64];
        fprintf(out, ", judged at --fail-on %s%s)\n", report_gate_text(&run->gate, g, sizeof(g)),
                run->gate_stored ? "" : " (no gate stored: the default)");
    }
}

/* rt_finding writes one finding that is not a pass; its verdict in capitals
 * when it fails the run's gate or is not a failure, "fail (below the
 * gate)" when it fails below it. */
static void rt_finding(FILE *out, const struct store_run *run, const struct store_finding_row *f,
                       const struct report_options *o)
{
    int v = report_verdict_parse(f->verdict);
    char verdict[32];
    snprintf(verdict, sizeof(verdict), "%s", f->verdict ? f->verdict : "?");
    bool below = v == VERDICT_FAIL && !report_blocks(run, f);
    for (char *p = verdict; *p && !below; p++) {
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    if (below) {
        snprintf(verdict, sizeof(verdict), "fail (below the gate)");
    }
    fprintf(out, "    %s", rt_col(o, rt_verdict_color(v)));
    esc_visible(out, verdict);
    fprintf(out, "%s ", rt_col(o, C_RESET));
    esc_visible(out, f->severity);
    fprintf(out, " ");
    esc_visible(out, f->rule_id);
    if (f->ref != NULL) {
        fprintf(out, " [");
        esc_visible(out, f->ref);
        fprintf(out, "]");
    }
    fprintf(out, "\n");
    if (f->title != NULL) {
        fprintf(out, "        ");
        esc_visible(out, f->title);
        fprintf(out, "\n");
    }
    if (f->evidence != NULL) {
        fprintf(out, "        evidence: ");
        esc_visible(out, f->evidence);
        fprintf(out, "\n");
    }
    if (v == VERDICT_WAIVED) {
        fprintf(out, "        waiver: ");
        esc_visible(out, f->waiver_reason ? f->waiver_reason : "(no justification)");
        if (f->waiver_owner != NULL) {
            fprintf(out, " (owner ");
            esc_visible(out, f->waiver_owner);
            fprintf(out, ")");
        }
        if (f->waiver_expires != NULL) {
            fprintf(out, ", expires ");
            esc_visible(out, f->waiver_expires);
        }
        fprintf(out, "\n");
    }
}

static void rt_target_runs(FILE *out, const struct report_data *d, size_t t,
                           const struct report_options *o)
{
    const struct target_result *r = &d->targets[t];
    if (!report_scanned(r)) {
        fprintf(out, "  %sNOT SCANNED%s: %s", rt_col(o, C_RED), rt_col(o, C_RESET),
                target_status_name(r->status));
        if (r->error[0] != '\0') {
            fprintf(out, ": ");
            esc_visible(out, r->error);
        }
        fprintf(out, " (no findings)\n");
        return;
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        const struct store_run *run = &d->runs[i];
        struct report_counts k;
        report_count(run, d->target_ids[t], &k);
        fprintf(out, "  %s", rt_col(o, C_BOLD));
        esc_visible(out, run->policy_id);
        fprintf(out, "%s: ", rt_col(o, C_RESET));
        if (k.total == 0) {
            fprintf(out, "no findings (the target was not in the policy's scope)\n");
            continue;
        }
        enum target_verdict tv = report_run_verdict(run, d->target_ids[t]);
        fprintf(out, "%s%s%s at --fail-on %s (", rt_col(o, rt_target_color(tv)),
                tv == TV_NON_COMPLIANT      ? "FAIL"
                : tv == TV_NOT_DEMONSTRATED ? "NOT DEMONSTRATED"
                                            : "pass",
                rt_col(o, C_RESET), severity_name(run->gate.fail_on));
        rt_counts(out, &k);
        fprintf(out, ")");
        fprintf(out, "\n");
        for (size_t f = 0; f < run->n_findings; f++) {
            const struct store_finding_row *row = &run->findings[f];
            if (row->target_id == d->target_ids[t] &&
                report_verdict_parse(row->verdict) != VERDICT_PASS) {
                rt_finding(out, run, row, o);
            }
        }
    }
}

/* rt_expiry writes one line of the expiry section: certificate e of
 * target r. */
static void rt_expiry(FILE *out, const struct target_result *r, const struct report_expiry *e,
                      const struct report_options *o)
{
    const struct cert_fact *c = e->cert;
    char label[300];
    char when[40];
    fprintf(out, "  %s%s%s %s (", rt_col(o, e->expired ? C_RED : C_YELLOW),
            e->expired ? "EXPIRED " : "expires", rt_col(o, C_RESET),
            util_iso_time(c->not_after * 1000, when, sizeof(when)));
    if (e->expired) {
        fprintf(out, "%lld day%s ago", (long long)-e->days_left, e->days_left == -1 ? "" : "s");
    } else {
        fprintf(out, "in %lld day%s", (long long)e->days_left, e->days_left == 1 ? "" : "s");
    }
    fprintf(out, ") ");
    esc_visible(out, report_target_label(r, label, sizeof(label)));
    fprintf(out, " #%zu %s", e->position, e->position == 0 ? "leaf" : "chain");
    if (target_n_deployments(r) > 1) {
        struct deployment_view dv;
        target_deployment(r, e->deployment, &dv);
        fprintf(out, " (%s deployment)", dv.label);
    }
    fprintf(out, ": ");
    esc_visible(out, c->subject ? c->subject : "(no subject)");
    fprintf(out, "\n      issuer: ");
    esc_visible(out, c->issuer ? c->issuer : "(none)");
    fprintf(out, "\n");
}

static void rt_expiry_head(FILE *out, const struct report_options *o, size_t n)
{
    fprintf(out, "\nCertificates expiring within %d day%s: %zu\n", o->expiring_days,
            o->expiring_days == 1 ? "" : "s", n);
}

int report_write_expiring_text(FILE *out, const struct report_data *d,
                               const struct report_options *o, char *err, size_t err_len)
{
    struct report_expiry *e = NULL;
    size_t n = 0;
    if (report_expiring(d, report_now_ms(o), o->expiring_days, &e, &n) != 0) {
        snprintf(err, err_len, "out of memory listing expiring certificates");
        return -1;
    }
    rt_expiry_head(out, o, n);
    for (size_t i = 0; i < n; i++) {
        rt_expiry(out, &d->targets[e[i].target], &e[i], o);
    }
    free(e);
    return 0;
}

/* rt_summary writes the summary: k[r] are run r's counts over every target. */
static void rt_summary(FILE *out, const struct report_data *d, size_t n_targets,
                       const struct report_counts *k)
{
    fprintf(out, "\nSummary: %zu target%s, %zu not scanned\n", n_targets, n_targets == 1 ? "" : "s",
            d->info.n_not_scanned);
    for (size_t i = 0; i < d->n_runs; i++) {
        fprintf(out, "  ");
        esc_visible(out, d->runs[i].policy_id);
        fprintf(out, ": ");
        rt_counts(out, &k[i]);
        fprintf(out, "\n");
    }
    if (d->n_runs == 0) {
        fprintf(out,
                "  no policy was evaluated over this scan (tlsaudit check --scan %lld "
                "--policy P)\n",
                (long long)d->info.id);
    }
}

int report_write_text(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len)
{
    struct report_counts *k = calloc(d->n_runs ? d->n_runs : 1, sizeof(*k));
    if (k == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    rt_provenance(out, d, d->n_targets);
    for (size_t t = 0; t < d->n_targets; t++) {
        fprintf(out, "\n");
        text_print_target(out, &d->targets[t], o->color);
        rt_target_runs(out, d, t, o);
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        report_count(&d->runs[i], -1, &k[i]);
    }
    rt_summary(out, d, d->n_targets, k);
    free(k);
    if (o->expiring_days >= 0 && report_write_expiring_text(out, d, o, err, err_len) != 0) {
        return -1;
    }
    return 0;
}

/* One report_stream_text walk: the targets' part goes to body. */
struct rt_walk {
    FILE *body;
    const struct report_options *o;
    struct report_counts *k; /* per run, over every target so far */
    size_t n_targets;
    bool gate_fails;
    struct expiry_acc exp; /* with --expiring */
};

/* What expiry_acc_add calls: one line of the expiry section. */
static int rt_walk_expiry(FILE *f, const struct report_data *one, const struct report_expiry *e,
                          void *arg)
{
    rt_expiry(f, &one->targets[e->target], e, arg);
    return 0;
}

static int rt_walk_target(void *arg, const struct report_data *one)
{
    struct rt_walk *w = arg;
    fprintf(w->body, "\n");
    text_print_target(w->body, &one->targets[0], w->o->color);
    rt_target_runs(w->body, one, 0, w->o);
    for (size_t i = 0; i < one->n_runs; i++) {
        struct report_counts c;
        report_count(&one->runs[i], -1, &c);
        for (int v = 0; v < VERDICT_COUNT; v++) {
            w->k[i].v[v] += c.v[v];
        }
        w->k[i].total += c.total;
    }
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    w->n_targets++;
    if (w->o->expiring_days >= 0 && expiry_acc_add(&w->exp, one, rt_walk_expiry, (void *)w->o)) {
        return -1;
    }
    return ferror(w->body) ? -1 : 0;
}

int report_stream_text(FILE *out, struct store *s, struct report_data *d,
                       const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    struct rt_walk w = {.o = o};
    int ret = -1;
    if (err_len > 0) {
        err[0] = '\0';
    }
    w.k = calloc(d->n_runs ? d->n_runs : 1, sizeof(*w.k));
    w.body = tmpfile();
    if (w.k == NULL || w.body == NULL ||
        (o->expiring_days >= 0 && expiry_acc_init(&w.exp, report_now_ms(o), o->expiring_days))) {
        snprintf(err, err_len, "%s", w.k == NULL ? "out of memory" : "no temporary file");
        goto out;
    }
    if (report_each_target(s, d, rt_walk_target, &w, err, err_len) != 0) {
        if (err[0] == '\0') {
            snprintf(err, err_len, "out of memory or a temporary file failed in the text report");
        }
        goto out;
    }
    rt_provenance(out, d, w.n_targets);
    if (util_copy_back(out, w.body) != 0) {
        snprintf(err, err_len, "reading back the report's temporary file failed");
        goto out;
    }
    rt_summary(out, d, w.n_targets, w.k);
    if (o->expiring_days >= 0) {
        rt_expiry_head(out, o, w.exp.n);
        if (expiry_acc_write(&w.exp, out, "") != 0) {
            snprintf(err, err_len, "reading back the expiring certificates failed");
            goto out;
        }
    }
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    if (w.body != NULL) {
        fclose(w.body);
    }
    expiry_acc_cleanup(&w.exp);
    free(w.k);
    return ret;
}
