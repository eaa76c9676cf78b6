/*
 * reports/report.c - loading one scan for the renderers (reports/report.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "reports/report.h"

int report_load(struct store *s, int64_t scan_id, const char *db_path, struct report_data *out,
                char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    out->db_path = db_path;
    if (store_scan_info(s, scan_id, &out->info) != 0 ||
        store_load_targets(s, scan_id, &out->targets, &out->target_ids, &out->n_targets) != 0 ||
        store_load_runs(s, scan_id, &out->runs, &out->n_runs) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
        report_data_cleanup(out);
        return -1;
    }
    return 0;
}

int report_load_heads(struct store *s, int64_t scan_id, const char *db_path,
                      struct report_data *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    out->db_path = db_path;
    if (store_scan_info(s, scan_id, &out->info) != 0 ||
        store_load_run_heads(s, scan_id, &out->runs, &out->n_runs) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
        report_data_cleanup(out);
        return -1;
    }
    return 0;
}

/* One report_each_target walk. */
struct report_walk {
    struct store *s;
    struct report_data *d;
    report_target_fn fn;
    void *arg;
    int stopped; /* fn's non-zero return */
};

static int report_walk_target(void *arg, struct target_result *r, int64_t id)
{
    struct report_walk *w = arg;
    struct report_data *d = w->d;
    for (size_t i = 0; i < d->n_runs; i++) {
        if (store_load_target_findings(w->s, &d->runs[i], id) != 0) {
            return -1;
        }
    }
    d->targets = r;
    d->target_ids = &id;
    d->n_targets = 1;
    int rc = w->fn(w->arg, d);
    d->targets = NULL;
    d->target_ids = NULL;
    d->n_targets = 0;
    if (rc != 0) {
        w->stopped = rc;
        return 1;
    }
    return 0;
}

int report_each_target(struct store *s, struct report_data *d, report_target_fn fn, void *arg,
                       char *err, size_t err_len)
{
    struct report_walk w = {.s = s, .d = d, .fn = fn, .arg = arg};
    int rc = store_each_target(s, d->info.id, report_walk_target, &w);
    for (size_t i = 0; i < d->n_runs; i++) {
        store_run_drop_findings(&d->runs[i]);
    }
    if (rc != 0 && w.stopped == 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
    }
    return rc != 0 ? -1 : 0;
}

bool report_streams(enum report_format f, bool expiring)
{
    return f == REPORT_TEXT || f == REPORT_JSON || f == REPORT_CSV || f == REPORT_MARKDOWN ||
           f == REPORT_JUNIT || f == REPORT_SARIF || (f == REPORT_HTML && !expiring);
}

int report_stream(FILE *out, enum report_format f, struct store *s, struct report_data *d,
                  const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    switch (f) {
    case REPORT_TEXT:
        return report_stream_text(out, s, d, o, gate_fails, err, err_len);
    case REPORT_JSON:
        return report_stream_json(out, s, d, o, gate_fails, err, err_len);
    case REPORT_CSV:
        return report_stream_csv(out, s, d, o, gate_fails, err, err_len);
    case REPORT_MARKDOWN:
        return report_stream_markdown(out, s, d, o, gate_fails, err, err_len);
    case REPORT_JUNIT:
        return report_stream_junit(out, s, d, o, gate_fails, err, err_len);
    case REPORT_SARIF:
        return report_stream_sarif(out, s, d, o, gate_fails, err, err_len);
    case REPORT_HTML:
        if (o->expiring_days < 0) {
            return report_stream_html(out, s, d, o, gate_fails, err, err_len);
        }
        snprintf(err, err_len, "html reports with --expiring are not written one target at a time");
        return -1;
    }
    snprintf(err, err_len, "unknown report format %d", (int)f);
    return -1;
}

void report_data_cleanup(struct report_data *d)
{
    store_scan_info_cleanup(&d->info);
    store_targets_free(d->targets, d->n_targets);
    free(d->target_ids);
    store_runs_free(d->runs, d->n_runs);
    memset(d, 0, sizeof(*d));
}

long report_target_index(const struct report_data *d, int64_t tid)
{
    for (size_t i = 0; i < d->n_targets; i++) {
        if (d->target_ids[i] == tid) {
            return (long)i;
        }
    }
    return -1;
}

int report_verdict_parse(const char *name)
{
    enum verdict v;
    return verdict_parse(name, &v) ? (int)v : -1;
}

int report_severity_rank(const char *severity)
{
    enum severity s;
    return severity_parse(severity, &s) ? (int)s : -1;
}

