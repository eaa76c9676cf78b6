/*
 * reports/report_json.c - `tlsaudit report --format json`: everything
 * stored for one scan as one JSON document.
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out.
 *
 * Layout (schema "tlsaudit-report", schema_version 1; docs/json-output.md,
 * validated by docs/schema/tlsaudit-v1.schema.json in the tests):
 *   { "schema", "schema_version", "tool", "generated", "scan" (provenance),
 *     "targets" (the TARGET objects of the scan document, plus target_id),
 *     "policy_runs" (each with its findings), "expiring" (or null),
 *     "inventory" (reports/inventory.h: certificates, versions, suites),
 *     "summary" }
 * report_stream_json (reports/report_json_stream.c) writes the same bytes
 * one target at a time, with the pieces declared in json_private.h.
 * Targets come from reports/json.c (json_private.h), so the scan document
 * and this one never disagree on how a fact is written. Strings from
 * servers go through json_text_value (valid UTF-8 kept, other bytes as
 * visible \xNN; jansson escapes quotes and control characters).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "reports/json.h"
#include "reports/json_private.h"
#include "reports/inventory.h"
#include "reports/report.h"
#include "common/model/registry.h"

/* set takes the reference of v; a NULL v (out of memory) fails. */
static int set(json_t *o, const char *key, json_t *v)
{
    if (v == NULL) {
        return -1;
    }
    return json_object_set_new(o, key, v);
}

