/*
 * reports/report_sarif_stream.c - `--format sarif` read one target at a
 * time (report_stream_sarif, report.h): the bytes of report_write_sarif
 * (reports/report_sarif.c) in memory flat in the number of targets.
 *
 * Pipeline position: report_load_heads + report_each_target
 * (reports/report.c) -> [this file] -> out; `report --format sarif`,
 * `check --format sarif`, `scan --policy --format sarif`.
 *
 * How: the rules come before the results in the log and each result
 * names its rule's index, so they are read first: one stored finding per
 * rule of each run (store_load_run_rules), in the order
 * sarif_collect_rules would find them. The names several targets share
 * are read first too (report_names_scan). Then the walk: each target's
 * results, one temporary file per policy run (the log lists them run by
 * run, then in stored order: per run, target by target, as policy runs
 * store them), and its notification when it was not scanned (another
 * file), each dumped alone at its depth and freed. At the end the log is
 * dumped with a hole in place of the notifications and of the results
 * and the files are spliced in (reports/json_splice.h): the bytes of one
 * dump of the whole tree.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "reports/json_splice.h"
#include "reports/report.h"
#include "reports/sarif_private.h"

/* The depths of the two arrays' elements in the log. */
#define SS_NOTIFICATIONS_DEPTH 6
#define SS_RESULTS_DEPTH 4
/* The dump flags besides JSON_INDENT(2) (sarif_private.h). */
#define SS_FLAGS (SARIF_DUMP_FLAGS & ~(size_t)JSON_INDENT(2))

struct ss_walk {
    const struct report_names *names;
    const struct sarif_rules *rules;
    struct json_part notes;
    struct json_part *results; /* per run */
    size_t n_runs;
    bool all_scanned, gate_fails;
};

