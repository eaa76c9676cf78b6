/*
 * reports/json.c - JSON rendering of scan results with jansson (json.h).
 *
 * Layout (schema version 1, documented in docs/json-output.md):
 *   { "schema": "tlsaudit-scan", "schema_version": 1, "tool": {...},
 *     "scan": {...}, "targets": [ {...}, ... ], "summary": {...} }
 * Every server-controlled string passes through json_text(), which keeps
 * valid UTF-8 and writes any other byte as the visible text \xNN.
 */
#include "reports/json.h"
#include "reports/json_private.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "config.h"
#include "common/model/grade.h"
#include "common/model/probe_result.h"
#include "common/model/registry.h"
#include "reports/escape.h"

/* The targets are not kept: each is dumped compact (one line: a dump
 * never holds a raw newline, jansson escapes it) to an unnamed temporary
 * file as it is added, and the cross-target probes to another ("INDEX
 * DUMP" lines, index ascending); json_report_write reads them back one
 * target at a time, so memory does not grow with the number of targets.
 * An attached document (json_report_attach_file: the policy check's) stays
 * in its file too and is copied into place the same way. */
struct json_report {
    json_t *root;
    FILE *targets;
    FILE *probes;
    FILE *doc;        /* json_report_attach_file's document, or NULL */
    char doc_key[64]; /* its key */
    size_t n_targets;
    size_t n_ok;
    size_t n_failed;
    size_t last_probe; /* index of the last probe added, + 1 (0: none) */
};

/* A JSON string for s: valid UTF-8 kept, other bytes written as \xNN. */
static json_t *json_text(const char *s)
{
    if (s == NULL) {
        return json_null();
    }
    size_t n = strlen(s);
    char *buf = malloc(n * 4 + 1);
    if (buf == NULL) {
        return NULL;
    }
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = esc_utf8_len(p + i, n - i); /* the validator of every format */
        if (len == 0) {
            static const char hex[] = "0123456789abcdef";
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[p[i] >> 4];
            buf[o++] = hex[p[i] & 0xf];
            i++;
        } else {
            memcpy(buf + o, p + i, len);
            o += len;
            i += len;
        }
    }
    json_t *j = json_stringn(buf, o);
    free(buf);
    return j;
}

static json_t *json_time(int64_t ms)
{
    if (ms <= 0) {
        return json_null();
    }
    char buf[40];
    return json_string(util_iso_time(ms, buf, sizeof(buf)));
}

static json_t *json_list(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < l->n_items; i++) {
        json_array_append_new(a, json_text(l->items[i]));
    }
    return a;
}

static json_t *json_version(enum tls_version v, const struct version_fact *f)
{
    char wire[8];
    snprintf(wire, sizeof(wire), "0x%04x", tls_version_wire(v));
    json_t *o = json_pack("{s:s, s:s, s:s}", "version", tls_version_name(v), "wire", wire, "state",
                          probe_state_name(f->state));
    if (o == NULL) {
        return NULL;
    }
    if (f->reason[0] != '\0') {
        json_object_set_new(o, "reason", json_text(f->reason));
    }
    if (f->state == PROBE_ACCEPTED) {
        char code[8];
        snprintf(code, sizeof(code), "0x%04X", f->suite);
        json_object_set_new(
            o, "suite", json_pack("{s:s, s:o}", "code", code, "name", json_text(f->suite_name)));
        json_object_set_new(o, "group", f->group[0] ? json_text(f->group) : json_null());
        json_object_set_new(o, "dh_bits", f->dh_bits ? json_integer(f->dh_bits) : json_null());
        if (v == TLSV_TLS13) {
            json_object_set_new(o, "hello_retry_request", json_boolean(f->hrr));
        }
    }
    return o;
}

