/*
 * reports/report_csv.c - `tlsaudit report --format csv`: the facts of a
 * stored scan as one table for spreadsheets (RFC 4180).
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out;
 * report_stream_csv: report_load_heads + report_each_target -> [this file]
 * -> out, the same bytes one target at a time (each target's rows written
 * as it is read, each run's verdict and finding rows gathered in a
 * temporary file of their own and copied after the targets).
 *
 * One header line, then rows whose first column, `record`, says what the
 * row is (the column layout is documented in docs/json-output.md, "CSV"):
 *   target       one per target (status, error): targets not scanned show up
 *   suite        one per (target, version, suite) the enumeration found;
 *                without an enumeration, one per version a GnuTLS handshake
 *                accepted (the negotiated suite, rank empty)
 *   certificate  one per (target, certificate) as served, leaf first
 *   verdict      one per (policy run, scanned target): the target's verdict
 *                for the policy at the run's gate (common/model/gate.h:
 *                compliant, not-demonstrated, non-compliant, not-evaluated)
 *                in `verdict`, the gate in `fail_on`, `fail_on_inconclusive`
 *   finding      one per stored policy finding; `blocking` says whether it
 *                fails the gate
 *   grade_cap    one per cap of the target's grade (common/model/grade.h);
 *                the target row carries the grade itself (grade, score)
 * Every row also carries the scan's id and start time (scan_id,
 * scan_started). A column that does not apply to a row's kind is empty.
 *
 * Every field, numbers included, is written by esc_csv: always quoted, ""
 * inside, a leading ' before a value a spreadsheet would run as a formula
 * (= + - @ tab CR), control bytes as visible \xNN. Lines end in CRLF.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "reports/escape.h"
#include "reports/grade_view.h"
#include "reports/report.h"
#include "common/model/registry.h"

enum csv_col {
    COL_RECORD,
    COL_TARGET_ID,
    COL_HOST,
    COL_PORT,
    COL_IP,
    COL_SNI,
    COL_STATUS,
    COL_ERROR,
    COL_VERSION,
    COL_SUITE_CODE,
    COL_SUITE,
    COL_RANK,
    COL_ORDER,
    COL_GROUP,
    COL_KX_BITS,
    COL_POSITION,
    COL_SHA256,
    COL_SUBJECT,
    COL_ISSUER,
    COL_SERIAL,
    COL_NOT_BEFORE,
    COL_NOT_AFTER,
    COL_DAYS_LEFT,
    COL_EXPIRING,
    COL_KEY,
    COL_SIG_ALG,
    COL_SAN,
    COL_POLICY,
    COL_RULE,
    COL_SEVERITY,
    COL_VERDICT,
    COL_REF,
    COL_EVIDENCE,
    COL_WAIVER,
    COL_DEPLOYMENT,
    COL_DEPLOYMENT_LABEL,
    COL_FAIL_ON,
    COL_FAIL_ON_INCONCLUSIVE,
    COL_BLOCKING,
    COL_SCAN_ID,
    COL_SCAN_STARTED,
    COL_STARTTLS,
    COL_GRADE,
    COL_SCORE,
    COL_REASON,
    COL_COUNT
};

static const char *const csv_header[COL_COUNT] = {
    "record",       "target_id",
    "host",         "port",
    "ip",           "sni",
    "status",       "error",
    "version",      "suite_code",
    "suite",        "server_rank",
    "order",        "group",
    "kx_bits",      "position",
    "sha256",       "subject",
    "issuer",       "serial",
    "not_before",   "not_after",
    "days_left",    "expiring",
    "key",          "signature_algorithm",
    "san",          "policy",
    "rule_id",      "severity",
    "verdict",      "ref",
    "evidence",     "waiver",
    "deployment",   "deployment_label",
    "fail_on",      "fail_on_inconclusive",
    "blocking",     "scan_id",
    "scan_started", "starttls",
    "grade",        "score",
    "reason",
};

/* One row: borrowed strings, or owned ones in buf (numbers). */
struct csv_row {
    const char *f[COL_COUNT];
    char num[COL_COUNT][48];
};

static void csv_num(struct csv_row *row, enum csv_col c, long long v)
{
    snprintf(row->num[c], sizeof(row->num[c]), "%lld", v);
    row->f[c] = row->num[c];
}

static void csv_emit(FILE *out, const struct csv_row *row)
{
    for (int c = 0; c < COL_COUNT; c++) {
        if (c > 0) {
            fputc(',', out);
        }
        esc_csv(out, row->f[c]);
    }
    fputs("\r\n", out);
}

