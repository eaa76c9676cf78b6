/*
 * policies/load_node.c - typed reads of the nodes of a policy document
 * (libyaml's document API), each failing with "FILE:LINE:COLUMN: what was
 * expected" (1-based, from libyaml's marks): the accessor interface the
 * loader (load.c) and the checks' load functions (policies/checks/) share,
 * and the error text of libyaml's own failures.
 *
 * Where it sits: policy text -> load.c (libyaml parse) -> [these reads] ->
 * struct policy. One of libyaml's adapter files (tests/layers.sh).
 *
 * Invariants: a read that fails has written the error (f->ld->err) and
 * returns false or NULL; no read changes the document.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "common/strlist.h"
#include "common/util.h"
#include "policies/load_yaml.h"

/* ---- errors ---------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) bool load_fail_at(struct pfile *f, size_t line, size_t col,
                                                        const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(f->ld->err, f->ld->err_len, "%s:%zu:%zu: %s", f->path, line, col, msg);
    return false;
}

/* load_fail reports a problem at node n (1-based line and column). */
__attribute__((format(printf, 3, 4))) bool load_fail(struct pfile *f, const yaml_node_t *n,
                                                     const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return load_fail_at(f, n->start_mark.line + 1, n->start_mark.column + 1, "%s", msg);
}

/* load_escape_err rewrites the control characters of err (C0, DEL, and C1
 * in UTF-8) as \xNN, so that an error quoting the file's text stays one
 * line and cannot drive a terminal. Idempotent: it writes none of them. */
void load_escape_err(char *err, size_t err_len)
{
    static const char hex[] = "0123456789abcdef";
    char out[2048];
    size_t o = 0;
    if (err_len == 0) {
        return;
    }
    for (size_t i = 0; err[i] != '\0' && o + 9 < sizeof(out); i++) {
        unsigned char c = (unsigned char)err[i];
        unsigned char next = (unsigned char)err[i + 1];
        if (c < 0x20 || c == 0x7f || (c == 0xc2 && next >= 0x80 && next <= 0x9f)) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0f];
            if (c == 0xc2) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[next >> 4];
                out[o++] = hex[next & 0x0f];
                i++;
            }
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    snprintf(err, err_len, "%s", out);
}

bool load_oom(struct pfile *f)
{
    snprintf(f->ld->err, f->ld->err_len, "%s: out of memory", f->path);
    return false;
}

/* ---- node helpers ---------------------------------------------------------- */

yaml_node_t *load_node(struct pfile *f, int index)
{
    return yaml_document_get_node(&f->doc, index);
}

static bool load_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *v = (const char *)n->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* A description of a node for "expected X, found Y". */
struct load_found {
    char text[96];
};

/* load_kind describes n: "'TLS1.0'", "the quoted string '2048'", "a list". */
static const char *load_kind(const yaml_node_t *n, struct load_found *buf)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        if (load_is_null(n)) {
            return "nothing (null)";
        }
        const char *v = (const char *)n->data.scalar.value;
        bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        int len = (int)strnlen(v, 40);
        snprintf(buf->text, sizeof(buf->text), "%s'%.*s%s'", plain ? "" : "the quoted string ", len,
                 v, v[len] != '\0' ? "..." : "");
        return buf->text;
    }
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

/* load_tag_ok rejects explicit tags (!!int, !custom): the schema decides types. */
static bool load_tag_ok(struct pfile *f, const yaml_node_t *n)
{
    const char *want = n->type == YAML_SCALAR_NODE     ? YAML_DEFAULT_SCALAR_TAG
                       : n->type == YAML_SEQUENCE_NODE ? YAML_DEFAULT_SEQUENCE_TAG
                                                       : YAML_DEFAULT_MAPPING_TAG;
    if (n->tag != NULL && strcmp((const char *)n->tag, want) != 0) {
        return load_fail(f, n, "unexpected tag '%s': expected plain YAML without tags",
                         (const char *)n->tag);
    }
    return true;
}

/* load_text returns the text of scalar n, or NULL after an error saying
 * `what` was expected. Rejects null, embedded NUL bytes and tags. */
