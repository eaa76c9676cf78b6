/*
 * reports/simulate_out.c - `tlsaudit simulate`'s output: for every selected
 * target of a loaded scan and every selected client profile, the simulated
 * handshake (reports/simulate.c) as text or as the `tlsaudit-simulate` JSON
 * document (docs/json-output.md), and with a what-if the clients it breaks
 * or changes.
 *
 * Invariants: every string from the store (host, SNI, address) is written
 * through esc_visible (text) or json_text_value (JSON); the output is a
 * function of the loaded scan, the client table and the options.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/model/registry.h"
#include "config.h"
#include "reports/escape.h"
#include "reports/json_private.h"
#include "reports/report.h"
#include "reports/simulate.h"

const char *sim_client_label(const struct sim_client *c, char *buf, size_t len)
{
    if (strstr(c->name, c->version) != NULL) {
        snprintf(buf, len, "%s", c->name);
    } else {
        snprintf(buf, len, "%s %s", c->name, c->version);
    }
    return buf;
}

bool sim_client_selected(const struct sim_options *o, const struct sim_client *c)
{
    if (o->n_clients == 0) {
        return true;
    }
    char full[256];
    snprintf(full, sizeof(full), "%s %s", c->name, c->version);
    for (size_t i = 0; i < o->n_clients; i++) {
        if (fnmatch(o->clients[i], full, FNM_CASEFOLD) == 0 ||
            fnmatch(o->clients[i], c->name, FNM_CASEFOLD) == 0) {
            return true;
        }
    }
    return false;
}

/* sim_target_is: r is "host", "host:port" or "[v6]:port" t. */
static bool sim_target_is(const struct target_result *r, const char *t)
{
    char host[256];
    const char *port = NULL;
    if (t[0] == '[') {
        const char *end = strchr(t, ']');
        if (end == NULL) {
            return false;
        }
        snprintf(host, sizeof(host), "%.*s", (int)(end - t - 1), t + 1);
        port = end[1] == ':' ? end + 2 : NULL;
    } else {
        const char *colon = strrchr(t, ':');
        bool one = colon != NULL && strchr(t, ':') == colon;
        snprintf(host, sizeof(host), "%.*s", one ? (int)(colon - t) : (int)strlen(t), t);
        port = one ? colon + 1 : NULL;
    }
    if (strcasecmp(host, r->host) != 0 && strcmp(host, r->ip) != 0) {
        return false;
    }
    return port == NULL || strtoul(port, NULL, 10) == r->port;
}

bool sim_target_selected(const struct sim_options *o, const struct target_result *r)
{
    for (size_t i = 0; i < o->n_targets; i++) {
        if (sim_target_is(r, o->targets[i])) {
            return true;
        }
    }
    return o->n_targets == 0;
}

static const char *sim_suite_text(uint32_t code, char *buf, size_t len)
{
    const struct suite_info *si = registry_suite_by_code(code);
    if (si != NULL) {
        return si->iana_name;
    }
    snprintf(buf, len, "0x%04X", (unsigned)code);
    return buf;
}

static const char *sim_group_text(uint16_t code)
{
    const struct group_info *g = registry_group_by_code(code);
    return g != NULL ? g->name : "?";
}

/* ---- text ----------------------------------------------------------------------- */

static void sim_text_result(FILE *out, const struct sim_result *r)
{
    char hex[16];
    if (r->outcome != SIM_OK) {
        fprintf(out, "%s: ", r->outcome == SIM_FAIL ? "FAIL" : "unknown");
        esc_visible(out, r->reason);
        if (r->suite != 0) {
            fprintf(out, " (after the server chose %s %s)", tls_version_name(r->version),
                    sim_suite_text(r->suite, hex, sizeof(hex)));
        }
        return;
    }
    fprintf(out, "%s %s", tls_version_name(r->version), sim_suite_text(r->suite, hex, sizeof(hex)));
    if (r->group != 0) {
        fprintf(out, " %s%s", sim_group_text(r->group), r->hrr ? " (after HelloRetryRequest)" : "");
    } else if (r->kx_bits > 0) {
        fprintf(out, " DH %d", r->kx_bits);
    }
    if (r->key_type[0] != '\0') {
        fprintf(out, ", %s %d", r->key_type, r->key_bits);
    }
}