static json_t *json_cert(size_t pos, const struct cert_fact *c)
{
    char nb[40], na[40];
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "position", json_integer((json_int_t)pos));
    json_object_set_new(o, "sha256", json_string(c->sha256));
    json_object_set_new(o, "subject", json_text(c->subject));
    json_object_set_new(o, "issuer", json_text(c->issuer));
    json_object_set_new(o, "serial", json_string(c->serial));
    json_object_set_new(o, "not_before",
                        c->not_before
                            ? json_string(util_iso_time(c->not_before * 1000, nb, sizeof(nb)))
                            : json_null());
    json_object_set_new(o, "not_after",
                        c->not_after
                            ? json_string(util_iso_time(c->not_after * 1000, na, sizeof(na)))
                            : json_null());
    json_object_set_new(o, "days_left", json_integer(c->days_left));
    json_object_set_new(o, "key",
                        json_pack("{s:s, s:i, s:o}", "type", c->key_type, "bits", c->key_bits,
                                  "curve", c->curve[0] ? json_string(c->curve) : json_null()));
    json_object_set_new(o, "signature_algorithm", json_text(c->sig_alg));
    json_object_set_new(o, "key_usage", c->has_key_usage ? json_list(&c->key_usage) : json_null());
    json_object_set_new(o, "extended_key_usage", json_list(&c->eku));
    json_t *bc = json_object();
    json_object_set_new(bc, "ca", c->ca < 0 ? json_null() : json_boolean(c->ca == 1));
    json_object_set_new(bc, "path_len", c->path_len < 0 ? json_null() : json_integer(c->path_len));
    json_object_set_new(o, "basic_constraints", bc);
    json_object_set_new(o, "san", json_list(&c->san));
    json_object_set_new(o, "ocsp_urls", json_list(&c->ocsp_urls));
    json_object_set_new(o, "ca_issuer_urls", json_list(&c->ca_issuer_urls));
    json_object_set_new(o, "crl_urls", json_list(&c->crl_urls));
    json_object_set_new(o, "policy_oids", json_list(&c->policy_oids));
    json_object_set_new(o, "must_staple", json_boolean(c->must_staple));
    json_object_set_new(o, "sct_count", json_integer(c->n_scts));
    json_object_set_new(o, "self_signed", json_boolean(c->self_signed));
    return o;
}

static json_t *json_chain(const struct chain_fact *ch)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "trusted", json_boolean(ch->trusted));
    json_object_set_new(o, "verify_status", json_integer(ch->verify_status));
    json_object_set_new(o, "verify_errors",
                        ch->verify_text[0] ? json_text(ch->verify_text) : json_null());
    json_object_set_new(o, "hostname",
                        json_pack("{s:b, s:o, s:b}", "checked", ch->hostname_checked, "name",
                                  ch->hostname_checked ? json_text(ch->hostname) : json_null(),
                                  "match", ch->hostname_match));
    json_object_set_new(o, "expired", json_boolean(ch->expired));
    json_object_set_new(o, "not_yet_valid", json_boolean(ch->not_yet_valid));
    json_object_set_new(o, "self_signed", json_boolean(ch->self_signed));
    json_object_set_new(o, "incomplete", json_boolean(ch->incomplete));
    json_object_set_new(o, "wrong_order", json_boolean(ch->wrong_order));
    json_object_set_new(o, "min_days_left", json_integer(ch->min_days_left));
    json_t *ocsp = json_pack("{s:b, s:s}", "present", ch->ocsp_staple, "status", ch->ocsp_status);
    if (ocsp != NULL && ch->ocsp_detail[0] != '\0') {
        json_object_set_new(ocsp, "detail", json_text(ch->ocsp_detail));
    }
    json_object_set_new(o, "ocsp_staple", ocsp);
    json_object_set_new(o, "aia",
                        json_pack("{s:b, s:i, s:b, s:b, s:o}", "attempted", ch->aia_attempted,
                                  "fetched", ch->aia_fetched, "completed", ch->aia_completed,
                                  "trusted", ch->aia_trusted, "detail",
                                  ch->aia_detail[0] ? json_text(ch->aia_detail) : json_null()));
    return o;
}

static json_t *json_secs(int64_t secs)
{
    char buf[40];
    return secs > 0 ? json_string(util_iso_time(secs * 1000, buf, sizeof(buf))) : json_null();
}