const char *load_text(struct pfile *f, const yaml_node_t *n, const char *what)
{
    struct load_found found;
    if (n->type != YAML_SCALAR_NODE || load_is_null(n)) {
        load_fail(f, n, "expected %s, found %s", what, load_kind(n, &found));
        return NULL;
    }
    if (!load_tag_ok(f, n)) {
        return NULL;
    }
    const char *v = (const char *)n->data.scalar.value;
    if (strlen(v) != n->data.scalar.length) {
        load_fail(f, n, "expected %s, found a string with a NUL character", what);
        return NULL;
    }
    return v;
}

/* load_string copies scalar n into out (out_size bytes, non-empty text). */
bool load_string(struct pfile *f, const yaml_node_t *n, const char *what, char *out,
                 size_t out_size)
{
    const char *v = load_text(f, n, what);
    if (v == NULL) {
        return false;
    }
    if (v[0] == '\0') {
        return load_fail(f, n, "expected %s, found an empty string", what);
    }
    if (strlen(v) >= out_size) {
        return load_fail(f, n, "expected %s of at most %zu characters", what, out_size - 1);
    }
    util_copy(out, out_size, v);
    return true;
}

/* load_int reads a plain decimal integer in [min, max]. */
bool load_int(struct pfile *f, const yaml_node_t *n, const char *what, unsigned long min,
              unsigned long max, int *out)
{
    struct load_found found;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        load_is_null(n)) {
        return load_fail(f, n, "expected %s (a number from %lu to %lu), found %s", what, min, max,
                         load_kind(n, &found));
    }
    const char *v = load_text(f, n, what);
    unsigned long x = 0;
    if (v == NULL) {
        return false;
    }
    if (!util_parse_ulong(v, min, max, &x)) {
        return load_fail(f, n, "expected %s (a number from %lu to %lu), found '%s'", what, min, max,
                         v);
    }
    *out = (int)x;
    return true;
}

/* load_true accepts exactly `true`: a check that tests nothing is no rule. */
bool load_true(struct pfile *f, const yaml_node_t *n, const char *check)
{
    struct load_found found;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        strcmp((const char *)n->data.scalar.value, "true") == 0) {
        return load_tag_ok(f, n);
    }
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        strcmp((const char *)n->data.scalar.value, "false") == 0) {
        return load_fail(f, n, "expected 'true' for %s (to not require it, leave the rule out)",
                         check);
    }
    return load_fail(f, n, "expected 'true' for %s, found %s", check, load_kind(n, &found));
}

static bool load_is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* load_days_from_civil returns the days since 1970-01-01 of a valid date
 * (the proleptic Gregorian calendar; H. Hinnant's algorithm). */
static int64_t load_days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* March = 0 */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

/* load_date parses YYYY-MM-DD into the Unix seconds of 00:00 UTC that day. */
bool load_date(struct pfile *f, const yaml_node_t *n, const char *what, int64_t *out, char text[16])
{
    const char *v = load_text(f, n, what);
    if (v == NULL) {
        return false;
    }
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool shape = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    for (unsigned i = 0; shape && i < 10; i++) {
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) {
            shape = false;
        }
    }
    if (shape) {
        long y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
        unsigned m = (unsigned)((v[5] - '0') * 10 + (v[6] - '0'));
        unsigned d = (unsigned)((v[8] - '0') * 10 + (v[9] - '0'));
        if (y >= 1970 && m >= 1 && m <= 12 && d >= 1 &&
            d <= mdays[m - 1] + (m == 2 && load_is_leap(y))) {
            *out = load_days_from_civil(y, m, d) * 86400;
            util_copy(text, 16, v);
            return true;
        }
    }
    return load_fail(f, n, "expected %s as a date YYYY-MM-DD, found '%s'", what, v);
}

static bool load_want(struct pfile *f, const yaml_node_t *n, yaml_node_type_t type,
                      const char *what)
{
    struct load_found found;
    if (n->type != type) {
        return load_fail(f, n, "expected %s, found %s", what, load_kind(n, &found));
    }
    return load_tag_ok(f, n);
}

size_t load_seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *load_seq_item(struct pfile *f, const yaml_node_t *n, size_t i)
{
    return load_node(f, n->data.sequence.items.start[i]);
}

