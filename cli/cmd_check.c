/*
 * cli/cmd_check.c - `tlsaudit check`: evaluate policies over a stored scan
 * without touching the network, store the findings, report them, and
 * choose the exit code. check_evaluate_scan is also what `tlsaudit scan
 * --policy` calls after its scan (cli/check.h).
 *
 * Pipeline position: store (store_load_targets) -> policies (policy_eval)
 * -> store (store_put_findings) -> report (text or JSON) -> exit code.
 *
 * Invariants:
 * - Every piece of input is checked before anything is stored: options,
 *   then every policy (one invalid policy: exit 2, nothing stored), then
 *   the output file, then the database (which must exist: check never
 *   creates one) and the scan id.
 * - All the findings of one policy over one scan are stored in one
 *   transaction; the report is written only after they are stored, so
 *   what the report says is what the database holds.
 * - Only targets that were scanned (status ok or no-tls) are evaluated;
 *   the others appear in the report as not scanned and give exit 3.
 * - Exit precedence: 2 (usage, policy, database, output) > 1 (a FAIL at or
 *   above --fail-on, not waived) > 3 (a target not scanned, or a scan that
 *   did not complete) > 0.
 * - Strings from servers or policy files reach the terminal through
 *   text_visible and JSON only as valid UTF-8.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/check.h"
#include "cli/opts.h"
#include "cli/cli.h"
#include "common/util.h"
#include "config.h"
#include "reports/text.h"

#define CHECK_JSON_SCHEMA_VERSION 1
#define CHECK_N_VERDICTS (VERDICT_WAIVED + 1)

/* ---- loading policies ------------------------------------------------- */

int check_load_policies(char *const *names, size_t n_names, struct policy ***out_pols, char *err,
                        size_t err_len)
{
    struct policy **pols = NULL;
    size_t n = 0;
    *out_pols = NULL;
    pols = calloc(n_names ? n_names : 1, sizeof(*pols));
    if (pols == NULL) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    for (n = 0; n < n_names; n++) {
        pols[n] = policy_load(names[n], err, err_len);
        if (pols[n] == NULL) {
            goto fail;
        }
    }
    *out_pols = pols;
    return 0;
fail:
    check_free_policies(pols, n);
    return -1;
}

void check_free_policies(struct policy **pols, size_t n_pols)
{
    if (pols == NULL) {
        return;
    }
    for (size_t i = 0; i < n_pols; i++) {
        policy_free(pols[i]);
    }
    free(pols);
}

/* ---- evaluation --------------------------------------------------------- */

/* Verdict counts of one policy on one target (or over everything). */
struct check_counts {
    size_t verdicts[CHECK_N_VERDICTS];
    size_t blocking; /* FAIL at or above --fail-on */
};

/* Everything one check_evaluate_scan call works with. */
struct check_ctx {
    struct store *s;
    int64_t scan_id;
    struct policy *const *pols;
    size_t n_pols;
    const struct check_options *o;
    int64_t evaluated_ms;
    struct store_scan_info info;
    struct target_result *targets;
    int64_t *ids;
    size_t n_targets;
    struct finding_list *results; /* [p * n_targets + t]; empty for targets not scanned */
    int64_t *run_ids;             /* per policy: policy_runs.id */
    struct check_counts total;
    size_t n_failing_targets; /* targets with a blocking finding under any policy */
    size_t n_not_scanned;
};

static bool check_scanned(const struct target_result *r)
{
    return r->status == TARGET_OK || r->status == TARGET_NO_TLS;
}

static bool check_blocking(const struct check_ctx *c, const struct finding *f)
{
    return f->verdict == VERDICT_FAIL && f->severity >= c->o->fail_on;
}

static struct finding_list *check_result(const struct check_ctx *c, size_t p, size_t t)
{
    return &c->results[p * c->n_targets + t];
}

static void check_count(const struct check_ctx *c, const struct finding_list *l,
                        struct check_counts *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < l->n_items; i++) {
        const struct finding *f = &l->items[i];
        if ((unsigned)f->verdict < CHECK_N_VERDICTS) {
            out->verdicts[f->verdict]++;
        }
        if (check_blocking(c, f)) {
            out->blocking++;
        }
    }
}