static json_t *json_revocation(const struct deployment_view *d)
{
    if (!fact_collected(&d->revoc_header)) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < d->n_revoc; i++) {
        const struct revoc_fact *f = &d->revoc[i];
        json_t *o = json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "position",
                              (json_int_t)i, "status", revoc_status_name(f->status), "method",
                              f->method[0] ? json_string(f->method) : json_null(), "url",
                              f->url[0] ? json_text(f->url) : json_null(), "detail",
                              f->detail[0] ? json_text(f->detail) : json_null(), "revoked_at",
                              json_secs(f->revoked_at), "reason",
                              f->reason[0] ? json_string(f->reason) : json_null(), "this_update",
                              json_secs(f->this_update), "next_update", json_secs(f->next_update),
                              "from_cache", f->from_cache, "staple",
                              f->staple[0] ? json_string(f->staple) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

/* The STARTTLS dialogue's facts, or null for a target that ran none. */
static json_t *json_starttls(const struct starttls_fact *f)
{
    if (!fact_attempted(&f->header)) {
        return json_null();
    }
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "state", json_string(fact_state_name(f->header.state)));
    json_object_set_new(o, "detail",
                        f->header.detail[0] ? json_text(f->header.detail) : json_null());
    json_object_set_new(o, "greeted", json_boolean(f->greeted));
    json_object_set_new(o, "capabilities_read", json_boolean(f->capabilities_read));
    json_object_set_new(o, "offered", json_boolean(f->offered));
    json_object_set_new(o, "plaintext_auth", json_boolean(f->plain_auth));
    json_object_set_new(o, "upgraded", json_boolean(f->upgraded));
    json_object_set_new(o, "capabilities", json_text(f->caps));
    json_object_set_new(o, "banner", json_text(f->banner));
    json_object_set_new(o, "failure", f->failure[0] ? json_text(f->failure) : json_null());
    return o;
}

static json_t *json_http(const struct http_fact *h)
{
    if (!fact_attempted(&h->hsts) && !fact_attempted(&h->redirect)) {
        return json_null();
    }
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    if (fact_attempted(&h->hsts)) {
        json_object_set_new(
            o, "hsts",
            json_pack("{s:o, s:o, s:b, s:b, s:o, s:b, s:b, s:o}", "error",
                      h->hsts.detail[0] ? json_text(h->hsts.detail) : json_null(), "status",
                      h->https_status ? json_integer(h->https_status) : json_null(), "present",
                      h->hsts_present, "valid", h->hsts_valid, "max_age",
                      h->hsts_max_age >= 0 ? json_integer(h->hsts_max_age) : json_null(),
                      "include_subdomains", h->hsts_include_subdomains, "preload", h->hsts_preload,
                      "header", h->hsts_present ? json_text(h->hsts_header) : json_null()));
    } else {
        json_object_set_new(o, "hsts", json_null());
    }
    if (fact_attempted(&h->redirect)) {
        json_object_set_new(
            o, "http_redirect",
            json_pack("{s:o, s:o, s:b, s:o}", "error",
                      h->redirect.detail[0] ? json_text(h->redirect.detail) : json_null(), "status",
                      h->http_status ? json_integer(h->http_status) : json_null(),
                      "redirects_to_https", h->redirects_to_https, "location",
                      h->redirect_location[0] ? json_text(h->redirect_location) : json_null()));
    } else {
        json_object_set_new(o, "http_redirect", json_null());
    }
    return o;
}

static json_t *json_code_list(const uint16_t *codes, size_t n, bool groups)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        const char *name = NULL;
        if (groups) {
            const struct group_info *g = registry_group_by_code(codes[i]);
            name = g ? g->name : NULL;
        } else {
            const struct sigscheme_info *sg = registry_sigscheme_by_code(codes[i]);
            name = sg ? sg->name : NULL;
        }
        char code[8];
        snprintf(code, sizeof(code), "0x%04X", codes[i]);
        json_array_append_new(a, json_pack("{s:s, s:s?}", "code", code, "name", name));
    }
    return a;
}