/* load_list checks that n is a list of 1..LOAD_MAX_LIST items (or 0.. with
 * may_be_empty). */
bool load_list(struct pfile *f, const yaml_node_t *n, const char *what, bool may_be_empty)
{
    if (!load_want(f, n, YAML_SEQUENCE_NODE, what)) {
        return false;
    }
    size_t len = load_seq_len(n);
    if (len == 0 && !may_be_empty) {
        return load_fail(f, n, "expected %s, found an empty list", what);
    }
    if (len > LOAD_MAX_LIST) {
        return load_fail(f, n, "expected %s of at most %d items", what, LOAD_MAX_LIST);
    }
    return true;
}

/* load_map_open checks n as a mapping (what = "a rule", ...). When allowed
 * is not NULL, every key must be one of its words (expected_text lists them
 * in the error). */
bool load_map_open(struct pfile *f, const yaml_node_t *n, const char *what,
                   const char *const *allowed, const char *expected_text, struct load_map *out)
{
    struct load_found found;
    if (n->type != YAML_MAPPING_NODE) {
        return load_fail(f, n, "expected %s (a mapping), found %s", what, load_kind(n, &found));
    }
    if (!load_tag_ok(f, n)) {
        return false;
    }
    out->node = n;
    out->pairs = n->data.mapping.pairs.start;
    out->n_pairs = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    /* the duplicate check below compares each key with all before it */
    if (out->n_pairs > LOAD_MAX_LIST) {
        return load_fail(f, n, "expected %s of at most %d keys", what, LOAD_MAX_LIST);
    }
    for (size_t i = 0; i < out->n_pairs; i++) {
        yaml_node_t *k = load_node(f, out->pairs[i].key);
        const char *key = load_text(f, k, "a key");
        if (key == NULL) {
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            yaml_node_t *k2 = load_node(f, out->pairs[j].key);
            if (strcmp(key, (const char *)k2->data.scalar.value) == 0) {
                return load_fail(f, k,
                                 "duplicate key '%s' (first at line %zu): expected each key "
                                 "once",
                                 key, (size_t)k2->start_mark.line + 1);
            }
        }
        if (allowed == NULL) {
            continue;
        }
        bool known = false;
        for (const char *const *a = allowed; *a != NULL; a++) {
            known = known || strcmp(*a, key) == 0;
        }
        if (!known) {
            return load_fail(f, k, "unknown key '%s' in %s: expected %s", key, what, expected_text);
        }
    }
    return true;
}

/* load_map_get returns the value of key (and its key node), or NULL. */
yaml_node_t *load_map_get(struct pfile *f, const struct load_map *m, const char *key,
                          yaml_node_t **out_key)
{
    for (size_t i = 0; i < m->n_pairs; i++) {
        yaml_node_t *k = load_node(f, m->pairs[i].key);
        if (strcmp((const char *)k->data.scalar.value, key) == 0) {
            if (out_key != NULL) {
                *out_key = k;
            }
            return load_node(f, m->pairs[i].value);
        }
    }
    return NULL;
}

yaml_node_t *load_map_key(struct pfile *f, const struct load_map *m, size_t i)
{
    return load_node(f, m->pairs[i].key);
}

yaml_node_t *load_map_value(struct pfile *f, const struct load_map *m, size_t i)
{
    return load_node(f, m->pairs[i].value);
}

bool load_is_list(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE;
}

bool load_scalar_is(const yaml_node_t *n, const char *word)
{
    return n->type == YAML_SCALAR_NODE && strcmp((const char *)n->data.scalar.value, word) == 0;
}

/* load_id checks an id: letters, digits, '.', '_', '-', starting with a
 * letter or digit, at most 63 characters. */