static void csv_target_cols(struct csv_row *row, const struct report_data *d, size_t t,
                            const char *record)
{
    const struct target_result *r = &d->targets[t];
    memset(row, 0, sizeof(*row));
    row->f[COL_RECORD] = record;
    csv_num(row, COL_TARGET_ID, d->target_ids[t]);
    row->f[COL_HOST] = r->host;
    csv_num(row, COL_PORT, r->port);
    row->f[COL_IP] = r->ip;
    row->f[COL_SNI] = r->sni;
    /* Every row says which scan it is from (rows of several reports can be
     * appended into one sheet). */
    csv_num(row, COL_SCAN_ID, d->info.id);
    row->f[COL_SCAN_STARTED] = util_iso_time(d->info.started_ms, row->num[COL_SCAN_STARTED],
                                             sizeof(row->num[COL_SCAN_STARTED]));
    row->f[COL_STARTTLS] = r->starttls[0] ? r->starttls : "none";
}

/* csv_grade_caps: one grade_cap row per cap of target t's grade: the cap
 * letter in grade, its id in rule_id, reason, evidence, its source in ref. */
static void csv_grade_caps(FILE *out, const struct report_data *d, size_t t, const struct grade *g)
{
    struct csv_row row;
    for (size_t i = 0; i < g->n_caps; i++) {
        const struct grade_cap *c = &g->caps[i];
        csv_target_cols(&row, d, t, "grade_cap");
        row.f[COL_GRADE] = grade_letter_name(c->cap);
        row.f[COL_RULE] = c->id;
        row.f[COL_REASON] = c->reason;
        row.f[COL_EVIDENCE] = c->evidence;
        row.f[COL_REF] = c->source;
        csv_emit(out, &row);
    }
}

static void csv_suites(FILE *out, const struct report_data *d, size_t t)
{
    const struct target_result *r = &d->targets[t];
    struct csv_row row;
    if (!fact_collected(&r->enumeration.header)) {
        for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
            const struct version_fact *f = &r->versions[v];
            if (f->state != PROBE_ACCEPTED) {
                continue;
            }
            csv_target_cols(&row, d, t, "suite");
            row.f[COL_VERSION] = tls_version_name((enum tls_version)v);
            snprintf(row.num[COL_SUITE_CODE], sizeof(row.num[COL_SUITE_CODE]), "0x%04X", f->suite);
            row.f[COL_SUITE_CODE] = row.num[COL_SUITE_CODE];
            row.f[COL_SUITE] = f->suite_name;
            row.f[COL_GROUP] = f->group;
            if (f->dh_bits > 0) {
                csv_num(&row, COL_KX_BITS, f->dh_bits);
            }
            csv_emit(out, &row);
        }
        return;
    }
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct enum_version_fact *f = &r->enumeration.versions[v];
        for (size_t i = 0; i < f->n_suites; i++) {
            const struct enum_suite *es = &f->suites[i];
            const struct suite_info *si = registry_suite_by_code(es->code);
            const struct group_info *g = es->ec_group ? registry_group_by_code(es->ec_group) : NULL;
            csv_target_cols(&row, d, t, "suite");
            row.f[COL_VERSION] = tls_version_name((enum tls_version)v);
            snprintf(row.num[COL_SUITE_CODE], sizeof(row.num[COL_SUITE_CODE]),
                     es->code > 0xffff ? "0x%06" PRIX32 : "0x%04" PRIX32, es->code);
            row.f[COL_SUITE_CODE] = row.num[COL_SUITE_CODE];
            row.f[COL_SUITE] = si ? si->iana_name : NULL;
            if (es->server_rank >= 0) {
                csv_num(&row, COL_RANK, es->server_rank);
            }
            row.f[COL_ORDER] = enum_order_name(f->order);
            row.f[COL_GROUP] = g ? g->name : NULL;
            if (es->kx_bits > 0) {
                csv_num(&row, COL_KX_BITS, es->kx_bits);
            }
            csv_emit(out, &row);
        }
    }
}

