/*
 * reports/report_junit.c - `tlsaudit report --format junit`: the policy
 * findings of a stored scan as JUnit XML for a CI's test view.
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out;
 * or, streamed (report_stream_junit), report_load_heads + report_each_target
 * -> [this file]: each suite written to a temporary file as its target is
 * read, the totals added up, then the head with them, the suites and the
 * tail: the same bytes, memory flat in the number of targets (but for the
 * duplicated names, reports/names.c).
 *
 * Mapping (documented in README.md, "Reports", and docs/ci.md):
 *   <testsuites>                    the scan; totals of tests, failures and
 *                                   errors below (the Jenkins xunit schema,
 *                                   tests/data/junit/junit-10.xsd, has no
 *                                   skipped count here: each suite has it)
 *     <testsuite name="host:port">  one per target, in stored order; the name
 *                                   is report_endpoint_names' (unique in the
 *                                   file: " (smtp)", " sni=NAME", " @ADDRESS"
 *                                   added where needed), as a CI merges
 *                                   suites of one name
 *       <testcase classname="tlsaudit.scan @ NAME" name="scan">
 *                                   passes when the target was scanned; an
 *                                   <error> with the status and error text
 *                                   when it was not (no findings then)
 *       <properties>               status, sni, starttls, target_id, and per policy run
 *                                   "verdict POLICY": the target's verdict at
 *                                   the run's gate (common/model/gate.h)
 *       <testcase classname="POLICY @ NAME" name="RULE">  one per finding,
 *                                   i.e. one per rule per policy run on that
 *                                   target; NAME (the suite's) is in the
 *                                   classname because GitLab keys a test on
 *                                   (classname, name), shows the classname
 *                                   as its suite and drops later duplicates
 *         failing the gate -> <failure message="SEVERITY: TITLE" type="REF">
 *                          with the requirement and the evidence as text:
 *                          a fail at or above the run's --fail-on, and with
 *                          --fail-on-inconclusive an inconclusive one there
 *         fail below the gate -> passes, with <system-out> "fail below the
 *                          gate (--fail-on SEV): ..." (the exit code did not
 *                          fail on it either)
 *         waived        -> <skipped message="waived: JUSTIFICATION ...">, the
 *                          message also as the element's text (GitLab shows
 *                          the text, not the attribute)
 *         inconclusive  -> <skipped message="inconclusive: EVIDENCE">: the
 *                          fact the rule needs was not collected, so the
 *                          rule was not really tested (neither a pass nor a
 *                          failure; CI shows it as skipped, not green); at
 *                          or above the gate the target is "not
 *                          demonstrated"
 *         warn          -> passes, with <system-out> "warn: EVIDENCE"
 *         pass          -> passes
 * Counts: tests = test cases, failures = <failure>, errors = <error>,
 * skipped = <skipped>, on every <testsuite>; tests, failures and errors
 * on <testsuites> too.
 *
 * Every stored string is written with esc_html (& < > " ' as references,
 * control bytes and non-UTF-8 as visible \xNN, which XML 1.0 would reject).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "reports/escape.h"
#include "reports/grade_view.h"
#include "reports/report.h"

struct junit_counts {
    size_t tests;
    size_t failures;
    size_t errors;
    size_t skipped;
};

static void junit_count_target(const struct report_data *d, size_t t, struct junit_counts *k)
{
    memset(k, 0, sizeof(*k));
    k->tests = 1; /* the scan test case */
    if (!report_scanned(&d->targets[t])) {
        k->errors = 1;
        return;
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        struct report_counts c;
        report_count(&d->runs[i], d->target_ids[t], &c);
        const struct store_run *run = &d->runs[i];
        k->tests += c.total;
        for (size_t f = 0; f < run->n_findings; f++) {
            const struct store_finding_row *row = &run->findings[f];
            if (row->target_id != d->target_ids[t]) {
                continue;
            }
            int v = report_verdict_parse(row->verdict);
            if (report_blocks(run, row)) {
                k->failures++;
            } else if (v == VERDICT_WAIVED || v == VERDICT_INCONCLUSIVE) {
                k->skipped++;
            }
        }
    }
}