bool load_id(struct pfile *f, const yaml_node_t *n, const char *what, char out[64])
{
    char tmp[256];
    if (!load_string(f, n, what, tmp, sizeof(tmp))) {
        return false;
    }
    bool ok =
        strlen(tmp) < 64 && ((tmp[0] >= 'a' && tmp[0] <= 'z') || (tmp[0] >= 'A' && tmp[0] <= 'Z') ||
                             (tmp[0] >= '0' && tmp[0] <= '9'));
    for (const char *c = tmp; ok && *c != '\0'; c++) {
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
             *c == '.' || *c == '_' || *c == '-';
    }
    if (!ok) {
        return load_fail(f, n,
                         "expected %s of letters, digits, '.', '_' and '-' (at most 63 "
                         "characters, starting with a letter or digit), found '%s'",
                         what, tmp);
    }
    util_copy(out, 64, tmp);
    return true;
}

/* load_strings appends a string or a list of strings to out. */
bool load_strings(struct pfile *f, const yaml_node_t *n, const char *what, struct strlist *out)
{
    if (n->type == YAML_SCALAR_NODE) {
        const char *v = load_text(f, n, what);
        if (v == NULL) {
            return false;
        }
        if (v[0] == '\0') {
            return load_fail(f, n, "expected %s, found an empty string", what);
        }
        return strlist_add(out, v) == 0 ? true : load_oom(f);
    }
    if (!load_list(f, n, what, false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(n); i++) {
        yaml_node_t *item = load_seq_item(f, n, i);
        const char *v = load_text(f, item, what);
        if (v == NULL) {
            return false;
        }
        if (v[0] == '\0') {
            return load_fail(f, item, "expected %s, found an empty string", what);
        }
        if (strlist_add(out, v) != 0) {
            return load_oom(f);
        }
    }
    return true;
}

/* load_yaml_error formats libyaml's error; a reader error (bad UTF-8) has
 * only a byte offset, which becomes a line and column here. */
bool load_yaml_error(struct pfile *f, const yaml_parser_t *p, const char *text, size_t len)
{
    if (p->error == YAML_MEMORY_ERROR) {
        return load_oom(f);
    }
    const char *problem = p->problem != NULL ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        /* NUL and the other control characters are valid UTF-8: say what
         * they are (problem_value holds the character) */
        if (strcmp(problem, "control characters are not allowed") == 0) {
            if (p->problem_value == 0) {
                return load_fail_at(f, line, col,
                                    "a NUL byte: expected YAML text without NUL bytes");
            }
            return load_fail_at(f, line, col,
                                "control character U+%04X: expected YAML text (tab, newline and "
                                "printable characters)",
                                (unsigned)p->problem_value);
        }
        return load_fail_at(f, line, col, "invalid YAML: %s: expected UTF-8 text", problem);
    }
    if (p->context != NULL) {
        return load_fail_at(f, p->problem_mark.line + 1, p->problem_mark.column + 1,
                            "invalid YAML: %s (%s at line %zu)", problem, p->context,
                            (size_t)p->context_mark.line + 1);
    }
    return load_fail_at(f, p->problem_mark.line + 1, p->problem_mark.column + 1, "invalid YAML: %s",
                        problem);
}

/* load_walk counts the nodes under n as the schema walk will meet them (an
 * alias counts each time it is used) and bounds the nesting, so that a few
 * aliases cannot make the walk explode and a self-referencing alias cannot
 * make it loop. Returns false at the first node over a limit. */
bool load_walk(struct pfile *f, const yaml_node_t *n, unsigned depth, size_t *count)
{
    if (++*count > LOAD_MAX_NODES) {
        return load_fail(f, n,
                         "more than %d YAML nodes (counting each use of an alias): "
                         "expected a policy of reasonable size",
                         LOAD_MAX_NODES);
    }
    if (n->type == YAML_SCALAR_NODE) {
        return true;
    }
    if (depth == LOAD_MAX_NESTING) {
        return load_fail(f, n, "lists and mappings nested more than %d deep: expected a policy",
                         LOAD_MAX_NESTING);
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        for (size_t i = 0; i < load_seq_len(n); i++) {
            if (!load_walk(f, load_seq_item(f, n, i), depth + 1, count)) {
                return false;
            }
        }
        return true;
    }
    for (const yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        if (!load_walk(f, load_node(f, pr->key), depth + 1, count) ||
            !load_walk(f, load_node(f, pr->value), depth + 1, count)) {
            return false;
        }
    }
    return true;
}