/* check_eval runs every policy on every scanned target. */
static int check_eval(struct check_ctx *c, char *err, size_t err_len)
{
    size_t n = c->n_pols * c->n_targets;
    c->results = calloc(n ? n : 1, sizeof(*c->results));
    if (c->results == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        finding_list_init(&c->results[i]);
    }
    int64_t now = c->evaluated_ms / 1000;
    for (size_t p = 0; p < c->n_pols; p++) {
        for (size_t t = 0; t < c->n_targets; t++) {
            if (!check_scanned(&c->targets[t])) {
                continue;
            }
            const struct target_result *r = &c->targets[t];
            if (policy_eval(c->pols[p], r, &r->tags, now, check_result(c, p, t)) != 0) {
                snprintf(err, err_len, "evaluating policy %s: out of memory",
                         policy_id(c->pols[p]));
                return -1;
            }
        }
    }
    return 0;
}

/* check_store_run stores the findings of policy p over every target in one
 * transaction (store_put_findings). */
static int check_store_run(struct check_ctx *c, size_t p, char *err, size_t err_len)
{
    const struct policy *pol = c->pols[p];
    size_t n = 0;
    for (size_t t = 0; t < c->n_targets; t++) {
        n += check_result(c, p, t)->n_items;
    }
    struct store_finding *sf = calloc(n ? n : 1, sizeof(*sf));
    if (sf == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t t = 0; t < c->n_targets; t++) {
        const struct finding_list *l = check_result(c, p, t);
        for (size_t i = 0; i < l->n_items; i++) {
            const struct finding *f = &l->items[i];
            sf[k++] = (struct store_finding){
                .target_id = c->ids[t],
                .rule_id = f->rule_id,
                .title = f->title,
                .ref = f->ref,
                .severity = severity_name(f->severity),
                .verdict = verdict_name(f->verdict),
                .evidence = f->evidence,
                .waiver_reason = f->waiver_reason,
                .waiver_owner = f->waiver_owner,
                .waiver_expires = f->waiver_expires,
            };
        }
    }
    struct store_policy_run run = {
        .policy_id = policy_id(pol),
        .policy_version = policy_version(pol),
        .policy_sha256 = policy_sha256(pol),
        .policy_path = policy_path(pol),
        .evaluated_ms = c->evaluated_ms,
        .tool_version = PACKAGE_VERSION,
    };
    int rc = store_put_findings(c->s, c->scan_id, &run, sf, n, &c->run_ids[p]);
    if (rc != 0) {
        snprintf(err, err_len, "%s", store_errmsg(c->s));
    }
    free(sf);
    return rc;
}

static void check_totals(struct check_ctx *c)
{
    memset(&c->total, 0, sizeof(c->total));
    c->n_failing_targets = 0;
    c->n_not_scanned = 0;
    for (size_t t = 0; t < c->n_targets; t++) {
        if (!check_scanned(&c->targets[t])) {
            c->n_not_scanned++;
            continue;
        }
        bool failing = false;
        for (size_t p = 0; p < c->n_pols; p++) {
            struct check_counts k;
            check_count(c, check_result(c, p, t), &k);
            for (size_t v = 0; v < CHECK_N_VERDICTS; v++) {
                c->total.verdicts[v] += k.verdicts[v];
            }
            c->total.blocking += k.blocking;
            failing = failing || k.blocking > 0;
        }
        if (failing) {
            c->n_failing_targets++;
        }
    }
}

static bool check_scan_complete(const struct check_ctx *c)
{
    return strcmp(c->info.state, "complete") == 0;
}

static int check_exit_code(const struct check_ctx *c)
{
    if (c->total.blocking > 0) {
        return EXIT_FINDINGS;
    }
    if (c->n_not_scanned > 0 || !check_scan_complete(c)) {
        return EXIT_SCAN_ERROR;
    }
    return EXIT_OK;
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
    static const enum verdict order[] = {VERDICT_FAIL, VERDICT_WARN, VERDICT_INCONCLUSIVE,
                                         VERDICT_WAIVED, VERDICT_PASS};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        fprintf(out, "%s%zu %s", i ? ", " : "", k->verdicts[order[i]], verdict_name(order[i]));
    }
}

