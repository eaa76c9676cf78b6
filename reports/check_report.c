/*
 * reports/check_report.c - the report of a policy evaluation (`tlsaudit
 * check`, `scan --policy`) in text and JSON (check_report.h).
 *
 * Pipeline position: policies (findings, just stored) -> [this file] -> out.
 * Moved here from cli/cmd_check.c so that jansson stays in reports/.
 *
 * Streamed: each target is rendered alone (its text, or its JSON object as
 * an element of the document's "targets" array) while the policy run walks
 * the targets, so no renderer holds more than one target; the head (which
 * names the stored runs) and the totals are written around them at the
 * end. The JSON document is jansson's dump of the document with a hole
 * where the targets go, the targets' own dumps spliced in at their depth
 * (reports/json_splice.h): the same bytes as one dump of the whole tree.
 *
 * Strings from servers or policy files reach the terminal through
 * text_visible, and JSON only as valid UTF-8.
 */
#include "reports/check_report.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "config.h"
#include "reports/json_private.h"
#include "reports/json_splice.h"
#include "reports/report.h"
#include "reports/text.h"

#define CHECK_JSON_SCHEMA_VERSION 1

bool check_report_blocking(const struct check_report *c, const struct finding *f)
{
    return gate_fails_ci(&c->gate, f->verdict, f->severity);
}

enum target_verdict check_report_verdict(const struct check_report *c, const struct finding_list *l)
{
    enum target_verdict v = TV_NOT_EVALUATED;
    for (size_t i = 0; i < l->n_items; i++) {
        v = gate_step(v, &c->gate, l->items[i].verdict, l->items[i].severity);
    }
    return v;
}

enum target_verdict check_report_target_verdict(const struct check_report *c,
                                                const struct check_target *t)
{
    enum target_verdict v = TV_NOT_EVALUATED;
    for (size_t p = 0; p < c->n_pols; p++) {
        v = target_verdict_worst(v, check_report_verdict(c, &t->findings[p]));
    }
    return v;
}

void check_report_count(const struct check_report *c, const struct finding_list *l,
                        struct check_counts *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < l->n_items; i++) {
        const struct finding *f = &l->items[i];
        if ((unsigned)f->verdict < CHECK_N_VERDICTS) {
            out->verdicts[f->verdict]++;
        }
        if (check_report_blocking(c, f)) {
            out->blocking++;
        }
    }
}

void check_report_add_totals(const struct check_report *c, const struct check_target *t,
                             struct check_totals *tot)
{
    if (!report_scanned(t->target)) {
        tot->n_not_scanned++;
        return;
    }
    for (size_t p = 0; p < c->n_pols; p++) {
        struct check_counts k;
        check_report_count(c, &t->findings[p], &k);
        for (size_t v = 0; v < CHECK_N_VERDICTS; v++) {
            tot->total.verdicts[v] += k.verdicts[v];
        }
        tot->total.blocking += k.blocking;
    }
    enum target_verdict tv = check_report_target_verdict(c, t);
    tot->n_failing_targets += tv == TV_NON_COMPLIANT;
    tot->n_undemonstrated += tv == TV_NOT_DEMONSTRATED;
}

/* ---- text report -------------------------------------------------------- */

static void text_target_name(FILE *out, const struct target_result *r)
{
    bool v6 = strchr(r->host, ':') != NULL;
    fprintf(out, "%s", v6 ? "[" : "");
    text_visible(out, r->host);
    fprintf(out, "%s:%u", v6 ? "]" : "", (unsigned)r->port);
    if (r->ip[0] != '\0' && strcmp(r->ip, r->host) != 0) {
        fprintf(out, " (");
        text_visible(out, r->ip);
        fprintf(out, ")");
    }
    if (r->sni != NULL && strcmp(r->sni, r->host) != 0) {
        fprintf(out, " sni ");
        text_visible(out, r->sni);
    }
    for (size_t i = 0; i < r->tags.n_items; i++) {
        fprintf(out, "%s", i == 0 ? " [tags " : ",");
        text_visible(out, r->tags.items[i]);
        fprintf(out, "%s", i + 1 == r->tags.n_items ? "]" : "");
    }
}

static void text_counts(FILE *out, const struct check_counts *k)
{
    for (int v = 0; v < VERDICT_COUNT; v++) {
        fprintf(out, "%s%zu %s", v ? ", " : "", k->verdicts[v], verdict_name((enum verdict)v));
    }
}