static json_t *json_tri(enum fact_tri t)
{
    return t == TRI_UNKNOWN ? json_null() : json_boolean(t == TRI_YES);
}

static json_t *json_enum_version(enum tls_version v, const struct enum_version_fact *f)
{
    char wire[8];
    snprintf(wire, sizeof(wire), "0x%04x", tls_version_wire(v));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "version", tls_version_name(v), "wire", wire,
                          "state", probe_state_name(f->state), "order", enum_order_name(f->order),
                          "incomplete", f->incomplete);
    if (o == NULL) {
        return NULL;
    }
    if (f->reason[0] != '\0') {
        json_object_set_new(o, "reason", json_text(f->reason));
    }
    if (f->incomplete) {
        json_object_set_new(o, "incomplete_reason", json_text(f->incomplete_why));
    }
    json_t *suites = json_array();
    for (size_t i = 0; suites != NULL && i < f->n_suites; i++) {
        const struct enum_suite *es = &f->suites[i];
        const struct suite_info *si = registry_suite_by_code(es->code);
        char code[10];
        snprintf(code, sizeof(code), es->code > 0xffff ? "0x%06X" : "0x%04X", es->code);
        const struct group_info *g = es->ec_group ? registry_group_by_code(es->ec_group) : NULL;
        json_t *js =
            json_pack("{s:s, s:s?, s:o, s:o, s:o}", "code", code, "name", si ? si->iana_name : NULL,
                      "rank", es->server_rank >= 0 ? json_integer(es->server_rank) : json_null(),
                      "group", g ? json_string(g->name) : json_null(), "kx_bits",
                      es->kx_bits ? json_integer(es->kx_bits) : json_null());
        json_array_append_new(suites, js);
    }
    json_object_set_new(o, "suites", suites);
    return o;
}

/* The key-exchange values by hash: an array, or null when they were not
 * collected (scans stored before schema 7). */
static json_t *json_kex(const struct kex_list *l)
{
    if (!fact_collected(&l->header)) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < l->n_items; i++) {
        const struct kex_value *v = &l->items[i];
        char suite[12], group[8];
        snprintf(suite, sizeof(suite), v->suite > 0xffff ? "0x%06X" : "0x%04X", (unsigned)v->suite);
        snprintf(group, sizeof(group), "0x%04X", v->group);
        const struct group_info *g = v->group ? registry_group_by_code(v->group) : NULL;
        bool prime = v->kind == KEX_DH_PRIME;
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:i}", "kind",
                         kex_kind_name(v->kind), "version", tls_version_name(v->version), "suite",
                         v->suite ? json_string(suite) : json_null(), "group",
                         v->group ? json_string(group) : json_null(), "group_name",
                         g ? json_string(g->name) : json_null(), "sha256", v->sha256, "bits",
                         prime ? json_integer(v->bits) : json_null(), "generator",
                         prime && v->generator <= INT64_MAX ? json_integer((json_int_t)v->generator)
                                                            : json_null(),
                         "seen", (json_int_t)v->n_seen));
    }
    return a;
}