static void junit_attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    esc_html(out, value);
    fputc('"', out);
}

/* junit_failure writes the <failure> of a finding that fails the gate. */
static void junit_failure(FILE *out, const struct store_finding_row *f)
{
    fprintf(out, "      <failure message=\"");
    if (!verdict_is(f->verdict, VERDICT_FAIL)) {
        esc_html(out, f->verdict); /* inconclusive, with --fail-on-inconclusive */
        fprintf(out, " ");
    }
    esc_html(out, f->severity);
    fprintf(out, ": ");
    esc_html(out, f->title ? f->title : f->rule_id);
    fprintf(out, "\"");
    junit_attr(out, "type", f->ref ? f->ref : "");
    fprintf(out, ">requirement: ");
    esc_html(out, f->ref ? f->ref : "(none)");
    fprintf(out, "\nseverity: ");
    esc_html(out, f->severity);
    fprintf(out, "\nevidence: ");
    esc_html(out, f->evidence ? f->evidence : "(none)");
    fprintf(out, "</failure>\n");
}

/* junit_waived_text writes a waived finding's skip reason. */
static void junit_waived_text(FILE *out, const struct store_finding_row *f)
{
    fprintf(out, "waived: ");
    esc_html(out, f->waiver_reason ? f->waiver_reason : "(no justification)");
    fprintf(out, " (owner ");
    esc_html(out, f->waiver_owner ? f->waiver_owner : "?");
    fprintf(out, ", expires ");
    esc_html(out, f->waiver_expires ? f->waiver_expires : "?");
    fprintf(out, "); requirement ");
    esc_html(out, f->ref ? f->ref : "(none)");
    fprintf(out, "; evidence: ");
    esc_html(out, f->evidence ? f->evidence : "(none)");
}

/* junit_classname writes the classname attribute: "PREFIX @ NAME". */
static void junit_classname(FILE *out, const char *prefix, const char *name)
{
    fprintf(out, " classname=\"");
    esc_html(out, prefix);
    fprintf(out, " @ ");
    esc_html(out, name);
    fputc('"', out);
}

static void junit_finding(FILE *out, const struct store_run *run, const struct store_finding_row *f,
                          const char *endpoint)
{
    int v = report_verdict_parse(f->verdict);
    bool blocks = report_blocks(run, f);
    fprintf(out, "    <testcase");
    junit_classname(out, run->policy_id, endpoint);
    junit_attr(out, "name", f->rule_id);
    if (v == VERDICT_PASS) {
        fprintf(out, "/>\n");
        return;
    }
    fprintf(out, ">\n");
    if (blocks) {
        junit_failure(out, f);
        fprintf(out, "    </testcase>\n");
        return;
    }
    switch (v) {
    case VERDICT_FAIL:
        fprintf(out, "      <system-out>fail below the gate (--fail-on %s): ",
                severity_name(run->gate.fail_on));
        esc_html(out, f->severity);
        fprintf(out, ", ");
        esc_html(out, f->ref ? f->ref : "no requirement");
        fprintf(out, ": ");
        esc_html(out, f->evidence ? f->evidence : "(none)");
        fprintf(out, "</system-out>\n");
        break;
    case VERDICT_WAIVED:
        fprintf(out, "      <skipped message=\"");
        junit_waived_text(out, f);
        fprintf(out, "\">");
        junit_waived_text(out, f);
        fprintf(out, "</skipped>\n");
        break;
    case VERDICT_INCONCLUSIVE:
        fprintf(out, "      <skipped message=\"inconclusive: ");
        esc_html(out, f->evidence ? f->evidence : "(no evidence)");
        fprintf(out, "\">inconclusive: ");
        esc_html(out, f->evidence ? f->evidence : "(no evidence)");
        fprintf(out, "</skipped>\n");
        break;
    default: /* warn, or a verdict this build does not know: passes, said in the output */
        fprintf(out, "      <system-out>");
        esc_html(out, f->verdict);
        fprintf(out, " (");
        esc_html(out, f->severity);
        fprintf(out, ", ");
        esc_html(out, f->ref ? f->ref : "no requirement");
        fprintf(out, "): ");
        esc_html(out, f->evidence ? f->evidence : "(none)");
        fprintf(out, "</system-out>\n");
        break;
    }
    fprintf(out, "    </testcase>\n");
}