/* The certificate rows of one deployment (d_i of n_dep) of target t. */
static void csv_deployment_certs(FILE *out, const struct report_data *d, size_t t,
                                 const struct deployment_view *dv, size_t d_i,
                                 const struct report_options *o, int64_t now_s)
{
    struct csv_row row;
    char nb[40];
    char na[40];
    char key[64];
    for (size_t i = 0; i < dv->n_certs; i++) {
        const struct cert_fact *c = &dv->certs[i];
        csv_target_cols(&row, d, t, "certificate");
        csv_num(&row, COL_POSITION, (long long)i);
        row.f[COL_SHA256] = c->sha256;
        row.f[COL_SUBJECT] = c->subject;
        row.f[COL_ISSUER] = c->issuer;
        row.f[COL_SERIAL] = c->serial;
        row.f[COL_NOT_BEFORE] =
            c->not_before ? util_iso_time(c->not_before * 1000, nb, sizeof(nb)) : NULL;
        row.f[COL_NOT_AFTER] =
            c->not_after ? util_iso_time(c->not_after * 1000, na, sizeof(na)) : NULL;
        csv_num(&row, COL_DAYS_LEFT, c->days_left);
        if (o->expiring_days >= 0 && c->not_after != 0) {
            row.f[COL_EXPIRING] = c->not_after <= now_s ? "expired"
                                  : c->not_after <= now_s + (int64_t)o->expiring_days * 86400
                                      ? "yes"
                                      : "no";
        }
        if (c->curve[0] != '\0') {
            snprintf(key, sizeof(key), "%s %d %s", c->key_type, c->key_bits, c->curve);
        } else {
            snprintf(key, sizeof(key), "%s %d", c->key_type, c->key_bits);
        }
        row.f[COL_KEY] = key;
        row.f[COL_SIG_ALG] = c->sig_alg;
        csv_num(&row, COL_DEPLOYMENT, (long long)d_i);
        row.f[COL_DEPLOYMENT_LABEL] = dv->label;
        char *san = strlist_join(&c->san, " ");
        row.f[COL_SAN] = san;
        csv_emit(out, &row);
        free(san);
    }
}

static void csv_certs(FILE *out, const struct report_data *d, size_t t,
                      const struct report_options *o, int64_t now_s)
{
    const struct target_result *r = &d->targets[t];
    for (size_t i = 0; i < target_n_deployments(r); i++) {
        struct deployment_view dv;
        target_deployment(r, i, &dv);
        csv_deployment_certs(out, d, t, &dv, i, o, now_s);
    }
}

/* csv_gate_cols fills the gate columns of a verdict or finding row of run. */
static void csv_gate_cols(struct csv_row *row, const struct store_run *run)
{
    row->f[COL_POLICY] = run->policy_id;
    row->f[COL_FAIL_ON] = severity_name(run->gate.fail_on);
    row->f[COL_FAIL_ON_INCONCLUSIVE] = run->gate.fail_on_inconclusive ? "yes" : "no";
}

/* csv_verdicts writes the verdict rows of run: one per scanned target. */
static void csv_verdicts(FILE *out, const struct report_data *d, const struct store_run *run)
{
    struct csv_row row;
    for (size_t t = 0; t < d->n_targets; t++) {
        if (!report_scanned(&d->targets[t])) {
            continue;
        }
        csv_target_cols(&row, d, t, "verdict");
        csv_gate_cols(&row, run);
        row.f[COL_VERDICT] = target_verdict_name(report_run_verdict(run, d->target_ids[t]));
        csv_emit(out, &row);
    }
}

/* csv_run_findings writes the finding rows of run, in its order. */
static void csv_run_findings(FILE *out, const struct report_data *d, const struct store_run *run)
{
    struct csv_row row;
    for (size_t k = 0; k < run->n_findings; k++) {
        const struct store_finding_row *f = &run->findings[k];
        long t = report_target_index(d, f->target_id);
        if (t < 0) {
            continue; /* the store keeps findings on the run's own targets */
        }
        csv_target_cols(&row, d, (size_t)t, "finding");
        csv_gate_cols(&row, run);
        row.f[COL_BLOCKING] = report_blocks(run, f) ? "yes" : "no";
        row.f[COL_RULE] = f->rule_id;
        row.f[COL_SEVERITY] = f->severity;
        row.f[COL_VERDICT] = f->verdict;
        row.f[COL_REF] = f->ref;
        row.f[COL_EVIDENCE] = f->evidence;
        char waiver[1024];
        if (f->waiver_reason != NULL || f->waiver_owner != NULL) {
            snprintf(waiver, sizeof(waiver), "%s (owner %s, expires %s)",
                     f->waiver_reason ? f->waiver_reason : "",
                     f->waiver_owner ? f->waiver_owner : "?",
                     f->waiver_expires ? f->waiver_expires : "?");
            row.f[COL_WAIVER] = waiver;
        }
        csv_emit(out, &row);
    }
}