static json_t *json_enumeration(const struct enum_facts *e)
{
    if (!fact_collected(&e->header)) {
        return json_null();
    }
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "probes", json_integer((json_int_t)e->n_probes));
    json_t *vs = json_array();
    for (int v = 0; vs != NULL && v < TLSV_COUNT; v++) {
        json_array_append_new(vs, json_enum_version((enum tls_version)v, &e->versions[v]));
    }
    json_object_set_new(o, "versions", vs);
    json_object_set_new(o, "groups",
                        json_pack("{s:o, s:o}", "tls12",
                                  json_code_list(e->groups12, e->n_groups12, true), "tls13",
                                  json_code_list(e->groups13, e->n_groups13, true)));
    json_object_set_new(o, "signature_schemes",
                        json_pack("{s:o, s:o}", "tls12",
                                  json_code_list(e->sigalgs12, e->n_sigalgs12, false), "tls13",
                                  fact_collected(&e->sigalgs13_header)
                                      ? json_code_list(e->sigalgs13, e->n_sigalgs13, false)
                                      : json_null()));
    json_t *x = json_object();
    json_object_set_new(x, "secure_renegotiation", json_tri(e->secure_renegotiation));
    json_object_set_new(x, "extended_master_secret", json_tri(e->extended_master_secret));
    json_object_set_new(x, "encrypt_then_mac", json_tri(e->encrypt_then_mac));
    json_object_set_new(x, "status_request", json_tri(e->status_request));
    json_object_set_new(x, "session_ticket", json_tri(e->session_ticket));
    json_object_set_new(x, "heartbeat", json_tri(e->heartbeat));
    json_object_set_new(x, "alpn", e->alpn[0] ? json_text(e->alpn) : json_null());
    json_object_set_new(o, "extensions", x);
    json_object_set_new(o, "anomalies", e->anomalies[0] ? json_text(e->anomalies) : json_null());
    json_object_set_new(o, "kex_values", json_kex(&e->kex));
    return o;
}

/* One generic probe result. */
static json_t *json_probe(const struct probe_result *p)
{
    char suite[12];
    snprintf(suite, sizeof(suite), p->suite > 0xffff ? "0x%06X" : "0x%04X", (unsigned)p->suite);
    return json_pack(
        "{s:o, s:o, s:o, s:s, s:o, s:o}", "id", json_text(p->id), "version",
        p->version == PROBE_NO_VERSION ? json_null() : json_string(tls_version_name(p->version)),
        "suite", p->suite != 0 ? json_string(suite) : json_null(), "state",
        probe_result_state_name(p->state), "detail",
        p->detail[0] ? json_text(p->detail) : json_null(), "evidence", json_text(p->evidence));
}

/* The generic probe results: an array, empty when none. */
static json_t *json_probes(const struct probe_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < l->n_items; i++) {
        json_array_append_new(a, json_probe(&l->items[i]));
    }
    return a;
}

/* Sets d's "certificates", "chain" and "revocation" in o (a target: its
 * deployment 0; or one entry of "deployments"). */
static void json_deployment_facts(json_t *o, const struct deployment_view *d)
{
    if (o == NULL) {
        return;
    }
    json_t *certs = json_array();
    for (size_t i = 0; certs != NULL && i < d->n_certs; i++) {
        json_array_append_new(certs, json_cert(i, &d->certs[i]));
    }
    json_object_set_new(o, "certificates", certs);
    json_object_set_new(o, "chain",
                        fact_collected(&d->chain_header) ? json_chain(d->chain) : json_null());
    json_object_set_new(o, "revocation", json_revocation(d));
}

static json_t *json_grade(const struct target_result *r);

static json_t *json_target(const struct target_result *r)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "host", json_text(r->host));
    json_object_set_new(o, "port", json_integer(r->port));
    json_object_set_new(o, "sni", json_text(r->sni));
    json_object_set_new(o, "starttls", json_text(r->starttls[0] ? r->starttls : "none"));
    json_object_set_new(o, "ip", r->ip[0] ? json_string(r->ip) : json_null());
    json_object_set_new(o, "tags", json_list(&r->tags));
    json_object_set_new(o, "status", json_string(target_status_name(r->status)));
    json_object_set_new(o, "error", r->error[0] ? json_text(r->error) : json_null());
    json_object_set_new(o, "started", json_time(r->started_ms));
    json_object_set_new(o, "finished", json_time(r->finished_ms));
    json_t *vs = json_array();
    for (int v = TLSV_HS_FIRST; vs != NULL && v < TLSV_COUNT; v++) {
        json_array_append_new(vs, json_version((enum tls_version)v, &r->versions[v]));
    }
    json_object_set_new(o, "versions", vs);
    json_object_set_new(o, "enumeration", json_enumeration(&r->enumeration));
    struct deployment_view d0;
    target_deployment(r, 0, &d0);
    json_deployment_facts(o, &d0);
    json_t *deps = json_array();
    for (size_t i = 0; deps != NULL && i < target_n_deployments(r); i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        json_t *one =
            json_pack("{s:i, s:o}", "position", (json_int_t)i, "label", json_text(d.label));
        json_deployment_facts(one, &d);
        json_array_append_new(deps, one);
    }
    json_object_set_new(o, "deployments", deps);
    json_object_set_new(o, "http", json_http(&r->http));
    json_object_set_new(o, "starttls_dialogue", json_starttls(&r->dialogue));
    json_object_set_new(
        o, "probes_header",
        json_pack("{s:s, s:o}", "state", fact_state_name(r->probes.header.state), "detail",
                  r->probes.header.detail[0] ? json_text(r->probes.header.detail) : json_null()));
    json_object_set_new(o, "probes", json_probes(&r->probes));
    json_object_set_new(o, "grade", json_grade(r));
    return o;
}