void report_count(const struct store_run *run, int64_t target_id, struct report_counts *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < run->n_findings; i++) {
        const struct store_finding_row *f = &run->findings[i];
        if (target_id >= 0 && f->target_id != target_id) {
            continue;
        }
        int v = report_verdict_parse(f->verdict);
        if (v >= 0) {
            out->v[v]++;
        }
        out->total++;
    }
}

/* rr_parse: the verdict and severity of a stored finding; false for names
 * this build does not know. */
static bool rr_parse(const struct store_finding_row *f, enum verdict *v, enum severity *s)
{
    return verdict_parse(f->verdict, v) && severity_parse(f->severity, s);
}

enum target_verdict report_run_verdict(const struct store_run *run, int64_t target_id)
{
    enum target_verdict tv = TV_NOT_EVALUATED;
    for (size_t i = 0; i < run->n_findings; i++) {
        const struct store_finding_row *f = &run->findings[i];
        enum verdict v;
        enum severity s;
        if (f->target_id == target_id && rr_parse(f, &v, &s)) {
            tv = gate_step(tv, &run->gate, v, s);
        }
    }
    return tv;
}

bool report_blocks(const struct store_run *run, const struct store_finding_row *f)
{
    enum verdict v;
    enum severity s;
    return rr_parse(f, &v, &s) && gate_fails_ci(&run->gate, v, s);
}

bool report_gate_fails(const struct report_data *d)
{
    for (size_t r = 0; r < d->n_runs; r++) {
        for (size_t t = 0; t < d->n_targets; t++) {
            if (report_scanned(&d->targets[t]) &&
                gate_exit_fails(&d->runs[r].gate,
                                report_run_verdict(&d->runs[r], d->target_ids[t]))) {
                return true;
            }
        }
    }
    return false;
}

void report_regate(struct report_data *d, bool set_fail_on, enum severity fail_on,
                   bool fail_on_inconclusive)
{
    for (size_t r = 0; r < d->n_runs; r++) {
        struct gate *g = &d->runs[r].gate;
        if (set_fail_on) {
            *g = (struct gate){.fail_on = fail_on, .fail_on_inconclusive = fail_on_inconclusive};
        } else if (fail_on_inconclusive) {
            g->fail_on_inconclusive = true;
        }
    }
}

/* rk_superseded: run i is not the one kept for its policy. */
static bool rk_superseded(const struct report_data *d, size_t i, int64_t run_id)
{
    const struct store_run *a = &d->runs[i];
    for (size_t k = 0; k < d->n_runs; k++) {
        const struct store_run *b = &d->runs[k];
        if (k == i || strcmp(a->policy_id, b->policy_id) != 0) {
            continue;
        }
        if (run_id > 0 && (b->id == run_id || a->id == run_id)) {
            return a->id != run_id;
        }
        if (b->id > a->id) {
            return true;
        }
    }
    return false;
}

int report_keep_runs(struct report_data *d, int64_t run_id, char *err, size_t err_len)
{
    bool found = run_id <= 0;
    for (size_t i = 0; i < d->n_runs; i++) {
        found = found || d->runs[i].id == run_id;
    }
    if (!found) {
        snprintf(err, err_len, "no policy run %lld in scan %lld", (long long)run_id,
                 (long long)d->info.id);
        return -1;
    }
    bool *drop = calloc(d->n_runs ? d->n_runs : 1, sizeof(*drop));
    if (drop == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        drop[i] = rk_superseded(d, i, run_id);
    }
    size_t n = 0;
    for (size_t i = 0; i < d->n_runs; i++) {
        if (drop[i]) {
            store_run_cleanup(&d->runs[i]);
        } else {
            d->runs[n++] = d->runs[i];
        }
    }
    free(drop);
    d->n_runs = n;
    return 0;
}

const char *report_gate_text(const struct gate *g, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", severity_name(g->fail_on),
             g->fail_on_inconclusive ? ", inconclusive fails" : "");
    return buf;
}

bool report_scanned(const struct target_result *r)
{
    return r->status == TARGET_OK || r->status == TARGET_NO_TLS;
}

const char *report_target_label(const struct target_result *r, char *buf, size_t len)
{
    bool v6 = strchr(r->host, ':') != NULL;
    bool app = r->starttls[0] != '\0' && strcmp(r->starttls, "none") != 0;
    snprintf(buf, len, "%s%s%s:%u%s%s%s", v6 ? "[" : "", r->host, v6 ? "]" : "", (unsigned)r->port,
             app ? " (" : "", app ? r->starttls : "", app ? ")" : "");
    return buf;
}