static void csv_head(FILE *out)
{
    struct csv_row row;
    memset(&row, 0, sizeof(row));
    for (int c = 0; c < COL_COUNT; c++) {
        row.f[c] = csv_header[c];
    }
    csv_emit(out, &row);
}

/* csv_target writes the rows of target t: its own, its grade's caps, its
 * suites and certificates. */
static void csv_target(FILE *out, const struct report_data *d, size_t t,
                       const struct report_options *o, int64_t now_s)
{
    const struct target_result *r = &d->targets[t];
    struct csv_row row;
    csv_target_cols(&row, d, t, "target");
    row.f[COL_STATUS] = target_status_name(r->status);
    row.f[COL_ERROR] = r->error;
    struct grade g;
    grade_target(r, &g);
    char letter[64];
    if (g.graded) {
        row.f[COL_GRADE] = grade_view_letter(&g, letter, sizeof(letter));
        csv_num(&row, COL_SCORE, g.score);
        row.f[COL_REASON] = GRADE_LABEL;
    }
    csv_emit(out, &row);
    csv_grade_caps(out, d, t, &g);
    csv_suites(out, d, t);
    csv_certs(out, d, t, o, now_s);
}

int report_write_csv(FILE *out, const struct report_data *d, const struct report_options *o,
                     char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    csv_head(out);
    int64_t now_s = report_now_ms(o) / 1000;
    for (size_t t = 0; t < d->n_targets; t++) {
        csv_target(out, d, t, o, now_s);
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        csv_verdicts(out, d, &d->runs[i]);
        csv_run_findings(out, d, &d->runs[i]);
    }
    return 0;
}

/* One report_stream_csv walk: the target rows go to out as they come, each
 * run's verdict and finding rows to a temporary file of their own. */
struct csv_walk {
    FILE *out;
    FILE **verdicts, **findings; /* per run */
    const struct report_options *o;
    int64_t now_s;
    bool gate_fails;
};

static int csv_walk_target(void *arg, const struct report_data *one)
{
    struct csv_walk *w = arg;
    csv_target(w->out, one, 0, w->o, w->now_s);
    bool bad = ferror(w->out);
    for (size_t i = 0; i < one->n_runs; i++) {
        csv_verdicts(w->verdicts[i], one, &one->runs[i]);
        csv_run_findings(w->findings[i], one, &one->runs[i]);
        bad = bad || ferror(w->verdicts[i]) || ferror(w->findings[i]);
    }
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    return bad ? -1 : 0;
}

int report_stream_csv(FILE *out, struct store *s, struct report_data *d,
                      const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    size_t n = d->n_runs ? d->n_runs : 1;
    struct csv_walk w = {.out = out, .o = o, .now_s = report_now_ms(o) / 1000};
    int ret = -1;
    if (err_len > 0) {
        err[0] = '\0';
    }
    w.verdicts = calloc(n, sizeof(*w.verdicts));
    w.findings = calloc(n, sizeof(*w.findings));
    bool ok = w.verdicts != NULL && w.findings != NULL;
    for (size_t i = 0; ok && i < d->n_runs; i++) {
        ok = (w.verdicts[i] = tmpfile()) != NULL && (w.findings[i] = tmpfile()) != NULL;
    }
    if (!ok) {
        snprintf(err, err_len, "out of memory or no temporary file for the CSV report");
        goto out;
    }
    csv_head(out);
    if (report_each_target(s, d, csv_walk_target, &w, err, err_len) != 0) {
        if (err[0] == '\0') {
            snprintf(err, err_len, "writing the CSV report or its temporary files failed");
        }
        goto out;
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        if (util_copy_back(out, w.verdicts[i]) != 0 || util_copy_back(out, w.findings[i]) != 0) {
            snprintf(err, err_len, "reading back the CSV report's temporary files failed");
            goto out;
        }
    }
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    for (size_t i = 0; i < d->n_runs && w.verdicts != NULL && w.findings != NULL; i++) {
        if (w.verdicts[i] != NULL) {
            fclose(w.verdicts[i]);
        }
        if (w.findings[i] != NULL) {
            fclose(w.findings[i]);
        }
    }
    free(w.verdicts);
    free(w.findings);
    return ret;
}