struct json_report *json_report_new(const struct json_scan_info *info)
{
    struct json_report *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }
    j->targets = tmpfile();
    j->probes = tmpfile();
    j->root =
        json_pack("{s:s, s:i, s:{s:s, s:s}, s:{s:I, s:o, s:o, s:o}}", "schema", "tlsaudit-scan",
                  "schema_version", JSON_SCHEMA_VERSION, "tool", "name", PACKAGE_NAME, "version",
                  PACKAGE_VERSION, "scan", "id", (json_int_t)info->scan_id, "started",
                  json_time(info->started_ms), "database", json_text(info->db_path), "trust_store",
                  json_text(info->trust_store));
    if (j->root == NULL || j->targets == NULL || j->probes == NULL) {
        json_report_free(j);
        return NULL;
    }
    return j;
}

int json_report_scan_limit(struct json_report *j, int64_t target_budget_ms)
{
    json_t *scan = json_object_get(j->root, "scan");
    json_t *v = target_budget_ms > 0 ? json_integer(target_budget_ms) : json_null();
    return scan != NULL && json_object_set_new(scan, "target_budget_ms", v) == 0 ? 0 : -1;
}

void json_report_free(struct json_report *j)
{
    if (j == NULL) {
        return;
    }
    json_decref(j->root);
    if (j->targets != NULL) {
        fclose(j->targets);
    }
    if (j->probes != NULL) {
        fclose(j->probes);
    }
    if (j->doc != NULL) {
        fclose(j->doc);
    }
    free(j);
}

/* json_line writes v's compact dump and a newline to f (v's reference
 * taken). */
static int json_line(FILE *f, const char *prefix, json_t *v)
{
    char *text = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(v);
    int rc = text != NULL && fprintf(f, "%s%s\n", prefix, text) >= 0 ? 0 : -1;
    free(text);
    return rc;
}

int json_report_add_target(struct json_report *j, const struct target_result *r)
{
    if (json_line(j->targets, "", json_target(r)) != 0) {
        return -1;
    }
    j->n_targets++;
    if (r->status == TARGET_OK || r->status == TARGET_NO_TLS) {
        j->n_ok++;
    } else {
        j->n_failed++;
    }
    return 0;
}

int json_report_add_probe(struct json_report *j, size_t index, const struct probe_result *p)
{
    char prefix[32];
    if (index >= j->n_targets || index + 1 < j->last_probe) {
        return -1;
    }
    snprintf(prefix, sizeof(prefix), "%zu ", index);
    if (json_line(j->probes, prefix, json_probe(p)) != 0) {
        return -1;
    }
    j->last_probe = index + 1;
    return 0;
}

int json_report_attach(struct json_report *j, const char *key, const char *json_text, size_t len)
{
    json_error_t e;
    json_t *v = json_loadb(json_text, len, 0, &e);
    if (v == NULL) {
        return -1;
    }
    return json_object_set_new(j->root, key, v) == 0 ? 0 : -1;
}

#define JSON_DOC_VALUE "@@tlsaudit-scan-attached@@"

