/*
 * reports/diff_json.c - the JSON rendering of a diff: the `tlsaudit-diff`
 * document (docs/diff-output.md), schema version DIFF_JSON_SCHEMA_VERSION.
 *
 * Pipeline position: struct diff (reports/diff.c) -> diff_write ->
 * [diff_write_json] -> out.
 *
 * Invariant: every string that came from a server (certificate subject,
 * evidence, error text, and the host/SNI/IP as stored) goes through
 * json_text_value: jansson with non-UTF-8 bytes made visible first.
 */
#include <jansson.h>

#include "common/util.h"
#include "config.h"
#include "reports/diff_private.h"
#include "reports/json_private.h"

static json_t *jtime(int64_t ms)
{
    char t[32];
    return json_string(util_iso_time(ms, t, sizeof(t)));
}

static json_t *jlist(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < l->n_items; i++) {
        if (json_array_append_new(a, json_text_value(l->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *jentry(const struct diff_entry *e)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    int bad = 0;
    bad |= json_object_set_new(o, "kind", json_string(diff_kind_name(e->kind)));
    bad |= json_object_set_new(o, "worse", json_boolean(e->worse));
    bad |= json_object_set_new(o, "version",
                               e->version >= 0
                                   ? json_string(tls_version_name((enum tls_version)e->version))
                                   : json_null());
    bool coded = e->kind == DIFF_SUITE_ADDED || e->kind == DIFF_SUITE_REMOVED ||
                 e->kind == DIFF_GROUP_ADDED || e->kind == DIFF_GROUP_REMOVED;
    bad |= json_object_set_new(o, "code", coded ? json_integer((json_int_t)e->code) : json_null());
    bad |= json_object_set_new(o, "name", json_text_value(e->name));
    bad |= json_object_set_new(o, "policy", json_text_value(e->policy_id));
    bad |= json_object_set_new(o, "rule_id", json_text_value(e->rule_id));
    bad |= json_object_set_new(o, "severity", json_text_value(e->severity));
    bad |= json_object_set_new(o, "before", json_text_value(e->before));
    bad |= json_object_set_new(o, "after", json_text_value(e->after));
    bad |= json_object_set_new(o, "detail", json_text_value(e->detail));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *presence_name(enum diff_presence p)
{
    return p == DIFF_IN_BOTH ? "both" : p == DIFF_ONLY_A ? "only_a" : "only_b";
}

static json_t *jtarget(const struct diff *d, size_t i)
{
    const struct diff_target *t = &d->targets[i];
    json_t *o = json_object();
    json_t *ch = json_array();
    if (o == NULL || ch == NULL) {
        json_decref(o);
        json_decref(ch);
        return NULL;
    }
    int bad = 0;
    for (size_t k = 0; k < d->n_entries && !bad; k++) {
        if (d->entries[k].target == i) {
            bad |= json_array_append_new(ch, jentry(&d->entries[k]));
        }
    }
    bad |= json_object_set_new(o, "host", json_text_value(t->host));
    bad |= json_object_set_new(o, "port", json_integer(t->port));
    bad |= json_object_set_new(o, "ip", t->ip[0] ? json_text_value(t->ip) : json_null());
    bad |= json_object_set_new(o, "sni", json_text_value(t->sni));
    bad |= json_object_set_new(o, "starttls", json_text_value(t->starttls));
    bad |= json_object_set_new(o, "presence", json_string(presence_name(t->presence)));
    bad |= json_object_set_new(o, "worse", json_integer((json_int_t)t->n_worse));
    bad |= json_object_set_new(o, "changes", ch);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *jscan(int64_t id, int64_t started_ms, const char *state)
{
    return json_pack("{s:I, s:o, s:s}", "id", (json_int_t)id, "started", jtime(started_ms), "state",
                     state);
}

int diff_write_json(FILE *out, const struct diff *d, char *err, size_t err_len)
{
    json_t *root = json_object();
    json_t *targets = json_array();
    int bad = root == NULL || targets == NULL;
    size_t changed = 0;
    for (size_t i = 0; i < d->n_targets && !bad; i++) {
        changed += d->targets[i].presence == DIFF_IN_BOTH && d->targets[i].n_changes > 0;
        bad |= json_array_append_new(targets, jtarget(d, i));
    }
    if (!bad) {
        bad |= json_object_set_new(root, "schema", json_string("tlsaudit-diff"));
        bad |= json_object_set_new(root, "schema_version", json_integer(DIFF_JSON_SCHEMA_VERSION));
        bad |= json_object_set_new(
            root, "tool",
            json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
        bad |= json_object_set_new(root, "scan_a", jscan(d->scan_a, d->started_a_ms, d->state_a));
        bad |= json_object_set_new(root, "scan_b", jscan(d->scan_b, d->started_b_ms, d->state_b));
        bad |= json_object_set_new(root, "worse", json_boolean(d->n_worse > 0));
        bad |= json_object_set_new(
            root, "summary",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "changes", (json_int_t)d->n_entries,
                      "worse", (json_int_t)d->n_worse, "targets_changed", (json_int_t)changed,
                      "targets_in_both", (json_int_t)diff_count_presence(d, DIFF_IN_BOTH),
                      "targets_only_a", (json_int_t)diff_count_presence(d, DIFF_ONLY_A),
                      "targets_only_b", (json_int_t)diff_count_presence(d, DIFF_ONLY_B)));
        bad |= json_object_set_new(
            root, "policies",
            json_pack("{s:o, s:o, s:o}", "compared", jlist(&d->policies_compared), "only_a",
                      jlist(&d->policies_only_a), "only_b", jlist(&d->policies_only_b)));
        bad |= json_object_set(root, "targets", targets);
    }
    json_decref(targets);
    if (bad) {
        json_decref(root);
        snprintf(err, err_len, "building the JSON diff: out of memory");
        return -1;
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputs("\n", out);
    json_decref(root);
    if (rc != 0) {
        snprintf(err, err_len, "writing the JSON diff failed");
        return -1;
    }
    return 0;
}