static void sim_text_client(FILE *out, const struct sim_client *c, int width)
{
    char full[256];
    fprintf(out, "  %-*s %s  ", width, sim_client_label(c, full, sizeof(full)),
            c->captured ? "[here]" : "[pub.]");
}

static size_t sim_text_target(FILE *out, const struct target_result *r, const struct sim_options *o,
                              int width)
{
    char label[300];
    bool what_if = sim_change_active(o->change);
    size_t n_breaks = 0, n_same = 0;
    fprintf(out, "\n");
    esc_visible(out, report_target_label(r, label, sizeof(label)));
    if (r->sni != NULL) {
        fputs(" (SNI ", out);
        esc_visible(out, r->sni);
        fputs(")", out);
    }
    fputs("\n", out);
    for (size_t i = 0; i < sim_n_clients; i++) {
        const struct sim_client *c = &sim_clients[i];
        if (!sim_client_selected(o, c)) {
            continue;
        }
        struct sim_result before, after;
        sim_negotiate(r, NULL, c, &before);
        if (!what_if) {
            sim_text_client(out, c, width);
            sim_text_result(out, &before);
            fputs("\n", out);
            if (before.note[0] != '\0') {
                fprintf(out, "  %-*s         note: %s\n", width, "", before.note);
            }
            continue;
        }
        sim_negotiate(r, o->change, c, &after);
        if (sim_same(&before, &after)) {
            n_same++;
            continue;
        }
        bool breaks = before.outcome == SIM_OK && after.outcome == SIM_FAIL;
        n_breaks += breaks;
        sim_text_client(out, c, width);
        fputs(breaks ? "BREAKS  " : "changes ", out);
        sim_text_result(out, &before);
        fputs("  ->  ", out);
        sim_text_result(out, &after);
        fputs("\n", out);
    }
    if (what_if) {
        fprintf(out, "  %zu client%s would break, %zu unchanged\n", n_breaks,
                n_breaks == 1 ? "" : "s", n_same);
    }
    return n_breaks;
}

static void sim_text_head(FILE *out, const struct report_data *d, const struct sim_options *o)
{
    size_t n = 0, n_here = 0;
    for (size_t i = 0; i < sim_n_clients; i++) {
        if (sim_client_selected(o, &sim_clients[i])) {
            n++;
            n_here += sim_clients[i].captured;
        }
    }
    fprintf(out,
            "Client simulation over scan %lld (%s): %zu client%s, %zu captured here "
            "[here], %zu from published facts [pub.]; no connection made\n",
            (long long)d->info.id, d->info.state, n, n == 1 ? "" : "s", n_here, n - n_here);
    if (sim_change_active(o->change)) {
        fprintf(out, "What-if: the server with %s removed; clients whose handshake changes:\n",
                o->change_text != NULL ? o->change_text : "the change");
    }
}

int sim_write_text(FILE *out, const struct report_data *d, const struct sim_options *o,
                   size_t *out_breaks, size_t *out_targets, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    int width = 0;
    for (size_t i = 0; i < sim_n_clients; i++) {
        char full[256];
        int w = (int)strlen(sim_client_label(&sim_clients[i], full, sizeof(full)));
        width = w > width ? w : width;
    }
    sim_text_head(out, d, o);
    *out_breaks = 0;
    *out_targets = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        if (!sim_target_selected(o, &d->targets[t])) {
            continue;
        }
        (*out_targets)++;
        *out_breaks += sim_text_target(out, &d->targets[t], o, width);
    }
    return 0;
}

/* ---- JSON ---------------------------------------------------------------------- */

static json_t *sim_json_result(const struct sim_result *r)
{
    char hex[16];
    json_t *o = json_object();
    json_object_set_new(o, "outcome", json_string(sim_outcome_name(r->outcome)));
    if (r->outcome != SIM_OK) {
        json_object_set_new(o, "reason", json_text_value(r->reason));
    }
    if (r->suite == 0) {
        return o; /* the handshake ended before the server chose */
    }
    json_object_set_new(o, "version", json_string(tls_version_name(r->version)));
    json_object_set_new(o, "suite", json_string(sim_suite_text(r->suite, hex, sizeof(hex))));
    snprintf(hex, sizeof(hex), "0x%04X", (unsigned)r->suite);
    json_object_set_new(o, "suite_code", json_string(hex));
    if (r->outcome != SIM_OK) {
        return o; /* the server chose; the client refuses (reason) */
    }
    json_object_set_new(o, "group", r->group ? json_string(sim_group_text(r->group)) : json_null());
    json_object_set_new(o, "kx_bits", r->kx_bits > 0 ? json_integer(r->kx_bits) : json_null());
    json_object_set_new(o, "hello_retry", json_boolean(r->hrr));
    json_object_set_new(o, "key_type", r->key_type[0] ? json_string(r->key_type) : json_null());
    json_object_set_new(o, "key_bits", r->key_bits > 0 ? json_integer(r->key_bits) : json_null());
    json_object_set_new(o, "note", r->note[0] ? json_text_value(r->note) : json_null());
    return o;
}

