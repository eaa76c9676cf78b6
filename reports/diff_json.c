/*
 * reports/diff_json.c - the JSON rendering of a diff: the `tlsaudit-diff`
 * document (docs/diff-output.md), schema version DIFF_JSON_SCHEMA_VERSION.
 *
 * Pipeline position: one target's view of a diff at a time
 * (reports/diff_out.c's writer) -> [diff_json_element] -> a temporary
 * file -> [diff_json_document] -> out.
 *
 * Invariant: every string that came from a server (certificate subject,
 * evidence, error text, and the host/SNI/IP as stored) goes through
 * json_text_value: jansson with non-UTF-8 bytes made visible first.
 */
#include <stdlib.h>
#include <string.h>

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

/* jtarget: the object of one's target with its changes (every entry of
 * the view). */
static json_t *jtarget(const struct diff *one)
{
    const struct diff_target *t = &one->targets[0];
    json_t *o = json_object();
    json_t *ch = json_array();
    if (o == NULL || ch == NULL) {
        json_decref(o);
        json_decref(ch);
        return NULL;
    }
    int bad = 0;
    for (size_t k = 0; k < one->n_entries && !bad; k++) {
        bad |= json_array_append_new(ch, jentry(&one->entries[k]));
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

/* The document's layout: jansson's JSON_INDENT(2) (JSON_PRESERVE_ORDER:
 * keys as set), the targets' elements at depth 2. */
#define DJ_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)
#define DJ_DEPTH 2
/* What stands for the targets in the document dumped around them: found
 * with its key, newline and indentation (jansson escapes every newline in
 * a string, so no stored text can make one). */
#define DJ_MARK "@@tlsaudit-diff-targets@@"
#define DJ_TARGETS_MARK "\n  \"targets\": \"" DJ_MARK "\""

int diff_json_element(FILE *f, const struct diff *one)
{
    json_t *v = jtarget(one);
    char *text = v != NULL ? json_dumps(v, DJ_FLAGS) : NULL;
    json_decref(v);
    int ret = text != NULL && fprintf(f, ",\n%*s", 2 * DJ_DEPTH, "") >= 0 ? 0 : -1;
    for (const char *p = text; ret == 0 && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
        if (fwrite(p, 1, n, f) != n || (nl != NULL && fprintf(f, "%*s", 2 * DJ_DEPTH, "") < 0)) {
            ret = -1;
        }
        p += n;
    }
    free(text);
    return ret;
}

/* dj_root: the document with the mark for its targets. */
static json_t *dj_root(const struct diff *d, const struct diff_totals *k)
{
    json_t *root = json_object();
    int bad = root == NULL;
    size_t both = k->changed + k->unchanged;
    if (!bad) {
        bad |= json_object_set_new(root, "schema", json_string("tlsaudit-diff"));
        bad |= json_object_set_new(root, "schema_version", json_integer(DIFF_JSON_SCHEMA_VERSION));
        bad |= json_object_set_new(
            root, "tool",
            json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
        bad |= json_object_set_new(root, "scan_a", jscan(d->scan_a, d->started_a_ms, d->state_a));
        bad |= json_object_set_new(root, "scan_b", jscan(d->scan_b, d->started_b_ms, d->state_b));
        bad |= json_object_set_new(root, "worse", json_boolean(k->n_worse > 0));
        bad |= json_object_set_new(
            root, "summary",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "changes", (json_int_t)k->n_entries,
                      "worse", (json_int_t)k->n_worse, "targets_changed", (json_int_t)k->changed,
                      "targets_in_both", (json_int_t)both, "targets_only_a", (json_int_t)k->only_a,
                      "targets_only_b", (json_int_t)k->only_b));
        bad |= json_object_set_new(
            root, "policies",
            json_pack("{s:o, s:o, s:o}", "compared", jlist(&d->policies_compared), "only_a",
                      jlist(&d->policies_only_a), "only_b", jlist(&d->policies_only_b)));
        bad |= json_object_set_new(root, "targets", json_string(DJ_MARK));
    }
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int diff_json_document(FILE *out, const struct diff *head, const struct diff_totals *k, FILE *body,
                       FILE *only_a, char *err, size_t err_len)
{
    json_t *root = dj_root(head, k);
    if (root == NULL) {
        snprintf(err, err_len, "building the JSON diff: out of memory");
        return -1;
    }
    char *text = json_dumps(root, DJ_FLAGS);
    json_decref(root);
    const char *mark = text != NULL ? strstr(text, DJ_TARGETS_MARK) : NULL;
    int rc = mark != NULL ? 0 : -1;
    size_t n_body = k->changed + k->unchanged + k->only_b;
    if (rc == 0) {
        size_t head_len = (size_t)(mark - text) + strlen("\n  \"targets\": ");
        rc = fwrite(text, 1, head_len, out) == head_len ? 0 : -1;
    }
    if (rc == 0 && n_body + k->only_a == 0) {
        rc = fputs("[]", out) >= 0 ? 0 : -1;
    } else if (rc == 0) {
        /* every element was written after a ","; the first one's goes */
        rc = fputc('[', out) != EOF && diff_copy_file(out, body, n_body > 0) == 0 &&
                     diff_copy_file(out, only_a, n_body == 0) == 0 &&
                     fprintf(out, "\n%*s]", 2 * (DJ_DEPTH - 1), "") >= 0
                 ? 0
                 : -1;
    }
    if (rc == 0) {
        rc = fputs(mark + strlen(DJ_TARGETS_MARK), out) >= 0 && fputc('\n', out) != EOF ? 0 : -1;
    }
    free(text);
    if (rc != 0) {
        snprintf(err, err_len, "writing the JSON diff failed");
        return -1;
    }
    return 0;
}