static json_t *rj_counts(const struct report_counts *k)
{
    json_t *o = json_object();
    for (int v = 0; o != NULL && v < VERDICT_COUNT; v++) {
        if (set(o, verdict_name((enum verdict)v), json_integer((json_int_t)k->v[v])) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *rj_scan(const struct report_data *d)
{
    const struct store_scan_info *i = &d->info;
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    int rc = 0;
    rc |= set(o, "id", json_integer(i->id));
    rc |= set(o, "started", json_time_value(i->started_ms));
    rc |= set(o, "finished", json_time_value(i->finished_ms));
    rc |= set(o, "state", json_string(i->state));
    rc |= set(o, "tool_version", json_text_value(i->tool_version));
    rc |= set(o, "options", json_text_value(i->options));
    rc |= set(o, "trust_store", json_text_value(i->trust_store));
    rc |= set(o, "registry_version", json_text_value(i->registry_version));
    rc |= set(o, "hostname", json_text_value(i->hostname));
    rc |= set(o, "note", json_text_value(i->note));
    rc |= set(o, "database", json_text_value(d->db_path));
    rc |= set(o, "uuid", json_text_value(i->uuid));
    rc |= set(o, "run_id", json_text_value(i->run_id));
    rc |= set(o, "shard",
              i->shard_n > 0 ? json_pack("{s:o, s:i}", "k",
                                         i->shard_k > 0 ? json_integer(i->shard_k) : json_null(),
                                         "n", i->shard_n)
                             : json_null());
    rc |= set(o, "merged_scans", json_integer((json_int_t)i->n_sources));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *report_json_finding(const struct store_run *run, const struct store_finding_row *f)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    int rc = 0;
    rc |= set(o, "target_id", json_integer(f->target_id));
    rc |= set(o, "rule_id", json_text_value(f->rule_id));
    rc |= set(o, "title", json_text_value(f->title));
    rc |= set(o, "ref", json_text_value(f->ref));
    rc |= set(o, "severity", json_text_value(f->severity));
    rc |= set(o, "verdict", json_text_value(f->verdict));
    rc |= set(o, "blocking", json_boolean(report_blocks(run, f)));
    rc |= set(o, "evidence", json_text_value(f->evidence));
    if (f->waiver_reason != NULL || f->waiver_owner != NULL || f->waiver_expires != NULL) {
        json_t *w = json_object();
        if (w != NULL) {
            rc |= set(w, "reason", json_text_value(f->waiver_reason));
            rc |= set(w, "owner", json_text_value(f->waiver_owner));
            rc |= set(w, "expires", json_text_value(f->waiver_expires));
        }
        rc |= set(o, "waiver", w);
    } else {
        rc |= set(o, "waiver", json_null());
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* rj_verdicts: each scanned target's verdict under run, in target order. */
static json_t *rj_verdicts(const struct report_data *d, const struct store_run *run)
{
    json_t *a = json_array();
    for (size_t t = 0; a != NULL && t < d->n_targets; t++) {
        if (!report_scanned(&d->targets[t])) {
            continue;
        }
        enum target_verdict v = report_run_verdict(run, d->target_ids[t]);
        json_t *x = json_pack("{s:I, s:s, s:b}", "target_id", (json_int_t)d->target_ids[t],
                              "verdict", target_verdict_name(v), "compliant",
                              v != TV_NON_COMPLIANT && v != TV_NOT_DEMONSTRATED);
        if (x == NULL || json_array_append_new(a, x) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* report_json_run builds run's object with its counts k; it takes the
 * references of verdicts and findings (the arrays, or marks where they go). */
json_t *report_json_run(const struct store_run *run, const struct report_counts *k,
                        json_t *verdicts, json_t *findings)
{
    json_t *o = json_object();
    if (o == NULL || verdicts == NULL || findings == NULL) {
        json_decref(o);
        json_decref(verdicts);
        json_decref(findings);
        return NULL;
    }
    int rc = 0;
    rc |= set(o, "run_id", json_integer(run->id));
    rc |= set(o, "policy", json_text_value(run->policy_id));
    rc |= set(o, "version", json_text_value(run->policy_version));
    rc |= set(o, "sha256", json_text_value(run->policy_sha256));
    rc |= set(o, "path", json_text_value(run->policy_path));
    rc |= set(o, "evaluated", json_time_value(run->evaluated_ms));
    rc |= set(o, "tool_version", json_text_value(run->tool_version));
    rc |= set(o, "fail_on", json_string(severity_name(run->gate.fail_on)));
    rc |= set(o, "fail_on_inconclusive", json_boolean(run->gate.fail_on_inconclusive));
    rc |= set(o, "gate_stored", json_boolean(run->gate_stored));
    rc |= set(o, "counts", rj_counts(k));
    rc |= set(o, "verdicts", verdicts);
    rc |= set(o, "findings", findings);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *rj_run(const struct report_data *d, const struct store_run *run)
{
    json_t *fs = json_array();
    int rc = fs == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < run->n_findings; i++) {
        json_t *f = report_json_finding(run, &run->findings[i]);
        rc |= f == NULL ? -1 : json_array_append_new(fs, f);
    }
    if (rc != 0) {
        json_decref(fs);
        return NULL;
    }
    struct report_counts k;
    report_count(run, -1, &k);
    return report_json_run(run, &k, rj_verdicts(d, run), fs);
}

json_t *report_json_expiry(const struct report_data *d, const struct report_expiry *e)
{
    const struct target_result *r = &d->targets[e->target];
    const struct cert_fact *c = e->cert;
    json_t *x = json_object();
    int rc = x == NULL ? -1 : 0;
    rc |= set(x, "target_id", json_integer(d->target_ids[e->target]));
    rc |= set(x, "host", json_text_value(r->host));
    rc |= set(x, "port", json_integer(r->port));
    rc |= set(x, "position", json_integer((json_int_t)e->position));
    rc |= set(x, "deployment", json_integer((json_int_t)e->deployment));
    rc |= set(x, "sha256", json_string(c->sha256));
    rc |= set(x, "subject", json_text_value(c->subject));
    rc |= set(x, "issuer", json_text_value(c->issuer));
    rc |= set(x, "not_after", json_time_value(c->not_after * 1000));
    rc |= set(x, "days_left", json_integer(e->days_left));
    rc |= set(x, "expired", json_boolean(e->expired));
    if (rc != 0) {
        json_decref(x);
        return NULL;
    }
    return x;
}

json_t *report_json_expiring(int days, json_t *certs)
{
    json_t *root = json_object();
    if (root == NULL || set(root, "days", json_integer(days)) != 0) {
        json_decref(root);
        json_decref(certs);
        return NULL;
    }
    if (set(root, "certificates", certs) != 0) { /* certs is released */
        json_decref(root);
        return NULL;
    }
    return root;
}

static json_t *rj_expiring(const struct report_data *d, const struct report_options *o,
                           int64_t now_ms)
{
    if (o->expiring_days < 0) {
        return json_null();
    }
    struct report_expiry *e = NULL;
    size_t n = 0;
    if (report_expiring(d, now_ms, o->expiring_days, &e, &n) != 0) {
        return NULL;
    }
    json_t *certs = json_array();
    int rc = certs == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *x = report_json_expiry(d, &e[i]);
        rc |= x == NULL ? -1 : json_array_append_new(certs, x);
    }
    free(e);
    if (rc != 0) {
        json_decref(certs);
        return NULL;
    }
    return report_json_expiring(o->expiring_days, certs);
}

/* The target ids of u, ascending by stored order. */
static json_t *rj_use_targets(const struct report_data *d, const struct inventory_use *u)
{
    json_t *a = json_array();
    for (size_t k = 0; a != NULL && k < u->n_targets; k++) {
        if (json_array_append_new(a, json_integer(d->target_ids[u->targets[k]])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *rj_inv_cert(const struct report_data *d, const struct inventory_cert *x)
{
    const struct cert_fact *c = x->cert;
    json_t *o = json_object();
    json_t *where = json_array();
    int rc = o == NULL || where == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < x->n_places; i++) {
        rc |= json_array_append_new(where,
                                    json_pack("{s:I, s:I, s:I}", "target_id",
                                              (json_int_t)d->target_ids[x->places[i].target],
                                              "position", (json_int_t)x->places[i].position,
                                              "deployment", (json_int_t)x->places[i].deployment));
    }
    if (rc == 0) {
        rc |= set(o, "sha256", json_string(c->sha256));
        rc |= set(o, "subject", json_text_value(c->subject));
        rc |= set(o, "issuer", json_text_value(c->issuer));
        rc |= set(o, "not_after", json_time_value(c->not_after * 1000));
        rc |= set(o, "served", where);
        where = NULL;
    }
    json_decref(where);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *rj_inv_use(const struct report_data *d, const struct inventory_use *u, bool suite)
{
    json_t *o = json_object();
    int rc = o == NULL ? -1 : 0;
    rc |= set(o, "version", json_string(tls_version_name(u->version)));
    if (suite) {
        char code[16];
        const struct suite_info *si = registry_suite_by_code(u->suite);
        snprintf(code, sizeof(code), u->suite > 0xffff ? "0x%06X" : "0x%04X", (unsigned)u->suite);
        rc |= set(o, "code", json_string(code));
        rc |= set(o, "name", si != NULL ? json_string(si->iana_name) : json_null());
    }
    rc |= set(o, "target_ids", rj_use_targets(d, u));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The inventories (PCI DSS v4.0.1 Req 4.2.1.1 and 12.3.3): docs/json-output.md, INVENTORY. */
json_t *report_json_inventory(const struct report_data *d, const struct inventory *inv_)
{
    const struct inventory inv = *inv_;
    json_t *certs = json_array(), *versions = json_array(), *suites = json_array();
    int rc = certs == NULL || versions == NULL || suites == NULL ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < inv.n_certs; i++) {
        json_t *x = rj_inv_cert(d, &inv.certs[i]);
        rc |= x == NULL ? -1 : json_array_append_new(certs, x);
    }
    for (size_t i = 0; rc == 0 && i < inv.n_versions; i++) {
        json_t *x = rj_inv_use(d, &inv.versions[i], false);
        rc |= x == NULL ? -1 : json_array_append_new(versions, x);
    }
    for (size_t i = 0; rc == 0 && i < inv.n_suites; i++) {
        json_t *x = rj_inv_use(d, &inv.suites[i], true);
        rc |= x == NULL ? -1 : json_array_append_new(suites, x);
    }
    json_t *o = rc == 0 ? json_pack("{s:o, s:o, s:o}", "certificates", certs, "versions", versions,
                                    "suites", suites)
                        : NULL;
    if (o == NULL && rc != 0) {
        json_decref(certs);
        json_decref(versions);
        json_decref(suites);
    }
    return o;
}

static json_t *rj_inventory(const struct report_data *d)
{
    struct inventory inv;
    if (inventory_build(d, &inv) != 0) {
        return NULL;
    }
    json_t *o = report_json_inventory(d, &inv);
    inventory_cleanup(&inv);
    return o;
}

/* report_json_root builds the document around targets and runs (it takes their
 * references, and those of expiring and inventory). */
json_t *report_json_root(const struct report_data *d, int64_t now_ms, json_t *targets, json_t *runs,
                         json_t *expiring, json_t *inventory, size_t n_targets, size_t n_scanned)
{
    json_t *root = json_object();
    int rc = root == NULL ? -1 : 0;
    rc |= set(root, "schema", json_string("tlsaudit-report"));
    rc |= set(root, "schema_version", json_integer(JSON_SCHEMA_VERSION));
    rc |= set(root, "tool",
              json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
    rc |= set(root, "generated", json_time_value(now_ms));
    rc |= set(root, "scan", rj_scan(d));
    rc |= set(root, "targets", targets);
    rc |= set(root, "policy_runs", runs);
    rc |= set(root, "expiring", expiring);
    rc |= set(root, "inventory", inventory);
    rc |= set(root, "summary",
              json_pack("{s:I, s:I, s:I}", "targets", (json_int_t)n_targets, "scanned",
                        (json_int_t)n_scanned, "not_scanned", (json_int_t)(n_targets - n_scanned)));
    if (rc != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int report_write_json(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len)
{
    int64_t now_ms = report_now_ms(o);
    json_t *targets = json_array();
    json_t *runs = json_array();
    int rc = targets == NULL || runs == NULL ? -1 : 0;
    size_t n_scanned = 0;
    for (size_t t = 0; rc == 0 && t < d->n_targets; t++) {
        json_t *jt = json_target_value(&d->targets[t]);
        rc |= set(jt, "target_id", json_integer(d->target_ids[t]));
        rc |= jt == NULL ? -1 : json_array_append_new(targets, jt);
        n_scanned += report_scanned(&d->targets[t]) ? 1 : 0;
    }
    for (size_t i = 0; rc == 0 && i < d->n_runs; i++) {
        json_t *jr = rj_run(d, &d->runs[i]);
        rc |= jr == NULL ? -1 : json_array_append_new(runs, jr);
    }
    json_t *root = NULL;
    if (rc == 0) {
        root = report_json_root(d, now_ms, targets, runs, rj_expiring(d, o, now_ms),
                                rj_inventory(d), d->n_targets, n_scanned);
    } else {
        json_decref(targets);
        json_decref(runs);
    }
    if (root == NULL) {
        snprintf(err, err_len, "out of memory building the JSON report");
        return -1;
    }
    rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 && fputc('\n', out) != EOF
             ? 0
             : -1;
    json_decref(root);
    if (rc != 0) {
        snprintf(err, err_len, "writing the JSON report failed");
    }
    return rc;
}

int report_write_expiring_json(FILE *out, const struct report_data *d,
                               const struct report_options *o, char *err, size_t err_len)
{
    json_t *e = rj_expiring(d, o, report_now_ms(o));
    if (e == NULL) {
        snprintf(err, err_len, "out of memory listing expiring certificates");
        return -1;
    }
    int rc = json_dumpf(e, out, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
    json_decref(e);
    if (rc != 0) {
        snprintf(err, err_len, "writing the expiring certificates failed");
        return -1;
    }
    return 0;
}