static json_t *sim_json_target(const struct target_result *r, const struct sim_options *o,
                               size_t *n_breaks)
{
    json_t *t = json_object();
    json_object_set_new(t, "host", json_text_value(r->host));
    json_object_set_new(t, "port", json_integer(r->port));
    json_object_set_new(t, "sni", r->sni != NULL ? json_text_value(r->sni) : json_null());
    json_object_set_new(t, "ip", json_text_value(r->ip));
    json_object_set_new(t, "starttls", json_text_value(r->starttls));
    json_t *clients = json_array();
    bool what_if = sim_change_active(o->change);
    for (size_t i = 0; i < sim_n_clients; i++) {
        const struct sim_client *c = &sim_clients[i];
        if (!sim_client_selected(o, c)) {
            continue;
        }
        struct sim_result before, after;
        sim_negotiate(r, NULL, c, &before);
        json_t *e = json_object();
        json_object_set_new(e, "client", json_string(c->name));
        json_object_set_new(e, "client_version", json_string(c->version));
        json_object_set_new(e, "profile", json_string(c->captured ? "captured" : "published"));
        json_object_set_new(e, "result", sim_json_result(&before));
        if (what_if) {
            sim_negotiate(r, o->change, c, &after);
            bool breaks = before.outcome == SIM_OK && after.outcome == SIM_FAIL;
            *n_breaks += breaks;
            json_object_set_new(e, "after", sim_json_result(&after));
            json_object_set_new(e, "changes", json_boolean(!sim_same(&before, &after)));
            json_object_set_new(e, "breaks", json_boolean(breaks));
        }
        json_array_append_new(clients, e);
    }
    json_object_set_new(t, "clients", clients);
    return t;
}

static json_t *sim_json_profiles(const struct sim_options *o)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sim_n_clients; i++) {
        const struct sim_client *c = &sim_clients[i];
        if (!sim_client_selected(o, c)) {
            continue;
        }
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(c->name));
        json_object_set_new(e, "version", json_string(c->version));
        json_object_set_new(e, "profile", json_string(c->captured ? "captured" : "published"));
        json_object_set_new(e, "source", json_string(c->source));
        json_array_append_new(a, e);
    }
    return a;
}

int sim_write_json(FILE *out, const struct report_data *d, const struct sim_options *o,
                   size_t *out_breaks, size_t *out_targets, char *err, size_t err_len)
{
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_string("tlsaudit-simulate"));
    json_object_set_new(root, "schema_version", json_integer(1));
    json_object_set_new(root, "tool",
                        json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
    json_t *scan = json_object();
    json_object_set_new(scan, "id", json_integer(d->info.id));
    json_object_set_new(scan, "state", json_string(d->info.state));
    json_object_set_new(scan, "started", json_time_value(d->info.started_ms));
    json_object_set_new(root, "scan", scan);
    json_object_set_new(root, "what_if",
                        sim_change_active(o->change) && o->change_text != NULL
                            ? json_string(o->change_text)
                            : json_null());
    json_object_set_new(root, "clients", sim_json_profiles(o));
    json_t *targets = json_array();
    *out_breaks = 0;
    *out_targets = 0;
    for (size_t t = 0; t < d->n_targets; t++) {
        if (sim_target_selected(o, &d->targets[t])) {
            (*out_targets)++;
            json_array_append_new(targets, sim_json_target(&d->targets[t], o, out_breaks));
        }
    }
    json_object_set_new(root, "targets", targets);
    json_object_set_new(root, "breaks", json_integer((json_int_t)*out_breaks));
    int rc = root != NULL ? json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
    fputs("\n", out);
    json_decref(root);
    if (rc != 0) {
        snprintf(err, err_len, "writing the JSON simulation failed");
        return -1;
    }
    return 0;
}