int64_t report_now_ms(const struct report_options *o)
{
    return o->now_ms != 0 ? o->now_ms : util_now_ms();
}

/* Floor division: days left rounds towards the past, so a certificate that
 * expired an hour ago has -1 days left, not 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int report_expiry_cmp(const void *pa, const void *pb)
{
    const struct report_expiry *a = pa;
    const struct report_expiry *b = pb;
    int64_t na = a->not_after;
    int64_t nb = b->not_after;
    if (na != nb) {
        return na < nb ? -1 : 1;
    }
    if (a->target != b->target) {
        return a->target < b->target ? -1 : 1;
    }
    if (a->deployment != b->deployment) {
        return a->deployment < b->deployment ? -1 : 1;
    }
    return a->position < b->position ? -1 : (a->position > b->position);
}

/* Whether c (by SHA-256) is among the n entries of e already (the
 * target's earlier deployments). */
static bool listed(const struct report_expiry *e, size_t n, const struct cert_fact *c)
{
    for (size_t i = 0; c->sha256[0] != '\0' && i < n; i++) {
        if (strcmp(e[i].cert->sha256, c->sha256) == 0) {
            return true;
        }
    }
    return false;
}

int report_expiring(const struct report_data *d, int64_t now_ms, int days,
                    struct report_expiry **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    int64_t now_s = floor_div(now_ms, 1000);
    int64_t limit = now_s + (int64_t)days * 86400;
    size_t cap = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        for (size_t j = 0; j < target_n_deployments(&d->targets[t]); j++) {
            struct deployment_view dv;
            target_deployment(&d->targets[t], j, &dv);
            cap += dv.n_certs;
        }
    }
    if (cap == 0) {
        return 0;
    }
    struct report_expiry *e = calloc(cap, sizeof(*e));
    if (e == NULL) {
        return -1;
    }
    size_t n = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        size_t first = n; /* this target's entries start here */
        for (size_t j = 0; j < target_n_deployments(&d->targets[t]); j++) {
            struct deployment_view dv;
            target_deployment(&d->targets[t], j, &dv);
            size_t before = n; /* the earlier deployments' entries: first .. before */
            for (size_t i = 0; i < dv.n_certs; i++) {
                int64_t na = dv.certs[i].not_after;
                if (na == 0 || na > limit || listed(e + first, before - first, &dv.certs[i])) {
                    continue; /* 0: not recorded */
                }
                e[n] = (struct report_expiry){.target = t,
                                              .position = i,
                                              .deployment = j,
                                              .cert = &dv.certs[i],
                                              .not_after = na,
                                              .days_left = floor_div(na - now_s, 86400),
                                              .expired = na <= now_s};
                n++;
            }
        }
    }
    if (n == 0) {
        free(e);
        return 0;
    }
    qsort(e, n, sizeof(*e), report_expiry_cmp);
    *out = e;
    *n_out = n;
    return 0;
}

static const char *const report_format_names[] = {
    [REPORT_TEXT] = "text",   [REPORT_JSON] = "json",         [REPORT_CSV] = "csv",
    [REPORT_JUNIT] = "junit", [REPORT_MARKDOWN] = "markdown", [REPORT_HTML] = "html",
    [REPORT_SARIF] = "sarif",
};

bool report_format_parse(const char *name, enum report_format *out)
{
    for (size_t i = 0; i < sizeof(report_format_names) / sizeof(report_format_names[0]); i++) {
        if (strcmp(name, report_format_names[i]) == 0) {
            *out = (enum report_format)i;
            return true;
        }
    }
    return false;
}

const char *report_format_name(enum report_format f)
{
    return report_format_names[f];
}

int report_write(FILE *out, enum report_format f, const struct report_data *d,
                 const struct report_options *o, char *err, size_t err_len)
{
    switch (f) {
    case REPORT_TEXT:
        return report_write_text(out, d, o, err, err_len);
    case REPORT_JSON:
        return report_write_json(out, d, o, err, err_len);
    case REPORT_CSV:
        return report_write_csv(out, d, o, err, err_len);
    case REPORT_JUNIT:
        return report_write_junit(out, d, o, err, err_len);
    case REPORT_MARKDOWN:
        return report_write_markdown(out, d, o, err, err_len);
    case REPORT_HTML:
        return report_write_html(out, d, o, err, err_len);
    case REPORT_SARIF:
        return report_write_sarif(out, d, o, err, err_len);
    }
    snprintf(err, err_len, "unknown report format %d", (int)f);
    return -1;
}