static void text_finding(FILE *out, const struct check_report *c, const struct finding *f)
{
    const char *label = verdict_name(f->verdict);
    if (check_report_blocking(c, f)) {
        label = f->verdict == VERDICT_FAIL ? "FAIL" : "INCONCLUSIVE";
    }
    fprintf(out, "    %-12s %-8s ", label, severity_name(f->severity));
    text_visible(out, f->rule_id);
    if (f->ref[0] != '\0') {
        fprintf(out, "  [");
        text_visible(out, f->ref);
        fprintf(out, "]");
    }
    fprintf(out, "\n");
    if (f->title[0] != '\0') {
        fprintf(out, "        ");
        text_visible(out, f->title);
        fprintf(out, "\n");
    }
    if (f->evidence[0] != '\0') {
        fprintf(out, "        evidence: ");
        text_visible(out, f->evidence);
        fprintf(out, "\n");
    }
    if (f->verdict == VERDICT_WAIVED || f->waiver_reason[0] != '\0') {
        fprintf(out, "        waiver: ");
        text_visible(out, f->waiver_reason[0] ? f->waiver_reason : "(no justification)");
        if (f->waiver_owner[0] != '\0') {
            fprintf(out, " (owner ");
            text_visible(out, f->waiver_owner);
            fprintf(out, ")");
        }
        if (f->waiver_expires[0] != '\0') {
            fprintf(out, ", expires ");
            text_visible(out, f->waiver_expires);
        }
        fprintf(out, "\n");
    }
}

/* check_text_head writes the scan, the gate and the policies. */
static void check_text_head(FILE *out, const struct check_report *c)
{
    char t1[40];
    char t2[40];
    fprintf(out, "Scan %lld (%s; started %s", (long long)c->scan_id, c->info->state,
            util_iso_time(c->info->started_ms, t1, sizeof(t1)));
    if (c->info->finished_ms >= 0) {
        fprintf(out, ", finished %s", util_iso_time(c->info->finished_ms, t2, sizeof(t2)));
    }
    fprintf(out, "; %zu target%s)", c->n_targets, c->n_targets == 1 ? "" : "s");
    if (c->db_path != NULL) {
        fprintf(out, " in ");
        text_visible(out, c->db_path);
    }
    fprintf(out, "\nEvaluated %s, failing at or above %s%s\n",
            util_iso_time(c->evaluated_ms, t1, sizeof(t1)), severity_name(c->gate.fail_on),
            c->gate.fail_on_inconclusive ? " (inconclusive there fails too)" : "");
    for (size_t p = 0; p < c->n_pols; p++) {
        const struct policy *pol = c->pols[p];
        fprintf(out, "Policy ");
        text_visible(out, policy_id(pol));
        fprintf(out, " version ");
        text_visible(out, policy_version(pol) ? policy_version(pol) : "?");
        fprintf(out, " (sha256 %.16s..., run %lld): ", policy_sha256(pol),
                (long long)c->run_ids[p]);
        text_visible(out, policy_title(pol));
        fprintf(out, "\n");
    }
}

void check_report_text_target(FILE *out, const struct check_report *c, const struct check_target *t)
{
    const struct target_result *r = t->target;
    fprintf(out, "\n");
    text_target_name(out, r);
    if (!report_scanned(r)) {
        fprintf(out, "\n  NOT SCANNED: %s", target_status_name(r->status));
        if (r->error[0] != '\0') {
            fprintf(out, ": ");
            text_visible(out, r->error);
        }
        fprintf(out, " (not evaluated)\n");
        return;
    }
    fprintf(out, "\n");
    for (size_t p = 0; p < c->n_pols; p++) {
        const struct finding_list *l = &t->findings[p];
        struct check_counts k;
        check_report_count(c, l, &k);
        fprintf(out, "  ");
        text_visible(out, policy_id(c->pols[p]));
        enum target_verdict tv = check_report_verdict(c, l);
        if (tv == TV_NON_COMPLIANT) {
            fprintf(out, ": FAIL (");
        } else if (tv == TV_NOT_DEMONSTRATED) {
            fprintf(out, ": NOT DEMONSTRATED at --fail-on %s (", severity_name(c->gate.fail_on));
        } else if (k.verdicts[VERDICT_FAIL] + k.verdicts[VERDICT_INCONCLUSIVE] > 0) {
            fprintf(out, ": passes at --fail-on %s (", severity_name(c->gate.fail_on));
        } else {
            fprintf(out, ": pass (");
        }
        text_counts(out, &k);
        fprintf(out, ")\n");
        for (size_t i = 0; i < l->n_items; i++) {
            if (l->items[i].verdict != VERDICT_PASS) {
                text_finding(out, c, &l->items[i]);
            }
        }
    }
}