/* junit_grade writes the grade properties of r (a scanned target): the
 * grade with GRADE_LABEL, and its caps as "LETTER id: evidence; ...". */
static void junit_grade(FILE *out, const struct target_result *r)
{
    struct grade g;
    grade_target(r, &g);
    if (!g.graded) {
        return;
    }
    char letter[64], value[GRADE_TEXT + 64], caps[2048];
    (void)snprintf(value, sizeof(value), "%s; %s", grade_view_letter(&g, letter, sizeof(letter)),
                   GRADE_LABEL);
    fprintf(out, "      <property name=\"grade\"");
    junit_attr(out, "value", value);
    size_t n = 0;
    caps[0] = '\0';
    for (size_t i = 0; i < g.n_caps && n < sizeof(caps); i++) {
        int k = snprintf(caps + n, sizeof(caps) - n, "%s%s %s: %s", i ? "; " : "",
                         grade_letter_name(g.caps[i].cap), g.caps[i].id, g.caps[i].evidence);
        n = k < 0 ? sizeof(caps) : n + (size_t)k;
    }
    fprintf(out, "/>\n      <property name=\"grade_caps\"");
    junit_attr(out, "value", caps);
    fprintf(out, "/>\n");
}

/* junit_properties writes target t's <properties>: status, SNI, id, and
 * its verdict under each policy run. */
static void junit_properties(FILE *out, const struct report_data *d, size_t t)
{
    const struct target_result *r = &d->targets[t];
    fprintf(out, ">\n    <properties>\n");
    fprintf(out, "      <property name=\"status\"");
    junit_attr(out, "value", target_status_name(r->status));
    fprintf(out, "/>\n      <property name=\"sni\"");
    junit_attr(out, "value", r->sni ? r->sni : "");
    fprintf(out, "/>\n      <property name=\"starttls\"");
    junit_attr(out, "value", r->starttls[0] ? r->starttls : "none");
    fprintf(out, "/>\n      <property name=\"target_id\" value=\"%lld\"/>\n",
            (long long)d->target_ids[t]);
    junit_grade(out, r);
    for (size_t i = 0; report_scanned(r) && i < d->n_runs; i++) {
        char pname[128];
        snprintf(pname, sizeof(pname), "verdict %s", d->runs[i].policy_id);
        fprintf(out, "      <property");
        junit_attr(out, "name", pname);
        junit_attr(out, "value",
                   target_verdict_name(report_run_verdict(&d->runs[i], d->target_ids[t])));
        fprintf(out, "/>\n");
    }
    fprintf(out, "    </properties>\n");
}