static void text_finding(FILE *out, const struct check_ctx *c, const struct finding *f)
{
    fprintf(out, "    %-12s %-8s ", check_blocking(c, f) ? "FAIL" : verdict_name(f->verdict),
            severity_name(f->severity));
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

static void check_write_text(FILE *out, const struct check_ctx *c)
{
    char t1[40];
    char t2[40];
    fprintf(out, "Scan %lld (%s; started %s", (long long)c->scan_id, c->info.state,
            util_iso_time(c->info.started_ms, t1, sizeof(t1)));
    if (c->info.finished_ms >= 0) {
        fprintf(out, ", finished %s", util_iso_time(c->info.finished_ms, t2, sizeof(t2)));
    }
    fprintf(out, "; %zu target%s)", c->n_targets, c->n_targets == 1 ? "" : "s");
    if (c->o->db_path != NULL) {
        fprintf(out, " in ");
        text_visible(out, c->o->db_path);
    }
    fprintf(out, "\nEvaluated %s, failing at or above %s\n",
            util_iso_time(c->evaluated_ms, t1, sizeof(t1)), severity_name(c->o->fail_on));
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

    for (size_t t = 0; t < c->n_targets; t++) {
        const struct target_result *r = &c->targets[t];
        fprintf(out, "\n");
        text_target_name(out, r);
        if (!check_scanned(r)) {
            fprintf(out, "\n  NOT SCANNED: %s", target_status_name(r->status));
            if (r->error[0] != '\0') {
                fprintf(out, ": ");
                text_visible(out, r->error);
            }
            fprintf(out, " (not evaluated)\n");
            continue;
        }
        fprintf(out, "\n");
        for (size_t p = 0; p < c->n_pols; p++) {
            const struct finding_list *l = check_result(c, p, t);
            struct check_counts k;
            check_count(c, l, &k);
            fprintf(out, "  ");
            text_visible(out, policy_id(c->pols[p]));
            if (k.blocking > 0) {
                fprintf(out, ": FAIL (");
            } else if (k.verdicts[VERDICT_FAIL] > 0) {
                fprintf(out, ": passes at --fail-on %s (", severity_name(c->o->fail_on));
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

    fprintf(out,
            "\nSummary: %zu target%s, %zu with findings at or above %s (%zu finding%s), "
            "%zu not scanned; ",
            c->n_targets, c->n_targets == 1 ? "" : "s", c->n_failing_targets,
            severity_name(c->o->fail_on), c->total.blocking, c->total.blocking == 1 ? "" : "s",
            c->n_not_scanned);
    text_counts(out, &c->total);
    fprintf(out, "\n");
    if (!check_scan_complete(c)) {
        fprintf(out, "The scan is %s: targets may be missing.\n", c->info.state);
    }
}

/* ---- JSON report ---------------------------------------------------------- */

/* check_json_text returns a JSON string for s: itself when it is valid
 * UTF-8, else with the offending bytes made visible (\xNN). NULL and ""
 * give null when empty_is_null. */
static json_t *check_json_text(const char *s, bool empty_is_null)
{
    if (s == NULL || (empty_is_null && s[0] == '\0')) {
        return json_null();
    }
    json_t *j = json_string(s);
    if (j != NULL) {
        return j;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL) {
        return NULL;
    }
    text_visible(m, s);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    j = json_stringn(buf, len);
    free(buf);
    return j;
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

static json_t *check_json_finding(const struct check_ctx *c, const struct finding *f)
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
    json_object_set_new(o, "blocking", json_boolean(check_blocking(c, f)));
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

static json_t *check_json_target(const struct check_ctx *c, size_t t)
{
    const struct target_result *r = &c->targets[t];
    json_t *o = json_object();
    json_t *pols = json_array();
    if (o == NULL || pols == NULL) {
        json_decref(o);
        json_decref(pols);
        return NULL;
    }
    json_object_set_new(o, "target_id", json_integer((json_int_t)c->ids[t]));
    json_object_set_new(o, "host", check_json_text(r->host, false));
    json_object_set_new(o, "port", json_integer(r->port));
    json_object_set_new(o, "sni", check_json_text(r->sni, true));
    json_object_set_new(o, "ip", check_json_text(r->ip, true));
    json_t *tags = json_array();
    for (size_t i = 0; tags != NULL && i < r->tags.n_items; i++) {
        json_array_append_new(tags, check_json_text(r->tags.items[i], false));
    }
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "status", json_string(target_status_name(r->status)));
    json_object_set_new(o, "error", check_json_text(r->error, true));
    json_object_set_new(o, "evaluated", json_boolean(check_scanned(r)));
    bool compliant = true;
    for (size_t p = 0; check_scanned(r) && p < c->n_pols; p++) {
        const struct finding_list *l = check_result(c, p, t);
        struct check_counts k;
        check_count(c, l, &k);
        compliant = compliant && k.blocking == 0;
        json_t *findings = json_array();
        for (size_t i = 0; findings != NULL && i < l->n_items; i++) {
            json_array_append_new(findings, check_json_finding(c, &l->items[i]));
        }
        json_array_append_new(pols, json_pack("{s:o, s:b, s:o, s:o}", "policy",
                                              check_json_text(policy_id(c->pols[p]), false),
                                              "compliant", k.blocking == 0, "counts",
                                              check_json_counts(&k), "findings", findings));
    }
    json_object_set_new(o, "compliant", check_scanned(r) ? json_boolean(compliant) : json_null());
    json_object_set_new(o, "policies", pols);
    return o;
}

static int check_write_json(FILE *out, const struct check_ctx *c, int exit_code)
{
    json_t *root = json_object();
    json_t *pols = json_array();
    json_t *targets = json_array();
    int ret = -1;
    if (root == NULL || pols == NULL || targets == NULL) {
        json_decref(pols);
        json_decref(targets);
        goto out;
    }
    json_object_set_new(root, "schema", json_string("tlsaudit-check"));
    json_object_set_new(root, "schema_version", json_integer(CHECK_JSON_SCHEMA_VERSION));
    json_object_set_new(root, "tool",
                        json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
    json_object_set_new(
        root, "scan",
        json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)c->scan_id,
                  "started", check_json_time(c->info.started_ms), "finished",
                  check_json_time(c->info.finished_ms), "state", c->info.state, "tool_version",
                  check_json_text(c->info.tool_version, true), "trust_store",
                  check_json_text(c->info.trust_store, true), "registry_version",
                  check_json_text(c->info.registry_version, true), "database",
                  check_json_text(c->o->db_path, true)));
    json_object_set_new(root, "evaluated", check_json_time(c->evaluated_ms));
    json_object_set_new(root, "fail_on", json_string(severity_name(c->o->fail_on)));
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
    for (size_t t = 0; t < c->n_targets; t++) {
        json_array_append_new(targets, check_json_target(c, t));
    }
    json_object_set_new(root, "targets", targets);
    json_object_set_new(root, "summary",
                        json_pack("{s:I, s:I, s:I, s:I, s:o, s:i}", "targets",
                                  (json_int_t)c->n_targets, "not_scanned",
                                  (json_int_t)c->n_not_scanned, "failing_targets",
                                  (json_int_t)c->n_failing_targets, "blocking_findings",
                                  (json_int_t)c->total.blocking, "counts",
                                  check_json_counts(&c->total), "exit_code", exit_code));
    if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        goto out;
    }
    fputc('\n', out);
    ret = 0;
out:
    json_decref(root);
    return ret;
}

/* ---- the evaluation as a whole ------------------------------------------ */

int check_evaluate_scan(struct store *s, int64_t scan_id, struct policy *const *pols, size_t n_pols,
                        const struct check_options *opts, FILE *out, int *out_exit, char *err,
                        size_t err_len)
{
    struct check_ctx c = {.s = s, .scan_id = scan_id, .pols = pols, .n_pols = n_pols, .o = opts};
    int ret = -1;

    c.evaluated_ms = opts->now_ms > 0 ? opts->now_ms : util_now_ms();
    if (store_scan_info(s, scan_id, &c.info) != 0 ||
        store_load_targets(s, scan_id, &c.targets, &c.ids, &c.n_targets) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
        goto out;
    }
    c.run_ids = calloc(n_pols ? n_pols : 1, sizeof(*c.run_ids));
    if (c.run_ids == NULL) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    if (check_eval(&c, err, err_len) != 0) {
        goto out;
    }
    for (size_t p = 0; p < n_pols; p++) {
        if (check_store_run(&c, p, err, err_len) != 0) {
            goto out;
        }
    }
    check_totals(&c);
    int code = check_exit_code(&c);
    if (opts->json) {
        if (check_write_json(out, &c, code) != 0) {
            snprintf(err, err_len, "writing the JSON report failed");
            goto out;
        }
    } else {
        check_write_text(out, &c);
    }
    *out_exit = code;
    ret = 0;
out:
    if (c.results != NULL) {
        for (size_t i = 0; i < n_pols * c.n_targets; i++) {
            finding_list_cleanup(&c.results[i]);
        }
        free(c.results);
    }
    free(c.run_ids);
    store_targets_free(c.targets, c.n_targets);
    free(c.ids);
    store_scan_info_cleanup(&c.info);
    return ret;
}

/* ---- the command ---------------------------------------------------------- */

enum check_opt_id {
    OPT_OUTPUT = 'o',
    OPT_HELP = 'h',
    OPT_POLICY = 'p',
    OPT_DB = 256,
    OPT_SCAN,
    OPT_LATEST,
    OPT_FAIL_ON,
    OPT_FORMAT,
};

/* The one table of check options: getopt_long and --help both come from it. */
static const struct opt_doc check_opts[] = {
    {"policy", required_argument, OPT_POLICY, "P",
     "evaluate policy P: a shipped name (see 'tlsaudit policies list') or a YAML file; "
     "repeat for several (required)"},
    {"scan", required_argument, OPT_SCAN, "ID", "evaluate stored scan ID"},
    {"latest", no_argument, OPT_LATEST, NULL, "evaluate the newest stored scan (the default)"},
    {"db", required_argument, OPT_DB, "FILE",
     "SQLite database (default: $TLSAUDIT_DB, else ./tlsaudit.db); must exist"},
    {"fail-on", required_argument, OPT_FAIL_ON, "SEV",
     "exit 1 when a finding fails at or above SEV: info, low, medium, high (default), "
     "critical"},
    {"format", required_argument, OPT_FORMAT, "F", "output format: text (default) or json"},
    {"output", required_argument, OPT_OUTPUT, "FILE", "write the report to FILE, not stdout"},
    {"help", no_argument, OPT_HELP, NULL, "show this help"},
};
#define N_CHECK_OPTS (sizeof(check_opts) / sizeof(check_opts[0]))

static void check_usage(FILE *out)
{
    fprintf(out, "Usage: tlsaudit check --policy P [--policy P...] [--scan ID | --latest]\n"
                 "                      [OPTIONS]\n"
                 "\n"
                 "Evaluate policies over a stored scan without touching the network: each\n"
                 "policy on each target the scan reached (status ok or no-tls). The findings\n"
                 "of each policy are stored in the database in one transaction, with the\n"
                 "policy's id, version and SHA-256, then reported: per target and policy the\n"
                 "verdict counts and every finding that is not a pass, with its rule id,\n"
                 "severity, requirement and evidence.\n"
                 "\n"
                 "Options:\n");
    opts_print(out, check_opts, N_CHECK_OPTS, 20);
    fprintf(out, "\n"
                 "Exit codes (the first that applies):\n"
                 "  2  usage, policy, database or output error; an invalid policy is\n"
                 "     rejected with FILE:LINE:COLUMN and no finding is stored\n"
                 "  1  a finding fails at or above --fail-on and is not waived\n"
                 "  3  a target of the scan could not be scanned, or the scan did not\n"
                 "     complete (interrupted, incomplete, still running)\n"
                 "  0  compliant: no failing finding at or above --fail-on\n");
}

int cmd_check(int argc, char **argv)
{
    struct option long_opts[N_CHECK_OPTS + 1];
    opts_to_getopt(check_opts, N_CHECK_OPTS, long_opts);

    const char *db_path = getenv("TLSAUDIT_DB");
    const char *out_path = NULL;
    char **names = NULL;
    size_t n_names = 0;
    struct policy **pols = NULL;
    struct store *store = NULL;
    FILE *out = stdout;
    bool json = false;
    bool latest = false;
    bool have_scan = false;
    unsigned long scan_arg = 0;
    enum severity fail_on = SEV_HIGH;
    char err[1024];
    int rc = EXIT_USAGE;

    if (db_path == NULL || db_path[0] == '\0') {
        db_path = "tlsaudit.db";
    }
    names = calloc((size_t)argc + 1, sizeof(*names));
    if (names == NULL) {
        fprintf(stderr, "tlsaudit check: out of memory\n");
        goto out;
    }
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":p:o:h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_POLICY:
            names[n_names++] = optarg;
            break;
        case OPT_SCAN:
            if (!util_parse_ulong(optarg, 1, LONG_MAX, &scan_arg)) {
                fprintf(stderr, "tlsaudit check: --scan: '%s' is not a scan id (a number from 1)\n",
                        optarg);
                goto out;
            }
            have_scan = true;
            break;
        case OPT_LATEST:
            latest = true;
            break;
        case OPT_DB:
            db_path = optarg;
            break;
        case OPT_FAIL_ON:
            if (!severity_parse(optarg, &fail_on)) {
                fprintf(stderr,
                        "tlsaudit check: --fail-on: '%s' is not one of: info, low, medium, high, "
                        "critical\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0) {
                json = true;
            } else if (strcmp(optarg, "text") == 0) {
                json = false;
            } else {
                fprintf(stderr, "tlsaudit check: --format: '%s' is not one of: text, json\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_OUTPUT:
            out_path = optarg;
            break;
        case OPT_HELP:
            check_usage(stdout);
            rc = EXIT_OK;
            goto out;
        case ':':
            fprintf(stderr,
                    "tlsaudit check: option '%s' needs a value (see 'tlsaudit check --help')\n",
                    argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr, "tlsaudit check: unknown option '%s' (see 'tlsaudit check --help')\n",
                    argv[optind - 1]);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tlsaudit check: unexpected argument '%s' (see 'tlsaudit check --help')\n",
                argv[optind]);
        goto out;
    }
    if (have_scan && latest) {
        fprintf(stderr, "tlsaudit check: give --scan ID or --latest, not both\n");
        goto out;
    }
    if (n_names == 0) {
        fprintf(stderr, "tlsaudit check: no policy (give --policy NAME|FILE; see 'tlsaudit "
                        "check --help')\n");
        goto out;
    }
    /* Every policy first: one invalid policy and nothing is evaluated. */
    if (check_load_policies(names, n_names, &pols, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit check: %s\n", err);
        goto out;
    }
    struct stat st;
    if (stat(db_path, &st) != 0) {
        fprintf(stderr, "tlsaudit check: cannot open database %s: %s (run 'tlsaudit scan' first)\n",
                db_path, strerror(errno));
        goto out;
    }
    if (out_path != NULL) {
        out = fopen(out_path, "w");
        if (out == NULL) {
            fprintf(stderr, "tlsaudit check: --output: cannot write '%s': %s\n", out_path,
                    strerror(errno));
            out = stdout;
            goto out;
        }
    }
    if (store_open(db_path, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit check: %s\n", err);
        goto out;
    }
    int64_t scan_id = (int64_t)scan_arg;
    if (!have_scan) {
        if (store_latest_scan(store, &scan_id) != 0) {
            fprintf(stderr, "tlsaudit check: %s\n", store_errmsg(store));
            goto out;
        }
    } else {
        bool exists = false;
        if (store_scan_exists(store, scan_id, &exists) != 0) {
            fprintf(stderr, "tlsaudit check: %s: %s\n", db_path, store_errmsg(store));
            goto out;
        }
        if (!exists) {
            fprintf(stderr, "tlsaudit check: no scan %lld in %s\n", (long long)scan_id, db_path);
            goto out;
        }
    }
    struct check_options opts = {.fail_on = fail_on, .json = json, .db_path = db_path};
    int code = EXIT_USAGE;
    if (check_evaluate_scan(store, scan_id, pols, n_names, &opts, out, &code, err, sizeof(err)) !=
        0) {
        fprintf(stderr, "tlsaudit check: %s\n", err);
        goto out;
    }
    rc = code;
out:
    if (out != stdout) {
        if (fclose(out) != 0 && rc != EXIT_USAGE) {
            fprintf(stderr, "tlsaudit check: writing '%s' failed: %s\n", out_path, strerror(errno));
            rc = EXIT_USAGE;
        }
    } else if (fflush(stdout) != 0 && rc != EXIT_USAGE) {
        fprintf(stderr, "tlsaudit check: writing the report failed: %s\n", strerror(errno));
        rc = EXIT_USAGE;
    }
    store_close(store);
    check_free_policies(pols, pols != NULL ? n_names : 0);
    free(names);
    return rc;
}