/* check_text_tail writes the totals. */
static void check_text_tail(FILE *out, const struct check_report *c, const struct check_totals *tot)
{
    fprintf(out,
            "\nSummary: %zu target%s, %zu with findings at or above %s (%zu finding%s), "
            "%zu not demonstrated, %zu not scanned; ",
            c->n_targets, c->n_targets == 1 ? "" : "s", tot->n_failing_targets,
            severity_name(c->gate.fail_on), tot->total.blocking,
            tot->total.blocking == 1 ? "" : "s", tot->n_undemonstrated, tot->n_not_scanned);
    text_counts(out, &tot->total);
    fprintf(out, "\n");
    if (strcmp(c->info->state, "complete") != 0) {
        fprintf(out, "The scan is %s: targets may be missing.\n", c->info->state);
    }
}

int check_report_text_finish(FILE *out, const struct check_report *c, FILE *targets,
                             const struct check_totals *tot)
{
    check_text_head(out, c);
    if (util_copy_back(out, targets) != 0) {
        return -1;
    }
    check_text_tail(out, c, tot);
    return 0;
}

/* ---- JSON report ---------------------------------------------------------- */

/* check_json_text returns a JSON string for s (json_text_value: valid
 * UTF-8 kept, other bytes as the visible \xNN); NULL, and "" when
 * empty_is_null, give null. */
static json_t *check_json_text(const char *s, bool empty_is_null)
{
    if (s != NULL && empty_is_null && s[0] == '\0') {
        return json_null();
    }
    return json_text_value(s);
}

static json_t *check_json_time(int64_t ms)
{
    char buf[40];
    if (ms < 0) {
        return json_null();
    }
    return json_string(util_iso_time(ms, buf, sizeof(buf)));
}

static json_t *check_json_counts(const struct check_counts *k)
{
    json_t *o = json_object();
    for (size_t v = 0; o != NULL && v < CHECK_N_VERDICTS; v++) {
        json_object_set_new(o, verdict_name((enum verdict)v),
                            json_integer((json_int_t)k->verdicts[v]));
    }
    return o;
}

static json_t *check_json_finding(const struct check_report *c, const struct finding *f)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "rule_id", check_json_text(f->rule_id, false));
    json_object_set_new(o, "title", check_json_text(f->title, true));
    json_object_set_new(o, "ref", check_json_text(f->ref, true));
    json_object_set_new(o, "severity", json_string(severity_name(f->severity)));
    json_object_set_new(o, "verdict", json_string(verdict_name(f->verdict)));
    json_object_set_new(o, "blocking", json_boolean(check_report_blocking(c, f)));
    json_object_set_new(o, "evidence", check_json_text(f->evidence, true));
    if (f->verdict == VERDICT_WAIVED || f->waiver_reason[0] != '\0') {
        json_object_set_new(o, "waiver",
                            json_pack("{s:o, s:o, s:o}", "reason",
                                      check_json_text(f->waiver_reason, true), "owner",
                                      check_json_text(f->waiver_owner, true), "expires",
                                      check_json_text(f->waiver_expires, true)));
    } else {
        json_object_set_new(o, "waiver", json_null());
    }
    return o;
}

static json_t *check_json_target(const struct check_report *c, const struct check_target *t)
{
    const struct target_result *r = t->target;
    json_t *o = json_object();
    json_t *pols = json_array();
    if (o == NULL || pols == NULL) {
        json_decref(o);
        json_decref(pols);
        return NULL;
    }
    json_object_set_new(o, "target_id", json_integer((json_int_t)t->id));
    json_object_set_new(o, "host", check_json_text(r->host, false));
    json_object_set_new(o, "port", json_integer(r->port));
    json_object_set_new(o, "sni", check_json_text(r->sni, true));
    json_object_set_new(o, "starttls",
                        check_json_text(r->starttls[0] ? r->starttls : "none", false));
    json_object_set_new(o, "ip", check_json_text(r->ip, true));
    json_t *tags = json_array();
    for (size_t i = 0; tags != NULL && i < r->tags.n_items; i++) {
        json_array_append_new(tags, check_json_text(r->tags.items[i], false));
    }
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "status", json_string(target_status_name(r->status)));
    json_object_set_new(o, "error", check_json_text(r->error, true));
    json_object_set_new(o, "evaluated", json_boolean(report_scanned(r)));
    for (size_t p = 0; report_scanned(r) && p < c->n_pols; p++) {
        const struct finding_list *l = &t->findings[p];
        struct check_counts k;
        check_report_count(c, l, &k);
        enum target_verdict pv = check_report_verdict(c, l);
        json_t *findings = json_array();
        for (size_t i = 0; findings != NULL && i < l->n_items; i++) {
            json_array_append_new(findings, check_json_finding(c, &l->items[i]));
        }
        json_array_append_new(pols,
                              json_pack("{s:o, s:b, s:s, s:o, s:o}", "policy",
                                        check_json_text(policy_id(c->pols[p]), false), "compliant",
                                        pv != TV_NON_COMPLIANT && pv != TV_NOT_DEMONSTRATED,
                                        "verdict", target_verdict_name(pv), "counts",
                                        check_json_counts(&k), "findings", findings));
    }
    enum target_verdict tv = check_report_target_verdict(c, t);
    bool compliant = tv != TV_NON_COMPLIANT && tv != TV_NOT_DEMONSTRATED;
    json_object_set_new(o, "compliant", report_scanned(r) ? json_boolean(compliant) : json_null());
    json_object_set_new(
        o, "verdict", json_string(target_verdict_name(report_scanned(r) ? tv : TV_NOT_EVALUATED)));
    json_object_set_new(o, "policies", pols);
    return o;
}