int json_report_attach_file(struct json_report *j, const char *key, FILE *doc)
{
    if (j->doc != NULL || strlen(key) >= sizeof(j->doc_key) ||
        json_object_set_new(j->root, key, json_string(JSON_DOC_VALUE)) != 0) {
        fclose(doc);
        return -1;
    }
    util_copy(j->doc_key, sizeof(j->doc_key), key);
    j->doc = doc;
    return 0;
}

int json_put_element(FILE *out, json_t *v, int depth, bool first)
{
    char *text = v != NULL ? json_dumps(v, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
    json_decref(v);
    int ret =
        text != NULL && fprintf(out, "%s\n%*s", first ? "" : ",", 2 * depth, "") >= 0 ? 0 : -1;
    for (const char *p = text; ret == 0 && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
        if (fwrite(p, 1, n, out) != n || (nl != NULL && fprintf(out, "%*s", 2 * depth, "") < 0)) {
            ret = -1;
        }
        p += n;
    }
    free(text);
    return ret;
}

/* One read-back of json_report's temporary files. */
struct json_back {
    char *line, *pline; /* getline's buffers */
    size_t cap, pcap;
    ssize_t plen; /* the probe line read ahead; -1: none left */
};

/* json_back_target reads target i back with its cross-target probes. */
static json_t *json_back_target(struct json_report *j, struct json_back *b, size_t i)
{
    json_error_t e;
    if (getline(&b->line, &b->cap, j->targets) < 0) {
        return NULL;
    }
    json_t *t = json_loads(b->line, 0, &e);
    json_t *probes = json_object_get(t, "probes");
    while (t != NULL && b->plen >= 0) {
        char *end = NULL;
        unsigned long long idx = strtoull(b->pline, &end, 10);
        if (idx != i || end == NULL || *end != ' ') {
            break;
        }
        json_t *one = json_loads(end + 1, 0, &e);
        if (!json_is_array(probes) || one == NULL || json_array_append_new(probes, one) != 0) {
            json_decref(t);
            return NULL;
        }
        b->plen = getline(&b->pline, &b->pcap, j->probes);
    }
    return t;
}

/* json_write_targets writes the "targets" array at depth 1 from the
 * temporary files. */
static int json_write_targets(struct json_report *j, FILE *out)
{
    if (j->n_targets == 0) {
        return fputs("[]", out) >= 0 ? 0 : -1;
    }
    struct json_back b = {0};
    int rc = fflush(j->targets) == 0 && fflush(j->probes) == 0 && !ferror(j->targets) &&
                     !ferror(j->probes) && fseek(j->targets, 0, SEEK_SET) == 0 &&
                     fseek(j->probes, 0, SEEK_SET) == 0 && fputc('[', out) != EOF
                 ? 0
                 : -1;
    b.plen = rc == 0 ? getline(&b.pline, &b.pcap, j->probes) : -1;
    for (size_t i = 0; rc == 0 && i < j->n_targets; i++) {
        json_t *t = json_back_target(j, &b, i);
        rc = t != NULL ? json_put_element(out, t, 2, i == 0) : -1;
    }
    rc |= rc == 0 && b.plen < 0 && fputs("\n  ]", out) >= 0 ? 0 : -1;
    free(b.line);
    free(b.pline);
    return rc;
}

#define JSON_TARGETS_VALUE "@@tlsaudit-scan-targets@@"
#define JSON_TARGETS_MARK "\n  \"targets\": \"" JSON_TARGETS_VALUE "\""

/* json_write_doc writes text up to mark (the attached document's, or
 * NULL) and the document in its place; *rest is then what follows it. */
static int json_write_doc(struct json_report *j, FILE *out, const char *text, const char *mark,
                          size_t mark_len, const char **rest)
{
    *rest = text;
    if (j->doc == NULL) {
        return 0;
    }
    if (mark == NULL) {
        return -1;
    }
    size_t head = (size_t)(mark - text) + mark_len - strlen("\"" JSON_DOC_VALUE "\"");
    *rest = mark + mark_len;
    return fwrite(text, 1, head, out) == head && json_splice_doc(out, j->doc, 1) == 0 ? 0 : -1;
}

int json_report_write(struct json_report *j, FILE *out, int64_t finished_ms, const char *state)
{
    json_t *scan = json_object_get(j->root, "scan");
    json_object_set_new(scan, "finished", json_time(finished_ms));
    json_object_set_new(scan, "state", json_string(state));
    /* The document with a mark where the targets go (found with its key,
     * newline and indentation: no string can hold a raw newline), the
     * targets read back and dumped at their depth in its place: the bytes
     * of one dump of the whole tree. */
    json_object_set_new(j->root, "targets", json_string(JSON_TARGETS_VALUE));
    json_object_set_new(j->root, "summary",
                        json_pack("{s:I, s:I, s:I}", "targets", (json_int_t)j->n_targets, "scanned",
                                  (json_int_t)j->n_ok, "not_scanned", (json_int_t)j->n_failed));
    char *text = json_dumps(j->root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    /* The attached document's key was added before "targets": its mark
     * comes first. */
    char doc_mark[sizeof(j->doc_key) + 64];
    int ml = snprintf(doc_mark, sizeof(doc_mark), "\n  \"%s\": \"" JSON_DOC_VALUE "\"", j->doc_key);
    char *dmark = text != NULL && j->doc != NULL ? strstr(text, doc_mark) : NULL;
    const char *rest = text;
    int rc = text != NULL && ml > 0 ? json_write_doc(j, out, text, dmark, (size_t)ml, &rest) : -1;
    char *mark = rc == 0 ? strstr(rest, JSON_TARGETS_MARK) : NULL;
    rc = -1;
    if (mark != NULL) {
        size_t head = (size_t)(mark - rest) + strlen("\n  \"targets\": ");
        const char *tail = mark + strlen(JSON_TARGETS_MARK);
        rc = fwrite(rest, 1, head, out) == head && json_write_targets(j, out) == 0 &&
                     fputs(tail, out) >= 0 && fputc('\n', out) != EOF
                 ? 0
                 : -1;
    }
    free(text);
    return rc;
}

/* ---- shared with the report renderer (json_private.h) ----------------------- */

json_t *json_text_value(const char *s)
{
    return json_text(s);
}

json_t *json_time_value(int64_t ms)
{
    return json_time(ms);
}

json_t *json_target_value(const struct target_result *r)
{
    return json_target(r);
}

/* json_grade: the grade object of r (docs/json-output.md, GRADE). */
static json_t *json_grade(const struct target_result *r)
{
    struct grade g;
    grade_target(r, &g);
    json_t *caps = json_array();
    for (size_t i = 0; caps != NULL && i < g.n_caps; i++) {
        const struct grade_cap *c = &g.caps[i];
        json_array_append_new(caps,
                              json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", c->id, "cap",
                                        grade_letter_name(c->cap), "reason", c->reason, "evidence",
                                        json_text(c->evidence), "source", c->source));
    }
    if (!g.graded) {
        return json_pack("{s:s, s:b, s:n, s:s, s:o}", "label", GRADE_LABEL, "graded", 0, "grade",
                         "not_graded", g.why_not, "caps", caps);
    }
    return json_pack("{s:s, s:b, s:s, s:s, s:i, s:s, s:i, s:o, s:i, s:s, s:o, s:o}", "label",
                     GRADE_LABEL, "graded", 1, "grade", grade_letter_name(g.letter),
                     "trust_ignored", grade_letter_name(g.trust_ignored), "score", g.score,
                     "score_grade", grade_letter_name(g.score_letter), "protocol", g.protocol,
                     "key_exchange",
                     g.key_exchange >= 0 ? json_integer(g.key_exchange) : json_null(), "cipher",
                     g.cipher, "suites_from", g.from_enumeration ? "enumeration" : "handshakes",
                     "note", g.note[0] ? json_string(g.note) : json_null(), "caps", caps);
}

json_t *json_grade_value(const struct target_result *r)
{
    return json_grade(r);
}