/* junit_suite writes target t's <testsuite> named name, with its counts k. */
static void junit_suite(FILE *out, const struct report_data *d, size_t t, const char *name,
                        const struct junit_counts *k)
{
    const struct target_result *r = &d->targets[t];
    char when[40];
    fprintf(out, "  <testsuite");
    junit_attr(out, "name", name);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", k->tests,
            k->failures, k->errors, k->skipped);
    if (r->started_ms > 0) {
        /* JUnit's timestamp has no zone designator: UTC without the Z. */
        util_iso_time(r->started_ms, when, sizeof(when));
        size_t n = strlen(when);
        if (n > 0 && when[n - 1] == 'Z') {
            when[n - 1] = '\0';
        }
        junit_attr(out, "timestamp", when);
    }
    junit_attr(out, "hostname", r->ip);
    junit_properties(out, d, t);
    fprintf(out, "    <testcase");
    junit_classname(out, "tlsaudit.scan", name);
    fprintf(out, " name=\"scan\"");
    if (report_scanned(r)) {
        fprintf(out, "/>\n");
    } else {
        fprintf(out, ">\n      <error");
        junit_attr(out, "type", target_status_name(r->status));
        fprintf(out, " message=\"not scanned: ");
        esc_html(out, target_status_name(r->status));
        fprintf(out, "\">");
        esc_html(out, r->error);
        fprintf(out, "</error>\n    </testcase>\n");
    }
    for (size_t i = 0; report_scanned(r) && i < d->n_runs; i++) {
        const struct store_run *run = &d->runs[i];
        for (size_t f = 0; f < run->n_findings; f++) {
            if (run->findings[f].target_id == d->target_ids[t]) {
                junit_finding(out, run, &run->findings[f], name);
            }
        }
    }
    fprintf(out, "  </testsuite>\n");
}

/* junit_head writes the XML declaration and <testsuites> with the totals. */
static void junit_head(FILE *out, const struct report_data *d, const struct junit_counts *total)
{
    char name[64];
    snprintf(name, sizeof(name), "tlsaudit scan %lld", (long long)d->info.id);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites");
    junit_attr(out, "name", name);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", total->tests, total->failures,
            total->errors);
}

static void junit_add(struct junit_counts *total, const struct junit_counts *k)
{
    total->tests += k->tests;
    total->failures += k->failures;
    total->errors += k->errors;
}

int report_write_junit(FILE *out, const struct report_data *d, const struct report_options *o,
                       char *err, size_t err_len)
{
    (void)o;
    struct junit_counts total = {0, 0, 0, 0};
    for (size_t t = 0; t < d->n_targets; t++) {
        struct junit_counts k;
        junit_count_target(d, t, &k);
        junit_add(&total, &k);
    }
    struct report_name *names = report_endpoint_names(d);
    if (names == NULL && d->n_targets > 0) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    junit_head(out, d, &total);
    for (size_t t = 0; t < d->n_targets; t++) {
        struct junit_counts k;
        junit_count_target(d, t, &k);
        junit_suite(out, d, t, names[t].s, &k);
    }
    fprintf(out, "</testsuites>\n");
    free(names);
    return 0;
}

/* One report_stream_junit walk: the suites go to body as each target is
 * read, the totals (which <testsuites> carries before them) add up. */
struct junit_walk {
    const struct report_names *names;
    FILE *body;
    struct junit_counts total;
    bool gate_fails;
};

static int junit_walk_target(void *arg, const struct report_data *one)
{
    struct junit_walk *w = arg;
    struct report_name name;
    struct junit_counts k;
    report_names_name(w->names, &one->targets[0], one->target_ids[0], &name);
    junit_count_target(one, 0, &k);
    junit_add(&w->total, &k);
    junit_suite(w->body, one, 0, name.s, &k);
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    return ferror(w->body) ? -1 : 0;
}

int report_stream_junit(FILE *out, struct store *s, struct report_data *d,
                        const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    (void)o;
    struct report_names names = {0};
    struct junit_walk w = {.names = &names};
    int ret = -1;
    if (report_names_scan(s, d->info.id, &names, err, err_len) != 0) {
        return -1;
    }
    w.body = tmpfile();
    if (w.body == NULL) {
        snprintf(err, err_len, "no temporary file");
        goto out;
    }
    if (report_each_target(s, d, junit_walk_target, &w, err, err_len) != 0) {
        if (ferror(w.body)) {
            snprintf(err, err_len, "writing the report to a temporary file failed");
        }
        goto out;
    }
    junit_head(out, d, &w.total);
    if (util_copy_back(out, w.body) != 0) {
        snprintf(err, err_len, "reading back the report's temporary file failed");
        goto out;
    }
    fprintf(out, "</testsuites>\n");
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    if (w.body != NULL) {
        fclose(w.body);
    }
    report_names_cleanup(&names);
    return ret;
}