/* check_json_flags: the dump's flags besides JSON_INDENT(2). */
static size_t check_json_flags(const struct check_report *c)
{
    return JSON_PRESERVE_ORDER | (c->ascii ? JSON_ENSURE_ASCII : 0);
}

int check_report_json_target(FILE *out, const struct check_report *c, const struct check_target *t,
                             bool first)
{
    /* The targets are at depth 2, spliced in by check_report_json_finish. */
    return json_splice_put(out, check_json_target(c, t), 2, check_json_flags(c), first);
}

/* check_json_root builds the document with a hole for its targets. */
static json_t *check_json_root(const struct check_report *c, const struct check_totals *tot,
                               int exit_code)
{
    json_t *root = json_object();
    json_t *pols = json_array();
    if (root == NULL || pols == NULL) {
        json_decref(root);
        json_decref(pols);
        return NULL;
    }
    json_object_set_new(root, "schema", json_string("tlsaudit-check"));
    json_object_set_new(root, "schema_version", json_integer(CHECK_JSON_SCHEMA_VERSION));
    json_object_set_new(root, "tool",
                        json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
    json_object_set_new(
        root, "scan",
        json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)c->scan_id,
                  "started", check_json_time(c->info->started_ms), "finished",
                  check_json_time(c->info->finished_ms), "state", c->info->state, "tool_version",
                  check_json_text(c->info->tool_version, true), "trust_store",
                  check_json_text(c->info->trust_store, true), "registry_version",
                  check_json_text(c->info->registry_version, true), "database",
                  check_json_text(c->db_path, true)));
    json_object_set_new(root, "evaluated", check_json_time(c->evaluated_ms));
    json_object_set_new(root, "fail_on", json_string(severity_name(c->gate.fail_on)));
    json_object_set_new(root, "fail_on_inconclusive", json_boolean(c->gate.fail_on_inconclusive));
    for (size_t p = 0; p < c->n_pols; p++) {
        const struct policy *pol = c->pols[p];
        json_array_append_new(pols, json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}", "id",
                                              check_json_text(policy_id(pol), false), "title",
                                              check_json_text(policy_title(pol), true), "version",
                                              check_json_text(policy_version(pol), true), "sha256",
                                              check_json_text(policy_sha256(pol), false), "path",
                                              check_json_text(policy_path(pol), true), "run_id",
                                              (json_int_t)c->run_ids[p]));
    }
    json_object_set_new(root, "policies", pols);
    json_object_set_new(root, "targets", json_splice_hole());
    json_object_set_new(root, "summary",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:i}", "targets",
                                  (json_int_t)c->n_targets, "not_scanned",
                                  (json_int_t)tot->n_not_scanned, "failing_targets",
                                  (json_int_t)tot->n_failing_targets, "not_demonstrated_targets",
                                  (json_int_t)tot->n_undemonstrated, "blocking_findings",
                                  (json_int_t)tot->total.blocking, "counts",
                                  check_json_counts(&tot->total), "exit_code", exit_code));
    return root;
}

int check_report_json_finish(FILE *out, const struct check_report *c, FILE *targets,
                             size_t n_written, const struct check_totals *tot, int exit_code)
{
    json_t *root = check_json_root(c, tot, exit_code);
    struct json_splice s;
    int rc = json_splice_begin(&s, out, root, check_json_flags(c));
    json_decref(root);
    struct json_part part = {.f = targets, .n = n_written, .depth = 2}; /* borrowed */
    rc = rc == 0 ? json_splice_part(&s, "targets", &part) : -1;
    return json_splice_finish(&s, rc);
}