static int ss_walk_target(void *arg, const struct report_data *one)
{
    struct ss_walk *w = arg;
    const struct target_result *r = &one->targets[0];
    struct report_name name;
    report_names_name(w->names, r, one->target_ids[0], &name);
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    if (!report_scanned(r)) {
        w->all_scanned = false;
        return json_part_add(&w->notes, sarif_target_notification(one, 0, name.s));
    }
    for (size_t i = 0; i < one->n_runs; i++) {
        const struct store_run *run = &one->runs[i];
        for (size_t k = 0; k < run->n_findings; k++) {
            const struct store_finding_row *f = &run->findings[k];
            if (f->rule_id == NULL || !sarif_is_result(run, f)) {
                continue;
            }
            long ri = sarif_rule_index(w->rules, run, f->rule_id);
            if (json_part_add(&w->results[i], sarif_result(one, 0, name.s, run, f, ri)) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* ss_results fills the results hole with every run's results, run by run
 * (each part's first element has no comma: the first overall none). */
static int ss_results(struct json_splice *sp, struct ss_walk *w)
{
    size_t written = 0;
    int rc = json_splice_open(sp, "results", SS_RESULTS_DEPTH - 1);
    for (size_t i = 0; rc == 0 && i < w->n_runs; i++) {
        if (w->results[i].n > 0) {
            rc = (written == 0 || fputc(',', sp->out) != EOF) &&
                         util_copy_back(sp->out, w->results[i].f) == 0
                     ? 0
                     : -1;
            written += w->results[i].n;
        }
    }
    return rc == 0 ? json_splice_close(sp, SS_RESULTS_DEPTH - 1, written) : -1;
}

/* ss_finish dumps the log around w's parts and writes it. */
static int ss_finish(FILE *out, struct ss_walk *w, const struct report_data *d)
{
    if (strcmp(d->info.state, "complete") != 0 &&
        json_part_add(&w->notes, sarif_state_notification(d)) != 0) {
        return -1;
    }
    json_t *doc = sarif_document(d, w->rules, json_splice_hole(), json_splice_hole(),
                                 w->all_scanned, w->gate_fails);
    struct json_splice sp;
    int rc = doc != NULL ? json_splice_begin(&sp, out, doc, SS_FLAGS) : -1;
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    rc = json_splice_part(&sp, "toolExecutionNotifications", &w->notes);
    rc |= rc == 0 ? ss_results(&sp, w) : -1;
    return json_splice_finish(&sp, rc);
}

/* ss_rules reads the first finding of each rule of every run of d into
 * rows (one shallow copy of each run, owning only its findings) and lists
 * them in rules as sarif_collect_rules does: run then stored order, each
 * (policy, rule) once. Returns 0, or -1 with err. */
static int ss_rules(struct store *s, const struct report_data *d, struct store_run *rows,
                    struct sarif_rules *rules, char *err, size_t err_len)
{
    size_t cap = 0;
    for (size_t r = 0; r < d->n_runs; r++) {
        rows[r] = d->runs[r];
        rows[r].findings = NULL;
        rows[r].n_findings = 0;
        if (store_load_run_rules(s, &rows[r]) != 0) {
            snprintf(err, err_len, "%s", store_errmsg(s));
            return -1;
        }
        cap += rows[r].n_findings;
    }
    rules->v = calloc(cap ? cap : 1, sizeof(*rules->v));
    if (rules->v == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        for (size_t i = 0; i < rows[r].n_findings; i++) {
            const struct store_finding_row *f = &rows[r].findings[i];
            if (sarif_rule_index(rules, &d->runs[r], f->rule_id) < 0) {
                rules->v[rules->n++] = (struct sarif_rule){.run = &d->runs[r], .f = f};
            }
        }
    }
    return 0;
}

/* ss_open makes w's temporary files. Returns 0 or -1. */
static int ss_open(struct ss_walk *w)
{
    if (json_part_open(&w->notes, SS_NOTIFICATIONS_DEPTH, SS_FLAGS) != 0) {
        return -1;
    }
    for (size_t i = 0; i < w->n_runs; i++) {
        if (json_part_open(&w->results[i], SS_RESULTS_DEPTH, SS_FLAGS) != 0) {
            return -1;
        }
    }
    return 0;
}

static bool ss_write_failed(const struct ss_walk *w)
{
    bool failed = ferror(w->notes.f) != 0;
    for (size_t i = 0; i < w->n_runs; i++) {
        failed = failed || ferror(w->results[i].f) != 0;
    }
    return failed;
}

int report_stream_sarif(FILE *out, struct store *s, struct report_data *d,
                        const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    (void)o;
    size_t n = d->n_runs ? d->n_runs : 1;
    struct report_names names = {0};
    struct sarif_rules rules = {0};
    struct store_run *rows = calloc(n, sizeof(*rows));
    struct ss_walk w = {.names = &names, .rules = &rules, .n_runs = d->n_runs, .all_scanned = true};
    w.results = calloc(n, sizeof(*w.results));
    int ret = -1;
    if (err_len > 0) {
        err[0] = '\0';
    }
    if (rows == NULL || w.results == NULL) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    if (ss_rules(s, d, rows, &rules, err, err_len) != 0 ||
        report_names_scan(s, d->info.id, &names, err, err_len) != 0) {
        goto out;
    }
    if (ss_open(&w) != 0) {
        snprintf(err, err_len, "no temporary file");
        goto out;
    }
    if (report_each_target(s, d, ss_walk_target, &w, err, err_len) != 0) {
        if (ss_write_failed(&w)) {
            snprintf(err, err_len, "writing the SARIF log to a temporary file failed");
        } else if (err[0] == '\0') {
            snprintf(err, err_len, "out of memory");
        }
        goto out;
    }
    if (ss_finish(out, &w, d) != 0) {
        snprintf(err, err_len, "writing the SARIF log failed");
        goto out;
    }
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    for (size_t i = 0; w.results != NULL && i < d->n_runs; i++) {
        json_part_close(&w.results[i]);
    }
    json_part_close(&w.notes);
    for (size_t i = 0; rows != NULL && i < d->n_runs; i++) {
        store_run_drop_findings(&rows[i]);
    }
    free(rows);
    free(w.results);
    free(rules.v);
    report_names_cleanup(&names);
    return ret;
}
